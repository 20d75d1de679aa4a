"""Rows: losses."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays

from .reduce import np_log_softmax
from .row import BIG, MIXED, X0, X1, Bad, Edge, Op, T, pair


@st.composite
def ce_inputs(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    logits = draw(arrays(shape=(n, c)))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return logits, labels


def np_cross_entropy(x, y):
    return -np.mean(np_log_softmax(x, 1)[np.arange(len(y)), y])


ROWS = [
    Op("mse_mean", mg.mse, lambda p, t: np.mean((p - t) ** 2), pair(), op="mse", cls=ops.MSE,
       zero_d=(X0, X1),
       bad=(Bad("shapes", lambda: mg.mse(np.ones((4, 1)), np.ones(4)), ValueError,
                ("mse", "(4, 1)", "(4,)")),
            Bad("reduction", lambda: mg.mse(np.ones(4), np.ones(4), reduction="max"),
                ValueError, ("mse", "reduction")),
            Bad("empty", lambda: mg.mse(np.ones(0), np.ones(0)), ValueError,
                ("mse", "(0,)", "empty")),
            Bad("str_target", lambda: mg.mse(T(), "ab"), TypeError, ("mse", "str"))),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("mse_sum", lambda p, t: mg.mse(p, t, reduction="sum"),
       lambda p, t: np.sum((p - t) ** 2), pair(), op="mse", cls=ops.MSE, zero_d=(X0, X1),
       empty=(np.ones(0), np.ones(0)), edges=(Edge("big", (BIG, -BIG)),)),
    Op("cross_entropy", mg.cross_entropy, np_cross_entropy, ce_inputs(), cls=ops.CrossEntropy,
       zero_d=(np.array([[0.3, 0.1]]), np.array([1])),
       bad=(Bad("labels", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 3]), ValueError,
                ("cross_entropy", "[0, 3)")),
            Bad("label_shape", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 1, 2]),
                ValueError, ("cross_entropy", "(2,)", "(3,)")),
            Bad("float_labels", lambda: mg.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
                TypeError, ("cross_entropy", "float64")),
            Bad("empty", lambda: mg.cross_entropy(np.ones((0, 3)), np.zeros(0, dtype=int)),
                ValueError, ("cross_entropy", "(0, 3)", "empty"))),
       edges=(Edge("mixed", (MIXED, np.array([0, 1])), float32=True),
              Edge("worst", (BIG, np.array([2, 0])), float32=True))),
]
