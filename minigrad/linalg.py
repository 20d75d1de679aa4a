"""minigrad.linalg: linear algebra under numpy.linalg's names.

The functions are the ops of ``minigrad.ops.linalg`` (each records its gradient):
``inv``, ``det``, ``slogdet``, ``solve`` and ``norm`` (vector norms and the matrix
Frobenius norm), batched over leading dimensions as in
numpy.linalg, and the products numpy.linalg also has (``matmul``, ``outer``,
``tensordot``) with ``dot``, ``inner`` and ``einsum``. ``numpy.linalg.inv(tensor)``
and the others dispatch to them.
"""

from __future__ import annotations

from .ops.linalg import (
    SlogdetResult,
    det,
    dot,
    einsum,
    inner,
    inv,
    matmul,
    outer,
    slogdet,
    solve,
    tensordot,
)
from .ops.reduce import norm

__all__ = ["inv", "det", "slogdet", "solve", "norm", "matmul", "dot", "outer", "inner", "tensordot",
           "einsum", "SlogdetResult"]
