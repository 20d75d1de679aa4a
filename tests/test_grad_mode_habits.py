"""PyTorch habits in the engine: bare @no_grad, set_grad_enabled, inference_mode,
backward(gradient=...), grad() given a tensor, and .grad read on a non-leaf."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg


def test_bare_no_grad_decorator():
    x = mg.tensor([1.0, 2.0], requires_grad=True)

    @mg.no_grad
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert (x * 2).requires_grad
    assert double.__name__ == "double"


def test_set_grad_enabled_as_call_context_and_decorator():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mg.is_grad_enabled()
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()

    @mg.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert mg.is_grad_enabled()
    assert not f(x).requires_grad
    with pytest.raises(TypeError, match="set_grad_enabled"):
        mg.set_grad_enabled("no")


def test_inference_mode():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.inference_mode():
        assert not (x * 2).requires_grad
    with mg.inference_mode(False):
        assert (x * 2).requires_grad

    @mg.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_backward_takes_gradient_as_pytorch_names_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [3.0, 30.0])
    with pytest.raises(TypeError, match="not both"):
        (x * 3).backward(np.ones(2), gradient=np.ones(2))


def test_grad_given_a_tensor_explains_itself():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(TypeError) as info:
        mg.grad(y, x)
    text = str(info.value)
    assert "grad" in text and "function" in text and "backward()" in text
    with pytest.raises(TypeError, match="argnums"):
        mg.grad(lambda t: t.sum(), x)


def test_reading_grad_of_a_non_leaf_warns_and_names_retain_grad():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (h * h).sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert h.grad is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is not None
        assert mg.tensor([1.0], requires_grad=True).grad is None  # a leaf: no warning
        h2 = (x * 2).retain_grad()
        (h2 * h2).sum().backward()
        np.testing.assert_array_equal(h2.grad.data, [4.0, 8.0])
