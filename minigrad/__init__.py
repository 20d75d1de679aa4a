"""minigrad: a small, fast, numpy-based automatic-differentiation framework.

A :class:`Tensor` records the ops applied to it; ``loss.backward()`` runs reverse
mode and fills ``.grad``. Layers, optimizers, data handling, training, metrics,
graph drawing and gradient checking live in the submodules ``nn``, ``optim``,
``data``, ``train``, ``metrics``, ``viz`` and ``testing`` (loaded on first use). Every op
(``minigrad.ops``, by family) is also here at the top level under numpy's name; linear
algebra's own (``inv``, ``det``, ``slogdet``, ``solve``, ``norm``) is in ``minigrad.linalg``.
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
from .compiler import CompileError, compile
from .ops.activation import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
)
from .ops.arithmetic import (
    add,
    arctan2,
    div,
    floor_divide,
    lerp,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    remainder,
    sub,
)
from .ops.creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    uniform,
    zeros,
    zeros_like,
)
from .ops.elementwise import (
    abs,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    ceil,
    cos,
    cosh,
    erf,
    exp,
    exp2,
    expm1,
    floor,
    log,
    log1p,
    log2,
    log10,
    reciprocal,
    relu,
    round,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    tan,
    tanh,
    trunc,
)
from .ops.index import (
    clip,
    getitem,
    index_add,
    masked_fill,
    scatter_add,
    take,
    take_along_axis,
    tril,
    triu,
    where,
)
from .ops.linalg import (
    add_bias,
    dot,
    einsum,
    inner,
    matmul,
    outer,
    tensordot,
)
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
from .ops.losses import (
    cross_entropy,
    mse,
)
from .ops.reduce import (
    all,
    any,
    argmax,
    argmin,
    cumprod,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    softmax,
    std,
    sum,
    var,
)
from .ops.shape import (
    array_split,
    astype,
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    flip,
    moveaxis,
    pad,
    ravel,
    repeat,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    sum_to,
    swapaxes,
    tile,
    transpose,
)
from .tensor import Tensor, tensor

__version__ = "0.1.0"

_SUBMODULES = (
    "nn", "optim", "data", "datasets", "metrics", "train", "viz", "testing", "io", "linalg", "ops",
)
_FROM_IO = ("save", "load")

__all__ = [
    "Tensor", "tensor", "Function", "detect_anomaly", "AnomalyError",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled", "inference_mode",
    "grad", "value_and_grad", "compile", "CompileError",
    # the ops, by family (minigrad.ops)
    "add", "sub", "mul", "div", "neg", "pow", "maximum", "minimum", "arctan2", "lerp",
    "floor_divide", "remainder", "sigmoid", "tanh", "relu", "exp", "log", "abs", "sign",
    "sqrt", "square", "reciprocal", "expm1", "log1p", "log2", "log10", "exp2", "sin", "cos",
    "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "erf", "floor", "ceil", "round", "trunc", "logsigmoid", "leaky_relu", "elu", "selu",
    "celu", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh", "hardsigmoid",
    "hardswish", "relu6", "sum", "mean", "max", "min", "prod", "var", "std", "logsumexp",
    "norm", "cumsum", "cumprod", "argmax", "argmin", "all", "any", "softmax", "log_softmax",
    "reshape", "transpose", "broadcast_to", "astype", "squeeze", "expand_dims", "flatten",
    "ravel", "concatenate", "stack", "split", "array_split", "pad", "flip", "roll", "repeat",
    "tile", "moveaxis", "swapaxes", "sum_to", "getitem", "where", "clip", "masked_fill",
    "tril", "triu", "take", "take_along_axis", "index_add", "scatter_add", "matmul",
    "add_bias", "dot", "outer", "inner", "tensordot", "einsum", "mse", "cross_entropy",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "isfinite", "isnan", "isinf", "bitwise_and",
    "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift", "zeros", "ones",
    "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like", "arange",
    "linspace", "eye", "rand", "randn", "randint", "normal", "uniform",
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
