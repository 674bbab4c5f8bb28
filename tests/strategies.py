"""Hypothesis strategies for the property tests: shapes, broadcastable pairs, axes, arrays."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 4
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1) -> st.SearchStrategy:
    """Array shapes with small sides (empty arrays only when ``min_side`` is 0)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=MAX_SIDE)


@st.composite
def broadcastable_pair(draw, max_dims: int = MAX_DIMS) -> tuple[tuple, tuple]:
    """Two shapes that broadcast together: one may drop leading axes and have 1s where the
    other does not, on either side."""
    full = draw(shapes(max_dims=max_dims))
    pair = []
    for _ in range(2):
        keep = draw(st.integers(0, len(full)))
        tail = full[len(full) - keep:]
        pair.append(tuple(1 if draw(st.booleans()) else n for n in tail))
    if draw(st.booleans()):
        pair.reverse()
    return pair[0], pair[1]


def floats_in(shape: tuple, lo: float, hi: float) -> st.SearchStrategy:
    """float64 arrays of ``shape`` with entries in [lo, hi]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False,
                                                              allow_infinity=False, width=64))


@st.composite
def axes_for(draw, ndim: int) -> int | tuple[int, ...] | None:
    """An ``axis`` argument for a reduction over ``ndim`` axes: None, an int (maybe negative)
    or a tuple of distinct axes in any order."""
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ndim else ["none"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)


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
