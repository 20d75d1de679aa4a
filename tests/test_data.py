"""Tests for minigrad.data: train_test_split, StandardScaler, DataLoader."""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import minigrad
from minigrad.data import (
    ArrayDataset,
    DataLoader,
    StandardScaler,
    Subset,
    random_split,
    train_test_split,
)

# ----------------------------------------------------------------------------- split


def test_split_matches_the_chapter_permutation():
    """n=506, 30 % test, seed 80718: test = first 152 permuted indices, train = the rest."""
    rows = np.arange(506)
    train, test = train_test_split(rows, test_size=0.3, seed=80718)
    perm = np.random.RandomState(80718).permutation(506)
    np.testing.assert_array_equal(test, perm[:152])
    np.testing.assert_array_equal(train, perm[152:])
    assert len(test) == 152 and len(train) == 354


def test_split_of_the_boston_data_gives_the_chapter_test_mean():
    """DESIGN section 6: mean(y_test) is 22.0776 on the chapter's split."""
    ds = minigrad.datasets.load_boston()
    X_train, X_test, y_train, y_test = train_test_split(
        ds.data, ds.target, test_size=0.3, seed=80718
    )
    assert X_train.shape == (354, 13) and X_test.shape == (152, 13)
    assert y_train.shape == (354,) and y_test.shape == (152,)
    assert round(float(y_test.mean()), 4) == 22.0776


@given(
    n=st.integers(2, 80),
    frac=st.floats(0.01, 0.99),
    seed=st.integers(0, 2**32 - 1),
    as_count=st.booleans(),
)
def test_split_is_a_seeded_partition_aligned_across_arrays(n, frac, seed, as_count):
    test_size = max(1, min(n - 1, int(frac * n))) if as_count else frac
    n_test = test_size if as_count else math.ceil(frac * n)
    if not as_count and n_test >= n:
        with pytest.raises(ValueError, match="no training rows"):
            train_test_split(np.arange(n), test_size=test_size, seed=seed)
        return
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n) * 10.0
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, seed=seed)
    perm = np.random.RandomState(seed).permutation(n)
    np.testing.assert_array_equal(y_te, perm[:n_test] * 10.0)
    np.testing.assert_array_equal(y_tr, perm[n_test:] * 10.0)
    # rows stay together: X row i goes with y row i
    np.testing.assert_array_equal(X_tr[:, 0] // 2 * 10.0, y_tr)
    np.testing.assert_array_equal(X_te[:, 0] // 2 * 10.0, y_te)
    # a partition: every row exactly once
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), y)


def test_split_int_test_size_and_tensor_input():
    x = minigrad.tensor(np.arange(10.0))
    train, test = train_test_split(x, test_size=3, seed=0)
    assert isinstance(train, np.ndarray) and isinstance(test, np.ndarray)
    np.testing.assert_array_equal(test, np.random.RandomState(0).permutation(10)[:3])
    assert train.shape == (7,)


def test_split_same_seed_same_rows_different_seed_different_rows():
    a = train_test_split(np.arange(100), test_size=0.2, seed=1)
    b = train_test_split(np.arange(100), test_size=0.2, seed=1)
    c = train_test_split(np.arange(100), test_size=0.2, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_split_errors():
    with pytest.raises(ValueError, match=r"train_test_split: expected at least one array"):
        train_test_split(test_size=0.3, seed=0)
    with pytest.raises(ValueError, match=r"train_test_split.*\(5, 2\), \(4,\)"):
        train_test_split(np.zeros((5, 2)), np.zeros(4), test_size=0.3, seed=0)
    for bad in (0.0, 1.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="train_test_split: test_size"):
            train_test_split(np.arange(10), test_size=bad, seed=0)
    for bad in (0, 10, -1):
        with pytest.raises(ValueError, match="train_test_split: test_size"):
            train_test_split(np.arange(10), test_size=bad, seed=0)
    for bad in (True, "0.3", None):
        with pytest.raises(TypeError, match="train_test_split: test_size"):
            train_test_split(np.arange(10), test_size=bad, seed=0)
    with pytest.raises(ValueError, match="0-d"):
        train_test_split(np.float64(3.0), test_size=0.5, seed=0)


# ----------------------------------------------------------------------------- scaler


def test_scaler_uses_mean_and_population_std():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 4) * [1.0, 2.0, 30.0, 0.5] + [0.0, -3.0, 100.0, 7.0]
    scaler = StandardScaler()
    assert scaler.fit(X) is scaler
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, X.std(axis=0, ddof=0))
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaler.fit_transform(X), Z)
    assert scaler.n_samples_seen_ == 50


