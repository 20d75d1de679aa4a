"""Multi-layer perceptron training steps (workloads W1, W2, W4, W5).

The model: ``sizes = (d0, d1, ..., dL)``, ``P_i = O_{i-1}·W_i + B_i``, ``O_i = σ(P_i)``
on hidden layers, a linear output, and the mean squared error against ``Y``. One step
is forward, backward and the plain SGD update ``W ← W − lr·dL/dW``.

Every contender offers the same four methods:

* ``prepare(X, Y)``: the batch as the framework's own arrays (timed in W2, where
  every step gets a new batch);
* ``step(batch)``: one training step, parameters updated in place or replaced;
* ``grads(batch)``: dL/dW1, dL/dB1, ... at the current parameters, as numpy arrays,
  without updating (for the correctness check);
* ``params()``: the parameters as numpy arrays.
"""

from __future__ import annotations

import numpy as np

from . import frameworks as fw


class Problem:
    """Shapes, dtype, data and initial parameters of one MLP workload."""

    def __init__(self, sizes, batch: int, dtype, lr: float, seed: int, rows: int | None = None,
                 one_hot: bool = False):
        self.sizes = tuple(sizes)
        self.batch = batch
        self.dtype = np.dtype(dtype)
        self.lr = lr
        rng = np.random.RandomState(seed)
        self.params0 = []
        for d_in, d_out in zip(self.sizes[:-1], self.sizes[1:]):
            self.params0.append((rng.randn(d_in, d_out) / np.sqrt(d_in)).astype(self.dtype))
            self.params0.append((0.1 * rng.randn(d_out)).astype(self.dtype))
        n = rows or batch
        self.X = rng.randn(n, self.sizes[0]).astype(self.dtype)
        if one_hot:
            labels = rng.randint(0, self.sizes[-1], size=n)
            self.Y = np.zeros((n, self.sizes[-1]), dtype=self.dtype)
            self.Y[np.arange(n), labels] = 1
        else:
            self.Y = rng.randn(n, self.sizes[-1]).astype(self.dtype)

    @property
    def layers(self) -> int:
        return len(self.sizes) - 1


# --------------------------------------------------------------------------- numpy


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class NumpyMLP:
    """The notes' hand-derived gradients, written out in numpy."""

    def __init__(self, prob: Problem):
        self.lr = prob.lr
        self.p = [a.copy() for a in prob.params0]

    def prepare(self, X, Y):
        return X, Y

    def grads(self, batch):
        X, Y = batch
        Ws, Bs = self.p[0::2], self.p[1::2]
        L = len(Ws)
        inputs = [X]  # the input of each layer: X, O1, O2, ...
        h = X
        for i in range(L):
            N = h @ Ws[i]  # N = X·W
            P = N + Bs[i]  # P = N + B
            if i < L - 1:
                h = _np_sigmoid(P)  # O = σ(P)
                inputs.append(h)
        dP = (2.0 / P.size) * (P - Y)  # L = mean((P − Y)²): dL/dP = 2(P − Y)/n
        g = [None] * (2 * L)
        for i in reversed(range(L)):
            g[2 * i] = inputs[i].T @ dP  # dL/dW = Xᵀ·dL/dN  (dL/dN = dL/dP)
            g[2 * i + 1] = dP.sum(axis=0)  # dL/dB = Σ_rows dL/dP
            if i:
                dO = dP @ Ws[i].T  # dL/dO = dL/dP·Wᵀ
                O = inputs[i]
                dP = dO * O * (1.0 - O)  # dL/dN = dL/dO ⊙ σ(N)(1 − σ(N))
        return g

    def step(self, batch):
        lr = self.lr
        for p, g in zip(self.p, self.grads(batch)):
            p -= lr * g

    def params(self):
        return self.p


# --------------------------------------------------------------------------- minigrad


class MinigradMLP:
    """minigrad with tensors and ops, as a user writes it without minigrad.nn."""

    def __init__(self, prob: Problem):
        import minigrad as mg

        self.mg = mg
        self.lr = prob.lr
        self.layers = prob.layers
        self.p = [mg.tensor(a, requires_grad=True) for a in prob.params0]

    def prepare(self, X, Y):
        return self.mg.Tensor(X), self.mg.Tensor(Y)

    def _loss(self, batch):
        mg = self.mg
        X, Y = batch
        h = X
        L = self.layers
        for i in range(L):
            h = mg.add_bias(mg.matmul(h, self.p[2 * i]), self.p[2 * i + 1])
            if i < L - 1:
                h = mg.sigmoid(h)
        return mg.mse(h, Y)

    def step(self, batch):
        self._loss(batch).backward()
        lr = self.lr
        with self.mg.no_grad():
            for p in self.p:
                p -= lr * p.grad
                p.grad = None

    def grads(self, batch):
        self._loss(batch).backward()
        out = [p.grad.numpy().copy() for p in self.p]
        for p in self.p:
            p.grad = None
        return out

    def params(self):
        return [p.numpy() for p in self.p]


