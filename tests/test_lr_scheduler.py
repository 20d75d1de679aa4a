"""Tests for minigrad.optim.lr_scheduler: PyTorch's values step by step (compared with
torch.optim.lr_scheduler where it is installed), chaining, closed forms, state_dict."""

import math

import numpy as np
import pytest

from minigrad import nn, optim
from minigrad.optim import lr_scheduler as S


def _sgd(lrs=(0.1, 0.01), momentum=0.9):
    return optim.SGD([{"params": [nn.Parameter([1.0])], "lr": lr} for lr in lrs],
                     momentum=momentum)


CASES = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=5, eta_min=0.001),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=4),
    "LinearLR-default": lambda m, o: m.LinearLR(o),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 1.0 / (1 + e)),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, [lambda e: 0.9**e, lambda e: e + 1.0]),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=13),
    "OneCycleLR-linear-3": lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, epochs=2, steps_per_epoch=7, anneal_strategy="linear",
        three_phase=True, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
}


def _run(module, optim_module, param, make, steps=12, with_opt=None):
    """(lrs after construction and after each step, momenta) for a 2-group SGD."""
    opt = with_opt(optim_module, param)
    sched = make(module, opt)
    lrs, moms = [sched.get_last_lr()], [[g["momentum"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        moms.append([g["momentum"] for g in opt.param_groups])
    return np.array(lrs), np.array(moms), sched.last_epoch


@pytest.mark.parametrize("name", list(CASES))
def test_schedules_match_torch(name):
    torch = pytest.importorskip("torch", reason="comparison against torch.optim.lr_scheduler")

    def make_opt(optim_module, param):
        return optim_module.SGD([{"params": [param()], "lr": 0.1},
                                 {"params": [param()], "lr": 0.01}], momentum=0.9)

    steps = 13 if name.startswith("OneCycle") else 12
    ours = _run(S, optim, lambda: nn.Parameter([1.0]), CASES[name], steps, make_opt)
    theirs = _run(torch.optim.lr_scheduler, torch.optim,
                  lambda: torch.nn.Parameter(torch.ones(1)), CASES[name], steps, make_opt)
    # the same formulas in the same order in double precision: equal values
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert ours[2] == theirs[2]


def test_chained_schedulers_match_torch():
    torch = pytest.importorskip("torch", reason="comparison against torch.optim.lr_scheduler")
    out = []
    for mod, om, param in ((S, optim, lambda: nn.Parameter([1.0])),
                           (torch.optim.lr_scheduler, torch.optim,
                            lambda: torch.nn.Parameter(torch.ones(1)))):
        opt = om.SGD([param()], lr=0.5)
        a = mod.LinearLR(opt, start_factor=0.1, total_iters=3)
        b = mod.ExponentialLR(opt, gamma=0.8)
        c = mod.MultiStepLR(opt, milestones=[4], gamma=0.5)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(8):
            opt.step()
            for s in (a, b, c):
                s.step()
            lrs.append(opt.param_groups[0]["lr"])
        out.append(lrs)
    assert out[0] == out[1]


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch", reason="comparison against torch.optim.lr_scheduler")
    losses = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]
    for kwargs in (dict(patience=1, factor=0.5), dict(patience=0, cooldown=2, min_lr=[0.02, 0]),
                   dict(mode="max", threshold_mode="abs", threshold=0.05, patience=1)):
        out = []
        for mod, om, param in ((S, optim, lambda: nn.Parameter([1.0])),
                               (torch.optim.lr_scheduler, torch.optim,
                                lambda: torch.nn.Parameter(torch.ones(1)))):
            opt = om.SGD([{"params": [param()], "lr": 0.1}, {"params": [param()], "lr": 0.05}])
            sched = mod.ReduceLROnPlateau(opt, **kwargs)
            lrs = []
            for loss in losses:
                sched.step(loss)
                lrs.append((*sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter))
            out.append(lrs)
        assert out[0] == out[1], kwargs


def test_adam_betas_cycle_with_one_cycle():
    torch = pytest.importorskip("torch", reason="comparison against torch.optim.lr_scheduler")
    out = []
    for mod, om, param in ((S, optim, lambda: nn.Parameter([1.0])),
                           (torch.optim.lr_scheduler, torch.optim,
                            lambda: torch.nn.Parameter(torch.ones(1)))):
        opt = om.Adam([param()], lr=0.1)
        sched = mod.OneCycleLR(opt, max_lr=0.1, total_steps=6)
        seq = []
        for _ in range(5):
            opt.step()
            sched.step()
            seq.append((opt.param_groups[0]["lr"], *opt.param_groups[0]["betas"]))
        out.append(seq)
    assert out[0] == out[1]


# --------------------------------------------------------------------------- by hand


def test_step_lr_by_hand():
    opt = _sgd()
    s = S.StepLR(opt, step_size=2, gamma=0.1)
    assert s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.01]
    got = []
    for _ in range(4):
        s.step()
        got.append(s.get_last_lr()[0])
    assert got == pytest.approx([0.1, 0.01, 0.01, 0.001], rel=1e-15)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and s.base_lrs == [0.1, 0.01]


def test_cosine_reaches_eta_min_at_t_max_and_closed_form_jumps():
    opt = _sgd()
    s = S.CosineAnnealingLR(opt, T_max=4, eta_min=0.0)
    for _ in range(4):
        s.step()
    assert s.get_last_lr()[0] == pytest.approx(0.0, abs=1e-17)
    s.step(2)  # epoch given: the closed form, base · (1 + cos(π/2)) / 2
    assert s.get_last_lr() == pytest.approx([0.05, 0.005], rel=1e-15)


def test_linear_warm_up_by_hand():
    opt = _sgd(lrs=(1.0,))
    s = S.LinearLR(opt, start_factor=0.5, total_iters=2)
    got = [s.get_last_lr()[0]]
    for _ in range(3):
        s.step()
        got.append(s.get_last_lr()[0])
    assert got == pytest.approx([0.5, 0.75, 1.0, 1.0], rel=1e-15)


def test_one_cycle_refuses_stepping_past_the_end():
    s = S.OneCycleLR(_sgd(), max_lr=1.0, total_steps=10)
    assert s.get_last_lr()[0] == pytest.approx(1.0 / 25, rel=1e-15)
    for _ in range(9):
        s.step()
    assert s.get_last_lr()[0] == pytest.approx(1.0 / 25 / 1e4, rel=1e-12)  # step 9 of 0..9
    s.step()  # PyTorch allows last_epoch == total_steps
    with pytest.raises(ValueError, match="total_steps is 10"):
        s.step()


# --------------------------------------------------------------------------- state_dict


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith("LambdaLR")])
def test_state_dict_round_trip_continues_the_schedule(name):
    opt = _sgd()
    s = CASES[name](S, opt)
    for _ in range(4):
        s.step()
    saved_opt, saved = opt.state_dict(), s.state_dict()
    assert all(isinstance(v, np.ndarray) for v in saved.values())
    expected = []
    for _ in range(5):
        s.step()
        expected.append(s.get_last_lr())
    opt2 = _sgd()
    s2 = CASES[name](S, opt2)  # build both, then load both (the order PyTorch needs too)
    opt2.load_state_dict(saved_opt)
    s2.load_state_dict(saved)
    assert s2.last_epoch == 4
    got = []
    for _ in range(5):
        s2.step()
        got.append(s2.get_last_lr())
    assert got == expected


