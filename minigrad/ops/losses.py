"""Losses, with PyTorch's names, arguments and semantics (``F.mse_loss``, ``F.nll_loss``,
...), and the chapter's ``mse`` and ``cross_entropy``.

Every loss takes ``reduction``: "mean" (the default), "sum" or "none" (the loss of each
element, or of each sample for the classification losses). A mean over zero elements,
or over targets that are all ignored, is refused with an error (PyTorch gives NaN).
Input and target must have the same shape: unlike PyTorch's regression losses, which
broadcast with a warning, these refuse a mismatch. Weights (``weight``, ``pos_weight``)
are constants, as in PyTorch, where they get no gradient; a target that is a Tensor
requiring grad gets its gradient where PyTorch gives one.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function, _tensors
from ..tensor import Tensor
from ._base import empty_mean_error, needs
from .elementwise import Sigmoid, _sigmoid_array
from .neural import one_hot_array
from .reduce import LogSoftmax, _log_softmax_array, softmax_either

__all__ = [
    "mse", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "nll_loss", "cross_entropy",
]  # fmt: skip

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, op: str, allowed=_REDUCTIONS) -> None:
    if not isinstance(reduction, str) or reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: reduction must be one of {names}, got {reduction!r}")


def _array(v) -> np.ndarray:
    return v.data if isinstance(v, Tensor) else _trace.asarray(v)


def _input(v, op: str) -> Tensor:
    """The op's input as a Tensor, converted as ``Function.apply`` converts it (so
    non-numeric data gets the same error, naming the op and the input)."""
    return v if isinstance(v, Tensor) else _tensors((v,), op)[0]


def _constant_weight(weight, shape: tuple, dtype, op: str, what: str = "weight"):
    """A weight that broadcasts to ``shape``, as an array of ``dtype`` (the op's own copy;
    it gets no gradient); None stays None."""
    if weight is None:
        return None
    w = _array(weight)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{op}: {what} of shape {w.shape} does not broadcast to the input's "
                         f"shape {shape}")
    return _trace.array(w, dtype=dtype)


class _Reduce:
    """For loss ops: the reduction of per-element losses, and, in backward, each
    element's share of the output gradient."""

    __slots__ = ()

    def _reduce(self, loss, reduction: str, shape: tuple, count=None):
        """``loss`` reduced; a mean divides by ``count`` (default: the number of
        elements), which must not be 0."""
        self.count = None
        if reduction == "none":
            return loss
        total = loss.sum()
        if reduction == "sum":
            return _trace.asarray(total)
        n = loss.size if count is None else count
        if n == 0:
            raise empty_mean_error(self.name, shape)
        self.count = n
        return _trace.asarray(total / n)

    def _spread(self, g):
        return g if self.count is None else g / self.count


class _Elementwise(_Reduce):
    """For losses of input and target element by element (same shapes): subclasses give
    ``pointwise(x, t)`` (forward, on arrays) and the derivatives ``d_input(x, t)`` and
    ``d_target(x, t)`` (on arrays and Tensors, so second order works). A loss of
    x − t has d_target = −d_input."""

    __slots__ = ()
    symmetric = True
    first = "input"  # the first argument's name, in error messages

    def _forward(self, x, t, reduction, allowed=_REDUCTIONS, count=None):
        if x.shape != t.shape:
            raise ValueError(
                f"{self.name}: {self.first} has shape {x.shape} but target has shape "
                f"{t.shape}; they must be equal ({self.name} does not broadcast: reshape one "
                "of them)"
            )
        _check_reduction(reduction, self.name, allowed)
        if reduction == "mean" and x.size == 0:
            raise empty_mean_error(self.name, x.shape)
        if self.parents is not None:
            self.save_for_backward(x, t)
        return self._reduce(self.pointwise(x, t), "mean" if reduction == "batchmean"
                            else reduction, x.shape, count)

    def backward(self, g):
        x, t = self.saved
        g = self._spread(g)
        gx = gt = None
        if needs(self, 0) or (self.symmetric and needs(self, 1)):
            gx = self.d_input(x, t) * g
        if needs(self, 1):
            gt = -gx if self.symmetric else self.d_target(x, t) * g
        return (gx if needs(self, 0) else None), gt


# --------------------------------------------------------------------------- regression


