"""The hidden loss: autodiff of half_sse = sum((A2 - Y)**2) / 2N equals hand-derived backprop.

On Iris (all 150 flowers, raw features, one-hot targets, a bias-free 4-5-3 sigmoid MLP, lr 0.1,
2000 full-batch steps) the engine, given only the forward pass and that loss, and
``tinygrad_lm.reference``, given only the hand-derived deltas, are run side by side from the
same weights. Then two variations: ``losses.mse``, the mean over all N*C entries (its gradient
is half_sse's times 2/C), and ``losses.binary_cross_entropy`` of the sigmoid outputs, where the
output sigmoid's slope A2(1 - A2) cancels, so a confidently wrong output unit still learns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import losses, optim, reference
from ..datasets import load_iris
from ..frontends.tensor import Tensor
from ..nn import layers as nn
from ..testing.identify import half_sse
from ._figure import save

STEPS = 2000
LR = 0.1
SIZES = (4, 5, 3)
SEED = 0
# The confidently wrong start: the trained output weights, negated and scaled by this.
WRONG_SCALE = 10.0
SETUP = (f"Iris, all 150 flowers with raw features, a bias-free {SIZES[0]}-{SIZES[1]}-{SIZES[2]} "
         f"sigmoid MLP, lr {LR}, {STEPS} full-batch steps")


def _bce_of_logits(Z2: Tensor, Y: np.ndarray) -> Tensor:
    # binary_cross_entropy of sigmoid(Z2), computed from the logits so it stays finite.
    return losses.binary_cross_entropy_with_logits(Z2, Y)


# name: (the engine's objective of the network's output, whether that output is sigmoid(Z2))
ENGINE_LOSSES: dict[str, tuple[Callable[[Tensor, np.ndarray], Tensor], bool]] = {
    "half_sse": (half_sse, True),
    "mse": (losses.mse, True),
    "binary_cross_entropy": (_bce_of_logits, False),
}


def initial_weights(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The seeded starting weights ``W1`` (4, 5) and ``W2`` (5, 3): PyTorch's uniform init.

    >>> W1, W2 = initial_weights()
    >>> W1.shape, W2.shape
    ((4, 5), (5, 3))
    """
    net = nn.MLP(SIZES, bias=False, seed=seed, activate_output=True)
    return net[0].weight.data.copy(), net[2].weight.data.copy()


def compare(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, *, steps: int,
            lr: float, loss: str = "half_sse") -> dict:
    """Train by autodiff and by the reference side by side; every step's differences.

    ``loss`` is ``"half_sse"`` (the squared error the textbook update minimises), ``"mse"`` or
    ``"binary_cross_entropy"`` (of the sigmoid outputs), as in ``reference.LOSSES``. Returns
    per-step losses of both, the largest weight and loss difference at each step, the
    reference's training accuracy after each step (the class is the argmax of a row of ``Y``),
    and the final weights of both.

    >>> X, y = load_iris()
    >>> result = compare(X, np.eye(3)[y], *initial_weights(), steps=3, lr=0.1)
    >>> result["max_weight_diff"], result["max_loss_diff"]
    (0.0, 0.0)
    """
    if loss not in ENGINE_LOSSES:
        raise ValueError(f"compare: unknown loss {loss!r}; valid ones are "
                         f"{', '.join(ENGINE_LOSSES)}")
    objective, activate_output = ENGINE_LOSSES[loss]
    net = nn.MLP([W1.shape[0], W1.shape[1], W2.shape[1]], bias=False,
                 activate_output=activate_output)
    net[0].weight.data[...] = W1
    net[2].weight.data[...] = W2
    opt = optim.SGD(net.parameters(), lr=lr)
    X_t = Tensor(X)
    labels = Y.argmax(axis=1)
    engine_losses, hand_losses, weight_diffs, loss_diffs, hand_accuracy = [], [], [], [], []
    for _ in range(steps):
        value = objective(net(X_t), Y)
        opt.zero_grad()
        value.backward()
        opt.step()
        W1, W2, hand_loss = reference.step(X, Y, W1, W2, lr, loss)
        engine_losses.append(value.item())
        hand_losses.append(hand_loss)
        weight_diffs.append(float(max(np.abs(net[0].weight.data - W1).max(),
                                      np.abs(net[2].weight.data - W2).max())))
        loss_diffs.append(abs(engine_losses[-1] - hand_loss))
        hand_accuracy.append(_accuracy(X, labels, W1, W2))
    return {"engine_loss": engine_losses, "hand_loss": hand_losses,
            "weight_diff": weight_diffs, "loss_diff": loss_diffs, "hand_accuracy": hand_accuracy,
            "max_weight_diff": max(weight_diffs, default=0.0),
            "max_loss_diff": max(loss_diffs, default=0.0),
            "engine_weights": (net[0].weight.data.copy(), net[2].weight.data.copy()),
            "hand_weights": (W1, W2)}


