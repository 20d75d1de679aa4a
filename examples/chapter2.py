"""The "Fundamentals" chapter of *Deep Learning from Scratch*, trained with minigrad.

Linear regression and a 13 → 13 sigmoid → 1 network learn the Boston house prices; the
script prints one table of test MAE and RMSE beside the book's figures, the mean of
y_test and the most important feature, and writes the chapter's computation graphs
(and, with matplotlib, plots) into an output folder.

    python3 examples/chapter2.py --book     # the book's protocol: every figure it printed
    python3 examples/chapter2.py            # a modern recipe, beside the book's figures
    python3 examples/chapter2.py --json     # the figures only, as one JSON object

``--book`` follows the notebook step for step: features standardised over all 506 rows,
the split of ``RandomState(80718)``, weights and row permutations from one
``RandomState(seed)`` stream, mini-batch SGD (batch 23, learning rate 0.001) on the
gradient of the batch sum (linear) or half sum (network) of squared errors. The
gradients come from ``loss.backward()``; nothing is derived by hand.

The book's figures come in two printings, and both differ from the true gradient's:

- the printed book used scikit-learn's Boston CSV from before release 0.20, in which
  row 445 (0-based) had CRIM = 0.6718 instead of 10.6718 (``--data-version pre-0.20``);
- the companion notebook used the corrected CSV, the one minigrad ships;
- both ran the book's code, which sums the hidden-bias gradient over the hidden units as
  well as over the rows, so every hidden bias gets the same update (``--bias-grad book``
  reproduces that with a custom ``Function``); autodiff gives each bias its own gradient.

``--book`` alone trains all three (printed book, notebook, true gradient) and prints
them side by side, each figure marked where it equals the one printed; with
``--data-version`` or ``--bias-grad`` it trains just that one configuration.

The data set's column B encodes a racist assumption (see minigrad/datasets/data/README.md);
it is used here only to reproduce the chapter.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import textwrap
import time
from dataclasses import dataclass

import numpy as np

import minigrad as mg
from minigrad import nn, optim, viz
from minigrad.data import DataLoader, StandardScaler, train_test_split
from minigrad.datasets import load_boston
from minigrad.metrics import mae, rmse
from minigrad.train import Trainer

# ----------------------------------------------------------------------------- settings

SPLIT_SEED = 80718  # the notebook's train_test_split(random_state=80718)
TEST_SIZE = 0.3
BATCH_SIZE = 23
LINEAR_SEED, LINEAR_STEPS = 180708, 1000
NETWORK_SEED, NETWORK_STEPS = 180807, 10_000
BOOK_LR = 0.001

# the modern recipe
VAL_SIZE = 0.2  # of the training rows
VAL_SEED = 1
MODERN_LR = 0.01
MODERN_MAX_EPOCHS = 2000
MODERN_PATIENCE = 50  # epochs without a better validation loss
LINEAR_INIT_SEED, NETWORK_INIT_SEEDS, LOADER_SEED = 0, (1, 2), 3

#: the figures each printing reported, and minigrad's own with the true gradient; every
#: one is reproduced to four decimals by the configuration named beside it
PRINTED_BOOK = {
    "label": "printed book",
    "data_version": "pre-0.20",
    "bias_grad": "book",
    "linear": {"mae": 3.5643, "rmse": 5.0508},
    "network": {"mae": 2.5289, "rmse": 3.6775},
    "least_squares": {"mae": 3.5666, "rmse": 5.0482},
}
NOTEBOOK = {
    "label": "companion notebook",
    "data_version": "current",
    "bias_grad": "book",
    "linear": {"mae": 3.5644, "rmse": 5.0497},
    "network": {"mae": 2.5951, "rmse": 3.8851},
    "mean_y_test": 22.0776,
    "most_important_feature": "LSTAT",
    "coefficient": -4.2553,
    "intercept": 22.6312,
}
TRUE_GRADIENT = {
    "label": "minigrad, true gradient",
    "data_version": "current",
    "bias_grad": "true",
    "linear": {"mae": 3.5644, "rmse": 5.0497},
    "network": {"mae": 2.5409, "rmse": 3.9517},
    "least_squares": {"mae": 3.5671, "rmse": 5.0476},
    "mean_y_test": 22.0776,
    "most_important_feature": "LSTAT",
    "coefficient": -4.2553,
    "intercept": 22.6312,
}
REFERENCES = (PRINTED_BOOK, NOTEBOOK, TRUE_GRADIENT)
#: what the modern recipe is compared with: the book's protocol with the true gradient
BOOK = TRUE_GRADIENT
DATA_VERSIONS = {"current": "corrected CSV, CRIM 10.6718", "pre-0.20": "pre-0.20 CSV, CRIM 0.6718"}
BIAS_GRADS = {"true": "true (autodiff)", "book": "book's (summed)"}
DIFFERENCES = (
    "Printed book vs notebook: the same code on two copies of the data. scikit-learn's "
    "Boston CSV before release 0.20 had CRIM = 0.6718 in row 445 (0-based) where StatLib "
    "has 10.6718; standardising over all 506 rows carries that one cell into every row's "
    "CRIM (--data-version pre-0.20 loads it so).",
    "Notebook vs minigrad: the book's code sums the hidden-bias gradient over the hidden "
    "units as well as the rows, so all 13 hidden biases get the same update; autodiff "
    "gives each its own gradient (--bias-grad book reproduces the book's update with a "
    "custom Function). The linear regression and least squares have no hidden layer, so "
    "they differ between the columns only by the data.",
)

GRAPH_FILES = ("linear_regression", "network", "network_gradients", "network_book_bias_checked")
BACKWARD_PAGE = "network_backward.html"
PLOT_FILES = ("loss_curves.png", "predicted_vs_actual.png")


# ----------------------------------------------------------------------------- data


@dataclass
class Split:
    """Rows to train on, rows to validate on (modern recipe only) and the test rows.

    Targets are columns of shape (n, 1), as in the notes."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None


