"""Every differentiable op: forward, backward and the derivative's text, side by side.

Each op is a :class:`Function` subclass followed by the lower-case function users
call. ``formula`` is the op's local derivative as shown in graphs: ``{0}``, ``{1}``
stand for the inputs' names and ``{y}`` for the output's, so matmul drawn as
N = X·W reads ``dL/dX = dL/dN·Wᵀ``, ``dL/dW = Xᵀ·dL/dN``.

Backward formulas use only what numpy arrays and Tensors share, plus the
dispatching helpers below, so the same code serves first-order backward on arrays
and higher-order backward on Tensors. Gradients may keep a broadcast shape: the
engine sums them back to each input's shape in one place.

At the edge: ops compute in IEEE floating point in their inputs' dtype and follow
numpy's floating-point error state; none clips its results or checks its inputs' range
on the fast path. Each op's docstring says where its results (and gradients) stop
being finite. Past that point the true value is beyond the dtype's range (or undefined):
with ``np.errstate(over=..., divide=..., invalid="raise")``, or with RuntimeWarning
turned into an error, the op raises FloatingPointError naming itself (``exp: ...``,
``backward of 'div': ...``), its inputs' shapes, dtypes and ranges, and the limit;
under numpy's default state the value is inf or NaN with numpy's RuntimeWarning, and
``np.errstate(...="ignore")`` gives it silently. ``minigrad.detect_anomaly()`` names
the op that made the first one.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from .autograd import _FP_ERRORS, Function, _float_error, no_grad
from .tensor import Tensor
from .tensor import tensor as _copy_tensor

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "add_bias",
    "sigmoid", "tanh", "relu", "exp", "log",
    "sum", "mean", "reshape", "transpose", "broadcast_to", "getitem", "astype",
    "softmax", "log_softmax", "mse", "cross_entropy",
]  # fmt: skip


# --------------------------------------------------------------------------- helpers


def _broadcast_error(op: str, a: np.ndarray, b: np.ndarray) -> ValueError:
    return ValueError(
        f"{op}: shapes {a.shape} and {b.shape} do not broadcast together (numpy rules: "
        "trailing dimensions must be equal or 1)"
    )


def _save_crossed(fn: Function, a, b) -> None:
    """Save for a product: dL/da needs b and dL/db needs a, so an array only the
    gradient of a constant input would use is neither kept nor made read-only."""
    p = fn.parents
    if p is not None:
        fn.save_for_backward(a if p[1].requires_grad else None, b if p[0].requires_grad else None)


def _exp(v):
    return Exp.apply(v) if isinstance(v, Tensor) else np.exp(v)


def _softmax(v, axis):
    return Softmax.apply(v, axis=axis) if isinstance(v, Tensor) else _softmax_array(v, axis)


def _broadcast_to(v, shape):
    return BroadcastTo.apply(v, shape=shape) if isinstance(v, Tensor) else np.broadcast_to(v, shape)


def _scatter(g, shape, index):
    if isinstance(g, Tensor):
        return ScatterAdd.apply(g, shape=shape, index=index)
    return _scatter_array(g, shape, index)


def _normalize_axis(axis, shape: tuple, op: str) -> tuple:
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


def _empty_mean_error(op: str, shape) -> ValueError:
    """A mean over zero elements is 0/0: refused for every op that averages."""
    return ValueError(
        f"{op}: the mean over zero elements is undefined (input of shape {tuple(shape)} is "
        "empty); use a sum reduction, or skip empty batches"
    )


# --------------------------------------------------------------------------- arithmetic


class Add(Function):
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = dL/d{y}"
    __slots__ = ()

    def forward(self, a, b):
        try:
            return a + b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (a, b)) from None

    def backward(self, g):
        return g, g


class Sub(Function):
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = −dL/d{y}"
    __slots__ = ()

    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (a, b)) from None

    def backward(self, g):
        return g, (-g if self.parents[1].requires_grad else None)


class Mul(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ {1};  dL/d{1} = dL/d{y} ⊙ {0}"
    __slots__ = ()

    def forward(self, a, b):
        try:
            out = a * b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (a, b)) from None
        _save_crossed(self, a, b)
        return out

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.parents[0].requires_grad, self.parents[1].requires_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    formula = "dL/d{0} = dL/d{y} / {1};  dL/d{1} = −dL/d{y} ⊙ {0} / {1}²"
    __slots__ = ()

    def forward(self, a, b):
        try:
            out = a / b
        except ValueError:
            raise _broadcast_error(self.name, a, b) from None
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (a, b), _DIV_LIMIT) from None
        if self.parents is not None:  # dL/da needs b; dL/db needs a and b
            self.save_for_backward(a if self.parents[1].requires_grad else None, b)
        return out

    def backward(self, g):
        a, b = self.saved
        ga = g / b
        gb = -ga * a / b if self.parents[1].requires_grad else None
        return (ga if self.parents[0].requires_grad else None), gb


class Neg(Function):
    formula = "dL/d{0} = −dL/d{y}"
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


class Pow(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ p·{0}^(p−1)"
    __slots__ = ("p",)

    def forward(self, x, p):
        self.p = p
        self.save_for_backward(x)
        try:
            return x**p
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (x,), f"computing x ** {p}") from None

    def backward(self, g):
        (x,) = self.saved
        p = self.p
        if p == 0:
            return g * 0
        if p == 1:
            return g
        if p == 2:
            return g * (2 * x)
        return g * (p * x ** (p - 1))


class Matmul(Function):
    formula = "dL/d{0} = dL/d{y}·{1}ᵀ;  dL/d{1} = {0}ᵀ·dL/d{y}"
    __slots__ = ()

    def forward(self, a, b):
        if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-2]:
            _matmul_error(a, b)
        try:
            out = a @ b
        except ValueError:
            _matmul_error(a, b)
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (a, b)) from None
        _save_crossed(self, a, b)
        return out

    def backward(self, g):
        a, b = self.saved
        need_a, need_b = self.parents[0].requires_grad, self.parents[1].requires_grad
        return (g @ b.mT if need_a else None), (a.mT @ g if need_b else None)


def _matmul_error(a, b):
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(
            f"matmul: needs 2-D (or batched) operands, got a of shape {a.shape} and b of "
            f"shape {b.shape}; reshape a vector to (1, n) or (n, 1)"
        )
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(
            f"matmul: a of shape {a.shape} and b of shape {b.shape} do not fit: a has "
            f"{a.shape[-1]} columns but b has {b.shape[-2]} rows"
        )
    raise ValueError(
        f"matmul: batch dimensions of a {a.shape[:-2]} and b {b.shape[:-2]} do not broadcast"
    )


# Python-number operands get their own small ops: no constant tensor to build, no
# gradient to compute for the number, and float32 inputs stay float32.


class AddScalar(Function):
    name = "add"
    formula = "dL/d{0} = dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return x + c

    def backward(self, g):
        return g


class RSubScalar(Function):
    name = "sub"
    formula = "dL/d{0} = −dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return c - x

    def backward(self, g):
        return -g


class MulScalar(Function):
    name = "mul"
    formula = "dL/d{0} = c·dL/d{y}"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        return x * c

    def backward(self, g):
        return g * self.c


class DivScalar(Function):
    name = "div"
    formula = "dL/d{0} = dL/d{y} / c"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        try:
            return x / c
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (x, np.asarray(c)), _DIV_LIMIT) from None

    def backward(self, g):
        return g / self.c


class RDivScalar(Function):
    name = "div"
    formula = "dL/d{0} = −c·dL/d{y} / {0}²"
    __slots__ = ("c",)

    def forward(self, x, c):
        self.c = c
        self.save_for_backward(x)
        try:
            return c / x
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (np.asarray(c), x), _DIV_LIMIT) from None

    def backward(self, g):
        (x,) = self.saved
        return g * (-self.c) / (x * x)


_SCALARS = frozenset((int, float, bool))  # Python scalars: weak dtypes, as in numpy


def _is_scalar(v) -> bool:
    return type(v) in _SCALARS


_DIV_LIMIT = "the quotient's magnitude must stay below the dtype's largest value"
_LOG_LIMIT = "log is finite for inputs > 0 (log(0) = −inf, log of a negative number is NaN)"


def _exp_limit(x) -> str:
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return f"exp overflows {dtype} for inputs above {np.log(np.finfo(dtype).max):.6g}"


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


def _tensor(v, op: str) -> Tensor:
    """``v`` as a Tensor; a copy of an array, since an op may save it and make it read-only."""
    if isinstance(v, Tensor):
        return v
    try:
        return _copy_tensor(v)
    except TypeError as e:
        reason = str(e).split(": ", 1)[-1]  # without the "tensor: " of tensor()'s message
        raise TypeError(f"{op}: input 0 is not numeric ({reason})") from None


def add(a, b) -> Tensor:
    """a + b, broadcasting as numpy does. Finite unless the sum passes the dtype's largest
    value (1.8e308 for float64)."""
    return _tensor(a, "add") + b


def sub(a, b) -> Tensor:
    """a − b, broadcasting as numpy does. Finite unless the difference passes the dtype's
    largest value."""
    return _tensor(a, "sub") - b


def mul(a, b) -> Tensor:
    """a ⊙ b (elementwise), broadcasting as numpy does. Finite unless a product passes the
    dtype's largest value (tiny products underflow to 0 quietly)."""
    return _tensor(a, "mul") * b


