"""Rows: convolution and pooling.

The references are written with explicit loops over every output element, straight
from the definitions (PyTorch's), on tiny shapes: slow, and plainly right.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from minigrad import ops
from minigrad.testing import arrays

from .row import Bad, Edge, Op, T

SIDE = st.integers(1, 4)


def _pairs(v, n=2):
    return (v,) * n if isinstance(v, int) else tuple(v)


# --------------------------------------------------------------------------- references


def ref_conv2d(x, w, b, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    sh, sw = _pairs(stride)
    dh, dw = _pairs(dilation)
    if padding == "valid":
        pads = (0, 0, 0, 0)
    elif padding == "same":
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    else:
        ph, pw = _pairs(padding)
        pads = (ph, ph, pw, pw)
    xp = np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:]))
    oh = (h + pads[0] + pads[1] - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pads[2] + pads[3] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, oh, ow))
    og = o // groups
    for b_ in range(n):
        for oc in range(o):
            g = oc // og
            for p in range(oh):
                for q in range(ow):
                    s = 0.0
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                s += w[oc, ci, i, j] * xp[b_, g * cg + ci, p * sh + i * dh,
                                                          q * sw + j * dw]
                    y[b_, oc, p, q] = s + (b[oc] if b is not None else 0.0)
    return y


def ref_conv1d(x, w, b, stride, padding, dilation, groups):
    pad = padding if isinstance(padding, str) else (0, padding)
    return ref_conv2d(x[:, :, None], w[:, :, None], b, (1, stride), pad, (1, dilation),
                      groups)[:, :, 0]


def ref_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    sh, sw = _pairs(stride)
    ph, pw = _pairs(padding)
    oph, opw = _pairs(output_padding)
    dh, dw = _pairs(dilation)
    oh = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    ow = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    y = np.zeros((n, cog * groups, oh, ow))
    cig = cin // groups
    for b_ in range(n):
        for ci in range(cin):
            g = ci // cig
            for p in range(h):
                for q in range(wd):
                    for co in range(cog):
                        for i in range(kh):
                            for j in range(kw):
                                r, s = p * sh + i * dh - ph, q * sw + j * dw - pw
                                if 0 <= r < oh and 0 <= s < ow:
                                    y[b_, g * cog + co, r, s] += x[b_, ci, p, q] * w[ci, co, i, j]
    if b is not None:
        y += b[:, None, None]
    return y


def _pool_out(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    o = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def ref_max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode):
    k, s, p, d = _pairs(kernel_size), _pairs(stride or kernel_size), _pairs(padding), \
        _pairs(dilation)
    n, c, h, w = x.shape
    oh, ow = (_pool_out(m, k[a], s[a], p[a], d[a], ceil_mode) for a, m in enumerate((h, w)))
    y = np.zeros((n, c, oh, ow))
    for b_ in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    best = -np.inf
                    for u in range(k[0]):
                        for v in range(k[1]):
                            r, t = i * s[0] - p[0] + u * d[0], j * s[1] - p[1] + v * d[1]
                            if 0 <= r < h and 0 <= t < w:
                                best = max(best, x[b_, ch, r, t])
                    y[b_, ch, i, j] = best
    return y


def ref_avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad):
    k, s, p = _pairs(kernel_size), _pairs(stride or kernel_size), _pairs(padding)
    n, c, h, w = x.shape
    oh, ow = (_pool_out(m, k[a], s[a], p[a], 1, ceil_mode) for a, m in enumerate((h, w)))
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * s[0] - p[0], j * s[1] - p[1]
            h1, w1 = min(h0 + k[0], h + p[0]), min(w0 + k[1], w + p[1])
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            div = size if count_include_pad else (h1 - h0) * (w1 - w0)
            for b_ in range(n):
                for ch in range(c):
                    y[b_, ch, i, j] = x[b_, ch, h0:h1, w0:w1].sum() / div
    return y


def ref_adaptive_avg_pool2d(x, output_size):
    n, c, h, w = x.shape
    oh, ow = output_size
    oh, ow = oh or h, ow or w
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, h1 = (i * h) // oh, math.ceil((i + 1) * h / oh)
            w0, w1 = (j * w) // ow, math.ceil((j + 1) * w / ow)
            for b_ in range(n):
                for ch in range(c):
                    y[b_, ch, i, j] = x[b_, ch, h0:h1, w0:w1].mean()
    return y


def _src_linear(i, n, out, align, scale):
    if align:
        src = (n - 1) / (out - 1) * i if out > 1 else 0.0
    else:
        sc = 1.0 / scale if scale else n / out
        src = max(sc * (i + 0.5) - 0.5, 0.0)
    i0 = min(int(math.floor(src)), n - 1)
    lam = min(max(src - i0, 0.0), 1.0)
    return i0, min(i0 + 1, n - 1), lam


def ref_interpolate(x, size, scale_factor, mode, align_corners):
    n, c, h, w = x.shape
    if size is not None:
        oh, ow = _pairs(size)
        scales = (None, None)
    else:
        scales = _pairs(scale_factor) if not isinstance(scale_factor, float) else \
            (scale_factor, scale_factor)
        oh, ow = int(math.floor(h * scales[0])), int(math.floor(w * scales[1]))
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            if mode == "nearest":
                si = min(int(math.floor(i * (1 / scales[0] if scales[0] else h / oh))), h - 1)
                sj = min(int(math.floor(j * (1 / scales[1] if scales[1] else w / ow))), w - 1)
                y[:, :, i, j] = x[:, :, si, sj]
            else:
                a0, a1, la = _src_linear(i, h, oh, align_corners, scales[0])
                b0, b1, lb = _src_linear(j, w, ow, align_corners, scales[1])
                y[:, :, i, j] = ((1 - la) * ((1 - lb) * x[:, :, a0, b0] + lb * x[:, :, a0, b1])
                                 + la * ((1 - lb) * x[:, :, a1, b0] + lb * x[:, :, a1, b1]))
    return y


def ref_pad(x, pad, mode, value):
    k = len(pad) // 2
    out_shape = list(x.shape)
    widths = [(0, 0)] * x.ndim
    for a in range(k):
        axis = x.ndim - 1 - a
        widths[axis] = (pad[2 * a], pad[2 * a + 1])
        out_shape[axis] += pad[2 * a] + pad[2 * a + 1]
    y = np.full(out_shape, float(value))
    for idx in np.ndindex(*out_shape):
        src = []
        for axis, i in enumerate(idx):
            n, lo = x.shape[axis], widths[axis][0]
            t = i - lo
            if mode == "reflect":
                while t < 0 or t >= n:
                    t = -t if t < 0 else 2 * (n - 1) - t
            elif mode == "replicate":
                t = min(max(t, 0), n - 1)
            src.append(t)
        if all(0 <= t < x.shape[a] for a, t in enumerate(src)):
            y[idx] = x[tuple(src)]
    return y


def _blocks(h, w, k, d, p, s):
    kh, kw = _pairs(k)
    dh, dw = _pairs(d)
    ph, pw = _pairs(p)
    sh, sw = _pairs(s)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return kh, kw, dh, dw, ph, pw, sh, sw, oh, ow


def ref_unfold(x, kernel_size, dilation, padding, stride):
    n, c, h, w = x.shape
    kh, kw, dh, dw, ph, pw, sh, sw, oh, ow = _blocks(h, w, kernel_size, dilation, padding,
                                                     stride)
    y = np.zeros((n, c * kh * kw, oh * ow))
    for ch in range(c):
        for i in range(kh):
            for j in range(kw):
                for p in range(oh):
                    for q in range(ow):
                        r, t = p * sh + i * dh - ph, q * sw + j * dw - pw
                        if 0 <= r < h and 0 <= t < w:
                            y[:, (ch * kh + i) * kw + j, p * ow + q] = x[:, ch, r, t]
    return y


def ref_fold(cols, output_size, kernel_size, dilation, padding, stride):
    h, w = _pairs(output_size)
    kh, kw, dh, dw, ph, pw, sh, sw, oh, ow = _blocks(h, w, kernel_size, dilation, padding,
                                                     stride)
    n = cols.shape[0]
    c = cols.shape[1] // (kh * kw)
    y = np.zeros((n, c, h, w))
    for ch in range(c):
        for i in range(kh):
            for j in range(kw):
                for p in range(oh):
                    for q in range(ow):
                        r, t = p * sh + i * dh - ph, q * sw + j * dw - pw
                        if 0 <= r < h and 0 <= t < w:
                            y[:, ch, r, t] += cols[:, (ch * kh + i) * kw + j, p * ow + q]
    return y


# --------------------------------------------------------------------------- strategies


def _arr(shape, **kw):
    return arrays(shape=shape, **kw)


@st.composite
def conv2d_inputs(draw, bias=True):
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 3 - groups)), draw(st.integers(1, 3 - groups))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([1, 2, (1, 2)]))
    dilation = draw(st.sampled_from([1, 2, (2, 1)]))
    choices = [0, 1, (1, 0), "valid"] + (["same"] if stride == 1 else [])
    padding = draw(st.sampled_from(choices))
    ph, pw = (0, 0) if isinstance(padding, str) else _pairs(padding)
    dh, dw = _pairs(dilation)
    h = max(draw(SIDE), dh * (kh - 1) + 1 - 2 * ph)
    w = max(draw(SIDE), dw * (kw - 1) + 1 - 2 * pw)
    n = draw(st.integers(1, 2))
    x = draw(_arr((n, cg * groups, h, w)))
    wt = draw(_arr((og * groups, cg, kh, kw)))
    b = draw(_arr((og * groups,))) if bias else None
    return x, wt, b, stride, padding, dilation, groups


@st.composite
def conv1d_inputs(draw):
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 3 - groups)), draw(st.integers(1, 3 - groups))
    k = draw(st.integers(1, 3))
    stride, dilation = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from([0, 1, "valid"] + (["same"] if stride == 1 else [])))
    p = 0 if isinstance(padding, str) else padding
    length = max(draw(st.integers(1, 5)), dilation * (k - 1) + 1 - 2 * p)
    x = draw(_arr((draw(st.integers(1, 2)), cg * groups, length)))
    return (x, draw(_arr((og * groups, cg, k))), draw(_arr((og * groups,))), stride, padding,
            dilation, groups)


@st.composite
def conv_transpose2d_inputs(draw):
    groups = draw(st.integers(1, 2))
    cig, cog = draw(st.integers(1, 3 - groups)), draw(st.integers(1, 3 - groups))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.sampled_from([1, 2, (2, 1)]))
    dilation = draw(st.sampled_from([1, 2]))
    sh, sw = _pairs(stride)
    oph = draw(st.integers(0, max(sh, dilation) - 1))
    opw = draw(st.integers(0, max(sw, dilation) - 1))
    padding = draw(st.sampled_from([0, 1]))
    h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if (h - 1) * sh - 2 * padding + dilation * (kh - 1) + oph + 1 < 1 or \
            (w - 1) * sw - 2 * padding + dilation * (kw - 1) + opw + 1 < 1:
        padding = 0
    x = draw(_arr((draw(st.integers(1, 2)), cig * groups, h, w)))
    wt = draw(_arr((cig * groups, cog, kh, kw)))
    return x, wt, draw(_arr((cog * groups,))), stride, padding, (oph, opw), groups, dilation


@st.composite
def distinct(draw, shape, spacing=0.05):
    """Values at least ``spacing`` apart, in random order: no ties and no near ties,
    so every window's maximum is unique by a margin."""
    size = int(np.prod(shape))
    perm = draw(st.permutations(range(size)))
    return ((np.array(perm, dtype=float) - size / 2) * spacing).reshape(shape)