def load_split(recipe: str, data_version: str = "current") -> Split:
    """The Boston data split into 70 % train and 30 % test rows, the notebook's rows.

    ``"book"`` standardises every feature with the mean and population std of all 506
    rows before splitting, as the notebook does. ``"modern"`` carves a validation set
    from the training rows and fits the scaler on the remaining training rows only, so
    no statistic of the validation or test rows leaks into training. ``data_version``
    is passed to ``load_boston`` ("current" or "pre-0.20").
    """
    boston = load_boston(version=data_version)
    X, y = boston.data, boston.target.reshape(-1, 1)
    if recipe == "book":
        X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, seed=SPLIT_SEED)
    if recipe == "book":
        return Split(X_train, y_train, X_test, y_test, boston.feature_names)
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train, y_train, test_size=VAL_SIZE, seed=VAL_SEED
    )
    scaler = StandardScaler().fit(X_fit)
    return Split(
        X_train=scaler.transform(X_fit),
        y_train=y_fit,
        X_test=scaler.transform(X_test),
        y_test=y_test,
        feature_names=boston.feature_names,
        X_val=scaler.transform(X_val),
        y_val=y_val,
    )


# ----------------------------------------------------------------------------- models


class BookHiddenBias(mg.Function):
    """P = N + B with the book's gradient for B: the sum of dL/dP over the rows *and* the
    units, the same number for every bias. (The true gradient sums over the rows only.)

    A custom op, written as a user would: forward and backward on numpy arrays."""

    name = "add_bias (book's gradient)"
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = Σ_rows,units dL/d{y} (every unit)"

    def forward(self, n, b):
        self.bias_shape = b.shape
        return n + b

    def backward(self, g):
        return g, np.full_like(g, g.sum(), shape=self.bias_shape)


class BookLinear(nn.Linear):
    """A Linear layer whose bias gets the book's gradient (see :class:`BookHiddenBias`)."""

    def forward(self, x):
        return BookHiddenBias.apply(mg.matmul(x, self.weight), self.bias)


def linear_model(rng=None) -> nn.Linear:
    """P = X·W + B with W of shape (13, 1) and B of shape (1,)."""
    return nn.Linear(13, 1, rng=rng)


def network_model(rngs=(None, None), bias_grad: str = "true") -> nn.Sequential:
    """13 → 13 sigmoid → 1: P = σ(X·W1 + B1)·W2 + B2. With ``bias_grad="book"`` the
    hidden layer's bias gets the book's gradient."""
    hidden = (BookLinear if bias_grad == "book" else nn.Linear)(13, 13, rng=rngs[0])
    return nn.Sequential(hidden, nn.Sigmoid(), nn.Linear(13, 1, rng=rngs[1]))


def sum_squared_errors(pred, target):
    """L = Σ (P − Y)², the linear regression's loss in the notes."""
    return mg.mse(pred, target, reduction="sum")


def half_sum_squared_errors(pred, target):
    """L = ½ Σ (P − Y)², whose gradient dL/dP = P − Y is the network's in the notes."""
    return 0.5 * mg.mse(pred, target, reduction="sum")


# ----------------------------------------------------------------------------- the book


def book_init(model: nn.Module, rng: np.random.RandomState) -> None:
    """Set every parameter from ``rng.randn``, in the notes' order W, B or W1, B1, W2, B2.

    ``randn(1, 13)`` and ``randn(13)`` draw the same values, so the book's (1, k) biases
    become minigrad's (k,) biases unchanged."""
    for p in model.parameters():
        p.data = rng.randn(*p.shape)


def book_batches(X: np.ndarray, y: np.ndarray, rng: np.random.RandomState, batch_size: int):
    """Endless mini-batches in the notebook's order: each pass over the rows starts by
    permuting the current order with a permutation drawn from ``rng`` (the stream the
    weights came from), then takes batches in order, the last one holding the leftover
    rows. ``DataLoader`` does exactly this when given the stream as its seed."""
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=rng)
    while True:
        yield from loader


