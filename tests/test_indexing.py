"""x[index] across numpy's basic and advanced indexing, and the selection ops' conventions.

Every index expression below is checked forward against numpy (values and shape) and
by gradcheck and gradgradcheck (through a square, so the second-order path through
getitem's backward op is exercised, not just a zero second derivative). Then: index
arrays are the op's own copies, float32 stays float32, errors name the op, and the
gradient conventions the selection ops follow (PyTorch's): ties, bounds, rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops
from minigrad.testing import gradcheck, gradgradcheck

X = np.random.default_rng(7).standard_normal((3, 4, 5))
A = np.array
M1 = A([True, False, True])
M2 = X[:, :, 0] > 0
M3 = X > 0.3
M45 = X[0] > 0


def I(v):  # noqa: E743  an integer or boolean index Tensor
    return mg.tensor(np.asarray(v))


EXPRESSIONS = {
    # basic: integers, slices (negative steps too), None, Ellipsis
    "int": 1,
    "negative_int": -1,
    "int_tuple": (1, 2),
    "ints_to_scalar": (2, -1, 3),
    "slice": slice(1, None),
    "reverse": slice(None, None, -1),
    "negative_steps": (slice(None, None, -2), slice(3, 0, -1)),
    "negative_step_all_axes": (slice(-1, None, -2), slice(None, None, -3), slice(4, 1, -1)),
    "empty_slice": slice(2, 2),
    "none": None,
    "none_tuple": (None,),
    "ellipsis": Ellipsis,
    "ellipsis_int": (Ellipsis, 1),
    "none_ellipsis_none": (None, Ellipsis, None),
    "mixed_basic": (1, None, Ellipsis, None, slice(None, None, -1)),
    "ellipsis_middle": (0, Ellipsis, slice(1, 3)),
    # advanced: integer arrays (repeats accumulate), lists, 0-d arrays
    "array_repeats": A([0, 2, 0, 0]),
    "array_2d": A([[0, 1], [2, 2]]),
    "negative_array": A([-1, -3, -1]),
    "list": [0, 0, 2],
    "nested_list": [[0, 1], [2, 2]],
    "empty_list": [],
    "0d_array": A(1),
    "adjacent_arrays": (slice(None), A([0, 3, 3]), A([1, 1, 4])),
    "arrays_broadcast": (A([[0], [2]]), slice(1, 3), A([0, 4, 4])),
    "ellipsis_array": (Ellipsis, A([4, 4, 0])),
    "array_between_slices": (slice(None), A([[1, 2], [3, 3]]), slice(None, None, -1)),
    # advanced indices separated by a slice, None or Ellipsis: their axes go first
    "separated_by_slice": (A([0, 2, 2]), slice(None), A([1, 4, 1])),
    "separated_by_none": (A([0, 2]), None, A([1, 3])),
    "int_and_array_separated": (1, slice(None), A([0, 2, 2])),
    "separated_reversed": (A([2, 0]), slice(None, None, -1), A([3, 3])),
    "separated_with_none_first": (None, A([0, 1]), None, slice(None), A([1, 1])),
    "separated_by_ellipsis": (A([0, 1, 1]), Ellipsis, A([4, 0, 4])),
    # boolean masks of one or more dimensions, alone and with other indices
    "mask_1d": M1,
    "mask_2d": M2,
    "mask_3d": M3,
    "mask_then_int": (M2, 3),
    "mask_then_array": (M1, slice(None), A([0, 4])),
    "slice_then_mask_2d": (slice(None), M45),
    "mask_list": [True, False, True],
    "mask_all_false": np.zeros(3, bool),
    "bool_true": True,
    "bool_false": False,
    "numpy_bool": np.True_,
    # Tensors as indices: integer and boolean, alone, in tuples, as slice bounds
    "int_tensor": I([2, 0, 2]),
    "int_tensor_2d": I([[0, 1], [1, 2]]),
    "bool_tensor": I(M2),
    "tensors_in_tuple": (I([0, 1]), slice(None), I([4, 4])),
    "0d_int_tensor": I(2),
    "0d_tensor_in_tuple": (I(1), I(3)),
    "tensor_slice_bounds": slice(I(1), I(3)),
    "tensor_bounds_and_step": (slice(None), slice(I(3), None, I(-2))),
    "list_of_tensors": [I(0), I(2)],
}


def _numpy(index):
    """The same index with Tensors replaced by their arrays, as numpy takes it."""
    if isinstance(index, mg.Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(_numpy(i) for i in index)
    if isinstance(index, list):
        return np.asarray([_numpy(i) for i in index], dtype=None if index else np.intp)
    if isinstance(index, slice):
        return slice(*(int(v.data) if isinstance(v, mg.Tensor) else v
                       for v in (index.start, index.stop, index.step)))
    return index


@pytest.mark.parametrize("index", list(EXPRESSIONS.values()), ids=list(EXPRESSIONS))
def test_getitem_matches_numpy_forward_and_gradients(index):
    expected = X[_numpy(index)]
    out = mg.tensor(X, requires_grad=True)[index]
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)
    assert gradcheck(lambda a: a[index], mg.tensor(X, requires_grad=True))
    assert gradgradcheck(lambda a: a[index] ** 2, mg.tensor(X, requires_grad=True))


def test_repeated_indices_accumulate_and_separated_axes_come_first():
    x = mg.tensor(X, requires_grad=True)
    out = x[A([0, 2, 2]), :, A([1, 4, 4])]
    assert out.shape == (3, 4)  # numpy moves the advanced axes to the front
    out.backward(np.ones(out.shape))
    expected = np.zeros(X.shape)
    expected[0, :, 1] = 1
    expected[2, :, 4] = 2
    np.testing.assert_array_equal(x.grad.data, expected)


def test_getitem_on_0d_and_1d_tensors():
    x0 = mg.tensor(np.array(1.5), requires_grad=True)
    for index in (Ellipsis, None, (None, None), (), True, np.array(False)):
        out = x0[index]
        np.testing.assert_array_equal(out.data, np.array(1.5)[index])
        assert gradcheck(lambda a, i=index: a[i], x0)
    v = np.arange(5.0)
    for index in (slice(None, None, -1), A([4, 4, -5]), v > 2, [I(1)], (None, slice(1, 4))):
        assert gradgradcheck(lambda a, i=index: a[i] ** 2, mg.tensor(v, requires_grad=True))


def test_index_arrays_are_the_ops_own():
    """Changing the caller's index after the op changes neither result nor gradient."""
    for make in (lambda: A([0, 0, 2]), lambda: M1.copy(), lambda: I([1, 1]),
                 lambda: (A([0, 0, 2]), slice(None), A([4, 1, 1])), lambda: [A([0, 0, 2])]):
        index = make()
        expected = np.zeros(X.shape)
        np.add.at(expected, _numpy(index), 1.0)
        x = mg.tensor(X, requires_grad=True)
        out = x[index]
        kept = out.data.copy()
        for part in index if isinstance(index, (tuple, list)) else (index,):
            arr = part.data if isinstance(part, mg.Tensor) else part
            if isinstance(arr, np.ndarray):
                arr[...] = 0 if arr.dtype != bool else ~arr
        out.backward(np.ones(out.shape))
        np.testing.assert_array_equal(out.data, kept)
        np.testing.assert_array_equal(x.grad.data, expected)