@st.composite
def max_pool_inputs(draw):
    k = draw(st.sampled_from([1, 2, 3, (2, 3)]))
    kh, kw = _pairs(k)
    stride = draw(st.sampled_from([None, 1, 2]))
    padding = draw(st.sampled_from([0, 1])) if min(kh, kw) >= 2 else 0
    dilation = draw(st.sampled_from([1, 2]))
    ceil_mode = draw(st.booleans())
    least = 2 if padding and dilation > 1 else 1  # no window of padding alone (output −inf)
    h = max(draw(SIDE), dilation * (kh - 1) + 1 - 2 * padding, least)
    w = max(draw(SIDE), dilation * (kw - 1) + 1 - 2 * padding, least)
    x = draw(distinct((draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)))
    return x, k, stride, padding, dilation, ceil_mode


@st.composite
def avg_pool_inputs(draw):
    k = draw(st.sampled_from([1, 2, 3, (2, 3)]))
    kh, kw = _pairs(k)
    stride = draw(st.sampled_from([None, 1, 2]))
    padding = draw(st.sampled_from([0, 1])) if min(kh, kw) >= 2 else 0
    h, w = max(draw(SIDE), kh - 2 * padding), max(draw(SIDE), kw - 2 * padding)
    x = draw(_arr((draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)))
    return x, k, stride, padding, draw(st.booleans()), draw(st.booleans())


