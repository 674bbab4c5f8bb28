"""Validation loss rising while validation accuracy rises too, on the handwritten digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import datasets, losses, metrics
from ..core.node import no_grad
from ..frontends.tensor import Tensor
from ._figure import save

SEED = 0
N_TRAIN = 100
HIDDEN = 32
LR = 0.5
MOMENTUM = 0.9
EPOCHS = 300


def run(out_dir: Path) -> dict:
    """Train a small MLP on 100 digits, track validation loss and accuracy, plot both.

    Full-batch gradient descent with momentum on cross-entropy; the other 1697 digits are the
    validation set. Returns the curves (entry k is epoch k + 1), the epoch of lowest validation
    loss, the epochs where loss and accuracy disagree, and how confident the wrong answers are.
    Epochs are counted from 1, in the evidence as in the figure and its caption.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["final"]["val_accuracy"] > evidence["at_best_loss"]["val_accuracy"]
    True
    """
    X, y = datasets.load_digits()
    X = X / 16.0
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(X))
    train, val = order[:N_TRAIN], order[N_TRAIN:]
    params = [
        Tensor(rng.normal(0, 1 / 8, size=(64, HIDDEN)), requires_grad=True),
        Tensor(np.zeros(HIDDEN), requires_grad=True),
        Tensor(rng.normal(0, 1 / np.sqrt(HIDDEN), size=(HIDDEN, 10)), requires_grad=True),
        Tensor(np.zeros(10), requires_grad=True),
    ]
    velocity = [np.zeros_like(p.data) for p in params]
    keys = ("train_loss", "val_loss", "val_accuracy", "wrong_confidence", "wrong_loss_share")
    curves: dict = {k: [] for k in keys}
    for _ in range(EPOCHS):
        loss = losses.cross_entropy(_forward(params, X[train]), y[train])
        for p in params:
            p.grad = None
        loss.backward()
        for p, v in zip(params, velocity):
            v *= MOMENTUM
            v += p.grad
            p.data -= LR * v
        with no_grad():
            curves["train_loss"].append(loss.item())
            for k, value in _validate(_forward(params, X[val]), y[val]).items():
                curves[k].append(value)
    val_loss, val_acc = np.array(curves["val_loss"]), np.array(curves["val_accuracy"])
    best = int(val_loss.argmin())
    disagree = [e + 1 for e in range(best + 1, EPOCHS)
                if val_loss[e] > val_loss[best] and val_acc[e] > val_acc[best]]
    evidence = {
        "n_train": N_TRAIN, "n_val": len(val), "epochs": EPOCHS, "curves": curves,
        "best_loss_epoch": best + 1,
        "at_best_loss": _snapshot(curves, best + 1),
        "final": _snapshot(curves, EPOCHS),
        "disagree_epochs": disagree,
    }
    evidence["figures"] = _plot(evidence, out_dir)
    return evidence


def _forward(params: list[Tensor], x: np.ndarray) -> Tensor:
    w1, b1, w2, b2 = params
    return (x @ w1 + b1).tanh() @ w2 + b2


def _validate(logits: Tensor, labels: np.ndarray) -> dict:
    """Validation loss and accuracy, and how sure and how costly the wrong answers are."""
    per_sample = losses.cross_entropy(logits, labels, reduction="none").data
    wrong = logits.data.argmax(axis=1) != labels
    confidence = logits.softmax(axis=1).data.max(axis=1)
    return {
        "val_loss": float(per_sample.mean()),
        "val_accuracy": metrics.accuracy(logits, labels).item(),
        "wrong_confidence": float(confidence[wrong].mean()) if wrong.any() else 0.0,
        "wrong_loss_share": float(per_sample[wrong].sum() / per_sample.sum()),
    }


def _snapshot(curves: dict, epoch: int) -> dict:
    """The curves' values at ``epoch``, counted from 1."""
    return {"epoch": epoch, **{k: v[epoch - 1] for k, v in curves.items()}}


def _spans(epochs: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive epochs as (first, last) pairs."""
    spans: list[tuple[int, int]] = []
    for e in epochs:
        if spans and e == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((e, e))
    return spans


def _plot(evidence: dict, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    curves = evidence["curves"]
    epochs = np.arange(1, evidence["epochs"] + 1)
    best, final = evidence["at_best_loss"], evidence["final"]
    fig, (top, bottom, third) = plt.subplots(3, 1, figsize=(9, 9.5), sharex=True)
    top.plot(epochs, curves["val_loss"], color="C3", label="validation loss")
    top.plot(epochs, curves["train_loss"], color="C3", ls="--", alpha=0.6, label="training loss")
    top.set_ylim(0, 1.6 * final["val_loss"])
    bottom.plot(epochs, curves["val_accuracy"], color="C0", label="validation accuracy")
    third.plot(epochs, curves["wrong_confidence"], color="C4",
               label="mean confidence of the wrong answers")
    third.plot(epochs, curves["wrong_loss_share"], color="C5",
               label="share of the validation loss due to wrong answers")
    for ax in (top, bottom, third):
        for first, last in _spans(evidence["disagree_epochs"]):
            ax.axvspan(first - 0.5, last + 0.5, color="gold", alpha=0.25, lw=0)
        ax.axvline(best["epoch"], color="grey", ls=":")
    top.annotate(f"lowest validation loss {best['val_loss']:.3f} (epoch {best['epoch']})",
                 xy=(best["epoch"], best["val_loss"]),
                 xytext=(best["epoch"] + 25, 1.3 * final["val_loss"]),
                 arrowprops={"arrowstyle": "->"})
    top.annotate(f"epoch {final['epoch']}: {final['val_loss']:.3f}",
                 xy=(final["epoch"], final["val_loss"]),
                 xytext=(0.7 * final["epoch"], 1.3 * final["val_loss"]),
                 arrowprops={"arrowstyle": "->"})
    bottom.annotate(f"accuracy {best['val_accuracy']:.3f} at the lowest loss",
                    xy=(best["epoch"], best["val_accuracy"]),
                    xytext=(best["epoch"] + 40, best["val_accuracy"] - 0.04),
                    arrowprops={"arrowstyle": "->"})
    bottom.annotate(f"epoch {final['epoch']}: {final['val_accuracy']:.3f}",
                    xy=(final["epoch"], final["val_accuracy"]),
                    xytext=(0.7 * final["epoch"], best["val_accuracy"] - 0.04),
                    arrowprops={"arrowstyle": "->"})
    bottom.set_ylim(best["val_accuracy"] - 0.06, min(1.0, final["val_accuracy"] + 0.02))
    third.set_ylim(0, 1)
    shaded = plt.Rectangle((0, 0), 1, 1, color="gold", alpha=0.25)
    handles, labels = top.get_legend_handles_labels()
    top.legend(handles + [shaded], labels + ["loss worse and accuracy better than at the "
                                             "lowest loss"], loc="lower right", fontsize=9)
    bottom.legend(loc="lower right", fontsize=9)
    third.legend(loc="lower right", fontsize=9)
    top.set_ylabel("cross-entropy")
    bottom.set_ylabel("accuracy")
    third.set_ylabel("wrong answers")
    third.set_xlabel("epoch")
    top.set_title(f"Digits, {evidence['n_train']} training images: after epoch "
                  f"{best['epoch']} the loss gets worse\nwhile the accuracy gets better "
                  f"(the mistakes grow overconfident)")
    return save(fig, out_dir, "loss_vs_accuracy")
