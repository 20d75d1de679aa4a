"""minigrad: a small, fast, numpy-based automatic-differentiation framework.

A :class:`Tensor` records the ops applied to it; ``loss.backward()`` runs reverse
mode and fills ``.grad``. Layers, optimizers, data handling, training, metrics,
graph drawing and gradient checking live in the submodules ``nn``, ``optim``,
``data``, ``train``, ``metrics``, ``viz`` and ``testing`` (loaded on first use).
"""

from __future__ import annotations

import importlib

from .autograd import (
    AnomalyError,
    Function,
    detect_anomaly,
    enable_grad,
    grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    value_and_grad,
)
from .ops import (
    add,
    add_bias,
    astype,
    broadcast_to,
    cross_entropy,
    div,
    exp,
    getitem,
    log,
    log_softmax,
    matmul,
    mean,
    mse,
    mul,
    neg,
    pow,
    relu,
    reshape,
    sigmoid,
    softmax,
    sub,
    sum,
    tanh,
    transpose,
)
from .tensor import Tensor, tensor

__version__ = "0.1.0"

_SUBMODULES = ("nn", "optim", "data", "datasets", "metrics", "train", "viz", "testing", "io")
_FROM_IO = ("save", "load")

__all__ = [
    "Tensor", "tensor", "Function", "detect_anomaly", "AnomalyError",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled", "inference_mode",
    "grad", "value_and_grad",
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "add_bias",
    "sigmoid", "tanh", "relu", "exp", "log", "sum", "mean",
    "reshape", "transpose", "broadcast_to", "getitem", "astype",
    "softmax", "log_softmax", "mse", "cross_entropy",
    *_SUBMODULES, *_FROM_IO,
]  # fmt: skip


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_IO:
        return getattr(importlib.import_module(".io", __name__), name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
