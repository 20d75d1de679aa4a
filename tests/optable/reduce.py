"""Rows: reductions and ops along an axis.

Besides one row per op call, rows named ``<op>_<convention>`` check a gradient
convention or a value at the edge against a plain-numpy statement of it (max ties split
evenly, std and norm at zero spread, logsumexp at ±1000): their ``fn`` computes the
gradient (or the value) with no graph, so they are rows without a gradient of their own.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, shapes

from .row import BIG, EMPTY, MIXED, TINY, X0, Bad, Edge, Op, T

# --------------------------------------------------------------------------- strategies


def distinct(shape, gap=0.125, magnitudes=False):
    """Arrays of ``shape`` whose values differ pairwise by at least ``gap`` (no ties, a
    margin the fuzzer's 1e-3 shifts keep); with ``magnitudes``, their absolute values
    differ too and stay ``gap`` away from zero."""
    n = int(np.prod(shape))

    def build(perm, offset, signs):
        k = np.array(perm, dtype=float)
        if magnitudes:
            v = (k + 1) * gap * np.where(signs, 1.0, -1.0)
        else:
            v = (k - n / 2) * gap + offset
        return v.reshape(shape)

    return st.builds(build, st.permutations(range(n)), st.floats(-1, 1),
                     st.lists(st.booleans(), min_size=n, max_size=n))


def with_zeros(shape, low=-2.0, high=2.0):
    """Arrays with up to three elements set to exactly 0 (none, one or several); the
    others at least 0.01 away from it."""
    n = int(np.prod(shape))

    def build(a, idx):
        a = a.copy()
        a.reshape(-1)[list(idx)] = 0.0
        return a

    return st.builds(build, arrays(shape=st.just(shape), min_value=low, max_value=high,
                                     exclude_zero_band=0.01),
                     st.lists(st.integers(0, max(n - 1, 0)), max_size=3 if n else 0))


def _axis(draw, ndim, tuples=True):
    """None, an int (maybe negative) or (with ``tuples``) a tuple of axes of an ndim-D
    array; 0 or -1 for a 0-d array."""
    kinds = ["none", "int", "tuple"] if tuples else ["none", "int"]
    choice = draw(st.sampled_from(kinds))
    if choice == "none":
        return None
    if ndim == 0:
        return draw(st.sampled_from([0, -1]))
    if choice == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.sets(st.integers(0, ndim - 1), min_size=1)))


@st.composite
def axis_cases(draw, min_dims=0, values=None, tuples=True):
    """(array, axis, keepdims) with axis None, an int or a tuple; ``values`` maps a shape
    to a strategy of arrays (default: ``arrays``)."""
    shape = draw(shapes(min_dims=min_dims))
    a = draw(arrays(shape=st.just(shape)) if values is None else values(shape))
    return a, _axis(draw, a.ndim, tuples), draw(st.booleans())


@st.composite
def spread_cases(draw, values=None):
    """(array, axis, ddof, keepdims) with ddof 1 only where each reduction has 2+
    elements."""
    a, axis, keepdims = draw(axis_cases(values=values))
    axes = range(a.ndim) if axis is None or a.ndim == 0 else np.atleast_1d(axis)
    n = int(np.prod([a.shape[i] for i in axes]))
    return a, axis, draw(st.sampled_from([0, 1])) if n >= 2 else 0, keepdims


@st.composite
def norm_cases(draw):
    """(array, ord, axis, keepdims) for the smooth norms: the 2-norm of everything, of
    vectors (also p = 3 and 1.5) and the Frobenius norm of matrices, in numpy's spelling."""
    kind = draw(st.sampled_from(["all", "vector", "vector_1d", "matrix", "matrix_2d"]))
    min_dims = {"all": 0, "vector": 1, "vector_1d": 1, "matrix": 2, "matrix_2d": 2}[kind]
    max_dims = {"vector_1d": 1, "matrix_2d": 2}.get(kind, 3)
    a = draw(arrays(shape=shapes(min_dims=min_dims, max_dims=max_dims),
                    exclude_zero_band=0.25))
    if kind == "all":
        return a, None, None, draw(st.booleans())
    if kind.startswith("vector"):
        ord = draw(st.sampled_from([None, 2, 3, 1.5]))
        axis = None if kind == "vector_1d" else draw(st.integers(-a.ndim, a.ndim - 1))
    else:
        ord = draw(st.sampled_from([None, "fro"]))
        axis = None if kind == "matrix_2d" else tuple(
            draw(st.permutations(range(a.ndim)))[:2])
    return a, ord, axis, draw(st.booleans())


@st.composite
def nonsmooth_norm_cases(draw):
    """(array, ord, axis, keepdims) for the 1- and ±inf-norms of vectors, with distinct
    magnitudes away from zero (no ties, no kinks)."""
    a = draw(shapes(min_dims=1).flatmap(lambda s: distinct(s, magnitudes=True)))
    axis = None if a.ndim == 1 and draw(st.booleans()) else \
        draw(st.integers(-a.ndim, a.ndim - 1))
    return a, draw(st.sampled_from([1, np.inf, -np.inf])), axis, draw(st.booleans())


@st.composite
def running_cases(draw, values=None):
    """(array, axis) with axis None (flattened) or an int."""
    a, axis, _ = draw(axis_cases(values=values, tuples=False))
    return a, axis


def levels(shape, values=(-1.0, 0.5, 2.0)):
    """Arrays of ``shape`` with elements from a few ``values``, so ties are common."""
    n = int(np.prod(shape))
    return st.lists(st.sampled_from(values), min_size=n, max_size=n).map(
        lambda v: np.array(v).reshape(shape))


@st.composite
def tie_cases(draw):
    """(array, axis) with values from three levels."""
    a = draw(shapes().flatmap(levels))
    return a, _axis(draw, a.ndim)


@st.composite
def softmax_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1), min_value=-5, max_value=5))
    return a, draw(st.integers(-a.ndim, a.ndim - 1))


