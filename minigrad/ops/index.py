"""Indexing and selection: x[index], and where."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import implements, needs

__all__ = ["getitem", "where"]


def _scatter_array(g, shape, index):
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic_index(index):
        out[index] = g
    else:
        np.add.at(out, index, g)  # repeated indices accumulate
    return out


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if not (p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))):
            return False
    return True


def _normalize_index(index):
    """The index as numpy takes it, with arrays copied: the backward scatters with the
    index as it was when the op ran, whatever the caller does to theirs later."""
    if isinstance(index, Tensor):
        return np.array(index.data)
    if isinstance(index, np.ndarray):
        return np.array(index)
    if isinstance(index, list):
        arr = np.asarray(index)
        # [] is an empty integer index (numpy would make it float64 and refuse it)
        return arr.astype(np.intp) if arr.size == 0 else arr
    if isinstance(index, tuple):
        return tuple(_normalize_index(i) for i in index)
    return index


class GetItem(Function):
    name = "getitem"
    formula = "dL/d{0} = dL/d{y} scattered into zeros at the index"
    __slots__ = ("shape", "index")

    def forward(self, x, index):
        self.shape = x.shape
        self.index = index
        try:
            return x[index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor of shape {x.shape})") from None

    def backward(self, g):
        if isinstance(g, Tensor):
            return ScatterAdd.apply(g, shape=self.shape, index=self.index)
        return _scatter_array(g, self.shape, self.index)


def getitem(x, index) -> Tensor:
    """x[index] for integers, slices, None, Ellipsis, integer arrays and boolean masks."""
    return GetItem.apply(x, index=_normalize_index(index))


class ScatterAdd(Function):
    """Zeros of ``shape`` with ``g`` added at ``index``: the backward of indexing."""

    name = "scatter_add"
    formula = "dL/d{0} = (dL/d{y})[index]"
    __slots__ = ("index",)

    def forward(self, g, shape, index):
        self.index = index
        return _scatter_array(g, shape, index)

    def backward(self, g):
        return g[self.index]


class Where(Function):
    formula = "dL/d{0} = dL/d{y} where the condition holds, else 0;  dL/d{1} = the rest"
    __slots__ = ("cond",)

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        c = self.cond
        return (np.where(c, g, 0) if needs(self, 0) else None), \
            (np.where(c, 0, g) if needs(self, 1) else None)


@implements(np.where)
def where(condition, x=None, y=None) -> Tensor:
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (all three broadcast).
    The gradient goes to ``x`` where the condition holds and to ``y`` elsewhere; the
    condition (booleans) has none. ``where(condition)`` alone is numpy's ``nonzero``,
    which has no gradient and is refused."""
    if x is None or y is None:
        raise TypeError("where: needs condition, x and y; for the indices where a condition "
                        "holds use numpy.nonzero on the condition's data")
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        cond = cond.astype(bool)
    else:
        cond = np.array(cond)  # the op's own copy
    return Where.apply(x, y, cond=cond)
