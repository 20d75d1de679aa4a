"""Input audit: every public function refuses bad input with an error that names the
function (or op), the argument, and the shapes or dtypes involved.

One table, one test. Each row is a bad call, the exception type it must raise and the
substrings its message must hold. Rows that try to load weights into ``MODEL`` also
check that a refused load left every parameter exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

import minigrad as mg
from minigrad import metrics, nn, optim, viz
from minigrad.data import DataLoader, StandardScaler, train_test_split
from minigrad.io import WeightsFileError
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.train import Trainer, fit


@dataclass
class Bad:
    name: str
    call: Callable
    exc: type[BaseException]
    words: list[str]
    model: nn.Module | None = None  # must be left unchanged by the failed call
    files: dict = field(default_factory=dict)  # name -> bytes written before the call


def T(shape=(2, 3)):
    """A float64 tensor that requires grad."""
    return mg.tensor(np.arange(np.prod(shape), dtype=float).reshape(shape) / 7 + 0.5,
                     requires_grad=True)


MODEL = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Sigmoid(), nn.Linear(4, 1, rng=1))


def _state(**changes):
    """MODEL's state dict with some entries replaced (None removes one)."""
    state = MODEL.state_dict()
    for key, value in changes.items():
        key = key.replace("_", ".", 1) if key[0].isdigit() else key
        if value is None:
            del state[key]
        else:
            state[key] = value
    return state


def _backward_twice():
    y = T().sigmoid().sum()
    y.backward()
    y.backward()


def _pickled_npz() -> bytes:
    import io as _io

    buf = _io.BytesIO()
    np.savez(buf, w=np.ones(2), payload=np.array([{"a": 1}], dtype=object))
    return buf.getvalue()


def _trainer(**options):
    return Trainer(MODEL_T, mg.mse, optim.SGD(MODEL_T.parameters(), lr=0.1), **options)


MODEL_T = nn.Linear(2, 1, rng=0)
XY = (np.ones((4, 2)), np.ones((4, 1)))
SGD, ADAM = optim.SGD, optim.Adam


def P():
    return [nn.Parameter([1.0, 2.0])]


