"""Run under ``mpirun -n 2``: rank 1 raises while rank 0 waits in an all-reduce that
rank 1 will never join. minigrad.distributed.init's hook must print rank 1's traceback
and abort the whole job, instead of leaving rank 0 waiting for ever."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

from minigrad import distributed as dist  # noqa: E402


def main() -> None:
    dist.init()
    dist.all_reduce(np.ones(3))  # both ranks are up and talking
    if dist.rank() == 1:
        raise ValueError("rank 1 fails on purpose")
    dist.all_reduce(np.ones(3))  # rank 0 waits here
    print("rank 0 got past the all-reduce", flush=True)


if __name__ == "__main__":
    main()
