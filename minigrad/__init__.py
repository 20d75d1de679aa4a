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
from .ops.arithmetic import add, div, mul, neg, pow, sub
from .ops.elementwise import exp, log, relu, sigmoid, tanh
from .ops.index import getitem, where
from .ops.linalg import add_bias, matmul
from .ops.logic import (
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    equal,
    greater,
    greater_equal,
    invert,
    isfinite,
    isinf,
    isnan,
    left_shift,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    not_equal,
    right_shift,
)
from .ops.losses import cross_entropy, mse
from .ops.reduce import log_softmax, mean, softmax, sum
from .ops.shape import astype, broadcast_to, reshape, transpose
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
    "softmax", "log_softmax", "mse", "cross_entropy", "where",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "isfinite", "isnan", "isinf",
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
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
