"""Products of arrays and linear algebra.

Products: matmul (numpy's rules for vectors), the notes' add_bias, dot, outer, inner,
tensordot and einsum. dot, inner and tensordot are einsums under other names: each
works out its einsum subscripts, computes its value with numpy's own function, and
takes its gradient from einsum's rule, where the gradient for each operand is itself
an einsum of the output gradient with the other operands (so it can be differentiated
again).

Linear algebra, batched over leading dimensions as in numpy.linalg: inv, det, slogdet,
solve. numpy.linalg computes inv and solve with floating-point errors ignored; these
ops report an overflow there (or a NaN from finite input) as numpy's other functions
do, under the caller's ``np.errstate``. A singular matrix is a ``LinAlgError`` (a
ValueError) naming the op, the shape and, in a batch, the first singular matrix.
"""

from __future__ import annotations

import string
import warnings
from collections import Counter, namedtuple
from typing import Any, NoReturn

import numpy as np

from .. import _trace
from ..autograd import Function
from ..tensor import Tensor, _make
from ._base import implements, needs, one_axis, save_crossed
from .arithmetic import Add

__all__ = ["matmul", "add_bias", "dot", "outer", "inner", "tensordot", "einsum",
           "inv", "det", "slogdet", "solve"]


class Matmul(Function):
    """a @ b. A 1-D operand is a vector, as in numpy: a row on the left, a column on
    the right, its added axis removed from the result."""

    formula = "dL/d{0} = dL/d{y}·{1}ᵀ;  dL/d{1} = {0}ᵀ·dL/d{y}"
    __slots__ = ()
    vec = (False, False)  # whether a, b were vectors; set only when one was

    def forward(self, a, b):
        try:
            out = a @ b  # numpy refuses what does not fit (and 0-d operands)
        except ValueError:
            _matmul_error(a, b)
        if a.ndim == 1 or b.ndim == 1:
            self.vec = (a.ndim == 1, b.ndim == 1)
        save_crossed(self, a, b)
        return out

    def backward(self, g):
        a, b = self.saved
        va, vb = self.vec
        if not (va or vb):
            return (g @ b.mT if b is not None else None), (a.mT @ g if a is not None else None)
        # vectors as matrices: a as a row (1, n), b as a column (n, 1), and the gradient
        # with the axes the result lost put back
        if va and vb:
            gshape = (1, 1)
        elif va:
            gshape = g.shape[:-1] + (1,) + g.shape[-1:]
        else:
            gshape = g.shape + (1,)
        g2 = g.reshape(gshape)
        ga = gb = None
        if b is not None:  # dL/da needs b
            b2 = b.reshape(b.shape + (1,)) if vb else b
            ga = g2 @ b2.mT
            if va:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if a is not None:
            a2 = a.reshape((1,) + a.shape) if va else a
            gb = a2.mT @ g2
            if vb:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def _matmul_error(a, b) -> NoReturn:
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least 1 dimension, got a of shape {a.shape} and "
            f"b of shape {b.shape}; use mul for a product with a scalar"
        )
    n = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != n:
        raise ValueError(
            f"matmul: a of shape {a.shape} and b of shape {b.shape} do not fit: a has "
            f"{a.shape[-1]} columns but b has {n} rows"
        )
    raise ValueError(
        f"matmul: batch dimensions of a {a.shape[:-2]} and b {b.shape[:-2]} do not broadcast"
    )


@implements(np.matmul, np.linalg.matmul)
def matmul(a: Any, b: Any) -> Tensor:
    """a @ b under numpy's rules: matrices, batches of them (leading dims broadcast), and
    vectors (vector · matrix, matrix · vector, vector · vector). Finite unless a sum of
    products passes the dtype's largest value."""
    return Matmul.apply(a, b)


