"""Optimizers (``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``) with the update
rules of torch.optim, and learning-rate schedulers in :mod:`minigrad.optim.lr_scheduler`.
See :mod:`minigrad.optim.optimizers` for parameter groups and saving an optimizer's state.
"""

from __future__ import annotations

from . import lr_scheduler
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
