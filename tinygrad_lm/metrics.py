"""Metrics in the graph, from piecewise-constant primitives: zero gradient, undefined on steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from .frontends.tensor import Tensor
from .losses import class_indices

__all__ = ["accuracy"]


def accuracy(pred: Tensor, target: Any, threshold: float = 0.5) -> Tensor:
    """The fraction of correct predictions, as a 0-d Tensor in the graph.

    Binary when ``pred`` is (N,) or (N, 1): class 1 where ``pred > threshold``, against 0/1
    targets. Multiclass when ``pred`` is (N, C): the argmax over axis 1, against integer labels
    (N,) or one-hot rows (N, C). Backward gives every parameter an all-zero gradient and a
    ``ZeroGradientWarning``; with ``undefined="nan"`` the entries of a prediction that sits on
    the threshold, or of a row whose maximum is tied, are NaN. Comparing the predicted class
    with the label is never undefined: a small change of the inputs cannot move the class.

    >>> import tinygrad_lm as tg
    >>> tg.metrics.accuracy(tg.Tensor([0.9, 0.4, 0.6]), [1, 0, 0])
    Tensor(0.66666667)
    >>> w = tg.Tensor([[2.0, 1.0], [0.0, 3.0]], requires_grad=True)
    >>> acc = tg.metrics.accuracy(w, np.array([0, 0]))
    >>> acc.item(), acc.requires_grad
    (0.5, True)
    """
    op = "accuracy"
    if not isinstance(pred, Tensor):
        pred = Tensor(np.asarray(pred, dtype=np.float64))
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if pred.ndim == 1 or (pred.ndim == 2 and pred.shape[1] == 1):
        n = pred.shape[0]
        if labels.shape not in ((n,), (n, 1)):
            raise ValueError(f"{op}: binary predictions of shape {pred.shape} need 0/1 targets "
                             f"of shape ({n},) or ({n}, 1); got target shape {labels.shape}")
        if labels.dtype.kind not in "biuf" or not np.isin(labels, (0, 1)).all():
            raise ValueError(f"{op}: binary targets must be 0 or 1 (dtype {labels.dtype}); "
                             f"found {np.unique(labels).tolist()[:5]}")
        if pred.ndim == 2:
            pred = pred.reshape(n)  # a column (N, 1) is compared entry by entry with N labels
        predicted = pred > threshold
        # A target Tensor of the right shape stays in the graph (a constant), so that drawings
        # show it under its name.
        if isinstance(target, Tensor) and target.shape == (n,) and target.dtype == pred.dtype:
            labels = target
        else:
            labels = labels.reshape(n).astype(pred.dtype)
    elif pred.ndim == 2:
        n, c = pred.shape
        if labels.shape == (n, c):
            labels = _one_hot_labels(labels, op)
        predicted = pred.argmax(axis=1)
        labels = class_indices(labels, n, c, op)
    else:
        raise ValueError(f"{op}: pred must have shape (N,), (N, 1) or (N, C), got {pred.shape}")
    if type(pred.data) is not np.ndarray and not isinstance(labels, Tensor):
        labels = Tensor(labels).to(pred.xp)  # the labels, read on the host, join the pred's
    return (predicted == labels).mean()


def _one_hot_labels(one_hot: np.ndarray, op: str) -> np.ndarray:
    """The class index of each one-hot row, after checking that every row is one-hot."""
    is_binary = one_hot.dtype.kind in "biuf" and np.isin(one_hot, (0, 1)).all()
    if not is_binary or not (one_hot.sum(axis=1) == 1).all():
        raise ValueError(f"{op}: a target of shape {one_hot.shape} must be one-hot: 0/1 entries "
                         f"with a single 1 per row")
    return np.argmax(one_hot, axis=1)
