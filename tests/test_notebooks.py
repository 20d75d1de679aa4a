"""The notebooks in examples/notebooks run top to bottom in a fresh kernel, and are kept in
the repository without outputs (so that diffs show only what a person wrote)."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 3, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} hold outputs or execution counts; clear them "
        "(Jupyter: Edit > Clear Outputs of All Cells) before committing"
    )
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: widget state is stored"


def _kernel(monkeypatch):
    """A kernel manager for this interpreter, importing this checkout's minigrad."""
    pytest.importorskip("nbclient")  # the dev extra
    pytest.importorskip("ipykernel")
    from jupyter_client.manager import KernelManager

    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    km = KernelManager(kernel_name="python3")
    km.kernel_spec.argv[0] = sys.executable  # not whichever `python` is first on PATH
    return km


def _run(nb, cwd, monkeypatch):
    from nbclient import NotebookClient

    client = NotebookClient(nb, km=_kernel(monkeypatch), timeout=300,
                            resources={"metadata": {"path": str(cwd)}})
    return client.execute()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    _run(nb, tmp_path, monkeypatch)  # raises CellExecutionError naming the failing cell
    errors = [out for cell in nb.cells for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors
    assert any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_fit_shows_its_progress_in_a_notebook(tmp_path, monkeypatch):
    """In a Jupyter kernel, progress is on by default: tqdm's widget (ipywidgets, in the dev
    extra), else its text bar as a stderr stream."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "from minigrad import nn, optim, train\n"
        "train.PROGRESS_AFTER = 0.0\n"
        "X = np.random.default_rng(0).standard_normal((30, 3)); y = X[:, :1] * 2\n"
        "model = nn.Linear(3, 1, rng=0)\n"
        "history = train.fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1),\n"
        "                    (X, y), epochs=5)\n"
        "history"
    )]
    _run(nb, tmp_path, monkeypatch)
    outputs = nb.cells[0].outputs
    shown = json.dumps([o for o in outputs if o.get("output_type") != "execute_result"])
    if importlib.util.find_spec("ipywidgets") is not None:  # the dev extra has it
        assert "application/vnd.jupyter.widget-view+json" in shown, shown
    else:  # tqdm's text bar, which Jupyter renders too
        assert "5/5" in shown and "epoch/s" in shown, shown
    (result,) = [o for o in outputs if o.get("output_type") == "execute_result"]
    assert result["data"]["text/plain"].startswith("History(epochs=5, steps=5, train_loss=")
