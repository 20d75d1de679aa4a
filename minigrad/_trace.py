"""Recording the numpy calls of a function, for :func:`minigrad.compile`.

While a function is recorded, every array that depends on its inputs is a
:class:`Traced` stand-in: it holds the array computed now (``v``) and a slot number. A
numpy call that receives a stand-in (through ``__array_ufunc__``,
``__array_function__``, an operator or an ndarray method) is run on the arrays and
written down as one instruction; its result is a new stand-in. Replaying the
instructions in order, with the same callables on new arrays, performs exactly the
calls eager execution performs, so the results are the same bit for bit.

Tensors take part through their ``data`` attribute. During a recording the
attribute's descriptor on the class is replaced (and put back afterwards, so eager
mode never pays for it): the first read of a tensor that existed before the
recording (a parameter, an argument) loads its array into a slot; later reads see
the stand-in; tensors made during the recording are the recording's own.

What cannot be replayed is refused or guarded, never baked in silently:

* a value read by the user's code (``.item()``, ``float()``, ``bool()``,
  ``.numpy()``, ``.data``) raises :class:`CompileError` naming the line;
* a value read inside minigrad (a validity check in an op) becomes a guard: the
  replay checks that the value is the same, and runs the function eagerly if not;
* random draws made through :func:`draw` are replayed from the same generator;
* an optimizer's or a scheduler's ``step()`` and ``zero_grad()`` run as themselves at
  every replay (:func:`effect`), so learning rates and state are read when they run.
"""

from __future__ import annotations

import ctypes
import functools
import linecache
import operator
import os
import sys
import threading
from typing import Any

import numpy as np

