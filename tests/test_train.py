"""Tests for minigrad.train: the training loop, evaluation, early stopping, history, output."""

import io
import math
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim, train
from minigrad.data import DataLoader
from minigrad.train import Trainer, fit


def _regression(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.3
    return X, y


def _setup(lr=0.05, seed=1):
    model = nn.Linear(3, 1, rng=seed)
    return model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr)


def _line(w):
    """A 1 → 1 model without bias, starting at weight ``w``."""
    model = nn.Linear(1, 1, bias=False)
    model.load_state_dict({"weight": np.array([[w]])})
    return model


# --------------------------------------------------------------------------- training


def test_fit_reduces_the_loss_and_records_one_train_loss_per_epoch():
    X, y = _regression()
    model, loss_fn, opt = _setup()
    history = Trainer(model, loss_fn, opt).fit(DataLoader(X, y, batch_size=8), epochs=20)
    assert len(history.train_loss) == 20 and history.steps == 20 * 5
    assert history.train_loss[-1] < 0.01 * history.train_loss[0]
    assert history.val_loss == [] and history.val_epochs == [] and history.best_epoch is None
    assert history.stopped_epoch is None


def test_train_loss_is_the_batch_size_weighted_mean_of_the_batch_losses():
    X = np.array([[1.0], [2.0], [3.0]])
    y = np.array([[1.0], [1.0], [1.0]])
    model = _line(0.0)
    # lr = 0: the weight stays 0, so the batch losses are mean(y²) = 1 for every batch
    history = fit(model, nn.MSELoss("sum"), optim.SGD(model.parameters(), lr=0.0),
                  DataLoader(X, y, batch_size=2), epochs=1)  # fmt: skip
    # batches of 2 and 1 rows with summed losses 2 and 1: (2·2 + 1·1) / 3
    assert history.train_loss == [pytest.approx(5 / 3, rel=1e-15)]


def test_one_sgd_step_per_batch_on_a_sum_reduced_loss():
    # the chapter's update: w −= lr · d(Σ (x·w − y)²)/dw = lr · Σ 2x(x·w − y)
    X = np.array([[1.0], [2.0]])
    y = np.array([[3.0], [5.0]])
    model = _line(0.5)
    fit(model, nn.MSELoss("sum"), optim.SGD(model.parameters(), lr=0.01), [(X, y)], epochs=1)
    grad = 2 * (1 * (0.5 - 3) + 2 * (1.0 - 5))
    np.testing.assert_allclose(model.weight.data, [[0.5 - 0.01 * grad]], rtol=1e-15)


def test_a_tuple_of_arrays_is_one_batch():
    X, y = _regression(10)
    model, loss_fn, opt = _setup(lr=0.01)
    start = loss_fn(model(X), y).item()
    history = Trainer(model, loss_fn, opt).fit((X, y), epochs=3, val_data=(X, y))
    assert history.steps == 3
    assert history.train_loss[0] == pytest.approx(start, rel=1e-15)  # loss before the step
    assert len(history.val_loss) == 3


def test_max_steps_stops_mid_epoch():
    X, y = _regression(10)
    model, loss_fn, opt = _setup()
    steps = []
    original = opt.step
    opt.step = lambda: (steps.append(1), original())
    loader = DataLoader(X, y, batch_size=3)  # 4 batches per epoch
    history = Trainer(model, loss_fn, opt).fit(loader, epochs=100, max_steps=10, val_data=(X, y))
    assert history.steps == 10 and len(steps) == 10
    assert len(history.train_loss) == 3  # 4 + 4 + 2 batches
    assert history.val_epochs == [1, 2, 3]


def test_max_steps_alone_sets_the_length_of_the_run():
    X, y = _regression(10)
    model, loss_fn, opt = _setup()
    history = Trainer(model, loss_fn, opt).fit(DataLoader(X, y, batch_size=3), max_steps=9)
    assert history.steps == 9 and len(history.train_loss) == 3


def test_a_list_of_arrays_is_one_batch_too():
    X, y = _regression(10)
    model, loss_fn, opt = _setup()
    history = Trainer(model, loss_fn, opt).fit([X, y], epochs=2, val_data=[X, y])
    assert history.steps == 2 and len(history.val_loss) == 2


