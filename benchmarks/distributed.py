"""Data-parallel training over MPI: throughput with 1 and 2 processes.

Two workloads, each a full training step (batch gathering by a shuffling DataLoader,
forward, backward, gradient averaging, update):

- ``cnn``: the CNN of examples/digits.py (Conv2d(1, 32, 3) → ReLU → MaxPool2d(2) →
  Conv2d(32, 64, 3) → ReLU → Flatten → Linear(1024, 10), 29,066 parameters) on the
  bundled 8 × 8 digits, cross-entropy, Adam, float32; the example's global batch of 32,
  and 128;
- ``w4``: the W4 MLP of benchmarks/workloads.py, 784 → 256 → 256 → 10 with sigmoid hidden
  layers (269,322 parameters), MSE (mean) against one-hot targets, SGD, float32, global
  batch 128 (and 512), on 2,048 random rows.

One process trains with the plain optimizer and loader; two processes (``mpirun -n 2``)
each train on half of every batch (``DataLoader(..., shard=...)``) with
``minigrad.distributed.DistributedOptimizer``, once with the gradients in one message
per step (bucketed, the default) and once with one message per parameter
(``bucket_bytes=0``). Every process runs one BLAS thread. Reported: global rows per
second, the speed-up over one process, the share of step time spent averaging
gradients (copies, the all-reduce and any wait for the slower process), and the time
of the all-reduce alone (both processes already waiting, a buffer of the model's size).

Each round starts fresh processes for one and for two processes. A run during which
other processes kept busy more than the cores the run leaves free, less half a core
(at least 0.1), is left out of the medians (the report counts them): with two processes
on two cores, any other load slows one of them, and the slower process sets the pace
of every step. Needs mpi4py and an MPI launcher (``pip install
'minigrad[mpi]'``); run from the repository root::

    python benchmarks/distributed.py                  # 3 rounds, about two minutes
    python benchmarks/distributed.py --rounds 5 --seconds 3 --json dist.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads BLAS; the workers inherit it

import numpy as np  # noqa: E402

from benchmarks.harness import _machine_busy_s, other_load_limit  # noqa: E402

# (workload, global batch): the rows of the report
CASES = (("cnn", 32), ("cnn", 128), ("w4", 128), ("w4", 512))
PARAMETERS = {"cnn": 29_066, "w4": 269_322}


# --------------------------------------------------------------------------- one process
def build(workload: str, batch: int, shard, seed: int = 0):
    """(model, optimizer, loss function, loader) of one workload."""
    from minigrad import nn, optim
    from minigrad.data import DataLoader
    from minigrad.nn import functional as F

    f32 = np.float32
    if workload == "cnn":
        from minigrad.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(f32).reshape(-1, 1, 8, 8)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, dtype=f32, rng=seed), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, dtype=f32, rng=seed + 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * 4 * 4, 10, dtype=f32, rng=seed + 2))
        opt = optim.Adam(model.parameters(), lr=0.003)
        loss_fn = F.cross_entropy
    else:
        rng = np.random.RandomState(4)
        X = rng.randn(2048, 784).astype(f32)
        y = np.eye(10, dtype=f32)[rng.randint(0, 10, size=2048)]
        model = nn.Sequential(
            nn.Linear(784, 256, dtype=f32, rng=seed), nn.Sigmoid(),
            nn.Linear(256, 256, dtype=f32, rng=seed + 1), nn.Sigmoid(),
            nn.Linear(256, 10, dtype=f32, rng=seed + 2))
        opt = optim.SGD(model.parameters(), lr=0.1)
        loss_fn = F.mse_loss
    assert sum(p.data.size for p in model.parameters()) == PARAMETERS[workload]
    loader = DataLoader(X, y, batch_size=batch, shuffle=True, seed=seed, drop_last=True,
                        shard=shard)
    return model, opt, loss_fn, loader


def batches(loader):
    while True:
        yield from loader


def measure(workload: str, batch: int, seconds: float, bucket_bytes: int | None) -> dict:
    """Train for about ``seconds``; ``bucket_bytes`` None: one process, no MPI."""
    dist = None
    shard = None
    if bucket_bytes is not None:
        from minigrad import distributed as dist

        shard = (dist.rank(), dist.world_size())
    model, opt, loss_fn, loader = build(workload, batch, shard)
    if dist is not None:
        dist.broadcast_parameters(model)
        opt = dist.DistributedOptimizer(opt, bucket_bytes=bucket_bytes)
    feed = batches(loader)

    def step():
        xb, yb = next(feed)
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

    for _ in range(10):
        step()
    start = time.perf_counter()
    for _ in range(10):
        step()
    per_step = (time.perf_counter() - start) / 10
    steps = max(20, int(seconds / per_step))
    if dist is not None:  # every process takes as many steps as rank 0
        steps = int(dist.communicator().bcast(steps, root=0))
        dist.barrier()
        sync0, messages0 = opt.sync_time_s, opt.messages
    busy0, cpu0 = _machine_busy_s(), time.process_time()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - start
    busy1, cpu = _machine_busy_s(), time.process_time() - cpu0
    out = {"workload": workload, "batch": batch, "steps": steps}
    if dist is None:
        out.update(processes=1, mode="one process", elapsed_s=elapsed)
    else:
        sync = opt.sync_time_s - sync0
        cpu = float(dist.all_reduce(cpu, op="sum"))  # the job's own CPU time
        elapsed, sync = (float(v) for v in dist.all_reduce([elapsed, sync], op="max"))
        dist.check_synchronized(model)
        out.update(processes=dist.world_size(), elapsed_s=elapsed, sync_s=sync,
                   mode="bucketed" if bucket_bytes else "per parameter",
                   messages_per_step=(opt.messages - messages0) / steps,
                   allreduce_alone_s=allreduce_alone(model, bucket_bytes))
    out["rows_per_s"] = batch * steps / out["elapsed_s"]
    if busy0 is not None and busy1 is not None:  # cores other processes kept busy
        out["other_load"] = max(0.0, (busy1 - busy0 - cpu) / out["elapsed_s"])
    out["step_ms"] = 1e3 * out["elapsed_s"] / steps
    return out


def allreduce_alone(model, bucket_bytes: int, repeats: int = 200) -> float:
    """Seconds per all-reduce of the model's gradients, both processes ready (a barrier
    before every call), copies included."""
    from minigrad import distributed as dist

    grads = [np.ones_like(p.data) for p in model.parameters()]
    times = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(grads, bucket_bytes=bucket_bytes)
        times.append(time.perf_counter() - start)
    return float(statistics.median(times))


def worker(args) -> None:
    results = []
    if args.processes == 1:
        for workload, batch in CASES:
            results.append(measure(workload, batch, args.seconds, None))
    else:
        from minigrad import distributed as dist

        dist.init()
        # a first run warms up what a fresh job has cold (shared-memory segments, caches)
        measure(*CASES[0], min(args.seconds, 1.0), dist.DEFAULT_BUCKET_BYTES)
        modes = [dist.DEFAULT_BUCKET_BYTES, 0]
        for workload, batch in CASES:
            for bucket_bytes in modes if args.round % 2 == 0 else modes[::-1]:
                results.append(measure(workload, batch, args.seconds, bucket_bytes))
        if dist.rank() != 0:
            return
    print("RESULT " + json.dumps(results), flush=True)


# --------------------------------------------------------------------------- orchestration
def launcher() -> list[str]:
    found = None
    for name in ("mpirun", "mpiexec"):
        here = os.path.join(os.path.dirname(sys.executable), name)
        found = here if os.path.exists(here) else shutil.which(name)
        if found:
            break
    if found is None:
        sys.exit("distributed.py: no mpirun or mpiexec found; pip install 'minigrad[mpi]'")
    version = subprocess.run([found, "--version"], capture_output=True, text=True)
    extra = ["--oversubscribe"] if "Open MPI" in version.stdout + version.stderr else []
    return [found, "-n", "2", *extra]


def run_worker(cmd: list[str], seconds: float) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=ROOT, OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([*cmd, "--seconds", str(seconds)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=900)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or len(lines) != 1:
        sys.exit(f"distributed.py: a worker failed ({' '.join(cmd)}):\n{done.stdout}\n"
                 f"{done.stderr}")
    rows: list[dict] = json.loads(lines[0][len("RESULT "):])
    return rows


def report(rounds: list[list[dict]]) -> str:
    """The Markdown table: medians over the quiet runs of each row (all runs, marked,
    where none was quiet)."""
    groups: dict[tuple, list[dict]] = {}
    for results in rounds:
        for r in results:
            groups.setdefault((r["workload"], r["batch"], r["mode"]), []).append(r)

    cores = os.cpu_count() or 1

    def pick(key: tuple) -> tuple[list[dict], str]:
        runs = groups[key]
        limit = other_load_limit(runs[0]["processes"], cores)
        quiet = [r for r in runs if r.get("other_load", 0.0) <= limit]
        return (quiet, f"{len(quiet)}/{len(runs)}") if quiet else (runs, f"0/{len(runs)} ⚠")

    def med(rows: list[dict], field: str) -> float:
        return statistics.median(r[field] for r in rows)

    lines = [
        "| workload | global batch | processes | gradients sent | rows/s | step | speed-up "
        "| averaging, share of step | all-reduce alone | messages per step | quiet runs |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload, batch in CASES:
        one, n_one = pick((workload, batch, "one process"))
        base = med(one, "rows_per_s")
        name = f"{workload} ({PARAMETERS[workload]:,} parameters)"
        lines.append(f"| {name} | {batch} | 1 | — | {base:,.0f} | {med(one, 'step_ms'):.2f} ms "
                     f"| 1.00× | — | — | — | {n_one} |")
        for mode in ("bucketed", "per parameter"):
            rows, n = pick((workload, batch, mode))
            share = statistics.median(r["sync_s"] / r["elapsed_s"] for r in rows)
            lines.append(
                f"| {name} | {batch} | 2 | {mode} | {med(rows, 'rows_per_s'):,.0f} | "
                f"{med(rows, 'step_ms'):.2f} ms | {med(rows, 'rows_per_s') / base:.2f}× | "
                f"{100 * share:.1f} % | {1e6 * med(rows, 'allreduce_alone_s'):.0f} µs | "
                f"{med(rows, 'messages_per_step'):.0f} | {n} |")
    loads = [r["other_load"] for results in rounds for r in results if "other_load" in r]
    if loads:
        lines.append(f"\nMedians over the quiet runs: those during which other processes kept "
                     f"at most {other_load_limit(2, cores)} cores busy (2 processes) or "
                     f"{other_load_limit(1, cores)} (1 process) (over all runs: "
                     f"{min(loads):.2f} to {max(loads):.2f}); ⚠ marks a row with none, whose "
                     "figures are disturbed.")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="fresh 1- and 2-process runs")
    p.add_argument("--seconds", type=float, default=2.0, help="timed training per row")
    p.add_argument("--json", help="write every round's figures here")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--round", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    me = [sys.executable, os.path.abspath(__file__), "--worker"]
    two = [*launcher(), *me, "--processes", "2"]
    rounds: list[list[dict]] = []
    started = time.time()
    load = os.getloadavg()
    for i in range(args.rounds):
        one_first = i % 2 == 0
        order = [me, two] if one_first else [two, me]
        for cmd in order:
            rounds.append(run_worker([*cmd, "--round", str(i)], args.seconds))
        print(f"round {i + 1}/{args.rounds} done ({time.time() - started:.0f} s)",
              file=sys.stderr, flush=True)
    print(report(rounds))
    print(f"\n{args.rounds} rounds, {args.seconds:g} s per row; one BLAS thread per process; "
          f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}; "
          f"{os.cpu_count()} cores")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rounds": rounds, "seconds": args.seconds}, f, indent=1)


if __name__ == "__main__":
    main()
