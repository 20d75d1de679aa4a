"""nn.init (bounds, spread, fans, gains, seeds, in place) and nn.utils (gradient clipping
and flat parameter vectors), the latter against PyTorch."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import init
from minigrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)


def _param(*shape):
    return nn.Parameter(np.zeros(shape))


# --------------------------------------------------------------------------- init

SHAPE = (200, 100, 3)  # fan_in 300, fan_out 600


@pytest.mark.parametrize("fn, kwargs, std, bound", [
    (init.uniform_, dict(a=-2.0, b=1.0), 3 / math.sqrt(12), (-2.0, 1.0)),
    (init.normal_, dict(mean=0.0, std=0.3), 0.3, None),
    (init.xavier_uniform_, dict(gain=2.0), 2 * math.sqrt(2 / 900), 2 * math.sqrt(6 / 900)),
    (init.xavier_normal_, {}, math.sqrt(2 / 900), None),
    (init.kaiming_uniform_, dict(a=math.sqrt(5)), 1 / math.sqrt(3 * 300), 1 / math.sqrt(300)),
    (init.kaiming_uniform_, dict(mode="fan_out", nonlinearity="relu"), math.sqrt(2 / 600),
     math.sqrt(6 / 600)),
    (init.kaiming_normal_, {}, math.sqrt(2) / math.sqrt(300), None),  # a=0: relu gain
    (init.kaiming_normal_, dict(a=0.2, mode="fan_out"), math.sqrt(2 / 1.04) / math.sqrt(600),
     None),
    (init.kaiming_normal_, dict(nonlinearity="tanh"), 5 / 3 / math.sqrt(300), None),
])
def test_random_initializers_have_the_documented_spread(fn, kwargs, std, bound):
    p = _param(*SHAPE)
    before = p.data
    out = fn(p, rng=0, **kwargs)
    assert out is p and p.data is before  # in place, returned
    assert abs(p.data.std() - std) < 0.02 * std
    if bound is not None:
        lo, hi = bound if isinstance(bound, tuple) else (-bound, bound)
        assert p.data.min() >= lo and p.data.max() < hi
        assert p.data.min() < lo + 0.01 * (hi - lo) and p.data.max() > hi - 0.01 * (hi - lo)
    else:
        assert abs(p.data.mean() - kwargs.get("mean", 0.0)) < 0.02 * std
    again = fn(_param(*SHAPE), rng=0, **kwargs)
    np.testing.assert_array_equal(again.data, p.data)  # same seed, same values
    assert not np.array_equal(fn(_param(*SHAPE), rng=1, **kwargs).data, p.data)


def test_initializers_share_a_generator_keep_dtype_and_need_no_grad():
    gen = np.random.default_rng(3)
    a, b = init.normal_(_param(4, 4), rng=gen), init.normal_(_param(4, 4), rng=gen)
    assert not np.array_equal(a.data, b.data)  # drawn one after the other
    p32 = nn.Parameter(np.zeros((3, 3), dtype=np.float32))
    init.xavier_uniform_(p32, rng=0)
    assert p32.dtype == np.float32 and (p32.data != 0).all()
    # a parameter that requires grad is filled without a recorded op, even with grad on
    p = _param(2, 2)
    assert mg.is_grad_enabled()
    init.constant_(p, 0.5)
    assert p.is_leaf and p.grad is None
    np.testing.assert_array_equal(p.data, 0.5)
    np.testing.assert_array_equal(init.zeros_(p).data, 0.0)
    np.testing.assert_array_equal(init.ones_(p).data, 1.0)


def test_initializers_refuse_bad_input():
    with pytest.raises(ValueError, match=r"init.xavier_uniform_: .* at least 2 dimensions, "
                                         r"got shape \(5,\)"):
        init.xavier_uniform_(_param(5))
    with pytest.raises(ValueError, match="init.kaiming_normal_: mode must be"):
        init.kaiming_normal_(_param(3, 3), mode="fan")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.kaiming_uniform_(_param(3, 3), nonlinearity="swish")
    with pytest.raises(TypeError, match="init.normal_: rng must be"):
        init.normal_(_param(3), rng="x")
    with pytest.raises(TypeError, match="init.zeros_: expected a Tensor"):
        init.zeros_(np.zeros(3))
    with pytest.raises(ValueError, match="init.uniform_: a must not exceed b"):
        init.uniform_(_param(3), 1.0, 0.0)


def test_calculate_gain_matches_pytorch():
    torch = pytest.importorskip("torch", reason="compared with PyTorch")
    for name, param in (("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                        ("selu", None)):
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-15)


# --------------------------------------------------------------------------- utils


def _with_grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    params = [nn.Parameter(rng.standard_normal(s)) for s in ((3, 4), (4,), (2, 2, 2))]
    for p in params:
        p.grad = mg.tensor(scale * rng.standard_normal(p.shape))
    return params


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                 (0.3, float("inf")), (2.0, 3.0)])
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type):
    torch = pytest.importorskip("torch", reason="compared with PyTorch")
    ours = _with_grads(scale=2.0)
    theirs = [torch.tensor(p.data, requires_grad=True) for p in ours]
    for t, p in zip(theirs, ours):
        t.grad = torch.tensor(p.grad.data)
    total = clip_grad_norm_(ours, max_norm, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, mg.Tensor)
    assert total.item() == pytest.approx(total_t.item(), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-12)
    flat = np.concatenate([p.grad.data.ravel() for p in ours])
    after = np.abs(flat).max() if math.isinf(norm_type) else \
        (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    assert after <= max_norm * (1 + 1e-12)


def test_clip_grad_norm_skips_missing_grads_and_can_refuse_nonfinite():
    params = _with_grads()
    params.append(nn.Parameter(np.ones(3)))  # no gradient: skipped
    total = clip_grad_norm_(params, 1e9)
    expected = math.sqrt(sum((p.grad.data ** 2).sum() for p in params[:3]))
    assert total.item() == pytest.approx(expected)
    params[0].grad.data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="clip_grad_norm_: the total 2.0-norm"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm must be a non-negative number"):
        clip_grad_norm_(params, -1.0)
    assert clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_value_matches_pytorch():
    torch = pytest.importorskip("torch", reason="compared with PyTorch")
    ours = _with_grads(scale=3.0)
    theirs = [torch.tensor(p.data, requires_grad=True) for p in ours]
    for t, p in zip(theirs, ours):
        t.grad = torch.tensor(p.grad.data)
    clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
    assert max(np.abs(p.grad.data).max() for p in ours) == 0.7
    with pytest.raises(ValueError, match="clip_grad_value_: clip_value"):
        clip_grad_value_(ours, -1)


def test_parameter_vectors_round_trip_and_match_pytorch():
    torch = pytest.importorskip("torch", reason="compared with PyTorch")
    model = nn.Sequential(nn.Conv2d(2, 3, 3, rng=0), nn.BatchNorm2d(3), nn.Flatten(),
                          nn.Linear(12, 2, rng=1))
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (model.num_parameters(),) and not vec.requires_grad
    theirs = torch.nn.utils.parameters_to_vector(
        [torch.tensor(p.data) for p in model.parameters()])
    np.testing.assert_array_equal(vec.data, theirs.numpy())
    vector_to_parameters(np.arange(vec.shape[0], dtype=float), model.parameters())
    assert model[0].weight.data[0, 0, 0, 0] == 0.0 and model[3].bias.data[-1] == vec.shape[0] - 1
    vector_to_parameters(vec, model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).data, vec.data)
    with pytest.raises(ValueError, match=r"vector_to_parameters: vec has 3 values, the "
                                         r"parameters \d+"):
        vector_to_parameters(np.zeros(3), model.parameters())
