"""Optimizers with the update rules of torch.optim: SGD, Adam, AdamW, RMSprop, Adagrad.

An optimizer holds its parameters in parameter groups, ``param_groups``: a list of
dicts, each with its ``"params"`` and its own settings (``lr``, ``weight_decay``, ...).
``Optimizer(params, ...)`` accepts either an iterable of parameters (one group with the
given settings) or an iterable of dicts, each a group whose missing settings are taken
from the keyword arguments (the ``defaults``), as in PyTorch::

    opt = optim.SGD([{"params": model[0].parameters()},
                     {"params": model[2].parameters(), "lr": 1e-3}], lr=1e-2, momentum=0.9)

``step()`` updates every parameter that has a gradient (``p.grad``), in place, reading
each group's settings at that moment (a learning-rate scheduler changes
``group["lr"]``); ``zero_grad()`` sets the gradients to None. A typical step::

    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()

Per-parameter state (momentum buffers, moment estimates, step counts) lives in
``opt.state``, a dict keyed by parameter, created on a parameter's first update.

Saving and resuming
-------------------
``state_dict()`` returns a flat dict of named numpy arrays, so that
``minigrad.save(opt, path)`` writes it to an ``.npz`` file like a model's weights (no
pickle), and ``opt.load_state_dict(minigrad.load(path))`` restores it into a new
optimizer built over the same parameters (in the same order and groups). The names:

- ``param_groups.<g>.params``: int64, shape (n,): the group's parameters, numbered
  across all groups in order (0, 1, ... as PyTorch numbers them).
- ``param_groups.<g>.<setting>``: the group's settings: a number as a 0-d float64
  array, a flag (``nesterov``, ``amsgrad``, ``centered``) as a 0-d bool array, a pair
  (``betas``) as a float64 array of shape (2,). Keys a scheduler adds (``initial_lr``,
  ``max_lr``, ...) are saved the same way.
- ``state.<i>.<name>``: parameter i's state: ``step`` as a 0-d int64 array, buffers
  (``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``, ``square_avg``,
  ``grad_avg``, ``sum``) as arrays of the parameter's shape and dtype. A parameter that
  has not been updated yet has no entries.

``load_state_dict`` checks everything before changing anything: the number of groups
and their sizes, every setting's range, every buffer's shape, and it refuses names it
does not know. Restored state makes training continue bit for bit as if it had never
stopped.

Updates write into each parameter's array. An array that a recorded graph saved for
its backward pass is read-only; once that graph is gone only the parameter refers to it
and it is made writable again. If something else still holds it (a live graph, a view,
another tensor), its values must not change under that holder, so the new values go
into a fresh array that replaces ``p.data``.

Every rule computes in PyTorch's order of operations (e.g. ``p + (−lr·m) / denom``);
PyTorch's vectorized CPU kernels fuse some multiply-adds, so the two agree to about one
rounding per step rather than bit for bit.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np

from .. import _trace
from ..tensor import Tensor, _reclaim, _shares_saved

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]

#: what an optimizer accepts as ``params``: parameters, or dicts describing groups. Typed
#: loosely on purpose: a literal list of group dicts whose values differ in type (a list of
#: parameters, a float) is inferred as ``list[object]``, which a narrower type would refuse
Params: TypeAlias = "Iterable[Any]"


def _params(opt: Optimizer) -> list[Tensor]:
    """The tensors an optimizer's step reads and writes (for minigrad.compile)."""
    return [p for g in opt.param_groups for p in g["params"]]


def _subtract(p: Tensor, delta: np.ndarray) -> None:
    """p.data −= delta, in place when nothing else holds the array (see ``_reclaim``).

    The caller must not keep a reference of its own to ``p.data``: it would count as
    another holder, and every update would go to a fresh array."""
    if (not p.data.flags.writeable and not _reclaim(p)) or _shares_saved(p.data):
        p.data = np.asarray(p.data - delta)  # same dtype: delta is computed in p's dtype
        return
    np.subtract(p.data, delta, out=p.data)


def _scale(p: Tensor, factor: float) -> None:
    """p.data ·= factor, in place under the same rule as :func:`_subtract`."""
    if (not p.data.flags.writeable and not _reclaim(p)) or _shares_saved(p.data):
        p.data = np.asarray(p.data * factor)
        return
    np.multiply(p.data, factor, out=p.data)


