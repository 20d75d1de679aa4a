"""Arithmetic: + − × ÷, negation and powers; maximum and minimum, arctan2, lerp, and
rounding division (floor_divide, remainder), with numpy's broadcasting.

Each public function picks its op class: a Python number as an operand gets a
small op of its own (no constant tensor to build, no gradient to compute for the
number, and float32 stays float32); the Tensor operators are these functions.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor, _raw
from ._base import SCALARS, implements, needs, save_crossed

__all__ = ["add", "sub", "mul", "div", "neg", "pow", "maximum", "minimum", "arctan2", "lerp",
           "floor_divide", "remainder"]

_DIV_LIMIT = "the quotient's magnitude must stay below the dtype's largest value"


class Add(Function):
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = dL/d{y}"
    __slots__ = ()

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        return g, g


class AddScalar(Function):
    name = "add"
    formula = "dL/d{0} = dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return x + c

    def backward(self, g):
        return g


@implements(np.add)
def add(a: Any, b: Any) -> Tensor:
    """a + b, broadcasting as numpy does. Finite unless the sum passes the dtype's largest
    value (1.8e308 for float64)."""
    if type(b) in SCALARS:
        return AddScalar.apply(a, c=b)
    if type(a) in SCALARS:
        return AddScalar.apply(b, c=a)
    return Add.apply(a, b)


def _radd(x: Any, other: Any) -> Tensor:
    """other + x, for ``Tensor.__radd__``: ``add``'s rule with the operands reflected."""
    if type(other) in SCALARS:
        return AddScalar.apply(x, c=other)
    return Add.apply(other, x)


class Sub(Function):
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = −dL/d{y}"
    __slots__ = ()

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, (-g if self.parents[1].requires_grad else None)


class RSubScalar(Function):
    name = "sub"
    formula = "dL/d{0} = −dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return c - x

    def backward(self, g):
        return -g


@implements(np.subtract)
def sub(a: Any, b: Any) -> Tensor:
    """a − b, broadcasting as numpy does. Finite unless the difference passes the dtype's
    largest value."""
    if type(b) in SCALARS:
        return AddScalar.apply(a, c=-b)
    if type(a) in SCALARS:
        return RSubScalar.apply(b, c=a)
    return Sub.apply(a, b)


def _rsub(x: Any, other: Any) -> Tensor:
    """other − x, for ``Tensor.__rsub__``: ``sub``'s rule with the operands reflected."""
    if type(other) in SCALARS:
        return RSubScalar.apply(x, c=other)
    return Sub.apply(other, x)


