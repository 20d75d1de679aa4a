"""Tests for minigrad.io: pickle-free, atomic save/load of weights."""

import functools
import io
import os
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
import zlib
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
    np.savez(theirs, a=np.arange(5), b=np.eye(2, dtype=np.float32))
    _assert_same(load(theirs), {"a": np.arange(5), "b": np.eye(2, dtype=np.float32)})
    # compressed archives are refused: their declared sizes cannot be checked before inflating
    squeezed = tmp_path / "squeezed.npz"
    np.savez_compressed(squeezed, a=np.arange(5))
    with pytest.raises(WeightsFileError, match=r"squeezed\.npz.*'a\.npy' is compressed \(deflate"
                       r".*minigrad\.save or numpy\.savez \(not savez_compressed\)"):
        load(squeezed)


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


# ----------------------------------------------------------------------------- hostile archives
#
# Archives built byte by byte. load checks every size in them against the others and
# against the file's size before it reads any array data, so whatever a file claims,
# loading it never needs much more memory than the file's size.

_MB = 1 << 20


def _npy(shape, descr="<f8", data=b"", version=(1, 0), header_length=None):
    """A .npy header for ``shape`` and ``descr`` (its length field replaced if given), then
    ``data``."""
    out = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(out, header)
    else:
        np.lib.format.write_array_header_2_0(out, header)
    raw = bytearray(out.getvalue())
    if header_length is not None:
        width = 2 if version == (1, 0) else 4
        raw[8 : 8 + width] = header_length.to_bytes(width, "little")
    return bytes(raw) + data


def _local(name, payload, *, size=None, crc=None, method=0, flags=0, zip64=False):
    """A zip local file header for ``name``, then ``payload``; sizes as given or true."""
    name = name.encode()
    size = len(payload) if size is None else size
    crc = zlib.crc32(payload) if crc is None else crc
    extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
    short = 0xFFFFFFFF if zip64 else size
    return struct.pack("<4s5H3I2H", b"PK\x03\x04", 45, flags, method, 0, 0x21, crc, short,
                       short, len(name), len(extra)) + name + extra + payload  # fmt: skip


def _central(name, payload, offset, *, size=None, stored=None, crc=None, method=0, flags=0,
             zip64=False):
    """The central directory entry for a member at ``offset``."""
    name = name.encode()
    size = len(payload) if size is None else size
    stored = size if stored is None else stored
    crc = zlib.crc32(payload) if crc is None else crc
    extra = struct.pack("<HHQQ", 1, 16, size, stored) if zip64 else b""
    if zip64:
        size = stored = 0xFFFFFFFF
    fixed = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 45, 45, flags, method, 0, 0x21, crc,
                        stored, size, len(name), len(extra), 0, 0, 0, 0, offset)  # fmt: skip
    return fixed + name + extra


def _end(count, directory_size, directory_offset, comment=b""):
    return struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, directory_size,
                       directory_offset, len(comment)) + comment  # fmt: skip


def _archive(members, comment=b""):
    """A well-formed stored archive of ``(name, payload)`` members, one after another."""
    body = directory = b""
    for name, payload in members:
        directory += _central(name, payload, len(body))
        body += _local(name, payload)
    return body + directory + _end(len(members), len(directory), len(body), comment)


def _weights(n=3):
    return [("w.npy", _npy((n,), data=np.arange(n, dtype="<f8").tobytes())),
            ("b.npy", _npy((2,), descr="<i4", data=np.array([1, 2], "<i4").tobytes()))]


def _load_traced(path):
    """load(path) under tracemalloc: (the exception raised, the peak traced bytes)."""
    tracemalloc.start()
    try:
        load(path)
    except Exception as e:  # returned for the caller to check
        error = e
    else:
        error = None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return error, peak


def test_the_hand_built_archives_are_valid(tmp_path):
    path = tmp_path / "plain.npz"
    path.write_bytes(_archive(_weights(), comment=b"trained for 3 epochs"))
    expected = {"w": np.arange(3.0), "b": np.array([1, 2], np.int32)}
    _assert_same(load(path), expected)
    with np.load(path) as npz:
        _assert_same({k: npz[k] for k in npz.files}, expected)


