"""Property tests: batch_norm and layer_norm against torch on drawn shapes and axes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_lm as tg
from tinygrad_lm import functional as F
from tinygrad_lm.testing.strategies import arrays, shapes

torch = pytest.importorskip("torch")


@given(st.data())
def test_batch_norm_training_equals_torch_on_any_layout(data):
    shape = data.draw(shapes(min_dims=2, max_dims=4, min_side=1))
    if np.prod(shape) // shape[1] < 2:          # a channel needs two values to train on
        shape = (2, *shape[1:])
    x = data.draw(arrays(shape))
    momentum = data.draw(st.floats(0.0, 1.0))
    mean, var = np.zeros(shape[1]), np.ones(shape[1])
    tmean, tvar = torch.zeros(shape[1], dtype=torch.float64), torch.ones(shape[1],
                                                                         dtype=torch.float64)
    leaf = tg.Tensor(x, requires_grad=True)
    out = F.batch_norm(leaf, mean, var, training=True, momentum=momentum)
    out.backward(np.cos(np.arange(out.size)).reshape(out.shape))
    tleaf = torch.tensor(x, requires_grad=True)
    tout = torch.nn.functional.batch_norm(tleaf, tmean, tvar, training=True, momentum=momentum)
    tout.backward(torch.from_numpy(np.cos(np.arange(out.size)).reshape(out.shape)))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(leaf.grad, tleaf.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mean, tmean.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(var, tvar.numpy(), rtol=1e-12, atol=1e-12)


@given(st.data())
def test_layer_norm_equals_torch_over_any_trailing_axes(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4))
    k = data.draw(st.integers(1, len(shape)))
    x = data.draw(arrays(shape))
    normalized = shape[len(shape) - k:]
    out = F.layer_norm(tg.Tensor(x), normalized)
    expected = torch.nn.functional.layer_norm(torch.from_numpy(x), normalized)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=0, atol=1e-10)
