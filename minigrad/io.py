"""Save and load weights as ``.npz`` archives, without pickle.

A weights file is an uncompressed ``.npz`` archive, the format ``numpy.savez`` writes
and ``numpy.load`` reads: one ``<name>.npy`` member per array, keyed by the dotted
parameter name (``"0.weight"``, ``"encoder.bias"``, ...). Only numeric arrays (bool,
integer, floating point, complex) are written, never pickled objects, and loading
refuses pickled data, so loading a file cannot run code from it. Loading also refuses
compressed members (``numpy.savez_compressed`` writes them) and any size in the file that
disagrees with the others or with the file's size, before reading any array data, so a
file cannot make ``load`` take much more memory than the file's own size.

Optimizers and learning-rate schedulers save the same way: their ``state_dict()`` is a
flat dict of named numeric arrays (``param_groups.0.lr``, ``state.3.exp_avg``,
``last_epoch``, ...; the naming is described in :mod:`minigrad.optim.optimizers` and
:mod:`minigrad.optim.lr_scheduler`), so ``save(optimizer, path)`` writes it and
``optimizer.load_state_dict(load(path))`` restores it, which checks every name, shape and
setting before changing anything. Nothing here is specific to them.

``save`` writes the archive into a temporary file next to the target and renames it
over the target with ``os.replace``: a reader sees either the old file or the whole
new one, and a failure half-way leaves the old file untouched.

The archive is written with :mod:`zipfile` and :func:`numpy.lib.format.write_array`,
exactly as ``numpy.savez`` does, rather than by calling ``numpy.savez`` itself:
``savez`` takes the arrays as keyword arguments, so parameters named ``file`` or
``allow_pickle`` would collide with its own arguments, and it appends ``.npz`` to
paths without that suffix. Here the path is used exactly as given.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "WeightsFileError"]

# bool, signed and unsigned integers, floating point, complex
_NUMERIC_KINDS = frozenset("biufc")
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_NPY_SIGNATURE = b"\x93NUMPY"
_EOCD_SIGNATURE = b"PK\x05\x06"  # the zip "end of central directory" record


class WeightsFileError(ValueError):
    """A file given to :func:`load` is not a valid, pickle-free ``.npz`` weights file."""


# ----------------------------------------------------------------------------- save
def _state_arrays(obj) -> dict[str, np.ndarray]:
    """Collect ``name -> numeric array`` from a module (``state_dict()``) or a mapping."""
    state_dict = getattr(obj, "state_dict", None)
    if callable(state_dict):
        items, source = state_dict(), f"{type(obj).__name__}.state_dict()"
    elif isinstance(obj, Mapping):
        items, source = obj, "the mapping"
    else:
        raise TypeError(
            "minigrad.save: expected a module with a state_dict() method or a mapping "
            f"name -> array, got {type(obj).__name__}"
        )
    if not isinstance(items, Mapping):
        raise TypeError(f"minigrad.save: {source} returned {type(items).__name__}, not a mapping")

    arrays: dict[str, np.ndarray] = {}
    for key, value in items.items():
        if not isinstance(key, str) or not key or "\x00" in key:
            raise TypeError(
                f"minigrad.save: names must be non-empty strings without NUL characters; "
                f"{source} has the key {key!r}"
            )
        if isinstance(value, Tensor):
            arr = value.data
        else:
            try:
                arr = np.asarray(value)
            except Exception as e:  # anything __array__ may raise
                raise TypeError(
                    f"minigrad.save: {key!r} ({type(value).__name__}) cannot be converted to "
                    f"an array ({e})"
                ) from e
        if arr.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(
                f"minigrad.save: {key!r} has dtype {arr.dtype}; only numeric arrays (bool, "
                "integer, floating point, complex) can be saved, objects are never pickled"
            )
        arrays[key] = arr
    return arrays


def _write_npz(f, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` to the binary file ``f`` as an uncompressed ``.npz`` archive."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in arrays.items():
            # force_zip64 as numpy.savez does: sizes are unknown when a member is opened
            with zf.open(key + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def save(module_or_state_dict, path: str | os.PathLike) -> None:
    """Save weights to ``path`` as an uncompressed ``.npz`` archive, atomically.

    Args:
        module_or_state_dict: anything with a ``state_dict()`` method returning a
            mapping name -> Tensor or array (a ``minigrad.nn.Module``), or such a
            mapping itself. Values may be Tensors (their ``.data`` is saved) or anything
            ``numpy.asarray`` turns into a numeric array; dtypes and shapes are kept.
        path: the file to write. It is used exactly as given: no ``.npz`` suffix is
            added (unlike ``numpy.savez``), though ``.npz`` is the conventional one.
            An existing file is replaced only once the new one is complete.

    Raises:
        TypeError: for an unsupported object, a name that is not a non-empty string,
            or a value that is not numeric (object, string, ... arrays are refused;
            nothing is ever pickled).
        OSError: when the file cannot be written; the previous file, if any, is kept.
    """
    arrays = _state_arrays(module_or_state_dict)
    path = os.fsdecode(os.fspath(path))
    directory, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.tmp")
    # os.open with O_EXCL never clobbers an existing file, and mode 0o666 lets the umask
    # give the file the permissions any new file would get (mkstemp would force 0o600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ----------------------------------------------------------------------------- load
#
# load reads the archive with its own small zip reader instead of zipfile and numpy.load.
# Both trust sizes written in the file: zipfile inflates a bzip2 member in one call
# whatever its size, numpy allocates the array a .npy header declares before reading it,
# and neither notices members that overlap or that claim more bytes than the file holds.
# Here every structure is checked first (the end record, the central directory, each
# local header, each .npy header), each against the others and against the file's size
# on disk, and only then is any array data read. Members must be stored uncompressed and
# laid out one after another without gaps or overlaps, as zipfile and numpy.savez write
# them, so the arrays returned never add up to more bytes than the file holds.

_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_LOCAL = struct.Struct("<4s5H3I2H")  # signature ... name length, extra length: 30 bytes
_CENTRAL = struct.Struct("<4s6H3I5H2I")  # 46 bytes, then name, extra field, comment
_EOCD = struct.Struct("<4s4H2IH")  # 22 bytes, then the archive comment
_ZIP64_EOCD = struct.Struct("<4sQ2H2I4Q")  # 56 bytes
_ZIP64_LOCATOR = struct.Struct("<4sIQI")  # 20 bytes
_ZIP64_EXTRA_ID = 0x0001
# a data descriptor after a member's data, by its length: (has a signature, 64-bit sizes)
_DESCRIPTORS = {12: (False, "<3I"), 16: (True, "<4s3I"), 20: (False, "<IQQ"), 24: (True, "<4sIQQ")}
_FLAG_ENCRYPTED = 0x0001 | 0x0040 | 0x2000  # traditional, strong, masked directory
_FLAG_DESCRIPTOR = 0x0008  # crc and sizes follow the data instead of the local header
_FLAG_UTF8 = 0x0800
_COMPRESSION_NAMES = {1: "shrink", 6: "implode", 8: "deflate", 9: "deflate64", 12: "bzip2",
                      14: "lzma", 93: "zstandard", 95: "xz", 98: "ppmd"}
# what reading a damaged file can raise, besides our own checks (numpy's .npy header
# parser is wrapped where it is called)
_FORMAT_ERRORS = (ValueError, EOFError, struct.error, OverflowError,
                  OSError)  # OSError: e.g. the file shrinking while it is read


@dataclass
class _Member:
    name: str  # as stored in the archive, e.g. "0.weight.npy"
    raw_name: bytes
    flags: int
    method: int
    crc: int
    size: int  # stored and uncompressed size: the same for a stored member
    offset: int  # where its local header starts
    data_offset: int = 0  # where its bytes start, after the local header
    header_size: int = 0  # of its .npy header
    shape: tuple = ()
    fortran_order: bool = False
    dtype: np.dtype | None = None

    @property
    def key(self) -> str:
        return self.name[: -len(".npy")]


class _Archive:
    """A stored-only zip archive, open for reading; every read is bounded by its size."""

    def __init__(self, f, path: str):
        self.f = f
        self.path = path
        self.size = os.fstat(f.fileno()).st_size

    def fail(self, message: str) -> NoReturn:
        raise WeightsFileError(f"minigrad.load: {self.path!r}: {message}")

    def read(self, offset: int, n: int, what: str) -> bytes:
        if offset < 0 or n < 0 or offset + n > self.size:
            self.fail(
                f"{what} ({n} bytes at offset {offset}) would run past the end of the file "
                f"({self.size} bytes); the file is truncated or corrupted"
            )
        self.f.seek(offset)
        data = self.f.read(n)
        if len(data) != n:
            self.fail(f"{what}: read {len(data)} of {n} bytes; the file changed while loading")
        return data

    # ------------------------------------------------------------------ the directory
    def _end_record(self) -> tuple[int, int, int, int]:
        """(member count, directory offset, directory size, where the directory must end)."""
        tail_size = min(self.size, _EOCD.size + 0xFFFF)  # the record and a <= 64 KiB comment
        tail_start = self.size - tail_size
        tail = self.read(tail_start, tail_size, "the end of the archive")
        # the record is followed by its comment, which runs exactly to the end of the file
        at = [i for i in _find_all(tail, _EOCD_SIGNATURE)
              if i + _EOCD.size <= tail_size
              and i + _EOCD.size + int.from_bytes(tail[i + 20 : i + 22], "little") == tail_size]
        if not at:
            self.fail(
                "no zip end-of-central-directory record ends the file; it is truncated or "
                "not an .npz archive"
            )
        comment = tail[at[0] + _EOCD.size :]
        if _EOCD_SIGNATURE in comment:
            self.fail(
                f"the zip comment ({len(comment)} bytes) contains the end-of-central-"
                "directory signature PK\\x05\\x06, so where the archive's directory is "
                "cannot be told for sure; refusing it"
            )
        eocd = tail_start + at[0]
        _, disk, cd_disk, disk_count, count, cd_size, cd_offset, _ = _EOCD.unpack_from(
            tail, at[0])
        if disk or cd_disk or disk_count != count:
            self.fail("the archive spans several disks, which is not supported")
        cd_end = eocd
        locator = eocd - _ZIP64_LOCATOR.size
        if locator >= 0 and self.read(locator, 4, "the zip64 locator") == \
                _ZIP64_LOCATOR_SIGNATURE:
            _, z_disk, z_offset, z_disks = _ZIP64_LOCATOR.unpack(
                self.read(locator, _ZIP64_LOCATOR.size, "the zip64 locator"))
            if z_disk or z_disks > 1:
                self.fail("the archive spans several disks, which is not supported")
            record = self.read(z_offset, _ZIP64_EOCD.size, "the zip64 end record")
            (signature, rest, _, _, z_disk, z_cd_disk, z_disk_count, z_count, z_cd_size,
             z_cd_offset) = _ZIP64_EOCD.unpack(record)
            if signature != _ZIP64_EOCD_SIGNATURE or rest < _ZIP64_EOCD.size - 12 or \
                    z_offset + 12 + rest != locator:
                self.fail(
                    f"the zip64 locator points to offset {z_offset}, where no zip64 end "
                    f"record ends at the locator (offset {locator}); the file is corrupted"
                )
            if z_disk or z_cd_disk or z_disk_count != z_count:
                self.fail("the archive spans several disks, which is not supported")
            for name, short, full, sentinel in (
                    ("member count", count, z_count, 0xFFFF),
                    ("directory size", cd_size, z_cd_size, 0xFFFFFFFF),
                    ("directory offset", cd_offset, z_cd_offset, 0xFFFFFFFF)):
                if short not in (full, sentinel):
                    self.fail(
                        f"the end record gives the {name} {short}, the zip64 end record "
                        f"{full}; the file is corrupted"
                    )
            count, cd_size, cd_offset, cd_end = z_count, z_cd_size, z_cd_offset, z_offset
        if cd_offset + cd_size != cd_end:
            self.fail(
                f"the central directory ({cd_size} bytes at offset {cd_offset}) does not end "
                f"where the end records begin (offset {cd_end}); the file is corrupted or "
                "has data before or inside the archive"
            )
        return count, cd_offset, cd_size, cd_end

    def _zip64(self, extra: bytes, fields: list[tuple[str, int, int]], where: str) -> list[int]:
        """Resolve ``(name, value, width)`` fields: a 4-byte value (2 for the disk) of all
        ones stands for one of ``width`` bytes in the zip64 extra field, where such fields
        appear in order; other values are kept."""
        data = None
        at = 0
        while at + 4 <= len(extra):
            kind, length = struct.unpack_from("<HH", extra, at)
            if at + 4 + length > len(extra):
                self.fail(f"{where} has a damaged extra field; the file is corrupted")
            if kind == _ZIP64_EXTRA_ID:
                if data is not None:
                    self.fail(f"{where} has two zip64 extra fields; the file is corrupted")
                data = extra[at + 4 : at + 4 + length]
            at += 4 + length
        values = []
        used = 0
        for name, value, width in fields:
            if value == (0xFFFF if width == 4 else 0xFFFFFFFF):
                if data is None or used + width > len(data):
                    self.fail(
                        f"{where} leaves its {name} to a zip64 extra field that is missing "
                        "or too short; the file is corrupted"
                    )
                value = int.from_bytes(data[used : used + width], "little")
                used += width
            values.append(value)
        return values

    def members(self) -> list[_Member]:
        """Every member, checked against the others and the file's size; no data read."""
        count, cd_offset, cd_size, _ = self._end_record()
        directory = self.read(cd_offset, cd_size, "the central directory")
        members: list[_Member] = []
        names: set[str] = set()
        at = 0
        while at < cd_size:  # at most cd_size / 46 entries
            where = f"central directory entry {len(members) + 1} (offset {cd_offset + at})"
            if at + _CENTRAL.size > cd_size:
                self.fail(f"{where} is cut off by the end of the directory; the file is corrupted")
            (signature, _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len,
             comment_len, disk, _, _, offset) = _CENTRAL.unpack_from(directory, at)
            if signature != _CENTRAL_SIGNATURE:
                self.fail(f"{where} does not start with a directory entry signature; the file "
                          "is corrupted")
            start = at + _CENTRAL.size
            at = start + name_len + extra_len + comment_len
            if at > cd_size:
                self.fail(f"{where} runs past the end of the directory; the file is corrupted")
            raw_name = directory[start : start + name_len]
            usize, csize, offset, disk = self._zip64(
                directory[start + name_len : start + name_len + extra_len],
                [("uncompressed size", usize, 8), ("stored size", csize, 8),
                 ("offset", offset, 8), ("disk", disk, 4)], where)  # fmt: skip
            try:
                name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
            except UnicodeDecodeError:
                self.fail(f"{where} has a name that is not valid UTF-8: {raw_name!r}")
            where = f"member {name!r}"
            if not name.endswith(".npy") or "\x00" in name:
                self.fail(f"contains {name!r}, which is not a .npy array; not a weights file")
            if name in names:
                self.fail(f"holds {name[: -len('.npy')]!r} twice")
            names.add(name)
            if flags & _FLAG_ENCRYPTED:
                self.fail(f"{where} is encrypted; weights files are not")
            if method != 0:
                kind = _COMPRESSION_NAMES.get(method, "an unknown method")
                self.fail(
                    f"{where} is compressed ({kind}, zip method {method}, {csize} bytes "
                    f"declared to inflate to {usize}); load reads only uncompressed (stored) "
                    "members, as minigrad.save and numpy.savez write them. Save the weights "
                    "again with minigrad.save or numpy.savez (not savez_compressed)"
                )
            if csize != usize:
                self.fail(
                    f"{where} is stored uncompressed but its directory entry gives "
                    f"{csize} stored bytes and {usize} uncompressed bytes; the file is corrupted"
                )
            if disk:
                self.fail(f"{where} is on disk {disk}; multi-disk archives are not supported")
            members.append(_Member(name, raw_name, flags, method, crc, usize, offset))
        if len(members) != count:
            self.fail(f"declares {count} members but its directory lists {len(members)}; the "
                      "file is corrupted")
        ends = [m.offset for m in members[1:]] + [cd_offset]
        expected = 0
        for member, end in zip(members, ends):
            self._check_local_header(member, expected, end, cd_offset)
            expected = end
        if not members and cd_offset != 0:
            self.fail(f"{cd_offset} bytes before the central directory belong to no member")
        return members

    def _check_local_header(self, m: _Member, expected: int, end: int, cd_offset: int) -> None:
        """Check m's local header against its directory entry, and that m's bytes (local
        header, data, any data descriptor) fill exactly ``expected`` to ``end``."""
        where = f"member {m.name!r}"
        if m.offset != expected:
            self.fail(
                f"{where} starts at offset {m.offset}, but the previous member ends at "
                f"{expected}; members overlap or bytes between them belong to no member, so "
                "the file is corrupted"
            )
        header = self.read(m.offset, _LOCAL.size, f"the local header of {where}")
        (signature, _, flags, method, _, _, crc, csize, usize, name_len,
         extra_len) = _LOCAL.unpack(header)
        if signature != _LOCAL_SIGNATURE:
            self.fail(f"{where}: no local header at offset {m.offset}; the file is corrupted")
        name_and_extra = self.read(m.offset + _LOCAL.size, name_len + extra_len,
                          f"the local header of {where}")
        if name_and_extra[:name_len] != m.raw_name:
            self.fail(f"{where} is named {name_and_extra[:name_len]!r} in its local header; "
                      "the file is corrupted")
        if method != m.method or (flags ^ m.flags) & (_FLAG_ENCRYPTED | _FLAG_DESCRIPTOR):
            self.fail(f"{where}: its local header and its directory entry disagree on how it "
                      "is stored; the file is corrupted")
        usize, csize = self._zip64(
            name_and_extra[name_len:],
            [("uncompressed size", usize, 8), ("stored size", csize, 8)],
            f"the local header of {where}",
        )
        local = {"CRC-32": crc, "stored size": csize, "uncompressed size": usize}
        for name, value in local.items():
            # with a data descriptor the local header may leave these at zero
            if value != (m.crc if name == "CRC-32" else m.size) and not (
                    m.flags & _FLAG_DESCRIPTOR and value == 0):
                self.fail(
                    f"{where}: its local header gives the {name} {value}, its directory "
                    f"entry {m.crc if name == 'CRC-32' else m.size}; the file is corrupted"
                )
        m.data_offset = m.offset + _LOCAL.size + name_len + extra_len
        data_end = m.data_offset + m.size
        if data_end > end:
            self.fail(
                f"{where} declares {m.size} bytes of data at offset {m.data_offset}, past "
                f"{'the next member' if end < cd_offset else 'the central directory'} at "
                f"offset {end} (the file has {self.size} bytes); the file is truncated or "
                "corrupted"
            )
        if m.flags & _FLAG_DESCRIPTOR:
            layout = _DESCRIPTORS.get(end - data_end)
            if layout is None:
                self.fail(f"{where}: {end - data_end} bytes after its data, where a data "
                          "descriptor of 12 to 24 bytes should be; the file is corrupted")
            has_signature, fmt = layout
            values = struct.unpack(fmt, self.read(data_end, end - data_end,
                                                  f"the data descriptor of {where}"))
            if has_signature and values[0] != _DESCRIPTOR_SIGNATURE:
                self.fail(f"{where}: its data descriptor has no signature; the file is "
                          "corrupted")
            if tuple(values[-3:]) != (m.crc, m.size, m.size):
                self.fail(
                    f"{where}: its data descriptor gives CRC-32 {values[-3]}, sizes "
                    f"{values[-2]} and {values[-1]}, its directory entry {m.crc} and "
                    f"{m.size}; the file is corrupted"
                )
        elif data_end != end:
            self.fail(
                f"{end - data_end} bytes after {where} (offset {data_end} to {end}) belong to "
                "no member; the file is corrupted"
            )

    # ------------------------------------------------------------------ the arrays
    def check_array_header(self, m: _Member) -> None:
        """Parse m's .npy header (bounded by m's size) and check its dtype and shape."""
        key = m.key
        start = self.read(m.data_offset, min(m.size, 12), f"the .npy header of {key!r}")
        version = np.lib.format.read_magic(io.BytesIO(start))  # ValueError if not .npy
        if version not in ((1, 0), (2, 0)):
            self.fail(
                f"{key!r} uses .npy format version {version}, which only non-numeric arrays "
                "need; not a weights file"
            )
        length_size = 2 if version == (1, 0) else 4
        if m.size < 8 + length_size:
            self.fail(f"{key!r}: its .npy header is cut off after {m.size} bytes; the file is "
                      "corrupted")
        m.header_size = 8 + length_size + int.from_bytes(start[8 : 8 + length_size], "little")
        if m.header_size > m.size:
            self.fail(
                f"{key!r}: its .npy header claims {m.header_size} bytes but the member holds "
                f"{m.size}; the file is corrupted"
            )
        header = io.BytesIO(self.read(m.data_offset, m.header_size, f"the .npy header of {key!r}"))
        np.lib.format.read_magic(header)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        try:
            shape, fortran_order, dtype = read_header(header)
        except Exception as e:  # a damaged header can fail numpy's parser in many ways
            self.fail(f"{key!r}: its .npy header cannot be parsed ({type(e).__name__}: {e}); "
                      "the file is corrupted")
        if dtype.hasobject:
            self.fail(
                f"{key!r} holds Python objects (pickled data); refusing to load it, since "
                "unpickling can run arbitrary code"
            )
        if dtype.kind not in _NUMERIC_KINDS:
            self.fail(f"{key!r} has the non-numeric dtype {dtype}")
        if any(n < 0 for n in shape):
            self.fail(f"{key!r} declares the shape {shape}, with a negative size")
        expected = math.prod(shape) * dtype.itemsize
        if m.size - m.header_size != expected:
            self.fail(
                f"{key!r} declares shape {shape} of {dtype} ({expected} bytes) but holds "
                f"{m.size - m.header_size} bytes; the file is corrupted"
            )
        m.shape, m.fortran_order, m.dtype = shape, fortran_order, dtype

    def read_array(self, m: _Member) -> np.ndarray:
        """m's array, read straight into its own memory and checked against its CRC-32."""
        crc = zlib.crc32(self.read(m.data_offset, m.header_size, f"the .npy header of {m.key!r}"))
        array = np.empty(math.prod(m.shape), dtype=m.dtype)
        raw = array.view(np.uint8)
        got = self.f.readinto(raw)  # the file position is right after the header
        if got != raw.size:
            self.fail(f"{m.key!r}: read {got} of {raw.size} bytes; the file changed while "
                      "loading")
        crc = zlib.crc32(raw, crc)
        if crc != m.crc:
            self.fail(
                f"{m.key!r}: the data's CRC-32 is {crc:#010x}, the directory says "
                f"{m.crc:#010x}; the file is corrupted"
            )
        if m.fortran_order:
            return array.reshape(m.shape[::-1]).transpose()
        return array.reshape(m.shape)


