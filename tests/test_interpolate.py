"""interpolate (nearest, bilinear) against PyTorch, with its gradient."""

import numpy as np
import pytest

import tinygrad_lm as tg

torch = pytest.importorskip("torch")
F = tg.functional
TF = torch.nn.functional


@pytest.mark.parametrize("kw", [
    dict(size=(7, 5)), dict(size=3), dict(scale_factor=2), dict(scale_factor=(1.5, 0.7)),
    dict(size=(4, 9), mode="bilinear", align_corners=False),
    dict(size=(4, 9), mode="bilinear", align_corners=True),
    dict(scale_factor=1.7, mode="bilinear", align_corners=False),
    dict(size=(1, 2), mode="bilinear", align_corners=True),
    dict(scale_factor=0.5, mode="bilinear", align_corners=False),
])
def test_interpolate_matches_torch_forward_and_backward(kw):
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 6))
    ours = tg.Tensor(x, requires_grad=True)
    out = F.interpolate(ours, **kw)
    ref = torch.tensor(x, requires_grad=True)
    expected = TF.interpolate(ref, **kw)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-10, rtol=0)
    g = np.random.default_rng(1).normal(size=out.shape)
    (out * g).sum().backward()
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad, ref.grad.numpy(), atol=1e-10, rtol=0)


def test_interpolate_gradchecks_and_names_bad_input():
    x = np.random.default_rng(2).normal(size=(1, 2, 3, 4))
    assert tg.gradgradcheck(lambda t: F.interpolate(t, size=(5, 3), mode="bilinear"), [x],
                            check_forward_ad=True, eps=1e-6, atol=1e-7, rtol=1e-5)
    t = tg.Tensor(x)
    with pytest.raises(ValueError, match="interpolate: give exactly one of size"):
        F.interpolate(t)
    with pytest.raises(ValueError, match="interpolate: mode must be"):
        F.interpolate(t, size=2, mode="bicubic")
    with pytest.raises(ValueError, match=r"interpolate: input must be 4-d .* \(2, 3\)"):
        F.interpolate(tg.Tensor(np.ones((2, 3))), size=2)