def train_book(
    model, split: Split, *, seed: int, steps: int, loss_fn, label: str = "", progress: bool = False,
    compile: bool = False,
) -> dict:
    """Train ``model`` by the book's protocol; return its training-loss curve.

    Weights, then the row permutations, come from ``RandomState(seed)``; each step is
    one batch of SGD on the gradient of ``loss_fn`` with the book's learning rate.
    ``train_mse`` holds the mean squared error of the batches of each full pass over the
    training rows, with the weights of the moment. When the step budget ends inside a
    pass, that pass's few batches are a different sample of rows, so its figure is kept
    apart (``partial_mse``, over ``partial_rows`` rows) rather than drawn as a point of
    the curve. With ``compile``, the step runs through ``minigrad.compile``."""
    rng = np.random.RandomState(seed)
    book_init(model, rng)
    opt = optim.SGD(model.parameters(), lr=BOOK_LR)
    batches = book_batches(split.X_train, split.y_train, rng, BATCH_SIZE)
    n = len(split.X_train)
    curve, sse, rows = [], 0.0, 0

    def sgd_step(xb, yb):
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return pred

    if compile:
        sgd_step = mg.compile(sgd_step)
    for step in range(1, steps + 1):
        xb, yb = next(batches)
        pred = sgd_step(xb, yb)
        sse += float(np.square(pred.data - yb).sum())
        rows += len(yb)
        if rows == n:
            curve.append(sse / rows)
            sse, rows = 0.0, 0
        if progress and (step % 500 == 0 or step == steps):
            end = "\n" if step == steps else ""
            print(f"\r{label}: step {step:,}/{steps:,}", end=end, flush=True)
    return {
        "train_mse": curve,
        "partial_mse": sse / rows if rows else None,
        "partial_rows": rows,
        "passes": len(curve) + rows / n,
        "steps": steps,
    }


# ----------------------------------------------------------------------------- modern


def train_modern(model, split: Split, *, label: str = "", progress: bool = False,
                 compile: bool = False) -> dict:
    """Mean squared error, Adam, shuffled mini-batches, early stopping on the validation
    rows with the best weights restored (minigrad.train.Trainer); return the curves."""
    if progress:
        print(f"{label}:", flush=True)  # the Trainer's progress line follows
    loader = DataLoader(
        split.X_train, split.y_train, batch_size=BATCH_SIZE, shuffle=True, seed=LOADER_SEED
    )
    trainer = Trainer(
        model,
        nn.MSELoss(),
        optim.Adam(model.parameters(), lr=MODERN_LR),
        patience=MODERN_PATIENCE,
        verbose=progress,
        compile=compile,
    )
    history = trainer.fit(loader, epochs=MODERN_MAX_EPOCHS, val_data=(split.X_val, split.y_val))
    return {
        "train_mse": history.train_loss,
        "val_mse": history.val_loss,
        "best_epoch": history.best_epoch,
        "stopped_epoch": history.stopped_epoch,
    }


# ----------------------------------------------------------------------------- evaluation


def predict(model, X: np.ndarray) -> np.ndarray:
    """The model's predictions, without recording a graph."""
    with mg.no_grad():
        return model(X).data


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Test MAE and RMSE."""
    return {"mae": mae(y_true, y_pred), "rmse": rmse(y_true, y_pred)}


def least_squares(split: Split) -> np.ndarray:
    """Closed-form least squares (with an intercept column) on the training rows;
    returns its predictions for the test rows."""

    def with_ones(X):
        return np.hstack([X, np.ones((len(X), 1))])

    coef, *_ = np.linalg.lstsq(with_ones(split.X_train), split.y_train, rcond=None)
    return with_ones(split.X_test) @ coef


# ----------------------------------------------------------------------------- graphs


def _name(tensor, name: str):
    tensor.name = name
    return tensor


def _name_layer(layer: nn.Linear, out, weight: str, product: str, bias: str) -> None:
    """Name a Linear layer's parameters and its product X·W (Linear computes
    ``add_bias(matmul(X, W), B)``, so the product is the first input of ``out``'s op)."""
    layer.weight.name, layer.bias.name = weight, bias
    out.op.parents[0].name = product


def _render(loss, path: pathlib.Path, **options) -> pathlib.Path:
    """Write the graph as SVG, or as DOT text when Graphviz's ``dot`` is missing."""
    try:
        return viz.save(loss, path.with_suffix(".svg"), format="svg", **options)
    except viz.GraphvizNotFoundError:
        dot_path = path.with_suffix(".dot")
        dot_path.write_text(viz.to_dot(loss, **options), encoding="utf-8")
        return dot_path


def _network_graph(network, X, Y, loss_fn):
    """The network's graph on one batch, with the notes' names; returns (L, tensors)."""
    hidden, sigmoid, output = network
    N1 = _name(hidden(X), "N1")
    _name_layer(hidden, N1, "W1", "M1", "B1")
    O1 = _name(sigmoid(N1), "O1")
    P = _name(output(O1), "P")
    _name_layer(output, P, "W2", "M2", "B2")
    L = _name(loss_fn(P, Y), "L")
    return L, (N1.op.parents[0], N1, O1, P.op.parents[0], P)


