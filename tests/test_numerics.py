"""Numerics at the edge: every op at extreme but valid inputs, forward and backward.

Ops compute in IEEE floating point and follow numpy's floating-point error state; none
clips its results or adds a check to its fast path. At |x| up to 1e3, and at values
near zero such as 1e-300 as log inputs and divisors, each op below either gives finite
values forward and backward, or its true result is beyond the dtype's range and it
raises FloatingPointError naming the op (or ``backward of '<op>'``), its inputs and the
limit. That holds both with ``np.errstate(over/divide/invalid="raise")`` and with
numpy's default "warn" state when RuntimeWarning is an error (as in these tests).
Under numpy's default state and warning filters such a value is inf (or NaN) with a
RuntimeWarning, and ``np.errstate(...="ignore")`` gives it silently.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from optable import OPS

EDGES = [(op, edge) for op in OPS for edge in op.edges]
EDGE_IDS = [f"{op.name}-{edge.label}" for op, edge in EDGES]


def test_every_differentiable_op_has_an_edge_case():
    assert {op.op for op in OPS if op.grad} == {op.op for op, _ in EDGES}


def _run(op, edge, dtype=np.float64):
    xs = [mg.tensor(np.asarray(a, dtype=dtype), requires_grad=i not in edge.const)
          if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
          for i, a in enumerate(edge.args)]
    out = op.fn(*xs)
    if op.cls is not None:
        assert type(out.op) is op.cls
    assert np.all(np.isfinite(out.data)), f"{op.name}: forward gave {out.data}"
    g = np.random.default_rng(0).uniform(0.5, 1.5, out.shape).astype(out.dtype)
    out.backward(g)
    for i, x in enumerate(xs):
        if not isinstance(x, mg.Tensor):
            continue
        if i in edge.const:
            assert x.grad is None
            continue
        assert x.grad is not None and x.grad.shape == x.shape
        assert np.all(np.isfinite(x.grad.data)), f"{op.name}: gradient {i} is {x.grad.data}"
    return out


@pytest.mark.parametrize("mode", ["raise", "warn_as_error"])
@pytest.mark.parametrize("op,edge", EDGES, ids=EDGE_IDS)
def test_edge_values_are_finite_or_a_named_error(op, edge, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        state = "raise" if mode == "raise" else "warn"
        with np.errstate(over=state, divide=state, invalid=state):
            if edge.error is None:
                _run(op, edge)
                return
            phase, words = edge.error
            with pytest.raises(FloatingPointError) as info:
                _run(op, edge)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    in_backward = message.startswith("backward of ")
    assert in_backward == (phase == "backward"), message


F32_EDGES = [(op, edge) for op, edge in EDGES if edge.float32]


@pytest.mark.parametrize("op,edge", F32_EDGES, ids=[f"{o.name}-{e.label}" for o, e in F32_EDGES])
def test_float32_at_1000_is_finite(op, edge):
    out = _run(op, edge, np.float32)
    assert out.dtype == np.float32


def test_exp_overflow_names_the_float32_limit():
    with pytest.raises(FloatingPointError, match=r"exp: .*float32 for inputs above 88\.72"):
        mg.exp(mg.tensor(np.array([100.0], dtype=np.float32)))


def test_stable_ops_at_1000_give_the_exact_limits():
    x = mg.tensor([[1e3, -1e3]], requires_grad=True)
    s = mg.sigmoid(x).data  # σ(−1000) is below the smallest normal float: 0 or a tiny value
    assert s[0, 0] == 1.0 and 0.0 <= s[0, 1] <= np.finfo(np.float64).tiny
    np.testing.assert_array_equal(mg.tanh(x).data, [[1.0, -1.0]])
    np.testing.assert_array_equal(mg.softmax(x).data, [[1.0, 0.0]])
    np.testing.assert_array_equal(mg.log_softmax(x).data, [[0.0, -2000.0]])
    loss = mg.cross_entropy(x, [1])
    assert loss.item() == 2000.0
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, -1.0]])


def test_numpys_default_state_gives_inf_with_a_warning_and_ignore_gives_it_silently():
    x = mg.tensor([1e3], requires_grad=True)
    with np.errstate(over="warn"), pytest.warns(RuntimeWarning, match="overflow"):
        y = mg.exp(x)
    assert np.isinf(y.data).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            assert np.isinf(mg.exp(x).data).all()
            d = mg.tensor([1.0], requires_grad=True) / mg.tensor([1e-300], requires_grad=True)
            d.backward()


def test_detect_anomaly_finds_the_op_that_made_the_first_inf():
    x = mg.tensor([1e3], requires_grad=True)
    with np.errstate(over="ignore"), mg.detect_anomaly(), \
            pytest.raises(mg.AnomalyError, match="'exp'"):
        mg.exp(x) * 2
