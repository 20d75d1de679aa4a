"""Data handling: a seeded train/test split, feature standardisation and mini-batches.

Everything here works on numpy arrays. Inputs may also be minigrad Tensors (their
``.data`` is used) or anything ``numpy.asarray`` understands; outputs are numpy arrays,
so wrap them in ``minigrad.tensor`` where a graph should start.

Randomness comes from ``numpy.random.RandomState``, the legacy generator, on purpose:
its stream is frozen by numpy's compatibility policy, it is what scikit-learn's
``random_state`` uses, and it is what the chapter's notebook used, so a seed here gives
the same rows as there.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from .tensor import Tensor

__all__ = [
    "train_test_split", "StandardScaler", "DataLoader", "ArrayDataset", "Subset", "random_split",
]

#: what the functions here accept as data: an array, a Tensor, or anything
#: ``numpy.asarray`` converts (nested lists of numbers)
ArrayLike: TypeAlias = "np.ndarray | Tensor | npt.ArrayLike"
#: a seed: None (fresh entropy), an int, or a numpy generator to draw from
Seed: TypeAlias = "int | np.random.RandomState | np.random.Generator | None"


def _to_array(x: ArrayLike, where: str) -> np.ndarray:
    """Return ``x`` as a numpy array without copying: a Tensor's data, an array as is."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, np.ndarray):
        return x
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: cannot convert {type(x).__name__} to an array ({e})") from None


def _rows(arrays: tuple[Any, ...], where: str) -> tuple[list[np.ndarray], int]:
    """Convert ``arrays`` and check that they share a first dimension; return them and it."""
    if not arrays:
        raise ValueError(f"{where}: expected at least one array, got none")
    converted = [_to_array(a, where) for a in arrays]
    for i, a in enumerate(converted):
        if a.ndim == 0:
            raise ValueError(
                f"{where}: array {i} is 0-d (shape ()); every array needs a first dimension "
                "that indexes its rows"
            )
    lengths = {a.shape[0] for a in converted}
    if len(lengths) > 1:
        shapes = ", ".join(str(a.shape) for a in converted)
        raise ValueError(
            f"{where}: all arrays must have the same number of rows (first dimension); "
            f"got shapes {shapes}"
        )
    return converted, converted[0].shape[0]


def _random_state(seed: Any, where: str) -> np.random.RandomState:
    """``numpy.random.RandomState(seed)``, with an error that names the caller."""
    try:
        return np.random.RandomState(seed)
    except (TypeError, ValueError) as e:
        raise type(e)(
            f"{where}: seed must be None, an int in [0, 2**32) or a numpy RandomState or "
            f"Generator, got {seed!r} ({e})"
        ) from None


def _seed_or_random_state(seed: Any, random_state: Any, where: str) -> Any:
    """The seed given as ``seed=`` or under scikit-learn's name ``random_state=``."""
    if seed is not None and random_state is not None:
        raise TypeError(
            f"{where}: got both seed={seed!r} and random_state={random_state!r}; they are two "
            "names for the same thing, give one"
        )
    return seed if seed is not None else random_state


