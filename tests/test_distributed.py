"""minigrad.distributed and DataLoader(shard=...).

Three kinds of tests:

- under MPI: ``mpirun -n 2`` runs the scripts in tests/distributed/ in a subprocess
  (data-parallel training against one process, and a rank that raises). They need
  mpi4py and an MPI launcher (``pip install 'minigrad[mpi]'``); without them they are
  skipped, unless ``MINIGRAD_REQUIRE_MPI=1`` (set by .ci/run) makes that a failure;
- in this process, with an in-memory stand-in for mpi4py whose ranks are threads: the
  averaging, the checks and the error messages, for 1, 2 and 3 processes, with or
  without mpi4py installed;
- the shard arithmetic of DataLoader, and the errors raised without MPI.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest

from minigrad import distributed as dist
from minigrad import nn, optim
from minigrad.data import DataLoader
from minigrad.nn import functional as F

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "distributed"


# --------------------------------------------------------------------------- under MPI
def _launcher() -> list[str] | None:
    """The MPI launcher and its options, or None: the environment's own (next to this
    Python, as the ``mpi`` extra installs it) first, then PATH."""
    found = None
    for name in ("mpirun", "mpiexec"):
        here = Path(sys.executable).parent / name
        found = str(here) if here.exists() else shutil.which(name)
        if found:
            break
    if found is None:
        return None
    version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60)
    cmd = [found, "-n", "2"]
    if "Open MPI" in version.stdout + version.stderr:
        cmd.append("--oversubscribe")  # two processes even where fewer cores are counted
    return cmd


@pytest.fixture(scope="module")
def mpirun() -> list[str]:
    missing = []
    if importlib.util.find_spec("mpi4py") is None:
        missing.append("mpi4py")
    cmd = _launcher()
    if cmd is None:
        missing.append("an MPI launcher (mpirun or mpiexec)")
    if missing:
        why = f"needs {' and '.join(missing)}: pip install 'minigrad[mpi]'"
        if os.environ.get("MINIGRAD_REQUIRE_MPI"):
            pytest.fail(f"MINIGRAD_REQUIRE_MPI is set, but this {why}")
        pytest.skip(why)
    assert cmd is not None
    return cmd


def _mpi_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    # Open MPI refuses to start as root without both (CI runs as root)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def _run_mpi(mpirun: list[str], *args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([*mpirun, sys.executable, *args], capture_output=True, text=True,
                          timeout=timeout, env=_mpi_env(), cwd=ROOT)


def test_two_processes_train_as_one(mpirun):
    done = _run_mpi(mpirun, str(SCRIPTS / "train_check.py"), timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    assert len(lines) == 1, done.stdout  # printed by rank 0 only
    r = json.loads(lines[0][len("RESULT "):])
    assert r["world_size"] == 2
    assert r["grad_max_abs_error"] <= 1e-12
    for kind in ("adam", "sgd"):
        assert r[f"{kind}_steps"] == 21
        assert r[f"{kind}_param_max_abs_error"] <= 1e-10
        assert r[f"{kind}_messages"] == [21, 21 * 6]  # one per step, or one per parameter
    assert "rank 1 differs from rank 0 in 0.weight" in r["unsynced_error"]
    assert "2 items where rank 0 has 6" in r["layout_error"]
    assert "parameter 0 (shape (6, 16)) on 1" in r["partial_grad_error"]


def test_a_rank_that_raises_ends_the_job_with_its_traceback(mpirun):
    start = time.monotonic()
    done = _run_mpi(mpirun, str(SCRIPTS / "raise_on_one_rank.py"), timeout=90)
    took = time.monotonic() - start
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert "Traceback (most recent call last)" in out, out
    assert "ValueError: rank 1 fails on purpose" in out, out
    assert "rank 1 of 2 raised ValueError" in out, out
    assert "rank 0 got past" not in out
    assert took < 60, took


def test_digits_example_distributed_matches_one_process(mpirun):
    example = str(ROOT / "examples" / "digits.py")
    done = _run_mpi(mpirun, example, "--distributed", "--no-plots", "--json", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    together = json.loads(done.stdout)  # one JSON object: rank 0 alone printed
    alone_run = subprocess.run([sys.executable, example, "--no-plots", "--json"],
                               capture_output=True, text=True, timeout=300, env=_mpi_env())
    assert alone_run.returncode == 0, alone_run.stderr
    alone = json.loads(alone_run.stdout)
    assert together["processes"] == 2 and "processes" not in alone
    assert together["split"] == alone["split"]
    for a, b in zip(alone["models"], together["models"], strict=True):
        assert (a["name"], a["parameters"], a["epochs"]) == (b["name"], b["parameters"],
                                                             b["epochs"])
        # the tolerance the example states: within one test image in a hundred
        assert abs(a["test_accuracy"] - b["test_accuracy"]) <= 0.01, (a["name"], a, b)
        assert len(b["train_loss"]) == b["epochs"] and b["train_loss"][-1] < 0.5
    table = _run_mpi(mpirun, example, "--distributed", "--quick", "--no-plots", timeout=300)
    assert table.returncode == 0, table.stdout + table.stderr
    assert table.stdout.count("| model | parameters |") == 1, table.stdout
    assert "data-parallel over 2 processes" in table.stdout
    assert table.stdout.count("| CNN | 29,066 |") == 1


def test_one_process_under_real_mpi(mpirun):
    # mpi4py started without a launcher: a world of one, where averaging changes nothing
    code = """
