"""Reductions and ops along an axis: sums, means, extremes, products, spreads, norms,
running sums and products, softmax; and the reductions with no gradient (argmax,
argmin, all, any).

Every axis argument goes through ``_base.normalize_axis`` (or ``one_axis`` where numpy
takes a single axis): None (all axes), an int or a tuple; out-of-range axes are refused
with the op's name and the shape, and axis 0 or −1 of a 0-d tensor is the tensor itself.
The names and arguments are numpy's (``axis``, ``keepdims``, ``ddof``, ``ord``), and
each op's numpy function, called on a Tensor, runs it (``np.max(t, axis=0)``).

Reductions that need an element to exist (max, min, argmax, argmin, the ∞-norms) are
refused over an empty axis, as numpy refuses them; a mean over zero elements (mean,
var, std) is refused as 0/0; sum, prod and the 1- and 2-norms of nothing are 0, 1, 0, 0.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor, _make
from ._base import (
    constant,
    empty_mean_error,
    float_dtype,
    implements,
    normalize_axis,
    one_axis,
    reduced_shape,
)

__all__ = [
    "sum", "mean", "max", "min", "prod", "var", "std", "logsumexp", "norm", "cumsum",
    "cumprod", "argmax", "argmin", "all", "any", "softmax", "log_softmax",
]  # fmt: skip

# --------------------------------------------------------------------------- shared parts


def _flag(keepdims, op: str) -> bool:
    """``keepdims`` as a bool. Anything else is refused: numpy's functions take dtype
    or out in that position, and a dtype passed there must not pass for True."""
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"{op}: keepdims must be True or False, got "
                        f"{type(keepdims).__name__} {keepdims!r} (dtype= and out= are not "
                        "supported; pass keepdims by name)")
    return bool(keepdims)


def _reduce_over(fn: Function, x, axis, keepdims) -> tuple:
    """Record on ``fn`` the input's shape, the normalized axes and ``keepdims``; return
    the axes."""
    fn.shape = x.shape
    fn.axes = normalize_axis(axis, x.shape, fn.name)
    fn.keepdims = _flag(keepdims, fn.name)
    return fn.axes


def _kept(v, fn: Function):
    """A reduced result (or its gradient) with the reduced axes as size 1, so that it
    broadcasts against the input (arrays and Tensors alike)."""
    return v if fn.keepdims else v.reshape(reduced_shape(fn.shape, fn.axes))


def _dropped(shape: tuple, axes: tuple) -> tuple:
    """``shape`` without the reduced ``axes`` (what keepdims=False gives)."""
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each reduction over ``axes`` combines."""
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _refuse_empty(op: str, shape: tuple, axes, what: str) -> None:
    """``op`` needs at least one element per reduction (numpy refuses it too)."""
    for a in axes:
        if shape[a] == 0:
            raise ValueError(
                f"{op}: no {what} of zero elements: axis {a} of the input of shape "
                f"{tuple(shape)} is empty"
            )


def _tie_weights(x: np.ndarray, yk: np.ndarray, axes: tuple) -> np.ndarray:
    """1/k at each of the k elements equal to the reduced value ``yk`` (kept dims), 0
    elsewhere: the gradient of an extreme split evenly among tied elements, as
    PyTorch's ``amax``/``amin``. A NaN extreme comes from the NaN elements. The weights
    are piecewise constant in x (a constant of the backward, derivative 0)."""
    mask = x == yk
    if np.isnan(yk).any():
        mask |= np.isnan(x)
    return (mask / mask.sum(axis=axes, keepdims=True)).astype(x.dtype, copy=False)


def _to_last(v, axes: tuple):
    """``v`` (an array or a Tensor) with ``axes`` moved to the end and flattened into
    one: shape (other axes..., n)."""
    shape = tuple(v.shape)
    keep = [i for i in range(len(shape)) if i not in axes]
    perm = keep + list(axes)
    if perm != list(range(len(shape))):
        v = np.transpose(v, perm)
    return v.reshape(tuple(shape[i] for i in keep) + (_count(shape, axes),))


def _from_last(v, shape: tuple, axes: tuple):
    """``_to_last`` undone: (other axes..., n) back to ``shape``."""
    keep = [i for i in range(len(shape)) if i not in axes]
    perm = keep + list(axes)
    v = v.reshape(tuple(shape[i] for i in perm))
    if perm != list(range(len(shape))):
        v = np.transpose(v, [int(i) for i in np.argsort(perm)])
    return v


