"""Drawing computation graphs: DOT text, graphviz objects and image files.

``to_dot(loss)`` walks the graph that produced ``loss`` and writes it as DOT text, in
pure Python and deterministically: the same graph always gives the same bytes, because
node ids come from a counter in a fixed traversal order (inputs before the ops that use
them, parents in argument order). The walk is iterative, so graphs of any depth work.

What the picture shows:

- one tensor node per tensor (boxes): name (if any), shape such as ``(13, 13)`` and
  dtype; with ``show_data`` / ``show_grad`` a short summary of the values / of ``.grad``
  (all values up to 6 elements, otherwise min, mean and max);
- one op node per recorded op (ellipses), labelled by the op's name; with
  ``show_formulas`` also its local derivative, filled in with the tensors' names;
- edges input tensor -> op -> output tensor;
- fill colours for parameters (leaves that require grad), inputs and constants (leaves
  that do not), intermediate results and the output (the tensor drawn); a red double
  border for tensors whose array an op keeps for backward; a dashed outline for ops whose
  saved arrays a backward pass has already freed; a legend listing the styles used.

A graph of more than ``max_nodes`` nodes (200) raises ValueError rather than give an
unreadable picture; ``collapse=model`` draws each of the model's top-level modules as one
box, with its parameters as inputs to the box.

``draw`` wraps the same text in a :class:`graphviz.Digraph` for ``.render()``,
``.pipe()`` and notebook display, and ``save`` writes an image file. Those need the
Graphviz ``dot`` program; without it they raise :class:`GraphvizNotFoundError`, while
``to_dot`` keeps working.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import warnings

import graphviz
import numpy as np

from .tensor import Tensor

__all__ = ["to_dot", "draw", "save", "ComputationGraph", "GraphvizNotFoundError"]

#: arrays with at most this many elements are shown in full by show_data / show_grad
MAX_SHOWN_VALUES = 6

_RANKDIRS = ("LR", "RL", "TB", "BT")

# node styles: key -> (legend text, DOT attributes); legend order is this order
_STYLES = {
    "parameter": (
        "parameter (leaf, requires grad)",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#c7e9c0"},
    ),
    "input": (
        "input / constant (leaf, no grad)",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#deebf7"},
    ),
    "intermediate": (
        "intermediate result",
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
        "op, saved arrays freed by backward",
        {"shape": "ellipse", "style": "filled,dashed", "fillcolor": "#fff5b1"},
    ),
    "module": (
        "module (collapsed)",
        {"shape": "box3d", "style": "filled", "fillcolor": "#dadaeb"},
    ),
}  # fmt: skip

# extra attributes that mark a tensor saved for backward, on top of its kind's style
_SAVED_MARK = {"color": "#cb181d", "peripheries": "2"}


# --------------------------------------------------------------------------- public API


def to_dot(
    tensor: Tensor,
    *,
    show_data: bool = False,
    show_grad: bool = False,
    show_formulas: bool = False,
    rankdir: str = "LR",
    max_nodes: int | None = 200,
    collapse=None,
) -> str:
    """The computation graph that produced ``tensor``, as DOT text.

    ``show_data`` / ``show_grad`` add a summary of each tensor's values / gradient
    (``.grad``; the gradient line appears for tensors that require grad or have one).
    ``show_formulas`` adds each op's local derivative with the tensors' names filled in
    (``dL/dW = Xᵀ·dL/dN``); tensors without a name stand in as A, B, ... and Y.
    ``rankdir`` is the layout direction: "LR", "RL", "TB" or "BT".

    ``max_nodes`` bounds the picture: a graph that would draw more tensor, op and module
    nodes raises ValueError (pass ``collapse=`` or a larger ``max_nodes``; None means no
    limit). ``collapse=model`` draws each top-level child module of ``model`` (from
    ``model.named_children()``) whose last call produced a tensor of this graph as one box
    labelled ``"name: Type"``: the ops between the child's inputs and its output, and the
    intermediate tensors used only there, disappear into the box; the leaves it uses (its
    parameters) are drawn outside as inputs to the box. A model without children is
    collapsed as a whole. Modules record their last call as ``module._last_call =
    (weakref.ref(output), tuple of weakref.ref(input))``.
    """
    return _source(
        _build_lines(tensor, show_data, show_grad, show_formulas, rankdir, max_nodes, collapse)
    )


def draw(tensor: Tensor, **options) -> ComputationGraph:
    """The graph as a :class:`graphviz.Digraph` (format svg), built from :func:`to_dot`.

    Takes the same keyword options as :func:`to_dot`. Its ``.source`` equals the DOT
    text; ``.render()``, ``.pipe()`` and notebook display need the Graphviz ``dot``
    program and raise :class:`GraphvizNotFoundError` when it is missing.
    """
    return _draw(tensor, options, "draw")


def _draw(tensor, options: dict, where: str) -> ComputationGraph:
    lines = _build_lines(tensor, **_options(options, where), where=where)
    return ComputationGraph(name=_GRAPH_NAME, body=[f"\t{line}\n" for line in lines], format="svg")


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
    image = _draw(tensor, options, "save").pipe(format=format)
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
    known = ("show_data", "show_grad", "show_formulas", "rankdir", "max_nodes", "collapse")
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(
            f"{where}: unexpected option(s) {', '.join(unknown)}; known: {', '.join(known)}"
        )
    defaults = {
        "show_data": False,
        "show_grad": False,
        "show_formulas": False,
        "rankdir": "LR",
        "max_nodes": 200,
        "collapse": None,
    }
    return {**defaults, **options}


def _source(lines: list[str]) -> str:
    return f"digraph {_GRAPH_NAME} {{\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"


class _Walk:
    """Tensors and op nodes reachable from the root, inputs before their consumers."""

    def __init__(self, root: Tensor):
        self.order: list = []  # tensors and Function nodes, in drawing order
        self.outputs: dict = {}  # Function -> output tensors (one, in practice)
        self.consumers: dict = {}  # tensor -> Function nodes that use it
        seen = set()
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
            stack.append((t, True))
            if fn is not None:
                # reversed, so that the first argument is drawn first
                for p in reversed(fn.parents):
                    if p not in seen:
                        stack.append((p, False))

    @property
    def ops(self):
        return self.outputs.keys()


def _saved_tensors(walk: _Walk) -> set:
    """Tensors whose array some op keeps for backward (inputs, or the op's own output)."""
    saved = set()
    for fn, outs in walk.outputs.items():
        arrays = fn.saved
        if not arrays:
            continue
        for t in (*fn.parents, *outs):
            if any(a is t.data for a in arrays):
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


# --------------------------------------------------------------------------- DOT text


def _build_lines(tensor, show_data, show_grad, show_formulas, rankdir, max_nodes, collapse,
                 where="to_dot"):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}: expected a minigrad Tensor, got {type(tensor).__name__}")
    for name, flag in (("show_data", show_data), ("show_grad", show_grad),
                       ("show_formulas", show_formulas)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{where}: {name} must be True or False, got {flag!r}")
    if not isinstance(rankdir, str) or rankdir not in _RANKDIRS:
        raise ValueError(
            f"{where}: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}"
        )
    if max_nodes is not None and (
        not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool)
        or max_nodes < 1
    ):
        raise ValueError(
            f"{where}: max_nodes must be a positive int or None, got {max_nodes!r}"
        )

    walk = _Walk(tensor)
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
    total = n_tensors + n_ops + len(box_ids)
    if max_nodes is not None and total > max_nodes:
        raise ValueError(
            f"to_dot: the graph has {total} nodes ({n_tensors} tensors, {n_ops} ops"
            + (f", {len(box_ids)} modules" if box_ids else "")
            + f"), more than max_nodes={max_nodes}; pass collapse=model to draw each of the "
            "model's modules as one box, or a larger max_nodes (None for no limit)"
        )

    saved = _saved_tensors(walk)
    used: list[str] = []

    def style(key: str) -> dict:
        if key not in used:
            used.append(key)
        return _STYLES[key][1]

    lines = [
        f"graph [rankdir={rankdir}]",
        'node [fontname="Helvetica", fontsize=10]',
        "edge [arrowsize=0.7]",
    ]
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
            attrs = {"label": _tensor_label(item, show_data, show_grad), **style(kind)}
            if item in saved:
                style("saved")
                attrs.update(_SAVED_MARK)
            lines.append(_node(ids[item], attrs))
        elif item in owner:
            region = owner[item]
            if region.ops[0] is item:
                attrs = {"label": _box_label(region), **style("module")}
                lines.append(_node(box_ids[region], attrs))
        else:
            label = item.name or type(item).__name__
            if show_formulas:
                label = "\n".join([label, *_formula_lines(item, walk.outputs[item][0])])
            kind = "freed" if item.saved is None else "op"
            lines.append(_node(ids[item], {"label": label, **style(kind)}))

    seen_edges = set()
    for fn, outs in walk.outputs.items():
        region = owner.get(fn)
        if region is None:
            lines.extend(f"{ids[p]} -> {ids[fn]}" for p in fn.parents)
            lines.extend(f"{ids[fn]} -> {ids[t]}" for t in outs)
            continue
        box = box_ids[region]
        # a tensor made inside the box and also used outside: only box -> tensor
        pairs = [(ids[p], box) for p in fn.parents if p in ids and owner.get(p._ctx) is not region]
        pairs += [(box, ids[t]) for t in outs if t in ids]
        for pair in pairs:
            if pair not in seen_edges:
                seen_edges.add(pair)
                lines.append(f"{pair[0]} -> {pair[1]}")

    lines.extend(_legend(used))
    return lines


