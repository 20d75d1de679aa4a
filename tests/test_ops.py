"""Every op-generic test, driven by the op table (``tests/optable``): forward against
numpy, gradients against finite differences (first and second order), float32 in and
out, broadcasting, 0-d and size-0 inputs, numpy's protocols, bad inputs, and the
completeness of the table itself."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import ops
from minigrad.testing import broadcastable_pairs, gradcheck, gradgradcheck
from optable import OPS

GRAD = [op for op in OPS if op.grad and op.gradcheck]


def ids(rows):
    return [op.name for op in rows]


def split(args, requires_grad=True):
    """Float arrays become Tensors (that require grad); everything else stays as is."""
    return [mg.Tensor(np.array(a, copy=True), requires_grad=requires_grad)
            if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]


def as_tensors(args):
    """Every array becomes a Tensor; the float ones require grad."""
    return [mg.Tensor(np.array(a, copy=True), requires_grad=a.dtype.kind == "f")
            if isinstance(a, np.ndarray) else a for a in args]


def _tensor_count(args):
    return sum(isinstance(a, mg.Tensor) for a in args)


# --------------------------------------------------------------------------- the table itself


def test_every_public_op_has_a_row():
    covered = {op.op for op in OPS}
    missing = sorted(set(ops.__all__) - covered)
    assert not missing, f"public ops without a row in the op table: {missing}"
    unknown = sorted(covered - set(ops.__all__))
    assert not unknown, f"rows naming no public op: {unknown}"


def test_every_op_class_is_recorded_by_a_row():
    # IndexBackward is getitem's backward on Tensors: the second-order rows of getitem run it
    recorded = {op.cls for op in OPS} | {ops.IndexBackward}
    missing = sorted(c.__name__ for c in set(ops.OPS) - recorded)
    assert not missing, f"op classes no row records: {missing}"


def test_non_differentiable_rows_record_no_class():
    for op in OPS:
        assert op.grad or op.cls is None, op.name


# --------------------------------------------------------------------------- forward


@pytest.mark.parametrize("op", OPS, ids=ids(OPS))
def test_forward_matches_numpy(op):
    @given(op.inputs)
    def check(args):
        out = op.fn(*split(args))
        expected = op.ref(*args)
        assert isinstance(out, mg.Tensor)
        assert type(out.data) is np.ndarray
        if op.cls is not None:
            assert type(out.op) is op.cls
        if not op.grad:
            assert not out.requires_grad and out.op is None
        assert out.shape == np.shape(expected)
        assert out.dtype == np.asarray(expected).dtype or op.grad
        np.testing.assert_allclose(out.data, expected, rtol=op.tol, atol=op.tol)

    check()


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("op", GRAD, ids=ids(GRAD))
def test_gradient_matches_finite_differences(op):
    @given(op.inputs)
    def check(args):
        ts = split(args)
        if _tensor_count(ts):
            assert gradcheck(op.fn, *ts)

    check()


SMOOTH = [op for op in OPS if op.grad and op.smooth]


@pytest.mark.parametrize("op", SMOOTH, ids=ids(SMOOTH))
def test_second_order_matches_finite_differences(op):
    @settings(max_examples=8)
    @given(op.inputs)
    def check(args):
        ts = split(args)
        if _tensor_count(ts):
            assert gradgradcheck(op.fn, *ts)

    check()


F32 = [op for op in OPS if op.grad and op.float32]


@pytest.mark.parametrize("op", F32, ids=ids(F32))
def test_float32_in_float32_out(op):
    @settings(max_examples=5)
    @given(op.inputs)
    def check(args):
        args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                  else a for a in args]
        ts = split(args32)
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
    a, b = split(pair)
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


# --------------------------------------------------------------------------- 0-d and size 0


def _arrays_everywhere(op, args):
    """Every array a Tensor ends up holding when ``op`` runs on ``args``: forward,
    backward, create_graph backward, grad() and value_and_grad(); with a label each."""
    found = []
    ts = split(args)
    out = op.fn(*ts)
    found.append(("forward output", out.data))
    if not op.grad:
        return found
    out.backward(np.ones(out.shape))
    found += [(f"grad of input {i}", t.grad.data) for i, t in enumerate(ts)
              if isinstance(t, mg.Tensor)]
    if op.smooth:
        ts = split(args)
        out = op.fn(*ts)
        out.backward(mg.Tensor(np.ones(out.shape)), create_graph=True)
        found += [(f"create_graph grad of input {i}", t.grad.data) for i, t in enumerate(ts)
                  if isinstance(t, mg.Tensor)]
    floats = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    for i in floats:
        def f(x, i=i):
            return op.fn(*[x if j == i else a for j, a in enumerate(split(args))]).sum()
        found.append((f"grad() of input {i}", mg.grad(f)(args[i]).data))
        found.append((f"value_and_grad() value, input {i}", mg.value_and_grad(f)(args[i])[0].data))
    return found


ZERO_D = [op for op in OPS if op.zero_d is not None]


@pytest.mark.parametrize("op", ZERO_D, ids=ids(ZERO_D))
def test_tensor_data_is_always_an_ndarray(op):
    """At 0-d (or the smallest shapes), forward results and every kind of gradient are
    0-d arrays, never numpy scalars."""
    for label, arr in _arrays_everywhere(op, op.zero_d):
        assert type(arr) is np.ndarray, f"{op.name}: {label} is {type(arr).__name__}"


def test_rows_without_a_0d_case_are_the_ones_that_need_dims():
    assert {op.op for op in OPS if op.zero_d is None} <= {
        "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
        "logical_not", "isnan", "isinf", "bitwise_and", "bitwise_or", "bitwise_xor", "invert",
        "left_shift", "right_shift", "pow", "equal", "astype"}


EMPTY = [op for op in OPS if op.empty is not None]


@pytest.mark.parametrize("op", EMPTY, ids=ids(EMPTY))
def test_size_0_inputs_give_empty_results(op):
    ts = split(op.empty)
    out = op.fn(*ts)
    expected = op.ref(*op.empty)
    assert out.shape == np.shape(expected)
    if op.grad and out.requires_grad:
        out.backward(np.ones(out.shape))
        for t in ts:
            if isinstance(t, mg.Tensor):
                assert t.grad.shape == t.shape


# --------------------------------------------------------------------------- numpy protocols

NUMPY = [op for op in OPS if op.numpy is not None]


@pytest.mark.parametrize("op", NUMPY, ids=ids(NUMPY))
def test_numpy_functions_on_tensors_run_the_op(op):
    @settings(max_examples=5)
    @given(op.inputs)
    def check(args):
        ts = as_tensors(args)
        out = op.numpy(*ts)
        assert isinstance(out, mg.Tensor), type(out)
        if op.cls is not None:
            assert type(out.op) is op.cls
        np.testing.assert_allclose(out.data, op.fn(*split(args)).data, rtol=op.tol,
                                   atol=op.tol)
        if op.grad and op.gradcheck and _tensor_count(split(args)):
            assert gradcheck(op.numpy, *split(args))

    check()


def test_an_array_on_the_left_dispatches_to_the_tensor():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    for out, cls in ((np.ones(2) + x, ops.Add), (np.ones(2) * x, ops.Mul),
                     (np.ones(2) - x, ops.Sub), (np.ones(2) / x, ops.Div),
                     (np.ones((2, 2)) @ x, ops.Matmul), (np.float64(2.0) * x, ops.Mul)):
        assert isinstance(out, mg.Tensor) and type(out.op) is cls


def test_a_numpy_function_without_an_op_is_refused_on_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError) as info:
        np.spacing(x)
    assert "spacing" in str(info.value) and "minigrad" in str(info.value)
    with pytest.raises(TypeError, match="numpy.nanmean"):
        np.nanmean(x)
    # with no graph to lose, numpy works on the values
    np.testing.assert_allclose(np.spacing(x.detach()), np.spacing([1.0, 2.0]))
    with mg.no_grad():
        np.testing.assert_allclose(np.nanmean(x), 1.5)


# --------------------------------------------------------------------------- bad input

BAD = [(op, bad) for op in OPS for bad in op.bad]


@pytest.mark.parametrize("op,bad", BAD, ids=[f"{op.name}-{bad.label}" for op, bad in BAD])
def test_bad_input_gives_a_clear_error(op, bad):
    with pytest.raises(bad.exc) as info:
        bad.call()
    for word in bad.words:
        assert word in str(info.value), (word, str(info.value))


# --------------------------------------------------------------------------- Tensor methods


def test_every_ndarray_method_among_the_ops_is_a_tensor_method():
    missing = [n for n in ops.__all__ if hasattr(np.ndarray, n) and not hasattr(mg.Tensor, n)]
    assert not missing, f"ops numpy's ndarray has as methods but Tensor lacks: {missing}"


# main rows of ops that are also ndarray methods: x.op(*rest) must equal op(x, *rest)
METHODS = [op for op in OPS if op.name == op.op and hasattr(np.ndarray, op.op)
           and hasattr(mg.Tensor, op.op) and op.op not in {"astype"}]


@pytest.mark.parametrize("op", METHODS, ids=ids(METHODS))
def test_tensor_methods_are_the_ops(op):
    @settings(max_examples=5)
    @given(op.inputs)
    def check(args):
        ts = as_tensors(args)
        if not isinstance(ts[0], mg.Tensor):
            return
        out = getattr(ts[0], op.op)(*ts[1:])
        want = getattr(ops, op.op)(*as_tensors(args))
        if op.cls is not None:
            assert type(out.op) is op.cls
        np.testing.assert_array_equal(out.data, want.data)

    check()
