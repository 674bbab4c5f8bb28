"""Autodiff of the hidden loss equals hand-derived backprop on Iris, at every one of 2000 steps."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import reference
from tinygrad_lm.stories import handprop


@pytest.fixture(scope="module")
def iris():
    X, y = tg.datasets.load_iris()
    return X, np.eye(3)[y]


def test_half_sse_two_thousand_steps_match_at_every_step(iris):
    X, Y = iris
    result = handprop.compare(X, Y, *handprop.initial_weights(), steps=2000, lr=0.1)
    assert len(result["weight_diff"]) == 2000
    assert max(result["weight_diff"]) <= 1e-12
    assert max(result["loss_diff"]) <= 1e-15
    # The engine evaluates the same floating-point operations in the same order.
    assert result["max_weight_diff"] == 0.0 and result["max_loss_diff"] == 0.0
    assert result["engine_loss"][-1] < 0.5 * result["engine_loss"][0]


def test_cross_entropy_variant_matches_the_cancelled_delta(iris):
    X, Y = iris
    result = handprop.compare(X, Y, *handprop.initial_weights(), steps=2000, lr=0.1,
                              loss="binary_cross_entropy")
    assert max(result["weight_diff"]) <= 1e-12
    assert max(result["loss_diff"]) <= 1e-12


def test_plain_mse_gradient_is_the_hidden_loss_gradient_times_two_over_c(iris):
    X, Y = iris
    ratio = handprop.mse_gradient_ratio(X, Y, *handprop.initial_weights(seed=5))
    np.testing.assert_allclose(ratio, 2 / Y.shape[1], rtol=1e-12)


def test_reference_gradients_match_central_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 4))
    Y = np.eye(3)[rng.integers(0, 3, size=6)]
    W1, W2 = rng.uniform(-1, 1, (4, 5)), rng.uniform(-1, 1, (5, 3))
    losses = {"half_sse": reference.half_sse, "mse": reference.mse,
              "binary_cross_entropy": reference.binary_cross_entropy}
    assert tuple(losses) == reference.LOSSES
    for name, loss in losses.items():
        dW1, dW2, value = reference.gradients(X, Y, W1, W2, name)
        assert value == pytest.approx(loss(reference.forward(X, W1, W2)[1], Y), rel=1e-15)
        for W, dW, which in ((W1, dW1, 0), (W2, dW2, 1)):
            numerical = np.zeros_like(W)
            for index in np.ndindex(W.shape):
                shifted = []
                for sign in (1, -1):
                    Ws = [W1.copy(), W2.copy()]
                    Ws[which][index] += sign * 1e-6
                    shifted.append(loss(reference.forward(X, *Ws)[1], Y))
                numerical[index] = (shifted[0] - shifted[1]) / 2e-6
            np.testing.assert_allclose(dW, numerical, rtol=1e-6, atol=1e-9)


def test_reference_step_keeps_float32_and_does_not_modify_inputs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 4)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=5)]
    W1 = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
    W2 = rng.uniform(-1, 1, (5, 3)).astype(np.float32)
    W1_before = W1.copy()
    new_W1, new_W2, loss = reference.step(X, Y, W1, W2, 0.1)
    assert new_W1.dtype == np.float32 and new_W2.dtype == np.float32
    assert isinstance(loss, float)
    np.testing.assert_array_equal(W1, W1_before)
    assert not np.array_equal(new_W1, W1)


def test_compare_rejects_an_unknown_loss(iris):
    with pytest.raises(ValueError, match="half_sse, mse, binary_cross_entropy"):
        handprop.compare(*iris, *handprop.initial_weights(), steps=1, lr=0.1, loss="hinge")


def test_mse_variant_matches_and_is_the_tg_losses_mse(iris):
    X, Y = iris
    W1, W2 = handprop.initial_weights()
    result = handprop.compare(X, Y, W1, W2, steps=50, lr=0.5, loss="mse")
    assert max(result["weight_diff"]) <= 1e-12
    A2 = tg.Tensor(reference.forward(X, W1, W2)[1])
    assert result["hand_loss"][0] == pytest.approx(tg.losses.mse(A2, Y).item(), rel=1e-15)
    assert reference.binary_cross_entropy(A2.data, Y) == pytest.approx(
        tg.losses.binary_cross_entropy(A2, Y).item(), rel=1e-14)
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'"):
        reference.step(X, Y, W1, W2, 0.1, "cross_entropy")
