"""Rows: neural-network building blocks."""

from __future__ import annotations

ROWS: list = []
