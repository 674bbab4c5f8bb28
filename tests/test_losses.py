"""Losses: closed-form values, gradcheck, stability at extreme logits, reductions, bad input."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import losses as L

RNG_SEED = 4


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def test_mse_and_mae_on_seed_numbers():
    truth = np.array([0.0, 1.0, 2.0, 3.0])
    first, second = tg.Tensor([-2.0, 3.0, 0.0, 5.0]), tg.Tensor([0.0, 1.0, 2.0, 10.0])
    assert L.mse(first, truth).item() == 4.0
    assert L.mse(second, truth).item() == 12.25
    assert L.mae(first, truth).item() == 2.0
    assert L.mae(second, truth).item() == 1.75


def test_each_loss_matches_numpy():
    rng = np.random.default_rng(RNG_SEED)
    x, y = rng.normal(size=7), rng.normal(size=7)
    p, t = rng.uniform(0.05, 0.95, size=7), rng.uniform(0, 1, size=7)
    signs = rng.choice([-1.0, 1.0], size=7)
    cases = [
        (L.mse, x, y, (x - y) ** 2),
        (L.mae, x, y, np.abs(x - y)),
        (L.binary_cross_entropy, p, t, -(t * np.log(p) + (1 - t) * np.log(1 - p))),
        (L.binary_cross_entropy_with_logits, x, t, _softplus(x) - x * t),
        (L.hinge, x, signs, np.maximum(0, 1 - signs * x)),
    ]
    for loss, pred, target, expected in cases:
        np.testing.assert_allclose(loss(tg.Tensor(pred), target, reduction="none").data,
                                   expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(loss(tg.Tensor(pred), target).item(), expected.mean(),
                                   rtol=1e-12)
        np.testing.assert_allclose(loss(tg.Tensor(pred), target, reduction="sum").item(),
                                   expected.sum(), rtol=1e-12)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.99])
def test_quantile_is_the_pinball_loss(q):
    rng = np.random.default_rng(RNG_SEED)
    pred, target = rng.normal(size=9), rng.normal(size=9)
    e = target - pred
    expected = np.maximum(q * e, (q - 1) * e)
    got = L.quantile(tg.Tensor(pred), target, q=q, reduction="none").data
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_quantile_half_is_half_the_absolute_error():
    pred, target = tg.Tensor([1.0, -2.0, 4.0]), np.array([0.0, 0.0, 4.0])
    assert L.quantile(pred, target, q=0.5).item() == 0.5 * L.mae(pred, target).item()


def test_cross_entropy_with_indices_and_probabilities():
    rng = np.random.default_rng(RNG_SEED)
    z = rng.normal(size=(5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    logp = _log_softmax(z)
    by_index = L.cross_entropy(tg.Tensor(z), labels, reduction="none").data
    np.testing.assert_allclose(by_index, -logp[np.arange(5), labels], rtol=1e-12)
    soft = rng.dirichlet(np.ones(4), size=5)
    by_prob = L.cross_entropy(tg.Tensor(z), soft, reduction="sum").item()
    np.testing.assert_allclose(by_prob, -(soft * logp).sum(), rtol=1e-12)
    one_hot = np.eye(4)[labels]
    np.testing.assert_allclose(L.cross_entropy(tg.Tensor(z), one_hot).item(), by_index.mean(),
                               rtol=1e-12)


def test_cross_entropy_accepts_an_integer_tensor_target():
    z = tg.Tensor([[0.0, 0.0, 0.0]])
    assert L.cross_entropy(z, tg.Tensor(np.array([2]))).item() == pytest.approx(np.log(3))


def test_targets_as_lists_tensors_and_arrays_agree():
    pred = tg.Tensor([0.2, 0.8])
    as_list = L.binary_cross_entropy(pred, [0, 1]).item()
    assert as_list == L.binary_cross_entropy(pred, np.array([0.0, 1.0])).item()
    assert as_list == L.binary_cross_entropy(pred, tg.Tensor([0.0, 1.0])).item()
    assert as_list == L.binary_cross_entropy([0.2, 0.8], [0, 1]).item()
    assert L.mse(np.array([1, 3]), [1, 1]).item() == 2.0


@pytest.mark.parametrize("loss, domain", [
    (L.mse, "real"), (L.mae, "real"), (L.binary_cross_entropy, "prob"),
    (L.binary_cross_entropy_with_logits, "logit"), (L.hinge, "sign"), (L.quantile, "real"),
])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck(loss, domain, reduction):
    rng = np.random.default_rng(RNG_SEED)
    x = rng.normal(size=6)
    target = rng.normal(size=6)
    if domain == "prob":
        x, target = rng.uniform(0.1, 0.9, size=6), rng.uniform(0, 1, size=6)
    elif domain == "logit":
        target = rng.uniform(0, 1, size=6)
    elif domain == "sign":
        target = rng.choice([-1.0, 1.0], size=6)
        x = x + 1.7 * target * (np.abs(1 - target * x) < 0.1)  # stay off the kink
    assert tg.gradcheck(lambda a: loss(a, target, reduction=reduction), [x],
                        atol=1e-7, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradcheck_cross_entropy(reduction):
    rng = np.random.default_rng(RNG_SEED)
    z = rng.normal(size=(4, 3))
    labels = np.array([2, 0, 1, 1])
    soft = rng.dirichlet(np.ones(3), size=4)
    assert tg.gradcheck(lambda a: L.cross_entropy(a, labels, reduction=reduction), [z],
                        atol=1e-7, rtol=1e-5)
    assert tg.gradcheck(lambda a, t: L.cross_entropy(a, t, reduction=reduction), [z, soft],
                        atol=1e-7, rtol=1e-5)


def test_gradcheck_with_respect_to_soft_targets():
    rng = np.random.default_rng(RNG_SEED)
    p, t = rng.uniform(0.1, 0.9, size=5), rng.uniform(0.1, 0.9, size=5)
    assert tg.gradcheck(L.binary_cross_entropy, [p, t], atol=1e-7, rtol=1e-5)
    assert tg.gradcheck(L.binary_cross_entropy_with_logits, [p, t], atol=1e-7, rtol=1e-5)


def test_gradients_have_their_closed_forms():
    x = tg.Tensor([-3.0, 0.0, 2.5], requires_grad=True)
    t = np.array([1.0, 0.3, 0.0])
    L.binary_cross_entropy_with_logits(x, t, reduction="sum").backward()
    # Exactly sigmoid(x) - t, including at x = 0, where relu- and abs-based forms give -t.
    np.testing.assert_allclose(x.grad, _sigmoid(x.data) - t, rtol=1e-14)
    assert x.grad[1] == 0.5 - 0.3
    z = tg.Tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    L.cross_entropy(z, np.array([1])).backward()
    np.testing.assert_allclose(z.grad, np.exp(_log_softmax(z.data)) - np.eye(3)[[1]],
                               rtol=1e-14)
    m = tg.Tensor([-2.0, 3.0, 0.0, 5.0], requires_grad=True)
    truth = np.array([0.0, 1.0, 2.0, 3.0])
    L.mse(m, truth).backward()
    # The MSE gradient is the error vector, scaled by 2 / N.
    np.testing.assert_array_equal(m.grad, 2 * (m.data - truth) / 4)


def test_kinks_take_subgradient_zero():
    pred = tg.Tensor([1.0, 2.0], requires_grad=True)
    L.mae(pred, [1.0, 0.0], reduction="sum").backward()
    np.testing.assert_array_equal(pred.grad, [0.0, 1.0])
    pred.grad = None
    L.quantile(pred, [1.0, 0.0], q=0.9, reduction="sum").backward()
    np.testing.assert_allclose(pred.grad, [0.0, 1 - 0.9], rtol=0, atol=0)


def test_binary_cross_entropy_is_finite_at_zero_and_one():
    p = tg.Tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    losses = L.binary_cross_entropy(p, [1, 0, 0, 1], reduction="none")
    np.testing.assert_array_equal(losses.data, [100.0, 100.0, 0.0, 0.0])
    assert not np.signbit(losses.data).any()
    losses.sum().backward()
    assert np.isfinite(p.grad).all()
    tiny = tg.Tensor([1e-50, 1e-30])
    np.testing.assert_allclose(L.binary_cross_entropy(tiny, [1, 1], reduction="none").data,
                               [100.0, -np.log(1e-30)], rtol=1e-12)


def test_extreme_logits_give_finite_losses_and_gradients():
    z = tg.Tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], requires_grad=True)
    loss = L.cross_entropy(z, np.array([2, 1]), reduction="none")
    np.testing.assert_allclose(loss.data, [2e4, 0.0])
    loss.sum().backward()
    np.testing.assert_array_equal(z.grad, [[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    x = tg.Tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    t = np.array([1.0, 0.0, 0.0, 1.0])
    loss = L.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 1e4, 1e4])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0, -1.0])


def test_float32_stays_float32():
    pred = tg.Tensor(np.array([0.25, 0.75], dtype=np.float32), requires_grad=True)
    for loss in (L.mse, L.binary_cross_entropy, L.binary_cross_entropy_with_logits):
        out = loss(pred, np.array([0, 1]))
        assert out.dtype == np.float32, loss.__name__
    z = tg.Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    L.cross_entropy(z, np.array([0, 2])).backward()
    assert z.grad.dtype == np.float32


@pytest.mark.parametrize("loss", [L.mse, L.mae, L.binary_cross_entropy,
                                  L.binary_cross_entropy_with_logits, L.hinge, L.quantile])
def test_mismatched_shapes_name_both(loss):
    with pytest.raises(ValueError, match=r"\(4,\).*\(4, 1\)"):
        loss(tg.Tensor([0.5, 0.5, 0.5, 0.5]), np.ones((4, 1)))


@pytest.mark.parametrize("loss", [L.mse, L.cross_entropy, L.quantile])
def test_unknown_reduction_lists_the_valid_ones(loss):
    with pytest.raises(ValueError, match="'mean', 'sum', 'none'"):
        loss(tg.Tensor([[0.5, 0.5]]), np.array([1]), reduction="average")


def test_cross_entropy_rejects_bad_targets():
    z = tg.Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"\[0, 4\).*\[4\]"):
        L.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"\[-1\]"):
        L.cross_entropy(z, np.array([0, -1, 1]))
    with pytest.raises(TypeError, match="integer dtype.*float64"):
        L.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="floating"):
        L.cross_entropy(z, np.eye(4, dtype=int)[:3])
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2,\)"):
        L.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        L.cross_entropy(z, np.full((3, 4), 1.5))
    # (C,) logits are one sample, as in PyTorch: the target is a 0-d index, not shape (1,)
    with pytest.raises(ValueError, match=r"\(4,\), so target must be class indices of shape "
                                         r"\(\).*got shape \(1,\)"):
        L.cross_entropy(tg.Tensor(np.zeros(4)), np.array([1]))
    with pytest.raises(ValueError, match=r"\(C,\), \(N, C\) or \(N, C, d1, \.\.\.\), got a 0-d"):
        L.cross_entropy(tg.Tensor(0.0), np.array(0))


def test_binary_cross_entropy_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"prob.*\[1\.5\]"):
        L.binary_cross_entropy(tg.Tensor([0.5, 1.5]), [1, 1])
    with pytest.raises(ValueError, match="prob"):
        L.binary_cross_entropy(tg.Tensor([np.nan]), [1])
    with pytest.raises(ValueError, match=r"target.*\[2\.0\]"):
        L.binary_cross_entropy(tg.Tensor([0.5]), [2])
    with pytest.raises(ValueError, match="target"):
        L.binary_cross_entropy_with_logits(tg.Tensor([3.0]), [-1])


def test_other_bad_input():
    with pytest.raises(ValueError, match=r"-1 or \+1.*\[0\.0\]"):
        L.hinge(tg.Tensor([0.5, 0.5]), [0, 1])
    with pytest.raises(ValueError, match=r"q must be in \[0, 1\]"):
        L.quantile(tg.Tensor([0.5]), [1.0], q=1.5)
    with pytest.raises(TypeError, match="q must be a number"):
        L.quantile(tg.Tensor([0.5]), [1.0], q="high")
    with pytest.raises(TypeError, match="floating dtype"):
        L.mse(tg.Tensor(np.array([1, 2])), [1, 2])
    with pytest.raises(TypeError, match="numeric"):
        L.mse(tg.Tensor([1.0]), np.array(["a"]))
