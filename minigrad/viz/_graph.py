"""Computation graphs as DOT text, graphviz objects and image files.

``to_dot(loss)`` walks the graph that produced ``loss`` and builds it as a
:class:`graphviz.Digraph`, whose ``.source`` is the DOT text: the graphviz package does
the quoting and the serialization, and no ``dot`` program is needed for the text. The
same graph always gives the same bytes: node ids come from counters in a fixed traversal
order (inputs before the ops that use them, parents in argument order), never from
memory addresses. The walk is iterative, so graphs of any depth work, and it stops as
soon as it has seen more than ``max_nodes`` nodes, so a huge graph is refused at once.

What the picture shows:

- one tensor node per tensor (boxes): name (if any), shape such as ``(13, 13)`` and
  dtype; with ``show_data`` / ``show_grad`` a short summary of the values / gradient
  (all values up to 6 elements, otherwise min, mean and max). The loss's own gradient is
  the seed 1; an intermediate result keeps its gradient only after ``retain_grad()``,
  and its box says so when it did not;
- one op node per recorded op (ellipses), labelled by what it computes (``mse (sum)``);
  numbers an op was applied with (the 0.5 of ``0.5 * loss``, an exponent) are drawn as
  small constant nodes feeding it; with ``show_formulas`` the op also shows its
  expression (``L = Σ(P − Y)²``) and its local derivative in the tensors' names
  (``dL/dW = Xᵀ·dL/dN``). Unnamed tensors then get stand-in letters, written in their
  boxes, that are never a name already used in the graph;
- fill colours for parameters (leaves that require grad), inputs and constants (leaves
  that do not), intermediate results and the output; a red double border for tensors
  whose array an op keeps for backward; a dashed outline for ops whose saved arrays a
  backward pass has already freed; with ``check=True`` op nodes coloured by a gradient
  check; a one-line legend of the styles used (``legend=False`` leaves it out).

The layout is left to right for short graphs and top to bottom for long ones, so that
the picture fits a screen (``rankdir=`` chooses). A graph of more than ``max_nodes``
nodes (200) raises ValueError rather than give an unreadable picture; ``collapse=model``
draws each of the model's top-level modules as one box, with its parameters as inputs.

``draw`` returns the :class:`graphviz.Digraph` for ``.render()``, ``.pipe()`` and
notebook display, and ``save`` writes an image file. Those need the Graphviz ``dot``
program; without it they raise :class:`GraphvizNotFoundError`, while ``to_dot`` keeps
working.
"""

from __future__ import annotations

import functools
import html
import os
import pathlib
import re
import warnings
from dataclasses import dataclass, field

import graphviz
import numpy as np

from .. import ops as _ops
from ..tensor import Tensor

__all__ = ["to_dot", "draw", "save", "ComputationGraph", "GraphvizNotFoundError"]

#: arrays with at most this many elements are shown in full by show_data / show_grad
MAX_SHOWN_VALUES = 6

_RANKDIRS = ("LR", "RL", "TB", "BT")
#: graphs whose left-to-right picture would be wider than this (in points, estimated from
#: the labels at _CHAR_PT per character; dot's own picture comes out some 25 % wider)
#: are drawn top to bottom by default
_SCREEN_WIDTH_PT = 900
_CHAR_PT = 5.6

# node styles: key -> (legend text, DOT attributes); legend order is this order
_STYLES = {
    "parameter": (
        "parameter",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#c7e9c0"},
    ),
    "input": (
        "input / constant",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#deebf7"},
    ),
    "intermediate": (
        "intermediate",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff"},
    ),
    "output": (
        "output",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#fdd0a2"},
    ),
    "saved": (
        "saved for backward",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff",
         "color": "#cb181d", "peripheries": "2"},
    ),
    "op": (
        "op",
        {"shape": "ellipse", "style": "filled", "fillcolor": "#fff5b1"},
    ),
    "freed": (
        "op, saved arrays freed",
        {"shape": "ellipse", "style": "filled,dashed", "fillcolor": "#fff5b1"},
    ),
    "check_pass": (
        "gradient check passed",
        {"shape": "ellipse", "style": "filled", "fillcolor": "#a1d99b"},
    ),
    "check_fail": (
        "gradient check FAILED",
        {"shape": "ellipse", "style": "filled,bold", "fillcolor": "#fb6a4a",
         "color": "#a50f15", "penwidth": "2"},
    ),
    "check_skip": (
        "not checked",
        {"shape": "ellipse", "style": "filled", "fillcolor": "#d9d9d9"},
    ),
    "constant": (
        "number fed to an op",
        {"shape": "plaintext", "fontsize": "9", "fontcolor": "#525252"},
    ),
    "module": (
        "module (collapsed)",
        {"shape": "box3d", "style": "filled", "fillcolor": "#dadaeb"},
    ),
}  # fmt: skip

