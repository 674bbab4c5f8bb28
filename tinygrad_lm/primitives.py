"""Every primitive: its forward and its vector-Jacobian products, side by side.

A VJP is written with the fixed names ``grad`` (d loss / d output), ``out`` (the forward
result) and the inputs by name, and only with operators and the primitives below, so the same
rule runs on numpy arrays (plain numpy, the fast first-order path), on Python floats (the
``Value`` front-end) and on graph nodes (``create_graph=True``, recording a graph that can be
differentiated again). Broadcasting is undone once, in the backward core, never here.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .node import EachInput, Primitive, passthrough


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


# Arithmetic ---------------------------------------------------------------------------------

# passthrough is the VJP `grad` itself, which backward hands on without a call.
add = Primitive("add", np.add, (passthrough, passthrough), scalar=operator.add, symbol="+")

sub = Primitive("sub", np.subtract, (
    passthrough,
    lambda grad, out, x, y: -grad,
), scalar=operator.sub, symbol="-")

mul = Primitive("mul", np.multiply, (
    lambda grad, out, x, y: grad * y,
    lambda grad, out, x, y: grad * x,
), scalar=operator.mul, symbol="*")

# Divisions inside VJPs call div rather than `/`, so Python floats (Value) divide by zero as
# IEEE arithmetic does instead of raising ZeroDivisionError.
div = Primitive("div", np.divide, (
    lambda grad, out, x, y: div(grad, y),
    lambda grad, out, x, y: div(-grad * x, y * y),
), scalar=_ieee(operator.truediv, np.divide), symbol="/")

neg = Primitive("neg", np.negative, (
    lambda grad, out, x: -grad,
), scalar=operator.neg, symbol="-")

def _power_vjp_base(grad, out, x, y):
    """y x**(y-1); a square (the common y = 2) skips the power: x**1 is x, the same bits."""
    if y.__class__ in (int, float) and y == 2:
        return grad * (y * x)
    return grad * (y * power(x, y - 1))


# x ** y; the exponent's derivative uses log(x), so it is NaN for a negative base (no real
# derivative there) as in PyTorch.
power = Primitive("pow", operator.pow, (
    _power_vjp_base,
    lambda grad, out, x, y: grad * (out * log(x)),
), scalar=_ieee(math.pow, np.power), symbol="**")


def _matmul_vjp_x(grad, out, x, y):
    """d/dx of x @ y, with numpy's promotion of 1-D operands undone by reshapes."""
    if y.ndim == 1:
        return _unsqueeze(grad, -1) * y
    if x.ndim == 1:
        return _unsqueeze(grad, -2) @ y.mT
    return grad @ y.mT


def _matmul_vjp_y(grad, out, x, y):
    """d/dy of x @ y; batch dimensions are summed away by the core's un-broadcast."""
    if y.ndim == 1:
        return _unsqueeze(grad, -1) * x
    if x.ndim == 1:
        return _unsqueeze(x, -1) @ _unsqueeze(grad, -2)
    return x.mT @ grad


matmul = Primitive("matmul", np.matmul, (_matmul_vjp_x, _matmul_vjp_y), symbol="@")


# Elementwise functions ----------------------------------------------------------------------

exp = Primitive("exp", np.exp, (
    lambda grad, out, x: grad * out,
), scalar=_ieee(math.exp, np.exp))

log = Primitive("log", np.log, (
    lambda grad, out, x: div(grad, x),
), scalar=_ieee(math.log, np.log))

sqrt = Primitive("sqrt", np.sqrt, (
    lambda grad, out, x: div(grad, 2 * out),
), scalar=_ieee(math.sqrt, np.sqrt))

tanh = Primitive("tanh", np.tanh, (
    lambda grad, out, x: grad * (1 - out * out),
), scalar=math.tanh)


def _sigmoid(x):
    # The textbook 1 / (1 + e^-x), so results match hand-written numpy to the bit, computed in
    # one buffer to spare memory traffic. For very negative x, e^-x overflows to inf (numpy
    # warns, as for any overflow) and the result is the correct limit 0.
    out = np.exp(np.negative(x))
    if type(out) is not np.ndarray:
        return 1 / (1 + out)
    np.add(out, 1, out=out)
    return np.divide(1, out, out=out)


sigmoid = Primitive("sigmoid", _sigmoid, (
    lambda grad, out, x: grad * (out * (1 - out)),
), scalar=_ieee(lambda x: 1 / (1 + math.exp(-x)), _sigmoid))

# Kink at 0: the subgradient 0, as PyTorch documents for relu.
relu = Primitive("relu", lambda x: np.maximum(x, 0), (
    lambda grad, out, x: grad * (out > 0),
), scalar=lambda x: x if x > 0 else 0.0, symbol="ReLU")

# Kink at 0: sign(0) = 0 gives abs'(0) = 0, as in PyTorch.
absolute = Primitive("abs", np.abs, (
    lambda grad, out, x: grad * sign(x),
), scalar=abs)


def _clip_vjp(grad, out, x, lo, hi):
    """The gradient passes where lo <= x <= hi, bounds included, as torch.clamp's does."""
    if lo is not None:
        grad = grad * (x >= lo)
    if hi is not None:
        grad = grad * (x <= hi)
    return grad


def _clip_scalar(x, lo, hi):
    if lo is not None and x < lo:
        x = lo
    if hi is not None and x > hi:
        x = hi
    return float(x)


clip = Primitive("clip", lambda x, lo, hi: np.clip(x, lo, hi), (_clip_vjp,),
                 scalar=_clip_scalar)


# Reductions ---------------------------------------------------------------------------------

