"""Edges where a gradient or a value could come out wrong without any error: 0-d
tensors, a tensor beside its own detach(), derived saved arrays, indices and views
changed after recording, axes, grad mode in generators, dtype rules, empty inputs,
and comparisons. Each test names the behaviour it pins down."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck

# --------------------------------------------------------------------------- 0-d tensors
# (every op at 0-d: test_ops.py::test_tensor_data_is_always_an_ndarray, from the op table)


def test_zero_d_gradient_of_a_shared_input_is_an_array():
    a = mg.tensor(3.0, requires_grad=True)
    b = a + a
    (b * b).backward()
    assert type(a.grad.data) is np.ndarray
    assert np.asarray(a.grad) == 24.0
    assert type(a.grad.numpy()) is np.ndarray


def test_zero_d_inplace_update_keeps_an_array():
    a = mg.tensor(3.0, requires_grad=True)
    y = a * a
    y.backward()
    with mg.no_grad():
        a -= 0.1 * a.grad  # a's array is saved by the graph: written into a new one
    assert type(a.data) is np.ndarray
    b = mg.tensor(1.0, requires_grad=True)
    (b * b).backward(retain_graph=True)
    (b * b).backward()  # the second gradient is added to the first
    assert type(b.grad.data) is np.ndarray and b.grad.item() == 4.0


# --------------------------------------------------------------------------- saved arrays


def test_second_order_through_a_tensor_and_its_own_detach():
    # d/dx of d/dy sum(y * stop(y)) = d/dx sum(x) ... the inner gradient is stop(y),
    # which has no gradient: [0, 0] (PyTorch agrees)
    x = np.array([1.0, 2.0])
    g = mg.grad(lambda x: mg.grad(lambda y: (y * y.detach()).sum())(x).sum())(x)
    np.testing.assert_array_equal(g.data, [0.0, 0.0])
    # inner gradient 2 (y - stop(y)) = 0 in value, but its derivative in y is 2
    g = mg.grad(lambda x: mg.grad(lambda y: mg.mse(y, y.detach(), reduction="sum"))(x).sum())(x)
    np.testing.assert_array_equal(g.data, [2.0, 2.0])
    g = mg.grad(lambda x: mg.grad(lambda y: mg.mse(y.detach(), y, reduction="sum"))(x).sum())(x)
    np.testing.assert_array_equal(g.data, [2.0, 2.0])


class _CubeFromSquare(mg.Function):
    """x³ with a backward that uses a derived array: x² saved instead of x."""

    def forward(self, x):
        xx = x * x
        self.save_for_backward(xx)
        return xx * x

    def backward(self, g):
        (xx,) = self.saved
        return g * 3 * xx


def test_a_derived_saved_array_refuses_second_order():
    x = mg.tensor([1.0, -1.5], requires_grad=True)
    assert gradcheck(_CubeFromSquare.apply, x)  # first order is right
    f = lambda x: _CubeFromSquare.apply(x).sum()  # noqa: E731
    with pytest.raises(RuntimeError) as info:
        mg.grad(mg.grad(f))(np.array([1.0, -1.5]))
    text = str(info.value)
    assert "_cubefromsquare" in text and "once_differentiable" in text
    assert "save_for_backward" in text


def test_an_op_declared_first_order_only_refuses_create_graph():
    class Cube(_CubeFromSquare):
        once_differentiable = True

    x = mg.tensor([1.0, -1.5], requires_grad=True)
    y = Cube.apply(x).sum()
    with pytest.raises(RuntimeError, match="cube.*first order"):
        y.backward(create_graph=True)
    y = Cube.apply(x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 6.75])


def test_an_integer_saved_array_is_a_constant_under_second_order():
    class Scale(mg.Function):
        def forward(self, x):
            self.save_for_backward(x, np.array([2, 3]))
            return x * np.array([2, 3])

        def backward(self, g):
            x, k = self.saved
            return g * k * (x * 0 + 1)

    g2 = mg.grad(lambda x: mg.grad(lambda y: (Scale.apply(y) * y).sum())(x).sum())(
        np.array([1.0, 2.0]))
    np.testing.assert_allclose(g2.data, [4.0, 6.0])


# --------------------------------------------------------------------------- kept by reference


def test_getitem_keeps_its_own_copy_of_the_index():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = np.array([0, 0])
    y = x[idx]
    idx[:] = 2
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, 0.0])


def test_getitem_keeps_its_own_copy_of_a_tensor_index_and_index_tuples():
    x = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    rows = mg.tensor(np.array([1, 1]))
    cols = np.array([0, 2])
    y = x[rows, cols]
    rows.data[:] = 0
    cols[:] = 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0], [1, 0, 1]])


@pytest.mark.parametrize("make_view", [lambda x: x[:], lambda x: x.reshape(3),
                                       lambda x: x.T, lambda x: x[::1][:]])
def test_an_inplace_edit_through_a_view_never_reaches_a_saved_array(make_view):
    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = make_view(x)
    y = (x * x).sum()
    with mg.no_grad():
        w += 10
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0, 6.0])
    np.testing.assert_array_equal(x.data, [1.0, -2.0, 3.0])
    np.testing.assert_array_equal(w.data, [11.0, 8.0, 13.0])


# --------------------------------------------------------------------------- axes


@pytest.mark.parametrize("axes", [(0, 7), (-3, 0), (0, 2), (5,)])
def test_transpose_refuses_out_of_range_axes(axes):
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        mg.transpose(x, axes)
    text = str(info.value)
    assert "transpose" in text and "(2, 3)" in text


@pytest.mark.parametrize("call", [
    lambda x: mg.sum(x, 2), lambda x: mg.mean(x, -3), lambda x: mg.softmax(x, 2),
    lambda x: mg.log_softmax(x, -3), lambda x: mg.sum(x, (0, 5)),
])
def test_every_axis_argument_is_checked_with_the_op_axis_and_shape(call):
    with pytest.raises(ValueError) as info:
        call(mg.tensor(np.ones((2, 3))))
    text = str(info.value)
    assert "axis" in text and "(2, 3)" in text and "out of range" in text


@pytest.mark.parametrize("axis", [0, -1])
def test_axis_0_and_minus_1_of_a_0d_tensor_mean_the_tensor_itself(axis):
    two = mg.tensor(2.0, requires_grad=True)
    assert mg.sum(two, axis).item() == 2.0
    assert mg.mean(two, axis).item() == 2.0
    assert mg.softmax(two, axis).item() == 1.0
    assert mg.log_softmax(two, axis).item() == 0.0
    mg.sum(two, axis, keepdims=True).backward()
    assert two.grad.shape == () and two.grad.item() == 1.0
    for bad in (1, -2):
        with pytest.raises(ValueError, match="out of range"):
            mg.sum(two, bad)


# --------------------------------------------------------------------------- modes and dtypes


def test_no_grad_on_a_generator_function_applies_inside_it():
    x = mg.tensor([1.0, 2.0], requires_grad=True)

    @mg.no_grad()
    def gen():
        yield x * 2
        yield x * 3

    outs = list(gen())
    assert not any(o.requires_grad for o in outs)
    assert mg.is_grad_enabled()
    assert (x * 2).requires_grad  # grad mode is back outside

    @mg.no_grad()
    def interleaved():
        yield x * 2
        yield mg.is_grad_enabled()

    it = interleaved()
    first = next(it)
    assert (x * 1).requires_grad  # between steps the caller's mode holds
    assert not first.requires_grad and next(it) is False


def test_inplace_on_an_integer_tensor_refuses_a_float_as_numpy_does():
    x = mg.tensor([1.0, 1.0, 1.0], requires_grad=True)
    for held in (False, True):
        t = mg.tensor(np.array([1, 2, 3]))
        if held:
            y = x * t  # the graph saves t's array for x's gradient
        with pytest.raises(TypeError, match="same_kind"):
            t += 0.5
        np.testing.assert_array_equal(t.data, [1, 2, 3])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 2, 3])


def test_a_python_bool_is_a_python_scalar():
    x = mg.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    assert (x * True).dtype == np.float32
    assert (True * x).dtype == np.float32
    assert (x + False).dtype == np.float32
    assert mg.mul(x, True).dtype == np.float32


# --------------------------------------------------------------------------- grad()


def test_grad_with_respect_to_an_intermediate_of_a_freed_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    (a * a).sum().backward()
    g = mg.grad(lambda t: (t * t).sum())(a)
    np.testing.assert_array_equal(g.data, [4.0, 8.0])


def test_grad_does_not_walk_upstream_of_its_argument():
    calls = []

    class Counted(mg.Function):
        def forward(self, x):
            return x * 1.0

        def backward(self, g):
            calls.append(self.seq)
            return g

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a = x
    for _ in range(1000):
        a = Counted.apply(a)
    g = mg.grad(lambda t: (t * t).sum())(a)
    np.testing.assert_array_equal(g.data, [2.0, 4.0])
    assert calls == []  # nothing upstream of the argument ran
    a.sum().backward()  # the graph upstream is intact: not freed, not recorded into
    assert len(calls) == 1000
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_grad_leaves_the_callers_array_writable():
    a = np.array([1.0, 2.0])
    mg.grad(lambda x: (x * x).sum())(a)
    assert a.flags.writeable
    t = mg.Tensor(np.array([1.0, 2.0]))
    mg.grad(lambda x: (x * x).sum())(t)
    assert t.data.flags.writeable


# --------------------------------------------------------------------------- size 0


def test_ops_that_do_not_reduce_return_empty_results():
    x = mg.tensor(np.ones((2, 0)), requires_grad=True)
    for y, shape in ((mg.softmax(x), (2, 0)), (mg.log_softmax(x, 1), (2, 0)),
                     (mg.sigmoid(x), (2, 0)), (x[[]], (0, 0)), (mg.sum(x, 1), (2,))):
        assert y.shape == shape
        y.backward(np.ones(shape))
    assert x.grad.shape == (2, 0)
    assert mg.tensor(np.ones(3))[[]].shape == (0,)


@pytest.mark.parametrize("call,op", [
    (lambda e: mg.mean(e), "mean"),
    (lambda e: mg.mse(e, e), "mse"),
    (lambda e: mg.cross_entropy(e.reshape(0, 3), np.zeros(0, dtype=int)), "cross_entropy"),
])
def test_a_mean_over_zero_elements_is_refused(call, op):
    with pytest.raises(ValueError) as info:
        call(mg.tensor(np.ones(0)))
    assert op in str(info.value) and "(0" in str(info.value) and "empty" in str(info.value)


def test_a_sum_over_zero_elements_is_zero():
    e = mg.tensor(np.ones(0), requires_grad=True)
    assert mg.mse(e, np.ones(0), reduction="sum").item() == 0.0
    assert mg.sum(e).item() == 0.0


# --------------------------------------------------------------------------- comparisons


def test_all_six_comparisons_are_elementwise_and_outside_the_graph():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = np.array([1.0, 5.0, 0.0])
    for got, want in ((a == b, [True, False, False]), (a != b, [False, True, True]),
                      (a < b, [False, True, False]), (a <= b, [True, True, False]),
                      (a > b, [False, False, True]), (a >= b, [True, False, True]),
                      (b == a, [True, False, False]), (a == mg.tensor(b), [True, False, False])):
        assert isinstance(got, mg.Tensor) and got.dtype == bool
        assert not got.requires_grad
        np.testing.assert_array_equal(got.data, want)
    pred, y = mg.tensor([1, 2, 3]), mg.tensor([1, 0, 3])
    assert np.mean(pred == y).item() == pytest.approx(2 / 3)
    assert (a == None) is False  # noqa: E711
    assert (a != "x") is True


def test_tensors_stay_usable_as_keys_with_elementwise_equality():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([1.0, 2.0], requires_grad=True)
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2 and len({a, b}) == 2
    loss = (a * b).sum() + (a * a).sum()
    loss.backward()
    np.testing.assert_array_equal(a.grad.data, [3.0, 6.0])
    ga, gb = mg.grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(a.detach(), a.detach())
    np.testing.assert_array_equal(ga.data, [1.0, 2.0])
    from minigrad import nn, optim
    lin = nn.Linear(2, 2)
    opt = optim.SGD(list(lin.parameters()), lr=0.1)
    with pytest.raises(ValueError):
        optim.SGD([lin.weight, lin.weight], lr=0.1)
    opt.zero_grad()


def test_an_optimizer_step_on_a_view_never_reaches_a_saved_array():
    from minigrad import optim

    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    p = mg.Tensor(x.data[:], requires_grad=True)  # a parameter sharing x's memory
    y = (x * x).sum()  # saves x's array
    p.grad = mg.tensor([1.0, 1.0, 1.0])
    optim.SGD([p], lr=10.0).step()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0, 6.0])
    np.testing.assert_array_equal(p.data, [-9.0, -12.0, -7.0])


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_optimizers_keep_a_0d_parameter_an_array(opt_name):
    from minigrad import optim

    w = mg.tensor(2.0, requires_grad=True)
    opt = getattr(optim, opt_name)([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        loss = w * w  # saves w's array: the update goes to a new one
        loss.backward()
        opt.step()
        assert type(w.data) is np.ndarray and type(w.grad.data) is np.ndarray
    assert w.item() < 2.0


def test_zero_over_zero_is_explained_as_undefined_not_as_a_division_by_zero():
    with np.errstate(all="raise"), pytest.raises(FloatingPointError) as info:
        mg.tensor([0.0]) / mg.tensor([0.0])
    text = str(info.value)
    assert "undefined (NaN)" in text and "division by zero" not in text


@pytest.mark.parametrize("data", ["3", ["1", "2"], [1.0, "2"], b"3"])
def test_numbers_written_as_text_are_not_numbers(data):
    with pytest.raises(TypeError, match="tensor: data of type"):
        mg.tensor(data)
    with pytest.raises(TypeError):
        mg.tensor([1.0, 2.0]) * data


def test_python_booleans_stay_booleans():
    assert mg.tensor([True, False]).dtype == bool
    assert mg.tensor(True).dtype == bool
    assert mg.tensor([1, 2]).dtype == np.float64
    assert mg.tensor([True, 2]).dtype == np.float64
