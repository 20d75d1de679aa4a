"""The handwritten digits (1,797 images of 8 × 8 pixels, values 0–16, ten classes).

The file ships inside the package (``minigrad/datasets/data/digits.csv.gz``), is read
with ``importlib.resources`` and checked against its SHA-256 hash before it is parsed,
so it loads from a source checkout and from an installed wheel alike, and a damaged
or replaced copy is refused. See ``data/README.md`` for provenance and license.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, overload

import numpy as np

from .boston import Dataset

__all__ = ["ImageDataset", "load_digits", "DIGITS_FEATURE_NAMES", "DIGITS_SHA256"]

_PACKAGE = "minigrad.datasets"
_FILE = "digits.csv.gz"

#: SHA-256 of the bundled ``digits.csv.gz``, byte for byte the file in scikit-learn's wheels
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
_N_SAMPLES = 1797
_SIDE = 8

#: one name per pixel, row-major: ``pixel_<row>_<column>``
DIGITS_FEATURE_NAMES: tuple[str, ...] = tuple(
    f"pixel_{r}_{c}" for r in range(_SIDE) for c in range(_SIDE)
)

DIGITS_DESCR = """\
Handwritten digits
==================

1,797 images of handwritten digits, 8 x 8 pixels each, flattened row by row into
64 features. Every pixel is an integer from 0 to 16; the target is the digit, 0 to 9,
with 174 to 183 images per class. No values are missing.

How the images were made: digits written on preprinted forms were scanned, and
NIST's preprocessing programs cut out and normalised each one to a 32 x 32 black and
white bitmap. That bitmap was split into 64 non-overlapping blocks of 4 x 4, and each
block's pixel is the number of its black dots (0 to 16). The coarse grid keeps the
data small and forgives small shifts and distortions of the strokes.

Provenance: the test part (file optdigits.tes) of "Optical Recognition of
Handwritten Digits" by E. Alpaydin and C. Kaynak (1998), UCI Machine Learning
Repository, https://doi.org/10.24432/C50P49, licensed under Creative Commons
Attribution 4.0 International (CC BY 4.0). Its 1,797 digits were written by 13
people, none of whom wrote any of the repository's training part. The file bundled
here is scikit-learn's copy (sklearn/datasets/data/digits.csv.gz), byte for byte;
loading it gives the same arrays as scikit-learn's load_digits().

Reference: C. Kaynak (1995), Methods of Combining Multiple Classifiers and Their
Applications to Handwritten Digit Recognition, MSc thesis, Bogazici University;
E. Alpaydin and C. Kaynak (1998), Cascading Classifiers, Kybernetika 34(4).
"""


@dataclass(frozen=True, eq=False)
class ImageDataset(Dataset):
    """A :class:`Dataset` of small images for classification.

    Besides ``data`` (one flattened image per row), ``target``, ``feature_names``,
    ``target_name`` and ``DESCR``:

    Attributes:
        images: the same pixels as ``data``, shaped ``(n_samples, height, width)``
            (its own array: editing one does not change the other).
        target_names: the class labels, in order; ``target`` holds them as integers.
    """

    images: np.ndarray
    target_names: tuple[int, ...]

    def __repr__(self) -> str:
        return (
            f"ImageDataset(data={self.data.shape} {self.data.dtype}, "
            f"images={self.images.shape}, target={self.target.shape} {self.target.dtype}, "
            f"classes={len(self.target_names)}, target_name={self.target_name!r})"
        )


def _read_bytes() -> bytes:
    """The bundled file's raw bytes."""
    return resources.files(_PACKAGE).joinpath("data", _FILE).read_bytes()


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """The verified, parsed file: int64 of shape (1797, 65), pixels then the digit.

    Read once per process; callers get copies, so the cached array never changes."""
    raw = _read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise ValueError(
            f"load_digits: the bundled data/{_FILE} has SHA-256 {digest}, expected "
            f"{DIGITS_SHA256}; the file is damaged or was replaced (reinstall minigrad)"
        )
    text = gzip.decompress(raw).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2)
    expected = (_N_SAMPLES, _SIDE * _SIDE + 1)
    if table.shape != expected:
        raise ValueError(
            f"load_digits: data/{_FILE} has a table of shape {table.shape}, expected {expected}"
        )
    ints = table.astype(np.int64)
    if (ints != table).any() or ints[:, :-1].min() < 0 or ints[:, :-1].max() > 16:
        raise ValueError(f"load_digits: data/{_FILE} has pixels outside the integers 0..16")
    if ints[:, -1].min() < 0 or ints[:, -1].max() > 9:
        raise ValueError(f"load_digits: data/{_FILE} has targets outside 0..9")
    ints.setflags(write=False)
    return ints


@overload
def load_digits(*, return_X_y: Literal[False] = False) -> ImageDataset: ...
@overload
def load_digits(*, return_X_y: Literal[True]) -> tuple[np.ndarray, np.ndarray]: ...
def load_digits(*, return_X_y: bool = False) -> ImageDataset | tuple[np.ndarray, np.ndarray]:
    """Load the handwritten digits: 1,797 images of 8 × 8 pixels, ten classes.

    The values are those of scikit-learn's ``load_digits()`` (the same file): the test
    part of the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin and
    Kaynak, 1998; CC BY 4.0). The bundled file is checked against its SHA-256 hash and
    refused with a ``ValueError`` if it does not match.

    Args:
        return_X_y: return the tuple ``(data, target)`` instead of an
            :class:`ImageDataset`.

    Returns:
        An :class:`ImageDataset` with ``data`` float64 ``(1797, 64)`` (pixel values,
        integers 0 to 16, row by row), ``images`` float64 ``(1797, 8, 8)`` (the same
        pixels), ``target`` int64 ``(1797,)`` (the digit, 0 to 9, ready for
        ``cross_entropy``), ``feature_names`` ``("pixel_0_0", ..., "pixel_7_7")``,
        ``target_name`` ``"digit"``, ``target_names`` ``(0, ..., 9)`` and ``DESCR``.
        Every call returns fresh arrays.
    """
    if not isinstance(return_X_y, (bool, np.bool_)):
        raise TypeError(f"load_digits: return_X_y must be a bool, got {return_X_y!r}")
    table = _table()
    data = table[:, :-1].astype(np.float64)
    target = table[:, -1].copy()
    if return_X_y:
        return data, target
    return ImageDataset(
        data=data,
        target=target,
        feature_names=DIGITS_FEATURE_NAMES,
        target_name="digit",
        DESCR=DIGITS_DESCR,
        images=data.reshape(-1, _SIDE, _SIDE).copy(),
        target_names=tuple(range(10)),
    )

