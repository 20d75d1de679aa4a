"""Optimizers: SGD (with momentum) and Adam, with the update rules of torch.optim.

An optimizer keeps the list of parameters it was given. ``step()`` updates every
parameter that has a gradient (``p.grad``), in place; ``zero_grad()`` sets the
gradients to None, so the next ``backward()`` starts afresh. A typical step::

    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()

Updates write into each parameter's array. SGD computes ``lr · g`` as a temporary,
as numpy's own ``w -= lr * g`` does; Adam keeps its moment estimates and two scratch
buffers per parameter, so its step allocates nothing once they exist. An array that
a recorded graph saved for its backward pass is read-only; once that graph is gone
only the parameter refers to it and it is made writable again. If something else still
holds it (a live graph, a view, another tensor), its values must not change under that
holder, so the new values go into a fresh array that replaces ``p.data``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .tensor import Tensor, _reclaim, _shares_saved

__all__ = ["Optimizer", "SGD", "Adam"]


def _subtract(p: Tensor, delta: np.ndarray) -> None:
    """p.data −= delta, in place when nothing else holds the array (see ``_reclaim``).

    The caller must not keep a reference of its own to ``p.data``: it would count as
    another holder, and every update would go to a fresh array."""
    if (not p.data.flags.writeable and not _reclaim(p)) or _shares_saved(p.data):
        p.data = np.asarray(p.data - delta)  # same dtype: delta is computed in p's dtype
        return
    np.subtract(p.data, delta, out=p.data)


class Optimizer:
    """Base class: holds the parameters, checks them, and implements ``zero_grad``."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, (Tensor, np.ndarray)):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, e.g. model.parameters() "
                f"or [w, b], not a single {type(params).__name__}"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list; there is nothing to optimize")
        seen = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                hint = "; pass model.parameters()" if hasattr(p, "parameters") else ""
                raise TypeError(
                    f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor{hint}"
                )
            if p._ctx is not None:
                raise ValueError(
                    f"{name}: parameter {i} (shape {p.data.shape}) was computed by an op "
                    f"({p._ctx.name}); only leaf tensors can be optimized"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(
                    f"{name}: parameter {i} (shape {p.data.shape}) has dtype {p.data.dtype}; "
                    "only floating-point tensors can be optimized"
                )
            if p in seen:
                raise ValueError(
                    f"{name}: parameter {i} (shape {p.data.shape}) appears more than once in "
                    "params"
                )
            seen.add(p)
        self.params: list[Tensor] = params
        self.lr = _check(name, "lr", lr, 0.0, None)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self._settings().items())
        return f"{type(self).__name__}({settings}; {len(self.params)} parameters)"

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}


def _check(opt: str, what: str, value: Any, low: float, high: float | None) -> float:
    """``value`` as a float in [low, high) (no upper bound when high is None)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{opt}: {what} must be a number, got {value!r}") from None
    if not (v >= low and (high is None or v < high)) or not math.isfinite(v):
        bounds = f"a finite number >= {low}" if high is None else f"in [{low}, {high})"
        raise ValueError(f"{opt}: {what} must be {bounds}, got {value!r}")
    return v


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    The rule of ``torch.optim.SGD`` (no dampening, no Nesterov), for each parameter p
    with gradient g::

        g = g + weight_decay · p
        b = g                      on the first step (momentum > 0)
        b = momentum · b + g       afterwards
        p = p − lr · b             (b = g without momentum)
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check("SGD", "momentum", momentum, 0.0, None)
        self.weight_decay = _check("SGD", "weight_decay", weight_decay, 0.0, None)
        self._momentum_buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        # lr · g is a temporary, as in numpy's own ``w -= lr * g``: a buffer kept per
        # parameter would hold as much memory as the model for the optimizer's lifetime
        lr, momentum, wd = self.lr, self.momentum, self.weight_decay
        bufs = self._momentum_buffers
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.data
            if wd:
                g = g + wd * p.data
            if momentum:
                b = bufs[i]
                if b is None:
                    b = bufs[i] = np.array(g, dtype=p.data.dtype)
                else:
                    b *= momentum
                    b += g
                g = b
            _subtract(p, g * lr)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam (Kingma & Ba), with bias correction, as ``torch.optim.Adam``.

    For each parameter p with gradient g, at its t-th update (t = 1, 2, ...)::

        g = g + weight_decay · p               (L2 penalty, not AdamW's decoupled decay)
        m = β1 · m + (1 − β1) · g              (m and v start at 0)
        v = β2 · v + (1 − β2) · g²
        p = p − lr · m̂ / (√v̂ + eps)            with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)

    computed in PyTorch's order: p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps).
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (
            _check("Adam", "betas[0]", b1, 0.0, 1.0),
            _check("Adam", "betas[1]", b2, 0.0, 1.0),
        )
        self.eps = _check("Adam", "eps", eps, 0.0, None)
        self.weight_decay = _check("Adam", "weight_decay", weight_decay, 0.0, None)
        n = len(self.params)
        self._steps = [0] * n
        self._m: list[np.ndarray | None] = [None] * n
        self._v: list[np.ndarray | None] = [None] * n
        self._scratch: list[np.ndarray | None] = [None] * n
        self._scratch2: list[np.ndarray | None] = [None] * n

    def step(self) -> None:
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.data
            m, v, s, u = self._m[i], self._v[i], self._scratch[i], self._scratch2[i]
            if m is None or v is None or s is None or u is None or m.shape != p.data.shape:
                m = self._m[i] = np.zeros_like(p.data)
                v = self._v[i] = np.zeros_like(p.data)
                s = self._scratch[i] = np.empty_like(p.data)
                u = self._scratch2[i] = np.empty_like(p.data)
                self._steps[i] = 0
            t = self._steps[i] = self._steps[i] + 1
            if wd:
                np.multiply(p.data, wd, out=u)
                u += g
                g = u
            # m = β1·m + (1 − β1)·g
            np.multiply(g, 1.0 - b1, out=s)
            m *= b1
            m += s
            # v = β2·v + (1 − β2)·g²
            np.multiply(g, g, out=s)
            s *= 1.0 - b2
            v *= b2
            v += s
            # step = lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
            np.sqrt(v, out=s)
            s /= math.sqrt(1.0 - b2**t)
            s += eps
            np.divide(m, s, out=s)
            s *= lr / (1.0 - b1**t)
            _subtract(p, s)

    def _settings(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }
