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


# --------------------------------------------------------------------------- new rules by hand


def test_sgd_dampening_and_nesterov_by_hand():
    # dampening 0.5: step 1 b = g = 0.5 (first value); step 2 b = 0.9·0.5 + 0.5·(−1) = −0.05
    _, got = _trajectory(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5))
    assert got[0, 0] == pytest.approx(0.95, rel=1e-15)
    assert got[1, 0] == pytest.approx(0.95 + 0.005, rel=1e-14)
    # nesterov: step 1 b = g, update g + 0.9·b = 1.9·g: p = 1 − 0.1·0.95 = 0.905
    # step 2: b = 0.9·0.5 − 1 = −0.55; update −1 + 0.9·(−0.55) = −1.495: p = 0.905 + 0.1495
    _, got = _trajectory(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True))
    assert got[0, 0] == pytest.approx(0.905, rel=1e-15)
    assert got[1, 0] == pytest.approx(1.0545, rel=1e-14)


def test_adamw_decays_the_weights_apart_from_the_gradient():
    # step 1: p = 1·(1 − 0.1·0.5) = 0.95, then Adam's first step moves it by lr: 0.85
    _, got = _trajectory(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5))
    assert got[0, 0] == pytest.approx(0.95 - 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-15)
    # a zero gradient (third value, step 2) still shrinks the weight
    p = nn.Parameter(np.array([2.0]))
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = mg.tensor([0.0])
    opt.step()
    assert p.data[0] == 2.0 * (1 - 0.05)


def test_rmsprop_by_hand():
    # step 1: v = 0.01·g², d = 0.1·|g| + eps, p = p − 0.01·g/d = p − 0.1·sign(g) (nearly)
    _, got = _trajectory(lambda ps: optim.RMSprop(ps, lr=0.01, eps=0.0))
    np.testing.assert_allclose(got[0], np.array(P0) - 0.1 * np.sign(GRADS[0]), rtol=1e-14)
    # step 2, first value: v = 0.99·0.0025 + 0.01·1 = 0.012475, p = 0.9 + 0.01/√v
    assert got[1, 0] == pytest.approx(0.9 + 0.01 / np.sqrt(0.012475), rel=1e-14)


def test_adagrad_by_hand():
    # step 1: s = 0.1 + g², p = p − 0.1·g/√s; step 2 with lr_decay 0.5: clr = 0.1/1.5
    _, got = _trajectory(lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.5,
                                                  initial_accumulator_value=0.1, eps=0.0))
    g1, g2 = np.array(GRADS[0]), np.array(GRADS[1])
    p1 = np.array(P0) - 0.1 * g1 / np.sqrt(0.1 + g1**2)
    p2 = p1 - (0.1 / 1.5) * g2 / np.sqrt(0.1 + g1**2 + g2**2)
    np.testing.assert_allclose(got[0], p1, rtol=1e-14)
    np.testing.assert_allclose(got[1], p2, rtol=1e-14)


# --------------------------------------------------------------------------- against PyTorch

TORCH_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, betas=(0.3, 0.9), eps=1e-4, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.2,
                     eps=1e-6)),
]


@pytest.mark.parametrize("name, settings", TORCH_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)])
def test_trajectories_match_torch(name, settings):
    torch = pytest.importorskip("torch", reason="comparison against torch.optim")
    rng = np.random.default_rng(3)
    shapes = [(3, 4), (4,)]
    starts = [rng.normal(size=s) for s in shapes]
    grads = [[rng.normal(size=s) for s in shapes] for _ in range(8)]
    grads[3][1][:] = 0.0  # a zero gradient: decay and momentum still act
    ours = [nn.Parameter(a.copy()) for a in starts]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in starts]
    # two groups, the second with its own learning rate
    opt = getattr(optim, name)([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.02}],
                               **settings)
    ref = getattr(torch.optim, name)([{"params": [theirs[0]]},
                                      {"params": [theirs[1]], "lr": 0.02}], **settings)
    for step_grads in grads:
        for p, t, g in zip(ours, theirs, step_grads, strict=True):
            p.grad = mg.tensor(g)
            t.grad = torch.tensor(g)
        opt.step()
        ref.step()
        for p, t in zip(ours, theirs, strict=True):
            # PyTorch's CPU kernels fuse some multiply-adds: agreement to rounding
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- parameter groups


