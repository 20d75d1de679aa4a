"""Packaging metadata that a newcomer or a packager relies on: the MIT license as an SPDX
string with its file, the type marker and the data inside the wheel, the tests and
examples inside the sdist, and the set-up scripts' contract. (CI builds both
distributions and runs them: .ci/run.)"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_license_is_mit_in_the_file_and_as_an_spdx_string():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert re.search(r'^license = "MIT"$', PYPROJECT, re.M)
    assert re.search(r'^license-files = \["LICENSE"\]$', PYPROJECT, re.M)
    assert "license = {" not in PYPROJECT  # the deprecated table form


def test_build_backend_understands_spdx_license_strings():
    (minimum,) = re.findall(r'"setuptools>=(\d+)', PYPROJECT)
    assert int(minimum) >= 77


def test_runtime_dependencies_and_extras():
    deps = re.search(r"^dependencies = \[(.*?)\]", PYPROJECT, re.M | re.S).group(1)
    for name in ("numpy", "graphviz", "tqdm"):
        assert f'"{name}' in deps
    for extra in ("dev", "plot", "docs"):
        assert re.search(rf"^{extra} = \[", PYPROJECT, re.M), extra
    dev = re.search(r"^dev = \[(.*?)\]", PYPROJECT, re.M | re.S).group(1)
    for name in ("pytest", "hypothesis", "ruff", "mypy", "nbclient", "ipykernel", "ipywidgets",
                 "build"):
        assert f'"{name}' in dev, name


def test_wheel_carries_the_type_marker_and_the_data():
    assert (ROOT / "minigrad" / "py.typed").is_file()
    assert re.search(r'^minigrad = \["py.typed"\]$', PYPROJECT, re.M)
    assert '"minigrad.datasets" = ["data/*.csv", "data/*.md"]' in PYPROJECT


def test_sdist_manifest_carries_what_its_tests_need():
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").split("\n")
    for line in ("graft tests", "graft examples", "graft docs", "graft benchmarks",
                 "include LICENSE README.md MANIFEST.in mkdocs.yml"):
        assert line in manifest, line


def test_scripts_are_executable_and_run_explains_a_missing_environment(tmp_path):
    for script in ("scripts/run", "scripts/setup.sh", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), script
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "MINIGRAD_ENV": str(tmp_path / "nothing-here")}
    done = subprocess.run([str(ROOT / "scripts" / "run"), "python", "-V"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "no Python environment at" in done.stderr and "scripts/setup.sh" in done.stderr


def test_run_uses_the_active_virtual_environment(tmp_path):
    fake = tmp_path / "venv" / "bin"
    fake.mkdir(parents=True)
    python = fake / "python"
    python.write_text("#!/bin/sh\necho fake python \"$@\"\n")
    python.chmod(0o755)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "VIRTUAL_ENV": str(tmp_path / "venv")}
    done = subprocess.run([str(ROOT / "scripts" / "run"), "python", "-m", "pytest"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fake python -m pytest"