class AddBias(Add):
    """P = N + B: one bias per column, the same for every row."""

    name = "add_bias"
    formula = "dL/d{0} = dL/d{y};  dL/d{1} = Σ_rows dL/d{y}"
    __slots__ = ()

    def forward(self, n, b):
        if n.ndim != 2:
            raise ValueError(
                f"add_bias: n must be 2-D (batch, features), got shape {n.shape}"
            )
        k = n.shape[1]
        if b.shape != (k,) and b.shape != (1, k):
            raise ValueError(
                f"add_bias: bias has shape {b.shape}; for n of shape {n.shape} it must be "
                f"({k},) or (1, {k})"
            )
        return n + b


def add_bias(n: Any, b: Any) -> Tensor:
    """P = N + B with n of shape (batch, k) and b of shape (k,) or (1, k)."""
    return AddBias.apply(n, b)


# --------------------------------------------------------------------------- einsum

#: einsum's labels, in numpy's order (sublist integers 0-25 are 'A'-'Z', 26-51 'a'-'z')
_LABELS = string.ascii_uppercase + string.ascii_lowercase
#: backward einsums over more operands than two, or over arrays this large, let numpy
#: plan the contraction order (and use BLAS); smaller ones run numpy's plain loop
_OPTIMIZE_SIZE = 4096


def _einsum_error(op: str, subscripts: str, shapes, why: str) -> ValueError:
    shown = ", ".join(str(tuple(s)) for s in shapes) or "none"
    return ValueError(f"{op}: {why} (subscripts {subscripts!r}, operand shapes {shown})")


def _einsum_parse(subscripts: str, shapes, op: str = "einsum") -> tuple[list[str], str]:
    """numpy's einsum subscripts as explicit labels: one string per operand and one for
    the output, with '...' replaced by letters no operand uses (right-aligned, as
    numpy broadcasts them) and the implicit output (no '->') made explicit: the '...'
    dimensions, then the labels that appear once, in alphabetical order (capitals
    first)."""

    def fail(why):
        return _einsum_error(op, subscripts, shapes, why)

    s = subscripts.replace(" ", "")
    if s.count("->") > 1:
        raise fail("'->' appears more than once")
    explicit = "->" in s
    lhs, out = s.split("->") if explicit else (s, "")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise fail(f"the subscripts name {len(terms)} operand(s) but {len(shapes)} were given")
    for t in terms + [out]:
        if t.count("...") > 1 or "." in t.replace("...", "") or any(
                c not in _LABELS and c != "." for c in t):
            raise fail(f"bad term {t!r}: labels are letters, with at most one '...' per term")
    n_ell = 0
    ells = []
    for k, (t, shape) in enumerate(zip(terms, shapes)):
        n = len(t.replace("...", ""))
        e = len(shape) - n if "..." in t else 0
        if e < 0 or ("..." not in t and n != len(shape)):
            raise fail(f"operand {k} has {len(shape)} dimensions but its term {t!r} has "
                       f"{n} label(s)")
        ells.append(e)
        n_ell = max(n_ell, e)
    free = [c for c in _LABELS if c not in s]
    if n_ell > len(free):
        raise fail("too many dimensions under '...' for the letters left")
    ell = "".join(free[:n_ell])
    subs = [t.replace("...", ell[n_ell - e:]) for t, e in zip(terms, ells)]
    if explicit:
        if n_ell and "..." not in out:
            raise fail("the operands' '...' stands for dimensions the output has no '...' for")
        out = out.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise fail(f"output label {c!r} appears more than once")
            if not any(c in sub for sub in subs):
                raise fail(f"output label {c!r} appears in no operand")
    else:
        counts = Counter("".join(t.replace("...", "") for t in terms))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    # sizes: equal within an operand; across operands equal, or 1 (broadcast)
    seen: dict = {}
    for k, (sub, shape) in enumerate(zip(subs, shapes)):
        mine: dict = {}
        for c, n in zip(sub, shape):
            what = "a '...' dimension" if c in ell else f"label {c!r}"
            if mine.setdefault(c, n) != n:
                raise fail(f"{what} has sizes {mine[c]} and {n} within operand {k}")
            if n != 1:
                first = seen.setdefault(c, (n, k))
                if first[0] != n:
                    raise fail(f"{what} has size {first[0]} in operand {first[1]} but {n} "
                               f"in operand {k}")
    return subs, out