def test_param_groups_take_their_own_settings_and_the_defaults():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.SGD([{"params": a}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[0]["momentum"] == 0.0 and opt.param_groups[1]["momentum"] == 0.9
    a.grad = mg.tensor([1.0])
    b.grad = mg.tensor([1.0])
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)
    c = nn.Parameter([1.0])
    opt.add_param_group({"params": [c], "weight_decay": 0.1})
    assert opt.param_groups[2]["lr"] == 0.1 and len(opt.params) == 3
    with pytest.raises(AttributeError, match="different learning rates"):
        _ = opt.lr
    opt.lr = 0.3  # sets every group
    assert [g["lr"] for g in opt.param_groups] == [0.3, 0.3, 0.3]
    assert "3 parameters in 3 groups" in repr(opt)


@pytest.mark.parametrize(
    "make, error, fragment",
    [
        (lambda a, b: optim.SGD([{"params": [a]}, {"params": [a]}]), ValueError,
         "already in another parameter group"),
        (lambda a, b: optim.SGD([{"params": [a]}, b]), TypeError, "mixes"),
        (lambda a, b: optim.SGD([{"params": [a]}, {"params": [b], "lr": -1}]), ValueError,
         "SGD: param group 1: lr"),
        (lambda a, b: optim.Adam([{"params": [a]}, {"lr": 0.1}]), ValueError, "no 'params'"),
        (lambda a, b: optim.SGD([{"params": []}]), ValueError, "empty parameter list"),
        (lambda a, b: optim.SGD([a], momentum=0.0, nesterov=True), ValueError,
         "nesterov=True needs momentum > 0"),
        (lambda a, b: optim.SGD([a], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
         "dampening = 0"),
        (lambda a, b: optim.SGD([a], nesterov=1), TypeError, "nesterov must be True or False"),
        (lambda a, b: optim.RMSprop([a], alpha=-0.1), ValueError, "RMSprop: alpha"),
        (lambda a, b: optim.Adagrad([a], lr_decay=-1), ValueError, "Adagrad: lr_decay"),
        (lambda a, b: optim.AdamW([a], betas=(0.9, 1.0)), ValueError, "AdamW: betas[1]"),
        (lambda a, b: optim.SGD({"params": [a]}), TypeError, "not a single dict"),
    ],
)
def test_bad_groups_and_settings_are_refused(make, error, fragment):
    with pytest.raises(error) as info:
        make(nn.Parameter([1.0]), nn.Parameter([2.0]))
    assert fragment in str(info.value)


# --------------------------------------------------------------------------- state_dict


def test_state_dict_naming_scheme():
    a, b = nn.Parameter(np.ones((2, 3))), nn.Parameter(np.ones(3))
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], betas=(0.8, 0.9))
    a.grad = mg.tensor(np.ones((2, 3)))
    opt.step()  # only a has state
    sd = opt.state_dict()
    assert sd["param_groups.0.params"].tolist() == [0]
    assert sd["param_groups.1.params"].tolist() == [1]
    assert sd["param_groups.1.lr"].shape == () and sd["param_groups.1.lr"] == 0.5
    assert sd["param_groups.0.betas"].tolist() == [0.8, 0.9]
    assert sd["param_groups.0.amsgrad"].dtype == np.bool_
    assert sd["state.0.step"].dtype == np.int64 and sd["state.0.step"] == 1
    assert sd["state.0.exp_avg"].shape == (2, 3)
    assert not any(k.startswith("state.1.") for k in sd)
    sd["state.0.exp_avg"][...] = 7.0  # a copy, not the live buffer
    assert not np.any(opt.state[a]["exp_avg"] == 7.0)


def _adam_with_state():
    a = nn.Parameter(np.ones((2, 3)))
    opt = optim.Adam([a], lr=0.1)
    a.grad = mg.tensor(np.ones((2, 3)))
    opt.step()
    return opt


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda sd: sd.update({"extra": np.zeros(1)}), "unexpected entry 'extra'"),
        (lambda sd: sd.update({"state.0.velocity": np.zeros((2, 3))}), "no state named"),
        (lambda sd: sd.update({"state.0.exp_avg": np.zeros((3, 2))}), "has shape (3, 2)"),
        (lambda sd: sd.update({"state.0.step": np.array(1.5)}), "0-d integer"),
        (lambda sd: sd.update({"state.5.exp_avg": np.zeros((2, 3))}), "parameter 5"),
        (lambda sd: sd.update({"param_groups.0.lr": np.array(-1.0)}), "lr must be"),
        (lambda sd: sd.update({"param_groups.1.lr": np.array(1.0)}), "parameter groups [0, 1]"),
        (lambda sd: sd.pop("param_groups.0.eps"), "'param_groups.0.eps' is missing"),
        (lambda sd: sd.update({"param_groups.0.params": np.array([0, 1])}), "the saved one 2"),
    ],
)
def test_load_state_dict_refuses_what_does_not_fit(edit, fragment):
    opt = _adam_with_state()
    sd = opt.state_dict()
    edit(sd)
    before = opt.state_dict()
    with pytest.raises((ValueError, TypeError)) as info:
        opt.load_state_dict(sd)
    assert fragment in str(info.value)
    after = opt.state_dict()  # nothing changed
    assert before.keys() == after.keys()
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])
