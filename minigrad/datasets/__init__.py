"""Small data sets shipped with minigrad.

One so far, :func:`load_boston`: the data of the chapter this project reproduces.
"""

from __future__ import annotations

from .boston import BOSTON_FEATURE_NAMES, Dataset, load_boston

__all__ = ["Dataset", "load_boston", "BOSTON_FEATURE_NAMES"]
