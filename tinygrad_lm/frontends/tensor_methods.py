"""Tensor's methods that take parameters (clip, argmax, max, cumsum, ...): a mixin of ``Tensor``.

The operators and elementwise methods come from ``core.operators``; ``sum`` stays in ``tensor``
beside the constructor, on its fast path.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import functional as F
from ..core import arguments as A
from ..core import backend as B
from ..core import primitives as P


class ValuesIndices(NamedTuple):
    """What ``cummax`` and ``cummin`` return, as PyTorch: the values and where they come from.

    >>> import tinygrad_lm as tg
    >>> tg.Tensor([1.0, 3.0, 2.0]).cummax(0).indices
    Tensor([0, 1, 1], dtype=int64)
    """

    values: object
    indices: object


class TensorMethods:
    """The methods of ``Tensor`` that take parameters (besides its shape methods and sum).

    >>> import tinygrad_lm as tg
    >>> tg.Tensor([[1.0, 5.0], [3.0, 4.0]]).max(dim=0)
    Tensor([3., 5.])
    """

    __slots__ = ()

    def to(self, xp):
        """The data in another array-API namespace, as a new leaf (``numpy``, ``torch``,
        ``array_api_strict``, ``cupy``): the engine converts only when asked.

        >>> import tinygrad_lm as tg, array_api_strict as xps
        >>> tg.Tensor([1.0, 2.0]).to(xps)
        Tensor([1., 2.], dtype=array_api_strict.float64, xp=array_api_strict)
        """
        return self._new(B.to_namespace(self.data, xp))

    # Composites: the functions of ``functional``, bound as methods (no extra frame).
    mean, min, logsumexp = F.mean, F.min, F.logsumexp
    softmax, log_softmax = F.softmax, F.log_softmax
    var, std = F.var, F.std

    def matmul(self, other):
        """``self @ other``.

        >>> import tinygrad_lm as tg
        >>> (tg.Tensor([[1.0, 2.0]]).matmul(tg.Tensor([[3.0], [4.0]]))).item()
        11.0
        """
        return self @ other

    def clip(self, lo: float | None = None, hi: float | None = None):
        """x limited to [lo, hi]; the gradient passes where lo <= x <= hi (as torch.clamp).

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([-2.0, 0.5, 2.0]).clip(-1, 1)
        Tensor([-1. ,  0.5,  1. ])
        """
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        return P.clip(self, lo=lo, hi=hi)

    def argmax(self, axis: int | None = None, keepdims: bool = False, *, dim=None,
               keepdim=None):
        """The index of the largest entry; zero gradient, undefined at a tie.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(axis=1)
        Tensor([1, 0], dtype=int64)
        """
        axes = A.reduce_axes(axis, self.ndim, "argmax", dim)
        keepdims = A.keep(keepdims, keepdim, "argmax")
        if axes is not None and len(axes) != 1:  # a 0-d tensor's dim 0: its only index
            return P.argmax(self, axis=None, keepdims=keepdims)
        return P.argmax(self, axis=None if axes is None else axes[0], keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim=None, keepdim=None):
        """The maximum over ``axis``; tied entries share the gradient evenly.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0, 5.0], [3.0, 4.0]]).max(axis=1)
        Tensor([5., 4.])
        """
        return P.max(self, axis=A.reduce_axes(axis, self.ndim, "max", dim),
                     keepdims=A.keep(keepdims, keepdim, "max"))

    def cumsum(self, axis: int | None = None, *, dim=None):
        """The running sum along ``axis``, as ``torch.cumsum``.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([1.0, 2.0, 3.0]).cumsum(0)
        Tensor([1., 3., 6.])
        """
        axis = _one_axis(self, axis, dim, "cumsum")
        return self.reshape(()) if self.ndim == 0 else P.cumsum(self, axis=axis)

    def cummax(self, axis: int | None = None, *, dim=None) -> ValuesIndices:
        """The running maximum along ``axis`` and the index it comes from (the latest of tied
        entries, as ``torch.cummax``); the gradient goes to that entry.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([1.0, 3.0, 3.0, 2.0]).cummax(0)
        ValuesIndices(values=Tensor([1., 3., 3., 3.]), indices=Tensor([0, 1, 2, 2], dtype=int64))
        """
        return _running(self, _one_axis(self, axis, dim, "cummax"), np.maximum)

    def cummin(self, axis: int | None = None, *, dim=None) -> ValuesIndices:
        """The running minimum along ``axis`` and the index it comes from, as ``torch.cummin``.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([3.0, 1.0, 2.0]).cummin(0).values
        Tensor([3., 1., 1.])
        """
        return _running(self, _one_axis(self, axis, dim, "cummin"), np.minimum)


def _one_axis(x, axis, dim, op: str) -> int:
    """The one axis a scan runs along (a 0-d tensor's is its only entry, as in PyTorch)."""
    axis = A.alias(axis, dim, op)
    if axis is None:
        raise TypeError(f"{op}: missing the axis (or dim) to run along")
    (axis,) = A.axes(axis, max(x.ndim, 1), op)
    return axis


def _running(x, axis: int, extreme) -> ValuesIndices:
    """The running ``extreme`` and its indices; the values are gathered at the indices, so the
    gradient reaches the chosen entries as PyTorch's does."""
    if x.ndim == 0:
        return ValuesIndices(x.reshape(()), x._new(np.zeros((), np.int64)))
    data = x.data
    running = extreme.accumulate(data, axis=axis)
    steps = np.arange(data.shape[axis]).reshape((-1,) + (1,) * (data.ndim - axis - 1))
    # The latest position where the entry equals the running extreme: its own index there,
    # and the previous holder's elsewhere (an entry that does not reach it keeps it). A NaN
    # takes over and stays, as in PyTorch.
    reaches = (data == running) | np.isnan(data)
    indices = np.maximum.accumulate(np.where(reaches, steps, 0), axis=axis)
    return ValuesIndices(x.take_along_axis(indices, axis), x._new(indices))
