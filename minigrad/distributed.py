"""Data-parallel training over MPI: every process holds the whole model, trains on its
own part of each batch, and the gradients are averaged across processes before every
update, as Horovod's ``DistributedOptimizer`` and PyTorch's ``DistributedDataParallel``
do.

A script written for one process needs four changes::

    from minigrad import distributed as dist

    dist.init()                                   # once; also makes an error abort the job
    loader = DataLoader(X, y, batch_size=64, shuffle=True, seed=0,
                        shard=(dist.rank(), dist.world_size()))
    dist.broadcast_parameters(model)              # every process starts from rank 0's weights
    opt = dist.DistributedOptimizer(optim.Adam(model.parameters(), lr=1e-3))

and is launched with ``mpirun -n 2 python train.py``. ``batch_size`` stays the global
batch: each of the ``world_size`` processes gets ``batch_size // world_size`` of its rows,
and the gradients of a loss that is a mean over the batch, averaged across processes,
are those of the whole batch (see :class:`minigrad.data.DataLoader`).

The communication goes through mpi4py (MPI for Python) and an MPI library, both in the
optional extra ``pip install 'minigrad[mpi]'`` (mpi4py and Open MPI's wheels; no system
package needed). This module imports without them; the functions that communicate
raise :class:`MPINotFoundError`, naming the extra, when they are missing.

Layers that look at the whole batch see only their process's rows: a batch norm's
statistics come from the shard, so such a model does not train exactly as on one
process, and its running statistics drift apart between processes;
:func:`average_buffers` averages them (before evaluating or saving, say).

Every function communicates through the communicator :func:`init` chose
(``MPI.COMM_WORLD`` unless told otherwise), or through the one passed as ``comm=``; all
processes of it must make the same calls in the same order, as with any MPI collective.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from . import _trace
from .nn.module import Module
from .tensor import Tensor

__all__ = [
    "MPINotFoundError", "DEFAULT_BUCKET_BYTES", "available", "init", "is_initialized",
    "communicator", "rank", "world_size", "barrier", "all_reduce", "broadcast_parameters",
    "broadcast_optimizer_state", "average_buffers", "check_synchronized",
    "DistributedOptimizer",
]

#: how the extra that brings MPI is installed
INSTALL = "pip install 'minigrad[mpi]'"
#: the largest message a bucket of gradients makes, as PyTorch DDP's default (25 MiB):
#: a model smaller than this is averaged in one message per dtype
DEFAULT_BUCKET_BYTES = 25 * 2**20

_OPS = ("mean", "sum", "max", "min")


class MPINotFoundError(ImportError):
    """mpi4py, or the MPI library it loads, is not installed."""


class _World:
    """The module's state: the mpi4py ``MPI`` module, the communicator, the hook flag."""

    MPI: Any = None
    comm: Any = None
    hooked: bool = False


def _mpi(where: str) -> Any:
    """The ``mpi4py.MPI`` module, imported on first use."""
    if _World.MPI is None:
        try:
            from mpi4py import MPI
        except (ImportError, RuntimeError, OSError) as e:
            raise MPINotFoundError(
                f"minigrad.distributed.{where} needs mpi4py and an MPI library, and they "
                f"could not be loaded ({type(e).__name__}: {e}); install them with: {INSTALL}"
            ) from e
        _World.MPI = MPI
    return _World.MPI


def available() -> bool:
    """Whether mpi4py and an MPI library can be loaded (without raising)."""
    try:
        _mpi("available")
    except MPINotFoundError:
        return False
    return True


def init(comm: Any = None, *, abort_on_error: bool = True) -> Any:
    """Start MPI (if mpi4py has not yet) and choose the communicator the other functions use.

    Calling the other functions first calls this with its defaults. Calling it again
    replaces the communicator.

    Args:
        comm: an mpi4py communicator; ``MPI.COMM_WORLD`` when None.
        abort_on_error: when a process has more than one, an exception that nothing
            catches (in the main thread or another) prints its traceback and then calls
            ``MPI.COMM_WORLD.Abort(1)``, which ends every process of the job. Without it
            the others would wait for the failed one in their next collective call, for
            ever.

    Returns:
        The communicator.
    """
    MPI = _mpi("init")
    _World.comm = MPI.COMM_WORLD if comm is None else comm
    if abort_on_error and not _World.hooked:
        _install_abort_hooks()
    return _World.comm


