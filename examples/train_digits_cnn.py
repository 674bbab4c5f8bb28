"""Train a small convnet on the 8x8 digit images: Conv2d, MaxPool2d, Flatten, Adam.

Run: python examples/train_digits_cnn.py [--epochs 8] [--out-dir examples_output]

Two blocks of a 3x3 convolution, ReLU and 2x2 max pooling turn each 1x8x8 digit into 32x2x2
features; a linear layer maps them to ten logits. Each epoch takes one Adam step (its step
size falling linearly) per minibatch of the 1347 training digits on the cross-entropy, then
measures loss and accuracy on them and on 450 held-out digits. The figure shows the sixteen
learned first-layer filters beside the loss and accuracy per epoch: the training loss keeps
falling after the training accuracy has stopped moving.
"""

import argparse
import time
from pathlib import Path

import numpy as np

import tinygrad_lm as tg

nn = tg.nn


def make_model(seed: int = 0) -> nn.Sequential:
    """Two conv blocks and a linear read-out: 1x8x8 -> 16x4x4 -> 32x2x2 -> 10 logits."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, seed=seed), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, seed=seed + 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10, seed=seed + 2))


def _measure(model, X, y) -> tuple[float, float]:
    with tg.no_grad():
        logits = model(X)
        return (tg.losses.cross_entropy(logits, y).item(),
                tg.metrics.accuracy(logits, y).item())


def train(epochs: int = 8, batch_size: int = 32, lr: float = 0.01, seed: int = 0,
          log=print) -> dict:
    """Train the convnet; return the model and the per-epoch losses and accuracies."""
    X, y = tg.datasets.load_digits(as_images=True)
    X = X / 16.0                                     # pixel intensities 0..16 -> 0..1
    X_train, X_test, y_train, y_test = tg.datasets.train_test_split(X, y, test_size=0.25,
                                                                    seed=seed)
    model = make_model(seed)
    optimizer = tg.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = {key: [] for key in ("train_loss", "test_loss", "train_accuracy",
                                   "test_accuracy")}
    for epoch in range(1, epochs + 1):
        # The step size falls linearly to a tenth: large steps first, then settling in.
        optimizer.lr = lr * (1 - 0.9 * (epoch - 1) / max(epochs - 1, 1))
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            loss = tg.losses.cross_entropy(model(X_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for part, (features, labels) in (("train", (X_train, y_train)),
                                         ("test", (X_test, y_test))):
            part_loss, part_accuracy = _measure(model, features, labels)
            history[f"{part}_loss"].append(part_loss)
            history[f"{part}_accuracy"].append(part_accuracy)
        log(f"epoch {epoch:2d}  loss {history['train_loss'][-1]:.4f}  held-out loss "
            f"{history['test_loss'][-1]:.4f}  held-out accuracy "
            f"{history['test_accuracy'][-1]:.1%}")
    history["model"] = model
    return history


def plot(history: dict, path: Path) -> None:
    """The first layer's filters, then loss and accuracy per epoch."""
    import matplotlib.pyplot as plt

    filters = history["model"][0].weight.data[:, 0]          # (16, 3, 3)
    fig = plt.figure(figsize=(12, 3.9))
    grid = fig.add_gridspec(1, 3, width_ratios=(1, 1.3, 1.3), wspace=0.3)
    cells = grid[0].subgridspec(4, 4, wspace=0.08, hspace=0.08)
    limit = np.abs(filters).max()
    for k, kernel in enumerate(filters):
        ax = fig.add_subplot(cells[k // 4, k % 4])
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.text(0.17, 0.97, "the 16 learned 3x3 filters of layer 1\n(red +, blue -)",
             ha="center", va="top")
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    loss_ax = fig.add_subplot(grid[1])
    loss_ax.plot(epochs, history["train_loss"], "o-", color="C3", label="training digits")
    loss_ax.plot(epochs, history["test_loss"], "s--", color="C1", label="held-out digits")
    loss_ax.set(xlabel="epoch", ylabel="cross-entropy", yscale="log",
                title="the loss: what Adam minimises")
    loss_ax.legend()
    accuracy_ax = fig.add_subplot(grid[2])
    accuracy_ax.plot(epochs, history["train_accuracy"], "o-", label="training digits")
    accuracy_ax.plot(epochs, history["test_accuracy"], "s--", label="held-out digits")
    lowest = min(history["train_accuracy"] + history["test_accuracy"])
    accuracy_ax.set(xlabel="epoch", ylabel="accuracy", ylim=(min(0.9, lowest - 0.01), 1.0),
                    title="the accuracy: what we report")
    accuracy_ax.legend(loc="lower right")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.84, bottom=0.14)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out-dir", type=Path, default=Path("examples_output"))
    args = parser.parse_args()
    start = time.perf_counter()
    history = train(epochs=args.epochs)
    seconds = time.perf_counter() - start
    args.out_dir.mkdir(parents=True, exist_ok=True)
    figure = args.out_dir / "train_digits_cnn.png"
    plot(history, figure)
    print(f"trained {args.epochs} epochs in {seconds:.1f} s: held-out accuracy "
          f"{history['test_accuracy'][-1]:.1%}, training loss {history['train_loss'][-1]:.4f}")
    print(f"figure: {figure}")


if __name__ == "__main__":
    main()