def _unreduce(g, shape, axis, keepdims):
    """``g`` reshaped so that it broadcasts against the unreduced ``shape``."""
    if keepdims or axis is None:
        return g
    kept = list(shape)
    for a in axis:
        kept[a] = 1
    return g.reshape(tuple(kept))


reduce_sum = Primitive("sum", lambda x, axis, keepdims: np.add.reduce(x, axis, keepdims=keepdims), (
    lambda grad, out, x, axis, keepdims:
        broadcast_to(_unreduce(grad, x.shape, axis, keepdims), shape=x.shape),
))


def _max_vjp(grad, out, x, axis, keepdims):
    """Ties share the gradient evenly, as PyTorch's amax does."""
    is_max = x == _unreduce(out, x.shape, axis, keepdims)
    ties = is_max.sum(axis=axis, keepdims=True)
    return _unreduce(grad, x.shape, axis, keepdims) * is_max / ties


reduce_max = Primitive("max", lambda x, axis, keepdims: np.maximum.reduce(
    x, axis, keepdims=keepdims), (_max_vjp,))


def _sum_to_shape(x, shape):
    """Sum the axes that broadcasting added or stretched, so the result has ``shape``."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    summed = np.add.reduce(x, axes, keepdims=True) if axes else x
    return summed.reshape(shape)


sum_to_shape = Primitive("sum_to_shape", _sum_to_shape, (
    lambda grad, out, x, shape: broadcast_to(grad, shape=x.shape),
))

def _broadcast_to(x, shape):
    """``np.broadcast_to``, with a cheap path for the common 0-d case (the VJP of a full sum)."""
    if not getattr(x, "ndim", 0):  # a 0-d array, a numpy scalar or a Python number
        x = np.asarray(x)
        view = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
        view.flags.writeable = False
        return view
    return np.broadcast_to(x, shape)


broadcast_to = Primitive("broadcast_to", _broadcast_to, (
    lambda grad, out, x, shape: sum_to_shape(grad, shape=x.shape),
))


# The gradient of a cast is the cast back, so a float32 leaf gets a float32 gradient even when
# a float64 operand promoted what it fed.
astype = Primitive("astype", lambda x, dtype: x.astype(dtype), (
    lambda grad, out, x, dtype: astype(grad, dtype=x.dtype),
))


# Shape --------------------------------------------------------------------------------------

reshape = Primitive("reshape", np.reshape, (
    lambda grad, out, x, shape: reshape(grad, shape=x.shape),
))

transpose = Primitive("transpose", np.transpose, (
    lambda grad, out, x, axes: transpose(grad, axes=tuple(np.argsort(axes).tolist())),
))


def _unsqueeze(a, axis):
    shape = list(a.shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return a.reshape(tuple(shape))


def _is_basic(index):
    """Whether ``index`` uses only slices, integers, None and Ellipsis (no repeated entries)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer))
               for p in parts)


def _scatter(g, index, shape):
    """The adjoint of ``x[index]``: zeros of ``shape`` with ``g`` added at ``index``."""
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


getitem = Primitive("getitem", lambda x, index: x[index], (
    lambda grad, out, x, index: scatter(grad, index=index, shape=x.shape),
), symbol="[]")

scatter = Primitive("scatter", _scatter, (
    lambda grad, out, g, index, shape: getitem(grad, index=index),
))


def _concatenate_vjp(i, grad, out, *xs, axis):
    """The slice of ``grad`` that input ``i`` filled."""
    start = sum(x.shape[axis] for x in xs[:i])
    index = (slice(None),) * (axis % out.ndim) + (slice(start, start + xs[i].shape[axis]),)
    return getitem(grad, index=index)


concatenate = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
                        EachInput(_concatenate_vjp))


# Piecewise constant: zero derivative wherever it exists. No VJPs; ``jumps`` says, per input,
# where the input sits exactly on a jump and the derivative does not exist.

def _indicator(mask, x, y):
    """A comparison's result as 0.0/1.0 in the inputs' floating dtype (float64 otherwise)."""
    dtype = np.result_type(x, y)
    return mask.astype(dtype if dtype.kind == "f" else np.float64)


def _comparison(name, compare, symbol):
    return Primitive(name, lambda x, y: _indicator(compare(x, y), x, y),
                     scalar=lambda x, y: float(compare(x, y)), symbol=symbol,
                     jumps=lambda out, x, y: (x == y, x == y))


greater = _comparison("gt", operator.gt, ">")
greater_equal = _comparison("ge", operator.ge, ">=")
less = _comparison("lt", operator.lt, "<")
less_equal = _comparison("le", operator.le, "<=")
equal = _comparison("eq", operator.eq, "==")
not_equal = _comparison("ne", operator.ne, "!=")

# Half-way cases round to even, as numpy, PyTorch and Python do.
round_ = Primitive("round", np.round, scalar=lambda x: float(np.round(x)),
                   jumps=lambda out, x: (abs(x - np.floor(x)) == 0.5,))

floor = Primitive("floor", np.floor, scalar=lambda x: float(np.floor(x)),
                  jumps=lambda out, x: (x == np.floor(x),))

sign = Primitive("sign", np.sign, scalar=lambda x: float(np.sign(x)),
                 jumps=lambda out, x: (x == 0,))


def _argmax_jumps(out, x, axis, keepdims):
    """The entries tied for the maximum: moving any of them changes which index wins."""
    is_max = x == np.max(x, axis=axis, keepdims=True)
    return (is_max & (np.sum(is_max, axis=axis, keepdims=True) > 1),)


argmax = Primitive("argmax", lambda x, axis, keepdims: np.argmax(x, axis=axis, keepdims=keepdims),
                   jumps=_argmax_jumps)