# extra attributes that mark a tensor saved for backward, on top of its kind's style
_SAVED_MARK = {"color": "#cb181d", "peripheries": "2"}
# a legend cell per style: the cell's attributes in Graphviz's HTML-like labels
_LEGEND_CELL = {
    "saved": 'BGCOLOR="#ffffff" COLOR="#cb181d" BORDER="2"',
    "freed": 'BGCOLOR="#fff5b1" STYLE="dashed"',
    "check_fail": 'BGCOLOR="#fb6a4a" COLOR="#a50f15" BORDER="2"',
    "constant": 'BGCOLOR="#ffffff" COLOR="#bdbdbd"',

}
_LEGEND_PER_ROW = 5

_OPTION_DEFAULTS = {
    "show_data": False,
    "show_grad": False,
    "show_formulas": False,
    "rankdir": None,
    "max_nodes": 200,
    "collapse": None,
    "legend": True,
    "check": False,
}


# --------------------------------------------------------------------------- public API


def to_dot(
    tensor: Tensor,
    *,
    show_data: bool = False,
    show_grad: bool = False,
    show_formulas: bool = False,
    rankdir: str | None = None,
    max_nodes: int | None = 200,
    collapse=None,
    legend: bool = True,
    check: bool = False,
) -> str:
    """The computation graph that produced ``tensor``, as DOT text.

    ``show_data`` / ``show_grad`` add a summary of each tensor's values / gradient.
    The gradient line appears for tensors that require grad: the leaves' ``.grad``; the
    output's seed gradient 1 once a backward pass has run; an intermediate's gradient if
    it called ``retain_grad()``, else "not kept" and how to keep it.
    ``show_formulas`` adds each op's expression and local derivative with the tensors'
    names filled in (``dL/dW = Xᵀ·dL/dN``); unnamed tensors get stand-in letters that
    no tensor of the graph is named, shown in their boxes too.
    ``rankdir`` is the layout direction, "LR", "RL", "TB" or "BT"; by default left to
    right for short graphs and top to bottom for long ones.
    ``legend=False`` leaves out the legend (one compact row of the styles used).
    ``check=True`` runs a gradient check of every op node at the inputs it recorded (on
    float64 copies; the graph and every ``.grad`` are left untouched), colours each op
    green (passed), red (failed) or grey (not checked) and writes the largest relative
    error in its label.

    ``max_nodes`` bounds the picture: a graph that would draw more tensor, op and module
    nodes raises ValueError (pass ``collapse=`` or a larger ``max_nodes``; None means no
    limit). Without ``collapse`` the walk stops at the first node past the limit.
    ``collapse=model`` draws each top-level child module of ``model`` (from
    ``model.named_children()``) whose last call produced a tensor of this graph as one box
    labelled ``"name: Type"``: the ops between the child's inputs and its output, and the
    intermediate tensors used only there, disappear into the box; the leaves it uses (its
    parameters) are drawn outside as inputs to the box. A model without children is
    collapsed as a whole. Modules record their last call as ``module._last_call =
    (weakref.ref(output), tuple of weakref.ref(input))``. With ``collapse`` the whole graph
    is walked, since how many nodes remain is known only then.
    """
    options = {
        "show_data": show_data, "show_grad": show_grad, "show_formulas": show_formulas,
        "rankdir": rankdir, "max_nodes": max_nodes, "collapse": collapse, "legend": legend,
        "check": check,
    }  # fmt: skip
    return _build(tensor, options, "to_dot").graph.source


def draw(tensor: Tensor, **options) -> ComputationGraph:
    """The graph as a :class:`graphviz.Digraph` (format svg), the one :func:`to_dot`
    serializes.

    Takes the same keyword options as :func:`to_dot`. Its ``.source`` equals the DOT
    text; ``.render()``, ``.pipe()`` and notebook display need the Graphviz ``dot``
    program and raise :class:`GraphvizNotFoundError` when it is missing.
    """
    return _build(tensor, _options(options, "draw"), "draw").graph