def div(a, b) -> Tensor:
    """a / b (elementwise), broadcasting as numpy does.

    At the edge: finite while the quotient fits the dtype (1e3 / 1e-300 = 1e303 does). The
    gradient for a, g / b, is as large as the quotient; the gradient for b, −g·a / b²,
    overflows for a divisor near zero (b = 1e-300), so with numpy errors raised
    ``backward of 'div'`` fails there. A constant divisor (no gradient) stays finite.
    ``c / x`` for a number c has gradient −c·g / x², which fails the same way. b = 0
    is a division by zero.
    """
    return _tensor(a, "div") / b


def neg(x) -> Tensor:
    """−x."""
    return Neg.apply(x)


def pow(x, exponent) -> Tensor:
    """x ** exponent for a scalar (Python or 0-d) exponent.

    At the edge: x ** 2 and x ** 3 are finite at |x| = 1e3; x ** 0.5 is finite forward
    and backward down to x = 1e-300 (its gradient 0.5 / √x is 5e149 there) but its
    gradient divides by zero at x = 0; for a negative exponent the gradient
    p·x^(p−1) overflows near zero (x ** -1 at 1e-300: the gradient −1e600).
    """
    if type(exponent) not in _SCALARS:
        if isinstance(exponent, (np.ndarray, np.generic)) and exponent.ndim == 0 \
                and exponent.dtype.kind in "biuf":
            exponent = exponent.item()
        elif isinstance(exponent, numbers.Real) and not isinstance(exponent, np.ndarray):
            exponent = float(exponent)
        else:
            raise TypeError(
                f"pow: the exponent must be a scalar number, got {type(exponent).__name__} "
                f"of shape {np.shape(exponent) if not isinstance(exponent, str) else ()}; "
                "use exp(b * log(x)) for a tensor exponent"
            )
    return Pow.apply(x, p=exponent)


