"""Every loss of the catalogue is named, with its scale and its weight decay, from the engine's
own gradients of it (the check's claim that no loss it holds is missed)."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import CATALOGUE, identify_loss

rng = np.random.default_rng(9)
X = rng.normal(size=(12, 4))
W = rng.normal(scale=0.5, size=(4, 3))
LABELS = rng.integers(0, 3, size=12)


def _pred_and_target(name):
    """A prediction function and a target on which the loss is smooth and applies."""
    if name.startswith("binary_cross_entropy_with_logits"):
        return (lambda w: tg.Tensor(X) @ w), rng.integers(0, 2, size=(12, 3)).astype(float)
    if name.startswith("binary_cross_entropy"):
        return (lambda w: (tg.Tensor(X) @ w).sigmoid()), rng.uniform(size=(12, 3))
    if name.startswith("cross_entropy"):
        return (lambda w: tg.Tensor(X) @ w), LABELS
    if name.startswith("hinge"):   # scores kept inside the margin: no kink, every entry counts
        return (lambda w: (tg.Tensor(X) @ w).tanh() * 0.5), np.sign(rng.normal(size=(12, 3)))
    return (lambda w: tg.Tensor(X) @ w), rng.normal(size=(12, 3))


def _engine_grad(loss, predict, target, scale, decay):
    w = tg.Tensor(W.copy(), requires_grad=True)
    total = loss(predict(w), target) * scale + (decay / 2) * (w ** 2).sum()
    total.backward()
    return w.grad


@pytest.mark.parametrize("name, loss", [(n, f) for n, _, f in CATALOGUE],
                         ids=[n for n, _, _ in CATALOGUE])
@pytest.mark.parametrize("scale, decay", [(1.0, 0.0), (2.0, 0.0), (1.0, 0.1)])
def test_each_catalogue_loss_is_named_with_its_scale_and_decay(name, loss, scale, decay):
    predict, target = _pred_and_target(name)
    grad = _engine_grad(loss, predict, target, scale, decay)
    match = identify_loss(predict, [W], target, [grad])
    # A loss whose gradients are the same here (mse and half_sse when 2N = N*C) may be named
    # instead; it must then fit at the same scale.
    same = {c.name for c in match.candidates if c.fits and abs(c.scale - scale) < 1e-9}
    assert match.name is not None, str(match)
    assert name in same | {match.name}, str(match)
    assert abs(match.scale - scale) < 1e-9 or name != match.name, str(match)
    assert match.weight_decay == pytest.approx(decay, abs=1e-9), str(match)
    if decay:
        assert match.decayed == ["w"] and "L2 weight decay 0.1" in " ".join(str(match).split())
