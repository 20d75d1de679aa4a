"""The op table: every op's forward against numpy, its gradient against finite
differences, second order for the smooth ones, float32 in → float32 out, and bad
input. Adding an op means adding one entry to OPS below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import ops
from minigrad.testing import (
    arrays,
    broadcastable_pairs,
    gradcheck,
    gradgradcheck,
    matmul_pairs,
    shapes,
)


@dataclass
class Op:
    """One op under test: ``fn`` on Tensors, ``ref`` on arrays, ``inputs`` a strategy
    of argument tuples (arrays; the float ones get gradients)."""

    name: str
    fn: Callable
    ref: Callable
    inputs: st.SearchStrategy
    cls: type | None = None  # the Function class the op must record
    smooth: bool = True  # checked to second order


def one(**kw):
    return arrays(**kw).map(lambda a: (a,))


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


@st.composite
def axis_cases(draw, min_dims=1):
    """(array, axis, keepdims) with axis None, an int (maybe negative) or a tuple."""
    a = draw(arrays(shape=shapes(min_dims=min_dims)))
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        axis = None
    elif choice == "int":
        axis = draw(st.integers(-a.ndim, a.ndim - 1))
    else:
        axis = tuple(draw(st.sets(st.integers(0, a.ndim - 1), min_size=1)))
    return a, axis, draw(st.booleans())


@st.composite
def add_bias_inputs(draw):
    b, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    bias_shape = draw(st.sampled_from([(k,), (1, k)]))
    return draw(arrays(shape=(b, k))), draw(arrays(shape=bias_shape))


@st.composite
def same_shape_pair(draw):
    s = draw(shapes(min_dims=1))
    return draw(arrays(shape=s)), draw(arrays(shape=s))


@st.composite
def ce_inputs(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    logits = draw(arrays(shape=(n, c)))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return logits, labels


@st.composite
def reshape_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    target = draw(st.sampled_from([(-1,), a.shape[::-1], (1, a.size), (a.size, 1)]))
    return a, target


@st.composite
def transpose_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    return a, tuple(draw(st.permutations(range(a.ndim))))


@st.composite
def broadcast_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=0, max_dims=2)))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    tail = tuple(draw(st.integers(1, 3)) if n == 1 else n for n in a.shape)
    return a, tuple(lead) + tail


@st.composite
def index_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1, max_dims=3)))
    kind = draw(st.sampled_from(["int", "slice", "array", "mask", "mixed"]))
    n0 = a.shape[0]
    if kind == "int":
        index = draw(st.integers(-n0, n0 - 1))
    elif kind == "slice":
        index = slice(draw(st.integers(0, n0)), None, draw(st.sampled_from([1, 2, -1])))
    elif kind == "array":  # repeats must accumulate
        index = np.array(draw(st.lists(st.integers(0, n0 - 1), min_size=1, max_size=5)))
    elif kind == "mask":
        index = np.array(draw(st.lists(st.booleans(), min_size=n0, max_size=n0)))
    else:
        index = (np.array(draw(st.lists(st.integers(0, n0 - 1), min_size=1, max_size=4))),
                 Ellipsis)
    return a, index


@st.composite
def softmax_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1), min_value=-5, max_value=5))
    return a, draw(st.integers(-a.ndim, a.ndim - 1))


def _sum_ref(a, axis, keepdims):
    return np.sum(a, axis=axis, keepdims=keepdims)


OPS = [
    Op("add", lambda a, b: a + b, np.add, broadcastable_pairs()),
    Op("sub", lambda a, b: a - b, np.subtract, broadcastable_pairs()),
    Op("mul", lambda a, b: a * b, np.multiply, broadcastable_pairs()),
    Op("div", lambda a, b: a / b, np.divide,
       st.tuples(arrays(shape=(2, 3)), arrays(shape=(3,), exclude_zero_band=0.5))),
    Op("div_broadcast", mg.div, np.divide,
       broadcastable_pairs(exclude_zero_band=0.5)),
    Op("neg", lambda a: -a, np.negative, one()),
    Op("add_scalar", lambda a: a + 2.5, lambda a: a + 2.5, one()),
    Op("radd_scalar", lambda a: 3 + a, lambda a: 3 + a, one()),
    Op("sub_scalar", lambda a: a - 1.5, lambda a: a - 1.5, one()),
    Op("rsub_scalar", lambda a: 2.5 - a, lambda a: 2.5 - a, one()),
    Op("mul_scalar", lambda a: a * -1.5, lambda a: a * -1.5, one()),
    Op("rmul_scalar", lambda a: 2 * a, lambda a: 2 * a, one()),
    Op("div_scalar", lambda a: a / 3.0, lambda a: a / 3.0, one()),
    Op("rdiv_scalar", lambda a: 2.0 / a, lambda a: 2.0 / a, one(exclude_zero_band=0.5)),
    Op("pow_2", lambda a: a**2, lambda a: a**2, one()),
    Op("pow_3", lambda a: a**3, lambda a: a**3, one()),
    Op("pow_half", lambda a: a**0.5, np.sqrt, one(min_value=0.3, max_value=4)),
    Op("pow_neg", lambda a: mg.pow(a, -1), lambda a: 1 / a, one(exclude_zero_band=0.5)),
    Op("matmul", lambda a, b: a @ b, np.matmul, matmul_pairs()),
    Op("add_bias", mg.add_bias, np.add, add_bias_inputs()),
    Op("sigmoid", mg.sigmoid, _np_sigmoid, one(min_value=-8, max_value=8)),
    Op("tanh", mg.tanh, np.tanh, one()),
    Op("relu", mg.relu, lambda a: np.maximum(a, 0), one(exclude_zero_band=0.01)),
    Op("exp", mg.exp, np.exp, one()),
    Op("log", mg.log, np.log, one(min_value=0.2, max_value=5)),
    Op("sum", lambda a, axis, keepdims: mg.sum(a, axis, keepdims), _sum_ref, axis_cases()),
    Op("mean", lambda a, axis, keepdims: mg.mean(a, axis, keepdims),
       lambda a, axis, keepdims: np.mean(a, axis=axis, keepdims=keepdims), axis_cases()),
    Op("reshape", mg.reshape, np.reshape, reshape_inputs()),
    Op("transpose", mg.transpose, np.transpose, transpose_inputs()),
    Op("T", lambda a: a.T, np.transpose, one(shape=shapes(min_dims=2))),
    Op("broadcast_to", mg.broadcast_to, np.broadcast_to, broadcast_inputs()),
    Op("getitem", lambda a, i: a[i], lambda a, i: a[i], index_inputs()),
    Op("softmax", mg.softmax, _np_softmax, softmax_inputs()),
    Op("log_softmax", mg.log_softmax, _np_log_softmax, softmax_inputs()),
    Op("mse_mean", mg.mse, lambda p, t: np.mean((p - t) ** 2), same_shape_pair()),
    Op("mse_sum", lambda p, t: mg.mse(p, t, reduction="sum"),
       lambda p, t: np.sum((p - t) ** 2), same_shape_pair()),
    Op("cross_entropy", mg.cross_entropy,
       lambda x, y: -np.mean(_np_log_softmax(x, 1)[np.arange(len(y)), y]), ce_inputs()),
]

CLASSES = {
    "add": ops.Add,
    "sub": ops.Sub,
    "mul": ops.Mul,
    "div": ops.Div,
    "div_broadcast": ops.Div,
    "neg": ops.Neg,
    "add_scalar": ops.AddScalar,
    "radd_scalar": ops.AddScalar,
    "sub_scalar": ops.AddScalar,
    "rsub_scalar": ops.RSubScalar,
    "mul_scalar": ops.MulScalar,
    "rmul_scalar": ops.MulScalar,
    "div_scalar": ops.DivScalar,
    "rdiv_scalar": ops.RDivScalar,
    "pow_2": ops.Pow,
    "pow_3": ops.Pow,
    "pow_half": ops.Pow,
    "pow_neg": ops.Pow,
    "matmul": ops.Matmul,
    "add_bias": ops.AddBias,
    "sigmoid": ops.Sigmoid,
    "tanh": ops.Tanh,
    "relu": ops.ReLU,
    "exp": ops.Exp,
    "log": ops.Log,
    "sum": ops.Sum,
    "mean": ops.Mean,
    "reshape": ops.Reshape,
    "transpose": ops.Transpose,
    "T": ops.Transpose,
    "broadcast_to": ops.BroadcastTo,
    "getitem": ops.GetItem,
    "softmax": ops.Softmax,
    "log_softmax": ops.LogSoftmax,
    "mse_mean": ops.MSE,
    "mse_sum": ops.MSE,
    "cross_entropy": ops.CrossEntropy,
}
for _op in OPS:
    _op.cls = CLASSES[_op.name]

BY_NAME = {op.name: op for op in OPS}
NAMES = list(BY_NAME)


def _split(args):
    """Float arrays become grad-requiring Tensors; everything else stays as is."""
    return [mg.Tensor(a, requires_grad=True)
            if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]


def test_every_op_class_is_in_the_table():
    # ScatterAdd (indexing's backward) and Cast are checked in test_engine.py
    missing = set(ops.OPS) - {op.cls for op in OPS} - {ops.ScatterAdd, ops.Cast}
    assert not missing, f"ops missing from the table: {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_forward_matches_numpy(name):
    op = BY_NAME[name]

    @given(op.inputs)
    def check(args):
        out = op.fn(*_split(args))
        expected = op.ref(*args)
        assert type(out.op) is op.cls
        assert out.shape == np.shape(expected)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    op = BY_NAME[name]

    @given(op.inputs)
    def check(args):
        assert gradcheck(op.fn, *_split(args))

    check()


@pytest.mark.parametrize("name", [op.name for op in OPS if op.smooth])
def test_second_order_matches_finite_differences(name):
    op = BY_NAME[name]

    @settings(max_examples=8)
    @given(op.inputs)
    def check(args):
        assert gradgradcheck(op.fn, *_split(args))

    check()


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name):
    op = BY_NAME[name]

    @settings(max_examples=5)
    @given(op.inputs)
    def check(args):
        args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                  else a for a in args]
        ts = _split(args32)
        out = op.fn(*ts)
        assert out.dtype == np.float32
        out.backward(np.ones(out.shape, dtype=np.float32))
        for t in ts:
            if isinstance(t, mg.Tensor) and t.requires_grad:
                assert t.grad.dtype == np.float32
                assert t.grad.shape == t.shape

    check()


@given(broadcastable_pairs())
def test_broadcast_gradients_are_summed_to_each_input_shape(pair):
    a, b = _split(pair)
    out = a * b
    g = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(g)
    # the reference: expand both to the output shape, then sum over broadcast axes
    full_a = np.broadcast_to(pair[1], out.shape) * g
    full_b = np.broadcast_to(pair[0], out.shape) * g
    for t, full in ((a, full_a), (b, full_b)):
        lead = full.ndim - t.ndim
        red = full.sum(axis=tuple(range(lead))) if lead else full
        axes = tuple(i for i, n in enumerate(t.shape) if n == 1 and red.shape[i] != 1)
        red = red.sum(axis=axes, keepdims=True) if axes else red
        np.testing.assert_allclose(t.grad.data, red.reshape(t.shape), rtol=1e-12, atol=1e-12)


@given(hnp.arrays(np.float64, (3, 3), elements=st.floats(-3, 3)))
def test_random_output_gradient_catches_a_wrong_bias_axis(x):
    """A bias gradient summed over the wrong axis matches with .sum() on a square
    output but not under gradcheck's random projection."""

    class WrongAxisBias(mg.Function):
        def forward(self, n, b):
            return n + b

        def backward(self, g):
            return g, g.sum(axis=1)  # should be axis 0

    n = mg.Tensor(x, requires_grad=True)
    b = mg.Tensor(np.zeros(3), requires_grad=True)
    WrongAxisBias.apply(n, b).sum().backward()
    np.testing.assert_allclose(b.grad.data, np.full(3, 3.0))  # .sum() hides the bug
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(WrongAxisBias.apply, mg.Tensor(x, requires_grad=True),
                  mg.Tensor(np.zeros(3), requires_grad=True))