@example([[0.0, 1.0, -1e3], [5e-324, 1.0, 1e3]])
@given(
    st.integers(1, 20).flatmap(
        lambda n: st.lists(
            st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3), min_size=n, max_size=n
        )
    )
)
def test_scaler_inverse_transform_round_trips(rows):
    X = np.array(rows)
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X, atol=1e-9)
    assert np.all(scaler.scale_ > 0)


def test_scaler_leaves_constant_features_unscaled():
    # 0.1 is not exact in binary: the computed mean of a column of 0.1 can differ from 0.1,
    # and its computed std from 0; the scaler must still give exact zeros, without a
    # division by zero (numpy errors raise in these tests).
    X = np.column_stack([np.full(7, 0.1), np.arange(7.0), np.full(7, -5.0)])
    scaler = StandardScaler().fit(X)
    np.testing.assert_array_equal(scaler.scale_[[0, 2]], [1.0, 1.0])
    Z = scaler.transform(X)
    np.testing.assert_array_equal(Z[:, 0], 0.0)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    np.testing.assert_allclose(Z[:, 1].std(), 1.0)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    one_row = StandardScaler().fit_transform(np.array([[3.0, 4.0]]))
    np.testing.assert_array_equal(one_row, [[0.0, 0.0]])
    # values that differ only in subnormal digits: the std underflows to exactly 0
    tiny = StandardScaler().fit(np.array([[0.0], [5e-324]]))
    np.testing.assert_array_equal(tiny.scale_, [1.0])
    assert np.all(np.isfinite(tiny.transform(np.array([[0.0], [5e-324]]))))


def test_scaler_dtypes_and_inputs():
    X32 = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert StandardScaler().fit_transform(X32).dtype == np.float32
    Xint = np.arange(12).reshape(4, 3)
    out = StandardScaler().fit_transform(Xint)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, StandardScaler().fit_transform(minigrad.tensor(Xint)))
    np.testing.assert_allclose(out, StandardScaler().fit_transform(Xint.tolist()))
    # a 1-D array is a single feature
    z = StandardScaler().fit_transform(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(z, [-np.sqrt(1.5), 0.0, np.sqrt(1.5)])


def test_scaler_errors():
    with pytest.raises(RuntimeError, match=r"StandardScaler.transform: .*not fitted.*fit"):
        StandardScaler().transform(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="not fitted"):
        StandardScaler().inverse_transform(np.zeros((2, 2)))
    scaler = StandardScaler().fit(np.random.RandomState(0).randn(5, 3))
    with pytest.raises(ValueError, match=r"shape \(5, 4\).*\(4,\).*\(3,\)"):
        scaler.transform(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="StandardScaler.inverse_transform"):
        scaler.inverse_transform(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="no rows"):
        StandardScaler().fit(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="numeric"):
        StandardScaler().fit(np.array([["a"], ["b"]]))


def test_scaling_the_boston_data_as_in_the_chapter():
    """Standardise with the statistics of all 506 rows: every column gets mean 0, std 1."""
    ds = minigrad.datasets.load_boston()
    Z = StandardScaler().fit_transform(ds.data)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Z[445, 0], (10.6718 - ds.data[:, 0].mean()) / ds.data[:, 0].std())


# ----------------------------------------------------------------------------- loader


