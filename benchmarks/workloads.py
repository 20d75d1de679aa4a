"""The six workloads. Each runs in its own worker process (see ``run.py``) and returns
its rows: raw samples and summaries per contender, plus notes and extra figures.

Every workload is split in two: ``setup`` builds the contenders, checks their gradients
against the numpy baseline and returns the callables to time (``Timed`` rows), and the
workload function times them. ``compare.py`` calls ``setup`` with ``only`` = numpy and
minigrad to time minigrad alone at two revisions."""

from __future__ import annotations

from time import perf_counter
from typing import NamedTuple

import numpy as np

from . import chain, elementwise, mlp
from . import frameworks as fw
from .harness import check_close, summarize, time_interleaved, time_once


class Timed(NamedTuple):
    """One row to time: ``fns`` = {contender: callable}; ``per`` divides every time."""

    label: str
    fns: dict
    per: float = 1.0
    unit_note: str = ""


class Workload:
    def __init__(self, key: str, title: str, threads: str, func, setup):
        self.key = key
        self.title = title
        self.threads = threads  # "1" or "all"
        self.func = func  # (settings, notes) -> {"rows": [...], ...}
        self.setup = setup  # (notes, only=None) -> [Timed, ...], checked against numpy


def _row(label: str, results: dict, unit_note: str = "") -> dict:
    return {"label": label, "per": unit_note, "results": results}


def _time_rows(rows: list[Timed], settings) -> list[dict]:
    return [_row(r.label, time_interleaved(r.fns, settings, per=r.per), r.unit_note)
            for r in rows]


# --------------------------------------------------------------------------- W1, W2


def w1_setup(notes, only=None):
    prob = mlp.Problem((13, 13, 1), batch=32, dtype=np.float64, lr=0.01, seed=1)
    models, batches = mlp.check_step("W1", prob, notes, check_close, only=only)
    return [Timed("W1 SGD step, 13→13→1 sigmoid, batch 32, f64",
                  mlp.step_callables(models, batches))]


def w1(settings, notes):
    return {"rows": _time_rows(w1_setup(notes), settings)}


W2_ROWS = 354
W2_BATCH = 23


def w2_setup(notes, only=None):
    prob = mlp.Problem((13, 13, 1), batch=W2_BATCH, dtype=np.float64, lr=0.001, seed=2,
                       rows=W2_ROWS)
    models = mlp.check_epoch("W2", prob, notes, check_close, seed=22, batch=W2_BATCH,
                             only=only)
    return [Timed("W2 epoch, 354 rows, shuffled batches of 23 (16 steps), f64",
                  mlp.epoch_callables(models, prob, 23, W2_BATCH))]


def w2(settings, notes):
    return {"rows": _time_rows(w2_setup(notes), settings)}


# --------------------------------------------------------------------------- W3


def w3_setup(notes, only=None):
    rows = []
    for op in elementwise.OPS:
        op_notes: list[str] = []
        runs = elementwise.make(op, op_notes, only=only)
        for n in op_notes:
            if n not in notes:
                notes.append(n)
        ref = runs[fw.NUMPY][1]()
        for name, (_, grad) in runs.items():
            check_close(f"W3 {op}", name, "dL/dx", [grad()], [ref])
        rows.append(Timed(f"W3 {op}, 4×4 f64, forward+backward per op",
                          {n: r for n, (r, _) in runs.items()}, elementwise.K, "per op"))
    return rows


def w3(settings, notes):
    rows = _time_rows(w3_setup(notes), settings)
    notes.append(
        f"W3: each call is a chain of {elementwise.K} ops from a leaf that requires grad, "
        "then backward with an output gradient of ones; times are per op. jax.jit fuses "
        "the whole chain into one compiled kernel, so its per-op time is not a per-op "
        "dispatch cost."
    )
    if any(fw.MINIGRAD_COMPILED in r["results"] for r in rows):
        notes.append(
            f"W3: {fw.MINIGRAD_COMPILED} returns the chain's value as well as dL/dx, so "
            "that its replay keeps every forward op, as numpy's baseline computes them; "
            "returning dL/dx alone it would drop the ops dL/dx does not depend on (for "
            "add, all of them)."
        )
    return {"rows": rows}