def mse_gradient_ratio(X: np.ndarray, Y: np.ndarray, W1: np.ndarray,
                       W2: np.ndarray) -> np.ndarray:
    """Entrywise ratio of the gradient of ``losses.mse`` (mean over N*C) to half_sse's, for W2.

    >>> X, y = load_iris()
    >>> ratio = mse_gradient_ratio(X, np.eye(3)[y], *initial_weights())
    >>> bool(np.allclose(ratio, 2 / 3, rtol=1e-12))
    True
    """
    grads = []
    for objective in (losses.mse, half_sse):
        w1, w2 = Tensor(W1, requires_grad=True), Tensor(W2, requires_grad=True)
        objective(((Tensor(X) @ w1).sigmoid() @ w2).sigmoid(), Y).backward()
        grads.append(w2.grad)
    return grads[0] / grads[1]


def _accuracy(X, y, W1, W2) -> float:
    return float(np.mean(reference.forward(X, W1, W2)[1].argmax(axis=1) == y))


def _curve(accuracy: list[float]) -> dict:
    """A run's accuracy per step, the first step at 90% (None if never) and the last value."""
    reached = next((i + 1 for i, a in enumerate(accuracy) if a >= 0.9), None)
    return {"accuracy": accuracy, "steps_to_90_percent": reached, "final_accuracy": accuracy[-1]}


def _learning_curves(X, y, Y, W1, W2) -> dict:
    """Accuracy per step of half_sse and binary cross-entropy, by the reference."""
    curves = {}
    for name in ("half_sse", "binary_cross_entropy"):
        w1, w2, accuracy = W1, W2, []
        for _ in range(STEPS):
            w1, w2, _loss = reference.step(X, Y, w1, w2, LR, name)
            accuracy.append(_accuracy(X, y, w1, w2))
        curves[name] = _curve(accuracy)
    return curves


