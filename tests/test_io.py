"""Tests for minigrad.io: pickle-free, atomic save/load of weights."""

import io
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.io import WeightsFileError, load, save


def _state():
    return OrderedDict(
        [
            ("0.weight", np.arange(6, dtype=np.float32).reshape(2, 3) / 7),
            ("0.bias", np.array([0.1, -0.2], dtype=np.float32)),
            ("2.weight", np.random.RandomState(0).randn(3, 2)),
            ("2.bias", np.array(1.5)),  # 0-d
            ("steps", np.array([3], dtype=np.int64)),
            ("mask", np.array([True, False])),
            ("empty", np.zeros((0, 4))),
            ("fortran", np.asfortranarray(np.arange(12.0).reshape(3, 4))),
            ("strided", np.arange(20.0)[::3]),
            ("file", np.ones(2)),  # names that numpy.savez would take as its own arguments
            ("allow_pickle", np.zeros(1)),
        ]
    )


def _assert_same(loaded, expected):
    assert type(loaded) is dict
    assert list(loaded) == list(expected)
    for key, arr in expected.items():
        assert isinstance(loaded[key], np.ndarray), key
        assert loaded[key].dtype == arr.dtype, key
        assert loaded[key].shape == arr.shape, key
        np.testing.assert_array_equal(loaded[key], arr)


class _Module:
    """Stands in for a Module: anything with state_dict() can be saved."""

    def __init__(self):
        self.w = minigrad.tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
        self.b = minigrad.tensor(np.zeros(2))

    def state_dict(self):
        return OrderedDict([("layer.w", self.w), ("layer.b", self.b)])


# ----------------------------------------------------------------------------- round trip


def test_round_trip_keeps_names_order_dtypes_and_values(tmp_path):
    path = tmp_path / "weights.npz"
    state = _state()
    assert save(state, path) is None
    loaded = load(path)
    _assert_same(loaded, state)
    assert loaded["0.weight"].dtype == np.float32 and loaded["2.weight"].dtype == np.float64
    assert all(arr.flags.writeable for arr in loaded.values())
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temporary file left behind


def test_round_trip_of_a_module_and_of_tensors(tmp_path):
    module = _Module()
    save(module, tmp_path / "m.npz")
    loaded = load(str(tmp_path / "m.npz"))
    _assert_same(loaded, {"layer.w": module.w.data, "layer.b": module.b.data})
    save({"t": minigrad.tensor([1.0, 2.0])}, tmp_path / "t.npz")
    _assert_same(load(tmp_path / "t.npz"), {"t": np.array([1.0, 2.0])})


def test_top_level_names_are_the_io_functions():
    assert minigrad.save is save and minigrad.load is load


def test_files_are_ordinary_npz_both_ways(tmp_path):
    ours = tmp_path / "ours.npz"
    save(_state(), ours)
    with np.load(ours, allow_pickle=False) as npz:
        _assert_same({k: npz[k] for k in npz.files}, _state())
        # written uncompressed, as numpy.savez does
        assert {i.compress_type for i in npz.zip.infolist()} == {zipfile.ZIP_STORED}
    theirs = tmp_path / "theirs.npz"
    np.savez_compressed(theirs, a=np.arange(5), b=np.eye(2, dtype=np.float32))
    _assert_same(load(theirs), {"a": np.arange(5), "b": np.eye(2, dtype=np.float32)})


def test_path_is_kept_exactly_and_existing_files_are_replaced(tmp_path):
    path = tmp_path / "weights"  # no .npz suffix: none is added
    save({"a": np.ones(3)}, path)
    assert sorted(os.listdir(tmp_path)) == ["weights"]
    save({"b": np.zeros(2)}, path)
    _assert_same(load(path), {"b": np.zeros(2)})


def test_empty_state_round_trips(tmp_path):
    save({}, tmp_path / "e.npz")
    assert load(tmp_path / "e.npz") == {}


# ----------------------------------------------------------------------------- refusing pickle


@pytest.mark.parametrize(
    "value",
    [
        np.array([{"a": 1}], dtype=object),
        np.array(["text"]),
        object(),
        [object(), 1],
    ],
    ids=["object-array", "str-array", "object", "list-of-objects"],
)
def test_save_refuses_non_numeric_values(tmp_path, value):
    path = tmp_path / "w.npz"
    save({"keep": np.ones(2)}, path)
    with pytest.raises(TypeError, match=r"minigrad.save: 'bad' .*(dtype|array)"):
        save({"ok": np.zeros(1), "bad": value}, path)
    _assert_same(load(path), {"keep": np.ones(2)})  # the old file is untouched
    assert os.listdir(tmp_path) == ["w.npz"]


def test_save_refuses_bad_containers_and_names(tmp_path):
    with pytest.raises(TypeError, match="state_dict"):
        save([np.ones(2)], tmp_path / "w.npz")
    for key in (1, "", "a\x00b"):
        with pytest.raises(TypeError, match="names must be non-empty strings"):
            save({key: np.ones(1)}, tmp_path / "w.npz")

    class Broken:
        def state_dict(self):
            return [("a", np.ones(1))]

    with pytest.raises(TypeError, match=r"Broken.state_dict\(\) returned list"):
        save(Broken(), tmp_path / "w.npz")
    assert os.listdir(tmp_path) == []


