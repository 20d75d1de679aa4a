"""minigrad.nn.functional gathers ops under PyTorch's names: each name is the op itself."""

from __future__ import annotations

from minigrad import ops
from minigrad.nn import functional as F


def test_every_functional_name_is_an_op_of_the_table():
    for name in F.__all__:
        fn = getattr(F, name)
        assert fn in {getattr(ops, n) for n in ops.__all__}, name


def test_pad_is_pytorchs_pad_and_numpys_stays_in_ops():
    assert F.pad is ops.pad_last_dims and ops.pad is not F.pad
