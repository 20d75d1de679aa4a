"""Indexing and selection: x[index], where, clip, masked_fill, tril and triu, take,
take_along_axis, and the accumulating writes index_add and scatter_add.

Every index array an op keeps is its own copy, made when the op runs, so a caller who
changes theirs afterwards changes neither the result nor the gradient. Gradients of
the ops that read at indices add the output gradient back at those indices (repeats
accumulate); on Tensors (second order) that is the recorded op ``IndexBackward``,
whose own gradient reads at the indices again.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor
from ._base import SCALARS, implements, needs, one_axis

__all__ = ["getitem", "where", "clip", "masked_fill", "tril", "triu", "take",
           "take_along_axis", "index_add", "scatter_add"]


# --------------------------------------------------------------------------- helpers


def _scatter_array(g, shape, index):
    out = _trace.record(np.zeros, shape, g.dtype, deps=(g, index))
    if _is_basic_index(index):
        out[index] = g
    else:
        _trace.record(np.add.at, out, index, g)  # repeated indices accumulate
    return out


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if not (p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))):
            return False
    return True


def _scatter(g, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeats accumulate): on arrays
    at once, on Tensors as the recorded op ``IndexBackward``."""
    if isinstance(g, Tensor):
        return IndexBackward.apply(g, shape=shape, index=index)
    return _scatter_array(g, shape, index)


def _slice_bound(v):
    if isinstance(v, Tensor):
        v = v.data
    return operator.index(v) if isinstance(v, (np.ndarray, np.generic)) else v


def _normalize_index(index):
    """The index as numpy takes it, with arrays copied: the backward scatters with the
    index as it was when the op ran, whatever the caller does to theirs later. Tensors
    become arrays (integer Tensors index, boolean Tensors mask); a slice may have 0-d
    integer Tensors as its bounds."""
    if isinstance(index, Tensor):
        return _trace.array(index.data)
    if isinstance(index, np.ndarray):
        return _trace.array(index)
    if isinstance(index, list):
        arr = _trace.asarray([i.data if isinstance(i, Tensor) else i for i in index])
        # [] is an empty integer index (numpy would make it float64 and refuse it)
        return arr.astype(np.intp) if arr.size == 0 else arr
    if isinstance(index, tuple):
        return tuple(_normalize_index(i) for i in index)
    if isinstance(index, slice) and any(isinstance(v, (Tensor, np.ndarray))
                                        for v in (index.start, index.stop, index.step)):
        try:
            return slice(_slice_bound(index.start), _slice_bound(index.stop),
                         _slice_bound(index.step))
        except TypeError:
            raise IndexError(f"getitem: slice bounds must be integers, got {index}") from None
    return index


def _index_array(indices, op: str, what: str = "indices") -> np.ndarray:
    """Integer indices as the op's own intp array (Tensors, arrays and lists)."""
    if isinstance(indices, Tensor):
        indices = indices.data
    arr = _trace.array(indices)
    if arr.size == 0 and arr.dtype.kind == "f":  # [] is an empty integer index
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {what} must be integers, got dtype {arr.dtype} "
                        f"(shape {arr.shape})")
    return arr.astype(np.intp, copy=False)


def _check_range(idx: np.ndarray, n: int, op: str, what: str, axis, shape,
                 negative: bool) -> None:
    low = -n if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = idx[(idx < low) | (idx >= n)].flat[0]
        raise IndexError(
            f"{op}: {what} {bad} is out of range for axis {axis} of size {n} (tensor of "
            f"shape {tuple(shape)}; {what} must be in [{low}, {n}))"
        )


def _along_axis(index: np.ndarray, axis: int, sizes: tuple) -> tuple:
    """The integer-array index that reads ``index`` along ``axis`` and runs through
    ``sizes`` on every other axis (broadcast against ``index``): ``a[t]`` is numpy's
    take_along_axis and PyTorch's gather."""
    nd = index.ndim
    out = []
    for d in range(nd):
        if d == axis:
            out.append(index)
        else:
            shape = [1] * nd
            shape[d] = sizes[d]
            out.append(np.arange(sizes[d]).reshape(shape))
    return tuple(out)


# --------------------------------------------------------------------------- getitem


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
        return _scatter(g, self.shape, self.index)


