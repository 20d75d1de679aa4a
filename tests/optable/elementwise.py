"""Rows: elementwise math."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import ops

from .row import EMPTY, MIXED, TINY, X0, Bad, Edge, Op, one


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ROWS = [
    Op("sigmoid", mg.sigmoid, np_sigmoid, one(min_value=-8, max_value=8), cls=ops.Sigmoid,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("str", lambda: mg.sigmoid("abc"), TypeError, ("sigmoid", "input 0", "str")),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("tanh", mg.tanh, np.tanh, one(), cls=ops.Tanh, numpy=np.tanh, zero_d=(X0,),
       empty=(EMPTY,), edges=(Edge("mixed", (MIXED,)),)),
    Op("relu", mg.relu, lambda a: np.maximum(a, 0), one(exclude_zero_band=0.01),
       cls=ops.ReLU, zero_d=(X0,), empty=(EMPTY,), edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("exp", mg.exp, np.exp, one(), cls=ops.Exp, numpy=np.exp, zero_d=(X0,), empty=(EMPTY,),
       edges=(Edge("to_700", (np.minimum(MIXED, 700.0),)),
              Edge("1000", (MIXED,), ("forward", ("exp", "overflow", "709.783", "float64",
                                                  "1000"))))),
    Op("log", mg.log, np.log, one(min_value=0.2, max_value=5), cls=ops.Log, numpy=np.log,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("none", lambda: mg.log(None), TypeError, ("log", "input 0", "None")),),
       edges=(Edge("tiny", (TINY,)),
              Edge("zero", (np.array([0.0, 1.0]),),
                   ("forward", ("log", "divide by zero", "inputs > 0", "(2,) float64"))),
              Edge("negative", (np.array([-1.0, 1.0]),),
                   ("forward", ("log", "invalid", "inputs > 0", "[-1, 1]"))))),
]
