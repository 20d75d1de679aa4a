"""Neural-network building blocks: parameters, modules, layers and losses.

A model is a :class:`Module` whose attributes are :class:`Parameter` s and other
modules::

    from minigrad import nn

    model = nn.Sequential(nn.Linear(13, 13), nn.Sigmoid(), nn.Linear(13, 1))
    # or: nn.Linear(13, 13) >> nn.Sigmoid() >> nn.Linear(13, 1)
    loss = nn.MSELoss()(model(x), y)
    loss.backward()

The layers, activations and losses follow PyTorch's names, constructor arguments,
defaults and parameter shapes (``Conv2d``, ``BatchNorm2d``, ``MultiheadAttention``,
``CrossEntropyLoss``, ...), each computed by :mod:`minigrad.nn.functional`; the one
exception is ``Linear``, whose weight is (in, out) as in the notes (N = X·W).
``model.train()`` / ``model.eval()`` switch what Dropout and BatchNorm do; buffers
(BatchNorm's running statistics) are saved in ``state_dict()`` with the parameters.
:mod:`minigrad.nn.init` initializes weights in place; :mod:`minigrad.nn.utils` clips
gradients and flattens parameters.
"""

from . import functional, init, utils
from .layers import (
    CELU,
    ELU,
    GELU,
    SELU,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Embedding,
    Flatten,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    MaxPool2d,
    Mish,
    MultiheadAttention,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
    Unflatten,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module, ModuleDict, ModuleList, Parameter, Sequential

__all__ = [
    "functional", "init", "utils",
    # containers
    "Parameter", "Module", "Sequential", "ModuleList", "ModuleDict",
    # layers
    "Linear", "Identity", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
    "AdaptiveAvgPool2d", "Flatten", "Unflatten", "Dropout", "LayerNorm", "BatchNorm1d",
    "BatchNorm2d", "Embedding", "MultiheadAttention",
    # activations
    "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
    "Mish", "Softplus", "Softsign", "Hardtanh", "Hardsigmoid", "Hardswish", "LogSigmoid",
    "Softmax", "LogSoftmax",
    # losses
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss",
    "NLLLoss", "CrossEntropyLoss", "KLDivLoss",
]  # fmt: skip
