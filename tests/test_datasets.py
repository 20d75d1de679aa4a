"""Tests for minigrad.datasets: the bundled Boston house-price data."""

import hashlib
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.datasets import BOSTON_FEATURE_NAMES, Dataset, load_boston

CSV_SHA256 = "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
FEATURES = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE",
    "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT",
)  # fmt: skip


@pytest.fixture(scope="module")
def boston():
    return load_boston()


def test_shapes_dtypes_and_names(boston):
    assert isinstance(boston, Dataset)
    assert boston.data.shape == (506, 13) and boston.data.dtype == np.float64
    assert boston.target.shape == (506,) and boston.target.dtype == np.float64
    assert tuple(boston.feature_names) == FEATURES == BOSTON_FEATURE_NAMES
    assert boston.target_name == "MEDV"
    assert minigrad.datasets.load_boston is load_boston


def test_known_values(boston):
    # the StatLib value; scikit-learn releases before 0.20 had 0.6718 here
    assert boston.data[445, FEATURES.index("CRIM")] == 10.6718
    first = [0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 396.9, 4.98]
    np.testing.assert_array_equal(boston.data[0], first)
    assert boston.target[0] == 24.0
    last = [0.04741, 0, 11.93, 0, 0.573, 6.03, 80.8, 2.505, 1, 273, 21, 396.9, 7.88]
    np.testing.assert_array_equal(boston.data[-1], last)
    assert boston.target[-1] == 11.9
    assert boston.target.mean() == pytest.approx(22.532806324110677, rel=1e-12)
    assert boston.target.max() == 50.0 and int((boston.target == 50.0).sum()) == 16
    assert not np.isnan(boston.data).any()


def test_description_has_provenance_and_ethics_note(boston):
    text = boston.DESCR
    for needle in ("Harrison", "Rubinfeld", "1978", "StatLib", "scikit-learn", "BSD-3-Clause"):
        assert needle in text
    assert "Black residents" in text and "removed" in text
    for name in FEATURES + ("MEDV",):
        assert f"\n  {name} " in text


def test_return_x_y_and_fresh_arrays():
    X, y = load_boston(return_X_y=True)
    assert X.shape == (506, 13) and y.shape == (506,)
    X[0, 0] = -1.0  # a caller's edit does not leak into the next load
    assert load_boston().data[0, 0] == 0.00632


def test_shipped_file_is_the_unchanged_csv():
    resource = resources.files("minigrad.datasets").joinpath("data", "boston_house_prices.csv")
    raw = resource.read_bytes()
    assert len(raw) == 34742
    assert hashlib.sha256(raw).hexdigest() == CSV_SHA256
    readme = resources.files("minigrad.datasets").joinpath("data", "README.md").read_text("utf-8")
    assert CSV_SHA256 in readme and "BSD" in readme and "Harrison" in readme
    assert "Column `B`" in readme


def test_loads_from_a_relocated_package_without_the_shared_folder(tmp_path):
    """Copy the data-set package elsewhere, as an installed wheel would place it, and load
    it there while an audit hook refuses to open any path inside a ``shared`` folder."""
    package = Path(minigrad.datasets.__file__).parent
    root = tmp_path / "site"
    skip_cache = shutil.ignore_patterns("__pycache__")
    shutil.copytree(package, root / "minigrad" / "datasets", ignore=skip_cache)
    (root / "minigrad" / "__init__.py").write_text("")  # a bare parent: no engine needed
    script = textwrap.dedent(
        f"""
        import sys
        root = {str(root)!r}
        sys.path.insert(0, root)
        import numpy as np  # imported before the hook: numpy's own files may be opened

        def deny_shared(event, args):
            if event == "open" and isinstance(args[0], str) and "/shared/" in args[0]:
                raise PermissionError("opened " + args[0])

        sys.addaudithook(deny_shared)
        from minigrad.datasets import load_boston
        import minigrad.datasets
        assert minigrad.datasets.__file__.startswith(root), minigrad.datasets.__file__
        ds = load_boston()
        print(ds.data.shape, ds.data[445, 0], ds.target.mean())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["(506,", "13)", "10.6718", "22.532806324110677"]
