"""Memory: long training holds flat memory, and a training step leaves no reference cycles.

Memory is measured with tracemalloc, which sees numpy's array buffers as well as
Python objects. Graphs hold no reference cycles, so they are freed by reference
counting alone, the moment the last tensor of a step goes; the cyclic garbage
collector never has anything to find.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader
from minigrad.train import Trainer

BOUND = 64 * 1024  # bytes a long run may grow by: caches settling, never per-step garbage


def _setup(opt_cls=optim.SGD, **opt_args):
    rng = np.random.RandomState(0)
    X = rng.randn(354, 13)
    y = np.tanh(X @ rng.randn(13, 1)) + 0.1 * rng.randn(354, 1)
    model = nn.Sequential(nn.Linear(13, 13, rng=1), nn.Sigmoid(), nn.Linear(13, 1, rng=2))
    opt = opt_cls(model.parameters(), lr=0.001, **opt_args)
    loader = DataLoader(X, y, batch_size=23, shuffle=True, seed=3)  # 16 batches, last of 9
    return model, opt, loader


def _train(model, opt, loader, steps: int, keep: list | None = None) -> float:
    done = 0
    while True:
        for xb, yb in loader:
            loss = mg.mse(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if keep is not None:
                keep.append(loss)  # a leak: every step's graph stays alive
            done += 1
            if done == steps:
                return float(loss.data)


def _growth(steps: int, warmup: int = 1000, keep: list | None = None) -> int:
    """Bytes traced after ``steps`` training steps minus before them, after ``warmup``."""
    model, opt, loader = _setup()
    tracemalloc.start()
    try:
        _train(model, opt, loader, warmup)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        _train(model, opt, loader, steps, keep)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before


def test_ten_thousand_training_steps_hold_flat_memory():
    growth = _growth(10_000)
    print(f"\nmemory growth over 10,000 steps: {growth} bytes")
    assert growth < BOUND, f"memory grew by {growth} bytes over 10,000 steps"


def test_the_measurement_catches_a_graph_kept_per_step():
    # the same loop keeping every step's loss (and so its graph) alive must blow the bound
    kept: list = []
    growth = _growth(1000, warmup=100, keep=kept)
    assert len(kept) == 1000
    assert growth > 10 * BOUND, f"a kept graph per step grew memory by only {growth} bytes"


def test_training_steps_leave_no_reference_cycles():
    sgd = _setup(optim.SGD, momentum=0.9)
    adam = _setup(optim.Adam)
    X, y = sgd[2].arrays
    trainer_model, trainer_opt, trainer_loader = _setup(optim.SGD)
    trainer = Trainer(trainer_model, nn.MSELoss(), trainer_opt, patience=2, verbose=False)
    gc.collect()
    gc.disable()
    try:
        losses = [_train(*sgd, 40), _train(*adam, 40)]
        history = trainer.fit(trainer_loader, epochs=3, val_data=(X[:50], y[:50]))
        with mg.no_grad():
            predictions = trainer_model(X)
        assert mg.grad(mg.grad(lambda v: (v**3).sum()))(2.0).item() == 12.0
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0, f"the garbage collector found {found} objects in reference cycles"
    assert all(np.isfinite(losses)) and len(history.train_loss) == 3
    assert predictions.shape == (354, 1) and not predictions.requires_grad
