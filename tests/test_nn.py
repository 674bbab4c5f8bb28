"""tg.nn: parameter discovery and names, PyTorch's init, shapes, gradients, bad input."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import nn


def test_linear_init_is_pytorch_uniform_and_seeded():
    layer = nn.Linear(16, 8, seed=3)
    assert layer.weight.shape == (16, 8) and layer.bias.shape == (8,)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float64 and p.requires_grad
        assert np.all(np.abs(p.data) <= 1 / np.sqrt(16))
    again = nn.Linear(16, 8, seed=3)
    np.testing.assert_array_equal(layer.weight.data, again.weight.data)
    assert not np.array_equal(layer.weight.data, nn.Linear(16, 8, seed=4).weight.data)
    assert nn.Linear(16, 8, bias=False).bias is None


def test_linear_forward_and_gradients_match_hand_formulas():
    rng = np.random.default_rng(0)
    layer = nn.Linear(3, 2, seed=0)
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 2))
    out = layer(x)
    np.testing.assert_allclose(out.data, x @ layer.weight.data + layer.bias.data, rtol=1e-15)
    (out * upstream).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, x.T @ upstream, rtol=1e-14)
    np.testing.assert_allclose(layer.bias.grad, upstream.sum(axis=0), rtol=1e-14)


def test_linear_size_mismatch_names_both_sizes():
    layer = nn.Linear(4, 5, seed=0)
    with pytest.raises(ValueError, match=r"Linear\(4, 5\) got input with 3 features"):
        layer(np.ones((10, 3)))
    net = nn.MLP([4, 5, 3], seed=0)
    with pytest.raises(ValueError, match=r"Linear\(4, 5\) got input with 2 features"):
        net(np.ones((1, 2)))
    with pytest.raises(ValueError, match="positive integer"):
        nn.Linear(0, 3)


def test_mlp_layers_names_and_parameter_count():
    net = nn.MLP([4, 5, 3], activation="tanh", seed=0)
    kinds = [type(layer).__name__ for layer in net]
    assert kinds == ["Linear", "Tanh", "Linear"]
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.name for p in net.parameters()] == names
    assert sum(p.size for p in net.parameters()) == 4 * 5 + 5 + 5 * 3 + 3
    activated = nn.MLP([4, 5, 3], activation="tanh", activate_output=True, seed=0)
    assert [type(layer).__name__ for layer in activated] == ["Linear", "Tanh", "Linear", "Tanh"]
    assert net(np.zeros((7, 4))).shape == (7, 3)


def test_mlp_seed_reproduces_every_layer():
    a, b = nn.MLP([2, 3, 1], seed=7), nn.MLP([2, 3, 1], seed=7)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    square = nn.MLP([3, 3, 3], bias=False, seed=0)
    assert not np.array_equal(square[0].weight.data, square[2].weight.data)


def test_mlp_bad_arguments_list_the_valid_ones():
    with pytest.raises(ValueError, match="relu, sigmoid, tanh"):
        nn.MLP([2, 1], activation="swish")
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])
    with pytest.raises(TypeError, match="layer 1 is a int"):
        nn.Sequential(nn.ReLU(), 3)


class Block(nn.Module):
    def __init__(self, shared):
        self.scale = tg.Tensor(np.ones(2), requires_grad=True)
        self.constant = tg.Tensor(np.ones(2))
        self.layers = [nn.Linear(2, 2, seed=0), nn.Linear(2, 2, seed=1)]
        self.shared = shared
        self.again = shared

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale * self.shared


def test_module_walks_attributes_lists_and_counts_shared_tensors_once():
    shared = tg.Tensor(np.ones(2), requires_grad=True)
    outer = nn.Sequential(Block(shared), nn.Sigmoid())
    names = [name for name, _ in outer.named_parameters()]
    # A module's own tensors come before its sub-modules' (PyTorch's order).
    assert names == ["0.scale", "0.shared", "0.layers.0.weight", "0.layers.0.bias",
                     "0.layers.1.weight", "0.layers.1.bias"]
    assert outer[0].layers[1].bias.name == "0.layers.1.bias"
    cached = outer[0].scale * 2
    outer[0].cached = cached
    assert len(outer[0].parameters()) == 6


def test_zero_grad_sets_none_and_call_runs_forward():
    net = nn.MLP([3, 4, 2], activation="relu", seed=1)
    net(np.ones((2, 3))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1.0)


@pytest.mark.parametrize("cls, fn", [
    (nn.Sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh, np.tanh),
    (nn.ReLU, lambda x: np.maximum(x, 0)),
])
def test_activations_match_numpy(cls, fn):
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(cls()(x).data, fn(x), rtol=1e-15)


def test_mlp_gradcheck():
    net = nn.MLP([3, 4, 2], activation="tanh", seed=2)
    x = np.random.default_rng(0).normal(size=(5, 3))

    def loss(w1, b1, w2, b2):
        return ((x @ w1 + b1).tanh() @ w2 + b2).sum()     # the last layer is linear

    assert tg.gradcheck(loss, [p.data.copy() for p in net.parameters()])
    net(x).sum().backward()
    analytic = tg.grad(loss, argnums=(0, 1, 2, 3))(*[p.data for p in net.parameters()])
    for p, g in zip(net.parameters(), analytic):
        np.testing.assert_allclose(p.grad, g, rtol=1e-14)


def test_mlp_outputs_logits_by_default_as_torchvision():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 4))
    net = nn.MLP([4, 5, 3], seed=0)
    assert isinstance(net[-1], nn.Linear) and len(net) == 3
    first, last = net[0], net[2]
    expected = (1 / (1 + np.exp(-(x @ first.weight.data + first.bias.data)))) \
        @ last.weight.data + last.bias.data
    out = net(x).data
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    assert (out < 0).any() and (np.abs(out) > 0).all()     # logits, not probabilities
    activated = nn.MLP([4, 5, 3], seed=0, activate_output=True)
    np.testing.assert_allclose(activated(x).data, 1 / (1 + np.exp(-expected)), rtol=1e-13)
