"""Weight initialization under PyTorch's names (``torch.nn.init``): each function fills a
Tensor or Parameter in place, without recording a graph, and returns it::

    from minigrad.nn import init

    init.kaiming_uniform_(conv.weight, a=math.sqrt(5), rng=0)
    init.zeros_(conv.bias)

Random draws come from ``rng``: an int seed (the same seed gives the same values), a
``numpy.random.Generator`` or ``RandomState`` (drawn from, so several calls can share one
stream), or None (fresh entropy). Values are drawn in float64 and stored in the tensor's
own dtype.

Fans follow PyTorch's weight layout (out_features, in_features, *kernel): fan_in =
shape[1]·k, fan_out = shape[0]·k, with k the product of the remaining dimensions. A
minigrad ``nn.Linear`` stores its weight as (in, out), the transpose: for it, fan_in and
fan_out swap, so pass ``mode="fan_out"`` to a kaiming initializer to scale by the number
of inputs (or initialize ``layer.weight.T``'s values and assign them).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]  # fmt: skip

Rng = int | np.random.Generator | np.random.RandomState | None

_LINEAR_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")


def _generator(rng: Rng, fn: str) -> np.random.Generator | np.random.RandomState:
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"init.{fn}: rng must be an int seed, a numpy.random.Generator, a "
                    f"RandomState or None, got {type(rng).__name__}")


def _check(tensor: Tensor, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init.{fn}: expected a Tensor or Parameter, got "
                        f"{type(tensor).__name__}")
    if tensor.data.dtype.kind not in "fc":
        raise TypeError(f"init.{fn}: the tensor must be floating point, got dtype "
                        f"{tensor.data.dtype}")
    return tensor


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    """Write ``values`` into the tensor's array in place, under no_grad; a read-only
    array (saved by a graph) is replaced by a new one, as optimizers do."""
    with no_grad():
        if tensor.data.flags.writeable:
            tensor.data[...] = values
        else:
            new = np.empty_like(tensor.data)
            new[...] = values
            tensor.data = new
    return tensor


def _real(value: object, fn: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(float(value)):
        raise ValueError(f"init.{fn}: {what} must be a finite number, got {value!r}")
    return float(value)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gain for a nonlinearity: 1 for linear, convolutions and
    sigmoid; 5/3 for tanh; √2 for relu; √(2/(1 + slope²)) for leaky_relu (``param``, the
    negative slope, default 0.01); 3/4 for selu."""
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else _real(param, "calculate_gain", "param")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"init.calculate_gain: unsupported nonlinearity {nonlinearity!r}; "
                     f"expected one of {', '.join(_LINEAR_GAIN)}, tanh, relu, leaky_relu, selu")


def _fans(tensor: Tensor, fn: str) -> tuple[int, int]:
    shape = tensor.data.shape
    if len(shape) < 2:
        raise ValueError(f"init.{fn}: fan in and fan out need a tensor with at least 2 "
                         f"dimensions, got shape {shape}")
    k = math.prod(shape[2:])
    return shape[1] * k, shape[0] * k


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, *, rng: Rng = None) -> Tensor:
    """Fill ``tensor`` with values drawn uniformly from [a, b)."""
    _check(tensor, "uniform_")
    lo, hi = _real(a, "uniform_", "a"), _real(b, "uniform_", "b")
    if lo > hi:
        raise ValueError(f"init.uniform_: a must not exceed b, got a={lo}, b={hi}")
    return _fill(tensor, _generator(rng, "uniform_").uniform(lo, hi, tensor.data.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, rng: Rng = None) -> Tensor:
    """Fill ``tensor`` with values drawn from the normal distribution N(mean, std²)."""
    _check(tensor, "normal_")
    m, s = _real(mean, "normal_", "mean"), _real(std, "normal_", "std")
    if s < 0:
        raise ValueError(f"init.normal_: std must be non-negative, got {s}")
    return _fill(tensor, _generator(rng, "normal_").normal(m, s, tensor.data.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``."""
    _check(tensor, "constant_")
    if isinstance(val, bool) or not isinstance(val, numbers.Number):
        raise TypeError(f"init.constant_: val must be a number, got {val!r}")
    return _fill(tensor, val)  # type: ignore[arg-type]


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros."""
    return _fill(_check(tensor, "zeros_"), 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    return _fill(_check(tensor, "ones_"), 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, *, rng: Rng = None) -> Tensor:
    """Glorot's uniform initialization: U(−bound, bound) with
    bound = gain·√(6/(fan_in + fan_out)), so the variance is gain²·2/(fan_in + fan_out)."""
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    std = _real(gain, "xavier_uniform_", "gain") * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _generator(rng, "xavier_uniform_").uniform(-bound, bound,
                                                                     tensor.data.shape))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, *, rng: Rng = None) -> Tensor:
    """Glorot's normal initialization: N(0, std²) with std = gain·√(2/(fan_in + fan_out))."""
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    std = _real(gain, "xavier_normal_", "gain") * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, _generator(rng, "xavier_normal_").normal(0.0, std, tensor.data.shape))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str, fn: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init.{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, fn)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"init.{fn}: the tensor of shape {tensor.data.shape} has a {mode} "
                         "of 0")
    return calculate_gain(nonlinearity, _real(a, fn, "a")) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", *, rng: Rng = None) -> Tensor:
    """He's uniform initialization: U(−bound, bound) with bound = gain·√(3/fan), fan the
    tensor's fan_in or fan_out (``mode``), gain ``calculate_gain(nonlinearity, a)`` (``a``
    is the leaky_relu slope). PyTorch's default for Linear and convolution weights is
    ``a=√5``, which gives bound = 1/√fan_in."""
    _check(tensor, "kaiming_uniform_")
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(tensor, _generator(rng, "kaiming_uniform_").uniform(-bound, bound,
                                                                      tensor.data.shape))


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", *, rng: Rng = None) -> Tensor:
    """He's normal initialization: N(0, std²) with std = gain/√fan (see
    :func:`kaiming_uniform_` for ``a``, ``mode`` and ``nonlinearity``)."""
    _check(tensor, "kaiming_normal_")
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(tensor, _generator(rng, "kaiming_normal_").normal(0.0, std, tensor.data.shape))
