"""Elementwise math: each output element depends on the same element of the input.

Backward formulas use numpy functions and operators, which act on arrays for a plain
backward and dispatch to these ops on Tensors for higher order (see ``_base``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import implements

__all__ = ["sigmoid", "tanh", "relu", "exp", "log"]


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
        return g * y * (1 - y)


def sigmoid(x) -> Tensor:
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
        return g * (1 - y * y)


@implements(np.tanh)
def tanh(x) -> Tensor:
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


def relu(x) -> Tensor:
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
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        return f"exp overflows {dtype} for inputs above {np.log(np.finfo(dtype).max):.6g}"

    def backward(self, g):
        (y,) = self.saved
        return g * y


@implements(np.exp)
def exp(x) -> Tensor:
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
def log(x) -> Tensor:
    """Natural logarithm.

    At the edge: finite for every x > 0: log(1e-300) = −690.8, with gradient
    1/x = 1e300; only for subnormal x below 5.6e-309 does the gradient 1/x overflow
    (float64). log(0) is a division by zero (−inf) and the log of a negative number is
    invalid (NaN).
    """
    return Log.apply(x)
