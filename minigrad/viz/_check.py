"""A gradient check of one recorded op node, for graphs that check themselves.

The node is run again at its inputs (float64 copies of the parents' arrays) as a fresh
instance of its class, with the keyword arguments it was applied with, so nothing of
the user's graph changes: not the node, its saved arrays, nor any ``.grad``. Its
backward, given a random output gradient ``u``, is compared with central differences
of ``Σ u ⊙ forward(x)``: element by element for inputs of up to
``ELEMENTWISE_LIMIT`` values, along a few random directions for larger ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..autograd import _sum_to, no_grad
from ..tensor import Tensor

#: a check passes when the largest relative error is below this
TOLERANCE = 1e-4
#: inputs with at most this many values are checked element by element
ELEMENTWISE_LIMIT = 256
#: random directions for larger inputs
DIRECTIONS = 4
_STEP = 1e-6


@dataclass(frozen=True)
class NodeCheck:
    """The outcome of checking one node: ``status`` is "pass", "fail" or "skip"."""

    status: str
    error: float | None  # the largest relative error over the inputs checked
    detail: str = ""  # for a skipped node: why

    @property
    def label(self) -> str:
        if self.status == "skip":
            return f"not checked: {self.detail}"
        if self.status == "pass":
            return f"✓ grad check: rel. error {self.error:.0e}"
        return f"✗ grad check FAILED: rel. error {self.error:.2g}"


def _fresh(fn, arrays, wanted):
    """A new, unrecorded instance of ``fn``'s op with stand-in parents."""
    node = object.__new__(type(fn))
    node.saved = ()
    # like Function.apply: parents are Tensors whose requires_grad says which
    # gradients the backward must give
    node.parents = tuple(
        Tensor(a, requires_grad=i in wanted) for i, a in enumerate(arrays)
    )
    return node


def _forward(fn, arrays, wanted, kwargs):
    node = _fresh(fn, arrays, wanted)
    return node, np.asarray(node.forward(*arrays, **kwargs))


def check_node(fn, seed: int = 0, tolerance: float = TOLERANCE) -> NodeCheck:
    """Check ``fn``'s backward against central differences at its recorded inputs;
    ``seed`` seeds the random output gradient and directions."""
    try:
        return _check(fn, seed, tolerance)
    except Exception as e:  # any failure to run the op is reported in its label
        text = f"{type(e).__name__}: {e}"
        return NodeCheck("skip", None, text if len(text) <= 60 else text[:57] + "...")


def _check(fn, seed: int, tolerance: float) -> NodeCheck:
    parents = fn.parents
    if parents is None:
        return NodeCheck("skip", None, "not a recorded op")
    kwargs = getattr(fn, "kwargs", None) or {}
    originals = [np.asarray(p.data) for p in parents]
    wanted = {
        i for i, (p, a) in enumerate(zip(parents, originals))
        if p.requires_grad and a.dtype.kind == "f"
    }  # fmt: skip
    if not wanted:
        return NodeCheck("skip", None, "no input needs a gradient")

    def copies():
        return [a.astype(np.float64) if a.dtype.kind == "f" else a.copy() for a in originals]

    rng = np.random.RandomState(seed)
    with no_grad(), np.errstate(all="ignore"):
        node, out = _forward(fn, copies(), wanted, kwargs)
        if out.dtype != np.float64:
            return NodeCheck("skip", None, f"output is {out.dtype}, not float64")
        u = rng.standard_normal(out.shape)
        grads = node.backward(u.copy())
        if type(grads) is not tuple:
            grads = (grads,) if len(parents) == 1 and type(grads) is not list else tuple(grads)
        if len(grads) != len(parents):
            return NodeCheck("fail", float("inf"), "")

        def phi(i, x):
            arrays = copies()
            arrays[i] = x
            return float(np.sum(_forward(fn, arrays, wanted, kwargs)[1] * u))

        worst = 0.0
        for i in sorted(wanted):
            x = originals[i].astype(np.float64)
            g = grads[i]
            g = np.zeros_like(x) if g is None else np.asarray(g, dtype=np.float64)
            if g.shape != x.shape:
                g = _sum_to(g, x.shape)
            if x.size <= ELEMENTWISE_LIMIT:
                numeric = np.empty(x.size)
                for k in range(x.size):
                    h = _STEP * max(1.0, abs(float(x.flat[k])))
                    up, down = x.copy(), x.copy()
                    up.flat[k] += h
                    down.flat[k] -= h
                    numeric[k] = (phi(i, up) - phi(i, down)) / (2 * h)
                analytic = g.ravel()
            else:
                numeric, analytic = np.empty(DIRECTIONS), np.empty(DIRECTIONS)
                scale = max(1.0, float(np.abs(x).max()))
                for k in range(DIRECTIONS):
                    v = rng.standard_normal(x.shape)
                    h = _STEP * scale
                    numeric[k] = (phi(i, x + h * v) - phi(i, x - h * v)) / (2 * h)
                    analytic[k] = float(np.sum(g * v))
            if not (np.all(np.isfinite(numeric)) and np.all(np.isfinite(analytic))):
                return NodeCheck("skip", None, "values are not finite")
            size = max(float(np.abs(numeric).max()), float(np.abs(analytic).max()), 1e-7)
            worst = max(worst, float(np.abs(numeric - analytic).max()) / size)
    return NodeCheck("pass" if worst < tolerance else "fail", worst)