def _lerp_(a: np.ndarray, b: np.ndarray, weight: float, scratch: np.ndarray) -> None:
    """a = a + weight·(b − a) in place, in the two forms torch.lerp uses (the second for
    weights of 0.5 and more, so that weight 1 gives b exactly)."""
    np.subtract(b, a, out=scratch)
    if weight < 0.5:
        scratch *= weight
        a += scratch
    else:
        scratch *= weight - 1.0
        np.add(scratch, b, out=a)


def _check(opt: str, what: str, value: Any, low: float, high: float | None) -> float:
    """``value`` as a float in [low, high) (no upper bound when high is None)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{opt}: {what} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{opt}: {what} must be a number, got {value!r}") from None
    if not (v >= low and (high is None or v < high)) or not math.isfinite(v):
        bounds = f"a finite number >= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{opt}: {what} must be {bounds}, got {value!r}")
    return v


def _who(opt: str, where: str) -> str:
    """How an error names the optimizer, and the group when there are several."""
    return f"{opt}: {where}" if where else opt


def _check_flag(opt: str, what: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{opt}: {what} must be True or False, got {value!r}")
    return bool(value)


def _check_betas(opt: str, what: str, betas: Any) -> tuple[float, float]:
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"{opt}: {what} must be a pair (beta1, beta2), got {betas!r}") from None
    return (_check(opt, f"{what}[0]", b1, 0.0, 1.0), _check(opt, f"{what}[1]", b2, 0.0, 1.0))


_STATE_KEY = re.compile(r"state\.(0|[1-9][0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)\Z")
_GROUP_KEY = re.compile(r"param_groups\.(0|[1-9][0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)\Z")


class Optimizer:
    """Base class: parameter groups, ``zero_grad``, ``state_dict`` / ``load_state_dict``.

    A subclass passes its settings as ``defaults`` and defines ``step()``,
    ``_check_group`` (validate and normalize one group's settings) and
    ``_state_keys`` (the names of its per-parameter state).
    """

    #: the names a parameter's state may hold; ``step`` is an int, the others arrays
    _state_keys: frozenset[str] = frozenset()

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, (Tensor, np.ndarray, dict)):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, e.g. model.parameters() "
                f"or [w, b], or of parameter-group dicts, not a single {type(params).__name__}"
            )
        items = list(params)
        if not items:
            raise ValueError(f"{name}: got an empty parameter list; there is nothing to optimize")
        self.defaults: dict[str, Any] = dict(defaults)
        self._check_group(self.defaults, "")
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        if all(isinstance(g, dict) for g in items):
            for g in items:
                self.add_param_group(g)
        elif any(isinstance(g, dict) for g in items):
            raise TypeError(
                f"{name}: params mixes parameter-group dicts with other items; give either "
                "parameters or dicts {'params': [...], ...}"
            )
        else:
            self.add_param_group({"params": items})

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group: a dict with ``"params"`` (a parameter or an iterable of them) and
        any settings of its own; the others are taken from ``defaults``. A parameter
        may belong to one group only."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: expected a dict, got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}.add_param_group: the group has no 'params' key")
        g_index = len(self.param_groups)
        where = f"param group {g_index}, " if self.param_groups or len(param_group) > 1 else ""
        raw = param_group["params"]
        params = [raw] if isinstance(raw, Tensor) else list(raw)
        if not params:
            raise ValueError(
                f"{name}: {where}got an empty parameter list; there is nothing to optimize"
            )
        taken = {p for g in self.param_groups for p in g["params"]}
        seen: set[Tensor] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                hint = "; pass model.parameters()" if hasattr(p, "parameters") else ""
                raise TypeError(
                    f"{name}: {where}parameter {i} is a {type(p).__name__}, not a Tensor{hint}"
                )
            if p._ctx is not None:
                raise ValueError(
                    f"{name}: {where}parameter {i} (shape {p.data.shape}) was computed by an "
                    f"op ({p._ctx.name}); only leaf tensors can be optimized"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(
                    f"{name}: {where}parameter {i} (shape {p.data.shape}) has dtype "
                    f"{p.data.dtype}; only floating-point tensors can be optimized"
                )
            if p in seen:
                raise ValueError(
                    f"{name}: {where}parameter {i} (shape {p.data.shape}) appears more than "
                    "once in params"
                )
            if p in taken:
                raise ValueError(
                    f"{name}: {where}parameter {i} (shape {p.data.shape}) is already in "
                    "another parameter group; a parameter may belong to one group only"
                )
            seen.add(p)
        group = {k: v for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group, where.rstrip(", "))
        self.param_groups.append({"params": params, **group})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        """Validate ``group``'s settings and normalize them in place (floats, bools)."""
        raise NotImplementedError(f"{type(self).__name__} must define _check_group()")

    @property
    def params(self) -> list[Tensor]:
        """Every parameter, group after group."""
        return [p for g in self.param_groups for p in g["params"]]

    @property
    def lr(self) -> float:
        """The learning rate, when every group has the same; setting it sets every group's."""
        lrs = {g["lr"] for g in self.param_groups}
        if len(lrs) != 1:
            raise AttributeError(
                f"{type(self).__name__}.lr: the parameter groups have different learning "
                f"rates {[g['lr'] for g in self.param_groups]}; read param_groups[i]['lr']"
            )
        return float(lrs.pop())

    @lr.setter
    def lr(self, value: float) -> None:
        v = _check(type(self).__name__, "lr", value, 0.0, None)
        for g in self.param_groups:
            g["lr"] = v

    @_trace.effect(_params, restartable=True)
    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to None."""
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = None

    @_trace.effect(_params)
    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def __repr__(self) -> str:
        first = self.param_groups[0]
        settings = ", ".join(f"{k}={first[k]}" for k in self.defaults)
        n = len(self.params)
        groups = f" in {len(self.param_groups)} groups" if len(self.param_groups) > 1 else ""
        return f"{type(self).__name__}({settings}; {n} parameters{groups})"

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, np.ndarray]:
        """The optimizer's settings and state as a flat dict of named numpy arrays (the
        naming scheme is in the module's docstring); copies, not live buffers."""
        out: dict[str, np.ndarray] = {}
        index: dict[Tensor, int] = {}
        for g_i, group in enumerate(self.param_groups):
            ids = []
            for p in group["params"]:
                index[p] = len(index)
                ids.append(index[p])
            out[f"param_groups.{g_i}.params"] = np.array(ids, dtype=np.int64)
            for key, value in group.items():
                if key == "params":
                    continue
                out[f"param_groups.{g_i}.{key}"] = _setting_array(
                    type(self).__name__, f"param_groups[{g_i}][{key!r}]", value)
        for p, i in index.items():
            for key, value in self.state.get(p, {}).items():
                if key == "step":
                    out[f"state.{i}.step"] = np.array(value, dtype=np.int64)
                else:
                    out[f"state.{i}.{key}"] = np.array(value, copy=True)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore settings and state saved by :meth:`state_dict` (or read back with
        ``minigrad.load``). The optimizer must have the same groups, of the same sizes,
        over parameters of the same shapes. Nothing changes when anything is refused."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}: expected a mapping name -> array, got "
                            f"{type(state_dict).__name__}")
        groups: dict[int, dict[str, Any]] = {}
        states: dict[int, dict[str, Any]] = {}
        for key, value in state_dict.items():
            m = _GROUP_KEY.match(key) if isinstance(key, str) else None
            s = _STATE_KEY.match(key) if isinstance(key, str) and m is None else None
            if m is None and s is None:
                raise ValueError(
                    f"{name}: unexpected entry {key!r}; an optimizer's state holds only "
                    "'param_groups.<g>.<setting>' and 'state.<i>.<name>' entries"
                )
            arr = value.data if isinstance(value, Tensor) else np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"{name}: {key!r} has dtype {arr.dtype}, not a number")
            if m is not None:
                groups.setdefault(int(m.group(1)), {})[m.group(2)] = arr
            else:
                assert s is not None
                states.setdefault(int(s.group(1)), {})[s.group(2)] = arr
        n_groups = len(self.param_groups)
        if sorted(groups) != list(range(n_groups)):
            raise ValueError(
                f"{name}: the saved state has parameter groups {sorted(groups)}, this "
                f"optimizer has {n_groups} (0 to {n_groups - 1})"
            )
        # the saved numbering of the parameters, mapped to this optimizer's parameters
        by_id: dict[int, Tensor] = {}
        new_groups = []
        for g_i, group in enumerate(self.param_groups):
            saved = groups[g_i]
            ids = saved.pop("params", None)
            if ids is None or ids.ndim != 1 or ids.dtype.kind not in "iu":
                raise ValueError(f"{name}: 'param_groups.{g_i}.params' is missing or not a "
                                 "1-d integer array")
            if len(ids) != len(group["params"]):
                raise ValueError(
                    f"{name}: parameter group {g_i} has {len(group['params'])} parameters, "
                    f"the saved one {len(ids)}"
                )
            for i, p in zip(ids.tolist(), group["params"], strict=True):
                if i in by_id:
                    raise ValueError(f"{name}: parameter {i} appears in two saved groups")
                by_id[i] = p
            settings = {k: _setting_value(v) for k, v in saved.items()}
            for key in self.defaults:
                if key not in settings:
                    raise ValueError(f"{name}: 'param_groups.{g_i}.{key}' is missing")
            self._check_group(settings, f"load_state_dict: param_groups[{g_i}]")
            new_groups.append({"params": group["params"], **settings})
        new_state: dict[Tensor, dict[str, Any]] = {}
        for i, entries in states.items():
            p = by_id.get(i)
            if p is None:
                raise ValueError(f"{name}: state for parameter {i}, which no saved group holds")
            st: dict[str, Any] = {}
            for key, arr in entries.items():
                where = f"{name}: 'state.{i}.{key}'"
                if key not in self._state_keys:
                    raise ValueError(
                        f"{where}: {type(self).__name__} keeps no state named {key!r} "
                        f"(it keeps {', '.join(sorted(self._state_keys))})"
                    )
                if key == "step":
                    if arr.shape != () or arr.dtype.kind not in "iu" or int(arr) < 0:
                        raise ValueError(f"{where} must be a 0-d integer array >= 0, got "
                                         f"shape {arr.shape}, dtype {arr.dtype}")
                    st[key] = int(arr)
                else:
                    if arr.shape != p.data.shape:
                        raise ValueError(
                            f"{where} has shape {arr.shape}, but parameter {i} has shape "
                            f"{p.data.shape}"
                        )
                    st[key] = np.array(arr, dtype=p.data.dtype, copy=True)
            new_state[p] = st
        for group, new in zip(self.param_groups, new_groups, strict=True):
            group.clear()
            group.update(new)
        self.state = new_state


