"""The nn layers, activations and losses against PyTorch: outputs and gradients with the
same weights (copied through state_dict, which also proves the keys and layouts agree),
parameter shapes and counts, train/eval behaviour, buffers and save/load."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

torch = pytest.importorskip("torch", reason="the layer tests compare with PyTorch")


def _np(t):
    return t.detach().cpu().numpy()


def _copy_from_torch(ours, theirs):
    """Load PyTorch's state into our module (strict: the keys and shapes must agree)."""
    state = {k: _np(v).astype(np.int64 if k.endswith("num_batches_tracked") else np.float64)
             for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def _compare(ours, theirs, *inputs, rtol=1e-10, atol=1e-12, out_index=None, **kwargs):
    """Run both modules on the same float64 inputs, backpropagate the same random output
    gradient, and compare outputs, input gradients and parameter gradients by name."""
    rng = np.random.default_rng(1)
    xs = [mg.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    y = ours(*xs, **kwargs)
    yt = theirs(*ts, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                        for k, v in kwargs.items()})
    if out_index is not None:
        y, yt = y[out_index], yt[out_index]
    np.testing.assert_allclose(y.data, _np(yt), rtol=rtol, atol=atol)
    g = rng.standard_normal(y.shape)
    y.backward(mg.tensor(g))
    yt.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        if x.requires_grad:
            _same_grad(x.grad, t.grad, rtol, atol, "input")
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, p in ours_params.items():
        _same_grad(p.grad, theirs_params[name].grad, rtol, atol, name)
    return y


def _same_grad(ours, theirs, rtol, atol, name):
    """Equal gradients; None (not reached) on one side only where the other is zero."""
    if theirs is None or ours is None:
        other = ours.data if theirs is None and ours is not None else \
            (_np(theirs) if theirs is not None else np.zeros(1))
        np.testing.assert_array_equal(other, 0.0, err_msg=name)
        return
    np.testing.assert_allclose(ours.data, _np(theirs), rtol=rtol, atol=atol, err_msg=name)


def _same_shapes(ours, theirs):
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters())
    assert list(ours.state_dict()) == list(theirs.state_dict())


X4 = np.random.default_rng(0).standard_normal((2, 4, 7, 6))
X3 = np.random.default_rng(0).standard_normal((2, 4, 9))


# --------------------------------------------------------------------------- convolution


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=(3, 2), stride=2, padding=1, bias=False),
    dict(kernel_size=3, padding="same", dilation=2, groups=2),
    dict(kernel_size=3, padding=1, padding_mode="reflect"),
    dict(kernel_size=(2, 3), padding="same", padding_mode="replicate"),
])
def test_conv2d_matches_pytorch(kwargs):
    ours = nn.Conv2d(4, 6, rng=0, **kwargs)
    theirs = torch.nn.Conv2d(4, 6, **kwargs).double()
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    _compare(ours, theirs, X4)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=4, stride=2, padding=1, dilation=2, groups=4, bias=False),
    dict(kernel_size=4, padding="same", padding_mode="reflect"),
])
def test_conv1d_matches_pytorch(kwargs):
    ours = nn.Conv1d(4, 8, rng=0, **kwargs)
    theirs = torch.nn.Conv1d(4, 8, **kwargs).double()
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    _compare(ours, theirs, X3)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=3, stride=2, padding=1, output_padding=1, groups=2, bias=False),
    dict(kernel_size=(2, 3), stride=(2, 1), dilation=2),
])
def test_conv_transpose2d_matches_pytorch(kwargs):
    ours = nn.ConvTranspose2d(4, 6, rng=0, **kwargs)
    theirs = torch.nn.ConvTranspose2d(4, 6, **kwargs).double()
    assert ours.weight.shape == tuple(theirs.weight.shape)  # (in, out/groups, kH, kW)
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    _compare(ours, theirs, X4)


def test_conv_transpose2d_output_size_picks_output_padding():
    ours = nn.ConvTranspose2d(4, 2, 3, stride=2, rng=0)
    theirs = torch.nn.ConvTranspose2d(4, 2, 3, stride=2).double()
    _copy_from_torch(ours, theirs)
    y = _compare(ours, theirs, X4, output_size=(16, 14))
    assert y.shape == (2, 2, 16, 14)
    with pytest.raises(ValueError, match="output_size"):
        ours(X4, output_size=(18, 14))


