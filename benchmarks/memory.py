"""Peak memory of one training step (workload W5), one contender per process.

Method (the same for every contender): a fresh process imports only its contender's
framework, builds the model and data, runs warm-up steps, then measures one step:

* **peak RSS above the start** (primary): the kernel's resident-set high-water mark
  (VmHWM) is reset by writing ``5`` to ``/proc/self/clear_refs``, VmRSS is read, one
  step runs, and VmHWM minus that VmRSS is the step's peak extra resident memory.
  The process runs with ``MALLOC_MMAP_THRESHOLD_=65536`` so that glibc serves every
  large array with its own mmap and returns it to the kernel when freed; otherwise
  glibc's adaptive threshold would keep freed arrays in its heap after the warm-up
  and hide them from the measurement. This sees every allocator (numpy, PyTorch,
  XLA), unlike tracemalloc.
* **tracemalloc peak** (cross-check for the numpy-based contenders: numpy, minigrad,
  HIPS autograd): numpy reports its array allocations to tracemalloc, so the traced
  peak during one step, above the traced memory at its start, is the extra memory of
  arrays and Python objects. PyTorch and XLA allocate outside it, so it is not
  reported for them.

Each is the median over three measured steps.
"""

from __future__ import annotations

import gc
import statistics
import tracemalloc

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}
TRACEMALLOC_OK = ("numpy (hand-derived)", "minigrad", "minigrad (nn)", "HIPS autograd")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure(step, name: str, warmup: int = 2, repeats: int = 3) -> dict:
    """Peak extra memory of ``step()`` in bytes, by both methods."""
    for _ in range(warmup):
        step()
    out: dict = {"method": "VmHWM - VmRSS around one step (clear_refs reset), "
                           "MALLOC_MMAP_THRESHOLD_=65536"}
    rss = []
    for _ in range(repeats):
        gc.collect()
        if not _reset_hwm():
            out["rss_error"] = "cannot reset VmHWM (/proc/self/clear_refs not writable)"
            break
        before = _status_kib("VmRSS")
        step()
        rss.append((_status_kib("VmHWM") - before) * 1024)
    if rss:
        out["rss_peak_bytes"] = statistics.median(rss)
        out["rss_samples"] = rss
    if name in TRACEMALLOC_OK:
        traced = []
        tracemalloc.start()
        try:
            for _ in range(repeats):
                gc.collect()
                tracemalloc.reset_peak()
                start, _ = tracemalloc.get_traced_memory()
                step()
                _, peak = tracemalloc.get_traced_memory()
                traced.append(peak - start)
        finally:
            tracemalloc.stop()
        out["tracemalloc_peak_bytes"] = statistics.median(traced)
        out["tracemalloc_samples"] = traced
    return out
