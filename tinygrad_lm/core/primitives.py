"""Every primitive: its forward, its vector-Jacobian products and its Jacobian-vector products.

A VJP is written with the fixed names ``grad`` (d loss / d output), ``out`` (the forward
result) and the inputs by name; the JVP beside it takes ``tangent`` (d input / d direction) in
place of ``grad`` and returns that input's contribution to the output's tangent. Both are
written only with operators and primitives, so the same rule runs on numpy arrays (plain numpy,
the fast path), on Python floats (the ``Value`` front-end) and on graph nodes (recording a graph
that can be differentiated again). Broadcasting is undone (VJP) or applied (JVP) once, in the
core, never here. Reductions and shape primitives live in ``primitives_shape`` and are
re-exported here, so ``P.reshape`` works like ``P.mul``.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from . import kernels
from .node import Primitive, passthrough
from .primitives_compare import eq, ge, gt, le, lt, ne
from .primitives_conv import conv, conv_input_grad, conv_weight_grad, max_pool, pad
from .primitives_select import cumsum, einsum, where
from .primitives_shape import (
    _unsqueeze,
    astype,
    broadcast_to,
    concatenate,
    getitem,
    max,
    reshape,
    scatter,
    sum,
    sum_to_shape,
    transpose,
)
from .primitives_special import erf

__all__ = [
    "abs", "add", "argmax", "astype", "broadcast_to", "clip", "concatenate", "conv",
    "conv_input_grad", "conv_weight_grad", "cos", "cumsum", "div", "einsum", "eq", "erf", "exp",
    "expm1", "floor", "ge", "getitem", "gt", "le", "log", "log1p", "lt", "matmul", "max",
    "max_pool", "maximum", "mul", "ne", "neg", "pad", "pow", "relu", "reshape", "round", "scatter",
    "sigmoid", "sign", "sin", "sqrt", "sub", "sum", "sum_to_shape", "tanh", "transpose", "where",
]


def _ieee(fast, exact):
    """A scalar function that answers as IEEE arithmetic does where Python's math raises."""
    def scalar(*args):
        try:
            return fast(*args)
        except (OverflowError, ZeroDivisionError, ValueError):
            with np.errstate(all="ignore"):
                return float(exact(*args))
    scalar.__name__ = getattr(exact, "__name__", "scalar")
    return scalar


def _standard(name):
    """The standard forward of an elementwise function that the standard names ``name``."""
    return lambda xp, x: getattr(xp, name)(x)


def _arrays(xp, a, b):
    """``a`` and ``b`` as arrays of one library (a Python number takes the other's dtype)."""
    if isinstance(a, (int, float)):
        a = xp.full_like(b, a)
    if isinstance(b, (int, float)):
        b = xp.full_like(a, b)
    return a, b


# Arithmetic ---------------------------------------------------------------------------------

# passthrough is the rule `grad` (or `tangent`) itself, which the core hands on without a call.
add = Primitive("add", np.add, (passthrough, passthrough), (passthrough, passthrough),
                scalar=operator.add, symbol="+", standard=lambda xp, x, y: x + y)

sub = Primitive("sub", np.subtract, (
    passthrough,
    lambda grad, out, x, y: -grad,
), (
    passthrough,
    lambda tangent, out, x, y: -tangent,
), scalar=operator.sub, symbol="-", standard=lambda xp, x, y: x - y)

mul = Primitive("mul", np.multiply, (
    lambda grad, out, x, y: grad * y,
    lambda grad, out, x, y: grad * x,
), (
    lambda tangent, out, x, y: tangent * y,
    lambda tangent, out, x, y: x * tangent,
), scalar=operator.mul, symbol="*", standard=lambda xp, x, y: x * y)

# Divisions inside the rules call div rather than `/`, so Python floats (Value) divide by zero
# as IEEE arithmetic does instead of raising ZeroDivisionError.
div = Primitive("div", np.divide, (
    lambda grad, out, x, y: div(grad, y),
    lambda grad, out, x, y: div(-grad * x, y * y),
), (
    lambda tangent, out, x, y: div(tangent, y),
    lambda tangent, out, x, y: div(-tangent * x, y * y),
), scalar=_ieee(operator.truediv, np.divide), symbol="/", standard=lambda xp, x, y: x / y)

neg = Primitive("neg", np.negative, (
    lambda grad, out, x: -grad,
), (
    lambda tangent, out, x: -tangent,
), scalar=operator.neg, symbol="-", standard=lambda xp, x: -x)