@pytest.mark.parametrize("make", [
    lambda m: m.Conv2d(16, 64, (3, 5), groups=2),
    lambda m: m.Conv1d(16, 64, 5),
    lambda m: m.ConvTranspose2d(16, 64, 3, groups=2),
])
def test_conv_default_init_has_pytorchs_bounds(make):
    ours, theirs = make(nn), make(torch.nn)
    w = theirs.weight
    assert ours.weight.shape == tuple(w.shape)
    fan_in = w.shape[1] * math.prod(w.shape[2:])  # PyTorch's rule, also for transposed
    bound = 1 / math.sqrt(fan_in)
    for ours_p, theirs_p in ((ours.weight, w), (ours.bias, theirs.bias)):
        p = ours_p.data
        assert np.abs(p).max() <= bound and np.abs(_np(theirs_p)).max() <= bound
        assert np.abs(p).max() > 0.9 * bound  # spread over the interval, not squeezed
        # uniform on [-bound, bound]: std bound/√3
        assert abs(p.std() - bound / math.sqrt(3)) < 0.2 * bound / math.sqrt(3)


def test_conv_init_is_reproducible_and_errors_name_the_layer():
    a, b = nn.Conv2d(3, 5, 3, rng=7), nn.Conv2d(3, 5, 3, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, nn.Conv2d(3, 5, 3, rng=8).weight.data)
    assert nn.Conv2d(3, 5, 3, dtype=np.float32).weight.dtype == np.float32
    with pytest.raises(ValueError, match=r"Conv2d\(3, 5.*expected input of shape \(N, 3, H, W\)"
                                         r".*\(2, 4, 7, 6\)"):
        a(X4)
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 6, 3, padding_mode="circular")
    with pytest.raises(ValueError, match="strided"):
        nn.Conv1d(3, 6, 3, stride=2, padding="same")


# --------------------------------------------------------------------------- pooling, reshaping


@pytest.mark.parametrize("make", [
    lambda m: m.MaxPool2d(2),
    lambda m: m.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=1, ceil_mode=True),
    lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    lambda m: m.AvgPool2d(2, ceil_mode=True),
    lambda m: m.AvgPool2d(3, stride=1, padding=1, divisor_override=4),
    lambda m: m.AdaptiveAvgPool2d((3, 4)),
    lambda m: m.AdaptiveAvgPool2d(5),
    lambda m: m.Flatten(),
    lambda m: m.Flatten(0, 2),
    lambda m: m.Flatten(-2),
    lambda m: m.Unflatten(1, (2, 2)),
    lambda m: m.Unflatten(-1, (2, -1)),
    lambda m: m.Identity(54, unused="x"),
])
def test_parameterless_layers_match_pytorch(make):
    ours, theirs = make(nn), make(torch.nn)
    assert ours.num_parameters() == 0
    _compare(ours, theirs, X4)


def test_reshaping_layers_refuse_what_does_not_fit():
    with pytest.raises(ValueError, match=r"Unflatten.*\(5, 2\).*size 4"):
        nn.Unflatten(1, (5, 2))(X4)
    with pytest.raises(ValueError, match="Flatten: start_dim=3 and end_dim=1"):
        nn.Flatten(3, 1)(X4)
    with pytest.raises(NotImplementedError, match="return_indices"):
        nn.MaxPool2d(2, return_indices=True)


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("make", [
    lambda m: m.LeakyReLU(), lambda m: m.LeakyReLU(0.2), lambda m: m.ELU(), lambda m: m.ELU(0.5),
    lambda m: m.GELU(), lambda m: m.GELU(approximate="tanh"), lambda m: m.SiLU(),
    lambda m: m.Softplus(), lambda m: m.Softplus(beta=2.0, threshold=1.0),
    lambda m: m.Softmax(dim=1), lambda m: m.Softmax(dim=-1), lambda m: m.LogSoftmax(dim=0),
    lambda m: m.LogSoftmax(dim=2), lambda m: m.ReLU6(), lambda m: m.SELU(), lambda m: m.CELU(0.7),
    lambda m: m.Mish(), lambda m: m.Softsign(), lambda m: m.Hardtanh(-0.5, 2.0),
    lambda m: m.Hardsigmoid(), lambda m: m.Hardswish(), lambda m: m.LogSigmoid(),
    lambda m: m.Sigmoid(), lambda m: m.Tanh(), lambda m: m.ReLU(),
])
def test_activations_match_pytorch(make):
    x = 3 * X4[:, :, :3]
    ours = make(nn)
    # PyTorch's CELU and Hardsigmoid backwards differ from exp(x/alpha) and 1/6 in the 8th
    # digit, even in float64 (a constant held in float32); minigrad's match them exactly
    rtol = 1e-6 if isinstance(ours, (nn.CELU, nn.Hardsigmoid)) else 1e-10
    _compare(ours, make(torch.nn), x, rtol=rtol)


