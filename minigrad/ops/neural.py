"""The building blocks of neural networks that are not convolutions: linear layers,
dropout, normalization, embeddings and attention (PyTorch's names and arguments).

These become ``minigrad.nn.functional``'s functions. Each follows PyTorch's semantics,
conventions and argument names; where minigrad differs (an error where PyTorch gives
NaN, say) the docstring says so.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import _trace
from ..autograd import Function, _tensors, no_grad
from ..tensor import Tensor, _make
from ._base import empty_mean_error, float_dtype, needs, save_crossed, shape_arg
from .index import IndexBackward, _scatter_array, where
from .linalg import matmul
from .reduce import softmax

__all__ = [
    "linear", "dropout", "layer_norm", "batch_norm", "embedding", "one_hot",
    "scaled_dot_product_attention",
]  # fmt: skip


def _array(v) -> np.ndarray:
    return v.data if isinstance(v, Tensor) else _trace.asarray(v)


def _input(v, op: str) -> Tensor:
    """The op's input as a Tensor, converted as ``Function.apply`` converts it (so
    non-numeric data gets the same error, naming the op and the input)."""
    return v if isinstance(v, Tensor) else _tensors((v,), op)[0]


def _generator(rng, op: str) -> np.random.Generator:
    """``rng`` as a numpy Generator: an int seeds a new one, a Generator is drawn from,
    None gives a fresh unseeded one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"{op}: rng must be an int seed, a numpy.random.Generator or None, got "
                    f"{type(rng).__name__}")


# --------------------------------------------------------------------------- linear


class Linear(Function):
    """y = x·Wᵀ + b with W of shape (out, in): PyTorch's ``F.linear``."""

    formula = "dL/d{0} = dL/d{y}·{1};  dL/d{1} = (dL/d{y})ᵀ·{0};  dL/d{2} = Σ_rows dL/d{y}"
    __slots__ = ("vec",)

    def forward(self, x, w, b=None):
        if x.ndim == 0 or w.ndim not in (1, 2) or x.shape[-1] != w.shape[-1]:
            raise ValueError(
                f"linear: input of shape {x.shape} and weight of shape {w.shape} do not fit: "
                "the weight must be (out_features, in_features) (or (in_features,)) and the "
                "input's last dimension in_features"
            )
        if b is not None and b.shape != w.shape[:-1]:
            raise ValueError(
                f"linear: bias has shape {b.shape}; for a weight of shape {w.shape} it must "
                f"be {w.shape[:-1]}"
            )
        self.vec = w.ndim == 1  # a weight vector: the output has no feature axis
        save_crossed(self, x, w)
        out = x @ w if self.vec else x @ w.T
        return out if b is None else out + b

    def backward(self, g):
        x, w = self.saved  # x is kept only when w needs a gradient, and w only for x
        gx = gw = None
        if w is not None:
            gx = g.reshape(g.shape + (1,)) * w if self.vec else g @ w
        if x is not None:
            rows = x.reshape(-1, x.shape[-1])
            gw = g.reshape(-1) @ rows if self.vec else g.reshape(-1, g.shape[-1]).T @ rows
        if len(self.parents) == 3:
            return gx, gw, g  # the engine sums the bias gradient over the rows
        return gx, gw


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """y = x·Wᵀ + b, PyTorch's ``F.linear``: ``weight`` has shape (out_features,
    in_features), ``input`` (*, in_features), ``bias`` (out_features,); the result has
    shape (*, out_features). A 1-D weight (in_features,) gives shape (*) (its bias is
    0-d).

    Note the layout: this is PyTorch's convention (y = x·Wᵀ), while ``nn.Linear`` and the
    notes store W as (in, out) and compute N = X·W; ``linear(x, layer.weight.T, b)``
    gives the same result as the layer. Finite unless a sum of products passes the
    dtype's largest value.
    """
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


# --------------------------------------------------------------------------- dropout


