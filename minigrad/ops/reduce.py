"""Reductions and ops along an axis: sums, means, softmax.

Every axis argument goes through ``_base.normalize_axis``: None (all axes), an int or a
tuple; out-of-range axes are refused with the op's name and the shape, and axis 0 or −1
of a 0-d tensor is the tensor itself.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import empty_mean_error, implements, normalize_axis, reduced_shape

__all__ = ["sum", "mean", "softmax", "log_softmax"]


class Sum(Function):
    formula = "dL/d{0} = dL/d{y} broadcast to the shape of {0}"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(self, x, axis=None, keepdims=False):
        self.shape = x.shape
        self.axes = normalize_axis(axis, x.shape, self.name)
        self.keepdims = keepdims
        return np.asarray(x.sum(axis=self.axes, keepdims=keepdims))

    def _expand(self, g):
        if not self.keepdims:
            g = g.reshape(reduced_shape(self.shape, self.axes))
        return np.broadcast_to(g, self.shape)

    def backward(self, g):
        return self._expand(g)


@implements(np.sum)
def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (an int, a tuple, or None for all axes)."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


class Mean(Sum):
    formula = "dL/d{0} = dL/d{y} / n broadcast to the shape of {0}"
    __slots__ = ("count",)

    def forward(self, x, axis=None, keepdims=False):
        out = Sum.forward(self, x, axis, keepdims)
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.count = count
        if count == 0:
            raise empty_mean_error("mean", x.shape)
        return out / count

    def backward(self, g):
        return self._expand(g / self.count)


@implements(np.mean)
def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple, or None for all axes); refused over zero
    elements."""
    return Mean.apply(x, axis=axis, keepdims=keepdims)


def _softmax_array(x, axis):
    if x.size == 0:  # nothing to normalize; max() would refuse the empty array
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = np.asarray(x - x.max(axis=axis, keepdims=True))  # 0-d arithmetic gives a scalar
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _log_softmax_array(x, axis):
    if x.size == 0:
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = np.asarray(x - x.max(axis=axis, keepdims=True))
    z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


class Softmax(Function):
    formula = "dL/d{0} = {y} ⊙ (dL/d{y} − Σ dL/d{y} ⊙ {y})"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = normalize_axis(axis, x.shape, self.name)
        y = _softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input (softmax([1000, −1000]) = [1, 0])."""
    return Softmax.apply(x, axis=axis)


def softmax_either(v, axis):
    """softmax of an array or a Tensor (for backward formulas)."""
    return Softmax.apply(v, axis=axis) if isinstance(v, Tensor) else _softmax_array(v, axis)


class LogSoftmax(Function):
    name = "log_softmax"
    formula = "dL/d{0} = dL/d{y} − softmax({0}) ⊙ Σ dL/d{y}"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = normalize_axis(axis, x.shape, self.name)
        y = _log_softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g - np.exp(y) * g.sum(axis=self.axis, keepdims=True)


def log_softmax(x, axis: int = -1) -> Tensor:
    """x − log Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input."""
    return LogSoftmax.apply(x, axis=axis)
