"""Convolution and pooling with PyTorch's arguments: checks, int-or-pair normalisation, then
the primitives of ``core.primitives_conv`` (NCHW, weight (out, in, kh, kw), cross-correlation)."""

from __future__ import annotations

import numpy as np

from ..core import backend as B
from ..core import primitives as P
from ..core.scopes import composite


def _pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, as PyTorch takes ``stride=2`` or ``stride=(2, 1)``."""
    parts = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(parts) != 2 or not all(
            isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in parts):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(p < minimum for p in parts):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return int(parts[0]), int(parts[1])


def _check_input(x, ndim: int, op: str, layout: str) -> None:
    if np.ndim(x) != ndim:
        raise ValueError(f"{op}: input must be {ndim}-d ({layout}), got shape {np.shape(x)}")
    if np.dtype(x.dtype).kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {x.dtype}")


def _check_fits(op: str, x_shape, padded, size, dilation) -> None:
    reach = tuple(d * (k - 1) + 1 for k, d in zip(size, dilation))
    if any(r > n for r, n in zip(reach, padded)):
        raise ValueError(f"{op}: kernel {tuple(size)} (dilated reach {reach}) is larger than the "
                         f"padded input {tuple(padded)} (input shape {tuple(x_shape)})")


def pad(x, pad_width, value: float = 0.0):
    """``x`` padded with the constant ``value``; ``pad_width`` as numpy's: an int, a
    ``(before, after)`` pair for every axis, or one pair per axis.

    >>> import tinygrad_lm as tg
    >>> tg.functional.pad(tg.Tensor([1.0, 2.0]), (1, 2))
    Tensor([0., 1., 2., 0., 0.])
    """
    ndim = np.ndim(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width), (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit an input of shape "
                         f"{np.shape(x)} (give an int, a pair, or {ndim} pairs)") from None
    if widths.dtype.kind not in "iu" or (widths < 0).any():
        raise ValueError(f"pad: pad_width must hold non-negative ints, got {pad_width!r}")
    return P.pad(x, pad_width=tuple((int(b), int(a)) for b, a in widths), value=float(value))



def _check_weight(op, x, w, b, layout: str, in_axis: int) -> None:
    """A conv's weight against its input and bias: 4-d in ``layout``, one dtype for all,
    the input's channels on ``in_axis`` of the weight, one bias entry per output channel."""
    if np.ndim(w) != 4:
        raise ValueError(f"{op}: weight must be {layout}, got shape {np.shape(w)}")
    if x.dtype != w.dtype or (b is not None and b.dtype != x.dtype):
        bias = "" if b is None else f", bias {b.dtype}"
        raise TypeError(f"{op}: input and weight must share a dtype, got input {x.dtype}, "
                        f"weight {w.dtype}{bias}")
    if x.shape[1] != w.shape[in_axis]:
        raise ValueError(f"{op}: input has {x.shape[1]} channels but the weight expects "
                         f"{w.shape[in_axis]} (input shape {tuple(x.shape)}, weight shape "
                         f"{tuple(w.shape)})")
    out_channels = w.shape[1 - in_axis]
    if b is not None and tuple(np.shape(b)) != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},) for weight shape "
                         f"{tuple(w.shape)}, got {tuple(np.shape(b))}")

def _conv_nd(op, x, w, b, stride, padding, dilation):
    """The checks shared by conv1d and conv2d, on 4-d x and w."""
    _check_weight(op, x, w, b, "(out, in, kh, kw)", in_axis=1)
    padded = tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    _check_fits(op, x.shape, padded, w.shape[2:], dilation)
    if any(padding):
        x = P.pad(x, pad_width=((0, 0), (0, 0), *((p, p) for p in padding)), value=0.0)
    out = P.conv(x, w, stride=stride, dilation=dilation)
    return out if b is None else out + b.reshape((1, -1, 1, 1))


@composite("conv2d")
def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """2-d cross-correlation of ``x`` (N, C, H, W) with ``w`` (O, C, kh, kw), plus ``b`` (O,).

    ``stride``, ``padding`` (zeros) and ``dilation`` are ints or (height, width) pairs.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    >>> tg.functional.conv2d(x, tg.Tensor(np.ones((1, 1, 2, 2))), stride=2)
    Tensor([[[[10., 18.],
              [42., 50.]]]])
    """
    op = "conv2d"
    _check_input(x, 4, op, "N, C, H, W")
    stride = _pair(stride, "stride", op, 1)
    padding = _pair(padding, "padding", op, 0)
    dilation = _pair(dilation, "dilation", op, 1)
    return _conv_nd(op, x, w, b, stride, padding, dilation)


