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

# --------------------------------------------------------------------------- helpers

_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s\]]+)')
_NODE = re.compile(r"^\t(\w+) \[(.*)\]$", re.M)
_LEGEND_NODE = re.compile(r"^\t\t(legend_\w+) \[(.*)\]$", re.M)
_DEFAULTS = ("graph", "node", "edge")
_EDGE = re.compile(r"^\t(\w+) -> (\w+)$", re.M)


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
        self.legend = {i: _attrs(a) for i, a in _LEGEND_NODE.findall(text)}
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
        return self.legend[f"legend_{key}"]


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
    g.op_between("mse", [ids["P"], ids["Y"]], ids["L"])
    assert len(g.nodes) == 10 and len(g.edges) == 9
    assert g.label(ids["X"]) == "X\n(23, 13) float64"
    assert g.label(ids["B"]) == "B\n(1,) float64"
    assert g.label(ids["L"]) == "L\n() float64"
    ops = [g.label(i) for i in g.nodes if i.startswith("op")]
    assert ops == ["matmul", "add_bias", "mse"]


def test_network_graph():
    t = network()
    g = Parsed(viz.to_dot(t["L"]))
    i = {name: g.id(name) for name in t}
    g.op_between("matmul", [i["X"], i["W1"]], i["M1"])
    g.op_between("add_bias", [i["M1"], i["B1"]], i["N1"])
    g.op_between("sigmoid", [i["N1"]], i["O1"])
    g.op_between("matmul", [i["O1"], i["W2"]], i["M2"])
    g.op_between("add_bias", [i["M2"], i["B2"]], i["P"])
    g.op_between("mse", [i["P"], i["Y"]], i["L"])
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
        assert g.nodes[op]["shape"] == g.legend_style("op")["shape"] == "ellipse"


def test_saved_arrays_are_marked_until_backward_frees_them():
    t = network()
    g = Parsed(viz.to_dot(t["L"]))
    mark = g.legend_style("saved")
    saved = {n for n in t if g.nodes[g.id(n)].get("color") == mark["color"]}
    # matmul keeps what the other input's gradient needs (X for dL/dW1, but not W1,
    # since X needs no gradient), sigmoid its own output, mse both inputs
    assert saved == {"X", "O1", "W2", "P", "Y"}
    assert all(g.nodes[g.id(n)]["peripheries"] == "2" for n in saved)
    assert "legend_freed" not in g.legend

    t["L"].backward(retain_graph=True)
    assert Parsed(viz.to_dot(t["L"])).text == g.text

    t["L"].backward()
    after = Parsed(viz.to_dot(t["L"]))
    assert not any("color" in a for a in after.nodes.values())
    assert "legend_saved" not in after.legend and "legend_op" not in after.legend
    freed = after.legend_style("freed")
    assert "dashed" in freed["style"]
    assert all(after.nodes[i]["style"] == freed["style"] for i in after.nodes if "op" in i)
    # the structure survives the freeing
    assert after.edges == g.edges


def test_legend_lists_only_what_is_used():
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    g = Parsed(viz.to_dot(x))
    assert list(g.legend) == ["legend_output"]
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
    assert before.label(before.id("W")).endswith("\ngrad: None")
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
    assert g.label(g.id("N")).endswith("grad: None")  # not retained
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
    assert g.label(g.id("matmul")) == "matmul\ndL/dX = dL/dN·Wᵀ\ndL/dW = Xᵀ·dL/dN"
    assert g.label(g.id("add_bias")) == "add_bias\ndL/dN = dL/dP\ndL/dB = Σ_rows dL/dP"
    assert g.label(g.id("mse")).startswith("mse\ndL/dP = 2(P − Y)")
    assert "dL/d" not in viz.to_dot(t["L"])


