"""minigrad.compile on whole workloads, bit for bit against eager execution: the
benchmark steps W1–W6, the chapter's runs (``examples/chapter2.py --compile``), a
Trainer, and the digits CNN."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest

import minigrad as mg
from benchmarks import chain, elementwise, mlp
from minigrad import nn, optim
from minigrad.nn import functional as F

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _bits(a):
    a = np.asarray(a.data if isinstance(a, mg.Tensor) else a)
    return a.shape, a.dtype.str, a.tobytes()


def _example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- W1, W2, W4, W5

PROBLEMS = {
    "W1": dict(sizes=(13, 13, 1), batch=32, dtype=np.float64, lr=0.01, seed=1),
    "W2": dict(sizes=(13, 13, 1), batch=23, dtype=np.float64, lr=0.001, seed=2, rows=354),
    "W4": dict(sizes=(784, 256, 256, 10), batch=128, dtype=np.float32, lr=0.1, seed=4,
               one_hot=True),
    "W5": dict(sizes=(1024, 2048, 1024), batch=1024, dtype=np.float32, lr=0.01, seed=5),
}


@pytest.mark.parametrize("key", list(PROBLEMS))
def test_mlp_workload_steps_replay_bit_for_bit(key):
    prob = mlp.Problem(**PROBLEMS[key])
    eager, compiled_model = mlp.MinigradMLP(prob), mlp.MinigradMLP(prob)
    step = mg.compile(compiled_model.step)
    if key == "W2":  # an epoch of shuffled batches of 23: 15 of them and one of 9
        order = np.random.RandomState(22).permutation(len(prob.X))
        starts = range(0, len(prob.X), prob.batch)
        batches = [(prob.X[order[i:i + prob.batch]], prob.Y[order[i:i + prob.batch]])
                   for i in starts]
    else:
        batches = [(prob.X, prob.Y)] * (2 if key == "W5" else 4)
    for X, Y in batches:
        eager.step(eager.prepare(X, Y))
        step(compiled_model.prepare(X, Y))
        for p, q in zip(eager.p, compiled_model.p):
            assert _bits(p) == _bits(q)
    assert step.traces == (2 if key == "W2" else 1)
    assert step.fallbacks == 0


def test_nn_workload_step_replays_bit_for_bit():
    prob = mlp.Problem(**PROBLEMS["W4"])
    eager, compiled_model = mlp.MinigradNNMLP(prob), mlp.MinigradNNMLP(prob)
    step = mg.compile(compiled_model.step)
    batch = eager.prepare(prob.X, prob.Y)
    for _ in range(3):
        eager.step(batch)
        step(batch)
        for p, q in zip(eager.params(), compiled_model.params()):
            assert _bits(p) == _bits(q)


# --------------------------------------------------------------------------- W3, W6


@pytest.mark.parametrize("op", elementwise.OPS)
def test_w3_chains_replay_bit_for_bit(op):
    x0, consts = elementwise.data()
    c = mg.Tensor(consts[op]) if op in consts else None
    fn = {"add": mg.add, "mul": mg.mul}.get(op)

    def run(x):
        y = x
        for _ in range(elementwise.K):
            y = fn(y, c) if fn is not None else mg.sigmoid(y)
        y.backward(np.ones(elementwise.SHAPE))
        return y, x.grad

    compiled = mg.compile(run)
    for scale in (1.0, 0.5, -2.0):
        a = mg.tensor(x0 * scale, requires_grad=True)
        b = mg.tensor(x0 * scale, requires_grad=True)
        assert [_bits(t) for t in run(a)] == [_bits(t) for t in compiled(b)]
    assert compiled.traces == 1 and compiled.fallbacks == 0


def test_w6_chain_of_10000_ops_replays_bit_for_bit():
    c = mg.tensor([chain.C])

    def run(x):
        y = x
        for _ in range(chain.ITERS):
            y = mg.sigmoid(mg.mul(y, c))
        y.backward()
        return y, x.grad

    compiled = mg.compile(run)
    for x0 in (chain.X0, -0.7, 2.0):
        a, b = mg.tensor([x0], requires_grad=True), mg.tensor([x0], requires_grad=True)
        assert [_bits(t) for t in run(a)] == [_bits(t) for t in compiled(b)]
    assert compiled.traces == 1 and compiled.fallbacks == 0


# --------------------------------------------------------------------------- the chapter


def test_chapter2_compile_prints_the_same_figures_and_both_times(tmp_path, capsys):
    chapter2 = _example("chapter2")
    assert chapter2.main(["--book", "--compile", "--quiet", "--no-plots",
                          "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Every figure matches at 4 decimals." in out
    assert "every figure is the same." in out
    assert "Training time: eager" in out and "compiled" in out
    assert chapter2.main(["--compile", "--json", "--no-plots", "--out", str(tmp_path)]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["compile"]["same_figures"] is True
    assert figures["compile"]["compiled_train_seconds"] > 0


def test_trainer_compile_gives_the_same_history_and_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((100, 5)), rng.standard_normal((100, 1))
    runs = []
    for compile_ in (False, True):
        model = nn.Sequential(nn.Linear(5, 8, rng=1), nn.Tanh(), nn.Dropout(0.1, rng=2),
                              nn.Linear(8, 1, rng=3))
        opt = optim.Adam(model.parameters(), lr=1e-2)
        sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=40)
        trainer = mg.train.Trainer(model, nn.MSELoss(), opt, scheduler=sched,
                                   scheduler_interval="step", progress=False, compile=compile_)
        loader = mg.data.DataLoader(X, y, batch_size=32, shuffle=True, seed=0)
        history = trainer.fit(loader, epochs=10, val_data=(X[:20], y[:20]))
        runs.append((history, [p.data.copy() for p in model.parameters()], trainer))
    (h1, p1, _), (h2, p2, t2) = runs
    assert h1.train_loss == h2.train_loss and h1.val_loss == h2.val_loss
    assert all(_bits(a) == _bits(b) for a, b in zip(p1, p2))
    assert t2._step.traces == 2 and t2._step.fallbacks == 0  # batches of 32 and of 4
    with pytest.raises(TypeError, match="compile"):
        mg.train.Trainer(lambda x: x, nn.MSELoss(), opt, compile="yes")


# --------------------------------------------------------------------------- digits CNN


def test_digits_cnn_training_steps_replay_bit_for_bit():
    digits = _example("digits")
    data = digits.split(0)
    x, y = data["train_images"][:256], data["train_y"][:256]
    runs = []
    for compile_ in (False, True):
        model = digits.cnn(np.random.default_rng(0))
        opt = optim.Adam(model.parameters(), lr=0.003)
        sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)

        def step(xb, yb, model=model, opt=opt, sched=sched):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            return loss

        step = mg.compile(step) if compile_ else step
        losses = [step(x[i:i + 64], y[i:i + 64]) for _ in range(2) for i in range(0, 256, 64)]
        runs.append(([_bits(v) for v in losses], [_bits(p) for p in model.parameters()],
                     step))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1] == runs[1][1]
    assert runs[1][2].traces == 1 and runs[1][2].fallbacks == 0


def test_digits_example_with_compile_prints_the_same_figures(capsys):
    digits = _example("digits")
    runs = []
    for extra in ([], ["--compile"]):
        assert digits.main(["--quick", "--json", "--no-plots", *extra]) == 0
        result = json.loads(capsys.readouterr().out)
        runs.append([(m["name"], m["test_accuracy"], m["train_loss"])
                     for m in result["models"]])
    assert runs[0] == runs[1]
