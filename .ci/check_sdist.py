"""Unpack the built sdist and run its own test suite against its own copy of minigrad.

Usage: python .ci/check_sdist.py DIST_DIR
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tarfile
import tempfile


def main(dist: str) -> None:
    sdists = glob.glob(os.path.join(dist, "minigrad-*.tar.gz"))
    if len(sdists) != 1:
        sys.exit(f"check_sdist: expected one minigrad sdist in {dist}, found {sdists}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(sdists[0]) as tar:
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4, 3.10.12
                tar.extractall(tmp, filter="data")
            else:
                tar.extractall(tmp)
        (root,) = glob.glob(os.path.join(tmp, "minigrad-*"))
        env = dict(os.environ, PYTHONPATH=root)
        where = subprocess.run(
            [sys.executable, "-c", "import minigrad; print(minigrad.__file__)"],
            cwd=root, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()
        if not where.startswith(root):
            sys.exit(f"check_sdist: minigrad came from {where}, not from the sdist at {root}")
        print(f"running the sdist's tests in {root}", flush=True)
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                       cwd=root, env=env, check=True)


if __name__ == "__main__":
    main(sys.argv[1])
