"""Handwritten digits: softmax regression, an MLP with dropout and a small CNN, compared.

The 1,797 8 × 8 digits bundled with minigrad (``minigrad.datasets.load_digits``) are
split once, by a seeded permutation, into 1,437 training and 360 test images; three
models are trained on the same rows and printed as one table of test accuracy and
training time:

- softmax regression: ``nn.Linear(64, 10)``;
- an MLP: ``Linear(64, 256) → ReLU → Dropout(0.2) → Linear(256, 10)``;
- a CNN: ``Conv2d(1, 32, 3) → ReLU → MaxPool2d(2) → Conv2d(32, 64, 3) → ReLU → Flatten →
  Linear(1024, 10)`` (3 × 3 kernels, padding 1), each training image shifted at random
  by up to one pixel.

All three minimise the cross-entropy with Adam, the learning rate following a cosine
from its starting value down to zero over the run (``optim.lr_scheduler.CosineAnnealingLR``,
stepped after every batch), in float32. Every random draw comes from a seed, so two runs
print the same accuracies (the times vary).

Usage::

    python3 examples/digits.py             # the table; plots and the CNN's graph in ./digits_out
    python3 examples/digits.py --json      # the figures only, as one JSON object
    python3 examples/digits.py --quick     # a few epochs per model, for a smoke test
    mpirun -n 2 python3 examples/digits.py --distributed   # data-parallel, 2 processes

With ``--distributed`` (needs ``pip install 'minigrad[mpi]'``) every process trains the
same model on its half of each batch of 32 (``DataLoader(..., shard=(rank, size))``),
the gradients averaged across processes before every update
(``minigrad.distributed.DistributedOptimizer``); rank 0 prints the table. The batches
are the single-process run's, except that the last batch of each epoch (29 rows) loses
one row to make equal halves; dropout masks and image shifts are drawn per process
(rank 0 from the single-process stream). The accuracies therefore match the
single-process run's to within about one test image in a hundred, not exactly.

With matplotlib installed it writes ``loss_curves.png`` and ``confusion_matrix.png``;
with Graphviz's ``dot`` program, ``cnn_step.svg`` and ``cnn_step.png``: the graph of one
CNN training step with each layer drawn as one box (otherwise ``cnn_step.dot``, the text).
"""

from __future__ import annotations

import os

# One BLAS thread, unless the environment says otherwise; set before numpy loads BLAS.
# These matrices are small (a batch of 32 rows): on idle cores extra BLAS threads gain
# nothing, and on busy ones their hand-offs cost much: on two cores shared with other work,
# a (32, 64) @ (64, 256) float32 product took 6.5 ms with OpenBLAS's default threads and
# 0.06 ms with one, and this whole run 26 s instead of 16 s.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import nn, optim, viz  # noqa: E402
from minigrad.data import DataLoader, train_test_split  # noqa: E402
from minigrad.datasets import load_digits  # noqa: E402
from minigrad.nn import functional as F  # noqa: E402
from minigrad.optim.lr_scheduler import CosineAnnealingLR  # noqa: E402

N_TEST = 360
DTYPE = np.float32


@dataclass(frozen=True)
class Recipe:
    """How one model is built and trained."""

    name: str
    build: Callable[[np.random.Generator], nn.Module]
    images: bool  # inputs as (N, 1, 8, 8) images rather than (N, 64) rows
    epochs: int
    quick_epochs: int
    lr: float
    batch_size: int = 32
    shift: bool = False  # shift each training image by up to one pixel


@dataclass
class Run:
    """What training one model gave."""

    name: str
    parameters: int
    epochs: int
    train_time_s: float
    test_accuracy: float
    train_loss: list[float] = field(default_factory=list)  # mean over each epoch's batches
    test_accuracies: list[float] = field(default_factory=list)  # after each epoch
    predictions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def softmax_regression(rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(nn.Linear(64, 10, dtype=DTYPE, rng=rng))


def mlp(rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, 256, dtype=DTYPE, rng=rng),
        nn.ReLU(),
        nn.Dropout(0.2, rng=rng),
        nn.Linear(256, 10, dtype=DTYPE, rng=rng),
    )


def cnn(rng: np.random.Generator) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, dtype=DTYPE, rng=rng),   # (N, 32, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),                                        # (N, 32, 4, 4)
        nn.Conv2d(32, 64, 3, padding=1, dtype=DTYPE, rng=rng),  # (N, 64, 4, 4)
        nn.ReLU(),
        nn.Flatten(),                                           # (N, 1024)
        nn.Linear(64 * 4 * 4, 10, dtype=DTYPE, rng=rng),
    )


RECIPES = (
    Recipe("softmax regression", softmax_regression, images=False, epochs=30, quick_epochs=5,
           lr=0.01),
    Recipe("MLP, dropout 0.2", mlp, images=False, epochs=30, quick_epochs=5, lr=0.003),
    Recipe("CNN", cnn, images=True, epochs=30, quick_epochs=6, lr=0.003, shift=True),
)


