"""``minigrad.compile``: record a step once, replay its numpy calls.

The first call of a compiled function for a given key (the arguments' shapes, dtypes
and ``requires_grad``, the Python values among them, and the grad mode) runs the
function eagerly while :mod:`minigrad._trace` writes down every numpy call it makes:
the forward pass, the backward pass, the update. The instructions are then pruned
(calls whose results nothing uses are dropped) and turned into one straight-line
Python function that calls the same numpy functions on new arrays, with no Tensor
or graph node made. Later calls with the same key run that function.
"""

from __future__ import annotations

import builtins
import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _trace
from ._trace import CompileError, Recorder, Ref
from .autograd import _mode
from .tensor import Tensor, _make

__all__ = ["compile", "Compiled", "CompileError"]


class _Miss(Exception):
    """A trace does not apply to this call (an outside tensor changed shape or state)."""


def _no_trace(args: tuple, kwargs: dict) -> Any:
    raise _Miss


class _GuardFailed(Exception):
    """A value the recording depended on differs in this call."""

    def __init__(self, safe: bool) -> None:
        super().__init__(safe)
        self.safe = safe


# --------------------------------------------------------------------------- arguments


def _flatten(x: Any, leaves: list) -> Any:
    """The structure of ``x`` (tuples, lists, dicts), its leaves appended to ``leaves``."""
    t = type(x)
    if t is tuple or t is list:
        return (t, tuple(_flatten(a, leaves) for a in x))
    if t is dict:
        return (dict, tuple((k, _flatten(a, leaves)) for k, a in x.items()))
    leaves.append(x)
    return None


def _unflatten(tree: Any, leaves: list, pos: list) -> Any:
    if tree is None:
        x = leaves[pos[0]]
        pos[0] += 1
        return x
    kind, items = tree
    if kind is dict:
        return {k: _unflatten(a, leaves, pos) for k, a in items}
    return kind(_unflatten(a, leaves, pos) for a in items)


def _leaf_key(x: Any) -> Any:
    if isinstance(x, Tensor):
        d = x.data
        grad = x.requires_grad and x.__dict__.get("grad") is not None
        return (type(x), d.shape, d.dtype, d.strides, x.requires_grad, grad)
    if type(x) is np.ndarray:
        return (np.ndarray, x.shape, x.dtype, x.strides)
    try:
        hash(x)
    except TypeError:
        return ("id", id(x))
    if type(x) is float:  # by its bits: -0.0 is not 0.0, and a NaN equals itself
        return (float, x.hex())
    return (type(x), x)


# --------------------------------------------------------------------------- compile


def compile(fn: Callable[..., Any] | None = None, *, max_traces: int = 8) -> Any:  # noqa: A001
    """Compile ``fn`` (a training step, a loss): record its numpy calls on the first call
    for each key, replay them on later calls.

    ``fn`` takes Tensors, numpy arrays and Python values (nested in tuples, lists and
    dicts), may call ``backward()``, an optimizer's ``zero_grad()`` and ``step()`` and a
    scheduler's ``step()``, and returns Tensors, arrays, Python values or None (nested
    likewise). The key of a call is the structure of its arguments, each Tensor's and
    array's shape, dtype, strides and ``requires_grad``, every other argument's value
    (or identity, if it is not hashable) and the grad mode. A call with a new key runs
    ``fn`` eagerly while recording; a call with a known key replays. At most
    ``max_traces`` recordings are kept; one more raises :class:`CompileError`, naming
    the keys, rather than recording without end. ``clear()`` drops them.

    The replay gives the results of eager execution bit for bit. Returned Tensors are
    new, detached (``requires_grad=False``) and never change afterwards. Parameters
    get their ``.grad`` as in eager mode, optimizers and schedulers run their own
    ``step()`` (so learning rates, state and loaded state are read when they run),
    and random draws of ``dropout`` continue the same generator in the same order.

    Refused while recording, with the line that did it: reading a traced tensor's
    value (``.item()``, ``float()``, ``bool()`` in an ``if``, ``.numpy()``, ``.data``,
    printing it). A replay does not run ``fn``'s Python, so such a value would be fixed
    at the one seen while recording: return the tensor instead and read it outside.
    Likewise arrays that ``fn`` reads from outside its arguments and tensors (a global
    numpy array) are taken as constants, and Python side effects (appending to a list)
    happen only while recording.

    Example::

        @minigrad.compile
        def step(X, Y):
            opt.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            opt.step()
            return loss
    """
    if fn is None:
        return functools.partial(compile, max_traces=max_traces)
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__}")
    if isinstance(max_traces, bool) or not isinstance(max_traces, int) or max_traces < 1:
        raise ValueError(f"compile: max_traces must be a positive int, got {max_traces!r}")
    return Compiled(fn, max_traces)


