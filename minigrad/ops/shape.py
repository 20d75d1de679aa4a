"""Ops that move values without changing them: reshape, transpose, broadcast, cast;
squeeze and expand_dims, flatten and ravel; concatenate, stack and split; pad, flip,
roll, repeat and tile; moveaxis and swapaxes; and sum_to, the inverse of broadcasting.

Every axis argument goes through ``_base.normalize_axis`` (or ``one_axis``). The
backward formulas are slices, reshapes, transposes, sums and these ops themselves (on
Tensors ``np.pad``, ``np.roll`` and ``np.broadcast_to`` dispatch here), so each is
differentiable again under ``create_graph=True``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function, _sum_to, no_grad
from ..tensor import Tensor
from ._base import constant, implements, needs, normalize_axis, one_axis, shape_arg
from .index import getitem

__all__ = ["reshape", "transpose", "broadcast_to", "astype", "squeeze", "expand_dims",
           "flatten", "ravel", "concatenate", "stack", "split", "array_split", "pad", "flip",
           "roll", "repeat", "tile", "moveaxis", "swapaxes", "sum_to"]


def _along(axis: int, index) -> tuple:
    """An index that applies ``index`` to axis ``axis`` and takes everything else."""
    return (slice(None),) * axis + (index,)


def _int_list(value, op: str, what: str) -> list:
    """A non-differentiable argument (ints, maybe in a Tensor or an array) as a list of
    ints; a Tensor's values are copied out, so the op keeps its own."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iu":
            raise TypeError(f"{op}: {what} must be integers, got an array of dtype {value.dtype}")
        value = value.tolist()
    return list(shape_arg(value, op, what))


def _axes_in_order(values, shape: tuple, op: str, what: str) -> list:
    """Axes whose order matters (moveaxis' source and destination), each normalized by
    ``one_axis``; None stands for a 0-d tensor's axis 0 or -1."""
    out = []
    for a in shape_arg(values, op, what):
        try:
            out.append(one_axis(a, shape, op))
        except ValueError as e:
            raise ValueError(f"{op}: {what}={values!r}: {str(e).split(': ', 1)[1]}") from None
    kept = [a for a in out if a is not None]
    if len(set(kept)) != len(kept):
        raise ValueError(f"{op}: repeated axis in {what}={values!r} for a tensor of shape {shape}")
    return out


def _as_tuple(axis) -> tuple:
    return tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)


def _result_axes(axis, shape: tuple, extra: int, op: str) -> tuple:
    """Axes of a result that has ``extra`` more dims than an input of ``shape``."""
    nd = len(shape) + extra
    try:
        return normalize_axis(axis, (1,) * nd, op)
    except ValueError:
        raise ValueError(
            f"{op}: axis {axis} is out of range or repeated for the {nd}-dim result made "
            f"from a tensor of shape {tuple(shape)} (axes {-nd} to {nd - 1}, each once)"
        ) from None


# --------------------------------------------------------------------------- reshape


class Reshape(Function):
    formula = "dL/d{0} = dL/d{y} reshaped to the shape of {0}"
    __slots__ = ("shape",)

    def forward(self, x, shape):
        self.shape = x.shape
        try:
            return x.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"to {shape}"
            ) from None

    def backward(self, g):
        return g.reshape(self.shape)


@implements(np.reshape)
def reshape(x: Any, shape: Any) -> Tensor:
    """The same values in a new shape (one dimension may be −1)."""
    return Reshape.apply(x, shape=shape_arg(shape, "reshape"))


@implements(np.ravel)
def ravel(x: Any) -> Tensor:
    """The values as a 1-d tensor, in C order: ``reshape(x, -1)`` (a 0-d tensor gives
    shape (1,)). Shares memory with ``x`` where numpy can."""
    return Reshape.apply(constant(x, "ravel"), shape=(-1,))


class Squeeze(Reshape):
    formula = "dL/d{0} = dL/d{y} with the removed size-1 axes put back"
    __slots__ = ()

    def forward(self, x, axis=None):
        self.shape = x.shape
        if axis is None:
            return x.reshape(tuple(n for n in x.shape if n != 1))
        axes = normalize_axis(axis, x.shape, self.name)
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(
                    f"squeeze: cannot remove axis {a} of a tensor of shape {x.shape}: its "
                    f"size is {x.shape[a]}, not 1"
                )
        return x.reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes))


