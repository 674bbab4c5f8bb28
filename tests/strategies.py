"""Hypothesis strategies for the property tests: shapes, broadcastable pairs, axes, reductions.

Shapes, broadcastable pairs and axes are the public ones of tinygrad_lm.testing.strategies.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lm.testing.strategies import arrays, shapes
from tinygrad_lm.testing.strategies import axes as axes_for
from tinygrad_lm.testing.strategies import broadcastable_shapes as broadcastable_pair

__all__ = ["axes_for", "broadcastable_pair", "reduction_case", "shapes"]


@st.composite
def reduction_case(draw, lo: float = -3.0, hi: float = 3.0, ties: bool = False) -> tuple:
    """(x, axis, keepdims) for a reduction; with ``ties`` the entries come from a few values,
    so that maxima and minima are often shared."""
    shape = draw(shapes(max_dims=3))
    if ties:
        x = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 2.0])))
    else:
        x = draw(arrays(shape, min_value=lo, max_value=hi))
    return x, draw(axes_for(len(shape))), draw(st.booleans())
