"""Tensor: a numpy array that remembers the op that made it."""

from __future__ import annotations

import difflib
import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _trace

__all__ = ["Tensor", "tensor"]

_NUMERIC_KINDS = frozenset("biuf")


def _as_array(data, dtype, where: str) -> np.ndarray:
    """Convert user data: numpy arrays keep their dtype; Python numbers and lists become
    float64, except booleans, which stay bool; text and other objects are refused."""
    if type(data) is np.ndarray and dtype is None and data.dtype.kind in _NUMERIC_KINDS:
        return data  # the common case, first
    if isinstance(data, Tensor):
        data = data.data
    if type(data) is _trace.Traced:  # inside minigrad.compile's recording
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError as e:
            raise TypeError(f"{where}: dtype={dtype!r} is not a numpy dtype ({e})") from None
    if data is None:  # numpy would make it NaN
        raise TypeError(f"{where}: data is None; expected a number, a list or a numeric array")
    try:
        if isinstance(data, (np.ndarray, np.generic)):
            arr = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
        else:
            # read as numpy would, then refuse text and objects: asked for float64 directly,
            # numpy would turn "3" into 3.0
            arr = np.asarray(data)
            if arr.dtype.kind in "USOV":
                raise TypeError(f"numpy reads it as dtype {arr.dtype}")
            if dtype is not None:
                arr = arr.astype(dtype)
            elif arr.dtype != bool:  # booleans stay booleans, numbers become float64
                arr = arr.astype(np.float64)
    except (TypeError, ValueError) as e:
        what = f"dtype {data.dtype}" if isinstance(data, (np.ndarray, np.generic)) else \
            f"type {type(data).__name__}"
        raise TypeError(f"{where}: data of {what} is not numeric ({e})") from None
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{where}: data has dtype {arr.dtype}; minigrad works on bool, integer and "
            "floating-point arrays"
        )
    return arr


