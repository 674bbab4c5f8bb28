"""The landscape: accuracy, MSE and cross-entropy over two weights, the engine's gradient field.

A logistic model with two weights and no bias, ``p = sigmoid(X @ w)``, on the two moons
(centred, so that no bias is needed, and rounded to quarters). Over a grid of the two weights
the engine computes each objective and its gradient at every grid point in one backward pass
(the grid is a leading batch axis). The features and the grid steps are sums of powers of two,
so ``X @ w`` is exact and lands exactly on 0, where the prediction is exactly 0.5, at the grid
points that lie on accuracy's cliffs: there the strict mode (``undefined="nan"``) returns NaN.
Everywhere else accuracy's gradient is exactly zero, so gradient descent on it never moves,
while on MSE and cross-entropy it walks downhill.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import losses, metrics
from ..core.engine import ZeroGradientWarning
from ..datasets import make_moons
from ..frontends.tensor import Tensor
from ._figure import save

OBJECTIVES = ("accuracy", "mse", "cross_entropy")
TITLES = {"accuracy": "accuracy", "mse": "MSE", "cross_entropy": "binary cross-entropy"}
N_SAMPLES, NOISE, SEED = 40, 0.2, 0
LIMIT, STEP = 4.0, 1 / 16          # the grid: -4 to 4 in both weights, 129 points a side
START = (-3.0, 3.0)
STEPS, LR = 60, 2.0


def make_data() -> tuple[np.ndarray, np.ndarray]:
    """The two moons, centred on their mean and rounded to quarters; labels as floats 0/1.

    >>> X, y = make_data()
    >>> X.shape, sorted(set(y.tolist())), bool((X * 4 == np.round(X * 4)).all())
    ((40, 2), [0.0, 1.0], True)
    """
    X, y = make_moons(N_SAMPLES, noise=NOISE, seed=SEED)
    # + 0.0 turns the -0.0 of rounding into 0.0, which prints as it compares.
    return np.round(4 * (X - X.mean(axis=0))) / 4 + 0.0, y.astype(np.float64)


def objective(name: str, w: Tensor, X: np.ndarray, y: np.ndarray) -> Tensor:
    """One objective of the model ``sigmoid(X @ w)`` at one weight vector ``w`` (2,), 0-d.

    >>> X, y = make_data()
    >>> round(objective("mse", Tensor([1.0, -0.5]), X, y).item(), 4)
    0.1471
    """
    if name not in OBJECTIVES:
        raise ValueError(f"landscape: unknown objective {name!r}; valid ones are {OBJECTIVES}")
    data, target = Tensor(X), Tensor(y)
    data.name, target.name = "X", "y"   # so that a drawing of the graph names them
    p = (data @ w).sigmoid()
    p.name = "p"
    if name == "accuracy":
        root = metrics.accuracy(p, target)
    elif name == "mse":
        root = losses.mse(p, target)
    else:
        root = losses.binary_cross_entropy(p, target)
    root.name = name
    return root


def batched(name: str, w: Tensor, X: np.ndarray, y: np.ndarray) -> Tensor:
    """``objective`` at every row of ``w`` (G, 2) at once: a (G,) Tensor.

    The rows never mix, so the gradient of the sum with respect to row g is the gradient of
    the objective at row g.

    >>> X, y = make_data()
    >>> batched("mse", Tensor([[1.0, -0.5], [0.0, 0.0]]), X, y).data.round(4).tolist()
    [0.1471, 0.25]
    """
    if name not in OBJECTIVES:
        raise ValueError(f"landscape: unknown objective {name!r}; valid ones are {OBJECTIVES}")
    p = (w @ Tensor(X.T)).sigmoid()
    targets = np.broadcast_to(y, p.shape)
    if name == "accuracy":       # tg.metrics.accuracy of each row, from the same primitives
        return ((p > 0.5) == Tensor(targets)).mean(axis=1)
    if name == "mse":
        return losses.mse(p, targets, reduction="none").mean(axis=1)
    return losses.binary_cross_entropy(p, targets, reduction="none").mean(axis=1)


def surface(name: str, points: np.ndarray, X: np.ndarray,
            y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The objective and its engine gradient (strict mode) at each of ``points`` (G, 2).

    >>> X, y = make_data()
    >>> value, grad = surface("accuracy", np.array([[0.0, 0.0], [1.0, -0.75]]), X, y)
    >>> value.tolist(), grad.tolist()   # at the origin every prediction sits on 0.5
    ([0.5, 0.775], [[nan, nan], [0.0, 0.0]])
    """
    w = Tensor(points, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroGradientWarning)
        values = batched(name, w, X, y)
        values.sum().backward(undefined="nan")
    return values.data, w.grad


