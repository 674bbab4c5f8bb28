"""assert_vjp_match on layer backward passes written as learners write them: loops over
windows, caches, (1, n) biases; the correct ones pass and each usual mistake is named."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_vjp_match

F = tg.functional
rng = np.random.default_rng(7)


# A convolution layer, forward and backward with explicit loops (stride 1, no padding).

def conv_forward(x, w, b):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w)


def conv_backward(dout, cache, flip_in_dx=False, rotate_dw=False):
    x, w = cache
    kh, kw = w.shape[2:]
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    kernel = w[:, :, ::-1, ::-1] if flip_in_dx else w
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            g = dout[:, :, i, j]                                   # (n, o)
            dx[:, :, i:i + kh, j:j + kw] += np.tensordot(g, kernel, axes=([1], [0]))
            dw += np.tensordot(g, x[:, :, i:i + kh, j:j + kw], axes=([0], [0]))
    db = dout.sum(axis=(0, 2, 3))
    return dx, (dw[:, :, ::-1, ::-1] if rotate_dw else dw), db


X = rng.normal(size=(2, 3, 5, 6))
W = rng.normal(size=(4, 3, 3, 2))
B = rng.normal(size=4)
OUT, CACHE = conv_forward(X, W, B)
DOUT = rng.normal(size=OUT.shape)


def test_the_loop_convolution_is_the_engines():
    np.testing.assert_allclose(OUT, F.conv2d(tg.Tensor(X), tg.Tensor(W), tg.Tensor(B)).data,
                               atol=1e-12)
    assert_vjp_match(F.conv2d, [X, W, B], DOUT, conv_backward(DOUT, CACHE))


def test_a_kernel_flipped_in_dx_is_named():
    grads = conv_backward(DOUT, CACHE, flip_in_dx=True)
    with pytest.raises(AssertionError) as e:
        assert_vjp_match(F.conv2d, [X, W, B], DOUT, grads)
    report = str(e.value)
    assert "1 of 3 parameters" in report
    assert "a layer mistake: a flipped kernel in dx" in report
    assert "w[..., ::-1, ::-1]" in report


def test_a_rotated_weight_gradient_is_named():
    grads = conv_backward(DOUT, CACHE, rotate_dw=True)
    with pytest.raises(AssertionError, match="a layer mistake: a rotated kernel gradient"):
        assert_vjp_match(F.conv2d, [X, W, B], DOUT, grads)


def test_a_padded_strided_convolution_flipped_kernel_is_named():
    x, w = rng.normal(size=(1, 2, 7, 7)), rng.normal(size=(3, 2, 3, 3))

    def layer(x, w):
        return F.conv2d(x, w, stride=2, padding=1)

    dout = rng.normal(size=layer(tg.Tensor(x), tg.Tensor(w)).shape)
    xt, wt = tg.Tensor(x, requires_grad=True), tg.Tensor(np.flip(w, (2, 3)).copy(),
                                                         requires_grad=True)
    (layer(xt, wt) * dout).sum().backward()   # dx computed with the kernel rotated
    xr, wr = tg.Tensor(x, requires_grad=True), tg.Tensor(w, requires_grad=True)
    (layer(xr, wr) * dout).sum().backward()
    assert_vjp_match(layer, [x, w], dout, [xr.grad, wr.grad])
    with pytest.raises(AssertionError, match="a flipped kernel in dx"):
        assert_vjp_match(layer, [x, w], dout, [xt.grad, wr.grad])


# Max pooling, 2x2 windows, stride 2, with the cache of where each max was.

def pool_forward(x):
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    windows = windows.reshape(n, c, h // 2, w // 2, 4)
    return windows.max(-1), (x, windows.argmax(-1))


def pool_backward(dout, cache, mistake=None):
    x, where = cache
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = dx[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2]    # a view into dx
            g = dout[:, :, i, j]
            if mistake == "every":
                window += g[:, :, None, None]
            elif mistake == "evenly":
                window += g[:, :, None, None] / 4
            else:
                flat = window.reshape(*window.shape[:2], 4)        # a copy: write it back
                np.put_along_axis(flat, where[:, :, i, j][..., None], g[..., None], axis=-1)
                window[...] = flat.reshape(window.shape)
    return dx


XP = rng.permutation(2 * 3 * 4 * 6).reshape(2, 3, 4, 6) * 0.1   # distinct: no tied maxima
POUT, PCACHE = pool_forward(XP)
PDOUT = rng.normal(size=POUT.shape)


def max_pool(x):
    return F.max_pool2d(x, 2)


def test_the_cached_argmax_pool_backward_passes():
    np.testing.assert_array_equal(POUT, max_pool(tg.Tensor(XP)).data)
    assert_vjp_match(max_pool, [XP], PDOUT, [pool_backward(PDOUT, PCACHE)])


@pytest.mark.parametrize("mistake, words", [("every", "sent to every entry of each 2x2"),
                                            ("evenly", "spread evenly over each 2x2")])
def test_a_pooling_gradient_to_the_whole_window_is_named(mistake, words):
    with pytest.raises(AssertionError, match=words):
        assert_vjp_match(max_pool, [XP], PDOUT, [pool_backward(PDOUT, PCACHE, mistake)])


# Batch norm over a (N, D) batch, with gamma and beta.

def bn_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, var, eps)


def bn_backward(dout, cache, detached=False):
    xhat, gamma, var, eps = cache
    dxhat = dout * gamma
    if detached:
        dx = dxhat / np.sqrt(var + eps)
    else:
        dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / np.sqrt(var + eps)
    dgamma = (dout * xhat).sum(axis=0, keepdims=True)   # (1, D), as gamma of shape (1, D)
    return dx, dgamma, dout.sum(axis=0, keepdims=True)


XB = rng.normal(size=(6, 4)) * 3 + 1
GAMMA, BETA = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
BOUT, BCACHE = bn_forward(XB, GAMMA, BETA)
BDOUT = rng.normal(size=BOUT.shape)


def batch_norm(x, gamma, beta):
    return F.batch_norm(x, training=True) * gamma + beta


def test_the_batch_norm_backward_passes():
    np.testing.assert_allclose(BOUT, batch_norm(tg.Tensor(XB), GAMMA, BETA).data, atol=1e-12)
    assert_vjp_match(batch_norm, [XB, GAMMA, BETA], BDOUT, bn_backward(BDOUT, BCACHE))


def test_batch_norm_statistics_treated_as_constants_are_named():
    with pytest.raises(AssertionError) as e:
        assert_vjp_match(batch_norm, [XB, GAMMA, BETA], BDOUT,
                         bn_backward(BDOUT, BCACHE, detached=True))
    report = str(e.value)
    assert "1 of 3 parameters" in report
    assert "batch norm with its statistics treated as constants" in report


def test_batch_norm_with_its_own_affine_parameters():
    def layer(x, gamma, beta):
        return F.batch_norm(x, weight=gamma, bias=beta, training=True)

    gamma, beta = GAMMA.ravel(), BETA.ravel()
    dx, dgamma, dbeta = bn_backward(BDOUT, BCACHE, detached=True)
    with pytest.raises(AssertionError, match="statistics treated as constants"):
        assert_vjp_match(layer, [XB, gamma, beta], BDOUT, [dx, dgamma.ravel(), dbeta.ravel()])


# A dense layer with a (1, n) bias, and inverted dropout: the existing mistakes still named.

def test_a_dense_layer_bias_of_shape_1_n_and_its_averaged_mistake():
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    dout = rng.normal(size=(5, 2))

    def dense(x, w, b):
        return x @ w + b

    assert_vjp_match(dense, [x, w, b], dout, [dout @ w.T, x.T @ dout,
                                              dout.sum(0, keepdims=True)])
    with pytest.raises(AssertionError, match="a bias gradient averaged over the 5"):
        assert_vjp_match(dense, [x, w, b], dout, [None, None, dout.mean(0, keepdims=True)])


def test_no_layer_mistake_is_named_for_an_unrelated_error():
    with pytest.raises(AssertionError) as e:
        assert_vjp_match(max_pool, [XP], PDOUT, [pool_backward(PDOUT, PCACHE) * 3.7 + 1])
    assert "a layer mistake" not in str(e.value)