class Mul(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ {1};  dL/d{1} = dL/d{y} ⊙ {0}"
    __slots__ = ()

    def forward(self, a, b):
        out = a * b
        save_crossed(self, a, b)
        return out

    def backward(self, g):
        a, b = self.saved  # save_crossed kept only what the needed gradients use
        return (g * b if b is not None else None), (g * a if a is not None else None)


class MulScalar(Function):
    name = "mul"
    formula = "dL/d{0} = c·dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return x * c

    def backward(self, g):
        return g * self.c


@implements(np.multiply)
def mul(a: Any, b: Any) -> Tensor:
    """a ⊙ b (elementwise), broadcasting as numpy does. Finite unless a product passes the
    dtype's largest value (tiny products underflow to 0 quietly)."""
    if type(b) in SCALARS:
        return MulScalar.apply(a, c=b)
    if type(a) in SCALARS:
        return MulScalar.apply(b, c=a)
    return Mul.apply(a, b)


def _rmul(x: Any, other: Any) -> Tensor:
    """other ⊙ x, for ``Tensor.__rmul__``: ``mul``'s rule with the operands reflected."""
    if type(other) in SCALARS:
        return MulScalar.apply(x, c=other)
    return Mul.apply(other, x)


class Div(Function):
    formula = "dL/d{0} = dL/d{y} / {1};  dL/d{1} = −dL/d{y} ⊙ {0} / {1}²"
    __slots__ = ()

    def forward(self, a, b):
        out = a / b
        if self.parents is not None:  # dL/da needs b; dL/db needs a and b
            self.save_for_backward(a if needs(self, 1) else None, b)
        return out

    def backward(self, g):
        a, b = self.saved  # a is kept only when b needs a gradient
        ga = g / b
        gb = -ga * a / b if a is not None else None
        return (ga if self.parents[0].requires_grad else None), gb

    def limit(self, *arrays, **kwargs):
        return _DIV_LIMIT


class DivScalar(Function):
    name = "div"
    formula = "dL/d{0} = dL/d{y} / c"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return x / c

    def backward(self, g):
        return g / self.c

    def limit(self, *arrays, **kwargs):
        return _DIV_LIMIT


class RDivScalar(Function):
    name = "div"
    formula = "dL/d{0} = −c·dL/d{y} / {0}²"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        self.save_for_backward(x)
        return c / x

    def backward(self, g):
        (x,) = self.saved
        return g * (-self.c) / (x * x)

    def limit(self, *arrays, **kwargs):
        return _DIV_LIMIT


@implements(np.divide)
def div(a: Any, b: Any) -> Tensor:
    """a / b (elementwise), broadcasting as numpy does.

    At the edge: finite while the quotient fits the dtype (1e3 / 1e-300 = 1e303 does). The
    gradient for a, g / b, is as large as the quotient; the gradient for b, −g·a / b²,
    overflows for a divisor near zero (b = 1e-300), so with numpy errors raised
    ``backward of 'div'`` fails there. A constant divisor (no gradient) stays finite.
    ``c / x`` for a number c has gradient −c·g / x², which fails the same way. b = 0
    is a division by zero.
    """
    if type(b) in SCALARS:
        return DivScalar.apply(a, c=b)
    if type(a) in SCALARS:
        return RDivScalar.apply(b, c=a)
    return Div.apply(a, b)


def _rdiv(x: Any, other: Any) -> Tensor:
    """other / x, for ``Tensor.__rtruediv__``: ``div``'s rule with the operands reflected."""
    if type(other) in SCALARS:
        return RDivScalar.apply(x, c=other)
    return Div.apply(other, x)


class Neg(Function):
    formula = "dL/d{0} = −dL/d{y}"
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


@implements(np.negative)
def neg(x: Any) -> Tensor:
    """−x."""
    return Neg.apply(x)


class Pow(Function):
    """x ** p for a number p."""

    formula = "dL/d{0} = dL/d{y} ⊙ p·{0}^(p−1)"
    __slots__ = ("p",)

    def forward(self, x, p):
        self.p = p
        self.save_for_backward(x)
        return x**p

    def backward(self, g):
        (x,) = self.saved
        p = self.p
        if p == 0:
            return g * 0
        if p == 1:
            return g
        if p == 2:
            return g * (2 * x)
        return g * (p * x ** (p - 1))

    def limit(self, *arrays, p=None, **kwargs):
        return f"computing x ** {p}"


class RPow(Function):
    """c ** x for a number c > 0: e^(x·ln c)."""

    name = "pow"
    formula = "dL/d{0} = dL/d{y} ⊙ {y}·ln c"
    __slots__ = ("log_c",)

    def forward(self, x, c):
        self.log_c = np.log(c)
        y = _trace.asarray(np.power(c, x, dtype=np.result_type(x, 1.0)))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * y * self.log_c

    def limit(self, *arrays, c=None, **kwargs):
        return f"computing {c} ** x"


class PowTensor(Function):
    """x ** y with both operands tensors (broadcast)."""

    name = "pow"
    formula = "dL/d{0} = dL/d{y} ⊙ {1}·{0}^({1}−1);  dL/d{1} = dL/d{y} ⊙ {y}·ln {0}"
    __slots__ = ()

    def forward(self, x, y):
        out = _trace.asarray(x**y)
        if self.parents is not None:
            self.save_for_backward(x, y, out if needs(self, 1) else None)
        return out

    def backward(self, g):
        x, y, out = self.saved
        gx = g * y * x ** (y - 1) if needs(self, 0) else None
        # where x = 0 and y > 0 the true derivative in y is 0 (x^y = 0 nearby); log(0)
        # would give 0 · −inf = NaN there
        gy = g * np.where(x == 0, 0.0, out * np.log(np.where(x == 0, 1.0, x))) \
            if needs(self, 1) else None
        return gx, gy

    def limit(self, *arrays, **kwargs):
        return "x ** y is finite while the result fits the dtype; x < 0 needs integer y"


@implements(np.power)
def pow(x: Any, exponent: Any) -> Tensor:
    """x ** exponent, broadcasting as numpy does.

    A number exponent (the common case) records ``x ** p``; a number base ``c ** x``
    (c > 0) records e^(x·ln c); two tensors record both gradients,
    dL/dy = dL/dout ⊙ x^y·ln x, taken as 0 where x = 0 (PyTorch's convention).

    At the edge: x ** 2 and x ** 3 are finite at |x| = 1e3; x ** 0.5 is finite forward
    and backward down to x = 1e-300 (its gradient 0.5 / √x is 5e149 there) but its
    gradient divides by zero at x = 0; for a negative exponent the gradient
    p·x^(p−1) overflows near zero (x ** -1 at 1e-300: the gradient −1e600).
    """
    if type(exponent) in SCALARS:
        return Pow.apply(x, p=exponent)
    if isinstance(exponent, (np.ndarray, np.generic)) and exponent.ndim == 0 \
            and exponent.dtype.kind in "biuf" and not isinstance(x, (int, float)):
        return Pow.apply(x, p=exponent.item())
    if type(x) in SCALARS or (isinstance(x, numbers.Real) and not isinstance(x, Tensor)):
        c = float(x)
        if c <= 0:
            raise ValueError(
                f"pow: a number base must be positive for a differentiable c ** x, got {c}; "
                "use a tensor base for other values"
            )
        return RPow.apply(exponent, c=c)
    if isinstance(exponent, str) or exponent is None:
        raise TypeError(f"pow: the exponent must be a number or a tensor, got "
                        f"{type(exponent).__name__}")
    return PowTensor.apply(x, exponent)


# --------------------------------------------------------------------------- selection and rounding


def _operands(a, b, op: str):
    """``a`` and ``b`` as a binary op's inputs. A Python number beside a tensor or an
    array becomes an array of the dtype numpy gives the pair (its weak-scalar rule:
    ``int8 // 2`` stays int8, ``float32 + 2.5`` stays float32), so integer work stays
    integer rather than turning float64 as a bare constant would."""
    ta, tb = type(a), type(b)
    if (ta in SCALARS) == (tb in SCALARS):
        return a, b
    num, other = (a, b) if ta in SCALARS else (b, a)
    other = other.data if isinstance(other, Tensor) else other
    if not isinstance(other, (np.ndarray, np.generic)):
        return a, b  # a list or a number: the engine's constants decide
    try:
        num = _trace.asarray(num, dtype=np.result_type(other, num))
    except OverflowError as e:
        raise OverflowError(f"{op}: {e} (the other operand has shape {np.shape(other)} and "
                            f"dtype {other.dtype})") from None
    return (num, b) if ta in SCALARS else (a, num)


class Maximum(Function):
    formula = ("dL/d{0} = dL/d{y} where {0} > {1}, half where {0} = {1};  "
               "dL/d{1} = dL/d{y} where {1} > {0}, half where equal")
    __slots__ = ()

    def forward(self, a, b):
        if self.parents is not None:
            self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, g):
        a, b = self.saved
        half = np.where(a == b, g / 2, g)  # a tie splits the gradient evenly
        return (np.where(a < b, 0, half) if needs(self, 0) else None), \
            (np.where(a > b, 0, half) if needs(self, 1) else None)


