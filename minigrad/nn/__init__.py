"""Neural-network building blocks: parameters, modules, layers and losses.

A model is a :class:`Module` whose attributes are :class:`Parameter` s and other
modules::

    from minigrad import nn

    model = nn.Sequential(nn.Linear(13, 13), nn.Sigmoid(), nn.Linear(13, 1))
    # or: nn.Linear(13, 13) >> nn.Sigmoid() >> nn.Linear(13, 1)
    loss = nn.MSELoss()(model(x), y)
    loss.backward()
"""

from . import functional
from .layers import Linear, ReLU, Sigmoid, Tanh
from .losses import CrossEntropyLoss, MSELoss
from .module import Module, Parameter, Sequential

__all__ = [
    "functional",
    "Parameter",
    "Module",
    "Sequential",
    "Linear",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "MSELoss",
    "CrossEntropyLoss",
]