@st.composite
def adaptive_inputs(draw):
    x = draw(_arr((draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 5)),
                   draw(st.integers(1, 5)))))
    size = (draw(st.one_of(st.none(), st.integers(1, 5))), draw(st.integers(1, 5)))
    return x, size


@st.composite
def interpolate_inputs(draw):
    x = draw(_arr((draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(SIDE), draw(SIDE))))
    mode = draw(st.sampled_from(["nearest", "bilinear"]))
    align = draw(st.sampled_from([None, False, True])) if mode == "bilinear" else None
    if draw(st.booleans()):
        size, scale = (draw(st.integers(1, 6)), draw(st.integers(1, 6))), None
    else:
        h, w = x.shape[2:]
        scale = (draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5]).filter(lambda f: h * f >= 1)),
                 draw(st.sampled_from([1.0, 1.5, 2.0, 3.0])))
        size = None
        if h * scale[0] < 1:
            scale = (1.0, scale[1])
    return x, size, scale, mode, align


@st.composite
def pad_inputs(draw):
    x = draw(_arr((draw(st.integers(1, 2)), draw(SIDE), draw(SIDE))))
    mode = draw(st.sampled_from(["constant", "reflect", "replicate"]))
    k = draw(st.integers(1, 2 if mode != "constant" else 3))
    pad = []
    for a in range(k):
        n = x.shape[-1 - a]
        top = n - 1 if mode == "reflect" else 2
        pad += [draw(st.integers(0, min(top, 2))), draw(st.integers(0, min(top, 2)))]
    return x, tuple(pad), mode, draw(st.sampled_from([0.0, 1.5])) if mode == "constant" else 0.0