@implements(np.maximum)
def maximum(x1: Any, x2: Any) -> Tensor:
    """The larger of x1 and x2, elementwise, broadcasting as numpy does (NaN if either is
    NaN). The gradient goes to the larger input; where the two are equal it is split half
    and half, as in PyTorch's ``maximum``. Finite wherever its inputs are. On integer
    tensors it records nothing."""
    return Maximum.apply(*_operands(x1, x2, "maximum"))


class Minimum(Function):
    formula = ("dL/d{0} = dL/d{y} where {0} < {1}, half where {0} = {1};  "
               "dL/d{1} = dL/d{y} where {1} < {0}, half where equal")
    __slots__ = ()

    def forward(self, a, b):
        if self.parents is not None:
            self.save_for_backward(a, b)
        return np.minimum(a, b)

    def backward(self, g):
        a, b = self.saved
        half = np.where(a == b, g / 2, g)
        return (np.where(a > b, 0, half) if needs(self, 0) else None), \
            (np.where(a < b, 0, half) if needs(self, 1) else None)


@implements(np.minimum)
def minimum(x1: Any, x2: Any) -> Tensor:
    """The smaller of x1 and x2, elementwise, broadcasting as numpy does (NaN if either
    is NaN). The gradient goes to the smaller input; where the two are equal it is split
    half and half, as in PyTorch's ``minimum``. Finite wherever its inputs are. On
    integer tensors it records nothing."""
    return Minimum.apply(*_operands(x1, x2, "minimum"))


