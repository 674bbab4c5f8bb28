"""Error, loss and metric told apart on two candidate predictions and one confident classifier."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import losses, metrics
from ..core.engine import ZeroGradientWarning
from ..frontends.tensor import Tensor
from ._figure import save

TRUTH = (0.0, 1.0, 2.0, 3.0)
CANDIDATES = {"A": (-2.0, 3.0, 0.0, 5.0), "B": (0.0, 1.0, 2.0, 10.0)}
Q = 0.9
TRUE_CLASS_PROBABILITIES = (0.7, 0.9)
N_CLASSES = 10


def run(out_dir: Path) -> dict:
    """Run the story, write its figure into ``out_dir`` and return the evidence.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["regression"]["A"]["mse"], evidence["regression"]["B"]["mse"]
    (4.0, 12.25)
    """
    truth = np.array(TRUTH)
    regression = {name: _regression(np.array(pred), truth) for name, pred in CANDIDATES.items()}
    preferred = {
        loss: min(regression, key=lambda name: regression[name][loss])
        for loss in ("mse", "mae", "quantile")
    }
    classification = [_classification(p) for p in TRUE_CLASS_PROBABILITIES]
    evidence = {"truth": list(TRUTH), "q": Q, "regression": regression, "preferred": preferred,
                "classification": classification}
    evidence["figures"] = _plot(evidence, out_dir)
    return evidence


def _regression(pred: np.ndarray, truth: np.ndarray) -> dict:
    """The error vector, three losses with their gradients, and a metric, for one candidate."""
    out: dict = {"pred": pred.tolist(), "error": (pred - truth).tolist()}
    for name, loss in (("mse", losses.mse), ("mae", losses.mae),
                       ("quantile", lambda p, t: losses.quantile(p, t, q=Q))):
        x = Tensor(pred, requires_grad=True)
        value = loss(x, truth)
        value.backward()
        out[name] = value.item()
        out[f"grad_{name}"] = x.grad.tolist()
    x = Tensor(pred, requires_grad=True)
    # A metric a person might set ("no prediction below the truth"): a count, so its gradient
    # is zero, like accuracy's.
    not_below = (x >= truth).mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroGradientWarning)
        not_below.backward()
    out["share_not_below_truth"] = not_below.item()
    out["grad_share_not_below_truth"] = x.grad.tolist()
    return out


def _classification(p_true: float) -> dict:
    """One sample of class 0 whose model gives it probability ``p_true``, the rest shared."""
    probs = np.full((1, N_CLASSES), (1 - p_true) / (N_CLASSES - 1))
    probs[0, 0] = p_true
    logits = Tensor(np.log(probs), requires_grad=True)
    label = np.array([0])
    loss = losses.cross_entropy(logits, label)
    loss.backward()
    loss_grad = logits.grad.copy()
    logits.grad = None
    acc = metrics.accuracy(logits, label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroGradientWarning)
        acc.backward()
    return {"p_true": p_true, "cross_entropy": loss.item(), "accuracy": acc.item(),
            "cross_entropy_grad_true_logit": float(loss_grad[0, 0]),
            "accuracy_grad_abs_max": float(np.abs(logits.grad).max())}


def _plot(evidence: dict, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    truth = np.array(evidence["truth"])
    index = np.arange(len(truth))
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4.6))
    left.plot(index, truth, "ks", label="truth", zorder=3)
    for k, (name, colour, shift) in enumerate((("A", "C0", -0.08), ("B", "C1", 0.08))):
        pred = np.array(evidence["regression"][name]["pred"])
        left.plot(index + shift, pred, "o", color=colour, label=f"prediction {name}")
        left.vlines(index + shift, truth, pred, color=colour, alpha=0.6,
                    label="error" if k == 0 else None)
    left.set_xticks(index)
    left.set_xlabel("sample")
    left.set_title("the error vector:\nprediction - truth")
    left.legend()

    names = ("mse", "mae", "quantile")
    labels = ("MSE", "MAE", f"quantile q={evidence['q']}\n(penalises predicting low)")
    for k, (name, colour) in enumerate((("A", "C0"), ("B", "C1"))):
        values = [evidence["regression"][name][loss] for loss in names]
        bars = middle.bar(np.arange(3) + (k - 0.5) * 0.38, values, 0.38, color=colour,
                          label=f"prediction {name}")
        middle.bar_label(bars, fmt="%.4g", fontsize=8)
    middle.set_xticks(np.arange(3), labels)
    middle.set_title("the loss: one number per candidate,\nand the choice depends on the loss")
    middle.legend()

    cases = evidence["classification"]
    positions = np.arange(len(cases))
    right.bar(positions - 0.19, [c["cross_entropy"] for c in cases], 0.38, color="C2",
              label="cross-entropy (loss)")
    right.bar(positions + 0.19, [c["accuracy"] for c in cases], 0.38, color="C7",
              label="accuracy (metric)")
    right.set_xticks(positions, [f"p(true class) = {c['p_true']}" for c in cases])
    right.set_title("more confident and right:\nthe loss falls, the metric stays")
    right.set_ylim(0, 1.35)
    right.legend(loc="upper left")
    return save(fig, out_dir, "error_loss_metric")
