"""Rows: shape ops."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, shapes

from .row import BIG, EMPTY, MIXED, X0, Bad, Edge, Op, one


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


ROWS = [
    Op("reshape", mg.reshape, np.reshape, reshape_inputs(), cls=ops.Reshape, numpy=np.reshape,
       zero_d=(X0, (1,)), empty=(EMPTY, (0, 2)),
       bad=(Bad("size", lambda: mg.reshape(np.ones((2, 3)), (4, 2)), ValueError,
                ("reshape", "(2, 3)", "(4, 2)")),),
       edges=(Edge("mixed", (MIXED, (3, 2))),)),
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
]