@st.composite
def unfold_inputs(draw):
    k = draw(st.sampled_from([1, 2, 3, (1, 2)]))
    dilation, stride = draw(st.sampled_from([1, 2])), draw(st.sampled_from([1, 2, (2, 1)]))
    padding = draw(st.sampled_from([0, 1]))
    kh, kw = _pairs(k)
    h = max(draw(SIDE), dilation * (kh - 1) + 1 - 2 * padding)
    w = max(draw(SIDE), dilation * (kw - 1) + 1 - 2 * padding)
    x = draw(_arr((draw(st.integers(1, 2)), draw(st.integers(1, 2)), h, w)))
    return x, k, dilation, padding, stride


@st.composite
def fold_inputs(draw):
    x, k, dilation, padding, stride = draw(unfold_inputs())
    n, c, h, w = x.shape
    *_, oh, ow = _blocks(h, w, k, dilation, padding, stride)
    kh, kw = _pairs(k)
    cols = draw(_arr((n, c * kh * kw, oh * ow)))
    return cols, (h, w), k, dilation, padding, stride


# --------------------------------------------------------------------------- rows

B4 = np.array([[[[-1e3, 2.0, 1e3], [5.0, -7.0, 1e3], [0.5, 1e3, -1e3]]]])  # (1, 1, 3, 3)
W2 = np.array([[[[1e3, -1e3], [2.0, 1e3]]]])  # (1, 1, 2, 2)
ONE = np.ones((1, 1, 1, 1))
COLS = np.array([[-1e3, 1e3, 2.0, -5.0]] * 4)[None]  # (1, 4, 4)


def _conv2d(x, w, b, stride, padding, dilation, groups):
    return ops.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation,
                      groups=groups)