class Dropout(Function):
    formula = "dL/d{0} = dL/d{y} ⊙ mask / (1 − p)"
    __slots__ = ("mask",)

    def forward(self, x, mask):
        # mask: 1/(1 − p) where an element is kept, 0 where dropped, in x's dtype; drawn
        # by the caller, a constant of the op (no gradient)
        self.mask = mask
        return x * mask

    def backward(self, g):
        return g * self.mask


def dropout(input: Any, p: float = 0.5, training: bool = True, rng: Any = None) -> Tensor:
    """Inverted dropout (PyTorch's ``F.dropout``): each element is zeroed with
    probability ``p`` and the rest are scaled by 1/(1 − p), so the expected value is
    unchanged; the gradient goes through the same mask and scale.

    ``rng`` is an int seed (the same seed gives the same mask), a
    ``numpy.random.Generator`` (drawn from) or None (a fresh unseeded generator). With
    ``training=False`` or p = 0 the input itself is returned (as a Tensor), as in
    PyTorch; p = 1 gives zeros (and zero gradient). Finite for every finite input.
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability between 0 and 1, got {p!r}")
    input = _input(input, "dropout")
    if not training or p == 0:
        return input
    gen = _generator(rng, "dropout")
    data = input.data
    dtype = float_dtype(data)
    if p == 1:
        mask = np.zeros(data.shape, dtype)
    else:
        mask = (_trace.draw_from(rng, gen, "random", data.shape) >= p).astype(dtype)
        mask *= 1 / (1 - p)
    return Dropout.apply(input, mask=mask)


# --------------------------------------------------------------------------- normalization


def _moments(x, axes):
    """Mean and biased variance over ``axes`` (kept as size 1): arrays or Tensors."""
    mu = x.mean(axis=axes, keepdims=True)
    d = x - mu
    return mu, (d * d).mean(axis=axes, keepdims=True)


def _standardize(x, axes, eps):
    """x̂ = (x − mean)/√(var + eps) over ``axes`` and 1/√(var + eps): arrays or Tensors."""
    mu, var = _moments(x, axes)
    rstd = (var + eps) ** -0.5
    return (x - mu) * rstd, rstd


def _standardize_vjp(g, xhat, rstd, axes):
    """The gradient of x̂ = (x − mean)·rstd with batch statistics, for its output
    gradient g: rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) (means over ``axes``)."""
    return rstd * (g - g.mean(axis=axes, keepdims=True)
                   - xhat * (g * xhat).mean(axis=axes, keepdims=True))


def _affine_params(params, which):
    """(weight, bias) from the op's optional trailing inputs."""
    it = iter(params)
    return tuple(next(it) if present else None for present in which)


_NORM_FORMULA = ("dL/d{0} = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), ĝ = dL/d{y} ⊙ {1};  "
                 "dL/d{1} = Σ dL/d{y} ⊙ x̂;  dL/d{2} = Σ dL/d{y}")


class LayerNorm(Function):
    name = "layer_norm"
    formula = _NORM_FORMULA
    __slots__ = ("axes", "eps", "which", "stats")

    def forward(self, x, *params, axes, eps, which):
        self.axes, self.eps, self.which = axes, eps, which
        w, b = _affine_params(params, which)
        xhat, rstd = _standardize(x, axes, eps)
        self.stats = xhat, rstd  # for a first-order backward; create_graph recomputes them
        if self.parents is not None:
            self.save_for_backward(x, w)
        out = xhat if w is None else xhat * w
        return out if b is None else out + b

    def backward(self, g):
        x, w = self.saved
        if isinstance(g, Tensor):  # differentiable: from the input, on the graph
            xhat, rstd = _standardize(x, self.axes, self.eps)
        else:
            xhat, rstd = self.stats
        grads = [_standardize_vjp(g if w is None else g * w, xhat, rstd, self.axes)
                 if needs(self, 0) else None]
        lead = tuple(range(g.ndim - len(self.axes)))
        k = 1
        if self.which[0]:
            grads.append((g * xhat).sum(axis=lead) if needs(self, k) else None)
            k += 1
        if self.which[1]:
            grads.append(g.sum(axis=lead) if needs(self, k) else None)
        return tuple(grads)


