"""Random op graphs, checked against finite differences.

Hypothesis draws a small program: leaves of random shapes, then a sequence of ops
whose operands are earlier nodes (so nodes are shared and reused), covering every
op in the op table with broadcasting, reductions, matmul and indexing. The values
come from a seeded numpy generator, so kinks (relu at 0) are never hit exactly.
The program's gradient with respect to every leaf is checked by ``gradcheck``.

Quick under the ``ci`` profile; for a long hunt:
``HYPOTHESIS_PROFILE=deep python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import gradcheck

UNARY = ["neg", "sigmoid", "tanh", "relu", "exp_tanh", "log_pos", "pow", "scalar",
         "sum", "mean", "reshape", "transpose", "broadcast_to", "index", "softmax",
         "log_softmax"]  # fmt: skip
BINARY = ["add", "sub", "mul", "div_pos", "matmul", "add_bias", "mse", "cross_entropy"]


def _positive(x):
    """A smooth, strictly positive function of x, for ops with poles or kinks at 0."""
    return x * x + 0.5


def _scalar_op(x, kind, c):
    if kind == "+":
        return x + c
    if kind == "r-":
        return c - x
    if kind == "*":
        return x * c
    if kind == "/":
        return x / c
    return c / _positive(x)


class Program:
    """A random op graph: ``run(*leaves)`` replays it on Tensors."""

    def __init__(self, draw):
        self.draw = draw
        self.shapes = []  # shape of every node, leaves first
        self.steps = []  # (op, operand indices, parameters)
        self.leaves = []
        for _ in range(draw(st.integers(1, 3))):
            self._leaf(tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))))
        for _ in range(draw(st.integers(1, 8))):
            self._step()

    def _leaf(self, shape):
        self.leaves.append(len(self.shapes))
        self.shapes.append(shape)
        self.steps.append(("leaf", (), shape))
        return len(self.shapes) - 1

    def _node(self, min_dims=0):
        choices = [i for i, s in enumerate(self.shapes) if len(s) >= min_dims]
        return self.draw(st.sampled_from(choices)) if choices else None

    def _add(self, op, args, params, shape):
        self.steps.append((op, args, params))
        self.shapes.append(shape)

    def _step(self):
        draw = self.draw
        op = draw(st.sampled_from(UNARY + BINARY))
        a = self._node()
        sa = self.shapes[a]
        if op in ("neg", "sigmoid", "tanh", "relu", "exp_tanh", "log_pos"):
            self._add(op, (a,), None, sa)
        elif op == "pow":
            self._add(op, (a,), draw(st.sampled_from([2, 3, 0.5, -1.5])), sa)
        elif op == "scalar":
            kind = draw(st.sampled_from(["+", "r-", "*", "/", "r/"]))
            self._add(op, (a,), (kind, draw(st.sampled_from([-2.0, 0.5, 3]))), sa)
        elif op in ("sum", "mean"):
            axis = draw(st.one_of(st.none(), st.integers(-len(sa), len(sa) - 1))) if sa else None
            keep = draw(st.booleans())
            shape = np.sum(np.zeros(sa), axis=axis, keepdims=keep).shape
            self._add(op, (a,), (axis, keep), shape)
        elif op == "reshape":
            target = draw(st.sampled_from([(-1,), sa[::-1] or (1,)]))
            self._add(op, (a,), target, np.zeros(sa).reshape(target).shape)
        elif op == "transpose":
            perm = tuple(draw(st.permutations(range(len(sa)))))
            self._add(op, (a,), perm, tuple(sa[i] for i in perm))
        elif op == "broadcast_to":
            target = (draw(st.integers(1, 3)),) + sa
            self._add(op, (a,), target, target)
        elif op == "index":
            a = self._node(min_dims=1)
            sa = self.shapes[a]
            idx = np.array(draw(st.lists(st.integers(0, sa[0] - 1), min_size=1, max_size=4)))
            self._add(op, (a,), idx, (len(idx),) + sa[1:])
        elif op in ("softmax", "log_softmax"):
            a = self._node(min_dims=1)
            sa = self.shapes[a]
            self._add(op, (a,), draw(st.integers(-len(sa), len(sa) - 1)), sa)
        elif op in ("add", "sub", "mul", "div_pos"):
            b = self._compatible(sa)
            self._add(op, (a, b), None, np.broadcast_shapes(sa, self.shapes[b]))
        elif op == "matmul":
            a = self._node(min_dims=2)
            if a is None:
                return
            k = self.shapes[a][-1]
            b = self._leaf((k, draw(st.integers(1, 3))))
            self._add(op, (a, b), None, self.shapes[a][:-1] + self.shapes[b][-1:])
        elif op == "add_bias":
            rows = [i for i, s in enumerate(self.shapes) if len(s) == 2]
            if not rows:
                return
            a = draw(st.sampled_from(rows))
            b = self._leaf(draw(st.sampled_from([(self.shapes[a][1],), (1, self.shapes[a][1])])))
            self._add(op, (a, b), None, self.shapes[a])
        elif op == "mse":
            same = [i for i, s in enumerate(self.shapes) if s == sa]
            b = draw(st.sampled_from(same))
            self._add(op, (a, b), draw(st.sampled_from(["mean", "sum"])), ())
        elif op == "cross_entropy":
            rows = [i for i, s in enumerate(self.shapes) if len(s) == 2]
            if not rows:
                return
            a = draw(st.sampled_from(rows))
            n, c = self.shapes[a]
            labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
            self._add(op, (a,), labels, ())

    def _compatible(self, shape):
        """An earlier node whose shape broadcasts with ``shape`` (a new leaf if none)."""
        ok = []
        for i, s in enumerate(self.shapes):
            try:
                np.broadcast_shapes(shape, s)
                ok.append(i)
            except ValueError:
                pass
        if ok and self.draw(st.booleans()):
            return self.draw(st.sampled_from(ok))
        trailing = tuple(self.draw(st.sampled_from([1, n])) for n in shape[1:])
        return self._leaf(trailing)

    def run(self, *leaves):
        nodes = []
        it = iter(leaves)
        for op, args, p in self.steps:
            v = [nodes[i] for i in args]
            if op == "leaf":
                out = next(it)
            elif op == "neg":
                out = -v[0]
            elif op == "sigmoid":
                out = mg.sigmoid(v[0])
            elif op == "tanh":
                out = mg.tanh(v[0])
            elif op == "relu":
                out = mg.relu(v[0])
            elif op == "exp_tanh":
                out = mg.exp(mg.tanh(v[0]))
            elif op == "log_pos":
                out = mg.log(_positive(v[0]))
            elif op == "pow":
                out = _positive(v[0]) ** p if isinstance(p, float) else v[0] ** p
            elif op == "scalar":
                out = _scalar_op(v[0], *p)
            elif op == "sum":
                out = mg.sum(v[0], axis=p[0], keepdims=p[1])
            elif op == "mean":
                out = mg.mean(v[0], axis=p[0], keepdims=p[1])
            elif op == "reshape":
                out = v[0].reshape(p)
            elif op == "transpose":
                out = v[0].transpose(p)
            elif op == "broadcast_to":
                out = mg.broadcast_to(v[0], p)
            elif op == "index":
                out = v[0][p]
            elif op == "softmax":
                out = mg.softmax(v[0], axis=p)
            elif op == "log_softmax":
                out = mg.log_softmax(v[0], axis=p)
            elif op == "add":
                out = v[0] + v[1]
            elif op == "sub":
                out = v[0] - v[1]
            elif op == "mul":
                out = v[0] * v[1]
            elif op == "div_pos":
                out = v[0] / _positive(v[1])
            elif op == "matmul":
                out = v[0] @ v[1]
            elif op == "add_bias":
                out = mg.add_bias(v[0], v[1])
            elif op == "mse":
                out = mg.mse(v[0], v[1], reduction=p)
            elif op == "cross_entropy":
                out = mg.cross_entropy(v[0], p)
            nodes.append(out)
        # every node feeds the output, so shared and dead-end nodes are all checked
        total = nodes[0].sum()
        for n in nodes[1:]:
            total = total + mg.tanh(n).sum()
        return total


@st.composite
def programs(draw):
    program = Program(draw)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    leaves = [rng.uniform(-1.5, 1.5, program.shapes[i]) for i in program.leaves]
    return program, leaves


@given(programs())
def test_random_graphs_match_finite_differences(case):
    program, leaves = case
    inputs = [mg.tensor(a, requires_grad=True) for a in leaves]
    assert gradcheck(program.run, *inputs, atol=1e-6, rtol=1e-5)


@given(programs())
def test_random_graphs_give_the_same_gradients_through_create_graph(case):
    """The first-order gradients from the array path and from the Tensor path
    (create_graph=True) agree."""
    program, leaves = case
    a = [mg.tensor(x, requires_grad=True) for x in leaves]
    b = [mg.tensor(x, requires_grad=True) for x in leaves]
    program.run(*a).backward()
    program.run(*b).backward(create_graph=True)
    for x, y in zip(a, b):
        assert (x.grad is None) == (y.grad is None)
        if x.grad is not None:
            np.testing.assert_allclose(x.grad.data, y.grad.data, rtol=1e-12, atol=1e-12)
