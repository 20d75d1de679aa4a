"""Per-op overhead (workload W3): chains of one elementwise op on a 4×4 float64 tensor.

One call builds ``y = op(y)`` ``K`` times from a leaf ``x`` that requires grad, then
runs backward with an output gradient of ones; the figure reported is the call's time
divided by ``K``: forward plus backward of one op. ``add`` and ``mul`` take a
constant 4×4 second operand (no gradient), ``sigmoid`` takes none.
"""

from __future__ import annotations

import numpy as np

from . import frameworks as fw

K = 64  # ops per chain
SHAPE = (4, 4)
OPS = ("add", "mul", "sigmoid")


def data(seed: int = 3):
    rng = np.random.RandomState(seed)
    x0 = rng.randn(*SHAPE)
    consts = {"add": 0.1 * rng.randn(*SHAPE), "mul": rng.uniform(0.9, 1.1, SHAPE)}
    return x0, consts


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_factory(op, x0, c):
    """Forward keeping what backward needs, then the hand-written backward."""
    ones = np.ones(SHAPE)

    if op == "add":

        def run():
            y = x0
            for _ in range(K):
                y = y + c
            # dL/dA = dL/dY for every add: the gradient passes through unchanged
            return ones

    elif op == "mul":

        def run():
            y = x0
            for _ in range(K):
                y = y * c
            g = ones
            for _ in range(K):
                g = g * c  # dL/dA = dL/dY ⊙ C
            return g

    else:

        def run():
            y = x0
            ys = []
            for _ in range(K):
                y = _np_sigmoid(y)
                ys.append(y)
            g = ones
            for y in reversed(ys):
                g = g * (y * (1.0 - y))  # dL/dX = dL/dY ⊙ σ(X)(1 − σ(X))
            return g

    return run, run


def _minigrad_chain(op, x0, c):
    """The minigrad chain: K ops from a leaf, then backward; returns (value, dL/dx)."""
    import minigrad as mg

    x = mg.tensor(x0, requires_grad=True)
    ones = np.ones(SHAPE)
    if op == "sigmoid":
        f = mg.sigmoid
    else:
        ct = mg.Tensor(c.copy())
        binop = mg.add if op == "add" else mg.mul

        def f(y):
            return binop(y, ct)

    def chain_and_grad():
        y = x
        for _ in range(K):
            y = f(y)
        y.backward(ones)
        g = x.grad
        x.grad = None
        return y, g

    return chain_and_grad


def minigrad_factory(op, x0, c):
    chain = _minigrad_chain(op, x0, c)

    def run():
        return chain()[1]

    def grad():
        return run().numpy()

    return run, grad


def minigrad_compiled_factory(op, x0, c):
    """The minigrad chain (K ops and backward) under ``minigrad.compile``: the first
    call records, later calls replay. The compiled function returns the chain's value
    as well as dL/dx, so that every forward op is replayed (numpy's baseline computes
    them all too); returning dL/dx alone, a replay would drop the ops it does not
    depend on (for add, all of them)."""
    compiled = fw.load_minigrad_compile()(_minigrad_chain(op, x0, c))

    def run():
        return compiled()[1]

    def grad():
        return run().numpy()

    return run, grad


def torch_factory(op, x0, c):
    torch = fw.load_torch()
    x = torch.tensor(x0, requires_grad=True)
    ones = torch.ones(SHAPE, dtype=torch.float64)
    if op == "sigmoid":
        f = torch.sigmoid
    else:
        ct = torch.tensor(c)
        binop = torch.add if op == "add" else torch.mul

        def f(y):
            return binop(y, ct)

    def run():
        y = x
        for _ in range(K):
            y = f(y)
        y.backward(ones)
        g = x.grad
        x.grad = None
        return g

    def grad():
        return run().numpy()

    return run, grad


def autograd_factory(op, x0, c):
    ag, anp = fw.load_autograd()
    if op == "sigmoid":

        def f(y):
            return 1.0 / (1.0 + anp.exp(-y))

    else:
        binop = anp.add if op == "add" else anp.multiply

        def f(y):
            return binop(y, c)

    def chain(x):
        y = x
        for _ in range(K):
            y = f(y)
        return y

    g = ag.elementwise_grad(chain)  # vector-Jacobian product with a gradient of ones

    def run():
        return g(x0)

    return run, run


def jax_factory(op, x0, c):
    jax, jnp = fw.load_jax()
    cj = None if c is None else jnp.asarray(c)
    xj = jnp.asarray(x0)
    ones = jnp.ones(SHAPE, dtype=jnp.float64)
    if op == "sigmoid":
        f = jax.nn.sigmoid
    else:
        binop = jnp.add if op == "add" else jnp.multiply

        def f(y):
            return binop(y, cj)

    def chain(x):
        y = x
        for _ in range(K):
            y = f(y)
        return y

    vjp = jax.jit(lambda x: jax.vjp(chain, x)[1](ones)[0])

    def run():
        return vjp(xj).block_until_ready()

    def grad():
        return np.asarray(run())

    return run, grad


FACTORIES = {
    fw.NUMPY: numpy_factory,
    fw.MINIGRAD: minigrad_factory,
    fw.MINIGRAD_COMPILED: minigrad_compiled_factory,
    fw.TORCH: torch_factory,
    fw.AUTOGRAD: autograd_factory,
    fw.JAX: jax_factory,
}


def make(op: str, notes: list[str], only=None) -> dict:
    """{contender: (run, grad)} for one op; ``grad()`` returns dL/dx as an array."""
    x0, consts = data()
    c = consts.get(op)
    return fw.build({n: (lambda f=f: f(op, x0, c)) for n, f in FACTORIES.items()
                     if only is None or n in only}, notes)
