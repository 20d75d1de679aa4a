"""Tests for minigrad.optim: the update rules of SGD and Adam, in place, dtype-preserving.

Expected values were worked out step by step from the rules in the docstrings (the
first steps are spelled out in comments); they agree with torch.optim.SGD and
torch.optim.Adam in float64 to 5e-16.
"""

import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

P0 = [1.0, -2.0, 0.5]
GRADS = [[0.5, 1.0, -0.25], [-1.0, 0.25, 0.0], [0.0, 2.0, 0.75], [0.3, -0.6, 0.1]]


def _trajectory(make_opt, dtype=np.float64):
    """Parameter values after each step, feeding the gradients GRADS."""
    p = nn.Parameter(np.array(P0, dtype=dtype))
    opt = make_opt([p])
    out = []
    for g in GRADS:
        p.grad = mg.tensor(np.array(g, dtype=dtype))
        opt.step()
        out.append(p.data.copy())
    return p, np.array(out)


# --------------------------------------------------------------------------- SGD


def test_sgd_plain():
    # p −= 0.1·g: step 1 [1 − 0.05, −2 − 0.1, 0.5 + 0.025]
    _, got = _trajectory(lambda ps: optim.SGD(ps, lr=0.1))
    expected = [
        [0.95, -2.1, 0.525],
        [1.05, -2.125, 0.525],
        [1.05, -2.325, 0.45],
        [1.02, -2.265, 0.44],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_sgd_momentum():
    # step 1: b = g = [0.5, 1, −0.25]; p = [0.95, −2.1, 0.525]
    # step 2: b = 0.9·b + g = [−0.55, 1.15, −0.225]; p = [1.005, −2.215, 0.5475]
    _, got = _trajectory(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9))
    expected = [
        [0.95, -2.1, 0.525],
        [1.005, -2.215, 0.5475],
        [1.0545, -2.5185, 0.49275],
        [1.06905, -2.73165, 0.433475],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_sgd_momentum_and_weight_decay():
    # step 1: g = g + 0.01·p = [0.51, 0.98, −0.245]; b = g; p = [0.949, −2.098, 0.5245]
    # step 2: g = [−1 + 0.00949, 0.25 − 0.02098, 0.005245]; b = 0.9·b + g
    #         = [−0.53151, 1.11102, −0.215255]; p = [1.002151, −2.209102, 0.5460255]
    _, got = _trajectory(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01))
    expected = [
        [0.949, -2.098, 0.5245],
        [1.002151, -2.209102, 0.5460255],
        [1.048984749, -2.506884698, 0.4898524245],
        [1.060086138351, -2.712382241502, 0.4288068041255],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# --------------------------------------------------------------------------- Adam


def test_adam_first_step_moves_each_value_by_lr():
    # bias correction makes m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + eps)
    _, got = _trajectory(lambda ps: optim.Adam(ps, lr=0.1))
    step = 0.1 * np.array(GRADS[0]) / (np.abs(GRADS[0]) + 1e-8)
    np.testing.assert_allclose(got[0], np.array(P0) - step, rtol=1e-15)


def test_adam_default_betas():
    # step 2, first value: m = 0.9·0.05 + 0.1·(−1) = −0.055, v = 0.999·0.00025 + 0.001·1
    # = 0.00124975; m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999;
    # p = 0.900000002 − 0.1·m̂/(√v̂ + 1e-8) = 0.9366103542...
    _, got = _trajectory(lambda ps: optim.Adam(ps, lr=0.1))
    expected = [
        [0.900000002, -2.099999999, 0.599999996],
        [0.9366103542405654, -2.183059751227727, 0.667005817622284],
        [0.9649102625501887, -2.2692461569591833, 0.6227610752689963],
        [0.9722221327005116, -2.3224745082587797, 0.5795083654574287],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_adam_other_betas_eps_and_weight_decay():
    make = lambda ps: optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1)  # noqa: E731
    _, got = _trajectory(make)
    # step 1, first value: g = 0.5 + 0.1·1 = 0.6, m̂ = 0.6, v̂ = 0.36,
    # p = 1 − 0.05·0.6/(0.6 + 0.001)
    assert got[0, 0] == pytest.approx(1 - 0.05 * 0.6 / 0.601, rel=1e-15)
    expected = [
        [0.9500831946755408, -2.049937578027466, 0.5497512437810945],
        [0.9654238907300386, -2.0835461552934573, 0.5695501197128433],
        [0.9733496715315291, -2.1256780469181487, 0.5389527688476912],
        [0.9674297558932881, -2.1425222911694166, 0.5098059779351438],
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# --------------------------------------------------------------------------- common behaviour


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    ],
    ids=["SGD", "Adam"],
)
def test_parameters_without_a_gradient_are_skipped(make):
    a = nn.Parameter(np.array(P0))
    b = nn.Parameter(np.array(P0))
    opt = make([a, b])
    a.grad = mg.tensor(GRADS[0])
    opt.step()  # b has no gradient: untouched, and its state does not advance
    np.testing.assert_array_equal(b.data, P0)
    b.grad = mg.tensor(GRADS[0])
    a.grad = None
    a_before = a.data.copy()
    opt.step()
    np.testing.assert_array_equal(a.data, a_before)
    _, fresh = _trajectory(make)
    np.testing.assert_array_equal(b.data, fresh[0])  # b's first step is a first step


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_zero_grad_sets_gradients_to_none(cls):
    model = nn.Linear(3, 2, rng=0)
    opt = cls(model.parameters(), lr=0.1)
    model(np.ones((4, 3))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    ],
    ids=["SGD", "SGD-momentum", "Adam"],
)
def test_float32_parameters_stay_float32(make):
    p, got = _trajectory(make, dtype=np.float32)
    assert p.dtype == np.float32 and got.dtype == np.float32
    _, ref = _trajectory(make)
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    opt = make([p])
    opt.lr = np.float64(0.01)  # a float64 hyperparameter does not promote either
    p.grad = mg.tensor(np.ones(3, dtype=np.float32))
    opt.step()
    assert p.dtype == np.float32