@implements(np.squeeze)
def squeeze(x: Any, axis: Any = None) -> Tensor:
    """``x`` without size-1 axes: all of them (``axis=None``) or those named, each of
    which must have size 1."""
    return Squeeze.apply(x, axis=axis)


class ExpandDims(Reshape):
    name = "expand_dims"
    formula = "dL/d{0} = dL/d{y} with the new size-1 axes removed"
    __slots__ = ()

    def forward(self, x, axis):
        self.shape = x.shape
        axes = _result_axes(axis, x.shape, len(_as_tuple(axis)), self.name)
        sizes = iter(x.shape)
        return x.reshape(tuple(1 if i in axes else next(sizes)
                               for i in range(x.ndim + len(axes))))


@implements(np.expand_dims)
def expand_dims(x: Any, axis: Any) -> Tensor:
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple), positions in the
    result, as numpy counts them."""
    return ExpandDims.apply(x, axis=axis)


class Flatten(Reshape):
    formula = "dL/d{0} = dL/d{y} reshaped to the shape of {0}"
    __slots__ = ()

    def forward(self, x):
        self.shape = x.shape
        return x.flatten()


def flatten(x: Any) -> Tensor:
    """A 1-d copy of the values in C order, as ``ndarray.flatten`` (numpy has no
    ``np.flatten`` function; ``ravel`` is the same without the copy)."""
    return Flatten.apply(x)


# --------------------------------------------------------------------------- transpose


class Transpose(Function):
    formula = "dL/d{0} = (dL/d{y})ᵀ"
    __slots__ = ("axes",)

    def forward(self, x, axes=None):
        if axes is None:
            axes = tuple(range(x.ndim))[::-1]
        else:
            given = axes
            if len(axes) != x.ndim:
                raise ValueError(
                    f"transpose: axes {given} are not a permutation of the {x.ndim} axes of "
                    f"a tensor of shape {x.shape}"
                )
            axes = tuple(normalize_axis(a, x.shape, self.name)[0] for a in axes)
            if sorted(axes) != list(range(x.ndim)):
                raise ValueError(
                    f"transpose: axes {given} are not a permutation for shape {x.shape}"
                )
        self.axes = axes
        return x.transpose(axes)

    def backward(self, g):
        return g.transpose(tuple(np.argsort(self.axes)))


@implements(np.transpose)
def transpose(x: Any, axes: Any = None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None)."""
    if axes is not None:
        axes = shape_arg(axes, "transpose", "axes")
    return Transpose.apply(x, axes=axes)


@implements(np.moveaxis)
def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """Move axes ``source`` (an int or a sequence) to positions ``destination``, the
    others keeping their order: a transpose. Axis 0 or -1 of a 0-d tensor is the
    tensor itself (nothing moves)."""
    x = constant(x, "moveaxis")
    shape = x.shape
    src = _axes_in_order(source, shape, "moveaxis", "source")
    dst = _axes_in_order(destination, shape, "moveaxis", "destination")
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: source={source!r} and destination={destination!r} must name as many "
            f"axes (tensor of shape {shape})"
        )
    pairs = [(d, s) for d, s in zip(dst, src) if s is not None]
    order = [n for n in range(len(shape)) if n not in src]
    for d, s in sorted(pairs):
        order.insert(d, s)
    return Transpose.apply(x, axes=tuple(order))


@implements(np.swapaxes)
def swapaxes(x: Any, axis1: Any, axis2: Any) -> Tensor:
    """Exchange two axes: a transpose."""
    x = constant(x, "swapaxes")
    shape = x.shape
    a = one_axis(axis1, shape, "swapaxes")
    b = one_axis(axis2, shape, "swapaxes")
    order = list(range(len(shape)))
    if a is not None:
        order[a], order[b] = order[b], order[a]
    return Transpose.apply(x, axes=tuple(order))


# --------------------------------------------------------------------------- broadcast


class BroadcastTo(Function):
    name = "broadcast_to"
    formula = "dL/d{0} = dL/d{y} summed over the broadcast axes"
    __slots__ = ()

    def forward(self, x, shape):
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ValueError(
                f"broadcast_to: cannot broadcast shape {x.shape} to {tuple(shape)}"
            ) from None

    def backward(self, g):
        return g  # the engine sums it back to the input's shape


@implements(np.broadcast_to)
def broadcast_to(x: Any, shape: Any) -> Tensor:
    """Repeat ``x`` along new or size-1 axes to ``shape``."""
    return BroadcastTo.apply(x, shape=shape_arg(shape, "broadcast_to"))


class SumTo(Function):
    name = "sum_to"
    formula = "dL/d{0} = dL/d{y} broadcast to the shape of {0}"
    __slots__ = ("shape",)

    def forward(self, x, shape):
        self.shape = x.shape
        try:
            return _sum_to(x, shape)
        except RuntimeError:
            raise ValueError(
                f"sum_to: a tensor of shape {x.shape} cannot be summed to shape {shape}: "
                "shape must be one that broadcasts to it (each of its trailing dimensions "
                "equal to the tensor's or 1)"
            ) from None

    def backward(self, g):
        return np.broadcast_to(g, self.shape)

    def limit(self, *arrays, **kwargs):
        return "the sums' magnitude must stay below the dtype's largest value"


def sum_to(x: Any, shape: Any) -> Tensor:
    """The inverse of broadcasting: sum ``x`` over its leading axes and over the axes
    where ``shape`` has size 1, giving ``shape`` (``sum_to(broadcast_to(a, s), a.shape)``
    is ``a`` times the number of copies). The engine does the same to every gradient
    that has an input's broadcast shape. Finite unless a sum passes the dtype's largest
    value."""
    return SumTo.apply(x, shape=shape_arg(shape, "sum_to"))


# --------------------------------------------------------------------------- join and split


def _inputs(arrays, op: str) -> list:
    if isinstance(arrays, (Tensor, np.ndarray)) or not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"{op}: arrays must be a list or tuple of tensors or arrays, got "
            f"{type(arrays).__name__}"
        )
    if not arrays:
        raise ValueError(f"{op}: needs at least one tensor, got an empty sequence")
    return list(arrays)


def _shapes_text(arrays) -> str:
    return ", ".join(str(a.shape) for a in arrays)


class Concatenate(Function):
    formula = "dL/d{0}, dL/d{1}, … = the pieces of dL/d{y} along the axis, one per input"
    __slots__ = ("axis", "shapes")

    def forward(self, *arrays, axis=0):
        self.shapes = [a.shape for a in arrays]
        if axis is None:
            self.axis = None
            return np.concatenate([a.reshape(-1) for a in arrays])
        first = arrays[0]
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(
                    f"concatenate: input {i} is 0-d (shapes {_shapes_text(arrays)}); 0-d "
                    "tensors cannot be joined along an axis: use stack, or axis=None"
                )
        if any(a.ndim != first.ndim for a in arrays):
            raise ValueError(
                f"concatenate: the inputs must have the same number of dimensions, got "
                f"shapes {_shapes_text(arrays)}"
            )
        ax = self.axis = one_axis(axis, first.shape, self.name)
        rest = first.shape[:ax] + first.shape[ax + 1:]
        if any(a.shape[:ax] + a.shape[ax + 1:] != rest for a in arrays):
            raise ValueError(
                f"concatenate: along axis {ax} the inputs' shapes must agree on every other "
                f"axis, got shapes {_shapes_text(arrays)}"
            )
        return np.concatenate(arrays, axis=ax)

    def backward(self, g):
        ax, grads, start = self.axis, [], 0
        for i, shape in enumerate(self.shapes):
            n = int(np.prod(shape)) if ax is None else shape[ax]
            if needs(self, i):
                piece = slice(start, start + n)
                grads.append(g[piece].reshape(shape) if ax is None else g[_along(ax, piece)])
            else:
                grads.append(None)
            start += n
        return tuple(grads)


