"""Every ```python block of README.md and of the hand-written docs pages runs, as a reader
would paste it: on its own, in an empty folder, with nothing defined beforehand."""

from __future__ import annotations

import pathlib
import re
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def _blocks(path: pathlib.Path = README) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _FENCE.finditer(text)]


def test_the_readme_has_python_blocks_to_run():
    # the extractor itself: a README rewrite that changed the fences would otherwise make
    # every block below silently disappear from the suite
    lines = [line for line, _ in _blocks()]
    assert len(lines) >= 5, lines


@pytest.mark.parametrize(
    "line, code", [pytest.param(line, code, id=f"line{line}") for line, code in _blocks()]
)
def test_readme_block_runs(line, code, tmp_path, monkeypatch):
    if "viz.save(" in code or "viz.draw(" in code:
        if shutil.which("dot") is None:
            pytest.skip("needs graphviz's dot program (bash scripts/setup.sh installs it)")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    exec(compile(code, f"README.md, block at line {line}", "exec"), namespace)


def test_readme_viz_block_writes_an_svg(tmp_path, monkeypatch):
    blocks = [c for _, c in _blocks() if "viz.save(" in c]
    assert blocks
    code = blocks[0]
    if shutil.which("dot") is None:
        pytest.skip("needs graphviz's dot program (bash scripts/setup.sh installs it)")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md, viz block", "exec"), {"__name__": "__main__"})
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "matmul" in svg


def test_the_docs_pages_have_python_blocks_to_run():
    assert sum(len(_blocks(path)) for path in DOCS) >= 3, DOCS


@pytest.mark.parametrize(
    "path, line, code",
    [pytest.param(path, line, code, id=f"{path.stem}-line{line}")
     for path in DOCS for line, code in _blocks(path)],
)
def test_docs_block_runs(path, line, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # history.plot() draws off screen
    try:
        exec(compile(code, f"{path.name}, block at line {line}", "exec"), {"__name__": "__main__"})
    finally:
        plt = __import__("sys").modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
