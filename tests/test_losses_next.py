"""cross_entropy on (C,) and (N, C, d...) inputs, and nll_loss, against torch in float64."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import losses as L

torch = pytest.importorskip("torch")
TOL = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}
rng = np.random.default_rng(3)

SHAPES = [((5,), ()), ((4, 5), (4,)), ((3, 5, 2), (3, 2)), ((2, 5, 3, 2), (2, 3, 2))]


def _soft(shape):
    p = rng.uniform(0.1, 1.0, shape)
    axis = 0 if len(shape) == 1 else 1
    return p / p.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("shape", "batch"), SHAPES)
@pytest.mark.parametrize("kind", ["indices", "probabilities", "nll"])
def test_equals_torch_forward_and_backward(kind, shape, batch, reduction):
    z = rng.normal(size=shape) * 3
    target = rng.integers(0, 5, batch) if kind != "probabilities" else _soft(shape)
    if kind == "nll":
        ours = lambda a: L.nll_loss(a.log_softmax(axis=0 if a.ndim == 1 else 1), target,  # noqa: E731
                                    reduction=reduction)
        theirs = lambda a: torch.nn.functional.nll_loss(  # noqa: E731
            a.log_softmax(0 if a.ndim == 1 else 1), torch.from_numpy(target),
            reduction=reduction)
    else:
        ours = lambda a: L.cross_entropy(a, target, reduction=reduction)  # noqa: E731
        theirs = lambda a: torch.nn.functional.cross_entropy(  # noqa: E731
            a, torch.from_numpy(target), reduction=reduction)
    leaf = tg.Tensor(z, requires_grad=True)
    out = ours(leaf)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    tleaf = torch.tensor(z, requires_grad=True)
    tout = theirs(tleaf)
    tout.backward(torch.from_numpy(seed))
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(leaf.grad, tleaf.grad.numpy(), rtol=0, atol=1e-10)
    assert tg.gradcheck(ours, [z], check_forward_ad=True, **TOL)


def test_nll_loss_gradgradcheck_and_tensor_targets():
    z = rng.normal(size=(3, 4, 2))
    labels = rng.integers(0, 4, (3, 2))
    assert tg.gradgradcheck(lambda a: L.cross_entropy(a, labels), [z], **TOL)
    assert L.nll_loss(tg.Tensor(z), tg.Tensor(labels)).item() == pytest.approx(
        torch.nn.functional.nll_loss(torch.from_numpy(z), torch.from_numpy(labels)).item(),
        abs=1e-12)


def test_float32():
    z = tg.Tensor(rng.normal(size=(3, 4, 2)).astype(np.float32), requires_grad=True)
    loss = L.cross_entropy(z, rng.integers(0, 4, (3, 2)))
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


@pytest.mark.parametrize(("call", "message"), [
    (lambda: L.nll_loss(tg.Tensor(np.zeros((2, 3))), np.array([0, 3])), r"\[0, 3\).*\[3\]"),
    (lambda: L.nll_loss(tg.Tensor(np.zeros((2, 3, 4))), np.array([0, 1])),
     r"\(2, 3, 4\), so target must be class indices of shape \(2, 4\).*got shape \(2,\)"),
    (lambda: L.nll_loss(tg.Tensor(np.zeros((2, 3))), np.array([0, 1]), reduction="avg"),
     "nll_loss: unknown reduction"),
    (lambda: L.cross_entropy(tg.Tensor(np.zeros((2, 3, 4))), np.zeros((2, 4))),
     "integer dtype"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
