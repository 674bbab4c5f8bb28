"""Check a hand-written backprop: is it right, and which loss does it minimise?

A two-layer sigmoid network trained the textbook way: the backward pass is derived by hand in
plain numpy and no loss is ever written down. tg.testing answers both questions, then the
backprop is broken four ways (the sigmoid derivative dropped, the hidden slope taken at the
sigmoid's input, N divided twice, the sign swapped) and each report says what went wrong.

Run: python examples/check_your_backprop.py
Or:  tinygrad-lm check examples/check_your_backprop.py   (this file defines predict, params,
     target and grads, which is what the check command reads)
"""

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


def main() -> None:
    for mistake in (None, "drop the sigmoid derivative", "take the hidden slope at Z",
                    "divide by N twice", "swap the sign"):
        print(f"== {mistake or 'the backprop as written'} ==")
        mine = backprop(X, T, Wh, Wo, mistake)
        print(identify_loss(predict, params, target, mine))
        try:
            assert_gradients_match(half_sse, params, mine)
            print("assert_gradients_match: every gradient matches the engine's")
        except AssertionError as report:
            print(report)
        print()


if __name__ == "__main__":
    main()
