"""Comparisons, logic, bit operations and tests of values: results with no gradient.

Each gives a Tensor that does not require grad, whatever its inputs require; Tensors,
arrays and numbers broadcast as numpy does. Integer and boolean work (bit operations,
``floor_divide``, ``remainder``) lives here too where it has no gradient to give.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _trace
from ..tensor import Tensor, _make, _raw

__all__ = [
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "isfinite", "isnan", "isinf",
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
]  # fmt: skip


def _no_grad_op(ufunc: Any, name: str, doc: str) -> Callable[..., Tensor]:
    """A function that applies ``ufunc`` to the arrays and returns a constant Tensor.
    Errors name the op and the shapes."""

    def op(*args: Any) -> Tensor:
        arrays = [_raw(a) for a in args]
        try:
            out = ufunc(*arrays)
        except (TypeError, ValueError) as e:
            shapes = ", ".join(f"{np.shape(a)} {_trace.asarray(a).dtype}" for a in arrays)
            raise type(e)(f"{name}: {e} (inputs: {shapes})") from None
        return _make(_trace.asarray(out), False, None)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    from ._base import NUMPY_FUNCTIONS

    NUMPY_FUNCTIONS[ufunc] = op
    return op


equal = _no_grad_op(np.equal, "equal", "a == b elementwise (booleans, no gradient).")
not_equal = _no_grad_op(np.not_equal, "not_equal", "a != b elementwise (booleans, no gradient).")
less = _no_grad_op(np.less, "less", "a < b elementwise (booleans, no gradient).")
less_equal = _no_grad_op(np.less_equal, "less_equal",
                         "a <= b elementwise (booleans, no gradient).")
greater = _no_grad_op(np.greater, "greater", "a > b elementwise (booleans, no gradient).")
greater_equal = _no_grad_op(np.greater_equal, "greater_equal",
                            "a >= b elementwise (booleans, no gradient).")
logical_and = _no_grad_op(np.logical_and, "logical_and", "a and b elementwise (booleans).")
logical_or = _no_grad_op(np.logical_or, "logical_or", "a or b elementwise (booleans).")
logical_xor = _no_grad_op(np.logical_xor, "logical_xor", "a xor b elementwise (booleans).")
logical_not = _no_grad_op(np.logical_not, "logical_not", "not x elementwise (booleans).")
isfinite = _no_grad_op(np.isfinite, "isfinite", "Whether each element is finite (booleans).")
isnan = _no_grad_op(np.isnan, "isnan", "Whether each element is NaN (booleans).")
isinf = _no_grad_op(np.isinf, "isinf", "Whether each element is ±inf (booleans).")
bitwise_and = _no_grad_op(np.bitwise_and, "bitwise_and",
                          "a & b on integer or boolean tensors (no gradient).")
bitwise_or = _no_grad_op(np.bitwise_or, "bitwise_or",
                         "a | b on integer or boolean tensors (no gradient).")
bitwise_xor = _no_grad_op(np.bitwise_xor, "bitwise_xor",
                          "a ^ b on integer or boolean tensors (no gradient).")
invert = _no_grad_op(np.invert, "invert", "~x on integer or boolean tensors (no gradient).")
left_shift = _no_grad_op(np.left_shift, "left_shift",
                         "a << b on integer tensors (no gradient).")
right_shift = _no_grad_op(np.right_shift, "right_shift",
                          "a >> b on integer tensors (no gradient).")