def test_models_with_several_inputs():
    class Add(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter([[0.0]])

        def forward(self, a, b):
            return mg.matmul(a, self.w) + b

    a = np.ones((4, 1))
    b = np.zeros((4, 1))
    y = 2 * np.ones((4, 1))
    model = Add()
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), [(a, b, y)], epochs=200)
    np.testing.assert_allclose(model.w.data, [[2.0]], rtol=1e-6)


# --------------------------------------------------------------------------- evaluation


def test_evaluate_is_a_weighted_mean_without_a_graph_in_eval_mode():
    model = _line(1.0)
    seen_modes = []
    loss_fn = nn.MSELoss()

    def recording_loss(pred, target):
        seen_modes.append((model.training, mg.is_grad_enabled()))
        return loss_fn(pred, target)

    trainer = Trainer(model, recording_loss, optim.SGD(model.parameters(), lr=0.1))
    batches = [
        (np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]])),
        (np.array([[3.0]]), np.array([[1.0]])),
    ]
    # batch losses: mean(1, 4) = 2.5 over 2 rows, 4 over 1 row
    assert trainer.evaluate(batches) == pytest.approx((2.5 * 2 + 4 * 1) / 3, rel=1e-15)
    assert seen_modes == [(False, False), (False, False)]
    assert model.training and model.weight.grad is None
    with pytest.raises(ValueError, match="no batches"):
        trainer.evaluate([])


def test_evaluation_every_k_epochs_and_after_the_last():
    X, y = _regression()
    model, loss_fn, opt = _setup()
    trainer = Trainer(model, loss_fn, opt, eval_every=3)
    history = trainer.fit(DataLoader(X, y, batch_size=8), epochs=10, val_data=(X[:10], y[:10]))
    assert history.val_epochs == [3, 6, 9, 10]
    assert len(history.val_loss) == 4 and len(history.train_loss) == 10
    assert history.best_val_loss == min(history.val_loss)
    assert history.best_epoch == history.val_epochs[history.val_loss.index(min(history.val_loss))]
    assert trainer.history is history
    assert history.val_loss[-1] == pytest.approx(trainer.evaluate((X[:10], y[:10])), rel=1e-15)


# --------------------------------------------------------------------------- early stopping


def _conflicting_data():
    """Training pulls the weight from 0 towards 2; the validation loss is least at 1."""
    X = np.linspace(0.5, 1.5, 6).reshape(-1, 1)
    return (X, 2 * X), (X, 1 * X)


def test_early_stopping_restores_the_best_weights():
    (X, y), val = _conflicting_data()
    model = _line(0.0)
    opt = optim.SGD(model.parameters(), lr=0.05)
    trainer = Trainer(model, nn.MSELoss(), opt, eval_every=2, patience=3)
    history = trainer.fit(DataLoader(X, y, batch_size=2), epochs=500, val_data=val)

    assert history.stopped_epoch is not None and history.stopped_epoch < 500
    assert history.stopped_epoch == history.best_epoch + 3 * 2  # 3 evaluations, 2 epochs apart
    assert len(history.train_loss) == history.stopped_epoch
    assert history.val_epochs == list(range(2, history.stopped_epoch + 1, 2))
    assert history.val_loss[-1] > history.best_val_loss
    # the model holds the weights of the best evaluation, not the last epoch's
    assert trainer.evaluate(val) == pytest.approx(history.best_val_loss, rel=1e-15)
    replay = _line(0.0)
    Trainer(replay, nn.MSELoss(), optim.SGD(replay.parameters(), lr=0.05)).fit(
        DataLoader(X, y, batch_size=2), epochs=history.best_epoch
    )
    np.testing.assert_array_equal(model.weight.data, replay.weight.data)
    assert abs(model.weight.item() - 1.0) < 0.1


def test_without_restore_best_the_last_weights_stay():
    (X, y), val = _conflicting_data()
    model = _line(0.0)
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05),
                      patience=2, restore_best=False)  # fmt: skip
    history = trainer.fit(DataLoader(X, y, batch_size=2), epochs=500, val_data=val)
    assert history.stopped_epoch == history.best_epoch + 2
    assert trainer.evaluate(val) == pytest.approx(history.val_loss[-1], rel=1e-15)
    assert trainer.evaluate(val) > history.best_val_loss