def test_softmax_without_dim_takes_pytorchs_legacy_choice_and_warns():
    x = X4[0, :, :3]  # 3-D: dim 0
    with pytest.warns(UserWarning, match="implicit dimension"):
        y = nn.Softmax()(x)
    np.testing.assert_allclose(y.data.sum(axis=0), 1.0)
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("exact")


# --------------------------------------------------------------------------- dropout


def test_dropout_is_reproducible_in_training_and_off_in_eval():
    x = np.ones((50, 40))
    a, b = nn.Dropout(0.3, rng=5), nn.Dropout(0.3, rng=5)
    ya, yb = a(x), b(x)
    np.testing.assert_array_equal(ya.data, yb.data)
    assert not np.array_equal(a(x).data, ya.data)  # each call draws a new mask
    kept = ya.data != 0
    assert 0.6 < kept.mean() < 0.8
    np.testing.assert_allclose(ya.data[kept], 1 / 0.7)
    a.eval()
    assert not a.training
    np.testing.assert_array_equal(a(x).data, x)
    model = nn.Sequential(nn.Linear(40, 40, rng=0), nn.Dropout(0.5, rng=0))
    model.eval()
    assert not model[1].training
    xt = mg.tensor(x)
    np.testing.assert_array_equal(model(xt).data, model[0](xt).data)
    model.train()
    assert model[1].training and (model(xt).data == 0).any()
    with pytest.raises(ValueError, match="Dropout: p must be a probability"):
        nn.Dropout(1.5)
    with pytest.raises(TypeError, match="Dropout: rng"):
        nn.Dropout(0.5, rng="seed")


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize("kwargs", [
    dict(normalized_shape=6),
    dict(normalized_shape=(7, 6), eps=1e-3),
    dict(normalized_shape=6, elementwise_affine=False),
    dict(normalized_shape=6, bias=False),
])
def test_layer_norm_matches_pytorch(kwargs):
    ours, theirs = nn.LayerNorm(**kwargs), torch.nn.LayerNorm(**kwargs).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(torch.randn(p.shape, dtype=p.dtype))
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    _compare(ours, theirs, X4)


@pytest.mark.parametrize("cls, x", [("BatchNorm2d", X4), ("BatchNorm1d", X3),
                                    ("BatchNorm1d", X3[:, :, 0])])
@pytest.mark.parametrize("kwargs", [{}, dict(momentum=None), dict(affine=False, eps=1e-3),
                                    dict(track_running_stats=False)])
def test_batch_norm_train_and_eval_match_pytorch(cls, x, kwargs):
    ours, theirs = getattr(nn, cls)(4, **kwargs), getattr(torch.nn, cls)(4, **kwargs).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(torch.randn(p.shape, dtype=p.dtype))
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    rng = np.random.default_rng(3)
    for step in range(3):  # training: batch statistics, running ones updated
        xi = x * (step + 1) + rng.standard_normal(x.shape)
        for m in (ours, theirs):
            m.zero_grad()
        _compare(ours, theirs, xi)
        for name, b in theirs.named_buffers():
            np.testing.assert_allclose(getattr(ours, name).data, _np(b), rtol=1e-12,
                                       err_msg=name)
    ours.eval()
    theirs.eval()
    for m in (ours, theirs):
        m.zero_grad()
    before = {k: v.copy() for k, v in ours.state_dict().items()}
    _compare(ours, theirs, 2 * x + 1)  # eval: running statistics, not updated
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_batch_norm_buffers_and_eval_use_running_stats():
    bn = nn.BatchNorm2d(3)
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var",
                                                 "num_batches_tracked"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    x = np.random.default_rng(0).normal(5.0, 2.0, (8, 3, 4, 4))
    bn(x)
    assert bn.num_batches_tracked.item() == 1
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean(axis=(0, 2, 3)))
    bn.eval()
    y = bn(x)
    expected = (x - bn.running_mean.data.reshape(1, 3, 1, 1)) / np.sqrt(
        bn.running_var.data.reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected input of shape "
                                         r"\(N, C, H, W\) with C = 3, got shape \(8, 3\)"):
        bn(x[:, :, 0, 0])
    off = nn.BatchNorm1d(3, track_running_stats=False)
    assert list(off.state_dict()) == ["weight", "bias"] and off.running_mean is None


