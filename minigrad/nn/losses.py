"""Loss functions as modules, for models that keep their loss alongside their layers."""

from __future__ import annotations

import numpy as np

from ..ops import cross_entropy, mse
from ..tensor import Tensor
from .module import Module

__all__ = ["MSELoss", "CrossEntropyLoss"]


class MSELoss(Module):
    """Mean (``reduction="mean"``) or sum (``"sum"``) of squared errors; see ``ops.mse``.

    ``MSELoss("sum")`` is the notes' batch sum of squared errors."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum"):
            raise ValueError(f"MSELoss: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction

    def forward(self, pred: Tensor | np.ndarray, target: Tensor | np.ndarray) -> Tensor:
        return mse(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(Module):
    """Mean over rows of −log softmax(logits)[label]; see ``ops.cross_entropy``."""

    def forward(self, logits: Tensor | np.ndarray, labels: Tensor | np.ndarray) -> Tensor:
        return cross_entropy(logits, labels)