@implements(np.concatenate)
def concatenate(arrays: Any, axis: Any = 0) -> Tensor:
    """Join a sequence of tensors (or arrays) along an existing ``axis``; their shapes
    agree on every other axis. ``axis=None`` joins them flattened. Differentiable in
    each input: its gradient is its piece of the output's."""
    return Concatenate.apply(*_inputs(arrays, "concatenate"), axis=axis)


class Stack(Function):
    formula = "dL/d{0}, dL/d{1}, … = the slices of dL/d{y} along the new axis, one per input"
    __slots__ = ("axis",)

    def forward(self, *arrays, axis=0):
        first = arrays[0]
        if any(a.shape != first.shape for a in arrays):
            raise ValueError(
                f"stack: the inputs must all have the same shape, got shapes "
                f"{_shapes_text(arrays)}"
            )
        self.axis = _result_axes(axis, first.shape, 1, self.name)[0]
        return np.stack(arrays, axis=self.axis)

    def backward(self, g):
        ax = self.axis
        return tuple(g[_along(ax, i)] if needs(self, i) else None
                     for i in range(len(self.parents)))


@implements(np.stack)
def stack(arrays: Any, axis: Any = 0) -> Tensor:
    """Join tensors of one shape along a new ``axis`` (a position in the result).
    Differentiable in each input: its gradient is its slice of the output's."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"stack: axis must be an int, got {axis!r}")
    return Stack.apply(*_inputs(arrays, "stack"), axis=axis)


def _split(x, indices_or_sections, axis, op: str, equal: bool) -> list:
    if not isinstance(x, Tensor):
        x = constant(x, op)
    shape = x.shape
    ax = one_axis(axis, shape, op)
    if ax is None:
        raise ValueError(f"{op}: a 0-d tensor (shape ()) has no axis to split along")
    n = shape[ax]
    s = indices_or_sections
    if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
        if s <= 0:
            raise ValueError(f"{op}: indices_or_sections={s} sections; it must be at least 1 "
                             f"(tensor of shape {shape})")
        if equal and n % s:
            raise ValueError(
                f"{op}: a tensor of shape {shape} cannot be split into {s} equal sections "
                f"along axis {ax} (size {n}); use array_split for unequal ones"
            )
        size, extra = divmod(n, int(s))
        bounds = [0]
        for i in range(int(s)):
            bounds.append(bounds[-1] + size + (i < extra))
    else:
        bounds = [0, *_int_list(s, op, "indices_or_sections"), n]
    # basic slices, as numpy's (negative and past-the-end indices included)
    return [getitem(x, _along(ax, slice(a, b))) for a, b in zip(bounds, bounds[1:])]


@implements(np.split)
def split(x: Any, indices_or_sections: Any, axis: Any = 0) -> list:
    """A list of pieces of ``x`` along ``axis``: ``indices_or_sections`` equal sections
    (an int that divides the axis), or the pieces between sorted indices (a sequence,
    sliced as Python slices are). Each piece is one ``getitem`` node, a basic slice: its
    gradient is the piece's gradient put in place in zeros, and the engine adds the
    pieces' gradients up."""
    return _split(x, indices_or_sections, axis, "split", equal=True)


@implements(np.array_split)
def array_split(x: Any, indices_or_sections: Any, axis: Any = 0) -> list:
    """``split`` that allows sections of unequal size: of n elements in k sections, the
    first n mod k have one element more."""
    return _split(x, indices_or_sections, axis, "array_split", equal=False)


# --------------------------------------------------------------------------- pad

_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _pad_widths(pad_width, shape: tuple) -> tuple:
    if isinstance(pad_width, Tensor):
        pad_width = pad_width.data
    w = _trace.asarray(pad_width)
    if w.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must be integers, got {pad_width!r}")
    try:
        w = np.broadcast_to(w, (len(shape), 2))
    except ValueError:
        raise ValueError(
            f"pad: pad_width={pad_width!r} does not fit a tensor of shape {shape}: give an "
            f"int, a (before, after) pair, or one pair per axis ({len(shape)} axes)"
        ) from None
    if (w < 0).any():
        raise ValueError(f"pad: pad_width={pad_width!r} has a negative width (tensor of "
                         f"shape {shape})")
    return tuple((int(b), int(a)) for b, a in w)


