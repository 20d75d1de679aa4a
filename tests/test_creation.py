"""Creation ops beyond the op table: random draws (ranges, moments, seeds and
generators, no global state), leaves that require grad, names, and the rest of
numpy's signatures."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops

RANDOM = {
    "rand": lambda **kw: ops.rand(4000, **kw),
    "randn": lambda **kw: ops.randn(4000, **kw),
    "normal": lambda **kw: ops.normal(2.0, 3.0, 4000, **kw),
    "uniform": lambda **kw: ops.uniform(-2.0, 5.0, 4000, **kw),
    "randint": lambda **kw: ops.randint(-3, 4, 4000, **kw),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_a_seed_gives_the_same_values_and_a_generator_moves_on(name):
    draw = RANDOM[name]
    a, b = draw(rng=7), draw(rng=7)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, draw(rng=8).data)
    gen = np.random.default_rng(7)
    first, second = draw(rng=gen), draw(rng=gen)
    np.testing.assert_array_equal(first.data, a.data)  # default_rng(7) is what seed 7 means
    assert not np.array_equal(first.data, second.data)
    np.testing.assert_array_equal(draw(rng=np.random.default_rng(7)).data, a.data)


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_no_rng_is_a_fresh_generator_and_no_global_state_is_touched(name):
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    a, b = RANDOM[name](), RANDOM[name]()
    assert not np.array_equal(a.data, b.data)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_ranges_and_moments():
    u = ops.rand(20000, rng=1).data
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01
    n = ops.randn(20000, rng=2).data
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1.0) < 0.03
    x = ops.normal(2.0, 3.0, 20000, rng=3).data
    assert abs(x.mean() - 2.0) < 0.1 and abs(x.std() - 3.0) < 0.1
    v = ops.uniform(-2.0, 5.0, 20000, rng=4).data
    assert v.min() >= -2.0 and v.max() < 5.0 and abs(v.mean() - 1.5) < 0.1
    k = ops.randint(-3, 4, 20000, rng=5).data
    assert k.dtype == np.int64 and set(np.unique(k)) == set(range(-3, 4))
    assert set(np.unique(ops.randint(3, size=500, rng=6).data)) == {0, 1, 2}


def test_random_dtypes_and_shapes():
    assert ops.rand(2, 3, rng=0).shape == (2, 3) == ops.rand((2, 3), rng=0).shape
    assert ops.rand(rng=0).shape == ()
    assert ops.randn([2, 1], rng=0).shape == (2, 1)
    for f in (ops.rand, ops.randn):
        assert f(3, rng=0, dtype=np.float32).dtype == np.float32
        half = f(1000, rng=0, dtype=np.float16)
        assert half.dtype == np.float16
    assert ops.rand(10000, rng=0, dtype=np.float16).data.max() < 1.0
    assert ops.normal(size=(2,), rng=0, dtype=np.float32).dtype == np.float32
    assert ops.uniform(size=(2,), rng=0, dtype=np.float32).dtype == np.float32
    assert ops.randint(5, size=(3,), rng=0, dtype=np.int8).dtype == np.int8
    assert ops.normal(np.zeros(3), 1.0, rng=0).shape == (3,)  # the bounds' broadcast shape
    np.testing.assert_array_equal(ops.rand(3, rng=9, dtype=np.float32).data,
                                  np.random.default_rng(9).random(3, dtype=np.float32))


def test_results_are_leaves_that_can_require_grad():
    for make in (lambda **kw: ops.zeros((2, 3), **kw), lambda **kw: ops.ones(3, **kw),
                 lambda **kw: ops.full(3, 2.0, **kw), lambda **kw: ops.eye(3, **kw),
                 lambda **kw: ops.linspace(0, 1, 3, **kw), lambda **kw: ops.arange(3.0, **kw),
                 lambda **kw: ops.zeros_like(np.ones(3), **kw),
                 lambda **kw: ops.randn(3, rng=0, **kw), lambda **kw: ops.uniform(size=3, **kw),
                 lambda **kw: ops.empty(2, **kw)):
        t = make(requires_grad=True, name="w")
        assert t.is_leaf and t.requires_grad and t.name == "w" and t.grad is None
        (t * t).sum().backward()
        np.testing.assert_allclose(t.grad.data, 2 * t.data)
        assert not make().requires_grad


def test_like_functions_take_shape_and_dtype_not_the_graph():
    x = mg.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    for fn in (ops.zeros_like, ops.ones_like, ops.empty_like, np.zeros_like, np.ones_like,
               np.empty_like):
        t = fn(x)
        assert isinstance(t, mg.Tensor) and t.shape == (2, 3) and t.dtype == np.float32
        assert not t.requires_grad and t.is_leaf
    assert np.full_like(x, 7).data.tolist() == [[7.0] * 3] * 2
    assert ops.zeros_like(x, shape=(4,)).shape == (4,)
    assert ops.full_like(np.ones(2, dtype=np.int64), 2.5).data.tolist() == [2, 2]
    assert ops.zeros_like([[1, 2]]).dtype == np.int64
    assert np.zeros_like(x, dtype=np.float64).dtype == np.float64


def test_empty_is_zeros():
    assert not ops.empty((50, 50)).data.any()
    assert not ops.empty_like(np.ones((50, 50))).data.any()


def test_results_own_their_arrays():
    base = np.arange(3.0)
    t = ops.zeros_like(base)
    t.data[0] = 5
    assert base[0] == 0
    fill = np.array([1.0, 2.0])
    f = ops.full((2, 2), fill)
    f.data[0, 0] = 9
    assert fill[0] == 1.0


def test_numpy_defaults():
    assert ops.full((2,), 3).dtype == np.int64
    assert ops.full((2,), True).dtype == np.bool_
    assert ops.arange(4).dtype == np.int64 and ops.arange(0, 2.5).dtype == np.float64
    assert ops.arange(0, 1, 0.25).data.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ops.linspace(0, 1, 5).dtype == np.float64
    t, step = ops.linspace(0, 1, 5, retstep=True)
    assert step == 0.25 and t.shape == (5,)
    assert ops.linspace(np.zeros(2), np.ones(2), 3, axis=1).shape == (2, 3)
    assert ops.eye(2, 3, k=1).data.tolist() == [[0, 1, 0], [0, 0, 1]]
    assert ops.randint(5, rng=0).shape == ()


def test_values_from_tensors_that_need_no_gradient():
    assert ops.full(2, mg.tensor(3.0)).data.tolist() == [3.0, 3.0]
    assert ops.arange(mg.tensor(3, dtype=np.int64)).shape == (3,)
    with pytest.raises(TypeError, match="uniform: low is a Tensor that requires grad"):
        ops.uniform(mg.tensor(0.0, requires_grad=True), 1.0, 3)
