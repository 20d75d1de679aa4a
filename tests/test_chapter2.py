"""examples/chapter2.py: the book's figures to four decimals, the graphs, the modern recipe
and the command line."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "chapter2.py"


def _import_example():
    spec = importlib.util.spec_from_file_location("chapter2", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


chapter2 = _import_example()

LINEAR_NAMES = {"X", "W", "N", "B", "P", "Y", "L"}
NETWORK_NAMES = {"X", "W1", "M1", "B1", "N1", "O1", "W2", "M2", "B2", "P", "Y", "L"}


@pytest.fixture(scope="module")
def book_run(tmp_path_factory):
    """One run of the book protocol (about 2 s), with floating-point errors raising."""
    out = tmp_path_factory.mktemp("chapter2_book")
    for stem in chapter2.GRAPH_FILES:  # left over from an earlier run: must not survive
        for suffix in (".svg", ".dot"):
            (out / stem).with_suffix(suffix).write_text("stale")
    (out / chapter2.BACKWARD_PAGE).write_text("stale")
    started = time.time()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        results = chapter2.run("book", out, plots=False, progress=False)
    return results, out, started


@pytest.fixture(scope="module")
def columns(book_run):
    """The printed book's and the notebook's configurations beside book_run's (two more
    network runs, about 2-3 s)."""
    return chapter2.book_columns(book_run[0])


def _label_texts(path: Path) -> set[str]:
    """The lines of text in a graph file: SVG <text> elements, or DOT labels."""
    if path.suffix == ".svg":
        root = ET.parse(path).getroot()
        return {el.text.strip() for el in root.iter("{http://www.w3.org/2000/svg}text") if el.text}
    text = path.read_text()
    assert text.startswith("digraph")
    labels = re.findall(r'label=(?:"((?:[^"\\]|\\.)*)"|(\w+))', text)
    return {part for quoted, bare in labels for part in (quoted or bare).split("\\n")}


# ----------------------------------------------------------------------------- the book


def test_book_figures_to_four_decimals(book_run):
    results, _, _ = book_run
    figures = {
        "linear MAE": (results["linear"]["mae"], 3.5644),
        "linear RMSE": (results["linear"]["rmse"], 5.0497),
        "network MAE": (results["network"]["mae"], 2.5409),
        "network RMSE": (results["network"]["rmse"], 3.9517),
        "least squares MAE": (results["least_squares"]["mae"], 3.5671),
        "least squares RMSE": (results["least_squares"]["rmse"], 5.0476),
        "mean(y_test)": (results["mean_y_test"], 22.0776),
        "LSTAT coefficient": (results["coefficient"], -4.2553),
        "intercept": (results["intercept"], 22.6312),
    }
    wrong = {k: v for k, (v, book) in figures.items() if round(v, 4) != book}
    assert not wrong, f"differs from the book at 4 decimals: {wrong}"
    assert results["most_important_feature"] == "LSTAT"
    assert results["n_test"] == 152
    assert chapter2.book_mismatches(results) == []


def test_book_graphs_are_fresh_and_carry_the_notes_names(book_run):
    results, out, started = book_run
    paths = [Path(p) for p in results["graphs"]]
    assert [p.stem for p in paths] == list(chapter2.GRAPH_FILES)
    suffix = ".svg" if shutil.which("dot") else ".dot"
    for p in paths:
        assert p.parent == out and p.suffix == suffix and p.exists()
        assert p.stat().st_mtime >= started - 1  # written by this run
        assert p.read_text() != "stale"
    # the stale files of the other format are gone too
    page = Path(results["backward_page"]) if shutil.which("dot") else None
    expected = [p.name for p in paths] + ([page.name] if page else [])
    assert sorted(f.name for f in out.iterdir()) == sorted(expected)

    linear, network, gradients, checked = (_label_texts(p) for p in paths)
    assert LINEAR_NAMES <= linear
    assert NETWORK_NAMES <= network
    assert NETWORK_NAMES <= gradients
    assert NETWORK_NAMES - {"M1", "N1", "O1", "M2", "P"} <= checked
    # the notes' derivatives, in the notes' names, and the loss's own expression
    assert {"dL/dW = Xᵀ·dL/dN", "L = Σ(P − Y)²", "mse (sum)"} <= linear
    assert {"dL/dW1 = Xᵀ·dL/dM1", "O1 = σ(N1)", "L = 0.5·A"} <= network
    assert "0.5" in network  # the constant of ½ Σ(P − Y)² is drawn
    # drawn after backward, with the gradients of parameters and intermediates, the
    # loss's seed, and one intermediate that kept no gradient
    grads = [t for t in gradients if t.startswith("grad: ")]
    assert "grad: 1 (the seed)" in grads and "grad: not kept (retain_grad() keeps it)" in grads
    assert sum(t.startswith("grad: min ") for t in grads) >= 5  # distinct texts
    assert not any("None" in t for t in gradients)
    assert not any(t.startswith("grad: ") for t in network)
    # the book's hidden-bias op is the one op that fails its gradient check
    failed = [t for t in checked if t.startswith("✗ grad check FAILED")]
    passed = [t for t in checked if t.startswith("✓ grad check")]
    assert len(failed) == 1 and len(passed) == 6
    assert "add_bias (book's gradient)" in checked


def test_book_table_text(book_run):
    results, _, _ = book_run
    table = chapter2.format_table(results)
    for text in (
        "minigrad, true gradient",
        "this run (book protocol)",
        "3.5644",
        "3.9517",
        "22.0776",
        "LSTAT",
        "-4.2553",
        "corrected CSV, CRIM 10.6718",
        "hidden-bias gradient",
        "0.6718",
    ):
        assert text in table
    assert sum(line.count("3.5644") for line in table.splitlines()) == 2


def test_book_batches_compose_permutations():
    X = np.arange(5.0).reshape(5, 1)
    y = 10 * X
    batches = chapter2.book_batches(X, y, np.random.RandomState(7), batch_size=2)
    got = [next(batches) for _ in range(6)]
    assert [len(xb) for xb, _ in got] == [2, 2, 1, 2, 2, 1]
    ref = np.random.RandomState(7)
    first = X[ref.permutation(5)]
    second = first[ref.permutation(5)]  # the current order permuted, not the original
    np.testing.assert_array_equal(np.vstack([xb for xb, _ in got[:3]]), first)
    np.testing.assert_array_equal(np.vstack([xb for xb, _ in got[3:]]), second)
    for xb, yb in got:
        np.testing.assert_array_equal(yb, 10 * xb)


def test_book_init_draws_in_the_notes_order():
    rng = np.random.RandomState(180807)
    network = chapter2.network_model()
    chapter2.book_init(network, rng)
    ref = np.random.RandomState(180807)
    expected = [ref.randn(13, 13), ref.randn(1, 13), ref.randn(13, 1), ref.randn(1, 1)]
    params = [network[0].weight, network[0].bias, network[2].weight, network[2].bias]
    for p, e in zip(params, expected, strict=True):
        np.testing.assert_array_equal(p.data, e.reshape(p.shape))
    assert rng.randn() == ref.randn()  # the stream is left where the book leaves it


# ----------------------------------------------------------------------------- command line


def test_main_prints_table_or_json(book_run, columns, monkeypatch, capsys, tmp_path):
    results, _, _ = book_run
    monkeypatch.setattr(chapter2, "run", lambda *args, **kwargs: dict(results))
    monkeypatch.setattr(chapter2, "book_columns", lambda main: columns)
    assert chapter2.main(["--book", "--json", "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["recipe"] == "book" and round(printed["network"]["rmse"], 4) == 3.9517
    assert [c["reference"]["label"] for c in printed["columns"]] == [
        "printed book", "companion notebook", "minigrad, true gradient"
    ]

    assert chapter2.main(["--book", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Every figure matches at 4 decimals." in out
    assert all(p in out for p in results["graphs"])
    if results["backward_page"]:
        assert f"step by step (open in a browser):\n  {results['backward_page']}" in out

    bad = {**results, "network": {"mae": 2.5951, "rmse": 3.8851}}
    monkeypatch.setattr(chapter2, "run", lambda *args, **kwargs: dict(bad))
    assert chapter2.main(["--book", "--data-version", "current", "--quiet", "--out",
                          str(tmp_path)]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_one_configuration_is_compared_with_its_own_printing(book_run, monkeypatch, capsys,
                                                             tmp_path):
    results, _, _ = book_run
    calls = []

    def fake_run(*args, **kwargs):
        calls.append(kwargs)
        return {**results, "data_version": kwargs["data_version"],
                "bias_grad": kwargs["bias_grad"], "network": {"mae": 2.52888, "rmse": 3.67751},
                "linear": {"mae": 3.56433, "rmse": 5.05085},
                "least_squares": {"mae": 3.5666, "rmse": 5.04824}}

    monkeypatch.setattr(chapter2, "run", fake_run)
    argv = ["--book", "--data-version", "pre-0.20", "--bias-grad", "book", "--quiet",
            "--out", str(tmp_path)]
    assert chapter2.main(argv) == 0
    out = capsys.readouterr().out
    assert calls[-1]["data_version"] == "pre-0.20" and calls[-1]["bias_grad"] == "book"
    assert "printed book" in out and "pre-0.20 CSV, CRIM 0.6718" in out
    # figures the printed book gave no reference for are not borrowed from the notebook
    intercept = next(line for line in out.splitlines() if line.startswith("linear intercept"))
    assert intercept.split()[2:] == ["—", f"{results['intercept']:.4f}"]
    assert "Every figure matches at 4 decimals." in out
    # pre-0.20 data with the true gradient: no printing made it
    assert chapter2.main(["--book", "--data-version", "pre-0.20", "--quiet",
                          "--out", str(tmp_path)]) == 0
    assert "No printed figures were made with this configuration." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        chapter2.main(["--bias-grad", "book"])  # the book's update needs --book
    assert "--bias-grad book needs --book" in capsys.readouterr().err


def test_modern_recipe_from_the_command_line(tmp_path):
    """The default command, as a user runs it, with --json (about 2-3 s with plots)."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--json", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert results["recipe"] == "modern"
    assert round(results["mean_y_test"], 4) == 22.0776
    for model, worst in (("linear", 6.0), ("network", 5.0), ("least_squares", 6.0)):
        assert 0 < results[model]["mae"] < results[model]["rmse"] < worst, model
    assert results["most_important_feature"] == "LSTAT"
    for info in results["training"].values():
        assert info["best_epoch"] >= 1
    assert len(results["graphs"]) == 4 and all(Path(p).exists() for p in results["graphs"])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert results["plots"] == [] and "matplotlib" in results["plots_skipped"]
    else:
        assert [Path(p).name for p in results["plots"]] == list(chapter2.PLOT_FILES)
        assert all(Path(p).read_bytes().startswith(b"\x89PNG") for p in results["plots"])