def descend(name: str, X: np.ndarray, y: np.ndarray, start=START, steps: int = STEPS,
            lr: float = LR) -> np.ndarray:
    """The weights of ``steps`` steps of gradient descent on one objective, (steps + 1, 2).

    On accuracy it descends the 0-1 loss, 1 - accuracy, whose gradient is accuracy's negated.

    >>> X, y = make_data()
    >>> path = descend("accuracy", X, y, steps=3)
    >>> bool((path == path[0]).all())
    True
    """
    sign = -1.0 if name == "accuracy" else 1.0
    w = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    path = [w.data.copy()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroGradientWarning)
        for _ in range(steps):
            w.grad = None
            objective(name, w, X, y).backward()
            w.data -= lr * sign * w.grad
            path.append(w.data.copy())
    return np.array(path)


def run(out_dir: Path) -> dict:
    """Compute the landscape (``compute``), write landscape.png and .svg, return the evidence.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     evidence = run(Path(d))
    >>> evidence["accuracy_moved"], [Path(p).name for p in evidence["figures"]]
    (False, ['landscape.png', 'landscape.svg'])
    """
    evidence = compute()
    evidence["figures"] = save(plot(evidence), out_dir, "landscape")
    return evidence


def compute() -> dict:
    """The three surfaces, their gradients and paths on the grid, and the caption's numbers.

    >>> evidence = compute()
    >>> evidence["grid_size"], evidence["values"]["mse"].shape, evidence["grads"]["mse"].shape
    (129, (129, 129), (129, 129, 2))
    """
    X, y = make_data()
    axis = np.arange(-LIMIT, LIMIT + STEP / 2, STEP)
    w1, w2 = np.meshgrid(axis, axis)  # rows follow w2, columns w1, as an image
    points = np.stack([w1.ravel(), w2.ravel()], axis=1)
    n = len(axis)
    evidence: dict = {"X": X, "y": y, "axis": axis, "start": START, "steps": STEPS, "lr": LR,
                      "n_samples": len(y), "grid_size": n, "values": {}, "grads": {},
                      "paths": {}}
    for name in OBJECTIVES:
        value, grad = surface(name, points, X, y)
        evidence["values"][name] = value.reshape(n, n)
        evidence["grads"][name] = grad.reshape(n, n, 2)
        evidence["paths"][name] = descend(name, X, y)
    evidence.update(_summary(evidence))
    return evidence


def _summary(ev: dict) -> dict:
    """The numbers the caption states, all read off the computed surfaces and paths."""
    acc_grad = ev["grads"]["accuracy"]
    undefined = np.isnan(acc_grad).any(axis=2)
    X, y = ev["X"], ev["y"]
    end = {name: ev["paths"][name][-1] for name in OBJECTIVES}
    accuracy_at = {name: objective("accuracy", Tensor(w), X, y).item() for name, w in end.items()}
    return {
        "n_points": acc_grad.shape[0] * acc_grad.shape[1],
        "n_zero": int((acc_grad == 0).all(axis=2).sum()),
        "n_undefined": int(undefined.sum()),
        "n_heights": len(np.unique(ev["values"]["accuracy"])),
        "best_accuracy": float(ev["values"]["accuracy"].max()),
        "loss_never_undefined": all(np.isfinite(ev["grads"][k]).all() for k in OBJECTIVES[1:]),
        "accuracy_moved": bool((ev["paths"]["accuracy"] != ev["paths"]["accuracy"][0]).any()),
        "start_accuracy": objective("accuracy", Tensor(np.array(ev["start"])), X, y).item(),
        "end_accuracy": accuracy_at,
        "distance": {name: float(np.linalg.norm(end[name] - ev["paths"][name][0]))
                     for name in OBJECTIVES},
    }