def matmul(a, b) -> Tensor:
    """a @ b for 2-D operands or batches of them (leading dims broadcast). Finite unless a
    sum of products passes the dtype's largest value."""
    return Matmul.apply(a, b)


def add_bias(n, b) -> Tensor:
    """P = N + B with n of shape (batch, k) and b of shape (k,) or (1, k)."""
    return AddBias.apply(n, b)


# --------------------------------------------------------------------------- elementwise


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^−x) keeps full relative precision for negative x, where
    # 1/2 + tanh(x/2)/2 would cancel. Where e^−x overflows (x below −log(largest
    # float)), 1 / (1 + inf) = 0 is the right answer, below the smallest normal
    # number: on small arrays capping −x avoids the overflow in one cheap call; on
    # large ones a pass over the data costs more than silencing it.
    cap = _EXP_CAP.get(x.dtype)
    if cap is None:
        x = x.astype(np.float64)
        cap = _EXP_CAP[x.dtype]
    if x.size <= 1024:  # on small arrays numpy's out= calls cost more than new arrays
        return 1.0 / (1.0 + np.exp(np.minimum(-x, cap)))
    t = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    np.reciprocal(t, out=t)
    return t


_EXP_CAP = {np.dtype(np.float16): 11.0, np.dtype(np.float32): 88.0,
            np.dtype(np.float64): 709.0, np.dtype(np.longdouble): 11356.0}


