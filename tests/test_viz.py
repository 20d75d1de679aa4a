"""Graph drawing: DOT text (no Graphviz needed) and real rendering with the `dot` program."""

from __future__ import annotations

import re
import shutil
import weakref
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest

import minigrad as mg
from minigrad import Function, Tensor, viz
from minigrad.viz._graph import _STYLES

# --------------------------------------------------------------------------- helpers

_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s\]]+)')
_NODE = re.compile(r"^\t(\w+) \[(.*)\]$", re.M)
_DEFAULTS = ("graph", "node", "edge", "legend")
_EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[.*\])?$", re.M)
_LEGEND_CELL = re.compile(r"<TD ([^>]*)>([^<]*)</TD>")
_LEGEND_TEXT = {text: key for key, (text, _) in _STYLES.items()}


def _unquote(v: str) -> str:
    if not v.startswith('"'):
        return v
    escapes = {"n": "\n", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), v[1:-1])


def _attrs(text: str) -> dict:
    return {k: _unquote(v) for k, v in _ATTR.findall(text)}


class Parsed:
    """The nodes, edges and legend of a DOT text written by to_dot."""

    def __init__(self, text: str):
        self.text = text
        self.defaults = {i: _attrs(a) for i, a in _NODE.findall(text) if i in _DEFAULTS}
        self.nodes = {i: _attrs(a) for i, a in _NODE.findall(text) if i not in _DEFAULTS}
        self.legend = {}  # style key -> the legend cell's attributes
        (legend_line,) = re.findall(r"^\tlegend \[.*$", text, re.M) or [""]
        for attrs, label in _LEGEND_CELL.findall(legend_line):
            if label in _LEGEND_TEXT:
                cell = _attrs(attrs.lower())
                cell["fillcolor"] = cell.pop("bgcolor", None)
                self.legend[_LEGEND_TEXT[label]] = cell
        self.edges = _EDGE.findall(text)

    def label(self, node_id: str) -> str:
        return self.nodes[node_id]["label"]

    def ids(self, first_line: str) -> list[str]:
        return [i for i, a in self.nodes.items() if a["label"].split("\n")[0] == first_line]

    def id(self, first_line: str) -> str:
        (found,) = self.ids(first_line)
        return found

    def op_between(self, op: str, inputs: list[str], output: str) -> str:
        """The op node named ``op`` with edges from every node in ``inputs`` to it, and
        from it to ``output`` (all given by id)."""
        for o in self.ids(op):
            if all((i, o) in self.edges for i in inputs) and (o, output) in self.edges:
                return o
        raise AssertionError(f"no {op} node from {inputs} to {output} in\n{self.text}")

    def legend_style(self, key: str) -> dict:
        return self.legend[key]


