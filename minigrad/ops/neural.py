"""The building blocks of neural networks that are not convolutions: linear layers,
dropout, normalization, embeddings and attention (PyTorch's names and arguments)."""

from __future__ import annotations

__all__: list[str] = []