ROWS = [
    Op("conv2d", _conv2d, ref_conv2d, conv2d_inputs(), cls=ops.Conv2d, tol=1e-10,
       zero_d=(ONE, ONE, np.ones(1), 1, 0, 1, 1),
       empty=(np.ones((0, 2, 3, 3)), np.ones((3, 2, 2, 2)), np.ones(3), 1, 0, 1, 1),
       bad=(Bad("channels", lambda: ops.conv2d(T((2, 3, 5, 5)), T((4, 2, 3, 3))), ValueError,
                ("conv2d", "weight", "(4, 2, 3, 3)", "(2, 3, 5, 5)", "channels")),
            Bad("bias", lambda: ops.conv2d(T((2, 3, 5, 5)), T((4, 3, 3, 3)), T((3,))),
                ValueError, ("conv2d", "bias", "(4,)", "(3,)")),
            Bad("groups", lambda: ops.conv2d(T((2, 4, 5, 5)), T((3, 2, 3, 3)), groups=2),
                ValueError, ("conv2d", "groups=2", "(3, 2, 3, 3)")),
            Bad("rank", lambda: ops.conv2d(T((5, 5)), T((1, 1, 3, 3))), ValueError,
                ("conv2d", "input", "(5, 5)")),
            Bad("small", lambda: ops.conv2d(T((1, 1, 2, 2)), T((1, 1, 3, 3))), ValueError,
                ("conv2d", "(2, 2)", "kernel (3, 3)")),
            Bad("same_strided", lambda: ops.conv2d(T((1, 1, 4, 4)), T((1, 1, 3, 3)), stride=2,
                                                   padding="same"),
                ValueError, ("conv2d", "padding='same'", "stride"))),
       edges=(Edge("big", (B4, W2, np.array([1e3]), 1, 1, 1, 1), float32=True),)),
    Op("conv2d_nobias", _conv2d, ref_conv2d, conv2d_inputs(bias=False), op="conv2d",
       cls=ops.Conv2d, tol=1e-10, fuzz=False, zero_d=(ONE, ONE, None, 1, 0, 1, 1)),
    Op("conv1d", lambda x, w, b, s, p, d, g: ops.conv1d(x, w, b, s, p, d, g), ref_conv1d,
       conv1d_inputs(), cls=ops.Conv1d, tol=1e-10,
       zero_d=(np.ones((1, 1, 1)), np.ones((1, 1, 1)), np.ones(1), 1, 0, 1, 1),
       empty=(np.ones((0, 1, 4)), np.ones((2, 1, 2)), np.ones(2), 1, 0, 1, 1),
       bad=(Bad("channels", lambda: ops.conv1d(T((2, 3, 5)), T((4, 2, 3))), ValueError,
                ("conv1d", "weight", "(4, 2, 3)", "(2, 3, 5)")),
            Bad("weight_rank", lambda: ops.conv1d(T((2, 3, 5)), T((4, 3, 3, 3))), ValueError,
                ("conv1d", "weight", "3-D", "(4, 3, 3, 3)"))),
       edges=(Edge("big", (B4.reshape(1, 1, 9), W2.reshape(1, 1, 4), np.array([1e3]), 1,
                           "same", 1, 1), float32=True),)),
    Op("conv_transpose2d",
       lambda x, w, b, s, p, op_, g, d: ops.conv_transpose2d(x, w, b, s, p, op_, g, d),
       ref_conv_transpose2d, conv_transpose2d_inputs(), cls=ops.ConvTranspose2d, tol=1e-10,
       zero_d=(ONE, ONE, np.ones(1), 1, 0, 0, 1, 1),
       empty=(np.ones((0, 2, 2, 2)), np.ones((2, 3, 2, 2)), np.ones(3), 2, 0, 0, 1, 1),
       bad=(Bad("channels", lambda: ops.conv_transpose2d(T((2, 3, 4, 4)), T((2, 4, 3, 3))),
                ValueError, ("conv_transpose2d", "weight", "(2, 4, 3, 3)", "(2, 3, 4, 4)")),
            Bad("output_padding", lambda: ops.conv_transpose2d(
                T((1, 1, 3, 3)), T((1, 1, 3, 3)), stride=2, output_padding=2), ValueError,
                ("conv_transpose2d", "output_padding", "stride"))),
       edges=(Edge("big", (B4, W2, np.array([1e3]), 2, 0, 1, 1, 1), float32=True),)),
    Op("max_pool2d", lambda x, k, s, p, d, c: ops.max_pool2d(x, k, s, p, d, c),
       ref_max_pool2d, max_pool_inputs(), cls=ops.MaxPool2d,
       zero_d=(ONE, 1, None, 0, 1, False),
       empty=(np.ones((0, 2, 4, 4)), 2, None, 0, 1, False),
       bad=(Bad("padding", lambda: ops.max_pool2d(T((1, 1, 4, 4)), 2, padding=2), ValueError,
                ("max_pool2d", "padding", "kernel_size")),
            Bad("small", lambda: ops.max_pool2d(T((1, 1, 2, 2)), 3), ValueError,
                ("max_pool2d", "(2, 2)", "kernel_size (3, 3)")),
            Bad("rank", lambda: ops.max_pool2d(T((4, 4)), 2), ValueError,
                ("max_pool2d", "input", "(4, 4)"))),
       edges=(Edge("big", (B4, 2, 1, 1, 1, False), float32=True),)),
    Op("avg_pool2d", lambda x, k, s, p, c, i: ops.avg_pool2d(x, k, s, p, c, i),
       ref_avg_pool2d, avg_pool_inputs(), cls=ops.AvgPool2d,
       zero_d=(ONE, 1, None, 0, False, True),
       empty=(np.ones((2, 0, 4, 4)), 2, None, 0, False, True),
       bad=(Bad("padding", lambda: ops.avg_pool2d(T((1, 1, 4, 4)), 2, padding=2), ValueError,
                ("avg_pool2d", "padding", "kernel_size")),),
       edges=(Edge("big", (B4, 2, 1, 1, True, False), float32=True),)),
    Op("adaptive_avg_pool2d", ops.adaptive_avg_pool2d, ref_adaptive_avg_pool2d,
       adaptive_inputs(), cls=ops.AdaptiveAvgPool2d, zero_d=(ONE, (1, 1)),
       empty=(np.ones((0, 2, 3, 3)), (2, 2)),
       bad=(Bad("size", lambda: ops.adaptive_avg_pool2d(T((1, 1, 4, 4)), (0, 2)), ValueError,
                ("adaptive_avg_pool2d", "output_size", "(1, 1, 4, 4)")),),
       edges=(Edge("big", (B4, (2, 2)), float32=True),)),
    Op("interpolate", lambda x, size, sf, m, a: ops.interpolate(x, size, sf, m, a),
       ref_interpolate, interpolate_inputs(), cls=ops.Interpolate, tol=1e-10,
       zero_d=(ONE, (1, 1), None, "bilinear", None),
       empty=(np.ones((0, 1, 2, 2)), (3, 3), None, "bilinear", False),
       bad=(Bad("rank", lambda: ops.interpolate(T((2, 3)), size=4), ValueError,
                ("interpolate", "input", "4-D", "(2, 3)")),
            Bad("both", lambda: ops.interpolate(T((1, 1, 2, 2)), size=4, scale_factor=2),
                ValueError, ("interpolate", "size", "scale_factor")),
            Bad("align", lambda: ops.interpolate(T((1, 1, 2, 2)), size=4, align_corners=True),
                ValueError, ("interpolate", "align_corners", "nearest"))),
       edges=(Edge("big", (B4, (5, 4), None, "bilinear", False), float32=True),)),
    Op("pad_last_dims", lambda x, pad, m, v: ops.pad_last_dims(x, pad, m, v), ref_pad,
       pad_inputs(), cls=ops.PadLastDims, zero_d=(np.ones((1, 1)), (1, 1), "replicate", 0.0),
       empty=(np.ones((0, 3)), (1, 2), "constant", 0.0),
       bad=(Bad("odd", lambda: ops.pad_last_dims(T((2, 3)), (1, 2, 3)), ValueError,
                ("pad_last_dims", "pad", "(2, 3)")),
            Bad("reflect", lambda: ops.pad_last_dims(T((2, 3)), (3, 0), "reflect"), ValueError,
                ("pad_last_dims", "reflect", "(2, 3)", "size 3"))),
       edges=(Edge("big", (B4, (1, 2, 2, 1), "reflect", 0.0), float32=True),)),
    Op("unfold", lambda x, k, d, p, s: ops.unfold(x, k, d, p, s), ref_unfold, unfold_inputs(),
       cls=ops.Unfold, zero_d=(ONE, 1, 1, 0, 1), empty=(np.ones((0, 2, 3, 3)), 2, 1, 0, 1),
       bad=(Bad("small", lambda: ops.unfold(T((1, 1, 2, 2)), 3), ValueError,
                ("unfold", "(2, 2)", "kernel (3, 3)")),),
       edges=(Edge("big", (B4, 2, 1, 1, 1), float32=True),)),
    Op("fold", lambda c, size, k, d, p, s: ops.fold(c, size, k, d, p, s), ref_fold,
       fold_inputs(), cls=ops.Fold, zero_d=(np.ones((1, 1, 1)), (1, 1), 1, 1, 0, 1),
       empty=(np.ones((0, 4, 4)), (3, 3), 2, 1, 0, 1),
       bad=(Bad("blocks", lambda: ops.fold(T((1, 4, 5)), (3, 3), 2), ValueError,
                ("fold", "(1, 4, 5)", "sliding blocks", "2·2 = 4")),),
       edges=(Edge("big", (COLS, (4, 4), 2, 1, 0, 2), float32=True),)),
]