def is_initialized() -> bool:
    """Whether :func:`init` has chosen a communicator."""
    return _World.comm is not None


def communicator() -> Any:
    """The communicator in use (initializing with the defaults if needed)."""
    return _comm(None, "communicator")


def _comm(comm: Any, where: str) -> Any:
    if comm is not None:
        return comm
    if _World.comm is None:
        _mpi(where)
        init()
    return _World.comm


def rank(comm: Any = None) -> int:
    """This process's number, from 0 to ``world_size() - 1``."""
    return int(_comm(comm, "rank").Get_rank())


def world_size(comm: Any = None) -> int:
    """The number of processes."""
    return int(_comm(comm, "world_size").Get_size())


def barrier(comm: Any = None) -> None:
    """Wait until every process has called it."""
    _comm(comm, "barrier").Barrier()


# ----------------------------------------------------------------------------- errors
def _abort(exc_type: type[BaseException], where: str) -> None:
    comm = _World.comm
    if comm is None or comm.Get_size() < 2:
        return
    MPI = _World.MPI
    print(f"minigrad.distributed: rank {comm.Get_rank()} of {comm.Get_size()} raised "
          f"{exc_type.__name__} {where}; aborting every process of the job "
          "(MPI.COMM_WORLD.Abort(1))", file=sys.stderr, flush=True)
    sys.stdout.flush()
    MPI.COMM_WORLD.Abort(1)


