"""Why accuracy is not a loss: one model, three objectives, their gradients and 100 SGD steps."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .. import losses, metrics
from ..core.engine import ZeroGradientWarning
from ..frontends.tensor import Tensor
from ._figure import save

STEPS = 100
LR = 0.5
TEMPERATURES = (0.2, 0.05, 0.01, 0.002)


def make_data(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping Gaussian blobs in 2-D with 0/1 labels, seeded.

    >>> X, y = make_data(10)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((10, 2), (10,), [0.0, 1.0])
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 1.0, -1.0) * np.array([1.0, 0.5])
    X = centres + rng.normal(scale=1.0, size=(n, 2))
    return X, y.astype(np.float64)


def objectives() -> dict[str, Callable[[Tensor, np.ndarray], Tensor]]:
    """The three things to minimise, as functions of probabilities and 0/1 labels.

    Accuracy enters as 1 - accuracy (the 0-1 loss) so that every objective goes down.

    >>> sorted(objectives())
    ['accuracy', 'binary_cross_entropy', 'mse']
    """
    return {
        "accuracy": lambda p, y: 1 - metrics.accuracy(p, y),
        "mse": losses.mse,
        "binary_cross_entropy": losses.binary_cross_entropy,
    }


def run(out_dir: Path) -> dict:
    """Run the story, write its figures into ``out_dir`` and return the evidence.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["training"]["accuracy"]["weights_bit_identical"]
    True
    """
    X, y = make_data()
    w0, b0 = np.array([0.4, -0.9]), np.array(0.3)
    evidence: dict = {"n_samples": len(y), "initial_weights": w0.tolist() + [float(b0)],
                      "steps": STEPS, "lr": LR, "gradients": {}, "training": {}}
    for name, objective in objectives().items():
        w, b = Tensor(w0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ZeroGradientWarning)
            loss = objective((X @ w + b).sigmoid(), y)
            loss.backward()
            evidence["gradients"][name] = {"w": w.grad.tolist(), "b": float(b.grad),
                                           "warned": _count(caught) == 1}
            evidence["training"][name] = _train(objective, X, y, w0, b0)
    evidence["initial_accuracy"] = _accuracy(X, y, w0, b0)
    evidence["surrogate"] = _surrogate_evidence(X, y, w0, b0)
    evidence["curves"] = _curves()
    evidence["figures"] = _plot(evidence["curves"], out_dir)
    return evidence


def _train(objective, X, y, w0, b0) -> dict:
    """``STEPS`` steps of plain gradient descent on ``objective`` from (w0, b0)."""
    w, b = Tensor(w0.copy(), requires_grad=True), Tensor(b0.copy(), requires_grad=True)
    history = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ZeroGradientWarning)
        for _ in range(STEPS):
            w.grad = b.grad = None
            loss = objective((X @ w + b).sigmoid(), y)
            loss.backward()
            history.append(loss.item())
            w.data -= LR * w.grad
            b.data -= LR * b.grad
    final = objective((X @ w.detach() + b.detach()).sigmoid(), y).item()
    return {
        "loss_before": history[0], "loss_after": final, "loss_history": history + [final],
        "weights_bit_identical": w.data.tobytes() == w0.tobytes()
        and b.data.tobytes() == b0.tobytes(),
        "final_weights": w.data.tolist() + [float(b.data)],
        "accuracy_after": _accuracy(X, y, w.data, b.data),
        "zero_gradient_warnings": _count(caught),
    }


def _surrogate_evidence(X, y, w0, b0) -> dict:
    """sigmoid((q - 1/2) / T), q the probability of the true class: a step as T falls to 0."""
    p = np.union1d(np.linspace(0.001, 0.999, 999), [0.4])
    near_step = np.abs(p - 0.5) > 0.05
    peaks, at_04, gaps, trained = [], [], [], []
    for t in TEMPERATURES:
        value, slope = _value_and_slope(lambda q, t=t: ((q - 0.5) / t).sigmoid(), p)
        peaks.append(float(slope.max()))
        at_04.append(float(slope[p == 0.4][0]))
        gaps.append(float(np.abs(value - (p > 0.5))[near_step].max()))
    for t in TEMPERATURES:
        def soft_error(prob, labels, t=t):
            true_class = prob * labels + (1 - prob) * (1 - labels)
            return 1 - ((true_class - 0.5) / t).sigmoid().mean()
        trained.append(_train(soft_error, X, y, w0, b0)["accuracy_after"])
    return {"temperatures": list(TEMPERATURES), "peak_slope": peaks, "slope_at_0.4": at_04,
            "max_gap_to_step_away_from_0.5": gaps,
            "accuracy_after_training_on_surrogate": trained}


def _curves() -> dict:
    """Each objective of one sample and its derivative, by the engine, against q in (0, 1)."""
    q = np.union1d(np.linspace(0.005, 0.995, 397), [0.5])
    curves: dict = {"q": q.tolist()}
    accuracy_values, accuracy_slopes = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroGradientWarning)
        for qi in q:
            one = Tensor([qi], requires_grad=True)
            acc = metrics.accuracy(one, [1])
            acc.backward(undefined="nan")
            accuracy_values.append(acc.item())
            accuracy_slopes.append(float(one.grad[0]))
    curves["accuracy"] = (accuracy_values, accuracy_slopes)
    for name, loss in (("mse", losses.mse),
                       ("binary_cross_entropy", losses.binary_cross_entropy)):
        value, slope = _value_and_slope(
            lambda p, loss=loss: loss(p, np.ones_like(p.data), reduction="none"), q)
        curves[name] = (value.tolist(), slope.tolist())
    curves["undefined_at"] = [float(x) for x, s in zip(q, accuracy_slopes) if np.isnan(s)]
    curves["surrogate"] = {
        str(t): [v.tolist() for v in _value_and_slope(
            lambda p, t=t: ((p - 0.5) / t).sigmoid(), q)] for t in TEMPERATURES}
    return curves


def _value_and_slope(f, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An elementwise ``f`` and its derivative at each point, by one backward pass."""
    x = Tensor(points, requires_grad=True)
    out = f(x)
    out.backward(np.ones(out.shape))
    return out.data, x.grad


