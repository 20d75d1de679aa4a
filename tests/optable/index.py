"""Rows: indexing and selection."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, broadcastable_pairs, shapes

from .row import BIG, EMPTY, MIXED, X0, X1, Bad, Edge, Op, T, one


@st.composite
def index_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1, max_dims=3)))
    kind = draw(st.sampled_from(["int", "slice", "array", "mask", "mixed"]))
    n0 = a.shape[0]
    if kind == "int":
        index = draw(st.integers(-n0, n0 - 1))
    elif kind == "slice":  # never empty: the fuzzer takes means of results
        index = slice(draw(st.integers(0, n0 - 1)), None, draw(st.sampled_from([1, 2, -1])))
    elif kind == "array":  # repeats must accumulate
        index = np.array(draw(st.lists(st.integers(0, n0 - 1), min_size=1, max_size=5)))
    elif kind == "mask":
        index = _mask(draw, (n0,))
    else:
        index = (np.array(draw(st.lists(st.integers(0, n0 - 1), min_size=1, max_size=4))),
                 Ellipsis)
    return a, index


def _mask(draw, shape):
    """A boolean mask of ``shape`` with at least one True (results are never empty)."""
    m = draw(hnp.arrays(bool, shape))
    m.flat[draw(st.integers(0, m.size - 1))] = True
    return m


def _ints(draw, shape, low, high):
    return draw(hnp.arrays(np.intp, shape, elements=st.integers(low, high)))


def _adv(draw, n, size=None):
    """An integer index array into an axis of length n, negatives and repeats included."""
    size = draw(st.integers(1, 4)) if size is None else size
    return _ints(draw, (size,), -n, n - 1)


@st.composite
def new_index_inputs(draw, kind):
    """(x, index) for the kinds of numpy indexing beyond the plain ones."""
    if kind == "none_ellipsis":
        a = draw(arrays(shape=shapes(min_dims=1, max_dims=3)))
        n = a.shape[-1]
        index = draw(st.sampled_from([
            (None,), (Ellipsis,), (None, Ellipsis), (Ellipsis, None),
            (Ellipsis, draw(st.integers(-n, n - 1))), (None, Ellipsis, None, slice(None)),
            (Ellipsis, None, slice(None, None, -1))]))
    elif kind == "negative_step":
        a = draw(arrays(shape=shapes(min_dims=1, max_dims=3)))
        index = tuple(slice(draw(st.integers(0, n - 1)), draw(st.sampled_from([None, -n - 1])),
                            draw(st.sampled_from([-1, -2, -3]))) for n in a.shape)
    elif kind == "advanced_separated":  # advanced axes move to the front, as in numpy
        a = draw(arrays(shape=shapes(min_dims=3, max_dims=3)))
        n0, n1, n2 = a.shape
        k = draw(st.integers(1, 3))
        first = draw(st.sampled_from(["array", "int"]))
        i0 = _adv(draw, n0, k) if first == "array" else draw(st.integers(-n0, n0 - 1))
        index = draw(st.sampled_from([
            (i0, slice(None), _adv(draw, n2, k)),
            (i0, slice(None, None, -1), _adv(draw, n2, 1)),
            (i0, None, slice(None), _adv(draw, n2, k)),
            (_adv(draw, n0, k).reshape(k, 1), slice(1, None), _adv(draw, n2, 2))]))
    elif kind == "mask_nd":
        a = draw(arrays(shape=shapes(min_dims=2, max_dims=3)))
        k = draw(st.integers(2, a.ndim))
        m = _mask(draw, a.shape[:k])
        index = draw(st.sampled_from([m, (m, Ellipsis), (Ellipsis, _mask(draw, a.shape[-2:])),
                                      (m, *((_adv(draw, a.shape[-1], 1),) if k < a.ndim
                                            else ()))]))
    else:  # integer and boolean Tensors as indices
        a = draw(arrays(shape=shapes(min_dims=1, max_dims=3)))
        i = AsTensor(draw(st.sampled_from([_adv(draw, a.shape[0]), _mask(draw, a.shape[:1])])))
        index = draw(st.sampled_from([i, (i, Ellipsis), (slice(None), AsTensor(np.array(0)))
                                      if a.ndim > 1 else i]))
    return a, index


@st.composite
def clip_bounds(draw):
    """(x, a_min, a_max): tensor bounds broadcasting against x, a_min < a_max, x at least
    0.05 from both."""
    shape = draw(shapes(min_dims=1))
    lo = draw(arrays(_sub(draw, shape), min_value=-2.0, max_value=-0.5))
    hi = draw(arrays(_sub(draw, shape), min_value=0.5, max_value=2.0))
    x = draw(arrays(shape))
    x = np.where(np.abs(x - lo) < 0.05, lo - 0.1, x)
    x = np.where(np.abs(x - hi) < 0.05, hi + 0.1, x)
    drop = draw(st.sampled_from([None, None, 1, 2]))  # sometimes one bound is None
    return x, (None if drop == 1 else lo), (None if drop == 2 else hi)


def _sub(draw, shape):
    """A shape that broadcasts to ``shape``: some sides 1, some leading axes dropped."""
    sub = tuple(n if draw(st.booleans()) else 1 for n in shape)
    return sub[draw(st.integers(0, len(sub))):]


def _off_bounds(a, bounds=(-1.0, 1.0)):
    for b in bounds:
        a = np.where(np.abs(a - b) < 0.05, b + 0.1, a)
    return a


@st.composite
def masked_fill_inputs(draw):
    x = draw(arrays(shape=shapes(min_dims=1)))
    mask = draw(hnp.arrays(bool, _sub(draw, x.shape)))
    value = draw(st.one_of(st.floats(-3, 3), arrays(_sub(draw, x.shape))))
    return x, mask, value


@st.composite
def tri_inputs(draw):
    return draw(arrays(shape=shapes(min_dims=1))), draw(st.integers(-2, 2))


@st.composite
def take_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    axis = draw(st.sampled_from([None, *range(-a.ndim, a.ndim)]))
    n = a.size if axis is None else a.shape[axis]
    return a, _ints(draw, draw(shapes(max_dims=2)), -n, n - 1), axis


@st.composite
def take_along_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    if draw(st.integers(0, 3)) == 0:  # flattened
        return a, _ints(draw, (draw(st.integers(1, 5)),), -a.size, a.size - 1), None
    axis = draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    shape = list(n if draw(st.booleans()) else 1 for n in a.shape)
    shape[axis] = draw(st.integers(1, 4))
    return a, _ints(draw, tuple(shape), -n, n - 1), axis


@st.composite
def index_add_inputs(draw):
    x = draw(arrays(shape=shapes(min_dims=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    index = _ints(draw, (draw(st.integers(1, 4)),), 0, n - 1)
    shape = list(x.shape)
    shape[axis] = index.size
    return x, axis, index, draw(arrays(tuple(shape)))


def np_index_add(x, axis, index, source):
    out = x.copy()
    ax = axis % x.ndim
    for i, k in enumerate(index):
        dst = [slice(None)] * x.ndim
        dst[ax] = k
        src = [slice(None)] * x.ndim
        src[ax] = i
        out[tuple(dst)] += source[tuple(src)]
    return out


@st.composite
def scatter_add_inputs(draw):
    x = draw(arrays(shape=shapes(min_dims=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    ax = axis % x.ndim
    ishape = tuple(draw(st.integers(1, 4)) if d == ax else draw(st.integers(1, n))
                   for d, n in enumerate(x.shape))
    index = _ints(draw, ishape, 0, x.shape[ax] - 1)
    src = draw(arrays(tuple(n + draw(st.integers(0, 1)) for n in ishape)))
    return x, axis, index, src


def np_scatter_add(x, axis, index, src):
    out = x.copy()
    ax = axis % x.ndim
    for pos in np.ndindex(index.shape):
        dst = list(pos)
        dst[ax] = index[pos]
        out[tuple(dst)] += src[pos]
    return out


@st.composite
def where_inputs(draw):
    a, b = draw(broadcastable_pairs())
    shape = np.broadcast_shapes(a.shape, b.shape)
    cond = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape)
    return cond, a, b


class AsTensor:
    """An index array that the row passes as a Tensor (made inside the call: gradcheck
    would turn Tensor arguments into float64)."""

    def __init__(self, array):
        self.array = array

    def __repr__(self):
        return f"AsTensor({self.array!r})"


def _tensors(index):
    if isinstance(index, tuple):
        return tuple(_tensors(i) for i in index)
    return mg.tensor(index.array) if isinstance(index, AsTensor) else index


def _arrays(index):
    if isinstance(index, tuple):
        return tuple(_arrays(i) for i in index)
    return index.array if isinstance(index, AsTensor) else index


ROWS = [
    Op("getitem", lambda a, i: a[i], lambda a, i: a[i], index_inputs(), cls=ops.GetItem,
       zero_d=(np.array([0.7, 0.2]), 1), empty=(EMPTY, slice(None)),
       bad=(Bad("range", lambda: mg.tensor(np.ones(3))[5], IndexError, ("getitem", "(3,)")),),
       edges=(Edge("repeats", (MIXED, np.array([1, 1, 0]))),)),
    Op("getitem_basic_kinds", lambda a, i: a[i], lambda a, i: a[i],
       st.sampled_from(["none_ellipsis", "negative_step"]).flatmap(new_index_inputs),
       op="getitem", cls=ops.GetItem, zero_d=(X0, (None, Ellipsis))),
    Op("getitem_advanced_kinds", lambda a, i: a[_tensors(i)], lambda a, i: a[_arrays(i)],
       st.sampled_from(["advanced_separated", "mask_nd", "tensor"]).flatmap(new_index_inputs),
       op="getitem", cls=ops.GetItem,
       zero_d=(np.full((1, 1, 1), 0.7), (np.array([0]), slice(None), np.array([0, 0]))),
       bad=(Bad("float_tensor", lambda: T((3,))[mg.tensor([0.0])], IndexError,
                ("getitem", "(3,)", "integer")),
            Bad("slice_bound", lambda: T((3,))[mg.tensor(0.5):], IndexError,
                ("getitem", "slice")))),
    Op("where", mg.where, np.where, where_inputs(), cls=ops.Where, numpy=np.where,
       zero_d=(np.array(True), X0, X1), empty=(np.ones((2, 0), bool), EMPTY, EMPTY),
       bad=(Bad("one_argument", lambda: mg.where(np.ones(3) > 0), TypeError,
                ("where", "condition, x and y")),),
       edges=(Edge("big", (BIG > 0, BIG, MIXED)),)),
    Op("clip", ops.clip, np.clip, one().map(lambda t: (_off_bounds(t[0]), -1.0, 1.0)),
       cls=ops.Clip, numpy=np.clip, smooth=False, zero_d=(X0, -1.0, 1.0),
       empty=(EMPTY, -1.0, 1.0),
       bad=(Bad("shapes", lambda: ops.clip(T((2, 3)), np.ones(4), None), ValueError,
                ("clip", "(2, 3)", "(4,)")),
            Bad("min_twice", lambda: ops.clip(T(), 0.0, min=1.0), TypeError,
                ("clip", "a_min", "min"))),
       edges=(Edge("big", (BIG, -500.0, 500.0), float32=True),
              Edge("tensor_bounds", (BIG, MIXED, MIXED + 1.0), float32=True))),
    Op("clip_tensor_bounds", ops.clip, np.clip, clip_bounds(), op="clip", cls=ops.Clip,
       numpy=np.clip, smooth=False, zero_d=(X0, np.array(-1.0), np.array(1.0))),
    Op("masked_fill", ops.masked_fill, lambda x, m, v: np.where(m, v, x), masked_fill_inputs(),
       cls=ops.MaskedFill, zero_d=(X0, np.array(True), 2.5),
       empty=(EMPTY, np.ones((2, 0), bool), 1.0),
       bad=(Bad("int_mask", lambda: ops.masked_fill(T(), np.ones((2, 3), int), 0.0),
                TypeError, ("masked_fill", "mask", "boolean", "int64")),
            Bad("shapes", lambda: ops.masked_fill(T((3,)), np.ones((2, 3), bool), 0.0),
                ValueError, ("masked_fill", "(2, 3)", "(3,)"))),
       edges=(Edge("big", (BIG, BIG > 0, 1e3), float32=True),)),
    Op("tril", ops.tril, np.tril, tri_inputs(), cls=ops.Tril, numpy=np.tril,
       zero_d=(np.array([[0.7]]), 0), empty=(EMPTY, 0),
       bad=(Bad("0d", lambda: ops.tril(T(())), ValueError, ("tril", "0-d")),
            Bad("k", lambda: ops.tril(T(), 0.5), TypeError, ("tril", "k", "integer"))),
       edges=(Edge("big", (BIG, 1), float32=True),)),
    Op("triu", ops.triu, np.triu, tri_inputs(), cls=ops.Triu, numpy=np.triu,
       zero_d=(np.array([[0.7]]), -1), empty=(EMPTY, 1),
       bad=(Bad("0d", lambda: ops.triu(T(())), ValueError, ("triu", "0-d")),),
       edges=(Edge("big", (MIXED, -1), float32=True),)),
    Op("take", ops.take, np.take, take_inputs(), cls=ops.Take, numpy=np.take,
       zero_d=(X0, np.array(0), None), empty=(EMPTY, np.zeros(0, np.intp), 0),
       bad=(Bad("range", lambda: ops.take(T((3,)), [5]), IndexError,
                ("take", "index 5", "(3,)", "out of range")),
            Bad("float_indices", lambda: ops.take(T(), np.ones(2)), TypeError,
                ("take", "indices", "float64")),
            Bad("axis", lambda: ops.take(T(), [0], axis=2), ValueError,
                ("take", "axis 2", "(2, 3)")),
            Bad("mode", lambda: ops.take(T(), [0], mode="nearest"), ValueError,
                ("take", "mode", "nearest"))),
       edges=(Edge("repeats", (MIXED, np.array([0, 0, 5, -1]), None), float32=True),)),
    Op("take_modes", lambda a, i, axis, mode: ops.take(a, i * 3 + 1, axis, mode=mode),
       lambda a, i, axis, mode: np.take(a, i * 3 + 1, axis, mode=mode),
       st.tuples(take_inputs(), st.sampled_from(["wrap", "clip"])).map(lambda t: (*t[0], t[1])),
       op="take", cls=ops.Take, zero_d=(X0, np.array(2), None, "wrap")),
    Op("take_along_axis", ops.take_along_axis, np.take_along_axis, take_along_inputs(),
       cls=ops.TakeAlongAxis, numpy=np.take_along_axis,
       zero_d=(np.array([0.7]), np.array([0, 0]), 0),
       empty=(EMPTY, np.zeros((2, 0), np.intp), 1),
       bad=(Bad("ndim", lambda: ops.take_along_axis(T(), np.zeros(2, int), 1), ValueError,
                ("take_along_axis", "(2,)", "(2, 3)")),
            Bad("range", lambda: ops.take_along_axis(T(), np.full((2, 1), 3), 1), IndexError,
                ("take_along_axis", "index 3", "axis 1", "(2, 3)"))),
       edges=(Edge("repeats", (MIXED, np.array([[2, 2], [0, -1]]), 1), float32=True),)),
    Op("index_add", ops.index_add, np_index_add, index_add_inputs(), cls=ops.IndexAdd,
       zero_d=(np.array([0.7]), 0, np.array([0, 0]), np.array([1.5, -2.0])),
       empty=(EMPTY, 1, np.zeros(0, np.intp), np.ones((2, 0))),
       bad=(Bad("source", lambda: ops.index_add(T(), 0, [0, 1], T((2, 2))), ValueError,
                ("index_add", "source", "(2, 2)", "(2, 3)")),
            Bad("range", lambda: ops.index_add(T(), 1, [0, 3], T((2, 2))), IndexError,
                ("index_add", "index 3", "axis 1", "(2, 3)")),
            Bad("negative", lambda: ops.index_add(T(), 1, [-1], T((2, 1))), IndexError,
                ("index_add", "index -1", "[0, 3)"))),
       edges=(Edge("big", (BIG, 0, np.array([1, 1, 0]), np.vstack([MIXED, BIG[:1]])),
                   float32=True),)),
    Op("scatter_add", ops.scatter_add, np_scatter_add, scatter_add_inputs(), cls=ops.ScatterAdd,
       zero_d=(np.array([0.7]), 0, np.array([0, 0]), np.array([1.5, -2.0, 3.0])),
       empty=(EMPTY, 0, np.zeros((0, 0), np.intp), np.ones((0, 0))),
       bad=(Bad("ndim", lambda: ops.scatter_add(T(), 0, np.zeros(3, int), T((3,))), ValueError,
                ("scatter_add", "(2, 3)", "(3,)", "same number of dimensions")),
            Bad("index_larger", lambda: ops.scatter_add(T(), 0, np.zeros((2, 4), int),
                                                        T((2, 4))),
                ValueError, ("scatter_add", "(2, 4)", "(2, 3)")),
            Bad("range", lambda: ops.scatter_add(T(), 0, np.full((1, 1), 2), T((1, 1))),
                IndexError, ("scatter_add", "index 2", "axis 0", "(2, 3)"))),
       edges=(Edge("big", (BIG, 1, np.array([[2, 2], [0, 0]]), MIXED), float32=True),)),
]
