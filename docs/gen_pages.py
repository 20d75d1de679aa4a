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
from collections.abc import Iterable
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"
BENCHMARKS = ROOT / "benchmarks" / "README.md"


# --------------------------------------------------------------------------- ops


def _op_classes(ops: Any, function_base: type) -> list[type]:
    """The op classes, in the order of the table the ops module exposes.

    Today that is ``minigrad.ops.OPS``, a tuple of Function subclasses. A table of rows
    that name their class (``row.cls``, ``row.op`` or ``row.function_class``) is read the
    same way; with no table at all, every Function subclass defined in the ops module (or
    package) is listed, in definition order."""
    table = getattr(ops, "OPS", None)
    if table is None:
        table = getattr(ops, "OP_TABLE", None)
    if isinstance(table, dict):
        table = table.values()
    classes: list[type] = []
    if table is not None:
        for row in table:
            cls = row if isinstance(row, type) else next(
                (getattr(row, a) for a in ("cls", "op", "function_class") if hasattr(row, a)),
                None,
            )
            if isinstance(cls, type) and issubclass(cls, function_base) and cls not in classes:
                classes.append(cls)
    if classes:
        return classes
    found = [
        obj for _, obj in inspect.getmembers(ops, inspect.isclass)
        if issubclass(obj, function_base) and obj is not function_base
        and obj.__module__.startswith(ops.__name__)
    ]
    return sorted(found, key=lambda c: (c.__module__, inspect.getsourcelines(c)[1]))


def _public_function(cls: type, namespaces: Iterable[Any]) -> Any:
    """The lower-case function users call for ``cls``: the one named like the op."""
    for ns in namespaces:
        fn = getattr(ns, cls.name, None)  # type: ignore[attr-defined]
        if callable(fn) and not isinstance(fn, type):
            return fn
    return None


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


def ops_page() -> str:
    import minigrad
    from minigrad.autograd import Function

    ops = importlib.import_module("minigrad.ops")
    classes = _op_classes(ops, Function)
    by_function: dict[str, list[type]] = {}
    internal: list[type] = []
    for cls in classes:
        fn = _public_function(cls, (minigrad, ops))
        if fn is None:
            internal.append(cls)
        else:
            by_function.setdefault(fn.__name__, []).append(cls)

    lines = [
        "# Op reference",
        "",
        "Generated from the ops' own table (`minigrad.ops.OPS`) when the site is built: for",
        "each op, the `Function` class that computes it, the name it has in graphs and",
        "errors, its local derivative (the `formula` shown by `viz` with",
        "`show_formulas=True`), and the function you call. In the formulas A and B stand for",
        "the inputs and Y for the output, as in the graph of tensors that have no name;",
        "dL/dY is the gradient arriving from above, ⊙ is elementwise multiplication and",
        "· the matrix product.",
        "",
        "| function | op class | name in graphs | local derivative |",
        "| --- | --- | --- | --- |",
    ]
    for fname, group in by_function.items():
        for cls in group:
            lines.append(
                f"| [`{fname}`](#{fname}) | `{cls.__name__}` | `{cls.name}` | "
                f"{_cell(_formula(cls.formula))} |"
            )
    for fname, group in by_function.items():
        fn = _public_function(group[0], (minigrad, ops))
        lines += ["", f"## `{fname}`", ""]
        try:
            sig = str(inspect.signature(fn, eval_str=True)).replace("minigrad.tensor.", "")
        except (NameError, TypeError, ValueError):  # an annotation that does not evaluate
            sig = str(inspect.signature(fn))
        lines += ["```python", f"minigrad.{fname}{sig}", "```", ""]
        doc = inspect.getdoc(fn)
        if doc:
            lines += [_markdown(doc), ""]
        for cls in group:
            lines.append(f"- `{cls.__name__}` (`{cls.name}`): {_formula(cls.formula)}")
            own = cls.__dict__.get("__doc__")
            if own:
                lines.append(f"  ({_markdown(inspect.cleandoc(own)).splitlines()[0]})")
    if internal:
        lines += ["", "## Ops used inside others", ""]
        lines.append("These have no function of their own; other ops' backward passes use them.")
        lines.append("")
        for cls in internal:
            own = inspect.cleandoc(cls.__dict__.get("__doc__") or "").splitlines()
            about = f": {_markdown(own[0])}" if own else ""
            lines.append(f"- `{cls.__name__}` (`{cls.name}`){about}; {_formula(cls.formula)}")
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
