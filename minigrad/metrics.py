"""Regression metrics: mean absolute error, root mean squared error and R².

Each metric takes the true values and the predictions as numpy arrays, lists or minigrad
Tensors and returns a Python float, computed in float64.

Shape rule: the two inputs must have the same number of elements, and either the same
shape or shapes that differ only by axes of size 1, e.g. ``(n,)`` against ``(n, 1)`` or
``(1, n)``. Both are then compared element by element in order. Anything else, e.g.
``(n,)`` against ``(1, m)`` or ``(2, 3)`` against ``(3, 2)``, is an error instead of a
silent broadcast (``(n,) - (n, 1)`` in numpy would give an ``(n, n)`` matrix and a
meaningless number). NaN or infinite values are refused with a ValueError, as in
scikit-learn, rather than giving a NaN metric.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from .tensor import Tensor

#: the values a metric accepts: arrays, Tensors, lists
ArrayLike: TypeAlias = "np.ndarray | Tensor | npt.ArrayLike"

__all__ = ["mae", "rmse", "r2"]


def _values(x: Any, name: str, where: str) -> np.ndarray:
    data = x.data if isinstance(x, Tensor) else x
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: cannot convert {name} to an array ({e})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must be numeric, got dtype {arr.dtype}")
    return arr


def _pair(y_true: ArrayLike, y_pred: ArrayLike, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Check the shape rule and return both inputs as flat float64 arrays."""
    t = _values(y_true, "y_true", where)
    p = _values(y_pred, "y_pred", where)
    squeezed = tuple(d for d in t.shape if d != 1) == tuple(d for d in p.shape if d != 1)
    if t.size != p.size or not squeezed:
        raise ValueError(
            f"{where}: y_true has shape {t.shape} and y_pred has shape {p.shape}; they must "
            "have the same shape, or shapes that differ only by size-1 axes such as (n,) "
            "and (n, 1)"
        )
    if t.size == 0:
        raise ValueError(f"{where}: y_true and y_pred are empty (shape {t.shape})")
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            bad = int(a.size - np.isfinite(a).sum())
            raise ValueError(
                f"{where}: {name} (shape {a.shape}) holds {bad} NaN or infinite values"
            )
    return t.astype(np.float64).ravel(), p.astype(np.float64).ravel()


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error: ``mean(|y_true - y_pred|)``."""
    t, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(t - p)))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error: ``sqrt(mean((y_true - y_pred) ** 2))``."""
    t, p = _pair(y_true, y_pred, "rmse")
    return float(np.sqrt(np.mean((t - p) ** 2)))


def r2(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Coefficient of determination: ``1 - SS_res / SS_tot``.

    ``SS_res = sum((y_true - y_pred) ** 2)`` and ``SS_tot = sum((y_true - mean(y_true)) ** 2)``.
    1 is a perfect fit, 0 is no better than predicting the mean, and it can be negative.
    When ``y_true`` is constant (``SS_tot == 0``) the ratio is undefined; like
    scikit-learn's ``r2_score`` this returns 1.0 for perfect predictions and 0.0
    otherwise. At least two samples are required.
    """
    t, p = _pair(y_true, y_pred, "r2")
    if t.size < 2:
        raise ValueError(f"r2: needs at least two samples, got {t.size}")
    ss_res = float(np.sum((t - p) ** 2))
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot
