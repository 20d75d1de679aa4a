"""Rows: elementwise math."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays

from .row import BIG, EMPTY, MIXED, SIGNED_TINY, TINY, X0, X1, Bad, Edge, Op, T, one


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_erf(x):
    """erf from Python's math module (the C library's), elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([math.erf(v) for v in x.flat]).reshape(x.shape)


def _ulp(v):
    """The spacing of floats at each |v| (at 0: the smallest subnormal)."""
    return np.spacing(np.abs(v))


def erf_error_in_ulps(x):
    """How far ops.erf is from math.erf on ``x``, in units in the last place of the
    reference: a row whose reference is 0 with tolerance 2 holds it within 2 ulp."""
    ref = np_erf(x.data)
    return (ops.erf(x) - ref) / _ulp(ref)


#: erf's accuracy grid: a fine sweep of [−7, 7] (past 6, where erf rounds to ±1), each
#: interval boundary of the algorithm and its neighbours, and |x| from the smallest
#: subnormal to 1e300 in steps of a factor 10^(1/40), both signs
_EDGES_OF_ERF = np.array([2.0**-28, 0.84375, 1.25, 1 / 0.35, 6.0, 27.0])
_MAGNITUDES = 10.0 ** np.linspace(-323, 300, 24921)
ERF_GRID = np.concatenate([
    np.linspace(-7.0, 7.0, 28001),
    _EDGES_OF_ERF, np.nextafter(_EDGES_OF_ERF, 0), np.nextafter(_EDGES_OF_ERF, 10),
    _MAGNITUDES, -_MAGNITUDES[::7], [0.0, -0.0, 5e-324, -5e-324, np.inf, -np.inf],
])


def steps_apart(period=1.0, offset=0.0, margin=0.02):
    """Single arrays in [−3, 3] at least ``margin`` away from the jumps of a
    piecewise-constant op, at offset + k·period."""

    def push(a):
        jump = offset + np.round((a - offset) / period) * period
        d = a - jump
        return np.where(np.abs(d) < margin, jump + np.where(d < 0, -margin, margin), a)

    return arrays().map(push).map(lambda a: (np.asarray(a),))


def not_numeric(fn, name):
    """The op called on a string: refused, naming the op and the input."""
    return Bad("str", lambda: fn("abc"), TypeError, (name, "input 0", "str"))


def fp_error(phase, name, *words):
    """An edge's expected FloatingPointError: in ``phase``, naming the op."""
    where = name if phase == "forward" else f"backward of '{name}'"
    return (phase, (where, *words))


