"""The comparisons: piecewise-constant primitives whose result is 0.0/1.0 in the inputs'
floating dtype, so a mask multiplies a gradient in any library (re-exported by primitives).

No VJPs: the derivative is zero wherever it exists; ``jumps`` says where an input sits exactly
on a jump (``x == y``), where it does not.
"""

from __future__ import annotations

import operator

import numpy as np

from .node import Primitive


def _indicator(mask, x, y):
    """A comparison's result as 0.0/1.0 in the inputs' floating dtype (float64 otherwise)."""
    dtype = np.result_type(x, y)
    return mask.astype(dtype if dtype.kind == "f" else np.float64)


def _comparison(name, compare, symbol):
    return Primitive(name, lambda x, y: _indicator(compare(x, y), x, y),
                     scalar=lambda x, y: float(compare(x, y)), symbol=symbol,
                     jumps=lambda out, x, y: (x == y, x == y),
                     standard=lambda xp, x, y: _standard_indicator(xp, compare(x, y), x, y))


gt = _comparison("gt", operator.gt, ">")
ge = _comparison("ge", operator.ge, ">=")
lt = _comparison("lt", operator.lt, "<")
le = _comparison("le", operator.le, "<=")
eq = _comparison("eq", operator.eq, "==")
ne = _comparison("ne", operator.ne, "!=")


def _standard_indicator(xp, mask, x, y):
    """A comparison's result as 0.0/1.0 in the inputs' floating dtype (float64 otherwise)."""
    like = x if hasattr(x, "dtype") else y
    dtype = like.dtype if xp.isdtype(like.dtype, "real floating") else xp.float64
    return xp.astype(mask, dtype)
