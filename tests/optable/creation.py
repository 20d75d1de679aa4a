"""Rows: creation. Every result is a new leaf with no gradient to give, so the rows are
``grad=False``: value, shape and dtype against numpy's own function (for the random
ones, numpy's ``default_rng(seed)`` with the same seed). Moments, ranges and
generators are checked in tests/test_creation.py."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minigrad import ops
from minigrad.testing import arrays, shapes

from .row import X0, Bad, Op, T

DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.bool_])
FLOATS = st.sampled_from([np.float64, np.float32])
SHAPES = shapes(max_dims=3, min_side=0, max_side=4)
SEEDS = st.integers(0, 2**32 - 1)


def _row(name, fn, ref, inputs, **kw):
    return Op(name, fn, ref, inputs, grad=False, smooth=False, float32=False, fuzz=False, **kw)


@st.composite
def like_inputs(draw):
    """(a, dtype): a float, integer or bool array, and a dtype or None (a's)."""
    kind = draw(st.sampled_from(["float", "int", "bool"]))
    if kind == "float":
        a = draw(arrays(shape=SHAPES))
    else:
        a = np.asarray(draw(arrays(shape=SHAPES)).round()).astype(
            np.int64 if kind == "int" else bool)
    return a, draw(st.one_of(st.none(), DTYPES))


@st.composite
def full_inputs(draw):
    fill = draw(st.one_of(st.integers(-5, 5), st.floats(-5, 5), st.booleans()))
    return draw(SHAPES), fill, draw(st.one_of(st.none(), DTYPES))


@st.composite
def arange_inputs(draw):
    number = st.one_of(st.integers(-5, 5), st.floats(-5, 5).map(lambda v: round(v, 2)))
    step = st.one_of(st.integers(-3, 3), st.floats(-2, 2).map(lambda v: round(v, 2))) \
        .filter(lambda v: abs(v) >= 0.25)
    return draw(number), draw(number), draw(step)


@st.composite
def linspace_inputs(draw):
    return (draw(st.floats(-5, 5)), draw(st.floats(-5, 5)), draw(st.integers(0, 6)),
            draw(st.booleans()), draw(st.one_of(st.none(), FLOATS)))


@st.composite
def eye_inputs(draw):
    return (draw(st.integers(0, 4)), draw(st.one_of(st.none(), st.integers(0, 4))),
            draw(st.integers(-3, 3)), draw(st.one_of(st.none(), DTYPES)))


def _like_ref(np_fn):
    def ref(a, dtype):
        return np_fn(a, dtype=dtype)
    return ref


def _linspace(fn):
    def call(start, stop, num, endpoint, dtype):
        return fn(start, stop, num, endpoint, dtype=dtype)
    return call


def _np_float(shape, seed, dtype, method):
    return getattr(np.random.default_rng(seed), method)(shape, dtype=dtype)


ROWS = [
    _row("zeros", ops.zeros, np.zeros, st.tuples(SHAPES, DTYPES), zero_d=((), np.float64),
         empty=((2, 0), np.float32),
         bad=(Bad("requires_grad", lambda: ops.zeros(3, np.int64, requires_grad=True),
                  TypeError, ("zeros", "requires_grad", "int64", "floating-point")),
              Bad("negative", lambda: ops.zeros((2, -1)), ValueError,
                  ("zeros", "(2, -1)", "negative")),
              Bad("shape", lambda: ops.zeros(2.5), TypeError, ("zeros", "shape", "2.5")),
              Bad("complex", lambda: ops.zeros(2, complex), TypeError,
                  ("zeros", "complex128", "not supported")))),
    _row("ones", ops.ones, np.ones, st.tuples(SHAPES, DTYPES), zero_d=((), np.int64),
         empty=((0,), np.float64),
         bad=(Bad("requires_grad", lambda: ops.ones(2, bool, requires_grad=True), TypeError,
                  ("ones", "requires_grad", "bool")),)),
    _row("full", ops.full, np.full, full_inputs(), zero_d=((), 2.5, None),
         empty=((0, 3), 1.0, None),
         bad=(Bad("tensor", lambda: ops.full(3, T((1,))), TypeError,
                  ("full", "fill_value", "requires grad", "(1,)")),
              Bad("broadcast", lambda: ops.full((2, 3), np.ones(2)), ValueError,
                  ("full", "(2, 3)", "(2,)")))),
    _row("empty", ops.empty, np.zeros, st.tuples(SHAPES, DTYPES), zero_d=((), np.float32),
         empty=((2, 0), np.float64),
         bad=(Bad("negative", lambda: ops.empty(-1), ValueError,
                  ("empty", "(-1,)", "negative")),)),
    _row("zeros_like", ops.zeros_like, _like_ref(np.zeros_like), like_inputs(),
         numpy=np.zeros_like, zero_d=(X0, None), empty=(np.ones((2, 0)), None),
         bad=(Bad("requires_grad", lambda: ops.zeros_like(np.ones(2, int), requires_grad=True),
                  TypeError, ("zeros_like", "requires_grad", "int64")),)),
    _row("ones_like", ops.ones_like, _like_ref(np.ones_like), like_inputs(),
         numpy=np.ones_like, zero_d=(X0, np.float32), empty=(np.ones((0,)), None),
         bad=(Bad("dtype", lambda: ops.ones_like(np.ones(2), "U3"), TypeError,
                  ("ones_like", "<U3", "not supported")),)),
    _row("full_like", lambda a, dtype: ops.full_like(a, 1.5, dtype),
         lambda a, dtype: np.full_like(a, 1.5, dtype=dtype), like_inputs(),
         op="full_like", numpy=lambda a, dtype: np.full_like(a, 1.5, dtype),
         zero_d=(X0, None), empty=(np.ones((2, 0)), np.int32),
         bad=(Bad("tensor", lambda: ops.full_like(np.ones(2), T((2,))), TypeError,
                  ("full_like", "fill_value", "requires grad")),)),
    _row("empty_like", ops.empty_like, _like_ref(np.zeros_like), like_inputs(),
         numpy=np.empty_like, zero_d=(X0, None), empty=(np.ones((0, 2)), None),
         bad=(Bad("shape", lambda: ops.empty_like(np.ones(2), shape=(-2,)), ValueError,
                  ("empty_like", "(-2,)", "negative")),)),
    _row("arange", ops.arange, np.arange, arange_inputs(), zero_d=(1,), empty=(3, 1, 1),
         bad=(Bad("step", lambda: ops.arange(0, 3, 0), ValueError, ("arange", "step", "0")),
              Bad("start", lambda: ops.arange(np.ones(2), 3), TypeError,
                  ("arange", "start", "real number")))),
    _row("arange_stop", lambda n, dtype: ops.arange(n, dtype=dtype),
         lambda n, dtype: np.arange(n, dtype=dtype),
         st.tuples(st.integers(0, 6), st.sampled_from([None, np.float32, np.int32])),
         op="arange", zero_d=(1, None)),
    _row("linspace", _linspace(ops.linspace), _linspace(np.linspace), linspace_inputs(),
         op="linspace", zero_d=(0.0, 1.0, 1, True, None), empty=(0.0, 1.0, 0, True, None),
         bad=(Bad("num", lambda: ops.linspace(0, 1, -1), ValueError,
                  ("linspace", "-1", "num=-1")),
              Bad("num_type", lambda: ops.linspace(0, 1, 2.5), TypeError,
                  ("linspace", "num", "2.5")))),
    _row("eye", ops.eye, np.eye, eye_inputs(), zero_d=(1,), empty=(0,),
         bad=(Bad("N", lambda: ops.eye(2.5), TypeError, ("eye", "N", "2.5")),
              Bad("k", lambda: ops.eye(2, k=0.5), TypeError, ("eye", "k", "0.5")))),
    _row("rand", lambda shape, seed, dtype: ops.rand(shape, rng=seed, dtype=dtype),
         lambda shape, seed, dtype: _np_float(shape, seed, dtype, "random"),
         st.tuples(SHAPES, SEEDS, FLOATS), op="rand", zero_d=((), 0, np.float64),
         empty=((0, 2), 1, np.float32),
         bad=(Bad("rng", lambda: ops.rand(2, rng="seed"), TypeError,
                  ("rand", "rng", "Generator", "str")),
              Bad("dtype", lambda: ops.rand(2, dtype=np.int64), TypeError,
                  ("rand", "int64", "floating-point", "randint")),
              Bad("legacy", lambda: ops.rand(2, rng=np.random.RandomState(0)), TypeError,
                  ("rand", "RandomState", "default_rng")))),
    _row("randn", lambda shape, seed, dtype: ops.randn(shape, rng=seed, dtype=dtype),
         lambda shape, seed, dtype: _np_float(shape, seed, dtype, "standard_normal"),
         st.tuples(SHAPES, SEEDS, FLOATS), op="randn", zero_d=((), 0, np.float32),
         empty=((0,), 1, np.float64),
         bad=(Bad("seed", lambda: ops.randn(2, rng=-1), ValueError,
                  ("randn", "seed", "non-negative", "-1")),)),
    _row("randint", lambda low, high, size, seed: ops.randint(low, high, size, rng=seed),
         lambda low, high, size, seed: np.random.default_rng(seed).integers(low, high, size),
         st.tuples(st.integers(-5, 0), st.integers(1, 6), SHAPES, SEEDS), op="randint",
         zero_d=(0, 3, (), 0), empty=(0, 3, (0, 2), 0),
         bad=(Bad("range", lambda: ops.randint(5, 2), ValueError,
                  ("randint", "low=5", "high=2")),
              Bad("requires_grad", lambda: ops.randint(5, requires_grad=True), TypeError,
                  ("randint", "requires_grad", "int64")),
              Bad("dtype", lambda: ops.randint(5, dtype=np.float32), TypeError,
                  ("randint", "float32", "integer")))),
    _row("normal", lambda loc, scale, size, seed: ops.normal(loc, scale, size, rng=seed),
         lambda loc, scale, size, seed: np.random.default_rng(seed).normal(loc, scale, size),
         st.tuples(st.floats(-5, 5), st.floats(0, 3), SHAPES, SEEDS), op="normal",
         zero_d=(0.0, 1.0, (), 0), empty=(0.0, 1.0, (2, 0), 0),
         bad=(Bad("scale", lambda: ops.normal(0.0, -1.0, 3), ValueError,
                  ("normal", "scale < 0", "size (3,)")),
              Bad("dtype", lambda: ops.normal(size=2, dtype=bool), TypeError,
                  ("normal", "bool", "floating-point")))),
    _row("uniform", lambda low, high, size, seed: ops.uniform(low, high, size, rng=seed),
         lambda low, high, size, seed: np.random.default_rng(seed).uniform(low, high, size),
         st.tuples(st.floats(-5, 0), st.floats(0, 5), SHAPES, SEEDS), op="uniform",
         zero_d=(0.0, 1.0, (), 0), empty=(0.0, 1.0, (0,), 0),
         bad=(Bad("range", lambda: ops.uniform(-1e308, 1e308, 2), ValueError,
                  ("uniform", "range", "size (2,)")),)),
]