class Arctan2(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ {1} / ({0}² + {1}²);  dL/d{1} = −dL/d{y} ⊙ {0} / ({0}² + {1}²)"
    __slots__ = ()

    def forward(self, y, x):
        if self.parents is not None:
            self.save_for_backward(y, x)
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.saved
        # x / (x² + y²) computed as (x/s) / (s·((x/s)² + (y/s)²)) with s = max(|x|, |y|),
        # so the squares neither underflow (at 1e-300) nor overflow. s cancels exactly,
        # so it is a constant for the graph; at the origin s = 0 is replaced by 1 and
        # the gradient is 0/0, undefined, as it is there.
        s = np.maximum(np.abs(_raw(y)), np.abs(_raw(x)))
        s = np.where(s == 0, 1, s)
        ys, xs = y / s, x / s
        d = (ys * ys + xs * xs) * s
        return (g * xs / d if needs(self, 0) else None), \
            (-g * ys / d if needs(self, 1) else None)


@implements(np.arctan2)
def arctan2(x1: Any, x2: Any) -> Tensor:
    """The angle of the point (x2, x1) in radians, in [−π, π]: arctan(x1 / x2) in the
    right quadrant (numpy's and PyTorch's ``atan2``; x1 is the y coordinate),
    broadcasting as numpy does.

    dL/dx1 = dL/dout ⊙ x2 / (x1² + x2²), dL/dx2 = −dL/dout ⊙ x1 / (x1² + x2²). Finite
    forward for every input, and backward everywhere except the origin, where the
    gradient is 0/0 (PyTorch gives NaN there; under numpy's raise state it is
    ``backward of 'arctan2'``). The backward scales by max(|x1|, |x2|), so it stays
    finite down to 1e-300 and up to the dtype's largest values. The angle jumps by 2π
    across the negative x2 axis (x1 = 0, x2 < 0)."""
    return Arctan2.apply(*_operands(x1, x2, "arctan2"))


class Lerp(Function):
    formula = ("dL/d{0} = dL/d{y} ⊙ (1 − {2});  dL/d{1} = dL/d{y} ⊙ {2};  "
               "dL/d{2} = dL/d{y} ⊙ ({1} − {0})")
    __slots__ = ()

    def forward(self, start, end, weight):
        if self.parents is not None:
            self.save_for_backward(start, end, weight)
        diff = end - start
        # PyTorch's form: exact at both ends (weight 0 gives start, weight 1 gives end)
        return _trace.asarray(np.where(weight < 0.5, start + weight * diff,
                                   end - diff * (1 - weight)))

    def backward(self, g):
        start, end, weight = self.saved
        return (g * (1 - weight) if needs(self, 0) else None), \
            (g * weight if needs(self, 1) else None), \
            (g * (end - start) if needs(self, 2) else None)

    def limit(self, *arrays, **kwargs):
        return "end − start and weight·(end − start) must fit the dtype"


def lerp(start: Any, end: Any, weight: Any) -> Tensor:
    """start + weight·(end − start), elementwise (PyTorch's ``lerp``), all three
    broadcasting as numpy does; ``weight`` is a number or a tensor.

    Computed as PyTorch does, from whichever end is nearer (weight < 0.5: from start,
    else back from end), so weight 0 gives start and weight 1 gives end exactly.
    Gradients: (1 − weight) for start, weight for end, end − start for a tensor weight.
    Finite while end − start fits the dtype (1.8e308 for float64)."""
    return Lerp.apply(start, end, weight)


class FloorDivide(Function):
    name = "floor_divide"
    formula = "dL/d{0} = 0;  dL/d{1} = 0  (piecewise constant)"
    __slots__ = ("shapes",)

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return np.floor_divide(a, b)

    def backward(self, g):
        sa, sb = self.shapes
        return (np.zeros(sa, g.dtype) if needs(self, 0) else None), \
            (np.zeros(sb, g.dtype) if needs(self, 1) else None)

    def limit(self, *arrays, **kwargs):
        return "the divisor must be nonzero"


@implements(np.floor_divide)
def floor_divide(x1: Any, x2: Any) -> Tensor:
    """⌊x1 / x2⌋, elementwise, as numpy's ``floor_divide`` (Python's ``//``: rounded
    toward −∞), broadcasting as numpy does; integer tensors give integers and record
    nothing.

    Gradient: zero for both inputs, as PyTorch's ``div(..., rounding_mode="floor")``
    and ``floor`` give (the function is piecewise constant; at its jumps it has no
    derivative). PyTorch's own ``floor_divide`` has no derivative at all and fails in
    backward; zeros are the convention PyTorch settled on for rounding division. A zero
    divisor is a division by zero (with numpy's raise state a FloatingPointError naming
    floor_divide); the quotient overflows where it passes the dtype's largest value."""
    return FloorDivide.apply(*_operands(x1, x2, "floor_divide"))


class Remainder(Function):
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = −dL/d{y} ⊙ ⌊{0} / {1}⌋"
    __slots__ = ()

    def forward(self, a, b):
        if self.parents is not None and needs(self, 1):
            self.save_for_backward(a, b)
        return np.remainder(a, b)

    def backward(self, g):
        gb = None
        if needs(self, 1):
            a, b = self.saved
            gb = -g * np.floor_divide(a, b)
        return (g if needs(self, 0) else None), gb

    def limit(self, *arrays, **kwargs):
        return "the divisor must be nonzero"


@implements(np.remainder)
def remainder(x1: Any, x2: Any) -> Tensor:
    """x1 − x2·⌊x1 / x2⌋, elementwise, as numpy's ``remainder`` (= ``np.mod``, Python's
    ``%``: the result has the sign of x2), broadcasting as numpy does; integer tensors
    give integers and record nothing.

    Gradients, as PyTorch's ``remainder``: 1 for x1 and −⌊x1 / x2⌋ for x2 (the jumps,
    where x1 / x2 is an integer, are ignored, as PyTorch does). A zero divisor is
    undefined (NaN for floats, a division by zero for integers; with numpy's raise
    state a FloatingPointError naming remainder). The gradient for x2 is as large as
    the quotient: finite while x1 / x2 fits the dtype."""
    return Remainder.apply(*_operands(x1, x2, "remainder"))
