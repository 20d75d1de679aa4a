"""The gradient checker itself: it passes right gradients and fails wrong ones
with its default tolerances, and its strategies generate what they promise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
from minigrad.testing import (
    broadcastable_pairs,
    gradcheck,
    gradgradcheck,
    matmul_pairs,
    tensors,
)

rng = np.random.default_rng(7)


def _input(*shape):
    return mg.tensor(rng.standard_normal(shape), requires_grad=True)


class ScaledSquare(mg.Function):
    """x², with a backward off by a factor of 1.001."""

    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, g):
        (x,) = self.saved
        return g * 2 * x * 1.001


class MeanWithoutOneOverN(mg.Function):
    """mean over rows, with a backward that forgets the 1/N."""

    def forward(self, x):
        self.n = x.shape[0]
        return x.mean(axis=0)

    def backward(self, g):
        return np.broadcast_to(g, (self.n, *g.shape))


class BiasSummedOverWrongAxis(mg.Function):
    """add_bias whose bias gradient is summed over the columns instead of the rows."""

    def forward(self, n, b):
        return n + b

    def backward(self, g):
        return g, g.sum(axis=1)


def test_a_right_gradient_passes():
    assert gradcheck(lambda x, w: mg.sigmoid(x @ w), _input(4, 3), _input(3, 2))


def test_backward_times_1_001_fails():
    with pytest.raises(AssertionError, match="analytic .* numeric"):
        gradcheck(ScaledSquare.apply, _input(3, 2))


def test_a_missing_one_over_n_fails():
    with pytest.raises(AssertionError, match="input 0"):
        gradcheck(MeanWithoutOneOverN.apply, _input(5, 3))


def test_a_wrong_reduction_axis_fails():
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(BiasSummedOverWrongAxis.apply, _input(3, 3), _input(3))


def test_the_message_names_input_element_and_values():
    x = mg.tensor(np.array([[0.5, -1.0]]), requires_grad=True, name="W")
    with pytest.raises(AssertionError) as info:
        gradcheck(ScaledSquare.apply, x)
    msg = str(info.value)
    assert "input 0 (W)" in msg and "element (0, 0)" in msg
    assert "analytic" in msg and "numeric" in msg


def test_only_inputs_that_require_grad_are_checked():
    frozen = mg.tensor(rng.standard_normal(3))  # a wrong gradient here would not matter
    assert gradcheck(lambda a, b: a * b, _input(3), frozen)
    with pytest.raises(ValueError, match="requires grad"):
        gradcheck(lambda a: a * 2, mg.tensor([1.0]))


def test_gradgradcheck_catches_a_backward_that_is_right_only_to_first_order():
    class DetachedCube(mg.Function):
        """x³ whose backward uses a detached x: right values, no second derivative."""

        def forward(self, x):
            self.save_for_backward(x)
            return x**3

        def backward(self, g):
            (x,) = self.saved
            xd = x.detach() if isinstance(x, mg.Tensor) else x
            return g * 3 * xd * xd

    x = mg.tensor(rng.uniform(0.5, 1.5, 4), requires_grad=True)
    assert gradcheck(DetachedCube.apply, x)
    assert gradgradcheck(lambda v: v**3, x)
    with pytest.raises(AssertionError):
        gradgradcheck(DetachedCube.apply, x)


@given(tensors(max_value=2.0, min_value=-2.0))
def test_tensor_strategy_is_bounded_and_requires_grad(x):
    assert x.requires_grad and np.all(np.abs(x.data) <= 2.0)


@given(broadcastable_pairs())
def test_broadcastable_pairs_broadcast(pair):
    np.broadcast_shapes(pair[0].shape, pair[1].shape)


@given(matmul_pairs())
def test_matmul_pairs_multiply(pair):
    a, b = pair
    assert a.shape[-1] == b.shape[-2]
    np.matmul(a, b)


def test_gradcheck_keeps_integer_tensor_inputs_as_they_are():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = mg.tensor(np.array([2, 0]))
    assert gradcheck(lambda x, i: x[i] * 2.0, x, index)
    assert gradgradcheck(lambda x, i: (x[i] ** 2).sum(), x, index)