def _sublist_form(args) -> tuple[str, tuple]:
    """numpy's other einsum form, einsum(op0, sublist0, op1, sublist1, ..., [sublistout]),
    as a subscripts string and the operands."""
    args = list(args)
    out = args.pop() if len(args) % 2 else None

    def term(sub):
        try:
            items = list(sub)
        except TypeError:
            items = None
        if items is None or not all(
                i is Ellipsis or (isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                                  and 0 <= i < 52) for i in items):
            raise TypeError(
                "einsum: in the form einsum(op0, sublist0, op1, sublist1, ...) each sublist "
                f"holds integers 0-51 and Ellipsis, got {sub!r}"
            )
        return "".join("..." if i is Ellipsis else _LABELS[i] for i in items)

    subscripts = ",".join(term(s) for s in args[1::2])
    if out is not None:
        subscripts += "->" + term(out)
    return subscripts, tuple(args[0::2])


class Einsum(Function):
    """Einstein summation; also the gradient rule of dot, inner and tensordot."""

    formula = ("dL/d(each operand) = einsum of dL/d{y} with the other operands, onto that "
               "operand's labels (a repeated label: on the diagonal, a label only it has: "
               "broadcast)")
    __slots__ = ("subs", "out", "shapes", "optimize")

    def forward(self, *arrays, subscripts, optimize=False):
        subs, out = _einsum_parse(subscripts, [a.shape for a in arrays])
        self._record(subs, out, arrays, optimize)
        return np.einsum(",".join(subs) + "->" + out, *arrays, optimize=optimize)

    def _record(self, subs, out, arrays, optimize=False):
        """Keep the labels, and the operands the other operands' gradients need."""
        self.subs, self.out, self.optimize = subs, out, optimize
        self.shapes = tuple(a.shape for a in arrays)
        if self.parents is not None:
            need = [p.requires_grad for p in self.parents]
            self.save_for_backward(*(
                a if any(need[:j] + need[j + 1:]) else None for j, a in enumerate(arrays)))

    def backward(self, g):
        saved, subs = self.saved, self.subs
        grads = []
        for k, sk in enumerate(subs):
            if not needs(self, k):
                grads.append(None)
                continue
            shape = self.shapes[k]
            dtype = g.dtype
            terms = [(self.out, g)] + [(s, saved[j]) for j, s in enumerate(subs) if j != k]
            # a label repeated in operand k (a diagonal): each later place gets a fresh
            # label, tied to the first by an identity matrix
            fresh = iter(c for c in _LABELS if not any(c in s for s in subs + [self.out]))
            target = ""
            for pos, c in enumerate(sk):
                if c in target:
                    f = next(fresh)
                    terms.append((c + f, np.eye(shape[pos], dtype=dtype)))
                    target += f
                else:
                    target += c
            # a label only operand k has (or has at more than size 1) was summed away
            # (or broadcast): its gradient is broadcast back along it
            size: dict = {}
            for s, v in terms:
                for c, n in zip(s, v.shape):
                    size[c] = max(size.get(c, 1), n)
            for pos, c in enumerate(sk):
                if size.get(c, 0) < shape[pos]:
                    terms.append((c, np.ones(shape[pos], dtype=dtype)))
                    size[c] = shape[pos]
            spec = ",".join(s for s, _ in terms) + "->" + target
            optimize = self.optimize or len(terms) > 2 or \
                max(v.size for _, v in terms) >= _OPTIMIZE_SIZE
            grads.append(np.einsum(spec, *(v for _, v in terms), optimize=optimize))
        return tuple(grads)


