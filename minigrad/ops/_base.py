"""What the op modules share: argument normalizers, error texts, the registry of numpy
functions that dispatch to minigrad ops, and the dispatching helpers backward
formulas use.

Backward formulas are written once, for arrays and Tensors alike: with operators and
methods the two share (``*``, ``@``, ``.sum``, ``.reshape``), and with numpy functions
(``np.exp``, ``np.where``, ``np.sign``), which on Tensors dispatch, through numpy's
``__array_ufunc__`` / ``__array_function__`` protocols, to the minigrad op registered
for them here. So the engine runs a backward on raw arrays for a plain ``backward()``
and on Tensors under ``create_graph=True``, where it is differentiated again.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ..autograd import Function
from ..tensor import Tensor, _constant

#: Python numbers: weak dtypes, as in numpy (``x32 * 2.5`` stays float32)
SCALARS = frozenset((int, float, bool))

#: numpy function or ufunc -> the minigrad function that does its work on Tensors
NUMPY_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


F = TypeVar("F", bound=Callable[..., Any])


def implements(*numpy_functions: Callable[..., Any]) -> Callable[[F], F]:
    """Register the decorated minigrad function as what ``numpy_functions`` do when an
    argument is a Tensor (``np.exp(t)`` is ``minigrad.exp(t)``)."""

    def register(fn: F) -> F:
        for f in numpy_functions:
            NUMPY_FUNCTIONS[f] = fn
        return fn

    return register


def constant(value: Any, op: str) -> Tensor:
    """``value`` as an op's input Tensor: a Tensor as it is, other data as a constant
    copy (see ``tensor._constant``), for ops that read an input's shape before applying."""
    return _constant(value, op)


def normalize_axis(axis, shape: tuple, op: str) -> tuple:
    """``axis`` (None, an int or a sequence of ints) as a sorted tuple of distinct
    non-negative axes of an array of ``shape``; None means all axes.

    Every axis argument of every op goes through here. An axis outside
    [-ndim, ndim) is refused, never taken modulo ndim. A 0-d array has no axes, but
    axis 0 and -1 name the array itself, as in PyTorch: they give ()."""
    ndim = len(shape)
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        axes = (axis,)
    else:
        try:
            axes = tuple(axis)
        except TypeError:
            axes = None
        if axes is None or not builtins.all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes):
            raise TypeError(
                f"{op}: axis must be an int, a tuple of ints or None, got {axis!r}"
            )
    if ndim == 0:
        if builtins.all(a in (0, -1) for a in axes):
            return ()
        bad = next(a for a in axes if a not in (0, -1))
        raise ValueError(
            f"{op}: axis {bad} is out of range for a 0-d tensor (shape ()); only 0 and -1 "
            "are allowed, meaning the tensor itself"
        )
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor of shape {tuple(shape)} "
                f"({ndim} dims: axes {-ndim} to {ndim - 1})"
            )
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis} for a tensor of shape {tuple(shape)}")
    return tuple(sorted(out))


def one_axis(axis, shape: tuple, op: str) -> int | None:
    """A single axis (an int) normalized as ``normalize_axis`` does; None for a 0-d
    array's axis 0 or -1."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    axes = normalize_axis(axis, shape, op)
    return axes[0] if axes else None


def shape_arg(shape, op: str, what: str = "shape") -> tuple:
    """A shape (or axes) argument as a tuple of ints."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        return (int(shape),)
    try:
        out = tuple(shape)
    except TypeError:
        out = None
    if out is None or not builtins.all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in out):
        raise TypeError(f"{op}: {what} must be an int or a tuple of ints, got {shape!r}")
    return tuple(int(n) for n in out)


def empty_mean_error(op: str, shape) -> ValueError:
    """A mean over zero elements is 0/0: refused by every op that averages."""
    return ValueError(
        f"{op}: the mean over zero elements is undefined (input of shape {tuple(shape)} is "
        "empty); use a sum reduction, or skip empty batches"
    )


def save_crossed(fn: Function, a, b) -> None:
    """Save for a product: dL/da needs b and dL/db needs a, so an array only the
    gradient of a constant input would use is neither kept nor made read-only."""
    p = fn.parents
    if p is not None:
        fn.save_for_backward(a if p[1].requires_grad else None, b if p[0].requires_grad else None)


def needs(fn: Function, i: int) -> bool:
    """Whether input ``i`` of a recorded node needs a gradient."""
    return fn.parents[i].requires_grad


def reduced_shape(shape: tuple, axes: tuple) -> tuple:
    """``shape`` with the ``axes`` kept as size 1 (what keepdims=True gives)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def float_dtype(*arrays) -> np.dtype:
    """The floating dtype results take: the inputs' (float64 for integers and bools)."""
    dt = np.result_type(*arrays)
    return dt if dt.kind == "f" else np.dtype(np.float64)
