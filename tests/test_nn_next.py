"""The new layers against torch.nn: BatchNorm1d/2d (running statistics over several steps,
train and eval), LayerNorm, Embedding, Dropout, LeakyReLU, GELU, MSELoss, CrossEntropyLoss."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import nn

torch = pytest.importorskip("torch")


def _step_pair(ours, theirs, x):
    """Forward and backward through both; outputs and input gradients agree to 1e-10."""
    leaf = tg.Tensor(x, requires_grad=True)
    out = ours(leaf)
    seed = np.random.default_rng(1).normal(size=out.shape)
    out.backward(seed)
    tleaf = torch.tensor(x, requires_grad=True)
    tout = theirs(tleaf)
    tout.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(leaf.grad, tleaf.grad.numpy(), rtol=0, atol=1e-10)
    return out


@pytest.mark.parametrize(("make", "tmake", "shape", "kwargs"), [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3), {}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5), {"momentum": 0.3}),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 2, 5), {}),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 2, 2), {"momentum": None}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3), {"affine": False}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3), {"track_running_stats": False}),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (6, 3), {"bias": False}),
])
def test_batch_norm_matches_torch_in_training_and_eval(make, tmake, shape, kwargs):
    ours, theirs = make(3, **kwargs), tmake(3, **kwargs).double()
    for step in range(4):
        x = np.random.default_rng(step).normal(size=shape) * (step + 1) + step
        _step_pair(ours, theirs, x)
        for (name, p), (tname, tp) in zip(ours.named_parameters(),
                                          theirs.named_parameters(), strict=True):
            assert name == tname
            np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=0, atol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=0, atol=1e-12)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(9).normal(size=shape)
    ours.zero_grad()
    theirs.zero_grad()
    _step_pair(ours, theirs, x)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_batch_norm_in_eval_leaves_running_statistics_alone():
    bn = nn.BatchNorm1d(2).eval()
    bn(np.random.default_rng(0).normal(size=(5, 2)))
    assert bn.running_mean.data.tolist() == [0.0, 0.0]
    assert int(bn.num_batches_tracked.data) == 0


def test_layer_norm_matches_torch():
    ours, theirs = nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3)).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    _step_pair(ours, theirs, np.random.default_rng(0).normal(size=(4, 2, 3)))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=0, atol=1e-10)


def test_embedding_init_is_standard_normal_and_seedable():
    emb = nn.Embedding(400, 50, seed=0)
    assert abs(emb.weight.data.mean()) < 0.01 and abs(emb.weight.data.std() - 1) < 0.01
    np.testing.assert_array_equal(nn.Embedding(4, 2, seed=3).weight.data,
                                  nn.Embedding(4, 2, seed=3).weight.data)
    theirs = torch.nn.Embedding(4, 2).double()
    ours = nn.Embedding(4, 2)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    idx = np.array([[3, 1], [1, 0]])
    np.testing.assert_array_equal(ours(idx).data, theirs(torch.from_numpy(idx)).detach().numpy())


def test_dropout_trains_and_evaluates():
    drop = nn.Dropout(0.5, seed=0)
    x = np.ones((100, 100))
    first, second = drop(x).data, drop(x).data
    assert not np.array_equal(first, second)            # a fresh mask every call
    np.testing.assert_array_equal(nn.Dropout(0.5, seed=0)(x).data, first)
    assert drop.eval()(x).data.tolist() == x.tolist()
    assert drop.train()(x).data.min() == 0.0


@pytest.mark.parametrize(("ours", "theirs"), [
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU("tanh")),
    (nn.ELU(0.5), torch.nn.ELU(0.5)),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Softplus(), torch.nn.Softplus()),
])
def test_activation_layers_match_torch(ours, theirs):
    x = np.random.default_rng(0).normal(size=(3, 4)) * 3
    _step_pair(ours, theirs, x)


@pytest.mark.parametrize(("ours", "theirs"), [
    (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)),
    (nn.BatchNorm2d(4, momentum=None), torch.nn.BatchNorm2d(4, momentum=None)),
    (nn.LayerNorm(5), torch.nn.LayerNorm(5)),
    (nn.LayerNorm(5, bias=False), torch.nn.LayerNorm(5, bias=False)),
    (nn.BatchNorm1d(2, affine=False), torch.nn.BatchNorm1d(2, affine=False)),
    (nn.LayerNorm((2, 3), elementwise_affine=False),
     torch.nn.LayerNorm((2, 3), elementwise_affine=False)),
    (nn.Embedding(10, 3), torch.nn.Embedding(10, 3)),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.GELU(), torch.nn.GELU()),
    (nn.MSELoss(), torch.nn.MSELoss()),
    (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()),
])
def test_reprs_are_torchs(ours, theirs):
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_match_torch(reduction):
    rng = np.random.default_rng(0)
    logits, labels, y = rng.normal(size=(5, 4)), rng.integers(0, 4, 5), rng.normal(size=(5, 4))
    ce = nn.CrossEntropyLoss(reduction=reduction)(tg.Tensor(logits), labels)
    tce = torch.nn.CrossEntropyLoss(reduction=reduction)(torch.from_numpy(logits),
                                                         torch.from_numpy(labels))
    np.testing.assert_allclose(ce.data, tce.numpy(), rtol=0, atol=1e-12)
    mse = nn.MSELoss(reduction=reduction)(tg.Tensor(logits), y)
    tmse = torch.nn.MSELoss(reduction=reduction)(torch.from_numpy(logits), torch.from_numpy(y))
    np.testing.assert_allclose(mse.data, tmse.numpy(), rtol=0, atol=1e-12)


def test_float32_layers():
    x = np.random.default_rng(0).normal(size=(4, 3, 2, 2)).astype(np.float32)
    net = nn.Sequential(nn.BatchNorm2d(3), nn.GELU(), nn.Dropout(0.2, seed=0))
    for p in net.parameters():
        p.data = p.data.astype(np.float32)
    out = net(x)
    out.sum().backward()
    assert out.dtype == np.float32 and net[0].weight.grad.dtype == np.float32


BAD = [
    (lambda: nn.Dropout(1.0), ValueError, r"Dropout: p .* \[0, 1\), got p=1.0"),
    (lambda: nn.BatchNorm1d(0), ValueError, "BatchNorm1d: num_features must be a positive"),
    (lambda: nn.BatchNorm1d(3, momentum=1.5), ValueError, "momentum must be in"),
    (lambda: nn.BatchNorm2d(3)(np.ones((2, 3))), ValueError,
     r"BatchNorm2d: expected 4-D input, got shape \(2, 3\)"),
    (lambda: nn.BatchNorm1d(3)(np.ones((2, 4))), ValueError,
     r"BatchNorm1d\(3\) got input with 4 channels"),
    (lambda: nn.LayerNorm(3)(np.ones((2, 4))), ValueError, "normalized_shape"),
    (lambda: nn.LayerNorm(()), ValueError, "at least one axis"),
    (lambda: nn.Embedding(0, 3), ValueError, "num_embeddings must be a positive"),
    (lambda: nn.GELU("fast"), ValueError, "approximate must be"),
    (lambda: nn.MSELoss(reduction="avg"), ValueError, "MSELoss: reduction must be"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nested_repr_is_torchs_but_for_linears_layout():
    class Block(nn.Module):
        def __init__(self):
            self.inner = nn.Sequential(nn.Linear(2, 3), nn.GELU())
            self.norm = nn.LayerNorm(3)

    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.GELU())
            self.norm = torch.nn.LayerNorm(3)

    assert "Torch" + repr(Block()).replace(", weight=(in, out)", "") == repr(TorchBlock())
