"""Layers as modules, under PyTorch's names, constructor arguments, defaults and
parameter shapes, each computed by ``minigrad.nn.functional``: Linear (in minigrad's own
(in, out) layout), convolutions, pooling, reshaping, dropout, normalization, embeddings,
multi-head attention and the activation functions."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..ops import add_bias, matmul, relu, sigmoid, tanh
from ..ops.shape import reshape
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = [
    "Linear", "Identity", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
    "AdaptiveAvgPool2d", "Flatten", "Unflatten", "Dropout", "LayerNorm", "BatchNorm1d",
    "BatchNorm2d", "Embedding", "MultiheadAttention",
    "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
    "Mish", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid", "Hardswish", "LogSigmoid",
    "Softmax", "LogSoftmax",
]  # fmt: skip

Input = Tensor | np.ndarray
Rng = int | np.random.Generator | np.random.RandomState | None


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


# --------------------------------------------------------------------------- helpers


def _shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)


def _positive_int(value: Any, where: str, what: str, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or \
            value < (0 if zero else 1):
        kind = "non-negative" if zero else "positive"
        raise ValueError(f"{where}: {what} must be a {kind} int, got {value!r}")
    return int(value)


def _tuple(value: Any, n: int, where: str, what: str, zero: bool = False) -> tuple[int, ...]:
    """An int or a length-n sequence of ints as an n-tuple (PyTorch's _pair / _single)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n:
            raise ValueError(f"{where}: {what} must be an int or {n} ints, got {value!r}")
        return tuple(_positive_int(v, where, what, zero) for v in value)
    return (_positive_int(value, where, what, zero),) * n


def _float_dtype(dtype: npt.DTypeLike, where: str) -> np.dtype[Any]:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating-point type, got {dt}")
    return dt


def _probability(p: Any, where: str) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{where}: p must be a probability between 0 and 1, got {p!r}")
    return float(p)


def _dropout_generator(rng: Any, where: str) -> np.random.Generator:
    """One Generator per module, drawn from on every call: an int seed makes the
    sequence of masks reproducible."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{where}: rng must be an int seed, a numpy.random.Generator or None, "
                    f"got {type(rng).__name__}")


class Identity(Module):
    """Returns its input unchanged; any constructor arguments are ignored (as PyTorch's,
    so that it can stand in for another layer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


# --------------------------------------------------------------------------- convolution

_PADDING_MODES = ("zeros", "reflect", "replicate")


class _ConvNd(Module):
    """Shared by Conv1d and Conv2d: PyTorch's weight (out, in/groups, *kernel), bias
    (out,), and its default initialization, kaiming_uniform_(a=√5) (every weight in
    U(−1/√fan_in, 1/√fan_in)) and bias in U(−1/√fan_in, 1/√fan_in), with fan_in =
    in_channels/groups · kernel size."""

    _nd = 2
    _name = "Conv2d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...] = 1, padding: int | tuple[int, ...] | str = 0,
                 dilation: int | tuple[int, ...] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, dtype: npt.DTypeLike = np.float64,
                 rng: Rng = None) -> None:
        super().__init__()
        nd, where = self._nd, self._name
        self.in_channels = _positive_int(in_channels, where, "in_channels")
        self.out_channels = _positive_int(out_channels, where, "out_channels")
        self.groups = _positive_int(groups, where, "groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{where}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must both be divisible by groups ({groups})")
        self.kernel_size = _tuple(kernel_size, nd, where, "kernel_size")
        self.stride = _tuple(stride, nd, where, "stride")
        self.dilation = _tuple(dilation, nd, where, "dilation")
        self.padding: tuple[int, ...] | str
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{where}: padding must be an int, a tuple, 'valid' or "
                                 f"'same', got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{where}: padding='same' is not supported for strided "
                                 f"convolutions (stride {self.stride})")
            self.padding = padding
        else:
            self.padding = _tuple(padding, nd, where, "padding", zero=True)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{where}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        self.padding_mode = padding_mode
        dt = _float_dtype(dtype, where)
        gen = init._generator(rng, where)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        self.bias: Parameter | None = None
        if bias:
            fan_in = shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in)
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def _pads(self) -> tuple[int, ...]:
        """F.pad widths (last axis first) for a non-zero padding_mode."""
        widths: list[int] = []
        for i in reversed(range(self._nd)):
            if self.padding == "valid":
                lo = hi = 0
            elif self.padding == "same":
                total = self.dilation[i] * (self.kernel_size[i] - 1)
                lo, hi = total // 2, total - total // 2
            else:
                lo = hi = self.padding[i]  # type: ignore[index]
            widths += [lo, hi]
        return tuple(widths)

    def _check_input(self, x: Input) -> None:
        shape = _shape_of(x)
        nd = self._nd
        if len(shape) not in (nd + 1, nd + 2) or shape[-nd - 1] != self.in_channels:
            dims = "L" if nd == 1 else "H, W"
            raise ValueError(f"{self._name}({self.extra_repr()}): expected input of shape "
                             f"(N, {self.in_channels}, {dims}) or ({self.in_channels}, {dims}), "
                             f"got shape {shape}")

    def forward(self, x: Input) -> Tensor:
        self._check_input(x)
        conv = F.conv1d if self._nd == 1 else F.conv2d
        if self.padding_mode == "zeros":
            return conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)
        x = F.pad(x, self._pads(), mode=self.padding_mode)
        return conv(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        k = self.kernel_size[0] if self._nd == 1 else self.kernel_size
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={k}"
        if any(v != 1 for v in self.stride):
            s += f", stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else \
                f", padding={self.padding}"
        if any(v != 1 for v in self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) input: ``F.conv1d``.

    ``weight`` (out_channels, in_channels/groups, kernel_size), ``bias`` (out_channels,),
    initialized as PyTorch's (every value uniform in ±1/√(in_channels/groups ·
    kernel_size)). ``padding``: int, "valid" or "same"; ``padding_mode``: "zeros",
    "reflect" or "replicate". ``dtype`` and ``rng`` (int seed, Generator, RandomState or
    None) as ``nn.Linear``'s."""

    _nd = 1
    _name = "Conv1d"


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) input: ``F.conv2d``.

    ``weight`` (out_channels, in_channels/groups, kH, kW), ``bias`` (out_channels,),
    initialized as PyTorch's (every value uniform in ±1/√(in_channels/groups · kH · kW)).
    ``kernel_size``, ``stride``, ``dilation``: int or pair; ``padding``: int, pair,
    "valid" or "same"; ``padding_mode``: "zeros", "reflect" or "replicate" (the input is
    padded with ``F.pad`` first). ``dtype`` and ``rng`` as ``nn.Linear``'s."""

    _nd = 2
    _name = "Conv2d"


