"""Ops that move values without changing them: reshape, transpose, broadcast, cast."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, no_grad
from ..tensor import Tensor
from ._base import implements, normalize_axis, shape_arg

__all__ = ["reshape", "transpose", "broadcast_to", "astype"]


class Reshape(Function):
    formula = "dL/d{0} = dL/d{y} reshaped to the shape of {0}"
    __slots__ = ("shape",)

    def forward(self, x, shape):
        self.shape = x.shape
        try:
            return x.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"to {shape}"
            ) from None

    def backward(self, g):
        return g.reshape(self.shape)


@implements(np.reshape)
def reshape(x, shape) -> Tensor:
    """The same values in a new shape (one dimension may be −1)."""
    return Reshape.apply(x, shape=shape_arg(shape, "reshape"))


class Transpose(Function):
    formula = "dL/d{0} = (dL/d{y})ᵀ"
    __slots__ = ("axes",)

    def forward(self, x, axes=None):
        if axes is None:
            axes = tuple(range(x.ndim))[::-1]
        else:
            given = axes
            if len(axes) != x.ndim:
                raise ValueError(
                    f"transpose: axes {given} are not a permutation of the {x.ndim} axes of "
                    f"a tensor of shape {x.shape}"
                )
            axes = tuple(normalize_axis(a, x.shape, self.name)[0] for a in axes)
            if sorted(axes) != list(range(x.ndim)):
                raise ValueError(
                    f"transpose: axes {given} are not a permutation for shape {x.shape}"
                )
        self.axes = axes
        return x.transpose(axes)

    def backward(self, g):
        return g.transpose(tuple(np.argsort(self.axes)))


@implements(np.transpose)
def transpose(x, axes=None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None)."""
    if axes is not None:
        axes = shape_arg(axes, "transpose", "axes")
    return Transpose.apply(x, axes=axes)


class BroadcastTo(Function):
    name = "broadcast_to"
    formula = "dL/d{0} = dL/d{y} summed over the broadcast axes"
    __slots__ = ()

    def forward(self, x, shape):
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ValueError(
                f"broadcast_to: cannot broadcast shape {x.shape} to {tuple(shape)}"
            ) from None

    def backward(self, g):
        return g  # the engine sums it back to the input's shape


@implements(np.broadcast_to)
def broadcast_to(x, shape) -> Tensor:
    """Repeat ``x`` along new or size-1 axes to ``shape``."""
    return BroadcastTo.apply(x, shape=shape_arg(shape, "broadcast_to"))


class Cast(Function):
    name = "astype"
    formula = "dL/d{0} = dL/d{y} cast back to the dtype of {0}"
    __slots__ = ("dtype",)

    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.astype(self.dtype)

    def limit(self, *arrays, dtype=None, **kwargs):
        return f"converting to {dtype}"


def astype(x, dtype) -> Tensor:
    """The values converted to ``dtype``; the gradient is converted back. A value beyond
    the target dtype's range (1e300 to float32) overflows, as numpy's cast does. A
    conversion to an integer or bool dtype has no gradient: its result is a constant."""
    try:
        target = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"astype: dtype={dtype!r} is not a numpy dtype ({e})") from None
    if target.kind not in "biuf":
        raise TypeError(
            f"astype: cannot convert to dtype {target}; minigrad works on bool, integer and "
            "floating-point arrays"
        )
    if target.kind != "f":
        with no_grad():
            return Cast.apply(x, dtype=target)
    return Cast.apply(x, dtype=target)