def write_graphs(linear, network, xb, yb, loss_fns, out_dir: pathlib.Path) -> dict:
    """The chapter's computation graphs on one batch, with the notes' tensor names.

    - the linear regression, with each op's expression and local derivative;
    - the network, the same way;
    - the network after backward, with the gradients of parameters and intermediates;
    - the network with the book's hidden-bias gradient (as a custom op), gradient-checked:
      the op with the wrong backward is drawn in red;
    - an HTML page that steps through the network's backward pass.

    Returns ``{"graphs": [paths], "backward_page": path or None, "skipped": reason}``."""
    linear_loss, network_loss = loss_fns
    X, Y = mg.tensor(xb, name="X"), mg.tensor(yb, name="Y")

    P = _name(linear(X), "P")
    _name_layer(linear, P, "W", "N", "B")
    L = _name(linear_loss(P, Y), "L")
    paths = [_render(L, out_dir / GRAPH_FILES[0], show_formulas=True)]

    L, intermediates = _network_graph(network, X, Y, network_loss)
    paths.append(_render(L, out_dir / GRAPH_FILES[1], show_formulas=True))
    page, skipped = None, None
    try:  # before backward: the page needs the arrays the nodes saved
        page = viz.backward_steps(L, out_dir / BACKWARD_PAGE).path
    except viz.GraphvizNotFoundError:
        skipped = "the backward page needs Graphviz's 'dot' program (system package graphviz)"

    # non-leaf tensors keep their gradient only when asked to
    for t in intermediates:
        t.retain_grad()
    L.backward()
    paths.append(_render(L, out_dir / GRAPH_FILES[2], show_grad=True))
    network.zero_grad()

    book = network_model(bias_grad="book")
    book.load_state_dict(network.state_dict())
    L, _ = _network_graph(book, X, Y, network_loss)
    paths.append(_render(L, out_dir / GRAPH_FILES[3], check=True))
    return {"graphs": paths, "backward_page": page, "skipped": skipped}


# ----------------------------------------------------------------------------- plots


def curve_marks(curve: dict) -> dict:
    """What a loss-curve plot marks: the best pass (lowest validation loss, or training
    loss when there is no validation), where training stopped and why, and the partial
    last pass, if any, as a separate point."""
    val = curve.get("val_mse")
    watched = val if val else curve["train_mse"]
    best = curve.get("best_epoch") or int(np.argmin(watched)) + 1
    marks = {"best": (best, float(watched[best - 1])),
             "best_label": f"best: pass {best} (lowest {'validation' if val else 'training'} "
                           "loss)"}  # fmt: skip
    if "steps" in curve:  # the book: a fixed number of steps
        marks["stop"] = curve["passes"]
        marks["stop_label"] = (
            f"stopped: the {curve['steps']:,}-step budget ({curve['passes']:.4g} passes)"
        )
    elif curve.get("stopped_epoch"):
        marks["stop"] = curve["stopped_epoch"]
        marks["stop_label"] = (
            f"stopped early: pass {curve['stopped_epoch']}; weights of pass {best} restored"
        )
    else:
        marks["stop"] = len(curve["train_mse"])
        marks["stop_label"] = f"stopped: the {marks['stop']}-pass limit"
    if curve.get("partial_mse") is not None:
        marks["partial"] = (curve["passes"], curve["partial_mse"])
        marks["partial_label"] = (
            f"last pass, partial ({curve['partial_rows']} rows; a different sample, "
            "not a rise)"
        )
    return marks


def write_plots(
    curves: dict, y_test: np.ndarray, preds: dict, recipe: str, out_dir: pathlib.Path
) -> tuple[list[pathlib.Path], str | None]:
    """Loss curves and predicted-vs-actual on the test rows, as PNG files.

    Returns the paths and None, or no paths and the reason plots were skipped."""
    try:
        import matplotlib
    except ImportError:
        return [], "matplotlib is not installed (pip install 'minigrad[plot]')"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [out_dir / name for name in PLOT_FILES]
    fig, axes = plt.subplots(1, len(curves), figsize=(12, 4.6))
    for ax, (model, curve) in zip(axes, curves.items(), strict=True):
        marks = curve_marks(curve)
        passes = range(1, len(curve["train_mse"]) + 1)
        ax.plot(passes, curve["train_mse"], label="training (full passes)")
        if curve.get("val_mse"):
            ax.plot(range(1, len(curve["val_mse"]) + 1), curve["val_mse"], label="validation")
        if "partial" in marks:
            ax.plot(*marks["partial"], linestyle="none", marker="o", markerfacecolor="none",
                    color="grey", label=marks["partial_label"])
        ax.plot(*marks["best"], linestyle="none", marker="*", markersize=13, color="#d62728",
                label=marks["best_label"])
        ax.axvline(marks["stop"], color="black", linestyle="--", linewidth=1,
                   label=marks["stop_label"])
        ax.set(
            title=f"{model} ({recipe})",
            xlabel="pass over the training rows",
            ylabel="mean squared error",
            yscale="log",
        )
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(paths[0], dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(preds), figsize=(11, 4.5))
    low, high = float(y_test.min()), float(y_test.max())
    for ax, (model, pred) in zip(axes, preds.items(), strict=True):
        ax.scatter(y_test, pred, s=12, alpha=0.7)
        ax.plot([low, high], [low, high], color="grey", linewidth=1)
        ax.set(
            title=f"{model} ({recipe}): test rows",
            xlabel="actual MEDV ($1000s)",
            ylabel="predicted MEDV ($1000s)",
        )
    fig.tight_layout()
    fig.savefig(paths[1], dpi=100)
    plt.close(fig)
    return paths, None