# ----------------------------------------------------------------------------- every figure


def test_every_figure_the_book_and_notebook_printed(book_run, columns):
    """The printed book (pre-0.20 data, the book's bias update), the companion notebook
    (corrected data, the book's bias update) and minigrad's true gradient, to 4 decimals."""
    results, _, _ = book_run
    got = {c["reference"]["label"]: c["figures"] for c in columns}
    expected = {
        "printed book": {"linear": (3.5643, 5.0508), "network": (2.5289, 3.6775),
                         "least_squares": (3.5666, 5.0482)},
        "companion notebook": {"linear": (3.5644, 5.0497), "network": (2.5951, 3.8851)},
        "minigrad, true gradient": {"linear": (3.5644, 5.0497), "network": (2.5409, 3.9517),
                                    "least_squares": (3.5671, 5.0476)},
    }  # fmt: skip
    for label, models in expected.items():
        for model, (mae_, rmse_) in models.items():
            figures = got[label][model]
            assert (round(figures["mae"], 4), round(figures["rmse"], 4)) == (mae_, rmse_), \
                (label, model, figures)
    for c in columns:
        assert chapter2.book_mismatches(c["figures"], c["reference"]) == []
    table = chapter2.format_book({**results, "columns": columns})
    lines = table.splitlines()
    network_mae = next(line for line in lines if line.startswith("network 13-13-1"))
    assert network_mae.split()[3:] == ["2.5289", "✓", "2.5951", "✓", "2.5409"]
    assert "printed book" in lines[2] and "companion notebook" in lines[2]
    for text in ("pre-0.20 CSV, CRIM 0.6718", "book's (summed)", "true (autodiff)",
                 "row 445 (0-based)", "sums the hidden-bias gradient over the hidden units"):
        assert text in table


