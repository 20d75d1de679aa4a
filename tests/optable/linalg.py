"""Rows: products."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays, matmul_pairs, shapes

from .row import BIG, MIXED, X0, X1, Bad, Edge, Op


@st.composite
def add_bias_inputs(draw):
    b, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    bias_shape = draw(st.sampled_from([(k,), (1, k)]))
    return draw(arrays(shape=(b, k))), draw(arrays(shape=bias_shape))


@st.composite
def vector_matmul_inputs(draw):
    """matmul with a 1-D operand on one side or both, numpy's vector rules."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    kind = draw(st.sampled_from(["vv", "vm", "mv"]))
    if kind == "vv":
        return draw(arrays(shape=(n,))), draw(arrays(shape=(n,)))
    if kind == "vm":
        return draw(arrays(shape=(n,))), draw(arrays(shape=batch + (n, m)))
    return draw(arrays(shape=batch + (m, n))), draw(arrays(shape=(n,)))


ROWS = [
    Op("matmul", lambda a, b: a @ b, np.matmul, matmul_pairs(), cls=ops.Matmul,
       numpy=np.matmul, zero_d=(np.ones((1, 1)) * 0.5, np.ones((1, 1)) * 2.0),
       empty=(np.ones((0, 2)), np.ones((2, 3))),
       bad=(Bad("inner", lambda: mg.matmul(np.ones((3, 4)), np.ones((5, 2))), ValueError,
                ("matmul", "(3, 4)", "(5, 2)")),
            Bad("batch", lambda: mg.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 2))), ValueError,
                ("matmul", "(2,)", "(3,)")),
            Bad("scalar", lambda: mg.matmul(np.ones(()), np.ones(3)), ValueError,
                ("matmul", "()", "(3,)")),
            Bad("str", lambda: mg.matmul(np.ones((2, 2)), "ab"), TypeError,
                ("matmul", "input 1", "str", "ndarray (2, 2) float64"))),
       edges=(Edge("big", (BIG, BIG.T), float32=True),)),
    Op("matmul_vector", lambda a, b: a @ b, np.matmul, vector_matmul_inputs(), op="matmul",
       cls=ops.Matmul, zero_d=(np.ones(1) * 0.5, np.ones(1) * 2.0),
       bad=(Bad("vector", lambda: mg.matmul(np.ones(3), np.ones((4, 2))), ValueError,
                ("matmul", "(3,)", "(4, 2)")),)),
    Op("add_bias", mg.add_bias, np.add, add_bias_inputs(), cls=ops.AddBias,
       zero_d=(np.ones((1, 1)) * 0.5, np.ones(1) * 2.0),
       bad=(Bad("bias", lambda: mg.add_bias(np.ones((4, 3)), np.ones(4)), ValueError,
                ("add_bias", "(4,)", "(3,)", "(1, 3)")),
            Bad("column", lambda: mg.add_bias(np.ones((4, 3)), np.ones((4, 1))), ValueError,
                ("add_bias", "(4, 1)")),
            Bad("1d", lambda: mg.add_bias(np.ones(3), np.ones(3)), ValueError,
                ("add_bias", "(3,)"))),
       edges=(Edge("big", (BIG, np.array([1e3, -1e3, 1e-300]))),)),
]


# --------------------------------------------------------------------------- dot, inner, tensordot


@st.composite
def dot_inputs(draw):
    """numpy.dot's cases: a scalar on either side, vectors, matrices, N-D with 1-D or N-D."""
    side = st.integers(1, 4)
    kind = draw(st.sampled_from(["scalar_a", "scalar_b", "vv", "mm", "nd_v", "nd_nd"]))
    if kind.startswith("scalar"):
        s, o = draw(shapes(max_dims=2)), ()
        sa, sb = (o, s) if kind == "scalar_a" else (s, o)
    else:
        k = draw(side)
        lead_a = () if kind in ("vv", "mm") else tuple(draw(st.lists(side, max_size=2)))
        lead_a += (draw(side),) if kind == "mm" else ()
        sa = lead_a + (k,)
        if kind in ("vv", "nd_v"):
            sb = (k,)
        else:
            lead_b = tuple(draw(st.lists(st.integers(1, 3), max_size=1 if kind == "nd_nd" else 0)))
            sb = lead_b + (k, draw(side))
    return draw(arrays(shape=sa)), draw(arrays(shape=sb))


