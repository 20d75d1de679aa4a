"""Convolution, pooling, resampling and im2col for images and sequences
(``minigrad.nn.functional``'s layout: channels first, PyTorch's names and arguments).

A convolution is a matrix product in disguise. ``unfold`` (im2col) copies every
receptive field of the input into a column: (N, C, H, W) becomes (N, C·kH·kW, L), one
column per output position. The convolution is then the weight, reshaped to
(out, in·kH·kW), times those columns. ``fold`` (col2im) is unfold's adjoint: it adds
each column back where it came from, summing where windows overlap.

Every convolution op here is built on those two: the forward copies the windows with a
strided view (one copy, no Python loop over pixels) and multiplies with BLAS; the
gradient for the input is the transposed product folded back; the gradient for the
weight is the output gradient times the columns. Because convolution is linear in each
argument, its backward is written with ``unfold``/``fold`` and ``@`` themselves, so under
``create_graph=True`` it records a graph and second derivatives come out exactly.
Pooling's backward is a scatter through the indices it saved (max) or a fold of the
averaged gradient (avg), both differentiable ops again.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor
from ._base import float_dtype, needs
from .index import IndexBackward

__all__ = [
    "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
    "adaptive_avg_pool2d", "interpolate", "pad_last_dims", "unfold", "fold",
]  # fmt: skip


# --------------------------------------------------------------------------- arguments


def _ints(value, n: int, op: str, what: str) -> tuple:
    """An int or a sequence of ``n`` ints (PyTorch's ``_pair``) as a tuple of ``n`` ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    try:
        out = tuple(value)
    except TypeError:
        out = None
    if out is None or len(out) != n or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in out):
        raise TypeError(f"{op}: {what} must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(int(v) for v in out)


def _positive(values: tuple, op: str, what: str, minimum: int = 1) -> tuple:
    if any(v < minimum for v in values):
        word = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{op}: {what} must be {word}, got {values}")
    return values


def _groups(groups, op: str) -> int:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    return int(groups)


class _Window:
    """Where the windows of a sliding-window op lie: kernel (kh, kw), stride, dilation,
    padding (top, bottom, left, right), the input's spatial size (h, w) and the number of
    window positions (oh, ow). Padding may be asymmetric ("same" for even kernels); the
    bottom and right may hold more rows than the windows reach (they are not read)."""

    __slots__ = ("kh", "kw", "sh", "sw", "dh", "dw", "pt", "pb", "pl", "pr", "h", "w",
                 "oh", "ow")

    def __init__(self, kernel, stride, dilation, pad, size, out):
        self.kh, self.kw = kernel
        self.sh, self.sw = stride
        self.dh, self.dw = dilation
        self.pt, self.pb, self.pl, self.pr = pad
        self.h, self.w = size
        self.oh, self.ow = out

    @classmethod
    def fitting(cls, op, kernel, stride, dilation, pad, size, what="input", shapes=""):
        """The windows that fit in ``size`` padded by ``pad`` (floor rule); ``shapes``
        names the arrays in the error message."""
        out = tuple((n + a + b - d * (k - 1) - 1) // s + 1 for n, a, b, k, s, d in zip(
            size, pad[::2], pad[1::2], kernel, stride, dilation))
        if min(out) < 1:
            raise ValueError(
                f"{op}: {shapes}the {what} of spatial size {tuple(size)} with padding "
                f"{pad if len(set(pad)) > 1 else pad[0]} is smaller than the dilated kernel "
                f"(kernel {tuple(kernel)}, dilation {tuple(dilation)}): no window fits, "
                f"the output would have size {out}"
            )
        return cls(kernel, stride, dilation, pad, size, out)

    @property
    def span(self) -> tuple:
        """The padded size the windows reach: (rows, columns)."""
        return ((self.oh - 1) * self.sh + self.dh * (self.kh - 1) + 1,
                (self.ow - 1) * self.sw + self.dw * (self.kw - 1) + 1)

    def __repr__(self) -> str:
        return (f"window(kernel=({self.kh}, {self.kw}), stride=({self.sh}, {self.sw}), "
                f"dilation=({self.dh}, {self.dw}), padding=({self.pt}, {self.pb}, {self.pl}, "
                f"{self.pr}), in=({self.h}, {self.w}), out=({self.oh}, {self.ow}))")


def _padded(x, win: _Window, fill=0.0):
    """``x`` (N, C, H, W) inside a buffer padded with ``fill``, big enough for every
    window; ``x`` itself when no padding is needed."""
    rows, cols = win.span
    top, left = win.pt, win.pl
    hb, wb = max(rows, top + win.h), max(cols, left + win.w)
    if top == 0 and left == 0 and hb == win.h and wb == win.w:
        return x
    xp = np.full_like(x, fill, shape=x.shape[:2] + (hb, wb))
    xp[:, :, top:top + win.h, left:left + win.w] = x
    return xp


def _windows(xp, win: _Window):
    """A strided view (N, C, kh, kw, oh, ow) of the padded input: element
    [n, c, i, j, p, q] is xp[n, c, p·sh + i·dh, q·sw + j·dw]. No copy."""
    n, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    return _trace.record(
        np.lib.stride_tricks.as_strided, xp, (n, c, win.kh, win.kw, win.oh, win.ow),
        (s0, s1, win.dh * s2, win.dw * s3, win.sh * s2, win.sw * s3), writeable=False)


def _im2col(x, win: _Window):
    """im2col: (N, C, H, W) -> the columns (N, C·kh·kw, oh·ow), one copy."""
    xp = _padded(x, win)
    n, c = x.shape[:2]
    cols = np.empty_like(x, shape=(n, c, win.kh, win.kw, win.oh, win.ow))
    np.copyto(cols, _windows(xp, win))
    return cols.reshape(n, c * win.kh * win.kw, win.oh * win.ow)


