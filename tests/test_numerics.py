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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import minigrad as mg
from minigrad import ops

BIG = np.array([[-1e3, -1.0, 0.0], [1.0, 500.0, 1e3]])
TINY = np.array([[1e-300, 2e-300, 1e-3], [1.0, 10.0, 1e3]])  # positive, down to 1e-300
SIGNED_TINY = np.array([[-1e-300, 1e-300, -1.0], [1.0, -1e3, 1e3]])
MIXED = np.array([[-1e3, -1e-300, 0.0], [1e-300, 700.0, 1e3]])


@dataclass
class Edge:
    name: str
    cls: type  # the op class the call records
    fn: Callable
    inputs: tuple  # float arrays become Tensors that require grad
    error: tuple[str, list[str]] | None = None  # (phase, words) when the true value overflows
    const: tuple = ()  # indices of inputs that stay constant (no gradient)


def _labels(n=2, c=3):
    return np.arange(n) % c


EDGES = [
    Edge("add", ops.Add, lambda a, b: a + b, (BIG, MIXED)),
    Edge("sub", ops.Sub, lambda a, b: a - b, (BIG, MIXED)),
    Edge("mul", ops.Mul, lambda a, b: a * b, (BIG, MIXED)),
    Edge("mul_tiny", ops.Mul, lambda a, b: a * b, (TINY, SIGNED_TINY)),  # underflows to 0
    Edge("div_big", ops.Div, lambda a, b: a / b, (BIG, BIG[::-1] + 2000.0)),
    Edge("div_by_tiny_constant", ops.Div, lambda a, b: a / b, (BIG, TINY), const=(1,)),
    Edge("div_by_tiny", ops.Div, lambda a, b: a / b, (BIG, TINY),
         ("backward", ["backward of 'div'", "overflow", "float64", "1e-300"])),
    Edge("neg", ops.Neg, lambda a: -a, (MIXED,)),
    Edge("add_scalar", ops.AddScalar, lambda a: a + 1e3, (BIG,)),
    Edge("rsub_scalar", ops.RSubScalar, lambda a: -1e3 - a, (BIG,)),
    Edge("mul_scalar", ops.MulScalar, lambda a: a * 1e3, (BIG,)),
    Edge("div_scalar", ops.DivScalar, lambda a: a / 1e-300, (BIG,)),
    Edge("rdiv_scalar_big", ops.RDivScalar, lambda a: 1e3 / a, (BIG[:, :2],)),
    Edge("rdiv_scalar_tiny", ops.RDivScalar, lambda a: 1.0 / a, (TINY,),
         ("backward", ["backward of 'div'", "(2, 3) float64", "1e-300"])),
    Edge("pow_2", ops.Pow, lambda a: a**2, (BIG,)),
    Edge("pow_3", ops.Pow, lambda a: a**3, (BIG,)),
    Edge("pow_half", ops.Pow, lambda a: a**0.5, (TINY,)),
    Edge("pow_minus_one_big", ops.Pow, lambda a: a**-1, (BIG[:, :2],)),
    Edge("pow_minus_one_tiny", ops.Pow, lambda a: a**-1, (TINY,),
         ("backward", ["backward of 'pow'", "overflow", "1e-300"])),
    Edge("matmul", ops.Matmul, lambda a, b: a @ b, (BIG, BIG.T)),
    Edge("add_bias", ops.AddBias, mg.add_bias, (BIG, np.array([1e3, -1e3, 1e-300]))),
    Edge("sigmoid", ops.Sigmoid, mg.sigmoid, (MIXED,)),
    Edge("tanh", ops.Tanh, mg.tanh, (MIXED,)),
    Edge("relu", ops.ReLU, mg.relu, (MIXED,)),
    Edge("exp_to_700", ops.Exp, mg.exp, (np.minimum(MIXED, 700.0),)),
    Edge("exp_1000", ops.Exp, mg.exp, (MIXED,),
         ("forward", ["exp", "overflow", "709.783", "float64", "1000"])),
    Edge("log", ops.Log, mg.log, (TINY,)),
    Edge("log_zero", ops.Log, mg.log, (np.array([0.0, 1.0]),),
         ("forward", ["log", "divide by zero", "inputs > 0", "(2,) float64"])),
    Edge("log_negative", ops.Log, mg.log, (np.array([-1.0, 1.0]),),
         ("forward", ["log", "invalid", "inputs > 0", "[-1, 1]"])),
    Edge("sum", ops.Sum, lambda a: a.sum(axis=1), (BIG,)),
    Edge("mean", ops.Mean, lambda a: a.mean(), (MIXED,)),
    Edge("reshape", ops.Reshape, lambda a: a.reshape(3, 2), (MIXED,)),
    Edge("transpose", ops.Transpose, lambda a: a.T, (MIXED,)),
    Edge("broadcast_to", ops.BroadcastTo, lambda a: mg.broadcast_to(a, (4, 2, 3)), (MIXED,)),
    Edge("getitem", ops.GetItem, lambda a: a[np.array([1, 1, 0])], (MIXED,)),
    Edge("scatter_add", ops.ScatterAdd,
         lambda a: ops.ScatterAdd.apply(a, shape=(4, 3), index=np.array([0, 0, 3])),
         (np.concatenate([MIXED, BIG[:1]]),)),
    Edge("astype_float32", ops.Cast, lambda a: a.astype(np.float32), (MIXED,)),
    Edge("astype_float16", ops.Cast, lambda a: a.astype(np.float16), (BIG,)),
    Edge("astype_float32_overflow", ops.Cast, lambda a: a.astype(np.float32),
         (np.array([1e300, 1.0]),),
         ("forward", ["astype", "overflow", "largest float32", "converting to float32"])),
    Edge("softmax", ops.Softmax, lambda a: mg.softmax(a, axis=1), (MIXED,)),
    Edge("softmax_axis0", ops.Softmax, lambda a: mg.softmax(a, axis=0), (BIG,)),
    Edge("log_softmax", ops.LogSoftmax, lambda a: mg.log_softmax(a, axis=1), (MIXED,)),
    Edge("mse_mean", ops.MSE, mg.mse, (BIG, MIXED)),
    Edge("mse_sum", ops.MSE, lambda a, b: mg.mse(a, b, reduction="sum"), (BIG, -BIG)),
    Edge("cross_entropy", ops.CrossEntropy, lambda a: mg.cross_entropy(a, _labels()), (MIXED,)),
    Edge("cross_entropy_worst", ops.CrossEntropy,
         lambda a: mg.cross_entropy(a, np.array([2, 0])), (BIG,)),
]