def _power_slope_base(x, y):
    """d(x**y)/dx = y x**(y-1), and 0 wherever y == 0 (as PyTorch masks it): x**0 is constant,
    so at x = 0 the slope is 0, not 0 * 0**-1 = NaN. The masked exponent never makes 0**-1, so
    every higher derivative of x**1 and x**0 is 0 too. A square (the common y = 2) skips the
    power: x**1 is x, the same bits."""
    if y.__class__ in (int, float):
        if y == 2:
            return y * x
        return y * pow(x, (y if y != 0 else 1) - 1)
    return y * pow(x, y + eq(y, 0) - 1)


def _power_slope_exponent(out, x, y):
    """d(x**y)/dy = x**y log(x), and 0 where x == 0 and y >= 0 (as PyTorch masks it): there
    x**y stays 0 (or 1) as y moves, and log(0) = -inf would make 0 * -inf = NaN. A negative
    base has no real derivative here: log gives NaN, as in PyTorch."""
    return out * log(x + eq(x, 0) * ge(y, 0))


pow = Primitive("pow", operator.pow, (
    lambda grad, out, x, y: grad * _power_slope_base(x, y),
    lambda grad, out, x, y: grad * _power_slope_exponent(out, x, y),
), (
    lambda tangent, out, x, y: tangent * _power_slope_base(x, y),
    lambda tangent, out, x, y: tangent * _power_slope_exponent(out, x, y),
), scalar=_ieee(math.pow, np.power), symbol="**", standard=lambda xp, x, y: x ** y)


def _mT(a):
    """The last two axes swapped: numpy's ``.mT`` view, or a transpose where an array has none."""
    if hasattr(a, "mT"):
        return a.mT
    return transpose(a, axes=(*range(a.ndim - 2), a.ndim - 1, a.ndim - 2))


def _matmul_vjp_x(grad, out, x, y):
    """d/dx of x @ y, with numpy's promotion of 1-D operands undone by reshapes."""
    if y.ndim == 1:
        return _unsqueeze(grad, -1) * y
    if x.ndim == 1:
        return _unsqueeze(grad, -2) @ _mT(y)
    return grad @ _mT(y)


def _matmul_vjp_y(grad, out, x, y):
    """d/dy of x @ y; batch dimensions are summed away by the core's un-broadcast."""
    if y.ndim == 1:
        return _unsqueeze(grad, -1) * x
    if x.ndim == 1:
        return _unsqueeze(x, -1) @ _unsqueeze(grad, -2)
    return _mT(x) @ grad


# matmul is linear in each operand, and a tangent has its operand's shape: the JVPs are matmuls.
matmul = Primitive("matmul", np.matmul, (_matmul_vjp_x, _matmul_vjp_y), (
    lambda tangent, out, x, y: tangent @ y,
    lambda tangent, out, x, y: x @ tangent,
), symbol="@", standard=lambda xp, x, y: x @ y)


# Elementwise functions ----------------------------------------------------------------------

exp = Primitive("exp", np.exp, (
    lambda grad, out, x: grad * out,
), (
    lambda tangent, out, x: tangent * out,
), scalar=_ieee(math.exp, np.exp), standard=_standard("exp"))

log = Primitive("log", np.log, (
    lambda grad, out, x: div(grad, x),
), (
    lambda tangent, out, x: div(tangent, x),
), scalar=_ieee(math.log, np.log), standard=_standard("log"))

sqrt = Primitive("sqrt", np.sqrt, (
    lambda grad, out, x: div(grad, 2 * out),
), (
    lambda tangent, out, x: div(tangent, 2 * out),
), scalar=_ieee(math.sqrt, np.sqrt), standard=_standard("sqrt"))

tanh = Primitive("tanh", np.tanh, (
    lambda grad, out, x: grad * (1 - out * out),
), (
    lambda tangent, out, x: tangent * (1 - out * out),
), scalar=math.tanh, standard=_standard("tanh"))


# The textbook 1 / (1 + e^-x), so results match hand-written numpy to the bit; large arrays
# take a fused, threaded kernel that computes the same expressions (kernels.py).
sigmoid = Primitive("sigmoid", kernels.sigmoid, (
    lambda grad, out, x: kernels.sigmoid_vjp(grad, out),
), (
    lambda tangent, out, x: tangent * (out * (1 - out)),
), scalar=_ieee(lambda x: 1 / (1 + math.exp(-x)), kernels.sigmoid),
    vjp_into_grad=lambda grad, out, x: kernels.sigmoid_vjp(grad, out, into=grad),
    standard=lambda xp, x: 1 / (1 + xp.exp(-x)))