def _col2im(cols, win: _Window, channels: int):
    """col2im, the adjoint of ``_im2col``: columns (N, C·kh·kw, L), or any array that
    reshapes (or broadcasts) to (N, C, kh, kw, oh, ow), added back into (N, C, H, W).
    One vectorized add per kernel offset (kh·kw of them), each over the whole batch."""
    n = cols.shape[0]
    c6 = cols.reshape(n, channels, win.kh, win.kw, win.oh, win.ow) if cols.ndim != 6 else cols
    rows, ncols = win.span
    hb, wb = max(rows, win.pt + win.h), max(ncols, win.pl + win.w)
    out = np.zeros_like(cols, shape=(n, channels, hb, wb))
    he, we = (win.oh - 1) * win.sh + 1, (win.ow - 1) * win.sw + 1
    for i in range(win.kh):
        r = i * win.dh
        for j in range(win.kw):
            q = j * win.dw
            out[:, :, r:r + he:win.sh, q:q + we:win.sw] += c6[:, :, i, j]
    if (hb, wb) != (win.h, win.w):
        out = _trace.ascontiguousarray(out[:, :, win.pt:win.pt + win.h, win.pl:win.pl + win.w])
    return out


def _unfold_either(x, win: _Window):
    """im2col of an array, or the ``unfold`` op on a Tensor (for backward formulas)."""
    return Unfold.apply(x, win=win) if isinstance(x, Tensor) else _im2col(x, win)


def _fold_either(cols, win: _Window, channels: int):
    """col2im of an array, or the ``fold`` op on a Tensor (for backward formulas)."""
    if isinstance(cols, Tensor):
        n = cols.shape[0]
        return Fold.apply(cols.reshape(n, channels * win.kh * win.kw, win.oh * win.ow),
                          win=win)
    return _col2im(cols, win, channels)


def _batched(x, spatial: int, op: str, what: str = "input", dims: str = ""):
    """``x`` with its batch axis: an unbatched input (C, *spatial) gets one of size 1.
    Refuses other ranks, naming the op and the shape."""
    if x.ndim == spatial + 2:
        return x, False
    if x.ndim == spatial + 1:
        return x[None], True
    dims = dims or ("(N, C, L) or (C, L)" if spatial == 1 else "(N, C, H, W) or (C, H, W)")
    raise ValueError(f"{op}: {what} must be {spatial + 2}-D {dims}, got shape {x.shape}")


def _as_float(*arrays):
    dt = float_dtype(*arrays)
    return [a if a.dtype == dt else a.astype(dt) for a in arrays]


# --------------------------------------------------------------------------- im2col


class Unfold(Function):
    formula = "dL/d{0} = fold(dL/d{y}): each column added back where its window lies"
    __slots__ = ("win", "shape")

    def forward(self, x, win):
        self.win, self.shape = win, x.shape
        xb, single = _batched(x, 2, self.name)
        cols = _im2col(_as_float(xb)[0], win)
        return cols[0] if single else cols

    def backward(self, g):
        single = len(self.shape) == 3
        gb = g.reshape((1,) + g.shape) if single else g
        gx = _fold_either(gb, self.win, self.shape[-3])
        return gx.reshape(self.shape) if single else gx


def _conv_window(op, size, kernel_size, dilation, padding, stride, what="input"):
    kernel = _positive(_ints(kernel_size, 2, op, "kernel_size"), op, "kernel_size")
    dil = _positive(_ints(dilation, 2, op, "dilation"), op, "dilation")
    st = _positive(_ints(stride, 2, op, "stride"), op, "stride")
    ph, pw = _positive(_ints(padding, 2, op, "padding"), op, "padding", 0)
    return _Window.fitting(op, kernel, st, dil, (ph, ph, pw, pw), size, what)