def test_other_ops_keep_their_own_indices():
    x = np.arange(6.0).reshape(2, 3)
    cases = [
        (lambda t, i: ops.take(t, i), A([0, 5, 5])),
        (lambda t, i: ops.take_along_axis(t, i, 1), A([[2, 2], [0, 1]])),
        (lambda t, i: ops.index_add(t, 1, i, mg.tensor(np.ones((2, 2)))), A([2, 2])),
        (lambda t, i: ops.scatter_add(t, 0, i, mg.tensor(np.ones((1, 3)))), A([[1, 0, 1]])),
        (lambda t, i: ops.masked_fill(t, i, 0.0), x > 2),
        (lambda t, i: ops.where(i, t, 0.0), x > 2),
    ]
    for f, index in cases:
        expected = mg.tensor(x, requires_grad=True)
        f(expected, index.copy()).backward(np.ones(f(mg.tensor(x), index).shape))
        t = mg.tensor(x, requires_grad=True)
        out = f(t, index)
        index[...] = 0 if index.dtype != bool else ~index
        out.backward(np.ones(out.shape))
        np.testing.assert_array_equal(t.grad.data, expected.grad.data)


def test_float32_indexing_keeps_float32():
    x = mg.tensor(X.astype(np.float32), requires_grad=True)
    out = x[A([0, 2]), :, A([1, 1])] * 2
    out.backward(np.ones(out.shape, np.float32))
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("index,words", [
    (5, ("getitem", "(3, 4, 5)", "out of bounds")),
    ((0, 0, 0, 0), ("getitem", "(3, 4, 5)", "too many indices")),
    (A([0.5]), ("getitem", "integer")),
    (np.ones(4, bool), ("getitem", "(3, 4, 5)", "boolean index")),
    (slice(I(0.5), None), ("getitem", "slice bounds")),
])
def test_bad_indices_name_the_op_and_the_shape(index, words):
    with pytest.raises(IndexError) as info:
        mg.tensor(X)[index]
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- conventions