class Compiled:
    """A compiled function (see :func:`compile`)."""

    def __init__(self, fn: Callable[..., Any], max_traces: int = 8) -> None:
        self.fn = fn
        self.max_traces = max_traces
        self._cache: dict[Any, list[_Trace]] = {}
        self._traces: list[_Trace] = []
        self._last: Callable[[tuple, dict], Any] = _no_trace
        self._count = 0
        #: calls that ran eagerly because a value the recording depended on had changed
        self.fallbacks = 0
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    @property
    def traces(self) -> int:
        """How many recordings are kept."""
        return self._count

    def clear(self) -> None:
        """Drop every recording; the next call records again."""
        self._cache.clear()
        self._traces.clear()
        self._last = _no_trace
        self._count = 0

    def trace_info(self) -> list[dict[str, Any]]:
        """What each recording holds: instructions kept and dropped, guards, effects."""
        return [tr.info for traces in self._cache.values() for tr in traces]

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"<minigrad.compile of {name}: {self._count} traces>"

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        # a compiled method: one Compiled per instance, kept on the instance
        name = "_compiled_" + getattr(self.fn, "__name__", "fn")
        bound = obj.__dict__.get(name)
        if bound is None:
            bound = Compiled(self.fn.__get__(obj, owner), self.max_traces)
            obj.__dict__[name] = bound
        return bound

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _trace.ACTIVE and _trace.recording() is not None:
            return self.fn(*args, **kwargs)  # inside another recording: part of it
        # each trace's code starts by checking that the call is one it applies to; the
        # one that replayed last is tried first
        try:
            return self._last(args, kwargs)
        except _Miss:
            pass
        except _GuardFailed as e:
            return self._fallback(e, args, kwargs)
        last = self._last
        for tr in self._traces:
            if tr._fn is last:
                continue
            try:
                result = tr._fn(args, kwargs)
            except _Miss:
                continue
            except _GuardFailed as e:
                return self._fallback(e, args, kwargs)
            self._last = tr._fn
            return result
        leaves: list[Any] = []
        tree = _flatten((args, kwargs), leaves)
        key = (tree, tuple(map(_leaf_key, leaves)), _mode.enabled)
        if self._count >= self.max_traces:
            keys = [k for k in self._cache]
            raise CompileError(
                f"minigrad.compile: {getattr(self.fn, '__qualname__', self.fn)} has "
                f"{self._count} recordings (max_traces={self.max_traces}) and this call "
                f"needs another: its arguments' shapes, dtypes or Python values differ "
                f"from every recorded call ({_describe_key(key)}; recorded: "
                f"{'; '.join(_describe_key(k) for k in keys[:4])}). Pass shapes that repeat "
                "(a DataLoader with drop_last=True), pass changing numbers as arrays, or "
                "raise max_traces."
            )
        tr, result = _record(self.fn, args, kwargs, leaves, tree, key)
        self._cache.setdefault(key, []).append(tr)
        self._traces.append(tr)
        self._last = tr._fn
        self._count += 1
        return result

    def _fallback(self, e: _GuardFailed, args: tuple, kwargs: dict) -> Any:
        """A guard failed: run eagerly, when the replay has not changed anything yet."""
        if not e.safe:
            raise CompileError(
                "minigrad.compile: a value this function's recording depended on changed "
                "after the replay had already changed parameters or drawn random numbers; "
                "the step cannot be undone. Leave this function uncompiled."
            ) from None
        self.fallbacks += 1
        return self.fn(*args, **kwargs)


