"""tg.testing.assert_vjp_match: a layer's backward given dout, and the layer mistakes named."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_vjp_match


@pytest.fixture
def affine():
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(5, 2))
    return x, w, b, dout


def affine_forward(x, w, b):
    return x @ w + b


def test_correct_affine_backward_passes(affine):
    x, w, b, dout = affine
    assert_vjp_match(affine_forward, [x, w, b], dout, [dout @ w.T, x.T @ dout, dout.sum(0)])
    assert_vjp_match(affine_forward, [x, w, b], dout, [None, x.T @ dout, None])


def test_averaged_bias_gradient_is_named(affine):
    x, w, b, dout = affine
    with pytest.raises(AssertionError) as info:
        assert_vjp_match(affine_forward, [x, w, b], dout,
                         [dout @ w.T, x.T @ dout, dout.mean(0)])
    report = " ".join(str(info.value).split())
    assert "params[2] (b), shape (2,)" in report
    assert "a bias gradient averaged over the 5 positions it is broadcast to instead of " \
           "summed" in report


def test_dropout_mask_and_scale(affine):
    x, _, _, _ = affine
    rng = np.random.default_rng(9)
    p = 0.5
    mask = (rng.uniform(size=x.shape) > p).astype(float)
    dout = rng.normal(size=x.shape)

    def dropout(x):
        return x * (mask / (1 - p))

    assert_vjp_match(dropout, [x], dout, [dout * mask / (1 - p)])
    for wrong, words in ((dout / (1 - p), "a missing dropout mask"),
                         (dout * mask, "a missing dropout scale")):
        with pytest.raises(AssertionError) as info:
            assert_vjp_match(dropout, [x], dout, [wrong])
        assert f"diagnosis: {words}" in str(info.value)


def test_bad_cotangent_is_a_clear_error(affine):
    x, w, b, dout = affine
    with pytest.raises(ValueError, match=r"cotangent has shape \(2,\) but fn's output has"):
        assert_vjp_match(affine_forward, [x, w, b], np.ones(2), [None, None, None])


def test_tanh_layer_backward_missing_derivative(affine):
    x, w, _, dout = affine

    def layer(x, w):
        return (x @ w).tanh()

    h = np.tanh(x @ w)
    dz = dout * (1 - h ** 2)
    assert_vjp_match(layer, [x, w], dout, [dz @ w.T, x.T @ dz])
    with pytest.raises(AssertionError) as info:
        assert_vjp_match(layer, [x, w], dout, [dout @ w.T, x.T @ dout])
    assert "a missing activation derivative" in str(info.value)


def test_a_bias_gradient_of_shape_3_for_a_1_by_3_bias(affine):
    x, w, _, dout = affine
    b = np.zeros((1, 2))
    with pytest.raises(AssertionError) as info:
        assert_vjp_match(affine_forward, [x, w, b], dout, [None, None, dout.sum(0)])
    report = " ".join(str(info.value).split())
    assert "the values match, but the gradient must have the parameter's shape (1, 2)" in report
    X, Y = x, np.eye(2)[[0, 1, 0, 1, 1]]
    match = tg.testing.identify_loss(lambda w, b: tg.Tensor(X) @ w + b, [w, b], Y,
                                     [X.T @ ((X @ w + b) - Y) / 5, ((X @ w + b) - Y).sum(0) / 5])
    assert match.name == "half_sse"