@implements(np.einsum)
def einsum(subscripts: Any, *operands: Any, optimize: Any = False) -> Tensor:
    """Einstein summation, as ``numpy.einsum``: ``einsum('ij,jk->ik', a, b)`` is a @ b.

    Every form numpy accepts: explicit output (``->``) or implicit (the labels that
    appear once, alphabetically, after the '...' dimensions), '...' broadcasting (a
    size-1 dimension broadcasts, for labels too), repeated labels in one operand (a
    diagonal: ``'ii->i'``; a trace: ``'ii'``), labels summed away, any number of
    operands, and the form ``einsum(op0, sublist0, op1, sublist1, ..., [sublistout])``.
    ``optimize`` is numpy's (the contraction order; False: numpy's plain loop).

    The gradient for each operand is an einsum of the output gradient with the other
    operands onto that operand's labels: a repeated label puts it on the diagonal
    (zero elsewhere), a label only that operand has (summed away) broadcasts it back,
    and a size-1 dimension that broadcast gets it summed. It is itself an einsum, so
    it can be differentiated again. Finite unless a sum of products passes the
    dtype's largest value.
    """
    if not isinstance(subscripts, str):
        subscripts, operands = _sublist_form((subscripts,) + operands)
    if not operands:
        raise ValueError(f"einsum: no operands given for subscripts {subscripts!r}")
    return Einsum.apply(*operands, subscripts=subscripts, optimize=optimize)


class Dot(Einsum):
    """numpy.dot: a product with a scalar; otherwise a sum over the last axis of a and
    the second-to-last of b (its only axis if b is 1-D)."""

    formula = ("dL/d{0} = dL/d{y}·{1}ᵀ;  dL/d{1} = {0}ᵀ·dL/d{y} "
               "(over the axes dot pairs: a's last, b's second to last)")
    __slots__ = ()

    def forward(self, a, b):
        an, bn = a.ndim, b.ndim
        la = _LABELS[:an]
        if an == 0 or bn == 0:
            lb = _LABELS[an:an + bn]
            out = la + lb
        else:
            m = b.shape[-2] if bn > 1 else b.shape[0]
            if a.shape[-1] != m:
                where = "b's second-to-last axis" if bn > 1 else "b's length"
                raise ValueError(
                    f"dot: shapes {a.shape} and {b.shape} are not aligned: a's last axis "
                    f"({a.shape[-1]}) must equal {where} ({m})"
                )
            rest = _LABELS[an:an + bn - 1]  # b's axes that are not summed
            lb = la[-1] if bn == 1 else rest[:-1] + la[-1] + rest[-1]
            out = la[:-1] + rest
        self._record((la, lb), out, (a, b))
        return np.dot(a, b)


@implements(np.dot)
def dot(a: Any, b: Any) -> Tensor:
    """numpy.dot: a·b for a scalar operand; the inner product of vectors; the matrix
    product of 2-D arrays; for N-D arrays a sum over the last axis of a and the
    second-to-last axis of b: dot(a, b)[i, j, k, m] = Σ a[i, j, :]·b[k, :, m].
    The gradients are those of the product (each operand's is the output gradient
    contracted with the other operand, as einsum's). Finite unless a sum of products
    passes the dtype's largest value."""
    return Dot.apply(a, b)


class Outer(Function):
    """numpy.outer: both inputs flattened, out[i, j] = a[i]·b[j]."""

    formula = "dL/d{0} = dL/d{y}·{1};  dL/d{1} = dL/d{y}ᵀ·{0} (each reshaped back)"
    __slots__ = ("shapes",)

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        save_crossed(self, a, b)
        return np.outer(a, b)

    def backward(self, g):
        a, b = self.saved
        sa, sb = self.shapes
        ga = (g @ b.reshape(-1)).reshape(sa) if b is not None else None
        gb = (a.reshape(-1) @ g).reshape(sb) if a is not None else None
        return ga, gb


