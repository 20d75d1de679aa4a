"""Habits from scikit-learn and PyTorch that minigrad accepts: ``random_state=`` beside
``seed=``, and ``DataLoader((X, y), ...)`` beside ``DataLoader(X, y, ...)``."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, train_test_split
from minigrad.testing import gradcheck, gradgradcheck


def _data(n=30):
    X = np.arange(n * 2, dtype=float).reshape(n, 2)
    return X, X[:, :1] * 3.0


def _batches(loader, epochs=2):
    return [[b.copy() for b in batch] for _ in range(epochs) for batch in loader]


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert len(x) == len(y)
        for u, v in zip(x, y):
            np.testing.assert_array_equal(u, v)


# --------------------------------------------------------------------------- random_state


def test_train_test_split_random_state_is_seed():
    X, y = _data()
    by_seed = train_test_split(X, y, test_size=0.3, seed=7)
    by_random_state = train_test_split(X, y, test_size=0.3, random_state=7)
    for a, b in zip(by_seed, by_random_state):
        np.testing.assert_array_equal(a, b)
    other = train_test_split(X, y, test_size=0.3, random_state=8)
    assert not np.array_equal(other[0], by_seed[0])


def test_train_test_split_random_state_gives_scikit_learns_rows():
    # scikit-learn's train_test_split(test_size=0.3, random_state=80718) on 506 rows
    rows = np.arange(506)
    train, test = train_test_split(rows, test_size=0.3, random_state=80718)
    perm = np.random.RandomState(80718).permutation(506)
    np.testing.assert_array_equal(test, perm[:152])
    np.testing.assert_array_equal(train, perm[152:])


def test_dataloader_random_state_is_seed():
    X, y = _data()
    a = _batches(DataLoader(X, y, batch_size=7, shuffle=True, seed=3))
    b = _batches(DataLoader(X, y, batch_size=7, shuffle=True, random_state=3))
    _same(a, b)
    c = _batches(DataLoader(X, y, batch_size=7, shuffle=True, random_state=4))
    assert not all(np.array_equal(p[0], q[0]) for p, q in zip(a, c))


def test_dataloader_random_state_may_be_a_generator_object():
    X, y = _data()
    a = _batches(DataLoader(X, y, batch_size=7, shuffle=True,
                            random_state=np.random.RandomState(5)))
    b = _batches(DataLoader(X, y, batch_size=7, shuffle=True, seed=np.random.RandomState(5)))
    _same(a, b)


def test_gradcheck_random_state_is_seed():
    x = mg.tensor([0.3, -0.7, 1.1], requires_grad=True)
    assert gradcheck(mg.sigmoid, x, random_state=3)
    assert gradgradcheck(mg.tanh, x, random_state=3)


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda: train_test_split(np.arange(10), seed=1, random_state=2), "train_test_split"),
        (lambda: DataLoader(np.arange(10), batch_size=2, seed=1, random_state=1), "DataLoader"),
        (lambda: gradcheck(mg.exp, mg.tensor([1.0], requires_grad=True), seed=0,
                           random_state=0), "gradcheck"),
        (lambda: gradgradcheck(mg.exp, mg.tensor([1.0], requires_grad=True), seed=0,
                               random_state=1), "gradgradcheck"),
    ],
)
def test_seed_and_random_state_together_are_refused(call, where):
    with pytest.raises(TypeError, match=rf"{where}: got both seed=.* and random_state=.*give one"):
        call()


# --------------------------------------------------------------------------- DataLoader((X, y))


def test_dataloader_takes_a_tuple_of_arrays_like_separate_arrays():
    X, y = _data()
    separate = DataLoader(X, y, batch_size=8, shuffle=True, seed=0)
    together = DataLoader((X, y), batch_size=8, shuffle=True, seed=0)
    assert len(together) == len(separate) == 4
    assert len(together.arrays) == 2
    _same(_batches(separate), _batches(together))
    xb, yb = next(iter(DataLoader((X, y), batch_size=8)))
    assert xb.shape == (8, 2) and yb.shape == (8, 1)


def test_dataloader_tuple_of_tensors():
    X, y = _data()
    loader = DataLoader((mg.tensor(X), mg.tensor(y)), batch_size=10)
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb, X[:10])
    np.testing.assert_array_equal(yb, y[:10])


def test_dataloader_tuple_checks_rows_like_separate_arrays():
    X, y = _data()
    with pytest.raises(ValueError, match=r"DataLoader: all arrays must have the same number of "
                                         r"rows.*\(30, 2\), \(29, 1\)"):
        DataLoader((X, y[:-1]), batch_size=4)


def test_dataloader_a_list_or_tuple_of_numbers_stays_one_array():
    rows = DataLoader([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], batch_size=2)
    assert len(rows.arrays) == 1 and rows.arrays[0].shape == (3, 2)
    flat = DataLoader((1.0, 2.0, 3.0), batch_size=2)
    assert len(flat.arrays) == 1 and flat.arrays[0].shape == (3,)


def test_dataloader_tuple_mixing_arrays_and_other_things_is_refused():
    X, y = _data()
    with pytest.raises(TypeError, match=r"DataLoader: a tuple of arrays passed as one argument "
                                        r"must hold only numpy arrays or Tensors, got "
                                        r"\(ndarray, list\)"):
        DataLoader((X, y.tolist()), batch_size=4)