def test_model_with_batch_norm_round_trips_through_save_and_load(tmp_path):
    def build():
        return nn.Sequential(nn.Conv2d(2, 3, 3, rng=0), nn.BatchNorm2d(3), nn.ReLU(),
                             nn.Flatten(), nn.Linear(3 * 4 * 4, 2, rng=0))

    model = build()
    rng = np.random.default_rng(0)
    for _ in range(3):
        model(rng.standard_normal((5, 2, 6, 6)))
    path = tmp_path / "bn.npz"
    mg.save(model, path)
    loaded = mg.load(path)
    assert "1.running_mean" in loaded and loaded["1.num_batches_tracked"].dtype == np.int64
    fresh = build()
    fresh.load_state_dict(loaded)
    for (k, a), (k2, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert k == k2 and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)  # bit for bit
    assert fresh[1].num_batches_tracked.item() == 3
    x = rng.standard_normal((2, 2, 6, 6))
    np.testing.assert_array_equal(model.eval()(x).data, fresh.eval()(x).data)
    bad = dict(loaded)
    bad["1.running_var"] = np.ones(4)
    with pytest.raises(ValueError, match=r"'1.running_var': shape \(4,\) in the state, \(3,\) "
                                         "in the model"):
        fresh.load_state_dict(bad)


# --------------------------------------------------------------------------- embedding


def test_embedding_matches_pytorch_and_keeps_padding_row_still():
    ours, theirs = nn.Embedding(10, 4, padding_idx=-1, rng=0), \
        torch.nn.Embedding(10, 4, padding_idx=-1).double()
    assert ours.padding_idx == theirs.padding_idx == 9
    np.testing.assert_array_equal(ours.weight.data[9], 0.0)
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    idx = np.array([[1, 9, 3], [3, 3, 0]])
    _compare(ours, theirs, idx)
    np.testing.assert_array_equal(ours.weight.grad.data[9], 0.0)
    w = nn.Embedding(1000, 50, rng=1).weight.data
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02  # N(0, 1)


# --------------------------------------------------------------------------- attention


def _mha_pair(batch_first=False, bias=True, kdim=None, vdim=None):
    ours = nn.MultiheadAttention(8, 2, bias=bias, kdim=kdim, vdim=vdim, batch_first=batch_first,
                                 rng=0)
    theirs = torch.nn.MultiheadAttention(8, 2, bias=bias, kdim=kdim, vdim=vdim,
                                         batch_first=batch_first).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(0.1 * torch.randn(p.shape, dtype=p.dtype))
    _same_shapes(ours, theirs)
    _copy_from_torch(ours, theirs)
    return ours, theirs


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("out_index", [0, 1])
def test_multihead_attention_matches_pytorch(batch_first, out_index):
    ours, theirs = _mha_pair(batch_first)
    rng = np.random.default_rng(0)
    shape = (3, 5, 8) if batch_first else (5, 3, 8)
    kshape = (3, 4, 8) if batch_first else (4, 3, 8)
    q, k = rng.standard_normal(shape), rng.standard_normal(kshape)
    v = rng.standard_normal(kshape)
    _compare(ours, theirs, q, k, v, out_index=out_index)


