"""Losses of the chapter and of classification: mse and cross_entropy."""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._base import empty_mean_error
from .reduce import _log_softmax_array, softmax_either

__all__ = ["mse", "cross_entropy"]


class MSE(Function):
    name = "mse"
    formula = "dL/d{0} = 2({0} − {1}) / n;  dL/d{1} = −2({0} − {1}) / n"
    SUM_FORMULA = "dL/d{0} = 2({0} − {1});  dL/d{1} = −2({0} − {1})"
    __slots__ = ("scale",)

    def forward(self, pred, target, reduction="mean"):
        if pred.shape != target.shape:
            raise ValueError(
                f"mse: pred has shape {pred.shape} but target has shape {target.shape}; "
                "they must be equal (mse does not broadcast: reshape one of them)"
            )
        if reduction not in ("mean", "sum"):
            raise ValueError(f"mse: reduction must be 'mean' or 'sum', got {reduction!r}")
        if reduction == "mean" and pred.size == 0:
            raise empty_mean_error("mse", pred.shape)
        d = (pred - target).ravel()
        total = np.dot(d, d)
        n = d.size
        if reduction == "mean":
            self.scale = 2.0 / n
        else:
            self.scale = 2.0
            self.formula = self.SUM_FORMULA
        self.save_for_backward(pred, target)
        return np.asarray(total / n if reduction == "mean" else total)

    def backward(self, g):
        pred, target = self.saved
        gp = (pred - target) * (g * self.scale)
        return (gp if self.parents[0].requires_grad else None), \
            (-gp if self.parents[1].requires_grad else None)


def mse(pred, target, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of squared errors; pred and target must have the same shape. Finite
    while the squared errors fit the dtype (|pred − target| below 1e154 in float64)."""
    return MSE.apply(pred, target, reduction=reduction)


def _one_hot(labels, classes, dtype):
    out = np.zeros((labels.shape[0], classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


class CrossEntropy(Function):
    name = "cross_entropy"
    formula = "dL/d{0} = (softmax({0}) − onehot(labels)) / n"
    __slots__ = ("labels",)

    def forward(self, logits, labels):
        if logits.ndim != 2:
            raise ValueError(
                f"cross_entropy: logits must be 2-D (batch, classes), got shape {logits.shape}"
            )
        n, c = logits.shape
        if n == 0:
            raise empty_mean_error("cross_entropy", logits.shape)
        if labels.shape != (n,):
            raise ValueError(
                f"cross_entropy: labels must have shape ({n},) for logits of shape "
                f"{logits.shape}, got {labels.shape}"
            )
        if n and (labels.min() < 0 or labels.max() >= c):
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c}) for {c} classes, got values "
                f"from {labels.min()} to {labels.max()}"
            )
        self.labels = labels
        self.save_for_backward(logits)
        logp = _log_softmax_array(logits, 1)
        return -logp[np.arange(n), labels].sum() / n

    def backward(self, g):
        (logits,) = self.saved
        n, c = logits.shape
        p = softmax_either(logits, 1) - _one_hot(self.labels, c, logits.dtype)
        return p * (g / n)


def cross_entropy(logits, labels) -> Tensor:
    """Mean over rows of −log softmax(logits)[label]; labels are integer class indices.
    Finite, forward and backward, for every finite logit (logits [1000, −1000] with label
    1 give 2000)."""
    # a copy: the backward needs the labels as they are now
    lab = np.array(labels.data if isinstance(labels, Tensor) else labels)
    if lab.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: labels must be integer class indices, got dtype {lab.dtype}"
        )
    return CrossEntropy.apply(logits, labels=lab)
