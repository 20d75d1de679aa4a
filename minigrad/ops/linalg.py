"""Products of arrays: matmul (with numpy's rules for vectors) and the notes' add_bias."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import implements, save_crossed
from .arithmetic import Add

__all__ = ["matmul", "add_bias"]


class Matmul(Function):
    """a @ b. A 1-D operand is a vector, as in numpy: a row on the left, a column on
    the right, its added axis removed from the result."""

    formula = "dL/d{0} = dL/d{y}·{1}ᵀ;  dL/d{1} = {0}ᵀ·dL/d{y}"
    __slots__ = ("vec",)

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            _matmul_error(a, b)
        try:
            out = a @ b
        except ValueError:
            _matmul_error(a, b)
        self.vec = (a.ndim == 1, b.ndim == 1)
        save_crossed(self, a, b)
        return out

    def backward(self, g):
        a, b = self.saved
        va, vb = self.vec
        if not (va or vb):
            return (g @ b.mT if b is not None else None), (a.mT @ g if a is not None else None)
        # vectors as matrices: a as a row (1, n), b as a column (n, 1), and the gradient
        # with the axes the result lost put back
        if va and vb:
            gshape = (1, 1)
        elif va:
            gshape = g.shape[:-1] + (1,) + g.shape[-1:]
        else:
            gshape = g.shape + (1,)
        g2 = g.reshape(gshape)
        ga = gb = None
        if b is not None:  # dL/da needs b
            b2 = b.reshape(b.shape + (1,)) if vb else b
            ga = g2 @ b2.mT
            if va:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if a is not None:
            a2 = a.reshape((1,) + a.shape) if va else a
            gb = a2.mT @ g2
            if vb:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def _matmul_error(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least 1 dimension, got a of shape {a.shape} and "
            f"b of shape {b.shape}; use mul for a product with a scalar"
        )
    n = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != n:
        raise ValueError(
            f"matmul: a of shape {a.shape} and b of shape {b.shape} do not fit: a has "
            f"{a.shape[-1]} columns but b has {n} rows"
        )
    raise ValueError(
        f"matmul: batch dimensions of a {a.shape[:-2]} and b {b.shape[:-2]} do not broadcast"
    )


@implements(np.matmul)
def matmul(a, b) -> Tensor:
    """a @ b under numpy's rules: matrices, batches of them (leading dims broadcast), and
    vectors (vector · matrix, matrix · vector, vector · vector). Finite unless a sum of
    products passes the dtype's largest value."""
    return Matmul.apply(a, b)


class AddBias(Add):
    """P = N + B: one bias per column, the same for every row."""

    name = "add_bias"
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = Σ_rows dL/d{y}"
    __slots__ = ()

    def forward(self, n, b):
        if n.ndim != 2:
            raise ValueError(
                f"add_bias: n must be 2-D (batch, features), got shape {n.shape}"
            )
        k = n.shape[1]
        if b.shape != (k,) and b.shape != (1, k):
            raise ValueError(
                f"add_bias: bias has shape {b.shape}; for n of shape {n.shape} it must be "
                f"({k},) or (1, {k})"
            )
        return n + b


def add_bias(n, b) -> Tensor:
    """P = N + B with n of shape (batch, k) and b of shape (k,) or (1, k)."""
    return AddBias.apply(n, b)
