"""Safe loading into a model: ``model.load_state_dict(minigrad.load(path))``.

A hostile, damaged or mismatched weights file gives a clear error, nothing in the file
is ever executed, and the model keeps its parameters bit for bit (the same arrays, the
same bytes) when loading fails.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.io import WeightsFileError


class Payload:
    """Unpickling this creates the marker directory: proof that code from the file ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _model(hidden=13, dtype=np.float64, seed=0):
    return nn.Sequential(nn.Linear(13, hidden, dtype=dtype, rng=seed), nn.Sigmoid(),
                         nn.Linear(hidden, 1, dtype=dtype, rng=seed + 1))


def _snapshot(model):
    return [(name, p.data, p.data.tobytes(), p.data.dtype, p.data.shape)
            for name, p in model.named_parameters()]


def _assert_unchanged(model, snapshot):
    now = _snapshot(model)
    assert [n for n, *_ in now] == [n for n, *_ in snapshot]
    for (name, array, raw, dtype, shape), (_, array_now, raw_now, dtype_now, shape_now) in zip(
            snapshot, now):
        assert array_now is array, name
        assert (dtype_now, shape_now) == (dtype, shape), name
        assert raw_now == raw, name


def _refused(model, path, exc, *words):
    """Loading ``path`` into ``model`` raises ``exc`` naming ``words``; nothing changes."""
    before = _snapshot(model)
    with pytest.raises(exc) as info:
        model.load_state_dict(mg.load(path))
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    _assert_unchanged(model, before)
    return info.value


# --------------------------------------------------------------------------- the good case


def test_a_saved_model_loads_into_a_fresh_one(tmp_path):
    path = tmp_path / "w.npz"
    source = _model(seed=5)
    mg.save(source, path)
    target = _model(seed=0)
    target.load_state_dict(mg.load(path))
    for (_, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        assert a.data.tobytes() == b.data.tobytes()


# --------------------------------------------------------------------------- hostile files


def test_an_npz_with_a_pickled_object_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.npz"
    state = dict(_model(seed=9).state_dict())
    state["0.weight"] = np.array([Payload(str(marker))], dtype=object)  # pickled by savez
    np.savez(path, **state)
    model = _model()
    _refused(model, path, WeightsFileError, "evil.npz", "'0.weight'", "pickle")
    assert not marker.exists()
    with np.load(path, allow_pickle=True) as npz:  # the payload is live: unsafe loading runs it
        npz["0.weight"]
    assert marker.is_dir()


def test_a_plain_pickle_named_like_weights_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "weights.npz"
    blob = pickle.dumps({"0.weight": Payload(str(marker))})
    path.write_bytes(blob)
    model = _model()
    _refused(model, path, WeightsFileError, "weights.npz", "not an .npz archive")
    assert not marker.exists()
    pickle.loads(blob)  # the payload is live
    assert marker.is_dir()


def test_a_pickled_npy_file_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "weights.npy"
    np.save(path, np.array([Payload(str(marker))], dtype=object), allow_pickle=True)
    _refused(_model(), path, WeightsFileError, "weights.npy", "single .npy")
    assert not marker.exists()


def test_a_pickle_disguised_as_an_npy_member_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    path = tmp_path / "disguised.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("0.weight.npy", pickle.dumps(Payload(str(marker))))
    _refused(_model(), path, WeightsFileError, "disguised.npz")
    assert not marker.exists()


def test_an_object_header_with_pickle_protocol_data_runs_nothing(tmp_path):
    # a well-formed .npy header declaring dtype object, followed by a pickle
    marker = tmp_path / "code-ran"
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array([Payload(str(marker))], dtype=object),
                              allow_pickle=True)
    path = tmp_path / "header.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2.bias.npy", buf.getvalue())
    _refused(_model(), path, WeightsFileError, "'2.bias'", "Python objects")
    assert not marker.exists()


# --------------------------------------------------------------------------- damaged files


def _saved(tmp_path, model=None) -> bytes:
    path = tmp_path / "good.npz"
    mg.save(model if model is not None else _model(seed=7), path)
    return path.read_bytes()


def test_every_truncation_is_refused_and_changes_nothing(tmp_path):
    data = _saved(tmp_path)
    model = _model()
    before = _snapshot(model)
    path = tmp_path / "cut.npz"
    for n in range(0, len(data), 7):
        path.write_bytes(data[:n])
        with pytest.raises(WeightsFileError, match="cut.npz"):
            model.load_state_dict(mg.load(path))
    _assert_unchanged(model, before)


def test_a_corrupted_value_is_caught_by_the_checksum(tmp_path):
    data = bytearray(_saved(tmp_path))
    # the first weight's values: after the first member's local header and .npy header
    start = data.index(b"\x93NUMPY")
    header_len = int.from_bytes(data[start + 8:start + 10], "little")
    data[start + 10 + header_len + 5] ^= 0xFF
    path = tmp_path / "flipped.npz"
    path.write_bytes(bytes(data))
    _refused(_model(), path, WeightsFileError, "flipped.npz", "corrupted", "CRC")


def test_a_header_rewritten_to_claim_objects_is_refused(tmp_path):
    # a consistent archive (checksums recomputed) whose first array now claims dtype object
    good = tmp_path / "good.npz"
    _saved(tmp_path)
    path = tmp_path / "header.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for i, name in enumerate(src.namelist()):
            member = src.read(name)
            if i == 0:
                member = member.replace(b"'descr': '<f8'", b"'descr': '|O' ", 1)
            dst.writestr(name, member)
    _refused(_model(), path, WeightsFileError, "header.npz", "'0.weight'", "Python objects")


def test_garbage_is_refused(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(b"PK\x03\x04" + np.random.RandomState(0).bytes(300))
    _refused(_model(), path, WeightsFileError, "noise.npz")


# --------------------------------------------------------------------------- mismatched files


def test_a_file_with_other_keys_is_refused(tmp_path):
    path = tmp_path / "linear.npz"
    mg.save(nn.Linear(13, 1, rng=0), path)  # keys weight, bias
    _refused(_model(), path, ValueError, "load_state_dict", "missing keys: 0.weight",
             "unexpected keys: weight, bias", "nothing was changed")


def test_a_file_missing_one_key_is_refused(tmp_path):
    path = tmp_path / "partial.npz"
    state = _model(seed=3).state_dict()
    del state["2.bias"]
    mg.save(state, path)
    _refused(_model(), path, ValueError, "missing keys: 2.bias")


def test_a_file_with_an_extra_key_is_refused(tmp_path):
    path = tmp_path / "extra.npz"
    state = _model(seed=3).state_dict()
    state["3.weight"] = np.ones((1, 1))
    mg.save(state, path)
    _refused(_model(), path, ValueError, "unexpected keys: 3.weight")


def test_a_file_with_other_shapes_is_refused(tmp_path):
    path = tmp_path / "wide.npz"
    mg.save(_model(hidden=8), path)
    _refused(_model(), path, ValueError, "'0.weight': shape (13, 8) in the state, (13, 13)",
             "'2.weight': shape (8, 1)")


def test_a_file_with_another_dtype_is_refused(tmp_path):
    path = tmp_path / "single.npz"
    mg.save(_model(dtype=np.float32), path)
    _refused(_model(), path, ValueError, "'0.weight': dtype float32 in the state, float64")


def test_a_file_with_integer_values_is_refused(tmp_path):
    path = tmp_path / "ints.npz"
    state = {k: v.astype(np.int64) for k, v in _model().state_dict().items()}
    mg.save(state, path)
    _refused(_model(), path, ValueError, "dtype int64 in the state, float64 in the model")
