"""Activation functions of neural networks, elementwise."""

from __future__ import annotations

__all__: list[str] = []
