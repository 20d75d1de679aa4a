"""Activation functions of neural networks, elementwise, with PyTorch's names, arguments,
definitions and gradient conventions (``torch.nn.functional``).

Forward passes work on arrays and may use any numpy function (``log1p``, ``expm1``,
``clip``); backward formulas are written once for arrays and Tensors alike (operators,
``np.exp``, ``np.tanh``, ``np.where`` and comparisons), so that ``create_graph=True``
differentiates them again. Functions that would overflow for large inputs are written
in forms that cannot: everything that saturates is built from e^−|x| ≤ 1, and the
terms whose value is 0 beyond some |x| (a Gaussian density, a saturated tanh) read x
clipped to that range, so x² or x³ are never formed from a huge x. Integer and bool
inputs are computed in float64.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor
from ._base import float_dtype
from .elementwise import erf_array

__all__ = [
    "logsigmoid",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "softplus",
    "softsign",
    "hardtanh",
    "hardsigmoid",
    "hardswish",
    "relu6",
]


# --------------------------------------------------------------------------- shared pieces


def _floats(x: np.ndarray) -> np.ndarray:
    """``x`` itself when it is floating point; integers and bools as float64."""
    return x if x.dtype.kind == "f" else x.astype(float_dtype(x))


def _shape(x) -> tuple | str:
    """The shape of an op's input, for error messages (without numpy's dispatch)."""
    shape = getattr(x, "shape", None)
    if shape is not None:
        return tuple(shape)
    try:
        return _trace.asarray(x).shape
    except Exception:  # error path only: an input numpy cannot read at all
        return "unknown"


def _real(value, op: str, arg: str, x, finite: bool = True) -> float:
    """Argument ``arg`` of ``op`` as a Python float (a weak scalar, so float32 inputs stay
    float32): a real number, finite unless ``finite`` is False (NaN never)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        text = repr(value)
        raise TypeError(
            f"{op}: {arg} must be a real number, got {type(value).__name__} "
            f"{text if len(text) <= 40 else text[:37] + '...'} (input of shape {_shape(x)})"
        )
    v = float(value)
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{op}: {arg} must be a {'finite ' if finite else ''}number, got {v} "
                         f"(input of shape {_shape(x)})")
    return v


def _exp_neg_abs(x):
    """e^−|x|, in (0, 1]: never overflows (|x| written with where, for Tensors too)."""
    return np.exp(np.where(x < 0, x, -x))


def _sigmoid(x, e):
    """σ(x) from e = e^−|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below; full relative
    precision on both sides and no overflow."""
    return np.where(x < 0, e, 1.0) / (1.0 + e)


def _tanh_softplus(x, e):
    """tanh(softplus(x)) = ((1+eˣ)² − 1) / ((1+eˣ)² + 1), from e = e^−|x|: with n = e(e+2),
    n / (n+2) for x < 0, and (1+2e) / (1+2e+2e²) for x ≥ 0 (numerator and denominator
    divided by e^2x). Sums of positive terms only: no cancellation, no overflow. (Each
    branch reads e as ``_exp_neg_abs`` forms it, with x = 0 on the x ≥ 0 side, so that
    the derivatives of this expression are right at 0 too.)"""
    n = e * (e + 2.0)
    e2 = 2.0 * e
    return np.where(x < 0, n / (n + 2.0), (1.0 + e2) / (1.0 + e2 + e2 * e))


def _clip(x, c: float):
    """x limited to [−c, c], for arrays and Tensors (written with where)."""
    return np.where(x > c, c, np.where(x < -c, -c, x))


# --------------------------------------------------------------------------- ops