def shift_images(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each image of ``x`` (N, 1, 8, 8) moved by −1, 0 or 1 pixels along each axis, the
    uncovered border filled with zeros."""
    n, _, h, w = x.shape
    padded = np.pad(x[:, 0], ((0, 0), (1, 1), (1, 1)))
    dy, dx = rng.integers(0, 3, size=(2, n))
    rows = (dy[:, None] + np.arange(h))[:, :, None]
    cols = (dx[:, None] + np.arange(w))[:, None, :]
    moved: np.ndarray = padded[np.arange(n)[:, None, None], rows, cols]
    return moved[:, None]


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """The predicted class of every row of ``x``, in evaluation mode, without a graph."""
    model.eval()
    with mg.no_grad():
        logits = model(x)
    model.train()
    return np.asarray(logits.data.argmax(axis=1))


def train(recipe: Recipe, data: dict[str, np.ndarray], *, epochs: int, seed: int,
          distributed: bool = False, compile: bool = False) -> tuple[Run, nn.Module]:
    """Build the recipe's model from ``seed`` and train it; time only the training steps
    (not the evaluation after each epoch). ``distributed``: this process's share of a
    data-parallel run over MPI (see the module docstring). ``compile``: each step runs
    through ``minigrad.compile`` (the same figures, bit for bit)."""
    shard = None
    if distributed:
        from minigrad import distributed as dist

        shard = (dist.rank(), dist.world_size())
    # rank 0 draws what a single process draws; the others' dropout masks and shifts
    # come from streams of their own
    rng = np.random.default_rng(seed if shard is None or shard[0] == 0 else [seed, shard[0]])
    model = recipe.build(rng)
    if shard is not None:
        dist.broadcast_parameters(model)  # rank 0's weights, the single-process ones
    key = "images" if recipe.images else "rows"
    x_train, x_test = data[f"train_{key}"], data[f"test_{key}"]
    y_train, y_test = data["train_y"], data["test_y"]
    loader = DataLoader(x_train, y_train, batch_size=recipe.batch_size, shuffle=True,
                        seed=seed, shard=shard)
    opt: Any = optim.Adam(model.parameters(), lr=recipe.lr)
    if shard is not None:
        opt = dist.DistributedOptimizer(opt)
    sched = CosineAnnealingLR(opt, T_max=epochs * len(loader))
    run = Run(recipe.name, sum(p.data.size for p in model.parameters()), epochs, 0.0, 0.0)

    def step(xb: np.ndarray, yb: np.ndarray) -> mg.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        return loss

    if compile:
        step = mg.compile(step)
    for _ in range(epochs):
        start, total = time.perf_counter(), 0.0
        for xb, yb in loader:
            if recipe.shift:
                xb = shift_images(xb, rng)
            total += step(xb, yb).item()
        run.train_time_s += time.perf_counter() - start
        if shard is not None:  # the mean of the halves' losses is the whole batch's
            total = float(dist.all_reduce(total))
        run.train_loss.append(total / len(loader))
        run.test_accuracies.append(float((predict(model, x_test) == y_test).mean()))
    run.predictions = predict(model, x_test)
    run.test_accuracy = float((run.predictions == y_test).mean())
    return run, model


def split(seed: int) -> dict[str, np.ndarray]:
    """The digits scaled to [0, 1] in float32 and split 1,437 / 360 by
    ``train_test_split(..., test_size=360, seed=seed)``: one seeded permutation, its first
    360 rows the test set (not stratified; every class has 26 to 44 test images at seed 0)."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(DTYPE)
    x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=N_TEST, seed=seed)
    return {
        "train_rows": x_train, "test_rows": x_test,
        "train_images": x_train.reshape(-1, 1, 8, 8), "test_images": x_test.reshape(-1, 1, 8, 8),
        "train_y": y_train, "test_y": y_test,
    }  # fmt: skip


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """counts[i, j]: test images of digit i predicted as j."""
    counts = np.zeros((classes, classes), np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def table(runs: list[Run]) -> str:
    """One Markdown table: the model, its size, epochs, test accuracy and training time."""
    lines = [
        "| model | parameters | epochs | test accuracy | training time |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        lines.append(f"| {r.name} | {r.parameters:,} | {r.epochs} | "
                     f"{100 * r.test_accuracy:.2f} % | {r.train_time_s:.2f} s |")
    return "\n".join(lines)


def save_graph(model: nn.Module, xb: np.ndarray, yb: np.ndarray, out_dir: pathlib.Path
               ) -> list[pathlib.Path]:
    """The graph of one training step of ``model`` (forward and loss on the batch), each
    layer collapsed into one box: SVG and PNG, or DOT text without ``dot``."""
    images = mg.tensor(xb, name="images")
    loss = F.cross_entropy(model(images), yb)
    loss.name = "loss"
    try:
        return [viz.save(loss, out_dir / "cnn_step.svg", format="svg", collapse=model),
                viz.save(loss, out_dir / "cnn_step.png", format="png", collapse=model)]
    except viz.GraphvizNotFoundError:
        path = out_dir / "cnn_step.dot"
        path.write_text(viz.to_dot(loss, collapse=model), encoding="utf-8")
        return [path]


def save_plots(runs: list[Run], y_test: np.ndarray, out_dir: pathlib.Path
               ) -> tuple[list[pathlib.Path], str | None]:
    """Loss curves and the CNN's confusion matrix as PNG; (paths, why not) without
    matplotlib."""
    try:
        import matplotlib
    except ImportError:
        return [], "matplotlib is not installed (pip install 'minigrad[plot]')"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for r in runs:
        epochs = np.arange(1, len(r.train_loss) + 1)
        ax_loss.plot(epochs, r.train_loss, marker=".", label=r.name)
        ax_acc.plot(epochs, 100 * np.asarray(r.test_accuracies), marker=".", label=r.name)
    ax_loss.set(xlabel="epoch", ylabel="training loss (mean cross-entropy)", yscale="log",
                title="Training loss")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", ylim=(85, 100.5),
               title="Test accuracy after each epoch (not used for training)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    curves = out_dir / "loss_curves.png"
    fig.savefig(curves, dpi=120)
    plt.close(fig)

    cnn_run = runs[-1]
    counts = confusion(y_test, cnn_run.predictions)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(counts, cmap="Blues")
    for i in range(10):
        for j in range(10):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                        color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
           title=f"{cnn_run.name}: {100 * cnn_run.test_accuracy:.2f} % of "
                 f"{len(y_test)} test digits")
    fig.tight_layout()
    matrix = out_dir / "confusion_matrix.png"
    fig.savefig(matrix, dpi=120)
    plt.close(fig)
    return [curves, matrix], None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Train softmax regression, an MLP and a CNN on the bundled 8x8 digits "
                    "and print their test accuracy and training time.")
    parser.add_argument("--json", action="store_true",
                        help="print only the figures, as one JSON object")
    parser.add_argument("--quick", action="store_true",
                        help="a few epochs per model (a smoke test; lower accuracy)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the split, the weights, the batches and the dropout "
                             "(default 0)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("digits_out"),
                        help="folder for the plots and the graph (default ./digits_out)")
    parser.add_argument("--no-plots", action="store_true",
                        help="write no files (no plots, no graph)")
    parser.add_argument("--compile", action="store_true",
                        help="run each training step through minigrad.compile (recorded "
                             "once, then replayed: the same figures, in less time)")
    parser.add_argument("--distributed", action="store_true",
                        help="data-parallel over MPI, launched with mpirun -n N; rank 0 "
                             "prints and writes the files (needs pip install "
                             "'minigrad[mpi]')")
    args = parser.parse_args(argv)

    processes, leader = 1, True
    if args.distributed:
        from minigrad import distributed as dist

        try:
            dist.init()
        except dist.MPINotFoundError as e:
            parser.error(str(e))
        processes, leader = dist.world_size(), dist.rank() == 0
    started = time.perf_counter()
    data = split(args.seed)
    trained = [train(r, data, epochs=r.quick_epochs if args.quick else r.epochs,
                     seed=args.seed, distributed=args.distributed, compile=args.compile)
               for r in RECIPES]
    runs = [run for run, _ in trained]
    if not leader:
        return 0
    files: list[pathlib.Path] = []
    plots_skipped = None
    if not args.no_plots:
        args.out.mkdir(parents=True, exist_ok=True)
        files, plots_skipped = save_plots(runs, data["test_y"], args.out)
        cnn_model = trained[-1][1]
        files += save_graph(cnn_model, data["train_images"][:32], data["train_y"][:32],
                            args.out)
    elapsed = time.perf_counter() - started

    counts = np.bincount(data["test_y"], minlength=10)
    if args.json:
        result: dict[str, Any] = {
            "split": {"train": len(data["train_y"]), "test": len(data["test_y"]),
                      "seed": args.seed, "method": "seeded permutation (train_test_split)",
                      "test_per_class": counts.tolist()},
            "quick": args.quick,
            **({"processes": processes} if args.distributed else {}),
            "models": [{"name": r.name, "parameters": r.parameters, "epochs": r.epochs,
                        "test_accuracy": r.test_accuracy,
                        "train_time_s": round(r.train_time_s, 3),
                        "train_loss": [round(v, 6) for v in r.train_loss]} for r in runs],
            "cnn_confusion_matrix": confusion(data["test_y"], runs[-1].predictions).tolist(),
            "total_time_s": round(elapsed, 3),
            "files": [str(p) for p in files],
        }
        print(json.dumps(result, indent=2))
        return 0
    print(f"Handwritten digits, 8x8: {len(data['train_y'])} training and "
          f"{len(data['test_y'])} test images (a seeded permutation, seed {args.seed}; "
          f"{counts.min()} to {counts.max()} test images per digit); float32, Adam with a "
          f"cosine learning-rate schedule{', --quick' if args.quick else ''}"
          f"{f'; data-parallel over {processes} processes' if processes > 1 else ''}.\n")
    print(table(runs))
    print(f"\ntotal {elapsed:.1f} s", end="")
    print(f"; wrote {', '.join(str(p) for p in files)}" if files else "")
    if plots_skipped:
        print(f"no plots: {plots_skipped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
