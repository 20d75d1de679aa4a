"""The engine: grad mode, the Function base class, and reverse mode.

A Function node is made by every op that runs while some input requires grad.
It keeps its parents (the input Tensors) and the arrays its backward needs;
the output Tensor keeps the node in ``_ctx``. Nothing points back from a node
to its output, so the references of a graph form no cycle and the graph is freed
by reference counting alone as soon as its output goes.

Backward formulas are written with operators and methods that numpy arrays and
Tensors share (``*``, ``@``, ``.sum``, ``.reshape``, ``.mT``) plus the few
dispatching helpers in ``ops``. The engine runs them on raw arrays for a plain
``backward()`` (fast, first order) and on Tensors under ``create_graph=True``,
where the backward pass records its own graph and can be differentiated again.
"""

from __future__ import annotations

import functools
import heapq
import inspect
import itertools
import linecache
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar, overload

import numpy as np

from . import _trace

__all__ = [
    "Function",
    "detect_anomaly",
    "AnomalyError",
    "no_grad",
    "enable_grad",
    "inference_mode",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "value_and_grad",
]


_F = TypeVar("_F", bound=Callable[..., Any])


class _GradMode(threading.local):
    enabled = True
    anomaly = False


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether ops run now record a graph (per thread)."""
    return _mode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode for this thread.

    As a decorator it applies inside the function, and inside a generator function
    while each step of the generator runs (not between steps, where the caller's
    mode holds). Used bare (``@enable_grad``) or called (``@enable_grad()``), it is the
    same."""

    _value = True

    def __enter__(self) -> _SetGradMode:
        self._prev = _mode.enabled
        _mode.enabled = self._value
        return self

    def __exit__(self, *exc: object) -> bool:
        _mode.enabled = self._prev
        return False

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        value = self._value
        if inspect.isgeneratorfunction(func):
            return _generator_in_mode(func, value)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _mode.enabled
            _mode.enabled = value
            try:
                return func(*args, **kwargs)
            finally:
                _mode.enabled = prev

        return wrapper


