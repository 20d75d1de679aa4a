"""The engine: accumulation, graph freeing, output gradients, grad mode, higher
order, in-place protection, numerics and memory."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops
from minigrad.testing import gradcheck


def t(data, **kw):
    return mg.tensor(data, requires_grad=True, **kw)


# --------------------------------------------------------------------------- Tensor basics


def test_python_numbers_and_lists_become_float64_and_booleans_stay_bool():
    assert mg.tensor(3).dtype == np.float64
    assert mg.tensor([[1, 2], [3, 4]]).dtype == np.float64
    assert mg.tensor([True, False]).dtype == bool  # booleans stay booleans, as in numpy


def test_numpy_arrays_keep_their_dtype():
    assert mg.tensor(np.arange(3)).dtype == np.int64
    assert mg.tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert mg.tensor(np.ones(2), dtype=np.float32).dtype == np.float32


def test_tensor_copies_and_Tensor_wraps():
    a = np.ones(3)
    assert mg.tensor(a).data is not a
    assert mg.Tensor(a).data is a


def test_requires_grad_on_integers_names_the_dtype():
    with pytest.raises(TypeError, match="int64"):
        mg.tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="int32"):
        mg.Tensor(np.arange(3, dtype=np.int32)).requires_grad_()


def test_non_numeric_data_is_refused():
    with pytest.raises(TypeError, match="object"):
        mg.tensor(np.array([object()]))
    with pytest.raises(TypeError, match="str"):
        mg.tensor("abc")


def test_attributes_and_repr():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="X")
    assert x.shape == (2, 2) and x.ndim == 2 and x.size == 4 and x.dtype == np.float64
    assert x.grad is None and x.is_leaf and x.name == "X"
    np.testing.assert_array_equal(x.T.data, [[1, 3], [2, 4]])
    assert x.numpy() is x.data
    np.testing.assert_array_equal(np.asarray(x), x.data)
    r = repr(x)
    assert "1." in r and "4." in r and "requires_grad=True" in r and "'X'" in r
    assert "op=mul" in repr(x * x)


def test_grad_is_a_tensor_of_the_same_shape_and_dtype():
    x = t(np.ones((2, 3), dtype=np.float32))
    (x * x).sum().backward()
    assert isinstance(x.grad, mg.Tensor)
    assert x.grad.shape == (2, 3) and x.grad.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(x.grad), np.full((2, 3), 2.0))


# --------------------------------------------------------------------------- accumulation


def test_shared_interior_node():
    a = t(3.0)
    b = a + a
    c = b * b  # c = 4a², dc/da = 8a
    c.backward()
    assert a.grad.item() == 24.0


def test_x_times_x():
    x = t([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0, 6.0])


def test_diamond_with_different_paths():
    x = t(2.0)
    y = x.exp()
    z = y * x + y.log() * 3  # dz/dx = e^x·x + e^x + 3
    z.backward()
    assert np.isclose(x.grad.item(), np.exp(2) * 2 + np.exp(2) + 3, rtol=1e-14)


def test_gradients_accumulate_over_backward_calls():
    x = t([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3 + 2, 3 + 4])


def test_two_backwards_with_retain_graph_add_up():
    x = t([1.0, 2.0])
    y = (x.sigmoid() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=1e-15)


def test_second_backward_through_a_freed_graph_says_retain_graph():
    x = t([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_frees_saved_arrays_but_keeps_the_structure():
    x, w = t(np.ones((2, 3)), name="X"), t(np.ones((3, 1)), name="W")
    n = x @ w
    loss = n.sum()
    assert n.op.saved[0] is x.data
    loss.backward()
    assert n.op.saved is None
    assert n.op.parents == (x, w) and n.op.name == "matmul"


def test_interior_grads_do_not_leak_into_a_second_graph():
    x = t([1.0, 2.0])
    h = x * 2
    (h * h).sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert h.grad is None  # only leaves keep gradients
    x.grad = None
    (h.detach() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_retain_grad_keeps_an_interior_gradient():
    x = t([1.0, 2.0])
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad.data, [6.0, 12.0])


def test_leaf_gradients_do_not_alias_each_other():
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.data[0] = 100.0
    assert b.grad.data[0] == 1.0


def test_a_100000_op_chain_backpropagates():
    x = t([0.5])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y = y * 2.0
    y.backward()
    assert x.grad.item() == 2.0


def test_a_deep_graph_is_released_without_recursion_errors():
    x = t([0.5])
    y = x
    for _ in range(100_000):
        y = y + 0.0
    ref = weakref.ref(y)
    del y
    gc.collect()
    assert ref() is None


# --------------------------------------------------------------------------- output gradient


def test_size_one_output_counts_as_scalar():
    x = t([[2.0]])
    (x * x).backward()
    assert x.grad.item() == 4.0


def test_non_scalar_output_needs_grad():
    x = t([1.0, 2.0])
    with pytest.raises(RuntimeError, match="not a scalar"):
        (x * 2).backward()


def test_explicit_output_gradient_as_array_or_tensor():
    x = t([1.0, 2.0])
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0])
    (x * 2).backward(mg.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad.data, [4.0, 22.0])


def test_output_gradient_of_the_wrong_shape_is_refused():
    x = t([1.0, 2.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


# --------------------------------------------------------------------------- grad mode


def test_no_grad_context_and_decorator():
    x = t([1.0])
    with mg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.op is None

    @mg.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad
    assert (x * 2).requires_grad and mg.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = t([1.0])
    with mg.no_grad(), mg.enable_grad():
        assert (x * 2).requires_grad


def test_no_grad_of_one_thread_does_not_affect_another():
    x = t([1.0])
    entered, release = threading.Event(), threading.Event()
    seen = {}

    def hold_no_grad():
        with mg.no_grad():
            entered.set()
            release.wait(5)

    other = threading.Thread(target=hold_no_grad)
    other.start()
    entered.wait(5)
    seen["main"] = (x * 2).requires_grad
    release.set()
    other.join()
    assert seen["main"] is True


def test_detach():
    x = t([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.op is None
    np.testing.assert_array_equal(d.data, [2.0, 4.0])


def test_ops_without_grad_record_nothing():
    x = mg.tensor([1.0, 2.0])
    y = x.sigmoid() * 3
    assert y.op is None and not y.requires_grad
    assert x.data.flags.writeable  # nothing was saved, nothing frozen


# --------------------------------------------------------------------------- higher order


def test_create_graph_makes_the_gradient_differentiable():
    x = t(1.5)
    y = x**3
    y.backward(create_graph=True)
    gx = x.grad  # 3x²
    assert gx.requires_grad
    assert np.isclose(gx.item(), 3 * 1.5**2)
    x.grad = None
    gx.backward()
    assert np.isclose(x.grad.item(), 6 * 1.5)  # d(3x²)/dx


def test_grad_of_grad():
    f = lambda x: (x**3).sum()  # noqa: E731
    d1 = mg.grad(f)
    d2 = mg.grad(lambda x: d1(x).sum())
    d3 = mg.grad(mg.grad(mg.grad(lambda x: (x.sin() if False else x.exp()).sum())))
    assert np.isclose(d1(2.0).item(), 12.0)
    assert np.isclose(d2(2.0).item(), 12.0)
    assert np.isclose(mg.grad(mg.grad(lambda x: x**4))(2.0).item(), 48.0)
    assert np.isclose(d3(0.5).item(), np.exp(0.5))


def test_value_and_grad_and_argnums():
    f = lambda a, b: (a * b * b).sum()  # noqa: E731
    value, (ga, gb) = mg.value_and_grad(f, argnums=(0, 1))(np.array([1.0, 2.0]),
                                                          np.array([3.0, 4.0]))
    assert value.item() == 1 * 9 + 2 * 16
    np.testing.assert_array_equal(ga.data, [9.0, 16.0])
    np.testing.assert_array_equal(gb.data, [6.0, 16.0])
    np.testing.assert_array_equal(mg.grad(f, argnums=1)(np.array([1.0]), np.array([3.0])).data,
                                  [6.0])


def test_grad_leaves_inputs_grad_untouched():
    x = t([1.0, 2.0])
    w = t([3.0, 4.0])
    g = mg.grad(lambda v: (v * w).sum())(x)
    np.testing.assert_array_equal(g.data, [3.0, 4.0])
    assert x.grad is None and w.grad is None


def test_grad_needs_a_scalar_function():
    with pytest.raises(ValueError, match="scalar"):
        mg.grad(lambda v: v * 2)(np.ones(3))


def test_hessian_vector_product_of_a_network_loss():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 1))

    def loss(w):
        return mg.mse(mg.matmul(x, w).tanh(), y)

    w0 = rng.standard_normal((3, 1))
    v = rng.standard_normal((3, 1))
    hv = mg.grad(lambda w: (mg.grad(loss)(w) * v).sum())(w0).data
    eps = 1e-6
    numeric = (mg.grad(loss)(w0 + eps * v).data - mg.grad(loss)(w0 - eps * v).data) / (2 * eps)
    np.testing.assert_allclose(hv, numeric, rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- in-place safety


def test_editing_saved_data_in_place_is_refused():
    x = t([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 10.0
    with pytest.raises(ValueError, match="read-only"):
        x.data += 1
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_editing_a_view_of_saved_data_is_refused():
    x = t(np.arange(6.0))
    r = x.reshape(2, 3)
    (r * r).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 1.0


def test_in_place_update_under_no_grad_keeps_the_graph_correct():
    x = t([1.0, 2.0])
    y = (x * x).sum()
    with mg.no_grad():
        x -= 1.0  # the saved array is read-only, so x gets a fresh array
    np.testing.assert_array_equal(x.data, [0.0, 1.0])
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # at the values used


def test_in_place_update_writes_in_place_when_nothing_is_saved():
    x = t([1.0, 2.0])
    buf = x.data
    with mg.no_grad():
        x *= 2.0
    assert x.data is buf
    np.testing.assert_array_equal(buf, [2.0, 4.0])


def test_in_place_on_a_tensor_requiring_grad_outside_no_grad_is_refused():
    x = t([1.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        x += 1.0


# --------------------------------------------------------------------------- dtypes


def test_float32_stays_float32_through_scalar_ops_and_losses():
    x = t(np.ones((4, 3), dtype=np.float32))
    w = t(np.ones((3, 1), dtype=np.float32))
    b = t(np.zeros(1, dtype=np.float32))
    y = np.zeros((4, 1), dtype=np.float32)
    loss = mg.mse(mg.add_bias(x @ w, b).sigmoid() * 2 - 1, y) / 2
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_cast_op_converts_the_gradient_back():
    x = t(np.ones(3, dtype=np.float32))
    y = x.astype(np.float64) * 2
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [2, 2, 2])


def test_indexing_backward_accumulates_repeated_indices_and_differentiates_again():
    x = t([1.0, 2.0, 3.0])
    y = x[[0, 0, 2]]
    (y * y).sum().backward(create_graph=True)
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 6.0])
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 0.0, 2.0])
    assert gradcheck(lambda v: v[np.array([1, 1, 0])] ** 2, t([1.0, 2.0, 3.0]))


# --------------------------------------------------------------------------- numerics


@pytest.mark.parametrize("value", [1000.0, -1000.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_ops_are_finite_at_1000(value, dtype):
    # conftest makes overflow, invalid and divide-by-zero raise, and RuntimeWarning fail
    x = mg.tensor(np.array([[value, 0.0, -value / 2]], dtype=dtype), requires_grad=True)
    for fn in (mg.sigmoid, lambda v: mg.softmax(v, axis=1), lambda v: mg.log_softmax(v, axis=1),
               lambda v: mg.cross_entropy(v, [0]), lambda v: mg.cross_entropy(v, [1])):
        x.grad = None
        out = fn(x)
        assert np.all(np.isfinite(out.data))
        out.backward(np.ones(out.shape, dtype=dtype))
        assert np.all(np.isfinite(x.grad.data))


def test_sigmoid_keeps_relative_precision_for_negative_inputs():
    x = np.array([-30.0, -200.0, -700.0])
    expected = np.exp(x) / (1 + np.exp(x))
    np.testing.assert_allclose(mg.sigmoid(x).data, expected, rtol=1e-14)


def test_cross_entropy_at_extreme_logits():
    logits = mg.tensor([[1000.0, -1000.0]], requires_grad=True)
    loss = mg.cross_entropy(logits, [1])
    assert loss.item() == 2000.0
    loss.backward()
    np.testing.assert_allclose(logits.grad.data, [[1.0, -1.0]])


# --------------------------------------------------------------------------- custom ops


class Cube(mg.Function):
    formula = "dL/d{0} = dL/d{y} ⊙ 3{0}²"

    def forward(self, x):
        self.save_for_backward(x)
        return x**3

    def backward(self, g):
        (x,) = self.saved
        return g * 3 * x**2


def test_a_user_defined_op():
    x = t([1.0, 2.0])
    y = Cube.apply(x)
    assert y.op.name == "cube"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 12.0])
    assert gradcheck(Cube.apply, t([0.5, -1.5]))
    assert mg.grad(mg.grad(lambda v: Cube.apply(v)))(2.0).item() == 12.0


def test_a_backward_returning_the_wrong_number_of_gradients_is_reported():
    class Broken(mg.Function):
        def forward(self, a, b):
            return a + b

        def backward(self, g):
            return (g,)

    with pytest.raises(RuntimeError, match="broken.*2 gradients"):
        Broken.apply(t([1.0]), t([2.0])).sum().backward()


# --------------------------------------------------------------------------- memory


def test_a_training_step_leaves_no_reference_cycles():
    rng = np.random.default_rng(0)
    w = t(rng.standard_normal((3, 4)))
    b = t(np.zeros(4))
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 4))
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            loss = mg.mse(mg.add_bias(x @ w, b).sigmoid(), y)
            loss.backward()
            with mg.no_grad():
                w -= 0.1 * w.grad
                b -= 0.1 * b.grad
            w.grad = b.grad = None
        del loss
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_graph_is_freed_when_the_output_goes():
    x = t(np.ones(3))
    h = x.sigmoid()
    y = h * 2
    inner = weakref.ref(h)
    del h
    assert inner() is not None  # kept alive by y's graph
    del y
    assert inner() is None


def test_op_table_of_ops_module_lists_functions():
    for cls in ops.OPS:
        assert issubclass(cls, mg.Function)
        assert cls.name and cls.formula


def test_casting_to_an_integer_dtype_gives_a_constant():
    x = t([1.5, 2.5])
    y = x.astype(np.int64)
    assert y.dtype == np.int64 and not y.requires_grad and y.op is None
    np.testing.assert_array_equal(y.data, [1, 2])


def test_transpose_with_negative_axes():
    rng = np.random.default_rng(4)
    for axes in [(0, -1, 1), (-2, -1, 0), (2, 0, 1)]:
        x = t(rng.standard_normal((2, 3, 4)))
        assert gradcheck(lambda v, a=axes: mg.transpose(v, a), x)
        np.testing.assert_array_equal(mg.transpose(x, axes).data, np.transpose(x.data, axes))


@pytest.mark.parametrize("axis", [None, (0, 1), (-1, 0)])
def test_softmax_family_over_several_axes(axis):
    rng = np.random.default_rng(5)
    x = t(rng.standard_normal((2, 3)))
    z = x.data - x.data.max(axis=axis, keepdims=True)
    expected = np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(mg.softmax(x, axis=axis).data, expected, rtol=1e-12)
    np.testing.assert_allclose(mg.log_softmax(x, axis=axis).data, np.log(expected), rtol=1e-12)
    assert gradcheck(lambda v: mg.softmax(v, axis=axis), x)
    assert gradcheck(lambda v: mg.log_softmax(v, axis=axis), x)


def test_a_backward_with_too_few_dimensions_is_reported():
    class Flat(mg.Function):
        def forward(self, x):
            return x * 2

        def backward(self, g):
            return g.sum()  # 0-d, for a (1, 1) input

    with pytest.raises(RuntimeError, match=r"cannot be summed to shape \(1, 1\)"):
        Flat.apply(t([[1.0]])).backward(np.ones((1, 1)))


def test_cross_entropy_keeps_its_own_copy_of_the_labels():
    z = t([[0.0, 0.0], [0.0, 0.0]])
    labels = np.array([0, 1])
    loss = mg.cross_entropy(z, labels)
    labels[:] = [1, 0]
    loss.backward()
    np.testing.assert_allclose(z.grad.data, [[-0.25, 0.25], [0.25, -0.25]])


def test_retained_gradients_accumulate_like_leaves():
    x = t([1.0, 2.0])
    h = (x * 3).retain_grad()
    y = h.sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(h.grad.data, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])
