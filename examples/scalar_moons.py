"""micrograd's demo on tinygrad_lm's Value: a 2-16-16-1 MLP learns the two moons, scalar by scalar.

The loss is the max-margin (hinge) loss relu(1 - y * score) with y in {-1, +1}, averaged over
the 100 points, plus 1e-4 times the squared weights; plain SGD with micrograd's learning rate
1.0 - 0.9 * k / 100. Accuracy is printed beside the loss, never differentiated.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import tinygrad_lm as tg
from tinygrad_lm.nn.scalar import MLP

ALPHA = 1e-4
LOG_EVERY = 10  # a summary: one line every ten steps, and the last
SEED = 3  # reaches 100% training accuracy at step 29 and keeps it from step 39


def loss_and_accuracy(model: MLP, X: list[list[float]], y: list[float]) -> tuple[tg.Value, float]:
    """The regularised max-margin loss over every point (a Value) and the training accuracy."""
    scores = [model([tg.Value(a) for a in row]) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def sgd_step(model: MLP, X: list[list[float]], y: list[float], k: int) -> tuple[float, float]:
    """One full-batch step at micrograd's learning rate; returns the loss and accuracy before it.

    The step's graph lives only inside this call, so it is freed (by reference counting
    alone, since it holds no cycles) before the next step builds its own.
    """
    total, accuracy = loss_and_accuracy(model, X, y)
    model.zero_grad()
    total.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total.data, accuracy


def train(steps: int = 100, seed: int = SEED,
          log: Callable[[str], None] | None = None) -> list[tuple[float, float]]:
    """Train from ``seed`` for ``steps`` full-batch SGD steps; return (loss, accuracy) per step."""
    X, labels = tg.datasets.make_moons(100, noise=0.1)
    X, y = X.tolist(), (2.0 * labels - 1.0).tolist()
    model = MLP(2, [16, 16, 1], seed=seed)
    if log is not None:
        log(f"MLP(2, [16, 16, 1]), {len(model.parameters())} parameters, weights seed {seed}")
    history = []
    for k in range(steps):
        loss, accuracy = sgd_step(model, X, y, k)
        history.append((loss, accuracy))
        if log is not None and (k % LOG_EVERY == 0 or k == steps - 1):
            log(f"step {k:3d}  loss {loss:.6f}  accuracy {accuracy:.0%}")
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the initial weights")
    args = parser.parse_args()
    history = train(args.steps, args.seed, log=print)
    reached = next((k for k, (_, acc) in enumerate(history) if acc == 1.0), None)
    print("100% training accuracy " + ("never reached" if reached is None
                                       else f"first reached at step {reached}"))


if __name__ == "__main__":
    main()