def _runs(index: np.ndarray):
    """``index`` (a gather along an axis) cut into runs of consecutive positions that
    take one element over and over (``edge``) or consecutive elements, forwards or
    backwards: (start, end, step) triples, step 0, 1 or -1."""
    m = len(index)
    steps = np.diff(index)
    s = 0
    while s < m:
        step = int(steps[s]) if s < m - 1 else 1
        if step not in (-1, 0, 1):
            step, e = 1, s + 1
        else:
            off = np.flatnonzero(steps[s:] != step)
            e = s + 1 + int(off[0]) if off.size else m
        yield s, e, step
        s = e


def _fold(g, axis: int, index: np.ndarray, n: int):
    """The adjoint of gathering ``x.take(index, axis)`` from an axis of size ``n``: each
    element of ``g`` added to the place along ``axis`` it was taken from. Each run of
    the gather is a slice of ``g`` (summed, or reversed) added in place: into one array
    on arrays; on Tensors, with a zero pad and a sum, so that it is recorded."""
    pieces = []
    for s, e, step in _runs(index):
        if step == 0:
            piece, lo = g[_along(axis, slice(s, e))].sum(axis=axis, keepdims=True), index[s]
        elif step == 1:
            piece, lo = g[_along(axis, slice(s, e))], index[s]
        else:
            piece, lo = g[_along(axis, slice(e - 1, s - 1 if s else None, -1))], index[e - 1]
        pieces.append((piece, int(lo), piece.shape[axis]))
    if isinstance(g, Tensor):
        total = None
        for piece, lo, size in pieces:
            if lo or size != n:
                widths = [(0, 0)] * g.ndim
                widths[axis] = (lo, n - lo - size)
                piece = np.pad(piece, widths)
            total = piece if total is None else total + piece
        return total
    shape = list(g.shape)
    shape[axis] = n
    total = np.zeros_like(g, shape=shape)
    for piece, lo, size in pieces:
        total[_along(axis, slice(lo, lo + size))] += piece
    return total


class Pad(Function):
    formula = ("dL/d{0} = the middle of dL/d{y}, plus the gradient of each padded element "
               "at the element it copies")
    __slots__ = ("shape", "widths", "mode")

    def forward(self, x, pad_width, mode="constant", constant_values=0):
        self.shape, self.widths, self.mode = x.shape, pad_width, mode
        if x.ndim == 0:  # no axis to pad
            return x.copy()
        if mode == "constant":
            return np.pad(x, pad_width, mode="constant", constant_values=constant_values)
        for ax, (n, (b, a)) in enumerate(zip(x.shape, pad_width)):
            if n == 0 and b + a:
                raise ValueError(
                    f"pad: mode={mode!r} cannot pad axis {ax} of a tensor of shape {x.shape}: "
                    "it is empty, there is nothing to copy (only mode='constant' can)"
                )
        return np.pad(x, pad_width, mode=mode)

    def backward(self, g):
        if not self.widths:
            return g
        if self.mode == "constant":
            return g[tuple(slice(b, b + n) for n, (b, _) in zip(self.shape, self.widths))]
        for ax, (n, (b, a)) in enumerate(zip(self.shape, self.widths)):
            if b or a:
                g = _fold(g, ax, np.pad(np.arange(n), (b, a), mode=self.mode), n)
        return g


