"""SGD (weight decay, Nesterov), Adam (weight decay) and AdamW against torch.optim over steps."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import optim

torch = pytest.importorskip("torch")

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1, nesterov=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3)),
    ("AdamW", dict(lr=0.03, betas=(0.5, 0.9), weight_decay=0.0)),
]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch_over_several_steps(name, kwargs):
    rng = np.random.default_rng(0)
    w0, b0 = rng.normal(size=(3, 4)), rng.normal(size=4)
    xs = [rng.normal(size=(5, 3)) for _ in range(8)]
    w, b = tg.Tensor(w0, requires_grad=True), tg.Tensor(b0, requires_grad=True)
    tw = torch.tensor(w0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    ours = getattr(optim, name)([w, b], **kwargs)
    theirs = getattr(torch.optim, name)([tw, tb], **kwargs)
    for x in xs:
        ours.zero_grad()
        ((x @ w + b).tanh() ** 2).sum().backward()
        theirs.zero_grad()
        ((torch.from_numpy(x) @ tw + tb).tanh() ** 2).sum().backward()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=0, atol=1e-12)


def test_defaults_are_torchs():
    w = tg.Tensor([1.0], requires_grad=True)
    assert optim.AdamW([w]).weight_decay == 0.01
    assert optim.Adam([w]).weight_decay == 0.0
    assert optim.SGD([w], lr=0.1).weight_decay == 0.0
    assert (optim.AdamW([w]).lr, optim.AdamW([w]).betas, optim.AdamW([w]).eps) == (
        1e-3, (0.9, 0.999), 1e-8)


def test_bad_arguments_are_named():
    w = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="SGD: weight_decay must be >= 0, got -1.0"):
        optim.SGD([w], lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="AdamW: weight_decay"):
        optim.AdamW([w], weight_decay=-0.1)
    with pytest.raises(ValueError, match=r"AdamW: betas\[1\]"):
        optim.AdamW([w], betas=(0.9, 1.0))


def test_a_parameter_without_gradient_is_not_decayed():
    # As in PyTorch: decay is part of the step for parameters that have a gradient.
    w = tg.Tensor([1.0], requires_grad=True)
    for opt in (optim.SGD([w], lr=0.1, weight_decay=0.5), optim.AdamW([w], weight_decay=0.5)):
        opt.step()
    assert w.data.tolist() == [1.0]


def test_float32_parameters_stay_float32():
    w = tg.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    for opt in (optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
                optim.AdamW([w]), optim.Adam([w], weight_decay=0.1)):
        (w * w).sum().backward()
        opt.step()
        opt.zero_grad()
    assert w.data.dtype == np.float32