@given(
    n=st.integers(0, 60),
    batch_size=st.integers(1, 70),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_loader_visits_every_row_once_per_epoch(n, batch_size, drop_last, shuffle, seed):
    X = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n)
    loader = DataLoader(
        X, y, batch_size=batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last
    )
    n_full, rest = divmod(n, batch_size)
    expected_len = n_full if drop_last or rest == 0 else n_full + 1
    assert len(loader) == expected_len
    for _ in range(2):  # two epochs
        batches = list(loader)
        assert len(batches) == expected_len
        seen = []
        for i, batch in enumerate(batches):
            assert isinstance(batch, tuple) and len(batch) == 2
            xb, yb = batch
            assert isinstance(xb, np.ndarray) and isinstance(yb, np.ndarray)
            size = batch_size if i < n_full else rest
            assert xb.shape == (size, 3) and yb.shape == (size,)
            np.testing.assert_array_equal(xb[:, 0], yb * 3)  # rows stay aligned
            seen.extend(yb.tolist())
        assert len(seen) == len(set(seen))  # no row twice
        if drop_last:
            assert len(seen) == n_full * batch_size
        else:
            assert sorted(seen) == list(range(n))  # every row
        if not shuffle:
            assert seen == list(range(len(seen)))


def test_loader_shuffles_with_its_own_randomstate():
    """Epoch k applies the k-th permutation drawn from RandomState(seed) to the order
    of epoch k − 1, as shuffling the rows in place every epoch would."""
    loader = DataLoader(np.arange(50), batch_size=7, shuffle=True, seed=3)
    ref = np.random.RandomState(3)
    rows = np.arange(50)
    epochs = []
    for _ in range(3):
        order = np.concatenate([b[0] for b in loader])
        rows = rows[ref.permutation(50)]
        np.testing.assert_array_equal(order, rows)
        epochs.append(order)
    assert not np.array_equal(epochs[0], epochs[1])
    # the same seed gives the same sequence of batches
    again = DataLoader(np.arange(50), batch_size=7, shuffle=True, seed=3)
    for expected in epochs:
        np.testing.assert_array_equal(np.concatenate([b[0] for b in again]), expected)


def test_loader_can_share_a_random_stream():
    """A RandomState passed as seed is drawn from directly, after whatever used it before."""
    rng = np.random.RandomState(180708)
    w = rng.randn(13, 1)
    loader = DataLoader(np.arange(354), batch_size=23, shuffle=True, seed=rng)
    first = np.concatenate([b[0] for b in loader])
    ref = np.random.RandomState(180708)
    np.testing.assert_array_equal(ref.randn(13, 1), w)
    np.testing.assert_array_equal(first, ref.permutation(354))


def test_loader_chapter_batches():
    """354 training rows in batches of 23: 15 full batches and one of 9."""
    loader = DataLoader(np.zeros((354, 13)), np.zeros(354), batch_size=23, shuffle=True, seed=0)
    sizes = [len(yb) for _, yb in loader]
    assert len(loader) == 16 and sizes == [23] * 15 + [9]
    assert len(DataLoader(np.zeros(354), batch_size=23, drop_last=True)) == 15


def test_loader_single_array_tensor_input_and_views():
    t = minigrad.tensor(np.arange(10.0))
    batches = list(DataLoader(t, batch_size=4))
    assert all(isinstance(b, tuple) and len(b) == 1 for b in batches)
    assert all(isinstance(b[0], np.ndarray) for b in batches)
    np.testing.assert_array_equal(batches[2][0], [8.0, 9.0])
    assert np.shares_memory(batches[0][0], t.data)  # unshuffled batches are slices
    shuffled = next(iter(DataLoader(t, batch_size=4, shuffle=True, seed=0)))
    assert not np.shares_memory(shuffled[0], t.data)


def test_loader_errors():
    for bad in (0, -1, 2.5, True, None, "3"):
        with pytest.raises(ValueError, match=r"DataLoader: batch_size must be a positive int"):
            DataLoader(np.zeros(4), batch_size=bad)
    with pytest.raises(ValueError, match=r"DataLoader: .*\(4, 2\), \(3,\)"):
        DataLoader(np.zeros((4, 2)), np.zeros(3), batch_size=2)
    with pytest.raises(ValueError, match="DataLoader: expected at least one array"):
        DataLoader(batch_size=2)
    with pytest.raises(ValueError, match="0-d"):
        DataLoader(np.float64(1.0), batch_size=1)


# ----------------------------------------------------------------------------- datasets


def _dataset(n=10):
    return ArrayDataset(np.arange(n * 2.0).reshape(n, 2), minigrad.tensor(np.arange(n) % 3))