def _install_abort_hooks() -> None:
    previous = sys.excepthook
    previous_thread = threading.excepthook

    def excepthook(exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            previous(exc_type, exc, tb)
        except Exception:  # a broken hook must not stop the abort
            traceback.print_exception(exc_type, exc, tb)
        sys.stderr.flush()
        _abort(exc_type, "in the main thread")

    def thread_excepthook(args: Any) -> None:
        previous_thread(args)
        sys.stderr.flush()
        name = args.thread.name if args.thread is not None else "?"
        _abort(args.exc_type, f"in thread {name!r}")

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    _World.hooked = True


def _agree(comm: Any, problem: str | None, where: str, error: type[Exception]) -> None:
    """Raise ``error`` on every process if any process found a problem, so that none goes
    on to a collective call that the others will not make."""
    problems = comm.allgather(problem)
    bad = [(r, p) for r, p in enumerate(problems) if p is not None]
    if bad:
        text = "; ".join(f"rank {r}: {p}" for r, p in bad)
        raise error(f"{where}: {text}")


# ----------------------------------------------------------------------------- buckets
def _buckets(arrays: Sequence[np.ndarray], bucket_bytes: int) -> list[list[int]]:
    """Indices of ``arrays`` grouped into messages: one dtype per message, in order,
    each at most ``bucket_bytes`` unless one array alone is larger; ``bucket_bytes=0``
    gives one message per array."""
    by_dtype: dict[np.dtype, list[int]] = {}
    for i, a in enumerate(arrays):
        by_dtype.setdefault(a.dtype, []).append(i)
    out: list[list[int]] = []
    for indices in by_dtype.values():
        current: list[int] = []
        size = 0
        for i in indices:
            nbytes = arrays[i].nbytes
            if current and size + nbytes > bucket_bytes:
                out.append(current)
                current, size = [], 0
            current.append(i)
            size += nbytes
        if current:
            out.append(current)
    return out


def _divide(a: np.ndarray, n: int) -> None:
    """a /= n in place; by a power of two as a multiplication, which gives the same bits
    and costs less than a division."""
    if n & (n - 1) == 0:
        np.multiply(a, 1.0 / n, out=a)
    else:
        np.divide(a, n, out=a)


def _check_bucket_bytes(value: Any, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        raise ValueError(f"{where}: bucket_bytes must be an int >= 0 (0: one message per "
                         f"array), got {value!r}")
    return int(value)


def _as_array(x: Any, where: str, i: int) -> np.ndarray:
    a = x.data if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"{where}: item {i} (shape {a.shape}) has dtype {a.dtype}; only "
                        "floating-point and integer arrays can be reduced")
    return a


def all_reduce(tensors: Any, op: str = "mean", *, comm: Any = None,
               bucket_bytes: int = DEFAULT_BUCKET_BYTES) -> Any:
    """Combine arrays element by element across processes.

    Args:
        tensors: a Tensor, a numpy array or a number, or a list or tuple of them. Every
            process passes the same number of items with the same shapes and dtypes.
        op: ``"mean"`` (floating-point items only), ``"sum"``, ``"max"`` or ``"min"``.
        comm: the communicator; the one :func:`init` chose when None.
        bucket_bytes: items are copied into few large messages (one dtype each) of at
            most this many bytes, rather than sent one by one; 0 sends one per item.

    Returns:
        New numpy arrays with the combined values, the same on every process: one array
        for one item, a list for a list or tuple. The inputs are not changed.

    Example:
        >>> mean_loss = float(dist.all_reduce(loss.item()))
    """
    where = "all_reduce"
    if op not in _OPS:
        raise ValueError(f"{where}: op must be one of {', '.join(map(repr, _OPS))}, got {op!r}")
    bucket_bytes = _check_bucket_bytes(bucket_bytes, where)
    single = not isinstance(tensors, (list, tuple))
    items = [tensors] if single else list(tensors)
    arrays = [_as_array(t, where, i) for i, t in enumerate(items)]
    if op == "mean":
        for i, a in enumerate(arrays):
            if a.dtype.kind != "f":
                raise TypeError(f"{where}: op='mean' needs floating-point items, item {i} "
                                f"(shape {a.shape}) has dtype {a.dtype}; use op='sum'")
    comm = _comm(comm, where)
    MPI = _mpi(where)
    mpi_op = {"mean": MPI.SUM, "sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}[op]
    size = comm.Get_size()
    out: list[np.ndarray] = [np.empty(0)] * len(arrays)
    for bucket in _buckets(arrays, bucket_bytes):
        buf = np.concatenate([arrays[i].ravel() for i in bucket])
        comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op)
        if op == "mean":
            _divide(buf, size)
        offset = 0
        for i in bucket:
            n = arrays[i].size
            out[i] = buf[offset:offset + n].reshape(arrays[i].shape)
            offset += n
    return out[0] if single else out


# ----------------------------------------------------------------------------- state
def _named_state(obj: Any, where: str) -> list[tuple[str, Any]]:
    """``(name, Tensor or array)`` for a module's parameters and buffers, a mapping's
    items or an iterable's items (named by position)."""
    if isinstance(obj, Module):
        items: list[tuple[str, Any]] = list(obj.named_parameters())
        items += list(obj.named_buffers())
    elif isinstance(obj, Mapping):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (Tensor, np.ndarray)):
        items = [("0", obj)]
    elif isinstance(obj, Iterable):
        items = [(str(i), v) for i, v in enumerate(obj)]
    else:
        raise TypeError(f"{where}: expected a Module, a mapping name -> Tensor or array, or "
                        f"an iterable of Tensors, got {type(obj).__name__}")
    for name, v in items:
        if not isinstance(v, (Tensor, np.ndarray)):
            raise TypeError(f"{where}: {name!r} is a {type(v).__name__}, not a Tensor or a "
                            "numpy array")
        if isinstance(v, np.ndarray) and not v.flags.writeable:
            raise ValueError(f"{where}: the array {name!r} (shape {v.shape}) is read-only, so "
                             "it cannot receive the values")
    return items


def _check_root(root: Any, size: int, where: str) -> int:
    if isinstance(root, (bool, np.bool_)) or not isinstance(root, (int, np.integer)) \
            or not 0 <= root < size:
        raise ValueError(f"{where}: root must be a rank from 0 to {size - 1}, got {root!r}")
    return int(root)


