"""A predict that returns probabilities where the catalogue's cross-entropy takes logits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import losses
from ..frontends.tensor import Tensor
from ._shared import best_scale, nice_factor, node_grads, relative_error


def softmax_rows(pred: np.ndarray) -> bool:
    """Whether ``pred`` (examples as rows) looks like softmax output: entries in [0, 1], every
    row summing to 1.

    >>> softmax_rows(np.array([[0.2, 0.8], [0.5, 0.5]])), softmax_rows(np.array([[2.0, -1.0]]))
    (True, False)
    """
    return (pred.ndim == 2 and pred.shape[1] > 1 and bool(((pred >= 0) & (pred <= 1)).all())
            and bool(np.allclose(pred.sum(axis=1), 1.0, rtol=0, atol=1e-9)))


def advice(reduction: str) -> str:
    """What to say when the gradients are cross-entropy's of the logits behind ``pred``.

    >>> advice("mean")[:28]
    'Your predict returns softmax'
    """
    which = "cross_entropy" if reduction == "mean" else "cross_entropy(sum)"
    return (f"Your predict returns softmax probabilities (every row sums to 1), and your "
            f"gradients are those of {which} of the logits behind them. The catalogue's "
            f"cross_entropy takes logits: return the scores before the softmax from predict "
            f"(it applies log_softmax itself). Checked here as {which} of log(pred), which is "
            f"the same loss.")


def fit_log_probabilities(pred: Tensor, target: np.ndarray, tensors: Sequence[Tensor],
                          user: list[np.ndarray], n: int, c: int,
                          tolerance: float) -> tuple[str, float, str | None, float] | None:
    """(reduction, scale, factor, error) when ``user`` are cross-entropy's gradients with
    ``log(pred)`` as the logits (softmax of log p is p again), else None; a fit at scale 1
    first.

    >>> import tinygrad_lm as tg
    >>> z = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> w = Tensor(z, requires_grad=True)
    >>> pred = w.softmax(axis=1)
    >>> y = np.array([0, 1])
    >>> user = (pred.data - np.eye(2)[y]) / 2
    >>> fit_log_probabilities(pred, y, [w], [user], 2, 2, 1e-6)[:3]
    ('mean', 1.0, '1')
    """
    if not softmax_rows(pred.data):
        return None
    logits = pred.log()
    fits = []
    for reduction in ("mean", "sum"):
        try:
            root = losses.cross_entropy(logits, target, reduction=reduction)
        except (ValueError, TypeError):
            return None
        engine, _ = node_grads(root, tensors)
        scale = best_scale(user, engine)
        found = nice_factor(scale, n, c, tol=1e-3)
        if found is not None and relative_error(user, engine, found[0]) <= tolerance:
            fits.append((reduction, float(found[0]), found[1],
                         relative_error(user, engine, found[0])))
    return min(fits, key=lambda fit: fit[2] != "1", default=None)  # scale 1 first