class ConvTranspose2d(Module):
    """2-D transposed convolution: ``F.conv_transpose2d``.

    ``weight`` (in_channels, out_channels/groups, kH, kW) as PyTorch's, ``bias``
    (out_channels,); initialized as PyTorch's, whose fan_in is computed from the weight's
    second dimension: every value uniform in ±1/√(out_channels/groups · kH · kW).
    ``forward(input, output_size=None)``: ``output_size`` ((H, W), or with the leading
    dimensions) picks the output_padding that gives that size, as in PyTorch. Only
    ``padding_mode="zeros"`` exists (as in PyTorch)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros", *,
                 dtype: npt.DTypeLike = np.float64, rng: Rng = None) -> None:
        super().__init__()
        where = "ConvTranspose2d"
        self.in_channels = _positive_int(in_channels, where, "in_channels")
        self.out_channels = _positive_int(out_channels, where, "out_channels")
        self.groups = _positive_int(groups, where, "groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{where}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must both be divisible by groups ({groups})")
        self.kernel_size = _tuple(kernel_size, 2, where, "kernel_size")
        self.stride = _tuple(stride, 2, where, "stride")
        self.padding = _tuple(padding, 2, where, "padding", zero=True)
        self.output_padding = _tuple(output_padding, 2, where, "output_padding", zero=True)
        self.dilation = _tuple(dilation, 2, where, "dilation")
        if padding_mode != "zeros":
            raise ValueError(f"{where}: only padding_mode='zeros' is supported, got "
                             f"{padding_mode!r}")
        self.padding_mode = padding_mode
        dt = _float_dtype(dtype, where)
        gen = init._generator(rng, where)
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        self.bias: Parameter | None = None
        if bias:
            bound = 1 / math.sqrt(shape[1] * math.prod(self.kernel_size))
            self.bias = Parameter(np.empty(self.out_channels, dtype=dt))
            init.uniform_(self.bias, -bound, bound, rng=gen)

    def _output_padding(self, shape: tuple[int, ...],
                        output_size: Sequence[int] | None) -> tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        size = tuple(output_size)[-2:]
        pads = []
        for i in range(2):
            smallest = ((shape[-2 + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            extra = size[i] - smallest
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise ValueError(
                    f"ConvTranspose2d: output_size {tuple(output_size)} cannot be reached for "
                    f"input of shape {shape}: each side must lie between {smallest} and "
                    f"{smallest + max(self.stride[i], self.dilation[i]) - 1}")
            pads.append(extra)
        return tuple(pads)

    def forward(self, x: Input, output_size: Sequence[int] | None = None) -> Tensor:
        shape = _shape_of(x)
        if len(shape) not in (3, 4) or shape[-3] != self.in_channels:
            raise ValueError(f"ConvTranspose2d({self.extra_repr()}): expected input of shape "
                             f"(N, {self.in_channels}, H, W) or ({self.in_channels}, H, W), "
                             f"got shape {shape}")
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(shape, output_size), self.groups,
                                  self.dilation)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        for what, v, default in (("stride", self.stride, 1), ("padding", self.padding, 0),
                                 ("output_padding", self.output_padding, 0),
                                 ("dilation", self.dilation, 1)):
            if any(e != default for e in v):
                s += f", {what}={v}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


# --------------------------------------------------------------------------- pooling


class MaxPool2d(Module):
    """The maximum over each window: ``F.max_pool2d``. ``stride`` defaults to
    ``kernel_size``. ``return_indices=True`` is not supported (F.max_pool2d returns the
    values only)."""

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None
                 = None, padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        if return_indices:
            raise NotImplementedError("MaxPool2d: return_indices=True is not supported")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = False, bool(ceil_mode)

    def forward(self, x: Input) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean over each window: ``F.avg_pool2d``. ``stride`` defaults to
    ``kernel_size``. ``divisor_override`` divides each window's sum by that number instead
    (not combined with ``ceil_mode``)."""

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None
                 = None, padding: int | tuple[int, int] = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        if divisor_override is not None:
            _positive_int(divisor_override, "AvgPool2d", "divisor_override")
            if ceil_mode:
                raise NotImplementedError("AvgPool2d: divisor_override with ceil_mode=True is "
                                          "not supported")
        self.divisor_override = divisor_override

    def forward(self, x: Input) -> Tensor:
        if self.divisor_override is None:
            return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                self.count_include_pad)
        # without ceil_mode every window lies in the padded input: its sum is
        # kH·kW times the mean that counts the padding
        kh, kw = _tuple(self.kernel_size, 2, "AvgPool2d", "kernel_size")
        mean = F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, False, True)
        return mean * (kh * kw / self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size: ``F.adaptive_avg_pool2d``; ``output_size``
    an int or a pair (None keeps that side)."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Input) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


# --------------------------------------------------------------------------- reshaping


class Flatten(Module):
    """Dimensions ``start_dim`` to ``end_dim`` (inclusive, negative counts from the end)
    merged into one: (N, C, H, W) -> (N, C·H·W) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Input) -> Tensor:
        shape = _shape_of(x)
        n = max(len(shape), 1)
        s, e = self.start_dim, self.end_dim
        s, e = (s + n if s < 0 else s), (e + n if e < 0 else e)
        if not (0 <= s < n and 0 <= e < n) or s > e:
            raise ValueError(f"Flatten: start_dim={self.start_dim} and end_dim={self.end_dim} "
                             f"do not fit input of shape {shape}")
        if not shape:
            return reshape(x, (1,))
        return reshape(x, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dimension ``dim`` split into ``unflattened_size`` (whose product must equal its
    size; one entry may be −1): (N, 12) -> (N, 3, 4) with ``Unflatten(1, (3, 4))``."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        sizes = tuple(unflattened_size)
        if not sizes or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                and (v > 0 or v == -1) for v in sizes) \
                or sizes.count(-1) > 1:
            raise ValueError(f"Unflatten: unflattened_size must be positive ints (one may be "
                             f"-1), got {unflattened_size!r}")
        self.dim, self.unflattened_size = int(dim), sizes

    def forward(self, x: Input) -> Tensor:
        shape = _shape_of(x)
        d = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= d < len(shape):
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input of shape "
                             f"{shape}")
        known = math.prod(v for v in self.unflattened_size if v != -1)
        n = shape[d]
        if (-1 in self.unflattened_size and n % known) or \
                (-1 not in self.unflattened_size and known != n):
            raise ValueError(f"Unflatten: unflattened_size {self.unflattened_size} does not "
                             f"fit dimension {self.dim} of size {n} (input of shape {shape})")
        return reshape(x, shape[:d] + self.unflattened_size + shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


# --------------------------------------------------------------------------- dropout


class Dropout(Module):
    """Inverted dropout (``F.dropout``) while training: each element is zeroed with
    probability ``p`` and the others scaled by 1/(1 − p); in eval mode
    (``model.eval()``) the input passes unchanged.

    ``rng`` (an int seed or a numpy Generator; None: fresh entropy) makes one generator
    that every call draws from, so the same seed gives the same sequence of masks.
    ``inplace`` is accepted for PyTorch compatibility; the result is always a new
    tensor."""

    def __init__(self, p: float = 0.5, inplace: bool = False, *, rng: Rng = None) -> None:
        super().__init__()
        self.p = _probability(p, "Dropout")
        self.inplace = bool(inplace)
        self._rng = _dropout_generator(rng, "Dropout")

    def forward(self, x: Input) -> Tensor:
        return F.dropout(x, self.p, training=self.training, rng=self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


# --------------------------------------------------------------------------- normalization


class LayerNorm(Module):
    """Layer normalization over the last dimensions, ``normalized_shape`` (an int or a
    tuple): ``F.layer_norm``. With ``elementwise_affine``, ``weight`` (ones) and ``bias``
    (zeros; left out with ``bias=False``) of shape ``normalized_shape``."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, *,
                 dtype: npt.DTypeLike = np.float64) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) \
            else tuple(normalized_shape)
        self.normalized_shape = tuple(_positive_int(v, "LayerNorm", "normalized_shape")
                                      for v in shape)
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        dt = _float_dtype(dtype, "LayerNorm")
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt))

    def forward(self, x: Input) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class _BatchNorm(Module):
    """Batch normalization (``F.batch_norm``) with PyTorch's state and behaviour.

    ``weight`` (ones) and ``bias`` (zeros) of shape (num_features,) with ``affine``.
    With ``track_running_stats`` the buffers ``running_mean`` (zeros), ``running_var``
    (ones) and ``num_batches_tracked`` (0, int64) are saved in ``state_dict()``. In
    training mode the batch's statistics normalize, and the running ones are updated:
    running ← (1 − momentum)·running + momentum·batch (the unbiased variance), or, with
    ``momentum=None``, the cumulative average over the batches seen. In eval mode the
    running statistics normalize. Without ``track_running_stats`` the batch's are always
    used."""

    _dims: tuple[int, ...] = (2, 3)
    _shape = "(N, C) or (N, C, L)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype: npt.DTypeLike = np.float64) -> None:
        super().__init__()
        where = type(self).__name__
        self.num_features = _positive_int(num_features, where, "num_features")
        self.eps = float(eps)
        if momentum is not None and (isinstance(momentum, bool) or
                                     not isinstance(momentum, numbers.Real)):
            raise TypeError(f"{where}: momentum must be a number or None, got {momentum!r}")
        self.momentum = momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dt = _float_dtype(dtype, where)
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dt))
            self.bias = Parameter(np.zeros(num_features, dtype=dt))
        self.running_mean: Tensor | None
        self.running_var: Tensor | None
        self.num_batches_tracked: Tensor | None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=dt))
            self.register_buffer("running_var", np.ones(num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean = np.zeros(self.num_features, dtype=self.running_mean.dtype)  # type: ignore[union-attr]
            self.running_var = np.ones(self.num_features, dtype=self.running_var.dtype)  # type: ignore[union-attr]
            self.num_batches_tracked = np.array(0, dtype=np.int64)

    def forward(self, x: Input) -> Tensor:
        shape = _shape_of(x)
        if len(shape) not in self._dims or shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): expected input of "
                             f"shape {self._shape} with C = {self.num_features}, got shape "
                             f"{shape}")
        factor = 0.0 if self.momentum is None else float(self.momentum)
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            if self.momentum is None:  # the cumulative average: 1 / (batches so far + this one)
                factor = 1.0 / (float(self.num_batches_tracked.item()) + 1.0)
            self.num_batches_tracked += 1
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(x, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    __doc__ = "Batch normalization of (N, C) or (N, C, L) input, per channel C.\n\n" + \
        (_BatchNorm.__doc__ or "")
    _dims = (2, 3)
    _shape = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    __doc__ = "Batch normalization of (N, C, H, W) input, per channel C.\n\n" + \
        (_BatchNorm.__doc__ or "")
    _dims = (4,)
    _shape = "(N, C, H, W)"


# --------------------------------------------------------------------------- embeddings


class Embedding(Module):
    """A lookup table: integer indices of any shape to rows of ``weight``
    (num_embeddings, embedding_dim), ``F.embedding``. Initialized as PyTorch's, N(0, 1),
    with the row ``padding_idx`` (if given; negative counts from the end) set to zeros;
    that row gets no gradient. ``dtype`` and ``rng`` as ``nn.Linear``'s."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 *, dtype: npt.DTypeLike = np.float64, rng: Rng = None) -> None:
        super().__init__()
        self.num_embeddings = _positive_int(num_embeddings, "Embedding", "num_embeddings")
        self.embedding_dim = _positive_int(embedding_dim, "Embedding", "embedding_dim")
        if padding_idx is not None:
            if isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral) \
                    or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be an int in "
                                 f"[{-num_embeddings}, {num_embeddings}), got {padding_idx!r}")
            padding_idx = int(padding_idx) % num_embeddings
        self.padding_idx = padding_idx
        dt = _float_dtype(dtype, "Embedding")
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype=dt))
        init.normal_(self.weight, rng=init._generator(rng, "Embedding"))
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, indices: Input) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"


# --------------------------------------------------------------------------- attention


class _OutProjection(Module):
    """MultiheadAttention's output projection: a linear layer in PyTorch's layout,
    weight (out, in), so that ``out_proj.weight`` means what it means in PyTorch."""

    def __init__(self, features: int, bias: bool, dt: np.dtype[Any],
                 gen: np.random.Generator | np.random.RandomState) -> None:
        super().__init__()
        self.in_features = self.out_features = features
        self.weight = Parameter(np.empty((features, features), dtype=dt))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=gen)
        self.bias: Parameter | None = Parameter(np.zeros(features, dtype=dt)) if bias else None

    def forward(self, x: Input) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def _mask_array(mask: Any) -> np.ndarray:
    return mask.data if isinstance(mask, Tensor) else np.asarray(mask)


class MultiheadAttention(Module):
    """Multi-head attention with PyTorch's parameters and call.

    Parameters: ``in_proj_weight`` (3·embed_dim, embed_dim), the query, key and value
    projections stacked (xavier_uniform_), or, when ``kdim`` or ``vdim`` differ from
    embed_dim, ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight``
    (E, vdim); ``in_proj_bias`` (3·E,) (zeros); ``out_proj.weight`` (E, E) in PyTorch's
    (out, in) layout and ``out_proj.bias`` (zeros). The PyTorch state_dict keys and shapes
    are the same, so weights load across.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)``: query (L, N, E), key
    (S, N, kdim), value (S, N, vdim), or (N, L, E)... with ``batch_first=True``, or
    unbatched (L, E)... Returns ``(output, weights)``: output like query; weights the
    attention probabilities (N, L, S) averaged over the heads (``average_attn_weights``),
    or (N, num_heads, L, S), or None with ``need_weights=False``.

    ``key_padding_mask`` (N, S): True (or −inf) marks keys to ignore; ``attn_mask``
    (L, S) or (N·num_heads, L, S): True (or −inf) forbids a query from attending to a
    key; float masks are added to the scores. ``is_causal=True`` without ``attn_mask``
    applies the causal mask (PyTorch requires the mask itself). ``dropout`` drops
    attention weights in training mode (``rng`` as Dropout's). Differences from
    PyTorch: a query whose keys are all masked gets zero weights and a zero attention
    output (PyTorch gives NaN); ``add_bias_kv`` and ``add_zero_attn`` are not supported.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 *, dtype: npt.DTypeLike = np.float64, rng: Rng = None) -> None:
        super().__init__()
        where = "MultiheadAttention"
        self.embed_dim = _positive_int(embed_dim, where, "embed_dim")
        self.num_heads = _positive_int(num_heads, where, "num_heads")
        if embed_dim % num_heads:
            raise ValueError(f"{where}: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError(f"{where}: add_bias_kv and add_zero_attn are not "
                                      "supported")
        self.kdim = embed_dim if kdim is None else _positive_int(kdim, where, "kdim")
        self.vdim = embed_dim if vdim is None else _positive_int(vdim, where, "vdim")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.dropout = _probability(dropout, where)
        self.batch_first = bool(batch_first)
        gen = init._generator(rng, where)
        # attention dropout continues the stream the initialization drew from
        self._rng = gen if isinstance(gen, np.random.Generator) else \
            np.random.default_rng(gen.randint(0, 2**31))
        dt = _float_dtype(dtype, where)
        E = self.embed_dim
        self.in_proj_weight: Parameter | None = None
        self.q_proj_weight: Parameter | None = None
        self.k_proj_weight: Parameter | None = None
        self.v_proj_weight: Parameter | None = None
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dtype=dt))
            init.xavier_uniform_(self.in_proj_weight, rng=gen)
        else:
            self.q_proj_weight = Parameter(np.empty((E, E), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dtype=dt))
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w, rng=gen)
        self.in_proj_bias: Parameter | None = Parameter(np.zeros(3 * E, dtype=dt)) if bias \
            else None
        self.out_proj = _OutProjection(E, bias, dt, gen)

    def _projections(self) -> tuple[Tensor, Tensor, Tensor]:
        if self.in_proj_weight is not None:
            E = self.embed_dim
            w = self.in_proj_weight
            return w[:E], w[E:2 * E], w[2 * E:]
        assert self.q_proj_weight is not None and self.k_proj_weight is not None
        assert self.v_proj_weight is not None
        return self.q_proj_weight, self.k_proj_weight, self.v_proj_weight

    def _mask(self, key_padding_mask: Any, attn_mask: Any, is_causal: bool, n: int, L: int,
              S: int, dtype: np.dtype[Any]) -> np.ndarray | None:
        """The masks as one additive float array broadcasting to (N, heads, L, S), with
        −inf where attention is forbidden; None when nothing is masked."""
        H = self.num_heads
        total: np.ndarray | None = None

        def as_additive(m: np.ndarray, what: str) -> np.ndarray:
            if m.dtype == bool:
                return np.where(m, -np.inf, 0.0).astype(dtype)
            if m.dtype.kind != "f":
                raise TypeError(f"MultiheadAttention: {what} must be boolean or floating "
                                f"point, got dtype {m.dtype}")
            return m.astype(dtype)

        if key_padding_mask is not None:
            m = _mask_array(key_padding_mask)
            if m.shape != (n, S):
                raise ValueError(f"MultiheadAttention: key_padding_mask must have shape "
                                 f"(batch, source length) = {(n, S)}, got {m.shape}")
            total = as_additive(m, "key_padding_mask")[:, None, None, :]
        if attn_mask is None and is_causal:
            attn_mask = np.triu(np.ones((L, S), dtype=bool), k=1)
        if attn_mask is not None:
            m = _mask_array(attn_mask)
            if m.shape == (L, S):
                a = as_additive(m, "attn_mask")
            elif m.shape == (n * H, L, S):
                a = as_additive(m, "attn_mask").reshape(n, H, L, S)
            else:
                raise ValueError(f"MultiheadAttention: attn_mask must have shape (L, S) = "
                                 f"{(L, S)} or (batch·num_heads, L, S) = {(n * H, L, S)}, got "
                                 f"{m.shape}")
            total = a if total is None else total + a
        return total

    def forward(self, query: Input, key: Input, value: Input, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        q, k, v = (t if isinstance(t, Tensor) else Tensor(np.asarray(t))
                   for t in (query, key, value))
        E, H, hd = self.embed_dim, self.num_heads, self.head_dim
        batched = q.ndim == 3
        dims = 3 if batched else 2
        layout = ("(N, L, E)" if self.batch_first else "(L, N, E)") if batched else "(L, E)"
        if q.ndim not in (2, 3) or k.ndim != dims or v.ndim != dims or q.shape[-1] != E \
                or k.shape[-1] != self.kdim or v.shape[-1] != self.vdim \
                or k.shape[:-1] != v.shape[:-1] or (batched and q.shape[int(not self.batch_first)]
                                                    != k.shape[int(not self.batch_first)]):
            raise ValueError(
                f"MultiheadAttention(embed_dim={E}, kdim={self.kdim}, vdim={self.vdim}): query, "
                f"key and value must be {layout} with matching batch and source lengths and "
                f"last dimensions {E}, {self.kdim}, {self.vdim}; got {q.shape}, {k.shape}, "
                f"{v.shape}")
        if not batched:
            q, k, v = (t.reshape((1,) + t.shape) for t in (q, k, v))
            if key_padding_mask is not None:
                key_padding_mask = _mask_array(key_padding_mask)[None]
        elif not self.batch_first:
            q, k, v = (t.transpose(1, 0, 2) for t in (q, k, v))
        n, L, S = q.shape[0], q.shape[1], k.shape[1]
        wq, wk, wv = self._projections()
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        qh = F.linear(q, wq, bq).reshape(n, L, H, hd).transpose(0, 2, 1, 3)
        kh = F.linear(k, wk, bk).reshape(n, S, H, hd).transpose(0, 2, 3, 1)
        vh = F.linear(v, wv, bv).reshape(n, S, H, hd).transpose(0, 2, 1, 3)
        scores = matmul(qh, kh) * (1 / math.sqrt(hd))  # (N, H, L, S)
        mask = self._mask(key_padding_mask, attn_mask, is_causal, n, L, S, scores.dtype)
        alive = None
        if mask is not None:
            alive = ~np.isneginf(mask).all(axis=-1, keepdims=True)
            if not alive.all():  # queries with no key left: scored unmasked, then zeroed
                mask = np.where(alive, mask, 0.0)
            scores = scores + mask
        weights = F.softmax(scores, axis=-1)
        if alive is not None and not alive.all():
            weights = weights * alive
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, training=True, rng=self._rng)
        out = matmul(weights, vh).transpose(0, 2, 1, 3).reshape(n, L, E)
        out = self.out_proj(out)
        if not batched:
            out = out.reshape(L, E)
        elif not self.batch_first:
            out = out.transpose(1, 0, 2)
        if not need_weights:
            return out, None
        w = weights.mean(axis=1) if average_attn_weights else weights
        return out, (w.reshape(w.shape[1:]) if not batched else w)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