# ----------------------------------------------------------------------------- the run

LINEAR, NETWORK = "linear regression", "network"


def train_models(recipe: str, split: Split, *, progress: bool = False,
                 bias_grad: str = "true", models=(LINEAR, NETWORK), compile: bool = False) -> dict:
    """The models named in ``models`` trained by ``recipe``: ``{name: (model, loss_fn,
    curves)}``, the linear regression first."""
    if recipe == "book":
        plan = [
            (LINEAR, linear_model(), sum_squared_errors, LINEAR_SEED, LINEAR_STEPS),
            (NETWORK, network_model(bias_grad=bias_grad), half_sum_squared_errors,
             NETWORK_SEED, NETWORK_STEPS),
        ]  # fmt: skip
        trained = {}
        for name, model, loss_fn, seed, steps in plan:
            if name not in models:
                continue
            kwargs = {"seed": seed, "steps": steps, "loss_fn": loss_fn, "progress": progress,
                      "compile": compile}
            trained[name] = (model, loss_fn, train_book(model, split, label=name, **kwargs))
        return trained
    models = {LINEAR: linear_model(LINEAR_INIT_SEED), NETWORK: network_model(NETWORK_INIT_SEEDS)}
    return {
        name: (model, nn.MSELoss(),
               train_modern(model, split, label=name, progress=progress, compile=compile))
        for name, model in models.items()
    }


def _check_config(recipe: str, data_version: str, bias_grad: str) -> None:
    if recipe not in ("book", "modern"):
        raise ValueError(f"recipe must be 'book' or 'modern', got {recipe!r}")
    if data_version not in DATA_VERSIONS:
        raise ValueError(f"data_version must be one of {list(DATA_VERSIONS)}, got {data_version!r}")
    if bias_grad not in BIAS_GRADS:
        raise ValueError(f"bias_grad must be one of {list(BIAS_GRADS)}, got {bias_grad!r}")
    if recipe == "modern" and bias_grad != "true":
        raise ValueError("bias_grad='book' belongs to the book's protocol (recipe='book')")


def run(
    recipe: str = "book", out_dir="chapter2_out", *, plots: bool = True, progress: bool = False,
    data_version: str = "current", bias_grad: str = "true", compile: bool = False,
) -> dict:
    """Train both models by ``recipe`` ("book" or "modern") on ``data_version`` of the
    data, with the true or the book's hidden-bias gradient, evaluate them on the test
    rows, write graphs, the backward page (and plots) into ``out_dir``; return the
    figures as a dict."""
    _check_config(recipe, data_version, bias_grad)
    started = time.perf_counter()
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem in GRAPH_FILES:  # every run writes its files afresh; no stale one survives
        for suffix in (".svg", ".dot"):
            (out_dir / stem).with_suffix(suffix).unlink(missing_ok=True)
    for name in (*PLOT_FILES, BACKWARD_PAGE):
        (out_dir / name).unlink(missing_ok=True)

    split = load_split(recipe, data_version)
    train_started = time.perf_counter()
    trained = train_models(recipe, split, progress=progress, bias_grad=bias_grad,
                           compile=compile)
    train_seconds = time.perf_counter() - train_started
    (linear, linear_loss, _), (network, network_loss, _) = trained.values()
    curves = {name: curve for name, (_, _, curve) in trained.items()}
    preds = {name: predict(model, split.X_test) for name, (model, _, _) in trained.items()}
    weights = linear.weight.data.ravel()
    top = int(np.argmax(np.abs(weights)))
    first_batch = split.X_train[:BATCH_SIZE], split.y_train[:BATCH_SIZE]
    drawn = write_graphs(linear, network, *first_batch, (linear_loss, network_loss), out_dir)
    plot_paths, plots_skipped = (
        write_plots(curves, split.y_test, preds, recipe, out_dir)
        if plots
        else ([], "turned off (--no-plots)")
    )
    return {
        "recipe": recipe,
        "data_version": data_version,
        "bias_grad": bias_grad,
        "n_test": len(split.y_test),
        "mean_y_test": float(split.y_test.mean()),
        "linear": scores(split.y_test, preds[LINEAR]),
        "network": scores(split.y_test, preds[NETWORK]),
        "least_squares": scores(split.y_test, least_squares(split)),
        "most_important_feature": split.feature_names[top],
        "coefficient": float(weights[top]),
        "intercept": float(linear.bias.data[0]),
        "training": {
            model: {k: v for k, v in curve.items() if not k.endswith("_mse")}
            | {"final_train_mse": curve["train_mse"][-1]}
            for model, curve in curves.items()
        },
        "graphs": [str(p) for p in drawn["graphs"]],
        "backward_page": str(drawn["backward_page"]) if drawn["backward_page"] else None,
        "backward_page_skipped": drawn["skipped"],
        "plots": [str(p) for p in plot_paths],
        "plots_skipped": plots_skipped,
        "train_seconds": train_seconds,
        "seconds": time.perf_counter() - started,
    }


