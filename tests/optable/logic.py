"""Rows: comparisons, logic and bit operations (no gradient)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.testing import broadcastable_pairs, shapes

from .row import X0, X1, Bad, Op, one


def _ints():
    return hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4).flatmap(
        lambda s: st.tuples(*(hnp.arrays(np.int64, sh, elements=st.integers(0, 7))
                              for sh in s.input_shapes)))


def _bools():
    return hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4).flatmap(
        lambda s: st.tuples(*(hnp.arrays(np.bool_, sh) for sh in s.input_shapes)))


def _row(name, fn, ref, inputs, **kw):
    return Op(name, fn, ref, inputs, grad=False, smooth=False, float32=False, fuzz=False, **kw)


_FLOAT_PAIRS = broadcastable_pairs().map(lambda p: (p[0], np.round(p[1])))  # some equal

ROWS = [
    _row("equal", mg.equal, np.equal, _FLOAT_PAIRS, numpy=np.equal, zero_d=(X0, X0)),
    _row("equal_operator", lambda a, b: a == b, np.equal, _FLOAT_PAIRS, op="equal"),
    _row("not_equal", mg.not_equal, np.not_equal, _FLOAT_PAIRS, numpy=np.not_equal,
         zero_d=(X0, X1)),
    _row("less", mg.less, np.less, _FLOAT_PAIRS, numpy=np.less, zero_d=(X0, X1)),
    _row("less_equal", mg.less_equal, np.less_equal, _FLOAT_PAIRS, numpy=np.less_equal),
    _row("greater", mg.greater, np.greater, _FLOAT_PAIRS, numpy=np.greater),
    _row("greater_equal", mg.greater_equal, np.greater_equal, _FLOAT_PAIRS,
         numpy=np.greater_equal),
    _row("logical_and", mg.logical_and, np.logical_and, _bools(), numpy=np.logical_and),
    _row("logical_or", mg.logical_or, np.logical_or, _bools(), numpy=np.logical_or),
    _row("logical_xor", mg.logical_xor, np.logical_xor, _bools(), numpy=np.logical_xor),
    _row("logical_not", mg.logical_not, np.logical_not,
         hnp.arrays(np.bool_, shapes()).map(lambda a: (a,)), numpy=np.logical_not),
    _row("isfinite", mg.isfinite, np.isfinite, one(), numpy=np.isfinite, zero_d=(X0,)),
    _row("isnan", mg.isnan, np.isnan, one(), numpy=np.isnan),
    _row("isinf", mg.isinf, np.isinf, one(), numpy=np.isinf),
    _row("bitwise_and", mg.bitwise_and, np.bitwise_and, _ints(), numpy=np.bitwise_and,
         bad=(Bad("float", lambda: mg.bitwise_and(np.ones(2), np.ones(2)), TypeError,
                  ("bitwise_and", "(2,) float64")),)),
    _row("bitwise_or", mg.bitwise_or, np.bitwise_or, _ints(), numpy=np.bitwise_or),
    _row("bitwise_xor", mg.bitwise_xor, np.bitwise_xor, _ints(), numpy=np.bitwise_xor),
    _row("invert", mg.invert, np.invert, _ints().map(lambda p: p[:1]), numpy=np.invert),
    _row("left_shift", mg.left_shift, np.left_shift, _ints(), numpy=np.left_shift),
    _row("right_shift", mg.right_shift, np.right_shift, _ints(), numpy=np.right_shift),
]