@implements(np.outer)
def outer(a: Any, b: Any) -> Tensor:
    """numpy.outer: out[i, j] = a.ravel()[i]·b.ravel()[j] (inputs of any shape are
    flattened). Gradients: dL/da = (dL/dout · b) reshaped to a's shape, and likewise for
    b. Finite unless a product passes the dtype's largest value."""
    return Outer.apply(a, b)


class Inner(Einsum):
    """numpy.inner: a sum over the last axes of a and b."""

    formula = "dL/d{0} = dL/d{y}·{1};  dL/d{1} = dL/d{y}ᵀ·{0} (over the last axes)"
    __slots__ = ()

    def forward(self, a, b):
        an, bn = a.ndim, b.ndim
        la = _LABELS[:an]
        if an == 0 or bn == 0:
            lb = _LABELS[an:an + bn]
            out = la + lb
        else:
            if a.shape[-1] != b.shape[-1]:
                raise ValueError(
                    f"inner: shapes {a.shape} and {b.shape} do not fit: the last axes must "
                    f"have one length ({a.shape[-1]} != {b.shape[-1]})"
                )
            lb = _LABELS[an:an + bn - 1] + la[-1]
            out = la[:-1] + lb[:-1]
        self._record((la, lb), out, (a, b))
        return np.inner(a, b)


@implements(np.inner)
def inner(a: Any, b: Any) -> Tensor:
    """numpy.inner: a·b for a scalar operand; otherwise a sum over the last axes,
    inner(a, b)[i, j] = Σ a[i, :]·b[j, :], of shape a.shape[:-1] + b.shape[:-1].
    Gradients as einsum's. Finite unless a sum of products passes the dtype's largest
    value."""
    return Inner.apply(a, b)


def _axes_list(axes, shape, which: str) -> tuple:
    try:
        items = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    except TypeError:
        raise TypeError(f"tensordot: the axes of {which} must be an int or a sequence of "
                        f"ints, got {axes!r}") from None
    out = []
    for ax in items:
        try:
            k = one_axis(ax, shape, "tensordot")
        except ValueError as e:
            raise ValueError(f"{e} (in the axes of {which})") from None
        if k is None:
            raise ValueError(f"tensordot: {which} of shape {tuple(shape)} is 0-d and has no "
                             f"axis {ax} to sum over")
        out.append(k)
    return tuple(out)


class Tensordot(Einsum):
    """numpy.tensordot: a sum of products over pairs of axes, one of a, one of b."""

    formula = ("dL/d{0} = dL/d{y} contracted with {1} over b's free axes;  "
               "dL/d{1} = dL/d{y} contracted with {0} over a's free axes")
    __slots__ = ()

    def forward(self, a, b, axes=2):
        if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
            n = int(axes)
            if not 0 <= n <= min(a.ndim, b.ndim):
                raise ValueError(
                    f"tensordot: axes={n} sums over the last {n} axes of a and the first {n} "
                    f"of b, but a has shape {a.shape} and b has shape {b.shape}"
                )
            ax_a, ax_b = tuple(range(a.ndim - n, a.ndim)), tuple(range(n))
        else:
            try:
                pa, pb = axes
            except (TypeError, ValueError):
                raise TypeError(
                    "tensordot: axes must be an int or a pair (axes of a, axes of b), got "
                    f"{axes!r}"
                ) from None
            ax_a, ax_b = _axes_list(pa, a.shape, "a"), _axes_list(pb, b.shape, "b")
        if len(ax_a) != len(ax_b):
            raise ValueError(f"tensordot: {len(ax_a)} axes of a but {len(ax_b)} of b in "
                             f"axes={axes!r} (a of shape {a.shape}, b of shape {b.shape})")
        if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
            raise ValueError(f"tensordot: repeated axis in axes={axes!r} (a of shape "
                             f"{a.shape}, b of shape {b.shape})")
        la = _LABELS[:a.ndim]
        lb = list(_LABELS[a.ndim:a.ndim + b.ndim])
        for i, j in zip(ax_a, ax_b):
            if a.shape[i] != b.shape[j]:
                raise ValueError(
                    f"tensordot: axis {i} of a (shape {a.shape}) has length {a.shape[i]} but "
                    f"axis {j} of b (shape {b.shape}) has length {b.shape[j]}"
                )
            lb[j] = la[i]
        out = "".join(c for i, c in enumerate(la) if i not in ax_a) + \
            "".join(c for j, c in enumerate(lb) if j not in ax_b)
        self._record((la, "".join(lb)), out, (a, b))
        return np.tensordot(a, b, axes=(ax_a, ax_b))