def save(tensor: Tensor, path, format: str = "svg", **options) -> pathlib.Path:
    """Render the graph of ``tensor`` to the file ``path`` in ``format`` (svg, png, pdf, ...).

    Takes the same keyword options as :func:`to_dot`; returns the path written. Only
    ``path`` is written (no DOT source file is left beside it).
    """
    if not isinstance(format, str) or format not in graphviz.FORMATS:
        raise ValueError(
            f"save: format {format!r} is not one Graphviz can write; use e.g. 'svg', 'png' "
            "or 'pdf'"
        )
    image = _build(tensor, _options(options, "save"), "save").graph.pipe(format=format)
    path = pathlib.Path(os.fspath(path))
    path.write_bytes(image)
    return path


_INSTALL_HINT = (
    "rendering a graph needs the Graphviz 'dot' program, which was not found on PATH. "
    "Install the system package 'graphviz' (Debian/Ubuntu: sudo apt-get install graphviz; "
    "Fedora: sudo dnf install graphviz; macOS: brew install graphviz; conda: conda install "
    "graphviz). minigrad.viz.to_dot() gives the DOT text without it."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz ``dot`` program is not installed (a RuntimeError)."""

    def __init__(self, message: str = _INSTALL_HINT) -> None:
        RuntimeError.__init__(self, message)


def _needs_dot(method):
    """Turn graphviz's missing-executable error into one that says what to install."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except GraphvizNotFoundError:
            raise
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError() from None

    return wrapper


class ComputationGraph(graphviz.Digraph):
    """A :class:`graphviz.Digraph` whose rendering names the package to install when the
    ``dot`` program is missing. Notebook display goes through ``pipe``."""

    pipe = _needs_dot(graphviz.Digraph.pipe)
    render = _needs_dot(graphviz.Digraph.render)
    view = _needs_dot(graphviz.Digraph.view)
    unflatten = _needs_dot(graphviz.Digraph.unflatten)


# --------------------------------------------------------------------------- the walk

_GRAPH_NAME = "minigrad"


def _options(options: dict, where: str) -> dict:
    unknown = sorted(set(options) - set(_OPTION_DEFAULTS))
    if unknown:
        raise TypeError(
            f"{where}: unexpected option(s) {', '.join(unknown)}; known: "
            f"{', '.join(_OPTION_DEFAULTS)}"
        )
    return {**_OPTION_DEFAULTS, **options}


class _TooLarge(Exception):
    """The walk saw more nodes than it was allowed to."""

    def __init__(self, tensors: int, ops: int):
        super().__init__(tensors, ops)
        self.tensors, self.ops = tensors, ops


class _Walk:
    """Tensors and op nodes reachable from the root, inputs before their consumers.

    With ``limit``, the walk raises :class:`_TooLarge` as soon as it has met
    ``limit + 1`` distinct tensors and ops, before looking any further."""

    def __init__(self, root: Tensor, limit: int | None = None):
        self.order: list = []  # tensors and Function nodes, in drawing order
        self.outputs: dict = {}  # Function -> output tensors (one, in practice)
        self.consumers: dict = {}  # tensor -> Function nodes that use it
        self.visited = 0  # distinct tensors and ops met so far
        seen = set()
        met_ops = set()
        stack = [(root, False)]
        while stack:
            t, expanded = stack.pop()
            fn = t._ctx
            if expanded:
                if fn is not None and fn not in self.outputs:
                    self.outputs[fn] = []
                    self.order.append(fn)
                    for p in fn.parents:
                        self.consumers.setdefault(p, []).append(fn)
                if fn is not None:
                    self.outputs[fn].append(t)
                self.order.append(t)
                continue
            if t in seen:
                continue
            seen.add(t)
            self.visited += 1
            if limit is not None and self.visited > limit:
                raise _TooLarge(len(seen), len(met_ops))
            if fn is not None and fn not in met_ops:
                met_ops.add(fn)
                self.visited += 1
                if limit is not None and self.visited > limit:
                    raise _TooLarge(len(seen), len(met_ops))
            stack.append((t, True))
            if fn is not None:
                # reversed, so that the first argument is drawn first
                for p in reversed(fn.parents):
                    if p not in seen:
                        stack.append((p, False))

    @property
    def ops(self):
        return self.outputs.keys()

    def depths(self) -> dict:
        """Tensor or op -> its level: 1 for leaves, one more than its inputs' for the rest."""
        depth: dict = {}
        for item in self.order:  # inputs come before the ops that use them
            if isinstance(item, Tensor):
                fn = item._ctx
                depth[item] = depth[fn] + 1 if fn is not None else 1
            else:
                depth[item] = 1 + max((depth[p] for p in item.parents), default=0)
        return depth


def _too_large_error(where: str, tensors: int, ops: int, modules: int, max_nodes: int,
                     exact: bool, check: bool) -> ValueError:
    counted = f"{tensors} tensors, {ops} ops" + (f", {modules} modules" if modules else "")
    if exact:
        size = f"the graph has {tensors + ops + modules} nodes ({counted}), more than " \
               f"max_nodes={max_nodes}"
    else:
        size = f"the graph has more than max_nodes={max_nodes} nodes (the walk stopped " \
               f"after meeting {tensors + ops}: {counted})"
    return ValueError(
        f"{where}: {size}"
        + ("; it is too large to draw and gradient-check" if check else "")
        + "; pass collapse=model to draw each of the model's modules as one box, or a "
        "larger max_nodes (None for no limit)"
    )


def _saved_tensors(walk: _Walk) -> set:
    """Tensors whose array some op keeps for backward (inputs, or the op's own output)."""
    saved = set()
    for fn, outs in walk.outputs.items():
        arrays = fn.saved
        if not arrays:
            continue
        # by position, as the engine resolves them: the arrays the op was given (two
        # inputs sharing one array, like x and x.detach(), were given distinct views)
        given = fn.__dict__.get("passed") or [p.data for p in fn.parents]
        for t, d in (*zip(fn.parents, given), *((o, o.data) for o in outs)):
            if any(a is d for a in arrays):
                saved.add(t)
    return saved


class _Region:
    """One collapsed module: its box label, its output tensor and its op nodes."""

    def __init__(self, label: str, output: Tensor):
        self.label = label
        self.output = output
        self.ops: list = []


def _regions(walk: _Walk, model) -> dict:
    """Function -> _Region for the ops of each collapsed top-level child of ``model``."""
    if not callable(getattr(model, "named_children", None)):
        raise TypeError(
            f"to_dot: collapse= expects a module with named_children(), got "
            f"{type(model).__name__}"
        )
    children = list(model.named_children())
    if not children:
        children = [(None, model)]
    owner: dict = {}
    for name, child in children:
        call = getattr(child, "_last_call", None)
        if call is None:
            continue
        out_ref, in_refs = call
        out = out_ref()
        # a child called since this graph was built points elsewhere: leave it expanded
        if out is None or out._ctx not in walk.outputs or out._ctx in owner:
            continue
        stop = {t for t in (r() for r in in_refs) if t is not None}
        kind = type(child).__name__
        region = _Region(kind if name is None else f"{name}: {kind}", out)
        members = {out._ctx}
        stack = [out._ctx]
        while stack:
            fn = stack.pop()
            for p in fn.parents:
                up = p._ctx
                if p in stop or up is None or up in owner or up in members:
                    continue
                members.add(up)
                stack.append(up)
        for fn in walk.ops:  # in drawing order
            if fn in members:
                owner[fn] = region
                region.ops.append(fn)
    if not owner:
        warnings.warn(
            f"collapse: no module of the {type(model).__name__} produced a tensor of this graph "
            "in its last call (modules record it in _last_call), so nothing is collapsed",
            UserWarning,
            stacklevel=4,
        )
    return owner


# --------------------------------------------------------------------------- the picture


@dataclass
class _Built:
    """A built graph and what was worked out on the way (for the stepping page)."""

    graph: ComputationGraph
    walk: _Walk
    ids: dict  # tensor or Function -> node id
    names: dict = field(default_factory=dict)  # tensor -> the name shown in formulas
    checks: dict = field(default_factory=dict)  # Function -> its gradient check


def _check_options(options: dict, where: str) -> None:
    for name in ("show_data", "show_grad", "show_formulas", "legend", "check"):
        flag = options[name]
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{where}: {name} must be True or False, got {flag!r}")
    rankdir = options["rankdir"]
    if rankdir is not None and (not isinstance(rankdir, str) or rankdir not in _RANKDIRS):
        raise ValueError(
            f"{where}: rankdir must be one of {', '.join(_RANKDIRS)} (or None to choose by "
            f"the graph's length), got {rankdir!r}"
        )
    max_nodes = options["max_nodes"]
    if max_nodes is not None and (
        not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool)
        or max_nodes < 1
    ):
        raise ValueError(
            f"{where}: max_nodes must be a positive int or None, got {max_nodes!r}"
        )