class Tensor:
    """An n-dimensional array that records the ops applied to it.

    ``data`` is the numpy array; ``grad`` is None until a backward pass reaches the
    tensor, then a Tensor of the same shape and dtype. A tensor made by an op on
    inputs that require grad requires grad itself and keeps that op in ``_ctx``.

    ``Tensor(array)`` wraps a numpy array without copying it; ``minigrad.tensor``
    copies, and so do ops given plain arrays. An array that a recorded op saves for
    its backward pass becomes read-only (numpy's ``writeable`` flag), so an in-place
    edit that would corrupt a gradient is refused rather than silently giving a wrong
    one. The in-place operators (``+=``, ``-=``, ...) under ``no_grad`` write into a
    fresh array when the old one is read-only; optimizers do the same. Run
    evaluation under ``no_grad()``: nothing is saved there.
    """

    # data, requires_grad and _ctx are set on every op's output; the rest live in the
    # instance dict only once set (leaves' gradients, names), with class defaults.
    __slots__ = ("data", "requires_grad", "_ctx", "__dict__", "__weakref__")
    # ``grad`` lives in the instance dict once set (plain, fast attribute access); until
    # then reading it reaches _UnsetGrad below, which warns for a non-leaf
    grad: Tensor | None
    name: str | None = None
    _retain: bool = False

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        arr = _as_array(data, dtype, "tensor")
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(
                f"tensor: requires_grad=True needs a floating-point dtype, got {arr.dtype}; "
                "pass dtype=float or convert the data first"
            )
        self.data = arr
        self.requires_grad = bool(requires_grad)
        self._ctx = None
        if name is not None:
            self.name = name

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded op."""
        return self._ctx is None

    @property
    def op(self) -> Any:
        """The Function node that produced this tensor, or None for a leaf."""
        return self._ctx

    @property
    def T(self) -> Tensor:
        return transpose(self)

    @property
    def mT(self) -> Tensor:
        """Transpose of the last two axes (matrix transpose of a batch)."""
        n = self.data.ndim
        if n < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.data.shape}")
        axes = list(range(n))
        axes[-1], axes[-2] = axes[-2], axes[-1]
        return transpose(self, tuple(axes))

    # ------------------------------------------------------------------ numpy protocols
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy ufuncs on Tensors (``np.exp(t)``, ``array + t``) run minigrad's op for
        them, recording the graph."""
        if method == "__call__" and not kwargs:
            fn = _NUMPY_FUNCTIONS.get(ufunc)
            if fn is not None:
                return fn(*inputs)
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        return _numpy_fallback(name, ufunc if method == "__call__" else getattr(ufunc, method),
                               inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """numpy functions on Tensors (``np.sum(t, axis=0)``, ``np.concatenate([a, b])``)
        run minigrad's op for them, recording the graph."""
        fn = _NUMPY_FUNCTIONS.get(func)
        if fn is not None:
            return fn(*args, **kwargs)
        return _numpy_fallback(func.__name__, func, args, kwargs)

    # ------------------------------------------------------------------ conversion
    def numpy(self) -> np.ndarray:
        """The data array (shared, not copied)."""
        if _trace.ACTIVE:
            _trace.check_read(self, ".numpy()")
        return self.data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if _trace.ACTIVE:
            _trace.check_read(self, "converting to a numpy array")
        a = self.data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def item(self) -> float | int | bool:
        if _trace.ACTIVE:
            _trace.check_read(self, '.item()')
        return self.data.item()

    def tolist(self) -> Any:
        if _trace.ACTIVE:
            _trace.check_read(self, '.tolist()')
        return self.data.tolist()

    def __float__(self) -> float:
        if _trace.ACTIVE:
            _trace.check_read(self, 'float()')
        return float(self.data)

    def __int__(self) -> int:
        if _trace.ACTIVE:
            _trace.check_read(self, 'int()')
        return int(self.data)

    def __bool__(self) -> bool:
        if _trace.ACTIVE:
            _trace.check_read(self, 'bool() (an `if` or `while` on a tensor)')
        return bool(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        if _trace.ACTIVE:
            _trace.check_read(self, 'printing')
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self._ctx is not None:
            extras.append(f"op={self._ctx.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ------------------------------------------------------------------ autograd
    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, *, gradient: Any = None) -> None:
        """Reverse mode: fill ``.grad`` of every leaf this tensor depends on.

        ``grad`` (array or Tensor of this tensor's shape; ``gradient=`` is the same, under
        PyTorch's name) is required unless the tensor has size 1. Gradients accumulate.
        The arrays saved for backward are freed afterwards unless ``retain_graph=True``
        (default: ``create_graph``). With ``create_graph=True`` the backward pass is
        recorded, so gradients can be differentiated again.
        """
        if gradient is not None:
            if grad is not None:
                raise TypeError("backward: pass the output gradient as grad= or gradient=, "
                                "not both")
            grad = gradient
        _autograd.backward(self, grad, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return _make(self.data, False, None)

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf tensor's gradient in ``.grad`` from now on; like a leaf's,
        it accumulates over backward calls."""
        self._retain = True
        return self

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_: needs a floating-point dtype, got {self.data.dtype}"
            )
        self.requires_grad = bool(flag)
        return self

    def zero_grad(self) -> None:
        self.grad = None

    # ------------------------------------------------------------------ operators
    # ``+ - * / ** @ -x x[i]`` are the op functions themselves (add, sub, ...), bound
    # below the class: each function is the one place its dispatch rule lives. The
    # declarations here are for type checkers.
    if TYPE_CHECKING:
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, exponent: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...

    def __rpow__(self, base: Any) -> Tensor:
        return pow(base, self)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(other, self)

    def __pos__(self) -> Tensor:
        return self

    # All six comparisons are elementwise and give boolean tensors outside the graph,
    # as in numpy and PyTorch. Hashing stays by identity, so tensors remain usable as
    # dict keys and set members (the engine keys its dictionaries by tensor; Python's
    # containers compare identity before equality).
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return equal(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return not_equal(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __lt__(self, other: Any) -> Tensor:
        return less(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __le__(self, other: Any) -> Tensor:
        return less_equal(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __gt__(self, other: Any) -> Tensor:
        return greater(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __ge__(self, other: Any) -> Tensor:
        return greater_equal(self, other) if isinstance(other, _COMPARABLE) else NotImplemented

    def __and__(self, other: Any) -> Tensor:
        return bitwise_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return bitwise_or(self, other)

    def __xor__(self, other: Any) -> Tensor:
        return bitwise_xor(self, other)

    def __invert__(self) -> Tensor:
        return invert(self)

    __hash__ = object.__hash__

    # in-place arithmetic: for updates outside the graph (optimizers, under no_grad)
    def _inplace(self, other: Any, ufunc: Any, symbol: str) -> Tensor:
        if self.requires_grad and _autograd._mode.enabled:
            raise RuntimeError(
                f"in-place '{symbol}' on a tensor of shape {self.data.shape} that requires "
                "grad would not be recorded; do it inside minigrad.no_grad(), as optimizers do"
            )
        if not self.data.flags.writeable:
            _reclaim(self)
        a = self.data
        b = other.data if isinstance(other, Tensor) else other
        try:
            if a.flags.writeable and (a.base is None or not _shares_saved(a)):
                ufunc(a, b, out=a, casting="same_kind")
                return self
            # a graph holds this array (or one it is a view of): the result goes into
            # a new array, under the same casting rule
            new = np.empty_like(a)
            ufunc(a, b, out=new, casting="same_kind")
        except (TypeError, ValueError) as e:
            kind = TypeError if isinstance(e, TypeError) else ValueError
            dtype = f" and dtype {b.dtype}" if isinstance(b, (np.ndarray, np.generic)) else ""
            raise kind(
                f"in-place '{symbol}': cannot apply a {type(b).__name__} of shape "
                f"{np.shape(b)}{dtype} to the tensor's {a.shape} {a.dtype} data ({e})"
            ) from None
        self.data = new
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(other, np.add, "+=")

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(other, np.subtract, "-=")

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(other, np.multiply, "*=")

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(other, np.true_divide, "/=")

    # ------------------------------------------------------------------ methods
    def matmul(self, other: Any) -> Tensor:
        return matmul(self, other)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return mean(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return reshape(self, tuple(shape))

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return transpose(self, tuple(axes) if axes else None)

    def broadcast_to(self, shape: Any) -> Tensor:
        return broadcast_to(self, shape)

    def astype(self, dtype: Any) -> Tensor:
        return astype(self, dtype)

    def exp(self) -> Tensor:
        return exp(self)

    def log(self) -> Tensor:
        return log(self)

    def sigmoid(self) -> Tensor:
        return sigmoid(self)

    def tanh(self) -> Tensor:
        return tanh(self)

    def relu(self) -> Tensor:
        return relu(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return log_softmax(self, axis)

    # ndarray's methods, as minigrad's ops (each is the function of the same name)
    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.min(self, axis, keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.prod(self, axis, keepdims)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return _ops.var(self, axis, ddof, keepdims)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return _ops.std(self, axis, ddof, keepdims)

    def cumsum(self, axis: int | None = None) -> Tensor:
        return _ops.cumsum(self, axis)

    def cumprod(self, axis: int | None = None) -> Tensor:
        return _ops.cumprod(self, axis)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _ops.argmax(self, axis, keepdims)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _ops.argmin(self, axis, keepdims)

    def all(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.all(self, axis, keepdims)

    def any(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.any(self, axis, keepdims)

    def squeeze(self, axis: Any = None) -> Tensor:
        return _ops.squeeze(self, axis)

    def flatten(self) -> Tensor:
        return _ops.flatten(self)

    def ravel(self) -> Tensor:
        return _ops.ravel(self)

    def repeat(self, repeats: Any, axis: int | None = None) -> Tensor:
        return _ops.repeat(self, repeats, axis)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        return _ops.swapaxes(self, axis1, axis2)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (numpy's names)
        return _ops.clip(self, min, max)

    def take(self, indices: Any, axis: int | None = None, mode: str = "raise") -> Tensor:
        return _ops.take(self, indices, axis, mode)

    def dot(self, other: Any) -> Tensor:
        return _ops.dot(self, other)

    def round(self, decimals: int = 0) -> Tensor:
        return _ops.round(self, decimals)

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ops.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ops.remainder(other, self)

    def __lshift__(self, other: Any) -> Tensor:
        return _ops.left_shift(self, other)

    def __rshift__(self, other: Any) -> Tensor:
        return _ops.right_shift(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _ops.bitwise_and(other, self)

    def __ror__(self, other: Any) -> Tensor:
        return _ops.bitwise_or(other, self)

    def __rxor__(self, other: Any) -> Tensor:
        return _ops.bitwise_xor(other, self)


_new = object.__new__


def _make(data: np.ndarray, requires_grad: bool, ctx) -> Tensor:
    """Build a Tensor around ``data`` without checks (the engine's fast path)."""
    t = _new(Tensor)
    t.data = data
    t.requires_grad = requires_grad
    t._ctx = ctx
    return t


def _reclaim(t: Tensor) -> bool:
    """Make ``t.data`` writable again once no graph holds it.

    A recorded op made the array read-only when it saved it. When nothing but ``t``
    refers to the array any more (that graph is gone, and no view or other tensor
    shares it) and it owns its memory, writing into it cannot change a gradient.
    Returns whether ``t.data`` is writable now."""
    if t.data.flags.owndata and sys.getrefcount(t.data) <= _SOLE_OWNER:
        t.data.setflags(write=True)
        return True
    return t.data.flags.writeable


def _sole_owner_count() -> int:
    # the reference count _reclaim sees for an array that only its tensor holds,
    # measured rather than assumed: interpreters count temporaries differently
    t = _new(Tensor)
    t.data = np.zeros(1)
    return sys.getrefcount(t.data)


class _UnsetGrad:
    """``Tensor.grad`` before anything set it: None, with PyTorch's warning when the
    tensor was made by an op and did not call ``retain_grad()`` (backward never keeps
    such a gradient). A non-data descriptor: once a gradient is set, the instance's own
    attribute is found first, so reading and writing ``.grad`` stay plain attribute
    accesses (a property, or a ``__getattr__`` hook, would slow every one of them)."""

    def __get__(self, t: Tensor | None, owner: type | None = None) -> Any:
        if t is None:
            return self
        if t._ctx is not None and not t._retain:
            warnings.warn(
                "the .grad of a tensor made by an op (a non-leaf) is not kept by "
                "backward(); call .retain_grad() on it before backward() to keep it, "
                "or use minigrad.grad() with respect to it",
                UserWarning, stacklevel=2,
            )
        return None


def _shares_saved(a: np.ndarray) -> bool:
    """Whether ``a`` is a view of a read-only array (one a graph has saved)."""
    base = a.base
    while type(base) is np.ndarray:
        if not base.flags.writeable:
            return True
        base = base.base
    return False


_COMPARABLE = (Tensor, np.ndarray, np.generic, int, float, bool, complex, list, tuple)


def _raw(x: Any) -> Any:
    """A Tensor's array, or ``x`` itself."""
    return x.data if isinstance(x, Tensor) else x


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None) -> Tensor:
    """Make a leaf Tensor from a copy of ``data``.

    Python numbers and (nested) lists become float64 arrays; numpy arrays keep their
    dtype unless ``dtype`` is given. ``requires_grad=True`` needs a floating dtype.
    """
    arr = _as_array(data, dtype, "tensor")
    if isinstance(data, (np.ndarray, Tensor, _trace.Traced)) and \
            arr is (data.data if isinstance(data, Tensor) else data):
        arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad, name=name)


def _constant(value, op: str, like: np.dtype | None = None) -> Tensor:
    """``value`` as an input of op ``op``: a Tensor as it is; anything else becomes a
    constant Tensor (no gradient). A Python number takes the floating dtype ``like``
    (numpy's rule for Python scalars: ``x32 + 1.5`` stays float32); other data is
    copied, because the op may save it and a saved array turns read-only, which must
    never happen to the caller's own array. The one place user data becomes an op's
    input."""
    if isinstance(value, Tensor):
        return value
    if like is not None and type(value) in (int, float, bool):
        return _make(np.asarray(value, dtype=like), False, None)
    try:
        return tensor(value)
    except TypeError as e:
        reason = str(e).split(": ", 1)[-1]  # without tensor()'s own "tensor: "
        raise TypeError(f"{op}: an input is not numeric data ({reason})") from None


_SOLE_OWNER = _sole_owner_count()

def _numpy_fallback(name: str, func, args, kwargs):
    """A numpy function minigrad has no op for. Where no argument is part of a graph it
    runs on the arrays (nothing to lose); where one is, it would silently drop the
    graph, so it is refused, naming the nearest minigrad op."""
    def walk(v):
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, (list, tuple)):
            for item in v:
                yield from walk(item)
        elif isinstance(v, dict):
            for item in v.values():
                yield from walk(item)

    tensors = list(walk(args)) + list(walk(kwargs))
    if any(t.requires_grad for t in tensors) and _autograd._mode.enabled:
        from . import ops

        names = ops.__all__
        near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f"; the nearest minigrad op is minigrad.{near[0]}" if near else \
            "; see minigrad.ops for the ops there are"
        raise TypeError(
            f"numpy.{name} has no minigrad op, so on a tensor that requires grad it would "
            f"drop the graph{hint}. Use minigrad's ops, or apply numpy to t.detach().numpy()"
        )

    def unwrap(v):
        if isinstance(v, Tensor):
            return v.data
        if isinstance(v, (list, tuple)):
            return type(v)(unwrap(item) for item in v)
        if isinstance(v, dict):
            return {k: unwrap(item) for k, item in v.items()}
        return v

    return func(*unwrap(args), **unwrap(kwargs))


# The ops need Tensor, so they are imported once Tensor exists.
from . import autograd as _autograd  # noqa: E402
from . import ops as _ops  # noqa: E402
from .ops._base import NUMPY_FUNCTIONS as _NUMPY_FUNCTIONS  # noqa: E402
from .ops.arithmetic import _radd, _rdiv, _rmul, _rsub, add, div, mul, neg, pow, sub  # noqa: E402
from .ops.elementwise import exp, log, relu, sigmoid, tanh  # noqa: E402
from .ops.index import getitem  # noqa: E402
from .ops.linalg import matmul  # noqa: E402
from .ops.logic import (  # noqa: E402
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    equal,
    greater,
    greater_equal,
    invert,
    less,
    less_equal,
    not_equal,
)
from .ops.reduce import log_softmax, mean, softmax, sum  # noqa: E402
from .ops.shape import astype, broadcast_to, reshape, transpose  # noqa: E402

Tensor.grad = _UnsetGrad()  # type: ignore[assignment]
_trace.TENSOR = Tensor
Tensor.__add__ = add  # type: ignore[method-assign]
Tensor.__radd__ = _radd  # type: ignore[method-assign]
Tensor.__rsub__ = _rsub  # type: ignore[method-assign]
Tensor.__rmul__ = _rmul  # type: ignore[method-assign]
Tensor.__rtruediv__ = _rdiv  # type: ignore[method-assign]
Tensor.__sub__ = sub  # type: ignore[method-assign]
Tensor.__mul__ = mul  # type: ignore[method-assign]
Tensor.__truediv__ = div  # type: ignore[method-assign]
Tensor.__pow__ = pow  # type: ignore[method-assign]
Tensor.__matmul__ = matmul  # type: ignore[method-assign]
Tensor.__neg__ = neg  # type: ignore[method-assign]
Tensor.__getitem__ = getitem  # type: ignore[method-assign]
