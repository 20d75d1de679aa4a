"""Rows: activation functions.

References are PyTorch's definitions written plainly in numpy (math.erf for GELU), not
the stable forms the ops use. Rows with ``smooth=False`` are the piecewise linear ops,
whose second derivative is 0 wherever it exists. Every other row checks second order,
with its inputs kept 0.01 away from the points where a derivative jumps (0 for
elu/selu/celu/softsign, ±3 for hardswish, the threshold for softplus).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from minigrad import ops
from minigrad.testing import arrays

from .row import EMPTY, MIXED, X0, Bad, Edge, Op, T, one

# beyond ±1000: finite in float32 too, and float64's largest values
HUGE = np.array([[-3e38, -1e30, -1e10], [1e10, 1e30, 3e38]])
FMAX = np.array([[-1.7e308, -1e200, -1e20], [1e20, 1e200, 1.7e308]])


def away(a, points, d=0.01):
    """``a`` with values closer than ``d`` to any of ``points`` pushed out to distance d."""
    for p in points:
        a = np.where(np.abs(a - p) < d, np.where(a < p, p - d, p + d), a)
    return a


def kinked(points, lo, hi):
    """Single arrays in [lo, hi] that keep 0.01 away from the kinks at ``points``."""
    return arrays(min_value=lo, max_value=hi).map(lambda a: (away(a, points),))


def with_param(values, **kw):
    """(array, p) with p drawn from ``values``."""
    return st.tuples(arrays(**kw), st.sampled_from(values))


# --------------------------------------------------------------------------- references

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_erf = np.frompyfunc(math.erf, 1, 1)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def np_celu(x, alpha):
    return np.maximum(0, x) + np.minimum(0, alpha * (np.exp(x / alpha) - 1))


def np_gelu(x):
    return x * 0.5 * (1 + np.asarray(_erf(x / math.sqrt(2)), dtype=np.float64))


def np_gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def np_softplus(x, beta, threshold):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


def np_hardtanh(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)


def np_hardsigmoid(x):
    return np.minimum(np.maximum(x + 3, 0), 6) / 6


# --------------------------------------------------------------------------- strategies


def softplus_threshold():
    """(x, beta, threshold = 1) with βx kept 0.01·|β| away from the threshold."""
    return st.sampled_from([1.0, 2.0, -1.5]).flatmap(
        lambda b: arrays(min_value=-3, max_value=3).map(lambda a: (away(a, [1.0 / b]), b, 1.0)))


def hardtanh_inputs():
    return st.sampled_from([(-1.0, 1.0), (-0.5, 2.0), (0.0, 6.0)]).flatmap(
        lambda b: arrays(min_value=-8, max_value=8).map(lambda a: (away(a, b), *b)))


ROWS = [
    Op("logsigmoid", ops.logsigmoid, lambda x: -np.logaddexp(0, -x),
       one(min_value=-8, max_value=8), cls=ops.LogSigmoid, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("str", lambda: ops.logsigmoid("abc"), TypeError,
                ("logsigmoid", "input 0", "str")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("leaky_relu", lambda x, s: ops.leaky_relu(x, s), lambda x, s: np.where(x > 0, x, x * s),
       with_param([0.01, 0.2, -0.5, 1.5], exclude_zero_band=0.01), cls=ops.LeakyReLU,
       smooth=False, zero_d=(X0, 0.01), empty=(EMPTY, 0.01),
       bad=(Bad("slope", lambda: ops.leaky_relu(T(), negative_slope="a"), TypeError,
                ("leaky_relu", "negative_slope", "str", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED, 0.01), float32=True), Edge("max", (FMAX, 0.2)))),
    Op("elu", lambda x, a: ops.elu(x, a), np_elu,
       with_param([1.0, 0.5, 2.0], exclude_zero_band=0.01), cls=ops.ELU,
       zero_d=(X0, 1.0), empty=(EMPTY, 1.0),
       bad=(Bad("alpha", lambda: ops.elu(T(), alpha=None), TypeError,
                ("elu", "alpha", "NoneType", "(2, 3)")),
            Bad("inf", lambda: ops.elu(T(), alpha=float("inf")), ValueError,
                ("elu", "alpha", "finite", "inf"))),
       edges=(Edge("mixed", (MIXED, 1.0), float32=True), Edge("huge", (HUGE, 2.0), float32=True),
              Edge("max", (FMAX, 1.0)))),
    Op("selu", ops.selu, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA),
       one(exclude_zero_band=0.01), cls=ops.SELU, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("none", lambda: ops.selu(None), TypeError, ("selu", "input 0", "None")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX * 0.58,)),
              Edge("past_max", (np.array([-1.0, 1.75e308]),),
                   ("forward", ("selu", "overflow", "λ·x", "1.71e308", "float64"))))),
    Op("celu", lambda x, a: ops.celu(x, a), np_celu,
       with_param([1.0, 0.5, 2.5], exclude_zero_band=0.01), cls=ops.CELU,
       zero_d=(X0, 1.0), empty=(EMPTY, 0.5),
       bad=(Bad("zero", lambda: ops.celu(T(), 0), ValueError, ("celu", "alpha", "0", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED, 1.0), float32=True), Edge("huge", (HUGE, 0.5), float32=True),
              Edge("max", (FMAX, 0.5)))),
    # erf to float64 accuracy: the reference uses math.erf, at a tolerance of 1e-15
    Op("gelu", ops.gelu, np_gelu, one(min_value=-8, max_value=8), cls=ops.GELU, tol=1e-15,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("approximate", lambda: ops.gelu(T(), approximate="erf"), ValueError,
                ("gelu", "approximate", "'erf'", "'none'", "'tanh'", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("gelu_tanh", lambda x: ops.gelu(x, approximate="tanh"), np_gelu_tanh,
       one(min_value=-6, max_value=6), op="gelu", cls=ops.GELU, zero_d=(X0,), empty=(EMPTY,),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("silu", ops.silu, lambda x: x / (1 + np.exp(-x)), one(min_value=-8, max_value=8),
       cls=ops.SiLU, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("str", lambda: ops.silu("abc"), TypeError, ("silu", "input 0", "str")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("mish", ops.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))),
       one(min_value=-8, max_value=8), cls=ops.Mish, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("none", lambda: ops.mish(None), TypeError, ("mish", "input 0", "None")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("softplus", lambda x, b: ops.softplus(x, b), lambda x, b: np_softplus(x, b, 20.0),
       with_param([1.0, 0.5, 2.0, -1.5], min_value=-5, max_value=5), cls=ops.Softplus,
       zero_d=(X0, 1.0), empty=(EMPTY, 1.0),
       bad=(Bad("beta", lambda: ops.softplus(T(), beta=0), ValueError,
                ("softplus", "beta", "nonzero", "(2, 3)")),
            Bad("threshold", lambda: ops.softplus(T(), threshold="x"), TypeError,
                ("softplus", "threshold", "str"))),
       edges=(Edge("mixed", (MIXED, 1.0), float32=True), Edge("huge", (HUGE, 2.0), float32=True),
              Edge("max", (FMAX, 2.0)), Edge("negative_beta", (FMAX, -0.5)))),
    Op("softplus_threshold", lambda x, b, t: ops.softplus(x, b, t), np_softplus,
       softplus_threshold(), op="softplus", cls=ops.Softplus, zero_d=(X0, 1.0, 1.0),
       edges=(Edge("mixed", (MIXED, 1.0, 1.0), float32=True),
              Edge("no_threshold", (FMAX, 1.0, float("inf"))))),
    Op("softsign", ops.softsign, lambda x: x / (1 + np.abs(x)),
       one(min_value=-5, max_value=5, exclude_zero_band=0.01), cls=ops.Softsign,
       zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("str", lambda: ops.softsign("abc"), TypeError, ("softsign", "input 0", "str")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("max", (FMAX,)))),
    Op("hardtanh", lambda x, lo, hi: ops.hardtanh(x, lo, hi), np_hardtanh, hardtanh_inputs(),
       cls=ops.Hardtanh, smooth=False, zero_d=(X0, -1.0, 1.0), empty=(EMPTY, -1.0, 1.0),
       bad=(Bad("bounds", lambda: ops.hardtanh(T(), 2.0, 1.0), ValueError,
                ("hardtanh", "min_val", "max_val", "(2, 3)")),),
       edges=(Edge("mixed", (MIXED, -1.0, 1.0), float32=True),
              Edge("max", (FMAX, -1e300, 1e300)))),
    Op("hardsigmoid", ops.hardsigmoid, np_hardsigmoid, kinked([-3.0, 3.0], -5, 5),
       cls=ops.Hardsigmoid, smooth=False, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("none", lambda: ops.hardsigmoid(None), TypeError,
                ("hardsigmoid", "input 0", "None")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("max", (FMAX,)))),
    Op("hardswish", ops.hardswish, lambda x: x * np_hardsigmoid(x), kinked([-3.0, 3.0], -5, 5),
       cls=ops.Hardswish, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("str", lambda: ops.hardswish("abc"), TypeError,
                ("hardswish", "input 0", "str")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("huge", (HUGE,), float32=True),
              Edge("max", (FMAX,)))),
    Op("relu6", ops.relu6, lambda x: np_hardtanh(x, 0, 6), kinked([0.0, 6.0], -3, 9),
       cls=ops.ReLU6, smooth=False, zero_d=(X0,), empty=(EMPTY,),
       bad=(Bad("none", lambda: ops.relu6(None), TypeError, ("relu6", "input 0", "None")),),
       edges=(Edge("mixed", (MIXED,), float32=True), Edge("max", (FMAX,)))),
]
