"""Loss functions as modules, for models that keep their loss alongside their layers."""

from __future__ import annotations

from ..ops import cross_entropy, mse
from .module import Module

__all__ = ["MSELoss", "CrossEntropyLoss"]


class MSELoss(Module):
    """Mean (``reduction="mean"``) or sum (``"sum"``) of squared errors; see ``ops.mse``.

    ``MSELoss("sum")`` is the notes' batch sum of squared errors."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum"):
            raise ValueError(f"MSELoss: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction

    def forward(self, pred, target):
        return mse(pred, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(Module):
    """Mean over rows of −log softmax(logits)[label]; see ``ops.cross_entropy``."""

    def forward(self, logits, labels):
        return cross_entropy(logits, labels)