def book_figures(data_version: str, bias_grad: str, *, models=(LINEAR, NETWORK),
                 compile: bool = False) -> dict:
    """The test figures of one configuration of the book's protocol, without pictures."""
    _check_config("book", data_version, bias_grad)
    split = load_split("book", data_version)
    trained = train_models("book", split, bias_grad=bias_grad, models=models, compile=compile)
    out = {"data_version": data_version, "bias_grad": bias_grad,
           "mean_y_test": float(split.y_test.mean()),
           "least_squares": scores(split.y_test, least_squares(split))}  # fmt: skip
    for name, key in ((LINEAR, "linear"), (NETWORK, "network")):
        if name in trained:
            out[key] = scores(split.y_test, predict(trained[name][0], split.X_test))
    if LINEAR in trained:
        linear = trained[LINEAR][0]
        weights = linear.weight.data.ravel()
        top = int(np.argmax(np.abs(weights)))
        out["most_important_feature"] = split.feature_names[top]
        out["coefficient"] = float(weights[top])
        out["intercept"] = float(linear.bias.data[0])
    return out


def book_columns(main: dict, compile: bool = False) -> list[dict]:
    """The three configurations of :data:`REFERENCES`, each as ``{"reference": ...,
    "figures": ...}``: ``main`` (a :func:`run` with the true gradient on the current
    data) supplies the last; the printed book's and the notebook's are trained here (the
    notebook's linear model and least squares are the same as ``main``'s)."""
    book = book_figures("pre-0.20", "book", compile=compile)
    notebook = {**main, **book_figures("current", "book", models=(NETWORK,), compile=compile),
                "bias_grad": "book"}
    return [{"reference": ref, "figures": figures}
            for ref, figures in zip(REFERENCES, (book, notebook, main))]  # fmt: skip


def reference_for(data_version: str, bias_grad: str) -> dict | None:
    """The printing (or minigrad's own figures) made with this configuration, if any."""
    for ref in REFERENCES:
        if (ref["data_version"], ref["bias_grad"]) == (data_version, bias_grad):
            return ref
    return None


def book_mismatches(results: dict, reference: dict | None = None) -> list[str]:
    """The figures that differ from ``reference`` (by default the one made with the run's
    configuration) at four decimals."""
    if reference is None:
        reference = reference_for(results.get("data_version", "current"),
                                  results.get("bias_grad", "true"))
        if reference is None:
            return []
    found = []
    for key in ("linear", "network", "least_squares"):
        for metric in ("mae", "rmse"):
            if key in reference and key in results and \
                    round(results[key][metric], 4) != reference[key][metric]:
                found.append(f"{key} {metric.upper()} {results[key][metric]:.4f} "
                             f"(expected {reference[key][metric]:.4f})")
    for key in ("mean_y_test", "coefficient", "intercept"):
        if key in reference and key in results and round(results[key], 4) != reference[key]:
            found.append(f"{key} {results[key]:.4f}")
    feature = reference.get("most_important_feature")
    if feature and results.get("most_important_feature", feature) != feature:
        found.append(f"most important feature {results['most_important_feature']}")
    return found


# ----------------------------------------------------------------------------- printing


def _cell(value: float, printed) -> str:
    """A figure of this run, marked ✓ where it equals the printed one at four decimals."""
    if printed is None:
        return f"{value:.4f}"
    return f"{value:.4f} ✓" if round(value, 4) == printed else f"{value:.4f} ≠ {printed:.4f}"