def named(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def linear_regression(seed: int = 0):
    rng = np.random.RandomState(seed)
    X = Tensor(rng.randn(23, 13), name="X")
    Y = Tensor(rng.randn(23, 1), name="Y")
    W = Tensor(rng.randn(13, 1), requires_grad=True, name="W")
    B = Tensor(rng.randn(1), requires_grad=True, name="B")
    N = named(mg.matmul(X, W), "N")
    P = named(mg.add_bias(N, B), "P")
    L = named(mg.mse(P, Y, reduction="sum"), "L")
    return {"X": X, "Y": Y, "W": W, "B": B, "N": N, "P": P, "L": L}


def network(seed: int = 0):
    rng = np.random.RandomState(seed)
    t = {
        "X": Tensor(rng.randn(23, 13), name="X"),
        "Y": Tensor(rng.randn(23, 1), name="Y"),
        "W1": Tensor(rng.randn(13, 13), requires_grad=True, name="W1"),
        "B1": Tensor(rng.randn(13), requires_grad=True, name="B1"),
        "W2": Tensor(rng.randn(13, 1), requires_grad=True, name="W2"),
        "B2": Tensor(rng.randn(1), requires_grad=True, name="B2"),
    }
    t["M1"] = named(mg.matmul(t["X"], t["W1"]), "M1")
    t["N1"] = named(mg.add_bias(t["M1"], t["B1"]), "N1")
    t["O1"] = named(mg.sigmoid(t["N1"]), "O1")
    t["M2"] = named(mg.matmul(t["O1"], t["W2"]), "M2")
    t["P"] = named(mg.add_bias(t["M2"], t["B2"]), "P")
    t["L"] = named(mg.mse(t["P"], t["Y"]), "L")
    return t


def svg_texts(svg) -> list[str]:
    root = ET.fromstring(svg)
    return [el.text for el in root.iter("{http://www.w3.org/2000/svg}text") if el.text]


# --------------------------------------------------------------------------- structure


def test_linear_regression_nodes_edges_and_labels():
    t = linear_regression()
    g = Parsed(viz.to_dot(t["L"]))
    ids = {name: g.id(name) for name in "XWBYNPL"}
    g.op_between("matmul", [ids["X"], ids["W"]], ids["N"])
    g.op_between("add_bias", [ids["N"], ids["B"]], ids["P"])
    g.op_between("mse (sum)", [ids["P"], ids["Y"]], ids["L"])
    assert len(g.nodes) == 10 and len(g.edges) == 9
    assert g.label(ids["X"]) == "X\n(23, 13) float64"
    assert g.label(ids["B"]) == "B\n(1,) float64"
    assert g.label(ids["L"]) == "L\n() float64"
    ops = [g.label(i) for i in g.nodes if i.startswith("op")]
    assert ops == ["matmul", "add_bias", "mse (sum)"]  # what the loss computes


def test_network_graph():
    t = network()
    g = Parsed(viz.to_dot(t["L"]))
    i = {name: g.id(name) for name in t}
    g.op_between("matmul", [i["X"], i["W1"]], i["M1"])
    g.op_between("add_bias", [i["M1"], i["B1"]], i["N1"])
    g.op_between("sigmoid", [i["N1"]], i["O1"])
    g.op_between("matmul", [i["O1"], i["W2"]], i["M2"])
    g.op_between("add_bias", [i["M2"], i["B2"]], i["P"])
    g.op_between("mse (mean)", [i["P"], i["Y"]], i["L"])
    assert len(g.nodes) == 12 + 6
    assert g.label(i["W1"]) == "W1\n(13, 13) float64"
    assert g.label(i["O1"]) == "O1\n(23, 13) float64"


def test_kinds_are_coloured_as_the_legend_says():
    t = network()
    g = Parsed(viz.to_dot(t["L"]))
    fill = {name: g.nodes[g.id(name)]["fillcolor"] for name in t}
    for name, kind in [("W1", "parameter"), ("B2", "parameter"), ("X", "input"),
                       ("Y", "input"), ("M1", "intermediate"), ("P", "intermediate"),
                       ("L", "output")]:  # fmt: skip
        assert fill[name] == g.legend_style(kind)["fillcolor"], name
    assert len({fill["W1"], fill["X"], fill["M1"], fill["L"]}) == 4
    for op in g.ids("matmul") + g.ids("sigmoid"):
        assert g.nodes[op]["shape"] == _STYLES["op"][1]["shape"] == "ellipse"
        assert g.nodes[op]["fillcolor"] == g.legend_style("op")["fillcolor"]


def test_saved_arrays_are_marked_until_backward_frees_them():
    t = network()
    g = Parsed(viz.to_dot(t["L"]))
    mark = g.legend_style("saved")
    saved = {n for n in t if g.nodes[g.id(n)].get("color") == mark["color"]}
    # matmul keeps what the other input's gradient needs (X for dL/dW1, but not W1,
    # since X needs no gradient), sigmoid its own output, mse both inputs
    assert saved == {"X", "O1", "W2", "P", "Y"}
    assert all(g.nodes[g.id(n)]["peripheries"] == "2" for n in saved)
    assert "freed" not in g.legend

    t["L"].backward(retain_graph=True)
    assert Parsed(viz.to_dot(t["L"])).text == g.text

    t["L"].backward()
    after = Parsed(viz.to_dot(t["L"]))
    assert not any("color" in a for a in after.nodes.values())
    assert "saved" not in after.legend and "op" not in after.legend
    assert "dashed" in after.legend_style("freed")["style"]
    freed = _STYLES["freed"][1]["style"]
    assert "dashed" in freed
    assert all(after.nodes[i]["style"] == freed for i in after.nodes if "op" in i)
    # the structure survives the freeing
    assert after.edges == g.edges


def test_legend_lists_only_what_is_used():
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    g = Parsed(viz.to_dot(x))
    assert list(g.legend) == ["output"]
    assert g.label("t0") == "x\n(3,) float64"
    assert g.edges == []


def test_a_tensor_used_twice_gets_two_edges():
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    y = x * x
    g = Parsed(viz.to_dot(y))
    mul = g.id("mul")
    assert g.edges.count((g.id("x"), mul)) == 2
    assert (mul, "t1") in g.edges and g.label("t1") == "(2,) float64"  # unnamed output


def test_leaves_without_grad_are_inputs():
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    g = Parsed(viz.to_dot(x * Tensor(2.0), show_data=True))
    const = g.nodes["t1"]
    assert const["label"] == "() float64\ndata: 2"
    assert const["fillcolor"] == g.legend_style("input")["fillcolor"]
    assert (g.id("x"), "op0") in g.edges and ("t1", "op0") in g.edges


# --------------------------------------------------------------------------- values, gradients


def test_show_grad_after_backward_summarises_gradients():
    t = linear_regression()
    t["P"].retain_grad()
    before = Parsed(viz.to_dot(t["L"], show_grad=True))
    assert before.label(before.id("W")).endswith("\ngrad: none yet (no backward)")
    assert before.label(before.id("P")).endswith("\ngrad: none yet (no backward)")
    assert before.label(before.id("N")).endswith("\ngrad: not kept (retain_grad() keeps it)")
    assert before.label(before.id("L")).endswith("\ngrad: 1 when backward runs (seed)")
    assert "grad" not in before.label(before.id("X"))  # no grad for constants

    t["L"].backward()
    g = Parsed(viz.to_dot(t["L"], show_grad=True))
    w, b, p = t["W"].grad.data, t["B"].grad.data, t["P"].grad.data
    assert g.label(g.id("W")) == (
        f"W\n(13, 1) float64\ngrad: min {w.min():.4g}, mean {w.mean():.4g}, max {w.max():.4g}"
    )
    assert g.label(g.id("B")) == f"B\n(1,) float64\ngrad: [{b[0]:.4g}]"
    assert g.label(g.id("P")).endswith(
        f"grad: min {p.min():.4g}, mean {p.mean():.4g}, max {p.max():.4g}"
    )
    # never a bare "None": an intermediate says how to keep its gradient, the loss
    # shows its seed
    assert g.label(g.id("N")).endswith("grad: not kept (retain_grad() keeps it)")
    assert g.label(g.id("L")).endswith("grad: 1 (the seed)")
    assert "None" not in g.text
    assert "grad" not in g.label(g.id("Y"))
    assert "grad" not in Parsed(viz.to_dot(t["L"])).label(g.id("W"))


def test_show_data_writes_small_arrays_in_full():
    s = Tensor(np.array([[1.0, 2.5], [-3.0, 1e-5]]), requires_grad=True, name="S")
    total = named(mg.sum(s * 2.0), "total")
    g = Parsed(viz.to_dot(total, show_data=True))
    assert g.label(g.id("S")) == "S\n(2, 2) float64\ndata: [[1, 2.5], [-3, 1e-05]]"
    assert g.label(g.id("total")) == "total\n() float64\ndata: 1"  # 0-d: the bare value
    assert "data" not in Parsed(viz.to_dot(total)).label(g.id("S"))


@pytest.mark.parametrize(
    ("array", "text"),
    [
        (np.array([1, 2, 3]), "(3,) int64\ndata: [1, 2, 3]"),
        (np.array([True, False]), "(2,) bool\ndata: [True, False]"),
        (np.ones((1, 1, 2), np.float32), "(1, 1, 2) float32\ndata: [[[1, 1]]]"),
        (np.arange(8.0).reshape(2, 4), "(2, 4) float64\ndata: min 0, mean 3.5, max 7"),
        (np.array([123456.0, 1e-7, 0.5]), "(3,) float64\ndata: [1.235e+05, 1e-07, 0.5]"),
        (np.zeros((0, 3)), "(0, 3) float64\ndata: empty (0, 3)"),
        # inf and nan must not trip the numpy error settings the tests run under
        (np.array([np.inf, -np.inf, 1, 2, 3, 4, 5]),
         "(7,) float64\ndata: min -inf, mean nan, max inf"),
    ],
)  # fmt: skip
def test_value_summaries(array, text):
    assert Parsed(viz.to_dot(Tensor(array), show_data=True)).label("t0") == text


# --------------------------------------------------------------------------- formulas


def test_formulas_are_filled_with_tensor_names():
    t = linear_regression()
    g = Parsed(viz.to_dot(t["L"], show_formulas=True))
    assert g.label(g.id("matmul")) == "matmul\nN = X·W\ndL/dX = dL/dN·Wᵀ\ndL/dW = Xᵀ·dL/dN"
    assert g.label(g.id("add_bias")) == (
        "add_bias\nP = N + B\ndL/dN = dL/dP\ndL/dB = Σ_rows dL/dP"
    )
    assert g.label(g.id("mse (sum)")) == (
        "mse (sum)\nL = Σ(P − Y)²\ndL/dP = 2(P − Y)\ndL/dY = −2(P − Y)"
    )
    assert "dL/d" not in viz.to_dot(t["L"])


def test_formulas_use_letters_for_unnamed_tensors():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((2, 2)), requires_grad=True)
    g = Parsed(viz.to_dot(mg.matmul(a, b), show_formulas=True))
    assert g.label("op0") == "matmul\nC = A·B\ndL/dA = dL/dC·Bᵀ\ndL/dB = Aᵀ·dL/dC"
    # the stand-in letters are written in the unnamed tensors' boxes
    assert [g.label(f"t{k}").split("\n")[0] for k in range(3)] == [
        "A (unnamed)", "B (unnamed)", "C (unnamed)"
    ]
    assert "unnamed" not in viz.to_dot(mg.matmul(a, b))  # only with formulas
    # a letter already used as a name is not reused for another tensor
    b.name = "A"
    g = Parsed(viz.to_dot(mg.matmul(a, b), show_formulas=True))
    assert g.label("op0") == "matmul\nC = B·A\ndL/dB = dL/dC·Aᵀ\ndL/dA = Bᵀ·dL/dC"
    # the same tensor twice gets one letter
    g = Parsed(viz.to_dot(named(a * a, "Y"), show_formulas=True))
    assert g.label("op0") == "mul\nY = A ⊙ A\ndL/dA = dL/dY ⊙ A\ndL/dA = dL/dY ⊙ A"