def _build(tensor, options: dict, where: str, *, svg_ids: bool = False,
           stand_ins: bool = False) -> _Built:
    """The picture of the graph that produced ``tensor``, as a ComputationGraph.

    ``svg_ids`` gives every node and edge an ``id`` attribute (SVG element ids);
    ``stand_ins`` writes stand-in names into unnamed tensors' boxes even without
    formulas."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a minigrad Tensor, got {type(tensor).__name__}")
    _check_options(options, where)
    show_data, show_grad = options["show_data"], options["show_grad"]
    show_formulas, max_nodes = options["show_formulas"], options["max_nodes"]
    collapse, check = options["collapse"], options["check"]

    limit = max_nodes if collapse is None else None
    try:
        walk = _Walk(tensor, limit)
    except _TooLarge as e:
        raise _too_large_error(where, e.tensors, e.ops, 0, max_nodes, False, check) from None
    owner = _regions(walk, collapse) if collapse is not None else {}

    def hidden(t: Tensor) -> bool:
        """Made inside a collapsed module and used nowhere else."""
        region = owner.get(t._ctx)
        if region is None or t is tensor or t is region.output:
            return False
        return all(owner.get(fn) is region for fn in walk.consumers.get(t, ()))

    # node ids, counted in drawing order
    ids: dict = {}
    box_ids: dict = {}
    n_tensors = n_ops = 0
    for item in walk.order:
        if isinstance(item, Tensor):
            if not hidden(item):
                ids[item] = f"t{n_tensors}"
                n_tensors += 1
        elif item in owner:
            if owner[item] not in box_ids:
                box_ids[owner[item]] = f"m{len(box_ids)}"
        else:
            ids[item] = f"op{n_ops}"
            n_ops += 1
    if max_nodes is not None and n_tensors + n_ops + len(box_ids) > max_nodes:
        raise _too_large_error(where, n_tensors, n_ops, len(box_ids), max_nodes, True, check)

    names = _display_names(walk) if (show_formulas or stand_ins) else {}
    checks = {}
    if check:
        from ._check import check_node  # the checker runs ops; only loaded when asked

        checks = {fn: check_node(fn, seed=k) for k, fn in enumerate(walk.ops) if fn not in owner}
    saved = _saved_tensors(walk)
    backward_ran = _backward_ran(walk)
    used: list[str] = []

    def style(key: str) -> dict:
        if key not in used:
            used.append(key)
        return _STYLES[key][1]

    nodes: list = []  # (node id, label, attributes, tensor or Function)

    def node(node_id: str, label: str, attrs: dict, item=None) -> None:
        nodes.append((node_id, label, attrs, item))

    constants: list = []  # (op node id, constant node id)
    for item in walk.order:
        if isinstance(item, Tensor):
            if item not in ids:
                continue
            if item is tensor:
                kind = "output"
            elif item._ctx is None:
                kind = "parameter" if item.requires_grad else "input"
            else:
                kind = "intermediate"
            attrs = dict(style(kind))
            if item in saved:
                style("saved")
                attrs.update(_SAVED_MARK)
            label = _tensor_label(item, names.get(item), show_data, show_grad,
                                  item is tensor, backward_ran)
            node(ids[item], label, attrs, item)
        elif item in owner:
            region = owner[item]
            if region.ops[0] is item:
                node(box_ids[region], _box_label(region), style("module"), item)
        else:
            result = checks.get(item)
            if result is not None:
                kind = f"check_{result.status}"
            else:
                kind = "freed" if item.saved is None else "op"
            out = walk.outputs[item][0]
            label = _op_label(item, out, names, show_formulas, result)
            node(ids[item], label, style(kind), item)
            for value in _constants(item):
                const_id = f"c{len(constants)}"
                node(const_id, _number(value), style("constant"))
                constants.append((const_id, ids[item]))

    rankdir = options["rankdir"] or _choose_rankdir(walk, nodes)
    graph = ComputationGraph(name=_GRAPH_NAME, format="svg")
    if rankdir in ("TB", "BT"):  # a long graph: ranks closer together
        graph.attr("graph", rankdir=rankdir, ranksep="0.3")
    else:
        graph.attr("graph", rankdir=rankdir)
    graph.attr("node", fontname="Helvetica", fontsize="10")
    graph.attr("edge", arrowsize="0.7")
    for node_id, label, attrs, _ in nodes:
        extra = {"id": node_id} if svg_ids else {}
        graph.node(node_id, label=_text(label), **attrs, **extra)

    edge_ids: dict = {}

    def edge(src: str, dst: str, **attrs) -> None:
        if svg_ids:
            key = f"e_{src}_{dst}"
            n = edge_ids.get(key, 0)
            edge_ids[key] = n + 1
            attrs["id"] = key if n == 0 else f"{key}_{n}"
        graph.edge(src, dst, **attrs)

    seen_edges = set()
    for fn, outs in walk.outputs.items():
        region = owner.get(fn)
        if region is None:
            for p in fn.parents:
                edge(ids[p], ids[fn])
            for t in outs:
                edge(ids[fn], ids[t])
            continue
        box = box_ids[region]
        # a tensor made inside the box and also used outside: only box -> tensor
        pairs = [(ids[p], box) for p in fn.parents if p in ids and owner.get(p._ctx) is not region]
        pairs += [(box, ids[t]) for t in outs if t in ids]
        for pair in pairs:
            if pair not in seen_edges:
                seen_edges.add(pair)
                edge(*pair)
    for const_id, op_id in constants:
        edge(const_id, op_id, color="#969696", arrowsize="0.5")

    if options["legend"]:
        extra = {"id": "legend"} if svg_ids else {}
        graph.node("legend", label=_legend_label(used), shape="plaintext", fontsize="9", **extra)
    return _Built(graph, walk, ids, names, checks)


def _choose_rankdir(walk: _Walk, nodes: list) -> str:
    """Left to right while the picture's estimated width fits a screen, else top to
    bottom."""
    depth = walk.depths()
    widest: dict = {}
    for _, label, _, item in nodes:
        if item is None:
            continue
        chars = max(len(line) for line in label.split("\n"))
        level = depth[item]
        widest[level] = max(widest.get(level, 0), _CHAR_PT * chars + 24)
    width = sum(widest.values()) + 36 * (len(widest) - 1)
    return "LR" if width <= _SCREEN_WIDTH_PT else "TB"


def _kept_grad(t: Tensor):
    """``t.grad`` as kept, read without the warning a non-leaf's ``.grad`` gives."""
    return t.__dict__.get("grad")