class Sigmoid(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ σ({0})(1 − σ({0}))"
    __slots__ = ()

    def forward(self, x):
        y = _sigmoid_array(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * y * (1 - y)


class Tanh(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ (1 − tanh²({0}))"
    __slots__ = ()

    def forward(self, x):
        y = np.tanh(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * (1 - y * y)


class ReLU(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ [{0} > 0]"
    __slots__ = ()

    def forward(self, x):
        mask = x > 0
        self.save_for_backward(mask)
        return np.maximum(x, 0)

    def backward(self, g):
        (mask,) = self.saved
        return g * mask


class Exp(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ exp({0})"
    __slots__ = ()

    def forward(self, x):
        try:
            y = np.exp(x)
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (x,), _exp_limit(x)) from None
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g * y


class Log(Function):
    formula = "dL/d{0} = dL/d{y} / {0}"
    __slots__ = ()

    def forward(self, x):
        self.save_for_backward(x)
        try:
            return np.log(x)
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (x,), _LOG_LIMIT) from None

    def backward(self, g):
        (x,) = self.saved
        return g / x


def sigmoid(x) -> Tensor:
    """σ(x) = 1 / (1 + e^−x), computed without overflow for any x: finite, forward and
    backward, for every finite input (σ(1000) = 1; σ(−1000) is 0 or a value below the
    smallest normal float)."""
    return Sigmoid.apply(x)


def tanh(x) -> Tensor:
    """tanh(x); finite, forward and backward, for every finite input."""
    return Tanh.apply(x)


def relu(x) -> Tensor:
    """max(x, 0); the gradient at 0 is taken as 0. Finite for every finite input."""
    return ReLU.apply(x)


def exp(x) -> Tensor:
    """e^x.

    At the edge: finite for x up to log of the largest float, 709.78 for float64 (88.72
    for float32); e^x underflows quietly to 0 for very negative x. Above the limit the
    true value overflows: with numpy errors raised, FloatingPointError
    ``exp: overflow ... for inputs above 709.783``; else inf with numpy's RuntimeWarning.
    """
    return Exp.apply(x)


def log(x) -> Tensor:
    """Natural logarithm.

    At the edge: finite for every x > 0: log(1e-300) = −690.8, with gradient
    1/x = 1e300; only for subnormal x below 5.6e-309 does the gradient 1/x overflow
    (float64). log(0) is a division by zero (−inf) and the log of a negative number is
    invalid (NaN).
    """
    return Log.apply(x)


# --------------------------------------------------------------------------- reductions


class Sum(Function):
    formula = "dL/d{0} = dL/d{y} broadcast to the shape of {0}"
    __slots__ = ("shape", "axes", "keepdims")

    def forward(self, x, axis=None, keepdims=False):
        self.shape = x.shape
        self.axes = _normalize_axis(axis, x.shape, self.name)
        self.keepdims = keepdims
        return np.asarray(x.sum(axis=self.axes, keepdims=keepdims))

    def _expand(self, g):
        if not self.keepdims:
            kept = tuple(1 if i in self.axes else n for i, n in enumerate(self.shape))
            g = g.reshape(kept)
        return _broadcast_to(g, self.shape)

    def backward(self, g):
        return self._expand(g)


class Mean(Sum):
    formula = "dL/d{0} = dL/d{y} / n broadcast to the shape of {0}"
    __slots__ = ("count",)

    def forward(self, x, axis=None, keepdims=False):
        out = Sum.forward(self, x, axis, keepdims)
        count = 1
        for a in self.axes:
            count *= x.shape[a]
        self.count = count
        if count == 0:
            raise _empty_mean_error("mean", x.shape)
        return out / count

    def backward(self, g):
        return self._expand(g / self.count)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    """Sum over ``axis`` (an int, a tuple, or None for all axes)."""
    return Sum.apply(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over ``axis`` (an int, a tuple, or None for all axes)."""
    return Mean.apply(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------- shape


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
            axes = tuple(_normalize_axis(a, x.shape, self.name)[0] if x.ndim else 0
                         for a in axes)
            if sorted(axes) != list(range(x.ndim)):
                raise ValueError(
                    f"transpose: axes {given} are not a permutation for shape {x.shape}"
                )
        self.axes = axes
        return x.transpose(axes)

    def backward(self, g):
        return g.transpose(tuple(np.argsort(self.axes)))


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
        return _scatter(g, self.shape, self.index)


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


class Cast(Function):
    name = "astype"
    formula = "dL/d{0} = dL/d{y} cast back to the dtype of {0}"
    __slots__ = ("dtype",)

    def forward(self, x, dtype):
        self.dtype = x.dtype
        try:
            return x.astype(dtype)
        except _FP_ERRORS as e:
            raise _float_error(self.name, e, (x,), f"converting to {dtype}",
                               dtype=dtype) from None

    def backward(self, g):
        return g.astype(self.dtype)


def _shape_arg(shape, op: str, what: str = "shape") -> tuple:
    """A shape (or axes) argument as a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        out = tuple(shape)
    except TypeError:
        out = None
    if out is None or not builtins.all(isinstance(n, (int, np.integer)) for n in out):
        raise TypeError(f"{op}: {what} must be an int or a tuple of ints, got {shape!r}")
    return out


def reshape(x, shape) -> Tensor:
    """The same values in a new shape (one dimension may be −1)."""
    return Reshape.apply(x, shape=_shape_arg(shape, "reshape"))


def transpose(x, axes=None) -> Tensor:
    """Permute the axes (reverse them when ``axes`` is None)."""
    if axes is not None:
        axes = _shape_arg(axes, "transpose", "axes")
    return Transpose.apply(x, axes=axes)


def broadcast_to(x, shape) -> Tensor:
    """Repeat ``x`` along new or size-1 axes to ``shape``."""
    return BroadcastTo.apply(x, shape=_shape_arg(shape, "broadcast_to"))


def getitem(x, index) -> Tensor:
    """x[index] for integers, slices, None, Ellipsis, integer arrays and boolean masks."""
    return GetItem.apply(x, index=_normalize_index(index))


def astype(x, dtype) -> Tensor:
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


# --------------------------------------------------------------------------- softmax family


def _softmax_array(x, axis):
    if x.size == 0:  # nothing to normalize; max() would refuse the empty array
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = np.asarray(x - x.max(axis=axis, keepdims=True))  # 0-d arithmetic gives a scalar
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _log_softmax_array(x, axis):
    if x.size == 0:
        return np.empty_like(x, dtype=np.result_type(x, np.float16))
    z = np.asarray(x - x.max(axis=axis, keepdims=True))
    z -= np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return z


class Softmax(Function):
    formula = "dL/d{0} = {y} ⊙ (dL/d{y} − Σ dL/d{y} ⊙ {y})"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = _normalize_axis(axis, x.shape, self.name)
        y = _softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    name = "log_softmax"
    formula = "dL/d{0} = dL/d{y} − softmax({0}) ⊙ Σ dL/d{y}"
    __slots__ = ("axis",)

    def forward(self, x, axis=-1):
        self.axis = _normalize_axis(axis, x.shape, self.name)
        y = _log_softmax_array(x, self.axis)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return g - _exp(y) * g.sum(axis=self.axis, keepdims=True)


def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input (softmax([1000, −1000]) = [1, 0])."""
    return Softmax.apply(x, axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """x − log Σ exp(x) along ``axis``, stable for any magnitude: finite, forward and
    backward, for every finite input."""
    return LogSoftmax.apply(x, axis=axis)


# --------------------------------------------------------------------------- losses


class MSE(Function):
    name = "mse"
    formula = "dL/d{0} = 2({0} − {1}) / n;  dL/d{1} = −2({0} − {1}) / n"
    SUM_FORMULA = "dL/d{0} = 2({0} − {1});  dL/d{1} = −2({0} − {1})"
    __slots__ = ("scale",)

    def forward(self, pred, target, reduction="mean"):
        if pred.shape != target.shape:
            raise ValueError(
                f"mse: pred has shape {pred.shape} but target has shape {target.shape}; "
                "they must be equal (mse does not broadcast: reshape one of them)"
            )
        if reduction not in ("mean", "sum"):
            raise ValueError(f"mse: reduction must be 'mean' or 'sum', got {reduction!r}")
        if reduction == "mean" and pred.size == 0:
            raise _empty_mean_error("mse", pred.shape)
        d = (pred - target).ravel()
        total = np.dot(d, d)
        n = d.size
        if reduction == "mean":
            self.scale = 2.0 / n
        else:
            self.scale = 2.0
            self.formula = self.SUM_FORMULA
        self.save_for_backward(pred, target)
        return np.asarray(total / n if reduction == "mean" else total)

    def backward(self, g):
        pred, target = self.saved
        gp = (pred - target) * (g * self.scale)
        return (gp if self.parents[0].requires_grad else None), \
            (-gp if self.parents[1].requires_grad else None)


def mse(pred, target, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of squared errors; pred and target must have the same shape. Finite
    while the squared errors fit the dtype (|pred − target| below 1e154 in float64)."""
    return MSE.apply(pred, target, reduction=reduction)


def _one_hot(labels, classes, dtype):
    out = np.zeros((labels.shape[0], classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


class CrossEntropy(Function):
    name = "cross_entropy"
    formula = "dL/d{0} = (softmax({0}) − onehot(labels)) / n"
    __slots__ = ("labels",)

    def forward(self, logits, labels):
        if logits.ndim != 2:
            raise ValueError(
                f"cross_entropy: logits must be 2-D (batch, classes), got shape {logits.shape}"
            )
        n, c = logits.shape
        if n == 0:
            raise _empty_mean_error("cross_entropy", logits.shape)
        if labels.shape != (n,):
            raise ValueError(
                f"cross_entropy: labels must have shape ({n},) for logits of shape "
                f"{logits.shape}, got {labels.shape}"
            )
        if n and (labels.min() < 0 or labels.max() >= c):
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c}) for {c} classes, got values "
                f"from {labels.min()} to {labels.max()}"
            )
        self.labels = labels
        self.save_for_backward(logits)
        logp = _log_softmax_array(logits, 1)
        return -logp[np.arange(n), labels].sum() / n

    def backward(self, g):
        (logits,) = self.saved
        n, c = logits.shape
        p = _softmax(logits, 1) - _one_hot(self.labels, c, logits.dtype)
        return p * (g / n)


def cross_entropy(logits, labels) -> Tensor:
    """Mean over rows of −log softmax(logits)[label]; labels are integer class indices.
    Finite, forward and backward, for every finite logit (logits [1000, −1000] with label
    1 give 2000)."""
    # a copy: the backward needs the labels as they are now
    lab = np.array(labels.data if isinstance(labels, Tensor) else labels)
    if lab.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: labels must be integer class indices, got dtype {lab.dtype}"
        )
    return CrossEntropy.apply(logits, labels=lab)


# every op class, for the generic tests and the docs
OPS = (
    Add, Sub, Mul, Div, Neg, AddScalar, RSubScalar, MulScalar, DivScalar, RDivScalar,
    Pow, Matmul, AddBias, Sigmoid, Tanh, ReLU, Exp, Log,
    Sum, Mean, Reshape, Transpose, BroadcastTo, GetItem, ScatterAdd, Cast,
    Softmax, LogSoftmax, MSE, CrossEntropy,
)  # fmt: skip
