"""Rows: losses."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ops
from minigrad.testing import arrays

from .reduce import np_log_softmax
from .row import BIG, MIXED, X0, X1, Bad, Edge, Op, T, pair


@st.composite
def ce_inputs(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    logits = draw(arrays(shape=(n, c)))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return logits, labels


def np_cross_entropy(x, y):
    return -np.mean(np_log_softmax(x, 1)[np.arange(len(y)), y])


ROWS = [
    Op("mse_mean", mg.mse, lambda p, t: np.mean((p - t) ** 2), pair(), op="mse", cls=ops.MSE,
       zero_d=(X0, X1),
       bad=(Bad("shapes", lambda: mg.mse(np.ones((4, 1)), np.ones(4)), ValueError,
                ("mse", "(4, 1)", "(4,)")),
            Bad("reduction", lambda: mg.mse(np.ones(4), np.ones(4), reduction="max"),
                ValueError, ("mse", "reduction")),
            Bad("empty", lambda: mg.mse(np.ones(0), np.ones(0)), ValueError,
                ("mse", "(0,)", "empty")),
            Bad("str_target", lambda: mg.mse(T(), "ab"), TypeError, ("mse", "str"))),
       edges=(Edge("big", (BIG, MIXED), float32=True),)),
    Op("mse_sum", lambda p, t: mg.mse(p, t, reduction="sum"),
       lambda p, t: np.sum((p - t) ** 2), pair(), op="mse", cls=ops.MSE, zero_d=(X0, X1),
       empty=(np.ones(0), np.ones(0)), edges=(Edge("big", (BIG, -BIG)),)),
    Op("cross_entropy", mg.cross_entropy, np_cross_entropy, ce_inputs(), cls=ops.CrossEntropy,
       zero_d=(np.array([[0.3, 0.1]]), np.array([1])),
       bad=(Bad("labels", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 3]), ValueError,
                ("cross_entropy", "[0, 3)")),
            Bad("label_shape", lambda: mg.cross_entropy(np.ones((2, 3)), [0, 1, 2]),
                ValueError, ("cross_entropy", "(2,)", "(3,)")),
            Bad("float_labels", lambda: mg.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
                TypeError, ("cross_entropy", "float64")),
            Bad("empty", lambda: mg.cross_entropy(np.ones((0, 3)), np.zeros(0, dtype=int)),
                ValueError, ("cross_entropy", "(0, 3)", "empty"))),
       edges=(Edge("mixed", (MIXED, np.array([0, 1])), float32=True),
              Edge("worst", (BIG, np.array([2, 0])), float32=True))),
]


# --------------------------------------------------------------------------- PyTorch's losses

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
GAP = 0.05  # how far a difference stays from a kink
NO_PARAMS = st.just(())


def np_reduce(loss, reduction):
    if reduction == "none":
        return loss
    return np.sum(loss) if reduction == "sum" else np.mean(loss)


@st.composite
def differences(draw, kinks=lambda params: (), params=NO_PARAMS):
    """(input, target, reduction, *params) with every |input − target| at least GAP away
    from the kinks (a function of the params)."""
    extra = draw(params)
    x = draw(arrays())
    d = draw(arrays(shape=x.shape))
    for k in kinks(extra):
        a = np.abs(d)
        d = np.where(np.abs(a - k) < GAP, np.where(d < 0, -1.0, 1.0) * (k + GAP), d)
    return (x, np.asarray(x - d), draw(REDUCTIONS)) + tuple(extra)


def np_huber(x, t, r, delta):
    a = np.abs(x - t)
    return np_reduce(np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)), r)


def np_smooth_l1(x, t, r, beta):
    a = np.abs(x - t)
    if beta == 0:
        return np_reduce(a, r)
    return np_reduce(np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta), r)


def _weights(draw, shape):
    """None, or positive weights along the last dimension, as a list (a constant)."""
    if not shape or not draw(st.booleans()):
        return None
    return draw(st.lists(st.floats(0.1, 2.0), min_size=shape[-1], max_size=shape[-1]))


@st.composite
def bce_inputs(draw, logits=False):
    x = draw(arrays() if logits else arrays(min_value=0.02, max_value=0.98))
    t = draw(arrays(shape=x.shape, min_value=0.0, max_value=1.0))
    extra = (_weights(draw, x.shape),) + ((_weights(draw, x.shape),) if logits else ())
    return (x, t) + extra + (draw(REDUCTIONS),)


def _opt(w):
    return None if w is None else np.array(w)


def bce(x, t, w, r):
    return ops.binary_cross_entropy(x, t, _opt(w), r)


def np_bce(x, t, w, r):
    loss = -(t * np.log(x) + (1 - t) * np.log1p(-x))
    return np_reduce(loss if w is None else loss * np.array(w), r)


def bce_logits(x, t, w, pw, r):
    return ops.binary_cross_entropy_with_logits(x, t, _opt(w), r, _opt(pw))


def np_bce_logits(x, t, w, pw, r):
    lw = 1 if pw is None else 1 + (np.array(pw) - 1) * t
    loss = (1 - t) * x + lw * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
    return np_reduce(loss if w is None else loss * np.array(w), r)


@st.composite
def kl_inputs(draw):
    log_target = draw(st.booleans())
    x = draw(arrays(min_value=-3.0, max_value=1.0))
    t = draw(arrays(shape=x.shape, min_value=-3.0 if log_target else 0.05, max_value=1.0))
    return x, t, draw(st.sampled_from(["mean", "sum", "none", "batchmean"])), log_target


def np_kl(x, t, r, log_target):
    loss = np.exp(t) * (t - x) if log_target else t * (np.log(t) - x)
    if r == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return np_reduce(loss, r)


@st.composite
def class_inputs(draw, probs=False):
    """(input, target, weight, reduction, ...): input (C,), (N, C) or (N, C, d); integer
    targets with some ignored (-100) but never all, or probabilities."""
    c = draw(st.integers(1, 4))
    lead = draw(st.sampled_from([(), (draw(st.integers(1, 3)),),
                                 (draw(st.integers(1, 2)), draw(st.integers(1, 2)))]))
    shape = lead[:1] + (c,) + lead[1:]
    x = draw(arrays(shape=shape))
    if probs:
        target = draw(arrays(shape=shape, min_value=0.0, max_value=1.0))
    else:
        n = int(np.prod(lead, dtype=int))
        labels = draw(st.lists(st.integers(0, c - 1) | st.just(-100), min_size=n, max_size=n))
        target = np.array(labels, dtype=np.int64).reshape(lead)
        target.flat[0] = draw(st.integers(0, c - 1))  # one label left for the mean
    w = draw(st.one_of(st.none(), st.lists(st.floats(0.1, 2.0), min_size=c, max_size=c)))
    return x, target, w, draw(REDUCTIONS)


def _class_first(a, x):
    return np.moveaxis(a, min(1, x.ndim - 1), -1)


def np_class_loss(logp, target, w, r, smoothing=0.0):
    """PyTorch's weighted, smoothed negative log-likelihood, in plain numpy."""
    lp = _class_first(logp, logp)  # classes last
    c = lp.shape[-1]
    w = np.ones(c) if w is None else np.array(w)
    if target.dtype.kind == "f":
        p = _class_first(target, logp) * (1 - smoothing) + smoothing / c
        loss = -(p * w * lp).sum(-1)
        return np_reduce(loss, r)
    keep = target != -100
    safe = np.where(keep, target, 0)
    wy = w[safe] * keep
    nll = -np.take_along_axis(lp, safe[..., None], -1)[..., 0] * wy
    smooth = -(lp * w).sum(-1) * keep
    if r == "none":
        return (1 - smoothing) * nll + smoothing / c * smooth
    total = (1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()
    return total / wy.sum() if r == "mean" else total


def nll(x, y, w, r):
    return ops.nll_loss(x, y, _opt(w), reduction=r)


def np_nll(x, y, w, r):
    return np_class_loss(x, y, w, r)


@st.composite
def ce_option_inputs(draw, probs=False):
    return draw(class_inputs(probs)) + (draw(st.sampled_from([0.0, 0.1, 0.5])),)


def ce_options(x, y, w, r, smoothing):
    return ops.cross_entropy(x, y, _opt(w), reduction=r, label_smoothing=smoothing)


def np_ce_options(x, y, w, r, smoothing):
    return np_class_loss(np_log_softmax(x, min(1, x.ndim - 1)), y, w, r, smoothing)


Y2 = np.array([0, 2])
P01 = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.7]])
BCE_ENDS = np.array([[0.0, 1e-300, 0.5], [1.0, 1 - 1e-16, 0.999]])
BCE_T = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])

