"""Optional contenders: import them if they are installed, say why not otherwise.

numpy and minigrad are always measured. PyTorch, HIPS autograd and JAX are optional;
none of them is a dependency of minigrad.
"""

from __future__ import annotations

import importlib

NUMPY = "numpy (hand-derived)"
MINIGRAD = "minigrad"
MINIGRAD_NN = "minigrad (nn)"
MINIGRAD_COMPILED = "minigrad compiled"
MINIGRAD_NN_COMPILED = "minigrad (nn) compiled"
TORCH = "PyTorch eager"
AUTOGRAD = "HIPS autograd"
JAX = "jax.jit"

ORDER = (NUMPY, MINIGRAD, MINIGRAD_NN, MINIGRAD_COMPILED, MINIGRAD_NN_COMPILED, TORCH, AUTOGRAD,
         JAX)

_INSTALL = {
    TORCH: "pip install torch==2.13.0 (CPU wheel)",
    AUTOGRAD: "pip install autograd",
    JAX: "pip install jax jaxlib",
}


class Unavailable(Exception):
    """A contender cannot run here; the message says why and how to install it."""


def load_torch():
    try:
        return importlib.import_module("torch")
    except ImportError as e:
        raise Unavailable(
            f"{TORCH} skipped: torch not importable ({e}); {_INSTALL[TORCH]}"
        ) from None


def load_autograd():
    try:
        ag = importlib.import_module("autograd")
        anp = importlib.import_module("autograd.numpy")
    except ImportError as e:
        raise Unavailable(
            f"{AUTOGRAD} skipped: autograd not importable ({e}); {_INSTALL[AUTOGRAD]}"
        ) from None
    return ag, anp


def load_jax():
    try:
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")
    except ImportError as e:
        raise Unavailable(f"{JAX} skipped: jax not importable ({e}); {_INSTALL[JAX]}") from None
    # float64 workloads need 64-bit mode; float32 arrays stay float32 under it.
    jax.config.update("jax_enable_x64", True)
    return jax, jnp


def load_minigrad_nn():
    """minigrad.nn and minigrad.optim, if they exist and offer what the benchmark uses."""
    try:
        import minigrad as mg

        nn = mg.nn
        optim = mg.optim
        for name in ("Sequential", "Linear", "Sigmoid", "MSELoss"):
            getattr(nn, name)
        optim.SGD  # noqa: B018
    except (ImportError, AttributeError) as e:
        raise Unavailable(
            f"{MINIGRAD_NN} skipped: minigrad.nn / minigrad.optim not ready ({e})"
        ) from None
    return nn, optim


def load_minigrad_compile():
    """``minigrad.compile``, if this minigrad has it."""
    try:
        import minigrad as mg

        return mg.compile
    except (ImportError, AttributeError) as e:
        raise Unavailable(
            f"{MINIGRAD_COMPILED} skipped: minigrad.compile not available ({e})"
        ) from None


def build(factories: dict, notes: list[str]) -> dict:
    """Call each contender factory; collect the skipped ones' reasons in ``notes``."""
    out = {}
    for name, factory in factories.items():
        try:
            out[name] = factory()
        except Unavailable as e:
            notes.append(str(e))
    return out