def _drop_each(xt):
    """(..., n) → (..., n, n), row i holding the n values with value i replaced by 1:
    its product (or running product) leaves element i out, without a division. For
    backward formulas on Tensors, where it stays differentiable at zeros."""
    n = xt.shape[-1]
    eye = np.eye(n, dtype=xt.dtype)
    return xt.reshape(tuple(xt.shape[:-1]) + (1, n)) * (1 - eye) + eye


def _revcumsum(v, axis: int):
    """Σ_{j≥i} v_j along ``axis`` (arrays and Tensors alike)."""
    rev = (slice(None),) * axis + (slice(None, None, -1),)
    return np.cumsum(v[rev], axis=axis)[rev]


def _raw_input(x, op: str) -> np.ndarray:
    """The array of an input of a function with no gradient."""
    return x.data if isinstance(x, Tensor) else constant(x, op).data


# --------------------------------------------------------------------------- sum, mean


class Sum(Function):
    formula = "dL/d{0} = dL/d{y} broadcast to the shape of {0}"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(self, x, axis=None, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        return _trace.asarray(x.sum(axis=axes, keepdims=self.keepdims))

    def _expand(self, g):
        return np.broadcast_to(_kept(g, self), self.shape)

    def backward(self, g):
        return self._expand(g)


@implements(np.sum)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (an int, a tuple, or None for all axes); 0 over zero elements."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


class Mean(Sum):
    formula = "dL/d{0} = dL/d{y} / n broadcast to the shape of {0}"
    __slots__ = ("count",)

    def forward(self, x, axis=None, keepdims=False):
        out = Sum.forward(self, x, axis, keepdims)
        self.count = _count(x.shape, self.axes)
        if self.count == 0:
            raise empty_mean_error("mean", x.shape)
        return out / self.count

    def backward(self, g):
        return self._expand(g / self.count)


@implements(np.mean)
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple, or None for all axes); refused over zero
    elements."""
    return Mean.apply(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- max, min


class Max(Function):
    formula = "dL/d{0} = dL/d{y} shared evenly among the elements of {0} equal to {y}"
    __slots__ = ("shape", "axes", "keepdims", "weights")
    _reduce = staticmethod(np.max)
    _what = "maximum"

    def forward(self, x, axis=None, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        _refuse_empty(self.name, x.shape, axes, self._what)
        y = _trace.asarray(self._reduce(x, axis=axes, keepdims=self.keepdims))
        if self.parents is not None:
            self.weights = _tie_weights(x, _kept(y, self), axes)
        return y

    def backward(self, g):
        return _kept(g, self) * self.weights


@implements(np.max, np.amax)
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The largest element over ``axis`` (an int, a tuple, or None for all axes):
    numpy's ``max``/``amax``. Exact, and finite for finite input; NaN wins, as in numpy.
    Refused over an empty axis (numpy refuses it too).

    Gradient: dL/dy goes to the elements equal to the maximum; where k elements tie, each
    gets 1/k of it (PyTorch's ``amax`` convention; numpy has no gradient).
    """
    return Max.apply(x, axis=axis, keepdims=keepdims)


class Min(Max):
    formula = "dL/d{0} = dL/d{y} shared evenly among the elements of {0} equal to {y}"
    __slots__ = ()
    _reduce = staticmethod(np.min)
    _what = "minimum"