class MinigradNNMLP:
    """minigrad with nn.Sequential, nn.MSELoss and optim.SGD."""

    def __init__(self, prob: Problem):
        import minigrad as mg

        nn, optim = fw.load_minigrad_nn()
        self.mg = mg
        layers = []
        for i in range(prob.layers):
            lin = nn.Linear(prob.sizes[i], prob.sizes[i + 1], dtype=prob.dtype, rng=0)
            lin.weight.data = prob.params0[2 * i].copy()
            lin.bias.data = prob.params0[2 * i + 1].copy()
            layers.append(lin)
            if i < prob.layers - 1:
                layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)
        self.loss_fn = nn.MSELoss()
        self.opt = optim.SGD(self.model.parameters(), lr=prob.lr)

    def prepare(self, X, Y):
        return self.mg.Tensor(X), self.mg.Tensor(Y)

    def step(self, batch):
        X, Y = batch
        self.opt.zero_grad()
        self.loss_fn(self.model(X), Y).backward()
        self.opt.step()

    def grads(self, batch):
        X, Y = batch
        self.opt.zero_grad()
        self.loss_fn(self.model(X), Y).backward()
        out = [p.grad.numpy().copy() for p in self.model.parameters()]
        self.opt.zero_grad()
        return out

    def params(self):
        return [p.numpy() for p in self.model.parameters()]


class _Compiled:
    """A minigrad contender (``inner_class``) with its step and its gradients under
    ``minigrad.compile``. The first call of each compiled function for a batch shape
    records; later calls replay the recorded numpy calls."""

    inner_class: type

    def __init__(self, prob: Problem):
        compile_ = fw.load_minigrad_compile()
        self.inner = self.inner_class(prob)
        self.prepare = self.inner.prepare
        self.step = compile_(self.inner.step)
        self._grads = compile_(self._grad_tensors)

    def _grad_tensors(self, batch):
        """The gradient Tensors (their values are read outside the compiled function)."""
        raise NotImplementedError

    def grads(self, batch):
        return [g.numpy().copy() for g in self._grads(batch)]

    def params(self):
        return self.inner.params()


class MinigradCompiledMLP(_Compiled):
    """:class:`MinigradMLP` under ``minigrad.compile``."""

    inner_class = MinigradMLP

    def _grad_tensors(self, batch):
        inner = self.inner
        inner._loss(batch).backward()
        out = [p.grad for p in inner.p]
        for p in inner.p:
            p.grad = None
        return out


class MinigradNNCompiledMLP(_Compiled):
    """:class:`MinigradNNMLP` (zero_grad, loss, backward and ``opt.step()``) under
    ``minigrad.compile``."""

    inner_class = MinigradNNMLP

    def _grad_tensors(self, batch):
        inner = self.inner
        X, Y = batch
        inner.opt.zero_grad()
        inner.loss_fn(inner.model(X), Y).backward()
        out = [p.grad for p in inner.model.parameters()]
        inner.opt.zero_grad()
        return out


# --------------------------------------------------------------------------- PyTorch


class TorchMLP:
    """PyTorch eager, tensors and functional ops, the same update as minigrad's."""

    def __init__(self, prob: Problem):
        torch = fw.load_torch()
        self.torch = torch
        self.F = torch.nn.functional
        self.lr = prob.lr
        self.layers = prob.layers
        self.p = [torch.tensor(a, requires_grad=True) for a in prob.params0]

    def prepare(self, X, Y):
        return self.torch.from_numpy(X), self.torch.from_numpy(Y)

    def _loss(self, batch):
        X, Y = batch
        h = X
        L = self.layers
        for i in range(L):
            h = h @ self.p[2 * i] + self.p[2 * i + 1]
            if i < L - 1:
                h = self.torch.sigmoid(h)
        return self.F.mse_loss(h, Y)

    def step(self, batch):
        self._loss(batch).backward()
        lr = self.lr
        with self.torch.no_grad():
            for p in self.p:
                p -= lr * p.grad
                p.grad = None

    def grads(self, batch):
        self._loss(batch).backward()
        out = [p.grad.numpy().copy() for p in self.p]
        for p in self.p:
            p.grad = None
        return out

    def params(self):
        return [p.detach().numpy() for p in self.p]


# --------------------------------------------------------------------------- HIPS autograd


class AutogradMLP:
    """HIPS autograd: ``grad`` of a loss written in autograd.numpy."""

    def __init__(self, prob: Problem):
        ag, anp = fw.load_autograd()
        layers = prob.layers

        def loss(params, X, Y):
            h = X
            for i in range(layers):
                h = anp.dot(h, params[2 * i]) + params[2 * i + 1]
                if i < layers - 1:
                    h = 1.0 / (1.0 + anp.exp(-h))
            return anp.mean((h - Y) ** 2)

        self._grad = ag.grad(loss)
        self.lr = prob.lr
        self.p = [a.copy() for a in prob.params0]

    def prepare(self, X, Y):
        return X, Y

    def step(self, batch):
        lr = self.lr
        for p, g in zip(self.p, self._grad(self.p, *batch)):
            p -= lr * g

    def grads(self, batch):
        return [np.asarray(g) for g in self._grad(self.p, *batch)]

    def params(self):
        return self.p