def format_columns(columns: list[dict], n_test: int) -> str:
    """The book's protocol in three configurations, side by side: each cell is what
    minigrad computed, ✓ where it equals the figure printed in that column's source."""
    heads = [c["reference"]["label"] for c in columns]
    rows = [("", "", heads),
            ("data", "", [DATA_VERSIONS[c["figures"]["data_version"]] for c in columns]),
            ("hidden-bias gradient", "", [BIAS_GRADS[c["figures"]["bias_grad"]]
                                          for c in columns])]  # fmt: skip
    printed_in = [c["reference"] if c["reference"] is not TRUE_GRADIENT else {}
                  for c in columns]  # fmt: skip
    for key, label in (("linear", "linear regression"), ("network", "network 13-13-1"),
                       ("least_squares", "least squares")):  # fmt: skip
        for i, metric in enumerate(("mae", "rmse")):
            cells = [_cell(c["figures"][key][metric], ref.get(key, {}).get(metric))
                     for c, ref in zip(columns, printed_in)]  # fmt: skip
            rows.append((label if i == 0 else "", metric.upper(), cells))
    for key, label in (("mean_y_test", "mean(y_test)"), ("coefficient", "largest coef"),
                       ("intercept", "linear intercept")):  # fmt: skip
        cells = [_cell(c["figures"][key], ref.get(key)) for c, ref in zip(columns, printed_in)]
        if key == "coefficient":
            cells = [f"{c['figures']['most_important_feature']} {cell}"
                     for c, cell in zip(columns, cells)]  # fmt: skip
        rows.append((label, "", cells))
    width = max(len(text) for _, _, cells in rows for text in cells) + 2
    lines = [f"Boston housing, {n_test} test rows; errors in $1000s. Each cell is minigrad's "
             "figure,", "✓ where it equals the figure printed in that column's source, to 4 "
             "decimals (no mark: no printed figure to compare with)."]  # fmt: skip
    for label, metric, cells in rows:
        lines.append((f"{label:<22}{metric:<6}" + "".join(f"{c:<{width}}" for c in cells))
                     .rstrip())
    return "\n".join(lines)


def format_table(results: dict) -> str:
    """One table: a reference's figures beside this run's, saying which recipe and
    configuration is which."""
    recipe = {"book": "book protocol", "modern": "modern recipe"}[results["recipe"]]
    version = results.get("data_version", "current")
    bias = results.get("bias_grad", "true")
    ref = reference_for(version, bias) if results["recipe"] == "book" else None
    ref = ref or BOOK
    book_head = ref["label"] if results["recipe"] == "book" else "book protocol (true grad.)"
    run_head = f"this run ({recipe})"
    rows = [("", "", book_head, run_head)]
    for key, label in (
        ("linear", "linear regression"),
        ("network", "network 13-13-1"),
        ("least_squares", "least squares"),
    ):
        refs = ref.get(key, {})
        rows.append((label, "MAE", refs.get("mae", "—"), results[key]["mae"]))
        rows.append(("", "RMSE", refs.get("rmse", "—"), results[key]["rmse"]))
    none = "—"  # the reference printed no such figure
    rows += [
        ("mean(y_test)", "", ref.get("mean_y_test", none), results["mean_y_test"]),
        (
            "linear RMSE / mean(y_test)",
            "",
            ref["linear"]["rmse"] / ref["mean_y_test"] if "mean_y_test" in ref else none,
            results["linear"]["rmse"] / results["mean_y_test"],
        ),
        (
            "most important feature",
            "",
            ref.get("most_important_feature", none),
            results["most_important_feature"],
        ),
        ("", "coef", ref.get("coefficient", none), results["coefficient"]),
        ("linear intercept", "", ref.get("intercept", none), results["intercept"]),
    ]
    width = max(len(book_head), len(run_head))
    lines = [f"Boston housing, {results['n_test']} test rows; errors in $1000s"]
    if results["recipe"] == "book":
        lines.append(f"data: {DATA_VERSIONS[version]}; hidden-bias gradient: {BIAS_GRADS[bias]}")
    for label, metric, book, ours in rows:
        book, ours = (f"{v:.4f}" if isinstance(v, float) else v for v in (book, ours))
        lines.append(f"{label:<28}{metric:<6}{book:>{width}}  {ours:>{width}}".rstrip())
    if results["recipe"] == "book":
        about = _BOOK_ABOUT
    else:
        about = (
            "Modern recipe: scaler fitted on the training rows, mean squared error, Adam "
            f"(lr {MODERN_LR}), {VAL_SIZE:.0%} of the training rows held out for validation, "
            f"early stopping (patience {MODERN_PATIENCE} epochs) restoring the best weights; "
            "least squares fitted on the same training rows."
        )
        for model, info in results["training"].items():
            stop = info["stopped_epoch"]
            about += f" {model.capitalize()}: best epoch {info['best_epoch']}" + (
                f", stopped after {stop}." if stop else ", did not stop early."
            )
    lines += ["", *textwrap.wrap(about, 100)]
    if results["recipe"] == "book":
        for note in DIFFERENCES:
            lines += ["", *textwrap.wrap(note, 100)]
    return "\n".join(lines)


_BOOK_ABOUT = (
    "Book protocol: features standardised over all 506 rows, mini-batch SGD (batch "
    f"{BATCH_SIZE}, lr {BOOK_LR}), {LINEAR_STEPS:,} steps (linear) and "
    f"{NETWORK_STEPS:,} (network), gradients by loss.backward()."
)


def format_book(results: dict) -> str:
    """The three-column table of ``--book`` with what explains each difference."""
    lines = [format_columns(results["columns"], results["n_test"]), ""]
    lines += textwrap.wrap(_BOOK_ABOUT, 100)
    for note in DIFFERENCES:
        lines += ["", *textwrap.wrap(note, 100)]
    return "\n".join(lines)