class MSE(_Elementwise, Function):
    name = "mse"
    formula = "dL/d{0} = 2({0} − {1}) / n;  dL/d{1} = −2({0} − {1}) / n"
    SUM_FORMULA = "dL/d{0} = 2({0} − {1});  dL/d{1} = −2({0} − {1})"
    __slots__ = ()
    first = "pred"

    def forward(self, pred, target, reduction="mean"):
        if reduction != "mean":
            self.formula = self.SUM_FORMULA
        if (reduction != "mean" and reduction != "sum") or pred.shape != target.shape:
            return self._forward(pred, target, reduction)  # which checks and refuses
        # the chapter's loss, on the hot path of every training step: the sum of
        # squares as one dot product
        d = np.subtract(pred, target).ravel()
        total = np.dot(d, d)
        self.count = None
        if reduction == "mean":
            if d.size == 0:
                raise empty_mean_error(self.name, pred.shape)
            self.count = d.size
            total = total / d.size
        if self.parents is not None:
            self.save_for_backward(pred, target)
        return _trace.asarray(total)

    def backward(self, g):
        pred, target = self.saved
        gp = (pred - target) * (g * (2.0 / self.count if self.count else 2.0))
        p = self.parents
        return (gp if p[0].requires_grad else None), (-gp if p[1].requires_grad else None)

    def pointwise(self, x, t):
        d = x - t
        return d * d

    def d_input(self, x, t):
        return 2 * (x - t)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """(input − target)², reduced (PyTorch's ``F.mse_loss``); input and target must have
    the same shape. Finite while the squared errors fit the dtype (|input − target|
    below 1.3e154 in float64, 1.8e19 in float32)."""
    return MSE.apply(input, target, reduction=reduction)


