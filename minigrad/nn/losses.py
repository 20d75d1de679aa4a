"""Loss functions as modules, for models that keep their loss alongside their layers.

Each calls the function of the same name in ``minigrad.nn.functional`` with the
arguments given to the constructor, under PyTorch's names and defaults (PyTorch's
deprecated ``size_average`` and ``reduce`` are left out: use ``reduction``). Class
weights (``weight``, ``pos_weight``) are buffers, as in PyTorch, so they are part of
``state_dict()``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
    "NLLLoss", "CrossEntropyLoss", "KLDivLoss",
]  # fmt: skip

Input = Tensor | np.ndarray
_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    _reductions: tuple[str, ...] = _REDUCTIONS

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in self._reductions:
            names = ", ".join(repr(r) for r in self._reductions)
            raise ValueError(f"{type(self).__name__}: reduction must be one of {names}, got "
                             f"{reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


def _weight_buffer(module: Module, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, Tensor):
        value = np.asarray(value)
        if value.dtype.kind not in "fiu":
            raise TypeError(f"{type(module).__name__}: {name} must be numeric, got dtype "
                            f"{value.dtype}")
        if value.dtype.kind != "f":
            value = value.astype(np.float64)
    module.register_buffer(name, value)


class MSELoss(_Loss):
    """Mean (``reduction="mean"``), sum (``"sum"``) or elementwise (``"none"``) squared
    errors: ``F.mse_loss``. ``MSELoss("sum")`` is the notes' batch sum of squared errors."""

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """|input − target|, reduced: ``F.l1_loss``."""

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """½·d² where |d| < delta, else delta·(|d| − ½·delta), reduced: ``F.huber_loss``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = float(delta)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class SmoothL1Loss(_Loss):
    """HuberLoss divided by ``beta`` (``F.smooth_l1_loss``); beta = 0 is L1Loss."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = float(beta)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, beta={self.beta}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities: ``F.binary_cross_entropy``; ``weight``
    (broadcast to the input) rescales each element's loss."""

    weight: Tensor | None

    def __init__(self, weight: Input | None = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        _weight_buffer(self, "weight", weight)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of σ(input), computed stably from the logits:
    ``F.binary_cross_entropy_with_logits``; ``weight`` as BCELoss's, ``pos_weight`` the
    weight of positive examples per class (last dimension)."""

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(self, weight: Input | None = None, *, reduction: str = "mean",
                 pos_weight: Input | None = None) -> None:
        super().__init__(reduction)
        _weight_buffer(self, "weight", weight)
        _weight_buffer(self, "pos_weight", pos_weight)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class NLLLoss(_Loss):
    """Negative log-likelihood of class indices given log-probabilities (``F.nll_loss``):
    ``weight`` (C,) per class, targets equal to ``ignore_index`` left out."""

    weight: Tensor | None

    def __init__(self, weight: Input | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        _weight_buffer(self, "weight", weight)
        self.ignore_index = int(ignore_index)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits and class indices or class probabilities
    (``F.cross_entropy``): ``weight`` (C,) per class, ``ignore_index``,
    ``label_smoothing``. With the defaults, the mean over rows of
    −log softmax(logits)[label], as in the notes."""

    weight: Tensor | None

    def __init__(self, weight: Input | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        _weight_buffer(self, "weight", weight)
        self.ignore_index = int(ignore_index)
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got "
                             f"{label_smoothing!r}")
        self.label_smoothing = float(label_smoothing)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        s = f"reduction={self.reduction!r}"
        if self.label_smoothing:
            s += f", label_smoothing={self.label_smoothing}"
        return s


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence, ``input`` log-probabilities (``F.kl_div``):
    ``reduction`` "mean" (PyTorch's default, per element), "batchmean" (the true KL per
    sample), "sum" or "none"; ``log_target`` when the target is log-probabilities too."""

    _reductions = ("mean", "batchmean", "sum", "none")

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = bool(log_target)

    def forward(self, input: Input, target: Input) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
