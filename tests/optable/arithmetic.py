"""Rows: arithmetic."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, broadcastable_pairs, shapes

from .row import BIG, MIXED, SIGNED_TINY, TINY, X0, X1, Bad, Edge, Op, T, one

ROWS = [
    Op("add", lambda a, b: a + b, np.add, broadcastable_pairs(), cls=ops.Add, numpy=np.add,
       zero_d=(X0, X1), empty=(np.ones((2, 0)), np.ones(0)),
       bad=(Bad("shapes", lambda: mg.add(np.ones((2, 3)), np.ones(4)), ValueError,
                ("add", "(2, 3)", "(4,)")),
            Bad("str", lambda: T() + "abc", TypeError,
                ("add", "input 1", "str", "'abc'", "Tensor (2, 3) float64"))),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("sub", lambda a, b: a - b, np.subtract, broadcastable_pairs(), cls=ops.Sub,
       numpy=np.subtract, zero_d=(X0, X1), edges=(Edge("big", (BIG, MIXED)),)),
    Op("mul", lambda a, b: a * b, np.multiply, broadcastable_pairs(), cls=ops.Mul,
       numpy=np.multiply, zero_d=(X0, X1),
       bad=(Bad("shapes", lambda: mg.tensor(np.ones((2, 3))) * np.ones((3, 2)), ValueError,
                ("mul", "(2, 3)", "(3, 2)")),),
       edges=(Edge("big", (BIG, MIXED), float32=True),
              Edge("tiny", (TINY, SIGNED_TINY)))),  # products underflow to 0
    Op("div", lambda a, b: a / b, np.divide,
       broadcastable_pairs(exclude_zero_band=0.5), cls=ops.Div, numpy=np.divide,
       zero_d=(X0, X1),
       edges=(Edge("big", (BIG, BIG[::-1] + 2000.0)),
              Edge("by_tiny_constant", (BIG, TINY), const=(1,)),
              Edge("by_tiny", (BIG, TINY),
                   ("backward", ("backward of 'div'", "overflow", "float64", "1e-300"))))),
    Op("neg", lambda a: -a, np.negative, one(), cls=ops.Neg, numpy=np.negative, zero_d=(X0,),
       edges=(Edge("mixed", (MIXED,)),)),
    Op("add_scalar", lambda a: a + 2.5, lambda a: a + 2.5, one(), op="add", cls=ops.AddScalar,
       zero_d=(X0,), edges=(Edge("big", (BIG,)),)),
    Op("radd_scalar", lambda a: 3 + a, lambda a: 3 + a, one(), op="add", cls=ops.AddScalar,
       zero_d=(X0,)),
    Op("sub_scalar", lambda a: a - 1.5, lambda a: a - 1.5, one(), op="sub", cls=ops.AddScalar,
       zero_d=(X0,)),
    Op("rsub_scalar", lambda a: 2.5 - a, lambda a: 2.5 - a, one(), op="sub",
       cls=ops.RSubScalar, zero_d=(X0,), edges=(Edge("big", (BIG,)),)),
    Op("mul_scalar", lambda a: a * -1.5, lambda a: a * -1.5, one(), op="mul",
       cls=ops.MulScalar, zero_d=(X0,), edges=(Edge("big", (BIG,)),)),
    Op("rmul_scalar", lambda a: 2 * a, lambda a: 2 * a, one(), op="mul", cls=ops.MulScalar,
       zero_d=(X0,)),
    Op("div_scalar", lambda a: a / 3.0, lambda a: a / 3.0, one(), op="div", cls=ops.DivScalar,
       zero_d=(X0,), edges=(Edge("by_tiny", (BIG * 1e-3,)),)),
    Op("rdiv_scalar", lambda a: 2.0 / a, lambda a: 2.0 / a, one(exclude_zero_band=0.5),
       op="div", cls=ops.RDivScalar, zero_d=(X0,),
       edges=(Edge("big", (BIG[:, :2],)),
              Edge("tiny", (TINY,), ("backward", ("backward of 'div'", "(2, 3) float64",
                                                  "1e-300"))))),
    Op("pow_2", lambda a: a**2, lambda a: a**2, one(), op="pow", cls=ops.Pow, zero_d=(X0,),
       edges=(Edge("big", (BIG,)),)),
    Op("pow_3", lambda a: a**3, lambda a: a**3, one(), op="pow", cls=ops.Pow, zero_d=(X0,),
       edges=(Edge("big", (BIG,)),)),
    Op("pow_half", lambda a: a**0.5, np.sqrt, one(min_value=0.3, max_value=4), op="pow",
       cls=ops.Pow, zero_d=(X0,), edges=(Edge("tiny", (TINY,)),)),
    Op("pow_neg", lambda a: mg.pow(a, -1), lambda a: 1 / a, one(exclude_zero_band=0.5),
       op="pow", cls=ops.Pow, zero_d=(X0,),
       edges=(Edge("big", (BIG[:, :2],)),
              Edge("tiny", (TINY,), ("backward", ("backward of 'pow'", "overflow",
                                                  "1e-300"))))),
    Op("pow_tensor", lambda a, b: a**b, np.power,
       broadcastable_pairs(min_value=0.3, max_value=2.5), op="pow", cls=ops.PowTensor,
       numpy=np.power, zero_d=(X0, X1)),
    Op("pow_number_base", lambda a: 2.0**a, lambda a: 2.0**a, one(), op="pow", cls=ops.RPow,
       zero_d=(X0,),
       bad=(Bad("negative_base", lambda: (-2.0) ** T(), ValueError, ("pow", "positive")),)),
    Op("pow_array_exponent", lambda a: mg.pow(a, np.array([1.0, 2.0, 3.0])),
       lambda a: a ** np.array([1.0, 2.0, 3.0]),
       arrays(shape=shapes(min_dims=1).map(lambda s: s[:-1] + (3,)), min_value=0.3,
              max_value=3).map(lambda a: (a,)), op="pow", cls=ops.PowTensor, float32=False,
       bad=(Bad("str_exponent", lambda: mg.pow(T(), "2"), TypeError, ("pow", "exponent")),)),
]