def test_stand_in_letters_are_never_names_of_the_graph():
    """With X, Y, W and B named, matmul's unnamed output must not read as Y (the target)."""
    rng = np.random.RandomState(0)
    X = Tensor(rng.randn(4, 3), name="X")
    Y = Tensor(rng.randn(4, 1), name="Y")
    W = Tensor(rng.randn(3, 1), requires_grad=True, name="W")
    B = Tensor(rng.randn(1), requires_grad=True, name="B")
    L = mg.mse(mg.add_bias(mg.matmul(X, W), B), Y, reduction="sum")
    g = Parsed(viz.to_dot(L, show_formulas=True))
    matmul = g.label(g.id("matmul"))
    assert matmul == "matmul\nA = X·W\ndL/dX = dL/dA·Wᵀ\ndL/dW = Xᵀ·dL/dA"
    letters = set()
    for node_id in g.nodes:
        first = g.label(node_id).split("\n")[0]
        if first.endswith(" (unnamed)"):
            letters.add(first.split()[0])
    assert letters == {"A", "C", "D"}  # B is taken by the bias, L is the loss's letter
    assert not letters & {"X", "Y", "W", "B"}


def test_formulas_with_stray_braces_are_left_alone():
    class Odd(Function):
        name = "odd"
        formula = "dL/d{0} = {k}·dL/d{y}{2};  {"

        def forward(self, x):
            return x * 2

        def backward(self, g):
            return g * 2

    x = Tensor(np.ones(2), requires_grad=True, name="x")
    g = Parsed(viz.to_dot(named(Odd.apply(x), "z"), show_formulas=True))
    assert g.label("op0") == "odd\ndL/dx = {k}·dL/dz{2}\n{"


