"""Tensors made from shapes, ranges and random draws.

Each function returns a new leaf Tensor (``requires_grad`` as asked, ``name`` as
given) that owns its array. Floating-point results default to float64 and integer
ranges to int64, as numpy's do; ``dtype=`` may be any bool, integer or floating-point
dtype, and ``requires_grad=True`` needs a floating-point one. The ``*_like``
functions take their shape and dtype from an array or a Tensor (never its
``requires_grad``: the result is a new leaf), and ``numpy.zeros_like(tensor)`` and
the others run them.

Random tensors draw from the ``rng`` they are given: an int seed (a new
``numpy.random.default_rng(seed)``, so one seed gives the same values every time), a
``numpy.random.Generator`` (whose stream moves on with every draw), or None (a fresh
generator seeded from the operating system). There is no hidden global random state:
nothing here reads or changes ``numpy.random``'s global state, and nothing else does
either, so a seeded result never depends on what ran before.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import _trace
from ..tensor import Tensor
from ._base import implements, shape_arg

__all__ = ["zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like",
           "empty_like", "arange", "linspace", "eye", "rand", "randn", "randint", "normal",
           "uniform"]


def _dtype(dtype, op: str, default) -> np.dtype:
    """``dtype`` (None: ``default``) as a numpy dtype minigrad works with."""
    try:
        d = np.dtype(default if dtype is None else dtype)
    except TypeError as e:
        raise TypeError(f"{op}: dtype={dtype!r} is not a numpy dtype ({e})") from None
    if d.kind not in "biuf":
        raise TypeError(
            f"{op}: dtype {d} is not supported; minigrad works on bool, integer and "
            "floating-point arrays"
        )
    return d


def _float(dtype, op: str) -> np.dtype:
    d = _dtype(dtype, op, np.float64)
    if d.kind != "f":
        raise TypeError(f"{op}: draws floating-point values, so dtype must be a floating-point "
                        f"dtype, got {d}" + ("; randint draws integers" if d.kind in "iu" else ""))
    return d


def _shape(shape, op: str, what: str = "shape") -> tuple:
    s = shape_arg(shape, op, what)
    if any(n < 0 for n in s):
        raise ValueError(f"{op}: {what} {s} has a negative dimension")
    return s


def _size(size, op: str):
    return None if size is None else _shape(size, op)


def _value(v, op: str, what: str):
    """A number or an array argument (fill values, bounds): a Tensor gives its values,
    unless it requires grad, since the result would silently have no gradient."""
    if isinstance(v, Tensor):
        if v.requires_grad:
            raise TypeError(
                f"{op}: {what} is a Tensor that requires grad (shape {v.shape}); {op} makes "
                "a new leaf with no gradient to it. Pass its values (t.detach()), or build "
                "the tensor from ops (broadcast_to, mul) to keep the gradient"
            )
        return v.data
    return v


def _leaf(arr: np.ndarray, requires_grad: bool, name, op: str) -> Tensor:
    arr = _trace.asarray(arr)
    if requires_grad and arr.dtype.kind != "f":
        raise TypeError(
            f"{op}: requires_grad=True needs a floating-point dtype, got {arr.dtype}; pass "
            "dtype=np.float64 or np.float32"
        )
    return Tensor(arr, requires_grad=bool(requires_grad), name=name)


def _numpy_call(op: str, what: str, fn, *args, **kwargs):
    """numpy's creation function ``fn``; its argument errors said with ``op``'s name."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"{op}: {e} ({what})") from None


# --------------------------------------------------------------------------- from shapes


