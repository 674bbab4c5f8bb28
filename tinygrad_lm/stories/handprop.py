"""The hidden loss: autodiff of sum((A2 - Y)**2) / 2N equals hand-derived backprop, step by step.

On Iris (one-hot targets, a bias-free 4-5-3 sigmoid MLP, lr 0.1, 2000 full-batch steps) the
engine, given only the forward pass and that loss, and ``tinygrad_lm.reference``, given only
the hand-derived deltas, are run side by side from the same weights. Then two variations: the
plain MSE over all N*C entries (its gradient is the hidden loss's times 2/C), and the
cross-entropy of the sigmoid outputs, where the output sigmoid's slope A2(1 - A2) cancels so
saturated output units still learn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import losses, nn, optim, reference
from ..datasets import load_iris
from ..tensor import Tensor
from ._figure import save

STEPS = 2000
LR = 0.1
SIZES = (4, 5, 3)
SEED = 0
SATURATION_SCALE = 10.0     # W2 times this starts most output units saturated


def hidden_loss(A2: Tensor, Y: np.ndarray) -> Tensor:
    """The loss implied by the hand-written output delta: ``sum((A2 - Y)**2) / (2 N)``.

    >>> hidden_loss(Tensor([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    Tensor(0.25)
    """
    return ((A2 - Y) ** 2).sum() / (2 * len(Y))


def sigmoid_cross_entropy(Z2: Tensor, Y: np.ndarray) -> Tensor:
    """Binary cross-entropy of ``sigmoid(Z2)``, summed over classes, averaged over examples.

    >>> round(sigmoid_cross_entropy(Tensor([[0.0, 0.0]]), np.array([[1.0, 0.0]])).item(), 6)
    1.386294
    """
    return losses.binary_cross_entropy_with_logits(Z2, Y, reduction="sum") / len(Y)


def initial_weights(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The seeded starting weights ``W1`` (4, 5) and ``W2`` (5, 3): PyTorch's uniform init.

    >>> W1, W2 = initial_weights()
    >>> W1.shape, W2.shape
    ((4, 5), (5, 3))
    """
    net = nn.MLP(SIZES, bias=False, seed=seed)
    return net[0].weight.data.copy(), net[2].weight.data.copy()


def compare(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, *, steps: int,
            lr: float, loss: str = "hidden") -> dict:
    """Train by autodiff and by the reference side by side; every step's differences.

    ``loss`` is ``"hidden"`` (the squared error the textbook update minimises) or
    ``"cross_entropy"`` (sigmoid outputs). Returns per-step losses of both, the largest weight
    and loss difference at each step, and the final weights of both.

    >>> X, y = load_iris()
    >>> result = compare(X, np.eye(3)[y], *initial_weights(), steps=3, lr=0.1)
    >>> result["max_weight_diff"], result["max_loss_diff"]
    (0.0, 0.0)
    """
    if loss == "hidden":
        net = nn.MLP([W1.shape[0], W1.shape[1], W2.shape[1]], bias=False)
        objective: Callable[[Tensor, np.ndarray], Tensor] = hidden_loss
        hand_step = reference.step
    elif loss == "cross_entropy":
        net = nn.MLP([W1.shape[0], W1.shape[1], W2.shape[1]], bias=False,
                     activate_output=False)
        objective = sigmoid_cross_entropy
        hand_step = reference.step_cross_entropy
    else:
        raise ValueError(f"compare: unknown loss {loss!r}; valid ones are hidden, cross_entropy")
    net[0].weight.data[...] = W1
    net[2].weight.data[...] = W2
    opt = optim.SGD(net.parameters(), lr=lr)
    X_t = Tensor(X)
    engine_losses, hand_losses, weight_diffs, loss_diffs = [], [], [], []
    for _ in range(steps):
        value = objective(net(X_t), Y)
        opt.zero_grad()
        value.backward()
        opt.step()
        W1, W2, hand_loss = hand_step(X, Y, W1, W2, lr)
        engine_losses.append(value.item())
        hand_losses.append(hand_loss)
        weight_diffs.append(float(max(np.abs(net[0].weight.data - W1).max(),
                                      np.abs(net[2].weight.data - W2).max())))
        loss_diffs.append(abs(engine_losses[-1] - hand_loss))
    return {"engine_loss": engine_losses, "hand_loss": hand_losses,
            "weight_diff": weight_diffs, "loss_diff": loss_diffs,
            "max_weight_diff": max(weight_diffs, default=0.0),
            "max_loss_diff": max(loss_diffs, default=0.0),
            "engine_weights": (net[0].weight.data.copy(), net[2].weight.data.copy()),
            "hand_weights": (W1, W2)}


def mse_gradient_ratio(X: np.ndarray, Y: np.ndarray, W1: np.ndarray,
                       W2: np.ndarray) -> np.ndarray:
    """Entrywise ratio of the plain MSE's gradient (mean over N*C) to the hidden loss's, for W2.

    >>> X, y = load_iris()
    >>> ratio = mse_gradient_ratio(X, np.eye(3)[y], *initial_weights())
    >>> bool(np.allclose(ratio, 2 / 3, rtol=1e-12))
    True
    """
    grads = []
    for objective in (losses.mse, hidden_loss):
        w1, w2 = Tensor(W1, requires_grad=True), Tensor(W2, requires_grad=True)
        objective(((Tensor(X) @ w1).sigmoid() @ w2).sigmoid(), Y).backward()
        grads.append(w2.grad)
    return grads[0] / grads[1]


def _accuracy(X, y, W1, W2) -> float:
    return float(np.mean(reference.forward(X, W1, W2)[1].argmax(axis=1) == y))


def _learning_curves(X, y, Y, W1, W2) -> dict:
    """Accuracy per step of the squared error and the cross-entropy, by the reference."""
    curves = {}
    for name, step in (("hidden", reference.step), ("cross_entropy", reference.step_cross_entropy)):
        w1, w2, accuracy = W1, W2, []
        for _ in range(STEPS):
            w1, w2, _loss = step(X, Y, w1, w2, LR)
            accuracy.append(_accuracy(X, y, w1, w2))
        reached = next((i + 1 for i, a in enumerate(accuracy) if a >= 0.9), None)
        curves[name] = {"accuracy": accuracy, "steps_to_90_percent": reached}
    return curves


def _output_slopes() -> dict:
    """d loss / d z of one output unit with target 1, by the engine, for both losses."""
    z = Tensor(np.linspace(-10, 10, 401), requires_grad=True)
    target = np.ones(z.shape)
    slopes = {}
    for name, objective in (("hidden", lambda z: ((z.sigmoid() - target) ** 2).sum() / 2),
                            ("cross_entropy", lambda z: losses.binary_cross_entropy_with_logits(
                                z, target, reduction="sum"))):
        z.grad = None
        objective(z).backward()
        slopes[name] = np.abs(z.grad).tolist()
    return {"z": z.data.tolist(), **slopes}


def run(out_dir: Path) -> dict:
    """Run the story, write its figures into ``out_dir`` and return the evidence.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["hidden"]["max_weight_diff"] <= 1e-12, round(evidence["mse_ratio"], 12)
    (True, 0.666666666667)
    """
    X, y = load_iris()
    Y = np.eye(3)[y]
    W1, W2 = initial_weights()
    hidden = compare(X, Y, W1, W2, steps=STEPS, lr=LR)
    cross_entropy = compare(X, Y, W1, W2, steps=STEPS, lr=LR, loss="cross_entropy")
    ratio = mse_gradient_ratio(X, Y, W1, W2)
    saturated_W2 = SATURATION_SCALE * W2
    A2 = reference.forward(X, W1, saturated_W2)[1]
    evidence = {
        "steps": STEPS, "lr": LR, "sizes": list(SIZES),
        "hidden": _summary(hidden, X, y),
        "cross_entropy": _summary(cross_entropy, X, y),
        "mse_ratio": float(np.median(ratio)),
        "mse_ratio_max_deviation": float(np.abs(ratio - 2 / Y.shape[1]).max()),
        "learning": {"default_start": _learning_curves(X, y, Y, W1, W2),
                     "saturated_start": _learning_curves(X, y, Y, W1, saturated_W2)},
        "saturated_fraction_at_start": float(np.mean((A2 < 0.05) | (A2 > 0.95))),
        "output_slopes": _output_slopes(),
        "cross_entropy_weight_diff": cross_entropy["weight_diff"],
    }
    evidence["figures"] = _plot(hidden, evidence, out_dir)
    return evidence


def _summary(result: dict, X, y) -> dict:
    return {"max_weight_diff": result["max_weight_diff"],
            "max_loss_diff": result["max_loss_diff"],
            "bit_identical": result["max_weight_diff"] == 0.0 and result["max_loss_diff"] == 0.0,
            "first_loss": result["engine_loss"][0], "final_loss": result["engine_loss"][-1],
            "loss_history": result["engine_loss"],
            "final_accuracy": _accuracy(X, y, *result["engine_weights"])}


_LABELS = {"hidden": "squared error", "cross_entropy": "cross-entropy"}


def _when(step: int | None) -> str:
    return f"at step {step}" if step is not None else f"not within {STEPS} steps"


def _plot(hidden: dict, evidence: dict, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    steps = np.arange(1, STEPS + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(steps, hidden["engine_loss"], lw=3, alpha=0.5, label="autodiff of sum((A2-Y)²)/2N")
    left.plot(steps, hidden["hand_loss"], "k--", lw=1, label="hand-derived deltas")
    left.set(xlabel="step", ylabel="loss", title="Iris, 4-5-3 sigmoid MLP: the same run twice")
    left.legend()
    ce_diffs = np.array(evidence["cross_entropy_weight_diff"])
    right.plot(steps, hidden["weight_diff"], color="C3", lw=2,
               label=f"squared error, hand deltas: max {max(hidden['weight_diff']):.3g}")
    right.plot(steps, ce_diffs, color="C1",
               label=f"cross-entropy (through log): max {ce_diffs.max():.3g}")
    right.set_yscale("symlog", linthresh=1e-17)
    right.set(xlabel="step", ylabel="max |W_autodiff - W_hand|",
              title="largest weight difference at each step")
    right.legend(loc="center right")
    paths = save(fig, out_dir, "handprop_equivalence")

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    slopes = evidence["output_slopes"]
    left.plot(slopes["z"], slopes["hidden"], label="squared error: |A2-1|·A2(1-A2)")
    left.plot(slopes["z"], slopes["cross_entropy"], label="cross-entropy: |A2-1|")
    left.set(xlabel="z (output unit's input), target 1", ylabel="|dL/dz|", yscale="log",
             title="one output unit, target 1: wrong and saturated at z << 0")
    left.legend()
    for start, style in (("default_start", "-"), ("saturated_start", "--")):
        for name, colour in (("hidden", "C0"), ("cross_entropy", "C1")):
            curve = evidence["learning"][start][name]
            right.plot(steps, curve["accuracy"], style, color=colour,
                       label=f"{_LABELS[name]}, {start.split('_')[0]} start: 90% "
                             f"{_when(curve['steps_to_90_percent'])}")
    right.set(xlabel="step", ylabel="training accuracy", ylim=(0, 1.02),
              title=f"saturated start: W2 x {SATURATION_SCALE:g}")
    right.legend(fontsize=8, loc="lower right")
    return paths + save(fig, out_dir, "handprop_cross_entropy")
