"""Threads: separate models trained in parallel threads give exactly the results they give
one after the other, and grad mode (no_grad) is per thread.

The engine's shared state (the node counter, the cache of broadcast-sum plans) is safe
to share; grad mode and anomaly mode are thread-local. The interpreter is made to switch
threads often during these tests, so the two runs really interleave step by step.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader
from minigrad.train import Trainer

STEPS = 600


@pytest.fixture(autouse=True)
def _switch_often():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


def _job(seed: int, kind: str):
    """A model, its optimizer and its data, all from ``seed``."""
    rng = np.random.RandomState(seed)
    X = rng.randn(200, 13)
    y = np.tanh(X @ rng.randn(13, 1)) + 0.1 * rng.randn(200, 1)
    model = nn.Sequential(nn.Linear(13, 13, rng=seed), nn.Sigmoid(),
                          nn.Linear(13, 1, rng=seed + 1))
    if kind == "sgd":
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = optim.Adam(model.parameters(), lr=0.003)
    loader = DataLoader(X, y, batch_size=23, shuffle=True, seed=seed + 2)
    return model, opt, loader


def _train(model, opt, loader, log: list, tag: str, barrier=None,
           meet: bool = False) -> list[float]:
    if barrier is not None:
        barrier.wait()
    losses = []
    while len(losses) < STEPS:
        for xb, yb in loader:
            loss = mg.mse(model(xb), yb)
            assert loss.requires_grad  # no other thread's no_grad leaks in
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
            log.append(tag)
            if len(losses) == STEPS:
                break
            if meet and len(losses) % 100 == 0:
                # meet the other training thread now and then, so that the two runs
                # overlap however the machine's other load schedules them
                barrier.wait()
    return losses


def _run_threads(targets):
    """Start every target at once (behind a barrier); re-raise the first failure."""
    barrier = threading.Barrier(len(targets))
    results: dict = {}
    errors: list = []

    def run(i, fn):
        try:
            results[i] = fn(barrier)
        except BaseException as e:  # reported in the main thread
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(targets)]
    # switch threads often, so that they interleave step by step whatever the machine's
    # load (with the default 5 ms a thread can finish its steps within one time slice)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return [results[i] for i in range(len(targets))]


def _switches(log: list) -> int:
    return sum(a != b for a, b in zip(log, log[1:]))


def _same_weights(a: nn.Module, b: nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        assert sa[key].dtype == sb[key].dtype
        assert sa[key].tobytes() == sb[key].tobytes(), key


def test_two_models_trained_at_once_match_training_them_one_after_the_other():
    jobs = [("a", 11, "sgd"), ("b", 29, "adam")]
    # one after the other
    alone = {}
    for tag, seed, kind in jobs:
        model, opt, loader = _job(seed, kind)
        alone[tag] = (model, _train(model, opt, loader, [], tag))
    # both at once
    log: list = []
    together = {tag: _job(seed, kind) for tag, seed, kind in jobs}
    losses = _run_threads([
        lambda barrier, tag=tag: _train(*together[tag], log, tag, barrier, meet=True)
        for tag, _, _ in jobs
    ])
    print(f"\nswitches between the threads: {_switches(log)}")
    assert _switches(log) >= 3, f"the threads barely overlapped ({_switches(log)} switches)"
    for (tag, _, _), got in zip(jobs, losses):
        model_alone, losses_alone = alone[tag]
        assert len(got) == STEPS
        assert np.array_equal(np.array(got), np.array(losses_alone)), tag  # bit for bit
        _same_weights(together[tag][0], model_alone)
    assert losses[0] != losses[1]  # different jobs really are different


def test_a_trainer_in_each_thread_matches_running_them_in_turn():
    def fit(seed, barrier=None):
        model, opt, loader = _job(seed, "adam")
        X, y = loader.arrays
        trainer = Trainer(model, nn.MSELoss(), opt, patience=3, verbose=False)
        if barrier is not None:
            barrier.wait()
        history = trainer.fit(loader, epochs=25, val_data=(X[:40], y[:40]))
        return model, history

    alone = [fit(3), fit(4)]
    together = _run_threads([lambda b: fit(3, b), lambda b: fit(4, b)])
    for (m1, h1), (m2, h2) in zip(alone, together):
        assert h1.train_loss == h2.train_loss and h1.val_loss == h2.val_loss
        assert h1.best_epoch == h2.best_epoch and h1.steps == h2.steps
        _same_weights(m1, m2)


def test_no_grad_in_one_thread_does_not_reach_a_thread_that_is_training():
    log: list = []
    model, opt, loader = _job(7, "sgd")
    reference = _train(*_job(7, "sgd"), [], "ref")
    frozen = nn.Sequential(nn.Linear(13, 4, rng=0), nn.Sigmoid())
    x = np.random.RandomState(1).randn(23, 13)
    expected = frozen(x).data.copy()

    finished = threading.Event()

    def train(barrier):
        try:
            return _train(model, opt, loader, log, "train", barrier)
        finally:
            finished.set()

    def evaluate(barrier):
        barrier.wait()
        outputs = 0
        while not finished.is_set():
            with mg.no_grad():  # entered and left over and over while the other trains
                out = frozen(x)
                assert not out.requires_grad and out.op is None
                assert not mg.is_grad_enabled()
            log.append("eval")
            outputs += 1
        assert np.array_equal(out.data, expected)
        return outputs

    losses, outputs = _run_threads([train, evaluate])
    assert outputs > 0 and _switches(log) >= 10, f"{_switches(log)} switches"
    assert losses == reference  # bit for bit: grad mode never switched off under it
    assert mg.is_grad_enabled()  # and the main thread's mode was never touched
    for p in frozen.parameters():
        assert p.grad is None
