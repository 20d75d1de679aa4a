"""Tests for minigrad.metrics: mae, rmse, r2."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.metrics import mae, r2, rmse

METRICS = {"mae": mae, "rmse": rmse, "r2": r2}


def test_known_values():
    y = [1.0, 2.0, 3.0, 4.0]
    p = [1.0, 3.0, 2.0, 6.0]  # errors 0, -1, 1, -2
    assert mae(y, p) == 1.0
    assert rmse(y, p) == math.sqrt(1.5)
    # SS_res = 6, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
    assert r2(y, p) == pytest.approx(1 - 6 / 5, abs=1e-15)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_returns_python_float_for_every_input_kind(name):
    f = METRICS[name]
    y = np.array([3.0, -1.0, 2.0, 7.0])
    p = np.array([2.5, 0.0, 2.0, 8.0])
    expected = f(y, p)
    assert type(expected) is float
    for yy, pp in [
        (y.tolist(), p.tolist()),
        (minigrad.tensor(y), minigrad.tensor(p)),
        (minigrad.tensor(y, requires_grad=True), p),
        (y.astype(np.float32), p.astype(np.float32)),
        (y.reshape(4, 1), p),  # (n, 1) against (n,)
        (y, p.reshape(1, 4)),
        (y.reshape(4, 1), p.reshape(1, 4, 1)),
    ]:
        got = f(yy, pp)
        assert type(got) is float
        assert got == pytest.approx(expected, rel=1e-12)


finite = st.floats(-1e3, 1e3, allow_nan=False)


def _same_length_pair(n):
    values = st.lists(finite, min_size=n, max_size=n)
    return st.tuples(values, values)


@given(st.integers(2, 30).flatmap(_same_length_pair))
def test_against_reference_formulas(pair):
    y, p = np.array(pair[0]), np.array(pair[1])
    err = y - p
    assert mae(y, p) == pytest.approx(np.abs(err).mean(), rel=1e-12, abs=1e-12)
    assert rmse(y, p) == pytest.approx(np.sqrt((err**2).mean()), rel=1e-12, abs=1e-12)
    assert mae(y, p) <= rmse(y, p) * (1 + 1e-12) + 1e-12  # the mean is at most the RMS
    assert mae(y, y) == 0.0 and rmse(y, y) == 0.0 and r2(y, y) == 1.0
    ss_tot = ((y - y.mean()) ** 2).sum()
    if ss_tot > 1e-6:
        assert r2(y, p) == pytest.approx(1 - (err**2).sum() / ss_tot, rel=1e-9, abs=1e-9)
        # predicting the mean everywhere scores 0
        assert r2(y, np.full_like(y, y.mean())) == pytest.approx(0.0, abs=1e-9)


def test_r2_constant_target_follows_scikit_learn():
    y = np.full(5, 2.0)
    assert r2(y, y) == 1.0
    assert r2(y, y + 1.0) == 0.0


def test_float32_inputs_are_computed_in_float64():
    y = np.array([1e4, 1e4 + 1], dtype=np.float32)
    p = np.array([1e4 + 1, 1e4], dtype=np.float32)
    assert rmse(y, p) == 1.0 and mae(y, p) == 1.0


@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize(
    ("shape_true", "shape_pred"),
    [((5,), (5, 5)), ((5,), (4,)), ((2, 3), (3, 2)), ((6,), (2, 3)), ((4,), (1, 5))],
)
def test_shape_mismatch_is_an_error_not_a_broadcast(name, shape_true, shape_pred):
    f = METRICS[name]
    with pytest.raises(ValueError) as info:
        f(np.ones(shape_true), np.ones(shape_pred))
    msg = str(info.value)
    assert msg.startswith(f"{name}:")
    assert str(shape_true) in msg and str(shape_pred) in msg


@pytest.mark.parametrize("name", sorted(METRICS))
def test_other_errors(name):
    f = METRICS[name]
    with pytest.raises(ValueError, match=f"{name}: .*empty"):
        f([], [])
    with pytest.raises(TypeError, match=f"{name}: y_pred must be numeric"):
        f([1.0, 2.0], ["a", "b"])
    with pytest.raises(TypeError, match=f"{name}: y_true must be numeric"):
        f(np.array([None, None]), [1.0, 2.0])


def test_r2_needs_two_samples():
    with pytest.raises(ValueError, match="r2: needs at least two samples"):
        r2([1.0], [1.0])
    assert mae([1.0], [3.0]) == 2.0 and rmse([1.0], [3.0]) == 2.0
