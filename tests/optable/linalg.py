"""Rows: products."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, matmul_pairs

from .row import BIG, Bad, Edge, Op


@st.composite
def add_bias_inputs(draw):
    b, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    bias_shape = draw(st.sampled_from([(k,), (1, k)]))
    return draw(arrays(shape=(b, k))), draw(arrays(shape=bias_shape))


@st.composite
def vector_matmul_inputs(draw):
    """matmul with a 1-D operand on one side or both, numpy's vector rules."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    kind = draw(st.sampled_from(["vv", "vm", "mv"]))
    if kind == "vv":
        return draw(arrays(shape=(n,))), draw(arrays(shape=(n,)))
    if kind == "vm":
        return draw(arrays(shape=(n,))), draw(arrays(shape=batch + (n, m)))
    return draw(arrays(shape=batch + (m, n))), draw(arrays(shape=(n,)))


ROWS = [
    Op("matmul", lambda a, b: a @ b, np.matmul, matmul_pairs(), cls=ops.Matmul,
       numpy=np.matmul, zero_d=(np.ones((1, 1)) * 0.5, np.ones((1, 1)) * 2.0),
       empty=(np.ones((0, 2)), np.ones((2, 3))),
       bad=(Bad("inner", lambda: mg.matmul(np.ones((3, 4)), np.ones((5, 2))), ValueError,
                ("matmul", "(3, 4)", "(5, 2)")),
            Bad("batch", lambda: mg.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 2))), ValueError,
                ("matmul", "(2,)", "(3,)")),
            Bad("scalar", lambda: mg.matmul(np.ones(()), np.ones(3)), ValueError,
                ("matmul", "()", "(3,)")),
            Bad("str", lambda: mg.matmul(np.ones((2, 2)), "ab"), TypeError,
                ("matmul", "input 1", "str", "ndarray (2, 2) float64"))),
       edges=(Edge("big", (BIG, BIG.T), float32=True),)),
    Op("matmul_vector", lambda a, b: a @ b, np.matmul, vector_matmul_inputs(), op="matmul",
       cls=ops.Matmul, zero_d=(np.ones(1) * 0.5, np.ones(1) * 2.0),
       bad=(Bad("vector", lambda: mg.matmul(np.ones(3), np.ones((4, 2))), ValueError,
                ("matmul", "(3,)", "(4, 2)")),)),
    Op("add_bias", mg.add_bias, np.add, add_bias_inputs(), cls=ops.AddBias,
       zero_d=(np.ones((1, 1)) * 0.5, np.ones(1) * 2.0),
       bad=(Bad("bias", lambda: mg.add_bias(np.ones((4, 3)), np.ones(4)), ValueError,
                ("add_bias", "(4,)", "(3,)", "(1, 3)")),
            Bad("column", lambda: mg.add_bias(np.ones((4, 3)), np.ones((4, 1))), ValueError,
                ("add_bias", "(4, 1)")),
            Bad("1d", lambda: mg.add_bias(np.ones(3), np.ones(3)), ValueError,
                ("add_bias", "(3,)"))),
       edges=(Edge("big", (BIG, np.array([1e3, -1e3, 1e-300]))),)),
]