def _describe_key(key: Any) -> str:
    tree, leaves, mode = key
    parts = []
    for k in leaves:
        if k[0] == "id":
            parts.append("object")
        elif isinstance(k[0], type) and issubclass(k[0], (Tensor, np.ndarray)):
            parts.append(f"{k[0].__name__} {k[1]} {k[2]}")
        else:
            parts.append(repr(float.fromhex(k[1])) if k[0] is float else repr(k[1]))
    return "(" + ", ".join(parts) + ")" + ("" if mode else " without grad")


# --------------------------------------------------------------------------- recording


def _record(fn, args, kwargs, leaves, tree, key):
    rec = Recorder()
    traced_leaves = list(leaves)
    for i, x in enumerate(leaves):
        if isinstance(x, Tensor):
            rec.arg_tensors[id(x)] = i
            rec.keep.append(x)
        elif type(x) is np.ndarray:
            traced_leaves[i] = rec.arg(x, i)
    t_args, t_kwargs = _unflatten(tree, traced_leaves, [0])
    _trace.begin(rec)
    try:
        out = fn(*t_args, **t_kwargs)
        spec = _output_spec(rec, out)
        rec.sync()
    finally:
        rec.finish()
        _trace.end(rec)
    tr = _Trace(rec, spec, leaves, tree, key)
    values = {s: p.v for s, p in rec.proxies.items()}
    return tr, _build_output(spec, values, leaves)


def _output_spec(rec: Recorder, out: Any) -> Any:
    t = type(out)
    if t is tuple or t is list:
        return ("seq", t, tuple(_output_spec(rec, a) for a in out))
    if t is dict:
        return ("dict", tuple((k, _output_spec(rec, a)) for k, a in out.items()))
    if isinstance(out, Tensor):
        i = rec.arg_tensors.get(id(out))
        if i is not None:
            return ("leaf", i)
        for owner, source in rec.owners:  # a tensor's gradient: the one it has then
            if owner.__dict__.get("grad") is out:
                return ("gradof", source, out)
        v = _trace._DATA.__get__(out)
        if type(v) is _trace.Traced:
            g = out.__dict__.get("grad")
            return ("tensor", v.slot, _grad_slot(rec, g))
        if not rec.is_external(out):
            return ("tensor", rec.const(v), None)
        return ("object", out)
    if type(out) is _trace.Traced:
        return ("array", out.slot)
    if type(out) is np.ndarray:
        return ("array", rec.const(out))
    return ("object", out)


def _grad_slot(rec: Recorder, g: Any) -> int | None:
    if g is None:
        return None
    v = _trace._DATA.__get__(g)
    return v.slot if type(v) is _trace.Traced else rec.const(v)


def _build_output(spec: Any, values: dict, leaves: list) -> Any:
    """The recording call's result, built as a replay builds it (new, detached)."""
    kind = spec[0]
    if kind == "seq":
        return spec[1](_build_output(s, values, leaves) for s in spec[2])
    if kind == "dict":
        return {k: _build_output(s, values, leaves) for k, s in spec[1]}
    if kind == "leaf":
        return leaves[spec[1]]
    if kind == "object":
        return spec[1]
    if kind == "gradof":
        return spec[2]
    v = values[spec[1]]
    if isinstance(v, np.ndarray):
        v = v.copy()
    else:
        v = np.asarray(v)
    if kind == "array":
        return v
    t = _make(v, False, None)
    if spec[2] is not None:
        t.grad = _make(np.array(values[spec[2]], copy=True), False, None)
    return t


# --------------------------------------------------------------------------- code


def _walk_ins(ins) -> list[int]:
    """Slots an instruction reads."""
    kind = ins[0]
    if kind == "call":
        return _trace._slots(ins[3]) + _trace._slots(ins[4])
    if kind == "guard":
        return [ins[1]]
    if kind == "effect":
        return _trace._slots(ins[2]) + _trace._slots(ins[3])
    if kind == "store":
        v = ins[3]
        if v is None:
            return []
        return [v[1]] if type(v) is tuple else [v]
    return []


def _out_slots(spec) -> list[int]:
    kind = spec[0]
    if kind == "seq":
        return [s for a in spec[2] for s in _out_slots(a)]
    if kind == "dict":
        return [s for _, a in spec[1] for s in _out_slots(a)]
    if kind in ("tensor", "array"):
        return [spec[1]] + ([spec[2]] if kind == "tensor" and spec[2] is not None else [])
    return []


