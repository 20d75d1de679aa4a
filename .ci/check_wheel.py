"""Install the built wheel into a fresh virtual environment and use it from outside the
repository: import, a small backward pass, the bundled data, and the py.typed marker as
mypy sees it.

Usage: python .ci/check_wheel.py DIST_DIR
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile
import textwrap

SMOKE = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    import minigrad as mg
    from minigrad.datasets import load_boston

    here = os.path.dirname(mg.__file__)
    assert "site-packages" in here, f"minigrad imported from {here}, not the installed wheel"
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    assert np.allclose(x.grad.data, [2.0, 4.0, 6.0]), x.grad
    ds = load_boston()
    assert ds.data.shape == (506, 13) and ds.target.shape == (506,), ds
    assert os.path.exists(os.path.join(here, "py.typed"))
    print("wheel smoke test passed:", mg.__version__, "from", here)
    """
)

TYPED = "import minigrad\nx: minigrad.Tensor = minigrad.tensor([1.0])\n"


def run(cmd: list[str], **kwargs) -> None:
    shown = [("<script>" if "\n" in c else c) for c in cmd]
    print("+", " ".join(shown), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def main(dist: str) -> None:
    wheels = glob.glob(os.path.join(dist, "minigrad-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"check_wheel: expected one minigrad wheel in {dist}, found {wheels}")
    with tempfile.TemporaryDirectory() as tmp:
        venv = os.path.join(tmp, "venv")
        run([sys.executable, "-m", "venv", venv])
        py = os.path.join(venv, "bin", "python")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        run([py, "-m", "pip", "install", "--quiet", wheels[0]], env=env)
        run([py, "-c", SMOKE], cwd=tmp, env=env)
        # mypy from this environment, reading the wheel's environment: py.typed must be there
        user = os.path.join(tmp, "user.py")
        with open(user, "w") as f:
            f.write(TYPED)
        run([sys.executable, "-m", "mypy", "--no-incremental", "--python-executable", py, user],
            cwd=tmp, env=env)


if __name__ == "__main__":
    main(sys.argv[1])
