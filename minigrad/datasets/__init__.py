"""Small data sets shipped with minigrad.

- :func:`load_boston`: the Boston house prices, the data of the chapter this project
  reproduces (506 rows, 13 features, a real-valued target);
- :func:`load_digits`: 1,797 handwritten digits of 8 × 8 pixels, ten classes.
"""

from __future__ import annotations

from .boston import BOSTON_FEATURE_NAMES, Dataset, load_boston
from .digits import DIGITS_FEATURE_NAMES, ImageDataset, load_digits

__all__ = [
    "Dataset",
    "ImageDataset",
    "load_boston",
    "load_digits",
    "BOSTON_FEATURE_NAMES",
    "DIGITS_FEATURE_NAMES",
]