def _setting_array(opt: str, what: str, value: Any) -> np.ndarray:
    """A group setting as an array: a number 0-d float64, a flag 0-d bool, a tuple 1-d."""
    if isinstance(value, (bool, np.bool_)):
        return np.array(bool(value))
    if isinstance(value, numbers.Real):
        return np.array(float(value), dtype=np.float64)
    if isinstance(value, (tuple, list)) and all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in value):
        return np.array([float(v) for v in value], dtype=np.float64)
    raise TypeError(
        f"{opt}.state_dict: {what} is {value!r}; only numbers, flags and tuples of numbers "
        "can be saved"
    )


def _setting_value(arr: np.ndarray) -> Any:
    """The inverse of :func:`_setting_array`."""
    if arr.dtype.kind == "b" and arr.shape == ():
        return bool(arr)
    if arr.shape == ():
        return float(arr)
    if arr.ndim == 1:
        return tuple(float(v) for v in arr)
    raise ValueError(f"a group setting has shape {arr.shape}; expected a number or a 1-d tuple")


# ----------------------------------------------------------------------------- SGD


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

    The rule of ``torch.optim.SGD``, for each parameter p with gradient g::

        g = g + weight_decay · p
        b = g                                   on the first step (momentum > 0)
        b = momentum · b + (1 − dampening) · g   afterwards
        g = g + momentum · b   with nesterov, else   g = b
        p = p − lr · g
    """

    _state_keys = frozenset({"momentum_buffer"})

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        n = _who("SGD", where)
        group["lr"] = _check(n, "lr", group["lr"], 0.0, None)
        group["momentum"] = _check(n, "momentum", group["momentum"], 0.0, None)
        group["dampening"] = _check(n, "dampening", group["dampening"], 0.0, None)
        group["weight_decay"] = _check(n, "weight_decay", group["weight_decay"], 0.0, None)
        group["nesterov"] = _check_flag(n, "nesterov", group["nesterov"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{n}: nesterov=True needs momentum > 0 and dampening = 0, got momentum="
                f"{group['momentum']}, dampening={group['dampening']}"
            )

    @_trace.effect(_params)
    def step(self) -> None:
        # lr · g is a temporary, as in numpy's own ``w -= lr * g``: a buffer kept per
        # parameter would hold as much memory as the model for the optimizer's lifetime
        state = self.state
        for group in self.param_groups:
            lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = grad.data
                if wd:
                    g = g + wd * p.data
                if momentum:
                    st = state.get(p)
                    b = None if st is None else st.get("momentum_buffer")
                    if b is None or b.shape != g.shape:
                        b = np.array(g, dtype=p.data.dtype)
                        state[p] = {"momentum_buffer": b}
                    else:
                        b *= momentum
                        if dampening:
                            b += g * (1.0 - dampening)
                        else:
                            b += g
                    g = g + b * momentum if nesterov else b
                _subtract(p, g * lr)


# ----------------------------------------------------------------------------- Adam


class Adam(Optimizer):
    """Adam (Kingma & Ba), with bias correction, as ``torch.optim.Adam``.

    For each parameter p with gradient g, at its t-th update (t = 1, 2, ...)::

        g = g + weight_decay · p               (L2 penalty; AdamW decouples it)
        m = β1 · m + (1 − β1) · g              (m and v start at 0)
        v = β2 · v + (1 − β2) · g²
        v_max = max(v_max, v)                  (amsgrad; then v_max replaces v below)
        p = p − lr · m̂ / (√v̂ + eps)            with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)

    computed in PyTorch's order: p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps),
    with m updated as ``m.lerp_(g, 1 − β1)``.
    """

    _state_keys = frozenset({"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"})
    _decoupled = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad})
        self._scratch: dict[Tensor, tuple[np.ndarray, np.ndarray]] = {}

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        n = _who(type(self).__name__, where)
        group["lr"] = _check(n, "lr", group["lr"], 0.0, None)
        group["betas"] = _check_betas(n, "betas", group["betas"])
        group["eps"] = _check(n, "eps", group["eps"], 0.0, None)
        group["weight_decay"] = _check(n, "weight_decay", group["weight_decay"], 0.0, None)
        group["amsgrad"] = _check_flag(n, "amsgrad", group["amsgrad"])

    @_trace.effect(_params)
    def step(self) -> None:
        state, scratch = self.state, self._scratch
        decoupled = self._decoupled
        for group in self.param_groups:
            lr, eps, wd, amsgrad = group["lr"], group["eps"], group["weight_decay"], \
                group["amsgrad"]
            b1, b2 = group["betas"]
            w1 = 1.0 - b1  # the lerp weight of m towards g
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = grad.data
                st = state.get(p)
                if st is None or st["exp_avg"].shape != g.shape:
                    st = state[p] = {"step": 0, "exp_avg": np.zeros_like(p.data),
                                     "exp_avg_sq": np.zeros_like(p.data)}
                bufs = scratch.get(p)
                if bufs is None or bufs[0].shape != g.shape or bufs[0].dtype != p.data.dtype:
                    bufs = scratch[p] = (np.empty_like(p.data), np.empty_like(p.data))
                s, u = bufs
                m, v = st["exp_avg"], st["exp_avg_sq"]
                t = st["step"] = st["step"] + 1
                if wd:
                    if decoupled:
                        _scale(p, 1.0 - lr * wd)
                    else:
                        np.multiply(p.data, wd, out=u)
                        u += g
                        g = u
                # m = β1·m + (1 − β1)·g, as m.lerp_(g, 1 − β1) (inlined _lerp_)
                np.subtract(g, m, out=s)
                if w1 < 0.5:
                    s *= w1
                    m += s
                else:
                    s *= w1 - 1.0
                    np.add(s, g, out=m)
                # v = β2·v + (1 − β2)·g·g
                np.multiply(g, 1.0 - b2, out=s)
                s *= g
                v *= b2
                v += s
                bias_correction2_sqrt = (1.0 - b2**t) ** 0.5
                if amsgrad:
                    v_max = st.get("max_exp_avg_sq")
                    if v_max is None:
                        v_max = st["max_exp_avg_sq"] = np.zeros_like(p.data)
                    np.maximum(v_max, v, out=v_max)
                    v = v_max
                # denominator √v / √(1 − β2^t) + eps, then p −= (lr/(1 − β1^t))·m / denominator
                np.sqrt(v, out=s)
                s /= bias_correction2_sqrt
                s += eps
                np.multiply(m, lr / (1.0 - b1**t), out=u)
                u /= s
                _subtract(p, u)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    each step first shrinks the parameter, ``p = p · (1 − lr · weight_decay)``, and then
    takes Adam's step on the gradient alone (no L2 term added to it)."""

    _decoupled = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


