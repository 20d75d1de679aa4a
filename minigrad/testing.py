"""Prove gradients: finite-difference checks and Hypothesis strategies.

``gradcheck`` compares the analytic gradient of any function of Tensors with
central differences in float64, along a random output gradient (a bias summed over
the wrong axis hides behind ``.sum()`` when the output is square; it does not hide
from a random projection). ``gradgradcheck`` does the same for second order. The
strategies generate small, well-conditioned inputs for property tests; they need
``hypothesis`` (the ``dev`` extra) and import it only when called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .autograd import enable_grad, no_grad, run_backward
from .tensor import Tensor, _make

if TYPE_CHECKING:  # hypothesis is optional (the dev extra); only type checkers read this
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "numeric_grad",
    "shapes",
    "arrays",
    "tensors",
    "broadcastable_pairs",
    "matmul_pairs",
]


def _float64_inputs(inputs: tuple[Any, ...], where: str = "gradcheck") -> list[Any]:
    """Float64 copies of the floating-point Tensor inputs; anything else (integer or
    boolean Tensors and arrays of labels or indices, axes, flags) is passed through
    unchanged and held constant."""
    out = [
        Tensor(np.array(x.data, dtype=np.float64), requires_grad=x.requires_grad, name=x.name)
        if isinstance(x, Tensor) and x.dtype.kind == "f" else x
        for x in inputs
    ]
    if not any(isinstance(t, Tensor) and t.requires_grad for t in out):
        kinds = ", ".join(
            f"Tensor {x.shape} {x.dtype} requires_grad=False" if isinstance(x, Tensor)
            else type(x).__name__ for x in inputs
        )
        raise ValueError(
            f"{where}: no input is a Tensor that requires grad; nothing to check (inputs: "
            f"{kinds or 'none'})"
        )
    return out


def _check_settings(where: str, fn: Any, eps: Any, atol: Any, rtol: Any) -> None:
    if not callable(fn):
        raise TypeError(f"{where}: fn must be callable, got {type(fn).__name__}")
    for name, value, low in (("eps", eps, "> 0"), ("atol", atol, ">= 0"),
                             ("rtol", rtol, ">= 0")):
        ok = isinstance(value, (int, float, np.floating, np.integer)) and \
            not isinstance(value, bool) and np.isfinite(value) and \
            (value > 0 if name == "eps" else value >= 0)
        if not ok:
            raise ValueError(f"{where}: {name} must be a finite number {low}, got {value!r}")


def _output(fn: Callable[..., Any], xs: Sequence[Any], where: str) -> Tensor:
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"{where}: fn must return a Tensor, got {type(out).__name__}")
    return out


def _projection(fn: Callable[..., Any], xs: Sequence[Any], v: np.ndarray) -> float:
    """⟨fn(xs), v⟩ evaluated without recording a graph."""
    with no_grad():
        out = _output(fn, xs, "gradcheck")
    return float(np.sum(out.data * v))


def numeric_grad(fn: Callable[..., Tensor], inputs: Sequence[Any], index: int, v: np.ndarray,
                 eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of ⟨fn(*inputs), v⟩ w.r.t. ``inputs[index]``."""
    base = inputs[index].data
    grad = np.zeros(base.shape, dtype=np.float64)
    xs = list(inputs)
    for idx in np.ndindex(base.shape):
        vals = []
        for step in (eps, -eps):
            shifted = np.array(base, dtype=np.float64)
            shifted[idx] += step
            xs[index] = Tensor(shifted, requires_grad=inputs[index].requires_grad)
            vals.append(_projection(fn, xs, v))
        grad[idx] = (vals[0] - vals[1]) / (2 * eps)
    return grad


def _seed(seed: int | None, random_state: int | None, where: str) -> int:
    """``seed``, or scikit-learn's name for it, ``random_state``; 0 when neither is given."""
    if seed is not None and random_state is not None:
        raise TypeError(
            f"{where}: got both seed={seed!r} and random_state={random_state!r}; they are two "
            "names for the same thing, give one"
        )
    chosen = seed if seed is not None else random_state
    return 0 if chosen is None else chosen


def gradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-7,
              rtol: float = 1e-5, seed: int | None = None,
              random_state: int | None = None) -> bool:
    """Check ``fn``'s analytic gradient against central finite differences.

    ``inputs`` are Tensors (checked when they require grad) or arrays (held
    constant); all are converted to float64 copies. The output is projected on a
    random direction ``v`` and the gradient of ⟨fn(inputs), v⟩ is compared element
    by element: ``|analytic − numeric| ≤ atol + rtol·|numeric|``. Returns True, or
    raises AssertionError naming the input, the element and both values. ``seed`` (or
    ``random_state``; 0 by default) draws the direction ``v``.
    """
    seed = _seed(seed, random_state, "gradcheck")
    _check_settings("gradcheck", fn, eps, atol, rtol)
    xs = _float64_inputs(inputs)
    out = _output(fn, xs, "gradcheck")
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.shape)
    wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
    if out.requires_grad:
        analytic = run_backward(out, v.astype(out.dtype), retain_graph=False,
                                create_graph=False, inputs=wanted)
    else:
        analytic = [None] * len(wanted)
    for x, a in zip(wanted, analytic):
        i = next(k for k, y in enumerate(xs) if y is x)
        a = np.zeros(x.shape) if a is None else np.asarray(a.data if isinstance(a, Tensor) else a)
        if a.shape != x.shape:
            raise AssertionError(
                f"gradcheck: gradient of input {i} has shape {a.shape}, expected {x.shape}"
            )
        n = numeric_grad(fn, xs, i, v, eps)
        bad = np.abs(a - n) > atol + rtol * np.abs(n)
        if bad.any():
            idx = tuple(int(k) for k in np.argwhere(bad)[0])
            label = f"input {i}" + (f" ({x.name})" if x.name else "")
            raise AssertionError(
                f"gradcheck: gradient of {label} at element {idx}: analytic {a[idx]:.10g}, "
                f"numeric {n[idx]:.10g} (|difference| {abs(a[idx] - n[idx]):.3g} exceeds "
                f"atol + rtol·|numeric| = {atol + rtol * abs(n[idx]):.3g}; "
                f"{int(bad.sum())} of {bad.size} elements differ)"
            )
    return True


def gradgradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6,
                  atol: float = 1e-7, rtol: float = 1e-5, seed: int | None = None,
                  random_state: int | None = None) -> bool:
    """Check second derivatives: gradcheck of the first-order gradient of ``fn``.

    The first-order gradients (along a random output direction ``v``, computed with
    ``create_graph=True``) are projected on random directions ``u`` and the result is
    checked with :func:`gradcheck`, which differentiates the backward pass itself.
    ``seed`` (or ``random_state``; 0 by default) draws the directions.
    """
    seed = _seed(seed, random_state, "gradgradcheck")
    _check_settings("gradgradcheck", fn, eps, atol, rtol)
    xs = _float64_inputs(inputs, "gradgradcheck")
    rng = np.random.default_rng(seed + 1)
    with no_grad():
        shape = _output(fn, xs, "gradgradcheck").shape
    v = rng.standard_normal(shape)
    us = [rng.standard_normal(x.shape) if isinstance(x, Tensor) else None for x in xs]

    def first_order(*ys: Any) -> Tensor:
        with enable_grad():
            return _first_order(ys)

    def _first_order(ys: tuple[Any, ...]) -> Tensor:
        out = _output(fn, ys, "gradgradcheck")
        wanted = [y for y in ys if isinstance(y, Tensor) and y.requires_grad]
        if not out.requires_grad:
            return _make(np.zeros(()), False, None)
        gs = run_backward(out, _make(v.astype(out.dtype), False, None), retain_graph=True,
                          create_graph=True, inputs=wanted)
        total: Tensor | None = None
        for y, g in zip(wanted, gs):
            if g is None:
                continue
            term = (g * us[next(k for k, z in enumerate(ys) if z is y)]).sum()
            total = term if total is None else total + term
        return total if total is not None else _make(np.zeros(()), False, None)

    return gradcheck(first_order, *xs, eps=eps, atol=atol, rtol=rtol, seed=seed)