def _is_int(x: object) -> bool:
    """True for Python and numpy integers, but not for bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


# ----------------------------------------------------------------------------- split
def _test_count(test_size: Any, n: int) -> int:
    """Number of test rows for ``test_size`` (a fraction or a count) out of ``n`` rows."""
    if _is_int(test_size):
        n_test = int(test_size)
        if not 0 < n_test < n:
            raise ValueError(
                f"train_test_split: test_size={n_test} is a row count and must be between "
                f"1 and {n - 1} for {n} rows, so that both parts are non-empty"
            )
        return n_test
    if isinstance(test_size, numbers.Real) and not isinstance(test_size, (bool, np.bool_)):
        frac = float(test_size)
        if not 0.0 < frac < 1.0:
            raise ValueError(
                f"train_test_split: test_size={test_size!r} is a fraction and must lie "
                "strictly between 0 and 1 (or pass an int row count)"
            )
        n_test = math.ceil(frac * n)
        if n_test >= n:
            raise ValueError(
                f"train_test_split: test_size={test_size!r} of {n} rows leaves no training "
                f"rows ({n_test} test rows); use a smaller test_size or more data"
            )
        return n_test
    raise TypeError(
        f"train_test_split: test_size must be a float in (0, 1) or an int row count, "
        f"got {type(test_size).__name__}"
    )


def train_test_split(
    *arrays: ArrayLike,
    test_size: float = 0.25,
    seed: Seed = None,
    random_state: Seed = None,
) -> list[np.ndarray]:
    """Split arrays into random train and test rows, the same rows for every array.

    The rows are those of scikit-learn's ``train_test_split(*arrays, test_size=...,
    random_state=seed)`` with its default shuffling: one permutation
    ``numpy.random.RandomState(seed).permutation(n)`` is drawn, its first
    ``ceil(test_size * n)`` indices are the test rows and the rest, in permutation
    order, the train rows.

    Args:
        *arrays: arrays (or Tensors, or lists) with the same first dimension ``n``.
        test_size: the fraction of rows to hold out, a float strictly between 0 and 1,
            or an int number of rows between 1 and ``n - 1``.
        seed: seed for ``RandomState``; ``None`` draws fresh entropy (not repeatable).
        random_state: scikit-learn's name for ``seed``; give one or the other.

    Returns:
        A list ``[a_train, a_test, b_train, b_test, ...]``: for each input array in
        order, its train rows then its test rows, as new numpy arrays.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=0)
    """
    where = "train_test_split"
    seed = _seed_or_random_state(seed, random_state, where)
    converted, n = _rows(arrays, where)
    n_test = _test_count(test_size, n)
    order = _random_state(seed, where).permutation(n)
    test_idx, train_idx = order[:n_test], order[n_test:]
    out: list[np.ndarray] = []
    for a in converted:
        out.append(a[train_idx])
        out.append(a[test_idx])
    return out


# ----------------------------------------------------------------------------- scaling
class StandardScaler:
    """Standardise features: subtract the mean and divide by the standard deviation.

    Statistics are taken along axis 0 (over rows), so for ``X`` of shape
    ``(n_samples, n_features)`` there is one mean and one scale per feature; any array
    with at least one dimension works the same way (a 1-D array is one feature).
    The standard deviation is the population one (``ddof=0``), as in scikit-learn.

    A feature whose values are all equal has no spread to divide by; its scale is set
    to 1 and its mean to that value, so it transforms to exact zeros rather than
    dividing by zero. A standard deviation that underflows to 0 also gets scale 1.

    Integer input is converted to float64; float32 stays float32. ``fit`` refuses data
    holding NaN or infinite values.

    Attributes (after :meth:`fit`):
        mean_: the per-feature mean, shape ``X.shape[1:]``.
        scale_: the per-feature standard deviation, 1 where a feature is constant.
        n_samples_seen_: the number of rows the statistics came from.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_samples_seen_: int | None = None

    @staticmethod
    def _as_float(X: ArrayLike, where: str) -> np.ndarray:
        arr = _to_array(X, where)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: expected numeric data, got dtype {arr.dtype}")
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        if arr.ndim == 0:
            raise ValueError(f"{where}: expected an array of rows, got a 0-d value (shape ())")
        return arr

    def fit(self, X: ArrayLike) -> StandardScaler:
        """Compute the mean and scale of each feature of ``X``; return ``self``."""
        where = "StandardScaler.fit"
        X = self._as_float(X, where)
        if X.shape[0] == 0:
            raise ValueError(f"{where}: X has no rows (shape {X.shape}); cannot compute statistics")
        finite = np.isfinite(X)
        if not finite.all():
            raise ValueError(
                f"{where}: X (shape {X.shape}, dtype {X.dtype}) holds {int(X.size - finite.sum())} "
                "NaN or infinite values; the mean and standard deviation would be meaningless"
            )
        mean = X.mean(axis=0)
        std = X.std(axis=0)  # ddof=0: the population standard deviation
        # Test constancy exactly on the data, not on the computed std: rounding can leave
        # a tiny non-zero std for a constant column, and dividing by it would blow up noise.
        constant = np.all(X == X[:1], axis=0)
        self.mean_ = np.where(constant, X[0], mean).astype(X.dtype, copy=False)
        # The std can also underflow to 0 for values that differ only in subnormal digits.
        self.scale_ = np.where(constant | (std == 0), 1, std).astype(X.dtype, copy=False)
        self.n_samples_seen_ = int(X.shape[0])
        return self

    def _checked(self, X: ArrayLike, where: str) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise RuntimeError(f"{where}: this StandardScaler is not fitted yet; call fit(X) first")
        X = self._as_float(X, where)
        if X.shape[1:] != self.mean_.shape:
            raise ValueError(
                f"{where}: X has shape {X.shape}, so feature shape {X.shape[1:]}, but the "
                f"scaler was fitted on feature shape {self.mean_.shape}"
            )
        return X

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` as a new array."""
        X = self._checked(X, "StandardScaler.transform")
        out: np.ndarray = (X - self.mean_) / self.scale_
        return out

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """Fit to ``X``, then transform it."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Undo :meth:`transform`: return ``X * scale_ + mean_`` as a new array."""
        X = self._checked(X, "StandardScaler.inverse_transform")
        out: np.ndarray = X * self.scale_ + self.mean_
        return out

    def __repr__(self) -> str:
        state = "unfitted" if self.mean_ is None else f"features={self.mean_.shape}"
        return f"StandardScaler({state})"


# ----------------------------------------------------------------------------- datasets
class ArrayDataset:
    """Arrays with a common first dimension, seen as a dataset of rows (PyTorch's
    ``TensorDataset``): ``dataset[i]`` is the tuple ``(a[i], b[i], ...)``, and an index
    array or slice gives the tuple of those rows; ``len(dataset)`` is the number of rows.

    Args:
        *arrays: numpy arrays, minigrad Tensors (their ``.data``) or array-likes, all with
            the same first dimension. Arrays are kept as given, not copied.
    """

    def __init__(self, *arrays: ArrayLike) -> None:
        self.arrays: tuple[np.ndarray, ...] = tuple(_rows(arrays, "ArrayDataset")[0])

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        return f"ArrayDataset({shapes})"


class Subset:
    """The rows ``indices`` of ``dataset``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``. :func:`random_split` returns these."""

    def __init__(self, dataset: ArrayDataset | Subset, indices: Any) -> None:
        if not isinstance(dataset, (ArrayDataset, Subset)):
            raise TypeError(f"Subset: dataset must be an ArrayDataset or a Subset, got "
                            f"{type(dataset).__name__}")
        idx = np.asarray(indices)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise TypeError(f"Subset: indices must be a 1-d sequence of ints, got shape "
                            f"{idx.shape}, dtype {idx.dtype}")
        n = len(dataset)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"Subset: indices must lie in [0, {n}) for a dataset of {n} "
                             f"rows, got values from {idx.min()} to {idx.max()}")
        self.dataset = dataset
        self.indices: np.ndarray = idx.astype(np.intp, copy=True)

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        return self.dataset[self.indices[index]]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The subset's rows of each array, as new arrays."""
        base = self.dataset
        idx = self.indices
        while isinstance(base, Subset):  # compose the index maps down to the arrays
            idx = base.indices[idx]
            base = base.dataset
        return tuple(a[idx] for a in base.arrays)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} rows)"


def random_split(
    dataset: ArrayDataset | Subset,
    lengths: Sequence[int | float],
    rng: Seed = None,
) -> list[Subset]:
    """Split ``dataset`` into disjoint random subsets of the given lengths, as PyTorch's
    ``random_split``.

    Args:
        dataset: an :class:`ArrayDataset` or a :class:`Subset`.
        lengths: row counts summing to ``len(dataset)``, or fractions summing to 1: each
            part then gets ``floor(n · fraction)`` rows and the rows left over go one by
            one to the parts in order, from the first.
        rng: an int seed or None for ``numpy.random.RandomState(rng)``, or a generator to
            draw from. One permutation of the rows is drawn; the parts are its
            consecutive slices.

    Returns:
        A list of :class:`Subset`, one per length.
    """
    where = "random_split"
    if not isinstance(dataset, (ArrayDataset, Subset)):
        raise TypeError(f"{where}: dataset must be an ArrayDataset or a Subset, got "
                        f"{type(dataset).__name__}")
    lengths = list(lengths)
    if not lengths:
        raise ValueError(f"{where}: lengths is empty")
    for i, x in enumerate(lengths):
        if not isinstance(x, numbers.Real) or isinstance(x, (bool, np.bool_)) or x < 0 \
                or not math.isfinite(x):
            raise ValueError(f"{where}: lengths[{i}] must be a count or a fraction >= 0, "
                             f"got {x!r}")
    n = len(dataset)
    total = float(sum(lengths))
    counts: list[int]
    if not all(_is_int(x) for x in lengths) and math.isclose(total, 1.0) and total <= 1.0:
        if any(x > 1 for x in lengths):
            raise ValueError(f"{where}: fractions must lie in [0, 1], got {lengths}")
        counts = [int(math.floor(n * x)) for x in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    elif all(_is_int(x) for x in lengths):
        counts = [int(x) for x in lengths]
    else:
        raise ValueError(f"{where}: lengths must be row counts (ints) summing to {n} or "
                         f"fractions summing to 1, got {lengths} (sum {total})")
    if sum(counts) != n:
        raise ValueError(f"{where}: the lengths {counts} sum to {sum(counts)}, but the dataset "
                         f"has {n} rows")
    if isinstance(rng, (np.random.RandomState, np.random.Generator)):
        order = rng.permutation(n)
    else:
        order = _random_state(rng, where).permutation(n)
    out = []
    start = 0
    for c in counts:
        out.append(Subset(dataset, order[start : start + c]))
        start += c
    return out


# ----------------------------------------------------------------------------- batches
class DataLoader:
    """Iterate over arrays in mini-batches of rows, optionally reshuffled every epoch.

    Each ``for`` loop over the loader is one epoch: it yields one tuple per batch,
    holding the batch of each array in the order the arrays were given (a 1-tuple for
    a single array), and visits every row exactly once. The last batch is smaller when
    ``batch_size`` does not divide the number of rows, unless ``drop_last=True``
    drops it. ``len(loader)`` is the number of batches per epoch.

    With ``shuffle=True``, every epoch starts by drawing a permutation,
    ``rng.permutation(n)``, from a random generator the loader owns,
    ``numpy.random.RandomState(seed)``, and applying it to the previous epoch's order
    (as shuffling the rows themselves in place would; every order stays equally
    likely). The same seed therefore gives the same sequence of batches over the same
    sequence of epochs. ``seed`` may also be an existing ``numpy.random.RandomState``
    (or ``Generator``) object, which the loader then draws from directly, sharing the
    stream with other uses of it: weights drawn first and the row permutations after,
    as the chapter's notebook does, give the notebook's batches. The permutation is
    drawn when an epoch's iteration starts; an epoch abandoned early still used one.

    Without shuffling, batches are slices (views) of the arrays in row order and
    ``seed`` is not used; with shuffling they are new arrays.

    Args:
        *arrays: numpy arrays, minigrad Tensors (their ``.data``) or array-likes, all
            with the same first dimension; or one tuple of them, ``DataLoader((X, y),
            ...)``, as a PyTorch dataset of pairs would be passed; or one dataset, an
            :class:`ArrayDataset` or a :class:`Subset` of one (from
            :func:`random_split`), whose rows are gathered into arrays once, here.
        batch_size: rows per batch, a positive int.
        shuffle: reshuffle the rows at the start of every epoch.
        seed: an int or None for a new ``RandomState``, or a generator to draw from.
        random_state: scikit-learn's name for ``seed``; give one or the other.
        drop_last: drop the final batch of an epoch when it is smaller than
            ``batch_size``.
        shard: ``(rank, world_size)`` for data-parallel training
            (:mod:`minigrad.distributed`): this process's part of every batch. See below.

    Sharding: with ``shard=(rank, world_size)``, ``batch_size`` stays the global batch
    and must be a multiple of ``world_size``. Every process draws the same permutation
    (so ``shuffle=True`` needs the same int seed, or an equally seeded generator, on
    every process; ``seed=None`` is refused), cuts each batch it would have drawn alone
    into ``world_size`` consecutive slices of ``batch_size // world_size`` rows, and
    yields slice ``rank``. The shards of one step are disjoint, equally sized, and
    together, in rank order, the batch a single process draws with the same arguments.
    A last, smaller batch of ``m`` rows is cut into slices of ``m // world_size`` rows;
    when ``world_size`` does not divide ``m``, its last ``m % world_size`` rows (fewer
    than ``world_size``) are left out of that epoch, and when ``m < world_size`` the
    batch is dropped, so that the processes always take equal parts. ``drop_last``
    drops it whole as without sharding. ``shard=(0, 1)`` gives the batches of no
    sharding.

    Example:
        >>> loader = DataLoader(X_train, y_train, batch_size=23, shuffle=True, seed=0)
        >>> loader = DataLoader((X_train, y_train), batch_size=23, shuffle=True, seed=0)
        >>> for xb, yb in loader:
        ...     ...
    """

    def __init__(
        self,
        *arrays: ArrayLike | tuple[ArrayLike, ...] | ArrayDataset | Subset,
        batch_size: int,
        shuffle: bool = False,
        seed: Seed = None,
        random_state: Seed = None,
        drop_last: bool = False,
        shard: tuple[int, int] | None = None,
    ) -> None:
        where = "DataLoader"
        seed = _seed_or_random_state(seed, random_state, where)
        first = arrays[0] if len(arrays) == 1 else None
        if isinstance(first, ArrayDataset):
            arrays = first.arrays
        elif isinstance(first, Subset):
            arrays = first.arrays()
        elif isinstance(first, tuple):
            # DataLoader((X, y), ...): the arrays as one tuple. Only a tuple, and only of
            # arrays or Tensors: a list (or a tuple of numbers) is one array-like, as before.
            if first and all(isinstance(a, (np.ndarray, Tensor)) for a in first):
                arrays = first
            elif first and any(isinstance(a, (np.ndarray, Tensor)) for a in first):
                kinds = ", ".join(type(a).__name__ for a in first)
                raise TypeError(
                    f"{where}: a tuple of arrays passed as one argument must hold only numpy "
                    f"arrays or Tensors, got ({kinds}); pass DataLoader(X, y, ...) instead"
                )
        if not _is_int(batch_size) or batch_size < 1:
            raise ValueError(f"{where}: batch_size must be a positive int, got {batch_size!r}")
        self.arrays: tuple[np.ndarray, ...] = tuple(_rows(arrays, where)[0])
        for i, a in enumerate(self.arrays):
            if a.dtype.kind not in "biuf":
                raise TypeError(
                    f"{where}: array {i} (shape {a.shape}) has dtype {a.dtype}; batches go to "
                    "a model, so the data must be numeric (bool, integer or floating point)"
                )
        self.num_rows: int = self.arrays[0].shape[0]
        self.batch_size: int = int(batch_size)
        self.shuffle: bool = bool(shuffle)
        self.drop_last: bool = bool(drop_last)
        self.rng: np.random.RandomState | np.random.Generator
        if isinstance(seed, (np.random.RandomState, np.random.Generator)):
            self.rng = seed
        else:
            self.rng = _random_state(seed, where)
        self._order = np.arange(self.num_rows)
        self.shard: tuple[int, int] | None = None
        if shard is not None:
            self.shard = _check_shard(shard, self.batch_size, self.shuffle, seed, where)

    def __len__(self) -> int:
        if self.drop_last:
            return self.num_rows // self.batch_size
        if self.shard is not None:  # a last batch smaller than world_size is dropped
            full, rest = divmod(self.num_rows, self.batch_size)
            return full + (rest >= self.shard[1])
        return -(-self.num_rows // self.batch_size)  # ceiling division

    def __iter__(self) -> Iterator[tuple[np.ndarray, ...]]:
        if self.shard is not None:
            return self._sharded()
        return self._batches()

    def _batches(self) -> Iterator[tuple[np.ndarray, ...]]:
        n, size = self.num_rows, self.batch_size
        order = None
        if self.shuffle:
            order = self._order = self._order[self.rng.permutation(n)]
        stop = (n // size) * size if self.drop_last else n
        for start in range(0, stop, size):
            if order is None:
                yield tuple(a[start : start + size] for a in self.arrays)
            else:
                idx = order[start : start + size]
                yield tuple(a[idx] for a in self.arrays)

    def _sharded(self) -> Iterator[tuple[np.ndarray, ...]]:
        """This process's slice of every batch (see the class docstring)."""
        assert self.shard is not None
        rank, world = self.shard
        n, size = self.num_rows, self.batch_size
        order = None
        if self.shuffle:
            order = self._order = self._order[self.rng.permutation(n)]
        stop = (n // size) * size if self.drop_last else n
        for start in range(0, stop, size):
            part = (min(start + size, n) - start) // world
            if part == 0:
                return
            lo = start + rank * part
            if order is None:
                yield tuple(a[lo : lo + part] for a in self.arrays)
            else:
                idx = order[lo : lo + part]
                yield tuple(a[idx] for a in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.arrays)
        shard = "" if self.shard is None else f", shard={self.shard}"
        return (
            f"DataLoader({shapes}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}{shard})"
        )


def _check_shard(shard: Any, batch_size: int, shuffle: bool, seed: Any, where: str
                 ) -> tuple[int, int]:
    """``shard`` as ``(rank, world_size)``, checked against the other settings."""
    try:
        rank, world = shard
    except (TypeError, ValueError):
        raise TypeError(f"{where}: shard must be a pair (rank, world_size), got {shard!r}"
                        ) from None
    if not (_is_int(rank) and _is_int(world)) or world < 1 or not 0 <= rank < world:
        raise ValueError(f"{where}: shard=(rank, world_size) needs ints with world_size >= 1 "
                         f"and 0 <= rank < world_size, got {shard!r}")
    rank, world = int(rank), int(world)
    if batch_size % world:
        raise ValueError(
            f"{where}: with shard={shard!r}, batch_size is the global batch and must be a "
            f"multiple of world_size={world}, so that every process gets as many rows; "
            f"got batch_size={batch_size}"
        )
    if shuffle and world > 1 and seed is None:
        raise ValueError(
            f"{where}: shuffle=True with shard={shard!r} needs a seed, the same on every "
            "process, so that all draw the same permutation; got seed=None"
        )
    return rank, world