class LogSigmoid(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ σ(−{0})"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        self.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(_exp_neg_abs(x))

    def backward(self, g):
        (x,) = self.saved
        e = _exp_neg_abs(x)
        return g * (np.where(x < 0, 1.0, e) / (1.0 + e))  # σ(−x)


def logsigmoid(x: Any) -> Tensor:
    """log σ(x) = −log(1 + e^−x), computed as min(x, 0) − log1p(e^−|x|): finite, forward
    and backward, for every finite input (logsigmoid(−1000) = −1000, logsigmoid(1000) = 0).
    The derivative is σ(−x). PyTorch's ``F.logsigmoid``."""
    return LogSigmoid.apply(x)


class LeakyReLU(Function):
    name = "leaky_relu"
    formula = "dL/d{0} = dL/d{y} ⊙ (1 where {0} > 0, else negative_slope)"
    __slots__ = ("slope",)

    def forward(self, x, negative_slope=0.01):
        x = _floats(x)
        self.slope = negative_slope
        mask = x > 0
        self.save_for_backward(mask)
        return np.where(mask, x, x * negative_slope)

    def backward(self, g):
        (mask,) = self.saved
        return np.where(mask, g, g * self.slope)

    def limit(self, *arrays, negative_slope=None, **kwargs):
        return f"x·negative_slope (negative_slope = {negative_slope}) must fit the dtype"


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope·x. At 0 the gradient is negative_slope, as in
    PyTorch's ``F.leaky_relu`` (its backward tests x > 0). Finite for every finite input
    while negative_slope·x fits the dtype."""
    slope = _real(negative_slope, "leaky_relu", "negative_slope", x)
    return LeakyReLU.apply(x, negative_slope=slope)


class ELU(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (1 where {0} > 0, else α·exp({0}))"
    __slots__ = ("scale", "input_scale", "coef", "lo")

    def forward(self, x, alpha=1.0, scale=1.0, input_scale=1.0):
        # PyTorch's elu kernel: scale·x for x > 0, else α·scale·(exp(input_scale·x) − 1)
        x = _floats(x)
        self.scale, self.input_scale = scale, input_scale
        self.coef = alpha * scale * input_scale  # the slope just left of 0
        # below x = lo, e^(x·input_scale) is exactly 0 and expm1 exactly −1: x is read
        # clipped there, so that x·input_scale cannot overflow (celu with α < 1)
        self.lo = -800.0 / input_scale if input_scale > 0 else None
        self.save_for_backward(x)
        t = np.minimum(x, 0)
        if self.lo is not None:
            t = np.maximum(t, self.lo)
        neg = np.expm1(t * input_scale if input_scale != 1.0 else t) * (alpha * scale)
        return np.where(x > 0, x * scale if scale != 1.0 else x, neg)

    def backward(self, g):
        (x,) = self.saved
        pos = g * self.scale if self.scale != 1.0 else g
        t = np.where(x > 0, 0.0, x)
        if self.lo is not None:
            t = np.where(t < self.lo, self.lo, t)
        if self.input_scale != 1.0:
            t = t * self.input_scale
        return np.where(x > 0, pos, g * (self.coef * np.exp(t)))

    def limit(self, *arrays, alpha=None, **kwargs):
        return f"α·(eˣ − 1) (α = {alpha}) must fit the dtype"


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else α·(eˣ − 1) (computed with expm1). Finite, forward and backward,
    for every finite input. At 0 the gradient is α (PyTorch's ``F.elu`` takes the
    left-hand branch, x ≤ 0, there); with α = 1 the derivative is continuous."""
    return ELU.apply(x, alpha=_real(alpha, "elu", "alpha", x))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class SELU(ELU):
    formula = "dL/d{0} = dL/d{y} ⊙ λ·(1 where {0} > 0, else α·exp({0}))"
    __slots__ = ()

    def forward(self, x):
        return ELU.forward(self, x, alpha=_SELU_ALPHA, scale=_SELU_SCALE)

    def limit(self, *arrays, **kwargs):
        return ("λ·x (λ = 1.0507) must fit the dtype: |x| below 1.71e308 (float64), "
                "3.24e38 (float32)")


def selu(x: Any) -> Tensor:
    """λ·x for x > 0, else λ·α·(eˣ − 1), with PyTorch's constants α = 1.6732632423543772,
    λ = 1.0507009873554805. Finite, forward and backward, for every finite input whose
    λ·x fits the dtype (|x| < 1.71e308 in float64). At 0 the gradient is λ·α = 1.7581
    (the left-hand branch, as in PyTorch's ``F.selu``)."""
    return SELU.apply(x)


class CELU(ELU):
    formula = "dL/d{0} = dL/d{y} ⊙ (1 where {0} > 0, else exp({0}/α))"
    __slots__ = ()

    def forward(self, x, alpha=1.0):
        return ELU.forward(self, x, alpha=alpha, input_scale=1.0 / alpha)

    def limit(self, *arrays, alpha=None, **kwargs):
        return (f"α·(e^(x/α) − 1) (α = {alpha}) must fit the dtype: for α < 0, x/α must stay "
                "below log of the largest float (709.78 for float64)")


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else α·(e^(x/α) − 1); α = 0 is refused. The derivative is continuous
    (1 at 0, the left-hand branch as in PyTorch's ``F.celu``). Finite, forward and
    backward, for every finite input when α > 0; for α < 0, e^(x/α) overflows for
    x/α above 709.78 (float64)."""
    a = _real(alpha, "celu", "alpha", x)
    if a == 0:
        raise ValueError(f"celu: alpha cannot be 0 (celu divides by it; input of shape "
                         f"{_shape(x)})")
    return CELU.apply(x, alpha=a)


_SQRT1_2 = 0.7071067811865476  # 1/√2
_INV_SQRT_2PI = 1.1283791670955126 * 0.7071067811865476 * 0.5  # 1/√(2π), as PyTorch forms it
_TANH_BETA = 1.4142135623730951 * 1.1283791670955126 * 0.5  # √(2/π)
_TANH_KAPPA = 0.044715
# Beyond these |x| the terms that read a clipped x are exactly 0 (or tanh exactly ±1) in
# float32 and float64, so clipping changes no value and keeps x², x³ from overflowing.
_PDF_CLIP = 40.0  # e^(−40²/2) = e^−800 underflows to 0
_TANH_CLIP = 10.0  # tanh(√(2/π)·(10 + 0.044715·10³)) = tanh(43.7) rounds to 1


def _normal_pdf(x):
    """φ(x) = e^(−x²/2)/√(2π), for arrays and Tensors."""
    xc = _clip(x, _PDF_CLIP)
    return _INV_SQRT_2PI * np.exp(-0.5 * (xc * xc))


def _gelu_slope(x: np.ndarray) -> np.ndarray:
    """GELU's derivative Φ(x) + x·φ(x), on arrays (Φ needs erf)."""
    return 0.5 * (1.0 + erf_array(x * _SQRT1_2)) + x * _normal_pdf(x)


def _gelu_tanh_parts(x):
    """For the tanh approximation: x clipped where tanh saturates, and
    t = tanh(√(2/π)·(x + 0.044715·x³)), for arrays and Tensors."""
    xc = _clip(x, _TANH_CLIP)
    return xc, np.tanh(_TANH_BETA * (xc + _TANH_KAPPA * (xc * xc * xc)))


class GELU(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (Φ({0}) + {0}·φ({0}))"
    __slots__ = ("approximate", "derivative")

    def forward(self, x, approximate="none", derivative=False):
        # derivative=True: this node is GELU's derivative Φ(x) + x·φ(x) itself, which is
        # how the exact GELU's backward differentiates under create_graph (Φ needs erf,
        # which only a forward computes); its own derivative φ(x)·(2 − x²) needs exp only
        x = _floats(x)
        self.approximate, self.derivative = approximate, derivative
        self.save_for_backward(x)
        if approximate == "tanh":
            _, t = _gelu_tanh_parts(x)
            return (0.5 * x) * (1.0 + t)
        if derivative:
            self.name = "gelu_derivative"
            self.formula = "dL/d{0} = dL/d{y} ⊙ φ({0})·(2 − {0}²)"
            return _gelu_slope(x)
        return (x * 0.5) * (1.0 + erf_array(x * _SQRT1_2))

    def backward(self, g):
        (x,) = self.saved
        if self.approximate == "tanh":  # PyTorch's formula, term by term
            xc, t = _gelu_tanh_parts(x)
            inner = _TANH_BETA * (1.0 + (3.0 * _TANH_KAPPA) * (xc * xc))
            return g * (0.5 * (1.0 + t) + (0.5 * xc) * (1.0 - t * t) * inner)
        if self.derivative:
            xc = _clip(x, _PDF_CLIP)
            return g * (_normal_pdf(x) * (2.0 - xc * xc))
        if isinstance(x, Tensor):
            return g * GELU.apply(x, approximate="none", derivative=True)
        return g * _gelu_slope(x)


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """x·Φ(x) = x/2·(1 + erf(x/√2)) (approximate="none"), or PyTorch's tanh approximation
    x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (approximate="tanh"), as ``F.gelu``.

    The derivative is Φ(x) + x·φ(x) (φ the standard normal density), or the tanh form's
    own derivative. Finite, forward and backward, for every finite input: for large |x|
    the terms in φ(x) and in the saturated tanh are exactly 0, so they read x clipped to
    ±40 (±10 for tanh), where x² cannot overflow. erf is computed to float64 accuracy."""
    if not isinstance(approximate, str) or approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r} "
                         f"(input of shape {_shape(x)})")
    return GELU.apply(x, approximate=approximate)


class SiLU(Function):
    name = "silu"
    formula = "dL/d{0} = dL/d{y} ⊙ σ({0})·(1 + {0}·(1 − σ({0})))"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        self.save_for_backward(x)
        return x * _sigmoid(x, _exp_neg_abs(x))

    def backward(self, g):
        (x,) = self.saved
        s = _sigmoid(x, _exp_neg_abs(x))
        # beyond ±800, σ is exactly 0 or 1 and x·(1 − σ) is 0 or cancelled by σ = 0:
        # x read clipped there keeps a second backward's products finite
        return g * (s * (1.0 + _clip(x, 800.0) * (1.0 - s)))


def silu(x: Any) -> Tensor:
    """x·σ(x) (swish), with the derivative σ(x)·(1 + x·(1 − σ(x))) as PyTorch's
    ``F.silu``. σ is formed from e^−|x|, so forward and backward are finite for every
    finite input."""
    return SiLU.apply(x)


class Mish(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (tanh(softplus({0})) + {0}·σ({0})·(1 − tanh²(softplus({0}))))"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        self.save_for_backward(x)
        return x * _tanh_softplus(x, _exp_neg_abs(x))

    def backward(self, g):
        (x,) = self.saved
        e = _exp_neg_abs(x)
        t = _tanh_softplus(x, e)
        # x read clipped to ±800 (where σ = 0 or 1 − t² = 0 exactly), as in silu
        return g * (t + _clip(x, 800.0) * _sigmoid(x, e) * (1.0 - t * t))


def mish(x: Any) -> Tensor:
    """x·tanh(softplus(x)), with PyTorch's ``F.mish`` derivative
    tanh(sp) + x·σ(x)·(1 − tanh²(sp)), sp = softplus(x). tanh(softplus(x)) is a rational
    function of e^−|x|, so forward and backward are finite for every finite input."""
    return Mish.apply(x)


class Softplus(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (σ(β{0}) where β{0} ≤ threshold, else 1)"
    __slots__ = ("beta", "threshold")

    def forward(self, x, beta=1.0, threshold=20.0):
        x = _floats(x)
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(x)
        z = _softplus_z(x, beta)
        # log(1 + e^z)/β = max(z, 0)/β + log1p(e^−|z|)/β, and max(z, 0)/β is max(x, 0)
        # for β > 0, min(x, 0) for β < 0: x itself, never x·β, where x is large
        lin = np.maximum(x, 0) if beta > 0 else np.minimum(x, 0)
        tail = np.log1p(_exp_neg_abs(z))
        return np.where(z > threshold, x, lin + (tail / beta if beta != 1.0 else tail))

    def backward(self, g):
        (x,) = self.saved
        z = _softplus_z(x, self.beta)
        return np.where(z > self.threshold, g, g * _sigmoid(z, _exp_neg_abs(z)))

    def limit(self, *arrays, beta=None, **kwargs):
        return f"log(1 + e^(βx))/β (β = {beta}) must fit the dtype, which a tiny β can pass"


def _softplus_z(x, beta: float):
    """β·x for softplus, with x read clipped to ±800/|β|: beyond, e^−|βx| is exactly 0 and
    σ(βx) exactly 0 or 1 (and βx > threshold decides the same for any threshold that
    could matter), so no value changes and β·x cannot overflow."""
    xc = _clip(x, 800.0 / abs(beta))
    return xc * beta if beta != 1.0 else xc


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx))/β, and x itself where βx > threshold (PyTorch's ``F.softplus``,
    whose value and derivative jump slightly there: the derivative is σ(βx) below the
    threshold and 1 above). Computed as max(x, 0) + log1p(e^−|βx|)/β (for β > 0), so
    finite, forward and backward, for every finite input, at any beta and threshold.
    beta = 0 is refused."""
    b = _real(beta, "softplus", "beta", x)
    if b == 0:
        raise ValueError(f"softplus: beta must be nonzero (softplus divides by it; input of "
                         f"shape {_shape(x)})")
    t = _real(threshold, "softplus", "threshold", x, finite=False)
    return Softplus.apply(x, beta=b, threshold=t)


class Softsign(Function):
    formula = "dL/d{0} = dL/d{y} / (1 + |{0}|)²"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        self.save_for_backward(x)
        return x / (1.0 + np.abs(x))

    def backward(self, g):
        (x,) = self.saved
        d = 1.0 + np.where(x < 0, -x, x)
        return g / d / d  # not / d²: (1 + |x|)² overflows for |x| above 1.3e154


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|), with derivative 1 / (1 + |x|)² (1 at 0, as PyTorch's ``F.softsign``
    through abs). Finite, forward and backward, for every finite input."""
    return Softsign.apply(x)


class Hardtanh(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ [min_val < {0} < max_val]"
    __slots__ = ()

    def forward(self, x, min_val=-1.0, max_val=1.0):
        x = _floats(x)
        mask = (x > min_val) & (x < max_val)
        self.save_for_backward(mask)
        return np.clip(x, min_val, max_val)

    def backward(self, g):
        (mask,) = self.saved
        return g * mask


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]. The gradient is 1 strictly inside and 0 outside
    and at the bounds themselves, as in PyTorch's ``F.hardtanh``. min_val > max_val is
    refused. Finite for every finite input."""
    lo = _real(min_val, "hardtanh", "min_val", x, finite=False)
    hi = _real(max_val, "hardtanh", "max_val", x, finite=False)
    if lo > hi:
        raise ValueError(f"hardtanh: min_val ({lo}) must not exceed max_val ({hi}) (input of "
                         f"shape {_shape(x)})")
    return Hardtanh.apply(x, min_val=lo, max_val=hi)


class ReLU6(Hardtanh):
    name = "relu6"
    formula = "dL/d{0} = dL/d{y} ⊙ [0 < {0} < 6]"
    __slots__ = ()

    def forward(self, x):
        return Hardtanh.forward(self, x, min_val=0.0, max_val=6.0)


def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6), PyTorch's ``F.relu6`` (hardtanh(x, 0, 6)): the gradient is 1
    on (0, 6) and 0 elsewhere, at 0 and at 6 too. Finite for every finite input."""
    return ReLU6.apply(x)


class Hardsigmoid(Function):
    formula = "dL/d{0} = dL/d{y} / 6 ⊙ [−3 < {0} < 3]"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        mask = (x > -3) & (x < 3)
        self.save_for_backward(mask)
        return np.clip(x + 3, 0, 6) / 6

    def backward(self, g):
        (mask,) = self.saved
        return g * mask / 6


def hardsigmoid(x: Any) -> Tensor:
    """min(max(x + 3, 0), 6) / 6, PyTorch's ``F.hardsigmoid``: the gradient is 1/6 on
    (−3, 3) and 0 elsewhere, at ±3 too. Finite for every finite input."""
    return Hardsigmoid.apply(x)


class Hardswish(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (0 where {0} < −3, {0}/3 + 1/2 where {0} ≤ 3, else 1)"
    __slots__ = ()

    def forward(self, x):
        x = _floats(x)
        self.save_for_backward(x)
        return x * (np.clip(x + 3, 0, 6) / 6)  # x·(…/6), not (x·…)/6: no overflow at 1e308

    def backward(self, g):
        (x,) = self.saved
        return np.where(x < -3, 0.0, np.where(x <= 3, g * (x / 3 + 0.5), g))


def hardswish(x: Any) -> Tensor:
    """x·min(max(x + 3, 0), 6) / 6, PyTorch's ``F.hardswish``. The derivative is 0 below
    −3, x/3 + 1/2 on [−3, 3] and 1 above; at the kinks PyTorch takes the middle piece
    (−1/2 at −3, 3/2 at 3), and so does this. Finite for every finite input."""
    return Hardswish.apply(x)