def layer_norm(
    input: Any,
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Tensor:
    """PyTorch's ``F.layer_norm``: each slice over the last ``len(normalized_shape)``
    dimensions (which must equal ``normalized_shape``) is standardized,
    x̂ = (x − mean)/√(var + eps) with the biased variance, then y = x̂ ⊙ weight + bias
    (both of shape ``normalized_shape``, each optional).

    One op with the closed-form gradient, dL/dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))
    with ĝ = dL/dy ⊙ weight and rstd = 1/√(var + eps); second order works. Finite for
    every finite input with eps > 0 (a constant slice gives x̂ = 0); the mean over an
    empty slice is refused.
    """
    ns = shape_arg(normalized_shape, "layer_norm", "normalized_shape")
    input = _input(input, "layer_norm")
    shape = input.shape
    k = len(ns)
    if k == 0 or shape[len(shape) - k:] != ns or len(shape) < k:
        raise ValueError(
            f"layer_norm: normalized_shape {ns} must be non-empty and equal the last "
            f"dimensions of the input, whose shape is {shape}"
        )
    for what, p in (("weight", weight), ("bias", bias)):
        if p is not None and np.shape(_array(p)) != ns:
            raise ValueError(f"layer_norm: {what} has shape {np.shape(_array(p))}; it must "
                             f"equal normalized_shape {ns}")
    if math.prod(ns) == 0:
        raise empty_mean_error("layer_norm", shape)
    params = tuple(p for p in (weight, bias) if p is not None)
    return LayerNorm.apply(input, *params, axes=tuple(range(len(shape) - k, len(shape))),
                           eps=eps, which=(weight is not None, bias is not None))


class BatchNorm(Function):
    name = "batch_norm"
    formula = _NORM_FORMULA + " (training; in eval dL/d{0} = dL/d{y} ⊙ {1} · rstd)"
    __slots__ = ("axes", "eps", "which", "training", "stats", "running")

    def forward(self, x, *params, stats, eps, which, training):
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.eps, self.which, self.training = eps, which, training
        pshape = (x.shape[1],) + (1,) * (x.ndim - 2)
        w, b = _affine_params(params, which)
        # stats: the batch's mean and biased variance in training, the running ones in
        # eval (constants), of shape pshape and x's dtype
        mean, var = stats
        rstd = (var + eps) ** -0.5
        xhat = (x - mean) * rstd
        self.stats = xhat, rstd
        if not training:
            self.running = mean, rstd  # constants: the eval backward is linear in x
        if self.parents is not None:
            self.save_for_backward(x, w)
        out = xhat if w is None else xhat * w.reshape(pshape)
        return out if b is None else out + b.reshape(pshape)

    def backward(self, g):
        x, w = self.saved
        axes = self.axes
        if isinstance(g, Tensor):  # differentiable: from the input, on the graph
            if self.training:
                xhat, rstd = _standardize(x, axes, self.eps)
            else:
                mean, rstd = self.running
                xhat = (x - mean) * rstd
        else:
            xhat, rstd = self.stats
        grads = [None]
        if needs(self, 0):
            gh = g if w is None else g * w.reshape(rstd.shape)
            grads[0] = _standardize_vjp(gh, xhat, rstd, axes) if self.training else gh * rstd
        k = 1
        if self.which[0]:
            grads.append((g * xhat).sum(axis=axes) if needs(self, k) else None)
            k += 1
        if self.which[1]:
            grads.append(g.sum(axis=axes) if needs(self, k) else None)
        return tuple(grads)


def _running_update(stat, new, momentum, what: str) -> None:
    """stat ← (1 − momentum)·stat + momentum·new, in place (under no_grad for a Tensor)."""
    new = new.reshape(-1)
    if isinstance(stat, Tensor):
        with no_grad():
            stat *= 1 - momentum
            stat += momentum * new
        return
    if not stat.flags.writeable:
        raise ValueError(f"batch_norm: {what} (shape {stat.shape}) is read-only; training "
                         "updates it in place")
    np.multiply(stat, 1 - momentum, out=stat, casting="same_kind")
    np.add(stat, momentum * new, out=stat, casting="same_kind")


def batch_norm(
    input: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """PyTorch's ``F.batch_norm`` for input (N, C), (N, C, L) or (N, C, H, W) (any
    (N, C, ...)): each channel is standardized, x̂ = (x − mean)/√(var + eps), then
    y = x̂ ⊙ weight + bias (both (C,), optional).

    ``training=True``: mean and the biased variance of the batch (over every axis but
    the channel axis), and ``running_mean`` / ``running_var`` (numpy arrays or Tensors of
    shape (C,), or None) are updated in place, without a graph, as PyTorch does:
    running ← (1 − momentum)·running + momentum·batch, with the batch's unbiased
    variance for ``running_var``. More than one value per channel is needed.
    ``training=False``: the running statistics are used (required), as constants.

    One op with the closed-form gradient (in training the statistics depend on the
    input: dL/dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)), ĝ = dL/dy ⊙ weight; in eval
    dL/dx = ĝ·rstd); the running statistics get no gradient, as in PyTorch. Second
    order works. Finite for every finite input with eps > 0 and running_var ≥ 0.
    """
    input = _input(input, "batch_norm")
    x = input.data
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C, ...) with at least 2 dimensions, "
                         f"got shape {x.shape}")
    c = x.shape[1]
    pshape = (c,) + (1,) * (x.ndim - 2)
    stats = {}
    for what, p in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if p is not None:
            a = _array(p)
            if a.shape != (c,):
                raise ValueError(f"batch_norm: {what} has shape {a.shape}; for input of shape "
                                 f"{x.shape} it must be ({c},)")
            stats[what] = a
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"batch_norm: momentum must be a number, got {momentum!r}")
    dtype = float_dtype(x)
    if training:
        axes = (0,) + tuple(range(2, x.ndim))
        n = x.size // c if c else 0
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        mean, var = _moments(x.astype(dtype, copy=False), axes)
        if running_mean is not None:
            _running_update(running_mean, mean, momentum, "running_mean")
        if running_var is not None:
            _running_update(running_var, var * (n / (n - 1)), momentum, "running_var")
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are required when "
                             "training=False")
        mean = stats["running_mean"].astype(dtype).reshape(pshape)  # the op's own copies
        var = stats["running_var"].astype(dtype).reshape(pshape)
    params = tuple(p for p in (weight, bias) if p is not None)
    return BatchNorm.apply(input, *params, stats=(mean, var), eps=eps, training=training,
                           which=(weight is not None, bias is not None))