def _train_steps(opt, model, x, y, n):
    for _ in range(n):
        opt.zero_grad()
        mg.mse(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_updates_are_in_place_once_the_graph_is_gone(cls):
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    x, y = np.ones((5, 3)), np.zeros((5, 1))
    opt = cls(model.parameters(), lr=0.1, weight_decay=0.01)
    _train_steps(opt, model, x, y, 1)
    # weak references: a strong one would count as another holder of the array
    arrays = [weakref.ref(p.data) for p in model.parameters()]
    before = [p.data.copy() for p in model.parameters()]
    _train_steps(opt, model, x, y, 3)
    for p, a, b in zip(model.parameters(), arrays, before, strict=True):
        assert p.data is a()  # the same array, updated in place
        assert not np.array_equal(p.data, b)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_arrays_held_by_a_live_graph_are_not_overwritten(cls):
    w = nn.Parameter(np.array([[1.0], [2.0]]))
    x = np.array([[1.0, 1.0], [2.0, 0.5]])
    n = mg.matmul(mg.tensor(x, requires_grad=True), w)  # dL/dx needs w's values
    out = n * n
    assert not w.data.flags.writeable
    held = weakref.ref(w.data)  # not a strong reference: only the graph holds the array
    old = w.data.copy()
    opt = cls([w], lr=0.1)
    w.grad = mg.tensor([[1.0], [1.0]])
    opt.step()
    assert w.data is not held() and w.data.dtype == old.dtype
    np.testing.assert_array_equal(held(), old)  # the graph's array is intact
    assert w.data[0, 0] < 1.0 and w.data[1, 0] < 2.0
    # and the live graph still differentiates correctly at the old values
    w.grad = None
    out.sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * x.T @ (x @ old), rtol=1e-15)


