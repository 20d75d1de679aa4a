"""Training loops: epochs over mini-batches, periodic evaluation, early stopping, history.

::

    from minigrad import nn, optim
    from minigrad.data import DataLoader
    from minigrad.train import Trainer

    model = nn.Sequential(nn.Linear(13, 13, rng=0), nn.Sigmoid(), nn.Linear(13, 1, rng=1))
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01),
                      eval_every=5, patience=3)
    history = trainer.fit(DataLoader(X, y, batch_size=23, shuffle=True, seed=0),
                          epochs=500, val_data=(X_val, y_val))

A batch is a tuple ``(*inputs, target)``: the model is called on the inputs and the
loss function on ``(prediction, target)``. Training and validation data are either an
iterable of such tuples, read once per epoch (a ``DataLoader``, a list of batches), or one
tuple (or list) of arrays, used as a single batch. Nothing here draws random numbers, so a
run is as repeatable as the model's initialization and the loader's shuffling.
"""

from __future__ import annotations

import itertools
import math
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .autograd import no_grad
from .compiler import compile as _compile
from .tensor import Tensor

__all__ = ["History", "Trainer", "fit"]

#: seconds a run must last before progress is shown, and between two refreshes
PROGRESS_AFTER = 1.0
PROGRESS_EVERY = 0.1


