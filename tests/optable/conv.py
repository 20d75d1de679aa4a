"""Rows: convolution and pooling."""

from __future__ import annotations

ROWS: list = []