def test_maximum_and_minimum_split_ties_evenly():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.tensor([2.0, 2.0, 1.0], requires_grad=True)
    ops.maximum(a, b).backward(np.ones(3))
    np.testing.assert_array_equal(a.grad.data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 0.5, 0.0])
    a.grad = b.grad = None
    ops.minimum(a, b).backward(np.ones(3))
    np.testing.assert_array_equal(a.grad.data, [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.5, 1.0])
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    ops.maximum(x, x).backward(np.ones(2))  # the same tensor twice: the halves add up
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_numbers_beside_tensors_keep_numpys_dtypes():
    x32 = mg.tensor(np.array([0.2, 0.7], np.float32), requires_grad=True)
    assert np.maximum(x32, 0.5).dtype == np.float32
    assert ops.minimum(0.5, x32).dtype == np.float32
    assert ops.arctan2(x32, 1.0).dtype == np.float32
    i8 = mg.tensor(np.array([7, -7, 3], np.int8))
    for f, ref in ((ops.floor_divide, np.floor_divide), (ops.remainder, np.remainder),
                   (ops.maximum, np.maximum), (ops.minimum, np.minimum)):
        out = f(i8, 2)
        assert out.dtype == np.int8 and not out.requires_grad and out.op is None
        np.testing.assert_array_equal(out.data, ref(i8.data, 2))
    with pytest.raises(OverflowError, match="maximum"):
        ops.maximum(i8, 300)


def test_floor_divide_has_zero_gradient_and_remainder_minus_the_quotient():
    x = mg.tensor([7.5, -7.5, 1.0], requires_grad=True)
    y = mg.tensor([2.0, 2.0, -0.75], requires_grad=True)
    q = np.floor_divide(x, y)
    np.testing.assert_array_equal(q.data, [3.0, -4.0, -2.0])
    q.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad.data, np.zeros(3))  # zeros, not None
    np.testing.assert_array_equal(y.grad.data, np.zeros(3))
    x.grad = y.grad = None
    r = np.mod(x, y)  # np.mod is np.remainder
    assert type(r.op) is ops.Remainder
    np.testing.assert_array_equal(r.data, [1.5, 0.5, -0.5])  # the sign of the divisor
    r.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad.data, np.ones(3))
    np.testing.assert_array_equal(y.grad.data, [-3.0, 4.0, 2.0])
    with pytest.raises(FloatingPointError, match="remainder"):
        ops.remainder(mg.tensor(np.arange(3)), 0)