def _def_slots(outs) -> list[int]:
    if outs is None:
        return []
    if type(outs) is Ref:
        return [outs.slot]
    if type(outs) is tuple and outs and outs[0] == "named":
        return [s for o in outs[2] for s in _def_slots(o)]
    if type(outs) is tuple:
        return [s for o in outs for s in _def_slots(o)]
    return []


def _prune(rec: Recorder, out_slots: list[int]) -> list[bool]:
    """Which instructions a replay must run: everything with an effect, and whatever
    those and the outputs read, including writes into arrays read later."""
    code = rec.code
    root = rec.root
    live = set(out_slots)
    live_roots = {root[s] for s in live}
    keep = [False] * len(code)
    for i in range(len(code) - 1, -1, -1):
        ins = code[i]
        kind = ins[0]
        if kind in ("load", "arg", "const"):
            keep[i] = ins[1] in live
            continue
        if kind == "call":
            _, outs, _, _, _, mutated, pure = ins
            needed = (not pure or any(s in live for s in _def_slots(outs))
                      or any(root[m] in live_roots or root[m] in rec.external_roots
                             for m in mutated))
        else:
            needed = True
        if needed:
            keep[i] = True
            for s in _walk_ins(ins):
                live.add(s)
                live_roots.add(root[s])
    return keep