def broadcast_parameters(module_or_state: Any, root: int = 0, *, comm: Any = None,
                         bucket_bytes: int = DEFAULT_BUCKET_BYTES) -> None:
    """Give every process the values of process ``root``.

    Call it once after building the model (and after loading a checkpoint on ``root``),
    so that all processes start from the same weights.

    Args:
        module_or_state: a Module (its parameters and buffers), a mapping name -> Tensor
            or numpy array (``dict(model.named_parameters())``), or an iterable of
            Tensors. Tensors get new arrays (``.data``); numpy arrays are written in
            place. Names, shapes and dtypes must agree on every process: they are
            checked first, and a disagreement raises ``ValueError`` on every process.
        root: the rank whose values are sent.
        comm: the communicator; the one :func:`init` chose when None.
        bucket_bytes: the largest message, as in :func:`all_reduce`.
    """
    where = "broadcast_parameters"
    items = _named_state(module_or_state, where)
    bucket_bytes = _check_bucket_bytes(bucket_bytes, where)
    comm = _comm(comm, where)
    root = _check_root(root, comm.Get_size(), where)
    arrays = [v.data if isinstance(v, Tensor) else v for _, v in items]
    layout = [(name, a.shape, a.dtype.str) for (name, _), a in zip(items, arrays)]
    theirs = comm.bcast(layout, root=root)
    problem = None
    if theirs != layout:
        mine, other = dict((n, (s, d)) for n, s, d in layout), dict(
            (n, (s, d)) for n, s, d in theirs)
        diff = [n for n in dict.fromkeys([*mine, *other]) if mine.get(n) != other.get(n)]
        name = diff[0] if diff else "the order of the names"
        problem = (f"{len(layout)} items where rank {root} has {len(theirs)}; first "
                   f"difference: {name!r} is {mine.get(name)} here and {other.get(name)} on "
                   f"rank {root} (shape, dtype)")
    _agree(comm, problem, f"{where} refused, nothing was changed", ValueError)
    me = comm.Get_rank()
    for bucket in _buckets(arrays, bucket_bytes):
        if me == root:
            buf = np.concatenate([arrays[i].ravel() for i in bucket])
        else:
            buf = np.empty(sum(arrays[i].size for i in bucket), arrays[bucket[0]].dtype)
        comm.Bcast(buf, root=root)
        if me == root:
            continue
        offset = 0
        for i in bucket:
            a = arrays[i]
            value = buf[offset:offset + a.size].reshape(a.shape)
            offset += a.size
            target = items[i][1]
            if isinstance(target, Tensor):
                target.data = value.copy()
            else:
                np.copyto(target, value)


def broadcast_optimizer_state(optimizer: Any, root: int = 0, *, comm: Any = None) -> None:
    """Give every process the optimizer state of process ``root`` (its settings and
    buffers, ``state_dict()``), for instance after resuming from a checkpoint that only
    ``root`` loaded. The optimizers must be built over the same parameters."""
    where = "broadcast_optimizer_state"
    inner = optimizer.optimizer if isinstance(optimizer, DistributedOptimizer) else optimizer
    if not callable(getattr(inner, "state_dict", None)):
        raise TypeError(f"{where}: expected an optimizer, got {type(optimizer).__name__}")
    comm = _comm(comm, where)
    root = _check_root(root, comm.Get_size(), where)
    state = comm.bcast(inner.state_dict() if comm.Get_rank() == root else None, root=root)
    problem = None
    if comm.Get_rank() != root:
        try:
            inner.load_state_dict(state)
        except (ValueError, TypeError, KeyError) as e:
            problem = str(e)
    _agree(comm, problem, f"{where}: rank {root}'s state does not fit", ValueError)


