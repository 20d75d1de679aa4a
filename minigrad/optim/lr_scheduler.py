"""Learning-rate schedulers with the semantics of ``torch.optim.lr_scheduler``.

A scheduler changes ``group["lr"]`` of its optimizer's parameter groups. Build it after
the optimizer; the constructor takes an initial step (``last_epoch`` becomes 0 and the
schedule's first value is set), and each ``step()`` afterwards advances one epoch (or one
batch, for schedules such as :class:`OneCycleLR` counted in optimizer steps)::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)        # opt.step() for every batch
        sched.step()

As in PyTorch, most schedules are chainable: each step computes the new rate from the
group's current ``lr`` (``lr · gamma``, ...), so two schedulers on one optimizer compose.
``step(epoch)`` (deprecated in PyTorch) jumps to ``epoch`` with the schedule's closed form
where it has one. ``get_last_lr()`` gives the rates the last step set.

On construction with ``last_epoch=-1`` each group gets an ``initial_lr`` key (the ``lr``
it had), from which ``base_lrs`` are read; :class:`OneCycleLR` also adds ``max_lr``,
``min_lr`` and, when it cycles momentum, ``max_momentum`` and ``base_momentum``. These
keys are part of the optimizer's state and saved with it.

``state_dict()`` returns a flat dict of named numpy arrays (numbers as 0-d arrays, lists
as 1-d arrays, the few text settings, such as ReduceLROnPlateau's ``mode``, as their
UTF-8 bytes in a uint8 array), so ``minigrad.save(scheduler, path)`` writes it without
pickle; ``load_state_dict(minigrad.load(path))`` restores it into a scheduler built on
the restored optimizer. Build the optimizer and the scheduler first, then load both
(the constructor's initial step sets the groups' rates, so an optimizer state loaded
before it would be overwritten; PyTorch has the same order). The names are the
attributes' own (``last_epoch``, ``base_lrs``, ``_last_lr``, ``_step_count``, ``gamma``,
...). :class:`LambdaLR` does not save its
functions, as in PyTorch: build it with the same ones.
"""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, SupportsFloat

import numpy as np

from .. import _trace
from ..tensor import Tensor
from .optimizers import Optimizer

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "LambdaLR",
]

# how each saved attribute is stored: "int", "float", "bool", "floats", "ints", "str";
# "float?" is a float or None (absent from the state when None)
_COMMON: dict[str, str] = {
    "last_epoch": "int", "_step_count": "int", "base_lrs": "floats", "_last_lr": "floats",
}


def _number(where: str, what: str, value: Any, *, integer: bool = False,
            low: float | None = None, high: float | None = None,
            low_open: bool = False) -> Any:
    """Check ``value`` is a (whole, with ``integer``) number in range; return it."""
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where}: {what} must be {'an int' if integer else 'a number'}, "
                        f"got {value!r}")
    v = int(value) if integer else float(value)  # type: ignore[call-overload]
    if not math.isfinite(v) or (low is not None and (v <= low if low_open else v < low)) \
            or (high is not None and v > high):
        lo = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        hi = "" if high is None else f"<= {high}"
        raise ValueError(f"{where}: {what} must be finite{', ' if lo or hi else ''}"
                         f"{' and '.join(x for x in (lo, hi) if x)}, got {value!r}")
    return v


def _check_optimizer(where: str, optimizer: Any) -> None:
    if not isinstance(getattr(optimizer, "param_groups", None), list):
        raise TypeError(f"{where}: optimizer must be a minigrad.optim optimizer (with "
                        f"param_groups), got {type(optimizer).__name__}")


def _per_group(where: str, what: str, optimizer: Optimizer, value: Any) -> list[float]:
    """One value per parameter group: a list of them, or one for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{where}: expected {n} values of {what}, one per parameter "
                             f"group, got {len(value)}")
        return [_number(where, f"{what}[{i}]", v) for i, v in enumerate(value)]
    return [_number(where, what, value)] * n


class LRScheduler:
    """Base class: ``step()``, ``get_last_lr()``, ``state_dict()``, ``load_state_dict()``.

    A subclass defines ``get_lr()`` (the rates for ``last_epoch``, usually from the
    groups' current rates) and may define ``_get_closed_form_lr()``."""

    _saved: dict[str, str] = _COMMON

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        where = type(self).__name__
        _check_optimizer(where, optimizer)
        last_epoch = _number(where, "last_epoch", last_epoch, integer=True, low=-1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{where}: param_groups[{i}] has no 'initial_lr', which resuming "
                        f"with last_epoch={last_epoch} needs; load the optimizer's saved "
                        "state first, or pass last_epoch=-1 for a fresh schedule"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch: int = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for ``last_epoch``."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def get_last_lr(self) -> list[float]:
        """The learning rates the last step set, one per parameter group."""
        return list(self._last_lr)

    @_trace.effect(lambda self: ())
    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or, with ``epoch``, jump to it) and set the new rates."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = _number(f"{type(self).__name__}.step", "epoch", epoch,
                                      integer=True, low=0)
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, np.ndarray]:
        """The scheduler's state as a flat dict of named numpy arrays."""
        out: dict[str, np.ndarray] = {}
        for name, kind in self._saved.items():
            value = getattr(self, name)
            if value is None:
                continue
            if kind == "str":
                out[name] = np.frombuffer(str(value).encode("utf-8"), dtype=np.uint8).copy()
            elif kind == "ints":
                out[name] = np.array(list(value), dtype=np.int64).reshape(-1)
            elif kind == "floats":
                out[name] = np.array([float(v) for v in value], dtype=np.float64).reshape(-1)
            else:
                dtype = {"int": np.int64, "bool": np.bool_}.get(kind, np.float64)
                out[name] = np.array(value, dtype=dtype)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved; nothing changes when it is refused."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a mapping name -> array, got "
                            f"{type(state_dict).__name__}")
        values: dict[str, Any] = {}
        for key, value in state_dict.items():
            kind = self._saved.get(key) if isinstance(key, str) else None
            if kind is None:
                raise ValueError(f"{where}: unexpected entry {key!r}; {type(self).__name__} "
                                 f"saves {', '.join(self._saved)}")
            arr = value.data if isinstance(value, Tensor) else np.asarray(value)
            values[key] = _from_array(where, key, kind, arr)
        for key, kind in self._saved.items():
            if key not in values and kind != "float?":
                raise ValueError(f"{where}: {key!r} is missing")
            values.setdefault(key, None)
        n = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr", "min_lrs"):
            if key in values and len(values[key]) != n:
                raise ValueError(f"{where}: {key!r} has {len(values[key])} values, the "
                                 f"optimizer {n} parameter groups")
        self._check_loaded(where, values)
        for key, value in values.items():
            setattr(self, key, value)

    def _check_loaded(self, where: str, values: dict[str, Any]) -> None:
        """Refuse loaded values the scheduler cannot use (a subclass adds its checks)."""


_KIND_NAMES = {"int": "a 0-d integer", "float": "a 0-d number", "float?": "a 0-d number",
               "bool": "a 0-d bool", "floats": "a 1-d array of numbers",
               "ints": "a 1-d integer array", "str": "a 1-d uint8 array of UTF-8 text"}


def _from_array(where: str, key: str, kind: str, arr: np.ndarray) -> Any:
    bad = ValueError(f"{where}: {key!r} (shape {arr.shape}, dtype {arr.dtype}) is not "
                     f"{_KIND_NAMES[kind]}")
    if kind == "str":
        if arr.ndim != 1 or arr.dtype != np.uint8:
            raise bad
        try:
            return arr.tobytes().decode("utf-8")
        except UnicodeDecodeError:
            raise bad from None
    if kind in ("floats", "ints"):
        if arr.ndim != 1 or arr.dtype.kind not in ("iu" if kind == "ints" else "iuf"):
            raise bad
        return [int(v) for v in arr] if kind == "ints" else [float(v) for v in arr]
    if arr.shape != ():
        raise bad
    if kind == "bool":
        if arr.dtype.kind != "b":
            raise bad
        return bool(arr)
    if kind == "int":
        if arr.dtype.kind not in "iu":
            raise bad
        return int(arr)
    if arr.dtype.kind not in "iuf":
        raise bad
    return float(arr)


