"""Rows: arithmetic."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, broadcastable_pairs, shapes

from .row import BIG, EMPTY, MIXED, SIGNED_TINY, TINY, X0, X1, Bad, Edge, Op, T, one


def _apart(pair):
    """Values on two interleaved grids (multiples of 1/4, and those plus 1/8), so a
    pair is never within 1/8 of a tie."""
    a, b = pair
    return np.asarray(np.round(a * 4) / 4), np.asarray(np.round(b * 4) / 4 + 0.125)


APART = broadcastable_pairs().map(_apart)


@st.composite
def quotients(draw, integer=False):
    """(x1, x2) with x2 broadcasting against x1 and x1 / x2 an integer plus a fraction in
    [0.2, 0.8], so floor_divide and remainder are far from their jumps."""
    shape = draw(shapes(min_dims=1))
    sub = tuple(n if draw(st.booleans()) else 1 for n in shape)
    sub = sub[draw(st.integers(0, len(sub))):]
    if integer:
        x2 = draw(hnp.arrays(np.int64, sub, elements=st.integers(1, 5) | st.integers(-5, -1)))
        return draw(hnp.arrays(np.int64, shape, elements=st.integers(-20, 20))), x2
    x2 = draw(arrays(sub, min_value=-2.0, max_value=2.0, exclude_zero_band=0.5))
    k = draw(hnp.arrays(np.float64, shape, elements=st.integers(-3, 3).map(float)))
    frac = draw(arrays(shape, min_value=0.2, max_value=0.8))
    return (k + frac) * x2, x2


@st.composite
def lerp_inputs(draw):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    start, end = (draw(arrays(sh)) for sh in s.input_shapes[:2])
    if draw(st.booleans()):  # a number weight
        return start, end, draw(st.floats(-0.5, 1.5))
    return start, end, draw(arrays(s.input_shapes[2], min_value=-0.5, max_value=1.5))


def np_lerp(start, end, weight):
    return start + weight * (end - start)


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
    Op("maximum", ops.maximum, np.maximum, APART, cls=ops.Maximum, numpy=np.maximum,
       smooth=False, zero_d=(X0, X1), empty=(EMPTY, np.ones(0)),
       bad=(Bad("shapes", lambda: ops.maximum(np.ones((2, 3)), np.ones(4)), ValueError,
                ("maximum", "(2, 3)", "(4,)")),),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("minimum", ops.minimum, np.minimum, APART, cls=ops.Minimum, numpy=np.minimum,
       smooth=False, zero_d=(X0, X1), empty=(EMPTY, np.ones(0)),
       bad=(Bad("str", lambda: ops.minimum(T(), "a"), TypeError, ("minimum", "str")),),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("arctan2", ops.arctan2, np.arctan2, broadcastable_pairs(exclude_zero_band=0.05),
       cls=ops.Arctan2, numpy=np.arctan2, zero_d=(X0, X1), empty=(EMPTY, np.ones(0)),
       bad=(Bad("shapes", lambda: ops.arctan2(T((2, 3)), T((2,))), ValueError,
                ("arctan2", "(2, 3)", "(2,)")),),
       edges=(Edge("big", (BIG, BIG[::-1]), float32=True),
              Edge("tiny", (TINY, SIGNED_TINY)),  # the squares would underflow unscaled
              Edge("origin", (np.zeros(3), np.zeros(3)),
                   ("backward", ("backward of 'arctan2'", "invalid"))))),
    Op("lerp", ops.lerp, np_lerp, lerp_inputs(), cls=ops.Lerp, zero_d=(X0, X1, np.array(0.3)),
       empty=(EMPTY, EMPTY, np.ones(0)),
       bad=(Bad("shapes", lambda: ops.lerp(T((2, 3)), T((3, 2)), 0.5), ValueError,
                ("lerp", "(2, 3)", "(3, 2)")),),
       edges=(Edge("big", (BIG, MIXED, np.full((2, 3), 0.25)), float32=True),
              Edge("ends", (BIG, MIXED, np.array([0.0, 1.0, 0.5])), float32=True))),
    Op("floor_divide", ops.floor_divide, np.floor_divide, quotients(), cls=ops.FloorDivide,
       numpy=np.floor_divide, zero_d=(np.array(7.5), np.array(-2.0)),
       empty=(EMPTY, np.ones(0)),
       bad=(Bad("shapes", lambda: ops.floor_divide(np.ones((2, 3)), np.ones(4)), ValueError,
                ("floor_divide", "(2, 3)", "(4,)")),
            Bad("int_by_zero", lambda: ops.floor_divide(mg.tensor(np.arange(3)), 0),
                FloatingPointError, ("floor_divide", "divide by zero", "nonzero"))),
       edges=(Edge("big", (BIG, TINY)),  # quotients up to 1e303
              Edge("by_zero", (np.ones(2), np.zeros(2)),
                   ("forward", ("floor_divide", "divide by zero", "nonzero"))))),
    Op("floor_divide_int", lambda a, b: ops.floor_divide(mg.tensor(a), b), np.floor_divide,
       quotients(integer=True), op="floor_divide", grad=False, numpy=np.floor_divide,
       zero_d=(np.array(7), np.array(-2)), empty=(np.ones((2, 0), np.int64), np.ones(0, int))),
    Op("remainder", ops.remainder, np.remainder, quotients(), cls=ops.Remainder,
       numpy=np.remainder, zero_d=(np.array(7.5), np.array(-2.0)), empty=(EMPTY, np.ones(0)),
       bad=(Bad("str", lambda: ops.remainder(T(), "abc"), TypeError, ("remainder", "str")),),
       edges=(Edge("big", (BIG, TINY)),  # the gradient for x2, −⌊x1/x2⌋, is −1e303
              Edge("by_zero", (np.ones(2), np.zeros(2)),
                   ("forward", ("remainder", "invalid", "nonzero"))))),
    Op("remainder_int", lambda a, b: ops.remainder(mg.tensor(a), b), np.remainder,
       quotients(integer=True), op="remainder", grad=False, numpy=np.remainder,
       zero_d=(np.array(-7), np.array(3))),
]
