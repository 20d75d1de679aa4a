"""The op table: one row per op call under test, the single source that every
op-generic test reads (forward against numpy, gradcheck, gradgradcheck, float32,
broadcasting, 0-d and size-0 inputs, bad inputs, numerics at the edge, numpy's
protocols, the fuzzer's random programs, and the completeness check).

The rows live in one module per op family, beside ``minigrad/ops/`` (``arithmetic``,
``elementwise``, ...); ``OPS`` is all of them, in that order. Adding an op is one
class and one function in ``minigrad/ops/<family>.py`` and one row here.
"""

from __future__ import annotations

from . import (
    activation,
    arithmetic,
    conv,
    creation,
    elementwise,
    index,
    linalg,
    logic,
    losses,
    neural,
    reduce,
    shape,
)
from .row import Bad, Edge, Op

FAMILIES = (arithmetic, elementwise, activation, reduce, shape, index, linalg, conv, neural,
            losses, logic, creation)

#: every row of the table
OPS: list[Op] = [row for family in FAMILIES for row in family.ROWS]

BY_NAME = {op.name: op for op in OPS}
assert len(BY_NAME) == len(OPS), "row names must be unique"

__all__ = ["OPS", "BY_NAME", "Op", "Bad", "Edge"]