def format_outputs(results: dict) -> str:
    """Where the graphs, the backward page and the plots went."""
    lines = ["Computation graphs:"]
    lines += [f"  {p}" for p in results["graphs"]]
    if any(p.endswith(".dot") for p in results["graphs"]):
        lines.append(
            "  (DOT text only: rendering SVG needs the Graphviz 'dot' program, from "
            "the system package graphviz)"
        )
    if results.get("backward_page"):
        lines.append("The network's backward pass, step by step (open in a browser):")
        lines.append(f"  {results['backward_page']}")
    elif results.get("backward_page_skipped"):
        lines.append(f"Backward page skipped: {results['backward_page_skipped']}.")
    if results["plots"]:
        lines.append("Plots:")
        lines += [f"  {p}" for p in results["plots"]]
    else:
        lines.append(f"Plots skipped: {results['plots_skipped']}.")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Train the chapter's linear regression and 13-13-1 network on the "
        "Boston data with minigrad and compare with the book's figures."
    )
    parser.add_argument(
        "--book",
        action="store_true",
        help="follow the book's protocol exactly (default: a modern recipe); alone, it "
        "trains the printed book's, the notebook's and the true-gradient configurations",
    )
    parser.add_argument(
        "--data-version",
        choices=list(DATA_VERSIONS),
        default=None,
        help="the data: 'current' (the bundled CSV, as the companion notebook) or "
        "'pre-0.20' (scikit-learn's CSV before 0.20, as the printed book; one cell differs)",
    )
    parser.add_argument(
        "--bias-grad",
        choices=list(BIAS_GRADS),
        default=None,
        help="the network's hidden-bias gradient: 'true' (autodiff) or 'book' (the book's "
        "code: summed over the hidden units too); needs --book",
    )
    parser.add_argument(
        "--out",
        default="chapter2_out",
        metavar="DIR",
        help="folder for graphs and plots (default: ./chapter2_out)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print only the computed figures, as one JSON object"
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no training progress (shown only on a terminal anyway)",
    )
    parser.add_argument("--no-plots", action="store_true", help="do not write plots")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="train with minigrad.compile as well as eagerly; print the figures (the same) "
        "and the training time of both",
    )
    args = parser.parse_args(argv)
    if args.bias_grad == "book" and not args.book:
        parser.error("--bias-grad book needs --book (it is the book's update)")

    progress = not (args.quiet or args.json) and sys.stdout.isatty()
    all_three = args.book and args.data_version is None and args.bias_grad is None
    config = dict(plots=not args.no_plots, progress=progress,
                  data_version=args.data_version or "current", bias_grad=args.bias_grad or "true")
    recipe = "book" if args.book else "modern"
    results = run(recipe, args.out, **config)
    if all_three:
        started = time.perf_counter()
        results["columns"] = book_columns(results)
        results["train_seconds"] += time.perf_counter() - started
    if args.compile:
        compiled = run(recipe, args.out, **config, compile=True)
        if all_three:
            started = time.perf_counter()
            compiled["columns"] = book_columns(compiled, compile=True)
            compiled["train_seconds"] += time.perf_counter() - started
        results["compile"] = {"eager_train_seconds": results["train_seconds"],
                              "compiled_train_seconds": compiled["train_seconds"],
                              "same_figures": _figures(results) == _figures(compiled)}
    if all_three:
        mismatches = [f"{c['reference']['label']}: {m}" for c in results["columns"]
                      for m in book_mismatches(c["figures"], c["reference"])]  # fmt: skip
    else:
        mismatches = book_mismatches(results) if args.book else []
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_book(results) if all_three else format_table(results))
        if args.book:
            print()
            if mismatches:
                print("MISMATCH at 4 decimals: " + "; ".join(mismatches))
            elif all_three or reference_for(results["data_version"], results["bias_grad"]):
                print("Every figure matches at 4 decimals.")
            else:
                print("No printed figures were made with this configuration.")
        print()
        print(format_outputs(results))
        if args.compile:
            c = results["compile"]
            print(f"\nTraining time: eager {c['eager_train_seconds']:.2f} s, compiled "
                  f"{c['compiled_train_seconds']:.2f} s (minigrad.compile: "
                  f"{c['eager_train_seconds'] / c['compiled_train_seconds']:.1f}× faster); "
                  + ("every figure is the same." if c["same_figures"] else
                     "FIGURES DIFFER from the eager run."))
        print(f"\n{results['seconds']:.1f} s")
    return 1 if mismatches or (args.compile and not results["compile"]["same_figures"]) else 0


def _figures(results: dict, columns: bool = True) -> dict:
    """The computed figures of a run (and of its book columns), without times and file
    paths."""
    skip = {"seconds", "train_seconds", "graphs", "plots", "backward_page", "compile",
            "columns"}
    out = {k: v for k, v in results.items() if k not in skip}
    if columns and "columns" in results:
        out["columns"] = [{"reference": c["reference"],
                           "figures": _figures(c["figures"], columns=False)}
                          for c in results["columns"]]
    return out


if __name__ == "__main__":
    sys.exit(main())
