"""Random programs built from the op table, checked against finite differences.

Hypothesis draws a small program: a few steps, each an op drawn from the table with
arguments drawn from that op's own input strategy. Every floating-point argument is a
leaf of the program plus a small multiple of tanh of an earlier node's mean, so nodes
are shared and reused and gradients flow through chains of different ops, while each
op's arguments stay inside the domain its row draws from (the link moves a value by at
most 1e-3, less than any row's margin from a pole or a kink). The gradient of the whole
program with respect to every leaf is checked by ``gradcheck``, and the array path and
the Tensor path (``create_graph=True``) of backward must agree.

Quick under the ``ci`` profile; for a long hunt:
``HYPOTHESIS_PROFILE=deep python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing import gradcheck
from optable import OPS

FUZZ = [op for op in OPS if op.grad and op.gradcheck and op.fuzz]
LINK = 1e-3


class Program:
    """Steps of (row, args, links): ``links[i]`` is the earlier node fed into float
    argument ``i`` (or None); ``run(*leaves)`` replays it on Tensors."""

    def __init__(self, draw):
        self.steps = []
        self.leaves = []
        for k in range(draw(st.integers(1, 5))):
            row = draw(st.sampled_from(FUZZ))
            args = draw(row.inputs)
            links = []
            for a in args:
                if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                    self.leaves.append(a)
                    links.append(draw(st.one_of(st.none(), st.integers(0, k - 1))) if k else None)
            self.steps.append((row, args, links))

    def __repr__(self) -> str:
        parts = []
        for row, args, links in self.steps:
            shapes = ", ".join(str(np.shape(a)) if isinstance(a, np.ndarray) else repr(a)
                               for a in args)
            parts.append(f"{row.name}({shapes}) links {links}")
        return "Program(" + "; ".join(parts) + ")"

    def run(self, *leaves):
        it = iter(leaves)
        nodes = []
        for row, args, links in self.steps:
            call, links_left = [], iter(links)
            for a in args:
                if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                    x, link = next(it), next(links_left)
                    if link is not None and nodes[link].size:  # an empty node has no mean
                        x = x + LINK * mg.tanh(mg.mean(nodes[link]))
                    call.append(x)
                else:
                    call.append(a)
            nodes.append(row.fn(*call))
        # every node feeds the output, so shared and dead-end nodes are all checked
        total = mg.tanh(nodes[0]).sum()
        for n in nodes[1:]:
            total = total + mg.tanh(n).sum()
        return total


@st.composite
def programs(draw):
    return Program(draw)


def test_the_fuzzer_draws_every_differentiable_row_it_can():
    names = {op.name for op in FUZZ}
    assert {"add", "matmul", "getitem", "cross_entropy", "softmax"} <= names
    assert len(FUZZ) >= 0.8 * len([op for op in OPS if op.grad])


@given(programs())
def test_random_programs_match_finite_differences(program):
    inputs = [mg.tensor(a, requires_grad=True) for a in program.leaves]
    assert gradcheck(program.run, *inputs, atol=1e-6, rtol=1e-5)


@given(programs())
def test_random_programs_give_the_same_gradients_through_create_graph(program):
    """The first-order gradients from the array path and from the Tensor path
    (create_graph=True) agree."""
    a = [mg.tensor(x, requires_grad=True) for x in program.leaves]
    b = [mg.tensor(x, requires_grad=True) for x in program.leaves]
    program.run(*a).backward()
    program.run(*b).backward(create_graph=True)
    for x, y in zip(a, b):
        assert (x.grad is None) == (y.grad is None)
        if x.grad is not None:
            np.testing.assert_allclose(x.grad.data, y.grad.data, rtol=1e-12, atol=1e-12)


@given(programs())
def test_random_programs_replay_compiled_bit_for_bit(program):
    """A compiled program, recorded on the leaves and replayed on other values of the
    same shapes, gives eager execution's value and gradients bit for bit."""

    def step(*leaves):
        total = program.run(*leaves)
        total.backward()
        return total, [x.grad for x in leaves]

    def bits(result):
        total, grads = result
        return [(a.data.dtype.str, a.data.shape, a.data.tobytes())
                for a in (total, *grads) if a is not None]

    compiled = mg.compile(step)
    try:
        compiled(*[mg.tensor(a, requires_grad=True) for a in program.leaves])
    except mg.CompileError as e:
        # batch_norm's running statistics, given as plain arrays made inside the row, are
        # written in place: refused (see tests/test_compile_ops.py)
        assert "batch_norm_train" in {row.name for row, _, _ in program.steps}
        assert "writes traced values into an array made without them" in str(e)
        return
    moved = [np.nextafter(a, np.inf).astype(a.dtype) for a in program.leaves]
    eager = step(*[mg.tensor(a, requires_grad=True) for a in moved])
    replay = compiled(*[mg.tensor(a, requires_grad=True) for a in moved])
    assert bits(replay) == bits(eager)
    assert compiled.traces == 1 and compiled.fallbacks == 0