import numpy as np
from minigrad import distributed as dist, nn, optim
from minigrad.nn import functional as F
dist.init()
assert (dist.rank(), dist.world_size()) == (0, 1)
a, b = nn.Linear(4, 3, rng=0), nn.Linear(4, 3, rng=0)
opt_a = optim.Adam(a.parameters(), lr=0.1)
opt_b = dist.DistributedOptimizer(optim.Adam(b.parameters(), lr=0.1))
x = np.random.RandomState(0).randn(5, 4)
for _ in range(3):
    for m, o in ((a, opt_a), (b, opt_b)):
        o.zero_grad(); F.mse_loss(m(x), np.ones((5, 3))).backward(); o.step()
assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
print("ok", opt_b.messages)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=_mpi_env(), cwd=ROOT)
    assert done.returncode == 0 and done.stdout.split() == ["ok", "3"], \
        done.stdout + done.stderr


# --------------------------------------------------------------------------- in-process MPI
class _Op:
    def __init__(self, fn):
        self.fn = fn


class _World:
    """What the ranks of one in-memory job share: a barrier and one slot per rank."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.barrier = threading.Barrier(size, timeout=30)
        self.slots: list = [None] * size
        self.calls = 0

    def exchange(self, rank: int, value):
        self.slots[rank] = value
        self.barrier.wait()
        out = list(self.slots)
        self.barrier.wait()
        if rank == 0:
            self.calls += 1
        return out


class _Comm:
    """The part of an mpi4py communicator that minigrad.distributed uses, for one rank of
    a job whose ranks are threads. Reductions add in rank order, as MPI does for two."""

    def __init__(self, world: _World, rank: int) -> None:
        self.world, self.rank = world, rank

    def Get_rank(self) -> int:
        return self.rank

    def Get_size(self) -> int:
        return self.world.size

    def Allreduce(self, sendbuf, recvbuf, op):
        assert sendbuf is _FAKE_MPI.IN_PLACE
        values = self.world.exchange(self.rank, recvbuf.copy())
        recvbuf[...] = functools.reduce(op.fn, values)

    def Bcast(self, buf, root=0):
        buf[...] = self.world.exchange(self.rank, buf.copy())[root]

    def bcast(self, obj, root=0):
        return self.world.exchange(self.rank, obj)[root]

    def allgather(self, obj):
        return self.world.exchange(self.rank, obj)

    def Barrier(self):
        self.world.exchange(self.rank, None)


_FAKE_MPI = types.SimpleNamespace(SUM=_Op(np.add), MAX=_Op(np.maximum), MIN=_Op(np.minimum),
                                  IN_PLACE=object(), COMM_WORLD=None)


@pytest.fixture
def fake_mpi(monkeypatch):
    """mpi4py replaced by the in-memory stand-in; minigrad.distributed's state reset."""
    module = types.ModuleType("mpi4py")
    module.MPI = _FAKE_MPI  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mpi4py", module)
    monkeypatch.setattr(dist._World, "MPI", None)
    monkeypatch.setattr(dist._World, "comm", None)
    monkeypatch.setattr(dist._World, "hooked", False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # init() wraps both hooks
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)