@functools.cache
def _bomb(method, megabytes):
    """A zip with one compressed member whose .npy header truly declares ``megabytes``
    MiB of float64 zeros: inflating it takes that much memory, from a small file."""
    count = megabytes * _MB // 8
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method, compresslevel=1) as zf:
        with zf.open("w.npy", "w", force_zip64=True) as member:
            member.write(_npy((count,)))
            zeros = bytes(4 * _MB)
            for _ in range(megabytes // 4):
                member.write(zeros)
    return out.getvalue()


@pytest.mark.parametrize(
    "method, name, megabytes",
    [(zipfile.ZIP_BZIP2, "bzip2", 64), (zipfile.ZIP_DEFLATED, "deflate", 64),
     (zipfile.ZIP_LZMA, "lzma", 4)],  # fmt: skip
)
def test_compressed_members_are_refused_before_inflating(tmp_path, method, name, megabytes):
    path = tmp_path / "bomb.npz"
    path.write_bytes(_bomb(method, megabytes))
    assert path.stat().st_size < megabytes * _MB // 100  # at least 100 times smaller
    error, peak = _load_traced(path)
    assert isinstance(error, WeightsFileError), error
    message = str(error)
    assert "bomb.npz" in message
    assert f"'w.npy' is compressed ({name}, zip method {method}" in message
    assert f"inflate to {megabytes * _MB + 128}" in message
    assert peak < 50 * _MB


def test_a_compression_bomb_stays_small_in_another_process(tmp_path):
    """The peak resident memory of a fresh process, which also counts allocations that
    tracemalloc does not see (the decompressor's own)."""
    pytest.importorskip("resource")  # not on Windows
    path = tmp_path / "bomb.npz"
    path.write_bytes(_bomb(zipfile.ZIP_BZIP2, 64))
    script = textwrap.dedent(
        """
        import resource, sys
        from minigrad.io import WeightsFileError, load
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            load(sys.argv[1])
        except WeightsFileError:
            print("refused", end=" ")
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, env=env, timeout=60, check=True)  # fmt: skip
    verdict, grown = done.stdout.split()
    assert verdict == "refused"
    grown_bytes = int(grown) * (1 if sys.platform == "darwin" else 1024)  # KiB on Linux
    assert grown_bytes < 50 * _MB


@pytest.mark.parametrize(
    "payload",
    [
        # a float64 array of 8 TiB - 128 bytes, after a 128-byte header: 8 TiB in all
        _npy((2**40 - 16,), data=bytes(64)),
        # a .npy 2.0 header whose length field claims 4 GiB; numpy reads that much of
        # whatever the zip member is said to hold
        _npy((8,), version=(2, 0), header_length=0xFFFFFFF0, data=bytes(64)),
    ],
    ids=["array", "npy-header"],
)
def test_a_stored_member_larger_than_the_file_is_refused_without_allocating(tmp_path, payload):
    # local header, zip64 extra fields and the directory agree on 8 TiB; the file holds 64
    size = 8 << 40
    local = _local("w.npy", payload, size=size, zip64=True)
    directory = _central("w.npy", payload, 0, size=size, zip64=True)
    data = local + directory + _end(1, len(directory), len(local))
    path = tmp_path / "huge.npz"
    path.write_bytes(data)
    error, peak = _load_traced(path)
    assert isinstance(error, WeightsFileError), error
    assert f"'w.npy' declares {size} bytes of data at offset 55, past the central directory " \
        f"at offset {len(local)} (the file has {len(data)} bytes)" in str(error)
    assert peak < _MB


def test_members_nested_inside_each_other_are_refused(tmp_path):
    """Each member's data holds the next member whole: 20 arrays of about 1 MiB each from
    a 1 MiB file (a stored 'overlapping files' zip bomb), unless overlaps are refused."""
    names = [f"m{i}.npy" for i in range(20)]
    inner = bytes(_MB)
    payloads = [_npy((len(inner),), "|u1", inner)]
    record = _local(names[-1], payloads[0])
    for name in reversed(names[:-1]):
        payloads.insert(0, _npy((len(record),), "|u1", record))
        record = _local(name, payloads[0])
    members = list(zip(names, payloads))
    # every member's bytes run to the end of the outermost one
    offsets = [len(record) - (30 + len(n) + len(p)) for n, p in members]
    directory = b"".join(_central(n, p, o) for (n, p), o in zip(members, offsets))
    path = tmp_path / "nested.npz"
    path.write_bytes(record + directory + _end(len(members), len(directory), len(record)))
    with zipfile.ZipFile(path) as zf:  # every member is a valid, distinct entry to zipfile
        assert zf.read(names[-1]) == payloads[-1]
        assert sum(info.file_size for info in zf.infolist()) > 19 * path.stat().st_size
    error, peak = _load_traced(path)
    assert isinstance(error, WeightsFileError), error
    assert f"member 'm0.npy' declares {len(members[0][1])} bytes of data at offset 36, past " \
        f"the next member at offset {offsets[1]}" in str(error)
    assert peak < path.stat().st_size


@given(
    base=st.sampled_from(["hand-built", "saved"]),
    edits=st.lists(
        st.tuples(st.integers(0, 10**6),
                  st.sampled_from([b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x00",
                                   b"PK\x05\x06", b"\x00", b"\x01", b"\x80", b"\xff"])),
        min_size=1, max_size=4),
)
def test_damaged_archives_never_take_more_memory_than_their_size(tmp_path_factory, base, edits):
    """Whatever sizes a damaged file claims, loading it is refused or gives arrays, and
    never traces more memory than a small multiple of the file's size."""
    tmp_path = tmp_path_factory.mktemp("edits")
    data = bytearray(_archive(_weights()) if base == "hand-built" else _saved_bytes(tmp_path))
    for position, patch in edits:
        at = position % len(data)
        data[at : at + len(patch)] = patch
    path = tmp_path / "edited.npz"
    path.write_bytes(bytes(data))
    error, peak = _load_traced(path)
    assert error is None or isinstance(error, WeightsFileError), error
    assert peak < 256 * 1024 + 4 * len(data)  # a parse's own overhead, then the arrays


def _disagreeing(case):
    """A two-member archive with one inconsistency, and the words its error must hold."""
    (w, wdata), (b, bdata) = _weights()
    good_w, good_b = _local(w, wdata), _local(b, bdata)
    cw = dict(name=w, payload=wdata, offset=0)
    cb = dict(name=b, payload=bdata, offset=len(good_w))
    between = b""
    if case == "local-size":
        good_w = _local(w, wdata, size=len(wdata) - 8)
        words = f"'w.npy': its local header gives the stored size {len(wdata) - 8}, its " \
            f"directory entry {len(wdata)}"
    elif case == "local-crc":
        good_w = _local(w, wdata, crc=12345)
        words = "'w.npy': its local header gives the CRC-32 12345"
    elif case == "local-method":
        good_w = _local(w, wdata, method=8)
        words = "its local header and its directory entry disagree on how it is stored"
    elif case == "stored-vs-uncompressed":
        cw["stored"] = len(wdata) + 8
        words = f"gives {len(wdata) + 8} stored bytes and {len(wdata)} uncompressed bytes"
    elif case == "npy-shape":
        wdata = _npy((4,), data=np.arange(3.0).tobytes())
        good_w, cw["payload"] = _local(w, wdata), wdata
        words = "'w' declares shape (4,) of float64 (32 bytes) but holds 24 bytes"
    elif case == "npy-header-length":
        wdata = _npy((3,), data=bytes(24), header_length=1000)
        good_w, cw["payload"] = _local(w, wdata), wdata
        words = f"'w': its .npy header claims 1010 bytes but the member holds {len(wdata)}"
    elif case == "gap":
        between = bytes(16)
        cb["offset"] += 16
        words = f"16 bytes after member 'w.npy' (offset {len(good_w)} to {len(good_w) + 16}) " \
            "belong to no member"
    elif case == "same-data-twice":
        cb = dict(name=w, payload=wdata, offset=0)
        words = "holds 'w' twice"
    elif case == "member-past-directory":
        cb["size"] = len(bdata) + 1
        good_b = _local(b, bdata, size=len(bdata) + 1)
        words = f"'b.npy' declares {len(bdata) + 1} bytes of data"
    body = good_w + between + good_b
    directory = _central(**cw) + _central(**cb)
    return body + directory + _end(2, len(directory), len(body)), words


@pytest.mark.parametrize(
    "case",
    ["local-size", "local-crc", "local-method", "stored-vs-uncompressed", "npy-shape",
     "npy-header-length", "gap", "same-data-twice", "member-past-directory"],
)
def test_sizes_that_disagree_are_refused(tmp_path, case):
    data, words = _disagreeing(case)
    path = tmp_path / f"{case}.npz"
    path.write_bytes(data)
    with pytest.raises(WeightsFileError) as info:
        load(path)
    assert f"{case}.npz" in str(info.value)
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "comment",
    [
        # a whole empty end record as the comment: zipfile takes it for the archive's own
        b"" + _end(0, 0, 0),
        b"notes " + _end(0, 0, 0) + b" more notes",
        b"PK\x05\x06",
    ],
    ids=["record-at-the-end", "record-inside", "signature-only"],
)
def test_a_comment_holding_the_end_record_signature_is_refused(tmp_path, comment):
    path = tmp_path / "comment.npz"
    path.write_bytes(_archive(_weights(), comment=comment))
    with pytest.raises(WeightsFileError, match=r"comment\.npz'.*zip comment \(\d+ bytes\) "
                       r"contains the end-of-central-directory signature"):
        load(path)


def test_directory_offsets_must_match_the_end_record(tmp_path):
    data = bytearray(_archive(_weights()))
    eocd = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    data[eocd + 16 : eocd + 20] = (offset - 4).to_bytes(4, "little")
    path = tmp_path / "shifted.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsFileError, match=rf"directory \(\d+ bytes at offset {offset - 4}\) "
                       rf"does not end where the end records begin \(offset {eocd}\)"):
        load(path)


