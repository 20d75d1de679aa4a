"""Layers: Linear and the activation functions as modules."""

from __future__ import annotations

import math
import numbers

import numpy as np
import numpy.typing as npt

from ..ops import add_bias, matmul, relu, sigmoid, tanh
from ..tensor import Tensor
from .module import Module, Parameter

__all__ = ["Linear", "Sigmoid", "Tanh", "ReLU"]


def _generator(
    rng: int | np.random.Generator | np.random.RandomState | None,
) -> np.random.Generator | np.random.RandomState:
    """``rng`` as something with ``.uniform``: a Generator or RandomState is used as is,
    an int seeds a new Generator, None draws fresh entropy."""
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    return np.random.default_rng(rng)


class Linear(Module):
    """N = X·W + B: ``x`` of shape (batch, in_features) to (batch, out_features).

    ``weight`` has shape (in_features, out_features), so a row of ``x`` times it is a row
    of the output, as in the notes; ``bias`` has shape (out_features,).

    Initialization (PyTorch's default for its Linear): every weight and bias value is
    drawn independently from the uniform distribution on [−1/√in_features,
    1/√in_features], the weight first, then the bias. The bound keeps the variance of
    each output close to a third of the inputs' variance whatever the layer's width.
    ``rng`` is an int seed, a ``numpy.random.Generator`` or ``RandomState`` (drawn from,
    so layers can share one stream), or None for fresh entropy. Values are drawn in
    float64 and then converted to ``dtype``.

    To start from given values, assign them: ``layer.weight.data = W`` or
    ``model.load_state_dict(...)``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        dtype: npt.DTypeLike = np.float64,
        rng: int | np.random.Generator | np.random.RandomState | None = None,
    ) -> None:
        super().__init__()
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear: {what} must be a positive int, got {n!r}")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a floating-point type, got {dtype}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        gen = _generator(rng)
        bound = 1.0 / math.sqrt(in_features)
        w = gen.uniform(-bound, bound, (self.in_features, self.out_features))
        self.weight = Parameter(w.astype(dtype))
        self.bias: Parameter | None
        if bias:
            self.bias = Parameter(gen.uniform(-bound, bound, self.out_features).astype(dtype))
        else:
            self.bias = None

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        shape = x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)
        if len(shape) != 2 or shape[1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features} → {self.out_features}): expected input of shape "
                f"(batch, {self.in_features}), got shape {tuple(shape)}"
            )
        n = matmul(x, self.weight)
        return n if self.bias is None else add_bias(n, self.bias)

    def extra_repr(self) -> str:
        text = f"{self.in_features} → {self.out_features}"
        if self.bias is None:
            text += ", bias=False"
        if self.weight.data.dtype != np.float64:
            text += f", dtype={self.weight.data.dtype}"
        return text


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^−x), elementwise."""

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return tanh(x)


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor | np.ndarray) -> Tensor:
        return relu(x)
