"""Save and load weights as ``.npz`` archives, without pickle.

A weights file is an uncompressed ``.npz`` archive, the format ``numpy.savez`` writes
and ``numpy.load`` reads: one ``<name>.npy`` member per array, keyed by the dotted
parameter name (``"0.weight"``, ``"encoder.bias"``, ...). Only numeric arrays (bool,
integer, floating point, complex) are written, never pickled objects, and loading
refuses pickled data, so loading a file cannot run code from it.

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
import math
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load", "WeightsFileError"]

# bool, signed and unsigned integers, floating point, complex
_NUMERIC_KINDS = frozenset("biufc")
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_NPY_SIGNATURE = b"\x93NUMPY"
_EOCD_SIGNATURE = b"PK\x05\x06"  # the zip "end of central directory" record
_EOCD_SIZE = 22
# what reading a damaged or hostile archive can raise, besides our own checks
_FORMAT_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    EOFError,
    KeyError,
    zlib.error,
    struct.error,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted member
    OverflowError,
    OSError,  # e.g. a seek to a negative offset read from a corrupted directory
)


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
def _declared_member_count(f) -> int | None:
    """The member count stored in the zip's end record, or None if it is not there.

    :mod:`zipfile` walks the central directory by its byte size and never compares the
    entries it found with this count, so a damaged length field in the directory could
    otherwise drop arrays without any error.
    """
    f.seek(0, os.SEEK_END)
    size = f.tell()
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)  # the record, then a comment of <= 64 KiB
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    return None if count == 0xFFFF else count  # 0xFFFF: the count is in the zip64 record


def _check_archive(f, path: str) -> list[str]:
    """Validate every member of the open ``.npz`` file ``f``; return the array names.

    Each member must be a ``.npy`` file whose header declares a numeric dtype and whose
    size matches the declared shape. Headers are parsed as literals by numpy, never
    evaluated, and no data is read, so a hostile file is refused before anything
    (pickled objects, or a shape that would allocate terabytes) is acted on.
    """
    keys: list[str] = []
    with zipfile.ZipFile(f) as zf:
        infos = zf.infolist()
        declared = _declared_member_count(f)
        if declared is not None and declared != len(infos):
            raise WeightsFileError(
                f"minigrad.load: {path!r} declares {declared} members but its directory "
                f"lists {len(infos)}; the file is corrupted"
            )
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise WeightsFileError(
                    f"minigrad.load: {path!r} contains {info.filename!r}, which is not a .npy "
                    "array; not a weights file"
                )
            key = info.filename[: -len(".npy")]
            if key in keys:
                raise WeightsFileError(f"minigrad.load: {path!r} holds {key!r} twice")
            with zf.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                else:
                    raise WeightsFileError(
                        f"minigrad.load: {path!r}: {key!r} uses .npy format version "
                        f"{version}, which only non-numeric arrays need; not a weights file"
                    )
                header_size = member.tell()
            if dtype.hasobject:
                raise WeightsFileError(
                    f"minigrad.load: {path!r}: {key!r} holds Python objects (pickled data); "
                    "refusing to load it, since unpickling can run arbitrary code"
                )
            if dtype.kind not in _NUMERIC_KINDS:
                raise WeightsFileError(
                    f"minigrad.load: {path!r}: {key!r} has the non-numeric dtype {dtype}"
                )
            expected = math.prod(shape) * dtype.itemsize
            if info.file_size - header_size != expected:
                raise WeightsFileError(
                    f"minigrad.load: {path!r}: {key!r} declares shape {shape} of {dtype} "
                    f"({expected} bytes) but holds {info.file_size - header_size} bytes; "
                    "the file is corrupted"
                )
            keys.append(key)
    return keys


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Load weights written by :func:`save` (or any pickle-free numeric ``.npz``).

    Returns:
        A new dict name -> numpy array, in the order stored in the file. The arrays are
        read into memory and the file is closed before returning.

    Raises:
        FileNotFoundError, IsADirectoryError, PermissionError (all OSError): the file
            cannot be opened.
        WeightsFileError (a ValueError): the file is not an ``.npz`` archive, is
            truncated or corrupted, or holds pickled objects or non-numeric arrays.
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
            f.seek(0)
            keys = _check_archive(f, path)
            f.seek(0)
            with np.load(f, allow_pickle=False) as npz:
                if list(npz.files) != keys:
                    raise WeightsFileError(
                        f"minigrad.load: {path!r}: numpy lists the arrays {npz.files}, "
                        f"expected {keys}"
                    )
                return {key: npz[key] for key in keys}
        except WeightsFileError:
            raise
        except _FORMAT_ERRORS as e:
            raise WeightsFileError(
                f"minigrad.load: {path!r} cannot be read as an .npz weights file; it is "
                f"truncated or corrupted ({type(e).__name__}: {e})"
            ) from e
