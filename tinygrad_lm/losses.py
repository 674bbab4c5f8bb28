"""Loss functions built from Tensor primitives, so each gradient comes from the primitives' VJPs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import backend as B
from .core import primitives as P
from .core.scopes import composite
from .frontends.tensor import Tensor

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "hinge",
           "mae", "mse", "quantile"]
__all__ += ["nll_loss"]

REDUCTIONS = ("mean", "sum", "none")

# Like PyTorch's BCELoss: log-probabilities below -100 count as -100, so p = 0 or 1 costs 100
# instead of infinity.
_LOG_FLOOR = -100.0


def mse(pred: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: the average of (pred - target) ** 2.

    >>> import tinygrad_lm as tg
    >>> tg.losses.mse(tg.Tensor([-2.0, 3.0, 0.0, 5.0]), [0, 1, 2, 3])
    Tensor(4.)
    """
    _check_reduction(reduction, "mse")
    pred, target = _regression_pair(pred, target, "mse")
    return _reduce((pred - target) ** 2, reduction)


def mae(pred: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error: the average of |pred - target| (subgradient 0 where they are equal).

    >>> import tinygrad_lm as tg
    >>> tg.losses.mae(tg.Tensor([0.0, 1.0, 2.0, 10.0]), [0, 1, 2, 3])
    Tensor(1.75)
    """
    _check_reduction(reduction, "mae")
    pred, target = _regression_pair(pred, target, "mae")
    return _reduce((pred - target).abs(), reduction)


@composite("binary_cross_entropy")
def binary_cross_entropy(prob: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities p, each log floored at -100.

    >>> import tinygrad_lm as tg
    >>> round(tg.losses.binary_cross_entropy(tg.Tensor([0.9]), [1]).item(), 6)
    0.105361
    >>> tg.losses.binary_cross_entropy(tg.Tensor([0.0]), [1])
    Tensor(100.)
    """
    op = "binary_cross_entropy"
    _check_reduction(reduction, op)
    prob, target = _regression_pair(prob, target, op)
    _check_unit_interval(prob.data, op, "prob")
    _check_unit_interval(_data(target), op, "target")
    # Negating each term, not their sum, keeps a perfect prediction at +0.0 rather than -0.0;
    # -(t log p) rather than (-t) log p, so that a drawing shows the target, not -target.
    rest = 1 - target
    if isinstance(target, Tensor):  # a constant a drawing shows: say what it is
        rest.name = f"1 - {target.name or 'target'}"
    losses = -(target * _floored_log(prob)) - rest * _floored_log(1 - prob)
    return _reduce(losses, reduction)


@composite("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(logits: Tensor, target: Any,
                                     reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(logits), as softplus(x) - x t: finite for any logit.

    >>> import tinygrad_lm as tg
    >>> tg.losses.binary_cross_entropy_with_logits(tg.Tensor([1e4, -1e4]), [1, 0])
    Tensor(0.)
    """
    op = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, op)
    logits, target = _regression_pair(logits, target, op)
    _check_unit_interval(_data(target), op, "target")
    # softplus(x) = log(e^0 + e^x), shifted by the constant max(x, 0) so nothing overflows.
    # The shift is data, not graph: the value does not depend on it, so the gradient is the
    # exact sigmoid(x) everywhere. The textbook max(x, 0) + log(1 + e^-|x|) would instead
    # combine the subgradients relu'(0) = abs'(0) = 0 and miss sigmoid(0) = 1/2 at x = 0.
    shift = P.maximum(logits.data, 0.0)  # on the data's own library: numpy's on numpy
    softplus = ((logits - shift).exp() + P.exp(-shift)).log() + shift
    return _reduce(softplus - logits * target, reduction)


@composite("cross_entropy")
def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C).

    As in PyTorch, logits may also be one sample (C,) (target a 0-d index or (C,)
    probabilities) or (N, C, d1, ...) with the classes on axis 1 (target (N, d1, ...) or
    probabilities of the logits' shape); ``reduction="none"`` keeps the target's batch shape.
    Computed from a stable log-softmax, so logits of magnitude 1e4 give finite values and
    gradients.

    >>> import tinygrad_lm as tg
    >>> logits = tg.Tensor([[0.0, np.log(9.0)], [0.0, 0.0]])
    >>> tg.losses.cross_entropy(logits, np.array([1, 0]), reduction="none").data.round(6)
    array([0.105361, 0.693147])
    >>> round(tg.losses.cross_entropy(logits, np.array([[0.0, 1.0], [1.0, 0.0]])).item(), 4)
    0.3993
    >>> round(tg.losses.cross_entropy(tg.Tensor([0.0, 0.0]), np.array(1)).item(), 6)
    0.693147
    """
    op = "cross_entropy"
    _check_reduction(reduction, op)
    logits = _as_pred(logits, op, "logits")
    flat, batch = _classes_last(logits, op, "logits")
    logp = flat.log_softmax(axis=1)
    raw = _data(target)
    if raw.shape == logits.shape and raw.dtype.kind != "f":
        raise TypeError(f"{op}: class probabilities of shape {raw.shape} must have a floating "
                        f"dtype, got {raw.dtype}; convert one-hot labels with .astype(float)")
    if raw.shape == logits.shape and logits.ndim != 0:
        _check_unit_interval(raw, op, "target probabilities")
        # An array target stays an array (a constant, not a graph node), as before.
        probs = (target if isinstance(target, Tensor) else
                 Tensor(target).astype(logits.dtype) if B.is_foreign(target) else
                 raw.astype(logits.dtype))
        probs, _ = _classes_last(probs, op, "target")
        return _reduce(_to_batch(-(logp * probs).sum(axis=1), batch), reduction)
    labels = _labels(raw, logits.shape, batch, op)
    return _reduce(_to_batch(-logp[np.arange(len(labels)), labels], batch), reduction)


def nll_loss(log_probs: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood ``-log_probs[n, target[n]]``, as ``torch.nn.functional.
    nll_loss``: ``log_probs`` (N, C), (C,) or (N, C, d1, ...), target class indices.

    ``cross_entropy(z, y)`` is ``nll_loss(z.log_softmax(axis=1), y)``.

    >>> import tinygrad_lm as tg
    >>> tg.losses.nll_loss(tg.Tensor([[-0.5, -2.0], [-1.0, -3.0]]), np.array([0, 1]))
    Tensor(1.75)
    """
    op = "nll_loss"
    _check_reduction(reduction, op)
    log_probs = _as_pred(log_probs, op, "log_probs")
    flat, batch = _classes_last(log_probs, op, "log_probs")
    labels = _labels(_data(target), log_probs.shape, batch, op)
    return _reduce(_to_batch(-flat[np.arange(len(labels)), labels], batch), reduction)


def _classes_last(x: Any, op: str, name: str) -> tuple[Any, tuple[int, ...]]:
    """``x`` (a Tensor or an ndarray) of shape (C,), (N, C) or (N, C, d1, ...) as (M, C) rows,
    with the batch shape ((), (N,) or (N, d1, ...)) the rows come from."""
    if x.ndim == 0:
        raise ValueError(f"{op}: {name} must have shape (C,), (N, C) or (N, C, d1, ...), got "
                         f"a 0-d tensor")
    if x.ndim == 1:
        return x.reshape(1, x.shape[0]), ()
    if x.ndim == 2:
        return x, (x.shape[0],)
    batch = (x.shape[0], *x.shape[2:])
    moved = x.transpose(0, *range(2, x.ndim), 1)
    return moved.reshape(int(np.prod(batch)), x.shape[1]), batch


def _to_batch(losses: Tensor, batch: tuple[int, ...]) -> Tensor:
    """Per-row losses in the target's batch shape (no reshape node for (N, C) logits)."""
    return losses if losses.shape == batch else losses.reshape(batch)


def _labels(raw: np.ndarray, shape: tuple[int, ...], batch: tuple[int, ...],
            op: str) -> np.ndarray:
    """Class indices of the batch shape, flattened and checked against C = shape[1]."""
    if len(shape) == 2:  # the common case keeps class_indices' own messages
        return class_indices(raw, shape[0], shape[1], op)
    c = shape[0] if len(shape) == 1 else shape[1]
    if raw.shape != batch:
        raise ValueError(f"{op}: predictions have shape {shape}, so target must be class "
                         f"indices of shape {batch} or probabilities of shape {shape}; got "
                         f"shape {raw.shape}")
    return class_indices(raw.reshape(-1), raw.size, c, op)


def hinge(score: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """max(0, 1 - target * score) with target in {-1, +1} (subgradient 0 at the kink).

    >>> import tinygrad_lm as tg
    >>> tg.losses.hinge(tg.Tensor([2.0, 0.5, -1.0]), [1, 1, 1], reduction="none")
    Tensor([0. , 0.5, 2. ])
    """
    op = "hinge"
    _check_reduction(reduction, op)
    score, target = _regression_pair(score, target, op)
    values = _data(target)
    if not np.isin(values, (-1, 1)).all():
        bad = np.unique(values[~np.isin(values, (-1, 1))])[:5]
        raise ValueError(f"{op}: target must be -1 or +1, found {bad.tolist()}; map 0/1 labels "
                         f"with 2 * y - 1")
    return _reduce((1 - target * score).relu(), reduction)


def quantile(pred: Tensor, target: Any, q: float = 0.5, reduction: str = "mean") -> Tensor:
    """Pinball loss max(q e, (q - 1) e), e = target - pred: q near 1 punishes predicting low.

    Written as q relu(e) + (1 - q) relu(-e), whose subgradient at e = 0 is 0, as for ``mae``
    (``quantile`` with q = 0.5 is half the absolute error).

    >>> import tinygrad_lm as tg
    >>> tg.losses.quantile(tg.Tensor([0.0, 4.0]), [1, 1], q=0.9, reduction="none")
    Tensor([0.9, 0.3])
    """
    op = "quantile"
    _check_reduction(reduction, op)
    if isinstance(q, bool) or not isinstance(q, (int, float, np.floating, np.integer)):
        raise TypeError(f"{op}: q must be a number in [0, 1], got {type(q).__name__}")
    if not 0 <= q <= 1:
        raise ValueError(f"{op}: q must be in [0, 1], got {q}")
    pred, target = _regression_pair(pred, target, op)
    error = target - pred
    return _reduce(q * error.relu() + (1 - q) * (-error).relu(), reduction)


def class_indices(target: Any, n: int, c: int, op: str) -> np.ndarray:
    """``target`` checked as N integer class labels in [0, C), as an int64 array.

    >>> class_indices([2, 0], 2, 3, "demo")
    array([2, 0])
    """
    labels = np.asarray(target)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op}: class indices must have an integer dtype, got {labels.dtype} "
                        f"(shape {labels.shape}); convert labels with .astype(int), or pass "
                        f"class probabilities of shape ({n}, {c})")
    if labels.shape != (n,):
        raise ValueError(f"{op}: predictions have shape ({n}, {c}), so target must be class "
                         f"indices of shape ({n},) or probabilities of shape ({n}, {c}); got "
                         f"shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        bad = labels[(labels < 0) | (labels >= c)][:5]
        raise ValueError(f"{op}: class indices must be in [0, {c}) for {c} classes, found "
                         f"{bad.tolist()}")
    return labels.astype(np.int64)


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: unknown reduction {reduction!r}; use one of "
                         f"{', '.join(repr(r) for r in REDUCTIONS)}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _as_pred(pred: Any, op: str, name: str = "pred") -> Tensor:
    """The prediction as a floating Tensor (arrays and lists are wrapped as constants)."""
    if not isinstance(pred, Tensor):
        array = np.asarray(pred)
        pred = Tensor(array if array.dtype.kind == "f" else array.astype(np.float64))
    if pred.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must have a floating dtype, got {pred.dtype}")
    return pred


def _regression_pair(pred: Any, target: Any, op: str) -> tuple[Tensor, Any]:
    """``pred`` as a Tensor and ``target`` of exactly its shape (a Tensor stays in the graph)."""
    pred = _as_pred(pred, op)
    if B.is_foreign(target):  # another library's array: a constant Tensor of it
        target = Tensor(target)
        if target.dtype != pred.dtype:
            target = target.astype(pred.dtype)
    if isinstance(target, Tensor):
        shape = target.shape
    else:
        target = np.asarray(target)
        if target.dtype.kind not in "biuf":
            raise TypeError(f"{op}: target must be numeric, got dtype {target.dtype}")
        target = target.astype(pred.dtype)
        shape = target.shape
    if shape != pred.shape:
        raise ValueError(f"{op}: pred has shape {pred.shape} but target has shape {shape}; "
                         f"they must match exactly (no broadcasting between them)")
    return pred, target


def _data(x: Any) -> np.ndarray:
    """A target's values on the host, as numpy, for checks and class indices."""
    return x.numpy() if isinstance(x, Tensor) else B.to_numpy(x)


def _check_unit_interval(values: np.ndarray, op: str, name: str) -> None:
    inside = (values >= 0) & (values <= 1)
    if not inside.all():
        bad = values[~inside][:5]
        raise ValueError(f"{op}: {name} must lie in [0, 1], found {bad.tolist()}")


def _floored_log(p: Tensor) -> Tensor:
    """max(log p, -100), with a finite gradient even at p = 0.

    p is first raised to the smallest positive number of its dtype, whose log is already
    below the floor, so log never sees 0 (no -inf, no 0/0 in its VJP) and the value is the
    same as flooring log p itself.
    """
    tiny = float(np.finfo(p.dtype).smallest_subnormal)
    return p.clip(lo=tiny).log().clip(lo=_LOG_FLOOR)
