"""Training the bias-free sigmoid MLP by autodiff and by hand-derived backprop, side by side.

The engine trains ``nn.MLP(..., activate_output=True)`` with ``optim.SGD`` on a loss it is
given; ``tinygrad_lm.reference`` applies the hand-derived update to its own copy of the same
weights. The losses are named as in ``tinygrad_lm.losses``: ``"half_sse"`` is the squared error
the textbook update minimises, ``sum((A2 - Y)**2) / (2 N)``; ``"mse"`` is ``losses.mse``, the
mean over all N*C entries (2/C times half_sse); ``"binary_cross_entropy"`` is
``losses.binary_cross_entropy`` of the sigmoid outputs, whose hand-derived output delta is the
bare ``A2 - Y``. Features are standardised with the training split's mean and standard
deviation; every epoch is one full-batch step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import optim, reference
from ..datasets import load_digits, load_iris, train_test_split
from ..frontends.tensor import Tensor
from ..nn import layers as nn
from ._figure import save
from .handprop import ENGINE_LOSSES

DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "iris": load_iris, "digits": load_digits}
LOSSES = tuple(ENGINE_LOSSES)
# What each loss is, in words, for the command line's help and the figures.
LOSS_HELP = {
    "half_sse": "sum((A2 - Y)^2) / 2N, the loss the textbook hand-derived update minimises",
    "mse": "tg.losses.mse of the sigmoid outputs, the mean over all N*C entries "
           "(2/C times half_sse)",
    "binary_cross_entropy": "tg.losses.binary_cross_entropy of the sigmoid outputs, the mean "
                            "over all N*C entries",
}
CURVES_LOSSES = ("half_sse", "binary_cross_entropy")
CURVES_HIDDEN = 16
CURVES_LR = 0.5


def _check_choice(kind: str, name: str, valid) -> None:
    if name not in valid:
        raise ValueError(f"train: unknown {kind} {name!r}; valid ones are "
                         f"{', '.join(valid)}")


def prepare(dataset: str, seed: int = 0, test_size: float = 0.25) -> dict:
    """The split, standardised data set with one-hot training targets.

    >>> data = prepare("iris")
    >>> data["X_train"].shape, data["Y_train"].shape, data["X_test"].shape
    ((112, 4), (112, 3), (38, 4))
    """
    _check_choice("dataset", dataset, DATASETS)
    X, y = DATASETS[dataset]()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=seed)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    # Constant features (the digits' always-blank corner pixels) are only centred.
    std[std == 0] = 1.0
    classes = int(y.max()) + 1
    return {"X_train": (X_train - mean) / std, "X_test": (X_test - mean) / std,
            "y_train": y_train, "y_test": y_test, "Y_train": np.eye(classes)[y_train],
            "classes": classes}


def _accuracy(X, y, W1, W2) -> float:
    # argmax of Z2 equals argmax of sigmoid(Z2), so both losses' networks score the same way.
    return float(np.mean(reference.forward(X, W1, W2)[1].argmax(axis=1) == y))


def train(dataset: str = "iris", loss: str = "half_sse", hidden: int = 16, lr: float = 0.1,
          epochs: int = 2000, seed: int = 0,
          progress: Callable[[int, dict], None] | None = None) -> dict:
    """Train by autodiff and by the reference from the same seeded weights; the curves of both.

    ``progress(epoch, record)``, when given, is called after every epoch with that epoch's
    losses, accuracies and weight difference. Returns the per-epoch lists ``loss`` (engine),
    ``hand_loss``, ``weight_diff``, ``train_accuracy`` and ``test_accuracy``, and the summary
    ``max_weight_diff``, ``final_loss``, ``final_train_accuracy``, ``final_test_accuracy`` and
    ``diverged`` (the loss became infinite or NaN, or ended above where it started).

    >>> result = train("iris", "half_sse", hidden=4, lr=0.5, epochs=5)
    >>> len(result["loss"]), result["max_weight_diff"] <= 1e-12
    (5, True)
    """
    _check_choice("loss", loss, LOSSES)
    if epochs < 1:
        raise ValueError(f"train: epochs must be at least 1, got {epochs}")
    data = prepare(dataset, seed=seed)
    X, Y = data["X_train"], data["Y_train"]
    objective, activate_output = ENGINE_LOSSES[loss]
    net = nn.MLP([X.shape[1], hidden, data["classes"]], bias=False, seed=seed,
                 activate_output=activate_output)
    W1, W2 = net[0].weight.data.copy(), net[2].weight.data.copy()
    opt = optim.SGD(net.parameters(), lr=lr)
    X_t = Tensor(X)
    history: dict[str, list[float]] = {key: [] for key in (
        "loss", "hand_loss", "weight_diff", "train_accuracy", "test_accuracy")}
    # A step size far too large overflows exp in the sigmoids; that is reported as a diverged
    # run in the result, in words, rather than as a stream of numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            value = objective(net(X_t), Y)
            opt.zero_grad()
            value.backward()
            opt.step()
            W1, W2, hand_value = reference.step(X, Y, W1, W2, lr, loss)
            weights = (net[0].weight.data, net[2].weight.data)
            record = {
                "loss": value.item(), "hand_loss": hand_value,
                "weight_diff": float(max(np.abs(weights[0] - W1).max(),
                                         np.abs(weights[1] - W2).max())),
                "train_accuracy": _accuracy(X, data["y_train"], *weights),
                "test_accuracy": _accuracy(data["X_test"], data["y_test"], *weights),
            }
            for key, item in record.items():
                history[key].append(item)
            if progress is not None:
                progress(epoch, record)
    return {"dataset": dataset, "loss_name": loss, "hidden": hidden, "lr": lr,
            "epochs": epochs, "seed": seed, "n_train": len(X), "n_test": len(data["X_test"]),
            "features": X.shape[1], "classes": data["classes"], **history,
            "max_weight_diff": max(history["weight_diff"]),
            "final_loss": history["loss"][-1],
            "final_train_accuracy": history["train_accuracy"][-1],
            "final_test_accuracy": history["test_accuracy"][-1],
            "diverged": _diverged(history["loss"])}


def _diverged(loss: list[float]) -> bool:
    """A run diverged when its loss stopped being a finite number or ended above its start."""
    return not np.all(np.isfinite(loss)) or loss[-1] > loss[0]


def plot_curves(results: list[dict], out_dir: Path, stem: str = "train_curves") -> list[str]:
    """Loss and accuracy per epoch of one or more ``train`` results, as PNG and SVG.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [Path(p).name for p in plot_curves([train(epochs=2)], Path(d))]
    ['train_curves.png', 'train_curves.svg']
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for i, result in enumerate(results):
        epochs = np.arange(1, result["epochs"] + 1)
        label = f"{result['dataset']}, {result['loss_name']}"
        left.plot(epochs, result["loss"], color=f"C{i}", label=f"{label} (autodiff)")
        left.plot(epochs, result["hand_loss"], "k:", lw=1,
                  label="hand-derived backprop" if i == 0 else None)
        right.plot(epochs, result["train_accuracy"], color=f"C{i}", label=f"{label}, train")
        right.plot(epochs, result["test_accuracy"], "--", color=f"C{i}", label=f"{label}, test")
    left.set(xlabel="epoch (one full-batch step)", ylabel="training loss", yscale="log",
             title="the loss: smooth, what gradient descent follows")
    right.set(xlabel="epoch (one full-batch step)", ylabel="accuracy", ylim=(0, 1.02),
              title="the accuracy: a staircase, what we report")
    left.legend(fontsize=8)
    right.legend(fontsize=8, loc="lower right")
    return save(fig, out_dir, stem)


def run(out_dir: Path, epochs: int = 1000) -> dict:
    """Train on Iris with both losses, plot their curves and return the summaries.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d), epochs=20)
    >>> sorted(evidence["runs"]), evidence["max_weight_diff"] <= 1e-12
    (['binary_cross_entropy', 'half_sse'], True)
    """
    results = [train("iris", loss, hidden=CURVES_HIDDEN, lr=CURVES_LR, epochs=epochs)
               for loss in CURVES_LOSSES]
    first = results[0]
    summary_keys = ("max_weight_diff", "final_loss", "final_train_accuracy",
                    "final_test_accuracy", "diverged")
    return {"runs": {r["loss_name"]: {key: r[key] for key in summary_keys} for r in results},
            "max_weight_diff": max(r["max_weight_diff"] for r in results),
            "setup": f"Iris standardised, {first['n_train']} training and {first['n_test']} "
                     f"held-out flowers, a bias-free {first['features']}-{CURVES_HIDDEN}-"
                     f"{first['classes']} sigmoid MLP, lr {CURVES_LR}, {epochs} full-batch "
                     "epochs",
            "figures": plot_curves(results, out_dir)}
