"""MkDocs hook: adds the generated pages (docs/gen_pages.py) to the site at build time, so
nothing generated is kept in the repository."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from typing import Any

from mkdocs.structure.files import File, Files

_HERE = pathlib.Path(__file__).resolve().parent
_ROOT = _HERE.parent


def _gen() -> Any:
    if str(_ROOT) not in sys.path:  # the checkout's minigrad, installed or not
        sys.path.insert(0, str(_ROOT))
    spec = importlib.util.spec_from_file_location("minigrad_docs_gen", _HERE / "gen_pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_files(files: Files, config: Any) -> Files:
    gen = _gen()
    pages = {"ops.md": gen.ops_page(), "benchmarks.md": gen.benchmarks_page()}
    for path in gen.notebooks():
        pages[f"tutorials/{path.stem}.md"] = gen.notebook_page(path)
    for name, content in pages.items():
        files.append(File.generated(config, name, content=content))
    return files