def wrong_start(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, *,
                trained: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """A confidently wrong network: trained on half_sse, then its output weights negated x 10.

    Training runs ``STEPS`` reference steps from ``(W1, W2)``; pass their result as ``trained``
    when it is already at hand (``compare(...)["hand_weights"]``). Returns the weights and, at
    that start, the accuracy, the share of output units saturated (A2 below 0.05 or above 0.95)
    and the share that are saturated on the wrong side (|A2 - Y| > 0.9).

    >>> X, y = load_iris()
    >>> start = wrong_start(X, np.eye(3)[y], *initial_weights())
    >>> start["accuracy"], start["confidently_wrong"] > 0.5
    (0.0, True)
    """
    if trained is None:
        w1, w2 = W1, W2
        for _ in range(STEPS):
            w1, w2, _loss = reference.step(X, Y, w1, w2, LR)
    else:
        w1, w2 = trained
    w2 = -WRONG_SCALE * w2
    A2 = reference.forward(X, w1, w2)[1]
    return {"W1": w1, "W2": w2, "accuracy": _accuracy(X, Y.argmax(axis=1), w1, w2),
            "saturated": float(np.mean((A2 < 0.05) | (A2 > 0.95))),
            "confidently_wrong": float(np.mean(np.abs(A2 - Y) > 0.9))}


def _output_slopes() -> dict:
    """|dL/dz| of one output unit with target 1, by the engine: half_sse and cross-entropy."""
    z = Tensor(np.linspace(-10, 10, 401), requires_grad=True)
    target = np.ones(z.shape)
    slopes = {}
    for name, objective in (
            ("half_sse", lambda z: ((z.sigmoid() - target) ** 2).sum() / 2),
            ("binary_cross_entropy",
             lambda z: losses.binary_cross_entropy_with_logits(z, target, reduction="sum"))):
        z.grad = None
        objective(z).backward()
        slopes[name] = np.abs(z.grad).tolist()
    return {"z": z.data.tolist(), **slopes}


def run(out_dir: Path) -> dict:
    """Run the story, write its figures into ``out_dir`` and return the evidence.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["half_sse"]["max_weight_diff"] <= 1e-12, round(evidence["mse_ratio"], 12)
    (True, 0.666666666667)
    """
    X, y = load_iris()
    Y = np.eye(3)[y]
    W1, W2 = initial_weights()
    runs = {name: compare(X, Y, W1, W2, steps=STEPS, lr=LR, loss=name)
            for name in ("half_sse", "binary_cross_entropy")}
    ratio = mse_gradient_ratio(X, Y, W1, W2)
    start = wrong_start(X, Y, W1, W2, trained=runs["half_sse"]["hand_weights"])
    evidence = {
        "steps": STEPS, "lr": LR, "sizes": list(SIZES), "setup": SETUP,
        **{name: _summary(result, X, y) for name, result in runs.items()},
        "mse_ratio": float(np.median(ratio)),
        "mse_ratio_max_deviation": float(np.abs(ratio - 2 / Y.shape[1]).max()),
        "learning": {"default_start": {name: _curve(result["hand_accuracy"])
                                       for name, result in runs.items()},
                     "wrong_start": _learning_curves(X, y, Y, start["W1"], start["W2"])},
        "wrong_start": {k: v for k, v in start.items() if not k.startswith("W")},
        "output_slopes": _output_slopes(),
        "weight_diff": {name: result["weight_diff"] for name, result in runs.items()},
    }
    evidence["figures"] = _plot(runs["half_sse"], evidence, out_dir)
    return evidence


def _summary(result: dict, X, y) -> dict:
    return {"max_weight_diff": result["max_weight_diff"],
            "max_loss_diff": result["max_loss_diff"],
            "bit_identical": result["max_weight_diff"] == 0.0 and result["max_loss_diff"] == 0.0,
            "first_loss": result["engine_loss"][0], "final_loss": result["engine_loss"][-1],
            "loss_history": result["engine_loss"],
            "final_accuracy": _accuracy(X, y, *result["engine_weights"])}


_LABELS = {"half_sse": "half_sse", "binary_cross_entropy": "binary cross-entropy"}


def reached(steps: int | None) -> str:
    """When a run first reached 90% training accuracy, in words (shared by figure and caption).

    >>> reached(12), reached(None)
    ('at step 12', 'not within 2000 steps')
    """
    return f"at step {steps}" if steps is not None else f"not within {STEPS} steps"


def _plot(half: dict, evidence: dict, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    steps = np.arange(1, STEPS + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(steps, half["engine_loss"], lw=3, alpha=0.5, label="autodiff of sum((A2-Y)²)/2N")
    left.plot(steps, half["hand_loss"], "k--", lw=1, label="hand-derived deltas")
    left.set(xlabel="step", ylabel="half_sse",
             title="Iris, 4-5-3 sigmoid MLP: the same run twice")
    left.legend()
    for name, colour, lw in (("half_sse", "C3", 2), ("binary_cross_entropy", "C1", 1)):
        diffs = evidence["weight_diff"][name]
        right.plot(steps, diffs, color=colour, lw=lw,
                   label=f"{_LABELS[name]}: max {evidence[name]['max_weight_diff']:.3g}")
    right.set_yscale("symlog", linthresh=1e-17)
    right.set(xlabel="step", ylabel="max |W_autodiff - W_hand|",
              title="largest weight difference at each step")
    right.legend(loc="center right")
    paths = save(fig, out_dir, "handprop_equivalence")

    fig, axes = plt.subplots(1, 3, figsize=(13, 4.8))
    slopes = evidence["output_slopes"]
    axes[0].plot(slopes["z"], slopes["half_sse"], label="half_sse: |A2-1|·A2(1-A2)")
    axes[0].plot(slopes["z"], slopes["binary_cross_entropy"], label="cross-entropy: |A2-1|")
    axes[0].set(xlabel="z (output unit's input), target 1", ylabel="|dL/dz|", yscale="log",
                title="one output unit, target 1\n(wrong and saturated at z << 0)")
    axes[0].legend(fontsize=9)
    wrong = evidence["wrong_start"]
    panel_titles = {
        "default_start": "default start (the seeded initial weights)",
        "wrong_start": f"confidently wrong start: {wrong['confidently_wrong']:.1%} of the\n"
                       f"outputs saturated on the wrong side, accuracy {wrong['accuracy']:.1%}"}
    for ax, (start, title) in zip(axes[1:], panel_titles.items()):
        for name, colour in (("half_sse", "C0"), ("binary_cross_entropy", "C1")):
            curve = evidence["learning"][start][name]
            ax.plot(steps, curve["accuracy"], color=colour,
                    label=f"{_LABELS[name]}: 90% {reached(curve['steps_to_90_percent'])}")
        ax.axhline(0.9, color="grey", lw=0.5, ls=":")
        ax.set(xlabel="step", ylabel="training accuracy", ylim=(0, 1.02), title=title)
        ax.legend(fontsize=9, loc="lower right")
    fig.suptitle(f"{SETUP} (the training curves use another setup)", fontsize=11)
    fig.tight_layout()
    return paths + save(fig, out_dir, "handprop_cross_entropy")
