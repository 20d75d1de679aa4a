"""Peak memory of one training step (workload W5), one contender per process.

Method (the same for every contender): a fresh process imports only its contender's
framework and notes its resident memory (the *baseline*). Then it builds the data
and the model (each contender makes its own copies; the shared originals are freed),
runs warm-up steps, and measures single steps. Two figures per step:

* **peak** (primary, the one the targets use): the resident-set high-water mark
  during the step minus the baseline. It counts everything the contender holds at
  its worst moment: parameters, its copy of the batch, state kept between steps
  (gradients an optimizer keeps until ``zero_grad``, compiled code) and the step's
  temporaries. The high-water mark (VmHWM) is reset before the step by writing ``5``
  to ``/proc/self/clear_refs``.
* **step transient**: the same high-water mark minus the resident memory just
  before the step: what the step allocates on top of what is already held.

The worker runs with ``MALLOC_MMAP_THRESHOLD_=65536`` so that glibc serves every
large array with its own mmap and returns it to the kernel when it is freed;
otherwise glibc's adaptive threshold keeps freed arrays in its heap after the
warm-up and hides them. Resident memory sees every allocator (numpy, PyTorch,
XLA) alike.

Cross-check for the numpy-based contenders (numpy, minigrad, HIPS autograd), in a
separate process so that tracing costs nothing above: numpy reports its array
allocations to tracemalloc, which traces from the baseline on; its peak during the
step is the same "peak" quantity for arrays and Python objects. PyTorch and XLA
allocate outside it, so it is not reported for them.

Each figure is the median over the measured steps.
"""

from __future__ import annotations

import gc
import statistics
import tracemalloc

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}
TRACEMALLOC_OK = ("numpy (hand-derived)", "minigrad", "minigrad (nn)", "minigrad compiled",
                  "minigrad (nn) compiled", "HIPS autograd")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError as e:
        raise RuntimeError(
            f"cannot reset the resident-memory high-water mark ({e}); the memory "
            "measurement needs Linux's /proc/self/clear_refs"
        ) from None


def measure_rss(build, warmup: int = 2, repeats: int = 3) -> dict:
    """``build()`` makes the model and data and returns the step function."""
    gc.collect()
    base = _status_kib("VmRSS")
    step = build()
    for _ in range(warmup):
        step()
    peak, transient = [], []
    for _ in range(repeats):
        gc.collect()
        _reset_hwm()
        before = _status_kib("VmRSS")
        step()
        hwm = _status_kib("VmHWM")
        peak.append((hwm - base) * 1024)
        transient.append((hwm - before) * 1024)
    return {
        "method": "VmHWM (reset via clear_refs) minus VmRSS after imports; "
                  "MALLOC_MMAP_THRESHOLD_=65536",
        "baseline_rss_bytes": base * 1024,
        "peak_bytes": statistics.median(peak),
        "transient_bytes": statistics.median(transient),
        "peak_samples": peak,
        "transient_samples": transient,
    }


def measure_tracemalloc(build, warmup: int = 2, repeats: int = 3) -> dict:
    gc.collect()
    tracemalloc.start()
    try:
        step = build()
        for _ in range(warmup):
            step()
        peak, transient = [], []
        for _ in range(repeats):
            gc.collect()
            tracemalloc.reset_peak()
            before, _ = tracemalloc.get_traced_memory()
            step()
            _, top = tracemalloc.get_traced_memory()
            peak.append(top)
            transient.append(top - before)
    finally:
        tracemalloc.stop()
    return {
        "peak_bytes": statistics.median(peak),
        "transient_bytes": statistics.median(transient),
        "peak_samples": peak,
        "transient_samples": transient,
    }