def zeros(
    shape: Any,
    dtype: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """A tensor of ``shape`` (an int or a tuple) filled with 0, in ``dtype`` (float64)."""
    s, d = _shape(shape, "zeros"), _dtype(dtype, "zeros", np.float64)
    return _leaf(np.zeros(s, dtype=d), requires_grad, name, "zeros")


def ones(
    shape: Any,
    dtype: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """A tensor of ``shape`` filled with 1, in ``dtype`` (float64)."""
    s, d = _shape(shape, "ones"), _dtype(dtype, "ones", np.float64)
    return _leaf(np.ones(s, dtype=d), requires_grad, name, "ones")


def full(shape: Any, fill_value: Any, dtype: Any = None, *, requires_grad: bool = False,
         name: str | None = None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (a number, or an array that
    broadcasts to ``shape``), as numpy.full: the dtype is ``fill_value``'s unless
    ``dtype`` is given (full((2,), 3) is int64, full((2,), 3.0) float64), and the value
    is converted to it as numpy converts (full((2,), 2.5, int64) is [2, 2])."""
    fill = _value(fill_value, "full", "fill_value")
    s = _shape(shape, "full")
    d = _dtype(dtype, "full", _trace.asarray(fill).dtype)
    arr = _numpy_call("full", f"shape {s}, fill_value of shape {np.shape(fill)}", np.full,
                      s, fill, dtype=d)
    return _leaf(arr, requires_grad, name, "full")


def empty(
    shape: Any,
    dtype: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """A tensor of ``shape`` whose values are not meant to be read before they are
    written. minigrad fills it with zeros (never uninitialized memory, which could be
    mistaken for data), so it is ``zeros`` under numpy's name."""
    s, d = _shape(shape, "empty"), _dtype(dtype, "empty", np.float64)
    return _leaf(np.zeros(s, dtype=d), requires_grad, name, "empty")


def eye(N: Any, M: Any = None, k: int = 0, dtype: Any = None, *, requires_grad: bool = False,
        name: str | None = None) -> Tensor:
    """The N×M matrix (M = N by default) with ones on diagonal ``k`` (0: the main one,
    > 0 above it, < 0 below) and zeros elsewhere, in ``dtype`` (float64)."""
    n = _shape(N, "eye", "N")
    m = n if M is None else _shape(M, "eye", "M")
    if len(n) != 1 or len(m) != 1:
        raise TypeError(f"eye: N and M must be ints, got N={N!r}, M={M!r}")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"eye: k must be an int (the diagonal), got {k!r}")
    d = _dtype(dtype, "eye", np.float64)
    return _leaf(np.eye(n[0], m[0], int(k), dtype=d), requires_grad, name, "eye")


# --------------------------------------------------------------------------- like another


def _like(a, op: str):
    data = a.data if isinstance(a, Tensor) else _trace.asarray(a)
    _dtype(data.dtype, op, None)
    return data


def _like_shape(shape, op: str):
    return None if shape is None else _shape(shape, op)


@implements(np.zeros_like)
def zeros_like(
    a: Any,
    dtype: Any = None,
    order: Any = "K",
    subok: Any = True,
    shape: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Zeros with the shape and dtype of ``a`` (an array or a Tensor), or ``dtype`` and
    ``shape`` where given, as numpy.zeros_like (``order`` as numpy's; ``subok`` is
    accepted for numpy's signature: the result is always a Tensor). Not ``a``'s
    ``requires_grad``: the result is a new leaf."""
    data = _like(a, "zeros_like")
    d = _dtype(dtype, "zeros_like", data.dtype)
    arr = np.zeros_like(data, dtype=d, order=order, shape=_like_shape(shape, "zeros_like"))
    return _leaf(arr, requires_grad, name, "zeros_like")


@implements(np.ones_like)
def ones_like(
    a: Any,
    dtype: Any = None,
    order: Any = "K",
    subok: Any = True,
    shape: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Ones with the shape and dtype of ``a``, or ``dtype`` and ``shape`` where given, as
    numpy.ones_like. Not ``a``'s ``requires_grad``: the result is a new leaf."""
    data = _like(a, "ones_like")
    d = _dtype(dtype, "ones_like", data.dtype)
    arr = np.ones_like(data, dtype=d, order=order, shape=_like_shape(shape, "ones_like"))
    return _leaf(arr, requires_grad, name, "ones_like")


@implements(np.full_like)
def full_like(
    a: Any,
    fill_value: Any,
    dtype: Any = None,
    order: Any = "K",
    subok: Any = True,
    shape: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """``fill_value`` in the shape and dtype of ``a`` (or ``dtype`` and ``shape``), as
    numpy.full_like: the value is converted to that dtype (full_like of an int64 array
    with 2.5 is 2). Not ``a``'s ``requires_grad``: the result is a new leaf."""
    data = _like(a, "full_like")
    fill = _value(fill_value, "full_like", "fill_value")
    d = _dtype(dtype, "full_like", data.dtype)
    arr = _numpy_call("full_like", f"a of shape {data.shape}, fill_value of shape "
                      f"{np.shape(fill)}", np.full_like, data, fill, dtype=d, order=order,
                      shape=_like_shape(shape, "full_like"))
    return _leaf(arr, requires_grad, name, "full_like")


@implements(np.empty_like)
def empty_like(a: Any, dtype: Any = None, order: Any = "K", subok: Any = True, shape: Any = None, *,
               requires_grad: bool = False, name: str | None = None) -> Tensor:
    """A tensor in the shape and dtype of ``a`` (or ``dtype`` and ``shape``) whose
    values are not meant to be read before they are written: filled with zeros, never
    uninitialized memory, so it is ``zeros_like`` under numpy's name."""
    data = _like(a, "empty_like")
    d = _dtype(dtype, "empty_like", data.dtype)
    arr = np.zeros_like(data, dtype=d, order=order, shape=_like_shape(shape, "empty_like"))
    return _leaf(arr, requires_grad, name, "empty_like")


# --------------------------------------------------------------------------- ranges


def _scalar(v, op: str, what: str):
    v = _value(v, op, what)
    if np.ndim(v) != 0 or _trace.asarray(v).dtype.kind not in "biuf":
        raise TypeError(f"{op}: {what} must be a real number, got {v!r}")
    return v


def arange(
    start: Any,
    stop: Any = None,
    step: Any = None,
    dtype: Any = None,
    *,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Evenly spaced values in [start, stop) by ``step``, as numpy.arange: ``arange(n)``
    is 0, 1, ..., n − 1. The dtype is numpy's (int64 when every bound is an integer,
    float64 otherwise) unless ``dtype`` is given. With a float step the number of
    values is ceil((stop − start) / step), which rounding can make one more than
    expected; ``linspace`` fixes the count instead."""
    if stop is None:
        start, stop = 0, start
    start = _scalar(start, "arange", "start")
    stop = _scalar(stop, "arange", "stop")
    step = 1 if step is None else _scalar(step, "arange", "step")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    d = None if dtype is None else _dtype(dtype, "arange", None)
    arr = _numpy_call("arange", f"start={start!r}, stop={stop!r}, step={step!r}", np.arange,
                      start, stop, step, dtype=d)
    _dtype(arr.dtype, "arange", None)
    return _leaf(arr, requires_grad, name, "arange")


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, *, requires_grad: bool = False,
             name: str | None = None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (included unless
    ``endpoint=False``), as numpy.linspace; ``start`` and ``stop`` may be arrays (the
    values run along ``axis``). float64 unless ``dtype`` is given (an integer dtype
    rounds down, as numpy's). With ``retstep=True`` returns ``(tensor, step)``."""
    start = _value(start, "linspace", "start")
    stop = _value(stop, "linspace", "stop")
    if not isinstance(num, (int, np.integer)) or isinstance(num, bool):
        raise TypeError(f"linspace: num must be an int, got {num!r}")
    d = None if dtype is None else _dtype(dtype, "linspace", None)
    out = _numpy_call("linspace", f"start of shape {np.shape(start)}, stop of shape "
                      f"{np.shape(stop)}, num={num}", np.linspace, start, stop, num,
                      endpoint=endpoint, retstep=retstep, dtype=d, axis=axis)
    if retstep:
        arr, step = out
        return _leaf(arr, requires_grad, name, "linspace"), step
    return _leaf(out, requires_grad, name, "linspace")


# --------------------------------------------------------------------------- random


def _generator(rng, op: str) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{op}: rng seed must be a non-negative int, got {rng}")
        return np.random.default_rng(int(rng))
    hint = "; numpy's legacy RandomState is not taken: use numpy.random.default_rng(seed)" \
        if isinstance(rng, np.random.RandomState) else ""
    raise TypeError(
        f"{op}: rng must be an int seed, a numpy.random.Generator or None (a fresh "
        f"unseeded generator), got {type(rng).__name__}{hint}"
    )


def _dims(shape, op: str) -> tuple:
    """``rand(2, 3)`` or ``rand((2, 3))``: the shape, as PyTorch's ``torch.rand`` takes it."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return _shape(shape, op)


def _in_dtype(x: np.ndarray, d: np.dtype) -> np.ndarray:
    return _trace.asarray(x, dtype=d)


def rand(*shape: Any, dtype: Any = None, rng: Any = None, requires_grad: bool = False,
         name: str | None = None) -> Tensor:
    """Uniform draws from [0, 1) of ``shape`` (``rand(2, 3)`` or ``rand((2, 3))``;
    ``rand()`` is 0-d), in a floating ``dtype`` (float64), from ``rng``: an int seed,
    a ``numpy.random.Generator`` or None (a fresh unseeded generator; there is no hidden
    global state). The values are ``numpy.random.default_rng(seed).random(shape,
    dtype)`` for float32 and float64."""
    s, d = _dims(shape, "rand"), _float(dtype, "rand")
    gen = _generator(rng, "rand")
    if d in (np.float32, np.float64):
        arr = _trace.draw_from(rng, gen, "random", s, dtype=d)
    else:  # half precision: rounded from float64, kept below 1
        arr = np.minimum(_trace.draw_from(rng, gen, "random", s).astype(d),
                         np.nextafter(d.type(1), d.type(0)))
    return _leaf(arr, requires_grad, name, "rand")


def randn(*shape: Any, dtype: Any = None, rng: Any = None, requires_grad: bool = False,
          name: str | None = None) -> Tensor:
    """Standard normal draws (mean 0, variance 1) of ``shape`` (``randn(2, 3)`` or
    ``randn((2, 3))``), in a floating ``dtype`` (float64), from ``rng`` (an int seed, a
    ``numpy.random.Generator``, or None: a fresh unseeded generator; no hidden global
    state). The values are ``numpy.random.default_rng(seed).standard_normal(shape,
    dtype)`` for float32 and float64."""
    s, d = _dims(shape, "randn"), _float(dtype, "randn")
    gen = _generator(rng, "randn")
    if d in (np.float32, np.float64):
        arr = _trace.draw_from(rng, gen, "standard_normal", s, dtype=d)
    else:
        arr = _trace.draw_from(rng, gen, "standard_normal", s).astype(d)
    return _leaf(arr, requires_grad, name, "randn")


def randint(
    low: Any,
    high: Any = None,
    size: Any = None,
    dtype: Any = None,
    *,
    rng: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Integers drawn uniformly from [low, high) (from [0, low) when ``high`` is None), of
    shape ``size`` (None: 0-d), in an integer or bool ``dtype`` (int64), from ``rng``
    (an int seed, a ``numpy.random.Generator``, or None: a fresh unseeded generator; no
    hidden global state): ``numpy.random.default_rng(seed).integers(low, high, size,
    dtype)``. Integers have no gradient, so ``requires_grad=True`` is refused."""
    d = _dtype(dtype, "randint", np.int64)
    if d.kind not in "biu":
        raise TypeError(f"randint: draws integers, so dtype must be an integer or bool dtype, "
                        f"got {d}; rand and uniform draw floats")
    if requires_grad:
        raise TypeError(f"randint: requires_grad=True needs a floating-point dtype, got {d}; "
                        "integers have no gradient")
    s = _size(size, "randint")
    low = _value(low, "randint", "low")
    high = _value(high, "randint", "high")
    gen = _generator(rng, "randint")
    if high is None:
        low, high = 0, low
    arr = _numpy_call("randint", f"low={low!r}, high={high!r} (high excluded), dtype {d}",
                      functools.partial(_trace.draw_from, rng, gen, "integers"), low, high, s,
                      dtype=d)
    return _leaf(arr, False, name, "randint")


def normal(
    loc: Any = 0.0,
    scale: Any = 1.0,
    size: Any = None,
    *,
    dtype: Any = None,
    rng: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Normal draws with mean ``loc`` and standard deviation ``scale`` (≥ 0; numbers or
    arrays that broadcast) of shape ``size`` (None: their broadcast shape), from ``rng``
    (an int seed, a ``numpy.random.Generator``, or None: a fresh unseeded generator; no
    hidden global state): ``numpy.random.default_rng(seed).normal(loc, scale, size)``,
    drawn in float64 and converted to a floating ``dtype`` (float64)."""
    d = _float(dtype, "normal")
    loc = _value(loc, "normal", "loc")
    scale = _value(scale, "normal", "scale")
    s = _size(size, "normal")
    gen = _generator(rng, "normal")
    arr = _numpy_call("normal", f"loc of shape {np.shape(loc)}, scale of shape "
                      f"{np.shape(scale)}, size {s}",
                      functools.partial(_trace.draw_from, rng, gen, "normal"),
                      loc, scale, s)
    return _leaf(_in_dtype(arr, d), requires_grad, name, "normal")


def uniform(
    low: Any = 0.0,
    high: Any = 1.0,
    size: Any = None,
    *,
    dtype: Any = None,
    rng: Any = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """Uniform draws from [low, high) (numbers or arrays that broadcast) of shape
    ``size`` (None: their broadcast shape), from ``rng`` (an int seed, a
    ``numpy.random.Generator``, or None: a fresh unseeded generator; no hidden global
    state): ``numpy.random.default_rng(seed).uniform(low, high, size)``, drawn in float64
    and converted to a floating ``dtype`` (float64; rounding to a narrower dtype can
    give ``high`` itself)."""
    d = _float(dtype, "uniform")
    low = _value(low, "uniform", "low")
    high = _value(high, "uniform", "high")
    s = _size(size, "uniform")
    gen = _generator(rng, "uniform")
    arr = _numpy_call("uniform", f"low of shape {np.shape(low)}, high of shape "
                      f"{np.shape(high)}, size {s}",
                      functools.partial(_trace.draw_from, rng, gen, "uniform"),
                      low, high, s)
    return _leaf(_in_dtype(arr, d), requires_grad, name, "uniform")
