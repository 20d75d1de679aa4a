"""The bundled handwritten digits (minigrad.datasets.load_digits) and examples/digits.py."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import minigrad
from minigrad.datasets import Dataset, ImageDataset, load_digits
from minigrad.datasets import digits as digits_module

ROOT = Path(__file__).resolve().parent.parent
GZ_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits() -> ImageDataset:
    return load_digits()


def test_shapes_dtypes_and_names(digits):
    assert isinstance(digits, ImageDataset) and isinstance(digits, Dataset)
    assert digits.data.shape == (1797, 64) and digits.data.dtype == np.float64
    assert digits.images.shape == (1797, 8, 8) and digits.images.dtype == np.float64
    assert digits.target.shape == (1797,) and digits.target.dtype == np.int64
    assert digits.feature_names[0] == "pixel_0_0" and digits.feature_names[9] == "pixel_1_1"
    assert len(digits.feature_names) == 64 and digits.feature_names[-1] == "pixel_7_7"
    assert digits.target_name == "digit" and digits.target_names == tuple(range(10))
    assert minigrad.datasets.load_digits is load_digits
    assert "1797" in repr(digits) and "(1797, 8, 8)" in repr(digits)


def test_values_ranges_and_class_counts(digits):
    X, y = digits.data, digits.target
    assert X.min() == 0 and X.max() == 16 and np.array_equal(X, np.round(X))
    assert set(np.unique(X)) == set(range(17))
    assert np.bincount(y).tolist() == CLASS_COUNTS
    np.testing.assert_array_equal(digits.images.reshape(1797, 64), X)
    # the first image is a zero: its first row reads 0 0 5 13 9 1 0 0 (scikit-learn's too)
    assert y[0] == 0 and digits.images[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert y[:10].tolist() == list(range(10))
    # pinned sums: any change in parsing or row order shows up here
    assert X.sum() == 561718.0 and int((y * np.arange(1797)).sum()) == 7264791


def test_return_x_y_and_fresh_arrays(digits):
    X, y = load_digits(return_X_y=True)
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)
    X[0, 0], y[0], digits.images[0, 0, 0] = -1.0, 7, -5.0  # edits leak into nothing else
    again = load_digits()
    assert again.data[0, 0] == 0 and again.target[0] == 0 and digits.data[0, 0] == 0
    assert again.images[0, 0, 0] == 0
    with pytest.raises(TypeError, match=r"load_digits: return_X_y must be a bool, got 'yes'"):
        load_digits(return_X_y="yes")  # type: ignore[call-overload]


def test_description_names_source_and_license(digits):
    for words in ("Alpaydin", "Kaynak", "UCI", "CC BY 4.0", "10.24432/C50P49", "0 to 16"):
        assert words in digits.DESCR, words


def test_shipped_file_is_unchanged_and_documented():
    data = resources.files("minigrad.datasets").joinpath("data")
    raw = data.joinpath("digits.csv.gz").read_bytes()
    assert len(raw) == 57523 and hashlib.sha256(raw).hexdigest() == GZ_SHA256
    assert digits_module.DIGITS_SHA256 == GZ_SHA256
    assert len(gzip.decompress(raw).splitlines()) == 1797
    note = data.joinpath("digits.md").read_text("utf-8")
    for words in (GZ_SHA256, "57523", "CC BY 4.0", "Alpaydin", "Kaynak", "scikit-learn"):
        assert words in note, words


def test_a_damaged_file_is_refused_with_a_clear_error(monkeypatch):
    raw = digits_module._read_bytes()
    bad = gzip.compress(gzip.decompress(raw).replace(b"0,0,5,13", b"0,0,5,14", 1))
    digits_module._table.cache_clear()
    monkeypatch.setattr(digits_module, "_read_bytes", lambda: bad)
    try:
        with pytest.raises(ValueError, match=r"load_digits: the bundled data/digits\.csv\.gz "
                           r"has SHA-256 [0-9a-f]{64}, expected 09f66e6d.*damaged or was "
                           r"replaced"):
            load_digits()
    finally:
        digits_module._table.cache_clear()
    monkeypatch.undo()
    assert load_digits().data.shape == (1797, 64)


def test_loads_from_a_relocated_package(tmp_path):
    """The data-set package copied elsewhere, as a wheel installs it, beside a bare parent
    package: the file is found through importlib.resources and passes its hash check."""
    package = Path(minigrad.datasets.__file__).parent
    root = tmp_path / "site"
    shutil.copytree(package, root / "minigrad" / "datasets",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "minigrad" / "__init__.py").write_text("")
    script = (f"import sys; sys.path.insert(0, {str(root)!r})\n"
              "import minigrad.datasets as d\n"
              f"assert d.__file__.startswith({str(root)!r}), d.__file__\n"
              "X, y = d.load_digits(return_X_y=True)\n"
              "print(X.shape, int(X.sum()), y.tolist()[:10])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1797, 64) 561718 [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"


def test_wheel_lists_the_compressed_file():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^"minigrad\.datasets\.data" = \["digits\.csv\.gz"\]$', section, re.M)
    assert re.search(r'^"minigrad\.datasets" = \[.*"data/\*\.md".*\]$', section, re.M)


# ------------------------------------------------------------------ examples/digits.py

EXAMPLE = ROOT / "examples" / "digits.py"
MODEL_NAMES = ["softmax regression", "MLP, dropout 0.2", "CNN"]
ROW = re.compile(r"^\| (?P<name>[^|]+?) \| (?P<params>[\d,]+) \| (?P<epochs>\d+) \| "
                 r"(?P<acc>\d+\.\d\d) % \| (?P<time>\d+\.\d\d) s \|$")


def _run_example(*args: str, cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLE), *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _table_rows(stdout: str) -> list[dict[str, str]]:
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    assert lines[0] == "| model | parameters | epochs | test accuracy | training time |"
    assert lines[1] == "| --- | ---: | ---: | ---: | ---: |"
    rows = []
    for line in lines[2:]:
        match = ROW.match(line)
        assert match, line
        rows.append(match.groupdict())
    return rows


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    """The quick example twice: the table without files, and JSON with the files."""
    where = tmp_path_factory.mktemp("digits")
    table = _run_example("--quick", "--no-plots", cwd=where)
    out = where / "figures"
    figures = json.loads(_run_example("--quick", "--json", "--out", str(out), cwd=where))
    return table, figures, out


def test_quick_example_prints_one_table_well_above_chance(quick_runs):
    table, _, _ = quick_runs
    assert "1437 training and 360 test images" in table and "seed 0" in table
    assert table.count("| model |") == 1
    rows = _table_rows(table)
    assert [r["name"] for r in rows] == MODEL_NAMES
    acc = {r["name"]: float(r["acc"]) / 100 for r in rows}
    assert acc["CNN"] > 0.9 and acc["softmax regression"] > 0.8 and acc["MLP, dropout 0.2"] > 0.8
    assert [int(r["params"].replace(",", "")) for r in rows] == [650, 19210, 29066]
    assert float(rows[-1]["time"]) > float(rows[0]["time"])  # the CNN costs the most


def test_quick_example_json_matches_the_table_and_is_seeded(quick_runs):
    table, figures, out = quick_runs
    assert figures["split"] == {"train": 1437, "test": 360, "seed": 0,
                                "method": "seeded permutation (train_test_split)",
                                "test_per_class": figures["split"]["test_per_class"]}
    assert sum(figures["split"]["test_per_class"]) == 360 and figures["quick"] is True
    models = figures["models"]
    assert [m["name"] for m in models] == MODEL_NAMES
    # a second process, the same seed: the same accuracies as the table's, to the digit
    for row, m in zip(_table_rows(table), models):
        assert f"{100 * m['test_accuracy']:.2f}" == row["acc"]
        assert len(m["train_loss"]) == m["epochs"] == int(row["epochs"])
        assert m["train_loss"][-1] < m["train_loss"][0]
    matrix = np.array(figures["cnn_confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 360
    assert matrix.sum(axis=1).tolist() == figures["split"]["test_per_class"]
    assert np.trace(matrix) / 360 == pytest.approx(models[-1]["test_accuracy"])
    written = {Path(p).name for p in figures["files"]}
    if importlib.util.find_spec("matplotlib") is not None:
        assert {"loss_curves.png", "confusion_matrix.png"} <= written
    assert {"cnn_step.svg", "cnn_step.png"} <= written or "cnn_step.dot" in written
    for name in written:
        assert (out / name).stat().st_size > 0
    if "cnn_step.svg" in written:  # one box per layer of the Sequential
        svg = (out / "cnn_step.svg").read_text(encoding="utf-8")
        for box in ("0: Conv2d", "2: MaxPool2d", "3: Conv2d", "5: Flatten", "6: Linear"):
            assert box in svg, box


def test_shift_images_moves_each_image_by_at_most_one_pixel():
    spec = importlib.util.spec_from_file_location("digits_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    sys.modules["digits_example"] = example  # dataclasses look their module up there
    try:  # the example sets BLAS thread variables when imported: keep them out of ours
        with mock.patch.dict(os.environ):
            spec.loader.exec_module(example)
    finally:
        del sys.modules["digits_example"]
    x = np.zeros((50, 1, 8, 8), np.float32)
    x[:, 0, 2:6, 2:6] = np.arange(16, dtype=np.float32).reshape(4, 4) + 1  # away from edges
    moved = example.shift_images(x, np.random.default_rng(0))
    assert moved.shape == x.shape and moved.dtype == x.dtype
    seen = set()
    for before, after in zip(x[:, 0], moved[:, 0]):
        shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                  if np.array_equal(np.roll(before, (dy, dx), axis=(0, 1)), after)]
        assert len(shifts) == 1
        seen.add(shifts[0])
    assert len(seen) == 9  # every shift turns up in 50 draws
    counts = example.confusion(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


@pytest.mark.skipif(os.environ.get("MINIGRAD_SLOW") != "1",
                    reason="the full example takes about 10 s; set MINIGRAD_SLOW=1 to run it")
def test_full_example_cnn_reaches_98_percent_within_a_minute(tmp_path):
    figures = json.loads(_run_example("--json", "--no-plots", cwd=tmp_path, timeout=300))
    cnn = figures["models"][-1]
    assert cnn["name"] == "CNN" and cnn["test_accuracy"] >= 0.98
    assert figures["total_time_s"] < 60
