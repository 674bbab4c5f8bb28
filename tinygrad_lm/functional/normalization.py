"""Normalisation as composites of primitives: batch_norm and layer_norm, as PyTorch's.

Both normalise with the biased variance (divide by n). batch_norm's running variance is the
unbiased one (divide by n - 1), as PyTorch keeps it; the running statistics are plain arrays
updated in place, outside the graph.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..core import backend as B
from ..core.scopes import composite

__all__ = ["batch_norm", "layer_norm"]


def _check_input(x: Any, op: str):
    if not (hasattr(x, "prim") and hasattr(x, "dtype")):
        raise TypeError(f"{op}: input must be a Tensor, got a {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input must have a floating dtype, got {x.dtype}")
    return x


def _array(value: Any, label: str, shape: tuple[int, ...], op: str) -> np.ndarray:
    """The array behind a running statistic (a Tensor's data, or the array itself): numpy's,
    or the input's library's (``model.to`` moves a module's buffers with it)."""
    array = value.data if hasattr(value, "prim") else value
    if B.is_foreign(array) and B.kind(array.dtype) == "f":
        return array
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError(f"{op}: {label} must be a floating ndarray or Tensor, got "
                        f"{type(value).__name__} of dtype {getattr(array, 'dtype', None)}")
    if array.shape != shape:
        raise ValueError(f"{op}: {label} has shape {array.shape}, but the input has "
                         f"{shape[0] if shape else 0} channels (expected shape {shape})")
    return array


def _check_param(value: Any, label: str, shape: tuple[int, ...], op: str) -> None:
    if value is not None and tuple(np.shape(value)) != shape:
        raise ValueError(f"{op}: {label} has shape {tuple(np.shape(value))}, expected {shape}")


def _moments(x, axes: tuple[int, ...], n: int):
    """The mean over ``axes`` (``n`` entries each), the deviations from it and the biased
    variance: what both normalisations divide by, computed once for the two."""
    mean = x.sum(axes, keepdims=True) / n
    centered = x - mean
    return mean, centered, (centered * centered).sum(axes, keepdims=True) / n


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * (weight.reshape(shape) if hasattr(weight, "reshape") else weight)
    if bias is not None:
        out = out + (bias.reshape(shape) if hasattr(bias, "reshape") else bias)
    return out


@composite("batch_norm")
def batch_norm(x, running_mean=None, running_var=None, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5):
    """Normalise each channel (axis 1) of an (N, C, ...) input, as ``torch.nn.functional.
    batch_norm``: by the batch's statistics when ``training`` (then the running statistics,
    when given, move toward them by ``momentum``, in place), by the running ones otherwise.

    >>> import tinygrad_lm as tg
    >>> mean, var = np.zeros(2), np.ones(2)
    >>> x = tg.Tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> tg.functional.batch_norm(x, mean, var, training=True).data.round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> mean, var                      # moved by 0.1 toward (2, 20) and the unbiased (2, 200)
    (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """
    op = "batch_norm"
    x = _check_input(x, op)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C, ...), got shape {x.shape}")
    if not isinstance(momentum, numbers.Real) or not 0.0 <= momentum <= 1.0:
        raise ValueError(f"batch_norm: momentum must be a number in [0, 1], got {momentum!r}")
    channels = (x.shape[1],)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    axes = (0, *range(2, x.ndim))
    _check_param(weight, "weight", channels, op)
    _check_param(bias, "bias", channels, op)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    stats = None if running_mean is None else (
        _array(running_mean, "running_mean", channels, op),
        _array(running_var, "running_var", channels, op))
    if not training:
        if stats is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and "
                             "running_var")
        if B.is_foreign(stats[0]):
            xp = B.namespace(stats[0])
            mean = xp.reshape(stats[0], shape)
            std = xp.sqrt(xp.reshape(stats[1], shape) + eps)
        else:
            mean = stats[0].reshape(shape).astype(x.dtype)
            std = np.sqrt(stats[1].reshape(shape) + eps).astype(x.dtype)
        return _affine((x - mean) / std, weight, bias, shape)
    n = x.size // x.shape[1]
    if n <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                         f"got input shape {x.shape}")
    mean, centered, var = _moments(x, axes, n)
    if stats is not None:
        running_mean_data, running_var_data = stats
        xp = B.namespace(running_mean_data, mean.data, op=op)  # in place, in their library
        running_mean_data[...] = (momentum * xp.reshape(mean.data, channels)
                                  + (1 - momentum) * running_mean_data)
        running_var_data[...] = (momentum * xp.reshape(var.data, channels) * (n / (n - 1))
                                 + (1 - momentum) * running_var_data)
    return _affine(centered / (var + eps).sqrt(), weight, bias, shape)


@composite("layer_norm")
def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the last axes (``normalized_shape``) of each sample, as
    ``torch.nn.functional.layer_norm``; ``weight`` and ``bias`` have that shape.

    >>> import tinygrad_lm as tg
    >>> tg.functional.layer_norm(tg.Tensor([[1.0, 3.0], [0.0, 10.0]]), 2).data.round(4)
    array([[-1.,  1.],
           [-1.,  1.]])
    """
    op = "layer_norm"
    x = _check_input(x, op)
    normalized = ((normalized_shape,) if isinstance(normalized_shape, numbers.Integral)
                  else tuple(normalized_shape))
    k = len(normalized)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != normalized:
        raise ValueError(f"layer_norm: normalized_shape {normalized} must be the last axes of "
                         f"the input, got input shape {x.shape}")
    _check_param(weight, "weight", normalized, op)
    _check_param(bias, "bias", normalized, op)
    axes = tuple(range(x.ndim - k, x.ndim))
    n = int(np.prod(normalized))
    _, centered, var = _moments(x, axes, n)
    return _affine(centered / (var + eps).sqrt(), weight, bias, normalized)