# Kink at 0: the subgradient 0, as PyTorch documents for relu. NaN stays NaN, as np.maximum.
relu = Primitive("relu", lambda x: np.maximum(x, 0), (
    lambda grad, out, x: grad * gt(out, 0),
), (
    lambda tangent, out, x: tangent * gt(out, 0),
), scalar=lambda x: 0.0 if x <= 0 else x, symbol="ReLU",
    standard=lambda xp, x: xp.maximum(x, xp.zeros_like(x)))

# Kink at 0: sign(0) = 0 gives abs'(0) = 0, as in PyTorch.
abs = Primitive("abs", np.abs, (
    lambda grad, out, x: grad * sign(x),
), (
    lambda tangent, out, x: tangent * sign(x),
), scalar=operator.abs, standard=_standard("abs"))

sin = Primitive("sin", np.sin, (
    lambda grad, out, x: grad * cos(x),
), (
    lambda tangent, out, x: tangent * cos(x),
), scalar=_ieee(math.sin, np.sin), standard=_standard("sin"))

cos = Primitive("cos", np.cos, (
    lambda grad, out, x: -grad * sin(x),
), (
    lambda tangent, out, x: -tangent * sin(x),
), scalar=_ieee(math.cos, np.cos), standard=_standard("cos"))

# log(1 + x) and e**x - 1 without the cancellation near 0 that log and exp would suffer.
log1p = Primitive("log1p", np.log1p, (
    lambda grad, out, x: div(grad, 1 + x),
), (
    lambda tangent, out, x: div(tangent, 1 + x),
), scalar=_ieee(math.log1p, np.log1p), standard=_standard("log1p"))

expm1 = Primitive("expm1", np.expm1, (
    lambda grad, out, x: grad * (out + 1),
), (
    lambda tangent, out, x: tangent * (out + 1),
), scalar=_ieee(math.expm1, np.expm1), standard=_standard("expm1"))


def _maximum_share(a, b):
    """a's share of max(a, b): 1 where a wins, 1/2 on a tie (as torch.maximum splits it), 0
    elsewhere, in the inputs' floating dtype; comparisons are primitives, so the share is a
    constant of any recorded graph."""
    return gt(a, b) + eq(a, b) * 0.5


maximum = Primitive("maximum", np.maximum, (
    lambda grad, out, a, b: grad * _maximum_share(a, b),
    lambda grad, out, a, b: grad * _maximum_share(b, a),
), (
    lambda tangent, out, a, b: tangent * _maximum_share(a, b),
    lambda tangent, out, a, b: tangent * _maximum_share(b, a),
), standard=lambda xp, a, b: xp.maximum(*_arrays(xp, a, b)))


def _clip_pass(grad, out, x, lo, hi):
    """``grad`` (or a tangent) passes where lo <= x <= hi, bounds included, as torch.clamp's
    gradient does; clip is the identity there and constant elsewhere."""
    if lo is not None:
        grad = grad * ge(x, lo)
    if hi is not None:
        grad = grad * le(x, hi)
    return grad


def _clip_scalar(x, lo, hi):
    if lo is not None and x < lo:
        x = lo
    if hi is not None and x > hi:
        x = hi
    return float(x)


clip = Primitive("clip", lambda x, lo, hi: np.clip(x, lo, hi), (_clip_pass,), (_clip_pass,),
                 scalar=_clip_scalar, standard=lambda xp, x, lo, hi: xp.clip(x, lo, hi))


# Piecewise constant: zero derivative wherever it exists. No VJPs; ``jumps`` says, per input,
# where the input sits exactly on a jump and the derivative does not exist.

# Half-way cases round to even, as numpy, PyTorch and Python do.
round = Primitive("round", np.round, scalar=lambda x: float(np.round(x)),
                   jumps=lambda out, x: (np.abs(x - np.floor(x)) == 0.5,),
                   standard=_standard("round"))

floor = Primitive("floor", np.floor, scalar=lambda x: float(np.floor(x)),
                  jumps=lambda out, x: (x == np.floor(x),), standard=_standard("floor"))

sign = Primitive("sign", np.sign, scalar=lambda x: float(np.sign(x)), standard=_standard("sign"),
                 jumps=lambda out, x: (x == 0,))


def _argmax_jumps(out, x, axis, keepdims):
    """The entries tied for the maximum: moving any of them changes which index wins."""
    is_max = x == np.max(x, axis=axis, keepdims=True)
    return (is_max & (np.sum(is_max, axis=axis, keepdims=True) > 1),)


argmax = Primitive("argmax", lambda x, axis, keepdims: np.argmax(x, axis=axis, keepdims=keepdims),
                   jumps=_argmax_jumps, standard=lambda xp, x, axis, keepdims: xp.argmax(
                       x, axis=axis, keepdims=keepdims))
