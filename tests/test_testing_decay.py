"""tg.testing with L2 weight decay: named beside the data loss, and its mistakes named."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_gradients_match, identify_loss

REG = 0.05


@pytest.fixture
def two_layer():
    """Rows as examples: affine-ReLU-affine with softmax loss, reg * sum(W**2), biases free."""
    rng = np.random.default_rng(3)
    n, d, h, c = 6, 4, 5, 3
    X = rng.normal(size=(n, d))
    labels = rng.integers(0, c, size=n)
    Y = np.eye(c)[labels]
    params = [rng.normal(size=(d, h)) * 0.5, np.zeros(h) + 0.1, rng.normal(size=(h, c)) * 0.5,
              np.zeros(c) - 0.1]

    def predict(W1, b1, W2, b2):
        return (tg.Tensor(X) @ W1 + b1).relu() @ W2 + b2

    def loss(W1, b1, W2, b2):
        data = tg.losses.cross_entropy(predict(W1, b1, W2, b2), Y)
        return data + REG * ((W1 ** 2).sum() + (W2 ** 2).sum())

    def reg_first(W1, b1, W2, b2):
        penalty = REG * ((W1 ** 2).sum() + (W2 ** 2).sum())
        return penalty + tg.losses.cross_entropy(predict(W1, b1, W2, b2), Y)

    def backward(divide=True, decay=2 * REG):
        W1, b1, W2, b2 = params
        hidden = np.maximum(0, X @ W1 + b1)
        scores = hidden @ W2 + b2
        probs = np.exp(scores - scores.max(1, keepdims=True))
        probs /= probs.sum(1, keepdims=True)
        dscores = (probs - Y) / (n if divide else 1)
        dW2, db2 = hidden.T @ dscores, dscores.sum(0)
        dhidden = (dscores @ W2.T) * (hidden > 0)
        dW1, db1 = X.T @ dhidden, dhidden.sum(0)
        return [dW1 + decay * W1, db1, dW2 + decay * W2, db2]

    return params, predict, loss, reg_first, backward, Y


def test_correct_code_with_l2_passes_and_is_identified(two_layer):
    params, predict, loss, _, backward, Y = two_layer
    assert_gradients_match(loss, params, backward())
    match = identify_loss(predict, params, Y, backward())
    assert match.name == "cross_entropy" and match.scale == 1.0
    assert match.weight_decay == pytest.approx(2 * REG) and match.decayed == ["W1", "W2"]
    text = " ".join(str(match).split())
    assert "plus L2 weight decay 0.1·w on W1, W2" in text and "0.05·ΣW²" in text


def test_no_decay_reports_zero(two_layer):
    params, predict, _, _, backward, Y = two_layer
    match = identify_loss(predict, params, Y, backward(decay=0.0))
    assert match.name == "cross_entropy" and match.weight_decay == 0.0 and match.decayed == []
    assert "weight decay" not in str(match)


@pytest.mark.parametrize("decay, words", [
    (0.0, "L2 weight decay gradient is missing"),
    (REG, "L2 weight decay gradient is halved"),
    (4 * REG, "L2 weight decay gradient is doubled"),
])
def test_wrong_l2_gradient_is_named(two_layer, decay, words):
    params, _, loss, _, backward, _ = two_layer
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss, params, backward(decay=decay))
    report = str(info.value)
    assert report.count(words) == 2  # W1 and W2; the biases carry no decay and match
    assert "the data loss's gradient itself is right" in " ".join(report.split())
    assert "params[1]" not in report and "params[3]" not in report


@pytest.mark.parametrize("order", ["data + reg", "reg + data"])
def test_forgotten_mean_is_named_with_l2_in_either_order(two_layer, order):
    params, _, loss, reg_first, backward, _ = two_layer
    fn = loss if order == "data + reg" else reg_first
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(fn, params, backward(divide=False))
    report = str(info.value)
    assert "N = 6 rows" in report
    assert "L2 weight decay gradient is right; and the data loss's gradient is a constant " \
           "factor N (= 6), likely the 1/N of a mean" in " ".join(report.split())


def test_decay_on_a_parameter_the_loss_does_not_penalise(two_layer):
    params, _, loss, _, backward, _ = two_layer
    grads = backward()
    grads[1] = grads[1] + 0.3 * params[1]
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss, params, grads)
    assert "loss_fn puts no penalty on this parameter" in " ".join(str(info.value).split())


def test_quadratic_cost_with_decay_over_n_is_identified():
    """A per-example quadratic cost with (lmbda / 2n) * sum(w**2), gradients averaged."""
    rng = np.random.default_rng(5)
    n, lmbda = 10, 0.5
    X, Y = rng.normal(size=(n, 3)), rng.uniform(size=(n, 2))
    W = rng.normal(size=(3, 2))
    a = 1 / (1 + np.exp(-(X @ W)))
    grad = X.T @ ((a - Y) * a * (1 - a)) / n + (lmbda / n) * W
    match = identify_loss(lambda W: (tg.Tensor(X) @ W).sigmoid(), [W], Y, [grad])
    assert match.name == "half_sse" and match.weight_decay == pytest.approx(lmbda / n)


def test_squared_error_delta_used_with_cross_entropy_is_named():
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=(8, 1)).astype(float)
    W = rng.normal(size=(3, 1))

    def loss(W):
        return tg.losses.binary_cross_entropy((tg.Tensor(X) @ W).sigmoid(), Y)

    a = 1 / (1 + np.exp(-(X @ W)))
    assert_gradients_match(loss, [W], [X.T @ (a - Y) / 8])
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss, [W], [X.T @ ((a - Y) * a * (1 - a)) / 8])
    report = " ".join(str(info.value).split())
    assert "an extra activation derivative" in report and "(a - y) * a * (1 - a)" in report