# --------------------------------------------------------------------------- determinism, size


def test_same_graph_gives_identical_text():
    options = {"show_data": True, "show_grad": True, "show_formulas": True}
    first, second = network(seed=3), network(seed=3)
    assert viz.to_dot(first["L"], **options) == viz.to_dot(second["L"], **options)
    assert viz.to_dot(first["L"]) == viz.to_dot(first["L"])
    # ids come from counters in drawing order, nothing from memory addresses
    g = Parsed(viz.to_dot(first["L"]))
    tensor_ids = [i for i in g.nodes if i.startswith("t")]
    op_ids = [i for i in g.nodes if i.startswith("op")]
    assert tensor_ids == [f"t{k}" for k in range(12)]
    assert op_ids == [f"op{k}" for k in range(6)]
    assert set(g.nodes) == set(tensor_ids) | set(op_ids)


GOLDEN = r"""digraph minigrad {
	graph [rankdir=LR]
	node [fontname=Helvetica fontsize=10]
	edge [arrowsize=0.7]
	t0 [label="X\n(23, 13) float64" color="#cb181d" fillcolor="#deebf7" peripheries=2 shape=box style="rounded,filled"]
	t1 [label="W\n(13, 1) float64" fillcolor="#c7e9c0" shape=box style="rounded,filled"]
	op0 [label=matmul fillcolor="#fff5b1" shape=ellipse style=filled]
	t2 [label="N\n(23, 1) float64" fillcolor="#ffffff" shape=box style="rounded,filled"]
	t3 [label="B\n(1,) float64" fillcolor="#c7e9c0" shape=box style="rounded,filled"]
	op1 [label=add_bias fillcolor="#fff5b1" shape=ellipse style=filled]
	t4 [label="P\n(23, 1) float64" color="#cb181d" fillcolor="#ffffff" peripheries=2 shape=box style="rounded,filled"]
	t5 [label="Y\n(23, 1) float64" color="#cb181d" fillcolor="#deebf7" peripheries=2 shape=box style="rounded,filled"]
	op2 [label="mse (sum)" fillcolor="#fff5b1" shape=ellipse style=filled]
	t6 [label="L\n() float64" fillcolor="#fdd0a2" shape=box style="rounded,filled"]
	t0 -> op0
	t1 -> op0
	op0 -> t2
	t2 -> op1
	t3 -> op1
	op1 -> t4
	t4 -> op2
	t5 -> op2
	op2 -> t6
	legend [label=<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="2"><TR><TD BORDER="0" COLSPAN="5" ALIGN="LEFT"><I>legend</I></TD></TR><TR><TD BGCOLOR="#c7e9c0">parameter</TD><TD BGCOLOR="#deebf7">input / constant</TD><TD BGCOLOR="#ffffff">intermediate</TD><TD BGCOLOR="#fdd0a2">output</TD><TD BGCOLOR="#ffffff" COLOR="#cb181d" BORDER="2">saved for backward</TD></TR><TR><TD BGCOLOR="#fff5b1">op</TD></TR></TABLE>> fontsize=9 shape=plaintext]
}
"""  # noqa: E501


def test_golden_linear_regression():
    assert viz.to_dot(linear_regression()["L"]) == GOLDEN


def test_rankdir():
    L = linear_regression()["L"]
    assert "\tgraph [rankdir=TB ranksep=0.3]\n" in viz.to_dot(L, rankdir="TB")
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT"):
        viz.to_dot(L, rankdir="sideways")


def chain(n: int) -> Tensor:
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    for _ in range(n):
        x = mg.neg(x)
    return x


def test_max_nodes_refuses_an_unreadable_picture():
    y = chain(10)  # 11 tensors + 10 ops
    assert len(Parsed(viz.to_dot(y, max_nodes=21)).nodes) == 21
    with pytest.raises(ValueError) as info:
        viz.to_dot(y, max_nodes=20)
    message = str(info.value)
    assert "more than max_nodes=20 nodes (the walk stopped after meeting 21: 11 tensors, " \
        "10 ops)" in message
    assert "collapse=" in message
    with pytest.raises(ValueError, match="more than max_nodes=200 nodes"):
        viz.to_dot(chain(100))  # the default limit is 200
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.to_dot(y, max_nodes=0)


def test_deep_graphs_need_no_recursion():
    import sys

    depth = 3 * sys.getrecursionlimit()
    g = Parsed(viz.to_dot(chain(depth), max_nodes=None))
    assert len(g.nodes) == 2 * depth + 1
    assert g.edges[:2] == [("t0", "op0"), ("op0", "t1")]