def average_buffers(module: Module, *, comm: Any = None) -> None:
    """Replace each floating-point buffer of ``module`` (a batch norm's running mean and
    variance) with its mean across processes; integer buffers (step counts) are left as
    they are. Every process must pass the same model."""
    where = "average_buffers"
    if not isinstance(module, Module):
        raise TypeError(f"{where}: expected a Module, got {type(module).__name__}")
    buffers = [b for _, b in module.named_buffers() if b.data.dtype.kind == "f"]
    if not buffers:
        return
    for b, mean in zip(buffers, all_reduce([b.data for b in buffers], comm=comm)):
        b.data = np.array(mean)


def _digest(a: np.ndarray) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{a.dtype.str}{a.shape}".encode())
    h.update(np.ascontiguousarray(a).tobytes())
    return h.digest()


def check_synchronized(module_or_state: Any, *, comm: Any = None) -> None:
    """Raise ``RuntimeError`` on every process unless every parameter (and buffer) has
    the same bits on every process.

    A cheap check (one small message of 16-byte digests) to run now and then, or after
    every step in tests: data-parallel training keeps the copies equal only as long as
    every process applies the same update.

    Args:
        module_or_state: what :func:`broadcast_parameters` accepts.
        comm: the communicator; the one :func:`init` chose when None.
    """
    where = "check_synchronized"
    items = _named_state(module_or_state, where)
    comm = _comm(comm, where)
    mine = [(name, _digest(v.data if isinstance(v, Tensor) else v)) for name, v in items]
    everyone = comm.allgather(mine)
    differ = []
    for r, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            names = [n for (n, d), (n0, d0) in zip(theirs, everyone[0]) if (n, d) != (n0, d0)]
            if len(theirs) != len(everyone[0]):
                names.append(f"({len(theirs)} items, rank 0 has {len(everyone[0])})")
            differ.append(f"rank {r} differs from rank 0 in {', '.join(names)}")
    if differ:
        raise RuntimeError(f"{where}: the processes' copies are not the same: "
                           + "; ".join(differ))