# ----------------------------------------------------------------------------- RMSprop


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop``. For each parameter p with gradient g::

        g = g + weight_decay · p
        v = α · v + (1 − α) · g²                 (v starts at 0)
        centered:  a = α · a + (1 − α) · g;  d = √(v − a²) + eps,  else  d = √v + eps
        momentum > 0:  b = momentum · b + g / d;  p = p − lr · b
        otherwise:     p = p − lr · g / d
    """

    _state_keys = frozenset({"step", "square_avg", "momentum_buffer", "grad_avg"})

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered})

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        n = _who("RMSprop", where)
        group["lr"] = _check(n, "lr", group["lr"], 0.0, None)
        group["alpha"] = _check(n, "alpha", group["alpha"], 0.0, None)
        group["eps"] = _check(n, "eps", group["eps"], 0.0, None)
        group["weight_decay"] = _check(n, "weight_decay", group["weight_decay"], 0.0, None)
        group["momentum"] = _check(n, "momentum", group["momentum"], 0.0, None)
        group["centered"] = _check_flag(n, "centered", group["centered"])

    @_trace.effect(_params)
    def step(self) -> None:
        state = self.state
        for group in self.param_groups:
            lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered = group["momentum"], group["centered"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = grad.data
                st = state.get(p)
                if st is None or st["square_avg"].shape != g.shape:
                    st = state[p] = {"step": 0, "square_avg": np.zeros_like(p.data)}
                st["step"] += 1
                if wd:
                    g = g + wd * p.data
                sq = st["square_avg"]
                sq *= alpha
                s = g * (1.0 - alpha)
                s *= g
                sq += s
                if centered:
                    a = st.get("grad_avg")
                    if a is None:
                        a = st["grad_avg"] = np.zeros_like(p.data)
                    _lerp_(a, g, 1.0 - alpha, s)
                    np.multiply(a, a, out=s)
                    np.subtract(sq, s, out=s)
                    np.sqrt(s, out=s)
                else:
                    np.sqrt(sq, out=s)
                s += eps
                if momentum > 0:
                    b = st.get("momentum_buffer")
                    if b is None:
                        b = st["momentum_buffer"] = np.zeros_like(p.data)
                    b *= momentum
                    np.divide(g, s, out=s)
                    b += s
                    _subtract(p, b * lr)
                else:
                    u = g * lr
                    u /= s
                    _subtract(p, u)


# ----------------------------------------------------------------------------- Adagrad


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad``. For each parameter p with
    gradient g, at its t-th update::

        g = g + weight_decay · p
        s = s + g²                     (s starts at initial_accumulator_value)
        p = p − lr / (1 + (t − 1) · lr_decay) · g / (√s + eps)
    """

    _state_keys = frozenset({"step", "sum"})

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps})

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        # as in PyTorch, the accumulators exist from the start
        for p in self.param_groups[-1]["params"]:
            self._init_state(p, self.param_groups[-1])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        self.state[p] = {"step": 0,
                         "sum": np.full_like(p.data, group["initial_accumulator_value"])}

    def _check_group(self, group: dict[str, Any], where: str) -> None:
        n = _who("Adagrad", where)
        group["lr"] = _check(n, "lr", group["lr"], 0.0, None)
        group["lr_decay"] = _check(n, "lr_decay", group["lr_decay"], 0.0, None)
        group["weight_decay"] = _check(n, "weight_decay", group["weight_decay"], 0.0, None)
        group["initial_accumulator_value"] = _check(
            n, "initial_accumulator_value", group["initial_accumulator_value"], 0.0, None)
        group["eps"] = _check(n, "eps", group["eps"], 0.0, None)

    @_trace.effect(_params)
    def step(self) -> None:
        state = self.state
        for group in self.param_groups:
            lr, lr_decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], \
                group["eps"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                g = grad.data
                st = state.get(p)
                if st is None or st["sum"].shape != g.shape:
                    self._init_state(p, group)
                    st = state[p]
                t = st["step"] = st["step"] + 1
                if wd:
                    g = g + wd * p.data
                clr = lr / (1 + (t - 1) * lr_decay)
                acc = st["sum"]
                s = g * g
                acc += s
                np.sqrt(acc, out=s)
                s += eps
                u = g * clr
                u /= s
                _subtract(p, u)