@st.composite
def inner_inputs(draw):
    if draw(st.booleans()):
        k = draw(st.integers(1, 4))
        lead = st.lists(st.integers(1, 3), max_size=2).map(tuple)
        return draw(arrays(shape=draw(lead) + (k,))), draw(arrays(shape=draw(lead) + (k,)))
    s = draw(shapes(max_dims=2))
    pair = (draw(arrays(shape=s)), draw(arrays(shape=())))
    return pair if draw(st.booleans()) else pair[::-1]


@st.composite
def outer_inputs(draw):
    return draw(arrays(shape=shapes(max_dims=2))), draw(arrays(shape=shapes(max_dims=2)))


@st.composite
def tensordot_inputs(draw):
    """(a, b, axes): an int (a's last axes with b's first) or a pair of axis lists."""
    side = st.integers(1, 3)
    sa = tuple(draw(st.lists(side, min_size=0, max_size=3)))
    if draw(st.booleans()):
        n = draw(st.integers(0, len(sa)))
        sb = sa[len(sa) - n:] + tuple(draw(st.lists(side, max_size=3 - n)))
        return draw(arrays(shape=sa)), draw(arrays(shape=sb)), n
    ax_a = draw(st.permutations(range(len(sa))))[:draw(st.integers(0, len(sa)))]
    free_b = tuple(draw(st.lists(side, max_size=2)))
    sb = list(free_b)
    ax_b = []
    for i in ax_a:  # b's axis for each of a's, at a random place, maybe negative
        pos = draw(st.integers(0, len(sb)))
        sb.insert(pos, sa[i])
        ax_b = [j + (j >= pos) for j in ax_b] + [pos]
    ax_a = [i - len(sa) if draw(st.booleans()) else i for i in ax_a]
    return draw(arrays(shape=sa)), draw(arrays(shape=tuple(sb))), (list(ax_a), ax_b)


# --------------------------------------------------------------------------- einsum


@st.composite
def einsum_inputs(draw):
    """Random subscripts numpy accepts: 1-3 operands over the labels a-d, repeated labels
    in an operand, labels summed away, size-1 dimensions that broadcast, '...' (with
    fewer dimensions in some operands), explicit or implicit output."""
    letters = "abdC"
    sizes = {c: draw(st.integers(1, 3)) for c in letters}
    ell = tuple(draw(st.lists(st.integers(1, 3), max_size=2))) if draw(st.booleans()) else None
    terms, arrs = [], []
    for _ in range(draw(st.integers(1, 3))):
        labels = draw(st.lists(st.sampled_from(letters), max_size=3))
        shape = [1 if labels.count(c) == 1 and draw(st.integers(0, 4)) == 0 else sizes[c]
                 for c in labels]
        term = "".join(labels)
        if ell is not None:
            e = draw(st.integers(0, len(ell)))
            eshape = [1 if draw(st.integers(0, 3)) == 0 else n for n in ell[len(ell) - e:]]
            pos = draw(st.integers(0, len(labels)))
            term = term[:pos] + "..." + term[pos:]
            shape = shape[:pos] + eshape + shape[pos:]
        terms.append(term)
        arrs.append(draw(arrays(shape=tuple(shape))))
    subscripts = ",".join(terms)
    if draw(st.booleans()):
        used = sorted(set("".join(terms).replace(".", "")))
        out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
        if ell is not None:
            pos = draw(st.integers(0, len(out)))
            out = out[:pos] + "..." + out[pos:]
        subscripts += "->" + out
    return (subscripts, *arrs)


def _sublist(a, b):
    return a, [0, 1], b, [1, 27], [27, 0]


# --------------------------------------------------------------------------- inv, det, solve


@st.composite
def square_matrices(draw, max_side=4):
    """Batches of well-conditioned square matrices: a diagonal of ±1 plus entries below
    0.5/n in size, so each is strictly diagonally dominant by a margin of 0.5 (|det|
    and the entries of A⁻¹ stay near 1, far from singular), with determinants of
    either sign."""
    n = draw(st.integers(1, max_side))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    m = draw(arrays(shape=batch + (n, n), min_value=-0.5 / n, max_value=0.5 / n))
    count = int(np.prod(batch + (n,)))
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=count,
                                   max_size=count))).reshape(batch + (n,))
    return m + signs[..., None] * np.eye(n)


@st.composite
def solve_inputs(draw):
    a = draw(square_matrices())
    n, batch = a.shape[-1], a.shape[:-2]
    if draw(st.booleans()):
        return a, draw(arrays(shape=(n,)))
    bb = batch[len(batch) - draw(st.integers(0, len(batch))):]  # b may lack a's batch dims
    bb = tuple(1 if draw(st.integers(0, 3)) == 0 else k for k in bb)
    return a, draw(arrays(shape=bb + (n, draw(st.integers(1, 3)))))