def caption(ev: dict) -> str:
    """The figure's caption, every number read from the evidence (of ``run`` or ``compute``).

    >>> text = caption(compute())
    >>> text.startswith("Accuracy, MSE and binary cross-entropy")
    True
    """
    pct = "{:.1%}".format
    n = ev["grid_size"]
    return (
        "Accuracy, MSE and binary cross-entropy of a logistic model with two weights and no "
        f"bias on {ev['n_samples']} points of the two moons, over a {n} x {n} grid of the "
        f"weights, each with the engine's gradient. Accuracy is flat terraces at "
        f"{ev['n_heights']} different heights (best {pct(ev['best_accuracy'])}): its gradient "
        f"is exactly zero at "
        f"{ev['n_zero']} of the {ev['n_points']} grid points and undefined (NaN in the strict "
        f"mode, red dots) at the other {ev['n_undefined']}, which lie on the cliffs between "
        "terraces; so no arrows. MSE and cross-entropy are smooth valleys, with "
        + ("a finite gradient at every grid point" if ev["loss_never_undefined"]
           else "a gradient that is not finite somewhere")
        + f". From w = ({ev['start'][0]:g}, {ev['start'][1]:g}) "
        f"(accuracy {pct(ev['start_accuracy'])}), {ev['steps']} steps of gradient descent "
        f"with learning rate {ev['lr']:g} do not move on accuracy"
        + ("" if not ev["accuracy_moved"] else " (yet they moved)")
        + f"; on MSE they travel {ev['distance']['mse']:.2f} to accuracy "
        f"{pct(ev['end_accuracy']['mse'])}, on cross-entropy "
        f"{ev['distance']['cross_entropy']:.2f} to accuracy "
        f"{pct(ev['end_accuracy']['cross_entropy'])}.")


def plot(ev: dict):
    """The three surfaces side by side with the same axes, arrows, cliffs and paths.

    >>> import matplotlib.pyplot as plt
    >>> fig = plot(compute())
    >>> len(fig.axes)  # three panels and their colour bars
    6
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    axis = ev["axis"]
    extent = (axis[0], axis[-1])
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.6), sharex=True, sharey=True,
                             layout="constrained")
    every = 8  # one arrow per 8 grid steps: 17 x 17 arrows a panel
    w1, w2 = np.meshgrid(axis[::every], axis[::every])
    for ax, name in zip(axes, OBJECTIVES):
        value, grad = ev["values"][name], ev["grads"][name]
        if name == "accuracy":
            shade = ax.pcolormesh(axis, axis, value, cmap="viridis", shading="nearest",
                                  rasterized=True)
            label = "accuracy (higher is better)"
        else:
            shade = ax.contourf(axis, axis, value, levels=20, cmap="viridis_r")
            shade.set_rasterized(True)  # a picture in the SVG too: thousands of paths else
            label = f"{TITLES[name]} (lower is better)"
        fig.colorbar(shade, ax=ax, location="bottom", shrink=0.85, pad=0.02, label=label)
        g = grad[::every, ::every]
        moving = np.isfinite(g).all(axis=2) & (g != 0).any(axis=2)
        if moving.any():
            ax.quiver(w1[moving], w2[moving], -g[..., 0][moving], -g[..., 1][moving],
                      color="white", edgecolor="black", linewidth=0.4, width=0.006,
                      label="\N{MINUS SIGN}gradient: downhill")
        cliff = np.isnan(grad).any(axis=2)
        if cliff.any():
            W1, W2 = np.meshgrid(axis, axis)
            ax.plot(W1[cliff], W2[cliff], "o", color="#dc2626", ms=1.8, ls="none",
                    label="undefined derivative (strict mode: NaN)", rasterized=True)
        path = ev["paths"][name]
        ax.plot(path[:, 0], path[:, 1], "-", color="#f97316", lw=2.2,
                label=f"gradient descent, {ev['steps']} steps")
        ax.plot(*path[0], "o", color="#f97316", mec="black", ms=8, label="start")
        ax.plot(*path[-1], "*", color="#f97316", mec="black", ms=14, label="end")
        moved = np.linalg.norm(path[-1] - path[0])
        if moved == 0:
            ax.annotate(f"start = end: {ev['steps']} steps of 0\n(no arrows: the gradient is\n"
                        "exactly 0 on every terrace)", xy=path[0], xytext=(-14, -20),
                        textcoords="offset points", ha="left", va="top", fontsize=9,
                        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.9})
        ax.set_title(f"{TITLES[name]}: " + ("never moves" if moved == 0 else
                                             f"walks {moved:.2f} downhill"), fontsize=13)
        ax.set_xlim(*extent)
        ax.set_ylim(*extent)
        ax.set_aspect("equal")
        ax.set_xlabel("weight w1")
        ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    axes[0].set_ylabel("weight w2")
    fig.suptitle("The same model over two weights: accuracy is flat terraces with cliffs, the "
                 "losses are smooth valleys\n(yellow is better in every panel; every arrow and "
                 "path follows the engine's gradient)", fontsize=13)
    return fig

