"""tg.optim: SGD, momentum and Adam against updates computed by hand; bad input."""

import math

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import optim


def square_loss_step(opt, w):
    """Backward of sum(w**2), whose gradient is 2w, then one optimizer step."""
    opt.zero_grad()
    (w * w).sum().backward()
    opt.step()


def test_sgd_one_step_by_hand():
    w = tg.Tensor([1.0, -2.0, 0.5], requires_grad=True)
    storage = w.data
    square_loss_step(optim.SGD([w], lr=0.1), w)
    np.testing.assert_array_equal(w.data, [1.0 - 0.2, -2.0 + 0.4, 0.5 - 0.1])
    assert w.data is storage


def test_sgd_momentum_two_steps_by_hand():
    w = tg.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    square_loss_step(opt, w)
    assert w.data[0] == pytest.approx(0.8, abs=1e-15)          # buffer = g = 2
    square_loss_step(opt, w)
    # buffer = 0.9 * 2 + 1.6 = 3.4, w = 0.8 - 0.1 * 3.4
    assert w.data[0] == pytest.approx(0.46, abs=1e-15)


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w = tg.Tensor([1.0], requires_grad=True)
    opt = optim.Adam([w], lr=lr)
    square_loss_step(opt, w)
    # t = 1: m = 0.1 * 2, v = 0.001 * 4, m_hat = 2, v_hat = 4, step = lr * 2 / (2 + eps)
    expected = 1.0 - lr * 2.0 / (2.0 + eps)
    assert w.data[0] == pytest.approx(expected, rel=1e-15)
    square_loss_step(opt, w)
    g = 2 * expected
    m = b1 * (1 - b1) * 2.0 + (1 - b1) * g
    v = b2 * (1 - b2) * 4.0 + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** 2), v / (1 - b2 ** 2)
    expected -= lr * m_hat / (math.sqrt(v_hat) + eps)
    assert w.data[0] == pytest.approx(expected, rel=1e-14)


def test_parameters_without_grad_are_skipped():
    used = tg.Tensor([1.0], requires_grad=True)
    unused = tg.Tensor([5.0], requires_grad=True)
    for opt in (optim.SGD([used, unused], lr=0.1, momentum=0.5), optim.Adam([used, unused])):
        square_loss_step(opt, used)
        assert unused.data[0] == 5.0 and unused.grad is None


def test_zero_grad_resets_to_none_and_create_graph_grads_are_used():
    w = tg.Tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    (w * w).sum().backward(create_graph=True)
    assert isinstance(w.grad, tg.Tensor)
    opt.step()
    assert w.data[0] == 0.0
    opt.zero_grad()
    assert w.grad is None


def test_module_training_with_adam_fits_two_moons():
    X, y = tg.datasets.make_moons(200, noise=0.1, seed=0)
    net = tg.nn.MLP([2, 16, 1], activation="tanh", activate_output=False, seed=0)
    opt = optim.Adam(net.parameters(), lr=0.05)
    for _ in range(200):
        logits = net(X)[:, 0]
        loss = tg.losses.binary_cross_entropy_with_logits(logits, y.astype(float))
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = np.mean((net(X).data[:, 0] > 0) == y)
    assert accuracy > 0.95


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.Adam(ps),
])
def test_bad_parameters(make):
    with pytest.raises(ValueError, match="no parameters"):
        make([])
    with pytest.raises(TypeError, match="parameter 1 is a ndarray, not a Tensor"):
        make([tg.Tensor([1.0], requires_grad=True), np.ones(2)])
    with pytest.raises(ValueError, match=r"parameter 0 \(shape \(2,\).*does not require grad"):
        make([tg.Tensor([1.0, 2.0])])
    w = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="not a leaf"):
        make([w * 2])
    with pytest.raises(TypeError, match="single Tensor"):
        make(w)
    with pytest.raises(ValueError, match="more than once"):
        make([w, w])


def test_bad_hyperparameters():
    w = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.SGD([w], lr=-0.1)
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD([w], lr=0.1, momentum=-1)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1.0\)"):
        optim.Adam([w], betas=(0.9, 1.0))
