"""The neural-network ops and losses against PyTorch: forward values and gradients on
random inputs, with the options (weights, ignore_index, label smoothing, pos_weight,
masks, causal attention, running statistics)."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops

torch = pytest.importorskip("torch", reason="these tests compare with PyTorch")
F = torch.nn.functional

SEEDS = (0, 1, 2)


def rand(rng, *shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


def run_both(mg_fn, torch_fn, arrays, grad=None, rtol=1e-9, atol=1e-10, const=()):
    """Run the op in minigrad and in PyTorch on the same float64 inputs (None and int
    arrays pass through, without gradient, and so do the inputs at positions ``const``)
    and compare the outputs and the gradients of every float input for a random output
    gradient."""
    ms = [mg.tensor(a, requires_grad=i not in const) if _float(a) else a
          for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, requires_grad=i not in const) if _float(a) else
          (torch.tensor(a) if isinstance(a, np.ndarray) else a) for i, a in enumerate(arrays)]
    out_m, out_t = mg_fn(*ms), torch_fn(*ts)
    np.testing.assert_allclose(out_m.data, out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(99).standard_normal(out_m.shape) if grad is None else grad
    out_m.backward(g)
    out_t.backward(torch.tensor(g))
    for m, t in zip(ms, ts):
        if isinstance(m, mg.Tensor) and m.requires_grad:
            assert m.grad is not None
            np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=rtol, atol=atol)
    return out_m


def _float(a):
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


# --------------------------------------------------------------------------- neural ops


@pytest.mark.parametrize("seed", SEEDS)
def test_linear(seed):
    rng = np.random.default_rng(seed)
    x, w, b = rand(rng, 2, 3, 4), rand(rng, 5, 4), rand(rng, 5)
    run_both(ops.linear, F.linear, [x, w, b])
    run_both(ops.linear, F.linear, [x, w, None])
    run_both(ops.linear, F.linear, [rand(rng, 4), w, b])
    run_both(ops.linear, F.linear, [x, rand(rng, 4), rand(rng)])


def test_linear_matches_the_layer_with_the_weight_transposed():
    layer = mg.nn.Linear(3, 2, rng=0)
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(ops.linear(x, layer.weight.T, layer.bias).data,
                               layer(x).data, rtol=1e-12)


def test_dropout_masks_scales_and_is_reproducible():
    x = mg.tensor(np.ones((200, 50)), requires_grad=True)
    y = ops.dropout(x, 0.3, rng=5)
    kept = y.data != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    np.testing.assert_array_equal(ops.dropout(x, 0.3, rng=5).data, y.data)
    y.backward(np.full(y.shape, 2.0))
    np.testing.assert_allclose(x.grad.data, 2 * y.data)
    gen = np.random.default_rng(1)
    assert not np.array_equal(ops.dropout(x, 0.5, rng=gen).data, ops.dropout(x, 0.5, rng=gen).data)
    assert ops.dropout(x, 0.5, training=False) is x and ops.dropout(x, 0.0) is x
    np.testing.assert_array_equal(ops.dropout(x, 1.0).data, 0)
    x32 = mg.tensor(np.ones(4, np.float32))
    assert ops.dropout(x32, 0.5, rng=0).dtype == np.float32


@pytest.mark.parametrize("seed", SEEDS)
def test_layer_norm(seed):
    rng = np.random.default_rng(seed)
    x = rand(rng, 2, 3, 4)
    run_both(lambda x, w, b: ops.layer_norm(x, (4,), w, b),
             lambda x, w, b: F.layer_norm(x, (4,), w, b), [x, rand(rng, 4), rand(rng, 4)])
    run_both(lambda x, w: ops.layer_norm(x, (3, 4), w, eps=1e-3),
             lambda x, w: F.layer_norm(x, (3, 4), w, eps=1e-3), [x, rand(rng, 3, 4)])
    run_both(lambda x: ops.layer_norm(x, 4), lambda x: F.layer_norm(x, (4,)), [x])


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (3, 2, 2, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(shape, training):
    rng = np.random.default_rng(len(shape))
    c = shape[1]
    rm, rv = rand(rng, c), rand(rng, c, low=0.5, high=2.0)
    rm_t, rv_t = torch.tensor(rm), torch.tensor(rv)
    stats = [rm.copy(), rv.copy()]
    run_both(lambda x, w, b: ops.batch_norm(x, stats[0], stats[1], w, b, training=training,
                                            momentum=0.3),
             lambda x, w, b: F.batch_norm(x, rm_t, rv_t, w, b, training=training, momentum=0.3),
             [rand(rng, *shape), rand(rng, c), rand(rng, c)])
    # the running statistics, updated in place in training (unbiased variance)
    np.testing.assert_allclose(stats[0], rm_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(stats[1], rv_t.numpy(), rtol=1e-12)
    assert training != np.allclose(stats[0], rm)


def test_batch_norm_updates_tensors_in_place_and_needs_no_stats_in_training():
    x = np.random.default_rng(0).standard_normal((6, 2))
    rm, rv = mg.tensor(np.zeros(2)), mg.tensor(np.ones(2))
    ops.batch_norm(x, rm, rv, training=True, momentum=1.0)
    np.testing.assert_allclose(rm.data, x.mean(0))
    np.testing.assert_allclose(rv.data, x.var(0, ddof=1))
    y = ops.batch_norm(x, None, None, training=True)
    np.testing.assert_allclose(y.data, F.batch_norm(torch.tensor(x), None, None,
                                                    training=True).numpy(), rtol=1e-9)


@pytest.mark.parametrize("padding_idx", [None, 1, -1])
def test_embedding(padding_idx):
    rng = np.random.default_rng(0)
    idx = np.array([[0, 2, 1], [1, 1, 3]])
    run_both(lambda w: ops.embedding(idx, w, padding_idx=padding_idx),
             lambda w: F.embedding(torch.tensor(idx), w, padding_idx=padding_idx),
             [rand(rng, 4, 3)])


def test_one_hot():
    a = np.array([[0, 3], [2, 2]])
    for n in (-1, 5):
        out = ops.one_hot(a, n)
        expected = F.one_hot(torch.tensor(a), n).numpy()
        assert out.dtype == np.int64 and not out.requires_grad
        np.testing.assert_array_equal(out.data, expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["none", "causal", "bool", "float", "scale"])
def test_scaled_dot_product_attention(seed, kind):
    rng = np.random.default_rng(seed)
    q, k, v = rand(rng, 2, 3, 4), rand(rng, 2, 5, 4), rand(rng, 2, 5, 2)
    kw = {}
    if kind == "causal":
        kw["is_causal"] = True
    elif kind == "scale":
        kw["scale"] = 0.3
    mask = None
    if kind == "bool":
        mask = rng.random((3, 5)) < 0.6
        mask[1] = False  # a query with no key: zeros, as PyTorch
    elif kind == "float":
        mask = rand(rng, 3, 5)
    if mask is None:
        run_both(lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, **kw),
                 lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), [q, k, v])
    elif mask.dtype == bool:
        out = run_both(lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, mask),
                       lambda q, k, v: F.scaled_dot_product_attention(q, k, v, torch.tensor(mask)),
                       [q, k, v])
        np.testing.assert_array_equal(out.data[:, 1], 0)
    else:  # a float mask is added, and gets a gradient
        run_both(ops.scaled_dot_product_attention, F.scaled_dot_product_attention,
                 [q, k, v, mask])


def test_attention_float_mask_with_minus_infinity_rows():
    rng = np.random.default_rng(3)
    q, k, v = rand(rng, 3, 4), rand(rng, 5, 4), rand(rng, 5, 2)
    mask = np.where(rng.random((3, 5)) < 0.5, -np.inf, 0.0)
    mask[2] = -np.inf
    out = run_both(lambda q, k, v: ops.scaled_dot_product_attention(q, k, v, mask),
                   lambda q, k, v: F.scaled_dot_product_attention(q, k, v, torch.tensor(mask)),
                   [q, k, v])
    np.testing.assert_array_equal(out.data[2], 0)


def test_attention_dropout_drops_weights_with_the_seeded_mask():
    rng = np.random.default_rng(0)
    q, k, v = rand(rng, 3, 4), rand(rng, 5, 4), rand(rng, 5, 2)
    out = ops.scaled_dot_product_attention(q, k, v, dropout_p=0.4, rng=7)
    p = ops.softmax(ops.matmul(q, k.T) / 2.0)
    np.testing.assert_allclose(out.data, (ops.dropout(p, 0.4, rng=7) @ v).data, rtol=1e-12)


# --------------------------------------------------------------------------- losses

REDUCTIONS = ("mean", "sum", "none")


REGRESSION = [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {"delta": 0.7}),
              ("huber_loss", {}), ("smooth_l1_loss", {"beta": 0.6}),
              ("smooth_l1_loss", {"beta": 0.0})]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", REGRESSION, ids=[f"{n}{kw}" for n, kw in REGRESSION])
def test_regression_losses(name, kw, reduction):
    rng = np.random.default_rng(0)
    x, t = rand(rng, 3, 4), rand(rng, 3, 4)
    mine, theirs = getattr(ops, name), getattr(F, name)
    run_both(lambda x, t: mine(x, t, reduction, **kw),
             lambda x, t: theirs(x, t, reduction=reduction, **kw), [x, t])


def test_mse_is_mse_loss():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = ops.mse(x, np.array([0.0, 0.0]), reduction="sum")
    assert type(out.op) is ops.MSE and out.item() == 5.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    rng = np.random.default_rng(1)
    x, t, w = rand(rng, 3, 4, low=0.05, high=0.95), rng.random((3, 4)), rand(rng, 4, low=0.1)
    run_both(lambda x, t: ops.binary_cross_entropy(x, t, w, reduction),
             lambda x, t: F.binary_cross_entropy(x, t, torch.tensor(w), reduction=reduction),
             [x, t])
    # the ends: logarithms clamped at -100, gradients divided by max(x(1 - x), 1e-12)
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-50])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    run_both(lambda x, t: ops.binary_cross_entropy(x, t, reduction=reduction),
             lambda x, t: F.binary_cross_entropy(x, t, reduction=reduction), [x, t], rtol=1e-7,
             const=(1,))
    # the target's gradient there is that of the clamped forward, finite (PyTorch's
    # leaves the logarithms unclamped: ±inf at 0 and 1)
    tt = mg.tensor(t, requires_grad=True)
    ops.binary_cross_entropy(x, tt, reduction="sum").backward()
    np.testing.assert_allclose(tt.grad.data, [100, -100, 100, -100, 100])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(reduction, options):
    rng = np.random.default_rng(2)
    x, t = rand(rng, 3, 4, low=-4, high=4), rng.random((3, 4))
    w, pw = rand(rng, 3, 1, low=0.1), rand(rng, 4, low=0.1)
    kw = {"plain": {}, "weight": {"weight": w}, "pos_weight": {"pos_weight": pw},
          "both": {"weight": w, "pos_weight": pw}}[options]
    tkw = {k: torch.tensor(v) for k, v in kw.items()}
    run_both(lambda x, t: ops.binary_cross_entropy_with_logits(x, t, reduction=reduction, **kw),
             lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **tkw),
             [x, t])
    # stable at ±1000, forward and backward
    big = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    run_both(lambda x, t: ops.binary_cross_entropy_with_logits(x, t, reduction=reduction,
                                                               **kw),
             lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, **tkw),
             [big[None].repeat(3, 0), np.array([1.0, 1.0, 0.0, 0.0])[None].repeat(3, 0)])


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # PyTorch's, on "mean"
@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    rng = np.random.default_rng(3)
    x = np.log(rng.dirichlet(np.ones(4), size=3))
    t = rng.dirichlet(np.ones(4), size=3)
    if log_target:
        t = np.log(t)
    run_both(lambda x, t: ops.kl_div(x, t, reduction, log_target),
             lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target), [x, t])


@pytest.mark.parametrize("shape", [(5, 4), (4,), (3, 4, 2)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(shape, reduction):
    rng = np.random.default_rng(4)
    x = rand(rng, *shape)
    c = shape[1] if len(shape) > 1 else shape[0]
    y = rng.integers(0, c, shape[:1] + shape[2:] if len(shape) > 1 else ())
    w = rand(rng, c, low=0.1)
    if y.ndim:
        y.flat[0] = -100
        y.flat[-1] = 1
    yt = torch.tensor(y)
    run_both(lambda x: ops.nll_loss(x, y, reduction=reduction),
             lambda x: F.nll_loss(x, yt, reduction=reduction), [x])
    run_both(lambda x: ops.nll_loss(x, y, w, reduction=reduction),
             lambda x: F.nll_loss(x, yt, torch.tensor(w), reduction=reduction), [x])
    y7 = np.where(y == 1, 7, np.where(y == -100, 0, y)) if y.ndim else y
    run_both(lambda x: ops.nll_loss(x, y7, w, ignore_index=7, reduction=reduction),
             lambda x: F.nll_loss(x, torch.tensor(y7), torch.tensor(w), ignore_index=7,
                                  reduction=reduction), [x])


@pytest.mark.parametrize("shape", [(5, 4), (4,), (3, 4, 2)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy(shape, reduction, smoothing, weighted):
    rng = np.random.default_rng(5)
    x = rand(rng, *shape)
    c = shape[1] if len(shape) > 1 else shape[0]
    y = rng.integers(0, c, shape[:1] + shape[2:] if len(shape) > 1 else ())
    if y.ndim:
        y.flat[0] = -100
        y.flat[-1] = 1
    weight = rand(rng, c, low=0.1) if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    tw = None if weight is None else torch.tensor(weight)
    run_both(lambda x: ops.cross_entropy(x, y, weight, **kw),
             lambda x: F.cross_entropy(x, torch.tensor(y), tw, **kw), [x])
    # class probabilities as the target, which gets a gradient too
    samples = shape[:1] + shape[2:] if len(shape) > 1 else ()
    p = np.moveaxis(rng.dirichlet(np.ones(c), size=samples), -1, min(1, len(shape) - 1))
    run_both(lambda x, p: ops.cross_entropy(x, p, weight, **kw),
             lambda x, p: F.cross_entropy(x, p, tw, **kw), [x, p])


def test_cross_entropy_two_argument_calls_are_unchanged():
    x = mg.tensor([[1e3, -1e3], [0.5, 0.2]], requires_grad=True)
    loss = ops.cross_entropy(x, [1, 0])
    assert type(loss.op) is ops.CrossEntropy
    t = torch.tensor(x.data, requires_grad=True)
    expected = F.cross_entropy(t, torch.tensor([1, 0]))
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12)
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda: ops.cross_entropy(np.ones((2, 3)), [-100, -100]),
    lambda: ops.nll_loss(np.ones((2, 3)), np.array([-100, -100])),
    lambda: ops.nll_loss(np.ones((2, 3)), np.array([1, 1]), weight=np.array([1.0, 0.0, 1.0])),
])
def test_a_mean_over_no_targets_is_refused(call):
    # PyTorch gives NaN; minigrad refuses, naming the op
    with pytest.raises(ValueError, match="mean over zero elements"):
        call()


def test_losses_keep_float32():
    x = np.random.default_rng(0).uniform(0.1, 0.9, (3, 4)).astype(np.float32)
    for out in (ops.mse_loss(x, x * 0.5), ops.binary_cross_entropy(x, x * 0.5, np.ones(4)),
                ops.binary_cross_entropy_with_logits(x, x, pos_weight=np.ones(4)),
                ops.kl_div(x, x), ops.cross_entropy(x, np.array([0, 1, 2]), np.ones(4),
                                                    label_smoothing=0.1),
                ops.nll_loss(x, np.array([0, 1, 2]), np.ones(4))):
        assert out.dtype == np.float32