# --------------------------------------------------------------------------- activations


class _Elementwise(Module):
    """An activation with fixed arguments: ``forward(x) = fn(x, **args)``. ``inplace`` is
    accepted for PyTorch compatibility; the result is always a new tensor."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = bool(inplace)

    def _fn(self, x: Input) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Input) -> Tensor:
        return self._fn(x)


class ReLU6(_Elementwise):
    """min(max(x, 0), 6), elementwise: ``F.relu6``."""

    def _fn(self, x: Input) -> Tensor:
        return F.relu6(x)


class LeakyReLU(_Elementwise):
    """x for x ≥ 0, negative_slope·x below: ``F.leaky_relu``. ``inplace`` is accepted
    for PyTorch compatibility; the result is a new tensor."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = float(negative_slope), bool(inplace)

    def _fn(self, x: Input) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(_Elementwise):
    """x for x > 0, alpha·(eˣ − 1) below: ``F.elu``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = float(alpha), bool(inplace)

    def _fn(self, x: Input) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(_Elementwise):
    """max(0, x) + min(0, alpha·(e^(x/alpha) − 1)): ``F.celu``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = float(alpha), bool(inplace)

    def _fn(self, x: Input) -> Tensor:
        return F.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(_Elementwise):
    """scale·ELU(x, alpha) with PyTorch's constants: ``F.selu``."""

    def _fn(self, x: Input) -> Tensor:
        return F.selu(x)