@dataclass(repr=False)
class History:
    """What happened during :meth:`Trainer.fit`.

    Attributes:
        train_loss: one value per epoch run: the mean of its batch losses, weighted by
            batch size (for a mean-reduced loss, the loss over the epoch's samples; the
            weights change during the epoch, so it is not the end-of-epoch loss).
        val_loss: one value per evaluation, the same weighted mean over the validation
            batches, computed without recording a graph.
        val_epochs: the epoch (counted from 1) of each evaluation.
        val_finite: one flag per evaluation: False where the validation loss was NaN or
            infinite. Such an evaluation never counts as the best one nor as progress.
        best_epoch, best_val_loss: the evaluation with the lowest finite validation loss;
            None while no evaluation has had a finite one.
        stopped_epoch: the epoch after which early stopping ended the run, else None.
        steps: the number of optimizer steps taken.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_epochs: list[int] = field(default_factory=list)
    val_finite: list[bool] = field(default_factory=list)
    best_epoch: int | None = None
    best_val_loss: float | None = None
    stopped_epoch: int | None = None
    steps: int = 0

    @property
    def epochs(self) -> int:
        """The number of epochs run (the last one may have stopped part-way)."""
        return len(self.train_loss)

    def __repr__(self) -> str:
        # one line whatever the length of the run: the lists themselves can hold thousands
        # of values; they stay one attribute away (history.train_loss)
        if not self.train_loss:
            return "History(epochs=0)"
        parts = [
            f"epochs={self.epochs}",
            f"steps={self.steps}",
            f"train_loss={_span(self.train_loss)}",
        ]
        if self.val_loss:
            parts.append(f"val_loss={_span(self.val_loss)}")
        if self.best_epoch is not None and self.best_val_loss is not None:
            parts.append(f"best_val_loss={self.best_val_loss:.4g} at epoch {self.best_epoch}")
        if self.stopped_epoch is not None:
            parts.append(f"stopped early at epoch {self.stopped_epoch}")
        return "History(" + ", ".join(parts) + ")"

    def plot(self, ax: Any = None, *, log: bool = False) -> Any:
        """Plot the training loss per epoch and the validation loss per evaluation, with the
        best evaluation marked; return the matplotlib ``Axes``.

        Args:
            ax: the ``matplotlib.axes.Axes`` to draw on; None makes a new figure.
            log: use a logarithmic loss axis (losses must then be positive).

        Needs matplotlib, which the ``plot`` extra installs (``pip install
        'minigrad[plot]'``, or ``bash scripts/setup.sh plot`` in a checkout).
        """
        if not self.train_loss:
            raise ValueError(
                "History.plot: nothing to plot: this history holds no epochs (call fit first)"
            )
        if ax is None:
            try:
                import matplotlib.pyplot as plt
            except ImportError as e:
                raise ImportError(
                    "History.plot needs matplotlib, which is not installed; install the "
                    "'plot' extra: pip install 'minigrad[plot]' (or, in a checkout, "
                    "bash scripts/setup.sh plot)"
                ) from e
            _, ax = plt.subplots()
        epochs = range(1, self.epochs + 1)
        ax.plot(epochs, self.train_loss, label="train loss")
        if self.val_loss:
            ax.plot(self.val_epochs, self.val_loss, marker=".", label="validation loss")
        if self.best_epoch is not None:
            ax.axvline(self.best_epoch, color="grey", linestyle=":",
                       label=f"best (epoch {self.best_epoch})")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend()
        return ax


def _span(values: list[float]) -> str:
    """``first → last`` of a loss curve, 4 significant digits."""
    if len(values) == 1:
        return f"{values[0]:.4g}"
    return f"{values[0]:.4g} → {values[-1]:.4g}"


def _batches(data, where: str):
    """``data`` as something to iterate over once per epoch."""
    if isinstance(data, (tuple, list)) and data:
        if all(isinstance(a, (np.ndarray, Tensor)) for a in data):
            return (tuple(data),)  # one batch of arrays
    try:
        is_iterator = iter(data) is data
    except TypeError:
        raise TypeError(
            f"{where} must be a DataLoader, a list of batches or a tuple of arrays, got "
            f"{type(data).__name__}"
        ) from None
    if is_iterator:
        raise TypeError(
            f"{where} is an iterator, which would be used up after one epoch; pass a "
            "DataLoader, a list of batches or a tuple of arrays"
        )
    return data


def _on_plateau(scheduler: Any) -> bool:
    """Whether ``scheduler`` is stepped with a metric (a ReduceLROnPlateau)."""
    from .optim.lr_scheduler import ReduceLROnPlateau

    return isinstance(scheduler, ReduceLROnPlateau)


def _rows(batch) -> int:
    shape = np.shape(batch[-1])
    return shape[0] if shape else 1


class Trainer:
    """Trains ``model`` by minimizing ``loss_fn(model(*inputs), target)`` with ``optimizer``.

    Args:
        model: a callable whose parameters the optimizer updates; a Module's
            ``train``/``eval`` are used when present. Restoring the best weights
            (``patience`` with ``restore_best``) needs ``state_dict()`` and
            ``load_state_dict()``, as an ``nn.Module`` has; for a plain function, pass
            ``restore_best=False``.
        loss_fn: ``loss_fn(prediction, target)`` returning a scalar Tensor
            (``nn.MSELoss()``, ``minigrad.mse``, ...).
        optimizer: has ``zero_grad()`` and ``step()``.
        eval_every: evaluate on the validation data every this many epochs, and after the
            last epoch.
        patience: stop when this many evaluations in a row have not improved the best
            validation loss by more than ``min_delta``; None never stops early. Needs
            validation data. An evaluation whose loss is NaN or infinite counts as one
            without progress.
        min_delta: the smallest decrease of the validation loss that counts as progress.
        restore_best: with ``patience`` set, load the weights of the best evaluation
            when the run ends, whether it stopped early or not (nothing is loaded when no
            evaluation had a finite loss).
        progress: show a progress bar (``tqdm.auto``: a widget in Jupyter, a line on a
            terminal) with the epoch, the losses, the rate and the time left, once a run
            lasts longer than a second. None (the default) shows it only where someone
            can watch it: in a Jupyter kernel, or when standard error is a terminal; True
            shows it anywhere (a log file too), False never.
        verbose: False is the older spelling of ``progress=False``.
        scheduler: a learning-rate scheduler of ``optimizer``
            (``minigrad.optim.lr_scheduler``), or None. A ``ReduceLROnPlateau`` is
            stepped with the validation loss after each evaluation (so it needs
            ``val_data``); any other is stepped without arguments.
        scheduler_interval: ``"epoch"`` steps the scheduler once after each epoch (after
            that epoch's evaluation); ``"step"`` after every optimizer step, as
            ``OneCycleLR`` expects.
        compile: run the training step (forward, backward, ``optimizer.step()`` and a
            per-step scheduler) and the evaluation's forward pass through
            :func:`minigrad.compile`: recorded once per batch shape, then replayed. The
            losses and weights are the same, bit for bit; ``model`` and ``loss_fn`` must
            not read tensor values (``.item()``, ``if`` on a tensor) inside.
    """

    def __init__(
        self,
        model,
        loss_fn,
        optimizer,
        *,
        eval_every: int = 1,
        patience: int | None = None,
        min_delta: float = 0.0,
        restore_best: bool = True,
        verbose: bool = True,
        progress: bool | None = None,
        scheduler: Any = None,
        scheduler_interval: str = "epoch",
        compile: bool = False,  # noqa: A002 (the feature's name)
    ) -> None:
        if scheduler_interval not in ("epoch", "step"):
            raise ValueError(
                f"Trainer: scheduler_interval must be 'epoch' or 'step', got "
                f"{scheduler_interval!r}"
            )
        if scheduler is not None:
            if not callable(getattr(scheduler, "step", None)):
                raise TypeError(
                    f"Trainer: scheduler must have step() (a minigrad.optim.lr_scheduler "
                    f"scheduler), got {type(scheduler).__name__}"
                )
            if getattr(scheduler, "optimizer", optimizer) is not optimizer:
                raise ValueError("Trainer: the scheduler was built for another optimizer")
            if _on_plateau(scheduler) and scheduler_interval != "epoch":
                raise ValueError(
                    "Trainer: a ReduceLROnPlateau scheduler is stepped with the validation "
                    "loss after each evaluation; use scheduler_interval='epoch'"
                )
        if not isinstance(eval_every, int) or eval_every < 1:
            raise ValueError(f"Trainer: eval_every must be a positive int, got {eval_every!r}")
        if patience is not None and (not isinstance(patience, int) or patience < 1):
            raise ValueError(f"Trainer: patience must be a positive int or None, got {patience!r}")
        if not isinstance(min_delta, (int, float)) or isinstance(min_delta, bool) \
                or not min_delta >= 0 or not math.isfinite(min_delta):
            raise ValueError(f"Trainer: min_delta must be >= 0 and finite, got {min_delta!r}")
        for name, value in (("model", model), ("loss_fn", loss_fn)):
            if not callable(value):
                raise TypeError(f"Trainer: {name} must be callable, got {type(value).__name__}")
        for method in ("zero_grad", "step"):
            if not callable(getattr(optimizer, method, None)):
                raise TypeError(
                    f"Trainer: optimizer must have {method}() (an optim.SGD or Adam), got "
                    f"{type(optimizer).__name__}"
                )
        if patience is not None and restore_best:
            missing = [m for m in ("state_dict", "load_state_dict")
                       if not callable(getattr(model, m, None))]
            if missing:
                raise TypeError(
                    f"Trainer: patience={patience} with restore_best=True restores the best "
                    "weights at the end, which needs a model with state_dict() and "
                    f"load_state_dict() (an nn.Module); model is a {type(model).__name__} "
                    f"without {' or '.join(m + '()' for m in missing)}. Pass "
                    "restore_best=False to stop early and keep the last weights"
                )
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.eval_every = eval_every
        self.patience = patience
        self.min_delta = float(min_delta)
        self.restore_best = restore_best
        self.verbose = verbose
        if progress is not None and not isinstance(progress, bool):
            raise TypeError(
                f"Trainer: progress must be True, False or None (show it where someone can "
                f"watch), got {type(progress).__name__} {progress!r}"
            )
        self.progress = progress
        self.scheduler = scheduler
        self.scheduler_interval = scheduler_interval
        self.history = History()
        if not isinstance(compile, bool):
            raise TypeError(f"Trainer: compile must be True or False, got {compile!r}")
        self.compile = compile

        def step(inputs, target):
            loss = self.loss_fn(self.model(*inputs), target)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            if self.scheduler is not None and self.scheduler_interval == "step":
                self.scheduler.step()
            return loss

        def loss(inputs, target):
            return self.loss_fn(self.model(*inputs), target)

        self._step = _compile(step) if compile else step
        self._loss = _compile(loss) if compile else loss

    # ------------------------------------------------------------------ one pass
    def train_epoch(self, data, max_steps: int | None = None) -> tuple[float, int]:
        """One pass over ``data`` (at most ``max_steps`` batches); returns the weighted mean
        batch loss and the number of steps taken."""
        step = self._step
        total = 0.0
        rows = 0
        steps = 0
        for batch in data:
            *inputs, target = batch
            loss = step(tuple(inputs), target)
            n = _rows(batch)
            total += float(loss.data) * n
            rows += n
            steps += 1
            if steps == max_steps:
                break
        return (total / rows if rows else math.nan), steps

    def evaluate(self, data) -> float:
        """The loss on ``data`` (batches or a tuple of arrays), weighted by batch size,
        with the model in eval mode and no graph recorded."""
        data = _batches(data, "evaluate: data")
        model = self.model
        was_training = getattr(model, "training", None)
        if hasattr(model, "eval"):
            model.eval()
        total = 0.0
        rows = 0
        try:
            with no_grad():
                for batch in data:
                    *inputs, target = batch
                    n = _rows(batch)
                    total += float(self._loss(tuple(inputs), target).data) * n
                    rows += n
        finally:
            if was_training is not None:
                model.train(was_training)
        if not rows:
            raise ValueError("evaluate: the data holds no batches")
        return total / rows

    # ------------------------------------------------------------------ the loop
    def fit(
        self,
        train_data,
        epochs: int | None = None,
        val_data=None,
        max_steps: int | None = None,
    ) -> History:
        """Train for ``epochs`` passes over ``train_data``, or until ``max_steps`` optimizer
        steps (one per batch; the last epoch may stop part-way), whichever comes first, or
        until early stopping. At least one of ``epochs`` and ``max_steps`` is needed.
        Returns the :class:`History`, also kept as ``self.history``."""
        if epochs is None and max_steps is None:
            raise ValueError("fit: give epochs, max_steps or both to say when to stop")
        if epochs is not None and (not isinstance(epochs, int) or epochs < 1):
            raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
        if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 1):
            raise ValueError(f"fit: max_steps must be a positive int or None, got {max_steps!r}")
        if self.patience is not None and val_data is None:
            raise ValueError("fit: early stopping (patience) needs val_data to watch")
        if _on_plateau(self.scheduler) and val_data is None:
            raise ValueError("fit: a ReduceLROnPlateau scheduler needs val_data to watch")
        train_data = _batches(train_data, "fit: train_data")
        if val_data is not None:
            val_data = _batches(val_data, "fit: val_data")
        history = self.history = History()
        show = self.verbose and (_interactive() if self.progress is None else self.progress)
        progress = _Progress(epochs, max_steps) if show else None
        best_state = None
        waited = 0
        try:
            for epoch in itertools.count(1):
                left = None if max_steps is None else max_steps - history.steps
                loss, steps = self.train_epoch(train_data, left)
                if not steps:
                    raise ValueError("fit: train_data holds no batches")
                history.train_loss.append(loss)
                history.steps += steps
                last = epoch == epochs or (max_steps is not None and history.steps >= max_steps)
                if val_data is not None and (epoch % self.eval_every == 0 or last):
                    val = self.evaluate(val_data)
                    finite = math.isfinite(val)
                    history.val_loss.append(val)
                    history.val_epochs.append(epoch)
                    history.val_finite.append(finite)
                    best = history.best_val_loss
                    # a NaN or infinite loss is never the best: NaN compares false with
                    # everything, so as the best it would block all later progress
                    if finite and (best is None or val < best - self.min_delta):
                        history.best_val_loss, history.best_epoch = val, epoch
                        waited = 0
                        if self.patience is not None and self.restore_best:
                            best_state = self.model.state_dict()
                    else:
                        waited += 1
                        if self.patience is not None and waited >= self.patience:
                            history.stopped_epoch = epoch
                            last = True
                if self.scheduler is not None and self.scheduler_interval == "epoch":
                    if not _on_plateau(self.scheduler):
                        self.scheduler.step()
                    elif history.val_epochs and history.val_epochs[-1] == epoch:
                        self.scheduler.step(history.val_loss[-1])
                if progress is not None:
                    progress.update(epoch, history, last)
                if last:
                    break
        finally:
            if progress is not None:
                progress.close()
        if best_state is not None:
            self.model.load_state_dict(best_state)
        return history


def fit(
    model,
    loss_fn,
    optimizer,
    train_data,
    epochs: int | None = None,
    *,
    val_data=None,
    max_steps: int | None = None,
    **options,
) -> History:
    """``Trainer(model, loss_fn, optimizer, **options).fit(train_data, epochs, val_data,
    max_steps)``; see :class:`Trainer` for the options."""
    trainer = Trainer(model, loss_fn, optimizer, **options)
    return trainer.fit(train_data, epochs, val_data=val_data, max_steps=max_steps)


# --------------------------------------------------------------------------- progress


def _interactive() -> bool:
    """True where someone can watch a progress bar: in a Jupyter kernel, or when standard
    error (where tqdm writes) is a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        try:
            shell = ipython.get_ipython()
        except Exception:  # an IPython too old or half imported: not a kernel we know
            shell = None
        if shell is not None and "IPKernelApp" in getattr(shell, "config", {}):
            return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _tqdm() -> Any:
    """``tqdm.auto.tqdm``: the notebook widget in Jupyter, the text bar elsewhere. Without
    ipywidgets, Jupyter gets the text bar, which renders there too, without tqdm's warning."""
    try:
        from tqdm import TqdmWarning  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:  # pragma: no cover - tqdm is a dependency
        raise ImportError("training progress needs tqdm: pip install tqdm") from e
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    return tqdm


class _Progress:
    """A tqdm bar over the epochs (or over the steps when only ``max_steps`` bounds the run),
    with the latest losses after it; it appears once the run has lasted ``PROGRESS_AFTER``
    seconds."""

    def __init__(self, epochs: int | None, max_steps: int | None):
        self.by_epoch = epochs is not None or max_steps is None
        self.bar = _tqdm()(
            total=epochs if self.by_epoch else max_steps,
            unit="epoch" if self.by_epoch else "step",
            desc="fit",
            delay=PROGRESS_AFTER,
            mininterval=PROGRESS_EVERY,
            dynamic_ncols=True,
            leave=True,
        )
        self.steps = 0

    def update(self, epoch: int, history: History, final: bool) -> None:
        text = f"train loss {history.train_loss[-1]:.4g}"
        if history.val_loss:
            text += f", val loss {history.val_loss[-1]:.4g}"
            if not history.val_finite[-1]:
                text += " (not finite)"
            if history.best_val_loss is None:
                text += " (no finite val loss yet)"
            else:
                text += f" (best {history.best_val_loss:.4g} at epoch {history.best_epoch})"
        if not self.by_epoch:
            text = f"epoch {epoch}, " + text
        self.bar.set_postfix_str(text, refresh=False)
        self.bar.update(1 if self.by_epoch else history.steps - self.steps)
        self.steps = history.steps

    def close(self) -> None:
        self.bar.close()