# --------------------------------------------------------------------------- escaping


ODD_NAMES = ['say "hi"', "back\\slash", "two\nlines", "trail\\", "<b>&amp;</b>", "{0} ∂L"]


def test_odd_names_are_escaped():
    x = Tensor(np.ones(2), requires_grad=True, name=ODD_NAMES[0])
    for name in ODD_NAMES[1:]:
        x = named(mg.neg(x), name)
    text = viz.to_dot(x)
    assert '[label="say \\"hi\\"\\n(2,) float64"' in text
    assert '[label="back\\\\slash\\n(2,) float64"' in text
    assert '[label="two\\nlines\\n(2,) float64"' in text
    assert '[label="<b>&amp;amp;</b>\\n(2,) float64"' in text
    assert '[label="trail\\\\\\n(2,) float64"' in text
    g = Parsed(text.replace("&amp;", "&"))
    assert [g.label(f"t{k}").rsplit("\n", 1)[0] for k in range(len(ODD_NAMES))] == ODD_NAMES
    assert all("\n" not in line[:-1] for line in text.splitlines(keepends=True))


def test_control_characters_and_keywords():
    class Graph(Function):  # an op whose name is a DOT keyword
        name = "graph"

        def forward(self, x):
            return x + 0

        def backward(self, g):
            return g

    x = Tensor(np.ones(2), requires_grad=True, name="tab\there\x07\r\nend")
    text = viz.to_dot(Graph.apply(x))
    assert 'op0 [label="graph"' in text
    assert '[label="tab here\\\\x07\\nend\\n(2,) float64"' in text


# --------------------------------------------------------------------------- collapse


class StandIn:
    """The module contract viz relies on: named_children() and _last_call."""

    def __init__(self):
        self.children = {}

    def named_children(self):
        yield from self.children.items()

    def __call__(self, *inputs):
        out = self.forward(*inputs)
        self._last_call = (
            weakref.ref(out),
            tuple(weakref.ref(x) for x in inputs if isinstance(x, Tensor)),
        )
        return out


class Linear(StandIn):
    def __init__(self, w, b):
        super().__init__()
        self.w, self.b = w, b

    def forward(self, x):
        self.pre = mg.matmul(x, self.w)
        return mg.add_bias(self.pre, self.b)


class Sigmoid(StandIn):
    def forward(self, x):
        return mg.sigmoid(x)


class Sequential(StandIn):
    def __init__(self, *layers):
        super().__init__()
        self.children = {str(i): layer for i, layer in enumerate(layers)}

    def forward(self, x):
        for layer in self.children.values():
            x = layer(x)
        return x


def model_graph(seed: int = 0):
    t = network(seed)
    model = Sequential(Linear(t["W1"], t["B1"]), Sigmoid(), Linear(t["W2"], t["B2"]))
    P = named(model(t["X"]), "P")
    L = named(mg.mse(P, t["Y"]), "L")
    return model, {**t, "P": P, "L": L}


def test_collapse_draws_each_child_as_one_box():
    model, t = model_graph()
    g = Parsed(viz.to_dot(t["L"], collapse=model))
    boxes = [i for i in g.nodes if i.startswith("m")]
    assert [g.label(b) for b in boxes] == [
        "0: Linear\n2 ops: matmul, add_bias",
        "1: Sigmoid\n1 op: sigmoid",
        "2: Linear\n2 ops: matmul, add_bias",
    ]
    assert all(g.nodes[b]["fillcolor"] == g.legend_style("module")["fillcolor"] for b in boxes)
    assert [g.label(i) for i in g.nodes if i.startswith("op")] == ["mse (mean)"]
    # the matmul results inside the Linear boxes are hidden; the boxes' outputs are not
    h1, o1 = (i for i in g.nodes if g.label(i) == "(23, 13) float64")
    m0, m1, m2 = boxes
    i = {name: g.id(name) for name in ("X", "W1", "B1", "W2", "B2", "P", "Y", "L")}
    assert sorted(g.edges) == sorted([
        (i["X"], m0), (i["W1"], m0), (i["B1"], m0), (m0, h1),
        (h1, m1), (m1, o1),
        (o1, m2), (i["W2"], m2), (i["B2"], m2), (m2, i["P"]),
        (i["P"], "op0"), (i["Y"], "op0"), ("op0", i["L"]),
    ])  # fmt: skip
    assert len(g.nodes) == 10 + 1 + 3


def test_collapse_makes_a_large_graph_fit():
    model, t = model_graph()
    with pytest.raises(ValueError, match="more than max_nodes=15"):
        viz.to_dot(t["L"], max_nodes=15)
    with pytest.raises(ValueError, match=r"has 14 nodes \(10 tensors, 1 ops, 3 modules\)"):
        viz.to_dot(t["L"], max_nodes=13, collapse=model)
    assert len(Parsed(viz.to_dot(t["L"], max_nodes=15, collapse=model)).nodes) == 14


