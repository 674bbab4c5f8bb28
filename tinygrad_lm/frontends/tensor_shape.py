"""Tensor's shape methods (reshape, transpose, squeeze, expand, flip, ...): a mixin of ``Tensor``.

Each is a primitive with its arguments checked or a composite of shape primitives, so its
gradient comes from theirs.
"""

from __future__ import annotations

import numpy as np

from ..core import arguments as A
from ..core import primitives as P


class TensorShape:
    """The methods of ``Tensor`` that move entries around without changing them.

    >>> import tinygrad_lm as tg
    >>> tg.Tensor(np.zeros((2, 1, 3))).squeeze().permute(1, 0).unsqueeze(0).shape
    (1, 3, 2)
    """

    __slots__ = ()

    def reshape(self, *shape):
        """The same entries in a new shape (one entry may be -1).

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, 2)
        Tensor([[1., 2.],
                [3., 4.]])
        """
        return P.reshape(self, shape=A.sizes(shape, "reshape"))

    def flatten(self):
        """The entries as one axis.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0], [2.0]]).flatten()
        Tensor([1., 2.])
        """
        return self.reshape(-1)

    def transpose(self, *axes):
        """The axes permuted as numpy's ``transpose``; with no axes, reversed (``.T``).

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0, 2.0]]).transpose().shape
        (2, 1)
        """
        normalized = A.permutation(axes, self.shape, "transpose")
        return P.transpose(self, axes=normalized)

    def permute(self, *axes):
        """The axes in the order ``axes`` (all of them), as ``torch.permute``.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        if not axes or axes == ((),):
            raise TypeError(f"permute: give every axis of the tensor of shape {self.shape} in "
                            f"its new order, e.g. permute{tuple(range(self.ndim))[::-1]}")
        return self.transpose(*axes)

    def squeeze(self, axis=None, *, dim=None):
        """The axes of size 1 removed (all of them, or those of ``axis``); as in PyTorch, an
        ``axis`` whose size is not 1 is left as it is.

        >>> import tinygrad_lm as tg
        >>> x = tg.Tensor(np.zeros((1, 3, 1)))
        >>> x.squeeze().shape, x.squeeze(0).shape, x.squeeze(1).shape
        ((3,), (3, 1), (1, 3, 1))
        """
        chosen = A.reduce_axes(axis, self.ndim, "squeeze", dim)
        chosen = range(self.ndim) if chosen is None else chosen
        shape = tuple(n for i, n in enumerate(self.shape) if n != 1 or i not in chosen)
        return self if shape == self.shape else self.reshape(shape)

    def unsqueeze(self, axis=None, *, dim=None):
        """A new axis of size 1 at position ``axis`` (of the result), as ``torch.unsqueeze``.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([1.0, 2.0]).unsqueeze(-1).shape
        (2, 1)
        """
        axis = A.alias(axis, dim, "unsqueeze")
        if axis is None:
            raise TypeError("unsqueeze: missing the axis (or dim) at which to insert the new axis")
        (axis,) = A.axes(axis, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def expand(self, *shape):
        """The tensor broadcast to ``shape`` without copying, as ``torch.expand``: -1 keeps an
        axis's size, and new axes may be added in front.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0], [2.0]]).expand(2, -1, 3).shape
        (2, 2, 3)
        """
        shape = A.sizes(shape, "expand")
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: the shape {shape} has fewer axes than the tensor of "
                             f"shape {self.shape}")
        target = []
        for i, n in enumerate(shape):
            own = self.shape[i - lead] if i >= lead else None
            if n == -1:
                if own is None:
                    raise ValueError(f"expand: -1 cannot size the new leading axis {i} in "
                                     f"{shape}")
                n = own
            if n < 0 or (own is not None and own not in (1, n)):
                raise ValueError(f"expand: cannot expand shape {self.shape} to {shape}: "
                                 f"axis {i} has size {own}, which is neither 1 nor {n}")
            target.append(n)
        return P.broadcast_to(self, shape=tuple(target))

    def flip(self, axis=None, *, dim=None):
        """The entries in reverse order along ``axis`` (every axis by default, as numpy).

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0, 2.0], [3.0, 4.0]]).flip(1)
        Tensor([[2., 1.],
                [4., 3.]])
        """
        chosen = A.axes(A.alias(axis, dim, "flip"), self.ndim, "flip")
        chosen = range(self.ndim) if chosen is None else chosen
        reverse = slice(None, None, -1)
        return P.getitem(self, index=tuple(reverse if i in chosen else slice(None)
                                           for i in range(self.ndim)))

    def take_along_axis(self, indices, axis=None, *, dim=None):
        """The entries at ``indices`` along ``axis``, as ``np.take_along_axis`` and
        ``torch.gather``: ``indices`` has as many axes as the tensor, and the other axes
        broadcast. Entries picked twice get their gradients added.

        >>> import tinygrad_lm as tg
        >>> tg.Tensor([[1.0, 2.0], [3.0, 4.0]]).take_along_axis(np.array([[1], [0]]), 1)
        Tensor([[2.],
                [3.]])
        """
        axis = A.alias(axis, dim, "take_along_axis")
        if axis is None:
            raise TypeError("take_along_axis: missing the axis (or dim) to take along")
        (axis,) = A.axes(axis, self.ndim, "take_along_axis")
        picks = np.asarray(getattr(indices, "data", indices))
        if picks.dtype.kind not in "iu":
            raise TypeError(f"take_along_axis: indices must be integers, got {picks.dtype}")
        if picks.ndim != self.ndim:
            raise ValueError(f"take_along_axis: indices of shape {picks.shape} need as many "
                             f"axes as the tensor of shape {self.shape}")
        size = self.shape[axis]
        if picks.size and not (-size <= picks.min() and picks.max() < size):
            raise IndexError(f"take_along_axis: indices must lie in [{-size}, {size}) for "
                             f"axis {axis} of shape {self.shape}, got values from "
                             f"{picks.min()} to {picks.max()}")
        try:
            np.broadcast_shapes(picks.shape[:axis] + picks.shape[axis + 1:],
                                self.shape[:axis] + self.shape[axis + 1:])
        except ValueError:
            raise ValueError(f"take_along_axis: indices of shape {picks.shape} do not broadcast "
                             f"against the tensor of shape {self.shape} outside axis "
                             f"{axis}") from None
        grid = [np.arange(n).reshape((1,) * i + (n,) + (1,) * (self.ndim - i - 1))
                for i, n in enumerate(self.shape)]
        grid[axis] = picks
        return P.getitem(self, index=tuple(grid))
