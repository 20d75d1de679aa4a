"""A backward pass you can step through: one self-contained HTML page.

``backward_steps(loss)`` replays the backward pass of the graph that produced ``loss``
in the engine's own order (op nodes by decreasing creation number ``seq``). Each step
runs one node's ``backward`` on a copy of its incoming gradient, as the engine would,
and records what a learner wants to see: the node, the gradient arriving at its output,
its local derivative in the graph's names (``dL/dW = Xᵀ·dL/dN``) and the gradient it
sends to each input. The user's graph is not disturbed: no ``.grad`` changes and the
saved arrays stay where they are, so ``loss.backward()`` still works afterwards. A node
needs its saved arrays, so call this before ``loss.backward()`` (or after
``loss.backward(retain_graph=True)``).

The page holds the graph as inline SVG (rendered by Graphviz's ``dot``), the steps as
JSON and a little plain JavaScript: buttons and the arrow keys step forward and back,
``#step=N`` in the address opens step N, and the leaves' gradients fill in as they
complete. It needs no network. The returned :class:`BackwardSteps` shows itself in
Jupyter (``_repr_html_``) and can be saved as a file.
"""

from __future__ import annotations

import html
import json
import os
import pathlib

import numpy as np

from ..autograd import _sum_to, no_grad
from ..tensor import Tensor
from ._graph import _build, _expression, _formula_lines, _op_title, _options, _shape_text

__all__ = ["backward_steps", "BackwardSteps"]

#: arrays with at most this many values are listed in full on the page
SHOWN_VALUES = 12


class BackwardSteps:
    """The stepping page of one backward pass.

    ``html`` is the page's text; ``steps`` the data of each step (step 0 is the seed);
    ``path`` where it was last saved (or None). In Jupyter the page shows inline.
    """

    def __init__(self, page: str, steps: list, path: pathlib.Path | None = None):
        self.html = page
        self.steps = steps
        self.path = path

    def save(self, path) -> pathlib.Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = pathlib.Path(os.fspath(path))
        path.write_text(self.html, encoding="utf-8")
        self.path = path
        return path

    def _repr_html_(self) -> str:
        # an iframe keeps the page's ids, styles and key handling to itself
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:760px;border:1px solid #ccc" '
            'title="backward pass, step by step"></iframe>'
        )

    def __repr__(self) -> str:
        where = f", saved to {self.path}" if self.path else ""
        return f"<BackwardSteps: {len(self.steps) - 1} backward steps{where}>"


def backward_steps(loss: Tensor, path=None, *, grad=None, max_nodes: int | None = 200,
                   title: str | None = None) -> BackwardSteps:
    """Replay the backward pass from ``loss`` as an HTML page you can step through.

    ``loss`` is a scalar Tensor with a recorded graph whose saved arrays have not been
    freed (call this before ``loss.backward()``, or after ``backward(retain_graph=True)``);
    for a non-scalar output pass its gradient as ``grad``. ``path``, if given, is where
    the page is written. Returns a :class:`BackwardSteps`. Rendering the graph needs the
    Graphviz ``dot`` program (:class:`~minigrad.viz.GraphvizNotFoundError` without it).
    """
    where = "backward_steps"
    if not isinstance(loss, Tensor):
        raise TypeError(f"{where}: expected a minigrad Tensor, got {type(loss).__name__}")
    if loss._ctx is None:
        raise ValueError(
            f"{where}: the tensor (shape {loss.shape}) has no recorded graph; it must be "
            "the result of ops on tensors with requires_grad=True"
        )
    if grad is None:
        if loss.data.size != 1:
            raise ValueError(
                f"{where}: the output has shape {loss.shape}, not a scalar; pass grad= with "
                "its gradient, an array of that shape"
            )
        seed = np.ones(loss.shape, dtype=loss.dtype)
    else:
        seed = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=loss.dtype)
        if seed.shape != loss.shape:
            raise ValueError(
                f"{where}: grad has shape {seed.shape} but the output has shape {loss.shape}"
            )
    options = _options({"max_nodes": max_nodes, "rankdir": None}, where)
    built = _build(loss, options, where, svg_ids=True, stand_ins=True)
    freed = [fn for fn in built.walk.ops if fn.saved is None]
    if freed:
        raise RuntimeError(
            f"{where}: the arrays saved by '{freed[0].name}' (and {len(freed) - 1} more "
            "nodes) were freed by an earlier backward(); call backward_steps(loss) before "
            "loss.backward(), or pass retain_graph=True to backward()"
        )
    steps, leaves = _replay(loss, seed, built)
    svg = built.graph.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML prologue and doctype
    name = built.names.get(loss) or "L"
    page = _page(title or f"Backward pass of {name}, step by step", svg, steps, leaves)
    result = BackwardSteps(page, steps)
    if path is not None:
        result.save(path)
    return result


