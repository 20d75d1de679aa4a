"""Tests for minigrad.nn: parameters, modules, layers, Sequential and losses."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _net(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(13, 13, rng=rng), nn.Sigmoid(), nn.Linear(13, 1, rng=rng))


class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(np.ones((3, 2)))
        self.b = nn.Parameter(np.zeros(2))

    def forward(self, x):
        return mg.add_bias(mg.matmul(x, self.w), self.b)


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter([2.0])
        self.first = Affine()
        self.second = nn.Linear(2, 1, rng=0)

    def forward(self, x):
        return self.second(self.first(x)) * self.scale


# --------------------------------------------------------------------------- Parameter


def test_parameter_is_a_float_tensor_that_requires_grad():
    p = nn.Parameter([1, 2, 3])
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64
    assert nn.Parameter(3).dtype == np.float64
    assert nn.Parameter(np.arange(3)).dtype == np.float64  # integers become float64
    a32 = np.ones(2, dtype=np.float32)
    p32 = nn.Parameter(a32, name="w")
    assert p32.dtype == np.float32 and p32.data is a32 and p32.name == "w"
    assert "Parameter(" in repr(p32) and "float32" in repr(p32) and "'w'" in repr(p32)
    with pytest.raises(TypeError):
        nn.Parameter("abc")


def test_parameter_takes_part_in_ops_and_gets_a_gradient():
    p = nn.Parameter([1.0, 2.0])
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.data, [2.0, 4.0])


# --------------------------------------------------------------------------- Module


def test_registration_order_and_dotted_names():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    # a module's own parameters first, then its sub-modules', in assignment order
    assert names == ["scale", "first.w", "first.b", "second.weight", "second.bias"]
    assert [p.name for p in m.parameters()] == names
    assert [n for n, _ in m.named_children()] == ["first", "second"]
    assert list(m.children()) == [m.first, m.second]
    assert [n for n, _ in m.named_modules()] == ["", "first", "second"]
    assert list(m.modules()) == [m, m.first, m.second]
    assert m.num_parameters() == 1 + 6 + 2 + 2 + 1


def test_sequential_parameter_names():
    model = _net()
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.name for p in model.parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_auto_names_follow_nesting_but_user_names_are_kept():
    lin = nn.Linear(2, 2, rng=0)
    assert lin.weight.name == "weight"
    lin.bias.name = "my_bias"
    outer = nn.Sequential(nn.Sequential(lin))
    assert lin.weight.name == "0.0.weight"
    assert lin.bias.name == "my_bias"
    assert [n for n, _ in outer.named_parameters()] == ["0.0.weight", "0.0.bias"]
    named = nn.Parameter([1.0], name="given")
    m = nn.Module()
    m.p = named
    assert named.name == "given"


def test_shared_parameters_and_modules_are_listed_once():
    lin = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(lin, nn.Tanh(), lin)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3


def test_reassigning_and_deleting_attributes_updates_registration():
    m = Affine()
    new_w = nn.Parameter(np.zeros((3, 2)))
    m.w = new_w
    assert dict(m.named_parameters())["w"] is new_w
    with pytest.raises(TypeError, match="'w', a Parameter of Affine"):
        m.w = mg.tensor(np.zeros((3, 2)))
    m.b = None  # removes the parameter
    assert [n for n, _ in m.named_parameters()] == ["w"]
    m.sub = nn.Sigmoid()
    assert list(m.children()) == [m.sub]
    m.sub = 3  # a plain value replaces the module
    assert list(m.children()) == [] and m.sub == 3
    del m.w
    assert list(m.parameters()) == [] and not hasattr(m, "w")


def test_assigning_before_init_is_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1)


def test_calls_are_recorded_weakly_for_graph_drawing():
    model = _net()
    x = mg.tensor(np.ones((2, 13)))
    out = model(x)
    ref_out, ref_inputs = model[2]._last_call
    assert ref_out() is out and ref_inputs[0]() is model[1]._last_call[0]()
    assert model[0]._last_call[1][0]() is x and model._last_call[0]() is out
    del out  # the module does not keep the graph alive
    assert ref_out() is None
    with mg.no_grad():
        model(x)  # nothing to draw: the record is left as it was
    assert model[2]._last_call[0] is ref_out


def test_a_model_can_be_drawn_one_box_per_layer():
    from minigrad import viz

    model = _net()
    loss = nn.MSELoss()(model(np.ones((2, 13))), np.zeros((2, 1)))
    text = viz.to_dot(loss, collapse=model)
    for label in ("0: Linear", "1: Sigmoid", "2: Linear"):
        assert label in text
    assert "matmul" not in text.replace("ops: matmul", "")  # the ops are inside the boxes


def test_zero_grad_sets_every_gradient_to_none():
    model = _net()
    x = np.random.default_rng(1).normal(size=(4, 13))
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_and_eval_set_the_flag_everywhere_and_return_self():
    model = TwoLayer()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())


# --------------------------------------------------------------------------- state_dict


def test_state_dict_is_an_ordered_copy():
    model = _net()
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"].shape == (13, 13) and state["2.bias"].shape == (1,)
    state["0.weight"][...] = 0.0
    assert not np.all(model[0].weight.data == 0.0)


def test_state_dict_round_trip_gives_the_same_model():
    a, b = _net(0), _net(1)
    x = np.random.default_rng(2).normal(size=(5, 13))
    assert not np.allclose(a(x).data, b(x).data)
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(a(x).data, b(x).data)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert pa.data is not pb.data  # values are copied, not shared


def test_load_state_dict_copies_and_accepts_tensors():
    model = nn.Linear(2, 1, rng=0)
    w = np.array([[1.0], [2.0]])
    model.load_state_dict({"weight": mg.tensor(w), "bias": np.array([0.5])})
    w[0, 0] = 100.0
    np.testing.assert_array_equal(model.weight.data, [[1.0], [2.0]])
    np.testing.assert_array_equal(model(np.array([[1.0, 1.0]])).data, [[3.5]])


def _refused(model, state, *fragments):
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    after = model.state_dict()
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])  # nothing changed
    return message


def test_load_state_dict_refuses_missing_keys():
    model = _net()
    state = _net(5).state_dict()
    del state["2.bias"]
    _refused(model, state, "missing keys: 2.bias", "Sequential")


def test_load_state_dict_refuses_unexpected_keys():
    model = _net()
    state = _net(5).state_dict()
    state["3.weight"] = np.zeros((1, 1))
    _refused(model, state, "unexpected keys: 3.weight")


def test_load_state_dict_refuses_a_wrong_shape():
    model = _net()
    state = _net(5).state_dict()
    state["2.weight"] = np.zeros((1, 13))
    _refused(model, state, "'2.weight'", "(1, 13)", "(13, 1)")


def test_load_state_dict_refuses_a_wrong_dtype():
    model = _net()
    state = _net(5).state_dict()
    state["0.bias"] = state["0.bias"].astype(np.float32)
    _refused(model, state, "'0.bias'", "float32", "float64")


def test_load_state_dict_lists_every_problem_at_once():
    model = _net()
    state = _net(5).state_dict()
    del state["0.weight"]
    state["extra"] = np.zeros(1)
    state["2.bias"] = np.zeros(2)
    _refused(model, state, "missing keys: 0.weight", "unexpected keys: extra", "'2.bias'")


def test_non_strict_load_reports_missing_and_unexpected_keys():
    model = _net()
    source = _net(5)
    state = source.state_dict()
    del state["2.bias"]
    state["extra"] = np.zeros(1)
    old_bias = model[2].bias.data.copy()
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].weight.data, source[0].weight.data)
    np.testing.assert_array_equal(model[2].bias.data, old_bias)
    state["0.weight"] = np.zeros(3)  # shapes are checked even when not strict
    with pytest.raises(ValueError, match="'0.weight'"):
        model.load_state_dict(state, strict=False)


def test_load_into_read_only_parameters():
    model = _net()
    x = np.ones((2, 13))
    out = model(x)  # the graph keeps the second layer's weights read-only
    assert not model[2].weight.data.flags.writeable
    state = _net(3).state_dict()
    model.load_state_dict(state)
    np.testing.assert_array_equal(model[2].weight.data, state["2.weight"])
    assert out.data.shape == (2, 1)


# --------------------------------------------------------------------------- Linear


def test_linear_shapes_and_forward():
    layer = nn.Linear(4, 3, rng=0)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (3,)
    x = np.random.default_rng(1).normal(size=(5, 4))
    y = layer(x)
    assert isinstance(y, mg.Tensor) and y.shape == (5, 3)
    np.testing.assert_allclose(y.data, x @ layer.weight.data + layer.bias.data, rtol=1e-15)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_without_bias():
    layer = nn.Linear(4, 3, bias=False, rng=0)
    assert layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((2, 4))
    np.testing.assert_array_equal(layer(x).data, x @ layer.weight.data)
    assert repr(layer) == "Linear(4 → 3, bias=False)"


def test_linear_initialization_range_and_statistics():
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight.data, layer.bias.data):
        assert p.min() >= -bound and p.max() <= bound
    w = layer.weight.data
    assert w.min() < -0.95 * bound and w.max() > 0.95 * bound  # the whole range is used
    # uniform(−b, b): mean 0, variance b²/3
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.var() / (bound**2 / 3) - 1) < 0.02
    assert abs(layer.bias.data.mean()) < 0.2 * bound


def test_linear_rng_makes_initialization_reproducible():
    a, b, c = nn.Linear(3, 2, rng=7), nn.Linear(3, 2, rng=7), nn.Linear(3, 2, rng=8)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, c.weight.data)
    # a shared generator is drawn from in order: weight, then bias
    gen = np.random.default_rng(3)
    d = nn.Linear(3, 2, rng=gen)
    ref = np.random.default_rng(3)
    np.testing.assert_array_equal(
        d.weight.data, ref.uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), (3, 2))
    )
    np.testing.assert_array_equal(d.bias.data, ref.uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), 2))
    legacy = nn.Linear(3, 2, rng=np.random.RandomState(0))
    assert legacy.weight.shape == (3, 2)


def test_linear_dtype():
    layer = nn.Linear(3, 2, dtype=np.float32, rng=0)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer(np.ones((1, 3), dtype=np.float32)).dtype == np.float32
    assert repr(layer) == "Linear(3 → 2, dtype=float32)"
    with pytest.raises(TypeError, match="floating-point"):
        nn.Linear(3, 2, dtype=np.int64)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_sizes_must_be_positive_ints(bad):
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(bad, 2)


@pytest.mark.parametrize("shape", [(5, 12), (5, 14), (13,), (2, 5, 13)])
def test_linear_rejects_inputs_of_the_wrong_shape(shape):
    layer = nn.Linear(13, 1, rng=0)
    with pytest.raises(ValueError) as info:
        layer(np.ones(shape))
    message = str(info.value)
    assert "Linear" in message and "(batch, 13)" in message and str(shape) in message


def test_linear_accepts_tensors_and_lists():
    layer = nn.Linear(2, 1, rng=0)
    expected = np.array([[1.0, 2.0]]) @ layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(mg.tensor([[1.0, 2.0]])).data, expected)
    np.testing.assert_allclose(layer([[1.0, 2.0]]).data, expected)


# --------------------------------------------------------------------------- activations


def test_activation_modules_equal_the_ops():
    x = mg.tensor(np.linspace(-3, 3, 12).reshape(3, 4))
    for module, op in ((nn.Sigmoid(), mg.sigmoid), (nn.Tanh(), mg.tanh), (nn.ReLU(), mg.relu)):
        np.testing.assert_array_equal(module(x).data, op(x).data)
        assert list(module.parameters()) == []
        assert repr(module) == f"{type(module).__name__}()"


# --------------------------------------------------------------------------- Sequential


def test_sequential_applies_modules_in_order():
    model = _net()
    x = np.random.default_rng(0).normal(size=(6, 13))
    expected = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).data, expected.data)


def test_sequential_indexing_len_and_iteration():
    a, b, c = nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3
    assert list(seq) == [a, b, c]
    assert seq[0] is a and seq[-1] is c
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c] and len(tail) == 2
    # a slice shares the modules and keeps their names
    assert [n for n, _ in tail.named_parameters()] == ["2.weight", "2.bias"]
    assert c.weight.name == "2.weight"
    assert tail[0] is b
    assert list(seq[::2]) == [a, c]
    with pytest.raises(IndexError):
        seq[3]
    assert len(nn.Sequential()) == 0


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="argument 1 is a function, not a Module"):
        nn.Sequential(nn.Tanh(), mg.tanh)


def test_rshift_builds_the_same_model_as_sequential():
    rng = np.random.default_rng(0)
    a, b, c = nn.Linear(13, 13, rng=rng), nn.Sigmoid(), nn.Linear(13, 1, rng=rng)
    piped = a >> b >> c
    assert isinstance(piped, nn.Sequential) and len(piped) == 3
    assert list(piped) == [a, b, c]
    explicit = nn.Sequential(nn.Linear(13, 13), nn.Sigmoid(), nn.Linear(13, 1))
    assert [type(m) for m in piped] == [type(m) for m in explicit]
    assert list(piped.state_dict()) == list(explicit.state_dict())
    assert repr(piped) == repr(explicit)
    explicit.load_state_dict(piped.state_dict())
    x = rng.normal(size=(4, 13))
    np.testing.assert_array_equal(piped(x).data, explicit(x).data)


def test_rshift_flattens_sequentials_on_both_sides():
    a, b, c, d = nn.Tanh(), nn.ReLU(), nn.Sigmoid(), nn.Tanh()
    assert list(nn.Sequential(a, b) >> nn.Sequential(c, d)) == [a, b, c, d]
    assert list(a >> (b >> c)) == [a, b, c]
    with pytest.raises(TypeError):
        a >> mg.tanh


# --------------------------------------------------------------------------- printing


def test_model_prints_a_summary_with_counts_and_total():
    text = repr(_net())
    lines = text.splitlines()
    assert lines[0].split() == ["Sequential", "parameters"]
    assert lines[1].split() == ["(0)", "Linear(13", "→", "13)", "182"]
    assert lines[2].split() == ["(1)", "Sigmoid()", "-"]
    assert lines[3].split() == ["(2)", "Linear(13", "→", "1)", "14"]
    assert lines[4].split() == ["total", "196"]
    assert len({len(line) for line in lines}) == 1  # counts are right-aligned in a column
    assert str(_net()) == text


def test_nested_summary_lists_direct_parameters_and_sub_modules():
    lines = repr(TwoLayer()).splitlines()
    assert lines[0].split() == ["TwoLayer", "parameters"]
    assert lines[1].split() == ["(scale)", "Parameter", "(1,)", "float64", "1"]
    assert lines[2].split() == ["(first)", "Affine", "8"]
    assert lines[3].split() == ["(w)", "Parameter", "(3,", "2)", "float64", "6"]
    assert lines[3].startswith("    (w)")  # indented under its module
    assert lines[5].split() == ["(second)", "Linear(2", "→", "1)", "3"]
    assert lines[-1].split() == ["total", "12"]


def test_large_counts_use_thousands_separators():
    text = repr(nn.Sequential(nn.Linear(100, 1000, rng=0)))
    assert "101,000" in text.splitlines()[1] and text.splitlines()[-1].split() == [
        "total",
        "101,000",
    ]


# --------------------------------------------------------------------------- losses


def test_mse_loss_equals_the_op():
    rng = np.random.default_rng(0)
    pred = mg.tensor(rng.normal(size=(5, 1)), requires_grad=True)
    target = rng.normal(size=(5, 1))
    for reduction, scale in (("mean", 2 / 5), ("sum", 2.0)):
        loss = nn.MSELoss(reduction)(pred, target)
        assert loss.item() == mg.mse(pred, target, reduction=reduction).item()
        pred.grad = None
        loss.backward()
        np.testing.assert_allclose(pred.grad.data, scale * (pred.data - target), rtol=1e-14)
    np.testing.assert_allclose(
        nn.MSELoss("sum")(pred, target).item(), ((pred.data - target) ** 2).sum(), rtol=1e-14
    )
    assert repr(nn.MSELoss("sum")) == "MSELoss(reduction='sum')"
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none'"):
        nn.MSELoss("max")


def test_cross_entropy_loss_equals_the_op():
    rng = np.random.default_rng(0)
    logits = mg.tensor(rng.normal(size=(6, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2, 0])
    loss = nn.CrossEntropyLoss()(logits, labels)
    assert loss.item() == mg.cross_entropy(logits, labels).item()
    logp = logits.data - np.log(np.exp(logits.data).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(loss.item(), -logp[np.arange(6), labels].mean(), rtol=1e-14)


# --------------------------------------------------------------------------- the chapter


def test_network_gradients_equal_the_hand_derived_formulas():
    """13 → 13 sigmoid → 1 with the batch sum of squared errors, as in the notes."""
    rng = np.random.default_rng(180807)
    model = nn.Sequential(nn.Linear(13, 13, rng=rng), nn.Sigmoid(), nn.Linear(13, 1, rng=rng))
    X = rng.normal(size=(23, 13))
    Y = rng.normal(size=(23, 1))
    loss = nn.MSELoss("sum")(model(X), Y)
    loss.backward()

    W1, B1 = model[0].weight.data, model[0].bias.data
    W2, B2 = model[2].weight.data, model[2].bias.data
    N1 = X @ W1 + B1
    O1 = 1 / (1 + np.exp(-N1))
    P = O1 @ W2 + B2
    dL_dP = 2 * (P - Y)
    dL_dW2 = O1.T @ dL_dP
    dL_dB2 = dL_dP.sum(axis=0)
    dL_dO1 = dL_dP @ W2.T
    dL_dN1 = dL_dO1 * O1 * (1 - O1)
    dL_dW1 = X.T @ dL_dN1
    dL_dB1 = dL_dN1.sum(axis=0)

    np.testing.assert_allclose(loss.item(), ((P - Y) ** 2).sum(), rtol=1e-12)
    for param, expected in (
        (model[0].weight, dL_dW1),
        (model[0].bias, dL_dB1),
        (model[2].weight, dL_dW2),
        (model[2].bias, dL_dB2),
    ):
        assert param.grad.shape == expected.shape
        np.testing.assert_allclose(param.grad.data, expected, rtol=1e-12, atol=0)
