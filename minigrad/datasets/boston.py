"""The Boston house-price data (506 towns, 13 features, target MEDV).

The CSV ships inside the package (``minigrad/datasets/data/``) and is read with
``importlib.resources``, so it loads from a source checkout and from an installed
wheel alike. See ``data/README.md`` for provenance, license and the ethics note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, overload

import numpy as np

__all__ = ["Dataset", "load_boston", "BOSTON_FEATURE_NAMES", "BOSTON_VERSIONS"]

_PACKAGE = "minigrad.datasets"
_CSV = "boston_house_prices.csv"

BOSTON_FEATURE_NAMES: tuple[str, ...] = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE",
    "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT",
)  # fmt: skip
_TARGET_NAME = "MEDV"
_N_ROWS = 506

#: the versions load_boston() can give: the bundled file as it is, and the same data as
#: scikit-learn shipped it before release 0.20
BOSTON_VERSIONS = ("current", "pre-0.20")
# The one cell in which the copies differ: data row 445 (0-based, counting rows after
# the two header lines; line 448 of the file), column CRIM. StatLib and scikit-learn 0.20
# and later have 10.6718; earlier scikit-learn releases had lost the leading 1.
_PRE_0_20_CELL = (445, 0)
_PRE_0_20_VALUE = 0.6718
_CURRENT_VALUE = 10.6718

BOSTON_DESCR = """\
Boston house prices
===================

506 census tracts of the Boston area (1970 census), 13 numeric features and one
target. No values are missing.

Features, in column order:
  CRIM     per-capita crime rate by town
  ZN       share of residential land zoned for lots over 25,000 sq. ft.
  INDUS    share of non-retail business acres per town
  CHAS     Charles River indicator (1 if the tract bounds the river, else 0)
  NOX      nitric-oxide concentration (parts per 10 million)
  RM       average number of rooms per dwelling
  AGE      share of owner-occupied units built before 1940
  DIS      weighted distance to five Boston employment centres
  RAD      index of access to radial highways
  TAX      full-value property-tax rate per $10,000
  PTRATIO  pupil-teacher ratio by town
  B        1000 (Bk - 0.63)^2, Bk the proportion of Black residents by town
  LSTAT    percentage of the population of lower status
Target:
  MEDV     median value of owner-occupied homes, in $1000s (censored at 50.0)

Provenance: Harrison, D. and Rubinfeld, D.L., "Hedonic prices and the demand for
clean air", Journal of Environmental Economics and Management 5, 81-102 (1978),
in the copy kept by StatLib (Carnegie Mellon University). The file shipped here is
the one bundled with scikit-learn up to release 1.1 (BSD-3-Clause license),
byte for byte. Row 445 has CRIM = 10.6718, the StatLib value; scikit-learn
releases before 0.20 had 0.6718 there; load_boston(version="pre-0.20") gives
the data as those releases did, which is what the printed book's figures were
computed from.

Ethics: column B was built on the assumption that racial self-segregation had a
positive effect on house prices, and it encodes the proportion of Black residents
in a way that bakes that assumption into any model trained on it. For this reason
scikit-learn deprecated the data set and removed it in release 1.2. minigrad ships
it only so that a published chapter can be reproduced exactly; it is not a
suitable benchmark for new work, and models fitted to it should not inform
decisions about people or housing.
"""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A small tabular data set: a feature matrix, a target vector and their names.

    Attributes:
        data: the features, float64 of shape ``(n_samples, n_features)``.
        target: the target, float64 of shape ``(n_samples,)``.
        feature_names: one name per column of ``data``.
        target_name: the name of the target.
        DESCR: a description with provenance, column meanings and caveats.
    """

    data: np.ndarray
    target: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    DESCR: str = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"Dataset(data={self.data.shape} {self.data.dtype}, target={self.target.shape}, "
            f"features={len(self.feature_names)}, target_name={self.target_name!r})"
        )


def _read_csv() -> np.ndarray:
    """Parse the bundled CSV (two header lines, then rows) into a float64 array."""
    resource = resources.files(_PACKAGE).joinpath("data", _CSV)
    with resource.open("r", encoding="ascii") as f:
        first = f.readline().strip().split(",")
        header = [name.strip().strip('"') for name in f.readline().strip().split(",")]
        table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    expected = [*BOSTON_FEATURE_NAMES, _TARGET_NAME]
    if first[:2] != [str(_N_ROWS), str(len(BOSTON_FEATURE_NAMES))] or header != expected:
        raise ValueError(f"load_boston: {resource} does not have the expected header lines")
    if table.shape != (_N_ROWS, len(expected)):
        raise ValueError(
            f"load_boston: {resource} has a table of shape {table.shape}, "
            f"expected {(_N_ROWS, len(expected))}"
        )
    return table


@overload
def load_boston(*, return_X_y: Literal[False] = False, version: str = "current") -> Dataset: ...
@overload
def load_boston(*, return_X_y: Literal[True], version: str = "current"
                ) -> tuple[np.ndarray, np.ndarray]: ...
def load_boston(*, return_X_y: bool = False, version: str = "current"
                ) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """Load the Boston house-price data.

    Read ``DESCR`` (or ``data/README.md``) before use: column ``B`` encodes a racist
    assumption, and the data set is shipped only to reproduce the chapter's figures.

    Args:
        return_X_y: return the tuple ``(data, target)`` instead of a :class:`Dataset`.
        version: ``"current"``, the bundled file (StatLib's values, as scikit-learn
            0.20 to 1.1 shipped them), or ``"pre-0.20"``, the same with the one cell
            scikit-learn releases before 0.20 had differently: row 445 (0-based), CRIM,
            0.6718 instead of 10.6718. The printed book used the latter, its companion
            notebook the former. The change is made in memory; the file is not touched.

    Returns:
        A :class:`Dataset` with ``data`` float64 ``(506, 13)``, ``target`` float64
        ``(506,)`` (MEDV), ``feature_names`` ``("CRIM", ..., "LSTAT")``,
        ``target_name`` ``"MEDV"`` and ``DESCR``. Every call returns fresh arrays.
    """
    if version not in BOSTON_VERSIONS:
        raise ValueError(
            f"load_boston: version must be one of {', '.join(map(repr, BOSTON_VERSIONS))}, "
            f"got {version!r}"
        )
    table = _read_csv()
    if version == "pre-0.20":
        row, col = _PRE_0_20_CELL
        if table[row, col] != _CURRENT_VALUE:
            raise ValueError(
                f"load_boston: row {row}, column CRIM of the bundled file is "
                f"{table[row, col]}, not {_CURRENT_VALUE}; cannot derive the pre-0.20 version"
            )
        table[row, col] = _PRE_0_20_VALUE
    data = np.ascontiguousarray(table[:, :-1])
    target = np.ascontiguousarray(table[:, -1])
    if return_X_y:
        return data, target
    return Dataset(
        data=data,
        target=target,
        feature_names=BOSTON_FEATURE_NAMES,
        target_name=_TARGET_NAME,
        DESCR=BOSTON_DESCR,
    )
