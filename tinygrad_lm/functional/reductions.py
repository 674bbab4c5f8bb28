"""Reductions built from primitives: mean, min, logsumexp, softmax and log_softmax."""


from __future__ import annotations

import numpy as np

from ..core import arguments as A
from ..core import backend as B
from ..core.scopes import composite


def mean(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """The mean over ``axis``: a sum divided by the number of entries summed.

    >>> import tinygrad_lm as tg
    >>> tg.functional.mean(tg.Tensor([[1.0, 3.0], [5.0, 7.0]]), axis=1)
    Tensor([2., 6.])
    """
    total = x.sum(A.reduce_axes(axis, x.ndim, "mean", dim), A.keep(keepdims, keepdim, "mean"))
    count = x.size // max(total.size, 1) if x.size else 0
    return total / count


def min(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):  # noqa: A001 (numpy's and torch's name)
    """The minimum over ``axis``, as -max(-x): ties share the gradient as in ``max``.

    Integer and boolean data (which never require grad) take numpy's minimum instead, since
    negating them wraps around (unsigned ints, the most negative int) or fails (bool).

    >>> import tinygrad_lm as tg
    >>> tg.functional.min(tg.Tensor([2.0, -1.0]))
    Tensor(-1.)
    >>> tg.functional.min(tg.Tensor(np.array([200, 3], dtype=np.uint8)))
    Tensor(3, dtype=uint8)
    """
    axes, keepdims = A.reduce_axes(axis, x.ndim, "min", dim), A.keep(keepdims, keepdim, "min")
    if x.dtype.kind == "f":
        return -(-x).max(axes, keepdims)
    try:
        return x._new(np.minimum.reduce(x.data, axes, keepdims=keepdims))
    except ValueError as e:
        raise ValueError(f"min: {e} (input: shape {x.shape} {x.dtype})") from e


@composite("logsumexp")
def logsumexp(x, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
    """log(sum(exp(x))) over ``axis``, shifted by the maximum so that nothing overflows.

    The shift is a constant: the result does not depend on it, so neither does the gradient
    (softmax), and treating it as a constant keeps the graph small and exact. Over an empty
    axis the sum is 0 and the result -inf, as in PyTorch.

    >>> import tinygrad_lm as tg
    >>> tg.functional.logsumexp(tg.Tensor([0.0, 0.0])).item() == float(np.log(2))
    True
    >>> tg.functional.logsumexp(tg.Tensor(np.zeros((2, 0))), axis=1)
    Tensor([-inf, -inf])
    """
    axes = A.reduce_axes(axis, x.ndim, "logsumexp", dim)
    keepdims = A.keep(keepdims, keepdim, "logsumexp")
    if type(x.data) is not np.ndarray:  # another array-API library: its namespace
        xp = B.namespace(x.data)
        shift = xp.max(x.data, axis=axes, keepdims=True)
        shift = xp.where(xp.isfinite(shift), shift, xp.zeros_like(shift))
    elif x.size:
        shift = np.max(x.data, axis=axes, keepdims=True)
    else:  # an empty axis has no maximum and needs no shift
        shift = np.zeros([1 if axes is None or i in axes else n for i, n in enumerate(x.shape)])
    if type(shift) is np.ndarray:
        shift = np.where(np.isfinite(shift), shift, 0).astype(x.dtype)
    with np.errstate(divide="ignore"):  # log(0) of an empty sum is -inf, not a warning
        out = (x - shift).exp().sum(axes, keepdims=True).log() + shift
    if keepdims:
        return out
    kept = () if axes is None else tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return out.reshape(kept)


@composite("log_softmax")
def log_softmax(x, axis: int = -1, *, dim=None):
    """x - logsumexp(x): log-probabilities, finite for logits of any magnitude.

    >>> import tinygrad_lm as tg
    >>> tg.functional.log_softmax(tg.Tensor([1e4, 0.0])).data
    array([     0., -10000.])
    """
    axes = A.reduce_axes(A.alias(axis, dim, "log_softmax", -1), x.ndim, "log_softmax")
    return x - logsumexp(x, axes, keepdims=True)


def softmax(x, axis: int = -1, *, dim=None):
    """exp(x) normalised along ``axis``, as exp(log_softmax(x)); empty for an empty axis.

    >>> import tinygrad_lm as tg
    >>> tg.functional.softmax(tg.Tensor([0.0, np.log(3.0)])).data.round(6)
    array([0.25, 0.75])
    """
    axes = A.reduce_axes(A.alias(axis, dim, "softmax", -1), x.ndim, "softmax")
    return log_softmax(x, axes).exp()