ROWS += [
    Op("mse_loss", ops.mse_loss, lambda x, t, r: np_reduce((x - t) ** 2, r), differences(),
       cls=ops.MSE, zero_d=(X0, X1, "none"), empty=(np.ones(0), np.ones(0), "none"),
       bad=(Bad("shapes", lambda: ops.mse_loss(T((2, 3)), np.ones(3)), ValueError,
                ("mse", "(2, 3)", "(3,)")),
            Bad("reduction", lambda: ops.mse_loss(T(), np.ones((2, 3)), "avg"), ValueError,
                ("mse", "reduction", "'avg'"))),
       edges=(Edge("big", (BIG, MIXED, "none"), float32=True),)),
    Op("l1_loss", ops.l1_loss, lambda x, t, r: np_reduce(np.abs(x - t), r),
       differences(lambda p: (0.0,)), cls=ops.L1Loss, zero_d=(X0, X1, "mean"),
       empty=(np.ones(0), np.ones(0), "sum"),
       bad=(Bad("shapes", lambda: ops.l1_loss(T((2, 3)), np.ones((3, 2))), ValueError,
                ("l1_loss", "(2, 3)", "(3, 2)")),
            Bad("empty", lambda: ops.l1_loss(np.ones((2, 0)), np.ones((2, 0))), ValueError,
                ("l1_loss", "(2, 0)", "empty"))),
       edges=(Edge("big", (BIG, MIXED, "mean"), float32=True),)),
    Op("huber_loss", ops.huber_loss, np_huber,
       differences(lambda p: p, st.sampled_from([0.5, 1.0, 2.0]).map(lambda d: (d,))),
       cls=ops.HuberLoss, zero_d=(X0, X1, "sum", 1.0), empty=(np.ones(0), np.ones(0), "none", 1.0),
       bad=(Bad("delta", lambda: ops.huber_loss(T(), np.ones((2, 3)), delta=0.0), ValueError,
                ("huber_loss", "delta", "0.0")),),
       edges=(Edge("big", (BIG, MIXED, "mean", 1.0), float32=True),)),
    Op("smooth_l1_loss", ops.smooth_l1_loss, np_smooth_l1,
       differences(lambda p: (0.0,) + p, st.sampled_from([0.0, 0.5, 1.0]).map(lambda b: (b,))),
       cls=ops.SmoothL1Loss, zero_d=(X0, X1, "mean", 1.0),
       empty=(np.ones(0), np.ones(0), "none", 0.5),
       bad=(Bad("beta", lambda: ops.smooth_l1_loss(T(), np.ones((2, 3)), beta=-1.0), ValueError,
                ("smooth_l1_loss", "beta", "-1.0")),),
       edges=(Edge("big", (BIG, MIXED, "sum", 0.5), float32=True),)),
    Op("binary_cross_entropy", bce, np_bce, bce_inputs(), cls=ops.BinaryCrossEntropy,
       zero_d=(np.array(0.3), np.array(0.6), None, "mean"),
       empty=(np.ones((0, 2)) / 2, np.ones((0, 2)), [1.0, 2.0], "none"),
       bad=(Bad("range", lambda: bce(np.array([0.5, 1.5]), np.ones(2), None, "mean"),
                ValueError, ("binary_cross_entropy", "[0, 1]", "1.5", "(2,)")),
            Bad("weight", lambda: bce(T() / 2, np.ones((2, 3)), [1.0, 2.0], "mean"),
                ValueError, ("binary_cross_entropy", "weight", "(2,)", "(2, 3)"))),
       edges=(Edge("ends", (BCE_ENDS, BCE_T, None, "sum"), float32=True),
              Edge("ends_weighted", (BCE_ENDS, BCE_T, [1.0, 0.5, 2.0], "mean"), float32=True))),
    Op("binary_cross_entropy_with_logits", bce_logits, np_bce_logits, bce_inputs(logits=True),
       cls=ops.BinaryCrossEntropyWithLogits, zero_d=(X0, np.array(0.4), None, None, "mean"),
       empty=(np.ones((0, 2)), np.ones((0, 2)), None, [1.0, 3.0], "none"),
       bad=(Bad("pos_weight", lambda: bce_logits(T(), np.ones((2, 3)), None, [1.0, 2.0], "sum"),
                ValueError, ("binary_cross_entropy_with_logits", "pos_weight", "(2,)",
                             "(2, 3)")),
            Bad("shapes", lambda: bce_logits(T(), np.ones(3), None, None, "sum"), ValueError,
                ("binary_cross_entropy_with_logits", "(2, 3)", "(3,)"))),
       edges=(Edge("big", (BIG, BCE_T, None, None, "mean"), float32=True),
              Edge("big_weighted", (BIG, BCE_T, [1.0, 2.0, 0.5], [3.0, 0.5, 1.0], "sum"),
                   float32=True))),
    Op("kl_div", ops.kl_div, np_kl, kl_inputs(), cls=ops.KLDiv,
       zero_d=(X0, np.array(0.4), "batchmean", False),
       empty=(np.ones((2, 0)), np.ones((2, 0)), "batchmean", False),
       bad=(Bad("reduction", lambda: ops.kl_div(T(), np.ones((2, 3)), "avg"), ValueError,
                ("kl_div", "reduction", "batchmean")),
            Bad("batchmean_empty", lambda: ops.kl_div(np.ones((0, 2)), np.ones((0, 2)),
                                                      "batchmean"),
                ValueError, ("kl_div", "(0, 2)", "empty"))),
       edges=(Edge("zero_target", (BIG, P01, "batchmean", False), const=(1,), float32=True),
              Edge("log_target", (BIG, -BIG / 2, "sum", True)),
              Edge("log_target_overflow", (BIG, BIG, "sum", True),
                   error=("forward", ("kl_div", "overflow", "log_target"))))),
    Op("nll_loss", nll, np_nll, class_inputs(), cls=ops.NLLLoss,
       zero_d=(np.array([0.3, -0.2]), np.array(1), None, "none"),
       empty=(np.ones((0, 3)), np.zeros(0, dtype=np.int64), None, "sum"),
       bad=(Bad("labels", lambda: nll(T(), np.array([0, 3]), None, "mean"), ValueError,
                ("nll_loss", "[0, 3)", "3")),
            Bad("weight", lambda: nll(T(), np.array([0, 1]), [1.0, 1.0], "mean"), ValueError,
                ("nll_loss", "weight", "(3,)", "(2,)")),
            Bad("all_ignored", lambda: nll(T(), np.array([-100, -100]), None, "mean"),
                ValueError, ("nll_loss", "mean over zero elements", "ignore_index", "(2, 3)")),
            Bad("float_labels", lambda: nll(T(), np.array([0.0, 1.0]), None, "mean"), TypeError,
                ("nll_loss", "integer", "float64"))),
       edges=(Edge("big", (BIG, Y2, [1.0, 2.0, 0.5], "mean"), float32=True),)),
    Op("cross_entropy_options", ce_options, np_ce_options, ce_option_inputs(),
       op="cross_entropy", cls=ops.CrossEntropy,
       zero_d=(np.array([0.3, -0.2]), np.array(1), [1.0, 0.5], "mean", 0.2),
       empty=(np.ones((0, 3)), np.zeros(0, dtype=np.int64), None, "none", 0.1),
       bad=(Bad("smoothing", lambda: ce_options(T(), np.array([0, 1]), None, "mean", 1.5),
                ValueError, ("cross_entropy", "label_smoothing", "1.5")),
            Bad("all_ignored", lambda: ce_options(T(), np.array([-100, -100]), None, "mean", 0),
                ValueError, ("cross_entropy", "mean over zero elements", "(2, 3)")),
            Bad("0d", lambda: ce_options(X0, np.array(0), None, "mean", 0), ValueError,
                ("cross_entropy", "class dimension", "()"))),
       edges=(Edge("big", (BIG, Y2, [1.0, 2.0, 0.5], "sum", 0.3), float32=True),)),
    Op("cross_entropy_probs", ce_options, np_ce_options, ce_option_inputs(probs=True),
       op="cross_entropy", cls=ops.CrossEntropy,
       zero_d=(np.array([0.3, -0.2]), np.array([0.4, 0.6]), None, "mean", 0.0),
       empty=(np.ones((0, 3)), np.ones((0, 3)), None, "sum", 0.1),
       bad=(Bad("probs_shape", lambda: ce_options(T(), np.ones((2, 2)), None, "mean", 0.0),
                TypeError, ("cross_entropy", "(2, 3)", "(2, 2)")),),
       edges=(Edge("big", (BIG, P01, [1.0, 2.0, 0.5], "mean", 0.1), float32=True),)),
]
