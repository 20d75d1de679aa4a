"""The six workloads. Each runs in its own worker process (see ``run.py``) and returns
its rows: raw samples and summaries per contender, plus notes and extra figures."""

from __future__ import annotations

from time import perf_counter

import numpy as np

from . import chain, elementwise, mlp
from . import frameworks as fw
from .harness import check_close, summarize, time_interleaved, time_once


class Workload:
    def __init__(self, key: str, title: str, threads: str, func):
        self.key = key
        self.title = title
        self.threads = threads  # "1" or "all"
        self.func = func


def _row(label: str, results: dict, unit_note: str = "") -> dict:
    return {"label": label, "per": unit_note, "results": results}


# --------------------------------------------------------------------------- W1, W2


def w1(settings, notes):
    prob = mlp.Problem((13, 13, 1), batch=32, dtype=np.float64, lr=0.01, seed=1)
    models, batches = mlp.check_step("W1", prob, notes, check_close)
    res = time_interleaved(mlp.step_callables(models, batches), settings)
    return {"rows": [_row("W1 SGD step, 13→13→1 sigmoid, batch 32, f64", res)]}


W2_ROWS = 354
W2_BATCH = 23


def w2(settings, notes):
    prob = mlp.Problem((13, 13, 1), batch=W2_BATCH, dtype=np.float64, lr=0.001, seed=2,
                       rows=W2_ROWS)
    models = mlp.check_epoch("W2", prob, notes, check_close, seed=22, batch=W2_BATCH)
    res = time_interleaved(mlp.epoch_callables(models, prob, 23, W2_BATCH), settings)
    return {"rows": [_row("W2 epoch, 354 rows, shuffled batches of 23 (16 steps), f64", res)]}


# --------------------------------------------------------------------------- W3


def w3(settings, notes):
    rows = []
    for op in elementwise.OPS:
        op_notes: list[str] = []
        runs = elementwise.make(op, op_notes)
        for n in op_notes:
            if n not in notes:
                notes.append(n)
        ref = runs[fw.NUMPY][1]()
        for name, (_, grad) in runs.items():
            check_close(f"W3 {op}", name, "dL/dx", [grad()], [ref])
        res = time_interleaved({n: r for n, (r, _) in runs.items()}, settings,
                               per=elementwise.K)
        rows.append(_row(f"W3 {op}, 4×4 f64, forward+backward per op", res, "per op"))
    notes.append(
        f"W3: each call is a chain of {elementwise.K} ops from a leaf that requires grad, "
        "then backward with an output gradient of ones; times are per op. jax.jit fuses "
        "the whole chain into one compiled kernel, so its per-op time is not a per-op "
        "dispatch cost."
    )
    return {"rows": rows}


# --------------------------------------------------------------------------- W4, W5


def w4(settings, notes):
    prob = mlp.Problem((784, 256, 256, 10), batch=128, dtype=np.float32, lr=0.1, seed=4,
                       one_hot=True)
    models, batches = mlp.check_step("W4", prob, notes, check_close)
    res = time_interleaved(mlp.step_callables(models, batches), settings)
    notes.append("W4: loss is the MSE (mean) against one-hot targets, for every contender.")
    return {"rows": [_row("W4 SGD step, 784→256→256→10 sigmoid, batch 128, f32", res)]}


def w5_problem():
    return mlp.Problem((1024, 2048, 1024), batch=1024, dtype=np.float32, lr=0.01, seed=5)


def w5(settings, notes):
    prob = w5_problem()
    models, batches = mlp.check_step("W5", prob, notes, check_close)
    res = time_interleaved(mlp.step_callables(models, batches), settings)
    return {"rows": [_row("W5 SGD step, 1024→2048 sigmoid→1024, batch 1024, f32", res)]}


# --------------------------------------------------------------------------- W6

CHAIN_100K_ITERS = 50_000  # two ops each


def w6(settings, notes):
    runs = chain.make(chain.ITERS, notes)
    ref_v, ref_g = runs[fw.NUMPY]()
    for name, run in runs.items():
        v, g = run()
        check_close("W6", name, "value and dL/dx of the 10,000-op chain", [v, g],
                    [ref_v, ref_g])
    short = chain.make(chain.SHORT, [])
    sv, sg = short[fw.NUMPY]()
    for name, run in short.items():
        v, g = run()
        check_close("W6", name, f"value and dL/dx of a {2 * chain.SHORT}-op chain",
                    [v, g], [sv, sg])
    ops = chain.ITERS * chain.OPS_PER_ITER
    res = time_interleaved(runs, settings)
    notes.append(
        f"W6: y = σ(y·c) repeated {chain.ITERS} times = {ops:,} ops (a multiply and a "
        "sigmoid) on shape (1,), then backward; one figure per whole chain. jax.jit runs "
        "the chain as lax.fori_loop (an unrolled 10,000-op trace takes minutes of XLA "
        "compile time)."
    )

    # the 100,000-op chain in minigrad: does it run, and how long does it take
    long_ops = CHAIN_100K_ITERS * chain.OPS_PER_ITER
    big = chain.make(CHAIN_100K_ITERS, [], only=(fw.NUMPY, fw.MINIGRAD))
    extra = {}
    try:
        # the checked run is the first timed one; full mode adds two more
        times = {}
        values = {}
        for name in (fw.NUMPY, fw.MINIGRAD):
            t0 = perf_counter()
            values[name] = big[name]()
            times[name] = [perf_counter() - t0]
        check_close("W6", fw.MINIGRAD, f"value and dL/dx of the {long_ops:,}-op chain",
                    values[fw.MINIGRAD], values[fw.NUMPY])
        del values
        if not settings.quick:
            for name in (fw.NUMPY, fw.MINIGRAD):
                times[name] += time_once(big[name], 2)["samples"]
        extra["chain_100k"] = {"ops": long_ops, "ran": True,
                               "minigrad": summarize(times[fw.MINIGRAD]),
                               "numpy": summarize(times[fw.NUMPY])}
    except RecursionError as e:  # anything else is a real failure and propagates
        extra["chain_100k"] = {"ops": long_ops, "ran": False, "error": repr(e)}
    return {"rows": [_row(f"W6 chain of {ops:,} ops on shape (1,) + backward, f64", res)],
            "extra": extra}


WORKLOADS = {
    "W1": Workload("W1", "one SGD step, small MLP, float64", "1", w1),
    "W2": Workload("W2", "one epoch, small MLP, float64", "1", w2),
    "W3": Workload("W3", "per elementwise op, 4×4 float64", "1", w3),
    "W4": Workload("W4", "one SGD step, 784→256→256→10, float32", "all", w4),
    "W5": Workload("W5", "one SGD step, 1024→2048→1024, float32", "all", w5),
    "W6": Workload("W6", "10,000-op chain on shape (1,), float64", "1", w6),
}