def test_min_delta_counts_only_real_progress():
    X, y = _regression()
    model, loss_fn, opt = _setup(lr=0.05)
    history = Trainer(model, loss_fn, opt, patience=1, min_delta=1e9).fit(
        DataLoader(X, y, batch_size=8), epochs=50, val_data=(X, y)
    )
    # no evaluation can improve on the first by 1e9
    assert history.best_epoch == 1 and history.stopped_epoch == 2


def test_an_equal_validation_loss_is_not_progress():
    X, y = _regression(10)
    model, loss_fn, _ = _setup()
    frozen = optim.SGD(model.parameters(), lr=0.0)  # the loss never changes
    history = Trainer(model, loss_fn, frozen, patience=2).fit((X, y), epochs=10, val_data=(X, y))
    assert len(set(history.val_loss)) == 1
    assert history.best_epoch == 1 and history.stopped_epoch == 3


# --------------------------------------------------------------------------- determinism


def _seeded_run(loader_seed, init_seed=3):
    X, y = _regression(50)
    rng = np.random.default_rng(init_seed)
    model = nn.Sequential(nn.Linear(3, 8, rng=rng), nn.Tanh(), nn.Linear(8, 1, rng=rng))
    loader = DataLoader(X[:40], y[:40], batch_size=7, shuffle=True, seed=loader_seed)
    opt = optim.Adam(model.parameters(), lr=0.01)
    history = Trainer(model, nn.MSELoss(), opt, eval_every=2, patience=5).fit(
        loader, epochs=30, val_data=(X[40:], y[40:])
    )
    return history, model.state_dict()


def test_runs_are_repeatable_with_seeded_loaders_and_initialization():
    h1, s1 = _seeded_run(0)
    h2, s2 = _seeded_run(0)
    assert h1 == h2
    for key in s1:
        np.testing.assert_array_equal(s1[key], s2[key])
    h3, _ = _seeded_run(1)
    assert h3.train_loss != h1.train_loss


# progress display and History's repr and plot: tests/test_progress.py


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "options, message",
    [
        ({"eval_every": 0}, "eval_every must be a positive int"),
        ({"patience": 0}, "patience must be a positive int"),
        ({"min_delta": -1.0}, "min_delta must be >= 0"),
    ],
)
def test_invalid_options(options, message):
    model, loss_fn, opt = _setup()
    with pytest.raises(ValueError, match=message):
        Trainer(model, loss_fn, opt, **options)


def test_invalid_fit_arguments():
    X, y = _regression(10)
    model, loss_fn, opt = _setup()
    trainer = Trainer(model, loss_fn, opt)
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        trainer.fit((X, y), epochs=0)
    with pytest.raises(ValueError, match="give epochs, max_steps or both"):
        trainer.fit((X, y))
    with pytest.raises(ValueError, match="max_steps must be a positive int"):
        trainer.fit((X, y), epochs=1, max_steps=0)
    with pytest.raises(ValueError, match="train_data holds no batches"):
        trainer.fit([], epochs=1)
    with pytest.raises(TypeError, match="iterator"):
        trainer.fit(iter([(X, y)]), epochs=2)
    with pytest.raises(ValueError, match="needs val_data"):
        Trainer(model, loss_fn, opt, patience=2).fit((X, y), epochs=2)