def test_pre_0_20_data_differs_in_one_cell():
    from minigrad.datasets import load_boston

    current, old = load_boston(), load_boston(version="pre-0.20")
    differ = np.argwhere(current.data != old.data)
    assert differ.tolist() == [[445, 0]]  # row 445 (0-based), CRIM
    assert current.data[445, 0] == 10.6718 and old.data[445, 0] == 0.6718
    np.testing.assert_array_equal(current.target, old.target)
    assert load_boston(version="current").data[445, 0] == 10.6718
    with pytest.raises(ValueError, match=r"load_boston: version must be one of 'current', "
                                         r"'pre-0.20', got '0.19'"):
        load_boston(version="0.19")
    # the bundled file agrees, counting rows after the two header lines from 0
    csv = (ROOT / "minigrad" / "datasets" / "data" / "boston_house_prices.csv").read_text()
    assert csv.splitlines()[2 + 445].startswith("10.6718,")
    readme = (ROOT / "minigrad" / "datasets" / "data" / "README.md").read_text()
    assert 'version="pre-0.20"' in readme


def test_the_books_hidden_bias_update_as_a_custom_function():
    import minigrad as mg
    from minigrad.testing import gradcheck

    rng = np.random.RandomState(0)
    n = mg.tensor(rng.randn(4, 3), requires_grad=True)
    b = mg.tensor(rng.randn(3), requires_grad=True)
    g = rng.randn(4, 3)
    out = chapter2.BookHiddenBias.apply(n, b)
    np.testing.assert_array_equal(out.data, n.data + b.data)
    out.backward(g)
    np.testing.assert_allclose(b.grad.data, np.full(3, g.sum()))  # every unit the same
    np.testing.assert_array_equal(n.grad.data, g)
    # the true gradient sums over the rows only: the book's is not it
    assert not np.allclose(b.grad.data, g.sum(axis=0))
    assert gradcheck(mg.add_bias, n, b)
    with pytest.raises(AssertionError):
        assert gradcheck(chapter2.BookHiddenBias.apply, n, b)
    network = chapter2.network_model(bias_grad="book")
    assert isinstance(network[0], chapter2.BookLinear)
    assert type(network[2]) is chapter2.nn.Linear


