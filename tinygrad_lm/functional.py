"""Composites built from primitives; their gradients come from the primitives' VJPs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import primitives as P
from . import tensor as _tensor


def mean(x, axis=None, keepdims: bool = False):
    """The mean over ``axis``: a sum divided by the number of entries summed.

    >>> import tinygrad_lm as tg
    >>> tg.functional.mean(tg.Tensor([[1.0, 3.0], [5.0, 7.0]]), axis=1)
    Tensor([2., 6.])
    """
    total = x.sum(_tensor._axes(axis, x.ndim, "mean"), keepdims)
    count = x.size // max(total.size, 1) if x.size else 0
    return total / count


def min(x, axis=None, keepdims: bool = False):  # noqa: A001 (numpy's and torch's name)
    """The minimum over ``axis``, as -max(-x): ties share the gradient as in ``max``.

    >>> import tinygrad_lm as tg
    >>> tg.functional.min(tg.Tensor([2.0, -1.0]))
    Tensor(-1.)
    """
    return -(-x).max(_tensor._axes(axis, x.ndim, "min"), keepdims)


def logsumexp(x, axis=None, keepdims: bool = False):
    """log(sum(exp(x))) over ``axis``, shifted by the maximum so that nothing overflows.

    The shift is a constant: the result does not depend on it, so neither does the gradient
    (softmax), and treating it as a constant keeps the graph small and exact.

    >>> import tinygrad_lm as tg
    >>> tg.functional.logsumexp(tg.Tensor([0.0, 0.0])).item() == float(np.log(2))
    True
    """
    axes = _tensor._axes(axis, x.ndim, "logsumexp")
    shift = np.max(x.data, axis=axes, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0).astype(x.dtype)
    out = (x - shift).exp().sum(axes, keepdims=True).log() + shift
    if keepdims:
        return out
    kept = () if axes is None else tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return out.reshape(kept)


def log_softmax(x, axis: int = -1):
    """x - logsumexp(x): log-probabilities, finite for logits of any magnitude.

    >>> import tinygrad_lm as tg
    >>> tg.functional.log_softmax(tg.Tensor([1e4, 0.0])).data
    array([     0., -10000.])
    """
    return x - logsumexp(x, _tensor._axes(axis, x.ndim, "log_softmax"), keepdims=True)


def softmax(x, axis: int = -1):
    """exp(x) normalised along ``axis``, as exp(log_softmax(x)).

    >>> import tinygrad_lm as tg
    >>> tg.functional.softmax(tg.Tensor([0.0, np.log(3.0)])).data.round(6)
    array([0.25, 0.75])
    """
    return log_softmax(x, _tensor._axes(axis, x.ndim, "softmax")).exp()


def concatenate(tensors: Sequence[Any], axis: int = 0):
    """Join tensors along an existing axis, as ``np.concatenate``.

    >>> import tinygrad_lm as tg
    >>> tg.concatenate([tg.Tensor([1.0]), tg.Tensor([2.0, 3.0])])
    Tensor([1., 2., 3.])
    """
    parts = _as_parts(tensors, "concatenate")
    ndim = parts[0].ndim
    if any(p.ndim != ndim for p in parts):
        raise ValueError(f"concatenate: all inputs need the same number of dimensions, got "
                         f"shapes {[tuple(p.shape) for p in parts]}")
    if ndim == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use stack")
    (axis,) = _tensor._axes(axis, ndim, "concatenate")
    return P.concatenate(*parts, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0):
    """Join tensors of one shape along a new axis, as ``np.stack``.

    >>> import tinygrad_lm as tg
    >>> tg.stack([tg.Tensor([1.0, 2.0]), tg.Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    parts = _as_parts(tensors, "stack")
    shapes = {tuple(p.shape) for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all inputs need the same shape, got {sorted(shapes)}")
    (axis,) = _tensor._axes(axis, parts[0].ndim + 1, "stack")
    expanded = [p.reshape(p.shape[:axis] + (1,) + p.shape[axis:]) for p in parts]
    return P.concatenate(*expanded, axis=axis)


def _as_parts(tensors: Sequence[Any], op: str) -> list:
    if isinstance(tensors, (_tensor.Tensor, np.ndarray)) or not len(tensors):
        raise TypeError(f"{op}: expects a non-empty list of tensors")
    return [t if isinstance(t, _tensor.Tensor) else _tensor.Tensor(t) for t in tensors]