def test_multihead_attention_masks_and_per_head_weights_match_pytorch():
    ours, theirs = _mha_pair(bias=False, kdim=6, vdim=5)
    assert ours.in_proj_weight is None and ours.k_proj_weight.shape == (8, 6)
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((5, 3, 8)), rng.standard_normal((4, 3, 6)),
               rng.standard_normal((4, 3, 5)))
    kpm = np.zeros((3, 4), dtype=bool)
    kpm[0, 3] = kpm[2, :2] = True
    causal = np.triu(np.ones((5, 4), dtype=bool), k=1)
    causal[:, 0] = False  # every query keeps a key
    float_mask = rng.standard_normal((3 * 2, 5, 4))
    for kwargs in (dict(key_padding_mask=kpm), dict(attn_mask=causal),
                   dict(attn_mask=float_mask, key_padding_mask=np.where(kpm, -np.inf, 0.0)),
                   dict(attn_mask=causal, average_attn_weights=False)):
        for m in (ours, theirs):
            m.zero_grad()
        _compare(ours, theirs, q, k, v, out_index=1, **kwargs)
        for m in (ours, theirs):
            m.zero_grad()
        _compare(ours, theirs, q, k, v, out_index=0, **kwargs)


def test_multihead_attention_unbatched_need_weights_and_errors():
    ours, theirs = _mha_pair()
    rng = np.random.default_rng(2)
    q, k = rng.standard_normal((5, 8)), rng.standard_normal((4, 8))
    _compare(ours, theirs, q, k, k, out_index=1)
    out, w = ours(q, k, k, need_weights=False)
    assert w is None and out.shape == (5, 8)
    # a query with every key masked gets zeros rather than NaN
    mask = np.zeros((5, 4), dtype=bool)
    mask[2] = True
    out, w = ours(q, k, k, attn_mask=mask)
    np.testing.assert_array_equal(w.data[2], 0.0)
    assert np.isfinite(out.data).all()
    with pytest.raises(ValueError, match="MultiheadAttention.*got \\(5, 8\\), \\(4, 7\\)"):
        ours(q, k[:, :7], k[:, :7])
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        ours(q[:, None], k[:, None], k[:, None], key_padding_mask=np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


def test_multihead_attention_dropout_only_in_training():
    m = nn.MultiheadAttention(8, 2, dropout=0.5, rng=0)
    x = np.random.default_rng(0).standard_normal((5, 1, 8))
    _, w_train = m(x, x, x, average_attn_weights=False)
    assert (w_train.data == 0).any()
    m.eval()
    _, w_eval = m(x, x, x)
    np.testing.assert_allclose(w_eval.data.sum(axis=-1), 1.0)


# --------------------------------------------------------------------------- containers


def test_module_list_and_dict_register_their_modules():
    layers = nn.ModuleList([nn.Linear(2, 2, rng=i) for i in range(3)])
    assert len(layers) == 3 and [n for n, _ in layers.named_parameters()][:2] == \
        ["0.weight", "0.bias"]
    layers.append(nn.Tanh())
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and isinstance(layers[-1], nn.Tanh)
    del layers[0]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2", "3"]
    assert [p.name for p in layers.parameters()][-1] == "2.bias"
    assert len(layers[1:3]) == 2
    with pytest.raises(TypeError, match="ModuleList.append: expected a Module, got int"):
        layers.append(3)
    with pytest.raises(IndexError, match="out of range"):
        layers[10]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleDict({"enc": nn.Linear(3, 2, rng=0), "act": nn.ReLU()})
            self.blocks["dec"] = nn.Linear(2, 3, rng=1)

        def forward(self, x):
            for m in self.blocks.values():
                x = m(x)
            return x

    net = Net()
    assert list(net.state_dict()) == ["blocks.enc.weight", "blocks.enc.bias",
                                      "blocks.dec.weight", "blocks.dec.bias"]
    assert net(np.ones((1, 3))).shape == (1, 3)
    assert "act" in net.blocks and net.blocks.pop("act").training
    assert net.blocks.keys() == ["enc", "dec"]
    with pytest.raises(KeyError, match="attribute of ModuleDict"):
        net.blocks["train"] = nn.ReLU()
    with pytest.raises(KeyError, match="has no module 'nope'"):
        net.blocks["nope"]
    net.eval()
    assert not any(m.training for m in net.modules())


def test_register_buffer_rules():
    class WithBuffers(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("stat", np.zeros(3))
            self.register_buffer("scratch", np.ones(2), persistent=False)
            self.register_buffer("empty", None)

    m = WithBuffers()
    assert isinstance(m.stat, mg.Tensor) and not m.stat.requires_grad
    assert [n for n, _ in m.named_buffers()] == ["stat", "scratch"]
    assert list(m.state_dict()) == ["stat"]
    assert list(m.parameters()) == []
    m.stat = np.full(3, 2.0)  # assignment replaces the buffer's value
    assert m._buffers["stat"] is m.stat
    m.load_state_dict({"stat": np.arange(3.0)})
    np.testing.assert_array_equal(m.stat.data, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"'stat': dtype int64 in the state, float64"):
        m.load_state_dict({"stat": np.arange(3)})
    with pytest.raises(KeyError, match="already an attribute"):
        m.register_buffer("training", np.zeros(1))
    with pytest.raises(TypeError, match="buffer 'x' must be a Tensor, a numpy array or None"):
        m.register_buffer("x", [1, 2])
    outer = nn.Sequential(m)
    assert [n for n, _ in outer.named_buffers()] == ["0.stat", "0.scratch"]


# --------------------------------------------------------------------------- losses


def _targets(rng):
    x = rng.standard_normal((6, 5))
    return {
        "reg": (x, rng.standard_normal((6, 5))),
        "prob": (1 / (1 + np.exp(-x)), rng.uniform(size=(6, 5))),
        "logit": (x, rng.uniform(size=(6, 5))),
        "class": (x, rng.integers(0, 5, 6)),
        "logprob": (x - np.log(np.exp(x).sum(axis=1, keepdims=True)), rng.integers(0, 5, 6)),
        "kl": (np.log(rng.dirichlet(np.ones(5), 6)), rng.dirichlet(np.ones(5), 6)),
    }


W5 = np.array([1.0, 2.0, 0.5, 1.5, 3.0])


@pytest.mark.parametrize("kind, make", [
    ("reg", lambda m: m.MSELoss()), ("reg", lambda m: m.MSELoss(reduction="none")),
    ("reg", lambda m: m.L1Loss(reduction="sum")), ("reg", lambda m: m.HuberLoss(delta=0.5)),
    ("reg", lambda m: m.SmoothL1Loss(beta=0.3)),
    ("prob", lambda m: m.BCELoss()),
    ("prob", lambda m: m.BCELoss(weight=m_tensor(m, np.linspace(0.5, 2, 5)))),
    ("logit", lambda m: m.BCEWithLogitsLoss(pos_weight=m_tensor(m, np.arange(1.0, 6.0)))),
    ("logit", lambda m: m.BCEWithLogitsLoss(reduction="sum")),
    ("class", lambda m: m.CrossEntropyLoss()),
    ("class", lambda m: m.CrossEntropyLoss(weight=m_tensor(m, W5), ignore_index=2,
                                           label_smoothing=0.1)),
    ("class", lambda m: m.CrossEntropyLoss(reduction="none")),
    ("logprob", lambda m: m.NLLLoss(weight=m_tensor(m, W5))),
    ("logprob", lambda m: m.NLLLoss(ignore_index=1, reduction="sum")),
    ("kl", lambda m: m.KLDivLoss(reduction="batchmean")),
    ("kl", lambda m: m.KLDivLoss(reduction="mean")),
])
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
def test_loss_modules_match_pytorch(kind, make):
    x, t = _targets(np.random.default_rng(0))[kind]
    ours, theirs = make(nn), make(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # weights are buffers
    xs, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = ours(xs, t), theirs(xt, torch.tensor(t))
    np.testing.assert_allclose(y.data, _np(yt), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(mg.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xs.grad.data, _np(xt.grad), rtol=1e-10, atol=1e-12)


def m_tensor(module, a):
    """The weight as the library wants it: a torch tensor for torch.nn, an array here."""
    return torch.tensor(a) if module is torch.nn else a


def test_loss_modules_refuse_bad_arguments():
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be one of 'mean', "
                                         "'batchmean'"):
        nn.KLDivLoss(reduction="max")
    with pytest.raises(ValueError, match="CrossEntropyLoss: label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=2.0)
    with pytest.raises(TypeError, match="NLLLoss: weight must be numeric"):
        nn.NLLLoss(weight=np.array(["a"]))
