"""What a Tensor holds: its array, numpy's or another array-API library's, and its size."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import arguments as A
from ..core import backend as B
from ..core import primitives as P


class Size(int):
    """A tensor's number of entries (an int, as numpy's ``size``) that, called, answers as
    PyTorch's ``size()``: the shape, or with ``dim`` the size of that axis.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor(np.zeros((2, 3)))
    >>> x.size, x.size(), x.size(-1), x.size(dim=0)
    (6, (2, 3), 3, 2)
    """

    def __new__(cls, count: int, shape: tuple[int, ...]) -> Size:
        size = super().__new__(cls, count)
        size.shape = shape
        return size

    def __call__(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self.shape
        (axis,) = A.axes(dim, len(self.shape), "size")
        return self.shape[axis]


def count(data: Any) -> int:
    """The number of entries of an array of any library (torch's ``size`` is a method).

    >>> import array_api_strict as xps
    >>> count(np.zeros((2, 3))), count(xps.zeros((4, 2)))
    (6, 8)
    """
    return data.size if type(data) is np.ndarray else math.prod(data.shape)


def foreign(data: Any, dtype: Any) -> Any:
    """An array of another array-API library, kept in its library (and cast to ``dtype``).

    >>> import array_api_strict as xps
    >>> foreign(xps.asarray([1, 2]), np.float32)
    Array([1., 2.], dtype=array_api_strict.float32)
    """
    if B.kind(data.dtype) not in A.STORABLE:
        raise TypeError(f"Tensor: unsupported dtype {data.dtype}; use a float, int or bool dtype")
    B.use_namespaces()
    if dtype is not None:
        data = P.astype.standard(B.namespace(data), data, dtype)
    return data


def standard_zeros(data: Any, mask: Any) -> Any:
    """The zero gradient of a piecewise-constant op on non-numpy data, NaN where ``mask``.

    >>> import array_api_strict as xps
    >>> standard_zeros(xps.asarray([1.0, 2.0]), xps.asarray([False, True]))
    Array([ 0., nan], dtype=array_api_strict.float64)
    """
    xp = B.namespace(data)
    dtype = data.dtype if B.kind(data.dtype) == "f" else xp.float64
    zeros = xp.zeros(tuple(data.shape), dtype=dtype)
    if mask is None:
        return zeros
    return xp.where(xp.broadcast_to(mask, zeros.shape), xp.full_like(zeros, math.nan), zeros)
