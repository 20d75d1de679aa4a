"""Rows: shape ops."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, shapes

from .row import BIG, EMPTY, MIXED, X0, X1, Bad, Edge, Op, T, one

X1D = np.array([0.7])  # the smallest input of ops that need an axis to work along


@st.composite
def reshape_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    target = draw(st.sampled_from([(-1,), a.shape[::-1], (1, a.size), (a.size, 1),
                                   (a.shape[0], -1), (-1, 1, a.shape[-1])]))
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


def _axis(draw, ndim: int, tuples: bool = True):
    """None, an int (maybe negative) or a tuple of distinct axes of ``ndim`` dims."""
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"] if tuples else ["none", "int"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.sets(st.integers(0, ndim - 1), min_size=1)))


@st.composite
def squeeze_inputs(draw):
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=4)))
    a = draw(arrays(shape=shape))
    ones = [i for i, n in enumerate(shape) if n == 1]
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or not ones:
        return a, None
    if kind == "int":
        i = draw(st.sampled_from(ones))
        return a, i - len(shape) * draw(st.integers(0, 1))
    return a, tuple(draw(st.sets(st.sampled_from(ones), min_size=1)))


@st.composite
def expand_dims_inputs(draw):
    a = draw(arrays(shape=shapes(max_dims=3)))
    k = draw(st.integers(1, 2))
    nd = a.ndim + k
    axes = draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k,
                         unique_by=lambda i: i % nd))
    return a, axes[0] if k == 1 and draw(st.booleans()) else tuple(axes)


@st.composite
def concatenate_inputs(draw):
    """(*arrays, axis): 1 to 4 arrays that agree off the axis (axis None: any shapes)."""
    n = draw(st.integers(1, 4))
    if draw(st.integers(0, 4)) == 0:
        return (*(draw(arrays(shape=shapes(max_dims=2))) for _ in range(n)), None)
    base = draw(shapes(min_dims=1))
    ax = draw(st.integers(-len(base), len(base) - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    if not any(sizes):  # inputs may be empty, the result not (the fuzzer takes its mean)
        sizes[0] = 1
    parts = []
    for size in sizes:
        shape = list(base)
        shape[ax] = size
        parts.append(draw(arrays(shape=tuple(shape))))
    return (*parts, ax)


@st.composite
def stack_inputs(draw):
    shape = draw(shapes())
    n = draw(st.integers(1, 4))
    nd = len(shape) + 1
    return (*(draw(arrays(shape=shape)) for _ in range(n)), draw(st.integers(-nd, nd - 1)))


@st.composite
def split_inputs(draw, equal=True):
    """(array, indices_or_sections, axis)."""
    a = draw(arrays(shape=shapes(min_dims=1)))
    ax = draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[ax]
    if draw(st.booleans()):
        ios = draw(st.sampled_from([k for k in range(1, n + 1) if n % k == 0]) if equal
                   else st.integers(1, 5))
    else:
        ios = draw(st.lists(st.integers(-1, n + 1), max_size=3))
    return a, ios, ax


def _split_then_join(split):
    """Every piece, weighted by its position, joined again (the pieces' gradients add
    up); ``split`` is ops.split, np.split or their array_split. On Tensors, checks that
    each piece is a getitem (a basic slice) of the input."""

    def fn(a, ios, axis):
        pieces = split(a, ios, axis)
        join = np.concatenate
        if isinstance(pieces[0], mg.Tensor):
            assert all(type(p.op) is ops.GetItem for p in pieces if p.requires_grad)
            join = ops.concatenate
        return join([p * (i + 1.0) for i, p in enumerate(pieces)], axis)

    return fn


@st.composite
def pad_width(draw, ndim: int):
    width = st.integers(0, 3)
    kind = draw(st.sampled_from(["int", "pair", "per_axis"] if ndim else ["int", "pair"]))
    if kind == "int":
        return draw(width)
    if kind == "pair":
        return (draw(width), draw(width))
    return tuple((draw(width), draw(width)) for _ in range(ndim))


@st.composite
def pad_inputs(draw, modes=("constant",)):
    """(array, pad_width, mode, constant_values)."""
    a = draw(arrays(shape=shapes(max_dims=3)))
    w = draw(pad_width(a.ndim))
    mode = draw(st.sampled_from(modes))
    return a, w, mode, draw(st.floats(-3, 3)) if mode == "constant" else 0


COPYING = ("edge", "reflect", "symmetric", "wrap")


def np_pad(a, w, mode, c):
    return np.pad(a, w, mode, **({"constant_values": c} if mode == "constant" else {}))


@st.composite
def flip_inputs(draw):
    a = draw(arrays(shape=shapes()))
    return a, _axis(draw, a.ndim)


@st.composite
def roll_inputs(draw):
    a = draw(arrays(shape=shapes()))
    shift = st.integers(-5, 5)
    if a.ndim == 0:
        return a, draw(shift), draw(st.sampled_from([None, 0, -1]))
    if draw(st.booleans()):
        return a, draw(shift), None
    axes = draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=3))
    if len(axes) == 1 and draw(st.booleans()):
        return a, draw(shift), axes[0]
    return a, tuple(draw(shift) for _ in axes), tuple(axes)


@st.composite
def repeat_inputs(draw, least=1):
    a = draw(arrays(shape=shapes()))
    axis = draw(st.sampled_from([None, 0, -1])) if a.ndim == 0 else _axis(draw, a.ndim, False)
    return a, draw(st.integers(least, 3)), axis


def _numpy_axis(a, *args):
    """numpy's view of a 0-d array's axis 0 / -1 (the last argument): no axis."""
    return (*args[:-1], None if np.ndim(a) == 0 else args[-1])


def np_roll(a, *args):
    return np.roll(a, *_numpy_axis(a, *args))


def np_repeat(a, *args):
    return np.repeat(a, *_numpy_axis(a, *args))


@st.composite
def repeat_each_inputs(draw):
    """Counts that differ, one per element along the axis."""
    a = draw(arrays(shape=shapes(min_dims=1, max_dims=2, min_side=2)))
    axis = _axis(draw, a.ndim, tuples=False)
    n = a.size if axis is None else a.shape[axis]
    counts = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    if len(set(counts)) == 1:
        counts[0] = (counts[0] + 1) % 4
    return a, counts, axis


@st.composite
def tile_inputs(draw, least=1):
    a = draw(arrays(shape=shapes()))
    count = st.integers(least, 3)
    reps = draw(st.one_of(count, st.lists(count, max_size=4)))
    return a, reps if isinstance(reps, int) else tuple(reps)


@st.composite
def moveaxis_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    nd = a.ndim
    k = draw(st.integers(1, nd))
    unique = {"unique_by": lambda i: i % nd}
    src = draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k, **unique))
    dst = draw(st.lists(st.integers(-nd, nd - 1), min_size=k, max_size=k, **unique))
    if k == 1 and draw(st.booleans()):
        return a, src[0], dst[0]
    return a, tuple(src), tuple(dst)


@st.composite
def swapaxes_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1)))
    axis = st.integers(-a.ndim, a.ndim - 1)
    return a, draw(axis), draw(axis)


@st.composite
def sum_to_inputs(draw):
    """(array of a broadcast shape, the shape it was broadcast from)."""
    target = draw(shapes(max_dims=2))
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    full = tuple(lead) + tuple(draw(st.integers(1, 3)) if n == 1 else n for n in target)
    return draw(arrays(shape=full)), target


def np_sum_to(a, shape):
    """The sum of a broadcast ``a`` back to ``shape``, in plain numpy."""
    lead = a.ndim - len(shape)
    s = a.sum(axis=tuple(range(lead)))
    kept = tuple(i for i, n in enumerate(shape) if n == 1 and s.shape[i] != 1)
    return np.asarray(s.sum(axis=kept, keepdims=True) if kept else s)


def squared(fn):
    """``fn`` followed by a square, so that second order differentiates fn's backward
    at a gradient that depends on the inputs."""
    return lambda *args: fn(*args) ** 2


def _concatenate(*args):
    return ops.concatenate(args[:-1], axis=args[-1])


def _stack(*args):
    return ops.stack(args[:-1], axis=args[-1])


def _second_order(name, op, fn, ref, inputs, zero_d):
    """A row that squares the op's result (its class is Pow's, not recorded here)."""
    return Op(name, squared(fn), squared(ref), inputs, op=op, fuzz=False, zero_d=zero_d)


ROWS = [
    Op("reshape", mg.reshape, np.reshape, reshape_inputs(), cls=ops.Reshape, numpy=np.reshape,
       zero_d=(X0, (1,)), empty=(EMPTY, (0, 2)),
       bad=(Bad("size", lambda: mg.reshape(np.ones((2, 3)), (4, 2)), ValueError,
                ("reshape", "(2, 3)", "(4, 2)")),),
       edges=(Edge("mixed", (MIXED, (3, 2))),)),
    Op("reshape_infer", lambda a: mg.reshape(a, (-1, 3)), lambda a: np.reshape(a, (-1, 3)),
       one(shape=st.sampled_from([(3,), (2, 3), (3, 2), (1, 3, 2)])), op="reshape",
       cls=ops.Reshape, zero_d=(np.ones(3),), empty=(np.ones((0, 3)),),
       bad=(Bad("infer", lambda: mg.reshape(np.ones((2, 2)), (-1, 3)), ValueError,
                ("reshape", "(2, 2)", "(-1, 3)")),)),
    Op("transpose", mg.transpose, np.transpose, transpose_inputs(), cls=ops.Transpose,
       numpy=np.transpose, zero_d=(X0, ()), empty=(EMPTY, (1, 0)),
       bad=(Bad("repeated", lambda: mg.transpose(np.ones((2, 3)), (0, 0)), ValueError,
                ("transpose", "(2, 3)")),
            Bad("out_of_range", lambda: mg.transpose(np.ones((2, 3)), (0, 7)), ValueError,
                ("transpose", "axis 7", "(2, 3)", "out of range")),
            Bad("wraps", lambda: mg.transpose(np.ones((2, 3)), (-3, 0)), ValueError,
                ("transpose", "axis -3", "(2, 3)"))),
       edges=(Edge("mixed", (MIXED, (1, 0))),)),
    Op("T", lambda a: a.T, np.transpose, one(shape=shapes(min_dims=2)), op="transpose",
       cls=ops.Transpose, zero_d=(np.ones((1, 1)),)),
    Op("broadcast_to", mg.broadcast_to, np.broadcast_to, broadcast_inputs(),
       cls=ops.BroadcastTo, numpy=np.broadcast_to, zero_d=(X0, (2,)),
       bad=(Bad("shape", lambda: mg.broadcast_to(np.ones(3), (2, 4)), ValueError,
                ("broadcast_to", "(3,)", "(2, 4)")),),
       edges=(Edge("mixed", (MIXED, (4, 2, 3))),)),
    Op("astype", lambda a: a.astype(np.float64), lambda a: a.astype(np.float64), one(),
       cls=ops.Cast, float32=False, zero_d=(X0,), empty=(EMPTY,)),
    Op("astype_float32", lambda a: a.astype(np.float32), lambda a: a.astype(np.float32), one(),
       op="astype", cls=ops.Cast, float32=False, gradcheck=False, smooth=False, tol=1e-6,
       edges=(Edge("float32", (MIXED,)),
              Edge("float32_overflow", (np.array([1e300, 1.0]),),
                   ("forward", ("astype", "overflow", "largest float32",
                                "converting to float32"))))),
    Op("astype_float16", lambda a: a.astype(np.float16), lambda a: a.astype(np.float16),
       one(), op="astype", cls=ops.Cast, float32=False, tol=1e-3, smooth=False, gradcheck=False,
       fuzz=False,
       edges=(Edge("big", (BIG,)),)),
    Op("squeeze", ops.squeeze, np.squeeze, squeeze_inputs(), cls=ops.Squeeze,
       numpy=np.squeeze, zero_d=(X0, None), empty=(np.ones((1, 0)), 0),
       bad=(Bad("size", lambda: ops.squeeze(np.ones((1, 3)), 1), ValueError,
                ("squeeze", "axis 1", "(1, 3)", "size is 3")),
            Bad("range", lambda: ops.squeeze(np.ones((1, 3)), 2), ValueError,
                ("squeeze", "axis 2", "(1, 3)", "out of range"))),
       edges=(Edge("mixed", (MIXED[None], 0), float32=True),)),
    Op("expand_dims", ops.expand_dims, np.expand_dims, expand_dims_inputs(),
       cls=ops.ExpandDims, numpy=np.expand_dims, zero_d=(X0, 0), empty=(EMPTY, (0, -1)),
       bad=(Bad("range", lambda: ops.expand_dims(np.ones((2, 3)), 3), ValueError,
                ("expand_dims", "axis 3", "(2, 3)", "out of range")),
            Bad("repeated", lambda: ops.expand_dims(np.ones((2, 3)), (0, -4)), ValueError,
                ("expand_dims", "(0, -4)", "(2, 3)", "repeated"))),
       edges=(Edge("mixed", (MIXED, -1), float32=True),)),
    Op("flatten", ops.flatten, lambda a: a.flatten(), one(), cls=ops.Flatten,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("text", lambda: ops.flatten("abc"), TypeError, ("flatten", "not numeric")),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("ravel", ops.ravel, np.ravel, one(), cls=ops.Reshape, numpy=np.ravel,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("text", lambda: ops.ravel("abc"), TypeError, ("ravel", "not numeric")),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("concatenate", _concatenate, lambda *a: np.concatenate(a[:-1], axis=a[-1]),
       concatenate_inputs(), cls=ops.Concatenate,
       numpy=lambda *a: np.concatenate(a[:-1], axis=a[-1]),
       zero_d=(X1D, np.array([0.2, 0.3]), 0), empty=(EMPTY, np.ones((2, 0)), 1),
       bad=(Bad("shapes", lambda: ops.concatenate([T((2, 3)), np.ones((3, 4)), T((2, 1))], 1),
                ValueError, ("concatenate", "axis 1", "(2, 3), (3, 4), (2, 1)")),
            Bad("ndim", lambda: ops.concatenate([T((2, 3)), np.ones(3)]), ValueError,
                ("concatenate", "number of dimensions", "(2, 3), (3,)")),
            Bad("0-d", lambda: ops.concatenate([T(()), T(())]), ValueError,
                ("concatenate", "input 0", "0-d", "(), ()", "stack")),
            Bad("axis", lambda: ops.concatenate([T((2, 3)), T((2, 3))], 2), ValueError,
                ("concatenate", "axis 2", "(2, 3)", "out of range")),
            Bad("not_a_sequence", lambda: ops.concatenate(T((2, 3))), TypeError,
                ("concatenate", "arrays", "list or tuple", "Tensor")),
            Bad("none", lambda: ops.concatenate([]), ValueError,
                ("concatenate", "at least one"))),
       edges=(Edge("mixed", (MIXED, BIG, X1D * 3, None)),
              Edge("one", (MIXED, -1), float32=True),
              Edge("two", (MIXED, BIG, 0), float32=True),
              Edge("constant", (MIXED, BIG, MIXED, 1), const=(1,)))),
    Op("concatenate_same", lambda a, k, axis: ops.concatenate([a] * k, axis),
       lambda a, k, axis: np.concatenate([a] * k, axis),
       st.tuples(arrays(shape=shapes(min_dims=1, max_dims=2)), st.integers(1, 4),
                 st.sampled_from([0, -1, None])),
       op="concatenate", cls=ops.Concatenate, zero_d=(X1D, 2, 0)),
    Op("stack", _stack, lambda *a: np.stack(a[:-1], axis=a[-1]), stack_inputs(),
       cls=ops.Stack, numpy=lambda *a: np.stack(a[:-1], axis=a[-1]),
       zero_d=(X0, X1, 0), empty=(EMPTY, EMPTY, -1),
       bad=(Bad("shapes", lambda: ops.stack([T((2, 3)), T((2, 3)), np.ones((3, 2))]),
                ValueError, ("stack", "same shape", "(2, 3), (2, 3), (3, 2)")),
            Bad("axis", lambda: ops.stack([T((2, 3)), T((2, 3))], axis=3), ValueError,
                ("stack", "axis 3", "(2, 3)", "out of range")),
            Bad("none", lambda: ops.stack(()), ValueError, ("stack", "at least one"))),
       edges=(Edge("three", (MIXED, BIG, MIXED, 1), float32=True),
              Edge("two", (MIXED, BIG, 0)))),
    Op("split", _split_then_join(ops.split), _split_then_join(np.split), split_inputs(),
       cls=ops.Concatenate, numpy=_split_then_join(np.split),
       zero_d=(X1D, 1, 0), empty=(EMPTY, 2, 1),
       bad=(Bad("unequal", lambda: ops.split(T((2, 5)), 2, axis=1), ValueError,
                ("split", "(2, 5)", "2 equal sections", "axis 1", "array_split")),
            Bad("0-d", lambda: ops.split(T(()), 1), ValueError, ("split", "0-d", "()")),
            Bad("sections", lambda: ops.split(T((4,)), 0), ValueError,
                ("split", "indices_or_sections", "(4,)")),
            Bad("indices", lambda: ops.split(T((4,)), [1.5]), TypeError,
                ("split", "indices_or_sections", "1.5"))),
       edges=(Edge("mixed", (MIXED, [1], 1), float32=True),)),
    Op("array_split", _split_then_join(ops.array_split), _split_then_join(np.array_split),
       split_inputs(equal=False), cls=ops.Concatenate,
       numpy=_split_then_join(np.array_split), zero_d=(X1D, 3, -1), empty=(EMPTY, 3, 1),
       bad=(Bad("axis", lambda: ops.array_split(T((2, 5)), 2, axis=2), ValueError,
                ("array_split", "axis 2", "(2, 5)", "out of range")),),
       edges=(Edge("mixed", (MIXED, 2, 1), float32=True),)),
    Op("pad", ops.pad, np_pad, pad_inputs(), cls=ops.Pad, numpy=np_pad,
       zero_d=(X0, 2, "constant", 1.5), empty=(EMPTY, ((1, 1), (0, 0)), "constant", 0.0),
       bad=(Bad("negative", lambda: ops.pad(T((2, 3)), ((1, 1), (-1, 0))), ValueError,
                ("pad", "pad_width", "negative", "(2, 3)")),
            Bad("width_shape", lambda: ops.pad(T((2, 3)), ((1, 1), (1, 1), (1, 1))),
                ValueError, ("pad", "pad_width", "(2, 3)", "one pair per axis")),
            Bad("float_width", lambda: ops.pad(T((2, 3)), 1.5), TypeError,
                ("pad", "pad_width", "1.5")),
            Bad("mode", lambda: ops.pad(T((2, 3)), 1, "mean"), ValueError,
                ("pad", "mode='mean'", "reflect")),
            Bad("constant_values", lambda: ops.pad(T((2, 3)), 1, "edge", constant_values=1),
                ValueError, ("pad", "constant_values", "mode='edge'")),
            Bad("values_shape", lambda: ops.pad(T((2, 3)), 1, constant_values=(1, 2, 3)),
                ValueError, ("pad", "constant_values=(1, 2, 3)", "(2, 3)")),
            Bad("empty_axis", lambda: ops.pad(T((2, 0)), 1, "reflect"), ValueError,
                ("pad", "mode='reflect'", "axis 1", "(2, 0)", "empty"))),
       edges=(Edge("mixed", (MIXED, 2, "constant", 0.0), float32=True),
              Edge("big_constant", (MIXED, ((0, 1), (2, 0)), "constant", -1e3)))),
    Op("pad_copies", ops.pad, np_pad, pad_inputs(COPYING), op="pad", cls=ops.Pad,
       numpy=np_pad, zero_d=(X0, 1, "reflect", 0),
       empty=(np.ones((0, 2)), ((0, 0), (1, 2)), "edge", 0),
       edges=(Edge("edge", (MIXED, 3, "edge", 0), float32=True),
              Edge("reflect", (MIXED, ((1, 5), (2, 2)), "reflect", 0), float32=True),
              Edge("symmetric", (MIXED, ((1, 5), (4, 2)), "symmetric", 0)),
              Edge("wrap", (MIXED, ((3, 1), (4, 7)), "wrap", 0)))),
    Op("flip", ops.flip, np.flip, flip_inputs(), cls=ops.Flip, numpy=np.flip,
       zero_d=(X0, None), empty=(EMPTY, 1),
       bad=(Bad("axis", lambda: ops.flip(T((2, 3)), (0, 2)), ValueError,
                ("flip", "axis 2", "(2, 3)", "out of range")),),
       edges=(Edge("mixed", (MIXED, None), float32=True),)),
    Op("roll", ops.roll, np_roll, roll_inputs(), cls=ops.Roll, numpy=np.roll,
       zero_d=(X0, 3, None), empty=(EMPTY, 1, 0),
       bad=(Bad("lengths", lambda: ops.roll(T((2, 3)), (1, 2, 3), (0, 1)), ValueError,
                ("roll", "shift=(1, 2, 3)", "axis=(0, 1)", "(2, 3)")),
            Bad("axis", lambda: ops.roll(T((2, 3)), 1, -3), ValueError,
                ("roll", "axis -3", "(2, 3)", "out of range")),
            Bad("shift", lambda: ops.roll(T((2, 3)), 1.5), TypeError, ("roll", "shift", "1.5"))),
       edges=(Edge("mixed", (MIXED, (1, -4), (0, 1)), float32=True),)),
    Op("repeat", ops.repeat, np_repeat, repeat_inputs(), cls=ops.Repeat, numpy=np.repeat,
       zero_d=(X0, 3, None), empty=(EMPTY, 2, 0),
       bad=(Bad("negative", lambda: ops.repeat(T((2, 3)), -1, 0), ValueError,
                ("repeat", "repeats=-1", "negative", "(2, 3)")),
            Bad("counts", lambda: ops.repeat(T((2, 3)), [1, 2], 1), ValueError,
                ("repeat", "2 counts", "axis 1", "(2, 3)", "3 elements")),
            Bad("float", lambda: ops.repeat(T((2, 3)), 1.5), TypeError,
                ("repeat", "repeats", "1.5"))),
       edges=(Edge("mixed", (MIXED, 3, 1), float32=True),
              Edge("flat", (MIXED, 2, None)))),
    Op("repeat_each", ops.repeat, np.repeat, repeat_each_inputs(), op="repeat",
       cls=ops.GetItem, numpy=np.repeat, zero_d=(np.array([0.7, 0.2]), [1, 2], 0),
       edges=(Edge("mixed", (MIXED, [0, 3, 1], 1), float32=True),
              Edge("array", (MIXED, np.array([2, 1]), 0)))),
    Op("tile", ops.tile, np.tile, tile_inputs(), cls=ops.Tile, numpy=np.tile,
       zero_d=(X0, (2, 3)), empty=(EMPTY, 2),
       bad=(Bad("negative", lambda: ops.tile(T((2, 3)), (1, -2)), ValueError,
                ("tile", "reps=(1, -2)", "negative", "(2, 3)")),
            Bad("float", lambda: ops.tile(T((2, 3)), 1.5), TypeError, ("tile", "reps", "1.5"))),
       edges=(Edge("mixed", (MIXED, (2, 1, 3)), float32=True),)),
    Op("moveaxis", ops.moveaxis, np.moveaxis, moveaxis_inputs(), cls=ops.Transpose,
       numpy=np.moveaxis, zero_d=(X0, 0, -1), empty=(EMPTY, 0, 1),
       bad=(Bad("range", lambda: ops.moveaxis(T((2, 3)), 0, 2), ValueError,
                ("moveaxis", "destination=2", "axis 2", "(2, 3)", "out of range")),
            Bad("repeated", lambda: ops.moveaxis(T((2, 3, 4)), (0, -3), (1, 2)), ValueError,
                ("moveaxis", "repeated", "source=(0, -3)", "(2, 3, 4)")),
            Bad("lengths", lambda: ops.moveaxis(T((2, 3, 4)), (0, 1), 2), ValueError,
                ("moveaxis", "source=(0, 1)", "destination=2", "(2, 3, 4)"))),
       edges=(Edge("mixed", (MIXED, 0, -1), float32=True),)),
    Op("swapaxes", ops.swapaxes, np.swapaxes, swapaxes_inputs(), cls=ops.Transpose,
       numpy=np.swapaxes, zero_d=(X0, 0, -1), empty=(EMPTY, 0, 1),
       bad=(Bad("range", lambda: ops.swapaxes(T((2, 3)), 0, 5), ValueError,
                ("swapaxes", "axis 5", "(2, 3)", "out of range")),),
       edges=(Edge("mixed", (MIXED, 1, 0), float32=True),)),
    Op("sum_to", ops.sum_to, np_sum_to, sum_to_inputs(), cls=ops.SumTo,
       zero_d=(X0, ()), empty=(EMPTY, (1, 0)),
       bad=(Bad("shape", lambda: ops.sum_to(T((2, 3)), (2,)), ValueError,
                ("sum_to", "(2, 3)", "(2,)")),
            Bad("longer", lambda: ops.sum_to(T((3,)), (2, 3)), ValueError,
                ("sum_to", "(3,)", "(2, 3)"))),
       edges=(Edge("big", (BIG, (1, 3)), float32=True),
              Edge("overflow", (np.array([[1.5e308], [1.5e308]]), (1,)),
                   ("forward", ("sum_to", "overflow", "largest value"))))),
    # second order through each backward, at a gradient that depends on the inputs
    _second_order("concatenate_squared", "concatenate", _concatenate,
                  lambda *a: np.concatenate(a[:-1], axis=a[-1]), concatenate_inputs(),
                  (X1D, np.array([0.2, 0.3]), 0)),
    _second_order("stack_squared", "stack", _stack, lambda *a: np.stack(a[:-1], axis=a[-1]),
                  stack_inputs(), (X0, X1, 0)),
    _second_order("pad_squared", "pad", ops.pad, np_pad,
                  pad_inputs(("constant",) + COPYING), (X0, 2, "edge", 0)),
    _second_order("roll_squared", "roll", ops.roll, np_roll, roll_inputs(), (X0, 3, None)),
    # counts of 0 too: empty results, here where the fuzzer does not draw them
    _second_order("repeat_squared", "repeat", ops.repeat, np_repeat, repeat_inputs(least=0),
                  (X0, 3, None)),
    _second_order("tile_squared", "tile", ops.tile, np.tile, tile_inputs(least=0),
                  (X0, (2, 3))),
    _second_order("sum_to_squared", "sum_to", ops.sum_to, np_sum_to, sum_to_inputs(),
                  (X0, ())),
]
