"""Spread statistics built from primitives: var and std, with PyTorch's ``correction``."""

from __future__ import annotations

from ..core import arguments as A
from ..core.scopes import composite


@composite("var")
def var(x, axis=None, keepdims: bool = False, correction: float = 1, *, dim=None,
        keepdim=None):
    """The variance over ``axis``: the sum of squared deviations from the mean divided by
    N - ``correction`` (1: unbiased, as PyTorch's default; 0: the population variance).

    With N - correction <= 0 the result is inf or NaN, as in PyTorch.

    >>> import tinygrad_lm as tg
    >>> tg.functional.var(tg.Tensor([1.0, 2.0, 3.0, 4.0])).item()
    1.6666666666666667
    >>> tg.Tensor([[1.0, 3.0], [2.0, 2.0]]).var(dim=1, correction=0)
    Tensor([1., 0.])
    """
    axes, keepdims = A.reduce_axes(axis, x.ndim, "var", dim), A.keep(keepdims, keepdim, "var")
    if isinstance(correction, bool) or not isinstance(correction, (int, float)):
        raise TypeError(f"var: correction must be a number, got {correction!r}")
    centred = x - x.mean(axes, keepdims=True)
    total = (centred * centred).sum(axes, keepdims)
    count = x.size // max(total.size, 1) if x.size else 0
    return total / max(count - correction, 0)


@composite("std")
def std(x, axis=None, keepdims: bool = False, correction: float = 1, *, dim=None,
        keepdim=None):
    """The standard deviation over ``axis``: the square root of ``var`` (same arguments).

    >>> import tinygrad_lm as tg
    >>> tg.Tensor([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).std(correction=0).item()
    2.0
    """
    axis, keepdims = A.alias(axis, dim, "std"), A.keep(keepdims, keepdim, "std")
    return var(x, axis, keepdims, correction).sqrt()