def test_a_read_only_array_that_nothing_else_holds_is_reused():
    w = nn.Parameter(np.array([1.0, 2.0]))
    w.data.flags.writeable = False
    arr = w.data
    opt = optim.SGD([w], lr=0.5)
    w.grad = mg.tensor([1.0, 1.0])
    del arr  # now only w holds it
    held = id(w.data)
    opt.step()
    assert id(w.data) == held and w.data.flags.writeable
    np.testing.assert_array_equal(w.data, [0.5, 1.5])


def test_a_read_only_view_is_replaced_by_a_fresh_array():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    w = nn.Parameter(base[:2])
    w.data.flags.writeable = False
    opt = optim.SGD([w], lr=0.5)
    w.grad = mg.tensor([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(w.data, [0.5, 1.5])
    assert w.data.base is None
    np.testing.assert_array_equal(base, [1.0, 2.0, 3.0, 4.0])


def test_accepts_a_generator_of_parameters_and_reduces_the_loss():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 8, rng=rng), nn.Sigmoid(), nn.Linear(8, 1, rng=rng))
    x = rng.normal(size=(32, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    for opt in (
        optim.SGD(model.parameters(), lr=0.05, momentum=0.9),
        optim.Adam(model.parameters(), lr=0.01),
    ):
        assert len(opt.params) == 4
        first = mg.mse(model(x), y).item()
        _train_steps(opt, model, x, y, 50)
        assert mg.mse(model(x), y).item() < 0.5 * first


def test_repr_shows_the_settings():
    p = [nn.Parameter([1.0])]
    assert repr(optim.SGD(p, lr=0.1, momentum=0.9)) == (
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False; "
        "1 parameters)"
    )
    assert repr(optim.Adam(p)).startswith("Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08")


# --------------------------------------------------------------------------- validation


def _p():
    return [nn.Parameter([1.0, 2.0])]


@pytest.mark.parametrize(
    "make, fragments",
    [
        (lambda: optim.SGD([], lr=0.1), ["SGD", "empty parameter list"]),
        (lambda: optim.Adam(iter([])), ["Adam", "empty parameter list"]),
        (lambda: optim.SGD(_p(), lr=-0.1), ["SGD", "lr", "-0.1"]),
        (lambda: optim.Adam(_p(), lr=-1e-3), ["Adam", "lr", "-0.001"]),
        (lambda: optim.SGD(_p(), lr=0.1, momentum=-0.9), ["SGD", "momentum", "-0.9"]),
        (lambda: optim.SGD(_p(), lr=0.1, weight_decay=-1), ["SGD", "weight_decay"]),
        (lambda: optim.Adam(_p(), betas=(1.0, 0.999)), ["Adam", "betas[0]", "[0.0, 1.0)"]),
        (lambda: optim.Adam(_p(), betas=(0.9, -0.1)), ["Adam", "betas[1]", "-0.1"]),
        (lambda: optim.Adam(_p(), betas=(0.9,)), ["Adam", "betas must be a pair"]),
        (lambda: optim.Adam(_p(), eps=-1e-8), ["Adam", "eps"]),
        (lambda: optim.Adam(_p(), weight_decay=-0.1), ["Adam", "weight_decay"]),
        (lambda: optim.SGD(_p() * 2, lr=0.1), ["SGD", "more than once"]),
        (lambda: optim.SGD([mg.tensor([1.0], requires_grad=True) * 2], lr=0.1), ["SGD", "leaf"]),
    ],
)
def test_invalid_settings_are_refused(make, fragments):
    with pytest.raises(ValueError) as info:
        make()
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    "params, fragment",
    [
        (nn.Parameter([1.0]), "not a single Parameter"),
        (nn.Sequential(nn.Linear(1, 1)), "pass model.parameters()"),
        ([np.ones(2)], "not a Tensor"),
        ([mg.tensor(np.array([1, 2]))], "only floating-point"),
    ],
)
def test_wrong_parameter_types_are_refused(params, fragment):
    with pytest.raises(TypeError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        optim.SGD(params, lr=0.1)


def test_lr_must_be_a_number():
    with pytest.raises(TypeError, match="SGD: lr must be a number"):
        optim.SGD(_p(), lr="fast")