@implements(np.pad)
def pad(x: Any, pad_width: Any, mode: Any = "constant", constant_values: Any = 0) -> Tensor:
    """``x`` with ``pad_width`` elements added before and after each axis: an int, one
    (before, after) pair for every axis, or one pair per axis, as numpy takes them.

    ``mode``: "constant" (``constant_values``: a number, a (before, after) pair, or one
    pair per axis), "edge" (the edge element repeated), "reflect" (mirrored without the
    edge), "symmetric" (mirrored with it), "wrap" (from the other end). Widths beyond
    the axis are filled as numpy fills them. Only the values of ``x`` are
    differentiated, as in PyTorch's reflection and replication pads: the gradient of a
    copy goes back to the element it copies, added to that element's own, and
    ``constant_values`` is a constant. The forward is always finite; the backward is
    unless those sums pass the dtype's largest value."""
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode={mode!r} is not supported; use one of {_PAD_MODES}")
    if isinstance(constant_values, Tensor):
        if constant_values.requires_grad:
            raise TypeError("pad: constant_values gets no gradient; pass a number, or "
                            "the tensor's detach()")
        constant_values = constant_values.data
    x = constant(x, "pad")
    values = _trace.asarray(constant_values)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"pad: constant_values must be numbers, got {constant_values!r}")
    if mode != "constant" and np.any(values != 0):
        raise ValueError(f"pad: constant_values is for mode='constant', not mode={mode!r}")
    try:
        np.broadcast_to(values, (x.ndim, 2))
    except ValueError:
        raise ValueError(
            f"pad: constant_values={constant_values!r} does not fit a tensor of shape "
            f"{x.shape}: give a number, a (before, after) pair, or one pair per axis"
        ) from None
    widths = _pad_widths(pad_width, x.shape)
    if mode == "constant":
        return Pad.apply(x, pad_width=widths, mode=mode, constant_values=constant_values)
    return Pad.apply(x, pad_width=widths, mode=mode)


# --------------------------------------------------------------------------- flip and roll


class Flip(Function):
    formula = "dL/d{0} = dL/d{y} flipped back"
    __slots__ = ("index",)

    def forward(self, x, axis=None):
        axes = normalize_axis(axis, x.shape, self.name)
        self.index = tuple(slice(None, None, -1) if i in axes else slice(None)
                           for i in range(x.ndim))
        return x[self.index]

    def backward(self, g):
        return g[self.index]


@implements(np.flip)
def flip(x: Any, axis: Any = None) -> Tensor:
    """The elements in reverse order along ``axis`` (None: every axis)."""
    return Flip.apply(x, axis=axis)


class Roll(Function):
    formula = "dL/d{0} = dL/d{y} rolled back"
    __slots__ = ("shift", "axis")

    def forward(self, x, shift, axis=None):
        self.shift, self.axis = shift, axis
        if axis == ():  # a 0-d tensor's axis 0: nothing to roll
            return x.copy()
        return np.roll(x, shift, axis)

    def backward(self, g):
        if self.axis == ():
            return g
        back = -self.shift if self.axis is None else tuple(-s for s in self.shift)
        return np.roll(g, back, self.axis)


@implements(np.roll)
def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    """Elements shifted by ``shift`` along ``axis``, those past the end coming back at
    the start. ``axis=None`` rolls the flattened values (the shape is kept). ``shift``
    and ``axis`` may be sequences (broadcast together; shifts of one axis add up)."""
    x = constant(x, "roll")
    shape = x.shape
    shifts = shape_arg(shift, "roll", "shift")
    if axis is None:
        return Roll.apply(x, shift=sum(shifts), axis=None)
    axes = [one_axis(a, shape, "roll") for a in shape_arg(axis, "roll", "axis")]
    if len(shifts) != len(axes) and 1 not in (len(shifts), len(axes)):
        raise ValueError(f"roll: shift={shift!r} and axis={axis!r} have different lengths "
                         f"(tensor of shape {shape})")
    total: dict = {}
    for s, a in zip(shifts * (len(axes) if len(shifts) == 1 else 1),
                    axes * (len(shifts) if len(axes) == 1 else 1)):
        if a is not None:
            total[a] = total.get(a, 0) + s
    return Roll.apply(x, shift=tuple(total.values()), axis=tuple(total))


# --------------------------------------------------------------------------- repeat and tile


class Repeat(Function):
    formula = "dL/d{0} = dL/d{y} summed over each element's copies"
    __slots__ = ("shape", "axis", "repeats")

    def forward(self, x, repeats, axis=None):
        self.shape, self.axis, self.repeats = x.shape, axis, repeats
        if axis is None:
            return np.repeat(x.reshape(-1), repeats)
        return np.repeat(x, repeats, axis=axis)

    def backward(self, g):
        r, ax, shape = self.repeats, self.axis, self.shape
        if ax is None:
            return g.reshape((int(np.prod(shape)), r)).sum(axis=1).reshape(shape)
        return g.reshape(shape[:ax] + (shape[ax], r) + shape[ax + 1:]).sum(axis=ax + 1)


