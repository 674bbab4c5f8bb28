"""Convolution and pooling layers with PyTorch's names, defaults, initialisation and layouts:
Conv2d, MaxPool2d, AvgPool2d and Flatten."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from ..functional import conv as C
from .layers import _as_tensor
from .module import Module


def _positive(value: Any, label: str, layer: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{layer}: {label} must be a positive integer, got {value!r}")
    return int(value)


class Conv2d(Module):
    """2-d convolution over (N, C, H, W) with ``weight`` (out, in, kh, kw) and ``bias`` (out,).

    The weight is stored as PyTorch stores it, so ``weight`` and ``bias`` load into
    ``torch.nn.Conv2d`` unchanged. The initialisation is PyTorch's (kaiming_uniform with
    a=sqrt(5)): weight and bias uniform in ``(-1/sqrt(fan_in), 1/sqrt(fan_in))``, ``fan_in =
    in_channels * kh * kw``. ``seed`` makes it reproducible.

    >>> layer = Conv2d(3, 8, 3, padding=1, seed=0)
    >>> layer
    Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> layer(np.zeros((2, 3, 5, 5))).shape
    (2, 8, 5, 5)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, seed: int | np.random.Generator | None = None, *,
                 dilation=1):
        self.in_channels = _positive(in_channels, "in_channels", "Conv2d")
        self.out_channels = _positive(out_channels, "out_channels", "Conv2d")
        self.kernel_size = C._pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = C._pair(stride, "stride", "Conv2d", 1)
        self.padding = C._pair(padding, "padding", "Conv2d", 0)
        self.dilation = C._pair(dilation, "dilation", "Conv2d", 1)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Tensor(rng.uniform(-bound, bound, shape), requires_grad=True)
        self.bias = (Tensor(rng.uniform(-bound, bound, self.out_channels), requires_grad=True)
                     if bias else None)

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        weight, bias = self.weight, self.bias
        if x.dtype != weight.dtype and x.dtype.kind == "f":
            # A float32 batch runs in float32, as the parameters' dtype follows the data here.
            weight = weight.astype(x.dtype)
            bias = None if bias is None else bias.astype(x.dtype)
        return C.conv2d(x, weight, bias, self.stride, self.padding, self.dilation)

    def __repr__(self) -> str:
        extra = "" if self.padding == (0, 0) else f", padding={self.padding}"
        extra += "" if self.dilation == (1, 1) else f", dilation={self.dilation}"
        extra += "" if self.bias is not None else ", bias=False"
        return (f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
                f", stride={self.stride}{extra})")


class MaxPool2d(Module):
    """The maximum of each window (``tg.functional.max_pool2d``); ``stride`` defaults to the
    kernel size.

    >>> MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0)
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4)).shape
    (1, 1, 2, 2)
    """

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, x: Any) -> Tensor:
        return C.max_pool2d(_as_tensor(x), self.kernel_size, self.stride, self.padding)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding})")


class AvgPool2d(MaxPool2d):
    """The mean of each window, padding counted as zeros (``tg.functional.avg_pool2d``).

    >>> AvgPool2d(2, stride=1)
    AvgPool2d(kernel_size=2, stride=1, padding=0)
    >>> AvgPool2d(2)(np.ones((1, 1, 4, 4)))
    Tensor([[[[1., 1.],
              [1., 1.]]]])
    """

    def forward(self, x: Any) -> Tensor:
        return C.avg_pool2d(_as_tensor(x), self.kernel_size, self.stride, self.padding)


class Flatten(Module):
    """Merge the axes ``start_dim`` .. ``end_dim`` into one, as ``torch.nn.Flatten``.

    >>> Flatten()(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    >>> Flatten(start_dim=1, end_dim=2)
    Flatten(start_dim=1, end_dim=2)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        start, end = self.start_dim, self.end_dim
        if x.ndim == 0 or not (-x.ndim <= start < x.ndim and -x.ndim <= end < x.ndim) or (
                start % x.ndim > end % x.ndim):
            raise ValueError(f"Flatten: start_dim={start}, end_dim={end} do not fit an input "
                             f"of shape {x.shape}")
        start, end = start % x.ndim, end % x.ndim
        return x.reshape((*x.shape[:start], -1, *x.shape[end + 1:]))

    def __repr__(self) -> str:
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"