def test_formulas_use_letters_for_unnamed_tensors():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((2, 2)), requires_grad=True)
    g = Parsed(viz.to_dot(mg.matmul(a, b), show_formulas=True))
    assert g.label("op0") == "matmul\ndL/dA = dL/dY·Bᵀ\ndL/dB = Aᵀ·dL/dY"
    # a letter already used as a name is not reused for another tensor
    b.name = "A"
    g = Parsed(viz.to_dot(mg.matmul(a, b), show_formulas=True))
    assert g.label("op0") == "matmul\ndL/dB = dL/dY·Aᵀ\ndL/dA = Bᵀ·dL/dY"
    # the same tensor twice gets one letter
    g = Parsed(viz.to_dot(named(a * a, "Y"), show_formulas=True))
    assert g.label("op0") == "mul\ndL/dA = dL/dY ⊙ A\ndL/dA = dL/dY ⊙ A"


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
	node [fontname="Helvetica", fontsize=10]
	edge [arrowsize=0.7]
	t0 [label="X\n(23, 13) float64", shape=box, style="rounded,filled", fillcolor="#deebf7", color="#cb181d", peripheries=2]
	t1 [label="W\n(13, 1) float64", shape=box, style="rounded,filled", fillcolor="#c7e9c0"]
	op0 [label=matmul, shape=ellipse, style=filled, fillcolor="#fff5b1"]
	t2 [label="N\n(23, 1) float64", shape=box, style="rounded,filled", fillcolor="#ffffff"]
	t3 [label="B\n(1,) float64", shape=box, style="rounded,filled", fillcolor="#c7e9c0"]
	op1 [label=add_bias, shape=ellipse, style=filled, fillcolor="#fff5b1"]
	t4 [label="P\n(23, 1) float64", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#cb181d", peripheries=2]
	t5 [label="Y\n(23, 1) float64", shape=box, style="rounded,filled", fillcolor="#deebf7", color="#cb181d", peripheries=2]
	op2 [label=mse, shape=ellipse, style=filled, fillcolor="#fff5b1"]
	t6 [label="L\n() float64", shape=box, style="rounded,filled", fillcolor="#fdd0a2"]
	t0 -> op0
	t1 -> op0
	op0 -> t2
	t2 -> op1
	t3 -> op1
	op1 -> t4
	t4 -> op2
	t5 -> op2
	op2 -> t6
	subgraph cluster_legend {
		label="legend"
		style="rounded,dashed"
		color="#969696"
		fontname="Helvetica"
		fontsize=10
		legend_parameter [label="parameter (leaf, requires grad)", shape=box, style="rounded,filled", fillcolor="#c7e9c0"]
		legend_input [label="input / constant (leaf, no grad)", shape=box, style="rounded,filled", fillcolor="#deebf7"]
		legend_intermediate [label="intermediate result", shape=box, style="rounded,filled", fillcolor="#ffffff"]
		legend_output [label=output, shape=box, style="rounded,filled", fillcolor="#fdd0a2"]
		legend_saved [label="saved for backward", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#cb181d", peripheries=2]
		legend_op [label=op, shape=ellipse, style=filled, fillcolor="#fff5b1"]
	}
}
"""  # noqa: E501


def test_golden_linear_regression():
    assert viz.to_dot(linear_regression()["L"]) == GOLDEN


def test_rankdir():
    L = linear_regression()["L"]
    assert "\tgraph [rankdir=TB]\n" in viz.to_dot(L, rankdir="TB")
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
    assert "21 nodes (11 tensors, 10 ops)" in message
    assert "max_nodes=20" in message and "collapse=" in message
    with pytest.raises(ValueError, match="201 nodes"):
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
    assert [g.label(i) for i in g.nodes if i.startswith("op")] == ["mse"]
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
    with pytest.raises(ValueError, match="18 nodes"):
        viz.to_dot(t["L"], max_nodes=15)
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
    for label in ("X", "W1", "O1", "matmul", "add_bias", "sigmoid", "mse", "(13, 13) float64",
                  "dL/dW1 = Xᵀ·dL/dM1", "legend"):  # fmt: skip
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