# --------------------------------------------------------------------------- embeddings


class Embedding(Function):
    formula = "dL/d{0} = dL/d{y} added into the rows the indices pick (none to padding_idx)"
    __slots__ = ("indices", "shape", "padding_idx")

    def forward(self, weight, indices, padding_idx):
        self.indices, self.shape, self.padding_idx = indices, weight.shape, padding_idx
        return weight[indices]

    def backward(self, g):
        idx = self.indices
        if self.padding_idx is not None:
            g = g * (idx != self.padding_idx).reshape(idx.shape + (1,))
        if isinstance(g, Tensor):
            return IndexBackward.apply(g, shape=self.shape, index=idx)
        return _scatter_array(g, self.shape, idx)  # repeated indices accumulate


def embedding(input: Any, weight: Any, padding_idx: Any = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer indices ``input``
    (any shape): the result has shape input.shape + (dim,). PyTorch's ``F.embedding``.

    The gradient adds each output row's gradient into the row it came from (repeated
    indices accumulate); the row ``padding_idx`` (negative counts from the end) gets
    none, though its values are returned as they are. Finite for every finite weight.
    """
    idx = _trace.array(_array(input))  # the op's own copy
    weight = _input(weight, "embedding")
    w = weight.data
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype} "
                        f"(shape {idx.shape})")
    if w.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, dim), got shape "
                         f"{w.shape}")
    v = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= v):
        raise IndexError(f"embedding: indices must lie in [0, {v}) for a weight of shape "
                         f"{w.shape}, got values from {idx.min()} to {idx.max()}")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, numbers.Integral) \
                or not -v <= padding_idx < v:
            raise ValueError(f"embedding: padding_idx must be an int in [{-v}, {v}) for a "
                             f"weight of shape {w.shape}, got {padding_idx!r}")
        padding_idx = int(padding_idx) % v
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def one_hot_array(labels: np.ndarray, num_classes: int, dtype) -> np.ndarray:
    """labels.shape + (num_classes,): 1 at each label's class, 0 elsewhere."""
    return (labels[..., None] == np.arange(num_classes)).astype(dtype)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """PyTorch's ``F.one_hot``: integer class indices of any shape to int64 indicators
    of shape tensor.shape + (num_classes,); num_classes=-1 takes the largest index + 1.
    No gradient (the result does not require grad)."""
    a = _array(tensor)
    if a.dtype.kind not in "iu":
        raise TypeError(f"one_hot: tensor must hold integer class indices, got dtype "
                        f"{a.dtype} (shape {a.shape})")
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
            or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be a non-negative int or -1, got "
                         f"{num_classes!r}")
    if num_classes == -1:
        if a.size == 0:
            raise ValueError(f"one_hot: cannot infer num_classes from an empty tensor (shape "
                             f"{a.shape}); pass num_classes")
        num_classes = int(a.max()) + 1
    if a.size and (a.min() < 0 or a.max() >= num_classes):
        raise ValueError(f"one_hot: class values must lie in [0, {num_classes}), got values "
                         f"from {a.min()} to {a.max()} (shape {a.shape})")
    return _make(one_hot_array(a, int(num_classes), np.int64), False, None)