NEAR_ONE = np.array([-0.9999999999999999, -0.5, -1e-300, 0.0, 0.5, 0.9999999999999999])
AT_ONE = np.array([0.5, 1.0])
BEYOND_ONE = np.array([0.5, -1.5])
TO_700 = np.clip(MIXED, -700.0, 700.0)


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

    # signs and powers
    Op("abs", ops.abs, np.abs, one(exclude_zero_band=0.01), cls=ops.Abs, numpy=np.abs,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.abs, "abs"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("sign", ops.sign, np.sign, one(exclude_zero_band=0.01), cls=ops.Sign, numpy=np.sign,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.sign, "sign"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("sqrt", ops.sqrt, np.sqrt, one(min_value=0.1, max_value=4), cls=ops.Sqrt,
       numpy=np.sqrt, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.sqrt, "sqrt"),),
       edges=(Edge("tiny", (TINY,)),
              Edge("zero", (np.array([0.0, 1.0]),),
                   fp_error("backward", "sqrt", "divide by zero", "(2,) float64 in [0, 1]")),
              Edge("negative", (np.array([-1.0, 1.0]),),
                   fp_error("forward", "sqrt", "invalid", "inputs ≥ 0", "[-1, 1]")))),
    Op("square", ops.square, np.square, one(), cls=ops.Square, numpy=np.square, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.square, "square"),),
       edges=(Edge("big", (BIG,), float32=True),
              Edge("1e200", (np.array([1.0, 1e200]),),
                   fp_error("forward", "square", "overflow", "1.34078e+154")))),
    Op("reciprocal", ops.reciprocal, np.reciprocal, one(exclude_zero_band=0.2),
       cls=ops.Reciprocal, numpy=np.reciprocal, zero_d=(X0,), empty=(EMPTY,),
       bad=(not_numeric(ops.reciprocal, "reciprocal"),),
       edges=(Edge("big", (BIG[:, :2],), float32=True),
              Edge("tiny", (SIGNED_TINY,),
                   fp_error("backward", "reciprocal", "overflow", "(2, 3) float64")),
              Edge("zero", (np.array([0.0, 1.0]),),
                   fp_error("forward", "reciprocal", "divide by zero", "x ≠ 0")))),
    Op("reciprocal_int", ops.reciprocal, lambda a: 1.0 / a,
       st.sampled_from([-4, -3, -2, -1, 1, 2, 3]).map(lambda v: (np.array([v, 2, -3]),)),
       op="reciprocal", grad=False, zero_d=(np.array(2),), fuzz=False),
    # exponentials and logarithms
    Op("expm1", ops.expm1, np.expm1, one(), cls=ops.Expm1, numpy=np.expm1, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.expm1, "expm1"),),
       edges=(Edge("to_700", (TO_700,)), Edge("tiny", (SIGNED_TINY * 1e-3,), float32=True),
              Edge("1000", (MIXED,),
                   fp_error("forward", "expm1", "overflow", "709.783", "float64")))),
    Op("log1p", ops.log1p, np.log1p, one(min_value=-0.9, max_value=3), cls=ops.Log1p,
       numpy=np.log1p, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.log1p, "log1p"),),
       edges=(Edge("near_minus_one", (np.array([-0.9999999999999999, -1e-300, 0.0, 1e-300,
                                                1.0, 1e3]),)),
              Edge("minus_one", (np.array([-1.0, 1.0]),),
                   fp_error("forward", "log1p", "divide by zero", "inputs > −1")),
              Edge("below", (np.array([-2.0, 1.0]),),
                   fp_error("forward", "log1p", "invalid", "inputs > −1", "[-2, 1]")))),
    Op("log2", ops.log2, np.log2, one(min_value=0.2, max_value=5), cls=ops.Log2,
       numpy=np.log2, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.log2, "log2"),),
       edges=(Edge("tiny", (TINY,)),
              Edge("zero", (np.array([0.0, 1.0]),),
                   fp_error("forward", "log2", "divide by zero", "inputs > 0")))),
    Op("log10", ops.log10, np.log10, one(min_value=0.2, max_value=5), cls=ops.Log10,
       numpy=np.log10, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.log10, "log10"),),
       edges=(Edge("tiny", (TINY,)),
              Edge("negative", (np.array([-1.0, 1.0]),),
                   fp_error("forward", "log10", "invalid", "inputs > 0")))),
    Op("exp2", ops.exp2, np.exp2, one(), cls=ops.Exp2, numpy=np.exp2, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.exp2, "exp2"),),
       edges=(Edge("mixed", (MIXED,)), Edge("to_100", (MIXED / 10,), float32=True),
              Edge("1100", (np.array([1.0, 1100.0]),),
                   fp_error("forward", "exp2", "overflow", "above 1024")))),
    # trigonometric
    Op("sin", ops.sin, np.sin, one(), cls=ops.Sin, numpy=np.sin, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.sin, "sin"),),
       edges=(Edge("mixed", (MIXED,), float32=True),
              Edge("inf", (np.array([0.0, np.inf]),),
                   fp_error("forward", "sin", "invalid", "finite inputs")))),
    Op("cos", ops.cos, np.cos, one(), cls=ops.Cos, numpy=np.cos, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.cos, "cos"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("tan", ops.tan, np.tan, one(min_value=-1.4, max_value=1.4), cls=ops.Tan,
       numpy=np.tan, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.tan, "tan"),),
       edges=(Edge("half_pi", (np.array([np.pi / 2, -np.pi / 2, 1e3, -1e-300, 0.0, 700.0]),),
                   float32=True),)),
    Op("arcsin", ops.arcsin, np.arcsin, one(min_value=-0.95, max_value=0.95), cls=ops.Arcsin,
       numpy=np.arcsin, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.arcsin, "arcsin"),),
       edges=(Edge("near_one", (NEAR_ONE,)),
              Edge("one", (AT_ONE,), fp_error("backward", "arcsin", "divide by zero")),
              Edge("beyond", (BEYOND_ONE,),
                   fp_error("forward", "arcsin", "invalid", "[-1, 1]", "[-1.5, 0.5]")))),
    Op("arccos", ops.arccos, np.arccos, one(min_value=-0.95, max_value=0.95), cls=ops.Arccos,
       numpy=np.arccos, zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.arccos, "arccos"),),
       edges=(Edge("near_one", (NEAR_ONE,)),
              Edge("minus_one", (-AT_ONE,), fp_error("backward", "arccos", "divide by zero")),
              Edge("beyond", (BEYOND_ONE,), fp_error("forward", "arccos", "invalid")))),
    Op("arctan", ops.arctan, np.arctan, one(), cls=ops.Arctan, numpy=np.arctan, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.arctan, "arctan"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    # hyperbolic
    Op("sinh", ops.sinh, np.sinh, one(), cls=ops.Sinh, numpy=np.sinh, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.sinh, "sinh"),),
       edges=(Edge("to_700", (TO_700,)), Edge("to_70", (TO_700 / 10,), float32=True),
              Edge("1000", (MIXED,), fp_error("forward", "sinh", "overflow", "710.476")))),
    Op("cosh", ops.cosh, np.cosh, one(), cls=ops.Cosh, numpy=np.cosh, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.cosh, "cosh"),),
       edges=(Edge("to_700", (TO_700,)), Edge("to_70", (TO_700 / 10,), float32=True),
              Edge("1000", (MIXED,),
                   fp_error("forward", "cosh", "overflow", "float64", "710.476")))),
    Op("arcsinh", ops.arcsinh, np.arcsinh, one(), cls=ops.Arcsinh, numpy=np.arcsinh,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.arcsinh, "arcsinh"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("arccosh", ops.arccosh, np.arccosh, one(min_value=1.05, max_value=4), cls=ops.Arccosh,
       numpy=np.arccosh, zero_d=(X1,), empty=(EMPTY,),
       bad=(not_numeric(ops.arccosh, "arccosh"),),
       edges=(Edge("near_one", (np.array([1.0000000000000002, 1.5, 1e3, 1e300]),)),
              Edge("one", (np.array([1.0, 2.0]),),
                   fp_error("backward", "arccosh", "divide by zero")),
              Edge("below", (np.array([0.5, 2.0]),),
                   fp_error("forward", "arccosh", "invalid", "inputs ≥ 1")))),
    Op("arctanh", ops.arctanh, np.arctanh, one(min_value=-0.95, max_value=0.95),
       cls=ops.Arctanh, numpy=np.arctanh, zero_d=(X0,), empty=(EMPTY,),
       bad=(not_numeric(ops.arctanh, "arctanh"),),
       edges=(Edge("near_one", (NEAR_ONE,)),
              Edge("one", (AT_ONE,), fp_error("forward", "arctanh", "divide by zero")),
              Edge("beyond", (BEYOND_ONE,), fp_error("forward", "arctanh", "invalid")))),
    # erf
    Op("erf", ops.erf, np_erf, one(), cls=ops.Erf, zero_d=(X0,), empty=(EMPTY,),
       bad=(not_numeric(ops.erf, "erf"),),
       edges=(Edge("mixed", (MIXED,), float32=True),
              Edge("huge", (np.array([-1e300, -6.0, 6.0, 27.0, 1e150]),)))),
    Op("erf_accuracy", erf_error_in_ulps, lambda a: np.zeros(a.shape), st.just((ERF_GRID,)),
       op="erf", gradcheck=False, smooth=False, float32=False, fuzz=False, tol=2.0,
       zero_d=(X0,)),
    # rounding: piecewise constant, inputs kept away from the jumps
    Op("floor", ops.floor, np.floor, steps_apart(), cls=ops.Floor, numpy=np.floor,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.floor, "floor"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("ceil", ops.ceil, np.ceil, steps_apart(), cls=ops.Ceil, numpy=np.ceil, zero_d=(X0,),
       empty=(EMPTY,), bad=(not_numeric(ops.ceil, "ceil"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("trunc", ops.trunc, np.trunc, steps_apart(), cls=ops.Trunc, numpy=np.trunc,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.trunc, "trunc"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    # numpy's other names for trunc and round: only the dispatch is new (the op's
    # gradients are checked in its own row)
    Op("trunc_fix", ops.trunc, np.trunc, steps_apart(), op="trunc", cls=ops.Trunc,
       numpy=np.fix, zero_d=(X0,), gradcheck=False, smooth=False, float32=False, fuzz=False),
    Op("round", ops.round, np.round, steps_apart(offset=0.5), cls=ops.Round, numpy=np.round,
       zero_d=(X0,), empty=(EMPTY,), bad=(not_numeric(ops.round, "round"),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("round_decimals", lambda a: ops.round(a, decimals=1), lambda a: np.around(a, 1),
       steps_apart(period=0.1, offset=0.05, margin=0.01), op="round", cls=ops.Round,
       numpy=lambda a: np.around(a, decimals=1), zero_d=(X0,),
       bad=(Bad("float_decimals", lambda: ops.round(T(), 1.5), TypeError,
                ("round", "decimals", "1.5", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED,), float32=True),)),
    Op("round_negative_decimals", lambda a: ops.round(a, -1), lambda a: np.round(a, -1),
       arrays(min_value=-30, max_value=30).map(  # tens plus 3: away from the jumps at 5
           lambda a: (np.asarray(np.round(a / 10) * 10 + 3.0),)),
       op="round", cls=ops.Round, zero_d=(X0,), fuzz=False),
    Op("round_rint", ops.round, np.rint, steps_apart(offset=0.5), op="round", cls=ops.Round,
       numpy=np.rint, zero_d=(X0,), gradcheck=False, smooth=False, float32=False, fuzz=False),
]
