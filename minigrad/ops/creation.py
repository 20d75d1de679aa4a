"""Tensors made from shapes, ranges and random draws."""

from __future__ import annotations

__all__: list[str] = []