@st.composite
def flat_cases(draw):
    """(array, axis, ddof): rows constant along the axis (no spread)."""
    rows, n = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    col = draw(arrays(shape=st.just((rows, 1))))
    return np.repeat(col, n, axis=1), 1, draw(st.sampled_from([0, 1])) if n >= 2 else 0


@st.composite
def zero_norm_cases(draw):
    a = np.zeros(draw(shapes(min_dims=1, max_dims=1)))
    return a, draw(st.sampled_from([None, 2, 3, 1, np.inf]))


# --------------------------------------------------------------------------- references


def _numpy_axis(a, axis, keepdims=False):
    """numpy's view of a 0-d array's axis 0 / -1: no axis."""
    return None if np.ndim(a) == 0 else axis


def _axes(a, axis):
    if axis is None or np.ndim(a) == 0:
        return tuple(range(np.ndim(a)))
    return tuple(sorted(np.atleast_1d(axis) % a.ndim))


def _last(a, axis):
    """``a`` with the reduced axes moved to the end and flattened into one."""
    axes = _axes(a, axis)
    keep = [i for i in range(a.ndim) if i not in axes]
    return np.transpose(a, keep + list(axes)).reshape([a.shape[i] for i in keep] + [-1]), axes


def np_logsumexp(a, axis, keepdims):
    """log Σ exp by numpy's pairwise-stable logaddexp, a reference independent of the
    op's max shift."""
    flat, axes = _last(a, axis)
    out = np.logaddexp.reduce(flat, axis=-1) if flat.shape[-1] else \
        np.full(flat.shape[:-1], -np.inf)
    if keepdims:
        out = out.reshape([1 if i in axes else n for i, n in enumerate(a.shape)])
    return out


def np_softmax(x, axis):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis):
    if x.size == 0:
        return x.copy()
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _running(fn):
    def ref(a, axis):
        return a.copy() if np.ndim(a) == 0 and axis is not None else fn(a, axis=axis)
    return ref


def _split_evenly(a, axis, extreme):
    """The gradient of max (min) of ``a`` over ``axis`` summed: 1/k at each of k ties."""
    m = extreme(a, axis=_numpy_axis(a, axis), keepdims=True)
    mask = a == m
    return mask / mask.sum(axis=_numpy_axis(a, axis), keepdims=True)


def _grad_of(f):
    """The gradient of f(x).sum() at the row's input, as a constant."""
    return lambda a, *args: mg.grad(lambda t: f(t, *args).sum())(a.data)


def _argref(fn):
    return lambda a, axis, keepdims: fn(a, axis=_numpy_axis(a, axis), keepdims=keepdims)


def _nongrad(name, fn, ref, inputs, **kw):
    return Op(name, fn, ref, inputs, grad=False, smooth=False, float32=False, fuzz=False, **kw)




