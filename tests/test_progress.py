"""Training progress (tqdm.auto), History's short repr and History.plot()."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from minigrad import nn, optim, train
from minigrad.train import History, Trainer, fit


def _regression(n=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.3
    return X, y


def _fit(**options):
    X, y = _regression()
    model = nn.Linear(3, 1, rng=1)
    opt = optim.SGD(model.parameters(), lr=0.05)
    epochs = options.pop("epochs", 3)
    return fit(model, nn.MSELoss(), opt, (X, y), epochs, val_data=(X, y), **options)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def long_runs(monkeypatch):
    """Every run counts as long enough to show progress."""
    monkeypatch.setattr(train, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(train, "PROGRESS_EVERY", 0.0)


# --------------------------------------------------------------------------- progress


def test_progress_on_a_terminal_shows_epochs_losses_rate_and_time_left(monkeypatch, long_runs):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _fit()
    last = terminal.getvalue().rstrip("\n").split("\r")[-1]
    assert "3/3" in last
    assert "epoch/s" in last  # the rate
    assert "<00:00" in last  # elapsed<left
    assert "train loss" in last and "val loss" in last and "best" in last
    assert terminal.getvalue().endswith("\n")  # the bar is left in place, finished


def test_the_bar_is_the_tqdm_auto_one(monkeypatch, long_runs):
    import tqdm.auto

    made = []

    class Spy(tqdm.auto.tqdm):
        def __init__(self, *args, **kwargs):
            made.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(train, "_tqdm", lambda: Spy)
    _fit(progress=True, epochs=2)
    assert made and made[0]["total"] == 2 and made[0]["unit"] == "epoch"
    assert made[0]["delay"] == 0.0


def test_progress_counts_steps_when_only_max_steps_bounds_the_run(monkeypatch, long_runs):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = _regression()
    model = nn.Linear(3, 1, rng=1)
    batches = [(X[:10], y[:10]), (X[10:], y[10:])]
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), batches, max_steps=5)
    last = terminal.getvalue().rstrip("\n").split("\r")[-1]
    assert "5/5" in last and "step/s" in last and "epoch 3" in last


def test_early_stopping_leaves_the_bar_where_the_run_stopped(monkeypatch, long_runs):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    X, y = _regression()
    model = nn.Linear(3, 1, rng=1)
    # a learning rate of 0 never improves on the first evaluation: stops after 1 + 2 epochs
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.0), (X, y), 50,
                  val_data=(X, y), patience=2)
    assert history.stopped_epoch == 3
    assert "3/50" in terminal.getvalue().rstrip("\n").split("\r")[-1]


def test_short_runs_show_nothing_even_on_a_terminal(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(train, "PROGRESS_AFTER", 3600.0)
    _fit()
    assert terminal.getvalue() == ""


def test_quiet_when_nobody_watches_or_when_turned_off(monkeypatch, capsys, long_runs):
    _fit()  # pytest captures stderr: not a terminal, not a kernel
    assert capsys.readouterr().err == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    _fit(progress=False)
    _fit(verbose=False)
    _fit(verbose=False, progress=True)
    assert terminal.getvalue() == ""


def test_progress_true_shows_it_in_a_log_too(capsys, long_runs):
    _fit(progress=True)
    assert "3/3" in capsys.readouterr().err


def test_a_jupyter_kernel_counts_as_interactive(monkeypatch):
    class Shell:
        config = {"IPKernelApp": {}}

    class FakeIPython:
        @staticmethod
        def get_ipython():
            return Shell()

    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    assert not train._interactive()
    monkeypatch.setitem(sys.modules, "IPython", FakeIPython)
    assert train._interactive()
    Shell.config = {}  # a terminal IPython, not a kernel: its stderr decides
    assert not train._interactive()


def test_trainer_remembers_the_progress_setting():
    model = nn.Linear(3, 1, rng=1)
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), progress=False)
    assert trainer.progress is False


def test_progress_must_be_a_bool_or_none():
    model = nn.Linear(3, 1, rng=1)
    with pytest.raises(TypeError, match=r"Trainer: progress must be True, False or None .*"
                                        r"got str 'yes'"):
        Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), progress="yes")


# --------------------------------------------------------------------------- History


def test_history_repr_is_one_short_line_whatever_the_run_length():
    history = _fit(epochs=2000, progress=False)
    text = repr(history)
    assert len(history.train_loss) == 2000
    assert len(text) < 200 and "\n" not in text
    assert text.startswith("History(epochs=2000, steps=2000, train_loss=")
    assert f"{history.train_loss[0]:.4g} → {history.train_loss[-1]:.4g}" in text
    assert f"best_val_loss={history.best_val_loss:.4g} at epoch {history.best_epoch}" in text
    assert "[" not in text  # no list of values


def test_history_repr_of_edge_cases():
    assert repr(History()) == "History(epochs=0)"
    h = History(train_loss=[2.0], steps=4)
    assert repr(h) == "History(epochs=1, steps=4, train_loss=2)"
    h = History(train_loss=[3.0, 2.0, 2.5], val_loss=[2.9, 2.95], val_epochs=[1, 3],
                best_epoch=1, best_val_loss=2.9, stopped_epoch=3, steps=6)
    assert repr(h) == (
        "History(epochs=3, steps=6, train_loss=3 → 2.5, val_loss=2.9 → 2.95, "
        "best_val_loss=2.9 at epoch 1, stopped early at epoch 3)"
    )
    assert h.epochs == 3


def test_history_still_compares_by_value():
    assert History(train_loss=[1.0], steps=1) == History(train_loss=[1.0], steps=1)
    assert History(train_loss=[1.0]) != History(train_loss=[2.0])


def test_history_plot_draws_both_curves_and_the_best_epoch():
    matplotlib = pytest.importorskip("matplotlib")  # the 'plot' extra
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = History(train_loss=[3.0, 2.0, 1.5, 1.4], val_loss=[2.5, 1.6], val_epochs=[2, 4],
                      best_epoch=4, best_val_loss=1.6, steps=8)
    ax = history.plot()
    try:
        train_line, val_line, best_line = ax.get_lines()
        np.testing.assert_array_equal(train_line.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(train_line.get_ydata(), history.train_loss)
        np.testing.assert_array_equal(val_line.get_xdata(), [2, 4])
        np.testing.assert_array_equal(val_line.get_ydata(), history.val_loss)
        assert list(best_line.get_xdata()) == [4, 4]
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "train loss", "validation loss", "best (epoch 4)"]
        # drawing on a given Axes, log scale
        fig, ax2 = plt.subplots()
        assert History(train_loss=[1.0, 0.5]).plot(ax2, log=True) is ax2
        assert ax2.get_yscale() == "log" and len(ax2.get_lines()) == 1
    finally:
        plt.close("all")


def test_history_plot_without_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"History.plot needs matplotlib.*'plot' extra"):
        History(train_loss=[1.0]).plot()


def test_history_plot_of_an_empty_history_says_so():
    with pytest.raises(ValueError, match="History.plot: nothing to plot"):
        History().plot()