__all__ = ["CompileError", "Traced", "draw", "effect", "recording"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

#: changes when a module's structure or training mode changes: a replay checks it
STRUCTURE = [0]

#: the Tensor class (set by minigrad.tensor, which imports this module)
TENSOR: Any = ()

#: number of recordings in progress, in any thread (the fast check of eager paths)
ACTIVE = 0
_local = threading.local()
_lock = threading.Lock()


class CompileError(RuntimeError):
    """A compiled function did something that cannot be recorded and replayed."""


def recording() -> Recorder | None:
    """The recorder of this thread, or None (also while it runs an effect)."""
    if not ACTIVE:
        return None
    rec = getattr(_local, "rec", None)
    if rec is None or rec.suspended:
        return None
    return rec


def _user_frame():
    """The innermost frame outside minigrad (the user's line)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE_DIR):
        f = f.f_back
    return f


def _called_from_user(depth: int = 2) -> bool:
    f = sys._getframe(depth)
    return not f.f_code.co_filename.startswith(_PACKAGE_DIR)


def _where() -> str:
    f = _user_frame()
    if f is None:
        return "an unknown line"
    line = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
    return f"{f.f_code.co_filename}:{f.f_lineno} (`{line}`)" if line else \
        f"{f.f_code.co_filename}:{f.f_lineno}"


def refusal(what: str) -> CompileError:
    """The error for a value read by the user's code while recording."""
    return CompileError(
        f"minigrad.compile: {what} reads the value of a traced tensor while the function "
        f"is being recorded, at {_where()}. A replay does not run this line, so the value "
        "would be fixed at the one seen now. Return the tensor from the function and read "
        "it outside, or leave this function uncompiled."
    )


def check_read(t: Any, what: str) -> None:
    """Refuse ``what`` on tensor ``t`` when its value is traced (called by Tensor's
    value-reading methods while some recording is active)."""
    rec = recording()
    if rec is None or not _called_from_user(3):  # minigrad's own reads become guards
        return
    v = _DATA.__get__(t)
    if type(v) is Traced or rec.is_external(t):
        raise refusal(what)


# --------------------------------------------------------------------------- stand-ins

_STRUCTURAL = frozenset([np.shape, np.ndim, np.size, np.result_type, np.may_share_memory,
                         np.shares_memory, np.iscomplexobj, np.isrealobj])


_ATTRS = {name: operator.attrgetter(name) for name in ("T", "mT", "real", "imag")}


class Traced:
    """A traced array: its value now (``v``) and its slot in the recording."""

    __slots__ = ("v", "slot", "rec", "__weakref__")
    __array_priority__ = 1e6

    def __init__(self, v: Any, slot: int, rec: Recorder) -> None:
        self.v = v
        self.slot = slot
        self.rec = rec

    # --- structure: free to read
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.v)

    @property
    def dtype(self) -> np.dtype:
        return self.v.dtype

    @property
    def ndim(self) -> int:
        return np.ndim(self.v)

    @property
    def size(self) -> int:
        return np.size(self.v)

    @property
    def itemsize(self) -> int:
        return self.v.itemsize

    @property
    def nbytes(self) -> int:
        return self.v.nbytes

    @property
    def strides(self) -> tuple[int, ...]:
        return self.v.strides

    @property
    def flags(self) -> Any:
        return self.v.flags

    @property
    def base(self) -> Any:
        return getattr(self.v, "base", None)

    def setflags(self, *args: Any, **kwargs: Any) -> None:
        self.v.setflags(*args, **kwargs)

    def __len__(self) -> int:
        return len(self.v)

    def __iter__(self):
        return (self[i] for i in range(len(self.v)))

    __hash__ = object.__hash__

    # --- numpy protocols
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, TENSOR) for a in inputs):
            return NotImplemented  # a Tensor's own op records it
        func = ufunc if method == "__call__" else getattr(ufunc, method)
        return self.rec.call(func, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _STRUCTURAL:
            return func(*_values(args), **_values(kwargs))
        if any(issubclass(t, TENSOR) for t in types):
            return NotImplemented  # a Tensor's own op records it
        return self.rec.call(func, args, kwargs)

    # --- value reads
    def _read(self, kind: str, convert):
        return self.rec.value_read(self, kind, convert)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        v = self._read("array", lambda v: np.array(v, copy=True))
        return np.asarray(v, dtype=dtype) if dtype is not None else v

    def __bool__(self) -> bool:
        return self._read("bool()", bool)

    def __float__(self) -> float:
        return self._read("float()", float)

    def __int__(self) -> int:
        return self._read("int()", int)

    def __index__(self) -> int:
        return self._read("int()", operator.index)

    def __complex__(self) -> complex:
        return self._read("complex()", complex)

    def item(self, *args: Any) -> Any:
        return self._read(".item()", lambda v: v.item(*args))

    def tolist(self) -> Any:
        return self._read(".tolist()", lambda v: np.asarray(v).tolist())

    def __repr__(self) -> str:
        return f"Traced(slot {self.slot}, shape {self.shape}, dtype {self.dtype})"

    def __format__(self, spec: str) -> str:
        return format(self._read("formatting", lambda v: v), spec)

    # --- attributes that are ops
    @property
    def T(self) -> Any:
        return self.rec.call(_ATTRS["T"], (self,), {})

    @property
    def mT(self) -> Any:
        return self.rec.call(_ATTRS["mT"], (self,), {})

    @property
    def real(self) -> Any:
        return self.rec.call(_ATTRS["real"], (self,), {})

    @property
    def imag(self) -> Any:
        return self.rec.call(_ATTRS["imag"], (self,), {})

    def __getattr__(self, name: str) -> Any:
        method = getattr(type(self.v), name, None)
        if method is None or not callable(method) or name.startswith("__"):
            raise AttributeError(f"traced array has no attribute {name!r}")
        rec = self.rec

        def call(*args: Any, **kwargs: Any) -> Any:
            return rec.call(method, (self, *args), kwargs)

        return call

    def __getitem__(self, index: Any) -> Any:
        return self.rec.call(operator.getitem, (self, index), {})

    def __setitem__(self, index: Any, value: Any) -> None:
        self.rec.call(operator.setitem, (self, index, value), {})


def _binary(op):
    def forward(self, other):
        if isinstance(other, TENSOR):
            return NotImplemented  # the Tensor's reflected operator records it
        return self.rec.call(op, (self, other), {})

    def reflected(self, other):
        if isinstance(other, TENSOR):
            return NotImplemented
        return self.rec.call(op, (other, self), {})

    return forward, reflected


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "lshift", "rshift"):
    _op = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    _fwd, _ref = _binary(_op)
    setattr(Traced, f"__{_name}__", _fwd)
    setattr(Traced, f"__r{_name}__", _ref)
    _iop = getattr(operator, f"i{_name}")
    setattr(Traced, f"__i{_name}__", _binary(_iop)[0])
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Traced, f"__{_name}__", _binary(getattr(operator, _name))[0])
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Traced, f"__{_name}__",
            (lambda op: lambda self: self.rec.call(op, (self,), {}))(getattr(operator, _name)))