def _find_all(data: bytes, sub: bytes):
    at = data.find(sub)
    while at >= 0:
        yield at
        at = data.find(sub, at + 1)


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load weights written by :func:`save` (or any pickle-free, uncompressed numeric
    ``.npz``, as ``numpy.savez`` writes).

    The whole archive's structure is checked before any array is read: its members must
    be stored uncompressed, one after another, and every size in it must agree with the
    others and with the file's size, so loading never allocates more memory than the
    file's size, whatever the file claims.

    Returns:
        A new dict name -> numpy array, in the order stored in the file. The arrays are
        read into memory and the file is closed before returning.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError (all OSError): the file
            cannot be opened.
        WeightsFileError (a ValueError): the file is not an ``.npz`` archive, is
            truncated or corrupted, has compressed or encrypted members (e.g. from
            ``numpy.savez_compressed``), or holds pickled objects or non-numeric arrays.
            Nothing in the file is ever unpickled or executed.
    """
    path = os.fsdecode(os.fspath(path))
    with open(path, "rb") as f:
        signature = f.read(len(_NPY_SIGNATURE))
        if not signature:
            raise WeightsFileError(f"minigrad.load: {path!r} is empty, not an .npz archive")
        if signature.startswith(_NPY_SIGNATURE):
            raise WeightsFileError(
                f"minigrad.load: {path!r} is a single .npy array, not an .npz archive; "
                "use numpy.load(path, allow_pickle=False) for it"
            )
        if not signature.startswith(_ZIP_SIGNATURES):
            raise WeightsFileError(
                f"minigrad.load: {path!r} is not an .npz archive (it does not start with a "
                "zip signature)"
            )
        try:
            archive = _Archive(f, path)
            members = archive.members()
            for member in members:  # every header is checked before any data is read
                archive.check_array_header(member)
            return {member.key: archive.read_array(member) for member in members}
        except WeightsFileError:
            raise
        except _FORMAT_ERRORS as e:
            raise WeightsFileError(
                f"minigrad.load: {path!r} cannot be read as an .npz weights file; it is "
                f"truncated or corrupted ({type(e).__name__}: {e})"
            ) from e