# --------------------------------------------------------------------------- the replay


def _values(a) -> dict:
    """A gradient for the page: its shape and either all values or a summary."""
    a = np.asarray(a)
    info = {"shape": _shape_text(a.shape)}
    with np.errstate(all="ignore"):
        if a.size <= SHOWN_VALUES:
            info["values"] = np.array2string(
                a, precision=4, separator=", ", suppress_small=False, floatmode="maxprec"
            ) if a.ndim else format(float(a), ".4g")
        else:
            flat = a.ravel()
            head = ", ".join(format(float(v), ".4g") for v in flat[:4])
            info["values"] = (
                f"min {float(a.min()):.4g}, mean {float(a.mean()):.4g}, "
                f"max {float(a.max()):.4g}, |g| = {float(np.sqrt(np.sum(a * a))):.4g}; "
                f"first values {head}, …"
            )
    return info


def _replay(loss: Tensor, seed: np.ndarray, built) -> tuple[list, list]:
    """Run every node's backward in the engine's order on copies of the gradients."""
    walk, ids, names = built.walk, built.ids, built.names
    loss_name = names.get(loss, "L")

    def d(t: Tensor) -> str:
        return f"d{loss_name}/d{names.get(t, '?')}"

    def kind(t: Tensor) -> str:
        if t._ctx is not None:
            return "intermediate"
        return "parameter" if t.requires_grad else "input"

    leaves = [t for t in walk.order if isinstance(t, Tensor) and t._ctx is None
              and t.requires_grad]
    total = {t: None for t in leaves}
    pending = {loss: seed.copy()}
    steps = [{
        "node": ids[loss],
        "title": "the seed",
        "text": (f"Backward starts at {loss_name} with {d(loss)} = 1"
                 if seed.size == 1 and float(seed.ravel()[0]) == 1.0
                 else f"Backward starts at {loss_name} with the given gradient")
                + ". Each step runs one node's backward: it takes the gradient arriving at "
                "the node's output and sends one gradient to each of its inputs.",
        "incoming": {"name": d(loss), **_values(seed)},
        "expr": "",
        "formulas": [],
        "sends": [],
        "edges": [],
        "done": [],
        "visited": [],
    }]
    order = sorted(walk.ops, key=lambda fn: -fn.seq)  # the engine's order
    arrivals: dict = {leaf: [] for leaf in leaves}  # leaf -> (step index, entry) of each
    visited: list = []  # nodes whose backward has run before this step
    n_ops = len(order)
    for fn in order:
        out = walk.outputs[fn][0]
        g = pending.pop(out, None)
        if g is None:  # no gradient reached this node: the engine never visits it
            continue
        with no_grad(), np.errstate(all="ignore"):
            grads = fn.backward(np.array(g))
        if type(grads) is not tuple:
            grads = (grads,) if len(fn.parents) == 1 and type(grads) is not list \
                else tuple(grads)
        sends, edges = [], []
        for i, (p, pg) in enumerate(zip(fn.parents, grads)):
            edge = f"e_{ids[p]}_{ids[fn]}"
            earlier = sum(1 for q in fn.parents[:i] if q is p)
            edge_id = edge if earlier == 0 else f"{edge}_{earlier}"
            entry = {"node": ids[p], "name": names.get(p, "?"), "grad_name": d(p),
                     "kind": kind(p), "edge": edge_id}
            if pg is None or not p.requires_grad:
                entry["note"] = "needs no gradient (a constant)"
                sends.append(entry)
                continue
            pg = np.asarray(pg)
            if pg.shape != p.data.shape:
                pg = _sum_to(pg, p.data.shape)
            pg = np.array(pg, dtype=p.data.dtype)
            entry.update(_values(pg))
            edges.append(edge_id)
            if p in total:
                total[p] = pg if total[p] is None else total[p] + pg
                arrivals[p].append((len(steps), entry))
            else:
                if p in pending:
                    pending[p] = pending[p] + pg
                    entry["note"] = "added to the gradient already waiting there"
                else:
                    pending[p] = pg
                    entry["note"] = "waits there until its own node's turn"
            sends.append(entry)
        steps.append({
            "node": ids[fn],
            "title": _op_title(fn),
            "text": f"Node {len(visited) + 1} of {n_ops} in the engine's order: newest "
                    f"first, by creation number (seq = {fn.seq}).",
            "incoming": {"name": d(out), **_values(g)},
            "expr": _expression(fn, out, names) or "",
            "formulas": _formula_lines(fn, out, names),
            "sends": sends,
            "edges": edges,
            "done": [],
            "visited": list(visited),
        })
        visited.append(ids[fn])
    # a leaf is complete with the last gradient that arrives at it
    for leaf, arrived in arrivals.items():
        for k, (at, entry) in enumerate(arrived):
            if k + 1 < len(arrived):
                entry["note"] = "a leaf: added to its gradient, more to come"
            else:
                entry["note"] = "complete: a leaf, so this is its .grad"
                steps[at]["done"].append(ids[leaf])
    leaf_info = [
        {"node": ids[t], "name": names.get(t, "?"), "grad_name": d(t),
         **(_values(total[t]) if total[t] is not None else {"shape": _shape_text(t.shape),
                                                            "values": "no gradient reached it"}),
         "complete_at": next((i for i, s in enumerate(steps) if ids[t] in s["done"]), None)}
        for t in leaves
    ]  # fmt: skip
    return steps, leaf_info


