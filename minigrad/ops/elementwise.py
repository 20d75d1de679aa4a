"""Elementwise math: each output element depends on the same element of the input.

Backward formulas use numpy functions and operators, which act on arrays for a plain
backward and dispatch to these ops on Tensors for higher order (see ``_base``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor
from ._base import float_dtype, implements

__all__ = [
    "sigmoid", "tanh", "relu", "exp", "log",
    "abs", "sign", "sqrt", "square", "reciprocal",
    "expm1", "log1p", "log2", "log10", "exp2",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "erf", "floor", "ceil", "round", "trunc",
]  # fmt: skip


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^−x) keeps full relative precision for negative x, where
    # 1/2 + tanh(x/2)/2 would cancel. Where e^−x overflows (x below −log(largest
    # float)), 1 / (1 + inf) = 0 is the right answer, below the smallest normal
    # number: on small arrays capping −x avoids the overflow in one cheap call; on
    # large ones a pass over the data costs more than silencing it.
    cap = _EXP_CAP.get(x.dtype)
    if cap is None:
        x = x.astype(np.float64)
        cap = _EXP_CAP[x.dtype]
    if x.size <= 1024:  # on small arrays numpy's out= calls cost more than new arrays
        return 1.0 / (1.0 + np.exp(np.minimum(-x, cap)))
    t = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    np.reciprocal(t, out=t)
    return t


def _overflow_limit(op: str, x, bound, what: str = "inputs") -> str:
    """The text of a limit where the op overflows: above ``bound(largest float)`` in the
    floating dtype the op computes in (error path only)."""
    dtype = float_dtype(x)
    return f"{op} overflows {dtype} for {what} above {bound(np.finfo(dtype).max):.6g}"


_EXP_CAP = {np.dtype(np.float16): 11.0, np.dtype(np.float32): 88.0,
            np.dtype(np.float64): 709.0, np.dtype(np.longdouble): 11356.0}


class Sigmoid(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ σ({0})(1 − σ({0}))"
    __slots__ = ()

    def forward(self, x):
        y = _sigmoid_array(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * y * (1.0 - y)  # a float 1: numpy converts an int on every call


def sigmoid(x: Any) -> Tensor:
    """σ(x) = 1 / (1 + e^−x), computed without overflow for any x: finite, forward and
    backward, for every finite input (σ(1000) = 1; σ(−1000) is 0 or a value below the
    smallest normal float)."""
    return Sigmoid.apply(x)


class Tanh(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (1 − tanh²({0}))"
    __slots__ = ()

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * (1.0 - y * y)


@implements(np.tanh)
def tanh(x: Any) -> Tensor:
    """tanh(x); finite, forward and backward, for every finite input."""
    return Tanh.apply(x)


class ReLU(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ [{0} > 0]"
    __slots__ = ()

    def forward(self, x):
        mask = x > 0
        self.save_for_backward(mask)
        return np.maximum(x, 0)

    def backward(self, g):
        (mask,) = self.saved
        return g * mask


def relu(x: Any) -> Tensor:
    """max(x, 0); the gradient at 0 is taken as 0. Finite for every finite input."""
    return ReLU.apply(x)


class Exp(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ exp({0})"
    __slots__ = ()

    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def limit(self, x, **kwargs):
        return _overflow_limit("exp", x, np.log)

    def backward(self, g):
        (y,) = self.saved
        return g * y


@implements(np.exp)
def exp(x: Any) -> Tensor:
    """e^x.

    At the edge: finite for x up to log of the largest float, 709.78 for float64 (88.72
    for float32); e^x underflows quietly to 0 for very negative x. Above the limit the
    true value overflows: with numpy errors raised, FloatingPointError
    ``exp: overflow ... for inputs above 709.783``; else inf with numpy's RuntimeWarning.
    """
    return Exp.apply(x)


class Log(Function):
    formula = "dL/d{0} = dL/d{y} / {0}"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def limit(self, *arrays, **kwargs):
        return "log is finite for inputs > 0 (log(0) = −inf, log of a negative number is NaN)"

    def backward(self, g):
        (x,) = self.saved
        return g / x


@implements(np.log)
def log(x: Any) -> Tensor:
    """Natural logarithm.

    At the edge: finite for every x > 0: log(1e-300) = −690.8, with gradient
    1/x = 1e300; only for subnormal x below 5.6e-309 does the gradient 1/x overflow
    (float64). log(0) is a division by zero (−inf) and the log of a negative number is
    invalid (NaN).
    """
    return Log.apply(x)


# --------------------------------------------------------------------------- signs and powers


def _zeros(g):
    """The gradient of a piecewise-constant op: zeros of the output gradient's shape and
    dtype (a constant, so differentiating it again gives zero as well)."""
    return np.zeros(g.shape, g.dtype)


class Abs(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ sign({0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.abs(x)

    def backward(self, g):
        (x,) = self.saved
        return g * np.sign(x)


@implements(np.abs)  # np.abs is np.absolute
def abs(x: Any) -> Tensor:
    """|x|. Finite, forward and backward, for every finite input.

    Gradient convention (PyTorch's): d|x|/dx = sign(x), which is 0 at x = 0.
    """
    return Abs.apply(x)


class Sign(Function):
    formula = "dL/d{0} = 0"
    __slots__ = ()

    def forward(self, x):
        return np.sign(x)

    def backward(self, g):
        return _zeros(g)


@implements(np.sign)
def sign(x: Any) -> Tensor:
    """−1, 0 or 1 as x is negative, zero or positive (NaN for NaN).

    Gradient convention (PyTorch's): 0 everywhere, the jump at 0 included.
    """
    return Sign.apply(x)


class Sqrt(Function):
    formula = "dL/d{0} = dL/d{y} / (2{y})"
    __slots__ = ()

    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def limit(self, *arrays, **kwargs):
        return "sqrt is real for inputs ≥ 0 (NaN below 0); its gradient 1/(2√x) is inf at 0"

    def backward(self, g):
        (y,) = self.saved
        return g / (2 * y)


@implements(np.sqrt)
def sqrt(x: Any) -> Tensor:
    """√x for x ≥ 0.

    At the edge: finite forward for every x ≥ 0, and backward for every x > 0
    (√1e-300 = 1e-150, gradient 1/(2√x) = 5e149). Gradient convention (PyTorch's): at
    x = 0 the gradient is +inf, a division by zero, so with numpy errors raised
    ``backward of 'sqrt'`` fails there (under numpy's default state: inf with a
    RuntimeWarning). A negative x is invalid (NaN).
    """
    return Sqrt.apply(x)


class Square(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ 2{0}"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.square(x)

    def limit(self, x, **kwargs):
        return _overflow_limit("square", x, np.sqrt, "|inputs|")

    def backward(self, g):
        (x,) = self.saved
        return g * (2 * x)


@implements(np.square)
def square(x: Any) -> Tensor:
    """x². Finite while |x| is below the square root of the largest float (1.34e154 for
    float64, 1.84e19 for float32); beyond, it overflows."""
    return Square.apply(x)


class Reciprocal(Function):
    formula = "dL/d{0} = −dL/d{y} ⊙ {y}²"
    __slots__ = ()

    def forward(self, x):
        if x.dtype.kind not in "fc":  # numpy's integer reciprocal truncates 1/2 to 0
            x = x.astype(np.float64)
        y = np.reciprocal(x)
        self.save_for_backward(y)
        return y

    def limit(self, *arrays, **kwargs):
        return ("1/x is finite for x ≠ 0 and |x| above 1/largest float (5.6e-309 for "
                "float64); its gradient −1/x² overflows for |x| below 1/√largest (7.5e-155)")

    def backward(self, g):
        (y,) = self.saved
        return -g * (y * y)


@implements(np.reciprocal)
def reciprocal(x: Any) -> Tensor:
    """1/x. Integer and boolean inputs give float64 (as PyTorch; numpy's integer
    reciprocal would truncate).

    At the edge: finite for |x| ≥ 5.6e-309 (float64); the gradient −1/x² is finite for
    |x| above 7.5e-155 and overflows below (at 1e-300, with numpy errors raised,
    ``backward of 'reciprocal'`` fails). x = 0 is a division by zero.
    """
    return Reciprocal.apply(x)


# ----------------------------------------------------------------- exponentials and logarithms

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))


class Expm1(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ ({y} + 1)"
    __slots__ = ()

    def forward(self, x):
        y = np.expm1(x)
        self.save_for_backward(y)
        return y

    def limit(self, x, **kwargs):
        return _overflow_limit("expm1", x, np.log)

    def backward(self, g):
        (y,) = self.saved
        return g * (y + 1)


@implements(np.expm1)
def expm1(x: Any) -> Tensor:
    """e^x − 1, accurate for small |x| where exp(x) − 1 would cancel.

    At the edge: as exp, finite for x up to 709.78 (float64; 88.72 for float32) and
    −1 for very negative x, with gradient e^x; above the limit it overflows.
    """
    return Expm1.apply(x)


class Log1p(Function):
    formula = "dL/d{0} = dL/d{y} / (1 + {0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.log1p(x)

    def limit(self, *arrays, **kwargs):
        return ("log1p is finite for inputs > −1 (log1p(−1) = −inf, NaN below); its "
                "gradient 1/(1 + x) is inf at −1")

    def backward(self, g):
        (x,) = self.saved
        return g / (1 + x)


@implements(np.log1p)
def log1p(x: Any) -> Tensor:
    """log(1 + x), accurate for small |x| where log(1 + x) would lose digits.

    At the edge: finite, forward and backward, for every float x > −1: the closest,
    −1 + 1.1e-16, gives −36.7 with gradient 9e15 (float64). x = −1 is a division by zero
    (−inf); below −1 the result is invalid (NaN).
    """
    return Log1p.apply(x)


class Log2(Function):
    formula = "dL/d{0} = dL/d{y} / ({0} ln 2)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.log2(x)

    def limit(self, *arrays, **kwargs):
        return "log2 is finite for inputs > 0 (log2(0) = −inf, NaN below 0)"

    def backward(self, g):
        (x,) = self.saved
        return g / (x * _LN2)


@implements(np.log2)
def log2(x: Any) -> Tensor:
    """Base-2 logarithm, log(x) / ln 2.

    At the edge: as log, finite for every x > 0 down to 1e-300 (gradient 1/(x ln 2) =
    1.4e300); x = 0 is a division by zero (−inf), a negative x invalid (NaN).
    """
    return Log2.apply(x)


class Log10(Function):
    formula = "dL/d{0} = dL/d{y} / ({0} ln 10)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.log10(x)

    def limit(self, *arrays, **kwargs):
        return "log10 is finite for inputs > 0 (log10(0) = −inf, NaN below 0)"

    def backward(self, g):
        (x,) = self.saved
        return g / (x * _LN10)


@implements(np.log10)
def log10(x: Any) -> Tensor:
    """Base-10 logarithm, log(x) / ln 10.

    At the edge: as log, finite for every x > 0 down to 1e-300 (gradient 1/(x ln 10) =
    4.3e299); x = 0 is a division by zero (−inf), a negative x invalid (NaN).
    """
    return Log10.apply(x)


class Exp2(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ {y} ln 2"
    __slots__ = ()

    def forward(self, x):
        y = np.exp2(x)
        self.save_for_backward(y)
        return y

    def limit(self, x, **kwargs):
        return _overflow_limit("exp2", x, np.log2)

    def backward(self, g):
        (y,) = self.saved
        return g * (y * _LN2)


@implements(np.exp2)
def exp2(x: Any) -> Tensor:
    """2^x.

    At the edge: finite for x below 1024 (float64; 128 for float32), underflowing
    quietly to 0 for very negative x; above, it overflows.
    """
    return Exp2.apply(x)


# --------------------------------------------------------------------------- trigonometric


class Sin(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ cos({0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def limit(self, *arrays, **kwargs):
        return "sin is finite for finite inputs (sin(±inf) is NaN)"

    def backward(self, g):
        (x,) = self.saved
        return g * np.cos(x)


@implements(np.sin)
def sin(x: Any) -> Tensor:
    """sin x (radians). Finite, forward and backward, for every finite input."""
    return Sin.apply(x)


class Cos(Function):
    formula = "dL/d{0} = −dL/d{y} ⊙ sin({0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def limit(self, *arrays, **kwargs):
        return "cos is finite for finite inputs (cos(±inf) is NaN)"

    def backward(self, g):
        (x,) = self.saved
        return -(g * np.sin(x))


@implements(np.cos)
def cos(x: Any) -> Tensor:
    """cos x (radians). Finite, forward and backward, for every finite input."""
    return Cos.apply(x)


class Tan(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (1 + {y}²)"
    __slots__ = ()

    def forward(self, x):
        y = np.tan(x)
        self.save_for_backward(y)
        return y

    def limit(self, *arrays, **kwargs):
        return "tan is finite for finite inputs (tan(±inf) is NaN)"

    def backward(self, g):
        (y,) = self.saved
        return g * (1 + y * y)


@implements(np.tan)
def tan(x: Any) -> Tensor:
    """tan x (radians). Finite for every finite input: no float is exactly an odd
    multiple of π/2, so tan stays below about 1.6e16 and its gradient 1 + tan²x below
    2.7e32 (float64)."""
    return Tan.apply(x)


class Arcsin(Function):
    formula = "dL/d{0} = dL/d{y} / √(1 − {0}²)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsin(x)

    def limit(self, *arrays, **kwargs):
        return "arcsin is real for inputs in [-1, 1]; its gradient is inf at ±1"

    def backward(self, g):
        (x,) = self.saved
        # (1 − x)(1 + x) keeps its digits near ±1, where 1 − x² would cancel
        return g / np.sqrt((1 - x) * (1 + x))


@implements(np.arcsin)
def arcsin(x: Any) -> Tensor:
    """Inverse sine, in [−π/2, π/2], for x in [−1, 1].

    At the edge: the gradient 1/√(1 − x²) is finite inside (−1, 1), up to 6.7e7 at
    1 − 1.1e-16 (float64). Gradient convention (PyTorch's): at x = ±1 it is inf, a
    division by zero, so with numpy errors raised ``backward of 'arcsin'`` fails there.
    Outside [−1, 1] the result is invalid (NaN).
    """
    return Arcsin.apply(x)


class Arccos(Function):
    formula = "dL/d{0} = −dL/d{y} / √(1 − {0}²)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccos(x)

    def limit(self, *arrays, **kwargs):
        return "arccos is real for inputs in [-1, 1]; its gradient is −inf at ±1"

    def backward(self, g):
        (x,) = self.saved
        return -g / np.sqrt((1 - x) * (1 + x))


@implements(np.arccos)
def arccos(x: Any) -> Tensor:
    """Inverse cosine, in [0, π], for x in [−1, 1].

    At the edge: the gradient −1/√(1 − x²) is finite inside (−1, 1). Gradient
    convention (PyTorch's): at x = ±1 it is −inf, a division by zero, so with numpy
    errors raised ``backward of 'arccos'`` fails there. Outside [−1, 1] the result is
    invalid (NaN).
    """
    return Arccos.apply(x)


class Arctan(Function):
    formula = "dL/d{0} = dL/d{y} / (1 + {0}²)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctan(x)

    def backward(self, g):
        (x,) = self.saved
        return g / (1 + x * x)


@implements(np.arctan)
def arctan(x: Any) -> Tensor:
    """Inverse tangent, in (−π/2, π/2). Finite forward for every input; the gradient
    1/(1 + x²) is finite while x² is (|x| below 1.34e154 for float64, 1.84e19 for
    float32), where x² overflows."""
    return Arctan.apply(x)


# --------------------------------------------------------------------------- hyperbolic


def _cosh_bound(largest):
    # cosh x = sinh x = e^|x|/2 to double precision past |x| = 20
    return np.log(largest) + _LN2


class Sinh(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ cosh({0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.sinh(x)

    def limit(self, x, **kwargs):
        return _overflow_limit("sinh", x, _cosh_bound, "|inputs|")

    def backward(self, g):
        (x,) = self.saved
        return g * np.cosh(x)


@implements(np.sinh)
def sinh(x: Any) -> Tensor:
    """sinh x = (e^x − e^−x)/2.

    At the edge: finite, forward and backward (gradient cosh x), for |x| up to 710.47
    (float64; 89.41 for float32); beyond, it overflows.
    """
    return Sinh.apply(x)


class Cosh(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ sinh({0})"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.cosh(x)

    def limit(self, x, **kwargs):
        return _overflow_limit("cosh", x, _cosh_bound, "|inputs|")

    def backward(self, g):
        (x,) = self.saved
        return g * np.sinh(x)


@implements(np.cosh)
def cosh(x: Any) -> Tensor:
    """cosh x = (e^x + e^−x)/2.

    At the edge: finite, forward and backward (gradient sinh x), for |x| up to 710.47
    (float64; 89.41 for float32); beyond, it overflows.
    """
    return Cosh.apply(x)


class Arcsinh(Function):
    formula = "dL/d{0} = dL/d{y} / √({0}² + 1)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arcsinh(x)

    def backward(self, g):
        (x,) = self.saved
        return g / np.sqrt(x * x + 1)


@implements(np.arcsinh)
def arcsinh(x: Any) -> Tensor:
    """Inverse hyperbolic sine, log(x + √(x² + 1)). Finite forward for every input; the
    gradient 1/√(x² + 1) is finite while x² is (|x| below 1.34e154 for float64, 1.84e19
    for float32), where x² overflows."""
    return Arcsinh.apply(x)


class Arccosh(Function):
    formula = "dL/d{0} = dL/d{y} / √({0}² − 1)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arccosh(x)

    def limit(self, *arrays, **kwargs):
        return "arccosh is real for inputs ≥ 1; its gradient is inf at 1"

    def backward(self, g):
        (x,) = self.saved
        # two roots rather than √((x − 1)(x + 1)): no overflow for any finite x
        return g / (np.sqrt(x - 1) * np.sqrt(x + 1))


@implements(np.arccosh)
def arccosh(x: Any) -> Tensor:
    """Inverse hyperbolic cosine, log(x + √(x² − 1)) ≥ 0, for x ≥ 1.

    At the edge: finite, forward and backward, for every finite x > 1 (the gradient
    1/√(x² − 1) is 4.7e7 at 1 + 2.2e-16). Gradient convention (PyTorch's): at x = 1 it
    is inf, a division by zero, so with numpy errors raised ``backward of 'arccosh'``
    fails there. Below 1 the result is invalid (NaN).
    """
    return Arccosh.apply(x)


class Arctanh(Function):
    formula = "dL/d{0} = dL/d{y} / (1 − {0}²)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return np.arctanh(x)

    def limit(self, *arrays, **kwargs):
        return "arctanh is finite for inputs in (-1, 1) (±inf at ±1, NaN outside)"

    def backward(self, g):
        (x,) = self.saved
        return g / ((1 - x) * (1 + x))


@implements(np.arctanh)
def arctanh(x: Any) -> Tensor:
    """Inverse hyperbolic tangent, ½ log((1 + x)/(1 − x)), for x in (−1, 1).

    At the edge: finite, forward and backward, inside (−1, 1): at 1 − 1.1e-16 it is
    18.7 with gradient 1/(1 − x²) = 4.5e15 (float64). At x = ±1 the value is ±inf (a
    division by zero, as the gradient there, PyTorch's inf); outside, invalid (NaN).
    """
    return Arctanh.apply(x)


# --------------------------------------------------------------------------- erf

# The error function in double precision: Sun's fdlibm method (as in most C libraries),
# vectorized. Four intervals of |x|, each with a rational approximation whose error
# is below 2^−57:
#   [0, 0.84375)     erf(x) = x + x·P(x²)/Q(x²)
#   [0.84375, 1.25)  erf(x) = c + P(s)/Q(s) with s = |x| − 1 and c = erf(1) rounded
#                    to 24 bits, so the correction P/Q is small
#   [1.25, 6)        erf(x) = 1 − exp(−x² − 0.5625 + R(1/x²)/S(1/x²)) / |x|, with one
#                    rational fit below 1/0.35 and another above. e^−x² is taken as
#                    e^−z²·e^((z−x)(z+x)) with z = x cut to its top 21 bits of
#                    mantissa, so z² is exact and x² costs no digits in the exponent
#   [6, inf]         erf(x) = 1 to double precision (1 − erf(6) = 2e-17)
# with erf(−x) = −erf(x). Coefficients, lowest degree first.

_ERF_C = 8.45062911510467529297e-01  # erf(1) rounded to single precision
_ERF_EFX8 = 1.02703333676410069053e+00  # 8·(2/√π − 1)
_ERF_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01,
           -2.84817495755985104766e-02, -5.77027029648944159157e-03,
           -2.37630166566501626084e-05)
_ERF_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
           5.08130628187576562776e-03, 1.32494738004321644526e-04,
           -3.96022827877536812320e-06)
_ERF_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01,
           -3.72207876035701323847e-01, 3.18346619901161753674e-01,
           -1.10894694282396677476e-01, 3.54783043256182359371e-02,
           -2.16637559486879084300e-03)
_ERF_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
           7.18286544141962662868e-02, 1.26171219808761642112e-01,
           1.36370839120290507362e-02, 1.19844998467991074170e-02)
_ERF_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01,
           -1.05586262253232909814e+01, -6.23753324503260060396e+01,
           -1.62396669462573470355e+02, -1.84605092906711035994e+02,
           -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_ERF_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
           4.34565877475229228821e+02, 6.45387271733267880336e+02,
           4.29008140027567833386e+02, 1.08635005541779435134e+02,
           6.57024977031928170135e+00, -6.04244152148580987438e-02)
_ERF_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01,
           -1.77579549177547519889e+01, -1.60636384855821916062e+02,
           -6.37566443368389627722e+02, -1.02509513161107724954e+03,
           -4.83519191608651397019e+02)
_ERF_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
           1.53672958608443695994e+03, 3.19985821950859553908e+03,
           2.55305040643316442583e+03, 4.74528541206955367215e+02,
           -2.24409524465858183362e+01)
_HIGH_BITS = np.uint64(0xFFFFFFFF00000000)
_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2/√π


def _horner(z, coeffs):
    """c0 + z·(c1 + z·(c2 + ...)), coefficients lowest degree first."""
    r = coeffs[-1]
    for c in coeffs[-2::-1]:
        r = r * z + c
    return r


def erf_array(x) -> np.ndarray:
    """The error function erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt on an array, elementwise.

    Accurate to about 1 ulp in float64 over the whole line (tiny x, tails and
    subnormals included); erf(±inf) = ±1, erf(NaN) = NaN, erf(−0) = −0. Float32 and
    float16 inputs are computed in float64 and rounded once to their dtype; integers
    and booleans give float64. Raises nothing and never overflows: each interval's
    formula is evaluated only on the values in that interval.
    """
    x = _trace.asarray(x)
    dtype = float_dtype(x)
    x = x.astype(np.float64)  # a new array: the caller's is never written
    ax = np.abs(x)
    out = x.copy()  # NaN stays NaN: it falls in no interval
    tiny = ax < 2.0**-28
    if tiny.any():  # erf(x) = (2/√π)·x to double precision; scaled by 8 for subnormals
        a = x[tiny]
        out[tiny] = 0.125 * (8.0 * a + _ERF_EFX8 * a)
    small = (ax >= 2.0**-28) & (ax < 0.84375)
    if small.any():
        a = x[small]
        z = a * a
        out[small] = a + a * (_horner(z, _ERF_PP) / _horner(z, _ERF_QQ))
    mid = (ax >= 0.84375) & (ax < 1.25)
    if mid.any():
        s = ax[mid] - 1.0
        out[mid] = np.copysign(_ERF_C + _horner(s, _ERF_PA) / _horner(s, _ERF_QA), x[mid])
    for tail, (r_coeffs, s_coeffs) in (((ax >= 1.25) & (ax < 1 / 0.35), (_ERF_RA, _ERF_SA)),
                                       ((ax >= 1 / 0.35) & (ax < 6.0), (_ERF_RB, _ERF_SB))):
        if tail.any():
            a = ax[tail]
            s = 1.0 / (a * a)
            z = (a.view(np.uint64) & _HIGH_BITS).view(np.float64)
            r = np.exp(-z * z - 0.5625) * \
                np.exp((z - a) * (z + a) + _horner(s, r_coeffs) / _horner(s, s_coeffs))
            out[tail] = np.copysign(1.0 - r / a, x[tail])
    flat = ax >= 6.0
    if flat.any():
        out[flat] = np.copysign(1.0, x[flat])
    return out if dtype == out.dtype else out.astype(dtype)


class Erf(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (2/√π) e^(−{0}²)"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        return erf_array(x)

    def backward(self, g):
        (x,) = self.saved
        # e^(−x²) is 0 in every float dtype from |x| = 40 on (float64 underflows past
        # 27.3): x is capped there, so x² cannot overflow for huge inputs
        x = np.where(np.abs(x) < 40.0, x, 40.0)
        return g * (_TWO_OVER_SQRT_PI * np.exp(-(x * x)))


def erf(x: Any) -> Tensor:
    """The error function, erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt, in (−1, 1), odd.

    Accurate to about 1 ulp in float64 (see ``erf_array``; numpy has no erf). Finite,
    forward and backward, for every finite input (erf(±inf) = ±1): the gradient
    (2/√π)·e^(−x²) underflows quietly to 0 for |x| above 27.3 (float64; 10.2 for
    float32).
    """
    return Erf.apply(x)


# --------------------------------------------------------------------------- rounding


class Floor(Function):
    formula = "dL/d{0} = 0"
    __slots__ = ()

    def forward(self, x):
        return np.floor(x)

    def backward(self, g):
        return _zeros(g)


@implements(np.floor)
def floor(x: Any) -> Tensor:
    """The largest integer ≤ x, elementwise (same dtype as x). Finite for finite x.

    Gradient convention (PyTorch's): 0 everywhere, the jumps at integers included.
    """
    return Floor.apply(x)


class Ceil(Function):
    formula = "dL/d{0} = 0"
    __slots__ = ()

    def forward(self, x):
        return np.ceil(x)

    def backward(self, g):
        return _zeros(g)


@implements(np.ceil)
def ceil(x: Any) -> Tensor:
    """The smallest integer ≥ x, elementwise (same dtype as x). Finite for finite x.

    Gradient convention (PyTorch's): 0 everywhere, the jumps at integers included.
    """
    return Ceil.apply(x)


class Round(Function):
    formula = "dL/d{0} = 0"
    __slots__ = ()

    def forward(self, x, decimals=0):
        if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
            raise TypeError(f"round: decimals must be an int, got {decimals!r} (input of "
                            f"shape {x.shape}, dtype {x.dtype})")
        return np.round(x, decimals)

    def backward(self, g):
        return _zeros(g)


@implements(np.round, np.around, np.rint)
def round(x: Any, decimals: int = 0) -> Tensor:
    """x rounded to ``decimals`` decimal places (negative: to tens, hundreds, ...), halves
    to even, as numpy's ``round``/``around`` (``rint`` for decimals=0): the values are
    scaled by 10^decimals, rounded and scaled back, so a result need not be the nearest
    float to the decimal. Finite for finite x.

    Gradient convention (PyTorch's): 0 everywhere, the jumps included.
    """
    return Round.apply(x, decimals=decimals)


class Trunc(Function):
    formula = "dL/d{0} = 0"
    __slots__ = ()

    def forward(self, x):
        return np.trunc(x)

    def backward(self, g):
        return _zeros(g)


@implements(np.trunc, np.fix)
def trunc(x: Any) -> Tensor:
    """x rounded toward zero to an integer (same dtype as x); ``np.fix`` is the same.
    Finite for finite x.

    Gradient convention (PyTorch's): 0 everywhere, the jumps at nonzero integers
    included.
    """
    return Trunc.apply(x)
