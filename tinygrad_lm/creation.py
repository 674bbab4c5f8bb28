"""Making tensors as PyTorch users do: tg.tensor, zeros, ones, randn, arange, one_hot, ...

float64 by default, as the rest of the package; the random ones take ``seed`` (an int or a
``np.random.Generator``), as every seeded API here does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import arguments as A
from .frontends.tensor import Tensor


def _shape(shape: tuple, op: str) -> tuple[int, ...]:
    sizes = A.sizes(shape, op)
    if any(n < 0 for n in sizes):
        raise ValueError(f"{op}: sizes must be >= 0, got shape {sizes}")
    return sizes


def _made(data: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    return Tensor(data if dtype is None else data.astype(dtype), requires_grad=requires_grad)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A tensor of ``data``, as ``torch.tensor`` (the same as ``tg.Tensor(...)``).

    >>> import tinygrad_lm as tg
    >>> tg.tensor([1.0, 2.0], requires_grad=True)
    Tensor([1., 2.], requires_grad=True)
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of ``shape`` (given as sizes or one tuple).

    >>> import tinygrad_lm as tg
    >>> tg.zeros(2, 3).shape, tg.zeros((2,)).data
    ((2, 3), array([0., 0.]))
    """
    return _made(np.zeros(_shape(shape, "zeros"), dtype), None, requires_grad)


def ones(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of ``shape``.

    >>> import tinygrad_lm as tg
    >>> tg.ones(2)
    Tensor([1., 1.])
    """
    return _made(np.ones(_shape(shape, "ones"), dtype), None, requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = np.float64,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``.

    >>> import tinygrad_lm as tg
    >>> tg.full((2,), 7.0)
    Tensor([7., 7.])
    """
    shape = _shape(shape if isinstance(shape, (tuple, list)) else (shape,), "full")
    return _made(np.full(shape, fill_value, dtype), None, requires_grad)


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``x``'s shape (and dtype, unless ``dtype`` is given).

    >>> import tinygrad_lm as tg
    >>> tg.zeros_like(tg.Tensor([[1.0, 2.0]]))
    Tensor([[0., 0.]])
    """
    return _made(np.zeros_like(np.asarray(getattr(x, "data", x))), dtype, requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``x``'s shape (and dtype, unless ``dtype`` is given).

    >>> import tinygrad_lm as tg
    >>> tg.ones_like(tg.Tensor([1.0, 2.0]))
    Tensor([1., 1.])
    """
    return _made(np.ones_like(np.asarray(getattr(x, "data", x))), dtype, requires_grad)


def randn(*shape: int, seed: int | np.random.Generator | None = None, dtype: Any = np.float64,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples of ``shape``; ``seed`` makes them reproducible.

    >>> import tinygrad_lm as tg
    >>> bool((tg.randn(3, seed=0).data == tg.randn(3, seed=0).data).all())
    True
    """
    rng = np.random.default_rng(seed)
    return _made(rng.standard_normal(_shape(shape, "randn")), dtype, requires_grad)


def rand(*shape: int, seed: int | np.random.Generator | None = None, dtype: Any = np.float64,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) of ``shape``; ``seed`` makes them reproducible.

    >>> import tinygrad_lm as tg
    >>> x = tg.rand(1000, seed=0).data
    >>> bool(x.min() >= 0 and x.max() < 1)
    True
    """
    rng = np.random.default_rng(seed)
    return _made(rng.random(_shape(shape, "rand")), dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded), as ``torch.arange``: integers
    stay integers (int64), unless ``dtype`` says otherwise.

    >>> import tinygrad_lm as tg
    >>> tg.arange(4), tg.arange(0.0, 1.0, 0.25)
    (Tensor([0, 1, 2, 3], dtype=int64), Tensor([0.  , 0.25, 0.5 , 0.75]))
    """
    if step == 0:
        raise ValueError("arange: step must not be 0")
    if end is None:
        start, end = 0, start
    return _made(np.arange(start, end, step), dtype, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = np.float64,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    >>> import tinygrad_lm as tg
    >>> tg.linspace(0, 1, 5)
    Tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    (steps,) = _shape((steps,), "linspace")
    return _made(np.linspace(start, end, steps), dtype, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = np.float64,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity (m = n by default).

    >>> import tinygrad_lm as tg
    >>> tg.eye(2)
    Tensor([[1., 0.],
            [0., 1.]])
    """
    n, m = _shape((n, n if m is None else m), "eye")
    return _made(np.eye(n, m), dtype, requires_grad)


def one_hot(labels: Any, num_classes: int) -> Tensor:
    """A float64 tensor with a 1 at each label's class on a new last axis, as
    ``torch.nn.functional.one_hot`` (which gives int64).

    >>> import tinygrad_lm as tg
    >>> tg.one_hot(np.array([2, 0]), 3)
    Tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    data = np.asarray(getattr(labels, "data", labels))
    if data.dtype.kind == "f" and data.size and np.all(data == np.round(data)):
        raise TypeError(f"one_hot: labels must be integers, got {data.dtype} (whole numbers: "
                        f"cast them with .astype(np.int64))")
    if data.dtype.kind not in "iu":
        raise TypeError(f"one_hot: labels must be integers, got {data.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int, got {num_classes!r}")
    if data.size and (data.min() < 0 or data.max() >= num_classes):
        raise ValueError(f"one_hot: labels must lie in [0, {num_classes}), got values from "
                         f"{data.min()} to {data.max()}")
    return Tensor((data[..., None] == np.arange(num_classes)).astype(np.float64))
