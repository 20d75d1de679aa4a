"""The chapter's hand-derived gradients, reproduced by autodiff to 1e-12.

Linear regression: N = X·W, P = N + B, L = Σ(Y − P)²;
    dL/dP = −2(Y − P), dL/dW = Xᵀ·dL/dP, dL/dB = Σ_rows dL/dP.
Network: M1 = X·W1, N1 = M1 + B1, O1 = σ(N1), P = O1·W2 + B2, L = Σ(Y − P)²;
    dL/dW2 = O1ᵀ·dL/dP, dL/dB2 = Σ_rows dL/dP, dL/dO1 = dL/dP·W2ᵀ,
    dL/dN1 = dL/dO1 ⊙ σ(N1)(1 − σ(N1)), dL/dW1 = Xᵀ·dL/dN1, dL/dB1 = Σ_rows dL/dN1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    batch, features, hidden = draw(st.integers(1, 30)), draw(st.integers(1, 13)), \
        draw(st.integers(1, 13))
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((batch, features)), rng.standard_normal((batch, 1)),
            rng.standard_normal((features, hidden)), rng.standard_normal(hidden),
            rng.standard_normal((hidden, 1)), rng.standard_normal(1))


@settings(max_examples=40)
@given(problems())
def test_linear_regression_gradients(problem):
    x, y, w_init, _, _, b_init = problem
    w_init = w_init[:, :1]
    X, Y = mg.tensor(x, name="X"), mg.tensor(y, name="Y")
    W = mg.tensor(w_init, requires_grad=True, name="W")
    B = mg.tensor(b_init, requires_grad=True, name="B")
    N = mg.matmul(X, W)
    P = mg.add_bias(N, B)
    L = mg.mse(P, Y, reduction="sum")
    L.backward()

    n = x @ w_init
    p = n + b_init
    dLdP = -2 * (y - p)
    _close(L.item(), np.sum((y - p) ** 2))
    _close(W.grad.data, x.T @ dLdP)
    _close(B.grad.data, dLdP.sum(axis=0))


@settings(max_examples=40)
@given(problems())
def test_network_gradients(problem):
    x, y, w1, b1, w2, b2 = problem
    X, Y = mg.tensor(x), mg.tensor(y)
    W1, B1 = mg.tensor(w1, requires_grad=True), mg.tensor(b1, requires_grad=True)
    W2, B2 = mg.tensor(w2, requires_grad=True), mg.tensor(b2, requires_grad=True)
    O1 = mg.sigmoid(mg.add_bias(mg.matmul(X, W1), B1))
    P = mg.add_bias(mg.matmul(O1, W2), B2)
    mg.mse(P, Y, reduction="sum").backward()

    n1 = x @ w1 + b1
    o1 = 1 / (1 + np.exp(-n1))
    p = o1 @ w2 + b2
    dLdP = -2 * (y - p)
    dLdO1 = dLdP @ w2.T
    dLdN1 = dLdO1 * o1 * (1 - o1)
    _close(W2.grad.data, o1.T @ dLdP)
    _close(B2.grad.data, dLdP.sum(axis=0))
    _close(W1.grad.data, x.T @ dLdN1)
    _close(B1.grad.data, dLdN1.sum(axis=0))


def test_the_books_hidden_bias_gradient_differs_from_the_true_one():
    """The book's code sums dL/dN1 over the hidden units as well, giving every hidden
    bias the same update; autodiff gives each unit its own."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((23, 13)), rng.standard_normal((23, 1))
    w1, b1, w2 = rng.standard_normal((13, 13)), rng.standard_normal(13), \
        rng.standard_normal((13, 1))
    B1 = mg.tensor(b1, requires_grad=True)
    O1 = mg.sigmoid(mg.add_bias(mg.matmul(x, w1), B1))
    mg.mse(mg.matmul(O1, w2), y, reduction="sum").backward()
    o1 = 1 / (1 + np.exp(-(x @ w1 + b1)))
    dLdN1 = (-2 * (y - o1 @ w2)) @ w2.T * o1 * (1 - o1)
    books = np.full(13, dLdN1.sum())
    _close(B1.grad.data, dLdN1.sum(axis=0))
    assert not np.allclose(B1.grad.data, books)
    assert B1.grad.data.sum() == pytest.approx(books[0])