class _Codegen:
    def __init__(self) -> None:
        self.globals: dict[str, Any] = {}
        self._ids: dict[int, str] = {}

    def name(self, obj: Any, prefix: str) -> str:
        key = id(obj)
        n = self._ids.get(key)
        if n is None:
            n = f"{prefix}{len(self._ids)}"
            self._ids[key] = n
            self.globals[n] = obj
        return n

    def lit(self, x: Any, slot_name) -> str:
        t = type(x)
        if t is Ref:
            return slot_name(x.slot)
        if x is None or t is bool or t is int or t is str:
            return repr(x)
        if t is float and math.isfinite(x):
            return repr(x)
        if x is Ellipsis:
            return "..."
        if t is tuple:
            if x and x[0] == "slice" and len(x) == 4:
                return "slice(" + ", ".join(self.lit(a, slot_name) for a in x[1:]) + ")"
            inner = ", ".join(self.lit(a, slot_name) for a in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if t is list:
            return "[" + ", ".join(self.lit(a, slot_name) for a in x) + "]"
        if t is dict:
            return "{" + ", ".join(f"{k!r}: {self.lit(a, slot_name)}" for k, a in x.items()) \
                + "}"
        return self.name(x, "C")


def _target(outs) -> str:
    if outs is None:
        return ""
    if type(outs) is Ref:
        return f"s{outs.slot} = "
    if type(outs) is tuple and outs and outs[0] == "named":
        return _target(outs[2])
    parts = []
    for o in outs:
        if type(o) is Ref:
            parts.append(f"s{o.slot}")
        elif o is None:
            parts.append("_")
        else:
            parts.append("(" + _target(o)[:-3] + ")")
    return "(" + ", ".join(parts) + ",) = "


class _Trace:
    """One recording, pruned and turned into a Python function."""

    def __init__(self, rec: Recorder, spec: Any, leaves: list, tree: Any, key: Any) -> None:
        self.spec = spec
        out_slots = _out_slots(spec)
        keep = _prune(rec, out_slots)
        g = _Codegen()
        g.globals.update(_GuardFailed=_GuardFailed, _Miss=_Miss, _make=_make,
                         _same=_same_value, _mode=_mode,
                         _S=_trace.STRUCTURE)
        mutated_consts = set()
        const_slots = {}
        for ins, k in zip(rec.code, keep):
            if k and ins[0] == "call":
                mutated_consts.update(ins[5])
            if ins[0] == "const":
                const_slots[ins[1]] = ins[2]

        def slot_name(s: int) -> str:
            if s in const_slots and s not in mutated_consts:
                return g.name(const_slots[s], "K")
            return f"s{s}"

        def source(src) -> str:
            if src[0] == "arg":
                return f"L{src[1]}"
            if src[0] == "ext":
                return g.name(src[1], "E")
            return source(src[1]) + ".grad"

        lines = _match(tree, key, g, leaves)
        lines.append(f"if _S[0] != {_trace.STRUCTURE[0]}: raise _Miss")
        for m, training in rec.modules.values():
            lines.append(f"if {g.name(m, 'M')}.training is not {training}: raise _Miss")
        # preconditions: outside tensors still have the shapes and gradient state seen
        first_effect = rec.first_effect if rec.first_effect is not None else len(rec.code)
        # an outside tensor's array must still have the shape and dtype recorded: checked
        # where it is loaded when that comes before anything the call changes, else here
        checked_at_load: dict[int, str] = {}
        for t, v, slot, at, rg in rec.preconditions:
            now = _trace._DATA.__get__(t) if _trace.ACTIVE else t.data
            var = f"s{slot}" if at < first_effect and keep[at] else "d"
            check = (f"if ({var} is not {g.name(now, 'K')} and ({var}.shape != "
                     f"{g.lit(v.shape, slot_name)} or {var}.dtype != "
                     f"{g.name(v.dtype, 'C')})) or {g.name(t, 'E')}.requires_grad is not "
                     f"{rg}: raise _Miss")
            if var == "d":
                lines.append(f"d = {g.name(t, 'E')}.data")
                lines.append(check)
            else:
                checked_at_load[at] = check
        for t, had_none in rec.grad_pre:
            op = "is not" if had_none else "is"
            # the tensor's attribute dict, bound once (it is the same dict for its lifetime)
            lines.append(f"if {g.name(t.__dict__, 'V')}.get('grad') {op} None: raise _Miss")
        n_kept = 0
        n_kept_total = sum(keep)
        # a large array's name is dropped after its last use, so that memory is freed as
        # early as eager execution frees it; in a long replay every array's is (thousands
        # of small arrays held to the end cost more than the statements that drop them)
        last_use: dict[int, int] = {}
        for i, (ins, k) in enumerate(zip(rec.code, keep)):
            if k:
                for s in _walk_ins(ins):
                    last_use[s] = i
        for s in out_slots:
            last_use[s] = len(rec.code)
        reuse = _reusable(rec, keep, last_use, const_slots)
        long = n_kept_total > _LONG
        drop_after: dict[int, list[int]] = {}
        for s, i in last_use.items():
            v = rec.proxies[s].v
            if s not in const_slots or s in mutated_consts:
                if isinstance(v, np.ndarray) and (v.nbytes >= _DROP_BYTES or long):
                    drop_after.setdefault(i, []).append(s)
        for i, (ins, k) in enumerate(zip(rec.code, keep)):
            if not k:
                continue
            n_kept += 1
            if i in drop_after:
                after = f"del {', '.join(f's{s}' for s in drop_after[i])}"
            else:
                after = None
            kind = ins[0]
            if kind == "load":
                src = ins[2]
                if src[0] == "arg" and i < first_effect:  # read by the argument checks
                    lines.append(f"s{ins[1]} = D{src[1]}")
                else:
                    lines.append(f"s{ins[1]} = {source(src)}.data")
                if i in checked_at_load:
                    lines.append(checked_at_load[i])
            elif kind == "arg":
                lines.append(f"s{ins[1]} = L{ins[2]}")
            elif kind == "const":
                if ins[1] in mutated_consts:
                    lines.append(f"s{ins[1]} = {g.name(ins[2], 'K')}.copy()")
            elif kind == "call":
                _, outs, func, rargs, rkw, _, _ = ins
                if i in reuse:
                    func, into = reuse[i]
                    line = _call_line(outs, func, rargs, {"out": (Ref(into),)}, g, slot_name)
                else:
                    line = _call_line(outs, func, rargs, rkw, g, slot_name)
                err = rec.errstate.get(i)
                if err is not None:
                    changed = {k: v for k, v in err.items() if rec.err0.get(k) != v}
                    lines.append(f"with {g.name(np.errstate, 'F')}(**{g.name(changed, 'C')}):")
                    line = "    " + line
                lines.append(line)
            elif kind == "guard":
                _, s, gkind, convert, expected = ins
                safe = i < first_effect
                c = g.name(convert, "G")
                x = g.name(expected, "C")
                lines.append(f"if not _same({c}({slot_name(s)}), {x}): raise _GuardFailed({safe})")
            elif kind == "effect":
                _, func, rargs, rkw = ins
                f = g.name(func, "H")
                a = ", ".join(g.lit(x, slot_name) for x in rargs)
                if rkw:
                    kw = ", ".join(f"{k_}={g.lit(x, slot_name)}" for k_, x in rkw.items())
                    a = f"{a}, {kw}" if a else kw
                lines.append(f"{f}({a})")
            elif kind == "store":
                _, src, attr, v = ins
                target = f"{source(src)}.{attr}"
                if attr == "data":
                    lines.append(f"{target} = {slot_name(v)}")
                elif v is None:
                    lines.append(f"{target} = None")
                elif type(v) is tuple:  # a fixed array: a copy each time
                    lines.append(f"{target} = _make({slot_name(v[1])}.copy(), False, None)")
                else:
                    lines.append(f"{target} = _make({slot_name(v)}, False, None)")
            if after is not None:
                lines.append(after)
        lines.append("return " + self._return(spec, g, slot_name, rec, source))
        # the functions and constants it uses are bound as keyword defaults: locals, read
        # faster than globals
        names = ", ".join(f"{n}={n}" for n in g.globals)
        src = f"def replay(A, K, *, {names}):\n" + "".join(f"    {ln}\n" for ln in lines)
        self.source = src
        namespace = g.globals
        exec(compile_source(src), namespace)  # noqa: S102
        self._fn = namespace["replay"]
        self.info = {"instructions": len(rec.code), "kept": n_kept,
                     "guards": rec.guards, "value_guards": rec.value_guards,
                     "guard_sites": rec.guard_sites, "buffers_reused": len(reuse),
                     "effects": sum(1 for ins in rec.code if ins[0] == "effect"),
                     "source": src}

    def _return(self, spec, g: _Codegen, slot_name, rec: Recorder, source) -> str:
        kind = spec[0]
        if kind == "seq":
            inner = ", ".join(self._return(s, g, slot_name, rec, source) for s in spec[2])
            if spec[1] is tuple:
                return f"({inner},)" if len(spec[2]) == 1 else f"({inner})"
            return f"[{inner}]"
        if kind == "dict":
            return "{" + ", ".join(f"{k!r}: {self._return(s, g, slot_name, rec, source)}"
                                   for k, s in spec[1]) + "}"
        if kind == "leaf":
            return f"L{spec[1]}"
        if kind == "gradof":
            return f"{source(spec[1])}.grad"
        if kind == "object":
            return g.lit(spec[1], slot_name)
        s = spec[1]
        # a fresh array each call: computed ones are; loaded, fixed or argument ones
        # (and views of them) are copied
        consts = {c[1] for c in rec.code if c[0] == "const"}
        own = rec.root[s] not in rec.external_roots and rec.root[s] not in consts
        expr = slot_name(s)
        v = rec.proxies[s].v
        if not isinstance(v, np.ndarray):
            expr = f"{g.name(np.asarray, 'F')}({expr})"
        elif not own or v.base is not None:
            expr = f"{expr}.copy()"
        if kind == "array":
            return expr
        t = f"_make({expr}, False, None)"
        if spec[2] is not None:
            t = f"{g.name(_with_grad, 'F')}({t}, {slot_name(spec[2])})"
        return t



#: arrays of this many bytes or more are released by name after their last use
_DROP_BYTES = 1 << 16
#: replays of more instructions than this release every array after its last use
_LONG = 2000

#: the operators whose numpy call (the ufunc) may write into a dead input's buffer
_OPERATOR_UFUNCS = {operator.add: np.add, operator.sub: np.subtract,
                    operator.mul: np.multiply, operator.truediv: np.true_divide,
                    operator.neg: np.negative}


def _reusable(rec: Recorder, keep: list[bool], last_use: dict[int, int],
              const_slots: dict) -> dict[int, tuple[Any, int]]:
    """Elementwise calls whose result may go into the buffer of an input used for the
    last time there: ``{call index: (ufunc, input slot)}``. The result is the same, bit
    for bit (an elementwise ufunc may write over its own input); what is saved is an
    allocation. Only an input the replay made itself, that nothing else views, that no
    tensor, effect or output holds, and of the result's shape, dtype and C layout."""
    escaped: set[int] = set()
    views: dict[int, list[int]] = {}
    for s, r in rec.root.items():
        if r != s:
            views.setdefault(r, []).append(s)
    for ins, k in zip(rec.code, keep):
        if k and ins[0] in ("store", "effect"):
            for s in _walk_ins(ins):
                escaped.add(rec.root[s])
    out: dict[int, tuple[Any, int]] = {}
    for i, (ins, k) in enumerate(zip(rec.code, keep)):
        if not k or ins[0] != "call" or ins[4] or type(ins[1]) is not Ref:
            continue
        func = ins[2]
        ufunc = func if type(func) is np.ufunc else _OPERATOR_UFUNCS.get(func)
        if ufunc is None or ufunc.nout != 1 or ufunc.signature is not None \
                or len(ins[3]) != ufunc.nin:
            continue
        result = rec.proxies[ins[1].slot].v
        # a keyword out= costs more than a new array, and so does any out= for one element
        if type(result) is not np.ndarray or not result.flags.c_contiguous \
                or ufunc in _KEYWORD_OUT or result.size < 2:
            continue
        for a in ins[3]:
            if type(a) is not Ref:
                continue
            s = a.slot
            v = rec.proxies[s].v
            if (last_use.get(s) == i and rec.root[s] == s and s not in rec.external_roots
                    and s not in const_slots and s not in escaped
                    and type(v) is np.ndarray and v.shape == result.shape
                    and v.dtype == result.dtype and v.flags.c_contiguous
                    and all(last_use.get(w, -1) <= i for w in views.get(s, ()))):
                out[i] = (ufunc, s)
                break
    return out


def _match(tree: Any, key: Any, g: _Codegen, leaves: list) -> list[str]:
    """Lines that check a call's arguments against the recorded ones (raising _Miss),
    binding the leaves to L0, L1, ..."""
    _, leaf_keys, mode = key
    lines = [f"if _mode.enabled is not {mode}: raise _Miss"]
    count = [0, 0]

    def node(t: Any, expr: str) -> None:
        if t is None:
            i = count[0]
            count[0] += 1
            lines.append(f"L{i} = {expr}")
            leaf(f"L{i}", leaf_keys[i])
            return
        kind, items = t
        if kind is dict:
            check = "" if expr == "K" else f"type({expr}) is not dict or "  # K is a dict
            lines.append(f"if {check}{expr}.keys() != "
                         f"{g.name(frozenset(k for k, _ in items), 'C')}: raise _Miss")
            for k, sub in items:
                node(sub, f"{expr}[{k!r}]")
            return
        name = expr
        if not expr.isidentifier():
            name = f"n{count[1]}"
            count[1] += 1
            lines.append(f"{name} = {expr}")
        if name == "A":  # the positional arguments: a tuple
            lines.append(f"if len(A) != {len(items)}: raise _Miss")
        else:
            lines.append(f"if type({name}) is not {kind.__name__} or len({name}) != "
                         f"{len(items)}: raise _Miss")
        for j, sub in enumerate(items):
            node(sub, f"{name}[{j}]")

    def leaf(v: str, k: Any) -> None:
        if k[0] == "id":
            lines.append(f"if {v} is not {g.name(leaves[int(v[1:])], 'C')}: "
                         "raise _Miss")
            return
        cls = g.name(k[0], "C")
        if isinstance(k[0], type) and issubclass(k[0], Tensor):
            _, shape, dtype, strides, rg, has_grad = k
            d = "D" + v[1:]  # the argument's array, read once
            lines.append(f"if type({v}) is not {cls} or {v}.requires_grad is not {rg} or "
                         f"({d} := {v}.data).shape != {shape!r} or {d}.strides != {strides!r} "
                         f"or ({d}.dtype is not {g.name(dtype, 'C')} and {d}.dtype != "
                         f"{g.name(dtype, 'C')}): raise _Miss")
            if rg:
                op = "is" if has_grad else "is not"
                lines.append(f"if {v}.__dict__.get('grad') {op} None: raise _Miss")
            return
        if k[0] is np.ndarray:
            _, shape, dtype, strides = k
            lines.append(f"if type({v}) is not {cls} or {v}.shape != {shape!r} or "
                         f"{v}.strides != {strides!r} or {v}.dtype != {g.name(dtype, 'C')}: "
                         "raise _Miss")
            return
        if k[0] is float:
            lines.append(f"if type({v}) is not float or {v}.hex() != {k[1]!r}: raise _Miss")
            return
        lines.append(f"if type({v}) is not {cls} or not _same({v}, {g.name(k[1], 'C')}): "
                     "raise _Miss")

    node(tree[1][0], "A")
    kw = tree[1][1]
    if kw[1]:
        node(kw, "K")
    else:
        lines.append("if K: raise _Miss")
    return lines


_INFIX = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
          operator.floordiv: "//", operator.mod: "%", operator.pow: "**",
          operator.matmul: "@", operator.and_: "&", operator.or_: "|", operator.xor: "^",
          operator.lshift: "<<", operator.rshift: ">>", operator.lt: "<", operator.le: "<=",
          operator.gt: ">", operator.ge: ">=", operator.eq: "==", operator.ne: "!="}
