"""softplus, leaky_relu, elu, gelu, silu, batch_norm, layer_norm, dropout, embedding and the
erf primitive: equal to torch forward and backward in float64, forward mode, gradcheck and
gradgradcheck, float32, and named errors for bad input."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import functional as F
from tinygrad_lm.core import primitives as P

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}
rng = np.random.default_rng(20)


def _away_from_zero(*shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 3.0, size=shape)


X = _away_from_zero(3, 5)
X[0, :3] = [25.0, -30.0, 19.0]        # softplus's threshold and a deep negative
W4 = rng.normal(size=4) + 1.0
B4 = rng.normal(size=4)
XBN2 = rng.normal(size=(6, 4)) * 2 + 1
XBN4 = rng.normal(size=(3, 4, 2, 3))
XLN = rng.normal(size=(3, 2, 4))
WLN, BLN = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 2))
BOOL_MASK = rng.uniform(size=(3, 5)) > 0.3
BOOL_MASK[:, 0] = True                  # every query sees at least one key
FLOAT_MASK = rng.normal(size=(2, 3, 5))
SDPA = F.scaled_dot_product_attention
TSDPA = TF.scaled_dot_product_attention

# name -> (ours, torch's, inputs): every floating input is differentiated.
CASES = {
    "erf": (lambda x: P.erf(x), torch.erf, [X]),
    "softplus": (F.softplus, TF.softplus, [X]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), [X]),
    "elu": (lambda x: F.elu(x, 1.5), lambda x: TF.elu(x, 1.5), [X]),
    "gelu": (F.gelu, TF.gelu, [X]),
    "gelu_tanh": (lambda x: F.gelu(x, "tanh"), lambda x: TF.gelu(x, approximate="tanh"), [X]),
    "silu": (F.silu, TF.silu, [X]),
    "batch_norm_2d": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                      lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
                      [XBN2, W4, B4]),
    "batch_norm_4d": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                      lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
                      [XBN4, W4, B4]),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(x, np.full(4, 0.3), np.full(4, 2.0), w, b),
                        lambda x, w, b: TF.batch_norm(x, torch.full((4,), 0.3, dtype=x.dtype),
                                                      torch.full((4,), 2.0, dtype=x.dtype),
                                                      w, b),
                        [XBN4, W4, B4]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (2, 4), w, b),
                   lambda x, w, b: TF.layer_norm(x, (2, 4), w, b), [XLN, WLN, BLN]),
    "sdpa": (SDPA, TSDPA, [Q, K, V]),
    "sdpa_causal": (lambda q, k, v: SDPA(q, k, v, is_causal=True),
                    lambda q, k, v: TSDPA(q, k, v, is_causal=True), [Q, Q, V[:, :3]]),
    "sdpa_bool_mask": (lambda q, k, v: SDPA(q, k, v, attn_mask=BOOL_MASK, scale=0.3),
                       lambda q, k, v: TSDPA(q, k, v, attn_mask=torch.from_numpy(BOOL_MASK),
                                             scale=0.3), [Q, K, V]),
    "sdpa_float_mask": (lambda q, k, v: SDPA(q, k, v, attn_mask=FLOAT_MASK),
                        lambda q, k, v: TSDPA(q, k, v, attn_mask=torch.from_numpy(FLOAT_MASK)
                                              .to(q.dtype)), [Q, K, V]),
    "layer_norm_plain": (lambda x: F.layer_norm(x, 4), lambda x: TF.layer_norm(x, (4,)), [XLN]),
}


@pytest.mark.parametrize("name", CASES)
def test_forward_and_backward_equal_torch_in_float64(name):
    ours, theirs, inputs = CASES[name]
    leaves = [tg.Tensor(a, requires_grad=True) for a in inputs]
    out = ours(*leaves)
    seed = np.linspace(-1.0, 1.5, out.size).reshape(out.shape)
    out.backward(seed)
    tleaves = [torch.tensor(a, requires_grad=True) for a in inputs]
    tout = theirs(*tleaves)
    tout.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=0, atol=1e-10)
    for leaf, tleaf in zip(leaves, tleaves):
        np.testing.assert_allclose(leaf.grad, tleaf.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck_with_forward_mode(name):
    ours, _, inputs = CASES[name]
    assert tg.gradcheck(ours, inputs, check_forward_ad=True, **TOL)


@pytest.mark.parametrize("name", CASES)
def test_gradgradcheck(name):
    ours, _, inputs = CASES[name]
    assert tg.gradgradcheck(ours, inputs, **TOL)


@pytest.mark.parametrize("name", CASES)
def test_float32_works(name):
    ours, theirs, inputs = CASES[name]
    leaves = [tg.Tensor(a.astype(np.float32), requires_grad=True) for a in inputs]
    out = ours(*leaves)
    out.sum().backward()
    assert out.dtype == np.float32 and all(leaf.grad.dtype == np.float32 for leaf in leaves)
    expected = theirs(*[torch.tensor(a, dtype=torch.float32) for a in inputs]).numpy()
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("x", [0.0, -1e-300, 20.0, 1e-3])
def test_kinks_take_torchs_gradient(x):
    for ours, theirs in [(lambda t: F.leaky_relu(t, 0.3), lambda t: TF.leaky_relu(t, 0.3)),
                         (F.elu, TF.elu), (F.softplus, TF.softplus)]:
        t = tg.Tensor([x], requires_grad=True)
        ours(t).sum().backward()
        tt = torch.tensor([x], dtype=torch.float64, requires_grad=True)
        theirs(tt).sum().backward()
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=0, atol=1e-15)


def test_batch_norm_running_statistics_equal_torchs_after_several_steps():
    mean, var = np.zeros(4), np.ones(4)
    tmean, tvar = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    for step in range(5):
        x = np.random.default_rng(step).normal(size=(5, 4, 3)) * (step + 1) + step
        out = F.batch_norm(tg.Tensor(x), mean, var, training=True, momentum=0.2)
        expected = TF.batch_norm(torch.from_numpy(x), tmean, tvar, training=True, momentum=0.2)
        np.testing.assert_allclose(out.data, expected.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mean, tmean.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(var, tvar.numpy(), rtol=0, atol=1e-12)


def test_batch_norm_updates_tensor_buffers_in_place():
    mean, var = tg.Tensor(np.zeros(2)), tg.Tensor(np.ones(2))
    before = mean.data
    F.batch_norm(tg.Tensor([[0.0, 1.0], [2.0, 5.0]]), mean, var, training=True)
    assert mean.data is before
    np.testing.assert_allclose(mean.data, [0.1, 0.3])


def test_dropout_is_inverted_seedable_and_off_in_eval():
    x = tg.Tensor(np.ones((200, 50)), requires_grad=True)
    out = F.dropout(x, p=0.25, rng=3)
    kept = out.data != 0
    assert set(np.unique(out.data)) == {0.0, 1 / 0.75}
    assert abs(kept.mean() - 0.75) < 0.01
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.75)
    np.testing.assert_array_equal(F.dropout(x, 0.25, rng=3).data, out.data)
    np.testing.assert_array_equal(
        F.dropout(x, 0.25, rng=np.random.default_rng(3)).data, out.data)
    assert F.dropout(x, 0.25, training=False) is x
    assert F.dropout(tg.Tensor(np.ones(4, dtype=np.float32)), 0.5, rng=0).dtype == np.float32


def test_dropout_gradcheck_with_a_fixed_mask():
    assert tg.gradcheck(lambda x: F.dropout(x, 0.4, rng=1), [X], check_forward_ad=True, **TOL)


def test_embedding_equals_torch_and_accumulates_repeated_rows():
    weight = rng.normal(size=(5, 3))
    idx = np.array([[0, 4, 4], [2, 0, 1]])
    w = tg.Tensor(weight, requires_grad=True)
    out = F.embedding(idx, w)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    tw = torch.tensor(weight, requires_grad=True)
    tout = TF.embedding(torch.from_numpy(idx), tw)
    tout.backward(torch.from_numpy(seed))
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=0, atol=1e-12)
    assert tg.gradcheck(lambda w: F.embedding(idx, w), [weight], check_forward_ad=True, **TOL)


def test_composites_are_drawn_as_one_box():
    from tinygrad_lm.core.scopes import composite_of
    x = tg.Tensor(X, requires_grad=True)
    for fn, name in [(F.gelu, "gelu"), (F.softplus, "softplus"), (F.silu, "silu"),
                     (lambda t: F.layer_norm(t, 5), "layer_norm")]:
        assert composite_of(fn(x))[0] == name


BAD = [
    (lambda: F.dropout(tg.Tensor([1.0]), p=1.0), ValueError, "p=1.0"),
    (lambda: F.dropout(tg.Tensor([1.0]), p=-0.1), ValueError, r"\[0, 1\), got p=-0.1"),
    (lambda: F.dropout([1.0], p=0.1), TypeError, "dropout: x must be a Tensor"),
    (lambda: F.gelu(tg.Value(0.5)), TypeError, "gelu: x must be a Tensor, got a Value"),
    (lambda: F.batch_norm(tg.Value(0.5)), TypeError, "batch_norm: input must be a Tensor"),
    (lambda: F.gelu(tg.Tensor([1.0]), "fast"), ValueError, "approximate must be"),
    (lambda: F.softplus(tg.Tensor(np.array([1, 2]))), TypeError, "softplus: x must have a float"),
    (lambda: F.batch_norm(tg.Tensor(np.ones(3)), None, None, training=True), ValueError,
     r"\(N, C, \.\.\.\), got shape \(3,\)"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((1, 3))), None, None, training=True), ValueError,
     "more than 1 value per channel"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((2, 3))), np.zeros(4), np.ones(4)), ValueError,
     r"running_mean has shape \(4,\), but the input has 3 channels"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((2, 3)))), ValueError, "needs running_mean"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((2, 3))), np.zeros(3), None), ValueError,
     "both running_mean and running_var"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((2, 3))), None, None, np.ones(2), training=True),
     ValueError, r"weight has shape \(2,\), expected \(3,\)"),
    (lambda: F.batch_norm(tg.Tensor(np.ones((2, 3))), None, None, training=True, momentum=2),
     ValueError, "momentum must be"),
    (lambda: F.layer_norm(tg.Tensor(np.ones((2, 3))), 4), ValueError,
     r"normalized_shape \(4,\) must be the last axes of the input, got input shape \(2, 3\)"),
    (lambda: F.embedding(np.array([0.5]), tg.Tensor(np.ones((3, 2)))), TypeError,
     "indices must be integers"),
    (lambda: F.embedding(np.array([3]), tg.Tensor(np.ones((3, 2)))), IndexError,
     "index 3 is out of range for 3 embeddings"),
    (lambda: F.embedding(np.array([0]), tg.Tensor(np.ones(3))), ValueError,
     "weight must be a 2-D Tensor"),
    (lambda: SDPA(tg.Tensor(Q), tg.Tensor(K[..., :3]), tg.Tensor(V)), ValueError,
     r"disagree: q \(2, 3, 4\), k \(2, 5, 3\), v \(2, 5, 2\)"),
    (lambda: SDPA(tg.Tensor(Q), tg.Tensor(K), tg.Tensor(V), BOOL_MASK, is_causal=True),
     ValueError, "not both"),
    (lambda: SDPA(tg.Tensor(Q), tg.Tensor(K), tg.Tensor(V), np.ones((3, 5), int)), TypeError,
     "attn_mask must be boolean or floating, got int64"),
    (lambda: SDPA(tg.Tensor(np.ones(3)), tg.Tensor(K), tg.Tensor(V)), ValueError,
     "q must be a floating Tensor with at least 2 axes"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_strict_mode_sees_kinks_not_jumps():
    # leaky_relu and elu are continuous at 0: strict mode keeps PyTorch's subgradient there.
    for ours, theirs in [(lambda t: F.leaky_relu(t, 0.3), lambda t: TF.leaky_relu(t, 0.3)),
                         (lambda t: F.elu(t, 1.5), lambda t: TF.elu(t, 1.5))]:
        t = tg.Tensor([0.0, -2.0, 3.0], requires_grad=True)
        ours(t).sum().backward(undefined="nan")
        tt = torch.tensor([0.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
        theirs(tt).sum().backward()
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=0, atol=1e-15)
    # softplus's threshold is a real jump of 2e-9 in value: undefined exactly there.
    t = tg.Tensor([20.0, 19.0], requires_grad=True)
    F.softplus(t).sum().backward(undefined="nan")
    assert np.isnan(t.grad[0]) and np.isfinite(t.grad[1])