def test_collapse_keeps_tensors_used_outside_the_module():
    model, t = model_graph()
    first = model.children["0"]
    L = mg.add(t["L"], mg.sum(first.pre))  # a tensor from inside the first Linear
    g = Parsed(viz.to_dot(L, collapse=model))
    (pre,) = [src for src, dst in g.edges if dst == g.id("sum")]
    assert g.label(pre) == "(23, 13) float64"
    assert ("m0", pre) in g.edges and (pre, "m0") not in g.edges
    # 14 nodes as collapsed before, plus pre, sum, its result, add and its result
    assert len(g.nodes) == 14 + 5


def test_collapse_skips_children_whose_last_call_is_elsewhere():
    model, t = model_graph()
    plain = viz.to_dot(t["L"])
    model(Tensor(np.zeros((2, 13))))  # a new call, its output dropped at once
    with pytest.warns(UserWarning, match="nothing is collapsed"):
        assert viz.to_dot(t["L"], collapse=model) == plain
    kept = model(Tensor(np.zeros((2, 13))))  # alive, but not part of this graph
    with pytest.warns(UserWarning, match="no module of the Sequential"):
        assert viz.to_dot(t["L"], collapse=model) == plain
    assert "0: Linear" in viz.to_dot(kept, collapse=model)


def test_collapse_a_model_without_children():
    t = network()
    layer = Linear(t["W2"], t["B2"])
    P = named(layer(named(mg.sigmoid(t["W1"]), "H")), "P")
    g = Parsed(viz.to_dot(P, collapse=layer))
    (box,) = (i for i in g.nodes if i.startswith("m"))
    assert g.label(box) == "Linear\n2 ops: matmul, add_bias"
    assert [g.label(i) for i in g.nodes if i.startswith("op")] == ["sigmoid"]


def test_collapse_needs_a_module():
    with pytest.raises(TypeError, match="named_children"):
        viz.to_dot(linear_regression()["L"], collapse=[1, 2])


def test_bad_arguments():
    with pytest.raises(TypeError, match="expected a minigrad Tensor"):
        viz.to_dot(np.ones(3))
    with pytest.raises(TypeError, match="unexpected option"):
        viz.draw(linear_regression()["L"], colour=True)


# --------------------------------------------------------------------------- rendering


def test_dot_program_is_installed():
    # CI installs Graphviz; a missing `dot` must fail here rather than skip the tests below
    assert shutil.which("dot"), "the Graphviz 'dot' program is needed (apt-get install graphviz)"


def test_draw_returns_a_digraph_with_the_same_text():
    t = linear_regression()
    graph = viz.draw(t["L"], show_formulas=True)
    assert isinstance(graph, graphviz.Digraph)
    assert graph.source == viz.to_dot(t["L"], show_formulas=True)
    assert graph.format == "svg"


def test_render_svg_contains_the_labels():
    t = network()
    t["L"].backward()
    svg = viz.draw(t["L"], show_grad=True, show_formulas=True).pipe(encoding="utf-8")
    texts = svg_texts(svg)
    for label in ("X", "W1", "O1", "matmul", "add_bias", "sigmoid", "mse (mean)",
                  "(13, 13) float64", "dL/dW1 = Xᵀ·dL/dM1", "legend"):  # fmt: skip
        assert label in texts, label
    assert any(s.startswith("grad: min ") for s in texts)


def test_notebook_display():
    bundle = viz.draw(linear_regression()["L"])._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml"}
    assert "matmul" in svg_texts(bundle["image/svg+xml"])