Traced.__divmod__, Traced.__rdivmod__ = _binary(divmod)  # type: ignore[assignment]


def _values(x: Any) -> Any:
    """``x`` with every stand-in replaced by its value (through tuples, lists, dicts)."""
    t = type(x)
    if t is Traced:
        return x.v
    if t is tuple or t is list:
        return t(_values(a) for a in x)
    if t is dict:
        return {k: _values(a) for k, a in x.items()}
    return x


# --------------------------------------------------------------------------- recorder


class Ref:
    """A slot read by an instruction."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot


class Recorder:
    """The instructions of one recording, and the state needed to take them down.

    Instructions (tuples, first item the kind):

    * ``("load", slot, source)``: an existing tensor's array; ``source`` is
      ``("arg", i)``, ``("ext", tensor)`` or ``("grad", source)``;
    * ``("arg", slot, i)``: an array argument;
    * ``("const", slot, array)``: an array the recording treats as fixed;
    * ``("call", outs, func, args, kwargs, mutated, pure)``;
    * ``("guard", slot, kind, convert, expected)``;
    * ``("effect", func, args, kwargs)``: Python run at every replay;
    * ``("store", source, attr, slot_or_None_or_const)``.
    """

    def __init__(self) -> None:
        self.code: list[tuple] = []
        self.n = 0
        self.root: dict[int, int] = {}  # slot -> the slot whose memory it views
        self.proxies: dict[int, Traced] = {}  # slot -> its one stand-in
        self.external_roots: set[int] = set()  # roots the caller can see (args, loads)
        self.suspended = False
        self.finished = False
        self.value_guards = 0  # guards on whole arrays (a slow replay: checked each time)
        self.guards = 0
        self.guard_sites: list[str] = []
        # tensors
        self.sources: dict[int, tuple[Any, tuple, int, Any]] = {}  # id -> (t, source, slot, grad0)
        self.created: dict[int, Any] = {}  # id -> tensor made during the recording
        self.keep: list[Any] = []  # keeps every tensor seen alive (ids stay unique)
        # outside tensors' arrays: (tensor, array, slot, index of its load, requires_grad)
        self.preconditions: list[tuple[Any, Any, int, int, bool]] = []
        self.err0 = np.geterr()
        self.errstate: dict[int, dict[str, str]] = {}  # call index -> its np.errstate
        self.grad_known: set[int] = set()  # tensors whose gradient the recording set
        self.grad_of: dict[int, Any] = {}  # id of a gradient read -> its tensor
        self.grad_pre: list[tuple[Any, bool]] = []  # (tensor, had no gradient) read first
        self.arg_tensors: dict[int, int] = {}  # id -> position of tensor arguments
        self.consts: dict[int, tuple[Any, int, Any]] = {}  # id -> (array, slot, snapshot)
        self.const_slots: set[int] = set()
        self.modules: dict[int, tuple[Any, bool]] = {}  # modules run, and their mode
        self.modes_known: set[int] = set()  # modules whose mode the recording set
        self.owners: list[tuple[Any, tuple]] = []  # every tensor loaded, with its source
        self.first_effect = None  # index in code of the first outside-visible effect

    # --- slots
    def new(self, v: Any, root: int | None = None) -> Traced:
        s = self.n
        self.n += 1
        self.root[s] = s if root is None else root
        t = self.proxies[s] = Traced(v, s, self)
        return t

    def _mark_effect(self) -> None:
        if self.first_effect is None:
            self.first_effect = len(self.code)

    def const(self, a: np.ndarray) -> int:
        """The slot of a fixed array, by identity while its values stay the same."""
        hit = self.consts.get(id(a))
        if hit is not None:
            arr, slot, snap = hit
            if snap.dtype == a.dtype and snap.shape == a.shape and \
                    np.array_equal(snap, a, equal_nan=snap.dtype.kind in "fc"):
                return slot
        snap = _snapshot(a)
        t = self.new(a)
        self.const_slots.add(t.slot)
        self.code.append(("const", t.slot, snap))
        self.consts[id(a)] = (a, t.slot, snap)
        return t.slot

    def arg(self, a: np.ndarray, i: int) -> Traced:
        t = self.new(a)
        self.external_roots.add(t.slot)
        self.code.append(("arg", t.slot, i))
        return t

    # --- tensors
    def is_external(self, t: Any) -> bool:
        return id(t) not in self.created

    def on_get(self, t: Any, v: Any) -> Any:
        if type(v) is Traced:
            if v.rec is not self:
                raise CompileError("minigrad.compile: a traced array from another recording "
                                   "was used")
            return v
        if id(t) in self.created:
            return v  # made during the recording with fixed data: a constant
        return self._load(t, v)

    def _load(self, t: Any, v: Any) -> Traced:
        """First read of an existing tensor: its array becomes a slot, loaded from the
        tensor (or the argument) at every replay."""
        i = self.arg_tensors.get(id(t))
        grad0 = t.__dict__.get("grad")
        if i is not None:
            source: tuple = ("arg", i)
        else:
            owner = self._grad_owner(t)
            if owner is None:
                p = self.grad_of.get(id(t))
                if p is not None and p.__dict__.get("grad") is t:
                    j = self.arg_tensors.get(id(p))
                    owner = ("arg", j) if j is not None else ("ext", p)
                    self.grad_read(p)
            source = ("grad", owner) if owner is not None else ("ext", t)
        p = self.new(v)
        self.external_roots.add(p.slot)
        self.code.append(("load", p.slot, source))
        self.sources[id(t)] = (t, source, p.slot, grad0)
        self.owners.append((t, source))
        self.keep.append(t)
        if source[0] == "ext":
            self.preconditions.append((t, v, p.slot, len(self.code) - 1, t.requires_grad))
        _DATA.__set__(t, p)
        return p

    def _grad_owner(self, t: Any) -> tuple | None:
        for owner, source in self.owners:
            if owner.__dict__.get("grad") is t:
                self.grad_read(owner)
                return source
        return None

    def grad_read(self, t: Any) -> None:
        """``t``'s gradient is read: the first time, unless the recording set it, whether
        there was one is part of what a replay checks."""
        if id(t) in self.grad_known:
            return
        self.grad_known.add(id(t))
        self.keep.append(t)
        if id(t) not in self.arg_tensors:  # an argument's is part of the key
            self.grad_pre.append((t, t.__dict__.get("grad") is None))

    def on_set(self, t: Any, v: Any) -> None:
        if id(t) not in self.sources and id(t) not in self.created:
            if _called_from_user(3):
                # the user's code gives an existing tensor new data: load it first, so the
                # assignment is an effect on a known source
                self._load(t, _DATA.__get__(t))
            else:
                self.created[id(t)] = t
                self.keep.append(t)
        if type(v) is np.ndarray and id(t) in self.sources:
            v = self.proxies[self.const(v)]
        _DATA.__set__(t, v)

    # --- calls
    def _ref(self, x: Any) -> Any:
        """``x`` as an instruction argument: stand-ins and arrays become slots."""
        t = type(x)
        if t is Traced:
            if x.rec is not self:
                raise CompileError("minigrad.compile: a traced array from another recording "
                                   "was used")
            return Ref(x.slot)
        if t is np.ndarray:
            return Ref(self.const(x))
        if t is tuple or t is list:
            return t(self._ref(a) for a in x)
        if t is dict:
            return {k: self._ref(a) for k, a in x.items()}
        if t is slice:
            if any(type(b) in (Traced, np.ndarray) for b in (x.start, x.stop, x.step)):
                return ("slice", self._ref(x.start), self._ref(x.stop), self._ref(x.step))
        return x

    def call(self, func: Any, args: Any, kwargs: dict, pure: bool = True) -> Any:
        """Run ``func`` on the values of ``args`` and write the call down."""
        if self.finished:
            raise CompileError("minigrad.compile: a traced array was used after its "
                               "recording ended; return it from the compiled function")
        rargs = self._ref(tuple(args))
        rkw = self._ref(kwargs) if kwargs else {}
        vargs = _values(args)
        vkw = _values(kwargs) if kwargs else {}
        result = func(*vargs, **vkw)
        inputs = _slots(rargs) + _slots(rkw)
        mutated = []
        if "out" in kwargs:
            mutated = _slots(rkw["out"])
        elif result is None and inputs:
            mutated = [inputs[0]]
        outs, wrapped = self._wrap(func, result, vargs, vkw, rargs, rkw, mutated)
        for m in mutated:
            if self.root[m] in self.const_slots:
                f = _user_frame() if _called_from_user(2) else sys._getframe(2)
                raise CompileError(
                    f"minigrad.compile: {getattr(func, '__name__', func)!s} writes traced "
                    "values into an array made without them (at "
                    f"{f.f_code.co_filename}:{f.f_lineno}), which a replay would not "
                    "see; make the array from a traced one (np.zeros_like(x, shape=...)) "
                    "or leave this function uncompiled")
            if self.root[m] in self.external_roots:
                self._mark_effect()
        err = np.geterr()
        if err != self.err0:  # inside an np.errstate of minigrad's: replayed inside it too
            self.errstate[len(self.code)] = err
        self.code.append(("call", outs, func, rargs, rkw, tuple(mutated), pure))
        if not pure:
            self._mark_effect()
        if func in _VALUE_SHAPED or ((func is operator.getitem or func is operator.setitem)
                                     and _bool_index(args[1])):
            self._guard_shapes(func, args, outs, result)
        return wrapped

    def _guard_shapes(self, func, args, outs, result) -> None:
        """A call whose result's shape depends on values (a boolean mask, nonzero): a
        replay checks the shape, and runs eagerly when it differs."""
        if func is operator.setitem:  # the number of places written must stay the same
            for m in _traced_leaves(args[1]):
                if m.v.dtype == np.bool_:
                    self._guard(m.slot, "count", np.count_nonzero, np.count_nonzero(m.v))
            return
        for s in _slots(outs if type(outs) is not tuple or not outs or outs[0] != "named"
                        else outs[2]):
            self._guard(s, "shape", np.shape, np.shape(self.proxies[s].v))

    def _guard(self, slot: int, kind: str, convert, expected) -> None:
        self.guards += 1
        self.guard_sites.append(f"{kind} of slot {slot}")
        self.code.append(("guard", slot, kind, convert, expected))

    def _wrap(self, func, result, vargs, vkw, rargs, rkw, mutated):
        values: dict[int, Any] = {}
        _collect(rargs, vargs, values)
        _collect(rkw, vkw, values)
        same = {id(v): s for s, v in values.items()}
        arrays = [(s, v) for s, v in values.items() if isinstance(v, np.ndarray)]

        def wrap(r):
            if r is None:
                return None, None
            s = same.get(id(r))
            if s is not None and isinstance(r, np.ndarray):
                if s not in mutated:
                    mutated.append(s)
                return Ref(s), self.proxies[s]
            tr = type(r)
            if (tr is tuple or tr is list or (isinstance(r, tuple) and hasattr(r, "_fields"))):
                parts = [wrap(x) for x in r]
                refs = tuple(p[0] for p in parts)
                vals = [p[1] for p in parts]
                if hasattr(r, "_fields"):
                    return ("named", type(r), refs), type(r)(*vals)
                return refs, tr(vals)
            if not isinstance(r, (np.ndarray, np.generic, int, float, complex)):
                raise CompileError(
                    f"minigrad.compile: {getattr(func, '__name__', func)!s} returned a "
                    f"{type(r).__name__}, which a replay cannot reproduce; leave this "
                    "function uncompiled")
            root = None
            if isinstance(r, np.ndarray) and r.base is not None:
                for s2, v2 in arrays:
                    if np.may_share_memory(r, v2):
                        root = self.root[s2]
                        break
            t = self.new(r, root)
            return Ref(t.slot), t

        return wrap(result)

    def value_read(self, t: Traced, kind: str, convert):
        if self.finished:
            raise CompileError("minigrad.compile: a traced array was used after its "
                               "recording ended; return it from the compiled function")
        if self.suspended:
            return convert(t.v)
        f = sys._getframe(3)
        if not f.f_code.co_filename.startswith(_PACKAGE_DIR) and \
                not f.f_code.co_filename.startswith(_NUMPY_DIR):
            raise refusal(kind)
        value = convert(t.v)
        self.guard_sites.append(f"{kind} at {f.f_code.co_filename}:{f.f_lineno}")
        if kind == "array":
            self.value_guards += 1
            expected = np.array(value, copy=True)
        else:
            expected = value
        self.guards += 1
        self.code.append(("guard", t.slot, kind, convert, expected))
        return value

    # --- effects
    def effect(self, func, args: tuple, kwargs: dict, tensors,
               restartable: bool = False) -> Any:
        """Run ``func`` (an optimizer's step, a scheduler's) as real code now and at
        every replay, with every tensor's array and gradient in place."""
        from .tensor import Tensor

        args = tuple(a.data if isinstance(a, Tensor) else a for a in args)
        self.sync()
        for t in tensors:
            self.grad_known.add(id(t))
            self.keep.append(t)
        rargs = self._ref(args)
        rkw = self._ref(kwargs) if kwargs else {}
        if not restartable:
            self._mark_effect()
        self.code.append(("effect", func, rargs, rkw))
        self.suspended = True
        try:
            result = func(*_values(args), **_values(kwargs))
        finally:
            self.suspended = False
        return result

    def sync(self) -> None:
        """Write every traced array and gradient into the tensors that existed before
        the recording (recording each change as a store), then forget the loads, so
        that real code sees real arrays and later reads load again."""
        for t, source, slot, grad0 in list(self.sources.values()):
            cur = _DATA.__get__(t)
            if type(cur) is Traced:
                if cur.slot != slot:
                    self._store(source, "data", cur.slot)
                _DATA.__set__(t, cur.v)
            g = t.__dict__.get("grad")
            if g is not grad0:
                if g is None:
                    self._store(source, "grad", None)
                else:
                    gv = _DATA.__get__(g)
                    if type(gv) is Traced:
                        self._store(source, "grad", gv.slot)
                        _DATA.__set__(g, gv.v)
                    else:
                        self._store(source, "grad", ("const", self.const(gv)))
                    self.created.pop(id(g), None)
            elif g is not None and type(_DATA.__get__(g)) is Traced:
                _DATA.__set__(g, _DATA.__get__(g).v)
        self.sources.clear()

    def _store(self, source, attr, value) -> None:
        self._mark_effect()
        self.code.append(("store", source, attr, value))

    def finish(self) -> None:
        """Give every tensor seen real arrays again."""
        for t in self.keep:
            v = _DATA.__get__(t)
            if type(v) is Traced:
                _DATA.__set__(t, v.v)
            g = t.__dict__.get("grad")
            if g is not None:
                gv = _DATA.__get__(g)
                if type(gv) is Traced:
                    _DATA.__set__(g, gv.v)
        self.finished = True


