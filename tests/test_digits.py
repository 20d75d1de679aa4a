"""The bundled handwritten digits (minigrad.datasets.load_digits) and examples/digits.py."""

from __future__ import annotations

import gzip
import hashlib
import re
from importlib import resources
from pathlib import Path

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


def test_wheel_lists_the_compressed_file():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^"minigrad\.datasets\.data" = \["digits\.csv\.gz"\]$', section, re.M)
    assert re.search(r'^"minigrad\.datasets" = \[.*"data/\*\.md".*\]$', section, re.M)
