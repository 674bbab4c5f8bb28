"""Hand-derived backprop of the two-layer sigmoid MLP in plain numpy: the reference for the engine.

The network has no biases: ``Z1 = X @ W1``, ``A1 = sigmoid(Z1)``, ``Z2 = A1 @ W2``,
``A2 = sigmoid(Z2)``, with ``X`` of shape (N, D), one-hot targets ``Y`` of shape (N, C),
``W1`` (D, H) and ``W2`` (H, C). Code of this kind usually prints an MSE but never writes a
loss: the loss it minimises is implied by its output delta. For the delta
``(A2 - Y) * A2 * (1 - A2)`` (scaled by 1/N) that loss is

    half_sse = sum((A2 - Y) ** 2) / (2 N),

half the summed squared error per example. ``tinygrad_lm.losses.mse`` is the mean over all
N*C entries, ``2 / C`` times it. With ``tinygrad_lm.losses.binary_cross_entropy`` of the
sigmoid outputs instead, the factor ``A2 * (1 - A2)`` cancels and the output delta is the bare
``A2 - Y`` (scaled by 1/(N C), the mean's count).

Every quantity is computed in the order the engine's chain rule evaluates it (the 1/N of the
loss enters first, as the derivative of the loss with respect to ``A2``), so the engine's
gradients of ``half_sse`` equal these to the last bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LOSSES", "binary_cross_entropy", "forward", "gradients", "half_sse", "mse",
           "sigmoid", "step"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, written as the textbook ``1 / (1 + e**-z)``.

    >>> sigmoid(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    """
    return 1 / (1 + np.exp(-z))


def forward(X: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hidden activations ``A1`` and the outputs ``A2``.

    >>> A1, A2 = forward(np.ones((2, 4)), np.zeros((4, 5)), np.zeros((5, 3)))
    >>> A1.shape, A2.shape, float(A2[0, 0])
    ((2, 5), (2, 3), 0.5)
    """
    A1 = sigmoid(X @ W1)
    A2 = sigmoid(A1 @ W2)
    return A1, A2


def half_sse(A2: np.ndarray, Y: np.ndarray) -> float:
    """The loss the usual hand-written update minimises: ``sum((A2 - Y)**2) / (2 N)``.

    >>> half_sse(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    0.25
    """
    return float(np.sum((A2 - Y) ** 2) / (2 * len(A2)))


def mse(A2: np.ndarray, Y: np.ndarray) -> float:
    """The mean squared error over all N*C entries, as ``tinygrad_lm.losses.mse``: 2/C x half_sse.

    >>> mse(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    0.25
    """
    return float(np.mean((A2 - Y) ** 2))


def binary_cross_entropy(A2: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy of the sigmoid outputs, the mean over all N*C entries.

    The same number as ``tinygrad_lm.losses.binary_cross_entropy(A2, Y)``.

    >>> round(binary_cross_entropy(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])), 6)
    0.693147
    """
    per_entry = Y * np.log(A2) + (1 - Y) * np.log(1 - A2)
    return float(-np.mean(per_entry))


_LOSS_VALUES = {"half_sse": half_sse, "mse": mse, "binary_cross_entropy": binary_cross_entropy}
LOSSES = tuple(_LOSS_VALUES)


def _check_loss(loss: str, op: str) -> None:
    if loss not in _LOSS_VALUES:
        raise ValueError(f"{op}: unknown loss {loss!r}; valid ones are {', '.join(LOSSES)}")


def _backward(X, W2, A1, output_delta):
    """From the output delta dL/dZ2 down to the weight gradients (shared by both losses)."""
    dW2 = A1.T @ output_delta
    # dL/dZ1: the output delta sent back through W2, times the hidden sigmoid's slope.
    hidden_delta = (output_delta @ W2.T) * (A1 * (1 - A1))
    dW1 = X.T @ hidden_delta
    return dW1, dW2


def gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray,
              loss: str = "half_sse") -> tuple[np.ndarray, np.ndarray, float]:
    """``dL/dW1``, ``dL/dW2`` and ``L`` for ``loss``: ``half_sse``, ``mse`` or
    ``binary_cross_entropy`` (of the sigmoid outputs).

    >>> X, Y = np.ones((2, 4)), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> dW1, dW2, loss = gradients(X, Y, np.zeros((4, 5)), np.zeros((5, 3)))
    >>> dW1.shape, dW2.shape, loss
    ((4, 5), (5, 3), 0.375)
    >>> float(gradients(X, Y, np.zeros((4, 5)), np.zeros((5, 3)), "binary_cross_entropy")[1][0, 2])
    0.08333333333333333
    """
    _check_loss(loss, "gradients")
    A1, A2 = forward(X, W1, W2)
    error = A2 - Y
    if loss == "binary_cross_entropy":
        # dL/dA2 is error / (A2 (1 - A2)) / (N C): the output sigmoid's slope cancels, so the
        # output delta dL/dZ2 is the bare error over the count.
        output_delta = error * (1 / error.size)
    else:
        # dL/dA2 of sum(error**2) / (2N) is error / N, taken as error times the rounded 1/N,
        # which is what the engine's chain (2 * error) * (1 / (2N)) rounds to; the mean over
        # N*C entries has 2 / (N C) in its place.
        dL_dA2 = error * (1 / len(X)) if loss == "half_sse" else error * (2 / error.size)
        # dL/dZ2: through the output sigmoid, whose slope A2 (1 - A2) vanishes when it saturates.
        output_delta = dL_dA2 * (A2 * (1 - A2))
    dW1, dW2 = _backward(X, W2, A1, output_delta)
    return dW1, dW2, _LOSS_VALUES[loss](A2, Y)


def step(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray, lr: float,
         loss: str = "half_sse") -> tuple[np.ndarray, np.ndarray, float]:
    """One gradient-descent step on ``loss``: ``(new W1, new W2, loss before the step)``.

    The inputs are not modified; the dtype of the arrays is kept (float32 stays float32).

    >>> X, Y = np.ones((2, 4)), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> W1, W2, loss = step(X, Y, np.zeros((4, 5)), np.zeros((5, 3)), lr=0.1)
    >>> loss, float(W2[0, 2])
    (0.375, -0.00625)
    """
    dW1, dW2, value = gradients(X, Y, W1, W2, loss)
    return W1 - lr * dW1, W2 - lr * dW2, value