_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


def _snapshot(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` with its strides (a broadcast view stays one, a transposed view
    stays transposed): numpy may sum in another order over another layout."""
    if a.flags.c_contiguous or a.size == 0:
        return np.array(a, copy=True)
    lo = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s < 0)
    hi = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s > 0) + a.itemsize
    raw = np.empty(hi - lo, dtype=np.uint8)
    ctypes.memmove(raw.ctypes.data, a.ctypes.data + lo, hi - lo)
    return np.ndarray(a.shape, a.dtype, buffer=raw, offset=-lo, strides=a.strides)


#: numpy calls whose result's shape depends on their inputs' values
_VALUE_SHAPED = frozenset([np.nonzero, np.argwhere, np.flatnonzero, np.unique, np.compress,
                           np.extract, np.bincount, np.repeat, np.where, np.ndarray.nonzero,
                           np.ndarray.repeat, np.ndarray.compress, np.unique_values,
                           np.unique_counts, np.unique_inverse, np.unique_all])


def _traced_leaves(x: Any) -> list[Traced]:
    t = type(x)
    if t is Traced:
        return [x]
    if t is tuple or t is list:
        return [a for b in x for a in _traced_leaves(b)]
    return []


def _bool_index(index: Any) -> bool:
    """Whether an index holds a traced boolean array (a mask, selecting by value)."""
    return any(getattr(m.v, "dtype", None) == np.bool_ for m in _traced_leaves(index))


def _slots(x: Any) -> list[int]:
    t = type(x)
    if t is Ref:
        return [x.slot]
    if t is tuple or t is list:
        out = []
        for a in x:
            out += _slots(a)
        return out
    if t is dict:
        out = []
        for a in x.values():
            out += _slots(a)
        return out
    return []


def _collect(ref: Any, val: Any, out: dict) -> None:
    t = type(ref)
    if t is Ref:
        out[ref.slot] = val
    elif t is tuple or t is list:
        if type(val) in (tuple, list) and len(val) == len(ref):
            for r, v in zip(ref, val):
                _collect(r, v, out)
    elif t is dict:
        for k, r in ref.items():
            _collect(r, val[k], out)


# --------------------------------------------------------------------------- hooks


def _holds_traced(x: Any) -> bool:
    t = type(x)
    if t is Traced:
        return True
    if t is list or t is tuple:
        return any(_holds_traced(a) for a in x)
    return False


def record(func: Any, *args: Any, deps: tuple = (), **kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, recorded when an argument, or an array in ``deps``, is
    traced: for numpy calls that do not dispatch on every argument (``as_strided``, an
    array indexed by a traced index), and for new arrays that traced values in ``deps``
    will be written into (``np.zeros``), so that each replay makes them anew."""
    if ACTIVE:
        traced = [a for a in (*deps, *args, *kwargs.values()) if _holds_traced(a)]
        if traced:
            return _first(traced).rec.call(func, args, kwargs)
    return func(*args, **kwargs)


def owned(x: Any) -> Any:
    """``x``, or while recording, when it is a fixed array, a traced copy made at every
    replay (an array later calls may write into)."""
    rec = recording()
    if rec is None or type(x) is not np.ndarray:
        return x
    return rec.call(np.array, (x,), {})


def asarray(x: Any, dtype: Any = None) -> Any:
    """``np.asarray(x, dtype)``, recorded when ``x`` holds traced arrays."""
    if ACTIVE and _holds_traced(x):
        if type(x) is Traced and type(x.v) is np.ndarray and (dtype is None
                                                              or x.v.dtype == dtype):
            return x
        return _first(x).rec.call(np.asarray, (x,), {} if dtype is None else {"dtype": dtype})
    return np.asarray(x) if dtype is None else np.asarray(x, dtype=dtype)


def array(x: Any, dtype: Any = None) -> Any:
    """``np.array(x, dtype)`` (a copy), recorded when ``x`` holds traced arrays."""
    if ACTIVE and _holds_traced(x):
        return _first(x).rec.call(np.array, (x,), {} if dtype is None else {"dtype": dtype})
    return np.array(x) if dtype is None else np.array(x, dtype=dtype)


def ascontiguousarray(x: Any) -> Any:
    """``np.ascontiguousarray(x)``, recorded when ``x`` is traced."""
    if ACTIVE and type(x) is Traced:
        return x.rec.call(np.ascontiguousarray, (x,), {})
    return np.ascontiguousarray(x)


def _first(x: Any) -> Traced:
    if type(x) is Traced:
        return x
    for a in x:
        if _holds_traced(a):
            return _first(a)
    raise AssertionError("no traced array")


def saw_module(m: Any) -> None:
    """A module ran while recording: its training mode is part of what a replay checks."""
    rec = recording()
    if rec is not None and id(m) not in rec.modules and id(m) not in rec.modes_known:
        rec.modules[id(m)] = (m, m.training)


def draw(method, *args: Any, **kwargs: Any) -> Any:
    """``method(*args, **kwargs)`` for a random generator's method: recorded as a call
    that runs again at every replay (the next numbers of the same generator)."""
    rec = recording()
    if rec is None:
        return method(*args, **kwargs)
    return rec.call(method, args, kwargs, pure=False)


def _seeded(seed: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    return getattr(np.random.default_rng(seed), method)(*args, **kwargs)


def draw_from(rng: Any, gen: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """A draw of ``gen.method(*args, **kwargs)``, where ``gen`` was made from the user's
    ``rng``: a generator given as it is goes on drawing at every replay; one made from
    a seed (or from None) is made afresh at every replay, as eager execution makes it
    afresh at every call."""
    if gen is rng:
        return draw(getattr(gen, method), *args, **kwargs)
    if not ACTIVE:
        return getattr(gen, method)(*args, **kwargs)
    return draw(_seeded, rng, method, *args, **kwargs)


def effect(tensors, restartable: bool = False):
    """Decorator for a method whose Python runs at every replay: ``tensors(self)``
    names the tensors it reads or changes. ``restartable``: running it again from the
    start of the step changes nothing (``zero_grad``), so a replay that must give way to
    eager execution after it still may."""

    def deco(method):
        @functools.wraps(method)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            if ACTIVE:
                rec = recording()
                if rec is not None:
                    return rec.effect(functools.partial(method, self), args, kwargs,
                                      tensors(self), restartable)
            return method(self, *args, **kwargs)

        return wrapper

    return deco


_DATA: Any = None  # Tensor's own ``data`` slot descriptor, set by install_descriptor


class _RecordingData:
    """``Tensor.data`` while a recording runs anywhere (see the module docstring)."""

    def __get__(self, t: Any, owner: Any = None) -> Any:
        if t is None:
            return self
        v = _DATA.__get__(t)
        rec = getattr(_local, "rec", None)
        if rec is None or rec.suspended or rec.finished:
            return v
        if _called_from_user():
            if type(v) is Traced or rec.is_external(t):
                raise refusal(".data")
            return v
        return rec.on_get(t, v)

    def __set__(self, t: Any, v: Any) -> None:
        rec = getattr(_local, "rec", None)
        if rec is None or rec.suspended or rec.finished:
            _DATA.__set__(t, v)
            return
        rec.on_set(t, v)


_GRAD: Any = None  # Tensor's own ``grad`` descriptor (for gradients not yet set)


class _RecordingGrad:
    """``Tensor.grad`` while a recording runs anywhere: whether a tensor had a gradient
    when the recording first looked is part of what a replay checks, unless the recording
    itself (or an optimizer's ``zero_grad``) set it first."""

    def __get__(self, t: Any, owner: Any = None) -> Any:
        if t is None:
            return self
        rec = getattr(_local, "rec", None)
        if rec is not None and not rec.suspended and not rec.finished:
            rec.grad_read(t)
            g = t.__dict__.get("grad")
            if g is not None:  # whose gradient it is, should its array be read
                rec.grad_of[id(g)] = t
                rec.keep.append(g)
        if "grad" in t.__dict__:
            return t.__dict__["grad"]
        return _GRAD.__get__(t, owner)

    def __set__(self, t: Any, v: Any) -> None:
        rec = getattr(_local, "rec", None)
        if rec is not None and not rec.suspended and not rec.finished:
            rec.grad_known.add(id(t))
            rec.keep.append(t)
        t.__dict__["grad"] = v

    def __delete__(self, t: Any) -> None:
        self.__set__(t, None)
        del t.__dict__["grad"]


def grad_read(t: Any) -> None:
    """The engine is about to read ``t``'s gradient (to add to it)."""
    rec = recording()
    if rec is not None:
        rec.grad_read(t)


def begin(rec: Recorder) -> None:
    """Start ``rec`` in this thread."""
    global ACTIVE
    from .tensor import Tensor

    if getattr(_local, "rec", None) is not None:
        raise CompileError("minigrad.compile: a recording is already running in this thread")
    with _lock:
        if ACTIVE == 0:
            global _DATA
            _DATA = Tensor.__dict__["data"]
            Tensor.data = _RecordingData()  # type: ignore[assignment, misc]
            global _GRAD
            _GRAD = Tensor.__dict__["grad"]
            Tensor.grad = _RecordingGrad()  # type: ignore[assignment, misc]
        ACTIVE += 1
    _local.rec = rec


def end(rec: Recorder) -> None:
    """Stop ``rec`` in this thread; the last recording to end puts back the plain
    attribute."""
    global ACTIVE
    from .tensor import Tensor

    _local.rec = None
    with _lock:
        ACTIVE -= 1
        if ACTIVE == 0:
            Tensor.data = _DATA  # type: ignore[misc]
            Tensor.grad = _GRAD  # type: ignore[misc]
