"""Special functions as primitives: ``erf`` (for the exact GELU), forward, VJP and JVP together."""

from __future__ import annotations

import math

import numpy as np

from .node import Primitive

__all__ = ["erf"]

# d erf(x)/dx = 2/sqrt(pi) e^(-x^2)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_erf_each = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    """erf elementwise in the input's floating dtype (numpy has no erf; libm's is exact to
    an ulp, as PyTorch's)."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return np.asarray(_erf_each(x), dtype=dtype)


def _erf_slope(x):
    # e ** (...) rather than exp(...): operators only, so this module needs no import of
    # primitives (which re-exports it), and arrays, floats and graph nodes all take it.
    return _TWO_OVER_SQRT_PI * math.e ** (-(x * x))


erf = Primitive("erf", _erf, (
    lambda grad, out, x: grad * _erf_slope(x),
), (
    lambda tangent, out, x: tangent * _erf_slope(x),
), scalar=math.erf)