# --------------------------------------------------------------------------- attention


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: Any = None,
    rng: Any = None,
) -> Tensor:
    """PyTorch's ``F.scaled_dot_product_attention``: softmax(Q·Kᵀ·scale + mask)·V.

    ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev) give (..., L, Ev);
    leading dimensions broadcast. ``scale`` defaults to 1/√E. ``attn_mask`` broadcasts to
    (..., L, S): booleans say which keys a query may attend to (True takes part, as in
    PyTorch); floats are added to the scores (−inf excludes). ``is_causal=True`` lets
    query i attend to keys j ≤ i (the lower triangle, PyTorch's convention for L ≠ S
    too); it cannot be combined with ``attn_mask``. ``dropout_p`` drops attention weights
    as :func:`dropout` does (``rng`` as there).

    A query whose keys are all masked out gets zeros (and zero gradient), as PyTorch's
    math backend gives since 2.5, not NaN. A composition of matmul, where, softmax,
    dropout and matmul, so every gradient and second order come from those ops; softmax
    is stable for any finite score.
    """
    query, key, value = _tensors((query, key, value), "scaled_dot_product_attention")
    q, k, v = query.data, key.data, value.data
    if min(q.ndim, k.ndim, v.ndim) < 2 or q.shape[-1] != k.shape[-1] \
            or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: query {q.shape}, key {k.shape} and value "
            f"{v.shape} do not fit: they must be (..., L, E), (..., S, E) and (..., S, Ev)"
        )
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: pass either attn_mask or "
                         "is_causal=True, not both")
    L, S = q.shape[-2], k.shape[-2]
    s = 1 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = matmul(query, key.mT) * s
    alive = None  # per query: whether any key takes part (None: all do)
    if is_causal:
        attn_mask = np.tril(np.ones((L, S), dtype=bool))
    if attn_mask is not None:
        m = _array(attn_mask)
        try:
            np.broadcast_shapes(m.shape, scores.shape)
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {m.shape} does "
                             f"not broadcast to the scores' shape {scores.shape}") from None
        if m.dtype == bool:
            alive = m.any(axis=-1, keepdims=True)
            # a query with no key left is scored as if unmasked, then zeroed below
            scores = where(m | ~alive, scores, -np.inf)
        else:
            alive = ~np.isneginf(m).all(axis=-1, keepdims=True)
            scores = scores + (attn_mask if alive.all() else where(alive, attn_mask, 0.0))
    p = softmax(scores, axis=-1)
    if alive is not None and not alive.all():
        p = p * alive
    if dropout_p:
        p = dropout(p, dropout_p, training=True, rng=rng)
    return matmul(p, value)