def _spmd(size: int, fn):
    """Run ``fn(comm)`` on ``size`` threads, one per rank; return the results by rank,
    re-raising the first exception."""
    world = _World(size)
    results: list = [None] * size
    errors: list = [None] * size

    def run(r: int) -> None:
        try:
            results[r] = fn(_Comm(world, r))
        except BaseException as e:  # noqa: B036 - handed to the test's thread
            errors[r] = e
            world.barrier.abort()

    threads = [threading.Thread(target=run, args=(r,)) for r in range(size)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in errors:
        if e is not None and not isinstance(e, threading.BrokenBarrierError):
            raise e
    assert all(e is None for e in errors), errors
    return results, world


def _model(seed=0, dtype=np.float64):
    return nn.Sequential(nn.Linear(5, 7, rng=seed, dtype=dtype), nn.Tanh(),
                         nn.Linear(7, 3, rng=seed + 1, dtype=dtype))


def _data(n=36):
    rng = np.random.RandomState(1)
    return rng.randn(n, 5), rng.randint(0, 3, size=n)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_averaged_gradients_are_the_whole_batch_gradients(fake_mpi, size):
    X, y = _data()
    alone = _model()
    F.cross_entropy(alone(X[:12]), y[:12]).backward()
    want = [p.grad.data for p in alone.parameters()]

    def rank_fn(comm):
        m = _model()
        xb, yb = next(iter(DataLoader(X, y, batch_size=12, shard=(comm.rank, size))))
        F.cross_entropy(m(xb), yb).backward()
        opt = dist.DistributedOptimizer(optim.SGD(m.parameters(), lr=0.1), comm=comm)
        opt.synchronize()
        return [p.grad.data.copy() for p in m.parameters()], opt.messages

    results, world = _spmd(size, rank_fn)
    for grads, messages in results:
        assert messages == 1
        for g, w in zip(grads, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-12)
    for grads, _ in results[1:]:  # bit for bit the same on every rank
        assert all(np.array_equal(a, b) for a, b in zip(grads, results[0][0]))


def test_training_steps_match_one_process_and_messages_are_bucketed(fake_mpi):
    X, y = _data(40)  # 40 rows, batch 12: three batches of 12 and one of 4

    def train(comm, size, bucket_bytes):
        m = _model(seed=comm.rank if comm else 0)
        if comm:
            dist.broadcast_parameters(m, comm=comm)
        base = optim.Adam(m.parameters(), lr=0.05)
        opt = dist.DistributedOptimizer(base, bucket_bytes=bucket_bytes, comm=comm) \
            if comm else base
        shard = (comm.rank, size) if comm else None
        loader = DataLoader(X, y, batch_size=12, shuffle=True, seed=5, shard=shard)
        for _ in range(3):
            for xb, yb in loader:
                opt.zero_grad()
                F.cross_entropy(m(xb), yb).backward()
                opt.step()
                if comm:
                    dist.check_synchronized(m, comm=comm)
        return [p.data.copy() for p in m.parameters()], getattr(opt, "messages", 0)

    ref, _ = train(None, 1, 0)
    # 200 bytes: [W1 (280 bytes)], [b1 (56)], [W2 (168), b2 (24)]
    for bucket_bytes, per_step in ((dist.DEFAULT_BUCKET_BYTES, 1), (0, 4), (200, 3)):
        results, _ = _spmd(2, lambda c, b=bucket_bytes: train(c, 2, b))
        for params, messages in results:
            assert messages == 12 * per_step, (bucket_bytes, messages)
            for p, r in zip(params, ref):
                np.testing.assert_allclose(p, r, rtol=0, atol=1e-10)


def test_buckets_keep_one_dtype_and_respect_the_size():
    arrays = [np.zeros(10, np.float32), np.zeros(3), np.zeros(10, np.float32),
              np.zeros(100, np.float32), np.zeros(2)]
    assert dist._buckets(arrays, 1 << 20) == [[0, 2, 3], [1, 4]]
    assert dist._buckets(arrays, 80) == [[0, 2], [3], [1, 4]]  # 400 bytes alone
    assert dist._buckets(arrays, 0) == [[0], [2], [3], [1], [4]]


def test_float32_parameters_get_float32_gradients(fake_mpi):
    def rank_fn(comm):
        m = _model(dtype=np.float32)
        x = np.full((2, 5), comm.rank + 1.0, np.float32)
        F.mse_loss(m(x), np.zeros((2, 3), np.float32)).backward()
        opt = dist.DistributedOptimizer(optim.SGD(m.parameters(), lr=0.1), comm=comm)
        opt.step()
        return [(p.grad.data.dtype, p.data.dtype) for p in m.parameters()]

    results, _ = _spmd(2, rank_fn)
    assert all(g == np.float32 and p == np.float32 for r in results for g, p in r)


def test_a_gradient_on_some_ranks_only_is_refused_everywhere(fake_mpi):
    def rank_fn(comm):
        m = _model()
        opt = dist.DistributedOptimizer(optim.SGD(m.parameters(), lr=0.1), comm=comm)
        if comm.rank == 0:
            m[2].bias.grad = m[2].bias.detach() * 0 + 1
        with pytest.raises(RuntimeError, match=r"parameter 3 \(shape \(3,\)\) on 1 of 3"):
            opt.step()
        opt.zero_grad()
        before = [p.data.copy() for p in m.parameters()]
        opt.step()  # no gradient anywhere: nothing changes, as without MPI
        return all(np.array_equal(a, p.data) for a, p in zip(before, m.parameters()))

    results, _ = _spmd(3, rank_fn)
    assert results == [True, True, True]


def test_broadcast_and_check_synchronized(fake_mpi):
    def rank_fn(comm):
        m = _model(seed=10 * comm.rank)
        with pytest.raises(RuntimeError, match=r"rank 1 differs from rank 0 in 0\.weight, "
                                               r"0\.bias, 2\.weight, 2\.bias"):
            dist.check_synchronized(m, comm=comm)
        dist.broadcast_parameters(m, root=1, comm=comm)
        dist.check_synchronized(m, comm=comm)
        state = {"w": np.full(3, float(comm.rank)), "t": m[0].bias}
        dist.broadcast_parameters(state, comm=comm)
        return m[0].weight.data.copy(), state["w"].tolist()

    results, _ = _spmd(2, rank_fn)
    np.testing.assert_array_equal(results[0][0], _model(seed=10)[0].weight.data)
    assert results[0][1] == results[1][1] == [0.0, 0.0, 0.0]


def test_broadcast_refuses_different_models_on_every_rank(fake_mpi):
    def rank_fn(comm):
        m = _model() if comm.rank == 0 else nn.Linear(5, 2, rng=0)
        keep = [p.data.copy() for p in m.parameters()]
        with pytest.raises(ValueError, match=r"broadcast_parameters refused, nothing was "
                                             r"changed: rank 1: 2 items where rank 0 has 4; "
                                             r"first difference: 'weight'"):
            dist.broadcast_parameters(m, comm=comm)
        return all(np.array_equal(a, p.data) for a, p in zip(keep, m.parameters()))

    results, _ = _spmd(2, rank_fn)
    assert results == [True, True]


def test_average_buffers_averages_the_running_statistics(fake_mpi):
    def rank_fn(comm):
        m = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm1d(4))
        x = np.random.RandomState(comm.rank).randn(6, 3)  # different rows on each rank
        m(x)
        stats = (m[1].running_mean.data.copy(), m[1].running_var.data.copy())
        with pytest.raises(RuntimeError, match=r"1\.running_mean, 1\.running_var"):
            dist.check_synchronized(m, comm=comm)
        dist.average_buffers(m, comm=comm)
        dist.check_synchronized(m, comm=comm)
        assert m[1].num_batches_tracked.data == 1
        return stats, m[1].running_mean.data.copy(), m[1].running_var.data.copy()

    results, _ = _spmd(2, rank_fn)
    (s0, mean, var), (s1, _, _) = results
    np.testing.assert_allclose(mean, (s0[0] + s1[0]) / 2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(var, (s0[1] + s1[1]) / 2, rtol=0, atol=1e-15)
    with pytest.raises(TypeError, match=r"average_buffers: expected a Module, got dict"):
        dist.average_buffers({}, comm=_Comm(_World(1), 0))


def test_all_reduce_ops_and_errors(fake_mpi):
    def rank_fn(comm):
        r = comm.rank
        out = dist.all_reduce([np.full(2, r + 1.0), np.int64(r), np.float32(2 * r)],
                              op="sum", comm=comm)
        mean = dist.all_reduce(np.array([[r, 10.0]]), comm=comm)
        hi = dist.all_reduce([np.array([r, -r])], op="max", comm=comm)[0]
        lo = dist.all_reduce([np.array([r, -r])], op="min", comm=comm)[0]
        return out, mean, hi, lo

    results, _ = _spmd(3, rank_fn)
    out, mean, hi, lo = results[2]
    assert out[0].tolist() == [6.0, 6.0] and out[1].dtype == np.int64 and out[1] == 3
    assert out[2].dtype == np.float32 and out[2] == 6
    assert mean.shape == (1, 2) and mean.tolist() == [[1.0, 10.0]]
    assert hi.tolist() == [2, 0] and lo.tolist() == [0, -2]
    with pytest.raises(ValueError, match=r"all_reduce: op must be one of 'mean', 'sum', "
                                         r"'max', 'min', got 'avg'"):
        dist.all_reduce(np.ones(2), op="avg")
    with pytest.raises(TypeError, match=r"all_reduce: op='mean' needs floating-point items, "
                                        r"item 0 \(shape \(3,\)\) has dtype int64"):
        dist.all_reduce(np.arange(3, dtype=np.int64))
    with pytest.raises(ValueError, match=r"bucket_bytes must be an int >= 0"):
        dist.all_reduce(np.ones(2), bucket_bytes=-1)


def test_distributed_optimizer_is_the_wrapped_optimizer_for_everything_else(fake_mpi):
    from minigrad.optim.lr_scheduler import StepLR

    def rank_fn(comm):
        m = _model()
        base = optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
        opt = dist.DistributedOptimizer(base, comm=comm)
        sched = StepLR(opt, step_size=1, gamma=0.1)
        x = np.ones((2, 5))
        F.mse_loss(m(x), np.zeros((2, 3))).backward()
        opt.step()
        sched.step()
        assert opt.param_groups is base.param_groups and opt.state is base.state
        assert opt.defaults is base.defaults and opt.add_param_group == base.add_param_group
        assert "2 processes" in repr(opt) and "SGD" in repr(opt)
        return base.param_groups[0]["lr"], sorted(opt.state_dict())[:1]

    results, _ = _spmd(2, rank_fn)
    assert results[0][0] == pytest.approx(0.05) and results[0][1] == ["param_groups.0.dampening"]
    with pytest.raises(TypeError, match=r"DistributedOptimizer: expected an optimizer"):
        dist.DistributedOptimizer([1, 2], comm=_Comm(_World(1), 0))


def test_world_of_one_changes_nothing(fake_mpi):
    _FAKE_MPI.COMM_WORLD = _Comm(_World(1), 0)
    try:
        assert dist.available() and not dist.is_initialized()
        assert dist.init() is _FAKE_MPI.COMM_WORLD and dist.is_initialized()
        assert dist.communicator() is _FAKE_MPI.COMM_WORLD
        assert (dist.rank(), dist.world_size()) == (0, 1)
        dist.barrier()
        assert _FAKE_MPI.COMM_WORLD.world.calls == 1
        a, b = _model(), _model()
        opt_a = optim.Adam(a.parameters(), lr=0.1)
        opt_b = dist.DistributedOptimizer(optim.Adam(b.parameters(), lr=0.1))
        X, y = _data()
        for xb, yb in DataLoader(X, y, batch_size=12, shuffle=True, seed=0, shard=(0, 1)):
            for m, o in ((a, opt_a), (b, opt_b)):
                o.zero_grad()
                F.cross_entropy(m(xb), yb).backward()
                o.step()
        assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(),
                                                                  b.parameters()))
        assert opt_b.sync_calls == 3 and opt_b.sync_time_s > 0
        assert sys.excepthook.__name__ == "excepthook"  # the abort hook (size 1: no abort)
    finally:
        _FAKE_MPI.COMM_WORLD = None


