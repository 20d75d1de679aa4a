"""Shared test settings: Hypothesis profiles and numpy error handling."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# ci: derandomized and quick, so CI is repeatable; dev: the default locally;
# deep: a long hunt, e.g. HYPOTHESIS_PROFILE=deep python -m pytest tests/test_ops.py
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _numpy_errors_raise():
    """Overflow, invalid operations and division by zero fail a test instead of warning."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield
