"""Training resumes exactly: 2·N steps in one run equal N steps, a save to a file with
minigrad.save, a load into fresh model, optimizer and scheduler objects, and N more
steps, bit for bit, for every optimizer."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import lr_scheduler

N = 4
OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.05),
    "SGD-momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1,
                                         weight_decay=0.01),
    "SGD-nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.01),
    "Adam-amsgrad": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.05, lr_decay=0.01,
                                        initial_accumulator_value=0.1),
}
DATA = np.random.default_rng(0)
X = DATA.normal(size=(16, 3))
Y = DATA.normal(size=(16, 1))


def _model():
    return nn.Sequential(nn.Linear(3, 5, rng=1), nn.Tanh(), nn.Linear(5, 1, rng=2))


def _groups(model):
    # two groups, so that group numbering and per-group settings are saved too
    first, *rest = model.parameters()
    return [{"params": [first], "lr": 0.02}, {"params": rest}]


def _steps(model, opt, sched, n):
    for _ in range(n):
        opt.zero_grad()
        mg.mse(model(X), Y).backward()
        opt.step()
        if sched is not None:
            sched.step()


def _weights(model):
    return dict(model.state_dict())


@pytest.mark.parametrize("with_scheduler", [False, True], ids=["", "scheduler"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_resuming_from_a_file_continues_bit_for_bit(name, with_scheduler, tmp_path):
    make = OPTIMIZERS[name]

    def sched_for(opt):
        return lr_scheduler.StepLR(opt, step_size=3, gamma=0.5) if with_scheduler else None

    model = _model()
    opt = make(_groups(model))
    sched = sched_for(opt)
    _steps(model, opt, sched, 2 * N)
    straight = _weights(model)

    model = _model()
    opt = make(_groups(model))
    sched = sched_for(opt)
    _steps(model, opt, sched, N)
    mg.save(model, tmp_path / "model.npz")
    mg.save(opt, tmp_path / "optim.npz")
    if sched is not None:
        mg.save(sched, tmp_path / "sched.npz")
    del model, opt, sched

    model = _model()  # fresh objects, with the initial weights
    opt = make(_groups(model))
    sched = sched_for(opt)
    model.load_state_dict(mg.load(tmp_path / "model.npz"))
    opt.load_state_dict(mg.load(tmp_path / "optim.npz"))
    if sched is not None:
        sched.load_state_dict(mg.load(tmp_path / "sched.npz"))
    _steps(model, opt, sched, N)
    resumed = _weights(model)

    assert straight.keys() == resumed.keys()
    for k in straight:
        assert np.array_equal(straight[k], resumed[k]), k  # bit for bit
    # and the run did move: without the saved state the result differs
    model = _model()
    opt = make(_groups(model))
    _steps(model, opt, sched_for(opt), N)
    opt = make(_groups(model))  # fresh optimizer state: a different trajectory
    _steps(model, opt, sched_for(opt), N)
    if name != "SGD" or with_scheduler:
        assert any(not np.array_equal(straight[k], v.data)
                   for k, v in model.state_dict().items())


def test_the_file_holds_only_named_numeric_arrays(tmp_path):
    model = _model()
    opt = optim.Adam(_groups(model), lr=0.01)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=20)
    _steps(model, opt, sched, 2)
    mg.save(opt, tmp_path / "optim.npz")
    mg.save(sched, tmp_path / "sched.npz")
    loaded = mg.load(tmp_path / "optim.npz")
    assert loaded["param_groups.0.max_lr"] == 0.1  # the scheduler's group keys are saved
    assert loaded["state.0.step"].dtype == np.int64
    # numpy reads the same file without pickle
    with np.load(tmp_path / "optim.npz", allow_pickle=False) as npz:
        assert set(npz.files) == set(loaded)
    s = mg.load(tmp_path / "sched.npz")
    assert s["_anneal_func_type"].dtype == np.uint8 and s["_anneal_func_type"].tobytes() == b"cos"
