"""Check a hand-written backprop: is it right, and which loss does it minimise?

A two-layer sigmoid network trained the textbook way: the backward pass is derived by hand in
plain numpy and no loss is ever written down. tg.testing answers both questions, then the
backprop is broken four ways (the sigmoid derivative dropped, the hidden slope taken at the
sigmoid's input, N divided twice, the sign swapped) and each report says what went wrong.

Run: python examples/check_your_backprop.py [--full]
Or:  tinygrad-lm check examples/check_your_backprop.py   (this file defines predict, params,
     target and grads, which is what the check command reads)
"""

import argparse
import re

import numpy as np

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_gradients_match, identify_loss

rng = np.random.default_rng(7)
X = rng.normal(size=(12, 4))                       # 12 examples, 4 features
T = np.eye(3)[rng.integers(0, 3, size=12)]         # one-hot targets, 3 classes
Wh = rng.normal(scale=0.5, size=(4, 6))            # input -> hidden
Wo = rng.normal(scale=0.5, size=(6, 3))            # hidden -> output


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(X, T, Wh, Wo, mistake=None):
    """The learner's gradients for Wh and Wo, with one of four classic mistakes on request."""
    n = len(X)
    H = sigmoid(X @ Wh)
    P = sigmoid(H @ Wo)
    err = T - P if mistake == "swap the sign" else P - T
    if mistake == "divide by N twice":
        err = err / n
    if mistake == "drop the sigmoid derivative":
        delta_out = err
    else:
        delta_out = err * P * (1 - P)
    delta_hidden = (delta_out @ Wo.T) * H * (1 - H)
    if mistake == "take the hidden slope at Z":     # s * (1 - s) needs the output s, not Z
        Z = X @ Wh
        delta_hidden = (delta_out @ Wo.T) * Z * (1 - Z)
    return [X.T @ delta_hidden / n, H.T @ delta_out / n]


def predict(Wh, Wo):
    """The same forward pass, written with tinygrad_lm Tensors so the engine can differentiate."""
    return ((tg.Tensor(X) @ Wh).sigmoid() @ Wo).sigmoid()


params = [Wh, Wo]
target = T
grads = backprop(X, T, Wh, Wo)


def half_sse(Wh, Wo):
    """The loss identify_loss names for the correct backprop: sum((P - T)**2) / (2N)."""
    return tg.testing.half_sse(predict(Wh, Wo), T)


def _first_sentence(text: str) -> str:
    # identify_loss's paragraph opens with the verdict; the rest compares scales.
    return " ".join(re.split(r"(?<=[)\d])\. ", " ".join(text.split()), maxsplit=1)[0].split())


def _diagnoses(report: str) -> list[str]:
    """Each parameter's name and diagnosis from an assert_gradients_match report, a line each."""
    lines, name = [], None
    for line in report.splitlines():
        if line.startswith("params["):
            name = line.split(":")[0].split(", shape")[0]
        elif line.strip().startswith("diagnosis:"):
            lines.append(f"  {name}: {line.strip()}")
        elif line.startswith("    ") and lines:  # a wrapped diagnosis goes on
            lines[-1] += " " + line.strip()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="print identify_loss's and assert_gradients_match's whole reports")
    full = parser.parse_args().full
    for mistake in (None, "drop the sigmoid derivative", "take the hidden slope at Z",
                    "divide by N twice", "swap the sign"):
        print(f"== {mistake or 'the backprop as written'} ==")
        mine = backprop(X, T, Wh, Wo, mistake)
        match = str(identify_loss(predict, params, target, mine))
        print(match if full else f"which loss: {_first_sentence(match)}.")
        try:
            assert_gradients_match(half_sse, params, mine)
            print("against half_sse: every gradient matches the engine's")
        except AssertionError as report:
            print(report if full else "\n".join(["against half_sse:", *_diagnoses(str(report))]))
    if not full:
        print("(--full prints the whole reports)")


if __name__ == "__main__":
    main()
