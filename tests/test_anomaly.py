"""detect_anomaly: NaN and infinity in forward outputs and backward gradients are
reported with the op's name and the user's line that created it."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture(autouse=True)
def _let_nonfinite_values_through():
    with np.errstate(all="ignore"):
        yield


def test_forward_nan_names_the_op_and_the_line():
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    with mg.detect_anomaly(), pytest.raises(mg.AnomalyError) as info:
        x.log()  # the line named in the message
    msg = str(info.value)
    assert "'log'" in msg and "1 NaN" in msg
    assert "test_anomaly.py" in msg and "x.log()" in msg


def test_backward_infinity_names_the_op_and_where_it_was_created():
    x = mg.tensor([4.0, 0.0], requires_grad=True)
    with mg.detect_anomaly():
        y = x**0.5  # finite forward; the gradient at 0 is infinite
        with pytest.raises(mg.AnomalyError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "backward of 'pow'" in msg and "input 0" in msg and "y = x**0.5" in msg


def test_without_anomaly_mode_values_pass_silently():
    x = mg.tensor([0.0], requires_grad=True)
    y = (x**0.5).sum()
    y.backward()
    assert np.isinf(x.grad.data[0])


def test_finite_values_pass_and_the_mode_ends_with_the_block():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.detect_anomaly():
        (x.log() * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.log([1.0, 2.0]) + 1)
    assert np.isnan(mg.log(mg.tensor([-1.0])).item())


def test_anomaly_mode_is_per_thread():
    errors = []
    inside, done = threading.Event(), threading.Event()

    def hold():
        with mg.detect_anomaly():
            inside.set()
            done.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    inside.wait(5)
    try:
        mg.log(mg.tensor([-1.0]))  # this thread is not in anomaly mode
    except mg.AnomalyError as e:
        errors.append(e)
    done.set()
    other.join()
    assert not errors