# --------------------------------------------------------------------------- JAX


class JaxMLP:
    """JAX: the whole step (forward, grad, update) under one ``jax.jit``."""

    def __init__(self, prob: Problem):
        jax, jnp = fw.load_jax()
        self.jax = jax
        self.jnp = jnp
        layers = prob.layers
        lr = prob.lr

        def loss(params, X, Y):
            h = X
            for i in range(layers):
                h = h @ params[2 * i] + params[2 * i + 1]
                if i < layers - 1:
                    h = jax.nn.sigmoid(h)
            return jnp.mean((h - Y) ** 2)

        def step(params, X, Y):
            gs = jax.grad(loss)(params, X, Y)
            return [p - lr * g for p, g in zip(params, gs)]

        self._grad = jax.jit(jax.grad(loss))
        self._step = jax.jit(step)
        self.p = [jnp.asarray(a) for a in prob.params0]

    def prepare(self, X, Y):
        return self.jnp.asarray(X), self.jnp.asarray(Y)

    def step(self, batch):
        self.p = self._step(self.p, *batch)
        self.jax.block_until_ready(self.p)

    def grads(self, batch):
        return [np.asarray(g) for g in self._grad(self.p, *batch)]

    def params(self):
        return [np.asarray(p) for p in self.p]


FACTORIES = {
    fw.NUMPY: NumpyMLP,
    fw.MINIGRAD: MinigradMLP,
    fw.MINIGRAD_NN: MinigradNNMLP,
    fw.MINIGRAD_COMPILED: MinigradCompiledMLP,
    fw.MINIGRAD_NN_COMPILED: MinigradNNCompiledMLP,
    fw.TORCH: TorchMLP,
    fw.AUTOGRAD: AutogradMLP,
    fw.JAX: JaxMLP,
}


def make(prob: Problem, notes: list[str], only=None) -> dict:
    """A fresh instance of every available contender, starting from ``prob.params0``."""
    names = [n for n in FACTORIES if only is None or n in only]
    return fw.build({n: (lambda n=n: FACTORIES[n](prob)) for n in names}, notes)


# --------------------------------------------------------------------------- workloads


def _epoch(model, X, Y, rng, batch: int):
    """One pass over the rows in a fresh random order, ``batch`` rows at a time."""
    perm = rng.permutation(len(X))
    for s in range(0, len(X), batch):
        idx = perm[s : s + batch]
        model.step(model.prepare(X[idx], Y[idx]))


def check_step(name: str, prob: Problem, notes: list[str], check_close, only=None) -> tuple:
    """Gradients at the initial parameters, then parameters after one step, against numpy.

    Returns the contenders (already stepped once: the check doubles as a warm-up) and
    their batches. Each contender gets its own copy of the data, so that one framework
    marking an array read-only (minigrad does, for arrays saved for backward) cannot
    affect another. ``only``: the contenders to build (numpy, the reference, among
    them); all by default."""
    models = make(prob, notes, only=only)
    ref = models[fw.NUMPY]
    batches = {n: m.prepare(prob.X.copy(), prob.Y.copy()) for n, m in models.items()}
    ref_grads = ref.grads(batches[fw.NUMPY])
    for n, m in models.items():
        check_close(name, n, "gradients at the initial parameters", m.grads(batches[n]),
                    ref_grads)
    for m_name, m in models.items():
        m.step(batches[m_name])
    ref_params = [p.copy() for p in ref.params()]
    for n, m in models.items():
        check_close(name, n, "parameters after one step", m.params(), ref_params)
    return models, batches


def step_callables(models: dict, batches: dict) -> dict:
    return {n: (lambda m=m, b=batches[n]: m.step(b)) for n, m in models.items()}


def check_epoch(name: str, prob: Problem, notes: list[str], check_close, seed: int,
                batch: int, only=None) -> dict:
    """Parameters after one shuffled epoch, against numpy; returns the contenders."""
    models = make(prob, notes, only=only)
    for m in models.values():
        _epoch(m, prob.X, prob.Y, np.random.RandomState(seed), batch)
    ref_params = [p.copy() for p in models[fw.NUMPY].params()]
    for n, m in models.items():
        check_close(name, n, "parameters after one epoch", m.params(), ref_params)
    return models


def epoch_callables(models: dict, prob: Problem, seed: int, batch: int) -> dict:
    out = {}
    for n, m in models.items():
        rng = np.random.RandomState(seed + 1)
        out[n] = lambda m=m, rng=rng: _epoch(m, prob.X, prob.Y, rng, batch)
    return out
