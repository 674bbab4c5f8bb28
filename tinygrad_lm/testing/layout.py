"""Which axis of a prediction holds the examples: rows (X of shape (N, D)) or columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.engine import toposort
from ..core.node import Node


def _one_hot(a: np.ndarray, axis: int) -> bool:
    """Whether every slice along the other axis is a one-hot vector along ``axis``."""
    return bool(np.all((a == 0) | (a == 1)) and np.all(a.sum(axis=axis) == 1))


def infer_batch_axis(shape: tuple[int, ...], target: Any = None, node: Node | None = None,
                     batch_axis: int | None = None) -> int:
    """0 when the examples of an array of ``shape`` are its rows, 1 when they are its columns.

    An explicit ``batch_axis`` wins. Otherwise, for a 2-D shape: a one-hot ``target`` tells
    (one-hot rows or one-hot columns), then labels with one entry per column, then the data
    leaves of ``node``'s graph (an input X of shape (D, N) shares the columns), then a single
    row of several entries (one output per column, as in ``(1, N)``); rows by default.

    >>> infer_batch_axis((3, 5), np.eye(3)[:, [0, 1, 2, 0, 1]])
    1
    >>> infer_batch_axis((5, 3), np.eye(3)[[0, 1, 2, 0, 1]]), infer_batch_axis((1, 4))
    (0, 1)
    """
    if batch_axis is not None:
        if batch_axis not in (0, 1, -1, -2) or (len(shape) < 2 and batch_axis != 0):
            raise ValueError(f"batch_axis must be 0 (examples as rows) or 1 (examples as "
                             f"columns) for a prediction of shape {shape}, got {batch_axis!r}")
        return batch_axis % 2 if len(shape) == 2 else 0
    if len(shape) != 2:
        return 0
    if target is not None:
        t = np.asarray(target)
        if t.shape == shape and shape[0] != 1 and shape[1] != 1:
            rows, cols = _one_hot(t, 1), _one_hot(t, 0)
            if rows != cols:
                return 0 if rows else 1
        if t.ndim == 1 and shape[0] != shape[1]:
            if t.size == shape[1]:
                return 1
            if t.size == shape[0]:
                return 0
    if node is not None and shape[0] != shape[1]:
        data = [m.data.shape for k in toposort(node) for m in k.inputs
                if m is not None and not m.requires_grad and m.data.ndim == 2
                and m.data.shape != shape]  # a target of the same shape tells nothing
        by_rows = any(s[0] == shape[0] for s in data)
        by_cols = any(s[1] == shape[1] for s in data)
        if by_rows != by_cols:
            return 0 if by_rows else 1
    return 1 if shape[0] == 1 and shape[1] > 1 else 0