def test_arctan2_is_exact_in_every_quadrant_and_undefined_only_at_the_origin():
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 1e-300, 1e3])
    x = np.array([1.0, -1.0, -1.0, 1.0, -2.0, 1e-300, -1e-300])
    ty, tx = mg.tensor(y, requires_grad=True), mg.tensor(x, requires_grad=True)
    out = np.arctan2(ty, tx)
    np.testing.assert_array_equal(out.data, np.arctan2(y, x))
    out.backward(np.ones(7))
    r2 = [2.0, 2.0, 2.0, 2.0, 4.0]
    np.testing.assert_allclose(ty.grad.data[:5], x[:5] / r2)
    np.testing.assert_allclose(tx.grad.data[:5], -y[:5] / r2)
    np.testing.assert_allclose([ty.grad.data[5], tx.grad.data[5]], [5e299, -5e299])
    assert np.all(np.isfinite(ty.grad.data)) and np.all(np.isfinite(tx.grad.data))
    z = mg.tensor([0.0], requires_grad=True)
    with pytest.raises(FloatingPointError, match="backward of 'arctan2'"):
        ops.arctan2(z, mg.tensor([0.0])).backward(np.ones(1))


def test_lerp_hits_both_ends_exactly():
    start = mg.tensor(np.array([0.1, -3.0], np.float32), requires_grad=True)
    end = mg.tensor(np.array([0.3, 7.0], np.float32), requires_grad=True)
    np.testing.assert_array_equal(ops.lerp(start, end, 0.0).data, start.data)
    np.testing.assert_array_equal(ops.lerp(start, end, 1.0).data, end.data)
    w = mg.tensor(np.array([0.25, 0.75], np.float32), requires_grad=True)
    out = ops.lerp(start, end, w)
    assert out.dtype == np.float32
    out.backward(np.ones(2, np.float32))
    np.testing.assert_allclose(start.grad.data, [0.75, 0.25])
    np.testing.assert_allclose(end.grad.data, [0.25, 0.75])
    np.testing.assert_allclose(w.grad.data, [0.2, 10.0], rtol=1e-6)


def test_clip_bounds_are_inclusive_and_tensor_bounds_get_gradients_where_they_bind():
    x = mg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    lo = mg.tensor(-1.0, requires_grad=True)
    hi = mg.tensor([1.0, 1.0, 1.0, 1.0, 1.0], requires_grad=True)
    out = ops.clip(x, lo, hi)
    np.testing.assert_array_equal(out.data, [-1.0, -1.0, 0.0, 1.0, 1.0])
    out.backward(np.ones(5))
    np.testing.assert_array_equal(x.grad.data, [0, 1, 1, 1, 0])  # x = a bound: 1, as clamp
    np.testing.assert_array_equal(lo.grad.data, 1.0)
    np.testing.assert_array_equal(hi.grad.data, [0, 0, 0, 0, 1])
    # a_min > a_max: the result is a_max, and a_max alone gets the gradient
    x, lo, hi = (mg.tensor([0.0, 5.0], requires_grad=True), mg.tensor(2.0, requires_grad=True),
                 mg.tensor(1.0, requires_grad=True))
    out = np.clip(x, lo, hi)
    np.testing.assert_array_equal(out.data, [1.0, 1.0])
    out.backward(np.ones(2))
    assert (x.grad.data.tolist(), lo.grad.item(), hi.grad.item()) == ([0.0, 0.0], 0.0, 2.0)
    # numpy's other names, no bounds at all, and integers
    t = mg.tensor([-1.0, 3.0], requires_grad=True)
    np.testing.assert_array_equal(np.clip(t, min=0.0).data, [0.0, 3.0])
    np.testing.assert_array_equal(np.clip(t, max=0.0).data, [-1.0, 0.0])
    ops.clip(t).backward(np.ones(2))
    np.testing.assert_array_equal(t.grad.data, [1.0, 1.0])
    ints = ops.clip(mg.tensor(np.array([-5, 5], np.int16)), -2, 2)
    assert ints.dtype == np.int16 and ints.tolist() == [-2, 2] and not ints.requires_grad


def test_masked_fill_keeps_the_shape_and_dtype_of_x():
    x = mg.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
    v = mg.tensor(np.array(9.0), requires_grad=True)
    mask = np.array([True, False, True])  # broadcast over the rows
    out = ops.masked_fill(x, mask, v)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [[9, 1, 9], [9, 4, 9]])
    out.backward(np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [0, 1, 0]])
    assert v.grad.item() == 4.0
    ints = ops.masked_fill(mg.tensor(np.arange(3)), I([True, False, False]), -1)
    assert ints.dtype == np.arange(3).dtype and ints.tolist() == [-1, 1, 2]