_INPLACE = {operator.iadd: "+=", operator.isub: "-=", operator.imul: "*=",
            operator.itruediv: "/=", operator.ifloordiv: "//=", operator.imod: "%=",
            operator.ipow: "**=", operator.imatmul: "@=", operator.iand: "&=",
            operator.ior: "|=", operator.ixor: "^=", operator.ilshift: "<<=",
            operator.irshift: ">>="}
_UNARY = {operator.neg: "-", operator.pos: "+", operator.invert: "~"}
_ATTR_NAMES = {id(f): name for name, f in _trace._ATTRS.items()}
#: ufuncs that deprecate an output given by position
_KEYWORD_OUT = frozenset((np.maximum, np.minimum, np.fmax, np.fmin))
_REDUCTIONS = frozenset(getattr(np.ndarray, m) for m in
                        ("sum", "mean", "max", "min", "prod", "all", "any"))


def _call_line(outs, func, rargs, rkw, g: _Codegen, slot_name) -> str:
    """One recorded call as Python: operators as operators, attributes as attributes, and
    keyword arguments that only restate a default left out; the same numpy calls."""
    lit = g.lit
    target = _target(outs)
    args = [lit(x, slot_name) for x in rargs]
    if not rkw:
        op = _INFIX.get(func) if type(func) is not np.ufunc else None
        if op is not None and len(args) == 2:
            return f"{target}{args[0]} {op} {args[1]}"
        op = _INPLACE.get(func) if type(func) is not np.ufunc else None
        if op is not None and len(args) == 2 and type(rargs[0]) is Ref \
                and args[0].startswith("s") and type(outs) is Ref \
                and outs.slot == rargs[0].slot:
            return f"{args[0]} {op} {args[1]}"
        op = _UNARY.get(func) if type(func) is not np.ufunc else None
        if op is not None and len(args) == 1:
            return f"{target}{op}{args[0]}"
        name = _ATTR_NAMES.get(id(func))
        if name is not None and len(args) == 1:
            return f"{target}{args[0]}.{name}"
        if func is operator.getitem and len(args) == 2:
            return f"{target}{args[0]}[{args[1]}]"
        if func is operator.setitem and len(args) == 3:
            return f"{args[0]}[{args[1]}] = {args[2]}"
    kw = dict(rkw)
    if type(func) is np.ufunc:
        if kw.get("casting") == "same_kind":
            del kw["casting"]
        out = kw.get("out")
        if out is not None and len(kw) == 1 and type(out) is tuple and len(out) == 1 \
                and func.nout == 1 and len(args) == func.nin and func not in _KEYWORD_OUT:
            del kw["out"]
            args.append(lit(out[0], slot_name))
    elif func in _REDUCTIONS and set(kw) <= {"axis", "keepdims"} and \
            kw.get("keepdims", False) is False and len(args) == 1:
        kw.pop("keepdims", None)
        if "axis" in kw:
            args.append(lit(kw.pop("axis"), slot_name))
    if kw:
        args += [f"{k}={lit(x, slot_name)}" for k, x in kw.items()]
    return f"{target}{g.name(func, 'F')}({', '.join(args)})"


def _with_grad(t: Tensor, g: Any) -> Tensor:
    t.grad = _make(np.array(g, copy=True), False, None)
    return t


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(b, np.ndarray):
        a = np.asarray(a)
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"))
    if type(b) is float and b != b:
        return a != a
    return a == b


def compile_source(src: str) -> Any:
    return builtins.compile(src, "<minigrad.compile>", "exec")
