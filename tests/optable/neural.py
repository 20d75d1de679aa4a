"""Rows: neural-network building blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from minigrad import ops
from minigrad.testing import arrays

from .row import BIG, EMPTY, MIXED, X0, Bad, Edge, Op, T

sides = st.integers(1, 3)


# --------------------------------------------------------------------------- linear


@st.composite
def linear_inputs(draw):
    n_in, n_out = draw(sides), draw(sides)
    batch = tuple(draw(st.lists(sides, max_size=2)))
    vec = draw(st.booleans())
    w = draw(arrays(shape=(n_in,) if vec else (n_out, n_in)))
    b = draw(st.one_of(st.none(), arrays(shape=w.shape[:-1])))
    return draw(arrays(shape=batch + (n_in,))), w, b


def np_linear(x, w, b):
    y = x @ w.T
    return y if b is None else y + b


# --------------------------------------------------------------------------- dropout


def np_dropout(x, p, seed):
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return x * keep / (1 - p) if p < 1 else x * 0


@st.composite
def dropout_inputs(draw):
    return (draw(arrays()), draw(st.sampled_from([0.2, 0.5, 0.8, 1.0])),
            draw(st.integers(0, 2**16)))


# --------------------------------------------------------------------------- normalization


def np_normalize(x, axes, eps=1e-5):
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


@st.composite
def layer_norm_inputs(draw):
    x = draw(arrays(shape=st.lists(sides, min_size=1, max_size=3).map(tuple)))
    ns = x.shape[x.ndim - draw(st.integers(1, x.ndim)):]
    w = draw(st.one_of(st.none(), arrays(shape=ns)))
    b = draw(st.one_of(st.none(), arrays(shape=ns)))
    return x, ns, w, b


def np_layer_norm(x, ns, w, b):
    y = np_normalize(x, tuple(range(x.ndim - len(ns), x.ndim)))
    y = y if w is None else y * w
    return y if b is None else y + b


@st.composite
def batch_norm_inputs(draw, training):
    n, c = draw(st.integers(2 if training else 1, 3)), draw(sides)
    x = draw(arrays(shape=(n, c) + tuple(draw(st.lists(sides, max_size=2)))))
    w = draw(st.one_of(st.none(), arrays(shape=(c,))))
    b = draw(st.one_of(st.none(), arrays(shape=(c,))))
    if training:
        return x, w, b
    # running statistics as lists: constants, not inputs that get a gradient
    mean = draw(st.lists(st.floats(-2, 2), min_size=c, max_size=c))
    var = draw(st.lists(st.floats(0.1, 3), min_size=c, max_size=c))
    return x, w, b, mean, var


def _channel(a, x):
    return np.asarray(a).reshape((-1,) + (1,) * (x.ndim - 2))


def np_batch_norm(x, w, b, mean=None, var=None):
    if mean is None:
        y = np_normalize(x, (0,) + tuple(range(2, x.ndim)))
    else:
        y = (x - _channel(mean, x)) / np.sqrt(_channel(var, x) + 1e-5)
    y = y if w is None else y * _channel(w, x)
    return y if b is None else y + _channel(b, x)


def bn_train(x, w, b):
    c = x.shape[1]
    return ops.batch_norm(x, np.zeros(c), np.ones(c), w, b, training=True)


def bn_eval(x, w, b, mean, var):
    return ops.batch_norm(x, np.array(mean), np.array(var), w, b)


# --------------------------------------------------------------------------- embeddings


@st.composite
def embedding_inputs(draw):
    v, d = draw(st.integers(1, 4)), draw(sides)
    shape = tuple(draw(st.lists(sides, max_size=2)))
    idx = np.array(draw(st.lists(st.integers(0, v - 1), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape)))), dtype=np.int64)
    return idx.reshape(shape), draw(arrays(shape=(v, d)))


@st.composite
def one_hot_inputs(draw):
    shape = tuple(draw(st.lists(sides, max_size=2)))
    idx = np.array(draw(st.lists(st.integers(0, 4), min_size=int(np.prod(shape)),
                                 max_size=int(np.prod(shape)))), dtype=np.int64)
    idx = idx.reshape(shape)
    return idx, draw(st.sampled_from([-1, int(idx.max()) + 1 + draw(st.integers(0, 2))]))


def np_one_hot(idx, num_classes):
    c = idx.max() + 1 if num_classes == -1 else num_classes
    return np.eye(c, dtype=np.int64)[idx]


# --------------------------------------------------------------------------- attention


@st.composite
def attention_inputs(draw):
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    L, S, E, Ev = draw(sides), draw(sides), draw(sides), draw(sides)
    q, k, v = (draw(arrays(shape=batch + s)) for s in ((L, E), (S, E), (S, Ev)))
    kind = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    mask = None
    if kind == "bool":
        mask = np.array(draw(st.lists(st.booleans(), min_size=L * S, max_size=L * S)),
                        dtype=bool).reshape(L, S)
    elif kind == "float":
        mask = draw(arrays(shape=(L, S)))
    return q, k, v, mask, kind == "causal"


def np_attention(q, k, v, mask, causal):
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        mask = np.tril(np.ones(s.shape[-2:], dtype=bool))
    if mask is not None and mask.dtype == bool:
        s = np.where(mask, s, -np.inf)
    elif mask is not None:
        s = s + mask
    alive = np.isfinite(s).any(axis=-1, keepdims=True)
    s = np.where(alive, s, 0.0)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True) * alive) @ v


def attention(q, k, v, mask, causal):
    return ops.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)


I2 = np.array([[0, 1], [1, 1]])

ROWS = [
    Op("linear", ops.linear, np_linear, linear_inputs(), cls=ops.Linear,
       zero_d=(np.array([0.5]), np.array([0.3]), np.array(0.2)),
       empty=(np.ones((0, 3)), np.ones((2, 3)), np.ones(2)),
       bad=(Bad("shapes", lambda: ops.linear(T((4, 3)), np.ones((2, 4))), ValueError,
                ("linear", "(4, 3)", "(2, 4)", "weight")),
            Bad("bias", lambda: ops.linear(T((4, 3)), np.ones((2, 3)), np.ones(3)), ValueError,
                ("linear", "bias", "(3,)", "(2,)"))),
       edges=(Edge("big", (BIG, MIXED, np.array([1e3, -1e3])), float32=True),)),
    Op("dropout", lambda x, p, seed: ops.dropout(x, p, rng=seed), np_dropout, dropout_inputs(),
       cls=ops.Dropout, zero_d=(X0, 0.5, 3), empty=(EMPTY, 0.5, 0),
       bad=(Bad("p", lambda: ops.dropout(T(), 1.5), ValueError, ("dropout", "p", "1.5")),
            Bad("rng", lambda: ops.dropout(T(), 0.5, rng="a"), TypeError, ("dropout", "rng"))),
       edges=(Edge("big", (MIXED, 0.5, 1), float32=True),)),
    Op("dropout_eval", lambda x, p: ops.dropout(x, p, training=False),
       lambda x, p: x, st.tuples(arrays(), st.sampled_from([0.0, 0.5])), op="dropout",
       zero_d=(X0, 0.5), empty=(EMPTY, 0.3)),
    Op("layer_norm", ops.layer_norm, np_layer_norm, layer_norm_inputs(), cls=ops.LayerNorm,
       zero_d=(np.array([0.7]), (1,), None, None), empty=(np.ones((0, 3)), (3,), None, None),
       tol=1e-10,
       bad=(Bad("shape", lambda: ops.layer_norm(T((2, 3)), (2,)), ValueError,
                ("layer_norm", "normalized_shape", "(2,)", "(2, 3)")),
            Bad("weight", lambda: ops.layer_norm(T((2, 3)), 3, np.ones(2)), ValueError,
                ("layer_norm", "weight", "(2,)", "(3,)"))),
       edges=(Edge("big", (BIG, (3,), MIXED[0], MIXED[1]), float32=True),
              Edge("constant", (np.full((2, 3), 1e3), (2, 3), None, None), float32=True))),
    Op("batch_norm_train", bn_train, np_batch_norm, batch_norm_inputs(True), op="batch_norm",
       cls=ops.BatchNorm, tol=1e-10, zero_d=(np.array([[0.7], [0.2]]), None, None),
       bad=(Bad("one_value", lambda: bn_train(T((1, 3)), None, None), ValueError,
                ("batch_norm", "more than 1 value per channel", "(1, 3)")),
            Bad("weight", lambda: bn_train(T((2, 3)), np.ones(2), None), ValueError,
                ("batch_norm", "weight", "(2,)", "(3,)")),
            Bad("momentum", lambda: ops.batch_norm(T(), None, None, training=True,
                                                   momentum=None),
                TypeError, ("batch_norm", "momentum", "None"))),
       edges=(Edge("big", (BIG.T, MIXED[0, :2], MIXED[1, :2]), float32=True),)),
    Op("batch_norm_eval", bn_eval, np_batch_norm, batch_norm_inputs(False), op="batch_norm",
       cls=ops.BatchNorm, tol=1e-10, zero_d=(np.array([[0.7]]), None, None, [0.1], [0.5]),
       empty=(np.ones((0, 2)), None, None, [0.0, 0.0], [1.0, 1.0]),
       bad=(Bad("no_stats", lambda: ops.batch_norm(T((2, 3)), None, None), ValueError,
                ("batch_norm", "running_mean", "training=False")),
            Bad("stats_shape", lambda: ops.batch_norm(T((2, 3)), np.ones(2), np.ones(3)),
                ValueError, ("batch_norm", "running_mean", "(2,)", "(3,)"))),
       edges=(Edge("big", (BIG, MIXED[0], MIXED[1], [1e3, 0.0, -1e3], [0.0, 1e3, 1e-300]),
                   float32=True),)),
    Op("embedding", ops.embedding, lambda i, w: w[i], embedding_inputs(), cls=ops.Embedding,
       zero_d=(np.array(1), np.array([[0.1, 0.2], [0.3, 0.4]])),
       empty=(np.zeros(0, dtype=np.int64), np.ones((2, 3))),
       bad=(Bad("range", lambda: ops.embedding(np.array([0, 3]), T((3, 2))), IndexError,
                ("embedding", "[0, 3)", "(3, 2)")),
            Bad("float_indices", lambda: ops.embedding(np.array([0.0]), T((3, 2))), TypeError,
                ("embedding", "integers", "float64")),
            Bad("weight", lambda: ops.embedding(np.array([0]), T((3,))), ValueError,
                ("embedding", "weight", "2-D", "(3,)")),
            Bad("padding_idx", lambda: ops.embedding(np.array([0]), T((3, 2)), padding_idx=3),
                ValueError, ("embedding", "padding_idx", "(3, 2)"))),
       edges=(Edge("repeats", (I2, BIG), float32=True),)),
    Op("one_hot", ops.one_hot, np_one_hot, one_hot_inputs(), grad=False,
       zero_d=(np.array(2), 4), empty=(np.zeros((0,), dtype=np.int64), 3),
       bad=(Bad("negative", lambda: ops.one_hot(np.array([-1, 2])), ValueError,
                ("one_hot", "[0, 3)", "-1")),
            Bad("classes", lambda: ops.one_hot(np.array([0, 2]), 2), ValueError,
                ("one_hot", "[0, 2)", "(2,)")),
            Bad("float", lambda: ops.one_hot(np.array([0.0])), TypeError,
                ("one_hot", "integer", "float64")),
            Bad("empty", lambda: ops.one_hot(np.zeros(0, dtype=int)), ValueError,
                ("one_hot", "num_classes", "(0,)"))),
       ),
    Op("scaled_dot_product_attention", attention, np_attention, attention_inputs(),
       cls=ops.Matmul, tol=1e-10,
       zero_d=(np.array([[0.3]]), np.array([[0.5]]), np.array([[0.7]]), None, False),
       empty=(np.ones((0, 2)), np.ones((3, 2)), np.ones((3, 1)), None, False),
       bad=(Bad("shapes", lambda: attention(T((2, 3)), T((4, 2)), T((4, 1)), None, False),
                ValueError, ("scaled_dot_product_attention", "(2, 3)", "(4, 2)", "(4, 1)")),
            Bad("causal_and_mask", lambda: attention(T(), T(), T(), np.ones((2, 2), bool),
                                                     True),
                ValueError, ("scaled_dot_product_attention", "attn_mask", "is_causal")),
            Bad("mask_shape", lambda: attention(T(), T(), T(), np.ones((3, 3), bool), False),
                ValueError, ("scaled_dot_product_attention", "attn_mask", "(3, 3)", "(2, 2)"))),
       edges=(Edge("big", (BIG, MIXED, BIG, None, False), float32=True),
              Edge("causal", (BIG, BIG, MIXED, None, True), float32=True),
              Edge("masked_row", (BIG, MIXED, BIG, np.array([[True, False], [False, False]]),
                                  False), float32=True))),
]
