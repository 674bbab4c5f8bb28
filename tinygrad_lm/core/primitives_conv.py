"""Convolution, padding and max pooling primitives: forward, VJP and JVP side by side.

A convolution ``y = conv(x, w)`` is bilinear, so its two VJPs are again bilinear in (grad, the
other input): ``conv_input_grad`` (a full convolution of the gradient with the flipped kernel)
and ``conv_weight_grad`` (a correlation of the input with the gradient). The three primitives
are the three faces of one trilinear form ``<conv(x, w), g>``, so each one's VJPs and JVPs are
the other two (or itself), and ``create_graph=True`` keeps working to any order. All of them
run on 4-d arrays (N, C, H, W) with one matmul each: ``conv`` and ``conv_weight_grad`` on the
im2col matrix of a strided view of the windows, ``conv_input_grad`` adding its products back
tap by tap (col2im). No Python loop runs over pixels. Padding is its own primitive.
"""

from __future__ import annotations

import math

import array_api_compat as compat
import numpy as np

from .backend import to_numpy
from .node import Node, Primitive
from .primitives_shape import getitem, reshape, scatter

__all__ = ["conv", "conv_input_grad", "conv_weight_grad", "max_pool", "pad"]


def _windows(x, size, out_hw, stride, dilation):
    """A read-only (N, C, out_h, out_w, kh, kw) view of every window of ``x``: no copy."""
    n, c = x.shape[:2]
    sn, sc, sh, sw = x.strides
    shape = (n, c, *out_hw, *size)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def _out_hw(hw, size, stride, dilation):
    return tuple((n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(hw, size, stride, dilation))


def _columns(x, size, out_hw, stride, dilation):
    """im2col: the windows as a (C*kh*kw, N*out_h*out_w) matrix. Its rows run along the
    image's own rows, so the copy moves long contiguous runs."""
    cols = _windows(np.ascontiguousarray(x), size, out_hw, stride, dilation)
    return cols.transpose(1, 4, 5, 0, 2, 3).reshape(-1, x.shape[0] * out_hw[0] * out_hw[1])


def _conv(x, w, stride, dilation):
    """Cross-correlation of x (N, C, H, W) with w (O, C, kh, kw), no padding: one matmul."""
    size = w.shape[2:]
    out_hw = _out_hw(x.shape[2:], size, stride, dilation)
    out = w.reshape(w.shape[0], -1) @ _columns(x, size, out_hw, stride, dilation)
    return out.reshape(w.shape[0], x.shape[0], *out_hw).transpose(1, 0, 2, 3)


def _conv_input_grad(g, w, shape, stride, dilation):
    """d<conv(x, w), g>/dx, the full convolution of g with the flipped kernel, computed as
    col2im: one matmul gives every tap's contribution, then each kernel tap adds its plane
    into the entries of x it read (a loop over the kh*kw taps, not over pixels)."""
    o, c, kh, kw = w.shape
    n, _, oh, ow = g.shape
    taps = (w.reshape(o, -1).T @ g.transpose(1, 0, 2, 3).reshape(o, -1)).reshape(
        c, kh, kw, n, oh, ow)
    dx = np.zeros((c, n, *shape[2:]), dtype=taps.dtype)
    for i in range(kh):
        for j in range(kw):
            top, left = i * dilation[0], j * dilation[1]
            dx[:, :, top:top + stride[0] * (oh - 1) + 1:stride[0],
               left:left + stride[1] * (ow - 1) + 1:stride[1]] += taps[:, i, j]
    return dx.transpose(1, 0, 2, 3)


def _conv_weight_grad(x, g, size, stride, dilation):
    """d<conv(x, w), g>/dw: each kernel tap correlates the input with the gradient."""
    size = tuple(size)
    cols = _columns(x, size, g.shape[2:], stride, dilation)
    grad = g.transpose(1, 0, 2, 3).reshape(g.shape[1], -1)
    # (cols @ grad.T).T, not grad @ cols.T: the same product, which OpenBLAS runs ten times
    # faster with the long axis inside both operands' rows.
    return (cols @ grad.T).T.reshape(g.shape[1], x.shape[1], *size)


# The same three faces in the array API standard, which has no strided views: a loop over the
# kh*kw kernel taps, each a strided slice of the input and a tensordot with that tap's weights.

def _tap(i, j, out_hw, stride, dilation):
    """The (..., out_h, out_w) slice of the input that kernel tap (i, j) reads."""
    top, left = i * dilation[0], j * dilation[1]
    return (..., slice(top, top + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
            slice(left, left + stride[1] * (out_hw[1] - 1) + 1, stride[1]))


def _standard_conv(xp, x, w, stride, dilation):
    out_hw = _out_hw(x.shape[2:], w.shape[2:], stride, dilation)
    out = None
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            term = xp.tensordot(x[_tap(i, j, out_hw, stride, dilation)], w[:, :, i, j],
                                axes=([1], [1]))                      # (N, oh, ow, O)
            out = term if out is None else out + term
    return xp.permute_dims(out, (0, 3, 1, 2))


def _standard_conv_input_grad(xp, g, w, shape, stride, dilation):
    dx = xp.zeros(tuple(shape), dtype=g.dtype, device=compat.device(g))
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            tap = _tap(i, j, g.shape[2:], stride, dilation)
            dx[tap] = dx[tap] + xp.permute_dims(
                xp.tensordot(g, w[:, :, i, j], axes=([1], [0])), (0, 3, 1, 2))
    return dx


def _standard_conv_weight_grad(xp, x, g, size, stride, dilation):
    taps = [xp.tensordot(g, x[_tap(i, j, g.shape[2:], stride, dilation)],
                         axes=([0, 2, 3], [0, 2, 3]))                 # (O, C) each
            for i in range(size[0]) for j in range(size[1])]
    return xp.reshape(xp.stack(taps, axis=-1), (g.shape[1], x.shape[1], *size))


conv = Primitive("conv", _conv, [
    lambda grad, out, x, w, stride, dilation:
        conv_input_grad(grad, w, shape=x.shape, stride=stride, dilation=dilation),
    lambda grad, out, x, w, stride, dilation:
        conv_weight_grad(x, grad, size=w.shape[2:], stride=stride, dilation=dilation),
], [
    lambda tangent, out, x, w, stride, dilation: conv(tangent, w, stride=stride, dilation=dilation),
    lambda tangent, out, x, w, stride, dilation: conv(x, tangent, stride=stride, dilation=dilation),
], standard=_standard_conv)
# The rules are lists, not tuples: backward's two-operand fast path passes no keyword
# parameters, and these need theirs (stride, dilation, shapes).

conv_input_grad = Primitive("conv_input_grad", _conv_input_grad, [
    lambda grad, out, g, w, shape, stride, dilation:
        conv(grad, w, stride=stride, dilation=dilation),
    lambda grad, out, g, w, shape, stride, dilation:
        conv_weight_grad(grad, g, size=w.shape[2:], stride=stride, dilation=dilation),
], [
    lambda tangent, out, g, w, shape, stride, dilation:
        conv_input_grad(tangent, w, shape=shape, stride=stride, dilation=dilation),
    lambda tangent, out, g, w, shape, stride, dilation:
        conv_input_grad(g, tangent, shape=shape, stride=stride, dilation=dilation),
], standard=_standard_conv_input_grad)

conv_weight_grad = Primitive("conv_weight_grad", _conv_weight_grad, [
    lambda grad, out, x, g, size, stride, dilation:
        conv_input_grad(g, grad, shape=x.shape, stride=stride, dilation=dilation),
    lambda grad, out, x, g, size, stride, dilation:
        conv(x, grad, stride=stride, dilation=dilation),
], [
    lambda tangent, out, x, g, size, stride, dilation:
        conv_weight_grad(tangent, g, size=size, stride=stride, dilation=dilation),
    lambda tangent, out, x, g, size, stride, dilation:
        conv_weight_grad(x, tangent, size=size, stride=stride, dilation=dilation),
], standard=_standard_conv_weight_grad)


def _pad(x, pad_width, value):
    out = np.full(tuple(n + b + a for n, (b, a) in zip(x.shape, pad_width)), value, x.dtype)
    out[_inside(x.shape, pad_width)] = x
    return out


def _inside(shape, pad_width):
    """The index of the unpadded input inside the padded output."""
    return tuple(slice(b, b + n) for n, (b, _) in zip(shape, pad_width))


def _standard_pad(xp, x, pad_width, value):
    out = xp.full(tuple(n + b + a for n, (b, a) in zip(x.shape, pad_width)), value,
                  dtype=x.dtype, device=compat.device(x))
    out[_inside(x.shape, pad_width)] = x
    return out


pad = Primitive("pad", _pad, (
    lambda grad, out, x, pad_width, value: getitem(grad, index=_inside(x.shape, pad_width)),
), (
    lambda tangent, out, x, pad_width, value: pad(tangent, pad_width=pad_width, value=0.0),
), standard=_standard_pad)


def _data(a):
    """The array of a node (the VJPs get nodes under create_graph) or the array itself."""
    return a.data if isinstance(a, Node) else a


def _taps(x, size, stride):
    """Per kernel tap (i, j), the (N, C, out_h, out_w) view of the entries it sees: pooling
    loops over the few taps, never over pixels."""
    out_hw = _out_hw(x.shape[2:], size, stride, (1, 1))
    for i in range(size[0]):
        for j in range(size[1]):
            yield i, j, x[:, :, i:i + stride[0] * (out_hw[0] - 1) + 1:stride[0],
                          j:j + stride[1] * (out_hw[1] - 1) + 1:stride[1]]


def _argmax_index(out, x, size, stride):
    """The flat index into ``x`` of each window's maximum ``out``: the first in row-major order
    when several tie, as PyTorch's CPU kernel picks (it keeps a maximum unless a larger one
    comes). The taps run backwards, so the first one equal to the maximum writes last."""
    out, x = to_numpy(_data(out)), to_numpy(_data(x))  # indices are worked out on the host
    n, c, h, w = x.shape
    tap = np.zeros(out.shape, np.intp)
    for i, j, seen in reversed(list(_taps(x, size, stride))):
        np.copyto(tap, i * size[1] + j, where=seen == out)
    rows = np.arange(out.shape[2])[:, None] * stride[0] + tap // size[1]
    columns = np.arange(out.shape[3]) * stride[1] + tap % size[1]
    planes = np.arange(n * c).reshape(n, c, 1, 1) * (h * w)
    return planes + rows * w + columns


def _max_pool(x, size, stride):
    out = None
    for _, _, seen in _taps(x, size, stride):
        out = seen.copy() if out is None else np.maximum(out, seen, out=out)
    return out


# Gradient to one entry per window (its argmax), summed where windows overlap; the tangent is
# gathered from the same entries.
def _standard_max_pool(xp, x, size, stride):
    out = None
    for _, _, seen in _taps(x, size, stride):
        out = seen if out is None else xp.maximum(out, seen)
    return out


max_pool = Primitive("max_pool", _max_pool, (
    lambda grad, out, x, size, stride: reshape(scatter(
        reshape(grad, shape=(-1,)), index=(_argmax_index(out, x, size, stride).ravel(),),
        shape=(math.prod(x.shape),)), shape=x.shape),
), (
    lambda tangent, out, x, size, stride: reshape(getitem(
        reshape(tangent, shape=(-1,)), index=(_argmax_index(out, x, size, stride).ravel(),)),
        shape=out.shape),
), standard=_standard_max_pool)
