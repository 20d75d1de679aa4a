"""Rows: reductions and ops along an axis."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, shapes

from .row import BIG, EMPTY, MIXED, X0, Bad, Edge, Op


@st.composite
def axis_cases(draw, min_dims=0):
    """(array, axis, keepdims) with axis None, an int (maybe negative) or a tuple."""
    a = draw(arrays(shape=shapes(min_dims=min_dims)))
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none" or a.ndim == 0:
        axis = None if choice == "none" or a.ndim else draw(st.sampled_from([0, -1]))
    elif choice == "int":
        axis = draw(st.integers(-a.ndim, a.ndim - 1))
    else:
        axis = tuple(draw(st.sets(st.integers(0, a.ndim - 1), min_size=1)))
    return a, axis, draw(st.booleans())


@st.composite
def softmax_inputs(draw):
    a = draw(arrays(shape=shapes(min_dims=1), min_value=-5, max_value=5))
    return a, draw(st.integers(-a.ndim, a.ndim - 1))


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


def _numpy_axis(a, axis, keepdims):
    """numpy's view of a 0-d array's axis 0 / -1: no axis."""
    return None if np.ndim(a) == 0 else axis


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
