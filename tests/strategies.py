"""Hypothesis strategies for the property tests: shapes, broadcastable pairs, axes, arrays.

Shapes, broadcastable pairs and axes are the public ones of tinygrad_lm.testing.strategies.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lm.testing.strategies import axes as axes_for
from tinygrad_lm.testing.strategies import broadcastable_shapes as broadcastable_pair
from tinygrad_lm.testing.strategies import shapes

__all__ = ["axes_for", "broadcastable_pair", "floats_in", "reduction_case", "shapes"]


def floats_in(shape: tuple, lo: float, hi: float) -> st.SearchStrategy:
    """float64 arrays of ``shape`` with entries in [lo, hi]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False,
                                                              allow_infinity=False, width=64))


@st.composite
def reduction_case(draw, lo: float = -3.0, hi: float = 3.0, ties: bool = False) -> tuple:
    """(x, axis, keepdims) for a reduction; with ``ties`` the entries come from a few values,
    so that maxima and minima are often shared."""
    shape = draw(shapes(max_dims=3))
    if ties:
        x = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 2.0])))
    else:
        x = draw(floats_in(shape, lo, hi))
    return x, draw(axes_for(len(shape))), draw(st.booleans())