def _accuracy(X, y, w, b) -> float:
    return metrics.accuracy(Tensor(1 / (1 + np.exp(-(X @ w + b)))), y).item()


def _count(caught) -> int:
    return sum(issubclass(c.category, ZeroGradientWarning) for c in caught)


def _plot(curves: dict, out_dir: Path) -> list[str]:
    import matplotlib.pyplot as plt

    q = np.asarray(curves["q"])
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), sharex=True)
    titles = {"accuracy": "accuracy (a step)", "mse": "MSE (a parabola)",
              "binary_cross_entropy": "binary cross-entropy (a log)"}
    for col, name in enumerate(("accuracy", "mse", "binary_cross_entropy")):
        value, slope = (np.asarray(v) for v in curves[name])
        top, bottom = axes[0, col], axes[1, col]
        if name == "accuracy":
            left, right = q < 0.5, q > 0.5
            for part in (left, right):
                top.plot(q[part], value[part], color="C0")
                bottom.plot(q[part], slope[part], color="C0")
            top.plot([0.5], [0.0], "o", color="C0")
            top.plot([0.5], [1.0], "o", mfc="white", color="C0")
            for x in curves["undefined_at"]:
                bottom.axvline(x, color="C3", ls=":")
                bottom.plot([x], [0.0], "o", mfc="white", color="C3",
                            label="derivative undefined")
            bottom.set_ylim(-1, 1)
            bottom.legend(loc="upper left")
        else:
            top.plot(q, value, color="C1" if name == "mse" else "C2")
            bottom.plot(q, slope, color="C1" if name == "mse" else "C2")
            if name == "binary_cross_entropy":
                bottom.set_ylim(-20, 1)
        top.set_title(titles[name])
        bottom.set_xlabel("predicted probability of the true class")
        bottom.axhline(0, color="grey", lw=0.5)
    axes[0, 0].set_ylabel("value for one sample")
    axes[1, 0].set_ylabel("derivative (by the engine)")
    fig.suptitle("Accuracy is flat almost everywhere; MSE and cross-entropy always slope")
    paths = save(fig, out_dir, "objectives")

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True)
    top.step(q, q > 0.5, where="post", color="black", lw=1, label="step (accuracy)")
    for t in TEMPERATURES:
        value, slope = curves["surrogate"][str(t)]
        top.plot(q, value, label=f"T = {t}")
        bottom.plot(q, np.maximum(slope, 1e-12), label=f"T = {t}")
    bottom.set_yscale("log")
    bottom.set_ylim(1e-6, 1e3)
    top.set_ylabel("sigmoid((q - 0.5) / T)")
    bottom.set_ylabel("its derivative (log scale)")
    bottom.set_xlabel("predicted probability of the true class, q")
    top.legend(loc="upper left")
    top.set_title("A smooth surrogate: as T falls its gradient sharpens into the step's spike")
    return paths + save(fig, out_dir, "surrogate")