class GELU(_Elementwise):
    """x·Φ(x) (``approximate="none"``) or its tanh approximation (``"tanh"``):
    ``F.gelu``."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def _fn(self, x: Input) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Elementwise):
    """x·σ(x), elementwise: ``F.silu``."""

    def _fn(self, x: Input) -> Tensor:
        return F.silu(x)


class Mish(_Elementwise):
    """x·tanh(softplus(x)): ``F.mish``."""

    def _fn(self, x: Input) -> Tensor:
        return F.mish(x)


class Softplus(_Elementwise):
    """log(1 + e^(beta·x))/beta, linear where beta·x > threshold: ``F.softplus``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def _fn(self, x: Input) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(_Elementwise):
    """x / (1 + |x|): ``F.softsign``."""

    def _fn(self, x: Input) -> Tensor:
        return F.softsign(x)


class Hardtanh(_Elementwise):
    """x clipped to [min_val, max_val]: ``F.hardtanh``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val, self.inplace = float(min_val), float(max_val), bool(inplace)

    def _fn(self, x: Input) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Hardsigmoid(_Elementwise):
    """clip(x/6 + 1/2, 0, 1): ``F.hardsigmoid``."""

    def _fn(self, x: Input) -> Tensor:
        return F.hardsigmoid(x)


class Hardswish(_Elementwise):
    """x·hardsigmoid(x): ``F.hardswish``."""

    def _fn(self, x: Input) -> Tensor:
        return F.hardswish(x)


class LogSigmoid(_Elementwise):
    """log σ(x), stable: ``F.logsigmoid``."""

    def _fn(self, x: Input) -> Tensor:
        return F.logsigmoid(x)


def _softmax_dim(dim: int | None, ndim: int, name: str) -> int:
    if dim is not None:
        return dim
    # PyTorch's legacy choice for dim=None, with its warning
    warnings.warn(f"{name}: implicit dimension choice is deprecated; pass dim", UserWarning,
                  stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(_Elementwise):
    """exp(x)/Σ exp(x) along ``dim``: ``F.softmax``. ``dim=None`` takes PyTorch's
    legacy choice (0 for 0-, 1- and 3-D input, else 1) with a warning."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _fn(self, x: Input) -> Tensor:
        return F.softmax(x, axis=_softmax_dim(self.dim, len(_shape_of(x)), "Softmax"))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(_Elementwise):
    """x − log Σ exp(x) along ``dim``: ``F.log_softmax``; ``dim=None`` as Softmax's."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _fn(self, x: Input) -> Tensor:
        return F.log_softmax(x, axis=_softmax_dim(self.dim, len(_shape_of(x)), "LogSoftmax"))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