def _backward_ran(walk: _Walk) -> bool:
    """Whether a backward pass has gone through this graph: some op's saved arrays
    were freed, or some tensor of it holds a gradient."""
    if any(fn.saved is None for fn in walk.ops):
        return True
    return any(isinstance(t, Tensor) and _kept_grad(t) is not None for t in walk.order)


def _legend_label(used: list[str]) -> str:
    """One compact table of the styles used, a few to a row, as a Graphviz HTML label."""
    cells = []
    for key in _STYLES:
        if key not in used:
            continue
        text, attrs = _STYLES[key]
        cell = _LEGEND_CELL.get(key) or f'BGCOLOR="{attrs["fillcolor"]}"'
        cells.append(f"<TD {cell}>{html.escape(text)}</TD>")
    rows = [cells[i : i + _LEGEND_PER_ROW] for i in range(0, len(cells), _LEGEND_PER_ROW)]
    body = "".join("<TR>" + "".join(row) + "</TR>" for row in rows)
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="2">'
        f'<TR><TD BORDER="0" COLSPAN="{min(len(cells), _LEGEND_PER_ROW) or 1}" ALIGN="LEFT">'
        f"<I>legend</I></TD></TR>{body}</TABLE>>"
    )


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _text(value) -> str:
    """Label text for DOT: backslashes escaped, line breaks as DOT's ``\\n`` (a centred
    line), other control characters shown as ``\\xNN`` text, ``&`` written as ``&amp;``
    so that Graphviz reads no entities, and never read as an HTML label. Double quotes
    are left to the graphviz package's quoting."""
    s = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    s = s.replace("\\", "\\\\")
    s = _CONTROL.sub(lambda m: f"\\\\x{ord(m.group()):02x}", s)
    s = s.replace("\n", "\\n").replace("&", "&amp;")
    return graphviz.nohtml(s)