@implements(np.tensordot, np.linalg.tensordot)
def tensordot(a: Any, b: Any, axes: Any = 2) -> Tensor:
    """numpy.tensordot: Σ a[..., i, j]·b[i, j, ...] over the last ``axes`` axes of a and
    the first ``axes`` of b (an int), or over the axes paired by ``axes = (axes of a,
    axes of b)`` (an int or a sequence each). The result has a's remaining axes, then
    b's. Gradients as einsum's. Finite unless a sum of products passes the dtype's
    largest value."""
    return Tensordot.apply(a, b, axes=axes)


# --------------------------------------------------------------------------- linear algebra

_FLOAT_FLAGS = {"over": ("overflow", 2), "invalid": ("invalid value", 8),
                "divide": ("divide by zero", 1)}


def _float_flag(kind: str, op: str) -> None:
    """Report a floating-point ``kind`` ("over", "invalid", "divide") in ``op`` as numpy
    does, under the caller's error state: raise, warn, call, or ignore it."""
    word, bit = _FLOAT_FLAGS[kind]
    text = f"{word} encountered in {op}"
    mode = np.geterr()[kind]
    if mode == "raise":
        raise FloatingPointError(text)
    if mode == "call":
        np.geterrcall()(word, bit)
    elif mode == "log":
        np.geterrcall().write(f"Warning: {text}\n")
    elif mode != "ignore":  # warn, print
        warnings.warn(text, RuntimeWarning, stacklevel=3)


def _checked(out: np.ndarray, op: str, *arrays) -> np.ndarray:
    """numpy.linalg's inv and solve compute with floating-point errors ignored: an
    infinity or NaN they make from finite input is reported here, as an overflow (or
    an invalid value) in ``op``."""
    if not np.isfinite(out).all() and all(np.isfinite(a).all() for a in arrays):
        _float_flag("invalid" if np.isnan(out).any() else "over", op)
    return out


