"""Convolution and pooling against PyTorch: forward values and gradients for many
argument combinations, float32 kept, second derivatives, and error messages.

The op table (tests/optable/conv.py) checks every op against plain loop references and
finite differences; here the same ops meet PyTorch's own results, where PyTorch is
installed."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops

torch = pytest.importorskip("torch", reason="PyTorch is the reference for these comparisons")
F = torch.nn.functional

RNG = np.random.default_rng(12)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def _compare(mg_fn, torch_fn, *arrays, tol=1e-10, grads=True):
    """Forward and gradients (for a random output gradient) of both frameworks."""
    ts = [mg.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = mg_fn(*ts), torch_fn(*tt)
    assert y.shape == tuple(yt.shape)
    assert y.dtype == arrays[0].dtype
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=tol, atol=tol)
    if not grads:
        return
    g = RNG.standard_normal(y.shape).astype(arrays[0].dtype)
    y.backward(g)
    yt.backward(torch.tensor(g))
    for i, (a, b) in enumerate(zip(ts, tt)):
        assert a.grad.dtype == arrays[i].dtype
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {i}")


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


CONV2D = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 3)),
    dict(padding=1),
    dict(padding=(2, 0)),
    dict(padding="valid"),
    dict(padding="same"),
    dict(padding="same", dilation=2),
    dict(padding="same", dilation=(1, 3)),
    dict(dilation=2, stride=2, padding=1),
    dict(groups=2),
    dict(groups=4, padding=1),
    dict(groups=2, stride=2, dilation=(2, 1), padding=(1, 2)),
]


@pytest.mark.parametrize("kernel", [(3, 3), (2, 2), (1, 1), (2, 3), (4, 1)])
@pytest.mark.parametrize("kw", CONV2D, ids=str)
def test_conv2d_matches_pytorch(kw, kernel):
    groups = kw.get("groups", 1)
    x, w, b = randn(2, 4, 7, 8), randn(8, 4 // groups, *kernel), randn(8)
    _compare(lambda x, w, b: ops.conv2d(x, w, b, **kw), lambda x, w, b: F.conv2d(x, w, b, **kw),
             x, w, b)


def test_conv2d_without_bias_unbatched_and_in_float32():
    x, w = randn(3, 6, 5), randn(2, 3, 3, 2)
    _compare(lambda x, w: ops.conv2d(x, w, padding=1), lambda x, w: F.conv2d(x, w, padding=1),
             x, w)
    x32, w32, b32 = randn(2, 3, 9, 9, dtype=np.float32), randn(4, 3, 3, 3, dtype=np.float32), \
        randn(4, dtype=np.float32)
    _compare(lambda x, w, b: ops.conv2d(x, w, b, padding="same"),
             lambda x, w, b: F.conv2d(x, w, b, padding="same"), x32, w32, b32, tol=2e-5)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same"),
                                dict(padding="same", dilation=2), dict(groups=3, padding=2),
                                dict(dilation=3)], ids=str)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_conv1d_matches_pytorch(kw, k):
    groups = kw.get("groups", 1)
    x, w, b = randn(2, 6, 11), randn(3, 6 // groups, k), randn(3)
    _compare(lambda x, w, b: ops.conv1d(x, w, b, **kw), lambda x, w, b: F.conv1d(x, w, b, **kw),
             x, w, b)


@pytest.mark.parametrize("kw", [
    dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
    dict(stride=(3, 2), output_padding=(2, 1)), dict(groups=2), dict(dilation=2, padding=1),
    dict(dilation=3, stride=2, output_padding=2), dict(groups=2, stride=2, padding=(0, 1)),
], ids=str)
def test_conv_transpose2d_matches_pytorch(kw):
    groups = kw.get("groups", 1)
    x, w, b = randn(2, 4, 5, 4), randn(4, 6 // groups, 3, 2), randn(6)
    _compare(lambda x, w, b: ops.conv_transpose2d(x, w, b, **kw),
             lambda x, w, b: F.conv_transpose2d(x, w, b, **kw), x, w, b)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    x, w = randn(2, 3, 9, 8), randn(5, 3, 3, 3)
    xt = mg.tensor(x, requires_grad=True)
    y = ops.conv2d(xt, w, stride=2, padding=1)
    g = randn(*y.shape)
    y.backward(g)
    back = ops.conv_transpose2d(g, w, stride=2, padding=1, output_padding=(0, 1))
    np.testing.assert_allclose(back.data, xt.grad.data, rtol=1e-12, atol=1e-12)


POOL = [
    dict(kernel_size=2), dict(kernel_size=3), dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=(1, 2)),
    dict(kernel_size=2, stride=2, ceil_mode=True), dict(kernel_size=3, stride=2, padding=1,
                                                         ceil_mode=True),
]


@pytest.mark.parametrize("kw", POOL + [dict(kernel_size=2, dilation=2),
                                       dict(kernel_size=3, dilation=(2, 1), padding=1)],
                         ids=str)
def test_max_pool2d_matches_pytorch(kw):
    x = RNG.permutation(2 * 3 * 7 * 9).reshape(2, 3, 7, 9) / 10.0
    _compare(lambda x: ops.max_pool2d(x, **kw), lambda x: F.max_pool2d(x, **kw), x)


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [3.0, 3.0, 2.0]]]])
    for kw in (dict(kernel_size=2), dict(kernel_size=2, stride=1),
               dict(kernel_size=2, padding=1), dict(kernel_size=3, ceil_mode=True, stride=2)):
        _compare(lambda x, kw=kw: ops.max_pool2d(x, **kw),
                 lambda x, kw=kw: F.max_pool2d(x, **kw), x)
    ninf = np.full((1, 1, 2, 2), -np.inf)  # all −inf: PyTorch's first element inside
    _compare(lambda x: ops.max_pool2d(x, 2, padding=1), lambda x: F.max_pool2d(x, 2, padding=1),
             ninf)


@pytest.mark.parametrize("kw", POOL + [dict(kernel_size=3, stride=2, padding=1,
                                            count_include_pad=False),
                                       dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                            count_include_pad=False)], ids=str)
def test_avg_pool2d_matches_pytorch(kw):
    _compare(lambda x: ops.avg_pool2d(x, **kw), lambda x: F.avg_pool2d(x, **kw), randn(2, 3, 7, 9))


@pytest.mark.parametrize("size", [1, 3, (4, 5), (2, None), (7, 9), (10, 13), (5, 2)])
def test_adaptive_avg_pool2d_matches_pytorch(size):
    _compare(lambda x: ops.adaptive_avg_pool2d(x, size),
             lambda x: F.adaptive_avg_pool2d(x, size), randn(2, 3, 7, 9))


INTERP = [
    dict(size=(10, 13)), dict(size=(3, 4)), dict(size=7), dict(scale_factor=2),
    dict(scale_factor=0.5), dict(scale_factor=1.7), dict(scale_factor=(0.3, 2.5)),
    dict(size=(10, 13), mode="bilinear"), dict(size=(3, 4), mode="bilinear"),
    dict(size=(14, 9), mode="bilinear", align_corners=True),
    dict(size=(1, 1), mode="bilinear", align_corners=True),
    dict(scale_factor=1.5, mode="bilinear"), dict(scale_factor=(0.6, 2.3), mode="bilinear"),
    dict(scale_factor=2, mode="bilinear", align_corners=True),
    dict(scale_factor=1.7, recompute_scale_factor=True),
    dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True),
]


@pytest.mark.parametrize("kw", INTERP, ids=str)
def test_interpolate_matches_pytorch(kw):
    _compare(lambda x: ops.interpolate(x, **kw), lambda x: F.interpolate(x, **kw),
             randn(2, 3, 7, 6))


@pytest.mark.parametrize("kw", INTERP, ids=str)
def test_interpolate_float32_uses_pytorchs_float32_coordinates(kw):
    _compare(lambda x: ops.interpolate(x, **kw), lambda x: F.interpolate(x, **kw),
             randn(1, 2, 7, 6, dtype=np.float32), tol=1e-6)


@pytest.mark.parametrize("pad,mode,shape", [
    ((1, 2), "constant", (2, 3, 4)), ((1, 2, 0, 3), "constant", (2, 3, 4)),
    ((1, 1, 1, 1, 2, 0), "constant", (2, 3, 4)), ((2, 1), "reflect", (2, 3, 4)),
    ((2, 1, 1, 2), "reflect", (1, 2, 3, 4)), ((3, 1, 0, 2), "replicate", (1, 2, 3, 4)),
    ((2, 2), "replicate", (2, 3, 4)),
], ids=str)
def test_pad_last_dims_matches_pytorchs_pad(pad, mode, shape):
    _compare(lambda x: ops.pad_last_dims(x, pad, mode), lambda x: F.pad(x, pad, mode),
             randn(*shape))


def test_pad_last_dims_constant_value():
    _compare(lambda x: ops.pad_last_dims(x, (1, 0, 2, 1), value=-2.5),
             lambda x: F.pad(x, (1, 0, 2, 1), value=-2.5), randn(2, 3, 4))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, padding=1),
                                dict(kernel_size=(2, 3), stride=2, padding=1, dilation=(1, 2))],
                         ids=str)
def test_unfold_and_fold_match_pytorch(kw):
    x = randn(2, 3, 7, 6)
    _compare(lambda x: ops.unfold(x, **kw), lambda x: F.unfold(x, **kw), x)
    cols = F.unfold(torch.tensor(x), **kw).numpy()
    _compare(lambda c: ops.fold(c, (7, 6), **kw), lambda c: F.fold(c, (7, 6), **kw), cols)


def test_conv2d_is_unfold_times_the_weight():
    x, w = randn(2, 3, 6, 5), randn(4, 3, 3, 3)
    cols = ops.unfold(x, 3, padding=1)
    y = (w.reshape(4, -1) @ cols.data).reshape(2, 4, 6, 5)
    np.testing.assert_allclose(ops.conv2d(x, w, padding=1).data, y, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- second order


def _second_order(mg_fn, torch_fn, *arrays):
    """Gradient of ⟨∇f, u⟩ (a Hessian-vector product) in both frameworks."""
    ts = [mg.tensor(a, requires_grad=True) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = mg_fn(*ts), torch_fn(*tt)
    v = randn(*y.shape)
    us = [randn(*a.shape) for a in arrays]
    gs = mg.grad(lambda *z: (mg_fn(*z) * v).sum(), argnums=tuple(range(len(ts))))
    first = gs(*ts)
    total = sum((g * u).sum() for g, u in zip(first, us))
    total.backward()
    gt = torch.autograd.grad((yt * torch.tensor(v)).sum(), tt, create_graph=True)
    tot = sum((g * torch.tensor(u)).sum() for g, u in zip(gt, us))
    second = torch.autograd.grad(tot, tt, allow_unused=True)
    for a, b in zip(ts, second):
        expected = np.zeros(a.shape) if b is None else b.numpy()
        got = np.zeros(a.shape) if a.grad is None else a.grad.data
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_second_derivatives_match_pytorch():
    _second_order(lambda x, w, b: ops.conv2d(x, w, b, stride=2, padding=1, groups=2),
                  lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
                  randn(2, 4, 6, 5), randn(4, 2, 3, 3), randn(4))
    _second_order(lambda x, w: ops.conv2d(x, w, padding="same"),
                  lambda x, w: F.conv2d(x, w, padding="same"), randn(1, 2, 5, 5),
                  randn(3, 2, 2, 2))
    _second_order(lambda x, w: ops.conv1d(x, w, dilation=2),
                  lambda x, w: F.conv1d(x, w, dilation=2), randn(2, 2, 7), randn(3, 2, 3))
    _second_order(lambda x, w: ops.conv_transpose2d(x, w, stride=2, output_padding=1),
                  lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
                  randn(2, 2, 3, 3), randn(2, 3, 2, 2))
    # a product makes max_pool's second derivative non-zero: it flows through the scatter
    _second_order(lambda x: ops.max_pool2d(x * x, 2, 1), lambda x: F.max_pool2d(x * x, 2, 1),
                  RNG.permutation(32).reshape(2, 1, 4, 4) / 7.0 + 0.5)
    _second_order(lambda x: ops.avg_pool2d(x * x, 3, 2, 1),
                  lambda x: F.avg_pool2d(x * x, 3, 2, 1), randn(1, 2, 5, 5))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call,words", [
    (lambda: ops.conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 2, 3, 3))),
     ("conv2d", "weight", "(4, 2, 3, 3)", "input", "(2, 3, 5, 5)")),
    (lambda: ops.conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3))),
     ("conv2d", "weight", "4-D", "(4, 3, 3)")),
    (lambda: ops.conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), np.ones(5)),
     ("conv2d", "bias", "(4,)", "(5,)")),
    (lambda: ops.conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), padding="full"),
     ("conv2d", "padding", "'full'")),
    (lambda: ops.conv2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3)), stride=0),
     ("conv2d", "stride", "positive")),
    (lambda: ops.conv1d(np.ones((2, 3, 2)), np.ones((4, 3, 3))),
     ("conv1d", "input", "(2, 3, 2)", "weight", "(4, 3, 3)", "kernel")),
    (lambda: ops.conv_transpose2d(np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3))),
     ("conv_transpose2d", "weight", "(4, 3, 3, 3)", "(2, 3, 5, 5)")),
    (lambda: ops.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2),
     ("max_pool2d", "padding", "kernel_size")),
    (lambda: ops.avg_pool2d(np.ones((4,)), 2), ("avg_pool2d", "input", "(4,)")),
    (lambda: ops.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), (1, 2, 3)),
     ("adaptive_avg_pool2d", "output_size")),
    (lambda: ops.interpolate(np.ones((1, 1, 4, 4)), size=3, mode="bicubic"),
     ("interpolate", "mode", "bicubic")),
    (lambda: ops.pad_last_dims(np.ones((2, 3)), (1, 1, 1, 1, 1, 1)),
     ("pad_last_dims", "pad", "(2, 3)")),
    (lambda: ops.pad_last_dims(np.ones((2, 3)), (1, 1), "circular"),
     ("pad_last_dims", "mode", "circular")),
    (lambda: ops.unfold(np.ones((1, 1, 4, 4)), (2, 2, 2)), ("unfold", "kernel_size")),
    (lambda: ops.fold(np.ones((1, 5, 4)), (3, 3), 2), ("fold", "(1, 5, 4)", "divisible")),
])
def test_errors_name_the_op_the_argument_and_the_shapes(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