def test_lambda_lr_saves_no_functions_and_plateau_saves_its_mode():
    s = S.LambdaLR(_sgd(), lambda e: 0.5**e)
    assert set(s.state_dict()) == {"last_epoch", "_step_count", "base_lrs", "_last_lr"}
    p = S.ReduceLROnPlateau(_sgd(), mode="max", patience=0)
    p.step(1.0)
    p.step(0.5)
    sd = p.state_dict()
    assert sd["mode"].tobytes() == b"max" and sd["best"] == 1.0
    q = S.ReduceLROnPlateau(_sgd())
    q.load_state_dict(sd)
    assert q.mode == "max" and q.mode_worse == -math.inf and q.get_last_lr() == p.get_last_lr()
    sd["mode"] = np.frombuffer(b"most", dtype=np.uint8)
    with pytest.raises(ValueError, match="'mode' is 'most'"):
        q.load_state_dict(sd)


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda sd: sd.update({"bogus": np.array(1)}), "unexpected entry 'bogus'"),
        (lambda sd: sd.pop("gamma"), "'gamma' is missing"),
        (lambda sd: sd.update({"last_epoch": np.array(1.5)}), "0-d integer"),
        (lambda sd: sd.update({"base_lrs": np.array([0.1])}), "2 parameter groups"),
    ],
)
def test_scheduler_load_state_dict_refuses_what_does_not_fit(edit, fragment):
    s = S.StepLR(_sgd(), step_size=2)
    sd = s.state_dict()
    edit(sd)
    with pytest.raises(ValueError, match=fragment):
        s.load_state_dict(sd)
    assert s.last_epoch == 0