# ----------------------------------------------------------------------------- optimizer
class DistributedOptimizer:
    """An optimizer whose ``step()`` first averages every parameter's gradient across
    processes, then updates, so that every process applies the same update.

    The gradients are copied into few large messages (one per dtype and per
    ``bucket_bytes``) and combined with one ``MPI_Allreduce`` each, then divided by the
    number of processes; each parameter's ``.grad`` is then a view of the result. With
    the loss a mean over each process's rows and every process given as many rows
    (``DataLoader(..., shard=...)``), the averaged gradient is that of the mean over
    the whole batch.

    A parameter whose gradient is None on every process keeps None (and the optimizer
    skips it, as without MPI); one that has a gradient on some processes only is an
    error, raised on every process. Everything else (``param_groups``, ``state``,
    ``zero_grad()``, ``state_dict()``, learning-rate schedulers) is the wrapped
    optimizer's.

    Args:
        optimizer: any :mod:`minigrad.optim` optimizer, built over the model's
            parameters on every process.
        bucket_bytes: the largest message; 0 sends one message per parameter.
        comm: the communicator; the one :func:`init` chose when None.

    Attributes:
        sync_time_s: seconds spent averaging gradients (copies and messages), summed
            over all steps; ``sync_calls`` counts the steps and ``messages`` the
            all-reduce calls.
    """

    def __init__(self, optimizer: Any, *, bucket_bytes: int = DEFAULT_BUCKET_BYTES,
                 comm: Any = None) -> None:
        where = "DistributedOptimizer"
        if isinstance(optimizer, DistributedOptimizer):
            raise TypeError(f"{where}: the optimizer is already a DistributedOptimizer")
        if not isinstance(getattr(optimizer, "param_groups", None), list) \
                or not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"{where}: expected an optimizer (with param_groups and step()), "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.bucket_bytes = _check_bucket_bytes(bucket_bytes, where)
        self.comm = _comm(comm, where)
        self.sync_time_s = 0.0
        self.sync_calls = 0
        self.messages = 0
        self._layout: tuple[Any, list[list[int]]] | None = None

    # the wrapped optimizer's attributes, so that schedulers and habits work unchanged
    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return self.optimizer.param_groups  # type: ignore[no-any-return]

    @property
    def state(self) -> Any:
        return self.optimizer.state

    @property
    def defaults(self) -> Any:
        return self.optimizer.defaults

    def __getattr__(self, name: str) -> Any:
        if name == "optimizer":  # not set yet: __init__ failed
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    def zero_grad(self) -> None:
        """The wrapped optimizer's ``zero_grad()``."""
        self.optimizer.zero_grad()

    def state_dict(self) -> dict[str, np.ndarray]:
        """The wrapped optimizer's ``state_dict()`` (the same on every process)."""
        return self.optimizer.state_dict()  # type: ignore[no-any-return]

    def load_state_dict(self, state: Any) -> None:
        """The wrapped optimizer's ``load_state_dict()``."""
        self.optimizer.load_state_dict(state)

    def _params(self) -> list[Tensor]:
        return [p for group in self.optimizer.param_groups for p in group["params"]]

    def _buckets(self, params: list[Tensor]) -> list[list[int]]:
        key = tuple((id(p), p.data.shape, p.data.dtype) for p in params)
        if self._layout is None or self._layout[0] != key:
            for i, p in enumerate(params):
                if p.data.dtype.kind != "f":
                    raise TypeError(f"DistributedOptimizer: parameter {i} (shape "
                                    f"{p.data.shape}) has dtype {p.data.dtype}; gradients "
                                    "are averaged in floating point only")
            self._layout = (key, _buckets([p.data for p in params], self.bucket_bytes))
        return self._layout[1]

    def synchronize(self) -> None:
        """Average the gradients across processes now, without updating (``step()``
        calls it first). For gradient clipping, call it, clip, then call the wrapped
        optimizer's ``step()``."""
        start = time.perf_counter()
        where = "DistributedOptimizer.synchronize"
        params = self._params()
        comm = self.comm
        size = comm.Get_size()
        MPI = _mpi(where)
        SUM, IN_PLACE = MPI.SUM, MPI.IN_PLACE
        for bucket in self._buckets(params):
            n = sum(params[i].data.size for i in bucket)
            dtype = params[bucket[0]].data.dtype
            # the gradients, then one flag per parameter: 1 where this process has one
            buf = np.empty(n + len(bucket), dtype)
            flags = buf[n:]
            flags[:] = 0
            offset = 0
            for k, i in enumerate(bucket):
                p = params[i]
                size_i = p.data.size
                g = p.grad
                if g is not None:
                    if g.data.shape != p.data.shape:
                        raise ValueError(f"{where}: parameter {i} has shape {p.data.shape} "
                                         f"but its gradient {g.data.shape}")
                    buf[offset:offset + size_i] = g.data.ravel()
                    flags[k] = 1
                else:
                    buf[offset:offset + size_i] = 0
                offset += size_i
            comm.Allreduce(IN_PLACE, buf, op=SUM)
            self.messages += 1
            partial = [(i, int(c)) for i, c in zip(bucket, flags) if 0 < c < size]
            if partial:
                text = ", ".join(f"parameter {i} (shape {params[i].data.shape}) on {c}"
                                 for i, c in partial)
                raise RuntimeError(
                    f"{where}: some parameters have a gradient on some processes only: "
                    f"{text} of {size}; every process must run the same model on its rows")
            grads = buf[:n]
            _divide(grads, size)
            offset = 0
            for k, i in enumerate(bucket):
                p = params[i]
                size_i = p.data.size
                if flags[k]:
                    p.grad = Tensor(grads[offset:offset + size_i].reshape(p.data.shape))
                offset += size_i
        self.sync_time_s += time.perf_counter() - start
        self.sync_calls += 1

    @_trace.effect(lambda self: self._params())  # under minigrad.compile: runs as itself
    def step(self) -> None:
        """Average the gradients across processes, then the wrapped optimizer's step."""
        self.synchronize()
        self.optimizer.step()

    def __repr__(self) -> str:
        return (f"DistributedOptimizer({self.optimizer!r}, {self.comm.Get_size()} processes, "
                f"bucket_bytes={self.bucket_bytes})")