# --------------------------------------------------------------------------- without MPI
def test_importable_without_mpi4py_and_the_error_names_the_extra():
    code = """
import sys
sys.modules["mpi4py"] = None  # as if not installed: importing it raises ImportError
import numpy as np
from minigrad import distributed as dist, nn, optim
assert not dist.available() and not dist.is_initialized()
calls = {
    "init": dist.init, "rank": dist.rank, "world_size": dist.world_size,
    "all_reduce": lambda: dist.all_reduce(np.ones(2)),
    "broadcast_parameters": lambda: dist.broadcast_parameters(nn.Linear(2, 2, rng=0)),
    "DistributedOptimizer": lambda: dist.DistributedOptimizer(
        optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.1)),
}
for name, call in calls.items():
    try:
        call()
    except dist.MPINotFoundError as e:
        assert isinstance(e, ImportError)
        assert f"minigrad.distributed.{name} needs mpi4py" in str(e), e
        assert "pip install 'minigrad[mpi]'" in str(e), e
    else:
        raise AssertionError(name)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_digits_example_without_mpi4py_says_what_to_install():
    code = (
        "import runpy, sys\n"
        "sys.modules['mpi4py'] = None\n"
        "sys.argv = ['digits.py', '--distributed', '--quick', '--no-plots']\n"
        f"runpy.run_path({str(ROOT / 'examples' / 'digits.py')!r}, run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "digits.py: error: minigrad.distributed.init needs mpi4py" in done.stderr
    assert "pip install 'minigrad[mpi]'" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- DataLoader shards
def _batches(loader):
    return [b[0] for b in loader]


@pytest.mark.parametrize("n, batch, world, shuffle, drop_last", [
    (23, 6, 2, True, False), (23, 6, 3, True, False), (24, 6, 2, False, False),
    (25, 8, 4, True, False), (25, 8, 4, True, True), (7, 6, 2, True, False),
    (30, 10, 5, False, True), (9, 4, 4, True, False),
])
def test_shards_are_disjoint_equal_and_make_up_the_batch(n, batch, world, shuffle, drop_last):
    X = np.arange(n)
    kw = dict(batch_size=batch, shuffle=shuffle, seed=11, drop_last=drop_last)
    alone = DataLoader(X, **kw)
    parts = [DataLoader(X, shard=(r, world), **kw) for r in range(world)]
    for _ in range(3):  # every epoch's permutation
        full = _batches(alone)
        shards = [_batches(p) for p in parts]
        assert all(len(s) == len(p) for s, p in zip(shards, parts))
        assert len(shards[0]) in (len(full), len(full) - 1)
        seen: set[int] = set()
        for step, whole in enumerate(full[:len(shards[0])]):
            sizes = {len(s[step]) for s in shards}
            assert len(sizes) == 1  # equal parts
            (part,) = sizes
            assert part == len(whole) // world
            union = np.concatenate([s[step] for s in shards])
            np.testing.assert_array_equal(union, whole[:part * world])
            assert not seen & set(union.tolist())
            seen |= set(union.tolist())
        if len(shards[0]) < len(full):  # only a last batch smaller than world is dropped
            assert len(full[-1]) < world
        rows_left_out = n - len(seen)
        expected = n % batch if drop_last else (n % batch) % world
        assert rows_left_out == expected


def test_shard_of_one_is_the_plain_loader_and_plain_is_unchanged():
    X, y = np.arange(23.0), np.arange(23)
    a = DataLoader(X, y, batch_size=5, shuffle=True, seed=4)
    b = DataLoader(X, y, batch_size=5, shuffle=True, seed=4, shard=(0, 1))
    for _ in range(2):
        for (xa, ya), (xb, yb) in zip(a, b, strict=True):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
    assert len(a) == len(b) == 5 and a.shard is None and b.shard == (0, 1)
    # without shard, the permutation stream is numpy's own: RandomState(4), one draw an epoch
    rng = np.random.RandomState(4)
    order = np.arange(23)[rng.permutation(23)]
    c = DataLoader(X, batch_size=5, shuffle=True, seed=4)
    np.testing.assert_array_equal(np.concatenate(_batches(c)), order)
    assert "shard=(1, 2)" in repr(DataLoader(X, batch_size=4, shard=(1, 2)))


def test_shard_arguments_are_checked():
    X = np.arange(10.0)
    with pytest.raises(ValueError, match=r"batch_size is the global batch and must be a "
                                         r"multiple of world_size=4.*got batch_size=6"):
        DataLoader(X, batch_size=6, shard=(0, 4))
    with pytest.raises(ValueError, match=r"needs a seed, the same on every process"):
        DataLoader(X, batch_size=4, shuffle=True, shard=(0, 2))
    for bad in [(2, 2), (-1, 2), (0, 0), (0.0, 1), (True, 2)]:
        with pytest.raises(ValueError, match=r"0 <= rank < world_size"):
            DataLoader(X, batch_size=4, shard=bad)
    with pytest.raises(TypeError, match=r"shard must be a pair \(rank, world_size\), got 3"):
        DataLoader(X, batch_size=4, shard=3)
    DataLoader(X, batch_size=4, shuffle=True, shard=(0, 1))  # one process needs no seed