def _square(a, op: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError(
            f"{op}: a must be a square matrix or a batch of them, shape (..., M, M); got "
            f"shape {a.shape}"
        )


def _singular(a, op: str, what: str) -> np.linalg.LinAlgError:
    """Error path only: ``a`` holds a singular matrix."""
    where = ""
    if a.ndim > 2:
        with np.errstate(all="ignore"):
            bad = np.argwhere(np.linalg.det(a) == 0)
        if len(bad):
            where = f" (the first at batch index {tuple(int(i) for i in bad[0])})"
    return np.linalg.LinAlgError(
        f"{op}: the matrix a of shape {a.shape} is singular{where}, so {what}"
    )


def _inv_array(a, op: str):
    try:
        return _checked(np.linalg.inv(a), op, a)
    except np.linalg.LinAlgError:
        raise _singular(a, op, "it has no inverse") from None


def _inverse(a, op: str):
    """A⁻¹ of an array or a Tensor (for backward formulas)."""
    return Inv.apply(a) if isinstance(a, Tensor) else _inv_array(a, op)


def _values(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else _trace.asarray(x)


class Inv(Function):
    formula = "dL/d{0} = −{y}ᵀ·dL/d{y}·{y}ᵀ"
    __slots__ = ()

    def forward(self, a):
        _square(a, "inv")
        y = _inv_array(a, "inv")
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        yt = y.mT
        return -(yt @ g @ yt)

    def limit(self, *arrays, **kwargs):
        return "A⁻¹ overflows when A is singular or nearly so (entries of A⁻¹ past the " \
               "dtype's largest value)"


@implements(np.linalg.inv)
def inv(a: Any) -> Tensor:
    """A⁻¹, for a square matrix or a batch of them (shape (..., M, M)), as
    numpy.linalg.inv. Gradient: dL/dA = −A⁻ᵀ·dL/dA⁻¹·A⁻ᵀ.

    A singular matrix raises ``LinAlgError`` (a ValueError) naming the op and the
    shape. Near-singular matrices give huge entries; where they pass the dtype's
    largest value (numpy.linalg itself ignores that) the overflow is reported under
    numpy's error state. The gradient, the square of A⁻¹ in size, overflows sooner
    (A = 1e-300·I: A⁻¹ = 1e300·I is finite, its gradient is not)."""
    return Inv.apply(a)


_COFACTOR_MAX = 8  # largest singular matrix whose det gradient is made from its minors


def _det_any(a):
    return Det.apply(a) if isinstance(a, Tensor) else _trace.asarray(np.linalg.det(a))


def _cofactors(a):
    """The cofactor matrix of a batch of square matrices (an array or a Tensor):
    C[i, j] = (−1)^(i+j)·det(A without row i and column j). It is det(A)·A⁻ᵀ where A
    is invertible, and finite where it is not."""
    n = a.shape[-1]
    if n > _COFACTOR_MAX:
        raise np.linalg.LinAlgError(
            f"det: the gradient at a singular matrix (a of shape {a.shape}) is made from "
            f"cofactors only up to {_COFACTOR_MAX}×{_COFACTOR_MAX}; use slogdet, or move "
            "off the singular point"
        )
    keep = _trace.array([[j for j in range(n) if j != i] for i in range(n)],
                    dtype=np.intp).reshape(n, n - 1)
    minors = a[..., keep[:, None, :, None], keep[None, :, None, :]]  # (..., n, n, n-1, n-1)
    i = np.arange(n)
    sign = (1 - 2 * ((i[:, None] + i[None, :]) % 2)).astype(a.dtype)
    return sign * _det_any(minors)


class Det(Function):
    formula = "dL/d{0} = dL/d{y}·{y}·{0}⁻ᵀ (the cofactor matrix of {0})"
    __slots__ = ()

    def forward(self, a):
        _square(a, "det")
        d = _trace.asarray(np.linalg.det(a))
        self.save_for_backward(a, d)
        return d

    def backward(self, g):
        a, d = self.saved
        if (_values(d) == 0).any():
            cof = _cofactors(a)
        else:
            cof = d[..., None, None] * _inverse(a, "det").mT
        return g[..., None, None] * cof

    def limit(self, *arrays, **kwargs):
        return "det(A) overflows when |det A| passes the dtype's largest value; " \
               "slogdet gives log|det A| without overflow"


@implements(np.linalg.det)
def det(a: Any) -> Tensor:
    """det A, for a square matrix or a batch of them (shape (..., M, M) gives shape
    (...)), as numpy.linalg.det (by LU factorization).

    Gradient: the cofactor matrix (adj(A)ᵀ), dL/dA = dL/d(det A)·det(A)·A⁻ᵀ; at a
    singular matrix (det exactly 0) it is computed from the minors instead, so it is
    the exact, finite derivative there too, as TensorFlow's adjugate rule gives
    (PyTorch's det approximates this case); matrices up to 8×8, larger singular ones
    raise LinAlgError.
    det overflows when |det A| passes the dtype's largest value (a 200×200 matrix
    with entries near 1e3); slogdet does not."""
    return Det.apply(a)


SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


class Slogdet(Function):
    formula = "dL/d{0} = dL/d{y}·{0}⁻ᵀ"
    __slots__ = ()

    def forward(self, a, signs=None):
        _square(a, "slogdet")
        sign, logdet = np.linalg.slogdet(a)
        if signs is not None:
            signs.append(_trace.asarray(sign))
        logdet = _trace.asarray(logdet)
        if np.isneginf(logdet).any() and np.isfinite(a).all():
            _float_flag("divide", "slogdet")  # log 0, as numpy's log reports it
        self.save_for_backward(a)
        return logdet

    def backward(self, g):
        (a,) = self.saved
        return g[..., None, None] * _inverse(a, "slogdet").mT

    def limit(self, *arrays, **kwargs):
        return "log|det A| = −inf for a singular matrix (sign 0)"


@implements(np.linalg.slogdet)
def slogdet(a: Any) -> SlogdetResult:
    """(sign, log|det A|) for a square matrix or a batch of them, as
    numpy.linalg.slogdet: a named tuple ``SlogdetResult(sign, logabsdet)`` of Tensors.
    ``sign`` (±1, or 0) has no gradient; ``logabsdet`` has dL/dA = dL/dlogabsdet·A⁻ᵀ.

    Finite for every invertible matrix, however large or small its determinant
    (1e-300·I is fine, forward and backward). A singular matrix has log|det| = −inf:
    reported as numpy's log reports log 0 (a divide-by-zero under numpy's error
    state), and its gradient raises LinAlgError."""
    signs: list = []
    logabsdet = Slogdet.apply(a, signs=signs)
    return SlogdetResult(_make(signs[0], False, None), logabsdet)


class Solve(Function):
    formula = "dL/d{1} = {0}⁻ᵀ·dL/d{y};  dL/d{0} = −dL/d{1}·{y}ᵀ"
    __slots__ = ("vec",)

    def forward(self, a, b):
        _square(a, "solve")
        m = a.shape[-1]
        vec = b.ndim == 1
        fits = b.ndim >= 1 and b.shape[0 if vec else -2] == m
        if fits and not vec:
            try:
                np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except ValueError:
                fits = False
        if not fits:
            raise ValueError(
                f"solve: a of shape {a.shape} and b of shape {b.shape} do not fit: b must be "
                f"a vector of shape ({m},) or a matrix (..., {m}, K) whose batch dimensions "
                "broadcast with a's (as numpy 2: b is a vector only when it is 1-D)"
            )
        self.vec = vec
        try:
            x = _checked(np.linalg.solve(a, b), "solve", a, b)
        except np.linalg.LinAlgError:
            raise _singular(a, "solve", "a·x = b has no unique solution") from None
        if self.parents is not None:
            self.save_for_backward(a, x if needs(self, 0) else None)
        return x

    def backward(self, g):
        a, x = self.saved
        if self.vec:  # as a column: b (M,) is (M, 1)
            gb = _solve_any(a.mT, g[..., None])
            ga = -(gb * x[..., None, :]) if x is not None else None
            return ga, gb[..., 0]
        gb = _solve_any(a.mT, g)
        ga = -(gb @ x.mT) if x is not None else None
        return ga, gb

    def limit(self, *arrays, **kwargs):
        return "x = A⁻¹b overflows when A is singular or nearly so"


def _solve_any(a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return Solve.apply(a, b)
    try:
        return _checked(np.linalg.solve(a, b), "solve", a, b)
    except np.linalg.LinAlgError:
        raise _singular(a, "solve", "Aᵀ·x = g has no unique solution") from None


@implements(np.linalg.solve)
def solve(a: Any, b: Any) -> Tensor:
    """x with a·x = b, as numpy.linalg.solve (numpy 2 rules): a of shape (..., M, M); b a
    vector (M,) or matrices (..., M, K), batch dimensions broadcast.

    Gradients: dL/db = A⁻ᵀ·dL/dx (one more solve, with Aᵀ), dL/dA = −dL/db·xᵀ. A
    singular matrix raises LinAlgError naming the op and the shape; near-singular ones
    give huge solutions, and where they pass the dtype's largest value the overflow is
    reported under numpy's error state (numpy.linalg itself ignores it)."""
    return Solve.apply(a, b)
