"""Normalisation layers with PyTorch's names, defaults, buffers and state-dict keys:
BatchNorm1d, BatchNorm2d and LayerNorm."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from ..functional.normalization import batch_norm, layer_norm
from .module import Module, as_tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


def _positive(value: Any, label: str, op: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{op}: {label} must be a positive integer, got {value!r}")
    return int(value)


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d, which differ only in the inputs they accept."""

    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *, bias: bool = True):
        name = type(self).__name__
        self.num_features = _positive(num_features, "num_features", name)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        # Ones and zeros: the identity transform, PyTorch's initialisation.
        self.weight = Tensor(np.ones(num_features), requires_grad=True) if affine else None
        self.bias = (Tensor(np.zeros(num_features), requires_grad=True) if affine and bias
                     else None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features))
            self.register_buffer("running_var", np.ones(num_features))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        name = type(self).__name__
        if x.ndim not in self._ndims:
            wanted = " or ".join(f"{n}-D" for n in self._ndims)
            raise ValueError(f"{name}: expected {wanted} input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{name}({self.num_features}) got input with {x.shape[1]} channels "
                             f"(axis 1 of shape {x.shape})")
        momentum = self.momentum if self.momentum is not None else 0.0
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # a cumulative moving average, as PyTorch
                momentum = 1.0 / float(self.num_batches_tracked.data)
        # Without running statistics the batch's are used in evaluation too, as PyTorch.
        use_batch = self.training or self.running_mean is None
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=use_batch, momentum=momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) inputs, per channel C.

    >>> bn = BatchNorm1d(3)
    >>> bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> out = bn(np.arange(12.0).reshape(4, 3))
    >>> bn.running_mean.data, int(bn.num_batches_tracked.data)
    (array([0.45, 0.55, 0.65]), 1)
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) inputs, per channel C.

    >>> bn = BatchNorm2d(2).eval()
    >>> bn(np.ones((1, 2, 3, 3))).shape
    (1, 2, 3, 3)
    """

    _ndims = (4,)


class LayerNorm(Module):
    """Normalise each sample over its last axes, ``normalized_shape``, as PyTorch's LayerNorm.

    >>> norm = LayerNorm(4)
    >>> norm
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> norm(np.arange(8.0).reshape(2, 4)).data.round(3)
    array([[-1.342, -0.447,  0.447,  1.342],
           [-1.342, -0.447,  0.447,  1.342]])
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True):
        shape = ((normalized_shape,) if isinstance(normalized_shape, numbers.Integral)
                 else tuple(normalized_shape))
        for n in shape:
            _positive(n, "normalized_shape", "LayerNorm")
        if not shape:
            raise ValueError("LayerNorm: normalized_shape must name at least one axis, got ()")
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.weight = (Tensor(np.ones(shape), requires_grad=True) if elementwise_affine
                       else None)
        self.bias = (Tensor(np.zeros(shape), requires_grad=True)
                     if elementwise_affine and bias else None)

    def forward(self, x: Any) -> Tensor:
        return layer_norm(as_tensor(x), self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