@implements(np.min, np.amin)
def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The smallest element over ``axis`` (an int, a tuple, or None for all axes):
    numpy's ``min``/``amin``. Exact, and finite for finite input; NaN wins, as in numpy.
    Refused over an empty axis (numpy refuses it too).

    Gradient: dL/dy goes to the elements equal to the minimum; where k elements tie, each
    gets 1/k of it (PyTorch's ``amin`` convention).
    """
    return Min.apply(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- prod


def _underflows(y: np.ndarray) -> bool:
    """Whether some product is 0 or below the smallest normal number, where y / x
    would divide by zero or lose the other factors' digits."""
    return not (np.abs(y) >= np.finfo(y.dtype).tiny).all()


def _others_product(xt: np.ndarray) -> np.ndarray:
    """Π_{k≠i} x_k along the last axis, for every i, as the product of the running
    products from the left and from the right: no division, so zeros are exact."""
    left = np.ones_like(xt)
    np.cumprod(xt[..., :-1], axis=-1, out=left[..., 1:])
    right = np.ones_like(xt)
    right[..., :-1] = np.cumprod(xt[..., :0:-1], axis=-1)[..., ::-1]
    return left * right


class Prod(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ the product of the other elements of {0}"
    __slots__ = ("shape", "axes", "keepdims", "small")

    def forward(self, x, axis=None, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        y = _trace.asarray(x.prod(axis=axes, keepdims=self.keepdims))
        if self.parents is not None:
            self.save_for_backward(x, y)
            self.small = _underflows(y)
        return y

    def backward(self, g):
        x, y = self.saved
        g = _kept(g, self)
        if not (self.small or isinstance(x, Tensor)):  # the others' product is y / x
            return g * (_kept(y, self) / x)
        # without a division: exact with zeros, and differentiable again there
        xt = _to_last(x, self.axes)
        if isinstance(xt, Tensor):
            others = Prod.apply(_drop_each(xt), axis=-1)
        else:
            others = _others_product(xt)
        return g * _from_last(others, self.shape, self.axes)

    def limit(self, *arrays, **kwargs):
        return "the product's magnitude must stay below the dtype's largest value"


@implements(np.prod)
def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The product of the elements over ``axis`` (an int, a tuple, or None for all
    axes); 1 over zero elements. Multiplied in numpy's order: finite while the product
    (and numpy's running products) stay below the dtype's largest value; tiny ones
    underflow to 0 quietly.

    Gradient: dL/dxᵢ = dL/dy · Π_{k≠i} x_k. Where every product is a normal number
    that is y / xᵢ (as in PyTorch); where one is 0 (or below the smallest normal
    number) it is the product of the running products from the left and from the right,
    with no division: exact with one zero (the zero's gradient is the product of the
    others, every other one 0) and with several (all 0). Under ``create_graph`` the
    products leaving out each element are taken as products, so second order is right
    at zeros too (at a cost of N² values for a reduction of N elements).
    """
    return Prod.apply(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- var, std


def _ddof(ddof, op: str):
    if not isinstance(ddof, numbers.Real) or isinstance(ddof, bool):
        raise TypeError(f"{op}: ddof must be a number, got {type(ddof).__name__} {ddof!r}")
    return ddof


def _deviations(x, axes: tuple):
    """x − mean x over ``axes`` (kept dims), for arrays and Tensors. Taken from the data
    shifted by each reduction's first element, so that equal elements give exactly 0
    (their mean, rounded, may differ from them in the last place; a spread made of that
    would give std a gradient of ±1/√N where it has none)."""
    first = tuple(slice(0, 1) if i in axes else slice(None) for i in range(len(x.shape)))
    d = x - x[first]
    return d - d.mean(axis=axes, keepdims=True)


class Var(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ 2({0} − mean {0}) / (N − ddof)"
    __slots__ = ("shape", "axes", "keepdims", "dof")

    def forward(self, x, axis=None, ddof=0, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        n = _count(x.shape, axes)
        if n == 0:
            raise empty_mean_error(self.name, x.shape)
        self.dof = n - ddof
        if self.dof <= 0:
            raise ValueError(
                f"{self.name}: ddof={ddof} leaves {self.dof} degrees of freedom: each "
                f"{self.name} over axes {axes} of the input of shape {x.shape} combines {n} "
                f"element{'s' if n != 1 else ''}, so ddof must be below {n}"
            )
        self.save_for_backward(x)
        d = _deviations(x, axes)
        return _trace.asarray((d * d).sum(axis=axes, keepdims=self.keepdims) / self.dof)

    def _grad(self, x, g):
        """dL/dx for the output gradient ``g`` of the variance (any output shape)."""
        return _kept(g, self) * _deviations(x, self.axes) * (2 / self.dof)

    def backward(self, g):
        return self._grad(self.saved[0], g)

    def limit(self, *arrays, **kwargs):
        dt = float_dtype(*arrays[:1])
        return (f"the squared deviations from the mean must stay below the dtype's largest "
                f"value (deviations below {np.sqrt(np.finfo(dt).max):.3g} in {dt})")


@implements(np.var)
def var(x: Any, axis: Any = None, ddof: Any = 0, keepdims: bool = False) -> Tensor:
    """The variance Σ(x − mean x)² / (N − ddof) over ``axis`` (an int, a tuple, or None
    for all axes), N the number of elements each combines; ``ddof=0`` (numpy's default)
    is the population variance, ``ddof=1`` the unbiased estimate. Refused over zero
    elements, and where ddof ≥ N (numpy gives inf or NaN with a warning there).
    Computed from the deviations from the mean (two passes, as numpy; equal elements
    give exactly 0, not a rounding error of the mean): finite while the squared
    deviations fit the dtype (|x − mean| below 1.3e154 in float64, 1.8e19 in
    float32).

    Gradient: 2(x − mean x) / (N − ddof) · dL/dy.
    """
    return Var.apply(x, axis=axis, ddof=_ddof(ddof, "var"), keepdims=keepdims)


class Std(Var):
    formula = "dL/d{0} = dL/d{y} ⊙ ({0} − mean {0}) / ((N − ddof)·{y}), 0 where {y} = 0"
    __slots__ = ("flat",)

    def forward(self, x, axis=None, ddof=0, keepdims=False):
        y = _trace.asarray(np.sqrt(Var.forward(self, x, axis, ddof, keepdims)))
        if self.parents is not None:
            self.save_for_backward(x, y)
            flat = y == 0  # no spread: sqrt has no derivative at 0
            self.flat = flat if flat.any() else None
        return y

    def backward(self, g):
        x, y = self.saved
        if self.flat is not None:  # PyTorch's subgradient: 0, with no 0/0 on the way
            y = y + self.flat
            g = g * ~self.flat
        return self._grad(x, g / (2 * y))


@implements(np.std)
def std(x: Any, axis: Any = None, ddof: Any = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation √var(x, axis, ddof) over ``axis`` (an int, a tuple, or
    None for all axes), with numpy's ``ddof`` (default 0). Refused over zero elements
    and where ddof ≥ N, as ``var``; finite where ``var`` is.

    Gradient: (x − mean x) / ((N − ddof)·y) · dL/dy. Where there is no spread (y = 0,
    all the elements equal) √ has no derivative; the gradient is 0 there, PyTorch's
    convention (its ``std_backward`` masks y = 0 to 0; it is not NaN).
    """
    return Std.apply(x, axis=axis, ddof=_ddof(ddof, "std"), keepdims=keepdims)


# --------------------------------------------------------------------------- logsumexp


class LogSumExp(Function):
    name = "logsumexp"
    formula = "dL/d{0} = dL/d{y} ⊙ exp({0} − {y})"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(self, x, axis=None, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        if x.dtype.kind != "f":
            x = x.astype(float_dtype(x))
        m = _trace.asarray(x.max(axis=axes, keepdims=True, initial=-np.inf))
        m[~np.isfinite(m)] = 0  # all −inf (or nothing): log 0 = −inf below; +inf stays
        s = np.exp(x - m).sum(axis=axes, keepdims=True)
        y = np.log(s, out=np.full_like(s, -np.inf), where=s > 0)
        y += m
        y = _trace.asarray(y if self.keepdims else y.reshape(_dropped(x.shape, axes)))
        if self.parents is not None:
            self.save_for_backward(x, y)
        return y

    def backward(self, g):
        x, y = self.saved
        return _kept(g, self) * np.exp(x - _kept(y, self))


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """log Σ exp(x) over ``axis`` (an int, a tuple, or None for all axes), computed as
    m + log Σ exp(x − m) with m the maximum, so it is finite, forward and backward, for
    every finite input (logsumexp([1000, 1000]) = 1000 + log 2, with no overflow). Over
    zero elements (or all −inf) it is −inf, the log of an empty sum. numpy has no such
    function (scipy.special.logsumexp is the same math).

    Gradient: softmax over the reduced axes, exp(x − y) · dL/dy; undefined (NaN, as in
    PyTorch) where every element is −inf.
    """
    return LogSumExp.apply(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- norm


def _norm_order(ord, axis, shape: tuple):
    """numpy.linalg.norm's choice of norm as a vector order p (the Frobenius norm is
    the 2-norm of the matrix's elements); refused orders name what is supported."""
    ndim = len(shape)
    if axis is None:
        if ord is not None and ndim not in (1, 2):
            raise ValueError(
                f"norm: ord={ord!r} with axis=None needs a 1-D or 2-D input (numpy's "
                f"rule), got shape {shape}; pass axis"
            )
        matrix = ord is not None and ndim == 2
    else:
        n = 1 if isinstance(axis, (int, np.integer)) else len(tuple(axis))
        if n not in (1, 2):
            raise ValueError(
                f"norm: axis {axis} names {n} axes; a vector norm takes 1 and a matrix norm "
                f"2 (input of shape {shape})"
            )
        matrix = n == 2
    if matrix:
        if ord is None or (isinstance(ord, str) and ord == "fro"):
            return 2.0
        raise ValueError(
            f"norm: the matrix norm ord={ord!r} is not supported (input of shape {shape}); "
            "only the Frobenius norm, ord=None or 'fro'"
        )
    if ord is None:
        return 2.0
    if isinstance(ord, str) or not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise ValueError(f"norm: ord={ord!r} is not a norm order for vectors (input of "
                         f"shape {shape}); use None, 1, 2, inf, -inf or a number p > 1")
    p = float(ord)
    if not (p >= 1 or p == -np.inf):
        raise ValueError(
            f"norm: ord={ord!r} is not supported for vectors (input of shape {shape}); "
            "supported: None (2), 1, 2, inf, -inf and any p > 1"
        )
    return p


class Norm(Function):
    formula = ("dL/d{0} = dL/d{y} ⊙ sign({0})·(|{0}| / {y})^(p−1), 0 where {y} = 0 "
               "(p = ±inf: sign({0}) at the extreme |{0}|, split among ties)")
    __slots__ = ("shape", "axes", "keepdims", "p", "sign", "zero")

    def forward(self, x, ord=None, axis=None, keepdims=False):
        axes = _reduce_over(self, x, axis, keepdims)
        p = self.p = _norm_order(ord, axis, x.shape)
        if x.dtype.kind != "f":
            x = x.astype(float_dtype(x))
        a = np.abs(x)
        if np.isinf(p):
            _refuse_empty(f"norm (ord={ord})", x.shape, axes,
                          "largest |x|" if p > 0 else "smallest |x|")
            y = (np.max if p > 0 else np.min)(a, axis=axes, keepdims=True)
        elif p == 1:
            y = a.sum(axis=axes, keepdims=True)
        else:  # scaled by the largest |x|: no overflow or underflow on the way
            m = a.max(axis=axes, keepdims=True, initial=0)
            r = a / np.where(m == 0, 1, m)
            if p == 2:
                y = m * np.sqrt((r * r).sum(axis=axes, keepdims=True))
            else:
                y = m * (r**p).sum(axis=axes, keepdims=True) ** (1 / p)
        if self.parents is not None:
            self.sign = np.sign(x)
            if np.isinf(p):  # the sign's share of the tie at the extreme
                self.sign = self.sign * _tie_weights(a, y, axes)
            elif p != 1:
                zero = y == 0  # the zero vector: subgradient 0, no 0/0
                self.zero = zero if zero.any() else None
        y = _trace.asarray(y if self.keepdims else y.reshape(_dropped(x.shape, axes)))
        if self.parents is not None and not (p == 1 or np.isinf(p)):
            self.save_for_backward(x, y)
        return y

    def backward(self, g):
        g = _kept(g, self)
        p = self.p
        if p == 1 or np.isinf(p):
            return g * self.sign
        x, y = self.saved
        y = _kept(y, self)
        if self.zero is not None:
            y = y + self.zero
        if p == 2:
            return g * (x / y)
        return g * self.sign * (x * self.sign / y) ** (p - 1)

    def limit(self, *arrays, **kwargs):
        return "the norm must stay below the dtype's largest value"


@implements(np.linalg.norm)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """numpy.linalg.norm for vectors and the Frobenius norm of matrices.

    Vector norms (``axis`` an int, or None with a 1-D input): ord None or 2 gives
    √Σx², 1 gives Σ|x|, inf max |x|, -inf min |x|, and any p > 1 (Σ|x|^p)^(1/p).
    Matrix norms (``axis`` a 2-tuple, or None with a 2-D input): ord None or 'fro' gives
    the Frobenius norm √Σx²; other matrix orders are refused. With ord None and axis None
    any input is flattened (the 2-norm of all its elements), as in numpy. ord 0 and
    p < 1 are refused; so are ±inf over an empty axis (1- and 2-norms of nothing are 0).

    The 2- and p-norms are computed scaled by the largest |x|, so they are finite for
    every finite input whose norm fits the dtype (numpy's √Σx² overflows for |x| above
    1.3e154 and underflows to 0 below 1e-154).

    Gradients (PyTorch's ``linalg.vector_norm`` conventions): x / y for the 2-norm, 0 for
    the zero vector (a subgradient, as PyTorch); sign(x) for the 1-norm (0 at x = 0); for
    ±inf, sign(x) at the elements with |x| = y, split evenly among ties;
    sign(x)·(|x| / y)^(p−1) for p.
    """
    return Norm.apply(x, ord=ord, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- cumsum, cumprod


def _along(fn: Function, x, axis):
    """The array a running op works on, and its axis: numpy flattens for axis None; the
    axis of a 0-d input is the input itself (None)."""
    fn.shape = x.shape
    if axis is None:
        fn.axis = 0
        return x.reshape(-1)
    fn.axis = one_axis(axis, x.shape, fn.name)
    return x


class Cumsum(Function):
    formula = "dL/d{0} = the running sum of dL/d{y} from the end"
    __slots__ = ("shape", "axis")

    def forward(self, x, axis=None):
        v = _along(self, x, axis)
        if self.axis is None:
            return v.copy()
        return np.cumsum(v, axis=self.axis)

    def backward(self, g):
        if self.axis is not None:
            g = _revcumsum(g, self.axis)
        return g.reshape(self.shape)


@implements(np.cumsum)
def cumsum(x: Any, axis: Any = None) -> Tensor:
    """The running sum along ``axis`` (an int); axis None runs over the flattened input,
    as numpy. Finite while the partial sums fit the dtype.

    Gradient: the running sum of dL/dy from the end of the axis.
    """
    return Cumsum.apply(x, axis=axis)


def _cumprod_grad_array(xt: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Σ_{j≥i} g_j Π_{k≤j, k≠i} x_k along the last axis, with no division: the running
    product before i times hᵢ = Σ_{j≥i} g_j Π_{i<k≤j} x_k, which runs back from the end
    as hᵢ = gᵢ + x_{i+1}·h_{i+1}. Exact with zeros and with products that underflow; one
    step per element of the axis (only taken where some running product is that small)."""
    left = _trace.record(np.ones, xt.shape, dtype=np.result_type(xt, gt), deps=(xt, gt))
    np.cumprod(xt[..., :-1], axis=-1, out=left[..., 1:])
    h = np.empty_like(left)
    h[..., -1:] = gt[..., -1:]
    for i in range(xt.shape[-1] - 2, -1, -1):
        h[..., i] = gt[..., i] + xt[..., i + 1] * h[..., i + 1]
    return left * h


class Cumprod(Function):
    formula = "dL/d{0}ᵢ = Σ over j ≥ i of dL/d{y}ⱼ ⊙ the product of {0}ₖ for k ≤ j, k ≠ i"
    __slots__ = ("shape", "axis", "small")

    def forward(self, x, axis=None):
        v = _along(self, x, axis)
        y = v.copy() if self.axis is None else np.cumprod(v, axis=self.axis)
        if self.parents is not None:
            self.save_for_backward(x, y)
            self.small = _underflows(y)
        return y

    def backward(self, g):
        x, y = self.saved
        ax = self.axis
        if ax is None:
            return g
        x = x.reshape(y.shape)
        if not (self.small or isinstance(x, Tensor)):  # Σ_{j≥i} g_j y_j / x_i
            return (_revcumsum(g * y, ax) / x).reshape(self.shape)
        xt, gt = _to_last(x, (ax,)), _to_last(g, (ax,))
        if isinstance(xt, Tensor):  # no division: differentiable again at zeros
            n = xt.shape[-1]
            upper = np.triu(np.ones((n, n), dtype=xt.dtype))  # j ≥ i
            runs = Cumprod.apply(_drop_each(xt), axis=-1)  # [i, j]: Π_{k≤j, k≠i} x_k
            gx = (runs * (upper * gt.reshape(tuple(gt.shape[:-1]) + (1, n)))).sum(axis=-1)
        else:
            gx = _cumprod_grad_array(xt, gt)
        return _from_last(gx, y.shape, (ax,)).reshape(self.shape)

    def limit(self, *arrays, **kwargs):
        return "the running products' magnitudes must stay below the dtype's largest value"


@implements(np.cumprod)
def cumprod(x: Any, axis: Any = None) -> Tensor:
    """The running product along ``axis`` (an int); axis None runs over the flattened
    input, as numpy. Finite while the partial products fit the dtype.

    Gradient: dL/dxᵢ = Σ_{j≥i} dL/dyⱼ · Π_{k≤j, k≠i} x_k. Where every running product
    is a normal number it is Σ_{j≥i} dL/dyⱼ·yⱼ / xᵢ (as PyTorch); where one is 0 (or
    below the smallest normal number) it is computed without a division, exact with
    zeros (the first zero of a row gets the sum of the products that leave it out,
    every element past it 0). Under ``create_graph`` each Π_{k≤j, k≠i} is taken as a
    running product of its own, so second order is right at zeros too (N² values for a
    row of N).
    """
    return Cumprod.apply(x, axis=axis)


# --------------------------------------------------------------------------- no gradient


def _arg_extreme(x, axis, keepdims, op: str, what: str, numpy_fn) -> Tensor:
    a = _raw_input(x, op)
    ax = None if axis is None else one_axis(axis, a.shape, op)
    _refuse_empty(op, a.shape, range(a.ndim) if ax is None else (ax,), what)
    out = numpy_fn(a, axis=ax, keepdims=_flag(keepdims, op))
    return _make(_trace.asarray(out), False, None)


@implements(np.argmax)
def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The index of the largest element along ``axis`` (an int), or in the flattened
    input for axis None; the first one where several tie (numpy's rule, a NaN counts as
    the largest). Integers, with no gradient. Refused over an empty axis."""
    return _arg_extreme(x, axis, keepdims, "argmax", "maximum", np.argmax)


@implements(np.argmin)
def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The index of the smallest element along ``axis`` (an int), or in the flattened
    input for axis None; the first one where several tie (a NaN counts as the
    smallest). Integers, with no gradient. Refused over an empty axis."""
    return _arg_extreme(x, axis, keepdims, "argmin", "minimum", np.argmin)


@implements(np.all)
def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether every element over ``axis`` (an int, a tuple, or None for all axes) is
    nonzero; True over zero elements. Booleans, with no gradient."""
    a = _raw_input(x, "all")
    axes = normalize_axis(axis, a.shape, "all")
    return _make(_trace.asarray(np.all(a, axis=axes, keepdims=_flag(keepdims, "all"))), False, None)


@implements(np.any)
def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether some element over ``axis`` (an int, a tuple, or None for all axes) is
    nonzero; False over zero elements. Booleans, with no gradient."""
    a = _raw_input(x, "any")
    axes = normalize_axis(axis, a.shape, "any")
    return _make(_trace.asarray(np.any(a, axis=axes, keepdims=_flag(keepdims, "any"))), False, None)


# --------------------------------------------------------------------------- softmax


def _softmax_array(x, axis):
    if x.size == 0:  # nothing to normalize; max() would refuse the empty array
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = _trace.asarray(x - x.max(axis=axis, keepdims=True))  # 0-d arithmetic gives a scalar
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _log_softmax_array(x, axis):
    if x.size == 0:
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = _trace.asarray(x - x.max(axis=axis, keepdims=True))
    z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


class Softmax(Function):
    formula = "dL/d{0} = {y} ⊙ (dL/d{y} − Σ dL/d{y} ⊙ {y})"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = normalize_axis(axis, x.shape, self.name)
        y = _softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input (softmax([1000, −1000]) = [1, 0])."""
    return Softmax.apply(x, axis=axis)


def softmax_either(v, axis):
    """softmax of an array or a Tensor (for backward formulas)."""
    return Softmax.apply(v, axis=axis) if isinstance(v, Tensor) else _softmax_array(v, axis)


class LogSoftmax(Function):
    name = "log_softmax"
    formula = "dL/d{0} = dL/d{y} − softmax({0}) ⊙ Σ dL/d{y}"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = normalize_axis(axis, x.shape, self.name)
        y = _log_softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g - np.exp(y) * g.sum(axis=self.axis, keepdims=True)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """x − log Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input."""
    return LogSoftmax.apply(x, axis=axis)
