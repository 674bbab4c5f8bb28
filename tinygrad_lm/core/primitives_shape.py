"""Reductions and shape primitives: forward, VJP and JVP side by side (re-exported by primitives).

The same conventions as ``primitives``: fixed names (``grad`` or ``tangent``, ``out``, the
inputs), written with operators and primitives only, broadcasting undone or applied in the
core. Every rule here is linear in ``grad``/``tangent``, so most JVPs are the forward itself.
"""

from __future__ import annotations

import builtins

import numpy as np

from .backend import numpy_dtype
from .node import EachInput, Primitive
from .primitives_compare import eq
from .standard_index import gather, scatter_add

# Reductions ---------------------------------------------------------------------------------


def _unreduce(g, shape, axis, keepdims):
    """``g`` reshaped so that it broadcasts against the unreduced ``shape``."""
    if keepdims or axis is None:
        return g
    kept = list(shape)
    for a in axis:
        kept[a] = 1
    return reshape(g, shape=tuple(kept))


sum = Primitive("sum", lambda x, axis, keepdims: np.add.reduce(x, axis, keepdims=keepdims), (
    lambda grad, out, x, axis, keepdims:
        broadcast_to(_unreduce(grad, x.shape, axis, keepdims), shape=x.shape),
), (
    lambda tangent, out, x, axis, keepdims: sum(tangent, axis=axis, keepdims=keepdims),
), standard=lambda xp, x, axis, keepdims: xp.sum(x, axis=axis, keepdims=keepdims))


def _max_share(out, x, axis, keepdims):
    """Each entry's share of the maximum: 1/ties on the tied maxima, 0 elsewhere (PyTorch's
    amax splits ties evenly). Counted in ``x``'s dtype so float32 stays float32."""
    is_max = eq(x, _unreduce(out, x.shape, axis, keepdims))
    return is_max / sum(is_max, axis=axis, keepdims=True)


max = Primitive("max", lambda x, axis, keepdims: np.maximum.reduce(
    x, axis, keepdims=keepdims), (
    lambda grad, out, x, axis, keepdims:
        _unreduce(grad, x.shape, axis, keepdims) * _max_share(out, x, axis, keepdims),
), (
    lambda tangent, out, x, axis, keepdims:
        sum(tangent * _max_share(out, x, axis, keepdims), axis=axis, keepdims=keepdims),
), standard=lambda xp, x, axis, keepdims: xp.max(x, axis=axis, keepdims=keepdims))


def _sum_to_shape(x, shape):
    """Sum the axes that broadcasting added or stretched, so the result has ``shape``."""
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    summed = np.add.reduce(x, axes, keepdims=True) if axes else x
    return summed.reshape(shape)


def _standard_sum_to_shape(xp, x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    return xp.reshape(xp.sum(x, axis=axes, keepdims=True) if axes else x, shape)


sum_to_shape = Primitive("sum_to_shape", _sum_to_shape, (
    lambda grad, out, x, shape: broadcast_to(grad, shape=x.shape),
), (
    lambda tangent, out, x, shape: sum_to_shape(tangent, shape=shape),
), standard=_standard_sum_to_shape)


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
), (
    lambda tangent, out, x, shape: broadcast_to(tangent, shape=shape),
), standard=lambda xp, x, shape: xp.broadcast_to(x, shape))


# The gradient of a cast is the cast back, so a float32 leaf gets a float32 gradient even when
# a float64 operand promoted what it fed; a tangent is cast forward, as the value is.
astype = Primitive("astype", lambda x, dtype: x.astype(dtype), (
    lambda grad, out, x, dtype: astype(grad, dtype=x.dtype),
), (
    lambda tangent, out, x, dtype: astype(tangent, dtype=dtype),
), standard=lambda xp, x, dtype: xp.astype(x, getattr(xp, numpy_dtype(dtype).name)))


# Shape --------------------------------------------------------------------------------------

reshape = Primitive("reshape", np.reshape, (
    lambda grad, out, x, shape: reshape(grad, shape=x.shape),
), (
    lambda tangent, out, x, shape: reshape(tangent, shape=out.shape),
), standard=lambda xp, x, shape: xp.reshape(x, shape))

transpose = Primitive("transpose", np.transpose, (
    lambda grad, out, x, axes: transpose(grad, axes=tuple(np.argsort(axes).tolist())),
), (
    lambda tangent, out, x, axes: transpose(tangent, axes=axes),
), standard=lambda xp, x, axes: xp.permute_dims(x, axes))


def _unsqueeze(a, axis):
    shape = list(a.shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(a, shape=tuple(shape))


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
), (
    lambda tangent, out, x, index: getitem(tangent, index=index),
), symbol="[]", standard=gather)

scatter = Primitive("scatter", _scatter, (
    lambda grad, out, g, index, shape: getitem(grad, index=index),
), (
    lambda tangent, out, g, index, shape: scatter(tangent, index=index, shape=shape),
), standard=scatter_add)


def _concatenated_slice(i, out, xs, axis):
    """The index of the part of the output that input ``i`` fills."""
    start = builtins.sum(x.shape[axis] for x in xs[:i])
    return (slice(None),) * (axis % out.ndim) + (slice(start, start + xs[i].shape[axis]),)


# Input i's tangent fills its own slice of the output and is zero elsewhere; the core sums the
# contributions of the inputs, which puts the slices together.
concatenate = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
                        EachInput(lambda i, grad, out, *xs, axis: getitem(
                            grad, index=_concatenated_slice(i, out, xs, axis))),
                        EachInput(lambda i, tangent, out, *xs, axis: scatter(
                            tangent, index=_concatenated_slice(i, out, xs, axis),
                            shape=out.shape)),
                        standard=lambda xp, *xs, axis: xp.concat(xs, axis=axis))