class _Payload:
    """Unpickling this creates a directory: the proof that code from a file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_load_refuses_pickled_objects_and_runs_nothing(tmp_path):
    marker = tmp_path / "code-ran"
    evil = tmp_path / "evil.npz"
    # numpy.savez pickles object arrays by default: a realistic hostile weights file
    np.savez(evil, weight=np.ones(3), payload=np.array([_Payload(str(marker))], dtype=object))
    with pytest.raises(WeightsFileError, match=r"evil\.npz.*'payload'.*pickle") as info:
        load(evil)
    assert isinstance(info.value, ValueError)
    assert not marker.exists()
    # the payload is live: loading it the unsafe way does run it
    with np.load(evil, allow_pickle=True) as npz:
        npz["payload"]
    assert marker.is_dir()


def test_load_refuses_non_numeric_arrays(tmp_path):
    path = tmp_path / "s.npz"
    np.savez(path, names=np.array(["a", "b"]))
    with pytest.raises(WeightsFileError, match="non-numeric dtype <U1"):
        load(path)


# ----------------------------------------------------------------------------- bad files


def _saved_bytes(tmp_path):
    path = tmp_path / "good.npz"
    save({"w": np.arange(6.0).reshape(2, 3), "b": np.array([1, 2], dtype=np.int32)}, path)
    return path.read_bytes()


def test_every_truncation_is_refused(tmp_path):
    data = _saved_bytes(tmp_path)
    path = tmp_path / "cut.npz"
    for n in range(len(data)):
        path.write_bytes(data[:n])
        with pytest.raises(WeightsFileError, match=r"cut\.npz"):
            load(path)


@given(position=st.integers(0, 10**6), value=st.integers(0, 255))
def test_a_damaged_byte_is_caught_or_harmless(tmp_path_factory, position, value):
    """Changing any one byte either is refused or leaves the loaded arrays unchanged
    (a zip header field that is not used, such as a timestamp)."""
    tmp_path = tmp_path_factory.mktemp("flip")
    data = bytearray(_saved_bytes(tmp_path))
    data[position % len(data)] = value
    path = tmp_path / "flipped.npz"
    path.write_bytes(bytes(data))
    try:
        loaded = load(path)
    except WeightsFileError as e:
        assert "flipped.npz" in str(e)
    else:
        _assert_same(loaded, {"w": np.arange(6.0).reshape(2, 3), "b": np.array([1, 2], np.int32)})


def test_every_byte_inverted_is_caught_or_harmless(tmp_path):
    data = _saved_bytes(tmp_path)
    path = tmp_path / "inverted.npz"
    expected = {"w": np.arange(6.0).reshape(2, 3), "b": np.array([1, 2], np.int32)}
    refused = 0
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            loaded = load(path)
        except WeightsFileError:
            refused += 1
        else:
            _assert_same(loaded, expected)
    assert refused > len(data) // 2  # most bytes matter


def test_a_damaged_directory_does_not_silently_drop_arrays(tmp_path):
    """zipfile walks the central directory by its byte size: a damaged comment length in
    the first entry turns the entries after it into that comment, so zipfile alone lists
    one array. The member count in the end record disagrees, and load refuses."""
    data = bytearray(_saved_bytes(tmp_path))
    eocd = data.rindex(b"PK\x05\x06")
    first = int.from_bytes(data[eocd + 16 : eocd + 20], "little")  # directory offset
    second = data.index(b"PK\x01\x02", first + 4)
    assert int.from_bytes(data[first + 32 : first + 34], "little") == 0  # no comment yet
    data[first + 32 : first + 34] = (eocd - second).to_bytes(2, "little")
    path = tmp_path / "short.npz"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:  # what zipfile alone makes of it
        assert zf.namelist() == ["w.npy"]
    with pytest.raises(WeightsFileError, match="declares 2 members but its directory lists 1"):
        load(path)


@given(st.binary(max_size=300), st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"\x80\x04"]))
def test_garbage_is_refused(tmp_path_factory, garbage, prefix):
    path = tmp_path_factory.mktemp("garbage") / "junk.npz"
    path.write_bytes(prefix + garbage)
    with pytest.raises(WeightsFileError, match=r"junk\.npz"):
        load(path)


def test_specific_bad_files_have_specific_messages(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(WeightsFileError, match="is empty"):
        load(empty)
    npy = tmp_path / "single.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(WeightsFileError, match=r"single \.npy array, not an \.npz archive"):
        load(npy)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(WeightsFileError, match="not an .npz archive"):
        load(text)
    script = tmp_path / "script.npz"
    with zipfile.ZipFile(script, "w") as zf:
        zf.writestr("run.py", "print('hi')")
    with pytest.raises(WeightsFileError, match=r"'run.py', which is not a \.npy array"):
        load(script)


def test_a_header_claiming_a_huge_array_is_refused_before_allocating(tmp_path):
    member = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    np.lib.format.write_array_header_1_0(member, header)
    member.write(np.zeros(2).tobytes())
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", member.getvalue())
    with pytest.raises(WeightsFileError, match=r"declares shape \(1000000000000,\).*corrupted"):
        load(path)


def test_missing_file_and_directory_are_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load(tmp_path / "nowhere.npz")
    with pytest.raises(IsADirectoryError):
        load(tmp_path)
    with pytest.raises(FileNotFoundError):
        save({"a": np.ones(1)}, tmp_path / "no-such-dir" / "w.npz")


# ----------------------------------------------------------------------------- atomicity


def test_a_failure_while_writing_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    save({"old": np.ones(4)}, path)
    before = path.read_bytes()
    real_write_array = np.lib.format.write_array
    calls = []

    def write_then_fail(fp, array, *args, **kwargs):
        calls.append(array.shape)
        if len(calls) == 2:  # the first array is already in the new archive
            raise OSError("disk full")
        return real_write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save({"a": np.zeros(1000), "b": np.zeros(3)}, path)
    assert len(calls) == 2
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]  # the temporary file is gone


def test_a_failed_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    save({"old": np.ones(4)}, path)
    before = path.read_bytes()

    def fail(src, dst):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(PermissionError):
        save({"new": np.zeros(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]
