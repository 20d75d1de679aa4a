"""Run under ``mpirun -n 2``: data-parallel training against one process on the same rows.

Every process also trains the single-process reference itself (same seeds, the whole
batch), so the comparison needs no files. Each check asserts; rank 0 prints one line
``RESULT {json}`` with the measured figures for tests/test_distributed.py. An assertion
that fails on any rank aborts the job (minigrad.distributed.init's hook) with its
traceback.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

from minigrad import distributed as dist  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.data import DataLoader  # noqa: E402
from minigrad.nn import functional as F  # noqa: E402

ROWS, BATCH, FEATURES, CLASSES, EPOCHS = 50, 8, 6, 3, 3  # 6 batches of 8, one of 2


def model(seed: int = 0) -> nn.Module:
    return nn.Sequential(
        nn.Linear(FEATURES, 16, rng=seed), nn.Tanh(), nn.Linear(16, 16, rng=seed + 1),
        nn.Sigmoid(), nn.Linear(16, CLASSES, rng=seed + 2),
    )


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(7)
    return rng.randn(ROWS, FEATURES), rng.randint(0, CLASSES, size=ROWS)


def loss_of(m: nn.Module, xb: np.ndarray, yb: np.ndarray):
    return F.cross_entropy(m(xb), yb)  # the mean over the rows


def params(m: nn.Module) -> list[np.ndarray]:
    return [p.data.copy() for p in m.parameters()]


def max_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def make_opt(kind: str, m: nn.Module):
    if kind == "adam":
        return optim.Adam(m.parameters(), lr=0.01)
    return optim.SGD(m.parameters(), lr=0.1, momentum=0.9)


def train_alone(kind: str) -> list[np.ndarray]:
    m = model()
    opt = make_opt(kind, m)
    X, y = data()
    loader = DataLoader(X, y, batch_size=BATCH, shuffle=True, seed=3)
    for _ in range(EPOCHS):
        for xb, yb in loader:
            opt.zero_grad()
            loss_of(m, xb, yb).backward()
            opt.step()
    return params(m)


def train_together(kind: str, bucket_bytes: int) -> tuple[list[np.ndarray], int, int]:
    me, size = dist.rank(), dist.world_size()
    m = model(seed=me)  # different weights on every rank until the broadcast
    dist.broadcast_parameters(m)
    opt = dist.DistributedOptimizer(make_opt(kind, m), bucket_bytes=bucket_bytes)
    X, y = data()
    loader = DataLoader(X, y, batch_size=BATCH, shuffle=True, seed=3, shard=(me, size))
    steps = 0
    for _ in range(EPOCHS):
        for xb, yb in loader:
            opt.zero_grad()
            loss_of(m, xb, yb).backward()
            opt.step()
            dist.check_synchronized(m)  # the copies are bit for bit the same after each step
            steps += 1
    return params(m), steps, opt.messages


def expect_error(kind: type[Exception], words: str, fn) -> str:
    try:
        fn()
    except kind as e:
        assert words in str(e), (words, str(e))
        return str(e)
    raise AssertionError(f"expected {kind.__name__} with {words!r}")


def main() -> None:
    comm = dist.init()
    me, size = dist.rank(), dist.world_size()
    assert size == 2, size
    out: dict = {"world_size": size}

    # the shards of one step are disjoint, equal, and together the single-process batch
    X, y = data()
    alone = [xb for xb, _ in DataLoader(X, y, batch_size=BATCH, shuffle=True, seed=3)]
    mine = [xb for xb, _ in DataLoader(X, y, batch_size=BATCH, shuffle=True, seed=3,
                                       shard=(me, size))]
    everyone = comm.allgather(mine)
    assert len(mine) == len(alone) == 7
    for step, batch in enumerate(alone):
        union = np.concatenate([everyone[r][step] for r in range(size)])
        assert len(everyone[0][step]) == len(everyone[1][step])
        np.testing.assert_array_equal(union, batch)

    # one step: the averaged gradients against the whole batch's, on a single process
    m_alone, m_dist = model(), model()
    loss_of(m_alone, X[:BATCH], y[:BATCH]).backward()
    half = BATCH // size
    loss_of(m_dist, X[me * half:(me + 1) * half], y[me * half:(me + 1) * half]).backward()
    sync = dist.DistributedOptimizer(optim.SGD(m_dist.parameters(), lr=0.1))
    sync.synchronize()
    out["grad_max_abs_error"] = max_diff([p.grad.data for p in m_dist.parameters()],
                                         [p.grad.data for p in m_alone.parameters()])
    assert out["grad_max_abs_error"] <= 1e-12, out
    assert sync.messages == 1  # one float64 bucket

    # N steps of training, bucketed and one message per parameter
    for kind in ("adam", "sgd"):
        ref = train_alone(kind)
        together, steps, messages = train_together(kind, dist.DEFAULT_BUCKET_BYTES)
        per_param, _, messages_pp = train_together(kind, 0)
        out[f"{kind}_steps"] = steps
        out[f"{kind}_param_max_abs_error"] = max_diff(together, ref)
        out[f"{kind}_messages"] = [messages, messages_pp]
        assert out[f"{kind}_param_max_abs_error"] <= 1e-10, out
        assert max_diff(together, per_param) == 0.0  # the same sums, element by element
        assert messages == steps and messages_pp == steps * len(ref), out[f"{kind}_messages"]

    # all_reduce: every op, mixed dtypes, bucketed or not
    items = [np.full((2, 3), me + 1.0), np.arange(4, dtype=np.int64) * (me + 1),
             np.float32(me + 1), 2.5 * me]
    for bucket_bytes in (dist.DEFAULT_BUCKET_BYTES, 0, 16):
        s = dist.all_reduce(items, op="sum", bucket_bytes=bucket_bytes)
        assert s[0].shape == (2, 3) and np.all(s[0] == 3.0)
        assert s[1].dtype == np.int64 and s[1].tolist() == [0, 3, 6, 9]
        assert s[2].dtype == np.float32 and s[2] == 3 and float(s[3]) == 2.5
    assert np.all(dist.all_reduce(np.full(3, me + 1.0)) == 1.5)
    assert dist.all_reduce([np.array([me, 5 - me])], op="max")[0].tolist() == [1, 5]
    assert dist.all_reduce([np.array([me, 5 - me])], op="min")[0].tolist() == [0, 4]
    expect_error(TypeError, "op='mean' needs floating-point", lambda: dist.all_reduce(
        np.arange(3)))

    # broadcast_parameters: before it, check_synchronized names what differs
    a, b = model(seed=10 * me), model(seed=10 * me)
    out["unsynced_error"] = expect_error(RuntimeError, "rank 1 differs from rank 0 in 0.weight",
                                         lambda: dist.check_synchronized(a))
    dist.broadcast_parameters(a, root=1)
    dist.check_synchronized(a)
    np.testing.assert_array_equal(a[0].weight.data, model(seed=10)[0].weight.data)
    state = {k: p.data.copy() for k, p in b.named_parameters()}
    dist.broadcast_parameters(state)  # numpy arrays, written in place
    dist.check_synchronized(state)
    wrong = model() if me == 0 else nn.Sequential(nn.Linear(FEATURES, 4, rng=0))
    out["layout_error"] = expect_error(ValueError, "rank 1: 2 items where rank 0 has 6",
                                       lambda: dist.broadcast_parameters(wrong))

    # optimizer state from one rank
    opt_a = optim.Adam(a.parameters(), lr=0.01)
    if me == 0:
        loss_of(a, X, y).backward()
        opt_a.step()
    dist.broadcast_parameters(a)
    dist.broadcast_optimizer_state(opt_a)
    assert opt_a.state_dict().keys() == comm.bcast(opt_a.state_dict()).keys()
    dist.check_synchronized([opt_a.state[p]["exp_avg"] for p in a.parameters()])

    # a gradient on one rank only is refused on both, instead of a silent wrong mean
    c = model()
    opt_c = dist.DistributedOptimizer(optim.SGD(c.parameters(), lr=0.1))
    if me == 0:
        loss_of(c, X[:4], y[:4]).backward()
    out["partial_grad_error"] = expect_error(RuntimeError, "on 1 of 2", opt_c.step)
    if me == 1:  # and gradients that are None everywhere stay None
        opt_c.zero_grad()
    comm.Barrier()
    c.zero_grad()
    opt_c.step()
    assert all(p.grad is None for p in c.parameters())

    if me == 0:
        print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
