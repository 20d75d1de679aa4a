"""Convolution, pooling, resampling and im2col for images and sequences
(``minigrad.nn.functional``'s layout: channels first, PyTorch's argument names)."""

from __future__ import annotations

__all__: list[str] = []