@composite("conv1d")
def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    """1-d cross-correlation of ``x`` (N, C, L) with ``w`` (O, C, k), plus ``b`` (O,).

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([[[1.0, 2.0, 3.0, 4.0]]])
    >>> tg.functional.conv1d(x, tg.Tensor([[[1.0, -1.0]]]), padding=1)
    Tensor([[[-1., -1., -1., -1.,  4.]]])
    """
    op = "conv1d"
    _check_input(x, 3, op, "N, C, L")
    if np.ndim(w) != 3:
        raise ValueError(f"{op}: weight must be (out, in, k), got shape {np.shape(w)}")
    stride, padding, dilation = ((1, _pair(v, name, op, low)[0]) for v, name, low in (
        (stride, "stride", 1), (padding, "padding", 0), (dilation, "dilation", 1)))
    n, c, length = x.shape
    out = _conv_nd(op, x.reshape((n, c, 1, length)), w.reshape((*w.shape[:2], 1, w.shape[2])),
                   b, stride, (0, padding[1]), dilation)
    return out.reshape((n, w.shape[0], out.shape[-1]))


@composite("conv_transpose2d")
def conv_transpose2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """The adjoint of ``conv2d``: ``x`` (N, C_in, H, W), ``w`` (C_in, C_out, kh, kw) as
    PyTorch's, output (N, C_out, (H-1)*stride - 2*padding + dilation*(kh-1) + 1, ...).

    It is the gradient of a conv2d with respect to its input, so it reuses that primitive.

    >>> import tinygrad_lm as tg
    >>> tg.functional.conv_transpose2d(tg.Tensor(np.ones((1, 1, 2, 2))),
    ...                                tg.Tensor(np.ones((1, 1, 2, 2))), stride=2)
    Tensor([[[[1., 1., 1., 1.],
              [1., 1., 1., 1.],
              [1., 1., 1., 1.],
              [1., 1., 1., 1.]]]])
    """
    op = "conv_transpose2d"
    _check_input(x, 4, op, "N, C, H, W")
    stride = _pair(stride, "stride", op, 1)
    padding = _pair(padding, "padding", op, 0)
    dilation = _pair(dilation, "dilation", op, 1)
    _check_weight(op, x, w, b, "(in, out, kh, kw)", in_axis=0)
    full = tuple((n - 1) * s + d * (k - 1) + 1
                 for n, s, d, k in zip(x.shape[2:], stride, dilation, w.shape[2:]))
    if any(2 * p >= n for p, n in zip(padding, full)):
        raise ValueError(f"{op}: padding {padding} leaves no output of the full size {full} "
                         f"(input shape {tuple(x.shape)}, weight shape {tuple(w.shape)})")
    out = P.conv_input_grad(x, w, shape=(x.shape[0], w.shape[1], *full), stride=stride,
                            dilation=dilation)
    if any(padding):
        out = out[:, :, padding[0]:full[0] - padding[0], padding[1]:full[1] - padding[1]]
    return out if b is None else out + b.reshape((1, -1, 1, 1))


def _pool_args(op, x, kernel_size, stride, padding):
    _check_input(x, 4, op, "N, C, H, W")
    size = _pair(kernel_size, "kernel_size", op, 1)
    stride = size if stride is None else _pair(stride, "stride", op, 1)
    padding = _pair(padding, "padding", op, 0)
    if any(2 * p > k for p, k in zip(padding, size)):
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {size}")
    padded = tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    _check_fits(op, x.shape, padded, size, (1, 1))
    return size, stride, ((0, 0), (0, 0), *((p, p) for p in padding))


@composite("max_pool2d")
def max_pool2d(x, kernel_size, stride=None, padding=0):
    """The maximum of each window; the gradient goes to the first maximum of each window.

    ``stride`` defaults to ``kernel_size``; padding counts as -inf, as in PyTorch.

    >>> import tinygrad_lm as tg
    >>> tg.functional.max_pool2d(tg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
    Tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    size, stride, widths = _pool_args("max_pool2d", x, kernel_size, stride, padding)
    if any(b for b, _ in widths):
        x = P.pad(x, pad_width=widths, value=-np.inf)
    return P.max_pool(x, size=size, stride=stride)


@composite("avg_pool2d")
def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """The mean of each window, padding counted as zeros (PyTorch's count_include_pad=True).

    A convolution of each channel with a constant kernel, so its gradient is the conv's.

    >>> import tinygrad_lm as tg
    >>> tg.functional.avg_pool2d(tg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
    Tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    size, stride, widths = _pool_args("avg_pool2d", x, kernel_size, stride, padding)
    if any(b for b, _ in widths):
        x = P.pad(x, pad_width=widths, value=0.0)
    n, c, h, w = x.shape
    kernel = B.like(np.full((1, 1, *size), 1.0 / (size[0] * size[1]), dtype=x.dtype), x.data)
    out = P.conv(x.reshape((n * c, 1, h, w)), kernel, stride=stride, dilation=(1, 1))
    return out.reshape((n, c, *out.shape[2:]))