# --------------------------------------------------------------------------- bad input

BAD_INPUTS = [
    ("matmul", lambda: mg.matmul(np.ones((3, 4)), np.ones((5, 2))), ValueError,
     ["matmul", "(3, 4)", "(5, 2)"]),
    ("matmul_vector", lambda: mg.matmul(np.ones(3), np.ones((3, 2))), ValueError,
     ["matmul", "(3,)", "(3, 2)"]),
    ("matmul_batch", lambda: mg.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 2))), ValueError,
     ["matmul", "(2,)", "(3,)"]),
    ("add_bias", lambda: mg.add_bias(np.ones((4, 3)), np.ones(4)), ValueError,
     ["add_bias", "(4,)", "(3,)", "(1, 3)"]),
    ("add_bias_col", lambda: mg.add_bias(np.ones((4, 3)), np.ones((4, 1))), ValueError,
     ["add_bias", "(4, 1)"]),
    ("add_bias_1d", lambda: mg.add_bias(np.ones(3), np.ones(3)), ValueError,
     ["add_bias", "(3,)"]),
    ("mse", lambda: mg.mse(np.ones((4, 1)), np.ones(4)), ValueError,
     ["mse", "(4, 1)", "(4,)"]),
    ("mse_reduction", lambda: mg.mse(np.ones(4), np.ones(4), reduction="max"), ValueError,
     ["mse", "reduction"]),
    ("add", lambda: mg.add(np.ones((2, 3)), np.ones(4)), ValueError, ["add", "(2, 3)", "(4,)"]),
    ("mul", lambda: mg.tensor(np.ones((2, 3))) * np.ones((3, 2)), ValueError,
     ["mul", "(2, 3)", "(3, 2)"]),
    ("ce_labels", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 3]), ValueError,
     ["cross_entropy", "[0, 3)"]),
    ("ce_label_shape", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 1, 2]), ValueError,
     ["cross_entropy", "(2,)", "(3,)"]),
    ("ce_float_labels", lambda: mg.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
     TypeError, ["cross_entropy", "float64"]),
    ("reshape", lambda: mg.reshape(np.ones((2, 3)), (4, 2)), ValueError,
     ["reshape", "(2, 3)", "(4, 2)"]),
    ("broadcast_to", lambda: mg.broadcast_to(np.ones(3), (2, 4)), ValueError,
     ["broadcast_to", "(3,)", "(2, 4)"]),
    ("sum_axis", lambda: mg.sum(np.ones((2, 3)), axis=2), ValueError, ["sum", "axis 2"]),
    ("transpose", lambda: mg.transpose(np.ones((2, 3)), (0, 0)), ValueError,
     ["transpose", "(2, 3)"]),
    ("getitem", lambda: mg.tensor(np.ones(3))[5], IndexError, ["getitem", "(3,)"]),
    ("pow_tensor", lambda: mg.tensor(2.0) ** mg.tensor(3.0), TypeError, ["pow", "exponent"]),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_gives_a_clear_error(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
