"""Train a classifier end to end: the handwritten digits, nn.MLP, optim.Adam, minibatches.

Run: python examples/train_digits.py [--epochs 10] [--xp numpy|torch|array_api_strict]
                                    [--out examples_output/train_digits.png]

Each epoch shuffles the 1347 training digits into minibatches, takes one Adam step on the
cross-entropy of each, then reports the training loss and the accuracy on the training digits
and on 450 held-out ones. The loss is what the optimiser follows; accuracy is what is reported.
The figure shows both per epoch. ``--xp`` runs the same lines on another array library:
the digits and the model are moved there once (``tg.Tensor(X).to(xp)``, ``model.to(xp)``), and
the numbers printed are the same.
"""

import argparse
import importlib
from pathlib import Path

import numpy as np

import tinygrad_lm as tg


def train(epochs: int = 10, batch_size: int = 64, hidden: int = 64, lr: float = 0.01,
          seed: int = 0, xp: str = "numpy", log=print) -> dict:
    """Train the MLP on the array library ``xp`` and return the per-epoch loss and accuracies."""
    X, y = tg.datasets.load_digits()
    X = X / 16.0                                     # pixel intensities 0..16 -> 0..1
    X_train, X_test, y_train, y_test = tg.datasets.train_test_split(X, y, test_size=0.25,
                                                                    seed=seed)
    # The last layer is linear: the MLP outputs logits, which is what cross_entropy expects.
    model = tg.nn.MLP([64, hidden, 10], activation="relu", seed=seed)
    library = importlib.import_module(xp)
    model.to(library)
    X_train, X_test = tg.Tensor(X_train).to(library), tg.Tensor(X_test).to(library)
    optimizer = tg.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(y_train))
        losses = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            loss = tg.losses.cross_entropy(model(X_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item() * len(batch))
        with tg.no_grad():
            train_accuracy = tg.metrics.accuracy(model(X_train), y_train).item()
            test_accuracy = tg.metrics.accuracy(model(X_test), y_test).item()
        history["loss"].append(sum(losses) / len(order))
        history["train_accuracy"].append(train_accuracy)
        history["test_accuracy"].append(test_accuracy)
        log(f"epoch {epoch:2d}  loss {history['loss'][-1]:.4f}  train accuracy "
            f"{train_accuracy:.1%}  test accuracy {test_accuracy:.1%}")
    return history


def plot(history: dict, path: Path) -> None:
    """Loss and accuracy per epoch, side by side."""
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(epochs, history["loss"], "o-", color="C3")
    left.set(xlabel="epoch", ylabel="training cross-entropy (epoch mean)",
             title="the loss: what Adam minimises")
    right.plot(epochs, history["train_accuracy"], "o-", label="training digits")
    right.plot(epochs, history["test_accuracy"], "s--", label="held-out digits")
    lowest = min(history["train_accuracy"] + history["test_accuracy"])
    right.set(xlabel="epoch", ylabel="accuracy", ylim=(min(0.8, lowest - 0.02), 1.0),
              title="the accuracy: what we report")
    right.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--xp", default="numpy", choices=("numpy", "torch", "array_api_strict"),
                        help="the array library to train on (default: numpy)")
    parser.add_argument("--out", type=Path, default=Path("examples_output/train_digits.png"),
                        help="the figure (default: examples_output/train_digits.png)")
    args = parser.parse_args()
    history = train(epochs=args.epochs, xp=args.xp)
    plot(history, args.out)
    print(f"figure: {args.out}")


if __name__ == "__main__":
    main()