# --------------------------------------------------------------------------- labels


def _shape_text(shape) -> str:
    return str(tuple(int(n) for n in shape))


def _tensor_label(t: Tensor, shown_name, show_data: bool, show_grad: bool,
                  is_root: bool, backward_ran: bool) -> str:
    lines = []
    if t.name:
        lines.append(str(t.name))
    elif shown_name is not None:
        lines.append(f"{shown_name} (unnamed)")
    lines.append(f"{_shape_text(t.shape)} {t.dtype}")
    if show_data:
        lines.append("data: " + _summary(t.data))
    if show_grad and (t.requires_grad or _kept_grad(t) is not None):
        lines.append(_grad_line(t, is_root, backward_ran))
    return "\n".join(lines)


def _grad_line(t: Tensor, is_root: bool, backward_ran: bool) -> str:
    """What is known of the tensor's gradient, never a bare 'None'."""
    g = _kept_grad(t)
    if g is not None:
        return "grad: " + _summary(g.data if isinstance(g, Tensor) else g)
    if is_root and t.data.size == 1:
        return "grad: 1 (the seed)" if backward_ran else "grad: 1 when backward runs (seed)"
    if t._ctx is None or t._retain:
        return "grad: none reached it" if backward_ran else "grad: none yet (no backward)"
    return "grad: not kept (retain_grad() keeps it)"