# --------------------------------------------------------------------------- W4, W5


def w4_setup(notes, only=None):
    prob = mlp.Problem((784, 256, 256, 10), batch=128, dtype=np.float32, lr=0.1, seed=4,
                       one_hot=True)
    models, batches = mlp.check_step("W4", prob, notes, check_close, only=only)
    return [Timed("W4 SGD step, 784→256→256→10 sigmoid, batch 128, f32",
                  mlp.step_callables(models, batches))]


def w4(settings, notes):
    rows = _time_rows(w4_setup(notes), settings)
    notes.append("W4: loss is the MSE (mean) against one-hot targets, for every contender.")
    return {"rows": rows}


def w5_problem():
    return mlp.Problem((1024, 2048, 1024), batch=1024, dtype=np.float32, lr=0.01, seed=5)


def w5_setup(notes, only=None):
    models, batches = mlp.check_step("W5", w5_problem(), notes, check_close, only=only)
    return [Timed("W5 SGD step, 1024→2048 sigmoid→1024, batch 1024, f32",
                  mlp.step_callables(models, batches))]


def w5(settings, notes):
    return {"rows": _time_rows(w5_setup(notes), settings)}


# --------------------------------------------------------------------------- W6

CHAIN_100K_ITERS = 50_000  # two ops each


def w6_setup(notes, only=None):
    """The 10,000-op chain, checked in full and at 40 ops (its gradient underflows)."""
    runs = chain.make(chain.ITERS, notes, only=only)
    ref_v, ref_g = runs[fw.NUMPY]()
    for name, run in runs.items():
        t0 = perf_counter()
        v, g = run()  # minigrad compiled: the first call records
        first_s = perf_counter() - t0
        check_close("W6", name, "value and dL/dx of the 10,000-op chain", [v, g],
                    [ref_v, ref_g])
        if name == fw.MINIGRAD_COMPILED:
            info = run.compiled.trace_info()[0]
            notes.append(
                f"W6: {fw.MINIGRAD_COMPILED}'s first call, which runs the chain eagerly "
                f"while recording it and then generates the replay function "
                f"({info['kept']:,} of {info['instructions']:,} recorded instructions kept, "
                f"{len(info['source'].splitlines()):,} lines of Python), took "
                f"{first_s:.2f} s; it is the checked call, not timed. The timed calls "
                "replay."
            )
    short = chain.make(chain.SHORT, [], only=only)
    sv, sg = short[fw.NUMPY]()
    for name, run in short.items():
        v, g = run()
        check_close("W6", name, f"value and dL/dx of a {2 * chain.SHORT}-op chain",
                    [v, g], [sv, sg])
    ops = chain.ITERS * chain.OPS_PER_ITER
    return [Timed(f"W6 chain of {ops:,} ops on shape (1,) + backward, f64", runs)]


def w6(settings, notes):
    rows = _time_rows(w6_setup(notes), settings)
    ops = chain.ITERS * chain.OPS_PER_ITER
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
    return {"rows": rows, "extra": extra}


WORKLOADS = {
    "W1": Workload("W1", "one SGD step, small MLP, float64", "1", w1, w1_setup),
    "W2": Workload("W2", "one epoch, small MLP, float64", "1", w2, w2_setup),
    "W3": Workload("W3", "per elementwise op, 4×4 float64", "1", w3, w3_setup),
    "W4": Workload("W4", "one SGD step, 784→256→256→10, float32", "all", w4, w4_setup),
    "W5": Workload("W5", "one SGD step, 1024→2048→1024, float32", "all", w5, w5_setup),
    "W6": Workload("W6", "10,000-op chain on shape (1,), float64", "1", w6, w6_setup),
}