def test_fit_function_equals_the_trainer():
    X, y = _regression()
    results = []
    for use_function in (True, False):
        model, loss_fn, opt = _setup()
        loader = DataLoader(X, y, batch_size=8, shuffle=True, seed=4)
        if use_function:
            h = fit(model, loss_fn, opt, loader, 6, val_data=(X, y), eval_every=2)
        else:
            h = Trainer(model, loss_fn, opt, eval_every=2).fit(loader, 6, val_data=(X, y))
        results.append((h, model.weight.data.copy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert not math.isnan(results[0][0].train_loss[-1])


# --------------------------------------------------------------------------- non-finite losses


def _nan_at_first_evaluations(count):
    """MSE, except that the first ``count`` evaluations (run without a graph) give NaN."""
    mse = nn.MSELoss()
    evaluations = []

    def loss_fn(pred, target):
        if not mg.is_grad_enabled():
            evaluations.append(1)
            if len(evaluations) <= count:
                return mg.tensor(np.nan)
        return mse(pred, target)

    return loss_fn


def test_a_nan_first_validation_loss_is_never_the_best():
    (X, y), val = _conflicting_data()
    model = _line(0.0)
    trainer = Trainer(model, _nan_at_first_evaluations(1),
                      optim.SGD(model.parameters(), lr=0.01), patience=3)  # fmt: skip
    history = trainer.fit(DataLoader(X, y, batch_size=2), epochs=500, val_data=val)

    assert math.isnan(history.val_loss[0])
    finite = history.val_loss[1:]
    assert finite[0] > finite[1] > finite[2]  # the losses after the NaN go down for a while
    assert history.best_epoch > 2 and history.best_val_loss == min(finite)
    assert history.stopped_epoch == history.best_epoch + 3
    # the weights restored are those of the best finite evaluation, not of epoch 1
    assert trainer.evaluate(val) == pytest.approx(history.best_val_loss, rel=1e-15)
    assert abs(model.weight.item() - 1.0) < 0.1
    assert history.val_finite == [False] + [True] * len(finite)


def test_only_non_finite_validation_losses_stop_early_and_restore_nothing():
    (X, y), val = _conflicting_data()
    model = _line(0.0)
    trainer = Trainer(model, _nan_at_first_evaluations(10**6),
                      optim.SGD(model.parameters(), lr=0.05), patience=2)  # fmt: skip
    history = trainer.fit(DataLoader(X, y, batch_size=2), epochs=50, val_data=val)
    assert history.stopped_epoch == 2 and history.val_finite == [False, False]
    assert history.best_epoch is None and history.best_val_loss is None
    replay = _line(0.0)  # the model keeps its last weights: nothing to restore
    fit(replay, nn.MSELoss(), optim.SGD(replay.parameters(), lr=0.05),
        DataLoader(X, y, batch_size=2), epochs=2)  # fmt: skip
    np.testing.assert_array_equal(model.weight.data, replay.weight.data)


def test_progress_says_when_the_validation_loss_is_not_finite(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(train, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(train, "PROGRESS_EVERY", 0.0)
    X, y = _regression(10)
    model, _, opt = _setup()
    Trainer(model, _nan_at_first_evaluations(1), opt).fit((X, y), epochs=2, val_data=(X, y))
    lines = [line for line in terminal.getvalue().split("\r") if "val loss" in line]
    assert any("val loss nan (not finite) (no finite val loss yet)" in line for line in lines)
    assert "not finite" not in lines[-1] and "(best " in lines[-1] and "at epoch 2)" in lines[-1]


# --------------------------------------------------------------------------- plain functions


def _function_model():
    w = nn.Parameter([[0.0]])
    return (lambda x: mg.matmul(x, w)), w


def test_restoring_the_best_weights_of_a_plain_function_is_refused_at_construction():
    model, w = _function_model()
    opt = optim.SGD([w], lr=0.05)
    (X, y), val = _conflicting_data()
    for make in (
        lambda: Trainer(model, nn.MSELoss(), opt, patience=3),
        lambda: fit(model, nn.MSELoss(), opt, (X, y), 5, val_data=val, patience=3),
    ):
        with pytest.raises(TypeError) as info:
            make()
        message = str(info.value)
        for words in ("Trainer", "patience=3", "model is a function",
                      "state_dict() or load_state_dict()", "restore_best=False"):
            assert words in message, (words, message)
    assert w.data.tolist() == [[0.0]]  # refused before any training

    class HalfModule:  # saving alone is not enough: the weights must be loadable too
        def __call__(self, x):
            return mg.matmul(x, w)

        def state_dict(self):
            return {"w": w.data.copy()}

    with pytest.raises(TypeError, match=r"HalfModule without load_state_dict\(\)\. Pass"):
        Trainer(HalfModule(), nn.MSELoss(), opt, patience=3)


def test_a_plain_function_stops_early_without_restoring():
    model, w = _function_model()
    (X, y), val = _conflicting_data()
    history = fit(model, nn.MSELoss(), optim.SGD([w], lr=0.05), DataLoader(X, y, batch_size=2),
                  500, val_data=val, patience=3, restore_best=False)  # fmt: skip
    assert history.stopped_epoch == history.best_epoch + 3
    assert history.val_loss[-1] > history.best_val_loss
    assert nn.MSELoss()(model(val[0]), val[1]).item() == pytest.approx(history.val_loss[-1])