def _generator_in_mode(func, value: bool):
    """Wrap generator function ``func`` so that each of its steps runs with grad mode
    ``value``; values sent and exceptions thrown in reach it as usual."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        gen = func(*args, **kwargs)
        resume, arg = gen.send, None
        while True:
            prev = _mode.enabled
            _mode.enabled = value
            try:
                out = resume(arg)
            except StopIteration as stop:
                return stop.value
            finally:
                _mode.enabled = prev
            try:
                arg = yield out
                resume = gen.send
            except GeneratorExit:
                gen.close()
                raise
            except BaseException as exc:
                resume, arg = gen.throw, exc

    return wrapper


class _Bare(_SetGradMode):
    """A grad-mode class that may also decorate a function given to it directly."""

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        if func is None:
            return _new(cls)
        if not callable(func):
            raise TypeError(
                f"{cls.__name__}: expected a function to decorate or no argument, got "
                f"{type(func).__name__}"
            )
        return _new(cls)(func)



class _NoGrad(_SetGradMode):
    """What ``no_grad()`` makes: a context manager and decorator that turns recording
    off."""

    _value = False


@overload
def no_grad() -> _NoGrad: ...
@overload
def no_grad(func: _F) -> _F: ...
def no_grad(func: Callable[..., Any] | None = None) -> Any:
    """Ops run inside ``with no_grad():`` (or a function decorated with ``@no_grad`` or
    ``@no_grad()``) record nothing. (A function rather than a class, unlike the other
    grad modes: it runs every training step, and a class with a ``__new__`` of its own
    costs twice as much to enter.)"""
    if func is None:
        return _NoGrad()
    if not callable(func):
        raise TypeError(f"no_grad: expected a function to decorate or no argument, got "
                        f"{type(func).__name__}")
    return _NoGrad()(func)


class enable_grad(_Bare):
    """Turns recording back on inside a ``no_grad`` block."""

    _value = True


class inference_mode(_Bare):
    """``no_grad`` under PyTorch's other name: ``with inference_mode():`` records nothing.
    ``inference_mode(False)`` records, as outside it."""

    _value = False

    def __new__(cls, mode: bool | Callable[..., Any] = True) -> Any:
        if isinstance(mode, bool):
            self = super().__new__(cls)
            self._value = not mode
            return self
        return super().__new__(cls, mode)


class set_grad_enabled(_Bare):
    """Set grad mode for this thread: at once when called (``set_grad_enabled(False)``),
    and back to the previous mode at the end of a ``with`` block or a decorated
    function."""

    def __new__(cls, mode: bool) -> Any:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self = super().__new__(cls)
        self._value = bool(mode)
        self._prev = _mode.enabled
        _mode.enabled = self._value
        return self

    def __enter__(self) -> set_grad_enabled:
        _mode.enabled = self._value
        return self

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        _mode.enabled = self._prev  # as a decorator it applies only inside func
        return super().__call__(func)


# --------------------------------------------------------------------------- Function

_FREED = None  # the value ``Function.saved`` takes once backward has released it


class Function:
    """One differentiable op: ``forward`` on arrays, ``backward`` as a vector-Jacobian product.

    Subclass it to define an op::

        class Cube(Function):
            formula = "dL/d{0} = dL/d{y} ⊙ 3{0}²"

            def forward(self, x):
                self.save_for_backward(x)
                return x ** 3

            def backward(self, g):
                (x,) = self.saved
                return g * 3 * x ** 2

        y = Cube.apply(x)

    ``forward`` receives the inputs' arrays (and any keyword arguments of ``apply``)
    and returns the output array. ``backward`` receives the output gradient and
    returns one gradient per input, in input order (a bare value for a one-input
    op; ``None`` for an input that needs none). Gradients may have the broadcast
    shape; the engine sums them back to each input's shape. Write the backward
    with operators and methods that arrays and Tensors share, so that
    ``create_graph=True`` can differentiate through it.

    ``formula`` is the local derivative as text for graph labels: ``{0}``, ``{1}``
    stand for the inputs' names and ``{y}`` for the output's.

    Second order: under ``create_graph=True`` the backward runs on Tensors, and each
    array in ``self.saved`` is replaced by the Tensor it stands for, found by position:
    an array passed to ``forward`` as input *i* becomes input *i*, the array ``forward``
    returned becomes the output. Any other floating-point array saved (one derived
    from the inputs, like ``x * x``) has a dependence on the inputs that the engine
    cannot see, so differentiating through such a backward raises an error rather than
    treating it as a constant. Save inputs or the output and derive the rest inside
    ``backward``; or set ``once_differentiable = True`` on the class to declare the op
    first order only, so that ``create_graph`` through it raises. Integer and boolean
    saved arrays (indices, masks) are constants. Values that do not depend on the
    inputs belong in attributes, not in ``saved``.

    A recorded node keeps its inputs in ``parents`` and the keyword arguments it was
    applied with in ``kwargs``, so the op can be run again at the same inputs
    (``type(fn)().forward(*arrays, **fn.kwargs)``).
    """

    __slots__ = ("parents", "saved", "seq", "kwargs", "__dict__")

    #: the op's name in graphs and error messages (default: the class name, lower case)
    name: str = ""
    #: the local derivative, as text for graph labels
    formula: str = ""
    #: True for an op whose backward cannot itself be differentiated
    once_differentiable: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__.lower()

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        """Run the op on ``args`` (Tensors, arrays or numbers) and record it if needed."""
        fn = _new(cls)
        fn.saved = ()
        try:
            if len(args) == 2:
                x, y = args
                if not (isinstance(x, Tensor) and isinstance(y, Tensor)):
                    x, y = args = _tensors(args, cls.name)
                rg = (x.requires_grad or y.requires_grad) and _mode.enabled
                fn.parents = args if rg else None
                xd, yd = x.data, y.data
                if xd is yd:  # one array as both inputs (x and x.detach()): tell them apart
                    fn.passed = xd, yd = xd, xd.view()
                if kwargs:
                    out = fn.forward(xd, yd, **kwargs)
                else:
                    out = fn.forward(xd, yd)
            elif len(args) == 1:
                x = args[0]
                if not isinstance(x, Tensor):
                    args = _tensors(args, cls.name)
                    x = args[0]
                rg = x.requires_grad and _mode.enabled
                fn.parents = args if rg else None
                if kwargs:
                    out = fn.forward(x.data, **kwargs)
                else:
                    out = fn.forward(x.data)
            else:
                args = _tensors(args, cls.name)
                rg = _mode.enabled and any(a.requires_grad for a in args)
                fn.parents = args if rg else None
                arrays = [a.data for a in args]
                if len({id(a) for a in arrays}) < len(arrays):  # the same array twice
                    seen = set()
                    for i, a in enumerate(arrays):
                        if id(a) in seen:
                            arrays[i] = a.view()
                        seen.add(id(arrays[i]))
                    fn.passed = tuple(arrays)
                out = fn.forward(*arrays, **kwargs)
        # numpy's own errors, translated here for every op (a try costs nothing until
        # something is raised): name the op, the inputs' shapes and dtypes, the limit
        except _FP_ERRORS as e:
            raise _float_error(cls.name, e, [_data(a) for a in args],
                               fn.limit(*[_data(a) for a in args], **kwargs),
                               dtype=_float_dtype(kwargs.get("dtype"))) from None
        except ValueError as e:
            if "could not be broadcast" not in str(e):
                raise
            shapes = " and ".join(str(np.shape(_data(a))) for a in args)
            raise ValueError(
                f"{cls.name}: shapes {shapes} do not broadcast together (numpy rules: "
                "trailing dimensions must be equal or 1)"
            ) from None
        if type(out) is not np.ndarray:
            out = _as_output(fn, out)
        if _anomaly_threads and _mode.anomaly:
            _check_forward(fn, out, args, rg)
        t = _new(Tensor)  # _make, inlined: this is the hottest path in minigrad
        t.data = out
        t.requires_grad = rg
        if rg:
            fn.seq = next(_counter)
            fn.kwargs = kwargs
            t._ctx = fn
        else:
            t._ctx = None
        return t

    def forward(self, *arrays, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def limit(self, *arrays, **kwargs) -> str:
        """Where this op's values stop being finite, said in a floating-point error
        message (error path only; ``arrays`` are the inputs)."""
        return ""

    def backward(self, g):
        raise NotImplementedError(f"{type(self).__name__} must define backward()")

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` for backward. While recording, they are made read-only, so
        an in-place edit of a value the gradient depends on is refused."""
        if self.parents is not None:
            for a in arrays:
                while type(a) is np.ndarray:
                    a.setflags(write=False)
                    a = a.base
        self.saved = arrays

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether it needs a gradient."""
        return tuple(p.requires_grad for p in self.parents)

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _data(a):
    return a.data if isinstance(a, Tensor) else a


def _float_dtype(dtype):
    """``dtype`` when it names a floating-point dtype (an op's target), else None."""
    try:
        d = np.dtype(dtype) if dtype is not None else None
    except TypeError:
        return None
    return d if d is not None and d.kind == "f" else None


def _as_output(fn: Function, out) -> np.ndarray:
    """An op returned a numpy scalar (ufuncs do on 0-d input): make it a 0-d array,
    and let a saved copy of it refer to the same object, as the output's data."""
    arr = _trace.asarray(out)
    if any(a is out for a in fn.saved):
        fn.saved = tuple(arr if a is out else a for a in fn.saved)
    return arr


_new = object.__new__
# Nodes are numbered as they are made; creation order is a topological order,
# which is all the backward pass needs to visit each node after its consumers.
_counter = itertools.count()


def _tensors(args, op: str):
    """``args`` as Tensors: constants made by ``tensor._constant``, with Python numbers in
    the dtype of the first floating Tensor argument."""
    like = None
    for a in args:
        if isinstance(a, Tensor) and a.data.dtype.kind == "f":
            like = a.data.dtype
            break
    out = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(a)
            continue
        try:
            out.append(_constant(a, op, like))
        except TypeError:
            raise _input_error(op, args, a) from None
    return tuple(out)


def _input_error(op: str, args, a) -> TypeError:
    """Error path only: the op ``op`` got ``a``, which is not numeric."""
    i = next(k for k, b in enumerate(args) if b is a)
    if isinstance(a, (np.ndarray, np.generic)):
        what = f"{type(a).__name__} of shape {np.shape(a)} and dtype {a.dtype}"
    else:
        text = repr(a)
        what = f"{type(a).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
    inputs = ", ".join(
        f"{type(b).__name__} {np.shape(b.data if isinstance(b, Tensor) else b)} "
        f"{b.dtype}" if isinstance(b, (Tensor, np.ndarray, np.generic)) else type(b).__name__
        for b in args
    )
    return TypeError(f"{op}: input {i} ({what}) is not numeric data (bool, integer or "
                     f"floating point); inputs: {inputs}")


# --------------------------------------------------------------------------- backward


def _sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (works on arrays and Tensors)."""
    key = (g.shape, shape)
    plan = _SUM_PLANS.get(key)
    if plan is None:
        plan = _sum_plan(*key)
    axes, keepdims = plan
    g = g.sum(axis=axes, keepdims=keepdims)
    return g.reshape(shape) if keepdims and len(shape) != len(key[0]) else g


def _sum_plan(gshape, shape):
    """The axes to sum to take ``gshape`` to ``shape``: the extra leading ones, and the
    ones ``shape`` has as 1; keepdims only when some size-1 axis must stay."""
    lead = len(gshape) - len(shape)
    if lead < 0 or any(n != 1 and gshape[i + lead] != n for i, n in enumerate(shape)):
        raise RuntimeError(f"gradient of shape {gshape} cannot be summed to shape {shape}")
    kept = tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)
    plan = (tuple(range(lead)) + kept, bool(kept))
    if len(_SUM_PLANS) < 4096:
        _SUM_PLANS[(gshape, shape)] = plan
    return plan


_SUM_PLANS: dict = {}


def _resolve_saved(fn: Function, out: Tensor) -> tuple:
    """The Tensors behind ``fn.saved``, for differentiating through its backward.

    An array passed to ``forward`` as input *i* stands for input *i*; the array it
    returned stands for the output. (Apply passes distinct array objects even when two
    inputs share one, as ``x`` and ``x.detach()`` do, so the position is never
    ambiguous.) Integer and boolean arrays are constants; any other floating-point
    array was derived from the inputs in a way the graph does not record."""
    if fn.once_differentiable:
        raise RuntimeError(
            f"create_graph through '{fn.name}': the op is declared first order only "
            "(once_differentiable = True), so its backward cannot be differentiated; "
            "use create_graph=False, or keep this op out of the function given to a "
            "nested grad()"
        )
    passed = fn.__dict__.get("passed") or [p.data for p in fn.parents]
    resolved = []
    for k, a in enumerate(fn.saved):
        if not isinstance(a, np.ndarray) and type(a) is not _trace.Traced:
            resolved.append(a)
            continue
        for i, d in enumerate(passed):
            if a is d:
                resolved.append(fn.parents[i])
                break
        else:
            if a is out.data:
                resolved.append(out)
            elif a.dtype.kind in "fc":
                raise _derived_saved_error(fn, k, a)
            else:
                resolved.append(_make(a, False, None))
    return tuple(resolved)


def _derived_saved_error(fn: Function, k: int, a: np.ndarray) -> RuntimeError:
    return RuntimeError(
        f"create_graph through '{fn.name}': saved array {k} (shape {a.shape}, dtype "
        f"{a.dtype}) is neither one of the op's inputs nor its output, so how it depends "
        "on the inputs is not recorded and its second derivative would silently be 0. "
        "Pass inputs or the output to save_for_backward and compute derived values in "
        "backward, or set once_differentiable = True on the class to declare the op "
        "first order only"
    )


def _freed_error(fn: Function) -> RuntimeError:
    return RuntimeError(
        f"backward through the graph a second time: the arrays saved by '{fn.name}' were "
        "freed by an earlier backward(). Pass retain_graph=True to the first backward() "
        "to call it again."
    )


def run_backward(root: Tensor, grad, retain_graph: bool, create_graph: bool, inputs=None):
    """Reverse mode from ``root`` with output gradient ``grad``.

    Nodes are visited newest first (a max-heap on their creation number), so each
    node's gradient is complete when it is visited; no separate topological sort
    and no recursion, whatever the depth. When the heap is empty and a node has a
    single input to visit next, that input is taken straight away: a chain never
    touches the heap.

    Where gradients end up is chosen once, before the walk. Without ``inputs``, they
    accumulate into the ``.grad`` of leaves (and of tensors that called
    ``retain_grad()``). With ``inputs`` (a sequence of Tensors), no ``.grad`` is touched:
    the gradients of ``inputs`` are captured and returned, and the walk stops at them,
    so nothing upstream of an input runs, whatever lies there.
    """
    capture = None if inputs is None else {t: None for t in inputs}
    if root._ctx is None or (capture is not None and root in capture):
        if capture is not None:
            return [grad if t is root else None for t in inputs]
        _accumulate_leaf(root, grad, create_graph, False)
        return None

    grads = {}  # pending gradients of the nodes in the heap
    heap = []
    pop, push = heapq.heappop, heapq.heappush
    prev_mode = _mode.enabled
    plain = not create_graph and not (_anomaly_threads and _mode.anomaly)
    _mode.enabled = create_graph
    t, g = root, grad
    fn = None
    try:
        while True:
            fn = t._ctx
            if capture is None and t._retain:  # accumulates, like a leaf's gradient
                kept = g if create_graph else _make(np.array(g), False, None)
                t.grad = kept if t.grad is None else t.grad + kept
            parents = fn.parents
            if plain and fn.saved is not _FREED:
                # the common case inline, as a call per node is measurable here: what
                # _run_node does for a first-order backward with nothing to check
                pgs = fn.backward(g)
                if not retain_graph:
                    fn.saved = _FREED
                if type(pgs) is not tuple or len(pgs) != len(parents):
                    pgs = _as_grad_tuple(fn, pgs)
            else:
                pgs = _run_node(fn, t, g, retain_graph, create_graph)
            nxt = nxt_g = None  # the one node to visit next, when nothing else is pending
            for p, pg in zip(parents, pgs):
                if pg is None or not p.requires_grad:
                    continue
                if create_graph and not isinstance(pg, Tensor):
                    pg = _make(np.asarray(pg), False, None)
                if pg.shape != p.data.shape:
                    pg = _sum_to(pg, p.data.shape)
                ctx = p._ctx
                if capture is not None and p in capture:  # a stop: not walked past
                    prev = capture[p]
                    capture[p] = pg if prev is None else prev + pg
                elif ctx is None:
                    if capture is None:
                        _accumulate_leaf(p, pg, create_graph, _fresh(pg, g, pgs))
                elif p is nxt:
                    nxt_g = nxt_g + pg
                elif p in grads:
                    grads[p] = grads[p] + pg
                elif nxt is None and not heap:
                    nxt, nxt_g = p, pg
                else:
                    if nxt is not None:  # a second node to visit: both go to the heap
                        grads[nxt] = nxt_g
                        push(heap, (-nxt._ctx.seq, nxt))
                        nxt = None
                    grads[p] = pg
                    push(heap, (-ctx.seq, p))
            if nxt is not None:
                t, g = nxt, nxt_g
            elif heap:
                t = pop(heap)[1]
                g = grads.pop(t)
            else:
                break
    except _FP_ERRORS as e:  # name the node whose backward step failed
        if fn is None:
            raise
        raise _float_error(f"backward of '{fn.name}'", e, [p.data for p in fn.parents],
                           grad=g) from None
    finally:
        _mode.enabled = prev_mode
    if capture is not None:
        return [capture[t] for t in inputs]
    return None


def _run_node(fn: Function, out: Tensor, g, retain_graph: bool, create_graph: bool) -> tuple:
    """Run one node's backward with output gradient ``g``: one gradient per input, as a
    tuple. Under ``create_graph`` the saved arrays are seen as the Tensors they stand
    for; without ``retain_graph`` they are released afterwards."""
    saved = fn.saved
    if saved is _FREED:
        raise _freed_error(fn)
    if create_graph:
        fn.saved = _resolve_saved(fn, out)
        try:
            pgs = fn.backward(g)
        finally:
            fn.saved = saved
    else:
        pgs = fn.backward(g)
    if not retain_graph:
        fn.saved = _FREED
    if type(pgs) is not tuple or len(pgs) != len(fn.parents):
        pgs = _as_grad_tuple(fn, pgs)
    if _anomaly_threads and _mode.anomaly:
        _check_backward(fn, pgs)
    return pgs


def _fresh(pg, g, pgs) -> bool:
    """Whether a gradient array is new and unshared, so a leaf may keep it uncopied:
    not the incoming gradient passed through, not a view, not given to two inputs."""
    if pg is g or (type(pg) is not np.ndarray and type(pg) is not _trace.Traced) or \
            pg.base is not None:
        return False
    n = len(pgs)
    if n == 1:
        return True
    if n == 2:
        return pgs[0] is not pgs[1] or pgs[0] is not pg
    return sum(x is pg for x in pgs) <= 1


def _as_grad_tuple(fn: Function, pgs) -> tuple:
    """A backward's result as one gradient per input: a bare value for a one-input op,
    a list, or a tuple of the right length; anything else is an error naming the op."""
    n = len(fn.parents)
    if type(pgs) is tuple:
        if len(pgs) == n:
            return pgs
    elif isinstance(pgs, list):
        if len(pgs) == n:
            return tuple(pgs)
    elif n == 1:
        return (pgs,)
    raise _arity_error(fn)


def _arity_error(fn: Function) -> RuntimeError:
    n = len(fn.parents)
    return RuntimeError(
        f"backward of '{fn.name}' must return {n} gradient{'s' if n > 1 else ''}, one per "
        "input (a tuple, or a bare value for a one-input op)"
    )


def _accumulate_leaf(p: Tensor, g, create_graph: bool, fresh: bool) -> None:
    """Add ``g`` to ``p.grad``. A ``fresh`` array (made by this backward, shared with
    nothing) becomes the gradient as it is; any other is copied, so that no two
    gradients share memory and later accumulation can work in place."""
    dtype = p.data.dtype
    if create_graph:
        if not isinstance(g, Tensor):
            g = _make(np.asarray(g), False, None)
        if g.data.dtype != dtype:
            g = g.astype(dtype)
        p.grad = g if p.grad is None else p.grad + g
        return
    if isinstance(g, Tensor):
        g = g.data
    recording = _trace.ACTIVE  # minigrad.compile's recording, in any thread
    if recording:
        _trace.grad_read(p)
    old = p.__dict__.get("grad")
    if old is None:
        if type(g) is not np.ndarray and not (type(g) is _trace.Traced
                                               and type(g.v) is np.ndarray):
            # numpy arithmetic on 0-d arrays gives scalars
            g = _trace.asarray(g, dtype)
        elif g.dtype != dtype:
            g = g.astype(dtype)
        elif not fresh:
            g = g.copy()
        if recording:  # a gradient that is a constant still gets added to: traced
            g = _trace.owned(g)
        p.grad = _make(g, False, None)
        return
    buf = old.data
    if old._ctx is None and buf.flags.writeable and buf.shape == np.shape(g):
        np.add(buf, g, out=buf, casting="unsafe")
    else:
        p.grad = _make(_trace.asarray(buf + g, dtype), False, None)


def backward(t: Tensor, grad=None, retain_graph=None, create_graph=False) -> None:
    """Reverse mode from ``t``; see :meth:`Tensor.backward`."""
    if not t.requires_grad:
        raise RuntimeError(
            f"backward: this tensor (shape {t.data.shape}, dtype {t.data.dtype}) does not "
            "require grad and has no graph; create the inputs with requires_grad=True (and "
            "outside no_grad())"
        )
    g = _output_grad(t, grad, "backward")
    if create_graph:
        g = _make(g, False, None)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(t, g, retain_graph, create_graph)


def _ones(shape, dtype) -> np.ndarray:
    """A read-only array of ones, shared: the default output gradient of a scalar."""
    key = (shape, dtype)
    one = _ONES.get(key)
    if one is None:
        one = np.ones(shape, dtype=dtype)
        one.setflags(write=False)
        if len(_ONES) < 64:
            _ONES[key] = one
    return one


_ONES: dict = {}


def _output_grad(t: Tensor, grad, where: str):
    shape = t.data.shape
    if grad is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"{where}: the output is not a scalar (shape {shape}); pass grad= with "
                "the output gradient, an array of that shape"
            )
        return _ones(shape, t.data.dtype)
    g = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
    if g.shape != shape:
        raise ValueError(
            f"{where}: grad has shape {g.shape} but the output has shape {shape}; "
            "they must be equal"
        )
    if g.dtype != t.data.dtype:
        if g.dtype.kind not in "biuf":
            raise TypeError(
                f"{where}: grad has dtype {g.dtype} (shape {g.shape}); it must be numeric, "
                f"like the output ({t.data.dtype}, shape {shape})"
            )
        g = g.astype(t.data.dtype)
    return g


# --------------------------------------------------------------------------- floating-point errors

# What numpy raises for an overflow, a division by zero or an invalid value under
# np.errstate(...="raise"), or warns with (a RuntimeWarning) when warnings are errors.
_FP_ERRORS = (FloatingPointError, RuntimeWarning)


def _float_error(where: str, e: BaseException, arrays, limit: str = "",
                 grad=None, dtype=None) -> FloatingPointError:
    """Error path only: the FloatingPointError that names the op, the inputs' shapes,
    dtypes and ranges, and the limit that was crossed (in ``dtype``: by default the
    inputs' floating-point dtype)."""
    if isinstance(e, AnomalyError) or getattr(e, "minigrad_op", None):
        return e  # already explained
    text = str(e)
    result = [np.dtype(dtype)] if dtype is not None else []

    def describe(a) -> str:
        a = np.asarray(a.data if isinstance(a, Tensor) else a)
        part = f"{a.shape} {a.dtype}"
        if a.dtype.kind == "f":
            result.append(a.dtype)
            if a.size:
                part += f" in [{a.min():.4g}, {a.max():.4g}]"
        return part

    with np.errstate(all="ignore"):
        what = "inputs: " + (", ".join(describe(a) for a in arrays) or "none")
        if grad is not None:
            what += "; output gradient: " + describe(grad)
    dtype = result[0] if result and result[0].kind == "f" else np.dtype(np.float64)
    info = np.finfo(dtype)
    if "overflow" in text:
        why = f"a value exceeds the largest {dtype} ({info.max:.4g})"
    elif "underflow" in text:
        why = f"a value is below the smallest normal {dtype} ({info.tiny:.4g})"
    elif "invalid" in text:  # before "divide": 0/0 is "invalid value encountered in divide"
        why = ("the result is undefined (NaN) or not representable, as for the log of a "
               "negative number, 0/0, or a value outside an integer dtype's range")
    elif "divide" in text:
        why = "a division by zero (or the log of zero) gives ±inf"
    else:
        why = "numpy reported a floating-point problem"
    err = FloatingPointError(
        f"{where}: {text}: {why}{'; ' + limit if limit else ''} ({what}). Under numpy's "
        "default error state the result would be inf or NaN with a RuntimeWarning; "
        "minigrad.detect_anomaly() names the op that makes the first one"
    )
    err.minigrad_op = where
    return err


# --------------------------------------------------------------------------- anomaly detection

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_anomaly_threads = 0  # how many threads are inside detect_anomaly(); 0 keeps ops fast
_anomaly_lock = threading.Lock()


class AnomalyError(FloatingPointError):
    """A NaN or infinity appeared in a forward output or a backward gradient."""


class detect_anomaly:
    """Check every op's output and every backward gradient for NaN and infinity.

    Inside ``with minigrad.detect_anomaly():`` (per thread) an op whose forward
    output, or whose backward gradient for an input, holds a NaN or an infinity
    raises :class:`AnomalyError` naming the op and the line of user code that
    created it. Ops record where they were made, so this mode is slower.
    """

    def __enter__(self):
        global _anomaly_threads
        self._prev = _mode.anomaly
        if not self._prev:
            with _anomaly_lock:
                _anomaly_threads += 1
        _mode.anomaly = True
        return self

    def __exit__(self, *exc):
        global _anomaly_threads
        _mode.anomaly = self._prev
        if not self._prev:
            with _anomaly_lock:
                _anomaly_threads -= 1
        return False


def _user_site() -> str:
    """The innermost frame outside minigrad: where the user's code called in."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "an unknown place"
    code = frame.f_code
    line = linecache.getline(code.co_filename, frame.f_lineno).strip()
    return f"{code.co_filename}:{frame.f_lineno} in {code.co_name}" + (f": {line}" if line else "")


def _bad_values(a) -> str | None:
    a = np.asarray(a)
    if a.dtype.kind not in "fc" or np.isfinite(a).all():
        return None
    nan = int(np.isnan(a).sum())
    inf = int(a.size - nan - np.isfinite(a).sum())
    return f"{nan} NaN and {inf} infinite of {a.size} values"


def _check_forward(fn: Function, out: np.ndarray, args, recorded: bool) -> None:
    site = _user_site()
    if recorded:
        fn.created_at = site
    bad = _bad_values(out)
    if bad:
        shapes = ", ".join(str(a.data.shape) for a in args)
        raise AnomalyError(
            f"detect_anomaly: the forward of '{fn.name}' (inputs of shapes {shapes}) gave "
            f"{bad}; the op was called at {site}"
        )


def _check_backward(fn: Function, grads) -> None:
    for i, g in enumerate(grads):
        if g is None:
            continue
        bad = _bad_values(g.data if isinstance(g, Tensor) else g)
        if bad:
            site = getattr(fn, "created_at", "an unrecorded place (made outside detect_anomaly)")
            raise AnomalyError(
                f"detect_anomaly: the backward of '{fn.name}' gave {bad} in the gradient for "
                f"input {i}; the op was created at {site}"
            )


# --------------------------------------------------------------------------- functional API


def _check_scalar(out, fname: str) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname}: f must return a Tensor, got {type(out).__name__}")
    if out.data.size != 1:
        raise ValueError(f"{fname}: f must return a scalar (size-1) Tensor, got shape {out.shape}")
    return out


def value_and_grad(f: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0
                   ) -> Callable[..., tuple[Tensor, Any]]:
    """Return a function that computes ``(f(*args), df/dargs[argnums])``.

    ``f`` must return a size-1 Tensor. The gradient is a Tensor of each argument's
    shape (a tuple of them when ``argnums`` is a tuple). Arguments' ``.grad`` are left
    untouched. When an argument is itself part of a recorded graph (for instance
    inside another ``grad``), the result is differentiable too, so ``grad(grad(f))``
    gives second derivatives.
    """
    _check_function(f, argnums, "value_and_grad")
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        args = list(args)
        inputs = []
        nested = False
        for i in nums:
            if i >= len(args):
                raise TypeError(f"grad: argnums={argnums} but f was called with {len(args)} args")
            a = args[i]
            if isinstance(a, Tensor) and a.requires_grad and _mode.enabled:
                nested = True
                x = _Identity.apply(a)
            else:
                # a copy: the graph makes saved arrays read-only, never the caller's
                x = Tensor(np.array(_grad_argument(a, i)), requires_grad=True)
            args[i] = x
            inputs.append(x)
        with enable_grad():
            out = _check_scalar(f(*args, **kwargs), "grad")
        if out.requires_grad:
            g = np.ones(out.shape, dtype=out.data.dtype)
            if nested:
                g = _make(g, False, None)
            grads = run_backward(out, g, retain_graph=nested, create_graph=nested,
                                 inputs=inputs)
        else:
            grads = [None] * len(inputs)
        result = []
        for x, gx in zip(inputs, grads):
            if gx is None:
                gx = np.zeros_like(x.data)
            if not isinstance(gx, Tensor):
                gx = _make(np.array(gx, dtype=x.data.dtype), False, None)
            result.append(gx)
        value = out if nested else out.detach()
        return value, (result[0] if single else tuple(result))

    return wrapped


def _check_function(f, argnums, fname: str) -> None:
    if isinstance(f, Tensor):
        raise TypeError(
            f"{fname}: the first argument must be the function to differentiate, got a "
            f"Tensor of shape {f.shape}. minigrad's grad transforms functions, as in JAX: "
            f"{fname}(lambda x: ...)(x). For a tensor y already computed from x, call "
            "y.backward() and read x.grad"
        )
    if not callable(f):
        raise TypeError(f"{fname}: the first argument must be a function, got "
                        f"{type(f).__name__}")
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not (isinstance(nums, tuple) and nums
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in nums)):
        raise TypeError(f"{fname}: argnums must be a non-negative int or a tuple of them, got "
                        f"{type(argnums).__name__} {argnums!r}")


def _grad_argument(a, i: int) -> np.ndarray:
    """Argument ``i`` of a function given to grad(), as a floating-point array."""
    if isinstance(a, Tensor):
        a = a.data
    elif a is None:
        raise TypeError(f"grad: argument {i} is None; expected a number or a float array")
    elif not isinstance(a, np.ndarray):
        try:
            a = np.asarray(a, dtype=float)
        except (TypeError, ValueError) as e:
            raise TypeError(f"grad: argument {i} ({type(a).__name__}) is not numeric ({e})") \
                from None
    if a.dtype.kind != "f":
        raise TypeError(
            f"grad: argument {i} has dtype {a.dtype} (shape {a.shape}); gradients are taken "
            "with respect to floating-point values"
        )
    return a


def grad(f: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Return a function that computes the gradient of scalar ``f`` w.r.t. ``args[argnums]``.

    Composes: ``grad(grad(f))`` is the second derivative."""
    _check_function(f, argnums, "grad")
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return wrapped


class _Identity(Function):
    name = "identity"
    formula = "dL/dX = dL/dY"

    def forward(self, x):
        return x

    def backward(self, g):
        return g


# Imported last: tensor.py imports this module and ops.py, which needs Function.
from .tensor import (  # noqa: E402
    Tensor,
    _constant,  # noqa: E402
    _make,
)
