"""The "Fundamentals" chapter of *Deep Learning from Scratch*, trained with minigrad.

Linear regression and a 13 → 13 sigmoid → 1 network learn the Boston house prices; the
script prints one table of test MAE and RMSE beside the book's figures, the mean of
y_test and the most important feature, and writes the chapter's computation graphs
(and, with matplotlib, plots) into an output folder.

    python3 examples/chapter2.py --book     # the book's protocol: its figures to 4 decimals
    python3 examples/chapter2.py            # a modern recipe, beside the book's figures
    python3 examples/chapter2.py --json     # the figures only, as one JSON object

``--book`` follows the notebook step for step: features standardised over all 506 rows,
the split of ``RandomState(80718)``, weights and row permutations from one
``RandomState(seed)`` stream, mini-batch SGD (batch 23, learning rate 0.001) on the
gradient of the batch sum (linear) or half sum (network) of squared errors. The
gradients come from ``loss.backward()``; nothing is derived by hand.

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

#: the book's companion notebook (with CRIM = 10.6718 in row 445, as the bundled CSV)
BOOK = {
    "mean_y_test": 22.0776,
    "linear": {"mae": 3.5644, "rmse": 5.0497},
    "network": {"mae": 2.5409, "rmse": 3.9517},
    "least_squares": {"mae": 3.5671, "rmse": 5.0476},
    "most_important_feature": "LSTAT",
    "coefficient": -4.2553,
    "intercept": 22.6312,
}
#: what the book printed for the network, with its hidden-bias gradient
BOOK_PRINTED_NETWORK = {"mae": 2.5951, "rmse": 3.8851}
BOOK_BIAS_NOTE = (
    "The book printed network MAE {mae:.4f} / RMSE {rmse:.4f} because its code sums the "
    "hidden-bias gradient over the hidden units too, so every hidden bias gets the same update; "
    "autodiff computes the true gradient."
).format(**BOOK_PRINTED_NETWORK)

GRAPH_FILES = ("linear_regression", "network", "network_gradients")
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


def load_split(recipe: str) -> Split:
    """The Boston data split into 70 % train and 30 % test rows, the notebook's rows.

    ``"book"`` standardises every feature with the mean and population std of all 506
    rows before splitting, as the notebook does. ``"modern"`` carves a validation set
    from the training rows and fits the scaler on the remaining training rows only, so
    no statistic of the validation or test rows leaks into training.
    """
    boston = load_boston()
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


def linear_model(rng=None) -> nn.Linear:
    """P = X·W + B with W of shape (13, 1) and B of shape (1,)."""
    return nn.Linear(13, 1, rng=rng)


def network_model(rngs=(None, None)) -> nn.Sequential:
    """13 → 13 sigmoid → 1: P = σ(X·W1 + B1)·W2 + B2."""
    return nn.Sequential(
        nn.Linear(13, 13, rng=rngs[0]), nn.Sigmoid(), nn.Linear(13, 1, rng=rngs[1])
    )


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
    model, split: Split, *, seed: int, steps: int, loss_fn, label: str = "", progress: bool = False
) -> dict:
    """Train ``model`` by the book's protocol; return its training-loss curve.

    Weights, then the row permutations, come from ``RandomState(seed)``; each step is
    one batch of SGD on the gradient of ``loss_fn`` with the book's learning rate. The
    curve holds the mean squared error of the batches of each pass over the training
    rows, with the weights of the moment (the last pass may be partial)."""
    rng = np.random.RandomState(seed)
    book_init(model, rng)
    opt = optim.SGD(model.parameters(), lr=BOOK_LR)
    batches = book_batches(split.X_train, split.y_train, rng, BATCH_SIZE)
    n = len(split.X_train)
    curve, sse, rows = [], 0.0, 0
    for step in range(1, steps + 1):
        xb, yb = next(batches)
        pred = model(xb)
        loss = loss_fn(pred, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sse += float(np.square(pred.data - yb).sum())
        rows += len(yb)
        if rows == n or step == steps:
            curve.append(sse / rows)
            sse, rows = 0.0, 0
        if progress and (step % 500 == 0 or step == steps):
            end = "\n" if step == steps else ""
            print(f"\r{label}: step {step:,}/{steps:,}", end=end, flush=True)
    return {"train_mse": curve}


# ----------------------------------------------------------------------------- modern


def train_modern(model, split: Split, *, label: str = "", progress: bool = False) -> dict:
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


def write_graphs(linear, network, xb, yb, loss_fns, out_dir: pathlib.Path) -> list[pathlib.Path]:
    """The chapter's computation graphs on one batch, with the notes' tensor names:
    linear regression, the network, and the network after backward with its gradients."""
    linear_loss, network_loss = loss_fns
    X, Y = mg.tensor(xb, name="X"), mg.tensor(yb, name="Y")

    P = _name(linear(X), "P")
    _name_layer(linear, P, "W", "N", "B")
    L = _name(linear_loss(P, Y), "L")
    paths = [_render(L, out_dir / GRAPH_FILES[0])]

    hidden, sigmoid, output = network
    N1 = _name(hidden(X), "N1")
    _name_layer(hidden, N1, "W1", "M1", "B1")
    O1 = _name(sigmoid(N1), "O1")
    P = _name(output(O1), "P")
    _name_layer(output, P, "W2", "M2", "B2")
    L = _name(network_loss(P, Y), "L")
    paths.append(_render(L, out_dir / GRAPH_FILES[1]))

    # non-leaf tensors keep their gradient only when asked to
    for t in (N1.op.parents[0], N1, O1, P.op.parents[0], P, L):
        t.retain_grad()
    L.backward()
    paths.append(_render(L, out_dir / GRAPH_FILES[2], show_grad=True))
    network.zero_grad()
    return paths


# ----------------------------------------------------------------------------- plots


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
    fig, axes = plt.subplots(1, len(curves), figsize=(11, 4))
    for ax, (model, curve) in zip(axes, curves.items(), strict=True):
        ax.plot(range(1, len(curve["train_mse"]) + 1), curve["train_mse"], label="training")
        if curve.get("val_mse"):
            ax.plot(range(1, len(curve["val_mse"]) + 1), curve["val_mse"], label="validation")
        ax.set(
            title=f"{model} ({recipe})",
            xlabel="pass over the training rows",
            ylabel="mean squared error",
            yscale="log",
        )
        ax.legend()
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


def train_models(recipe: str, split: Split, *, progress: bool = False) -> dict:
    """Both models trained by ``recipe``: ``{name: (model, loss_fn, curves)}``, the
    linear regression first."""
    if recipe == "book":
        plan = [
            (LINEAR, linear_model(), sum_squared_errors, LINEAR_SEED, LINEAR_STEPS),
            (NETWORK, network_model(), half_sum_squared_errors, NETWORK_SEED, NETWORK_STEPS),
        ]
        trained = {}
        for name, model, loss_fn, seed, steps in plan:
            kwargs = {"seed": seed, "steps": steps, "loss_fn": loss_fn, "progress": progress}
            trained[name] = (model, loss_fn, train_book(model, split, label=name, **kwargs))
        return trained
    models = {LINEAR: linear_model(LINEAR_INIT_SEED), NETWORK: network_model(NETWORK_INIT_SEEDS)}
    return {
        name: (model, nn.MSELoss(), train_modern(model, split, label=name, progress=progress))
        for name, model in models.items()
    }


def run(
    recipe: str = "book", out_dir="chapter2_out", *, plots: bool = True, progress: bool = False
) -> dict:
    """Train both models by ``recipe`` ("book" or "modern"), evaluate them on the test
    rows, write graphs (and plots) into ``out_dir``; return the figures as a dict."""
    if recipe not in ("book", "modern"):
        raise ValueError(f"recipe must be 'book' or 'modern', got {recipe!r}")
    started = time.perf_counter()
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stem in GRAPH_FILES:  # every run writes its files afresh; no stale one survives
        for suffix in (".svg", ".dot"):
            (out_dir / stem).with_suffix(suffix).unlink(missing_ok=True)
    for name in PLOT_FILES:
        (out_dir / name).unlink(missing_ok=True)

    split = load_split(recipe)
    trained = train_models(recipe, split, progress=progress)
    (linear, linear_loss, _), (network, network_loss, _) = trained.values()
    curves = {name: curve for name, (_, _, curve) in trained.items()}
    preds = {name: predict(model, split.X_test) for name, (model, _, _) in trained.items()}
    weights = linear.weight.data.ravel()
    top = int(np.argmax(np.abs(weights)))
    first_batch = split.X_train[:BATCH_SIZE], split.y_train[:BATCH_SIZE]
    graphs = write_graphs(linear, network, *first_batch, (linear_loss, network_loss), out_dir)
    plot_paths, plots_skipped = (
        write_plots(curves, split.y_test, preds, recipe, out_dir)
        if plots
        else ([], "turned off (--no-plots)")
    )
    return {
        "recipe": recipe,
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
        "graphs": [str(p) for p in graphs],
        "plots": [str(p) for p in plot_paths],
        "plots_skipped": plots_skipped,
        "seconds": time.perf_counter() - started,
    }


def book_mismatches(results: dict) -> list[str]:
    """The figures that differ from the book's at four decimals (book recipe only)."""
    found = []
    for key in ("linear", "network", "least_squares"):
        for metric in ("mae", "rmse"):
            if round(results[key][metric], 4) != BOOK[key][metric]:
                found.append(f"{key} {metric.upper()} {results[key][metric]:.4f}")
    for key in ("mean_y_test", "coefficient", "intercept"):
        if round(results[key], 4) != BOOK[key]:
            found.append(f"{key} {results[key]:.4f}")
    if results["most_important_feature"] != BOOK["most_important_feature"]:
        found.append(f"most important feature {results['most_important_feature']}")
    return found


