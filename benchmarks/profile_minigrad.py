"""Where minigrad's time goes on the overhead-bound workloads W1, W3 and W6.

Usage (from the repository root)::

    python benchmarks/profile_minigrad.py                  # cProfile, W1, W3, W6
    python benchmarks/profile_minigrad.py --only W6 --top 30
    # sampling profile with py-spy (pip install py-spy), then a per-function summary:
    py-spy record -r 2000 -f raw -o /tmp/w6.txt -- \\
        python benchmarks/profile_minigrad.py --loop W6 --seconds 10
    python benchmarks/profile_minigrad.py --summarize-pyspy /tmp/w6.txt

The code profiled is the benchmark's own minigrad contender (the same user-level
code as ``run.py`` times), single-threaded. cProfile adds a fixed cost to every
Python call, so it inflates call-heavy code; the report therefore gives each
category's share of the profiled time and converts it to microseconds with the
unprofiled time of the same code (an estimate; py-spy's sampling, which adds no
per-call cost, is the cross-check). numpy ufuncs and array operators do not appear
in cProfile as calls of their own: their time is counted in the Python function
that invokes them (an op's ``forward``/``backward``), which is why those are listed
as "op forward / backward (numpy work inside)".
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from collections import defaultdict
from time import perf_counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from benchmarks import chain, elementwise, mlp  # noqa: E402


def _w1():
    prob = mlp.Problem((13, 13, 1), batch=32, dtype=np.float64, lr=0.01, seed=1)
    m = mlp.MinigradMLP(prob)
    batch = m.prepare(prob.X.copy(), prob.Y.copy())
    return (lambda: m.step(batch)), 1, "SGD step"


def _w3(op):
    def make():
        x0, consts = elementwise.data()
        run, _ = elementwise.minigrad_factory(op, x0, consts.get(op))
        return run, elementwise.K, f"{op} op (forward + backward)"

    return make


def _w6():
    run = chain.minigrad_factory(chain.ITERS)
    return run, chain.ITERS * chain.OPS_PER_ITER, "chain op (forward + backward)"


TARGETS = {
    "W1": _w1,
    "W3-add": _w3("add"),
    "W3-mul": _w3("mul"),
    "W3-sigmoid": _w3("sigmoid"),
    "W6": _w6,
}

# (category, predicate on (filename, function name))
_CATEGORIES = [
    ("Function.apply (op dispatch)", lambda f, n: f.endswith("autograd.py") and n == "apply"),
    ("_tensors (wrapping constants)", lambda f, n: f.endswith("autograd.py") and n == "_tensors"),
    ("_make (Tensor construction)", lambda f, n: f.endswith("tensor.py") and n == "_make"),
    ("engine loop (run_backward)", lambda f, n: f.endswith("autograd.py")
     and n == "run_backward"),
    ("toposort / heap", lambda f, n: n in ("_toposort", "<built-in method _heapq.heappush>",
                                           "<built-in method _heapq.heappop>")),
    ("_accumulate_leaf", lambda f, n: n == "_accumulate_leaf"),
    ("_sum_to (broadcast reduction)", lambda f, n: n in ("_sum_to", "_sum_plan")),
    ("save_for_backward (read-only flags)", lambda f, n: n == "save_for_backward"),
    ("backward() entry, output grad", lambda f, n: f.endswith(("autograd.py", "tensor.py"))
     and n in ("backward", "_output_grad")),
    ("op forward (numpy work inside)", lambda f, n: f.endswith("ops.py") and n == "forward"),
    ("op backward (numpy work inside)", lambda f, n: f.endswith("ops.py") and n == "backward"),
    ("ops.py helpers (lower-case fns, _sigmoid_array, ...)", lambda f, n: f.endswith("ops.py")),
    ("no_grad / in-place update", lambda f, n: f.endswith("tensor.py")
     and n in ("_inplace", "__isub__", "__rmul__", "__mul__")
     or n in ("__enter__", "__exit__")),
    ("other minigrad", lambda f, n: "minigrad" in f),
    ("numpy C calls (array methods, np.* builtins)", lambda f, n: f == "~"),
    ("benchmark code (the user's loop)", lambda f, n: "benchmarks" in f),
]


def _category(filename: str, name: str) -> str:
    for cat, pred in _CATEGORIES:
        if pred(filename, name):
            return cat
    return "other"


def _unprofiled(fn, calls: int) -> float:
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(5):
        t0 = perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (perf_counter() - t0) / calls)
    return best


def profile(key: str, calls: int, top: int) -> None:
    fn, per, unit = TARGETS[key]()
    t_call = _unprofiled(fn, calls)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    print(f"\n=== {key}: {per} ops per call; unprofiled {t_call * 1e6 / per:.2f} µs per {unit} "
          f"({t_call * 1e3:.3f} ms per call); profiled total {total / calls * 1e3:.3f} ms "
          f"per call (cProfile overhead x{total / calls / t_call:.1f})")
    cats: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, _line, name), (_cc, nc, tt, _ct, _callers) in st.stats.items():
        cats[_category(filename, name)] += tt
        rows.append((tt, nc, filename, name))
    print(f"\n{'category':55s} {'share':>6s} {'≈µs/op':>8s}")
    for cat, tt in sorted(cats.items(), key=lambda kv: -kv[1]):
        share = tt / total
        print(f"{cat:55s} {share:6.1%} {share * t_call * 1e6 / per:8.3f}")
    print(f"\ntop {top} functions by own time (tottime):")
    print(f"{'share':>6s} {'calls/op':>8s} {'≈µs/op':>8s}  function")
    for tt, nc, filename, name in sorted(rows, reverse=True)[:top]:
        where = "" if filename == "~" else f"{os.path.relpath(filename, ROOT)}:"
        print(f"{tt / total:6.1%} {nc / calls / per:8.2f} {tt / total * t_call * 1e6 / per:8.3f}"
              f"  {where}{name}")


def loop(key: str, seconds: float) -> None:
    """Run one target for ``seconds`` (for an external sampling profiler)."""
    fn, _, _ = TARGETS[key]()
    _profiled_loop(fn, seconds)


def _profiled_loop(fn, seconds: float) -> None:
    end = perf_counter() + seconds
    while perf_counter() < end:
        fn()


def summarize_pyspy(path: str, top: int) -> None:
    """Self time per function and per line from a py-spy ``--format raw`` file.

    Samples outside the profiled loop (interpreter start-up, imports, set-up) are left
    out: only stacks that pass through ``_profiled_loop`` count."""
    by_line: dict[str, int] = defaultdict(int)
    by_func: dict[str, int] = defaultdict(int)
    total = 0
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not any(fr.startswith("_profiled_loop (") for fr in frames):
                continue
            n = int(count)
            total += n
            leaf = frames[-1]
            by_line[leaf] += n
            func, _, where = leaf.partition(" (")
            by_func[f"{func} ({where.rsplit(':', 1)[0]})"] += n
    cats: dict[str, int] = defaultdict(int)
    for name, n in by_func.items():
        cats[_pyspy_category(name)] += n
    print(f"{total} samples in the loop; self time by category (numpy's C work counts in "
          "the Python line that calls it):")
    for name, n in sorted(cats.items(), key=lambda kv: -kv[1]):
        print(f"{n / total:6.1%}  {name}")
    print("\nself time by function:")
    for name, n in sorted(by_func.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{n / total:6.1%}  {name}")
    print("\nself time by line:")
    for name, n in sorted(by_line.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{n / total:6.1%}  {name}")


def _pyspy_category(func: str) -> str:
    """Group py-spy's ``Class.method (path)`` names like the cProfile categories."""
    name, _, path = func.partition(" (")
    path = path.rstrip(")")
    short = name.rsplit(".", 1)[-1]
    if "minigrad/" in path:
        if name == "Function.apply":
            return "Function.apply (op dispatch)"
        if short == "_make":
            return "_make (Tensor construction)"
        if name == "run_backward":
            return "engine loop (run_backward)"
        if short == "save_for_backward":
            return "save_for_backward (read-only flags)"
        if short in ("_accumulate_leaf", "_sum_to", "_sum_plan", "_output_grad", "backward") \
                and "autograd.py" in path or name == "Tensor.backward":
            return "engine: leaf accumulation, broadcast sums, backward() entry"
        if short == "_sigmoid_array" or short == "forward" and "ops.py" in path:
            return "op forward incl. numpy (forward, _sigmoid_array)"
        if short == "backward" and "ops.py" in path:
            return "op backward incl. numpy"
        if name.startswith("Tensor.") and short in ("_inplace", "__isub__", "__rmul__"):
            return "in-place update (W -= lr * W.grad)"
        if name.startswith("Tensor.") or "ops.py" in path:
            return "operator / lower-case function wrappers"
        return "other minigrad (" + name + ")"
    if "numpy/" in path:
        return "numpy Python wrappers (ndarray.sum -> _methods._sum, np.ones)"
    if "benchmarks/" in path:
        return "the user's code (benchmark loop)"
    return "other"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated targets: " + ", ".join(TARGETS))
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--loop", metavar="TARGET", help="just run TARGET (for py-spy)")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--summarize-pyspy", metavar="RAW_FILE")
    args = ap.parse_args(argv)
    if args.summarize_pyspy:
        summarize_pyspy(args.summarize_pyspy, args.top)
        return 0
    if args.loop:
        loop(args.loop, args.seconds)
        return 0
    keys = args.only.split(",") if args.only else list(TARGETS)
    calls = {"W1": 3000, "W6": 5}
    for key in keys:
        profile(key, calls.get(key, 400), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
