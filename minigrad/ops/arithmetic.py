"""Arithmetic: + − × ÷, negation and powers, with numpy's broadcasting.

Each public function picks its op class: a Python number as an operand gets a
small op of its own (no constant tensor to build, no gradient to compute for the
number, and float32 stays float32); the Tensor operators are these functions.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import SCALARS, implements, needs, save_crossed

__all__ = ["add", "sub", "mul", "div", "neg", "pow"]

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
def add(a, b) -> Tensor:
    """a + b, broadcasting as numpy does. Finite unless the sum passes the dtype's largest
    value (1.8e308 for float64)."""
    if type(b) in SCALARS:
        return AddScalar.apply(a, c=b)
    if type(a) in SCALARS:
        return AddScalar.apply(b, c=a)
    return Add.apply(a, b)


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
def sub(a, b) -> Tensor:
    """a − b, broadcasting as numpy does. Finite unless the difference passes the dtype's
    largest value."""
    if type(b) in SCALARS:
        return AddScalar.apply(a, c=-b)
    if type(a) in SCALARS:
        return RSubScalar.apply(b, c=a)
    return Sub.apply(a, b)


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
def mul(a, b) -> Tensor:
    """a ⊙ b (elementwise), broadcasting as numpy does. Finite unless a product passes the
    dtype's largest value (tiny products underflow to 0 quietly)."""
    if type(b) in SCALARS:
        return MulScalar.apply(a, c=b)
    if type(a) in SCALARS:
        return MulScalar.apply(b, c=a)
    return Mul.apply(a, b)


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
def div(a, b) -> Tensor:
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


class Neg(Function):
    formula = "dL/d{0} = −dL/d{y}"
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


@implements(np.negative)
def neg(x) -> Tensor:
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
        y = np.asarray(np.power(c, x, dtype=np.result_type(x, 1.0)))
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
        out = np.asarray(x**y)
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
def pow(x, exponent) -> Tensor:
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
