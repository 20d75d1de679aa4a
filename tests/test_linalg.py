"""Products and linear algebra beyond the op table: the minigrad.linalg namespace,
einsum's planned backward and numpy's sublist form, determinants at singular
matrices, slogdet's sign, and overflow that numpy.linalg itself would hide."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.linalg
from minigrad import ops
from minigrad.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def leaf(*shape):
    return mg.tensor(RNG.standard_normal(shape), requires_grad=True)


def test_the_namespace_holds_the_ops_and_numpy_linalg_dispatches_to_them():
    for name in ("inv", "det", "slogdet", "solve", "matmul", "outer", "tensordot", "einsum",
                 "dot", "inner"):
        assert getattr(minigrad.linalg, name) is getattr(ops, name)
    a = mg.tensor(np.eye(2) * 2, requires_grad=True)
    assert type(np.linalg.inv(a).op) is ops.Inv
    assert type(np.linalg.det(a).op) is ops.Det
    assert type(np.linalg.slogdet(a).logabsdet.op) is ops.Slogdet
    assert type(np.linalg.solve(a, np.ones(2)).op) is ops.Solve
    assert type(np.linalg.tensordot(a, a).op) is ops.Tensordot
    assert type(np.linalg.matmul(a, a).op) is ops.Matmul
    assert type(np.dot(np.ones((2, 2)), a).op) is ops.Dot  # an array on the left


def test_einsum_backward_planned_by_numpy_matches_the_plain_loop():
    a, b, c = leaf(70, 60), leaf(60, 3), leaf(3)  # 4200 elements: the planned path
    out = ops.einsum("ij,jk,k->i", a, b, c)
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    planned = [t.grad.data for t in (a, b, c)]
    for t in (a, b, c):
        t.grad = None
    ops.einsum("ij,jk,k->i", a, b, c).backward(g)  # three operands: planned as well
    np.testing.assert_allclose(a.grad.data, np.einsum("i,jk,k->ij", g, b.data, c.data))
    for got, t in zip(planned, (a, b, c)):
        np.testing.assert_allclose(got, t.grad.data, rtol=1e-12, atol=1e-12)
    small = [leaf(3, 4), leaf(4, 2)]
    assert gradcheck(lambda x, y: ops.einsum("ij,jk", x, y, optimize="greedy"), *small)
    assert gradgradcheck(lambda x, y: np.einsum("ij,jk", x, y, optimize=True), *small)


def test_einsum_sublist_form_orders_an_implicit_output_as_numpy_does():
    a = leaf(2, 3)
    for sub in ([27, 1], [1, 27], [0, Ellipsis]):
        np.testing.assert_array_equal(ops.einsum(a, sub).data, np.einsum(a.data, sub))
    b = leaf(4, 2, 3)
    np.testing.assert_allclose(ops.einsum(b, [Ellipsis, 5, 5 + 26]).data,
                               np.einsum(b.data, [Ellipsis, 5, 5 + 26]))


def test_einsum_keeps_float32_with_diagonals_and_broadcast_labels():
    a = mg.tensor(np.ones((3, 3), dtype=np.float32), requires_grad=True)
    b = mg.tensor(np.ones((1, 4), dtype=np.float32), requires_grad=True)
    out = ops.einsum("ii,jk->ik", a, b)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad.data, 4 * np.eye(3))
    np.testing.assert_array_equal(b.grad.data, np.full((1, 4), 3.0))


def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix():
    s = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    batch = mg.tensor(np.stack([s, np.eye(3) * 2]), requires_grad=True)
    ops.det(batch).backward(np.ones(2))
    cof = np.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(batch.grad.data[0], cof, atol=1e-12)
    np.testing.assert_allclose(batch.grad.data[1], 4 * np.eye(3))
    x = mg.tensor(s, requires_grad=True)
    assert gradgradcheck(ops.det, x)  # the cofactors are differentiable again
    big = mg.tensor(np.zeros((9, 9)), requires_grad=True)
    d = ops.det(big)
    with pytest.raises(np.linalg.LinAlgError, match=r"det: .*singular.*\(9, 9\)"):
        d.backward()


def test_slogdet_sign_has_no_gradient_and_singular_matrices_have_none_either():
    a = mg.tensor([[0.0, 2.0], [3.0, 1.0]], requires_grad=True)
    sign, logabsdet = ops.slogdet(a)
    assert sign.item() == -1.0 and not sign.requires_grad and sign.op is None
    np.testing.assert_allclose(logabsdet.item(), np.log(6.0))
    sign, logabsdet = np.linalg.slogdet(a)
    assert isinstance(sign, mg.Tensor) and logabsdet.requires_grad
    s = mg.tensor(np.ones((2, 2)), requires_grad=True)
    with np.errstate(divide="ignore"):
        sign, logabsdet = ops.slogdet(s)
    assert sign.item() == 0.0 and logabsdet.item() == -np.inf
    with pytest.raises(np.linalg.LinAlgError, match=r"slogdet: .*\(2, 2\) is singular"):
        logabsdet.backward()


def test_overflow_numpy_linalg_hides_follows_the_error_state():
    a = np.array([[1e-310, 0.0], [0.0, 1e-310]])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not np.isfinite(ops.inv(a).data).all()  # silent, as numpy.linalg
    with np.errstate(all="warn"), pytest.warns(RuntimeWarning, match="in inv"):
        ops.inv(a)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError, match=r"^inv: .*singular"):
        ops.inv(a)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError, match=r"^solve: "):
        ops.solve(a, np.ones(2))


def test_solve_broadcasts_batches_as_numpy_2():
    a = mg.tensor(np.eye(3) * 2 + 0.1, requires_grad=True)
    b = leaf(4, 3, 2)
    x = ops.solve(a, b)
    np.testing.assert_allclose(x.data, np.linalg.solve(a.data, b.data))
    assert gradcheck(ops.solve, a, b)
    stack = mg.tensor(np.stack([np.eye(2)] * 3) + 0.5, requires_grad=True)
    assert ops.solve(stack, np.ones(2)).shape == (3, 2)
    assert gradcheck(ops.solve, stack, mg.tensor(np.ones(2), requires_grad=True))
    bad = np.stack([np.eye(2), np.eye(2), np.ones((2, 2))])
    with pytest.raises(np.linalg.LinAlgError, match=r"batch index \(2,\)"):
        ops.solve(bad, np.ones(2))