def getitem(x: Any, index: Any) -> Tensor:
    """x[index], with all of numpy's basic and advanced indexing: integers, slices
    (negative steps too), None, Ellipsis, integer arrays (broadcast together; advanced
    indices separated by a slice or None put their axes first, as in numpy), boolean
    masks of any number of dimensions, and integer or boolean Tensors in place of
    arrays (a slice may have 0-d integer Tensors as bounds).

    The gradient adds dL/dout into zeros of x's shape at the index; an element read
    more than once gets the sum of its gradients."""
    return GetItem.apply(x, index=_normalize_index(index))


class IndexBackward(Function):
    """Zeros of ``shape`` with ``g`` added at ``index``: the backward of the ops that read
    at indices (getitem, take, take_along_axis, scatter_add's source), recorded when that
    backward runs on Tensors (second order). Its own gradient reads at the index."""

    name = "getitem_backward"
    formula = "dL/d{0} = (dL/d{y})[index]"
    __slots__ = ("index",)

    def forward(self, g, shape, index):
        self.index = index
        return _scatter_array(g, shape, index)

    def backward(self, g):
        return g[self.index]


# --------------------------------------------------------------------------- where, clip


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
def where(condition: Any, x: Any = None, y: Any = None) -> Tensor:
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (all three broadcast).
    The gradient goes to ``x`` where the condition holds and to ``y`` elsewhere; the
    condition (booleans) has none. ``where(condition)`` alone is numpy's ``nonzero``,
    which has no gradient and is refused."""
    if x is None or y is None:
        raise TypeError("where: needs condition, x and y; for the indices where a condition "
                        "holds use numpy.nonzero on the condition's data")
    cond = condition.data if isinstance(condition, Tensor) else _trace.asarray(condition)
    if cond.dtype != bool:
        cond = cond.astype(bool)
    else:
        cond = _trace.array(cond)  # the op's own copy
    return Where.apply(x, y, cond=cond)


class Clip(Function):
    formula = ("dL/d{0} = dL/d{y} where a_min ≤ {0} ≤ a_max, else 0;  a tensor bound gets "
               "dL/d{y} where it binds")
    __slots__ = ()

    def forward(self, x, *bounds, has_min=True, has_max=True):
        lo = bounds[0] if has_min else None
        hi = bounds[-1] if has_max else None
        out = np.clip(x, lo, hi)
        if self.parents is not None:
            # PyTorch's clamp: x's gradient passes where a_min ≤ x ≤ a_max (bounds
            # included); a_min's where x < a_min < a_max; a_max's where x > a_max or
            # a_max < a_min (then the result is a_max everywhere). One mask per input.
            masks = [None] * len(self.parents)
            if needs(self, 0):
                inside = True
                if has_min:
                    inside = x >= lo
                if has_max:
                    inside = inside & (x <= hi)
                masks[0] = inside
            if has_min and needs(self, 1):
                masks[1] = (x < lo) & (lo < hi) if has_max else x < lo
            if has_max and needs(self, len(masks) - 1):
                masks[-1] = (x > hi) | (hi < lo) if has_min else x > hi
            self.save_for_backward(*masks)
        return out

    def backward(self, g):
        return tuple(None if m is None else g if m is True else np.where(m, g, 0)
                     for m in self.saved)


def _bound(v, x, op: str):
    """A clip bound as an op input: Tensors as they are, a number in the dtype numpy
    would give it beside ``x``, anything else a constant."""
    if type(v) in SCALARS:
        other = x.data if isinstance(x, Tensor) else _trace.asarray(x)
        return _trace.asarray(v, dtype=np.result_type(other, v))
    return v


@implements(np.clip)
def clip(
    x: Any,
    a_min: Any = None,
    a_max: Any = None,
    *,
    min: Any = None,
    max: Any = None,
) -> Tensor:
    """x limited to [a_min, a_max] elementwise: numpy's ``clip`` (PyTorch's ``clamp``).
    Each bound is a number, an array or a tensor broadcasting against x, or None for no
    bound (``min=`` and ``max=`` are numpy's other names for them). Where a_min > a_max
    the result is a_max, as in numpy and PyTorch.

    Gradients, as PyTorch's ``clamp``: 1 for x where a_min ≤ x ≤ a_max (the bounds
    included), else 0; a tensor bound gets the gradient where it binds: a_min where
    x < a_min (and a_min < a_max), a_max where x > a_max (or a_max < a_min). Finite
    everywhere."""
    if min is not None:
        if a_min is not None:
            raise TypeError("clip: a_min and min name the same bound; pass one of them")
        a_min = min
    if max is not None:
        if a_max is not None:
            raise TypeError("clip: a_max and max name the same bound; pass one of them")
        a_max = max
    bounds = [_bound(b, x, "clip") for b in (a_min, a_max) if b is not None]
    return Clip.apply(x, *bounds, has_min=a_min is not None, has_max=a_max is not None)


# --------------------------------------------------------------------------- masked_fill


def _mask_array(mask, op: str) -> np.ndarray:
    m = mask.data if isinstance(mask, Tensor) else _trace.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"{op}: mask must be boolean, got dtype {m.dtype} (shape {m.shape}); "
                        "compare first (x > 0) or use astype(bool)")
    return _trace.array(m)  # the op's own copy


class MaskedFill(Function):
    name = "masked_fill"
    formula = "dL/d{0} = dL/d{y} where the mask is false, else 0;  dL/dvalue = Σ the rest"
    __slots__ = ("mask",)

    def forward(self, x, *value, mask, fill=None):
        v = value[0] if value else fill
        shape = np.broadcast_shapes(x.shape, mask.shape, np.shape(v))
        if shape != x.shape:
            raise ValueError(
                f"masked_fill: mask of shape {mask.shape} and value of shape {np.shape(v)} "
                f"must broadcast to the shape of x {x.shape} (they give {shape})"
            )
        self.mask = mask
        out = np.where(mask, v, x)
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    def backward(self, g):
        m = self.mask
        gx = np.where(m, 0, g) if needs(self, 0) else None
        if len(self.parents) == 1:
            return gx
        return gx, (np.where(m, g, 0) if needs(self, 1) else None)


def masked_fill(x: Any, mask: Any, value: Any) -> Tensor:
    """x with ``value`` where the boolean ``mask`` holds (PyTorch's ``masked_fill``):
    the result has x's shape and dtype; mask and value broadcast to it. ``value`` is a
    number or a tensor.

    The gradient goes to x where the mask is false, and to a tensor value where it is
    true (summed over the positions it fills). Finite everywhere."""
    m = _mask_array(mask, "masked_fill")
    if type(value) in SCALARS:
        return MaskedFill.apply(x, mask=m, fill=value)
    return MaskedFill.apply(x, value, mask=m)


# --------------------------------------------------------------------------- tril, triu


def _tri_mask(shape, k, op: str, lower: bool) -> np.ndarray:
    if len(shape) == 0:
        raise ValueError(f"{op}: needs at least 1 dimension, got a 0-d tensor (shape ())")
    try:
        k = operator.index(k)
    except TypeError:
        raise TypeError(f"{op}: k must be an integer, got {k!r}") from None
    # numpy's rule: the mask of the last two axes (a 1-d input is taken as the rows of
    # a square matrix, so the result is 2-d)
    if lower:
        return np.tri(*shape[-2:], k=k, dtype=bool)
    return ~np.tri(*shape[-2:], k=k - 1, dtype=bool)


class Tril(Function):
    formula = "dL/d{0} = dL/d{y} on and below diagonal k, else 0"
    __slots__ = ("mask",)
    lower = True

    def forward(self, x, k=0):
        self.mask = _tri_mask(x.shape, k, self.name, self.lower)
        return np.where(self.mask, x, np.zeros((), x.dtype))  # in x's dtype, bool too

    def backward(self, g):
        return np.where(self.mask, g, 0)


@implements(np.tril)
def tril(x: Any, k: Any = 0) -> Tensor:
    """The lower triangle of the last two axes of x: elements on and below diagonal k
    (k > 0 above the main diagonal, k < 0 below), zeros elsewhere, as numpy's ``tril``
    (a 1-d x gives a square matrix). The gradient passes through the kept elements and
    is 0 elsewhere."""
    return Tril.apply(x, k=k)


class Triu(Tril):
    formula = "dL/d{0} = dL/d{y} on and above diagonal k, else 0"
    __slots__ = ()
    lower = False


@implements(np.triu)
def triu(x: Any, k: Any = 0) -> Tensor:
    """The upper triangle of the last two axes of x: elements on and above diagonal k,
    zeros elsewhere, as numpy's ``triu`` (a 1-d x gives a square matrix). The gradient
    passes through the kept elements and is 0 elsewhere."""
    return Triu.apply(x, k=k)


# --------------------------------------------------------------------------- take


class Take(Function):
    formula = "dL/d{0} = dL/d{y} added into zeros at the indices"
    __slots__ = ("shape", "flat", "index")

    def forward(self, x, indices, axis=None, mode="raise"):
        self.shape = x.shape
        ax = None if axis is None else one_axis(axis, x.shape, self.name)
        src = x.reshape(-1) if ax is None else x
        ax = 0 if ax is None else ax
        n = src.shape[ax]
        if mode == "raise":
            _check_range(indices, n, self.name, "index", ax if axis is not None else None,
                         src.shape, negative=True)
        elif n == 0 and indices.size:
            raise IndexError(f"take: cannot take from an empty axis (tensor of shape "
                             f"{x.shape}) with mode={mode!r}")
        elif mode == "wrap":
            indices = indices % n
        else:  # clip
            indices = np.clip(indices, 0, n - 1)
        self.flat = src.shape
        self.index = (slice(None),) * ax + (indices,)
        return src[self.index]

    def backward(self, g):
        out = _scatter(g, self.flat, self.index)
        return out if self.flat == self.shape else out.reshape(self.shape)


@implements(np.take)
def take(x: Any, indices: Any, axis: Any = None, mode: Any = "raise") -> Tensor:
    """Elements of x at integer ``indices`` along ``axis`` (numpy's ``take``); with
    axis None, of x flattened. The result's shape is x.shape[:axis] + indices.shape +
    x.shape[axis+1:]. Negative indices count from the end; ``mode`` is numpy's: "raise"
    (out-of-range indices are an error), "wrap" or "clip".

    The gradient adds dL/dout into zeros of x's shape at the indices (repeats
    accumulate)."""
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    return Take.apply(x, indices=_index_array(indices, "take"), axis=axis, mode=mode)


class TakeAlongAxis(Function):
    name = "take_along_axis"
    formula = "dL/d{0} = dL/d{y} added into zeros at the indices along the axis"
    __slots__ = ("shape", "flat", "index")

    def forward(self, x, indices, axis=-1):
        self.shape = x.shape
        op = self.name
        if axis is None:
            src, ax = x.reshape(-1), 0
            if indices.ndim != 1:
                raise ValueError(f"{op}: with axis=None the indices must be 1-d, got shape "
                                 f"{indices.shape}")
        else:
            ax = one_axis(axis, x.shape, op)
            if ax is None:
                raise ValueError(f"{op}: needs at least 1 dimension, got a 0-d tensor")
            src = x
            if indices.ndim != x.ndim:
                raise ValueError(f"{op}: indices (shape {indices.shape}) must have as many "
                                 f"dimensions as x (shape {x.shape})")
        _check_range(indices, src.shape[ax], op, "index", ax, src.shape, negative=True)
        self.flat = src.shape
        self.index = _along_axis(indices, ax, src.shape)
        try:
            return src[self.index]
        except IndexError:
            raise ValueError(f"{op}: indices of shape {indices.shape} do not broadcast "
                             f"against x of shape {x.shape} off axis {ax}") from None

    def backward(self, g):
        out = _scatter(g, self.flat, self.index)
        return out if self.flat == self.shape else out.reshape(self.shape)


@implements(np.take_along_axis)
def take_along_axis(x: Any, indices: Any, axis: Any = -1) -> Tensor:
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis`` (numpy's
    ``take_along_axis``, PyTorch's ``gather``): ``indices`` has as many dimensions as x
    and broadcasts against it on the other axes; with axis None x is flattened and the
    indices are 1-d. Negative indices count from the end.

    The gradient adds dL/dout into zeros of x's shape at the indices (repeats
    accumulate)."""
    return TakeAlongAxis.apply(x, indices=_index_array(indices, "take_along_axis"),
                               axis=axis)


# --------------------------------------------------------------------------- index_add, scatter_add


class IndexAdd(Function):
    name = "index_add"
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = (dL/d{y}) at the index along the axis"
    __slots__ = ("index",)

    def forward(self, x, source, axis, index):
        op = self.name
        ax = one_axis(axis, x.shape, op)
        if ax is None:
            raise ValueError(f"{op}: needs at least 1 dimension, got a 0-d tensor")
        if index.ndim != 1:
            raise ValueError(f"{op}: index must be 1-d, got shape {index.shape}")
        want = x.shape[:ax] + index.shape + x.shape[ax + 1:]
        if source.shape != want:
            raise ValueError(
                f"{op}: source has shape {source.shape}; for x of shape {x.shape}, axis "
                f"{ax} and an index of length {index.size} it must have shape {want}"
            )
        _check_range(index, x.shape[ax], op, "index", ax, x.shape, negative=False)
        self.index = (slice(None),) * ax + (index,)
        out = _trace.record(np.array, x, dtype=np.result_type(x, source), deps=(source, index))
        _trace.record(np.add.at, out, self.index, source)  # repeated indices accumulate
        return out

    def backward(self, g):
        return (g if needs(self, 0) else None), \
            (_trace.record(operator.getitem, g, self.index) if needs(self, 1) else None)


def index_add(x: Any, axis: Any, index: Any, source: Any) -> Tensor:
    """x with ``source`` added at ``index`` along ``axis`` (PyTorch's ``index_add``,
    arguments in its order: input, dim, index, source): out[..., index[i], ...] +=
    source[..., i, ...]. ``index`` is 1-d with values in [0, x.shape[axis]); ``source``
    has x's shape except along ``axis``, where it has len(index). Repeated indices
    accumulate.

    Gradients: dL/dout for x; for source, dL/dout read at the index along the axis."""
    return IndexAdd.apply(x, source, axis=axis, index=_index_array(index, "index_add", "index"))


class ScatterAdd(Function):
    name = "scatter_add"
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = (dL/d{y}) gathered at the index along the axis"
    __slots__ = ("fancy", "block", "src_shape")

    def forward(self, x, src, axis, index):
        op = self.name
        ax = one_axis(axis, x.shape, op)
        if ax is None:
            raise ValueError(f"{op}: needs at least 1 dimension, got a 0-d tensor")
        if not index.ndim == x.ndim == src.ndim:
            raise ValueError(f"{op}: x (shape {x.shape}), index (shape {index.shape}) and "
                             f"src (shape {src.shape}) must have the same number of dimensions")
        for d, n in enumerate(index.shape):
            if n > src.shape[d] or (d != ax and n > x.shape[d]):
                raise ValueError(
                    f"{op}: index of shape {index.shape} is larger than src (shape "
                    f"{src.shape}) or, off axis {ax}, than x (shape {x.shape}) in dimension {d}"
                )
        _check_range(index, x.shape[ax], op, "index", ax, x.shape, negative=False)
        self.fancy = _along_axis(index, ax, index.shape)
        self.block = tuple(slice(0, n) for n in index.shape)
        self.src_shape = src.shape
        out = _trace.record(np.array, x, dtype=np.result_type(x, src),
                          deps=(src, self.fancy))
        _trace.record(np.add.at, out, self.fancy, src[self.block])  # repeated indices accumulate
        return out

    def backward(self, g):
        gsrc = None
        if needs(self, 1):
            gsrc = _trace.record(operator.getitem, g, self.fancy)
            if gsrc.shape != self.src_shape:  # src beyond the index's extent is unused
                gsrc = _scatter(gsrc, self.src_shape, self.block)
        return (g if needs(self, 0) else None), gsrc


def scatter_add(x: Any, axis: Any, index: Any, src: Any) -> Tensor:
    """x with ``src`` added along ``axis`` at ``index`` (PyTorch's ``scatter_add``,
    arguments in its order: input, dim, index, src). For a 3-d x and axis 0:
    out[index[i, j, k], j, k] += src[i, j, k]. x, index and src have the same number of
    dimensions; index is no larger than src in any dimension, nor than x off ``axis``;
    its values are in [0, x.shape[axis]). Only src[:index.shape] is used. Repeated
    indices accumulate.

    Gradients: dL/dout for x; for src, dL/dout gathered at the index (PyTorch's
    ``gather``), 0 for the elements of src the index does not reach."""
    return ScatterAdd.apply(x, src, axis=axis, index=_index_array(index, "scatter_add", "index"))
