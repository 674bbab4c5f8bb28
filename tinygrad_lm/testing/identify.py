"""Which loss, and which scale of it, a set of hand-written gradients belongs to."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import losses
from ..frontends.tensor import Tensor
from ._shared import (
    best_scale,
    explain_factor,
    fill,
    graph_output,
    leaves,
    nice_factor,
    node_grads,
    relative_error,
)
from .decay import decayed_fit
from .layout import infer_batch_axis
from .probabilities import advice, fit_log_probabilities
from .structure import flatten

OP = "identify_loss"


def half_sse(pred: Tensor, target: Any) -> Tensor:
    """``sum((pred - target)**2) / (2N)``, N the rows: what hand-derived backprop minimises.

    >>> import tinygrad_lm as tg
    >>> half_sse(tg.Tensor([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    Tensor(0.25)
    """
    target = np.asarray(target.data if isinstance(target, Tensor) else target, np.float64)
    if target.shape != pred.shape:
        raise ValueError(f"half_sse: pred has shape {pred.shape} but target has shape "
                         f"{target.shape}; they must match exactly")
    if pred.ndim == 0:
        raise ValueError("half_sse: pred must have a first axis of rows, got a 0-d Tensor")
    error = pred - target
    return (error ** 2).sum() / (2 * pred.shape[0])


def _with(fn: Callable, reduction: str) -> Callable:
    return lambda pred, target: fn(pred, target, reduction=reduction)


# (name, what it is in words, the loss of (prediction, target)); mean before sum.
CATALOGUE: tuple[tuple[str, str, Callable], ...] = (
    ("half_sse", "sum((pred - target)**2) / (2N), the half summed squared error over the N "
     "rows", half_sse),
    ("mse", "mean((pred - target)**2) over all N*C entries", _with(losses.mse, "mean")),
    ("mse(sum)", "sum((pred - target)**2) over all entries", _with(losses.mse, "sum")),
    ("binary_cross_entropy", "the binary cross-entropy of probabilities pred, averaged over all "
     "entries", _with(losses.binary_cross_entropy, "mean")),
    ("binary_cross_entropy(sum)", "the binary cross-entropy of probabilities pred, summed",
     _with(losses.binary_cross_entropy, "sum")),
    ("binary_cross_entropy_with_logits", "the binary cross-entropy of sigmoid(pred), averaged "
     "over all entries", _with(losses.binary_cross_entropy_with_logits, "mean")),
    ("binary_cross_entropy_with_logits(sum)", "the binary cross-entropy of sigmoid(pred), "
     "summed", _with(losses.binary_cross_entropy_with_logits, "sum")),
    ("cross_entropy", "the softmax cross-entropy of logits pred, averaged over the rows",
     _with(losses.cross_entropy, "mean")),
    ("cross_entropy(sum)", "the softmax cross-entropy of logits pred, summed over the rows",
     _with(losses.cross_entropy, "sum")),
    ("mae", "mean(|pred - target|) over all entries", _with(losses.mae, "mean")),
    ("mae(sum)", "sum(|pred - target|)", _with(losses.mae, "sum")),
    ("hinge", "mean(max(0, 1 - target * pred)) over all entries", _with(losses.hinge, "mean")),
    ("hinge(sum)", "sum(max(0, 1 - target * pred))", _with(losses.hinge, "sum")),
)


@dataclass
class Candidate:
    """One loss of the catalogue tried against the gradients: its best scale and error.

    >>> Candidate("mse", "mean squared error", 1.0, "1", 0.0).fits
    True
    """

    name: str
    formula: str
    scale: float
    factor: str | None      # the scale as a usual factor ("C/2"), None when it is none of them
    max_rel_error: float
    tolerance: float = 1e-6
    weight_decay: float = 0.0   # c of an L2 gradient term c * w fitted beside the loss
    decayed: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        """Whether the gradients are this loss's times ``scale`` within the tolerance.

        >>> Candidate("mse", "mean squared error", 2.0, "2", 1e-3).fits
        False
        """
        return self.scale != 0 and self.max_rel_error <= self.tolerance


@dataclass
class LossMatch:
    """What ``identify_loss`` found: ``name`` (None when nothing fits), ``scale``, the error.

    ``scale`` is how many times the named loss's gradients yours are (1.0 for an exact match);
    when nothing fits, ``closest`` names the nearest candidate and ``scale`` and
    ``max_rel_error`` are its. ``weight_decay`` is the coefficient c of an L2 gradient term
    c * w fitted beside the loss (0.0 when none) and ``decayed`` the params that carry it.
    ``candidates`` holds every loss tried; ``skipped`` the losses that
    do not apply to this prediction and target, with the reason. ``probabilities`` is True when
    the prediction is softmax probabilities and the match is the cross-entropy of their logs
    (a predict that should return logits). ``str()`` explains it.

    >>> LossMatch("mse", 1.0, 0.0, n=4, c=1).name
    'mse'
    """

    name: str | None
    scale: float
    max_rel_error: float
    n: int = 1
    c: int = 1
    closest: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    note: str = ""
    weight_decay: float = 0.0
    decayed: list[str] = field(default_factory=list)
    batch_axis: int = 0
    probabilities: bool = False  # the match is of log(pred): predict returned probabilities

    def __str__(self) -> str:
        if not self.candidates:
            return (f"no loss of the catalogue applies to this prediction and target: "
                    f"{'; '.join(f'{k}: {v}' for k, v in self.skipped.items())}")
        best = next(c for c in self.candidates if c.name == (self.name or self.closest))
        counts = (f"N = {self.n} rows, C = {self.c} columns" if self.batch_axis == 0 else
                  f"N = {self.n} examples as columns, C = {self.c} rows")
        if self.name is None:
            text = (f"No loss of the catalogue fits your gradients. The closest is {best.name}, "
                    f"{best.formula}: at the best scale, {best.scale:.6g}, a relative error of "
                    f"{best.max_rel_error:.2g} remains ({counts}). Check the gradients "
                    f"themselves with assert_gradients_match against the loss you meant.")
        else:
            how = {"1": "exactly the gradient", "-1": "exactly minus the gradient"}.get(
                best.factor, f"{_factor_words(best)} the gradient")
            text = (f"Your gradients are {how} of {best.name}: {best.formula} ({counts}; "
                    f"largest relative difference {best.max_rel_error:.2g}).")
            if best.decayed:
                text = text[:-1] + _decay_words(best) + "."
            others = [c for c in self.candidates if c.fits and c is not best]
            if others:
                text += " The same gradients are also " + "; ".join(
                    f"{_factor_words(c)} those of {c.name} ({c.formula}), so {c.name} would "
                    f"give gradients {_ratio_words(c, self.n, self.c)}" for c in others) + "."
            if best.factor not in ("1", None):
                text += (f" Against {best.name} that is "
                         f"{explain_factor(best.scale, best.factor, self.n, self.c)}.")
            if best.factor is None:
                text += (" The scale is none of the usual factors (2, N, C and their products): "
                         "a learning rate folded into the gradients?")
        text += f" {self.note}" if self.note else ""
        return fill(text)


def _decay_words(c: Candidate) -> str:
    names = ", ".join(c.decayed)
    return (f", plus L2 weight decay {c.weight_decay:.6g}·w on {names} (the penalty "
            f"{c.weight_decay / 2:.6g}·ΣW², whose gradient is {c.weight_decay:.6g}·W)")


def _factor_words(c: Candidate) -> str:
    if c.factor == "1":
        return "exactly"
    label = c.factor if c.factor is not None else f"{c.scale:.6g}"
    return f"{label} = {c.scale:.6g} times" if c.factor not in (None, "-1") else (
        f"{label} times")


def _ratio_words(c: Candidate, n: int, cols: int) -> str:
    """How the named loss's gradients compare with yours, yours being ``c.scale`` times them."""
    size, label = abs(c.scale), None if c.factor is None else c.factor.lstrip("-")
    if label == "1":
        words = "the same size"
    elif size > 1:
        words = f"{size:.6g} times smaller" if label is None else (
            f"{label} = {size:.6g} times smaller")
    else:
        words = f"{1 / size:.6g} times larger" if label is None else (
            f"{nice_factor(1 / size, n, cols)[1]} = {1 / size:.6g} times larger")
    return words if c.scale > 0 else f"opposite-sign, {words}"


def identify_loss(predict_fn: Callable[..., Tensor], params: Sequence[Any], target: Any,
                  grads: Sequence[Any], *, batch_axis: int | None = None) -> LossMatch:
    """Find the loss of the catalogue, and its scale, whose gradients your ``grads`` are.

    ``predict_fn(*params)`` returns the prediction Tensor the loss is applied to (the params
    arrive as float64 Tensors); ``grads[i]`` is your gradient for ``params[i]``. Each loss of
    ``CATALOGUE`` (``tg.losses`` with reduction mean and sum, plus ``half_sse``) is
    differentiated by the engine and the best factor between its gradients and yours fitted.
    An exact match at scale 1 wins, then a match at a usual factor (2, N, C, their products,
    their inverses and negatives), then any constant factor; a loss that fits only with an L2
    term c * w added to some params' gradients is a match with ``weight_decay`` c; when
    nothing fits within 1e-6 relative (1e-4 for float32 gradients), ``name`` is None and
    ``closest`` names the nearest. ``batch_axis`` (0 rows, 1 columns) says which axis of the
    prediction holds the examples; by default it is inferred from the prediction, the target
    and the data in the graph, so N and C are not swapped for examples stored as columns.

    >>> import numpy as np, tinygrad_lm as tg
    >>> x, y = np.array([[1.0], [2.0]]), np.array([[1.0], [3.0]])
    >>> w = np.array([[0.5]])
    >>> grad = x.T @ (x @ w - y) / len(x)
    >>> match = identify_loss(lambda w: tg.Tensor(x) @ w, [w], y, [grad])
    >>> match.name, match.scale
    ('half_sse', 1.0)
    >>> x2, w2 = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]), np.array([[0.5], [-1.0]])
    >>> y2 = np.array([[1.0], [3.0], [0.0]])
    >>> g2 = x2.T @ (x2 @ w2 - y2) / 3 + 0.1 * w2
    >>> decayed = identify_loss(lambda W: tg.Tensor(x2) @ W, [w2], y2, [g2])
    >>> decayed.name, decayed.weight_decay, decayed.decayed
    ('half_sse', 0.1, ['W'])
    """
    structure, arrays, raw = flatten(params, grads, OP)
    for i, (path, g, p) in enumerate(zip(structure.paths, raw, arrays)):
        if g.shape != p.shape and g.size == p.size and g.shape != p.shape[::-1] and (
                [k for k in g.shape if k != 1] == [k for k in p.shape if k != 1]):
            raw[i] = g = g.reshape(p.shape)  # (3,) for a (1, 3) bias: the values can still fit
        if g.shape != p.shape:
            raise ValueError(f"{OP}: grads{path} has shape {g.shape} but params{path} has shape "
                             f"{p.shape}; check it with assert_gradients_match first")
    narrow = any(g.dtype.kind == "f" and g.dtype.itemsize < 8 for g in raw + arrays)
    tolerance = 1e-4 if narrow else 1e-6
    user = [g.astype(np.float64) for g in raw]
    target = target.data if isinstance(target, Tensor) else np.asarray(target)
    tensors = leaves(arrays)
    names = structure.short_names(predict_fn)
    pred = graph_output(structure.call(predict_fn, tensors), OP, "predict_fn")
    axis = infer_batch_axis(pred.shape, target, pred, batch_axis)
    if axis == 1:  # examples as columns: the catalogue's losses read them as rows
        pred, target = pred.T, target.T if target.ndim == 2 else target
    n = pred.shape[0] if pred.ndim else 1
    c = int(np.prod(pred.shape[1:], dtype=np.int64))
    candidates, skipped = [], {}
    # Every loss is built on the one prediction graph: recording passes leave the leaves alone.
    for name, formula, loss in CATALOGUE:
        try:
            root = loss(pred, target)
        except (ValueError, TypeError) as e:
            skipped[name] = str(e)
            continue
        engine, _ = node_grads(root, tensors)
        scale = best_scale(user, engine)
        found = nice_factor(scale, n, c, tol=1e-3)
        factor = None
        if found is not None and relative_error(user, engine, found[0]) <= tolerance:
            scale, factor = found
        candidate = Candidate(name, formula, float(scale), factor,
                              relative_error(user, engine, scale), tolerance)
        if not candidate.fits:
            candidate = _with_decay(candidate, user, engine, arrays, n, c, names)
        candidates.append(candidate)
    note = ("Your gradients are float32 or narrower: the engine's were computed in float64, and "
            "a fit within 1e-4 relative counts as a match." if narrow else "")
    fitting = [k for k in candidates if k.fits]
    if fitting:
        best = min(fitting, key=lambda k: (k.factor != "1", k.factor is None,
                                           candidates.index(k)))
        return LossMatch(best.name, best.scale, best.max_rel_error, n, c, None, candidates,
                         skipped, note, best.weight_decay, list(best.decayed), axis)
    if not candidates:
        return LossMatch(None, float("nan"), float("inf"), n, c, None, [], skipped, note,
                         batch_axis=axis)
    logs = fit_log_probabilities(pred, target, tensors, user, n, c, tolerance)
    if logs is not None:
        reduction, scale, factor, error = logs
        name = "cross_entropy" if reduction == "mean" else "cross_entropy(sum)"
        fitted = Candidate(name, f"the softmax cross-entropy with log(pred) as the logits, "
                           f"{'averaged' if reduction == 'mean' else 'summed'} over the rows",
                           scale, factor, error, tolerance)
        candidates = [fitted if k.name == name else k for k in candidates]
        return LossMatch(name, scale, error, n, c, None, candidates, skipped,
                         " ".join(filter(None, [advice(reduction), note])), batch_axis=axis,
                         probabilities=True)
    best = min(candidates, key=lambda k: k.max_rel_error)
    return LossMatch(None, best.scale, best.max_rel_error, n, c, best.name, candidates,
                     skipped, note, batch_axis=axis)


def _with_decay(candidate: Candidate, user: list[np.ndarray], engine: list[np.ndarray],
                arrays: list[np.ndarray], n: int, c: int, names: list[str]) -> Candidate:
    """``candidate`` refitted with an L2 decay term beside it, when that fits and it did not."""
    fit = decayed_fit(user, engine, arrays, n, c)
    if fit is None or fit[2] > candidate.tolerance:
        return candidate
    scale, factor, error, coefficient, decayed = fit
    return Candidate(candidate.name, candidate.formula, scale, factor, error,
                     candidate.tolerance, coefficient, [names[i] for i in decayed])