@pytest.mark.parametrize(
    "make, error, fragment",
    [
        (lambda o: S.StepLR(o, step_size=0), ValueError, "StepLR: step_size"),
        (lambda o: S.StepLR(o, step_size=2.5), TypeError, "step_size must be an int"),
        (lambda o: S.LinearLR(o, start_factor=0), ValueError, "LinearLR: start_factor"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps"),
        (lambda o: S.OneCycleLR(o, max_lr=[1.0], total_steps=5), ValueError, "2 values"),
        (lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=5, anneal_strategy="exp"),
         ValueError, "anneal_strategy"),
        (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor must be < 1.0"),
        (lambda o: S.ReduceLROnPlateau(o, mode="up"), ValueError, "mode must be"),
        (lambda o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "expected 2 lr_lambdas"),
        (lambda o: S.StepLR(o, 2, last_epoch=3), KeyError, "initial_lr"),
        (lambda o: S.StepLR(object(), 2), TypeError, "optimizer must be"),
    ],
)
def test_bad_arguments_are_refused(make, error, fragment):
    with pytest.raises(error, match=fragment):
        make(_sgd())


def test_one_cycle_needs_momentum_to_cycle_it():
    opt = optim.Adagrad([nn.Parameter([1.0])])
    with pytest.raises(ValueError, match="cycle_momentum=True needs"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=4)
    S.OneCycleLR(opt, max_lr=1.0, total_steps=4, cycle_momentum=False)


# --------------------------------------------------------------------------- Trainer

X = np.linspace(-1, 1, 12).reshape(6, 2)
Y = X.sum(axis=1, keepdims=True)


def _fit(opt_lr, make_sched, interval="epoch", epochs=5, val=True, loss=None, **kw):
    from minigrad.data import DataLoader
    from minigrad.train import Trainer

    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=opt_lr)
    sched = make_sched(opt)
    seen = []

    def loss_fn(pred, y):
        seen.append(opt.param_groups[0]["lr"])  # the rate this batch's step will use
        return loss(pred, y) if loss else ((pred - y) ** 2).mean()

    trainer = Trainer(model, loss_fn, opt, scheduler=sched, scheduler_interval=interval,
                      progress=False, **kw)
    history = trainer.fit(DataLoader(X, Y, batch_size=3), epochs=epochs,
                          val_data=(X, Y) if val else None)
    return seen, opt, history


def test_trainer_steps_an_epoch_scheduler_once_per_epoch():
    seen, opt, _ = _fit(0.1, lambda o: S.StepLR(o, step_size=2, gamma=0.5))
    # training batches only (evaluation calls loss_fn too, under no_grad: every third call)
    train = [lr for i, lr in enumerate(seen) if i % 3 != 2]
    assert train == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025] * 2, rel=1e-15)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**2)


def test_trainer_steps_a_step_scheduler_after_every_batch():
    seen, _, _ = _fit(0.1, lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=10),
                      interval="step", val=False)
    ref = S.OneCycleLR(optim.SGD([nn.Parameter([1.0])], lr=0.1), max_lr=0.5, total_steps=10)
    expected = [ref.get_last_lr()[0]]
    for _ in range(9):
        ref.step()
        expected.append(ref.get_last_lr()[0])
    assert seen == expected


def test_trainer_steps_reduce_on_plateau_with_the_validation_loss():
    # a loss whose gradient is zero: the weights and the validation loss never change
    _, opt, history = _fit(0.1, lambda o: S.ReduceLROnPlateau(o, patience=1),
                           epochs=6, loss=lambda p, y: (p * 0.0).sum(), eval_every=2)
    # evaluations at epochs 2, 4, 6: best, bad, bad (> patience): one reduction
    assert history.val_epochs == [2, 4, 6]
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01, rel=1e-15)


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        (dict(make_sched=lambda o: S.StepLR(o, 1), interval="batch"), ValueError,
         "scheduler_interval must be 'epoch' or 'step'"),
        (dict(make_sched=lambda o: S.ReduceLROnPlateau(o), interval="step"), ValueError,
         "use scheduler_interval='epoch'"),
        (dict(make_sched=lambda o: S.ReduceLROnPlateau(o), val=False), ValueError,
         "ReduceLROnPlateau scheduler needs val_data"),
        (dict(make_sched=lambda o: 3), TypeError, "scheduler must have step()"),
        (dict(make_sched=lambda o: S.StepLR(_sgd(), 1)), ValueError, "another optimizer"),
    ],
)
def test_trainer_refuses_bad_scheduler_settings(kwargs, error, fragment):
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        _fit(0.1, **kwargs)
