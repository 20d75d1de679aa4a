"""Gradient clipping and flat parameter vectors, under PyTorch's names
(``torch.nn.utils``)::

    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


def _tensors(parameters: Tensor | Iterable[Tensor], fn: str) -> list[Tensor]:
    items = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: parameters must be Tensors, got a {type(p).__name__} at "
                            f"position {i}")
    return items


def _scale_grad(p: Tensor, factor: float) -> None:
    g = p.grad
    assert g is not None
    with no_grad():
        if g.data.flags.writeable:
            g.data *= factor
        else:
            g.data = g.data * factor


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients of ``parameters`` together, in place, so that their total norm
    (the ``norm_type``-norm of all gradients as one vector; ``float("inf")`` for the
    largest absolute value) is at most ``max_norm``.

    As PyTorch: each gradient is multiplied by min(1, max_norm / (total + 1e-6)), so
    gradients already within the bound are left as they are (up to that 1e-6) and a
    clipped total comes out just under ``max_norm``. Parameters without a gradient are
    skipped. Returns the total norm before clipping, a 0-d float64 Tensor. With
    ``error_if_nonfinite`` a NaN or infinite total raises instead of clipping."""
    fn = "clip_grad_norm_"
    params = [p for p in _tensors(parameters, fn) if p.grad is not None]
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real) or max_norm < 0:
        raise ValueError(f"{fn}: max_norm must be a non-negative number, got {max_norm!r}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) \
            or not norm_type > 0:
        raise ValueError(f"{fn}: norm_type must be a positive number or inf, got "
                         f"{norm_type!r}")
    if not params:
        return Tensor(np.array(0.0))
    grads = [np.abs(p.grad.data.astype(np.float64)) for p in params]  # type: ignore[union-attr]
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isinf(norm_type):
            total = max(float(g.max(initial=0.0)) for g in grads)
        else:
            total = float(sum(float((g**norm_type).sum()) for g in grads)) ** (1 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"{fn}: the total {norm_type}-norm of the gradients is {total}; "
                           "pass error_if_nonfinite=False to clip anyway")
    coef = float(max_norm) / (total + 1e-6)
    if coef < 1:
        for p in params:
            _scale_grad(p, coef)
    return Tensor(np.array(total))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient of ``parameters`` to [−clip_value, clip_value], in place;
    parameters without a gradient are skipped."""
    fn = "clip_grad_value_"
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real) \
            or clip_value < 0:
        raise ValueError(f"{fn}: clip_value must be a non-negative number, got "
                         f"{clip_value!r}")
    c = float(clip_value)
    for p in _tensors(parameters, fn):
        g = p.grad
        if g is None:
            continue
        with no_grad():
            if g.data.flags.writeable:
                np.clip(g.data, -c, c, out=g.data)
            else:
                g.data = np.clip(g.data, -c, c)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The values of ``parameters`` flattened (row-major) and concatenated into one 1-D
    Tensor, a copy with no graph."""
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        return Tensor(np.zeros(0))
    return Tensor(np.concatenate([p.data.reshape(-1) for p in params]))


def vector_to_parameters(vec: Tensor | np.ndarray, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters``' values (the inverse
    of :func:`parameters_to_vector`), in place, without a graph. ``vec`` must hold exactly
    as many values as the parameters together."""
    fn = "vector_to_parameters"
    v = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    params = _tensors(parameters, fn)
    if v.ndim != 1:
        raise ValueError(f"{fn}: vec must be 1-D, got shape {v.shape}")
    total = sum(p.data.size for p in params)
    if v.size != total:
        raise ValueError(f"{fn}: vec has {v.size} values, the parameters {total} (shapes "
                         f"{[p.data.shape for p in params]})")
    at = 0
    with no_grad():
        for p in params:
            n = p.data.size
            p.data = v[at:at + n].reshape(p.data.shape).astype(p.data.dtype, copy=True)
            at += n
