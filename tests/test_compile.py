"""minigrad.compile end to end: training steps replayed bit for bit against eager
execution, what changes between calls taking effect, refusals naming the line, and
the cache of recordings."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def _bits(a):
    a = np.asarray(a.data if isinstance(a, mg.Tensor) else a)
    return a.shape, a.dtype.str, a.tobytes()


def _net(seed=0, dropout=None):
    layers = [nn.Linear(13, 13, rng=seed), nn.Sigmoid()]
    if dropout is not None:
        layers.append(nn.Dropout(dropout, rng=seed + 1))
    layers.append(nn.Linear(13, 1, rng=seed + 2))
    return nn.Sequential(*layers)


def _batches(n=6, rows=23, seed=0):
    rng = np.random.default_rng(seed)
    return [(mg.Tensor(rng.standard_normal((rows, 13))), mg.Tensor(rng.standard_normal((rows, 1))))
            for _ in range(n)]


def _trainer(model, opt, sched=None):
    loss_fn = nn.MSELoss()

    def step(X, Y):
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss

    return step


def _pair(make_opt, dropout=None, sched=None):
    """The same model and optimizer twice: one to run eagerly, one compiled."""
    runs = []
    for _ in range(2):
        model = _net(dropout=dropout)
        opt = make_opt(model.parameters())
        s = sched(opt) if sched else None
        runs.append((model, opt, s, _trainer(model, opt, s)))
    return runs


def _same_state(a, b):
    for p, q in zip(a.parameters(), b.parameters()):
        assert _bits(p) == _bits(q)
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            assert _bits(p.grad) == _bits(q.grad)


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=0.05),
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda ps: optim.Adam(ps, lr=1e-2),
    lambda ps: optim.AdamW(ps, lr=1e-2, amsgrad=True),
    lambda ps: optim.RMSprop(ps, lr=1e-3, momentum=0.5, centered=True),
    lambda ps: optim.Adagrad(ps, lr=1e-2),
], ids=["sgd", "sgd-nesterov", "adam", "adamw-amsgrad", "rmsprop", "adagrad"])
def test_training_steps_replay_bit_for_bit(make_opt):
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(make_opt)
    compiled = mg.compile(step)
    for X, Y in _batches():
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
        _same_state(m1, m2)
    # the first step records with no optimizer state, the second with it; then replays
    assert compiled.traces <= 2
    assert compiled.fallbacks == 0


def test_learning_rate_scheduler_and_hand_changes_take_effect():
    (m1, o1, s1, eager), (m2, o2, s2, step) = _pair(
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        sched=lambda o: optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5))
    compiled = mg.compile(step)
    for i, (X, Y) in enumerate(_batches(8)):
        if i == 5:
            o1.param_groups[0]["lr"] = o2.param_groups[0]["lr"] = 0.3
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
        assert o1.param_groups[0]["lr"] == o2.param_groups[0]["lr"]
        _same_state(m1, m2)
    assert compiled.fallbacks == 0


def test_parameters_edited_replaced_and_optimizer_state_loaded_take_effect():
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(lambda ps: optim.Adam(ps, lr=1e-2))
    compiled = mg.compile(step)
    batches = _batches(10)
    for i, (X, Y) in enumerate(batches):
        if i == 3:  # edited in place under no_grad
            with mg.no_grad():
                m1[0].weight *= 0.5
                m2[0].weight *= 0.5
        if i == 5:  # a new array for a parameter's data
            m1[2].bias.data = np.array([0.25])
            m2[2].bias.data = np.array([0.25])
        if i == 7:  # optimizer state loaded from elsewhere
            saved = o1.state_dict()
            o1.load_state_dict(saved)
            o2.load_state_dict(copy.deepcopy(saved))
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
        _same_state(m1, m2)


def test_a_replaced_parameter_object_records_again():
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(lambda ps: optim.SGD(ps, lr=0.1))
    compiled = mg.compile(step)
    X, Y = _batches(1)[0]
    for _ in range(2):
        eager(X, Y)
        compiled(X, Y)
    n = compiled.traces
    for m, o in ((m1, o1), (m2, o2)):
        m[2].weight = nn.Parameter(np.full(m[2].weight.shape, 0.1))
        o.param_groups[0]["params"][2] = m[2].weight
    for _ in range(2):
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
        _same_state(m1, m2)
    assert compiled.traces == n + 1


def test_train_and_eval_modes_record_separately():
    model = _net(dropout=0.5)
    compiled = mg.compile(lambda x: model(x))
    x = mg.Tensor(np.ones((4, 13)))
    a = compiled(x)
    model.eval()
    b = compiled(x)
    ref = model(x)
    assert _bits(b) == _bits(ref)
    assert not np.array_equal(a.data, b.data)


def test_dropout_draws_the_same_numbers_in_the_same_order_as_eager():
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(lambda ps: optim.SGD(ps, lr=0.05), dropout=0.3)
    compiled = mg.compile(step)
    for X, Y in _batches(5):
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
        _same_state(m1, m2)


def test_returned_values_do_not_change_under_the_callers_feet():
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(lambda ps: optim.SGD(ps, lr=0.05))
    compiled = mg.compile(step)
    losses = [compiled(X, Y) for X, Y in _batches(5)]
    kept = [_bits(v) for v in losses]
    for X, Y in _batches(5, seed=1):
        compiled(X, Y)
    assert [_bits(v) for v in losses] == kept
    assert len({b[2] for b in kept}) == 5
    assert all(not v.requires_grad for v in losses)


def test_gradients_are_left_on_the_parameters_as_in_eager_mode():
    model = _net()
    ref = copy.deepcopy(model)
    loss_fn = nn.MSELoss()

    def grads(m, X, Y):
        for p in m.parameters():
            p.grad = None
        loss_fn(m(X), Y).backward()

    compiled = mg.compile(lambda X, Y: grads(model, X, Y))
    for X, Y in _batches(3):
        compiled(X, Y)
        grads(ref, X, Y)
        _same_state(ref, model)


def test_a_batch_of_another_shape_is_a_new_recording_and_the_cache_is_bounded():
    (m1, o1, _, eager), (m2, o2, _, step) = _pair(lambda ps: optim.SGD(ps, lr=0.05))
    compiled = mg.compile(step, max_traces=2)
    for X, Y in _batches(3, rows=23) + _batches(2, rows=9):
        assert _bits(eager(X, Y)) == _bits(compiled(X, Y))
    assert compiled.traces == 2
    with pytest.raises(mg.CompileError, match=r"max_traces=2.*\(4, 13\)") as e:
        compiled(*_batches(1, rows=4)[0])
    assert "drop_last" in str(e.value)
    compiled.clear()
    assert compiled.traces == 0
    compiled(*_batches(1, rows=4)[0])
    assert compiled.traces == 1


def test_python_values_are_part_of_the_key():
    compiled = mg.compile(lambda x, k: x * k)
    x = mg.Tensor(np.arange(3.0))
    assert compiled(x, 2.0).tolist() == [0.0, 2.0, 4.0]
    assert compiled(x, 3.0).tolist() == [0.0, 3.0, 6.0]
    assert compiled(x, 2.0).tolist() == [0.0, 2.0, 4.0]
    assert compiled.traces == 2


def test_arrays_as_arguments_and_nested_results():
    w = mg.tensor(np.ones(3), requires_grad=True)

    @mg.compile
    def f(batch, scale=1.0):
        x, y = batch["x"], batch["y"]
        loss = ((mg.Tensor(x) * w - mg.Tensor(y)) ** 2).sum() * scale
        loss.backward()
        return {"loss": loss, "parts": (x * 2, None)}

    for i in range(3):
        x = np.arange(3.0) + i
        out = f({"x": x, "y": np.zeros(3)}, scale=0.5)
        assert out["loss"].item() == 0.5 * float(((x * 1.0) ** 2).sum())
        assert np.array_equal(out["parts"][0], x * 2) and out["parts"][1] is None
        w.grad = None
    assert f.traces == 1


# --------------------------------------------------------------------------- refusals


def _refused(fn, *args, line):
    with pytest.raises(mg.CompileError) as e:
        mg.compile(fn)(*args)
    msg = str(e.value)
    assert "test_compile.py:" in msg and line in msg
    assert "Return the tensor" in msg and "uncompiled" in msg
    return msg


def test_reading_a_value_while_recording_is_refused_naming_the_line():
    x = mg.tensor(np.arange(3.0), requires_grad=True)

    def item(x):
        loss = (x * x).sum()
        v = loss.item()
        return v

    def as_float(x):
        return float((x * x).sum())

    def branch(x):
        s = (x * x).sum()
        if s > 1:
            return s
        return -s

    def numpy_(x):
        return (x * 2).numpy()

    def data(x):
        y = x * 2
        return y.data

    def printed(x):
        return repr(x * 2)

    assert ".item()" in _refused(item, x, line="v = loss.item()")
    assert "float()" in _refused(as_float, x, line="return float((x * x).sum())")
    assert "bool()" in _refused(branch, x, line="if s > 1:")
    assert ".numpy()" in _refused(numpy_, x, line="return (x * 2).numpy()")
    assert ".data" in _refused(data, x, line="return y.data")
    assert "printing" in _refused(printed, x, line="return repr(x * 2)")


def test_a_refused_recording_leaves_tensors_and_later_calls_intact():
    x = mg.tensor(np.arange(3.0), requires_grad=True)
    w = mg.tensor(np.ones(3), requires_grad=True)

    def bad(x):
        return (x * w).sum().item()

    with pytest.raises(mg.CompileError):
        mg.compile(bad)(x)
    assert type(w.data) is np.ndarray and type(x.data) is np.ndarray
    assert (w * 2).data.tolist() == [2.0, 2.0, 2.0]
    good = mg.compile(lambda x: (x * w).sum())
    assert good(x).item() == 3.0


def test_a_gradient_read_from_outside_follows_the_parameter():
    w = mg.tensor(np.ones(3), requires_grad=True)

    @mg.compile
    def sgd():
        with mg.no_grad():
            w.__isub__(w.grad * 0.5)

    for k in range(3):
        (w * w * (k + 1)).sum().backward()  # a new gradient object every time
        expected = w.data - w.grad.data * 0.5
        sgd()
        assert np.array_equal(w.data, expected)
        w.grad = None
    assert sgd.traces == 1


def test_gradients_cleared_by_hand_inside_the_function_need_one_recording():
    model = _net()
    ref = copy.deepcopy(model)
    loss_fn = nn.MSELoss()

    def step(m, X, Y):
        for p in m.parameters():
            p.grad = None
        loss = loss_fn(m(X), Y)
        loss.backward()
        with mg.no_grad():
            for p in m.parameters():
                p -= 0.1 * p.grad
        return loss

    compiled = mg.compile(lambda X, Y: step(model, X, Y))
    for X, Y in _batches(4):
        assert _bits(compiled(X, Y)) == _bits(step(ref, X, Y))
        _same_state(ref, model)
    assert compiled.traces == 1


def test_int_and_tolist_are_refused_too():
    x = mg.tensor(np.arange(3.0), requires_grad=True)

    def as_int(x):
        return int((x * x).sum())

    def as_list(x):
        return (x * 2).tolist()

    assert "int()" in _refused(as_int, x, line="return int((x * x).sum())")
    assert ".tolist()" in _refused(as_list, x, line="return (x * 2).tolist()")


def test_an_ops_own_errstate_is_replayed_with_its_calls():
    # sigmoid of a large array silences exp's overflow itself (where e^−x is inf, the
    # answer 0 is right): a replay must silence it the same way
    x = np.linspace(-800.0, 5.0, 2048)
    compiled = mg.compile(lambda t: mg.sigmoid(t))
    with np.errstate(over="raise"):
        compiled(mg.Tensor(x))
        replayed = compiled(mg.Tensor(x + 1.0))
        eager = mg.sigmoid(mg.Tensor(x + 1.0))
    assert _bits(replayed) == _bits(eager)
    assert "    with " in compiled.trace_info()[0]["source"]


# --------------------------------------------------------------------------- state the
# recording cannot see in the arguments


def _both(make, calls):
    """Run ``calls(fn, state)`` on two copies of ``make()``: one eager, one compiled."""
    results = []
    for compiled in (False, True):
        state = make()
        fn = state["fn"]
        results.append(calls(mg.compile(fn) if compiled else fn, state))
    return results


def test_requires_grad_switched_off_between_calls_is_seen():
    def make():
        m = nn.Linear(3, 1, rng=0)
        opt = optim.SGD(m.parameters(), lr=0.1)

        def step(X):
            opt.zero_grad()
            loss = (m(X) ** 2).sum()
            loss.backward()
            opt.step()
            return loss
        return {"fn": step, "m": m}

    def calls(fn, s):
        X = np.arange(6.0).reshape(2, 3)
        fn(X), fn(X)
        s["m"].weight.requires_grad = False
        fn(X)
        return _bits(s["m"].weight), s["m"].weight.grad is None, _bits(s["m"].bias)

    eager, compiled = _both(make, calls)
    assert eager == compiled and eager[1]


def test_replaced_buffers_and_a_removed_bias_are_seen():
    def make():
        bn, lin = nn.BatchNorm1d(2), nn.Linear(2, 1, rng=0)
        return {"fn": lambda X: lin(bn(X)), "bn": bn, "lin": lin}

    def calls(fn, s):
        X = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]])
        fn(X), fn(X)
        s["bn"].reset_running_stats()
        s["lin"].bias = None
        out = fn(X)
        return (_bits(out), _bits(s["bn"].running_mean), _bits(s["bn"].num_batches_tracked))

    eager, compiled = _both(make, calls)
    assert eager == compiled


def test_a_returned_gradient_is_the_one_the_parameter_has_after_the_call():
    def make():
        m = nn.Linear(3, 1, rng=0)
        opt = optim.SGD(m.parameters(), lr=0.1, momentum=0.5)

        def step(X):
            opt.zero_grad()
            (m(X) ** 2).sum().backward()
            opt.step()
            return m.bias.grad
        return {"fn": step, "m": m}

    def calls(fn, s):
        outs = [fn(np.full((2, 3), float(k))) for k in range(1, 4)]
        assert outs[-1] is s["m"].bias.grad
        return [_bits(o) for o in outs]

    eager, compiled = _both(make, calls)
    assert eager == compiled and len({b[2] for b in eager}) == 3


def test_a_boolean_mask_selecting_another_count_runs_eagerly():
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)

    def f(x, mask):
        y = x[mask].mean()
        y.backward()
        return y, x.grad

    compiled = mg.compile(f)
    for mask in ([True, False, False, False], [True, True, True, False],
                 [False, True, False, True]):
        m = np.array(mask)
        a, b = mg.tensor(x.data, requires_grad=True), mg.tensor(x.data, requires_grad=True)
        assert [_bits(t) for t in f(a, m)] == [_bits(t) for t in compiled(b, m)]
    assert compiled.traces == 1 and compiled.fallbacks == 2


def test_train_and_eval_switched_inside_the_function_are_replayed():
    def make():
        m = nn.Sequential(nn.Linear(3, 3, rng=0), nn.Dropout(0.5, rng=1))

        def evaluate(x):
            m.eval()
            out = m(x)
            m.train()
            return out
        return {"fn": evaluate, "m": m}

    def calls(fn, s):
        x = np.ones((2, 3))
        out = [_bits(fn(x))]
        s["m"].eval()
        out.append(_bits(fn(x)))
        return out, s["m"].training, getattr(fn, "traces", None)

    eager, compiled = _both(make, calls)
    assert eager[:2] == compiled[:2] and compiled[1] is True and compiled[2] == 1


def test_a_negative_zero_argument_is_another_key():
    compiled = mg.compile(lambda x, s: x * s)
    x = mg.Tensor(np.ones(2))
    compiled(x, 0.0)
    out = compiled(x, -0.0)
    assert np.signbit(out.data).all() and compiled.traces == 2


def test_a_gradient_that_starts_as_a_constant_is_added_to():
    def make():
        m = nn.Linear(4, 2, rng=0)
        opt = optim.SGD(m.parameters(), lr=0.1)

        def step(a, b):
            opt.zero_grad()
            # the bias's first gradient does not depend on the inputs
            ((m(a) - m(b)) ** 2 + m(a)).sum().backward()
            opt.step()
        return {"fn": step, "m": m}

    def calls(fn, s):
        for k in range(3):
            x = np.full((3, 4), 1.0 + k)
            fn(x, 2 * x)
        return [_bits(p) for p in s["m"].parameters()]

    eager, compiled = _both(make, calls)
    assert eager == compiled


def test_numpy_arguments_mixed_with_tensors_and_second_order_inside():
    w = mg.tensor([0.5, -1.5], requires_grad=True)

    def f(a, x):
        y = ((a + w) * x ** 3).sum()
        y.backward(create_graph=True)
        gx = x.grad
        x.grad = None
        z = (gx * gx).sum()
        z.backward()
        return z, x.grad

    compiled = mg.compile(f)
    for v in (1.0, 2.0, -3.0):
        a = np.array([v, 2 * v])
        xs = [mg.tensor([v, -v], requires_grad=True) for _ in range(2)]
        assert [_bits(t) for t in f(a, xs[0])] == [_bits(t) for t in compiled(a, xs[1])]
        w.grad = None
    assert compiled.traces == 1 and compiled.fallbacks == 0


def test_batch_norm_with_a_cumulative_average_matches_eager():
    def make():
        bn = nn.BatchNorm1d(3, momentum=None)
        return {"fn": lambda x: bn(x), "bn": bn}

    def calls(fn, s):
        outs = [_bits(fn(np.arange(12.0).reshape(4, 3) * k)) for k in range(1, 5)]
        return outs, _bits(s["bn"].running_mean), _bits(s["bn"].num_batches_tracked)

    eager, compiled = _both(make, calls)
    assert eager == compiled
