"""Convolution and pooling, minigrad against PyTorch eager: forward + backward, float32.

Three rows, the layers of a small MNIST network at batch 64:

- ``conv1``: conv2d (64, 1, 28, 28) → 16 channels, 3×3, padding 1, bias; the input is
  data (no gradient), the weight and bias get theirs.
- ``conv2``: conv2d (64, 16, 14, 14) → 32 channels, 3×3, padding 1, bias; the input
  needs its gradient too (a layer inside a network).
- ``pool``: max_pool2d 2×2 on conv2's output shape (64, 32, 14, 14), input gradient.

One call is the forward, then backward with an output gradient of ones (made once,
outside the timed call). Both frameworks run with the same number of threads (set in the
environment before numpy and torch load, and with ``torch.set_num_threads``), which the
report prints. Before timing, each row's outputs and gradients are compared.

Samples are interleaved: in each round every contender takes one sample (a fixed number
of back-to-back calls, calibrated so a sample lasts at least ``--min-ms``), the order
alternating between rounds. Reported per call: the median wall-clock time
(``perf_counter``) and the median CPU time of this process (``process_time``), which on a
busy machine is less disturbed by other processes; the ratio minigrad / PyTorch of each.

    python benchmarks/conv.py                  # 1 thread, 21 rounds
    python benchmarks/conv.py --threads 2 --rounds 31
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="threads for BLAS and torch")
    p.add_argument("--rounds", type=int, default=21, help="interleaved samples per contender")
    p.add_argument("--min-ms", type=float, default=50.0, help="least duration of a sample")
    return p.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # before numpy and torch load
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def rows(torch, F, mg, ops):
    """(name, minigrad call, torch call, check) per row; each call runs forward+backward."""
    rng = np.random.RandomState(0)
    out = []

    def conv(name, xshape, cout, x_grad):
        x = rng.randn(*xshape).astype(np.float32)
        w = (rng.randn(cout, xshape[1], 3, 3) * 0.1).astype(np.float32)
        b = (rng.randn(cout) * 0.1).astype(np.float32)
        ones = np.ones((xshape[0], cout) + xshape[2:], np.float32)
        t_ones = torch.from_numpy(ones)
        mx = mg.tensor(x, requires_grad=x_grad)
        mw, mb = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)
        tx = torch.from_numpy(x).requires_grad_(x_grad)
        tw, tb = torch.from_numpy(w).requires_grad_(), torch.from_numpy(b).requires_grad_()

        def run_mg():
            mw.grad = mb.grad = None
            if x_grad:
                mx.grad = None
            ops.conv2d(mx, mw, mb, padding=1).backward(ones)

        def run_torch():
            tw.grad = tb.grad = None
            if x_grad:
                tx.grad = None
            F.conv2d(tx, tw, tb, padding=1).backward(t_ones)

        def check():
            run_mg()
            run_torch()
            pairs = [(mw, tw), (mb, tb)] + ([(mx, tx)] if x_grad else [])
            y = ops.conv2d(mx, mw, mb, padding=1).data
            yt = F.conv2d(tx, tw, tb, padding=1).detach().numpy()
            return [("output", y, yt)] + [
                (f"grad {i}", a.grad.data, t.grad.numpy()) for i, (a, t) in enumerate(pairs)]

        out.append((name, run_mg, run_torch, check))

    conv("conv2d (64,1,28,28)→16, 3×3", (64, 1, 28, 28), 16, False)
    conv("conv2d (64,16,14,14)→32, 3×3", (64, 16, 14, 14), 32, True)

    x = rng.randn(64, 32, 14, 14).astype(np.float32)
    ones = np.ones((64, 32, 7, 7), np.float32)
    t_ones = torch.from_numpy(ones)
    mx = mg.tensor(x, requires_grad=True)
    tx = torch.from_numpy(x).requires_grad_()

    def pool_mg():
        mx.grad = None
        ops.max_pool2d(mx, 2).backward(ones)

    def pool_torch():
        tx.grad = None
        F.max_pool2d(tx, 2).backward(t_ones)

    def pool_check():
        pool_mg()
        pool_torch()
        return [("output", ops.max_pool2d(mx, 2).data, F.max_pool2d(tx, 2).detach().numpy()),
                ("grad", mx.grad.data, tx.grad.numpy())]

    out.append(("max_pool2d 2×2 on (64,32,14,14)", pool_mg, pool_torch, pool_check))
    return out


def calibrate(fn, min_s: float) -> int:
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_s or n >= 4096:
            return n
        n *= 2


def sample(fn, n: int):
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - w0) / n, (time.process_time() - c0) / n


def main(args) -> int:
    import torch
    import torch.nn.functional as F

    import minigrad as mg
    from minigrad import ops

    torch.set_num_threads(args.threads)
    print(f"threads: {args.threads} (BLAS environment and torch.set_num_threads; torch reports "
          f"{torch.get_num_threads()}); numpy {np.__version__}, torch {torch.__version__}; "
          f"minigrad from {os.path.dirname(mg.__file__)}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{args.rounds} interleaved samples per contender, each ≥ {args.min_ms:g} ms\n")
    print("| row | minigrad wall | PyTorch wall | ratio | minigrad CPU | PyTorch CPU | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name, run_mg, run_torch, check in rows(torch, F, mg, ops):
        for what, a, b in check():
            scale = max(float(np.abs(b).max()), 1.0)
            if not np.allclose(a, b, rtol=1e-3, atol=1e-4 * scale):
                print(f"{name}: {what} differs from PyTorch (max |Δ| "
                      f"{np.abs(a - b).max():.3g})")
                return 1
        for fn in (run_mg, run_torch):
            for _ in range(3):
                fn()
        counts = [calibrate(fn, args.min_ms / 1e3) for fn in (run_mg, run_torch)]
        times = {0: [], 1: []}
        for r in range(args.rounds):
            order = (0, 1) if r % 2 == 0 else (1, 0)
            for k in order:
                times[k].append(sample((run_mg, run_torch)[k], counts[k]))
        med = [[statistics.median(t[i] for t in times[k]) * 1e3 for i in (0, 1)] for k in (0, 1)]
        wall, cpu = med[0][0] / med[1][0], med[0][1] / med[1][1]
        worst = max(worst, wall)
        print(f"| {name} | {med[0][0]:.2f} ms | {med[1][0]:.2f} ms | {wall:.2f}× | "
              f"{med[0][1]:.2f} ms | {med[1][1]:.2f} ms | {cpu:.2f}× |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
