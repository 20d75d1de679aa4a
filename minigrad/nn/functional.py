"""minigrad.nn.functional (imported as ``F``): the functions behind the layers, under
PyTorch's names, arguments and layouts (channels first).

Each is an op of ``minigrad.ops`` (its gradient proven by the op table); this module
only gathers them where a PyTorch user looks for them::

    from minigrad.nn import functional as F

    y = F.relu(F.conv2d(x, w, b, padding="same"))
    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)

One difference from PyTorch: softmax-like functions take numpy's ``axis`` (default
-1) where PyTorch takes ``dim``.
"""

from __future__ import annotations

from ..ops.activation import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
)
from ..ops.conv import (
    adaptive_avg_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose2d,
    fold,
    interpolate,
    max_pool2d,
    unfold,
)
from ..ops.conv import pad_last_dims as pad
from ..ops.elementwise import relu, sigmoid, tanh
from ..ops.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from ..ops.neural import (
    batch_norm,
    dropout,
    embedding,
    layer_norm,
    linear,
    one_hot,
    scaled_dot_product_attention,
)
from ..ops.reduce import log_softmax, logsumexp, softmax

__all__ = [
    # layers' functions
    "linear", "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
    "adaptive_avg_pool2d", "interpolate", "pad", "unfold", "fold",
    "dropout", "layer_norm", "batch_norm", "embedding", "one_hot",
    "scaled_dot_product_attention",
    # activations
    "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu",
    "mish", "softplus", "softsign", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid",
    "softmax", "log_softmax", "logsumexp",
    # losses
    "mse", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
]  # fmt: skip
