"""Pages generated at build time, by the MkDocs hook in docs/hooks.py.

- the op reference, from the ops' own table (:func:`ops_page`);
- the tutorials, from the notebooks in examples/notebooks (:func:`notebook_page`);
- the benchmark tables, from benchmarks/README.md (:func:`benchmarks_page`).

Run it directly to print the op reference: ``python docs/gen_pages.py``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import re
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"
BENCHMARKS = ROOT / "benchmarks" / "README.md"


# --------------------------------------------------------------------------- ops


def _classes_of(module: Any, function_base: type) -> list[type]:
    """The op classes a family module defines, in definition order."""
    found = [obj for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, function_base)
             and obj.__module__ == module.__name__]
    return sorted(found, key=lambda c: inspect.getsourcelines(c)[1])


def _formula(text: str) -> str:
    """The formula with the placeholders read as in an unnamed graph: A, B for the inputs,
    Y for the output."""
    return text.replace("{0}", "A").replace("{1}", "B").replace("{y}", "Y")


def _markdown(doc: str) -> str:
    """A docstring as Markdown: reST's ``code`` becomes `code`; :func:`x` becomes `x`."""
    doc = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", doc)
    doc = doc.replace("``", "`")
    # an indented literal block after "::" becomes a fenced block
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            out.append(line.rstrip()[:-1])
            block = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i][4:])
                i += 1
            out += ["", "```python", *[b for b in block if b.strip() or block], "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _signature(fn: Any) -> str:
    try:
        sig = str(inspect.signature(fn, eval_str=True))
    except (NameError, TypeError, ValueError):  # an annotation that does not evaluate
        sig = str(inspect.signature(fn))
    return sig.replace("minigrad.tensor.", "")


def ops_page() -> str:
    """The op reference: every public op of every family (``minigrad.ops.FAMILIES``, the
    same families the op table in tests/optable follows), with its signature, docstring
    (what it computes, where it stops being finite, its gradient convention) and the
    local derivative of each op class that records it."""
    from minigrad.autograd import Function

    ops = importlib.import_module("minigrad.ops")
    lines = [
        "# Op reference",
        "",
        "Generated from the ops themselves when the site is built, family by family",
        "(`minigrad.ops.FAMILIES`): each public function with its signature and docstring,",
        "and the `Function` classes it records with their local derivatives (the `formula`",
        "shown by `viz` with `show_formulas=True`). In the formulas A and B stand for the",
        "inputs and Y for the output, as in the graph of tensors that have no name; dL/dY is",
        "the gradient arriving from above, ⊙ is elementwise multiplication and · the matrix",
        "product. Functions without a class have no gradient: their results are constants.",
        "",
    ]
    for family in ops.FAMILIES:
        names = list(family.__all__)
        if not names:
            continue
        short = family.__name__.rsplit(".", 1)[-1]
        about = (inspect.getdoc(family) or "").split("\n\n")[0].replace("\n", " ")
        lines += [f"## {short}", "", _markdown(about), ""]
        classes = _classes_of(family, Function)
        lines += ["| function | op classes (name in graphs) |", "| --- | --- |"]
        for name in names:
            recorded = [c for c in classes if c.name == name or c.name == name.rstrip("_")]
            cells = ", ".join(f"`{c.__name__}` (`{c.name}`)" for c in recorded) or "no gradient"
            lines.append(f"| [`{name}`](#{name.replace('_', '-')}) | {cells} |")
        for name in names:
            fn = getattr(family, name)
            lines += ["", f"### {name}", "", "```python",
                      f"minigrad.ops.{name}{_signature(fn)}", "```", ""]
            doc = inspect.getdoc(fn)
            if doc:
                lines += [_markdown(doc), ""]
            for cls in classes:
                if cls.name == name:
                    lines.append(f"- `{cls.__name__}`: {_cell(_formula(cls.formula))}")
        others = [c for c in classes if c.name not in names]
        if others:
            lines += ["", f"Other op classes of {short} (recorded by the functions above, or by"
                      " backward passes):", ""]
            for cls in others:
                lines.append(f"- `{cls.__name__}` (`{cls.name}`): {_cell(_formula(cls.formula))}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- notebooks


def notebook_page(path: pathlib.Path) -> str:
    """A notebook as Markdown: its Markdown cells as they are, its code cells as Python
    blocks (the notebooks are stored without outputs)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix()
    parts = []
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"]).strip("\n")
        if cell["cell_type"] == "markdown":
            parts.append(source)
            if i == 0:
                parts.append(
                    f"!!! note\n    This page is the notebook `{rel}`, without its outputs. "
                    "Run it to see them: the test suite does, on every change."
                )
        elif cell["cell_type"] == "code" and source:
            parts.append(f"```python\n{source}\n```")
    return "\n\n".join(parts) + "\n"


def notebooks() -> list[pathlib.Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


# --------------------------------------------------------------------------- benchmarks


def benchmarks_page() -> str:
    text = BENCHMARKS.read_text(encoding="utf-8")
    intro = (
        "!!! note\n    This page is `benchmarks/README.md`, regenerated from the latest full "
        "run; commands are run from the repository root.\n"
    )
    head, _, rest = text.partition("\n")
    return f"{head}\n\n{intro}\n{rest}"


if __name__ == "__main__":
    print(ops_page())
