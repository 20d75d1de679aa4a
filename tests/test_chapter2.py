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
    started = time.time()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        results = chapter2.run("book", out, plots=False, progress=False)
    return results, out, started


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
    assert sorted(f.name for f in out.iterdir()) == sorted(p.name for p in paths)

    linear, network, gradients = (_label_texts(p) for p in paths)
    assert LINEAR_NAMES <= linear
    assert NETWORK_NAMES <= network
    assert NETWORK_NAMES <= gradients
    # drawn after backward, with the gradients of parameters and intermediates
    assert any(t.startswith("grad: ") and t != "grad: None" for t in gradients)
    assert not any(t.startswith("grad: ") for t in network)


def test_book_table_text(book_run):
    results, _, _ = book_run
    table = chapter2.format_table(results)
    for text in (
        "book (book protocol)",
        "this run (book protocol)",
        "3.5644",
        "3.9517",
        "22.0776",
        "LSTAT",
        "-4.2553",
        "2.5951 / RMSE 3.8851",
        "hidden-bias gradient",
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


def test_main_prints_table_or_json(book_run, monkeypatch, capsys, tmp_path):
    results, _, _ = book_run
    monkeypatch.setattr(chapter2, "run", lambda *args, **kwargs: results)
    assert chapter2.main(["--book", "--json", "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["recipe"] == "book" and round(printed["network"]["rmse"], 4) == 3.9517

    assert chapter2.main(["--book", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "All figures match the book's to 4 decimals." in out
    assert all(p in out for p in results["graphs"])

    bad = {**results, "network": {"mae": 2.5951, "rmse": 3.8851}}
    monkeypatch.setattr(chapter2, "run", lambda *args, **kwargs: bad)
    assert chapter2.main(["--book", "--quiet", "--out", str(tmp_path)]) == 1
    assert "MISMATCH" in capsys.readouterr().out


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
    assert len(results["graphs"]) == 3 and all(Path(p).exists() for p in results["graphs"])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert results["plots"] == [] and "matplotlib" in results["plots_skipped"]
    else:
        assert [Path(p).name for p in results["plots"]] == list(chapter2.PLOT_FILES)
        assert all(Path(p).read_bytes().startswith(b"\x89PNG") for p in results["plots"])
