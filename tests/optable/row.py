"""The shape of a row of the op table, and the strategies rows share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from minigrad.testing import arrays, shapes


@dataclass(frozen=True)
class Bad:
    """A bad call of the op: it raises ``exc`` with every word of ``words`` in its message."""

    label: str
    call: Callable[[], object]
    exc: type[BaseException]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """The op at extreme but valid inputs: finite forward and backward, or, where the true
    value is beyond the dtype, a FloatingPointError in ``error = (phase, words)`` with
    phase "forward" or "backward". Inputs at positions ``const`` get no gradient."""

    label: str
    args: tuple
    error: tuple[str, tuple[str, ...]] | None = None
    const: tuple[int, ...] = ()
    float32: bool = False  # also finite in float32


@dataclass
class Op:
    """One op call under test.

    ``fn`` runs on the args with float arrays turned into Tensors that require grad;
    ``ref`` is the numpy reference on the plain args; ``inputs`` a strategy of arg tuples.
    """

    name: str  # unique row id
    fn: Callable
    ref: Callable
    inputs: st.SearchStrategy
    op: str | None = None  # the public function the row covers (default: name)
    cls: type | None = None  # the Function class the call records (None: none)
    grad: bool = True  # False: the result never requires grad (comparisons, argmax)
    smooth: bool = True  # second order is checked
    gradcheck: bool = True  # False where finite differences mean nothing (a lossy cast)
    float32: bool = True  # float32 in gives float32 out, values and gradients
    numpy: Callable | None = None  # a numpy function that must dispatch to the op
    zero_d: tuple | None = None  # args with 0-d (or the smallest) arrays
    empty: tuple | None = None  # args with a size-0 array: the op returns an empty result
    bad: tuple[Bad, ...] = ()
    edges: tuple[Edge, ...] = ()
    fuzz: bool = True  # drawn by the fuzzer
    tol: float = 1e-12  # forward tolerance against ``ref``
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.op is None:
            self.op = self.name


def one(**kw):
    """Single-array inputs."""
    return arrays(**kw).map(lambda a: (a,))


def pair(shape=None, **kw):
    """Two arrays of one shape."""
    s = shapes(min_dims=1) if shape is None else st.just(shape)
    return s.flatmap(lambda sh: st.tuples(arrays(shape=sh, **kw), arrays(shape=sh, **kw)))


X0 = np.array(0.7)  # a 0-d input
X1 = np.array(1.3)
EMPTY = np.ones((2, 0))  # a size-0 input
BIG = np.array([[-1e3, -1.0, 0.0], [1.0, 500.0, 1e3]])
TINY = np.array([[1e-300, 2e-300, 1e-3], [1.0, 10.0, 1e3]])  # positive, down to 1e-300
SIGNED_TINY = np.array([[-1e-300, 1e-300, -1.0], [1.0, -1e3, 1e3]])
MIXED = np.array([[-1e3, -1e-300, 0.0], [1e-300, 700.0, 1e3]])


def T(shape=(2, 3)):
    """A float Tensor that requires grad, for bad-input calls."""
    import minigrad as mg

    return mg.tensor(np.ones(shape), requires_grad=True)
