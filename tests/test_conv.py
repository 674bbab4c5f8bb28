"""conv1d, conv2d, pad, max_pool2d and avg_pool2d against PyTorch, and their derivatives."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core.scopes import composite_of

F = tg.functional
torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = dict(eps=1e-6, atol=1e-7, rtol=1e-5)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _pair_with_torch(ours, theirs, arrays, seed=1):
    """Forward and every input's gradient, ours and torch's, for a random upstream gradient."""
    mine = [tg.Tensor(a, requires_grad=True) for a in arrays]
    out = ours(*mine)
    g = _rng(seed).normal(size=out.shape).astype(arrays[0].dtype)
    (out * g).sum().backward()
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = theirs(*ref)
    expected.backward(torch.tensor(g))
    return out, mine, expected, ref


def _assert_close(out, mine, expected, ref, tol):
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=tol, rtol=0)
    for a, b in zip(mine, ref):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=tol, rtol=0)


CONV2D_CASES = [
    # x shape, w shape, stride, padding, dilation
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 0, 1),
    ((2, 3, 7, 6), (4, 3, 3, 2), 2, 1, 1),
    ((1, 2, 9, 8), (3, 2, 2, 3), (3, 2), (2, 1), (2, 1)),
    ((3, 1, 5, 5), (2, 1, 1, 1), 1, 0, 1),
    ((1, 2, 6, 7), (2, 2, 3, 3), (2, 3), 0, 2),
    ((2, 2, 4, 4), (1, 2, 4, 4), 1, 0, 1),
]


@pytest.mark.parametrize("xs, ws, stride, padding, dilation", CONV2D_CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_conv2d_matches_torch_in_float64(xs, ws, stride, padding, dilation, bias):
    rng = _rng()
    arrays = [rng.normal(size=xs), rng.normal(size=ws)] + ([rng.normal(size=ws[0])] if bias else [])
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    result = _pair_with_torch(lambda *a: F.conv2d(*a, **kw), lambda *a: TF.conv2d(*a, **kw), arrays)
    _assert_close(*result, 1e-10)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (3, 2, 2)])
def test_conv1d_matches_torch_in_float64(stride, padding, dilation):
    rng = _rng(2)
    arrays = [rng.normal(size=(2, 3, 11)), rng.normal(size=(4, 3, 3)), rng.normal(size=4)]
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    result = _pair_with_torch(lambda *a: F.conv1d(*a, **kw), lambda *a: TF.conv1d(*a, **kw), arrays)
    _assert_close(*result, 1e-10)


def test_conv2d_float32_matches_torch():
    rng = _rng(3)
    arrays = [rng.normal(size=(2, 3, 8, 8)).astype(np.float32),
              rng.normal(size=(5, 3, 3, 3)).astype(np.float32),
              rng.normal(size=5).astype(np.float32)]
    out, mine, expected, ref = _pair_with_torch(
        lambda *a: F.conv2d(*a, padding=1), lambda *a: TF.conv2d(*a, padding=1), arrays)
    assert out.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in mine)
    _assert_close(out, mine, expected, ref, 1e-4)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), ((2, 3), 1, 0),
                                                     (3, (1, 2), (1, 1))])
def test_pools_match_torch_in_float64(kernel, stride, padding):
    arrays = [_rng(4).normal(size=(2, 3, 7, 8))]
    args = (kernel, stride, padding)
    for ours, theirs in ((F.max_pool2d, TF.max_pool2d), (F.avg_pool2d, TF.avg_pool2d)):
        result = _pair_with_torch(lambda x, f=ours: f(x, *args),
                                  lambda x, f=theirs: f(x, *args), arrays)
        _assert_close(*result, 1e-10)


def test_max_pool_ties_send_the_gradient_where_torch_does():
    # Constant windows, overlapping windows and windows tied across rows.
    x = np.array([[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 0.0, 2.0], [3.0, 0.0, 3.0, 3.0],
                    [3.0, 3.0, 3.0, 1.0]]]])
    for kernel, stride in ((2, 2), (2, 1), (3, 1)):
        result = _pair_with_torch(lambda t, k=kernel, s=stride: F.max_pool2d(t, k, s),
                                  lambda t, k=kernel, s=stride: TF.max_pool2d(t, k, s), [x])
        _assert_close(*result, 0)


@pytest.mark.parametrize("width", [2, (1, 2), ((0, 0), (1, 0), (2, 3))])
def test_pad_matches_numpy_and_has_its_gradient(width):
    x = _rng(5).normal(size=(2, 3, 2))
    out = F.pad(tg.Tensor(x), width, value=1.5)
    np.testing.assert_array_equal(out.data, np.pad(x, width, constant_values=1.5))
    assert tg.gradcheck(lambda t: F.pad(t, width, value=1.5), [x], check_forward_ad=True, **TOL)


def test_conv_and_pool_gradcheck_and_gradgradcheck_with_forward_mode():
    rng = _rng(6)
    x, w, b = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    conv = lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2))  # noqa
    assert tg.gradcheck(conv, [x, w, b], check_forward_ad=True, **TOL)
    assert tg.gradgradcheck(conv, [x, w, b], check_forward_ad=True, **TOL)
    # Distinct entries, so no window has a tie and max pooling is smooth near x.
    distinct = rng.permutation(50).reshape(1, 2, 5, 5) / 7.0
    for pool in (lambda t: F.max_pool2d(t, 3, 1, 1), lambda t: F.avg_pool2d(t, 2, 1, 1)):
        assert tg.gradcheck(pool, [distinct], check_forward_ad=True, **TOL)
        assert tg.gradgradcheck(pool, [distinct], check_forward_ad=True, **TOL)
    c1 = lambda x, w: F.conv1d(x, w, stride=2, padding=1)  # noqa
    assert tg.gradgradcheck(c1, [rng.normal(size=(1, 2, 6)), rng.normal(size=(2, 2, 3))], **TOL)


def test_forward_mode_matches_torch_jvp():
    rng = _rng(7)
    x, w, dx, dw = (rng.normal(size=s) for s in ((1, 2, 6, 6), (3, 2, 3, 3)) * 2)
    _, tangent = tg.jvp(lambda a, b: F.conv2d(a, b, stride=2, padding=1), [x, w], [dx, dw])
    _, expected = torch.func.jvp(lambda a, b: TF.conv2d(a, b, stride=2, padding=1),
                                 (torch.tensor(x), torch.tensor(w)),
                                 (torch.tensor(dx), torch.tensor(dw)))
    np.testing.assert_allclose(np.asarray(tangent.data if hasattr(tangent, "data") else tangent),
                               expected.numpy(), atol=1e-10, rtol=0)


def test_create_graph_second_derivative_matches_torch():
    rng = _rng(8)
    x, w = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(2, 2, 3, 3))
    xt, wt = tg.Tensor(x, requires_grad=True), tg.Tensor(w, requires_grad=True)
    y = (F.conv2d(xt, wt, padding=1) ** 2).sum()
    y.backward(create_graph=True)
    gx = xt.grad
    xt.grad = wt.grad = None
    (gx ** 2).sum().backward()
    xr, wr = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gxr, = torch.autograd.grad((TF.conv2d(xr, wr, padding=1) ** 2).sum(), xr, create_graph=True)
    (gxr ** 2).sum().backward()
    np.testing.assert_allclose(xt.grad.data if hasattr(xt.grad, "data") else xt.grad,
                               xr.grad.numpy(), atol=1e-9, rtol=0)
    np.testing.assert_allclose(wt.grad.data if hasattr(wt.grad, "data") else wt.grad,
                               wr.grad.numpy(), atol=1e-9, rtol=0)


def test_a_conv_is_one_box_in_drawings():
    x = tg.Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    out = F.conv2d(x, tg.Tensor(np.ones((2, 1, 3, 3)), requires_grad=True),
                   tg.Tensor(np.zeros(2), requires_grad=True), padding=1)
    assert composite_of(out)[0] == "conv2d"
    assert composite_of(F.max_pool2d(out, 2))[0] == "max_pool2d"
    assert composite_of(F.avg_pool2d(out, 2))[0] == "avg_pool2d"


def _conv_args(x_shape=(2, 3, 5, 5), w_shape=(4, 3, 3, 3), dtype=np.float64):
    return tg.Tensor(np.ones(x_shape, dtype)), tg.Tensor(np.ones(w_shape, dtype))


@pytest.mark.parametrize("call, kind, words", [
    (lambda: F.conv2d(*_conv_args(w_shape=(2, 4, 3, 3))), ValueError,
     ["conv2d", "3 channels", "expects 4", "(2, 3, 5, 5)", "(2, 4, 3, 3)"]),
    (lambda: F.conv2d(*_conv_args(w_shape=(2, 3, 6, 3))), ValueError,
     ["conv2d", "kernel (6, 3)", "padded input (5, 5)"]),
    (lambda: F.conv2d(*_conv_args(), stride=0), ValueError, ["conv2d", "stride", ">= 1"]),
    (lambda: F.conv2d(*_conv_args(), padding=-1), ValueError, ["conv2d", "padding"]),
    (lambda: F.conv2d(*_conv_args(x_shape=(3, 5, 5))), ValueError,
     ["conv2d", "4-d", "(3, 5, 5)"]),
    (lambda: F.conv2d(*_conv_args(w_shape=(3, 3, 3))), ValueError, ["conv2d", "weight"]),
    (lambda: F.conv2d(_conv_args()[0], _conv_args(dtype=np.float32)[1]), TypeError,
     ["conv2d", "float64", "float32"]),
    (lambda: F.conv2d(*_conv_args(), tg.Tensor(np.ones(3))), ValueError,
     ["conv2d", "bias", "(4,)", "(3,)"]),
    (lambda: F.conv2d(*_conv_args(), stride=(1, 2, 3)), TypeError, ["conv2d", "stride"]),
    (lambda: F.conv1d(*_conv_args(x_shape=(1, 3, 4), w_shape=(1, 3, 5))), ValueError,
     ["conv1d", "kernel", "padded input"]),
    (lambda: F.max_pool2d(tg.Tensor(np.ones((1, 1, 3, 3))), 4), ValueError,
     ["max_pool2d", "kernel (4, 4)", "(3, 3)"]),
    (lambda: F.avg_pool2d(tg.Tensor(np.ones((1, 1, 3, 3))), 2, padding=2), ValueError,
     ["avg_pool2d", "padding", "half"]),
    (lambda: F.max_pool2d(tg.Tensor(np.ones((1, 3, 3))), 2), ValueError, ["max_pool2d", "4-d"]),
    (lambda: F.pad(tg.Tensor(np.ones((2, 2))), ((1, 1), (1, 1), (1, 1))), ValueError,
     ["pad", "pad_width", "(2, 2)"]),
    (lambda: F.pad(tg.Tensor(np.ones(2)), -1), ValueError, ["pad", "non-negative"]),
])
def test_bad_input_names_the_op_argument_and_shapes(call, kind, words):
    with pytest.raises(kind) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), ((2, 3), (1, 0), 2)])
def test_conv_transpose2d_matches_torch_and_gradchecks(stride, padding, dilation):
    rng = _rng(9)
    arrays = [rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=2)]
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    result = _pair_with_torch(lambda *a: F.conv_transpose2d(*a, **kw),
                              lambda *a: TF.conv_transpose2d(*a, **kw), arrays)
    _assert_close(*result, 1e-10)
    small = [arrays[0][:1, :, :3, :3], arrays[1], arrays[2]]
    assert tg.gradgradcheck(lambda *a: F.conv_transpose2d(*a, **kw), small,
                            check_forward_ad=True, **TOL)


def test_conv_transpose2d_bad_input_is_named():
    x, w = tg.Tensor(np.ones((1, 3, 4, 4))), tg.Tensor(np.ones((2, 5, 3, 3)))
    with pytest.raises(ValueError, match=r"conv_transpose2d: input has 3 channels but the "
                                         r"weight expects 2"):
        F.conv_transpose2d(x, w)


def test_strict_mode_backward_runs_through_conv_and_pooling():
    x = tg.Tensor(_rng(10).normal(size=(1, 1, 4, 4)), requires_grad=True)
    w = tg.Tensor(_rng(11).normal(size=(2, 1, 3, 3)), requires_grad=True)
    F.max_pool2d(F.conv2d(x, w, padding=1).tanh(), 2).sum().backward(undefined="nan")
    assert np.isfinite(x.grad).all() and np.isfinite(w.grad).all()