def mse(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """The chapter's name for :func:`mse_loss`: the mean (or sum) of squared errors."""
    return mse_loss(pred, target, reduction)


class L1Loss(_Elementwise, Function):
    name = "l1_loss"
    formula = "dL/d{0} = sign({0} − {1}) / n;  dL/d{1} = −sign({0} − {1}) / n"
    __slots__ = ()

    def forward(self, x, t, reduction="mean"):
        return self._forward(x, t, reduction)

    def pointwise(self, x, t):
        return np.abs(x - t)

    def d_input(self, x, t):
        return np.sign(x - t)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """|input − target|, reduced (PyTorch's ``F.l1_loss``). Gradient convention
    (PyTorch's): sign(input − target), 0 where input = target. Finite for every finite
    input whose difference fits the dtype."""
    return L1Loss.apply(input, target, reduction=reduction)


class HuberLoss(_Elementwise, Function):
    name = "huber_loss"
    formula = "dL/d{0} = ({0} − {1} where |{0} − {1}| ≤ δ, else δ·sign({0} − {1})) / n"
    __slots__ = ("delta",)

    def forward(self, x, t, reduction="mean", delta=1.0):
        self.delta = delta
        return self._forward(x, t, reduction)

    def pointwise(self, x, t):
        d = x - t
        a = np.abs(d)
        return np.where(a <= self.delta, 0.5 * d * d, self.delta * (a - 0.5 * self.delta))

    def d_input(self, x, t):
        d = x - t
        return np.where(np.abs(d) <= self.delta, d, self.delta * np.sign(d))


def _positive(value, op: str, what: str, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not (value >= 0 if zero else value > 0) or not math.isfinite(value):
        raise ValueError(f"{op}: {what} must be a finite number {'≥' if zero else '>'} 0, "
                         f"got {value!r}")
    return float(value)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """PyTorch's ``F.huber_loss``: ½d² where |d| ≤ delta, else delta·(|d| − ½delta), for
    d = input − target, reduced; delta > 0. The gradient, d or delta·sign(d), is
    continuous; the second derivative jumps at |d| = delta. Finite while d² fits the
    dtype."""
    return HuberLoss.apply(input, target, reduction=reduction,
                           delta=_positive(delta, "huber_loss", "delta"))


class SmoothL1Loss(_Elementwise, Function):
    name = "smooth_l1_loss"
    formula = "dL/d{0} = ({0} − {1})/β where |{0} − {1}| < β, else sign({0} − {1}), / n"
    __slots__ = ("beta",)

    def forward(self, x, t, reduction="mean", beta=1.0):
        self.beta = beta
        return self._forward(x, t, reduction)

    def pointwise(self, x, t):
        a = np.abs(x - t)
        if self.beta == 0:
            return a
        return np.where(a < self.beta, 0.5 * a * a / self.beta, a - 0.5 * self.beta)

    def d_input(self, x, t):
        d = x - t
        if self.beta == 0:
            return np.sign(d)
        return np.where(np.abs(d) < self.beta, d / self.beta, np.sign(d))


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """PyTorch's ``F.smooth_l1_loss``: ½d²/beta where |d| < beta, else |d| − ½beta, for
    d = input − target, reduced; beta ≥ 0, and beta = 0 is the l1 loss. Gradient
    convention (PyTorch's): d/beta or sign(d), 0 where d = 0. Finite while d² fits the
    dtype."""
    return SmoothL1Loss.apply(input, target, reduction=reduction,
                              beta=_positive(beta, "smooth_l1_loss", "beta", zero=True))


# --------------------------------------------------------------------------- binary


_LOG_FLOOR = -100.0  # PyTorch's clamp of the logarithms in binary_cross_entropy
_E_FLOOR = math.exp(_LOG_FLOOR)


def _log_clamped(p):
    """max(log p, −100) for p in [0, 1], with no log(0) taken: arrays or Tensors."""
    ok = p > _E_FLOOR
    return np.where(ok, np.log(np.where(ok, p, 1.0)), _LOG_FLOOR)


def _log1m_clamped(p):
    """max(log(1 − p), −100) for p in [0, 1]: arrays or Tensors."""
    ok = p < 1
    return np.where(ok, np.log1p(-np.where(ok, p, 0.0)), _LOG_FLOOR)


class BinaryCrossEntropy(_Elementwise, Function):
    name = "binary_cross_entropy"
    formula = ("dL/d{0} = w·({0} − {1}) / max({0}(1 − {0}), 1e−12);  "
               "dL/d{1} = w·(log(1 − {0}) − log {0}), / n for the mean")
    __slots__ = ("weight",)
    symmetric = False

    def forward(self, x, t, reduction="mean", weight=None):
        self.weight = weight
        return self._forward(x, t, reduction)

    def _weighted(self, v):
        return v if self.weight is None else v * self.weight

    def pointwise(self, x, t):
        return self._weighted((t - 1) * _log1m_clamped(x) - t * _log_clamped(x))

    def d_input(self, x, t):
        q = x * (1 - x)
        return self._weighted((x - t) / np.where(q > 1e-12, q, 1e-12))

    def d_target(self, x, t):
        return self._weighted(_log1m_clamped(x) - _log_clamped(x))


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """PyTorch's ``F.binary_cross_entropy``: −w·(t·log x + (1 − t)·log(1 − x)) for
    probabilities x in [0, 1] (checked) and targets t, reduced (the mean divides by
    the number of elements, whatever the weights). ``weight`` broadcasts to the input.

    As in PyTorch, each logarithm is clamped at −100, so x = 0 or 1 gives a finite loss
    (at most 100·w), and the gradient for x divides by max(x(1 − x), 1e−12): finite
    everywhere (up to 1e12). The gradient for a target that requires one is that of
    the clamped loss, w·(max(log(1 − x), −100) − max(log x, −100)), finite at x = 0 and
    1, where PyTorch's, computed with unclamped logarithms, is ±inf. For numerical
    stability prefer :func:`binary_cross_entropy_with_logits` on the logits."""
    input = _input(input, "binary_cross_entropy")
    x = input.data
    if x.size and not (x.min() >= 0 and x.max() <= 1):
        raise ValueError(f"binary_cross_entropy: input values must be probabilities in "
                         f"[0, 1], got values from {x.min()} to {x.max()} (shape {x.shape})")
    w = _constant_weight(weight, x.shape, x.dtype, "binary_cross_entropy")
    return BinaryCrossEntropy.apply(input, target, reduction=reduction, weight=w)


def _sigmoid_either(v):
    return Sigmoid.apply(v) if isinstance(v, Tensor) else _sigmoid_array(v)


def _softplus_neg(x):
    """log(1 + e^−x) without overflow: log1p(e^−|x|) + max(−x, 0); arrays or Tensors.
    (−|x| written as a where, whose pieces' derivatives at 0 add up to the true −½.)"""
    neg = x < 0
    return np.log1p(np.exp(np.where(neg, x, -x))) + np.where(neg, -x, 0.0)


class BinaryCrossEntropyWithLogits(_Elementwise, Function):
    name = "binary_cross_entropy_with_logits"
    formula = ("dL/d{0} = w·((1 − {1}) − (1 + (p − 1){1})·σ(−{0}));  "
               "dL/d{1} = w·(−{0} + (p − 1)·log(1 + e^−{0})), / n for the mean")
    __slots__ = ("weight", "pos_weight")
    symmetric = False

    def forward(self, x, t, reduction="mean", weight=None, pos_weight=None):
        self.weight, self.pos_weight = weight, pos_weight
        return self._forward(x, t, reduction)

    def _weighted(self, v):
        return v if self.weight is None else v * self.weight

    def pointwise(self, x, t):
        sp = _softplus_neg(x)
        if self.pos_weight is not None:
            sp = (1 + (self.pos_weight - 1) * t) * sp
        return self._weighted((1 - t) * x + sp)

    def d_input(self, x, t):
        if self.pos_weight is None:
            return self._weighted(_sigmoid_either(x) - t)
        return self._weighted((1 - t) - (1 + (self.pos_weight - 1) * t) * _sigmoid_either(-x))

    def d_target(self, x, t):
        if self.pos_weight is None:
            return self._weighted(-x)
        return self._weighted((self.pos_weight - 1) * _softplus_neg(x) - x)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """PyTorch's ``F.binary_cross_entropy_with_logits``: the binary cross-entropy of
    σ(input) and target, computed from the logits,
    (1 − t)·x + (1 + (pos_weight − 1)·t)·log(1 + e^−x), times ``weight``, reduced.
    ``weight`` broadcasts to the input; ``pos_weight`` (the weight of positive
    examples, one per class) broadcasts along the last dimension.

    Stable for any logit: log(1 + e^−x) is computed as log1p(e^−|x|) + max(−x, 0), so
    forward and backward are finite at ±1000 and beyond; the gradient is
    σ(x) − t without pos_weight."""
    op = "binary_cross_entropy_with_logits"
    input = _input(input, op)
    x = input.data
    w = _constant_weight(weight, x.shape, x.dtype, op)
    pw = _constant_weight(pos_weight, x.shape, x.dtype, op, "pos_weight")
    return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction, weight=w,
                                              pos_weight=pw)


class KLDiv(_Elementwise, Function):
    name = "kl_div"
    formula = "dL/d{0} = −{1};  dL/d{1} = log {1} + 1 − {0}  (with log_target: e^{1}·…)"
    __slots__ = ("log_target",)
    symmetric = False

    def forward(self, x, t, reduction="mean", log_target=False):
        self.log_target = log_target
        count = None
        if reduction == "batchmean":
            count = x.shape[0] if x.ndim else 1
        return self._forward(x, t, reduction, _REDUCTIONS + ("batchmean",), count)

    def pointwise(self, x, t):
        if self.log_target:
            return np.exp(t) * (t - x)
        # t·log t is 0 at t = 0 (PyTorch's xlogy); a negative t makes the log invalid
        zero = t == 0
        return np.where(zero, 0.0, t * np.log(np.where(zero, 1.0, t))) - t * x

    def d_input(self, x, t):
        return -np.exp(t) if self.log_target else -t

    def d_target(self, x, t):
        if self.log_target:
            return np.exp(t) * (t - x + 1)
        return np.log(t) + 1 - x

    def limit(self, *arrays, log_target=False, **kwargs):
        if log_target:
            return "with log_target=True, e^target must fit the dtype"
        return "the target must be non-negative (probabilities)"


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """PyTorch's ``F.kl_div``: the pointwise Kullback-Leibler divergence of the target
    from the distribution whose log-probabilities are ``input``,
    t·(log t − input) (0 where t = 0), or e^t·(t − input) with ``log_target=True``.

    ``reduction``: "mean" divides the sum by the number of elements (PyTorch's "mean",
    which is not the KL divergence), "batchmean" by the batch size (the first
    dimension; 1 for a 0-d input: the true KL divergence per sample), "sum", "none".
    The gradient for a probability target is log t + 1 − input, −inf at t = 0: a target
    that needs a gradient must be positive (t = 0 raises FloatingPointError in
    backward). A negative target with log_target=False is invalid (FloatingPointError
    in forward)."""
    return KLDiv.apply(input, target, reduction=reduction, log_target=bool(log_target))


# --------------------------------------------------------------------------- classification


def _class_axis(shape: tuple, op: str) -> int:
    if len(shape) == 0:
        raise ValueError(f"{op}: input must have a class dimension: shape (C,), (N, C) or "
                         f"(N, C, d1, ...), got shape {shape}")
    return 1 if len(shape) >= 2 else 0


def _class_weight(weight, shape: tuple, axis: int, dtype, op: str):
    """The per-class weight (C,) as an array of ``dtype``, or None."""
    if weight is None:
        return None
    w = _array(weight)
    if w.shape != (shape[axis],):
        raise ValueError(f"{op}: weight must have shape ({shape[axis]},), one per class, for "
                         f"input of shape {shape}; got {w.shape}")
    return _trace.array(w, dtype=dtype)


def _along(w, ndim: int, axis: int):
    """A (C,) array shaped to broadcast along ``axis`` of an ``ndim``-dim array."""
    return w.reshape((-1,) + (1,) * (ndim - axis - 1))


def _index_targets(x, labels, weight, ignore_index, smoothing, reduction, op):
    """The target distribution T (x's shape: the weighted one-hot of each label, smoothed)
    for integer class targets, and what a mean divides by: the sum of the targets'
    weights, ignored targets left out (PyTorch's weighted mean)."""
    axis = _class_axis(x.shape, op)
    c = x.shape[axis]
    expected = x.shape[:axis] + x.shape[axis + 1:]
    if labels.shape != expected:
        raise ValueError(f"{op}: labels must have shape {expected} for logits of shape "
                         f"{x.shape}, got {labels.shape} (logits (C,), 2-D (N, C) or "
                         "(N, C, d1, ...) take labels (), (N,) or (N, d1, ...))")
    keep = labels != ignore_index
    kept = labels[keep]
    if kept.size and (kept.min() < 0 or kept.max() >= c):
        raise ValueError(f"{op}: labels must lie in [0, {c}) for {c} classes (or equal "
                         f"ignore_index={ignore_index}), got values from {kept.min()} to "
                         f"{kept.max()}")
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    safe = np.where(keep, labels, 0)
    wy = keep.astype(dtype) if weight is None else \
        _trace.record(operator.getitem, weight, safe) * keep
    t = np.moveaxis(one_hot_array(safe, c, dtype), -1, axis) * np.expand_dims(wy, axis)
    if smoothing:
        t *= 1 - smoothing
        spread = np.expand_dims(keep.astype(dtype), axis) * (smoothing / c)
        t += spread if weight is None else spread * _along(weight, x.ndim, axis)
    total = float(wy.sum())
    if reduction == "mean" and total == 0 and x.size:
        why = f"every label equals ignore_index={ignore_index}" if not keep.any() else \
            "the weights of the labels sum to 0"
        raise ValueError(f"{op}: the mean over zero elements is undefined ({why}; input of "
                         f"shape {x.shape}); use a sum reduction, or skip such batches")
    return t, total


class NLLLoss(_Reduce, Function):
    name = "nll_loss"
    formula = "dL/d{0} = −w[label] at each label's class, 0 elsewhere (/ Σ w[label] for the mean)"
    __slots__ = ("target", "axis")

    def forward(self, x, labels, weight=None, ignore_index=-100, reduction="mean"):
        _check_reduction(reduction, self.name)
        t, total = _index_targets(x, labels, weight, ignore_index, 0.0, reduction, self.name)
        self.target = t  # a constant: the weighted one-hot labels
        self.axis = _class_axis(x.shape, self.name)
        return self._reduce(_trace.asarray(-(t * x).sum(axis=self.axis)), reduction, x.shape,
                            total)

    def backward(self, g):
        g = self._spread(g)
        if g.ndim:  # reduction "none": one gradient per sample, spread over the classes
            g = g.reshape(g.shape[:self.axis] + (1,) + g.shape[self.axis:])
        return -self.target * g


def _labels(target, op: str) -> np.ndarray:
    lab = _trace.array(_array(target))  # the op's own copy
    if lab.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {lab.dtype} "
                        f"(shape {lab.shape})")
    return lab