def test_every_op_class_is_in_the_table():
    assert {e.cls for e in EDGES} == set(ops.OPS)
    assert len({e.name for e in EDGES}) == len(EDGES)


def _run(edge: Edge, dtype=np.float64):
    xs = [mg.tensor(np.asarray(a, dtype=dtype), requires_grad=i not in edge.const)
          for i, a in enumerate(edge.inputs)]
    out = edge.fn(*xs)
    assert type(out.op) is edge.cls
    assert np.all(np.isfinite(out.data)), f"{edge.name}: forward gave {out.data}"
    g = np.random.default_rng(0).uniform(0.5, 1.5, out.shape).astype(out.dtype)
    out.backward(g)
    for i, x in enumerate(xs):
        if i in edge.const:
            assert x.grad is None
            continue
        assert x.grad is not None and x.grad.shape == x.shape
        assert np.all(np.isfinite(x.grad.data)), f"{edge.name}: gradient {i} is {x.grad.data}"
    return out


@pytest.mark.parametrize("mode", ["raise", "warn_as_error"])
@pytest.mark.parametrize("edge", EDGES, ids=[e.name for e in EDGES])
def test_edge_values_are_finite_or_a_named_error(edge, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        state = "raise" if mode == "raise" else "warn"
        with np.errstate(over=state, divide=state, invalid=state):
            if edge.error is None:
                _run(edge)
                return
            phase, words = edge.error
            with pytest.raises(FloatingPointError) as info:
                _run(edge)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)
    in_backward = message.startswith("backward of ")
    assert in_backward == (phase == "backward"), message


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax", "softmax_axis0", "log_softmax",
                                  "cross_entropy", "cross_entropy_worst", "mse_mean", "matmul",
                                  "add", "mul", "relu", "sum", "mean"])
def test_float32_at_1000_is_finite(name):
    edge = next(e for e in EDGES if e.name == name)
    out = _run(edge, np.float32)
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