def _legend(used: list[str]) -> list[str]:
    lines = [
        "subgraph cluster_legend {",
        '\tlabel="legend"',
        '\tstyle="rounded,dashed"',
        '\tcolor="#969696"',
        '\tfontname="Helvetica"',
        "\tfontsize=10",
    ]
    for key in _STYLES:
        if key in used:
            text, attrs = _STYLES[key]
            lines.append("\t" + _node(f"legend_{key}", {"label": text, **attrs}))
    lines.append("}")
    return lines


def _node(node_id: str, attrs: dict) -> str:
    return f"{node_id} [" + ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]"


_ID = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")
_KEYWORDS = frozenset(("node", "edge", "graph", "digraph", "subgraph", "strict"))
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _quote(value) -> str:
    """A DOT attribute value: bare when it is a plain identifier or number, else quoted.

    Backslashes and double quotes are escaped, line breaks become DOT's ``\\n`` (a centred
    line), other control characters are shown as ``\\xNN`` text, and ``&`` is written as
    ``&amp;`` so that Graphviz does not read entities into names."""
    s = str(value)
    if _ID.fullmatch(s) and s.lower() not in _KEYWORDS:
        return s
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    # Graphviz decodes HTML entities (&amp;, &#38;) in labels; keep "&" literal
    s = s.replace("&", "&amp;")
    return f'"{s}"'


