"""Parameter, Module and Sequential: the containers that layers are built from."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, overload
from weakref import ref as _ref

import numpy as np

from .. import _trace
from ..tensor import Tensor, _as_array

__all__ = ["Parameter", "Module", "Sequential", "ModuleList", "ModuleDict"]


class Parameter(Tensor):
    """A Tensor that a Module trains: ``requires_grad`` is always True.

    ``Parameter(data)`` wraps a numpy array without copying it (like ``Tensor``);
    Python numbers and lists become float64, and integer or boolean arrays are
    converted to float64, since only floating-point values can have gradients.

    A Parameter assigned to a Module attribute is named after it when it has no name
    yet (``weight``), and gets its dotted path when the module becomes part of a
    larger one (``0.weight``, ``encoder.0.weight``); a name set by the user is kept.
    """

    # the name a Module gave it last; a different current name was set by the user
    __slots__ = ("_auto_name",)

    def __init__(self, data: Any, name: str | None = None) -> None:
        arr = _as_array(data, None, "Parameter")  # numeric data, not copied
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        super().__init__(arr, requires_grad=True, name=name)
        self._auto_name: str | None = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Parameter(", precision=4)
        extras = [body]
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "Parameter(" + ", ".join(extras) + ")"


def _rename(p: Parameter, name: str) -> None:
    """Give ``p`` the automatic ``name`` unless the user has named it."""
    if p.name is None or p.name == p._auto_name:
        p.name = name
        p._auto_name = name


def _buffer_value(value: Any, where: str, name: str) -> Tensor | None:
    """A buffer's value: a Tensor (not a Parameter) as is, a numeric array wrapped
    without copying, or None."""
    if value is None:
        return None
    if isinstance(value, Parameter):
        raise TypeError(f"{where}: buffer {name!r} cannot be a Parameter; register it as a "
                        "parameter by assigning it instead")
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor(np.asarray(value))
    raise TypeError(f"{where}: buffer {name!r} must be a Tensor, a numpy array or None, got "
                    f"{type(value).__name__}")


class LoadResult(NamedTuple):
    """What a non-strict :meth:`Module.load_state_dict` left out."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers and models.

    Subclasses call ``super().__init__()`` first, assign their Parameters and
    sub-modules as attributes, and define ``forward``; calling the module calls
    ``forward``. Assigned Parameters and Modules are registered in assignment
    order, which is the order of :meth:`parameters` and :meth:`state_dict`::

        class Affine(Module):
            def __init__(self):
                super().__init__()
                self.w = Parameter(np.ones((3, 2)))
                self.b = Parameter(np.zeros(2))

            def forward(self, x):
                return add_bias(matmul(x, self.w), self.b)
    """

    training: bool
    _parameters: dict[str, Parameter]
    _modules: dict[str, Module]
    _buffers: dict[str, Tensor | None]
    _non_persistent: set[str]

    def __init__(self) -> None:
        # object.__setattr__: these are not parameters, buffers or sub-modules
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _trace.ACTIVE:  # a compiled function's replay checks the training mode seen
            _trace.saw_module(self)
        out = self.forward(*args, **kwargs)
        if isinstance(out, Tensor) and out._ctx is not None:
            # The last recorded call, so that a graph drawing can show this module as one
            # box (minigrad.viz, collapse=); weak references do not keep the graph alive.
            if len(args) == 1:  # the common case, kept quick
                inputs = (_ref(args[0]),) if isinstance(args[0], Tensor) else ()
            else:
                inputs = tuple([_ref(a) for a in args if isinstance(a, Tensor)])
            self.__dict__["_last_call"] = (_ref(out), inputs)
        return out

    # ------------------------------------------------------------------ registration
    def register_buffer(
        self, name: str, tensor: Tensor | np.ndarray | None, persistent: bool = True
    ) -> None:
        """Register ``tensor`` as a buffer: state that is not trained (no gradient, not in
        :meth:`parameters`) but belongs to the module, such as BatchNorm's running
        statistics. It is read as ``self.<name>`` (a Tensor, or None), listed by
        :meth:`named_buffers`, and, when ``persistent`` (the default), saved in
        :meth:`state_dict` after the module's parameters and restored by
        :meth:`load_state_dict`. A numpy array is wrapped in a Tensor without copying;
        None registers the name with no value (left out of the state). Assigning
        ``self.<name> = array_or_tensor`` later replaces the buffer's value."""
        where = f"{type(self).__name__}.register_buffer"
        if "_buffers" not in self.__dict__:
            raise AttributeError(f"{where}: call super().__init__() before registering buffers")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{where}: the name must be a non-empty string without '.', got "
                           f"{name!r}")
        if name not in self._buffers and (
                name in self._parameters or name in self._modules or hasattr(self, name)):
            raise KeyError(f"{where}: {name!r} is already an attribute of "
                           f"{type(self).__name__}")
        self._buffers[name] = _buffer_value(tensor, where, name)
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, self._buffers[name])

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            params, modules = self._parameters, self._modules
            buffers = self._buffers
        except AttributeError:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__(); call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            ) from None
        old = self.__dict__.get(name)
        if name in buffers and not isinstance(value, (Parameter, Module)):
            value = buffers[name] = _buffer_value(value, type(self).__name__, name)
            if value is not old:
                _trace.STRUCTURE[0] += 1  # a new tensor: compiled functions record again
            object.__setattr__(self, name, value)
            return
        if value is not old and (isinstance(value, (Tensor, Module))
                                 or isinstance(old, (Tensor, Module))):
            _trace.STRUCTURE[0] += 1  # compiled functions record again
        if isinstance(value, Parameter):
            modules.pop(name, None)
            buffers.pop(name, None)
            params[name] = value
            _rename(value, name)
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
            for path, p in value.named_parameters():
                _rename(p, f"{name}.{path}")
        else:
            if name in params and value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} to {name!r}, a Parameter of "
                    f"{type(self).__name__}: assign a Parameter (or None to remove it), or set "
                    f"{name}.data to change its values"
                )
            params.pop(name, None)
            modules.pop(name, None)
        # kept in the instance dict as well, so that reading self.weight stays fast
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        _trace.STRUCTURE[0] += 1  # compiled functions record again
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent.discard(name)
        object.__delattr__(self, name)

    # ------------------------------------------------------------------ traversal
    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)`` for this module and its sub-modules, each
        parameter once (a shared one under its first name)."""
        seen: set[Parameter] = set()
        for mod_name, mod in self.named_modules(prefix):
            for name, p in mod._parameters.items():
                if p not in seen:
                    seen.add(p)
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        """Yield every parameter once, in registration order."""
        for _, p in self.named_parameters():
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted_name, buffer)`` for this module's buffers and, with ``recurse``,
        its sub-modules', each buffer once; buffers registered as None are skipped."""
        seen: set[Tensor] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_name, mod in mods:
            for name, b in mod._buffers.items():
                if b is not None and b not in seen:
                    seen.add(b)
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer once (see :meth:`named_buffers`)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct sub-modules."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Yield the direct sub-modules."""
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted_name, module)`` for this module (name ``prefix``, "" by default)
        and every sub-module below it, depth first, each module once."""
        seen: set[Module] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if mod in seen:
                continue
            seen.add(mod)
            yield name, mod
            subs = [(f"{name}.{n}" if name else n, m) for n, m in mod._modules.items()]
            stack.extend(reversed(subs))

    def modules(self) -> Iterator[Module]:
        """Yield this module and every sub-module below it."""
        for _, m in self.named_modules():
            yield m

    def num_parameters(self) -> int:
        """The number of trainable values (the sum of the parameters' sizes)."""
        return int(sum(p.data.size for p in self.parameters()))

    # ------------------------------------------------------------------ training state
    def zero_grad(self) -> None:
        """Forget the gradients: every parameter's ``grad`` becomes None."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and its sub-modules; return self."""
        rec = _trace.recording() if _trace.ACTIVE else None
        if rec is not None:  # inside minigrad.compile's recording: done at every replay too
            rec.modes_known.update(id(m) for m in self.modules())
            return rec.effect(Module.train, (self, mode), {}, (), restartable=True)  # type: ignore[no-any-return]
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``."""
        return self.train(False)

    # ------------------------------------------------------------------ weights
    def _named_state(self) -> Iterator[tuple[str, Tensor]]:
        """Parameters and persistent buffers, module by module: a module's parameters,
        then its buffers, then its sub-modules' (PyTorch's order); each tensor once."""
        seen: set[Tensor] = set()
        for mod_name, mod in self.named_modules():
            dot = f"{mod_name}." if mod_name else ""
            for name, p in mod._parameters.items():
                if p not in seen:
                    seen.add(p)
                    yield dot + name, p
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent and b not in seen:
                    seen.add(b)
                    yield dot + name, b

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter's and persistent buffer's values, keyed by dotted
        name: each module's parameters, then its buffers, then its sub-modules'."""
        return OrderedDict((name, t.data.copy()) for name, t in self._named_state())

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> LoadResult:
        """Set the parameters' and persistent buffers' values from ``state`` (dotted
        name -> array).

        Everything is checked before anything changes, so a refused load leaves the
        model as it was: with ``strict`` (the default) the keys must be exactly those of
        :meth:`state_dict`; shapes and dtypes must always match. Values are copied.
        Returns the missing and unexpected keys (both empty under ``strict``).
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict into {type(self).__name__}: state must be a mapping "
                f"name -> array (from state_dict() or minigrad.load()), got "
                f"{type(state).__name__}"
            )
        own = dict(self._named_state())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(str(k) for k in unexpected))
        updates = []
        for key, p in own.items():
            if key not in state:
                continue
            value = state[key]
            try:
                value = value.data if isinstance(value, Tensor) else np.asarray(value)
            except (TypeError, ValueError) as e:
                problems.append(f"{key!r}: {type(value).__name__} is not an array ({e})")
                continue
            if value.shape != p.data.shape:
                problems.append(
                    f"{key!r}: shape {value.shape} in the state, {p.data.shape} in the model"
                )
            elif value.dtype != p.data.dtype:
                problems.append(
                    f"{key!r}: dtype {value.dtype} in the state, {p.data.dtype} in the model"
                )
            else:
                updates.append((p, value))
        if problems:
            raise ValueError(
                f"load_state_dict into {type(self).__name__} refused, nothing was changed: "
                + "; ".join(problems)
            )
        for p, value in updates:
            p.data = value.copy()
        return LoadResult(missing, unexpected)

    # ------------------------------------------------------------------ composition
    def __rshift__(self, other: Module) -> Sequential:
        """``a >> b`` is ``Sequential(a, b)``; Sequentials on either side are flattened,
        so ``a >> b >> c`` is ``Sequential(a, b, c)``."""
        if not isinstance(other, Module):
            return NotImplemented
        left = list(self) if isinstance(self, Sequential) else [self]
        right = list(other) if isinstance(other, Sequential) else [other]
        return Sequential(*left, *right)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's one-line description."""
        return ""

    def _is_leaf(self) -> bool:
        """A layer that describes itself in one line (no sub-modules; its parameters, if
        any, are summed up by its ``extra_repr``)."""
        return not self._modules and (
            not self._parameters or type(self).extra_repr is not Module.extra_repr
        )

    def _summary_rows(self, depth: int) -> list[tuple[str, int | str]]:
        rows: list[tuple[str, int | str]] = []
        pad = "  " * depth
        for name, p in self._parameters.items():
            rows.append((f"{pad}({name}) Parameter {p.data.shape} {p.data.dtype}", p.data.size))
        for name, m in self._modules.items():
            if m._is_leaf():
                rows.append((f"{pad}({name}) {m!r}", m.num_parameters() or "-"))
            else:
                rows.append((f"{pad}({name}) {type(m).__name__}", m.num_parameters()))
                rows.extend(m._summary_rows(depth + 1))
        return rows

    def summary(self) -> str:
        """One line per layer (its type and sizes) with its parameter count, and a total."""
        rows = self._summary_rows(1)
        total = self.num_parameters()
        head = type(self).__name__
        width = max([len(label) for label, _ in rows] + [len(head), len("total")])
        num = max(len(f"{total:,}"), len("parameters"))
        lines = [f"{head:<{width}}  {'parameters':>{num}}"]
        for label, count in rows:
            count = f"{count:,}" if isinstance(count, int) else count
            lines.append(f"{label:<{width}}  {count:>{num}}")
        lines.append(f"{'total':<{width}}  {f'{total:,}':>{num}}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        if not self._is_leaf():
            return self.summary()
        return f"{type(self).__name__}({self.extra_repr()})"


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are named "0", "1", ... so the parameters read "0.weight", "0.bias",
    "2.weight" and so on. A Sequential can be indexed (an int gives a module, a slice a
    Sequential of the same module objects under their original names), iterated and
    measured with ``len``. ``a >> b >> c`` builds the same model as
    ``Sequential(a, b, c)``.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Any:
        for layer in self._modules.values():
            x = layer(x)
        return x

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            # the same modules under their original names; nothing is renamed
            part = Sequential()
            for name, m in list(self._modules.items())[index]:
                part._modules[name] = m
                object.__setattr__(part, name, m)
            return part
        modules: list[Module] = list(self._modules.values())
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


def _check_module(value: Any, where: str) -> Module:
    if not isinstance(value, Module):
        raise TypeError(f"{where}: expected a Module, got {type(value).__name__}")
    return value


class ModuleList(Module):
    """A list of modules whose parameters belong to the model (a plain Python list's
    would not be found by :meth:`Module.parameters`). Modules are named "0", "1", ...
    by position, renumbered after an insertion or deletion. It has no ``forward``:
    iterate over it in the owner's ``forward``::

        self.layers = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
        ...
        for layer in self.layers:
            x = layer(x)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _set_all(self, modules: list[Module]) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def _index(self, index: int) -> int:
        n = len(self._modules)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"ModuleList: indices must be ints or slices, got "
                            f"{type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"ModuleList: index {index} is out of range for {n} modules")
        return int(index) % n

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...
    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[self._index(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(self._index(index)), _check_module(module, "ModuleList"))

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._set_all(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; return self."""
        setattr(self, str(len(self._modules)), _check_module(module, "ModuleList.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end; return self."""
        if isinstance(modules, Module) and not isinstance(modules, (ModuleList, Sequential)):
            raise TypeError("ModuleList.extend: expected an iterable of Modules, got a single "
                            f"{type(modules).__name__}; use append")
        for m in list(modules):
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (as list.insert)."""
        modules = list(self._modules.values())
        modules.insert(index, _check_module(module, "ModuleList.insert"))
        self._set_all(modules)



class ModuleDict(Module):
    """A dict of modules (insertion-ordered) whose parameters belong to the model, each
    registered under its key (``"encoder.weight"``). Keys are strings without "." that
    are not already attributes of the module (``"train"`` would hide the method). Like
    ModuleList it has no ``forward``."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
                 = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no module {key!r}; its keys are "
                           f"{list(self._modules)}") from None

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: keys must be non-empty strings without '.', got "
                           f"{key!r}")
        if key not in self._modules and hasattr(self, key):
            raise KeyError(f"ModuleDict: the key {key!r} is an attribute of ModuleDict; "
                           "choose another name")
        setattr(self, key, _check_module(module, "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        self[key]  # a clear KeyError for a missing key
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def keys(self) -> list[str]:
        return list(self._modules.keys())

    def values(self) -> list[Module]:
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        return list(self._modules.items())

    def pop(self, key: str) -> Module:
        """Remove the module under ``key`` and return it."""
        m = self[key]
        delattr(self, key)
        return m

    def clear(self) -> None:
        """Remove every module."""
        for key in list(self._modules):
            delattr(self, key)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or from ``(key, module)`` pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for pair in pairs:
            try:
                key, module = pair
            except (TypeError, ValueError):
                raise TypeError("ModuleDict.update: expected a mapping or (key, module) "
                                f"pairs, got an element {pair!r}") from None
            self[key] = module