def _zip64_end(count, directory_size, directory_offset, end_offset):
    record = struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count,
                         directory_size, directory_offset)  # fmt: skip
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end_offset, 1)
    return record + locator


def test_zip64_end_records_are_read_and_checked(tmp_path):
    members = _weights()
    body = directory = b""
    for name, payload in members:
        directory += _central(name, payload, len(body), zip64=True)
        body += _local(name, payload, zip64=True)
    end_offset = len(body) + len(directory)
    path = tmp_path / "z64.npz"
    path.write_bytes(body + directory + _zip64_end(2, len(directory), len(body), end_offset)
                     + _end(0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF))  # fmt: skip
    expected = {"w": np.arange(3.0), "b": np.array([1, 2], np.int32)}
    _assert_same(load(path), expected)
    with np.load(path) as npz:  # what numpy makes of it
        _assert_same({k: npz[k] for k in npz.files}, expected)
    path.write_bytes(body + directory + _zip64_end(2, len(directory), len(body), end_offset)
                     + _end(3, 0xFFFFFFFF, 0xFFFFFFFF))  # fmt: skip
    with pytest.raises(WeightsFileError, match="the end record gives the member count 3, the "
                       "zip64 end record 2"):
        load(path)


class _Stream:
    """A write-only stream, such as a pipe: zipfile cannot seek back to fill in a member's
    sizes and CRC, so it writes them in a data descriptor after the member's data."""

    def __init__(self):
        self.chunks = []

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self):
        pass


def test_archives_with_data_descriptors_load_and_are_checked(tmp_path):
    stream = _Stream()
    with zipfile.ZipFile(stream, "w") as zf:  # as numpy.savez writes, but to a stream
        for key, array in (("w", np.arange(6.0).reshape(2, 3)), ("b", np.array([1, 2], "i4"))):
            with zf.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array)
    data = bytearray(b"".join(stream.chunks))
    assert data.count(b"PK\x07\x08") == 2  # one descriptor after each member
    path = tmp_path / "streamed.npz"
    path.write_bytes(bytes(data))
    _assert_same(load(path), {"w": np.arange(6.0).reshape(2, 3), "b": np.array([1, 2], np.int32)})
    descriptor = data.index(b"PK\x07\x08")
    data[descriptor + 8] ^= 1  # its stored size
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsFileError, match="'w.npy': its data descriptor gives CRC-32"):
        load(path)