def unfold(
    input: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """im2col: the sliding windows of ``input`` (N, C, H, W) as columns, (N, C·kH·kW, L).

    Column l holds the window at output position l (row-major over the oh × ow
    positions), its rows ordered (channel, kernel row, kernel column), as PyTorch's
    ``F.unfold``. Padding is zeros; ``kernel_size``, ``dilation``, ``padding`` and
    ``stride`` are ints or pairs. Then ``conv2d(x, w)`` is
    ``(w.reshape(out, -1) @ unfold(x, k)).reshape(N, out, oh, ow)``.
    The gradient is ``fold``: each column's gradient is added back where its window lies
    (overlapping windows sum). Linear: finite wherever the input is.
    """
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    _batched(x, 2, "unfold")
    win = _conv_window("unfold", x.shape[-2:], kernel_size, dilation, padding, stride)
    return Unfold.apply(input, win=win)


class Fold(Function):
    formula = "dL/d{0} = unfold(dL/d{y}): each window of the gradient as a column"
    __slots__ = ("win", "shape")

    def forward(self, cols, win):
        self.win, self.shape = win, cols.shape
        cb, single = _batched(cols, 1, self.name, dims="(N, C·kH·kW, L) or (C·kH·kW, L)")
        k = win.kh * win.kw
        if cb.shape[1] % k or cb.shape[2] != win.oh * win.ow:
            raise ValueError(
                f"fold: input of shape {cols.shape} does not fit: its dimension "
                f"{cols.ndim - 2} must be divisible by kernel_size[0]·kernel_size[1] = {k} "
                f"and its last dimension must be the number of sliding blocks, "
                f"{win.oh}·{win.ow} = {win.oh * win.ow} for output_size ({win.h}, {win.w})"
            )
        out = _col2im(_as_float(cb)[0], win, cb.shape[1] // k)
        return out[0] if single else out

    def backward(self, g):
        single = len(self.shape) == 2
        gb = g.reshape((1,) + g.shape) if single else g
        gc = _unfold_either(gb, self.win)
        return gc.reshape(self.shape) if single else gc


def fold(
    input: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """col2im, the adjoint of ``unfold``: columns (N, C·kH·kW, L) added back into an image
    (N, C, *output_size), summing where windows overlap (PyTorch's ``F.fold``).

    ``fold(unfold(x))`` is x times the number of windows covering each pixel. L must be
    the number of windows that fit in ``output_size`` with this kernel, dilation, padding
    and stride. The gradient is ``unfold`` of the output gradient. Linear: finite
    wherever the input is (sums of up to kH·kW values)."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    _batched(x, 1, "fold", dims="(N, C·kH·kW, L) or (C·kH·kW, L)")
    size = _positive(_ints(output_size, 2, "fold", "output_size"), "fold", "output_size")
    win = _conv_window("fold", size, kernel_size, dilation, padding, stride, "output_size")
    return Fold.apply(input, win=win)


# --------------------------------------------------------------------------- convolution


def _conv_padding(op, padding, kernel, dilation, stride, nd):
    """(top, bottom, left, right) from an int, a tuple, "valid" or "same"."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{op}: padding='same' is not supported for strided convolutions "
                    f"(stride {stride if nd == 2 else stride[1]}); use stride 1 or an "
                    "explicit padding"
                )
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)  # PyTorch puts the odd one on the bottom / right
                pads += [total // 2, total - total // 2]
            return tuple(pads)
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', "
                         f"got {padding!r}")
    if nd == 1:
        (p,) = _positive(_ints(padding, 1, op, "padding"), op, "padding", 0)
        return (0, 0, p, p)
    ph, pw = _positive(_ints(padding, 2, op, "padding"), op, "padding", 0)
    return (ph, ph, pw, pw)


def _check_conv(op, x, w, b, groups, transposed=False):
    """Shapes of a convolution's input, weight and bias, with PyTorch's rules."""
    nd = 1 if op == "conv1d" else 2
    if w.ndim != nd + 2:
        want = "(out_channels, in_channels/groups, kW)" if nd == 1 else (
            "(in_channels, out_channels/groups, kH, kW)" if transposed else
            "(out_channels, in_channels/groups, kH, kW)")
        raise ValueError(f"{op}: weight must be {nd + 2}-D {want}, got shape {w.shape}")
    xb, single = _batched(x, nd, op)
    c = xb.shape[1]
    if transposed:
        if w.shape[0] != c:
            raise ValueError(
                f"{op}: weight of shape {w.shape} expects input with {w.shape[0]} channels "
                f"(weight.shape[0]), but input of shape {x.shape} has {c}"
            )
        if c % groups:
            raise ValueError(f"{op}: input channels {c} (input of shape {x.shape}) are not "
                             f"divisible by groups={groups}")
        out = w.shape[1] * groups
    else:
        if w.shape[0] % groups:
            raise ValueError(f"{op}: out_channels {w.shape[0]} (weight of shape {w.shape}) "
                             f"are not divisible by groups={groups}")
        if w.shape[1] * groups != c:
            raise ValueError(
                f"{op}: weight of shape {w.shape} with groups={groups} expects input with "
                f"{w.shape[1] * groups} channels, but input of shape {x.shape} has {c}"
            )
        out = w.shape[0]
    if b is not None and b.shape != (out,):
        raise ValueError(f"{op}: bias must have shape ({out},) (one per output channel), "
                         f"got shape {b.shape}; weight of shape {w.shape}")
    return xb, single


def _conv_array(x, w, groups: int, win: _Window):
    """conv2d on arrays, no bias: x (N, C, H, W), w (O, C/groups, kh, kw) -> (y, columns),
    y (N, O, oh, ow) and the input's columns (N, groups, C/groups·kh·kw, L)."""
    n, c = x.shape[:2]
    o = w.shape[0]
    cols = _im2col(x, win).reshape(n, groups, c // groups * win.kh * win.kw, win.oh * win.ow)
    y = np.matmul(w.reshape(groups, o // groups, -1), cols)
    return y.reshape(n, o, win.oh, win.ow), cols


def _conv_input_grad(g, w, groups: int, win: _Window):
    """dL/dx of conv2d on arrays: g (N, O, oh, ow), w (O, C/groups, kh, kw) -> (N, C, H, W).

    With stride 1 it is the "full" convolution of g with the kernel flipped and its
    channel axes swapped, as a gather (im2col) and a product; otherwise, or when the
    output has many more channels than the input, the columns Wᵀ·g folded back (col2im
    adds; slower per element than im2col's copy)."""
    n, o = g.shape[:2]
    grp = groups
    c = w.shape[1] * grp
    d_h, d_w = win.dh * (win.kh - 1), win.dw * (win.kw - 1)
    full = (d_h - win.pt, d_h - win.pb, d_w - win.pl, d_w - win.pr)
    if win.sh == win.sw == 1 and min(full) >= 0 and o <= 4 * c and \
            (win.oh, win.ow) == (win.h + win.pt + win.pb - d_h, win.w + win.pl + win.pr - d_w):
        wf = w[:, :, ::-1, ::-1].reshape(grp, o // grp, c // grp, win.kh, win.kw)
        wf = wf.transpose(0, 2, 1, 3, 4).reshape(c, o // grp, win.kh, win.kw)
        back = _Window((win.kh, win.kw), (1, 1), (win.dh, win.dw), full, (win.oh, win.ow),
                       (win.h, win.w))
        return _conv_array(g, wf, grp, back)[0]
    cg = w.reshape(grp, o // grp, -1).mT @ g.reshape(n, grp, o // grp, win.oh * win.ow)
    return _col2im(cg.reshape(n, c * win.kh * win.kw, win.oh * win.ow), win, c)


class Conv2d(Function):
    """y = W ⋆ x + b: the weight times the input's columns, per group."""

    formula = "dL/d{0} = fold(Wᵀ·dL/d{y});  dL/d{1} = dL/d{y}·unfold({0})ᵀ;  dL/d{2} = Σ dL/d{y}"
    __slots__ = ("win", "groups", "xshape", "wshape", "nbias", "cols")

    def forward(self, x, w, b=None, *, stride=1, padding=0, dilation=1, groups=1):
        op = self.name
        nd = 1 if op == "conv1d" else 2
        self.groups = groups
        xb, single = _check_conv(op, x, w, b, groups)
        self.xshape, self.wshape, self.nbias = x.shape, w.shape, b is not None
        # conv1d is conv2d on a height-1 image
        xb = xb if nd == 2 else xb[:, :, None, :]
        w4 = w if nd == 2 else w[:, :, None, :]
        kernel = w4.shape[2:]
        st = stride if nd == 2 else (1,) + stride
        dil = dilation if nd == 2 else (1,) + dilation
        pad = _conv_padding(op, padding, kernel, dil, st, nd)
        self.win = win = _Window.fitting(
            op, kernel, st, dil, pad, xb.shape[2:],
            shapes=f"input of shape {x.shape} and weight of shape {w.shape}: ")
        arrays = _as_float(xb, w4) if b is None else _as_float(xb, w4, b)
        y, cols = _conv_array(arrays[0], arrays[1], groups, win)
        self.cols = None
        if self.parents is not None:  # dL/dx needs w, dL/dw needs x
            self.save_for_backward(x if needs(self, 1) else None, w if needs(self, 0) else None)
            if needs(self, 1):
                self.cols = cols  # the op's own copy: the weight gradient reuses it
        o = w.shape[0]
        if b is not None:
            y += arrays[2].reshape(o, 1, 1)
        if nd == 1:
            y = y.reshape(y.shape[0], o, win.ow)
        return y[0] if single else y

    def backward(self, g):
        x, w = self.saved
        win, grp = self.win, self.groups
        o = self.wshape[0]
        n = 1 if len(self.xshape) == len(self.wshape) - 1 else self.xshape[0]
        c = self.wshape[1] * grp
        k, ohw = self.wshape[1] * win.kh * win.kw, win.oh * win.ow  # per group
        gx = gw = None
        gb = None
        if self.nbias and needs(self, 2):
            gb = g.reshape(n, o, win.oh * win.ow).sum(axis=2).sum(axis=0)
        if not isinstance(g, Tensor):  # arrays: first order, the fastest way
            g4 = g.reshape(n, o, win.oh, win.ow)
            if x is not None and needs(self, 1):
                cols = self.cols if self.cols is not None else \
                    _im2col(x.reshape(n, c, win.h, win.w), win).reshape(n, grp, k, ohw)
                gm = g4.reshape(n, grp, o // grp, ohw)
                gw = np.matmul(gm, cols.mT).sum(axis=0).reshape(self.wshape)
            if w is not None and needs(self, 0):
                gx = _conv_input_grad(g4, w.reshape(o, self.wshape[1], win.kh, win.kw), grp,
                                      win).reshape(self.xshape)
            return (gx, gw, gb) if self.nbias else (gx, gw)
        # Tensors (create_graph): the same products, written with unfold, fold and @
        gm = g.reshape(n, grp, o // grp, win.oh * win.ow)
        if x is not None and needs(self, 1):
            cols = _unfold_either(x.reshape(n, c, win.h, win.w), win)
            gw = (gm @ cols.reshape(n, grp, k, ohw).mT).sum(axis=0) \
                .reshape(self.wshape)
        if w is not None and needs(self, 0):
            cg = w.reshape(grp, o // grp, -1).mT @ gm
            gx = _fold_either(cg.reshape(n, grp * k, ohw), win, c).reshape(self.xshape)
        return (gx, gw, gb) if self.nbias else (gx, gw)


def _conv_call(cls, op, nd, input, weight, bias, stride, padding, dilation, groups):
    st = _positive(_ints(stride, nd, op, "stride"), op, "stride")
    dil = _positive(_ints(dilation, nd, op, "dilation"), op, "dilation")
    kw = dict(stride=st, padding=padding, dilation=dil, groups=_groups(groups, op))
    if bias is None:
        return cls.apply(input, weight, **kw)
    return cls.apply(input, weight, bias, **kw)


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Tensor:
    """2-D cross-correlation (PyTorch's ``F.conv2d``): input (N, C, H, W) or (C, H, W),
    weight (out, C/groups, kH, kW), bias (out,) or None, output (N, out, oh, ow) with
    oh = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.

    y[n, o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, g·C/groups + c,
    p·stride + i·dilation − padding, q·stride + j·dilation − padding] (zeros outside),
    with g the group of output channel o. ``stride``, ``dilation``: int or pair;
    ``padding``: int, pair, "valid" (none) or "same" (output as large as the input,
    stride 1 only; for an even total padding d·(k − 1) the extra row and column go at
    the bottom and right, as in PyTorch). ``groups`` splits channels into independent
    convolutions.

    Computed as im2col and a matrix product. Gradients: dL/dx = fold(Wᵀ · dL/dy),
    dL/dW = dL/dy · unfold(x)ᵀ summed over the batch, dL/db = dL/dy summed over batch and
    positions; written with ``unfold``/``fold``/``@``, so second order works. While the
    weight needs a gradient the node keeps the input's columns (kH·kW times the input's
    size) for it, as PyTorch's im2col path does; with stride 1 dL/dx is computed as the
    full convolution of dL/dy with the flipped kernel (a gather, not col2im's adds). Finite
    unless a sum of products passes the dtype's largest value."""
    return _conv_call(Conv2d, "conv2d", 2, input, weight, bias, stride, padding, dilation,
                      groups)


class Conv1d(Conv2d):
    """A convolution along one axis: conv2d on a height-1 image."""

    formula = Conv2d.formula


def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> Tensor:
    """1-D cross-correlation (PyTorch's ``F.conv1d``): input (N, C, L) or (C, L), weight
    (out, C/groups, k), bias (out,) or None, output (N, out, ⌊(L + 2·padding −
    dilation·(k − 1) − 1) / stride⌋ + 1).

    y[n, o, t] = b[o] + Σ_{c, i} W[o, c, i] · x[n, g·C/groups + c, t·stride + i·dilation −
    padding]. ``padding``: int, "valid" or "same" (stride 1; an odd total padding puts the
    extra element on the right, as in PyTorch). Computed as conv2d on a height-1 image;
    gradients, second order and limits as conv2d."""
    return _conv_call(Conv1d, "conv1d", 1, input, weight, bias, stride, padding, dilation,
                      groups)


class ConvTranspose2d(Function):
    """The adjoint of conv2d in its input: each input pixel spreads W over a window of
    the output, windows stride apart, overlaps summed."""

    name = "conv_transpose2d"
    formula = ("dL/d{0} = W ⋆ dL/d{y} (conv2d);  dL/d{1} = {0}·unfold(dL/d{y})ᵀ;  "
               "dL/d{2} = Σ dL/d{y}")
    __slots__ = ("win", "groups", "xshape", "wshape", "nbias")

    def forward(self, x, w, b=None, *, stride=1, padding=0, output_padding=0, dilation=1,
                groups=1):
        op = self.name
        self.groups = groups
        xb, single = _check_conv(op, x, w, b, groups, transposed=True)
        self.xshape, self.wshape, self.nbias = x.shape, w.shape, b is not None
        n, cin, hin, win_ = xb.shape
        kernel = w.shape[2:]
        if any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
            raise ValueError(f"{op}: output_padding {output_padding} must be smaller than "
                             f"either stride {stride} or dilation {dilation}")
        size = tuple((i - 1) * s - 2 * p + d * (k - 1) + op_ + 1 for i, s, p, d, k, op_ in zip(
            (hin, win_), stride, padding, dilation, kernel, output_padding))
        if min(size) < 1:
            raise ValueError(f"{op}: the output would have size {size} for input of shape "
                             f"{x.shape}, weight {w.shape}, stride {stride}, padding "
                             f"{padding}; it must be positive")
        pad = (padding[0], padding[0], padding[1], padding[1])
        self.win = win = _Window(kernel, stride, dilation, pad, size, (hin, win_))
        if self.parents is not None:
            self.save_for_backward(x if needs(self, 1) else None, w if needs(self, 0) else None)
        arrays = _as_float(xb, w) if b is None else _as_float(xb, w, b)
        g = groups
        cout = w.shape[1] * g
        cols = arrays[1].reshape(g, cin // g, -1).mT @ arrays[0].reshape(n, g, cin // g, hin * win_)
        y = _col2im(cols.reshape(n, cout * win.kh * win.kw, hin * win_), win, cout)
        if b is not None:
            y += arrays[2].reshape(cout, 1, 1)
        return y[0] if single else y

    def backward(self, g):
        x, w = self.saved
        win, grp = self.win, self.groups
        cin = self.wshape[0]
        n = 1 if len(self.xshape) == 3 else self.xshape[0]
        gb4 = g.reshape((n,) + g.shape[-3:])
        gcols = _unfold_either(gb4, win).reshape(n, grp, self.wshape[1] * win.kh * win.kw,
                                                 win.oh * win.ow)
        gx = gw = None
        if w is not None and needs(self, 0):
            gx = (w.reshape(grp, cin // grp, -1) @ gcols).reshape(self.xshape)
        if x is not None and needs(self, 1):
            xm = x.reshape(n, grp, cin // grp, win.oh * win.ow)
            gw = (xm @ gcols.mT).sum(axis=0).reshape(self.wshape)
        if not self.nbias:
            return gx, gw
        axes = (0, 2, 3) if len(self.xshape) == 4 else (1, 2)
        return gx, gw, (g.sum(axis=axes) if needs(self, 2) else None)


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: Any = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-D transposed convolution (PyTorch's ``F.conv_transpose2d``, sometimes called
    deconvolution): the gradient of conv2d with respect to its input, as an op.

    input (N, Cin, H, W) or (Cin, H, W); weight (Cin, Cout/groups, kH, kW); bias (Cout,)
    or None; output (N, Cout, oh, ow) with oh = (H − 1)·stride − 2·padding +
    dilation·(kH − 1) + output_padding + 1. y[n, :, p·s + i·d − pad, q·s + j·d − pad] +=
    Σ_c x[n, c, p, q] · W[c, :, i, j]. ``output_padding`` (smaller than stride or
    dilation) adds rows and columns at the bottom and right, choosing among the output
    sizes a strided conv2d maps to the same input size.

    Computed as Wᵀ times the input (one column per input pixel) folded into the output.
    Gradients: dL/dx = conv2d(dL/dy, W) written as W · unfold(dL/dy); dL/dW =
    x · unfold(dL/dy)ᵀ; second order works. Finite unless a sum of products passes the
    dtype's largest value."""
    op = "conv_transpose2d"
    st = _positive(_ints(stride, 2, op, "stride"), op, "stride")
    dil = _positive(_ints(dilation, 2, op, "dilation"), op, "dilation")
    pad = _positive(_ints(padding, 2, op, "padding"), op, "padding", 0)
    opad = _positive(_ints(output_padding, 2, op, "output_padding"), op, "output_padding", 0)
    kw = dict(stride=st, padding=pad, output_padding=opad, dilation=dil,
              groups=_groups(groups, op))
    if bias is None:
        return ConvTranspose2d.apply(input, weight, **kw)
    return ConvTranspose2d.apply(input, weight, bias, **kw)


# --------------------------------------------------------------------------- pooling


def _pool_window(op, size, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling geometry: output ⌊ or ⌈(n + 2p − d(k − 1) − 1) / s⌉ + 1, where in
    ceil mode a last window that would start in the bottom / right padding is dropped."""
    kernel = _positive(_ints(kernel_size, 2, op, "kernel_size"), op, "kernel_size")
    st = kernel if stride is None or (not isinstance(stride, (int, np.integer)) and
                                      len(stride) == 0) else \
        _positive(_ints(stride, 2, op, "stride"), op, "stride")
    pad = _positive(_ints(padding, 2, op, "padding"), op, "padding", 0)
    dil = _positive(_ints(dilation, 2, op, "dilation"), op, "dilation")
    if any(p > k // 2 for p, k in zip(pad, kernel)):
        raise ValueError(f"{op}: padding {pad} must be at most half of kernel_size {kernel}")
    out = []
    for n, k, s, p, d in zip(size, kernel, st, pad, dil):
        span = n + 2 * p - d * (k - 1) - 1
        o = (span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    if min(out) < 1:
        raise ValueError(
            f"{op}: input of spatial size {tuple(size)} is too small for kernel_size "
            f"{kernel} (dilation {dil}, padding {pad}): the output would have size "
            f"{tuple(out)}"
        )
    return _Window(kernel, st, dil, (pad[0], pad[0], pad[1], pad[1]), size, out)


class MaxPool2d(Function):
    name = "max_pool2d"
    formula = "dL/d{0} = dL/d{y} sent to the maximum of each window (first of ties)"
    __slots__ = ("win", "shape", "arg")

    def forward(self, x, win):
        self.shape = x.shape
        xb, single = _batched(x, 2, self.name)
        (xb,) = _as_float(xb)
        w6 = _windows(_padded(xb, win, -np.inf), win)  # (N, C, kh, kw, oh, ow), a view
        # one pass per kernel offset, each vectorized over every window (numpy's own
        # max / argmax over the small strided kernel axes are many times slower)
        k = win.kh * win.kw
        out = w6[:, :, 0, 0].copy()
        for t in range(1, k):
            np.maximum(out, w6[:, :, t // win.kw, t % win.kw], out=out)  # NaN propagates
        # the first maximum of each window, as PyTorch's kernel: offsets in reverse, so the
        # first equal one is written last
        arg = _trace.record(np.zeros, out.shape, dtype=np.int8 if k < 128 else np.intp,
                           deps=(out,))
        for t in range(k - 1, -1, -1):
            np.copyto(arg, t, where=w6[:, :, t // win.kw, t % win.kw] == out)
        if out.dtype.kind == "f" and np.isnan(out).any():  # a NaN is the window's maximum
            nan = np.isnan(out)
            for t in range(k - 1, -1, -1):
                np.copyto(arg, t, where=nan & np.isnan(w6[:, :, t // win.kw, t % win.kw]))
        self.win, self.arg = win, arg
        return out[0] if single else out

    def _indices(self):
        """For each output, the flat index of its maximum in the (batched) input; and a
        mask of the outputs whose window holds an input element (None: all do)."""
        win, arg = self.win, self.arg
        n, c, oh, ow = arg.shape
        i, j = np.divmod(arg.astype(np.intp), win.kw)
        rows = np.arange(oh)[:, None] * win.sh - win.pt + i * win.dh
        cols = np.arange(ow) * win.sw - win.pl + j * win.dw
        valid = None
        if win.pt or win.pl:
            # a window whose real values are all −inf: PyTorch keeps its first real element
            rows = np.where(rows < 0, rows + win.dh * (-(rows // win.dh)), rows)
            cols = np.where(cols < 0, cols + win.dw * (-(cols // win.dw)), cols)
            # a window of padding alone (padding ≥ dilation, tiny input): −inf, no gradient
            inside = (rows < win.h) & (cols < win.w)
            if not inside.all():
                valid = np.broadcast_to(inside, arg.shape).ravel()
                rows, cols = np.minimum(rows, win.h - 1), np.minimum(cols, win.w - 1)
        base = np.arange(n * c).reshape(n, c, 1, 1) * (win.h * win.w)
        idx = (base + rows * win.w + cols).ravel()
        return (idx, None) if valid is None else (idx[valid], valid)

    def backward(self, g):
        win = self.win
        size = int(np.prod(self.shape))
        idx, valid = self._indices()
        gv = g.reshape(-1)
        if valid is not None:
            gv = _trace.record(operator.getitem, gv, valid)
        if isinstance(g, Tensor):  # a differentiable scatter: its backward gathers
            return IndexBackward.apply(gv, shape=(size,), index=idx).reshape(self.shape)
        flat = _trace.record(np.zeros, size, g.dtype, deps=(g, idx))
        if win.sh >= win.dh * (win.kh - 1) + 1 and win.sw >= win.dw * (win.kw - 1) + 1:
            flat[idx] = gv  # windows apart: each input element is some window's max once
        else:
            np.add.at(flat, idx, gv)
        return flat.reshape(self.shape)


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: Any = False,
) -> Tensor:
    """The maximum of each window (PyTorch's ``F.max_pool2d``): input (N, C, H, W) or
    (C, H, W), windows kernel_size apart by default (``stride=None``), padding with −inf
    (at most half the kernel), dilation, and ``ceil_mode`` (the last partial window is
    kept when it starts inside the input or its left padding).

    Gradient convention (PyTorch's): each window's gradient goes to its maximum; of tied
    elements, to the first in row-major order; a NaN counts as the maximum. Where windows
    overlap an element collects the gradients of every window it is the maximum of. The
    backward is a scatter through the saved indices, itself differentiable (its backward
    gathers), so second order works; the function is piecewise linear. Exact: finite
    wherever the input is."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    _batched(x, 2, "max_pool2d")
    win = _pool_window("max_pool2d", x.shape[-2:], kernel_size, stride, padding, dilation,
                       bool(ceil_mode))
    return MaxPool2d.apply(input, win=win)


class AvgPool2d(Function):
    name = "avg_pool2d"
    formula = "dL/d{0} = fold(dL/d{y} / count): each window's gradient shared by its elements"
    __slots__ = ("win", "shape", "count")

    def forward(self, x, win, count_include_pad=True):
        self.shape = x.shape
        xb, single = _batched(x, 2, self.name)
        (xb,) = _as_float(xb)
        self.win = win
        # PyTorch's divisor: the window clipped to input + padding, or to the input alone
        counts = []
        for n, o, k, s, p in ((win.h, win.oh, win.kh, win.sh, win.pt),
                              (win.w, win.ow, win.kw, win.sw, win.pl)):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, n + p)
            if not count_include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, n)
            counts.append(end - start)
        self.count = (counts[0][:, None] * counts[1]).astype(xb.dtype)
        sums = _windows(_padded(xb, win), win).sum(axis=(2, 3))
        out = sums / self.count
        return out[0] if single else out

    def backward(self, g):
        win = self.win
        single = len(self.shape) == 3
        gd = g / self.count
        gd = gd.reshape((1,) + gd.shape) if single else gd
        n, c = gd.shape[:2]
        if isinstance(gd, Tensor):
            cols = gd.reshape(n, c, 1, win.oh * win.ow).broadcast_to(
                (n, c, win.kh * win.kw, win.oh * win.ow))
            gx = _fold_either(cols.reshape(n, c * win.kh * win.kw, win.oh * win.ow), win, c)
        else:
            cols = np.broadcast_to(gd[:, :, None, None], (n, c, win.kh, win.kw, win.oh, win.ow))
            gx = _col2im(cols, win, c)
        return gx.reshape(self.shape) if single else gx


def avg_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: Any = False,
    count_include_pad: Any = True,
) -> Tensor:
    """The mean of each window (PyTorch's ``F.avg_pool2d``): input (N, C, H, W) or
    (C, H, W), windows kernel_size apart by default, zero padding (at most half the
    kernel), ``ceil_mode`` as max_pool2d.

    The divisor, as PyTorch's: kH·kW, except that a window reaching past the padded input
    (ceil mode) counts only its part inside input + padding; with
    ``count_include_pad=False`` only the input elements it covers. The gradient shares
    each window's output gradient equally among its elements (a fold of dL/dy / count);
    linear, so second order is zero and works. Finite wherever the input is, unless a
    window's sum passes the dtype's largest value."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    _batched(x, 2, "avg_pool2d")
    win = _pool_window("avg_pool2d", x.shape[-2:], kernel_size, stride, padding, 1,
                       bool(ceil_mode))
    return AvgPool2d.apply(input, win=win, count_include_pad=bool(count_include_pad))


def _adaptive_matrix(n: int, out: int, dtype) -> np.ndarray:
    """(out, n): row i averages input elements floor(i·n/out) to ceil((i+1)·n/out) − 1."""
    i = np.arange(out)
    start = (i * n) // out
    end = -((-(i + 1) * n) // out)
    k = np.arange(n)
    inside = (k >= start[:, None]) & (k < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    name = "adaptive_avg_pool2d"
    formula = "dL/d{0} = Aᵀ · dL/d{y} · B  (y = A · {0} · Bᵀ, A and B the averaging matrices)"
    __slots__ = ("a", "b")

    def forward(self, x, output_size):
        (xf,) = _as_float(x)  # (N, C, H, W) or (C, H, W): the products broadcast
        h, w = xf.shape[-2:]
        oh, ow = (h if output_size[0] is None else output_size[0],
                  w if output_size[1] is None else output_size[1])
        self.a = _adaptive_matrix(h, oh, xf.dtype)
        self.b = _adaptive_matrix(w, ow, xf.dtype).T.copy()
        return self.a @ xf @ self.b

    def backward(self, g):
        return self.a.T @ g @ self.b.T


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """Average pooling to a given output size (PyTorch's ``F.adaptive_avg_pool2d``): input
    (N, C, H, W) or (C, H, W), ``output_size`` an int or a pair (None keeps that side).

    Output row i averages input rows ⌊i·H/oh⌋ to ⌈(i + 1)·H/oh⌉ − 1 (windows may overlap
    or differ in size by one), columns likewise. Since each window is a rectangle, the op
    is y = A · x · Bᵀ with A (oh, H) and B (ow, W) the row and column averaging matrices:
    two BLAS products; the gradient is Aᵀ · dL/dy · B, linear, so second order works.
    Because every output is a product with a whole row and column of the matrix, an
    infinite input value makes the outputs of its rows and columns NaN (0·inf), not just
    its window's; finite inputs give finite outputs."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    _batched(x, 2, "adaptive_avg_pool2d")
    if output_size is None or isinstance(output_size, (int, np.integer)):
        size = (output_size, output_size)
    else:
        try:
            size = tuple(output_size)
        except TypeError:
            size = ()
    if len(size) != 2 or not all(
            s is None or (isinstance(s, (int, np.integer)) and not isinstance(s, bool))
            for s in size):
        raise TypeError("adaptive_avg_pool2d: output_size must be an int or a pair of ints "
                        f"(None keeps the input's size), got {output_size!r}")
    if any(s is not None and s < 1 for s in size):
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {size} for "
                         f"input of shape {x.shape}")
    return AdaptiveAvgPool2d.apply(input, output_size=size)


# --------------------------------------------------------------------------- resampling


def _nearest_index(n: int, out: int, scale) -> np.ndarray:
    """PyTorch's ``nearest_idx``: ⌊i·scale⌋ in float32 arithmetic, clamped, where scale is
    1/scale_factor when a scale factor was given, else n/out."""
    i = np.arange(out)
    if out == n:
        return i
    if out == 2 * n:
        return i >> 1
    s = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(out)
    return np.minimum(np.floor(i.astype(np.float32) * s).astype(np.int64), n - 1)


def _linear_weights(n: int, out: int, align_corners: bool, scale, dtype):
    """PyTorch's linear source indices and weights (``area_pixel_compute_source_index``
    and ``guard_index_and_lambda``), in the input's dtype: (i0, i1, λ) with output
    i = (1 − λ)·x[i0] + λ·x[i1]."""
    dt = np.dtype(dtype)
    i = np.arange(out).astype(dt)
    if align_corners:
        s = dt.type(n - 1) / dt.type(out - 1) if out > 1 else dt.type(0)
        src = s * i
    else:
        s = dt.type(1.0 / scale) if scale else dt.type(n) / dt.type(out)
        src = np.maximum(s * (i + dt.type(0.5)) - dt.type(0.5), dt.type(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    lam = np.clip(src - i0.astype(dt), 0, 1).astype(dt)
    i1 = i0 + (i0 < n - 1)
    return i0, i1, lam


def _dense(i0, i1, lam, n: int, dtype) -> np.ndarray:
    """The (out, n) matrix of a linear resampling: row i has 1 − λ at i0 and λ at i1."""
    out = len(i0)
    m = np.zeros((out, n), dtype=dtype)
    rows = np.arange(out)
    np.add.at(m, (rows, i0), 1 - lam)
    np.add.at(m, (rows, i1), lam)
    return m


class Interpolate(Function):
    formula = "dL/d{0} = Aᵀ · dL/d{y} · B  (y = A · {0} · Bᵀ, A and B the resampling matrices)"
    __slots__ = ("a", "b")

    def forward(self, x, size, mode, align_corners, scales):
        if x.ndim != 4:
            raise ValueError(f"interpolate: input must be 4-D (N, C, H, W) for 2-D resampling, "
                             f"got shape {x.shape}")
        (xf,) = _as_float(x)
        (h, w), (oh, ow) = xf.shape[-2:], size
        if mode == "nearest":
            ih, iw = _nearest_index(h, oh, scales[0]), _nearest_index(w, ow, scales[1])
            out = xf[:, :, ih[:, None], iw]
            one = np.ones(oh, xf.dtype), np.ones(ow, xf.dtype)
            self.a = _dense(ih, ih, one[0], h, xf.dtype)
            self.b = _dense(iw, iw, one[1], w, xf.dtype).T.copy()
            return out
        h0, h1, lh = _linear_weights(h, oh, align_corners, scales[0], xf.dtype)
        w0, w1, lw = _linear_weights(w, ow, align_corners, scales[1], xf.dtype)
        # every term kept, as PyTorch's kernel does (the order of the sums may differ)
        rows = xf[:, :, h0] * (1 - lh)[:, None] + xf[:, :, h1] * lh[:, None]
        out = rows[..., w0] * (1 - lw) + rows[..., w1] * lw
        self.a = _dense(h0, h1, lh, h, xf.dtype)
        self.b = _dense(w0, w1, lw, w, xf.dtype).T.copy()
        return out

    def backward(self, g):
        return self.a.T @ g @ self.b.T


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: Any = "nearest",
    align_corners: Any = None,
    recompute_scale_factor: Any = None,
) -> Tensor:
    """Resample the spatial axes of input (N, C, H, W) (PyTorch's ``F.interpolate``, 2-D
    modes): to ``size`` (int or pair), or by ``scale_factor`` (number or pair; the output
    is ⌊H·scale_factor⌋), exactly one of them.

    ``mode="nearest"``: output i takes input ⌊i·scale⌋ (PyTorch's legacy nearest, in
    float32 arithmetic), scale = 1/scale_factor when a scale factor is given (unless
    ``recompute_scale_factor=True``), else H/oh. ``mode="bilinear"``: with
    ``align_corners=False`` (the default) the source coordinate is
    max(scale·(i + ½) − ½, 0), with True it is i·(H − 1)/(oh − 1), corners on corners;
    the output is the linear blend of the two neighbouring rows, then columns, computed
    in the input's dtype as PyTorch does.

    Both are linear: y = A · x · Bᵀ with A, B the resampling matrices, so the gradient is
    Aᵀ · dL/dy · B (two BLAS products; duplicates of nearest sum their gradients), and
    second order works. Finite wherever the input is; as in PyTorch, an infinite input
    next to a zero weight gives NaN (0·inf)."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    op = "interpolate"
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W) for 2-D resampling, got "
                         f"shape {x.shape}")
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"{op}: mode must be 'nearest' or 'bilinear', got {mode!r}")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{op}: align_corners can only be set with mode 'bilinear' (mode "
                         f"is {mode!r})")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor (got size={size!r},"
                         f" scale_factor={scale_factor!r})")
    h, w = x.shape[-2:]
    if size is not None:
        out = _positive(_ints(size, 2, op, "size"), op, "size")
        scales = (None, None)
    else:
        if isinstance(scale_factor, (int, float, np.integer, np.floating)):
            factors = (float(scale_factor),) * 2
        else:
            try:
                factors = tuple(float(f) for f in scale_factor)
            except (TypeError, ValueError):
                factors = ()
        if len(factors) != 2 or min(factors) <= 0:
            raise ValueError(f"{op}: scale_factor must be a positive number or a pair of "
                             f"them, got {scale_factor!r}")
        out = tuple(int(math.floor(float(n) * f)) for n, f in zip((h, w), factors))
        if min(out) < 1:
            raise ValueError(f"{op}: scale_factor {scale_factor!r} gives output size {out} "
                             f"for input of shape {x.shape}; it must be positive")
        scales = (None, None) if recompute_scale_factor else factors
    return Interpolate.apply(input, size=out, mode=mode, align_corners=bool(align_corners),
                             scales=scales)


# --------------------------------------------------------------------------- padding


class PadLastDims(Function):
    name = "pad"
    formula = ("dL/d{0} = dL/d{y} cropped (constant), or added back onto the elements it "
               "copied (reflect, replicate)")
    __slots__ = ("shape", "crop", "index")

    def forward(self, x, widths, mode, value):
        self.shape = x.shape
        if mode == "constant":
            (xf,) = _as_float(x)
            self.crop = tuple(slice(a, a + n) for (a, _), n in zip(widths, x.shape))
            self.index = None
            return np.pad(xf, widths, mode="constant", constant_values=value)
        self.crop = None
        # each output element's source index along each axis, as np.pad would copy it
        index = tuple(np.pad(np.arange(n), w, mode="reflect" if mode == "reflect" else "edge")
                      for n, w in zip(x.shape, widths))
        self.index = np.ix_(*index)
        (xf,) = _as_float(x)
        return xf[self.index]

    def backward(self, g):
        if self.index is None:
            return g[self.crop]
        if isinstance(g, Tensor):
            return IndexBackward.apply(g, shape=self.shape, index=self.index)
        out = np.zeros_like(g, shape=self.shape)
        np.add.at(out, self.index, g)
        return out


def pad_last_dims(input: Any, pad: Any, mode: Any = "constant", value: Any = 0.0) -> Tensor:
    """PyTorch's ``F.pad`` (exported as ``nn.functional.pad``): ``pad`` lists widths from
    the LAST axis backwards, (left, right) of the last axis, then (top, bottom) of the one
    before, ... (an even number of non-negative ints, at most two per axis).

    ``mode="constant"`` fills with ``value``; ``"reflect"`` mirrors without repeating the
    edge (each width below that axis's size); ``"replicate"`` repeats the edge element.
    (numpy's own np.pad lists widths from the first axis; this one follows PyTorch.)
    Gradient: constant mode crops the output gradient back to the input; reflect and
    replicate add each copied element's gradient to its source (so edge elements collect
    several); linear, second order works. Finite wherever the input (and value) is."""
    x = input.data if isinstance(input, Tensor) else _trace.asarray(input)
    op = "pad_last_dims"
    widths = _ints(pad, len(pad) if isinstance(pad, (tuple, list)) else 1, op, "pad")
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"{op}: pad must hold an even number of widths, two per padded axis, "
                         f"at most {2 * x.ndim} for input of shape {x.shape}; got {pad!r}")
    if min(widths, default=0) < 0:
        raise ValueError(f"{op}: pad widths must be non-negative, got {pad!r}")
    if mode not in ("constant", "reflect", "replicate"):
        raise ValueError(f"{op}: mode must be 'constant', 'reflect' or 'replicate', "
                         f"got {mode!r}")
    k = len(widths) // 2
    per_axis = [(0, 0)] * (x.ndim - k) + [(widths[2 * (k - 1 - i)], widths[2 * (k - 1 - i) + 1])
                                          for i in range(k)]
    for axis, (a, b) in enumerate(per_axis):
        n = x.shape[axis]
        if mode == "reflect" and (a or b) and max(a, b) >= n:
            raise ValueError(f"{op}: reflect padding ({a}, {b}) of axis {axis} must be smaller "
                             f"than its size {n} (input of shape {x.shape})")
        if mode == "replicate" and (a or b) and n == 0:
            raise ValueError(f"{op}: replicate padding of axis {axis}, which is empty "
                             f"(input of shape {x.shape})")
    if mode != "constant" and value:
        raise ValueError(f"{op}: value={value!r} is only used by mode 'constant' "
                         f"(mode is {mode!r})")
    return PadLastDims.apply(input, widths=tuple(per_axis), mode=mode, value=value)
