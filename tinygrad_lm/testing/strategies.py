"""Hypothesis strategies for your own property tests: arrays, broadcastable shape pairs, axes.

Importing this module needs hypothesis (``pip install hypothesis``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ModuleNotFoundError as e:  # an optional dependency: say which, and how to get it
    if e.name != "hypothesis":
        raise
    raise ModuleNotFoundError("tinygrad_lm.testing.strategies needs hypothesis: pip install "
                              "hypothesis (or the test extra: pip install 'tinygrad_lm[test]')",
                              name="hypothesis") from e

__all__ = ["arrays", "axes", "broadcastable_shapes", "shapes"]

MAX_DIMS = 4
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1,
           max_side: int = MAX_SIDE) -> st.SearchStrategy:
    """Array shapes with small sides (an empty axis only when ``min_side`` is 0).

    >>> from hypothesis import given
    >>> @given(shapes(min_dims=1, max_dims=2))
    ... def check(shape):
    ...     assert 1 <= len(shape) <= 2 and all(1 <= n <= MAX_SIDE for n in shape)
    >>> check()
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape: Any = None, *, dtype: Any = np.float64, min_value: float = -10.0,
           max_value: float = 10.0, max_dims: int = MAX_DIMS) -> st.SearchStrategy:
    """Finite floating arrays with entries in [min_value, max_value]; of ``shape``, or of a
    drawn small shape when it is None.

    >>> from hypothesis import given
    >>> @given(arrays((2, 3), min_value=0.0, max_value=1.0))
    ... def check(x):
    ...     assert x.shape == (2, 3) and x.dtype == np.float64 and ((0 <= x) & (x <= 1)).all()
    >>> check()
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"arrays: dtype must be floating, got {dtype}")
    if not min_value <= max_value:
        raise ValueError(f"arrays: min_value {min_value} is above max_value {max_value}")
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=8 * dtype.itemsize)
    return hnp.arrays(dtype, shapes(max_dims=max_dims) if shape is None else shape,
                      elements=elements)


@st.composite
def broadcastable_shapes(draw: Any, max_dims: int = MAX_DIMS) -> tuple[tuple, tuple]:
    """Two shapes that broadcast together: either may drop leading axes or have 1s where the
    other has a longer side.

    >>> from hypothesis import given
    >>> @given(broadcastable_shapes())
    ... def check(pair):
    ...     np.broadcast_shapes(*pair)
    >>> check()
    """
    full = draw(shapes(max_dims=max_dims))
    pair = []
    for _ in range(2):
        keep = draw(st.integers(0, len(full)))
        tail = full[len(full) - keep:]
        pair.append(tuple(1 if draw(st.booleans()) else n for n in tail))
    if draw(st.booleans()):
        pair.reverse()
    return pair[0], pair[1]


@st.composite
def axes(draw: Any, ndim: int) -> int | tuple[int, ...] | None:
    """An ``axis`` argument for a reduction over ``ndim`` axes: None, an int (maybe negative)
    or a tuple of distinct axes in any order.

    >>> from hypothesis import given
    >>> @given(axes(3))
    ... def check(axis):
    ...     np.ones((2, 3, 4)).sum(axis=axis)
    >>> check()
    """
    kind = draw(st.sampled_from(["none", "int", "tuple"] if ndim else ["none"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    return tuple(a - ndim if draw(st.booleans()) else a for a in chosen)
