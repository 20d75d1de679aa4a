"""Drawing computation graphs, checking them, and stepping through their backward pass.

- :func:`to_dot` gives the graph as DOT text (no Graphviz program needed), :func:`draw`
  as a :class:`graphviz.Digraph`, :func:`save` as an image file;
- ``check=True`` on any of them runs a gradient check on every op node and colours the
  node by the result (see :mod:`minigrad.viz._check`);
- :func:`backward_steps` writes a self-contained HTML page that replays the backward
  pass one node at a time.
"""

from ._graph import (
    MAX_SHOWN_VALUES,
    ComputationGraph,
    GraphvizNotFoundError,
    draw,
    save,
    to_dot,
)
from ._steps import BackwardSteps, backward_steps

__all__ = [
    "to_dot",
    "draw",
    "save",
    "backward_steps",
    "BackwardSteps",
    "ComputationGraph",
    "GraphvizNotFoundError",
    "MAX_SHOWN_VALUES",
]
