"""Every differentiable op, by family: one module each, and in each module every op is
its class (forward, backward, the derivative's text) with its public function directly
beneath it.

``formula`` is an op's local derivative as shown in graphs: ``{0}``, ``{1}`` stand for
the inputs' names and ``{y}`` for the output's, so matmul drawn as N = X·W reads
``dL/dX = dL/dN·Wᵀ``, ``dL/dW = Xᵀ·dL/dN``. Gradients may keep a broadcast shape: the
engine sums them back to each input's shape in one place.

At the edge: ops compute in IEEE floating point in their inputs' dtype and follow
numpy's floating-point error state; none clips its results or checks its inputs' range
on the fast path. Each op's docstring says where its results (and gradients) stop being
finite. Past that point the true value is beyond the dtype's range (or undefined): with
``np.errstate(over=..., divide=..., invalid="raise")``, or with RuntimeWarning turned
into an error, the op raises FloatingPointError naming itself (``exp: ...``,
``backward of 'div': ...``), its inputs' shapes, dtypes and ranges, and the limit (its
``limit`` method); under numpy's default state the value is inf or NaN with numpy's
RuntimeWarning, and ``np.errstate(...="ignore")`` gives it silently.
``minigrad.detect_anomaly()`` names the op that made the first one.

This package namespace holds every public op function and every op class;
``OPS`` lists the classes and ``NUMPY_FUNCTIONS`` maps numpy's functions to them.
"""

from __future__ import annotations

from ..autograd import Function
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
from ._base import NUMPY_FUNCTIONS  # noqa: F401  (re-exported: numpy function -> op)

#: the op modules, one per family
FAMILIES = (arithmetic, elementwise, activation, reduce, shape, index, linalg, conv, neural,
            losses, logic, creation)

__all__ = [name for family in FAMILIES for name in family.__all__]


def _classes(module) -> list:
    return [v for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Function) and v.__module__ == module.__name__]


#: every op class, for the generic tests and the docs
OPS = tuple(cls for family in FAMILIES for cls in _classes(family))

globals().update({name: getattr(family, name) for family in FAMILIES for name in family.__all__})
globals().update({cls.__name__: cls for cls in OPS})
assert len({cls.__name__ for cls in OPS}) == len(OPS), "op class names must be unique"