def test_tril_and_triu_follow_numpy_on_batches_and_vectors():
    b = np.arange(24.0).reshape(2, 3, 4)
    for f, ref in ((ops.tril, np.tril), (ops.triu, np.triu)):
        for k in (-2, 0, 1, 5):
            np.testing.assert_array_equal(f(b, k).data, ref(b, k))
        v = np.arange(1.0, 4.0)
        np.testing.assert_array_equal(f(v).data, ref(v))  # a vector gives a square matrix
        t = mg.tensor(v, requires_grad=True)
        f(t).backward(np.ones((3, 3)))
        np.testing.assert_array_equal(t.grad.data, ref(np.ones((3, 3))).sum(axis=0))


def test_take_and_take_along_axis_gather_with_gradients():
    x = np.random.default_rng(1).standard_normal((3, 4))
    order = np.argsort(x, axis=1)
    t = mg.tensor(x, requires_grad=True)
    s = np.take_along_axis(t, order, axis=1)  # a sort as a gather
    np.testing.assert_array_equal(s.data, np.sort(x, axis=1))
    s.backward(np.ones((3, 4)))
    np.testing.assert_array_equal(t.grad.data, np.ones((3, 4)))
    for mode in ("raise", "wrap", "clip"):
        idx = A([[1, -1], [3, 3]]) if mode == "raise" else A([[9, -7], [3, 3]])
        out = ops.take(mg.tensor(x), idx, axis=1, mode=mode)
        np.testing.assert_array_equal(out.data, np.take(x, idx, axis=1, mode=mode))
        assert gradgradcheck(lambda a, i=idx, m=mode: ops.take(a, i, 1, mode=m) ** 2,
                             mg.tensor(x, requires_grad=True))


def test_index_add_and_scatter_add_accumulate_repeats():
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    src = mg.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    out = ops.index_add(x, 1, [2, 2, 0], src)
    np.testing.assert_array_equal(out.data, [[3, 0, 3], [6, 0, 9]])
    g = np.arange(6.0).reshape(2, 3)
    out.backward(g)
    np.testing.assert_array_equal(x.grad.data, g)
    np.testing.assert_array_equal(src.grad.data, g[:, [2, 2, 0]])
    # scatter_add reads only src[:index.shape]; the rest of src gets no gradient
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    src = mg.tensor(np.arange(1.0, 10.0).reshape(3, 3), requires_grad=True)
    out = ops.scatter_add(x, 0, A([[1, 1], [1, 0]]), src)
    np.testing.assert_array_equal(out.data, [[0, 5, 0], [5, 2, 0]])
    out.backward(g)
    np.testing.assert_array_equal(src.grad.data, [[3, 4, 0], [3, 1, 0], [0, 0, 0]])
    assert gradgradcheck(lambda a, s: ops.scatter_add(a, 0, A([[1, 1], [1, 0]]), s) ** 2,
                         mg.tensor(np.ones((2, 3)), requires_grad=True),
                         mg.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True))


def test_piecewise_linear_ops_run_their_backward_on_tensors():
    """Second order through the ops whose rows skip gradgradcheck (kinks): away from the
    kinks, the gradients of f(op(...))² match finite differences."""
    rng = np.random.default_rng(3)
    a = rng.uniform(-2, 2, (3, 4))
    b = a + rng.choice([-0.5, 0.5], a.shape)
    lo, hi = np.full(4, -1.0), np.full((3, 1), 1.0)
    xs = np.where(np.abs(np.abs(a) - 1) < 0.1, 0.0, a)
    cases = [
        (lambda x, y: ops.maximum(x, y) ** 2, (a, b)),
        (lambda x, y: ops.minimum(x, y) ** 2, (a, b)),
        (lambda x, l, h: ops.clip(x, l, h) ** 2, (xs, lo, hi)),
        (lambda x, v: ops.masked_fill(x, a > 0, v) ** 2, (a, np.array(1.5))),
        (lambda x, y: ops.floor_divide(x, y) * x ** 2, (a, b)),
    ]
    for f, args in cases:
        assert gradgradcheck(f, *(mg.tensor(v, requires_grad=True) for v in args))