def _sign(a):
    return ops.slogdet(a)[0]


def _logabsdet(a):
    return ops.slogdet(a)[1]


BIG_SQUARE = np.array([[1e3, -1.0, 500.0], [2.0, -1e3, 0.5], [-1.0, 3.0, 1e3]])
TINY_SQUARE = np.array([[1e-300, 0.0], [0.0, 2e-300]])
SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
M11 = np.array([[2.0]])

ROWS += [
    Op("dot", ops.dot, np.dot, dot_inputs(), cls=ops.Dot, numpy=np.dot, zero_d=(X0, X1),
       empty=(np.ones((0, 3)), np.ones((3, 2))),
       bad=(Bad("aligned", lambda: ops.dot(np.ones((2, 3)), np.ones((2, 3))), ValueError,
                ("dot", "(2, 3)", "aligned", "last axis")),
            Bad("vector", lambda: ops.dot(np.ones((2, 3)), np.ones(4)), ValueError,
                ("dot", "(2, 3)", "(4,)"))),
       edges=(Edge("big", (BIG, BIG.T), float32=True),)),
    Op("outer", ops.outer, np.outer, outer_inputs(), cls=ops.Outer, numpy=np.outer,
       zero_d=(X0, X1), empty=(np.ones(0), np.ones(3)),
       bad=(Bad("str", lambda: ops.outer(np.ones(2), "ab"), TypeError,
                ("outer", "input 1", "str")),),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("inner", ops.inner, np.inner, inner_inputs(), cls=ops.Inner, numpy=np.inner,
       zero_d=(X0, X1), empty=(np.ones((0, 3)), np.ones((2, 3))),
       bad=(Bad("last_axes", lambda: ops.inner(np.ones((2, 3)), np.ones((2, 4))), ValueError,
                ("inner", "(2, 3)", "(2, 4)", "last axes")),),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("tensordot", ops.tensordot, np.tensordot, tensordot_inputs(), cls=ops.Tensordot,
       numpy=np.tensordot, zero_d=(X0, X1, 0), empty=(np.ones((0, 3)), np.ones((3, 2)), 1),
       bad=(Bad("length", lambda: ops.tensordot(np.ones((2, 3)), np.ones((2, 3)), 1),
                ValueError, ("tensordot", "axis 1 of a", "(2, 3)", "axis 0 of b")),
            Bad("too_many", lambda: ops.tensordot(np.ones((2, 3)), np.ones((3,)), 2),
                ValueError, ("tensordot", "axes=2", "(2, 3)", "(3,)")),
            Bad("pair", lambda: ops.tensordot(np.ones((2, 3)), np.ones((3, 2)), ([1], [0, 1])),
                ValueError, ("tensordot", "1 axes of a", "2 of b", "(2, 3)", "(3, 2)")),
            Bad("range", lambda: ops.tensordot(np.ones((2, 3)), np.ones((3,)), ([2], [0])),
                ValueError, ("tensordot", "axis 2", "(2, 3)", "out of range", "axes of a"))),
       edges=(Edge("big", (BIG, BIG, 2), float32=True),)),
    Op("einsum", ops.einsum, np.einsum, einsum_inputs(), cls=ops.Einsum, numpy=np.einsum,
       zero_d=(",->", X0, X1), empty=("ij,jk->ik", np.ones((0, 2)), np.ones((2, 3))),
       bad=(Bad("operands", lambda: ops.einsum("ij,jk", np.ones((2, 3))), ValueError,
                ("einsum", "2 operand(s)", "1 were given", "(2, 3)")),
            Bad("size", lambda: ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 2))),
                ValueError, ("einsum", "label 'j'", "size 3 in operand 0", "4 in operand 1",
                             "(2, 3), (4, 2)")),
            Bad("dims", lambda: ops.einsum("ijk", np.ones((2, 3))), ValueError,
                ("einsum", "operand 0", "2 dimensions", "'ijk'", "(2, 3)")),
            Bad("output", lambda: ops.einsum("ij->ik", np.ones((2, 3))), ValueError,
                ("einsum", "output label 'k'", "no operand")),
            Bad("ellipsis", lambda: ops.einsum("...ij->ij", np.ones((4, 2, 3))), ValueError,
                ("einsum", "'...'", "(4, 2, 3)")),
            Bad("diagonal", lambda: ops.einsum("ii", np.ones((2, 3))), ValueError,
                ("einsum", "label 'i'", "sizes 2 and 3", "(2, 3)")),
            Bad("label", lambda: ops.einsum("i1", np.ones((2, 3))), ValueError,
                ("einsum", "'i1'", "letters")),
            Bad("sublist", lambda: ops.einsum(np.ones(2), ["a"]), TypeError,
                ("einsum", "sublist", "['a']"))),
       edges=(Edge("big", ("ij,jk->ik", BIG, BIG.T), float32=True),
              Edge("trace", ("ii", MIXED[:, :2]), float32=True),
              Edge("diagonal", ("...ii->...i", np.stack([BIG[:, :2], MIXED[:, :2]])),
                   float32=True))),
    Op("einsum_sublist", lambda a, b: ops.einsum(*_sublist(a, b)),
       lambda a, b: np.einsum(*_sublist(a, b)),
       matmul_pairs(batch=False).map(lambda p: (p[0], p[1])), op="einsum", cls=ops.Einsum,
       numpy=lambda a, b: np.einsum(*_sublist(a, b)), zero_d=(M11, M11)),
    Op("inv", ops.inv, np.linalg.inv, square_matrices().map(lambda a: (a,)), cls=ops.Inv,
       numpy=np.linalg.inv, zero_d=(M11,), empty=(np.ones((0, 2, 2)),),
       bad=(Bad("singular", lambda: ops.inv(SINGULAR), np.linalg.LinAlgError,
                ("inv", "(2, 2)", "singular")),
            Bad("batch", lambda: ops.inv(np.stack([np.eye(2), SINGULAR])),
                np.linalg.LinAlgError, ("inv", "(2, 2, 2)", "singular", "batch index (1,)")),
            Bad("square", lambda: ops.inv(np.ones((2, 3))), ValueError,
                ("inv", "square", "(2, 3)"))),
       edges=(Edge("big", (BIG_SQUARE,), float32=True),
              Edge("tiny", (TINY_SQUARE,), ("backward", ("backward of 'inv'", "overflow",
                                                          "(2, 2) float64"))))),
    Op("det", ops.det, np.linalg.det, square_matrices().map(lambda a: (a,)), cls=ops.Det,
       numpy=np.linalg.det, zero_d=(M11,), empty=(np.ones((0, 2, 2)),),
       bad=(Bad("square", lambda: ops.det(np.ones(3)), ValueError, ("det", "square", "(3,)")),
            Bad("overflow", lambda: ops.det(1e3 * np.eye(120)), FloatingPointError,
                ("det", "overflow", "(120, 120)", "slogdet"))),
       edges=(Edge("big", (BIG_SQUARE,), float32=True),
              Edge("singular", (SINGULAR,), float32=True),
              Edge("tiny", (TINY_SQUARE,)))),  # det underflows to 0: the cofactor gradient
    Op("slogdet", _logabsdet, lambda a: np.linalg.slogdet(a)[1],
       square_matrices().map(lambda a: (a,)), cls=ops.Slogdet,
       numpy=lambda a: np.linalg.slogdet(a)[1], zero_d=(M11,), empty=(np.ones((0, 2, 2)),),
       bad=(Bad("square", lambda: ops.slogdet(np.ones((2, 3))), ValueError,
                ("slogdet", "square", "(2, 3)")),
            Bad("singular", lambda: ops.slogdet(SINGULAR), FloatingPointError,
                ("slogdet", "divide by zero", "singular"))),
       edges=(Edge("big", (BIG_SQUARE,), float32=True), Edge("tiny", (TINY_SQUARE,)))),
    Op("slogdet_sign", _sign, lambda a: np.linalg.slogdet(a)[0],
       square_matrices().map(lambda a: (a,)), op="slogdet", grad=False, smooth=False,
       float32=False, zero_d=(M11,)),
    Op("solve", ops.solve, np.linalg.solve, solve_inputs(), cls=ops.Solve,
       numpy=np.linalg.solve, zero_d=(M11, np.array([3.0])),
       empty=(np.ones((0, 2, 2)), np.ones(2)),
       bad=(Bad("fit", lambda: ops.solve(np.eye(2), np.ones((3, 2))), ValueError,
                ("solve", "(2, 2)", "(3, 2)", "do not fit")),
            Bad("singular", lambda: ops.solve(SINGULAR, np.ones(2)), np.linalg.LinAlgError,
                ("solve", "(2, 2)", "singular"))),
       edges=(Edge("big", (BIG_SQUARE, np.array([1e3, -1e3, 1.0])), float32=True),
              Edge("tiny", (TINY_SQUARE, np.ones(2)),
                   ("backward", ("backward of 'solve'", "overflow"))))),
]
