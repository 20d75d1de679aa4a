"""A long chain of tiny ops (workload W6): ``y = σ(y · c)`` on shape (1,), float64.

One iteration is two ops (a multiply and a sigmoid), so ``ITERS = 5000`` iterations
are 10,000 ops for every contender; then backward to the leaf ``x``. The figure
reported is the time of the whole call (forward and backward).

The chain contracts, so its gradient underflows to 0 long before 10,000 ops. The
correctness check therefore compares each contender with numpy twice: the forward
value and gradient of the full chain, and the gradient of a 20-iteration chain built
by the same code, where the gradient is far from 0.
"""

from __future__ import annotations

import numpy as np

from . import frameworks as fw

ITERS = 5000  # two ops each: 10,000 ops
OPS_PER_ITER = 2
SHORT = 20
X0 = 0.3
C = 1.5


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_factory(iters):
    x = np.array([X0])
    c = np.array([C])

    def run():
        y = x
        ys = []
        for _ in range(iters):
            y = _np_sigmoid(y * c)  # M = Y·c, Y' = σ(M)
            ys.append(y)
        g = np.ones(1)
        for y in reversed(ys):
            g = g * (y * (1.0 - y))  # dL/dM = dL/dY' ⊙ σ(M)(1 − σ(M))
            g = g * c  # dL/dY = dL/dM · c
        return ys[-1], g

    return run


def _minigrad_chain(iters):
    """The minigrad chain and its backward; returns (value, dL/dx) as Tensors."""
    import minigrad as mg

    x = mg.tensor([X0], requires_grad=True)
    c = mg.tensor([C])

    def chain_and_grad():
        y = x
        for _ in range(iters):
            y = mg.sigmoid(mg.mul(y, c))
        y.backward()
        g = x.grad
        x.grad = None
        return y, g

    return chain_and_grad


def minigrad_factory(iters):
    chain = _minigrad_chain(iters)

    def run():
        y, g = chain()
        return y.numpy(), g.numpy()

    return run


def minigrad_compiled_factory(iters):
    """The minigrad chain (forward and backward) under ``minigrad.compile``. The compiled
    function returns Tensors (reading a value while recording is refused); ``run``
    converts them. The first call records, later calls replay."""
    compiled = fw.load_minigrad_compile()(_minigrad_chain(iters))

    def run():
        y, g = compiled()
        return y.numpy(), g.numpy()

    run.compiled = compiled
    return run


def torch_factory(iters):
    torch = fw.load_torch()
    x = torch.tensor([X0], dtype=torch.float64, requires_grad=True)
    c = torch.tensor([C], dtype=torch.float64)
    one = torch.ones(1, dtype=torch.float64)

    def run():
        y = x
        for _ in range(iters):
            y = torch.sigmoid(torch.mul(y, c))
        y.backward(one)
        g = x.grad
        x.grad = None
        return y.detach().numpy(), g.numpy()

    return run


def autograd_factory(iters):
    ag, anp = fw.load_autograd()
    c = np.array([C])

    def chain(x):
        y = x
        for _ in range(iters):
            y = 1.0 / (1.0 + anp.exp(-(y * c)))
        return y

    vg = ag.value_and_grad(lambda x: chain(x)[0])  # [0]: a scalar output, one more op
    x0 = np.array([X0])

    def run():
        v, g = vg(x0)
        return np.array([v]), g

    return run


def jax_factory(iters):
    jax, jnp = fw.load_jax()
    c = jnp.array([C])

    # A Python loop unrolled into one 10,000-op jit trace takes XLA minutes to compile,
    # so JAX runs the same chain as lax.fori_loop, as a JAX user would write it.
    def chain(x):
        return jax.lax.fori_loop(0, iters, lambda i, y: jax.nn.sigmoid(y * c), x)

    f = jax.jit(jax.value_and_grad(lambda x: chain(x)[0]))
    x0 = jnp.array([X0])

    def run():
        v, g = f(x0)
        g.block_until_ready()
        return np.array([v]), np.asarray(g)

    return run


FACTORIES = {
    fw.NUMPY: numpy_factory,
    fw.MINIGRAD: minigrad_factory,
    fw.MINIGRAD_COMPILED: minigrad_compiled_factory,
    fw.TORCH: torch_factory,
    fw.AUTOGRAD: autograd_factory,
    fw.JAX: jax_factory,
}


def make(iters: int, notes: list[str], only=None) -> dict:
    """{contender: run}; ``run()`` returns (final value, dL/dx) as arrays."""
    return fw.build({n: (lambda f=f: f(iters)) for n, f in FACTORIES.items()
                     if only is None or n in only}, notes)