# --------------------------------------------------------------------------- strategies


def _st() -> tuple[Any, Any]:
    try:
        from hypothesis import strategies as st
        from hypothesis.extra import numpy as hnp
    except ImportError as e:  # pragma: no cover - exercised only without the dev extra
        raise ImportError(
            "minigrad.testing strategies need hypothesis: pip install 'minigrad[dev]'"
        ) from e
    return st, hnp


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> SearchStrategy[tuple[int, ...]]:
    """Array shapes with small sides (size-1 and 0-d included by default)."""
    _, hnp = _st()
    result: SearchStrategy[tuple[int, ...]] = hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return result


def arrays(shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]] | None = None,
           dtype: npt.DTypeLike = np.float64, min_value: float = -3.0, max_value: float = 3.0,
           exclude_zero_band: float = 0.0) -> SearchStrategy[np.ndarray]:
    """Float arrays with bounded, finite values.

    ``shape`` is a tuple or a strategy (default: :func:`shapes`). With
    ``exclude_zero_band=d``, values in (−d, d) are pushed out to ±d, for ops with a
    kink or a pole at zero (relu, log, division).
    """
    st, hnp = _st()
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=np.dtype(dtype).itemsize * 8)
    strat = hnp.arrays(dtype, shape if shape is not None else shapes(), elements=elements)
    if exclude_zero_band:
        d = exclude_zero_band
        strat = strat.map(lambda a: np.where(np.abs(a) < d, np.where(a < 0, -d, d), a)
                          .astype(dtype))
    result: SearchStrategy[np.ndarray] = strat
    return result


def tensors(shape: tuple[int, ...] | SearchStrategy[tuple[int, ...]] | None = None,
            dtype: npt.DTypeLike = np.float64, requires_grad: bool = True,
            **kwargs: Any) -> SearchStrategy[Tensor]:
    """Tensors built from :func:`arrays` (same keyword arguments)."""
    return arrays(shape, dtype, **kwargs).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_pairs(dtype: npt.DTypeLike = np.float64, max_dims: int = 3, max_side: int = 4,
                        **kwargs: Any) -> SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs of arrays whose shapes broadcast together under numpy's rules."""
    st, hnp = _st()
    shapes_pair = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0,
                                                    max_dims=max_dims, max_side=max_side)
    result: SearchStrategy[tuple[np.ndarray, np.ndarray]] = shapes_pair.flatmap(
        lambda s: st.tuples(arrays(s.input_shapes[0], dtype, **kwargs),
                            arrays(s.input_shapes[1], dtype, **kwargs)))
    return result


def matmul_pairs(dtype: npt.DTypeLike = np.float64, batch: bool = True, max_side: int = 4,
                 **kwargs: Any) -> SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    """Pairs ``(a, b)`` with ``a @ b`` defined: a (..., n, k), b (..., k, m).

    With ``batch=True``, leading batch dimensions are drawn and broadcast (one side
    may lack them)."""
    st, hnp = _st()
    side = st.integers(1, max_side)

    def build(dims: Any) -> Any:
        n, k, m, batch_shapes = dims
        sa, sb = batch_shapes
        return st.tuples(arrays(sa + (n, k), dtype, **kwargs), arrays(sb + (k, m), dtype, **kwargs))

    if batch:
        batches = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                    max_side=3).map(lambda s: s.input_shapes)
    else:
        batches = st.just(((), ()))
    result: SearchStrategy[tuple[np.ndarray, np.ndarray]] = st.tuples(
        side, side, side, batches).flatmap(build)
    return result
