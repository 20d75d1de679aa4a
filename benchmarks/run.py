"""minigrad benchmark suite: six workloads, minigrad against numpy and other frameworks.

Usage (from the repository root)::

    python benchmarks/run.py                 # full run, about 5-10 minutes on 2 cores
    python benchmarks/run.py --quick         # smoke run, under a minute
    python benchmarks/run.py --json out.json --markdown out.md
    python benchmarks/run.py --only W1,W6    # a subset

Each workload runs in a fresh worker process with its thread count fixed through the
environment before numpy / torch / jax load (1 thread for the tiny workloads W1, W2,
W3, W6; every core for the BLAS-bound W4, W5), and again in-process (threadpoolctl,
torch.set_num_threads). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are passed through as
the caller set them. W5's peak memory is measured in one more process per contender.
The suite aborts with a non-zero exit status when any contender's gradients or
parameters differ from the hand-derived numpy baseline's. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import frameworks as fw  # noqa: E402
from benchmarks import harness, report  # noqa: E402

THIS = os.path.abspath(__file__)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _threads(spec: str) -> int:
    return 1 if spec == "1" else _cores()


def _loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


def _preload(notes: list[str]) -> None:
    """Import the optional frameworks before any thread limit applies to them."""
    for loader in (fw.load_torch, fw.load_autograd, fw.load_jax):
        try:
            loader()
        except fw.Unavailable as e:
            notes.append(str(e))


def _framework_threads() -> dict:
    out = {}
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch_num_threads"] = torch.get_num_threads()
        out["torch_parallel_info"] = torch.__config__.parallel_info()
        out["torch_blas"] = str(torch.__config__.show())
    return out


# --------------------------------------------------------------------------- workers


def worker(keys: list[str], quick: bool, out_path: str) -> None:
    """Run ``keys`` (workloads with the same thread count) one after the other."""
    from benchmarks.workloads import WORKLOADS

    settings = harness.Settings(quick)
    preload_notes: list[str] = []
    _preload(preload_notes)
    threads = _threads(WORKLOADS[keys[0]].threads)
    results = {}
    with harness.ThreadLimit(threads):
        info = {"threads": threads, "blas": harness.blas_info(), **_framework_threads(),
                "pid": os.getpid()}
        for key in keys:
            wl = WORKLOADS[key]
            notes = list(preload_notes)
            t0 = time.perf_counter()
            result = wl.func(settings, notes)
            result.update(
                key=key, title=wl.title, notes=list(dict.fromkeys(notes)), info=info,
                settings=settings.as_dict(), wall_s=time.perf_counter() - t0,
            )
            results[key] = result
    with open(out_path, "w") as f:
        json.dump(results, f)


_LOADERS = {fw.TORCH: fw.load_torch, fw.AUTOGRAD: fw.load_autograd, fw.JAX: fw.load_jax,
            fw.MINIGRAD_NN: fw.load_minigrad_nn, fw.MINIGRAD_COMPILED: fw.load_minigrad_compile,
            fw.MINIGRAD_NN_COMPILED: fw.load_minigrad_nn}


def memory_worker(spec: str, quick: bool, out_path: str) -> None:
    """``spec`` is ``rss:NAME`` or ``tracemalloc:NAME``."""
    from benchmarks import memory, mlp
    from benchmarks.workloads import w5_problem

    method, _, name = spec.partition(":")
    import minigrad  # noqa: F401  (imported before the baseline, like the other frameworks)

    try:
        if name in _LOADERS:
            _LOADERS[name]()
    except fw.Unavailable as e:
        result = {"skipped": str(e)}
    else:

        def build():
            prob = w5_problem()
            m = mlp.make(prob, [], only={name})[name]
            batch = m.prepare(prob.X.copy(), prob.Y.copy())
            del prob  # the shared originals go; each contender keeps its own copies
            return lambda: m.step(batch)

        measure = memory.measure_rss if method == "rss" else memory.measure_tracemalloc
        with harness.ThreadLimit(_cores()):
            result = measure(build, warmup=1 if quick else 2, repeats=1 if quick else 3)
    with open(out_path, "w") as f:
        json.dump(result, f)


# --------------------------------------------------------------------------- orchestration


def _spawn(args: list[str], env: dict, what: str) -> dict:
    fd, path = tempfile.mkstemp(suffix=".json", prefix="minigrad-bench-")
    os.close(fd)
    try:
        proc = subprocess.run([sys.executable, THIS, *args, "--out", path], env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout)
            sys.stderr.write(proc.stderr)
            tail = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            raise SystemExit(f"\nABORTED: {what} failed (exit {proc.returncode}): {tail[0]}")
        if proc.stderr.strip():
            # warnings from the frameworks, kept for the record
            sys.stderr.write(proc.stderr)
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter samples (< 1 min)")
    ap.add_argument("--json", metavar="PATH", help="write all raw figures and machine info")
    ap.add_argument("--markdown", metavar="PATH", help="also write the report to a file")
    ap.add_argument("--only", metavar="W1,W2,...", help="run these workloads only")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--memory-worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        worker(args.worker.split(","), args.quick, args.out)
        return 0
    if args.memory_worker:
        memory_worker(args.memory_worker, args.quick, args.out)
        return 0

    from benchmarks.workloads import WORKLOADS

    keys = list(WORKLOADS)
    if args.only:
        keys = [k.strip().upper() for k in args.only.split(",") if k.strip()]
        unknown = [k for k in keys if k not in WORKLOADS]
        if unknown:
            ap.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")

    t_start = time.perf_counter()
    data = {
        "machine": harness.machine_info(ROOT),
        "settings": harness.Settings(args.quick).as_dict(),
        "workloads": {},
        "memory": {},
        "load_average_start": _loadavg(),
    }
    # One worker process per workload; in quick mode one per thread count, to save the
    # frameworks' import time.
    if args.quick:
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(WORKLOADS[key].threads, []).append(key)
        batches = list(groups.values())
    else:
        batches = [[key] for key in keys]
    extra = ["--quick"] if args.quick else []
    for batch in batches:
        threads = _threads(WORKLOADS[batch[0]].threads)
        titles = "; ".join(f"{k}: {WORKLOADS[k].title}" for k in batch)
        print(f"[{time.perf_counter() - t_start:6.1f}s] {titles} "
              f"({threads} thread{'s' if threads > 1 else ''}) ...", file=sys.stderr, flush=True)
        with harness.OtherLoad() as load:
            got = _spawn(["--worker", ",".join(batch), *extra], harness.thread_env(threads),
                         f"workload {','.join(batch)}")
        limit = harness.other_load_limit(threads, _cores())
        for result in got.values():
            result["other_load_cores"] = load.cores
            result["other_load_limit"] = limit
        if load.cores is not None and load.cores > limit:
            print(f"         warning: other processes kept {load.cores:.2f} cores busy during "
                  f"{','.join(batch)}; its figures are unreliable", file=sys.stderr, flush=True)
        data["workloads"].update(got)
    if "W5" in data["workloads"]:
        from benchmarks.memory import MALLOC_ENV, TRACEMALLOC_OK

        names = list(data["workloads"]["W5"]["rows"][0]["results"])
        env = {**harness.thread_env(_cores()), **MALLOC_ENV}
        print(f"[{time.perf_counter() - t_start:6.1f}s] W5 memory, one process per "
              f"contender ...", file=sys.stderr, flush=True)
        for name in names:
            entry = _spawn(["--memory-worker", f"rss:{name}", *extra], env,
                           f"W5 memory of {name}")
            if name in TRACEMALLOC_OK and not args.quick:  # the cross-check: full mode
                entry["tracemalloc"] = _spawn(["--memory-worker", f"tracemalloc:{name}",
                                               *extra], env, f"W5 tracemalloc of {name}")
            data["memory"][name] = entry
    # keep the report in the canonical workload order
    data["workloads"] = {k: data["workloads"][k] for k in keys}
    data["load_average_end"] = _loadavg()
    data["total_wall_s"] = time.perf_counter() - t_start
    data["targets"] = report.targets(data)
    text = report.markdown(data)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    print(f"done in {data['total_wall_s']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
