"""Timing, correctness checks, thread control and machine information.

Everything here is independent of the frameworks being measured.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
from time import perf_counter

import numpy as np

# --------------------------------------------------------------------------- settings


class Settings:
    """How hard to measure: ``quick`` for a smoke run, ``full`` for the figures."""

    def __init__(self, quick: bool):
        self.quick = quick
        self.repeats = 5 if quick else 21  # samples per contender (medians over these)
        self.warmup = 1 if quick else 5  # calls per contender before calibration
        self.slow_call_s = 0.2  # a call this slow is warm after one call
        self.min_sample_s = 0.004 if quick else 0.05  # one sample lasts at least this long
        self.max_sample_calls = 1 << 16

    def as_dict(self) -> dict:
        return {
            "mode": "quick" if self.quick else "full",
            "repeats": self.repeats,
            "warmup": self.warmup,
            "min_sample_s": self.min_sample_s,
        }


# --------------------------------------------------------------------------- timing


def warm_up(fn, settings: Settings) -> None:
    """``settings.warmup`` calls, or a single one when a call takes over ``slow_call_s``."""
    for _ in range(settings.warmup):
        t0 = perf_counter()
        fn()
        if perf_counter() - t0 > settings.slow_call_s:
            break


def calibrate(fn, settings: Settings) -> int:
    """Calls per sample so that one sample lasts at least ``min_sample_s``."""
    n = 1
    while True:
        t0 = perf_counter()
        for _ in range(n):
            fn()
        dt = perf_counter() - t0
        if dt >= settings.min_sample_s or n >= settings.max_sample_calls:
            return n
        if dt <= 0:
            n *= 10
        else:
            guess = int(n * settings.min_sample_s / dt * 1.2)
            n = min(settings.max_sample_calls, max(n + 1, guess))


def sample(fn, number: int, per: float = 1.0) -> float:
    """One sample: ``number`` back-to-back calls, seconds per call divided by ``per``."""
    t0 = perf_counter()
    for _ in range(number):
        fn()
    return (perf_counter() - t0) / number / per


def time_interleaved(fns: dict, settings: Settings, per: float = 1.0) -> dict:
    """Time every callable in ``fns`` round-robin and return raw samples and summaries.

    Each contender is warmed up and calibrated first. Then, for each repeat, every
    contender takes one sample (``number`` back-to-back calls, time divided by
    ``number``); the order rotates from one repeat to the next, so that no contender
    always runs right after the same other one. ``per`` divides every figure (ops per
    call, for per-op times). Times are seconds. The garbage collector stays enabled,
    as in a user's program.
    """
    names = list(fns)
    numbers = {}
    for name in names:
        warm_up(fns[name], settings)
        numbers[name] = calibrate(fns[name], settings)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(settings.repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(sample(fns[name], numbers[name], per))
    return {name: summarize(samples[name], numbers[name]) for name in names}


def summarize(samples: list[float], number: int = 1) -> dict:
    """Median, quartiles and raw samples (seconds)."""
    if len(samples) >= 2:
        q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    else:
        q1 = q3 = samples[0]
    return {
        "median": statistics.median(samples),
        "q1": q1,
        "q3": q3,
        "min": min(samples),
        "number": number,
        "samples": samples,
    }


def time_once(fn, repeats: int) -> dict:
    """Time single calls (for runs too long to repeat often)."""
    samples = []
    for _ in range(repeats):
        gc.collect()
        t0 = perf_counter()
        fn()
        samples.append(perf_counter() - t0)
    return summarize(samples, 1)


# --------------------------------------------------------------------------- checks


class MismatchError(AssertionError):
    """A contender computed different gradients or parameters than the numpy baseline."""


def tolerances(dtype) -> tuple[float, float]:
    """(rtol, atol relative to the reference's largest magnitude) for a dtype."""
    if np.dtype(dtype) == np.float32:
        return 1e-3, 1e-4
    return 1e-9, 1e-12


def check_close(workload: str, contender: str, what: str, got, ref) -> None:
    """Abort with a clear message unless every array in ``got`` matches ``ref``.

    ``np.allclose`` with rtol from :func:`tolerances` and atol scaled by the largest
    magnitude of the reference array, so near-zero entries of a large gradient do
    not fail on rounding while a tiny gradient is still compared relatively.
    """
    got = list(got)
    ref = list(ref)
    if len(got) != len(ref):
        raise MismatchError(
            f"{workload} / {contender}: {what}: {len(got)} arrays, the numpy baseline has "
            f"{len(ref)}"
        )
    for i, (g, r) in enumerate(zip(got, ref)):
        g = np.asarray(g, dtype=np.float64)
        r = np.asarray(r, dtype=np.float64)
        if g.shape != r.shape:
            # a (k,) bias gradient against a (1, k) one is the same gradient
            if g.size == r.size:
                g = g.reshape(r.shape)
            else:
                raise MismatchError(
                    f"{workload} / {contender}: {what}[{i}] has shape {g.shape}, the numpy "
                    f"baseline's has shape {r.shape}"
                )
        rtol, atol_rel = tolerances(np.asarray(ref[i]).dtype)
        scale = float(np.max(np.abs(r))) if r.size else 0.0
        atol = atol_rel * scale if scale > 0 else 1e-300
        if not np.all(np.isfinite(g)) or not np.allclose(g, r, rtol=rtol, atol=atol):
            diff = np.abs(g - r)
            raise MismatchError(
                f"{workload} / {contender}: {what}[{i}] differs from the numpy baseline: "
                f"max |diff| = {np.nanmax(diff):.3e}, max |ref| = {scale:.3e}, "
                f"rtol = {rtol}, atol = {atol:.3e}"
            )


# --------------------------------------------------------------------------- threads


def thread_env(threads: int, base: dict | None = None) -> dict:
    """Environment for a worker process limited to ``threads`` threads.

    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are passed through untouched."""
    env = dict(os.environ if base is None else base)
    n = str(threads)
    env["OPENBLAS_NUM_THREADS"] = n
    env["OMP_NUM_THREADS"] = n
    env["MKL_NUM_THREADS"] = n
    if threads == 1:
        flags = env.get("XLA_FLAGS", "")
        extra = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        env["XLA_FLAGS"] = (flags + " " + extra).strip()
    return env


class ThreadLimit:
    """Apply a thread count in-process: threadpoolctl (if installed) and torch."""

    def __init__(self, threads: int):
        self.threads = threads
        self._ctl = None

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            self._ctl = None
        else:
            self._ctl = threadpool_limits(limits=self.threads)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        if self._ctl is not None:
            self._ctl.restore_original_limits()
        return False


def blas_info() -> list[dict] | str:
    """threadpoolctl's view of the loaded BLAS / OpenMP libraries."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (pip install threadpoolctl)"
    keep = ("user_api", "internal_api", "prefix", "version", "num_threads", "architecture",
            "threading_layer", "filepath")
    return [{k: d.get(k) for k in keep if k in d} for d in threadpool_info()]


# --------------------------------------------------------------------------- other load


class OtherLoad:
    """CPU time that *other* processes used while a worker ran.

    Busy time of the whole machine (``/proc/stat``) minus the CPU time of this
    process and its finished children, divided by the wall time: the average
    number of cores something else kept busy. On a 2-core machine even 0.3 of a
    core elsewhere can make a 2-thread OpenBLAS call many times slower (its threads
    wait for each other), so the report shows this figure next to every workload."""

    def __enter__(self):
        self._t0 = perf_counter()
        self._busy0 = _machine_busy_s()
        self._own0 = _own_cpu_s()
        return self

    def __exit__(self, *exc):
        wall = perf_counter() - self._t0
        busy, own = _machine_busy_s(), _own_cpu_s()
        if busy is None or self._busy0 is None or wall <= 0:
            self.cores = None
        else:
            other = (busy - self._busy0) - (own - self._own0)
            self.cores = max(0.0, other / wall)
        self.wall_s = wall
        return False


def other_load_limit(threads: int, cores: int) -> float:
    """How much other load a workload tolerates before its figures count as disturbed:
    0.1 core when it uses every core, otherwise what leaves it a full core to itself
    with half a core to spare (0.5 for one thread on two cores)."""
    return max(0.1, cores - threads - 0.5)


def _machine_busy_s() -> float | None:
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    v = [int(x) for x in fields[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# --------------------------------------------------------------------------- machine info


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


def git_commit(root: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", root, "status", "--porcelain", "--untracked-files=no", "--",
             "minigrad"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        # "+dirty": minigrad/ itself differs from the commit (the code being measured)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except Exception:
        return None


def machine_info(root: str) -> dict:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    env_keys = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS")
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": affinity,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            name: _version(name)
            for name in ("numpy", "torch", "autograd", "jax", "jaxlib", "threadpoolctl")
        },
        "env": {k: os.environ.get(k) for k in env_keys},
        "minigrad_commit": git_commit(root),
    }
