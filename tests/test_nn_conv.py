"""Conv2d, MaxPool2d, AvgPool2d and Flatten: PyTorch's initialisation, layout, repr and outputs."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import nn

torch = pytest.importorskip("torch")


def test_conv2d_init_is_pytorchs_uniform_bound_and_layout():
    layer = nn.Conv2d(4, 6, (3, 2), seed=0)
    bound = 1 / np.sqrt(4 * 3 * 2)
    assert layer.weight.shape == (6, 4, 3, 2) and layer.bias.shape == (6,)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
    big = nn.Conv2d(16, 64, 3, seed=1).weight.data
    bound = 1 / np.sqrt(16 * 9)
    # U(-b, b): mean 0, variance b**2 / 3, and the extremes close to +-b.
    assert abs(big.mean()) < 0.02 * bound
    assert abs(big.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3
    assert big.max() > 0.99 * bound and big.min() < -0.99 * bound
    ref = torch.nn.Conv2d(16, 64, 3).weight.detach().numpy()
    assert abs(ref.std() - big.std()) < 0.05 * big.std()
    np.testing.assert_array_equal(nn.Conv2d(2, 3, 3, seed=5).weight.data,
                                  nn.Conv2d(2, 3, 3, seed=5).weight.data)
    assert nn.Conv2d(2, 3, 3, bias=False).bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("stride, padding, bias",
                         [(1, 0, True), (2, 1, False), ((1, 2), (2, 0), True)])
def test_conv2d_equals_torch_given_the_same_weights(stride, padding, bias):
    ours = nn.Conv2d(3, 5, 3, stride=stride, padding=padding, bias=bias, seed=2)
    theirs = torch.nn.Conv2d(3, 5, 3, stride=stride, padding=padding, bias=bias).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        if bias:
            theirs.bias.copy_(torch.tensor(ours.bias.data))
    x = np.random.default_rng(3).normal(size=(2, 3, 9, 7))
    out = ours(tg.Tensor(x))
    expected = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-10, rtol=0)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-10, rtol=0)
    assert repr(ours) == repr(theirs)


def test_pool_and_flatten_modules_equal_torch():
    x = np.random.default_rng(4).normal(size=(2, 3, 6, 5))
    pairs = [(nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
             (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
             (nn.AvgPool2d(2, 1), torch.nn.AvgPool2d(2, 1)),
             (nn.Flatten(), torch.nn.Flatten()),
             (nn.Flatten(0, 2), torch.nn.Flatten(0, 2))]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).numpy(), atol=1e-12)
    assert repr(nn.AvgPool2d(2, 1)) == repr(torch.nn.AvgPool2d(2, 1))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"


def test_a_small_convnet_trains_in_float32():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16, 2, seed=0))
    x = tg.Tensor(np.random.default_rng(0).normal(size=(3, 1, 4, 4)).astype(np.float32))
    out = model(x)
    assert out.shape == (3, 2)
    out.sum().backward()
    assert model[0].weight.grad.shape == (4, 1, 3, 3)


@pytest.mark.parametrize("make, words", [
    (lambda: nn.Conv2d(0, 2, 3), ["Conv2d", "in_channels", "0"]),
    (lambda: nn.Conv2d(2, 2, 0), ["Conv2d", "kernel_size", ">= 1"]),
    (lambda: nn.Conv2d(2, 2, 3, stride=0), ["Conv2d", "stride"]),
    (lambda: nn.Conv2d(3, 2, 3)(np.ones((1, 4, 5, 5))), ["conv2d", "4 channels", "expects 3"]),
    (lambda: nn.Flatten(2, 1)(np.ones((2, 3, 4))), ["Flatten", "start_dim=2", "(2, 3, 4)"]),
])
def test_module_bad_input_is_named(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)
