"""Rows: indexing and selection."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, broadcastable_pairs, shapes

from .row import BIG, EMPTY, MIXED, X0, X1, Bad, Edge, Op


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
def where_inputs(draw):
    a, b = draw(broadcastable_pairs())
    shape = np.broadcast_shapes(a.shape, b.shape)
    cond = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape)
    return cond, a, b


ROWS = [
    Op("getitem", lambda a, i: a[i], lambda a, i: a[i], index_inputs(), cls=ops.GetItem,
       zero_d=(np.array([0.7, 0.2]), 1), empty=(EMPTY, slice(None)),
       bad=(Bad("range", lambda: mg.tensor(np.ones(3))[5], IndexError, ("getitem", "(3,)")),),
       edges=(Edge("repeats", (MIXED, np.array([1, 1, 0]))),)),
    Op("where", mg.where, np.where, where_inputs(), cls=ops.Where, numpy=np.where,
       zero_d=(np.array(True), X0, X1), empty=(np.ones((2, 0), bool), EMPTY, EMPTY),
       bad=(Bad("one_argument", lambda: mg.where(np.ones(3) > 0), TypeError,
                ("where", "condition, x and y")),),
       edges=(Edge("big", (BIG > 0, BIG, MIXED)),)),
]