@implements(np.repeat)
def repeat(x: Any, repeats: Any, axis: Any = None) -> Tensor:
    """Each element ``repeats`` times in a row along ``axis`` (None: of the flattened
    values; axis 0 or −1 of a 0-d tensor is the tensor). ``repeats`` is an int, or one
    count per element along the axis. The gradient of an element is the sum of its
    copies' gradients. With one count for all, one ``repeat`` node whose backward is a
    reshape and a sum; with counts that differ, a ``getitem`` with the indices of the
    copies, whose backward adds them up. Finite unless those sums pass the dtype's
    largest value."""
    x = constant(x, "repeat")
    shape = x.shape
    ax = None if axis is None else one_axis(axis, shape, "repeat")
    counts = _int_list(repeats, "repeat", "repeats")
    if any(c < 0 for c in counts):
        raise ValueError(f"repeat: repeats={repeats!r} has a negative count (tensor of "
                         f"shape {shape})")
    n = int(np.prod(shape)) if ax is None else shape[ax]
    if len(counts) not in (1, n):
        raise ValueError(
            f"repeat: repeats has {len(counts)} counts but axis {axis} of the tensor of "
            f"shape {shape} has {n} elements; give one count, or one per element"
        )
    if len(set(counts)) <= 1:
        return Repeat.apply(x, repeats=counts[0] if counts else 0, axis=ax)
    if ax is None:
        x, ax = ravel(x), 0
    return getitem(x, _along(ax, np.repeat(np.arange(n), counts)))


class Tile(Function):
    formula = "dL/d{0} = dL/d{y} summed over the tiles"
    __slots__ = ("shape", "reps")

    def forward(self, x, reps):
        self.shape, self.reps = x.shape, reps
        return np.tile(x, reps)

    def backward(self, g):
        d = max(len(self.shape), len(self.reps))
        shape = (1,) * (d - len(self.shape)) + self.shape
        reps = (1,) * (d - len(self.reps)) + self.reps
        split = tuple(n for pair in zip(reps, shape) for n in pair)
        return g.reshape(split).sum(axis=tuple(range(0, 2 * d, 2))).reshape(self.shape)


@implements(np.tile)
def tile(x: Any, reps: Any) -> Tensor:
    """``x`` repeated ``reps`` times along each axis (an int or a tuple; the shorter of
    ``reps`` and the shape is padded with leading 1s, as in numpy). The gradient of an
    element is the sum over its copies. Finite unless that sum passes the dtype's
    largest value."""
    x = constant(x, "tile")
    reps = shape_arg(reps, "tile", "reps")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps={reps} has a negative count (tensor of shape "
                         f"{x.shape})")
    return Tile.apply(x, reps=reps)


# --------------------------------------------------------------------------- cast


class Cast(Function):
    name = "astype"
    formula = "dL/d{0} = dL/d{y} cast back to the dtype of {0}"
    __slots__ = ("dtype",)

    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.astype(self.dtype)

    def limit(self, *arrays, dtype=None, **kwargs):
        return f"converting to {dtype}"


def astype(x: Any, dtype: Any) -> Tensor:
    """The values converted to ``dtype``; the gradient is converted back. A value beyond
    the target dtype's range (1e300 to float32) overflows, as numpy's cast does. A
    conversion to an integer or bool dtype has no gradient: its result is a constant."""
    try:
        target = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"astype: dtype={dtype!r} is not a numpy dtype ({e})") from None
    if target.kind not in "biuf":
        raise TypeError(
            f"astype: cannot convert to dtype {target}; minigrad works on bool, integer and "
            "floating-point arrays"
        )
    if target.kind != "f":
        with no_grad():
            return Cast.apply(x, dtype=target)
    return Cast.apply(x, dtype=target)
