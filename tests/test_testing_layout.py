"""tg.testing on examples stored as columns: N and C read from the right axes."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_gradients_match, identify_loss
from tinygrad_lm.testing.layout import infer_batch_axis

D, H, C, M = 4, 5, 3, 7


@pytest.fixture
def columns():
    """Per-example column vectors: X of shape (D, M), W of shape (out, in), b of shape (out, 1)."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(D, M))
    Y = np.eye(C)[:, rng.integers(0, C, size=M)]
    params = [rng.normal(size=(H, D)), rng.normal(size=(H, 1)), rng.normal(size=(C, H)),
              rng.normal(size=(C, 1))]

    def predict(W1, b1, W2, b2):
        hidden = (W1 @ tg.Tensor(X) + b1).sigmoid()
        return (W2 @ hidden + b2).sigmoid()

    def cost(W1, b1, W2, b2):
        return ((predict(W1, b1, W2, b2) - Y) ** 2).sum() / (2 * M)

    def backward(divide=True):
        W1, b1, W2, b2 = params
        a1 = 1 / (1 + np.exp(-(W1 @ X + b1)))
        a2 = 1 / (1 + np.exp(-(W2 @ a1 + b2)))
        delta2 = (a2 - Y) * a2 * (1 - a2) / (M if divide else 1)
        delta1 = (W2.T @ delta2) * a1 * (1 - a1)
        return [delta1 @ X.T, delta1.sum(1, keepdims=True), delta2 @ a1.T,
                delta2.sum(1, keepdims=True)]

    return params, predict, cost, backward, Y


def test_correct_column_code_is_identified_with_n_the_columns(columns):
    params, predict, cost, backward, Y = columns
    assert_gradients_match(cost, params, backward())
    match = identify_loss(predict, params, Y, backward())
    assert (match.name, match.scale, match.n, match.c, match.batch_axis) == (
        "half_sse", 1.0, M, C, 1)
    assert "N = 7 examples as columns, C = 3 rows" in " ".join(str(match).split())


def test_dropped_mean_is_blamed_on_n_not_c(columns):
    params, _, cost, backward, _ = columns
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(cost, params, backward(divide=False))
    report = " ".join(str(info.value).split())
    assert "N = 7 examples as columns by C = 3 rows" in report
    assert report.count("a constant factor N (= 7)") == 4


def test_explicit_batch_axis_is_accepted_and_checked(columns):
    params, predict, _, backward, Y = columns
    assert identify_loss(predict, params, Y, backward(), batch_axis=1).name == "half_sse"
    with pytest.raises(ValueError, match="batch_axis must be 0"):
        identify_loss(predict, params, Y, backward(), batch_axis=2)


@pytest.mark.parametrize("shape, target, axis", [
    ((3, 7), np.eye(3)[:, [0, 1, 2, 0, 1, 2, 0]], 1),
    ((7, 3), np.eye(3)[[0, 1, 2, 0, 1, 2, 0]], 0),
    ((3, 7), np.arange(7) % 3, 1),
    ((1, 5), None, 1),
    ((5, 1), None, 0),
])
def test_infer_batch_axis(shape, target, axis):
    assert infer_batch_axis(shape, target) == axis


def test_a_shared_wrong_sigmoid_prime_is_named_at_every_layer(columns):
    """One derivative helper, z*(1-z) applied to z, reused at both layers."""
    params, _, cost, _, _ = columns
    W1, b1, W2, b2 = params
    X, Y = columns_data()

    def prime(z):
        return z * (1 - z)

    z1 = W1 @ X + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1 + b2
    a2 = 1 / (1 + np.exp(-z2))
    delta2 = (a2 - Y) * prime(z2) / M
    delta1 = (W2.T @ delta2) * prime(z1)
    grads = [delta1 @ X.T, delta1.sum(1, keepdims=True), delta2 @ a1.T,
             delta2.sum(1, keepdims=True)]
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(cost, params, grads)
    report = " ".join(str(info.value).split())
    # W1 and b1 need both layers' mistake; W2 and b2 see only the last layer's, and the one
    # mistake that explains all four is named for all four
    assert report.count("a shared derivative taken at its input") == 4
    assert "computed as z*(1-z) of its input z" in report
    assert "an activation derivative taken at its input" not in report


def test_a_wrong_derivative_at_the_last_layer_only_is_not_called_shared(columns):
    params, _, cost, _, _ = columns
    W1, b1, W2, b2 = params
    X, Y = columns_data()
    z1 = W1 @ X + b1
    a1 = 1 / (1 + np.exp(-z1))
    a2 = 1 / (1 + np.exp(-(W2 @ a1 + b2)))
    z2 = W2 @ a1 + b2
    delta2 = (a2 - Y) * z2 * (1 - z2) / M
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    grads = [delta1 @ X.T, delta1.sum(1, keepdims=True), delta2 @ a1.T,
             delta2.sum(1, keepdims=True)]
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(cost, params, grads)
    report = " ".join(str(info.value).split())
    assert "a shared derivative" not in report
    assert report.count("an activation derivative taken at its input") == 4


def columns_data():
    """The fixture's X and Y again (same seed, drawn first)."""
    rng = np.random.default_rng(11)
    return rng.normal(size=(D, M)), np.eye(C)[:, rng.integers(0, C, size=M)]