# ----------------------------------------------------------------------------- printing


def format_table(results: dict) -> str:
    """One table: the book's figures beside this run's, saying which recipe is which."""
    recipe = {"book": "book protocol", "modern": "modern recipe"}[results["recipe"]]
    book_head, run_head = "book (book protocol)", f"this run ({recipe})"
    rows = [("", "", book_head, run_head)]
    for key, label in (
        ("linear", "linear regression"),
        ("network", "network 13-13-1"),
        ("least_squares", "least squares"),
    ):
        rows.append((label, "MAE", BOOK[key]["mae"], results[key]["mae"]))
        rows.append(("", "RMSE", BOOK[key]["rmse"], results[key]["rmse"]))
    rows += [
        ("mean(y_test)", "", BOOK["mean_y_test"], results["mean_y_test"]),
        (
            "linear RMSE / mean(y_test)",
            "",
            BOOK["linear"]["rmse"] / BOOK["mean_y_test"],
            results["linear"]["rmse"] / results["mean_y_test"],
        ),
        (
            "most important feature",
            "",
            BOOK["most_important_feature"],
            results["most_important_feature"],
        ),
        ("", "coef", BOOK["coefficient"], results["coefficient"]),
        ("linear intercept", "", BOOK["intercept"], results["intercept"]),
    ]
    width = max(len(book_head), len(run_head))
    lines = [f"Boston housing, {results['n_test']} test rows; errors in $1000s"]
    for label, metric, book, ours in rows:
        book, ours = (f"{v:.4f}" if isinstance(v, float) else v for v in (book, ours))
        lines.append(f"{label:<28}{metric:<6}{book:>{width}}  {ours:>{width}}".rstrip())
    if results["recipe"] == "book":
        about = (
            "Book protocol: features standardised over all 506 rows, mini-batch SGD (batch "
            f"{BATCH_SIZE}, lr {BOOK_LR}), {LINEAR_STEPS:,} steps (linear) and "
            f"{NETWORK_STEPS:,} (network), gradients by loss.backward()."
        )
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
    lines += ["", *textwrap.wrap(about, 100), "", BOOK_BIAS_NOTE]
    return "\n".join(lines)


def format_outputs(results: dict) -> str:
    """Where the graphs and plots went."""
    lines = ["Computation graphs:"]
    lines += [f"  {p}" for p in results["graphs"]]
    if any(p.endswith(".dot") for p in results["graphs"]):
        lines.append(
            "  (DOT text only: rendering SVG needs the Graphviz 'dot' program, from "
            "the system package graphviz)"
        )
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
        help="follow the book's protocol exactly (default: a modern recipe)",
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
    args = parser.parse_args(argv)

    progress = not (args.quiet or args.json) and sys.stdout.isatty()
    results = run(
        "book" if args.book else "modern", args.out, plots=not args.no_plots, progress=progress
    )
    mismatches = book_mismatches(results) if args.book else []
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(format_table(results))
        if args.book:
            print()
            print(
                "All figures match the book's to 4 decimals."
                if not mismatches
                else "MISMATCH with the book at 4 decimals: " + "; ".join(mismatches)
            )
        print()
        print(format_outputs(results))
        print(f"\n{results['seconds']:.1f} s")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