def test_loss_curves_mark_best_stop_and_the_partial_pass():
    book = {"train_mse": [9.0, 5.0, 4.0, 4.5], "partial_mse": 6.0, "partial_rows": 184,
            "passes": 4.52, "steps": 1000}
    marks = chapter2.curve_marks(book)
    assert marks["best"] == (3, 4.0) and "training" in marks["best_label"]
    assert marks["stop"] == 4.52 and "1,000-step budget" in marks["stop_label"]
    assert marks["partial"] == (4.52, 6.0) and "not a rise" in marks["partial_label"]
    modern = {"train_mse": [3.0, 2.0, 1.0, 0.5], "val_mse": [3.0, 2.0, 2.5, 2.6],
              "best_epoch": 2, "stopped_epoch": 4}
    marks = chapter2.curve_marks(modern)
    assert marks["best"] == (2, 2.0) and "validation" in marks["best_label"]
    assert marks["stop"] == 4 and "restored" in marks["stop_label"]
    assert "partial" not in marks


def test_book_training_keeps_the_partial_pass_apart():
    X = np.random.RandomState(0).randn(50, 13)
    y = X[:, :1] * 2.0
    split = chapter2.Split(X, y, X[:5], y[:5], tuple("abcdefghijklm"))
    curve = chapter2.train_book(chapter2.linear_model(), split, seed=1, steps=7,
                                loss_fn=chapter2.sum_squared_errors)
    # 50 rows in batches of 23: 3 batches a pass; 7 steps = 2 passes and 1 batch
    assert len(curve["train_mse"]) == 2
    assert curve["partial_rows"] == 23 and curve["partial_mse"] > 0
    assert curve["passes"] == 2 + 23 / 50


def test_modern_table_labels_its_reference_as_the_true_gradient_run(book_run):
    results, _, _ = book_run
    modern = {**results, "recipe": "modern",
              "training": {"linear regression": {"best_epoch": 3, "stopped_epoch": 9},
                           "network": {"best_epoch": 4, "stopped_epoch": None}}}
    table = chapter2.format_table(modern)
    assert "book protocol (true grad.)" in table and "this run (modern recipe)" in table
    assert "book (book protocol)" not in table  # 2.5409 is not a figure the book printed
    assert "Printed book vs notebook" not in table
    assert "Network: best epoch 4, did not stop early." in table