# --------------------------------------------------------------------------- labels


def _shape_text(shape) -> str:
    return str(tuple(int(n) for n in shape))


def _tensor_label(t: Tensor, show_data: bool, show_grad: bool) -> str:
    lines = []
    if t.name:
        lines.append(str(t.name))
    lines.append(f"{_shape_text(t.shape)} {t.dtype}")
    if show_data:
        lines.append("data: " + _summary(t.data))
    g = t.__dict__.get("grad")  # read without the non-leaf warning
    if show_grad and (t.requires_grad or g is not None):
        if g is None:
            lines.append("grad: None")
        else:
            lines.append("grad: " + _summary(g.data if isinstance(g, Tensor) else g))
    return "\n".join(lines)


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
_INPUT_LETTERS = "ABCDEFGHIJKMNOPQRSTUVWX"  # no L: it is the loss in dL/d...
_OUTPUT_LETTERS = ("Y", "Z", "OUT", "OUT_")


def _formula_lines(fn, out: Tensor) -> list[str]:
    """The op's derivative text with ``{0}``, ``{1}``, ``{y}`` replaced by tensor names."""
    if not fn.formula:
        return []
    tensors = [*fn.parents, out]
    taken = {str(t.name) for t in tensors if t.name}
    names: dict = {}
    inputs = iter(c for c in _INPUT_LETTERS if c not in taken)
    for t in fn.parents:
        if t not in names:
            names[t] = str(t.name) if t.name else next(inputs, "?")
    if out not in names:
        names[out] = (
            str(out.name)
            if out.name
            else next(
                (c for c in _OUTPUT_LETTERS if c not in taken and c not in names.values()), "?"
            )
        )

    def fill(m: re.Match) -> str:
        key = m.group(1)
        if key == "y":
            return names[out]
        i = int(key)
        return names[fn.parents[i]] if i < len(fn.parents) else m.group()

    text = _PLACEHOLDER.sub(fill, fn.formula)
    return [part.strip() for part in text.split(";") if part.strip()]


def _box_label(region: _Region) -> str:
    kinds: list[str] = []
    for fn in region.ops:
        if fn.name not in kinds:
            kinds.append(fn.name)
    n = len(region.ops)
    shown = ", ".join(kinds[:4]) + (", …" if len(kinds) > 4 else "")
    return f"{region.label}\n{n} op{'s' if n != 1 else ''}: {shown}"