def _boolish(shape):
    return levels(shape, (0.0, 1.0, -2.5))


_HUGE = np.full(3, 1e200)

ROWS = [
    Op("sum", lambda a, axis, keepdims: mg.sum(a, axis, keepdims),
       lambda a, axis, keepdims: np.sum(a, axis=_numpy_axis(a, axis, keepdims),
                                        keepdims=keepdims),
       axis_cases(), cls=ops.Sum, numpy=np.sum, zero_d=(X0, None, False),
       empty=(EMPTY, 1, False),
       bad=(Bad("axis", lambda: mg.sum(np.ones((2, 3)), axis=2), ValueError,
                ("sum", "axis 2", "(2, 3)", "out of range")),),
       edges=(Edge("big", (BIG, 1, False), float32=True),)),
    Op("mean", lambda a, axis, keepdims: mg.mean(a, axis, keepdims),
       lambda a, axis, keepdims: np.mean(a, axis=_numpy_axis(a, axis, keepdims),
                                         keepdims=keepdims),
       axis_cases(), cls=ops.Mean, numpy=np.mean, zero_d=(X0, 0, True),
       bad=(Bad("empty", lambda: mg.mean(np.ones(0)), ValueError, ("mean", "(0,)", "empty")),),
       edges=(Edge("mixed", (MIXED, None, False), float32=True),)),
    # max and min: distinct values (ties have their own rows below)
    Op("max", ops.max, _argref(np.max), axis_cases(values=distinct), cls=ops.Max,
       smooth=False, numpy=lambda a, axis, keepdims: np.max(a, axis=axis, keepdims=keepdims),
       zero_d=(X0, None, False), empty=(EMPTY, 0, False),
       bad=(Bad("empty_axis", lambda: ops.max(T((2, 0)), axis=1), ValueError,
                ("max", "axis 1", "(2, 0)", "empty")),
            Bad("axis", lambda: ops.max(T(), axis=(0, 2)), ValueError,
                ("max", "axis 2", "(2, 3)")),
            Bad("dtype_as_keepdims", lambda: ops.max(T(), 0, np.float32), TypeError,
                ("max", "keepdims", "float32"))),
       edges=(Edge("big", (BIG, 1, False), float32=True),)),
    Op("min", ops.min, _argref(np.min), axis_cases(values=distinct), cls=ops.Min,
       smooth=False, numpy=lambda a, axis, keepdims: np.amin(a, axis=axis, keepdims=keepdims),
       zero_d=(X0, 0, True), empty=(EMPTY, 0, True),
       bad=(Bad("empty", lambda: ops.min(T((0,))), ValueError, ("min", "(0,)", "empty")),),
       edges=(Edge("big", (BIG, None, False), float32=True),)),
    Op("max_ties", _grad_of(lambda t, axis: np.amax(t, axis=axis)),
       lambda a, axis: _split_evenly(a, axis, np.max), tie_cases(), op="max", grad=False,
       smooth=False, float32=False, fuzz=False, zero_d=(X0, None)),
    Op("min_ties", _grad_of(lambda t, axis: np.min(t, axis=axis)),
       lambda a, axis: _split_evenly(a, axis, np.min), tie_cases(), op="min", grad=False,
       smooth=False, float32=False, fuzz=False, zero_d=(X0, 0)),
    # prod and cumprod: inputs with no, one or several exact zeros; both are polynomials,
    # so central differences are exact there, to second order
    Op("prod", ops.prod, _argref(np.prod), axis_cases(values=with_zeros), cls=ops.Prod,
       numpy=lambda a, axis, keepdims: np.prod(a, axis=axis, keepdims=keepdims),
       zero_d=(X0, None, False), empty=(EMPTY, 1, False),
       bad=(Bad("axis", lambda: ops.prod(T(), axis=(1, -1)), ValueError,
                ("prod", "repeated axis", "(2, 3)")),),
       edges=(Edge("big_with_zero", (BIG, 0, False), float32=True),
              Edge("tiny", (TINY, 1, True)),
              Edge("overflow", (_HUGE, None, False),
                   ("forward", ("prod", "overflow", "product's magnitude"))))),
    Op("var", ops.var,
       lambda a, axis, ddof, keepdims: np.var(a, axis=_numpy_axis(a, axis), ddof=ddof,
                                              keepdims=keepdims),
       spread_cases(), cls=ops.Var,
       numpy=lambda a, axis, ddof, keepdims: np.var(a, axis=axis, ddof=ddof,
                                                    keepdims=keepdims),
       zero_d=(X0, None, 0, False),
       bad=(Bad("ddof", lambda: ops.var(T((2, 3)), axis=1, ddof=3), ValueError,
                ("var", "ddof=3", "(2, 3)", "3 elements")),
            Bad("empty", lambda: ops.var(T((2, 0)), axis=1), ValueError,
                ("var", "(2, 0)", "empty"))),
       edges=(Edge("big", (BIG, 1, 1, False), float32=True),
              Edge("overflow", (np.array([-1e200, 1e200]), None, 0, False),
                   ("forward", ("var", "overflow", "squared deviations"))))),
    Op("std", ops.std,
       lambda a, axis, ddof, keepdims: np.std(a, axis=_numpy_axis(a, axis), ddof=ddof,
                                              keepdims=keepdims),
       spread_cases(values=distinct), cls=ops.Std,
       numpy=lambda a, axis, ddof, keepdims: np.std(a, axis=axis, ddof=ddof,
                                                    keepdims=keepdims),
       zero_d=(X0, None, 0, False),
       bad=(Bad("ddof", lambda: ops.std(T((2, 3)), ddof="1"), TypeError, ("std", "ddof", "str")),
            Bad("no_freedom", lambda: ops.std(T((1, 3)), axis=0, ddof=1), ValueError,
                ("std", "ddof=1", "(1, 3)"))),
       edges=(Edge("big", (BIG, 1, 0, False), float32=True),
              Edge("zero_spread", (np.full((2, 3), 1.5), 1, 1, False), float32=True))),
    Op("std_zero_spread", _grad_of(lambda t, axis, ddof: ops.std(t, axis, ddof)),
       lambda a, axis, ddof: np.zeros_like(a), flat_cases(), op="std", grad=False,
       smooth=False, float32=False, fuzz=False, zero_d=(X0, None, 0)),
    Op("logsumexp", ops.logsumexp, np_logsumexp, axis_cases(), cls=ops.LogSumExp,
       zero_d=(X0, 0, False), empty=(EMPTY, 1, False), tol=1e-11,
       bad=(Bad("axis", lambda: ops.logsumexp(T(), axis=1.0), TypeError,
                ("logsumexp", "axis", "1.0")),),
       edges=(Edge("big", (BIG, 1, False), float32=True),
              Edge("mixed", (MIXED, None, True), float32=True))),
    Op("logsumexp_at_1000", lambda a, axis, keepdims: ops.logsumexp(a.data, axis, keepdims),
       np_logsumexp, axis_cases(values=lambda s: arrays(shape=st.just(s), min_value=-1e3,
                                                         max_value=1e3)),
       op="logsumexp", grad=False, smooth=False, float32=False, fuzz=False, tol=1e-11,
       zero_d=(X0, None, False)),
    Op("norm", ops.norm,
       lambda a, ord, axis, keepdims: np.linalg.norm(a, ord, axis, keepdims),
       norm_cases(), cls=ops.Norm, numpy=np.linalg.norm, zero_d=(X0, None, None, False),
       empty=(EMPTY, None, 1, False),
       bad=(Bad("nuclear", lambda: ops.norm(T((2, 3)), "nuc"), ValueError,
                ("norm", "'nuc'", "(2, 3)", "not supported")),
            Bad("fro_vector", lambda: ops.norm(T((2, 3)), "fro", 1), ValueError,
                ("norm", "ord='fro'", "vectors", "(2, 3)")),
            Bad("3d", lambda: ops.norm(T((2, 3, 4)), 2), ValueError,
                ("norm", "ord=2", "(2, 3, 4)")),
            Bad("empty_inf", lambda: ops.norm(T((2, 0)), np.inf, 1), ValueError,
                ("norm", "(2, 0)", "empty"))),
       edges=(Edge("big", (BIG, None, None, False), float32=True),
              Edge("tiny", (TINY, 3, 1, False)),
              Edge("huge", (np.array([1e300, -1e300]), None, None, False)),
              Edge("zero", (np.zeros((2, 3)), "fro", None, False), float32=True))),
    Op("norm_1_inf", ops.norm,
       lambda a, ord, axis, keepdims: np.linalg.norm(a, ord, axis, keepdims),
       nonsmooth_norm_cases(), op="norm", cls=ops.Norm, smooth=False,
       numpy=np.linalg.norm, zero_d=(X0, 1, 0, False),
       edges=(Edge("big", (BIG, np.inf, 1, False), float32=True),
              Edge("mixed", (MIXED, 1, 0, False)))),
    Op("norm_at_zero", _grad_of(lambda t, ord: ops.norm(t, ord)),
       lambda a, ord: np.zeros_like(a), zero_norm_cases(), op="norm", grad=False,
       smooth=False, float32=False, fuzz=False, zero_d=(X0 * 0, None)),
    Op("cumsum", ops.cumsum, _running(np.cumsum), running_cases(), cls=ops.Cumsum,
       numpy=np.cumsum, zero_d=(X0, None), empty=(EMPTY, 1),
       bad=(Bad("tuple_axis", lambda: ops.cumsum(T(), (0, 1)), TypeError,
                ("cumsum", "axis", "(0, 1)")),
            Bad("axis", lambda: ops.cumsum(T(), 2), ValueError, ("cumsum", "axis 2", "(2, 3)"))),
       edges=(Edge("big", (BIG, 1), float32=True),)),
    Op("cumprod", ops.cumprod, _running(np.cumprod), running_cases(values=with_zeros),
       cls=ops.Cumprod, numpy=np.cumprod, zero_d=(X0, 0), empty=(EMPTY, 0),
       bad=(Bad("axis", lambda: ops.cumprod(T(), -3), ValueError,
                ("cumprod", "axis -3", "(2, 3)")),),
       edges=(Edge("big_with_zero", (BIG, 1), float32=True),
              Edge("overflow", (_HUGE, None),
                   ("forward", ("cumprod", "overflow", "running products"))))),
    _nongrad("argmax", ops.argmax, _argref(np.argmax), axis_cases(values=distinct, tuples=False),
             numpy=lambda a, axis, keepdims: np.argmax(a, axis=axis, keepdims=keepdims),
             zero_d=(X0, None, False), empty=(EMPTY, 0, False),
             bad=(Bad("empty", lambda: ops.argmax(T((2, 0))), ValueError,
                      ("argmax", "(2, 0)", "empty")),
                  Bad("tuple_axis", lambda: ops.argmax(T(), (0, 1)), TypeError,
                      ("argmax", "axis", "(0, 1)")))),
    _nongrad("argmin", ops.argmin, _argref(np.argmin), axis_cases(values=_boolish,
                                                                  tuples=False),
             numpy=lambda a, axis, keepdims: np.argmin(a, axis=axis, keepdims=keepdims),
             zero_d=(X0, 0, True), empty=(EMPTY, 0, True),
             bad=(Bad("empty", lambda: ops.argmin(T((2, 0)), axis=1), ValueError,
                      ("argmin", "axis 1", "(2, 0)", "empty")),)),
    _nongrad("all", ops.all, _argref(np.all), axis_cases(values=_boolish),
             numpy=lambda a, axis, keepdims: np.all(a, axis=axis, keepdims=keepdims),
             zero_d=(X0, None, False), empty=(EMPTY, 1, False),
             bad=(Bad("axis", lambda: ops.all(T(), 5), ValueError, ("all", "axis 5", "(2, 3)")),
                  Bad("keepdims", lambda: ops.all(T(), 0, None), TypeError,
                      ("all", "keepdims", "None")))),
    _nongrad("any", ops.any, _argref(np.any), axis_cases(values=_boolish),
             numpy=lambda a, axis, keepdims: np.any(a, axis=axis, keepdims=keepdims),
             zero_d=(X0, 0, True), empty=(EMPTY, None, True),
             bad=(Bad("axis", lambda: ops.any(T(), "0"), TypeError, ("any", "axis", "'0'")),)),
    Op("softmax", mg.softmax, np_softmax, softmax_inputs(), cls=ops.Softmax,
       zero_d=(X0, 0), empty=(EMPTY, -1),
       edges=(Edge("mixed", (MIXED, 1), float32=True),
              Edge("axis0", (BIG, 0), float32=True))),
    Op("log_softmax", mg.log_softmax, np_log_softmax, softmax_inputs(), cls=ops.LogSoftmax,
       zero_d=(X0, -1), empty=(EMPTY, 1),
       bad=(Bad("axis", lambda: mg.log_softmax(np.ones((2, 3)), -3), ValueError,
                ("log_softmax", "axis -3", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED, 1), float32=True),)),
]