def test_array_dataset_gives_tuples_of_rows():
    ds = _dataset()
    assert len(ds) == 10
    x, y = ds[3]
    np.testing.assert_array_equal(x, [6.0, 7.0])
    assert y == 0
    xs, ys = ds[[1, 4]]
    np.testing.assert_array_equal(ys, [1, 1])
    assert xs.shape == (2, 2)
    with pytest.raises(ValueError, match="ArrayDataset: all arrays must have the same number"):
        ArrayDataset(np.zeros(3), np.zeros(4))


def test_random_split_counts_are_disjoint_cover_and_seeded():
    ds = _dataset(10)
    a, b, c = random_split(ds, [5, 3, 2], rng=4)
    assert [len(a), len(b), len(c)] == [5, 3, 2]
    rows = np.concatenate([s.indices for s in (a, b, c)])
    assert sorted(rows.tolist()) == list(range(10))  # disjoint and complete
    again = random_split(ds, [5, 3, 2], rng=4)
    assert all(np.array_equal(s.indices, t.indices) for s, t in zip((a, b, c), again,
                                                                     strict=True))
    other = random_split(ds, [5, 3, 2], rng=5)
    assert not np.array_equal(a.indices, other[0].indices)
    np.testing.assert_array_equal(a[0][0], ds[a.indices[0]][0])
    # the permutation is RandomState(seed)'s
    np.testing.assert_array_equal(a.indices, np.random.RandomState(4).permutation(10)[:5])


@pytest.mark.parametrize("n, fractions", [(10, [0.7, 0.3]), (11, [0.5, 0.25, 0.25]),
                                          (7, [0.1, 0.1, 0.8]), (5, [0.3, 0.3, 0.2, 0.2])])
def test_random_split_fractions_give_pytorchs_lengths(n, fractions):
    torch = pytest.importorskip("torch", reason="comparison against torch.utils.data")
    ours = [len(s) for s in random_split(_dataset(n), fractions, rng=0)]
    theirs = [len(s) for s in torch.utils.data.random_split(range(n), fractions)]
    assert ours == theirs and sum(ours) == n


def test_random_split_fractions_by_hand():
    # 11 rows, halves: floor gives 5 and 5, the row left over goes to the first part
    assert [len(s) for s in random_split(_dataset(11), [0.5, 0.5], rng=0)] == [6, 5]


@pytest.mark.parametrize(
    "lengths, fragment",
    [([5, 4], "sum to 9, but the dataset has 10 rows"), ([0.5, 0.6], "fractions summing to 1"),
     ([-1, 11], "lengths[0] must be"), ([], "lengths is empty"), ([0.5, True], "lengths[1]")],
)
def test_random_split_refuses_bad_lengths(lengths, fragment):
    with pytest.raises(ValueError) as info:
        random_split(_dataset(10), lengths, rng=0)
    assert fragment in str(info.value)


def test_subset_of_a_subset_and_bad_indices():
    ds = _dataset(10)
    inner = Subset(ds, [9, 8, 7, 6])
    outer = Subset(inner, [3, 0])
    np.testing.assert_array_equal(outer[0][0], ds[6][0])
    np.testing.assert_array_equal(outer.arrays()[0], ds.arrays[0][[6, 9]])
    with pytest.raises(IndexError, match=r"Subset: indices must lie in \[0, 4\)"):
        Subset(inner, [4])
    with pytest.raises(TypeError, match="ArrayDataset or a Subset"):
        random_split([1, 2, 3], [1, 2])


def test_data_loader_accepts_datasets_arrays_and_tuples():
    ds = _dataset(10)
    x, y = ds.arrays
    loaders = [DataLoader(ds, batch_size=4, shuffle=True, seed=2),
               DataLoader(x, y, batch_size=4, shuffle=True, seed=2),
               DataLoader((x, y), batch_size=4, shuffle=True, seed=2)]
    runs = [[b for b in loader] for loader in loaders]
    for run in runs[1:]:
        for (xa, ya), (xb, yb) in zip(runs[0], run, strict=True):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
    train, _ = random_split(ds, [0.6, 0.4], rng=1)
    batches = list(DataLoader(train, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]),
                                  y[train.indices])