CASES = [
    # ------------------------------------------------------------------ tensor()
    Bad("tensor_str", lambda: mg.tensor("abc"), TypeError, ["tensor", "str", "not numeric"]),
    Bad("tensor_mixed_list", lambda: mg.tensor([1.0, "a"]), TypeError, ["tensor", "list"]),
    Bad("tensor_object", lambda: mg.tensor(object()), TypeError, ["tensor", "object"]),
    Bad("tensor_none", lambda: mg.tensor(None), TypeError, ["tensor", "None"]),
    Bad("tensor_dict", lambda: mg.tensor({"a": 1}), TypeError, ["tensor", "dict"]),
    Bad("tensor_str_array", lambda: mg.tensor(np.array(["a", "b"])), TypeError,
        ["tensor", "dtype <U1"]),
    Bad("tensor_object_array", lambda: mg.tensor(np.array([1, None], dtype=object)),
        TypeError, ["tensor", "dtype object"]),
    Bad("tensor_object_array_as_float",
        lambda: mg.tensor(np.array([object()]), dtype=float), TypeError,
        ["tensor", "dtype object"]),
    Bad("tensor_complex", lambda: mg.tensor(np.array([1j])), TypeError,
        ["tensor", "complex128"]),
    Bad("tensor_unknown_dtype", lambda: mg.tensor([1.0], dtype="foo"), TypeError,
        ["tensor", "dtype='foo'"]),
    Bad("tensor_requires_grad_int", lambda: mg.tensor(np.array([1, 2]), requires_grad=True),
        TypeError, ["tensor", "requires_grad=True", "int64"]),
    Bad("Tensor_requires_grad_bool", lambda: mg.Tensor(np.array([True]), requires_grad=True),
        TypeError, ["tensor", "requires_grad=True", "bool"]),
    Bad("requires_grad__int", lambda: mg.tensor(np.arange(3)).requires_grad_(), TypeError,
        ["requires_grad_", "int64"]),
    Bad("mT_of_a_vector", lambda: T((3,)).mT, ValueError, ["mT", "(3,)"]),
    Bad("inplace_shape", lambda: mg.tensor(np.ones(3)).__iadd__(np.ones((2, 3))), ValueError,
        ["in-place '+='", "(2, 3)", "(3,) float64"]),
    Bad("inplace_str", lambda: mg.tensor(np.ones(3)).__imul__("a"), TypeError,
        ["in-place '*='", "str", "(3,) float64"]),
    Bad("inplace_requires_grad", lambda: T().__isub__(1.0), RuntimeError,
        ["in-place '-='", "(2, 3)", "no_grad"]),
    # ------------------------------------------------------------------ Parameter()
    Bad("Parameter_str", lambda: nn.Parameter("abc"), TypeError, ["Parameter", "str"]),
    Bad("Parameter_object_array", lambda: nn.Parameter(np.array([object()])), TypeError,
        ["Parameter", "dtype object"]),
    Bad("Parameter_str_array", lambda: nn.Parameter(np.array(["1.0"])), TypeError,
        ["Parameter", "<U3"]),
    Bad("Parameter_none", lambda: nn.Parameter(None), TypeError, ["Parameter", "None"]),
    # ------------------------------------------------------------------ ops given non-numbers
    Bad("add_none", lambda: T() + None, TypeError, ["add", "input 1", "None"]),
    Bad("radd_str", lambda: "abc" + T(), TypeError, ["add", "input 0", "str"]),
    Bad("sub_list_of_str", lambda: T() - ["a", "b", "c"], TypeError,
        ["sub", "input 1", "list"]),
    Bad("rsub_object", lambda: object() - T(), TypeError, ["sub", "input 0", "object"]),
    Bad("mul_object", lambda: T() * object(), TypeError, ["mul", "input 1", "object"]),
    Bad("div_str_array", lambda: T() / np.array(["a", "b", "c"]), TypeError,
        ["div", "input 1", "dtype <U1", "(3,)"]),
    Bad("exp_object", lambda: mg.exp(object()), TypeError, ["exp", "input 0", "object"]),
    Bad("tanh_object_array", lambda: mg.tanh(np.array([object()])), TypeError,
        ["tanh", "input 0", "dtype object", "(1,)"]),
    Bad("cross_entropy_str_logits", lambda: mg.cross_entropy("ab", [0]), TypeError,
        ["cross_entropy", "input 0", "str"]),
    Bad("cross_entropy_str_labels", lambda: mg.cross_entropy(np.ones((1, 2)), ["a"]),
        TypeError, ["cross_entropy", "labels", "<U1"]),
    Bad("add_object_array_first", lambda: mg.add(np.array([object()]), 1.0), TypeError,
        ["add", "input 0", "dtype object"]),
    Bad("mul_str_array_first", lambda: mg.mul(np.array(["a"]), T()), TypeError,
        ["mul", "input 0", "<U1"]),
    Bad("pow_str_exponent", lambda: T() ** "a", TypeError, ["pow", "exponent", "str"]),
    Bad("astype_str", lambda: mg.astype(T(), str), TypeError, ["astype", "dtype <U"]),
    Bad("astype_unknown", lambda: T().astype("foo"), TypeError, ["astype", "dtype='foo'"]),
    # ------------------------------------------------------------------ ops given bad shapes
    Bad("matmul_inner_size", lambda: mg.matmul(np.ones((3, 4)), np.ones((5, 2))), ValueError,
        ["matmul", "(3, 4)", "(5, 2)", "4 columns", "5 rows"]),
    Bad("matmul_operator", lambda: T((2, 3)) @ T((2, 3)), ValueError,
        ["matmul", "(2, 3)", "3 columns", "2 rows"]),
    Bad("pow_shapes", lambda: T() ** np.ones(4), ValueError, ["pow", "(2, 3)", "(4,)"]),
    Bad("matmul_batch", lambda: mg.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 2))), ValueError,
        ["matmul", "batch", "(2,)", "(3,)"]),
    Bad("add_broadcast", lambda: mg.add(np.ones((2, 3)), np.ones(4)), ValueError,
        ["add", "(2, 3)", "(4,)", "broadcast"]),
    Bad("mul_broadcast", lambda: T((2, 3)) * np.ones((3, 2)), ValueError,
        ["mul", "(2, 3)", "(3, 2)"]),
    Bad("div_broadcast", lambda: T((2, 3)) / T((2,)), ValueError, ["div", "(2, 3)", "(2,)"]),
    Bad("add_bias_wrong_bias", lambda: mg.add_bias(np.ones((4, 3)), np.ones(4)), ValueError,
        ["add_bias", "bias", "(4,)", "(4, 3)", "(3,) or (1, 3)"]),
    Bad("add_bias_column_bias", lambda: mg.add_bias(np.ones((4, 3)), np.ones((4, 1))),
        ValueError, ["add_bias", "bias", "(4, 1)"]),
    Bad("add_bias_1d_input", lambda: mg.add_bias(np.ones(3), np.ones(3)), ValueError,
        ["add_bias", "2-D", "(3,)"]),
    Bad("mse_shapes", lambda: mg.mse(np.ones((4, 1)), np.ones(4)), ValueError,
        ["mse", "pred", "(4, 1)", "target", "(4,)"]),
    Bad("mse_reduction", lambda: mg.mse(np.ones(4), np.ones(4), reduction="max"), ValueError,
        ["mse", "reduction", "'max'"]),
    Bad("cross_entropy_label_too_big", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 3]),
        ValueError, ["cross_entropy", "labels", "[0, 3)", "to 3"]),
    Bad("cross_entropy_negative_label", lambda: mg.cross_entropy(np.ones((2, 3)), [-1, 0]),
        ValueError, ["cross_entropy", "labels", "from -1"]),
    Bad("cross_entropy_label_shape", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 1, 2]),
        ValueError, ["cross_entropy", "labels", "(2,)", "(3,)", "(2, 3)"]),
    Bad("cross_entropy_float_labels",
        lambda: mg.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])), TypeError,
        ["cross_entropy", "labels", "float64"]),
    Bad("cross_entropy_1d_logits", lambda: mg.cross_entropy(np.ones(3), [0]), ValueError,
        ["cross_entropy", "logits", "2-D", "(3,)"]),
    Bad("reshape_size", lambda: mg.reshape(np.ones((2, 3)), (4, 2)), ValueError,
        ["reshape", "(2, 3)", "6 elements", "(4, 2)"]),
    Bad("reshape_not_ints", lambda: T().reshape("ab"), TypeError, ["reshape", "shape", "'ab'"]),
    Bad("reshape_none", lambda: mg.reshape(T(), None), TypeError, ["reshape", "shape", "None"]),
    Bad("broadcast_to", lambda: mg.broadcast_to(np.ones(3), (2, 4)), ValueError,
        ["broadcast_to", "(3,)", "(2, 4)"]),
    Bad("broadcast_to_float_shape", lambda: mg.broadcast_to(T(), (2.0, 3.0)), TypeError,
        ["broadcast_to", "shape", "(2.0, 3.0)"]),
    Bad("transpose_axes", lambda: mg.transpose(np.ones((2, 3)), (0, 0)), ValueError,
        ["transpose", "(0, 0)", "(2, 3)"]),
    Bad("transpose_str_axes", lambda: T().transpose("a", "b"), TypeError,
        ["transpose", "axes", "('a', 'b')"]),
    Bad("sum_axis_range", lambda: mg.sum(np.ones((2, 3)), axis=2), ValueError,
        ["sum", "axis 2", "2 dims"]),
    Bad("sum_axis_float", lambda: T().sum(axis=0.5), TypeError, ["sum", "axis", "0.5"]),
    Bad("mean_repeated_axis", lambda: mg.mean(T(), axis=(0, -2)), ValueError,
        ["mean", "repeated axis", "(0, -2)"]),
    Bad("mean_empty", lambda: mg.mean(np.ones((0, 3)), axis=0), ValueError,
        ["mean", "empty", "(0, 3)"]),
    Bad("softmax_axis", lambda: mg.softmax(T(), axis=2), ValueError,
        ["softmax", "axis 2", "2 dims"]),
    Bad("log_softmax_axis_str", lambda: mg.log_softmax(T(), axis="last"), TypeError,
        ["log_softmax", "axis", "'last'"]),
    Bad("getitem_range", lambda: T((3,))[5], IndexError, ["getitem", "5", "(3,)"]),
    Bad("getitem_float", lambda: T((3,))[1.5], IndexError, ["getitem", "integers", "(3,)"]),
    # ------------------------------------------------------------------ backward and grad
    Bad("backward_grad_shape", lambda: (T((2,)) * 2).backward(np.ones(3)), ValueError,
        ["backward", "grad", "(3,)", "(2,)"]),
    Bad("backward_grad_str", lambda: (T((2,)) * 2).backward(np.array(["a", "b"])), TypeError,
        ["backward", "grad", "<U1", "(2,)", "float64"]),
    Bad("backward_non_scalar", lambda: T().sigmoid().backward(), RuntimeError,
        ["backward", "not a scalar", "(2, 3)", "grad="]),
    Bad("backward_without_grad", lambda: mg.tensor([1.0, 2.0]).sum().backward(), RuntimeError,
        ["backward", "does not require grad", "shape ()", "float64"]),
    Bad("backward_twice", _backward_twice, RuntimeError,
        ["backward", "second time", "'sum'", "retain_graph=True"]),
    Bad("grad_non_scalar", lambda: mg.grad(lambda x: x * 2)(np.ones(3)), ValueError,
        ["grad", "scalar", "(3,)"]),
    Bad("grad_not_a_tensor", lambda: mg.grad(lambda x: 1.0)(1.0), TypeError,
        ["grad", "Tensor", "float"]),
    Bad("grad_argnums", lambda: mg.grad(lambda x: x.sum(), argnums=2)(np.ones(3)), TypeError,
        ["grad", "argnums=2", "1 args"]),
    Bad("grad_str_argument", lambda: mg.grad(lambda x: x.sum())("abc"), TypeError,
        ["grad", "argument 0", "str"]),
    Bad("grad_int_argument", lambda: mg.grad(lambda x: x.sum())(np.arange(3)), TypeError,
        ["grad", "argument 0", "int64", "(3,)"]),
    Bad("grad_none_argument", lambda: mg.value_and_grad(lambda x: x.sum())(None), TypeError,
        ["grad", "argument 0", "None"]),
    # ------------------------------------------------------------------ optimizers
    Bad("SGD_no_parameters", lambda: SGD([], lr=0.1), ValueError,
        ["SGD", "empty parameter list"]),
    Bad("Adam_no_parameters", lambda: ADAM(iter([])), ValueError,
        ["Adam", "empty parameter list"]),
    Bad("SGD_negative_lr", lambda: SGD(P(), lr=-0.1), ValueError, ["SGD", "lr", "-0.1"]),
    Bad("Adam_negative_lr", lambda: ADAM(P(), lr=-1e-3), ValueError, ["Adam", "lr", "-0.001"]),
    Bad("SGD_infinite_lr", lambda: SGD(P(), lr=float("inf")), ValueError,
        ["SGD", "lr", "finite", "inf"]),
    Bad("Adam_nan_lr", lambda: ADAM(P(), lr=float("nan")), ValueError, ["Adam", "lr", "nan"]),
    Bad("SGD_str_lr", lambda: SGD(P(), lr="fast"), TypeError, ["SGD", "lr", "'fast'"]),
    Bad("SGD_negative_momentum", lambda: SGD(P(), lr=0.1, momentum=-0.9), ValueError,
        ["SGD", "momentum", "-0.9"]),
    Bad("SGD_str_momentum", lambda: SGD(P(), lr=0.1, momentum="high"), TypeError,
        ["SGD", "momentum", "'high'"]),
    Bad("SGD_negative_weight_decay", lambda: SGD(P(), lr=0.1, weight_decay=-1), ValueError,
        ["SGD", "weight_decay", "-1"]),
    Bad("Adam_beta1_one", lambda: ADAM(P(), betas=(1.0, 0.999)), ValueError,
        ["Adam", "betas[0]", "[0.0, 1.0)", "1.0"]),
    Bad("Adam_beta2_negative", lambda: ADAM(P(), betas=(0.9, -0.1)), ValueError,
        ["Adam", "betas[1]", "-0.1"]),
    Bad("Adam_betas_not_a_pair", lambda: ADAM(P(), betas=(0.9,)), ValueError,
        ["Adam", "betas", "pair", "(0.9,)"]),
    Bad("Adam_negative_eps", lambda: ADAM(P(), eps=-1e-8), ValueError,
        ["Adam", "eps", "-1e-08"]),
    Bad("Adam_negative_weight_decay", lambda: ADAM(P(), weight_decay=-0.1), ValueError,
        ["Adam", "weight_decay", "-0.1"]),
    Bad("SGD_single_tensor", lambda: SGD(nn.Parameter([1.0]), lr=0.1), TypeError,
        ["SGD", "params", "not a single Parameter"]),
    Bad("SGD_a_module", lambda: SGD(MODEL, lr=0.1), TypeError,
        ["SGD", "parameter 0", "Linear", "model.parameters()"]),
    Bad("SGD_int_parameter", lambda: SGD([mg.tensor(np.array([1, 2]))], lr=0.1), TypeError,
        ["SGD", "parameter 0", "(2,)", "int64"]),
    Bad("SGD_non_leaf", lambda: SGD([T() * 2], lr=0.1), ValueError,
        ["SGD", "parameter 0", "(2, 3)", "mul", "leaf"]),
    Bad("SGD_duplicate", lambda: SGD(P() * 2, lr=0.1), ValueError,
        ["SGD", "parameter 1", "(2,)", "more than once"]),
    Bad("Adam_array_parameter", lambda: ADAM([np.ones(2)]), TypeError,
        ["Adam", "parameter 0", "ndarray", "not a Tensor"]),
    # ------------------------------------------------------------------ nn
    Bad("Linear_features", lambda: nn.Linear(3, 4)(np.ones((2, 5))), ValueError,
        ["Linear(3 → 4)", "(batch, 3)", "(2, 5)"]),
    Bad("Linear_1d_input", lambda: nn.Linear(3, 4)(np.ones(3)), ValueError,
        ["Linear(3 → 4)", "(batch, 3)", "(3,)"]),
    Bad("Linear_str_input", lambda: nn.Linear(2, 1)([["a", "b"]]), TypeError,
        ["matmul", "input 0", "list", "Parameter (2, 1) float64"]),
    Bad("Linear_in_features_zero", lambda: nn.Linear(0, 4), ValueError,
        ["Linear", "in_features", "0"]),
    Bad("Linear_out_features_float", lambda: nn.Linear(3, 2.5), ValueError,
        ["Linear", "out_features", "2.5"]),
    Bad("Linear_int_dtype", lambda: nn.Linear(3, 2, dtype=np.int64), TypeError,
        ["Linear", "dtype", "int64"]),
    Bad("Sequential_non_module", lambda: nn.Sequential(nn.Linear(1, 1), 3), TypeError,
        ["Sequential", "argument 1", "int"]),
    Bad("MSELoss_reduction", lambda: nn.MSELoss("max"), ValueError,
        ["MSELoss", "reduction", "'max'"]),
    Bad("assign_array_to_parameter", lambda: setattr(nn.Linear(2, 2), "weight", np.ones(2)),
        TypeError, ["'weight'", "ndarray", "Parameter", "Linear"]),
    Bad("load_state_dict_missing", lambda: MODEL.load_state_dict(_state(**{"2.bias": None})),
        ValueError, ["load_state_dict", "Sequential", "missing keys", "2.bias", "nothing"],
        model=MODEL),
    Bad("load_state_dict_extra", lambda: MODEL.load_state_dict(_state(extra=np.ones(2))),
        ValueError, ["load_state_dict", "unexpected keys", "extra"], model=MODEL),
    Bad("load_state_dict_shape",
        lambda: MODEL.load_state_dict(_state(**{"0.weight": np.ones((4, 3))})), ValueError,
        ["load_state_dict", "'0.weight'", "(4, 3)", "(3, 4)"], model=MODEL),
    Bad("load_state_dict_dtype",
        lambda: MODEL.load_state_dict(_state(**{"0.bias": np.ones(4, np.float32)})),
        ValueError, ["load_state_dict", "'0.bias'", "float32", "float64"], model=MODEL),
    Bad("load_state_dict_str_values",
        lambda: MODEL.load_state_dict(_state(**{"2.bias": np.array(["a"])})), ValueError,
        ["load_state_dict", "'2.bias'", "<U1", "float64"], model=MODEL),
    Bad("load_state_dict_several",
        lambda: MODEL.load_state_dict(_state(**{"2.bias": None, "0.weight": np.ones(3)})),
        ValueError, ["missing keys: 2.bias", "'0.weight'", "(3,)", "(3, 4)"], model=MODEL),
    Bad("load_state_dict_not_a_mapping", lambda: MODEL.load_state_dict([np.ones(2)]),
        TypeError, ["load_state_dict", "Sequential", "mapping", "list"], model=MODEL),
    Bad("load_state_dict_ragged_value",
        lambda: MODEL.load_state_dict(_state(**{"2.bias": [[1.0], [1.0, 2.0]]})), ValueError,
        ["load_state_dict", "'2.bias'", "list", "not an array"], model=MODEL),
    # ------------------------------------------------------------------ data
    Bad("DataLoader_batch_size_zero", lambda: DataLoader(np.ones(4), batch_size=0),
        ValueError, ["DataLoader", "batch_size", "positive", "0"]),
    Bad("DataLoader_batch_size_negative", lambda: DataLoader(np.ones(4), batch_size=-2),
        ValueError, ["DataLoader", "batch_size", "-2"]),
    Bad("DataLoader_batch_size_float", lambda: DataLoader(np.ones(4), batch_size=2.5),
        ValueError, ["DataLoader", "batch_size", "2.5"]),
    Bad("DataLoader_batch_size_bool", lambda: DataLoader(np.ones(4), batch_size=True),
        ValueError, ["DataLoader", "batch_size", "True"]),
    Bad("DataLoader_lengths", lambda: DataLoader(np.ones((5, 2)), np.ones(4), batch_size=2),
        ValueError, ["DataLoader", "same number of rows", "(5, 2)", "(4,)"]),
    Bad("DataLoader_no_arrays", lambda: DataLoader(batch_size=2), ValueError,
        ["DataLoader", "at least one array"]),
    Bad("DataLoader_0d", lambda: DataLoader(np.float64(1.0), batch_size=1), ValueError,
        ["DataLoader", "0-d", "shape ()"]),
    Bad("DataLoader_strings", lambda: DataLoader(np.ones(2), np.array(["a", "b"]), batch_size=1),
        TypeError, ["DataLoader", "array 1", "(2,)", "<U1", "numeric"]),
    Bad("DataLoader_objects", lambda: DataLoader(np.array([object()] * 2), batch_size=1),
        TypeError, ["DataLoader", "array 0", "object"]),
    Bad("DataLoader_ragged", lambda: DataLoader([[1.0], [1.0, 2.0]], batch_size=1), TypeError,
        ["DataLoader", "list"]),
    Bad("DataLoader_seed", lambda: DataLoader(np.ones(3), batch_size=1, seed="abc"), TypeError,
        ["DataLoader", "seed", "'abc'"]),
    Bad("split_test_size_zero", lambda: train_test_split(np.ones(5), test_size=0), ValueError,
        ["train_test_split", "test_size=0", "5 rows"]),
    Bad("split_test_size_all_rows", lambda: train_test_split(np.ones(5), test_size=5),
        ValueError, ["train_test_split", "test_size=5", "between 1 and 4"]),
    Bad("split_test_size_one", lambda: train_test_split(np.ones(5), test_size=1.0), ValueError,
        ["train_test_split", "test_size=1.0", "between 0 and 1"]),
    Bad("split_test_size_big", lambda: train_test_split(np.ones(5), test_size=1.5), ValueError,
        ["train_test_split", "test_size=1.5"]),
    Bad("split_test_size_negative", lambda: train_test_split(np.ones(5), test_size=-0.1),
        ValueError, ["train_test_split", "test_size=-0.1"]),
    Bad("split_test_size_str", lambda: train_test_split(np.ones(5), test_size="0.3"),
        TypeError, ["train_test_split", "test_size", "str"]),
    Bad("split_no_train_rows", lambda: train_test_split(np.ones(2), test_size=0.9), ValueError,
        ["train_test_split", "test_size=0.9", "2 rows", "no training rows"]),
    Bad("split_lengths", lambda: train_test_split(np.ones(5), np.ones((4, 2))), ValueError,
        ["train_test_split", "(5,)", "(4, 2)"]),
    Bad("split_seed", lambda: train_test_split(np.ones(5), seed=-1), ValueError,
        ["train_test_split", "seed", "-1"]),
    Bad("scaler_strings", lambda: StandardScaler().fit(np.array([["a"], ["b"]])), TypeError,
        ["StandardScaler.fit", "<U1"]),
    Bad("scaler_objects", lambda: StandardScaler().fit(np.array([[object()]])), TypeError,
        ["StandardScaler.fit", "object"]),
    Bad("scaler_nan", lambda: StandardScaler().fit(np.array([[np.nan, 1.0], [1.0, 2.0]])),
        ValueError, ["StandardScaler.fit", "(2, 2)", "float64", "1 NaN or infinite"]),
    Bad("scaler_no_rows", lambda: StandardScaler().fit(np.ones((0, 2))), ValueError,
        ["StandardScaler.fit", "no rows", "(0, 2)"]),
    Bad("scaler_0d", lambda: StandardScaler().fit(3.0), ValueError,
        ["StandardScaler.fit", "0-d", "shape ()"]),
    Bad("scaler_not_fitted", lambda: StandardScaler().transform(np.ones((2, 2))), RuntimeError,
        ["StandardScaler.transform", "not fitted"]),
    Bad("scaler_features",
        lambda: StandardScaler().fit(np.ones((3, 2))).transform(np.ones((2, 3))), ValueError,
        ["StandardScaler.transform", "(2, 3)", "(3,)", "(2,)"]),
    Bad("scaler_inverse_features",
        lambda: StandardScaler().fit(np.ones((3, 2))).inverse_transform(np.ones(2)),
        ValueError, ["StandardScaler.inverse_transform", "(2,)", "()"]),
    # ------------------------------------------------------------------ metrics
    Bad("mae_shapes", lambda: metrics.mae(np.ones(3), np.ones((1, 4))), ValueError,
        ["mae", "y_true", "(3,)", "y_pred", "(1, 4)"]),
    Bad("rmse_transposed", lambda: metrics.rmse(np.ones((2, 3)), np.ones((3, 2))), ValueError,
        ["rmse", "(2, 3)", "(3, 2)"]),
    Bad("r2_shapes", lambda: metrics.r2([1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]]), ValueError,
        ["r2", "(2,)", "(2, 2)"]),
    Bad("mae_strings", lambda: metrics.mae(["a"], [1.0]), TypeError,
        ["mae", "y_true", "numeric", "<U1"]),
    Bad("r2_objects", lambda: metrics.r2([1.0, 2.0], [object(), 1]), TypeError,
        ["r2", "y_pred", "object"]),
    Bad("rmse_nan", lambda: metrics.rmse([1.0, 2.0], [np.nan, 1.0]), ValueError,
        ["rmse", "y_pred", "(2,)", "1 NaN"]),
    Bad("mae_inf", lambda: metrics.mae([np.inf, 2.0], [1.0, 1.0]), ValueError,
        ["mae", "y_true", "infinite"]),
    Bad("r2_one_sample", lambda: metrics.r2([1.0], [1.0]), ValueError,
        ["r2", "two samples", "1"]),
    Bad("mae_empty", lambda: metrics.mae([], []), ValueError, ["mae", "empty", "(0,)"]),
    # ------------------------------------------------------------------ viz
    Bad("to_dot_not_a_tensor", lambda: viz.to_dot(np.ones(2)), TypeError,
        ["to_dot", "Tensor", "ndarray"]),
    Bad("to_dot_rankdir", lambda: viz.to_dot(T() * 2, rankdir="UP"), ValueError,
        ["to_dot", "rankdir", "'UP'", "LR"]),
    Bad("to_dot_max_nodes", lambda: viz.to_dot(T() * 2, max_nodes=0), ValueError,
        ["to_dot", "max_nodes", "0"]),
    Bad("to_dot_max_nodes_str", lambda: viz.to_dot(T() * 2, max_nodes="many"), ValueError,
        ["to_dot", "max_nodes", "'many'"]),
    Bad("to_dot_show_data", lambda: viz.to_dot(T() * 2, show_data="yes"), TypeError,
        ["to_dot", "show_data", "'yes'"]),
    Bad("to_dot_collapse", lambda: viz.to_dot(T() * 2, collapse=3), TypeError,
        ["to_dot", "collapse", "int"]),
    Bad("to_dot_too_big", lambda: viz.to_dot(T().sigmoid().sigmoid().sigmoid(), max_nodes=3),
        ValueError, ["max_nodes=3", "collapse="]),
    Bad("draw_unknown_option", lambda: viz.draw(T() * 2, colour="red"), TypeError,
        ["draw", "unexpected option", "colour"]),
    Bad("draw_rankdir", lambda: viz.draw(T() * 2, rankdir=1), ValueError,
        ["draw", "rankdir", "1"]),
    Bad("save_format", lambda: viz.save(T() * 2, "graph.xyz", format="xyz"), ValueError,
        ["save", "format", "'xyz'"]),
    Bad("save_unknown_option", lambda: viz.save(T() * 2, "graph.svg", labels=True), TypeError,
        ["save", "unexpected option", "labels"]),
    # ------------------------------------------------------------------ io
    Bad("io_save_object_array", lambda: mg.save({"w": np.array([object()])}, "w.npz"),
        TypeError, ["minigrad.save", "'w'", "dtype object", "never pickled"]),
    Bad("io_save_strings", lambda: mg.save({"names": np.array(["a"])}, "w.npz"), TypeError,
        ["minigrad.save", "'names'", "<U1"]),
    Bad("io_save_not_a_mapping", lambda: mg.save([np.ones(2)], "w.npz"), TypeError,
        ["minigrad.save", "state_dict()", "list"]),
    Bad("io_save_int_key", lambda: mg.save({1: np.ones(2)}, "w.npz"), TypeError,
        ["minigrad.save", "names", "key 1"]),
    Bad("io_load_missing", lambda: mg.load("missing.npz"), FileNotFoundError,
        ["missing.npz"]),
    Bad("io_load_text", lambda: mg.load("notes.npz"), WeightsFileError,
        ["minigrad.load", "notes.npz", "not an .npz"], files={"notes.npz": b"hello"}),
    Bad("io_load_pickle", lambda: mg.load("evil.npz"), WeightsFileError,
        ["minigrad.load", "evil.npz", "'payload'", "pickle"],
        files={"evil.npz": _pickled_npz()}),
    # ------------------------------------------------------------------ testing
    Bad("gradcheck_nothing_requires_grad", lambda: gradcheck(mg.sigmoid, mg.tensor([1.0])),
        ValueError, ["gradcheck", "requires grad", "(1,)", "float64"]),
    Bad("gradgradcheck_nothing_requires_grad", lambda: gradgradcheck(mg.sigmoid, np.ones(2)),
        ValueError, ["gradgradcheck", "requires grad", "ndarray"]),
    Bad("gradcheck_not_callable", lambda: gradcheck(3, T()), TypeError,
        ["gradcheck", "fn", "callable", "int"]),
    Bad("gradcheck_eps", lambda: gradcheck(mg.sigmoid, T(), eps=0), ValueError,
        ["gradcheck", "eps", "0"]),
    Bad("gradcheck_negative_atol", lambda: gradcheck(mg.sigmoid, T(), atol=-1.0), ValueError,
        ["gradcheck", "atol", "-1.0"]),
    Bad("gradcheck_returns_array", lambda: gradcheck(lambda x: x.data, T()), TypeError,
        ["gradcheck", "Tensor", "ndarray"]),
    # ------------------------------------------------------------------ train
    Bad("Trainer_eval_every", lambda: _trainer(eval_every=0), ValueError,
        ["Trainer", "eval_every", "0"]),
    Bad("Trainer_patience", lambda: _trainer(patience=0), ValueError,
        ["Trainer", "patience", "0"]),
    Bad("Trainer_min_delta", lambda: _trainer(min_delta=-1.0), ValueError,
        ["Trainer", "min_delta", "-1.0"]),
    Bad("Trainer_min_delta_str", lambda: _trainer(min_delta="a"), ValueError,
        ["Trainer", "min_delta", "'a'"]),
    Bad("Trainer_model_not_callable", lambda: Trainer(3, mg.mse, optim.SGD(P(), lr=0.1)),
        TypeError, ["Trainer", "model", "callable", "int"]),
    Bad("Trainer_optimizer", lambda: Trainer(MODEL_T, mg.mse, object()), TypeError,
        ["Trainer", "optimizer", "zero_grad()", "object"]),
    Bad("fit_no_length", lambda: _trainer().fit(XY), ValueError,
        ["fit", "epochs", "max_steps"]),
    Bad("fit_epochs_zero", lambda: _trainer().fit(XY, epochs=0), ValueError,
        ["fit", "epochs", "0"]),
    Bad("fit_max_steps_float", lambda: fit(MODEL_T, mg.mse, SGD(P(), lr=0.1), XY,
                                           max_steps=2.5), ValueError,
        ["fit", "max_steps", "2.5"]),
    Bad("fit_iterator", lambda: _trainer().fit(iter([XY]), epochs=1), TypeError,
        ["fit: train_data", "iterator"]),
    Bad("fit_not_iterable", lambda: _trainer().fit(3, epochs=1), TypeError,
        ["fit: train_data", "int"]),
    Bad("fit_patience_without_val", lambda: _trainer(patience=2).fit(XY, epochs=1),
        ValueError, ["fit", "patience", "val_data"]),
    Bad("evaluate_no_batches", lambda: _trainer().evaluate([]), ValueError,
        ["evaluate", "no batches"]),
]


def _snapshot(model):
    return {name: (p.data, p.data.copy()) for name, p in model.named_parameters()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gives_a_clear_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files named in a case live in a fresh directory
    for name, data in case.files.items():
        (tmp_path / name).write_bytes(data)
    before = _snapshot(case.model) if case.model is not None else None
    with pytest.raises(case.exc) as info:
        case.call()
    message = str(info.value)
    for word in case.words:
        assert word in message, f"{word!r} not in: {message}"
    if before is not None:  # a refused load changed nothing, not even the arrays' identity
        after = _snapshot(case.model)
        assert after.keys() == before.keys()
        for name, (array, copy) in before.items():
            now = after[name][0]
            assert now is array, name
            assert now.dtype == copy.dtype and now.shape == copy.shape, name
            assert now.tobytes() == copy.tobytes(), name
    assert not [f for f in os.listdir(tmp_path) if f not in case.files], "a file was written"


def test_the_table_is_broad_and_its_names_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 60