def _number(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return format(float(v), ".4g")


def _summary(a) -> str:
    """All values of a small array in nested brackets, else min, mean and max."""
    a = np.asarray(a)
    if a.size == 0:
        return f"empty {_shape_text(a.shape)}"
    with np.errstate(all="ignore"):
        if a.size > MAX_SHOWN_VALUES:
            return f"min {_number(a.min())}, mean {_number(a.mean())}, max {_number(a.max())}"
        items = [_number(v) for v in a.ravel()]
    for n in reversed(a.shape):  # group the flat values one axis at a time, innermost first
        items = ["[" + ", ".join(items[i : i + n]) + "]" for i in range(0, len(items), n)]
    return items[0]


_PLACEHOLDER = re.compile(r"\{(\d+|y)\}")
_STAND_IN_LETTERS = "ABCDEFGHIJKMNOPQRSTUVWXYZ"  # no L: it is the loss in dL/d...


def _display_names(walk: _Walk) -> dict:
    """Tensor -> the name formulas use: its own, or a stand-in letter that is no name of
    any tensor in the graph, given in drawing order."""
    tensors = [t for t in walk.order if isinstance(t, Tensor)]
    taken = {str(t.name) for t in tensors if t.name}

    def letters():
        suffix = ""
        n = 0
        while True:
            for c in _STAND_IN_LETTERS:
                if c + suffix not in taken:
                    yield c + suffix
            n += 1
            suffix = str(n)

    free = letters()
    names = {}
    for t in tensors:
        names[t] = str(t.name) if t.name else next(free)
    return names


def _kwarg(fn, key: str, default=None):
    kwargs = getattr(fn, "kwargs", None) or {}
    if key in kwargs:
        return kwargs[key]
    return getattr(fn, key, default)


_SCALAR_OPS = (_ops.AddScalar, _ops.RSubScalar, _ops.MulScalar, _ops.DivScalar,
               _ops.RDivScalar)


def _constants(fn) -> list:
    """The numbers an op was applied with, drawn as small nodes feeding it."""
    if isinstance(fn, _SCALAR_OPS):
        c = _kwarg(fn, "c")
        return [] if c is None else [c]
    if isinstance(fn, _ops.Pow):
        p = _kwarg(fn, "p")
        return [] if p is None else [p]
    return []


def _op_title(fn) -> str:
    """The op's name, with what distinguishes this use of it."""
    name = fn.name or type(fn).__name__
    kind = type(fn)
    if kind is _ops.MSE:
        return f"{name} ({_kwarg(fn, 'reduction', 'mean')})"
    if kind in (_ops.Sum, _ops.Mean, _ops.Softmax, _ops.LogSoftmax):
        axis = (getattr(fn, "kwargs", None) or {}).get("axis")
        return name if axis is None else f"{name} (axis={axis})"
    if kind in (_ops.Reshape, _ops.BroadcastTo):
        return f"{name} to {_shape_text(_kwarg(fn, 'shape', ()))}"
    if kind is _ops.Cast:
        return f"{name} {np.dtype(_kwarg(fn, 'dtype', np.float64))}"
    return name


# what each op computes, with {0}, {1} for its inputs and {c} for its number
_EXPRESSIONS = {
    _ops.Add: "{0} + {1}", _ops.AddBias: "{0} + {1}", _ops.Sub: "{0} − {1}",
    _ops.Mul: "{0} ⊙ {1}", _ops.Div: "{0} / {1}", _ops.Neg: "−{0}", _ops.Pow: "{0}^{c}",
    _ops.Matmul: "{0}·{1}", _ops.AddScalar: "{0} + {c}", _ops.RSubScalar: "{c} − {0}",
    _ops.MulScalar: "{c}·{0}", _ops.DivScalar: "{0} / {c}", _ops.RDivScalar: "{c} / {0}",
    _ops.Sigmoid: "σ({0})", _ops.Tanh: "tanh({0})", _ops.ReLU: "max({0}, 0)",
    _ops.Exp: "exp({0})", _ops.Log: "log({0})", _ops.Sum: "Σ {0}", _ops.Mean: "mean({0})",
    _ops.Transpose: "{0}ᵀ", _ops.Softmax: "softmax({0})",
    _ops.LogSoftmax: "log_softmax({0})", _ops.CrossEntropy: "cross_entropy({0}, labels)",
}  # fmt: skip


def _expression(fn, out: Tensor, names: dict) -> str | None:
    """``N = X·W``: what the op computes, in the tensors' names."""
    kind = type(fn)
    if kind is _ops.MSE:
        sum_ = _kwarg(fn, "reduction", "mean") == "sum"
        template = "Σ({0} − {1})²" if sum_ else "mean(({0} − {1})²)"
    else:
        template = _EXPRESSIONS.get(kind)
    if template is None or out not in names:
        return None
    consts = _constants(fn)
    if consts and kind is _ops.AddScalar and consts[0] < 0:
        template, consts = "{0} − {c}", [-consts[0]]
    text = template.replace("{c}", _number(consts[0])) if consts else template
    return f"{names[out]} = {_fill(text, fn, out, names)}"


def _fill(text: str, fn, out: Tensor, names: dict) -> str:
    def fill(m: re.Match) -> str:
        key = m.group(1)
        if key == "y":
            return names.get(out, "Y")
        i = int(key)
        return names.get(fn.parents[i], "?") if i < len(fn.parents) else m.group()

    return _PLACEHOLDER.sub(fill, text)


_CONSTANT_IN_FORMULA = re.compile(r"(?<![A-Za-z{])[cp](?![A-Za-z}])")


def _formula_lines(fn, out: Tensor, names: dict) -> list[str]:
    """The op's derivative text with ``{0}``, ``{1}``, ``{y}`` replaced by tensor names
    (and a scalar op's ``c`` or a power's ``p`` by its number)."""
    text = fn.formula
    if not text:
        return []
    consts = _constants(fn)
    if consts:
        if isinstance(fn, _ops.Pow):  # p·x^(p−1) with the exponent worked out
            text = text.replace("(p−1)", _number(consts[0] - 1))
        text = _CONSTANT_IN_FORMULA.sub(_number(consts[0]), text)
    text = _fill(text, fn, out, names)
    return [part.strip() for part in text.split(";") if part.strip()]


def _op_label(fn, out: Tensor, names: dict, show_formulas: bool, result) -> str:
    lines = [_op_title(fn)]
    if show_formulas:
        expr = _expression(fn, out, names)
        if expr:
            lines.append(expr)
        lines += _formula_lines(fn, out, names)
    if result is not None:
        lines.append(result.label)
    return "\n".join(lines)


def _box_label(region: _Region) -> str:
    kinds: list[str] = []
    for fn in region.ops:
        if fn.name not in kinds:
            kinds.append(fn.name)
    n = len(region.ops)
    shown = ", ".join(kinds[:4]) + (", …" if len(kinds) > 4 else "")
    return f"{region.label}\n{n} op{'s' if n != 1 else ''}: {shown}"