def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """PyTorch's ``F.nll_loss``: −w[y]·input[y] for each sample, with ``input`` the
    log-probabilities, (C,), (N, C) or (N, C, d1, ...), and ``target`` the class
    indices y, (), (N,) or (N, d1, ...). Targets equal to ``ignore_index`` count for
    nothing. The mean divides by the sum of the targets' weights (the number of targets
    left without ``weight``); when that is 0 it is refused. Finite for every finite
    input."""
    input = _input(input, "nll_loss")
    x = input.data
    axis = _class_axis(x.shape, "nll_loss")
    w = _class_weight(weight, x.shape, axis, x.dtype, "nll_loss")
    return NLLLoss.apply(input, labels=_labels(target, "nll_loss"), weight=w,
                         ignore_index=ignore_index, reduction=reduction)


def _log_softmax_either(v, axis):
    return LogSoftmax.apply(v, axis=axis) if isinstance(v, Tensor) else \
        _log_softmax_array(v, axis)


class CrossEntropy(_Reduce, Function):
    name = "cross_entropy"
    formula = ("dL/d{0} = softmax({0})·Σ_c t − t, t the (weighted, smoothed) one-hot labels "
               "or probabilities, / n for the mean")
    __slots__ = ("target", "axis", "weight", "smoothing")

    def forward(self, logits, probs=None, labels=None, weight=None, ignore_index=-100,
                reduction="mean", label_smoothing=0.0):
        _check_reduction(reduction, self.name)
        axis = self.axis = _class_axis(logits.shape, self.name)
        self.weight, self.smoothing = weight, label_smoothing
        if probs is None:
            t, total = _index_targets(logits, labels, weight, ignore_index, label_smoothing,
                                      reduction, self.name)
            self.target = t  # a constant: the weighted, smoothed one-hot labels
            saved = (logits,)
        else:
            c = logits.shape[axis]
            total = logits.size // c if c else 0
            t = self._distribution(probs)
            self.target = None
            saved = (logits, probs)
        if self.parents is not None:
            self.save_for_backward(*saved)
        loss = _trace.asarray(-(t * _log_softmax_array(logits, axis)).sum(axis=axis))
        return self._reduce(loss, reduction, logits.shape, total)

    def _distribution(self, probs):
        """The target distribution of probability targets: smoothed, weighted."""
        if self.smoothing:
            probs = probs * (1 - self.smoothing) + self.smoothing / probs.shape[self.axis]
        if self.weight is not None:
            probs = probs * _along(self.weight, probs.ndim, self.axis)
        return probs

    def backward(self, g):
        logits, *rest = self.saved
        axis = self.axis
        g = self._spread(g)
        if g.ndim:  # reduction "none": one gradient per sample, spread over the classes
            g = g.reshape(g.shape[:axis] + (1,) + g.shape[axis:])
        t = self.target if not rest else self._distribution(rest[0])
        gx = (softmax_either(logits, axis) * t.sum(axis=axis, keepdims=True) - t) * g \
            if needs(self, 0) else None
        if not rest:
            return gx
        gp = None
        if needs(self, 1):
            gp = _log_softmax_either(logits, axis) * g * -(1 - self.smoothing)
            if self.weight is not None:
                gp = gp * _along(self.weight, logits.ndim, axis)
        return gx, gp


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """PyTorch's ``F.cross_entropy``: −Σ_c t_c·log softmax(input)_c per sample, the
    classes along dimension 1 of ``input`` (C,), (N, C) or (N, C, d1, ...).

    ``target`` is either integer class indices, (), (N,) or (N, d1, ...), where t is the
    one-hot label times ``weight[label]`` (labels equal to ``ignore_index`` count for
    nothing; the mean divides by the sum of the labels' weights), or class
    probabilities of the input's shape (t = probabilities ⊙ weight; the mean divides
    by the number of samples N·d1·…; such a target gets a gradient when it requires
    one). ``label_smoothing`` ε mixes each target with the uniform distribution:
    (1 − ε)·target + ε/C. The chapter's ``cross_entropy(logits, labels)`` is the mean
    over rows of −log softmax(logits)[label].

    Finite, forward and backward, for every finite logit (logits [1000, −1000] with
    label 1 give 2000)."""
    input = _input(input, "cross_entropy")
    x = input.data
    axis = _class_axis(x.shape, "cross_entropy")
    if not (isinstance(label_smoothing, numbers.Real) and 0 <= label_smoothing <= 1):
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing!r}")
    w = _class_weight(weight, x.shape, axis, x.dtype if x.dtype.kind == "f" else np.float64,
                      "cross_entropy")
    kwargs = dict(weight=w, ignore_index=ignore_index, reduction=reduction,
                  label_smoothing=float(label_smoothing))
    t = _array(target) if isinstance(target, Tensor) else _trace.asarray(target)
    if t.dtype.kind == "f" and t.shape == x.shape:
        return CrossEntropy.apply(input, target, **kwargs)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: labels must be integer class indices (or class probabilities "
            f"of the input's shape {x.shape}), got dtype {t.dtype} and shape {t.shape}"
        )
    return CrossEntropy.apply(input, labels=_trace.array(t), **kwargs)