# --------------------------------------------------------------------------- the page

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 8px 14px; background: #f3f3f3; border-bottom: 1px solid #ddd; }
header h1 { font-size: 17px; margin: 0 0 6px 0; }
button { font-size: 14px; padding: 3px 10px; margin-right: 4px; }
#step-label { font-weight: bold; margin-left: 10px; }
.hint { color: #666; font-size: 12px; margin-left: 10px; }
main { display: flex; align-items: flex-start; }
#graph { flex: 1 1 auto; overflow: auto; max-height: calc(100vh - 80px); padding: 6px; }
#graph svg { max-width: 100%; height: auto; }
#panel { flex: 0 0 430px; padding: 10px 14px; border-left: 1px solid #ddd;
         max-height: calc(100vh - 80px); overflow: auto; font-size: 14px; }
#panel h2 { font-size: 16px; margin: 4px 0; color: #b2182b; }
#panel h3 { font-size: 13px; margin: 12px 0 4px 0; color: #555; text-transform: uppercase; }
.formula { font-family: "DejaVu Sans Mono", Menlo, monospace; background: #fff8dc;
           padding: 2px 6px; margin: 2px 0; display: block; }
.grad { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 12px;
        white-space: pre-wrap; margin: 2px 0 6px 0; }
.send { border-left: 3px solid #d6604d; padding-left: 6px; margin-bottom: 6px; }
.note { color: #666; font-size: 12px; }
table.leaves { border-collapse: collapse; font-size: 12px; width: 100%; }
table.leaves td { border-top: 1px solid #eee; padding: 3px; vertical-align: top; }
tr.pending td { color: #aaa; }
tr.complete td.name { color: #1a7a3a; font-weight: bold; }
#errors { color: #b00; white-space: pre-wrap; }
#errors:empty { display: none; }
g.node.visited > path, g.node.visited > polygon, g.node.visited > ellipse {
  stroke: #999; stroke-dasharray: 4 2; }
g.node.done > path, g.node.done > polygon, g.node.done > ellipse {
  stroke: #1a9850; stroke-width: 3px; }
g.node.target > path, g.node.target > polygon, g.node.target > ellipse {
  stroke: #f46d43; stroke-width: 3px; }
g.edge.sending > path { stroke: #d62728; stroke-width: 3px; }
g.edge.sending > polygon { stroke: #d62728; fill: #d62728; }
g.node.current > path, g.node.current > polygon, g.node.current > ellipse {
  stroke: #d62728; stroke-width: 4px; stroke-dasharray: none; fill: #fcbba1; }
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, leaves = data.leaves;
  var current = 0;
  function el(id) { return document.getElementById(id); }
  function svgNode(id) { return document.querySelector("#graph g[id='" + id + "']"); }
  function clearMarks() {
    var marks = ["current", "visited", "done", "target", "sending"];
    document.querySelectorAll("#graph g").forEach(function (g) {
      marks.forEach(function (m) { g.classList.remove(m); });
    });
  }
  function add(id, cls) { var g = svgNode(id); if (g) { g.classList.add(cls); } }
  function text(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    e.textContent = content;
    return e;
  }
  function show(k) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    current = k;
    var s = steps[k];
    clearMarks();
    s.visited.forEach(function (id) { add(id, "visited"); });
    for (var j = 0; j <= k; j++) { steps[j].done.forEach(function (id) { add(id, "done"); }); }
    s.sends.forEach(function (t) { if (t.values !== undefined) { add(t.node, "target"); } });
    s.edges.forEach(function (id) { add(id, "sending"); });
    add(s.node, "current");
    var node = svgNode(s.node);
    if (node && node.scrollIntoView) { node.scrollIntoView({block: "center", inline: "nearest"}); }
    el("step-label").textContent = "step " + k + " of " + (steps.length - 1);
    document.body.setAttribute("data-step", String(k));
    document.body.setAttribute("data-current", s.node);
    el("prev").disabled = k === 0;
    el("first").disabled = k === 0;
    el("next").disabled = k === steps.length - 1;
    el("last").disabled = k === steps.length - 1;
    var p = el("step-detail");
    p.textContent = "";
    p.appendChild(text("h2", "", s.title));
    if (s.text) { p.appendChild(text("p", "", s.text)); }
    if (s.expr) {
      p.appendChild(text("h3", "", "forward"));
      p.appendChild(text("span", "formula", s.expr));
    }
    p.appendChild(text("h3", "", "gradient arriving at its output"));
    var arriving = s.incoming.name + "  " + s.incoming.shape + "\n" + s.incoming.values;
    p.appendChild(text("div", "grad", arriving));
    if (s.formulas.length) {
      p.appendChild(text("h3", "", "local derivative"));
      s.formulas.forEach(function (f) { p.appendChild(text("span", "formula", f)); });
    }
    if (s.sends.length) {
      p.appendChild(text("h3", "", "sends to its inputs"));
      s.sends.forEach(function (t) {
        var box = document.createElement("div");
        box.className = "send";
        box.appendChild(text("div", "", t.name + " (" + t.kind + ")"));
        if (t.values !== undefined) {
          box.appendChild(text("div", "grad", t.grad_name + "  " + t.shape + "\n" + t.values));
        }
        box.appendChild(text("div", "note", t.note));
        p.appendChild(box);
      });
    }
    var rows = el("leaves").querySelectorAll("tr[data-node]");
    rows.forEach(function (row, i) {
      var leaf = leaves[i];
      var complete = leaf.complete_at !== null && leaf.complete_at <= k;
      row.className = complete ? "complete" : "pending";
      row.querySelector("td.value").textContent = complete
        ? leaf.shape + "  " + leaf.values : "waiting…";
    });
    try {  // the address remembers the step; a page shown from srcdoc may refuse that
      window.history.replaceState(null, "", "#step=" + k);
    } catch (e) { /* stepping works without it */ }
  }
  function fromHash() {
    var m = /step=(\d+)/.exec(window.location.hash);
    return m ? parseInt(m[1], 10) : 0;
  }
  el("first").addEventListener("click", function () { show(0); });
  el("prev").addEventListener("click", function () { show(current - 1); });
  el("next").addEventListener("click", function () { show(current + 1); });
  el("last").addEventListener("click", function () { show(steps.length - 1); });
  document.addEventListener("keydown", function (e) {
    var to = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { to = current + 1; }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") { to = current - 1; }
    else if (e.key === "Home") { to = 0; }
    else if (e.key === "End") { to = steps.length - 1; }
    if (to !== null) { show(to); e.preventDefault(); }
  });
  window.addEventListener("hashchange", function () {
    if (fromHash() !== current) { show(fromHash()); }
  });
  show(fromHash());
  document.body.setAttribute("data-ready", "1");
})();
"""

_ERRORS_JS = r"""
window.onerror = function (message, source, line) {
  var box = document.getElementById("errors");
  if (box) { box.textContent += "error: " + message + " (line " + line + ")\n"; }
  document.body.setAttribute("data-errors", "1");
};
"""


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _page(title: str, svg: str, steps: list, leaves: list) -> str:
    rows = "".join(
        f'<tr data-node="{html.escape(leaf["node"])}" class="pending">'
        f'<td class="name">{html.escape(leaf["grad_name"])}</td>'
        '<td class="value">waiting…</td></tr>'
        for leaf in leaves
    )
    data = _json_for_script({"steps": steps, "leaves": leaves})
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<script>{_ERRORS_JS}</script>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<button id="first" title="first step (Home)">first</button>
<button id="prev" title="back (←)">&#x25C0; back</button>
<button id="next" title="next (→)">next &#x25B6;</button>
<button id="last" title="last step (End)">last</button>
<span id="step-label">step 0</span>
<span class="hint">← → keys step. Red: the node whose backward runs now; orange: the inputs it
sends gradients to; green: leaves whose gradient is complete; dashed: nodes already run.</span>
<pre id="errors"></pre>
</header>
<main>
<div id="graph">{svg}</div>
<div id="panel">
<div id="step-detail"></div>
<h3>leaf gradients</h3>
<table class="leaves" id="leaves">{rows}</table>
</div>
</main>
<script type="application/json" id="steps-data">{data}</script>
<script>{_JS}</script>
</body>
</html>
"""