def test_save(tmp_path):
    model, t = model_graph()
    path = viz.save(t["L"], tmp_path / "graph.svg", collapse=model)
    assert path == tmp_path / "graph.svg"
    texts = svg_texts(path.read_bytes())
    assert "0: Linear" in texts and "1: Sigmoid" in texts
    assert list(tmp_path.iterdir()) == [path]  # no DOT source left beside it
    png = viz.save(t["L"], str(tmp_path / "graph.png"), format="png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_odd_names_render():
    x = Tensor(np.ones(2), requires_grad=True, name=ODD_NAMES[0])
    for name in ODD_NAMES[1:]:
        x = named(mg.neg(x), name)
    texts = svg_texts(viz.draw(x).pipe())
    for name in ODD_NAMES:
        for line in name.split("\n"):
            assert line in texts, line


def test_without_dot_rendering_says_what_to_install(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    L = linear_regression()["L"]
    assert viz.to_dot(L) == GOLDEN
    graph = viz.draw(L)
    calls = [
        graph.pipe,
        lambda: graph.render(outfile=tmp_path / "g.svg"),
        graph._repr_mimebundle_,
        lambda: viz.save(L, tmp_path / "g.svg"),
    ]
    for call in calls:
        with pytest.raises(viz.GraphvizNotFoundError) as info:
            call()
        error = info.value
        assert isinstance(error, RuntimeError)
        assert isinstance(error, graphviz.ExecutableNotFound)
        assert "apt-get install graphviz" in str(error) and "'dot'" in str(error)
        assert error.__cause__ is None and error.__suppress_context__


# --------------------------------------------------------------------------- size, bounded


def test_max_nodes_refuses_a_huge_graph_after_a_bounded_walk(monkeypatch):
    """A 20,000-op chain with max_nodes=200 is refused after meeting 201 nodes, not
    after walking (and allocating for) the whole graph."""
    import tracemalloc

    from minigrad.viz import _graph

    y = chain(20_000)
    walks = []

    class CountingWalk(_graph._Walk):
        def __init__(self, root, limit=None):
            walks.append(self)
            super().__init__(root, limit)

    monkeypatch.setattr(_graph, "_Walk", CountingWalk)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="more than max_nodes=200 nodes"):
            viz.to_dot(y, max_nodes=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (walk,) = walks
    assert walk.visited == 201
    assert len(walk.order) == 0  # nothing was laid out
    # a full walk of this chain holds 40,001 entries; the bounded one a few hundred
    assert peak < 200_000, peak
    walks.clear()
    assert len(Parsed(viz.to_dot(chain(50), max_nodes=101)).nodes) == 101
    assert walks[0].visited == 101


# ---------------------------------------------------------------- numbers, legend, layout


def test_numbers_an_op_uses_are_drawn():
    """The 0.5 of the book's 0.5 * Σ(Y − P)² is a node feeding the mul, with its value."""
    t = linear_regression()
    half = named(0.5 * t["L"], "J")
    g = Parsed(viz.to_dot(half, show_formulas=True))
    mul = g.id("mul")
    inputs = [src for src, dst in g.edges if dst == mul]
    assert len(inputs) == 2
    const = next(i for i in inputs if i.startswith("c"))
    assert g.label(const) == "0.5" and g.nodes[const]["shape"] == "plaintext"
    assert g.label(mul) == "mul\nJ = 0.5·L\ndL/dL = 0.5·dL/dJ"
    assert "constant" in g.legend
    # an exponent and a subtracted number too
    x = Tensor(np.ones(2), requires_grad=True, name="x")
    g = Parsed(viz.to_dot(named((x - 3.0) ** 2, "z"), show_formulas=True))
    assert sorted(g.label(i) for i in g.nodes if i.startswith("c")) == ["-3", "2"]  # x + (−3)
    assert "A = x − 3" in g.label(g.id("add"))
    assert g.label(g.id("pow")).split("\n")[1:] == ["z = A^2", "dL/dA = dL/dz ⊙ 2·A^1"]
    g = Parsed(viz.to_dot(named(x ** 0.5, "r"), show_formulas=True))
    assert g.label(g.id("pow")).split("\n")[-1] == "dL/dx = dL/dr ⊙ 0.5·x^-0.5"


def test_op_labels_say_what_they_compute():
    x = Tensor(np.ones((2, 3)), requires_grad=True, name="x")
    y = Tensor(np.zeros((2, 3)), name="y")
    g = Parsed(viz.to_dot(mg.mse(x, y, reduction="sum") + mg.sum(x, axis=1).sum()
                          + mg.mse(x, y)))
    titles = [g.label(i) for i in g.nodes if i.startswith("op")]
    assert "mse (sum)" in titles and "mse (mean)" in titles and "sum (axis=1)" in titles


def test_legend_can_be_left_out_and_is_one_compact_node():
    L = network()["L"]
    with_legend = Parsed(viz.to_dot(L))
    assert with_legend.text.count("legend") == 2  # one node, its label's title
    assert "cluster" not in with_legend.text
    without = Parsed(viz.to_dot(L, legend=False))
    assert without.legend == {} and "legend" not in without.text
    assert without.nodes == with_legend.nodes and without.edges == with_legend.edges
    with pytest.raises(TypeError, match="legend must be True or False"):
        viz.to_dot(L, legend="no")


def test_long_graphs_are_drawn_top_to_bottom():
    """Left to right only while the picture would fit a screen's width."""
    assert "rankdir=LR" in viz.to_dot(linear_regression()["L"])  # 7 ranks, short labels
    assert "rankdir=TB" in viz.to_dot(linear_regression()["L"], show_formulas=True)
    assert "rankdir=TB" in viz.to_dot(network()["L"])  # 13 ranks
    assert "rankdir=LR" in viz.to_dot(network()["L"], rankdir="LR")
    assert "rankdir=TB" in viz.to_dot(chain(3), rankdir="TB")


def test_the_dot_text_is_the_digraphs_source():
    t = network()
    graph = viz.draw(t["L"], show_formulas=True, show_grad=True)
    assert isinstance(graph, viz.ComputationGraph)
    assert graph.source == viz.to_dot(t["L"], show_formulas=True, show_grad=True)
    # the graphviz package wrote it: its line format, and a body of node/edge statements
    assert graph.body and all(line.startswith("\t") for line in graph.body)
    assert viz.to_dot(t["L"]) == viz.to_dot(t["L"])


def test_network_picture_fits_a_screen():
    """Rendered by dot, the book network with gradients is no wider than a screen."""
    t = network()
    t["L"].backward()
    svg = viz.draw(t["L"], show_grad=True).pipe(encoding="utf-8")
    root = ET.fromstring(svg)
    width = float(root.get("width").removesuffix("pt"))
    height = float(root.get("height").removesuffix("pt"))
    assert width < 900 and height < 1100, (width, height)
    assert "legend" in svg_texts(svg)


# ---------------------------------------------------------------- graphs that check themselves


class TimesTwoWrong(Function):
    """2x with a backward that forgets the 2: what a user's slip looks like."""

    name = "times_two"
    formula = "dL/d{0} = 2·dL/d{y}"

    def forward(self, x):
        return 2 * x

    def backward(self, g):
        return g


def test_check_colours_every_op_and_a_wrong_backward_stands_out():
    t = network()
    bad = named(TimesTwoWrong.apply(t["O1"]), "O2")
    M2 = named(mg.matmul(bad, t["W2"]), "M2")
    L = named(mg.mse(mg.add_bias(M2, t["B2"]), t["Y"]), "L")
    before = viz.to_dot(L)
    saved = [fn.saved for fn in viz._graph._Walk(L).ops]
    g = Parsed(viz.to_dot(L, check=True))
    fills = {g.label(i).split("\n")[0]: g.nodes[i]["fillcolor"] for i in g.nodes
             if i.startswith("op")}
    red = _STYLES["check_fail"][1]["fillcolor"]
    green = _STYLES["check_pass"][1]["fillcolor"]
    assert fills.pop("times_two") == red
    assert set(fills.values()) == {green}, fills
    wrong = g.label(g.id("times_two"))
    error = float(re.search(r"rel\. error ([0-9.e+-]+)", wrong).group(1))
    assert "✗ grad check FAILED" in wrong and 0.4 < error <= 1.0  # off by a factor of 2
    for i in g.ids("matmul"):
        assert float(re.search(r"rel\. error ([0-9.e+-]+)", g.label(i)).group(1)) < 1e-6
    assert set(g.legend) >= {"check_pass", "check_fail"}
    # nothing of the graph changed: the same picture, the same saved arrays, no gradients
    assert viz.to_dot(L) == before
    assert all(a is b for a, b in zip(saved, [fn.saved for fn in viz._graph._Walk(L).ops]))
    assert all(p.grad is None for p in (t["W1"], t["B1"], t["W2"], t["B2"]))
    # and a backward pass still works as before
    L.backward()
    assert t["W1"].grad is not None


def test_check_works_after_backward_and_skips_what_it_cannot_check():
    class Once(Function):
        """Refuses to run a second time, as an op with outside state might."""

        calls = 0

        def forward(self, x):
            Once.calls += 1
            if Once.calls > 1:
                raise RuntimeError("already used")
            return x + 1

        def backward(self, g):
            return g

    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, name="x")
    y = named(mg.mul(x.astype(np.float32), 3.0), "y")
    L = named(mg.sum(Once.apply(x) + y), "L")
    L.backward()
    g = Parsed(viz.to_dot(L, check=True))
    assert "not checked: RuntimeError: already used" in g.label(g.id("once"))
    assert g.nodes[g.id("once")]["fillcolor"] == _STYLES["check_skip"][1]["fillcolor"]
    assert "not checked: output is float32" in g.label(g.id("astype float32"))
    assert g.nodes[g.id("sum")]["fillcolor"] == _STYLES["check_pass"][1]["fillcolor"]
    np.testing.assert_array_equal(x.grad.data, [4.0, 4.0, 4.0])  # untouched by the check


def test_check_of_a_large_input_uses_directions():
    rng = np.random.RandomState(1)
    A = Tensor(rng.randn(30, 20), requires_grad=True, name="A")  # 600 values
    L = named(mg.sum(mg.tanh(A)), "L")
    g = Parsed(viz.to_dot(L, check=True))
    assert "✓ grad check" in g.label(g.id("tanh"))


def test_a_graph_too_large_to_check_says_so():
    with pytest.raises(ValueError, match=r"too large to draw and gradient-check.*max_nodes"):
        viz.to_dot(chain(300), check=True)
    with pytest.raises(ValueError, match="max_nodes=10"):
        viz.save(chain(30), "never.svg", check=True, max_nodes=10)


def test_checked_picture_renders_in_red(tmp_path):
    t = network()
    L = named(mg.sum(TimesTwoWrong.apply(t["O1"])), "L")
    path = viz.save(L, tmp_path / "checked.svg", check=True)
    svg = path.read_text()
    assert _STYLES["check_fail"][1]["fillcolor"] in svg
    assert any("✗ grad check FAILED" in s for s in svg_texts(svg))


def test_the_fixes_render():
    """The book's network loss ½ Σ(P − Y)², drawn by dot: its constant, what the loss op
    computes, stand-in names, the seed and 'not kept' marks, and the legend on request."""
    t = network()
    L = named(0.5 * mg.mse(t["P"], t["Y"], reduction="sum"), "J")
    t["P"].retain_grad()
    L.backward()
    texts = svg_texts(viz.draw(L, show_formulas=True, show_grad=True).pipe())
    for text in ("0.5", "mse (sum)", "A = Σ(P − Y)²", "J = 0.5·A", "A (unnamed)",
                 "grad: 1 (the seed)", "grad: not kept (retain_grad() keeps it)", "legend",
                 "number fed to an op"):  # fmt: skip
        assert text in texts, text
    assert any(s.startswith("grad: min ") for s in texts)
    assert not any("None" in s for s in texts)
    plain = svg_texts(viz.draw(L, legend=False).pipe())
    assert "legend" not in plain and "parameter" not in plain and "mul" in plain


def test_saved_marks_follow_the_arrays_each_input_was_given():
    import minigrad as mg
    from minigrad.viz._graph import _saved_tensors, _Walk

    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    d = x.detach()
    d.name = "d"
    y = x * d  # the product saves each input's array for the other's gradient
    walk = _Walk(y, None)
    saved = _saved_tensors(walk)
    # only x needs a gradient, so only d's array (x's partner) is kept
    assert d in saved and x not in saved