# ----------------------------------------------------------------------------- schedules


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs:
    ``lr = initial_lr · gamma ** (epoch // step_size)``."""

    _saved = {**_COMMON, "step_size": "int", "gamma": "float"}

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size: int = _number("StepLR", "step_size", step_size, integer=True, low=1)
        self.gamma: float = _number("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each epoch in ``milestones`` (by ``gamma ** k``
    at a milestone listed k times)."""

    _saved = {**_COMMON, "milestones": "ints", "gamma": "float"}

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        ms = list(milestones)
        for i, m in enumerate(ms):
            _number("MultiStepLR", f"milestones[{i}]", m, integer=True)
        self.milestones: Counter[int] = Counter(int(m) for m in ms)
        self.gamma: float = _number("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        ms = sorted(self.milestones.elements())
        return [b * self.gamma ** bisect_right(ms, self.last_epoch) for b in self.base_lrs]

    def state_dict(self) -> dict[str, np.ndarray]:
        out = super().state_dict()
        out["milestones"] = np.array(sorted(self.milestones.elements()), dtype=np.int64)
        return out

    def _check_loaded(self, where: str, values: dict[str, Any]) -> None:
        values["milestones"] = Counter(values["milestones"])


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr = initial_lr · gamma ** epoch``."""

    _saved = {**_COMMON, "gamma": "float"}

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma: float = _number("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial rate down to ``eta_min`` over ``T_max`` epochs,
    ``eta_min + (initial_lr − eta_min) · (1 + cos(π · epoch / T_max)) / 2``, computed
    step by step from the current rate as PyTorch does (and continuing back up after
    ``T_max``, as PyTorch's does)."""

    _saved = {**_COMMON, "T_max": "int", "eta_min": "float"}

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max: int = _number("CosineAnnealingLR", "T_max", T_max, integer=True, low=1)
        self.eta_min: float = _number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        e, t, eta = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and e > 0:
            return [eta + (b - eta) * (1 + math.cos(e * math.pi / t)) / 2 for b in self.base_lrs]
        if (e - 1 - t) % (2 * t) == 0:
            return [lr + (b - eta) * (1 - math.cos(math.pi / t)) / 2
                    for b, lr in zip(self.base_lrs, self._lrs(), strict=True)]
        return [(1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t))
                * (lr - eta) + eta for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        e, t, eta = self.last_epoch, self.T_max, self.eta_min
        return [eta + (b - eta) * (1 + math.cos(math.pi * e / t)) / 2 for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the rate linearly from ``start_factor · initial_lr`` to ``end_factor ·
    initial_lr`` over ``total_iters`` steps, then keep it (a warm-up, by default from a
    third of the rate to all of it in 5 steps)."""

    _saved = {**_COMMON, "start_factor": "float", "end_factor": "float",
              "total_iters": "int"}

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        self.start_factor: float = _number("LinearLR", "start_factor", start_factor, low=0.0,
                                           high=1.0, low_open=True)
        self.end_factor: float = _number("LinearLR", "end_factor", end_factor, low=0.0,
                                         high=1.0)
        self.total_iters: int = _number("LinearLR", "total_iters", total_iters, integer=True,
                                        low=1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        d = self.end_factor - self.start_factor
        factor = 1.0 + d / (self.total_iters * self.start_factor + (self.last_epoch - 1) * d)
        return [lr * factor for lr in self._lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        d = self.end_factor - self.start_factor
        return [b * (self.start_factor + d * min(self.total_iters, self.last_epoch)
                     / self.total_iters) for b in self.base_lrs]


class LambdaLR(LRScheduler):
    """``lr = initial_lr · lr_lambda(epoch)``, with one function for every group or a list
    of them, one per group. The functions are not part of ``state_dict()``."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        _check_optimizer("LambdaLR", optimizer)
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected {n} lr_lambdas, one per parameter "
                                 f"group, got {len(lr_lambda)}")
            fns = list(lr_lambda)
        else:
            fns = [lr_lambda] * n
        for i, fn in enumerate(fns):
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda[{i}] must be callable epoch -> factor, "
                                f"got {type(fn).__name__}")
        self.lr_lambdas: list[Callable[[int], float]] = fns
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [b * fn(self.last_epoch)
                for fn, b in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class OneCycleLR(LRScheduler):
    """The one-cycle policy (Smith & Topin), stepped once per batch: the rate rises from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    ``total_steps`` steps, then anneals to ``initial_lr / final_div_factor``; momentum
    (SGD's ``momentum`` or Adam's ``betas[0]``) moves the opposite way between
    ``max_momentum`` and ``base_momentum`` when ``cycle_momentum``. ``three_phase`` goes
    back down to the initial rate symmetrically before the final annealing. Stepping
    past ``total_steps`` raises an error."""

    _saved = {**_COMMON, "total_steps": "int", "pct_start": "float", "three_phase": "bool",
              "_anneal_func_type": "str", "cycle_momentum": "bool", "use_beta1": "bool"}

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        where = "OneCycleLR"
        _check_optimizer(where, optimizer)
        if total_steps is not None:
            self.total_steps: int = _number(where, "total_steps", total_steps, integer=True,
                                            low=1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_number(where, "epochs", epochs, integer=True, low=1)
                                * _number(where, "steps_per_epoch", steps_per_epoch,
                                          integer=True, low=1))
        else:
            raise ValueError(f"{where}: give total_steps, or epochs and steps_per_epoch")
        self.pct_start: float = _number(where, "pct_start", pct_start, low=0.0, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{where}: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        self._anneal_func_type: str = anneal_strategy
        self.three_phase: bool = bool(three_phase)
        self._phases()
        div_factor = _number(where, "div_factor", div_factor, low=0.0, low_open=True)
        final_div_factor = _number(where, "final_div_factor", final_div_factor, low=0.0,
                                   low_open=True)
        max_lrs = _per_group(where, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum: bool = bool(cycle_momentum)
        self.use_beta1: bool = False
        if self.cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(f"{where}: cycle_momentum=True needs an optimizer with "
                                 f"momentum or betas; {type(optimizer).__name__} has neither "
                                 "(pass cycle_momentum=False)")
            self.use_beta1 = "betas" in defaults
            maxs = _per_group(where, "max_momentum", optimizer, max_momentum)
            bases = _per_group(where, "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m, b, group in zip(maxs, bases, optimizer.param_groups, strict=True):
                    if self.use_beta1:
                        group["betas"] = (m, *group["betas"][1:])
                    else:
                        group["momentum"] = m
                    group["max_momentum"] = m
                    group["base_momentum"] = b
        super().__init__(optimizer, last_epoch)

    def _phases(self) -> None:
        n, pct = self.total_steps, self.pct_start
        if self.three_phase:
            self._schedule_phases = [
                (float(pct * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct * n) - 2, "max_lr", "initial_lr", "base_momentum",
                 "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                (float(pct * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: stepped {step} times, but total_steps is "
                             f"{self.total_steps}")
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._schedule_phases):
                if step <= end or i == last:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[m0], group[m1], pct)
                        if self.use_beta1:
                            group["betas"] = (momentum, *group["betas"][1:])
                        else:
                            group["momentum"] = momentum
                    break
                start = end
        return lrs

    def _check_loaded(self, where: str, values: dict[str, Any]) -> None:
        if values["_anneal_func_type"] not in ("cos", "linear"):
            raise ValueError(f"{where}: '_anneal_func_type' is "
                             f"{values['_anneal_func_type']!r}, not 'cos' or 'linear'")

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._phases()


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` once a metric has not improved for more than
    ``patience`` epochs; ``step(metric)`` is called with the metric (a validation loss in
    ``mode="min"``, an accuracy in ``mode="max"``). Improving means beating the best by
    more than ``threshold`` (relative, ``best · (1 ∓ threshold)``, or absolute). After a
    reduction, ``cooldown`` epochs pass before bad epochs count again; no rate goes below
    ``min_lr``, and changes smaller than ``eps`` are skipped."""

    _saved = {"last_epoch": "int", "_last_lr": "floats", "factor": "float",
              "min_lrs": "floats", "default_min_lr": "float?", "patience": "int",
              "cooldown": "int", "eps": "float", "mode": "str", "threshold": "float",
              "threshold_mode": "str", "best": "float", "cooldown_counter": "int",
              "num_bad_epochs": "int", "mode_worse": "float"}

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        where = "ReduceLROnPlateau"
        _check_optimizer(where, optimizer)
        self.factor: float = _number(where, "factor", factor, low=0.0)
        if self.factor >= 1.0:
            raise ValueError(f"{where}: factor must be < 1.0, got {factor!r}")
        self.optimizer = optimizer
        self.default_min_lr: float | None
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs: list[float] = _per_group(where, "min_lr", optimizer, list(min_lr))
        else:
            self.default_min_lr = _number(where, "min_lr", min_lr, low=0.0)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience: int = _number(where, "patience", patience, integer=True, low=0)
        self.cooldown: int = _number(where, "cooldown", cooldown, integer=True, low=0)
        self.eps: float = _number(where, "eps", eps, low=0.0)
        self.threshold: float = _number(where, "threshold", threshold, low=0.0)
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self._set_mode(where, mode, threshold_mode)
        self.best: float = self.mode_worse
        self.cooldown_counter: int = 0
        self.num_bad_epochs: int = 0

    def _set_mode(self, where: str, mode: str, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"{where}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{where}: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        self.mode: str = mode
        self.threshold_mode: str = threshold_mode
        self.mode_worse: float = math.inf if mode == "min" else -math.inf

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return a < best * (1.0 - self.threshold)
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    @_trace.effect(lambda self: ())
    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric and reduce the rates if it has stalled."""
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups, "
                    f"but min_lr gave {len(self.min_lrs)} values; set min_lrs to match"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, group in enumerate(groups):
            old = float(group["lr"])
            new = max(old * self.factor, self.min_lrs[i])
            if old - new > self.eps:
                group["lr"] = new

    def _check_loaded(self, where: str, values: dict[str, Any]) -> None:
        for key, allowed in (("mode", ("min", "max")), ("threshold_mode", ("rel", "abs"))):
            if values[key] not in allowed:
                raise ValueError(f"{where}: {key!r} is {values[key]!r}, not one of {allowed}")
