"""The next chapter's ops against PyTorch: sin cos log1p expm1, where, maximum, minimum, var,
std, cumsum, cummax, cummin, shape methods, take_along_axis and einsum; forward, backward,
forward mode, second order, float32 and bad input."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import arrays, axes_for, broadcastable_pair, shapes

import tinygrad_lm as tg
from tinygrad_lm.core.scopes import composite_of

torch = pytest.importorskip("torch")

TOL = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}
rng = np.random.default_rng(21)
X = rng.normal(size=(3, 4))
Y = rng.normal(size=(4,))
IDX = np.array([[2, 0, 1, 2], [1, 1, 0, 2]])
COND = rng.random((3, 4)) > 0.5

# name -> (tinygrad_lm function, torch function, inputs): each differentiable in every input.
CASES = {
    "sin": (lambda x: x.sin(), lambda x: x.sin(), [X]),
    "cos": (lambda x: x.cos(), lambda x: x.cos(), [X]),
    "log1p": (lambda x: x.log1p(), lambda x: x.log1p(), [np.abs(X)]),
    "expm1": (lambda x: x.expm1(), lambda x: x.expm1(), [X]),
    "where": (lambda a, b: tg.where(COND, a, b),
              lambda a, b: torch.where(torch.from_numpy(COND), a, b), [X, Y]),
    "maximum": (tg.maximum, torch.maximum, [X, Y]),
    "minimum": (tg.minimum, torch.minimum, [X, Y]),
    "var": (lambda x: x.var(axis=1), lambda x: x.var(dim=1), [X]),
    "var_all_c0": (lambda x: x.var(correction=0), lambda x: x.var(correction=0), [X]),
    "std": (lambda x: x.std(dim=0, keepdims=True),
            lambda x: x.std(dim=0, keepdim=True), [X]),
    "cumsum": (lambda x: x.cumsum(1), lambda x: x.cumsum(1), [X]),
    "cummax": (lambda x: x.cummax(0).values, lambda x: x.cummax(0).values, [X]),
    "cummin": (lambda x: x.cummin(dim=1).values, lambda x: x.cummin(dim=1).values, [X]),
    "squeeze": (lambda x: x.reshape(3, 1, 4).squeeze(1), lambda x: x.reshape(3, 1, 4).squeeze(1),
                [X]),
    "unsqueeze": (lambda x: x.unsqueeze(1) * 2, lambda x: x.unsqueeze(1) * 2, [X]),
    "permute": (lambda x: x.reshape(3, 2, 2).permute(2, 0, 1),
                lambda x: x.reshape(3, 2, 2).permute(2, 0, 1), [X]),
    "expand": (lambda x: x.expand(2, 3, 4), lambda x: x.expand(2, 3, 4), [Y]),
    "expand_keep": (lambda x: x[:, :1].expand(-1, 5), lambda x: x[:, :1].expand(-1, 5), [X]),
    "flip": (lambda x: x.flip(1), lambda x: x.flip(1), [X]),
    "take_along_axis": (lambda x: x.take_along_axis(IDX, 0),
                        lambda x: x.gather(0, torch.from_numpy(IDX)), [X]),
    "einsum": (lambda a, b: tg.einsum("ij,j->i", a, b),
               lambda a, b: torch.einsum("ij,j->i", a, b), [X, Y]),
    "einsum_outer": (lambda a, b: tg.einsum("ij,k->jki", a, b),
                     lambda a, b: torch.einsum("ij,k->jki", a, b), [X, Y]),
    "einsum_sum": (lambda a, b: tg.einsum("ij,j", a, b), lambda a, b: torch.einsum("ij,j", a, b),
                   [X, Y]),
}


def _torch(fn, inputs):
    leaves = [torch.tensor(a, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    return out, leaves


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_and_backward_equal_torch(name):
    fn, torch_fn, inputs = CASES[name]
    leaves = [tg.Tensor(a, requires_grad=True) for a in inputs]
    out = fn(*leaves)
    expected, torch_leaves = _torch(torch_fn, inputs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=0, atol=1e-10)
    seed = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for leaf, t in zip(leaves, torch_leaves):
        np.testing.assert_allclose(leaf.grad, t.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_with_forward_mode_and_gradgradcheck(name):
    fn, _, inputs = CASES[name]
    assert tg.gradcheck(fn, inputs, check_forward_ad=True, **TOL)
    assert tg.gradgradcheck(fn, inputs, **TOL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_keeps_float32(name):
    fn, _, inputs = CASES[name]
    leaves = [tg.Tensor(a.astype(np.float32), requires_grad=True) for a in inputs]
    out = fn(*leaves)
    assert out.dtype == np.float32
    out.sum().backward()
    assert all(leaf.grad.dtype == np.float32 for leaf in leaves)


@pytest.mark.parametrize("name", ["sin", "cos", "log1p", "expm1", "maximum", "where", "cumsum",
                                  "einsum"])
def test_create_graph_gives_torch_second_derivatives(name):
    fn, torch_fn, inputs = CASES[name]
    leaves = [tg.Tensor(a, requires_grad=True) for a in inputs]
    out = (fn(*leaves) ** 2).sum()
    out.backward(create_graph=True)
    first = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = None
    sum(g.sum() for g in first).backward()
    t_leaves = [torch.tensor(a, requires_grad=True) for a in inputs]
    grads = torch.autograd.grad((torch_fn(*t_leaves) ** 2).sum(), t_leaves, create_graph=True)
    second = torch.autograd.grad(sum(g.sum() for g in grads), t_leaves)
    for leaf, g1, ours, g2 in zip(leaves, grads, first, second):
        np.testing.assert_allclose(ours.data, g1.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(leaf.grad, g2.numpy(), atol=1e-10)


def test_jvp_of_the_elementwise_methods_is_their_derivative():
    x, t = X, np.ones_like(X)
    for method, slope in (("sin", np.cos(x)), ("cos", -np.sin(x)), ("expm1", np.exp(x)),
                          ("log1p", 1 / (1 + np.abs(x)))):
        arg = np.abs(x) if method == "log1p" else x
        _, tangent = tg.jvp(lambda a, m=method: getattr(a, m)(), (arg,), (t,))
        np.testing.assert_allclose(tangent, slope, rtol=1e-14)


def test_value_has_the_elementwise_methods():
    micro = tg.Value(0.3)
    out = micro.sin() + micro.cos() * micro.log1p() - micro.expm1()
    out.backward()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    (t.sin() + t.cos() * t.log1p() - t.expm1()).backward()
    expected = t.sin() + t.cos() * t.log1p() - t.expm1()
    assert abs(out.data - expected.item()) < 1e-15 and abs(micro.grad - t.grad.item()) < 1e-15


def test_maximum_and_minimum_split_ties_as_torch():
    a, b = np.array([1.0, 2.0, 3.0, -1.0]), np.array([1.0, 0.0, 3.0, 5.0])
    for ours, theirs in ((tg.maximum, torch.maximum), (tg.minimum, torch.minimum)):
        x, y = tg.Tensor(a, requires_grad=True), tg.Tensor(b, requires_grad=True)
        ours(x, y).sum().backward()
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        theirs(tx, ty).sum().backward()
        np.testing.assert_array_equal(x.grad, tx.grad.numpy())
        np.testing.assert_array_equal(y.grad, ty.grad.numpy())
    nan = tg.maximum(tg.Tensor([np.nan, 1.0]), tg.Tensor([0.0, np.nan])).data
    assert np.isnan(nan).all()


def test_cummax_and_cummin_indices_are_torchs_on_ties():
    x = np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [4.0, 4.0, 1.0, 1.0, 0.0, 2.0],
                  [1.0, np.nan, 0.0, 3.0, np.nan, 2.0]])
    for op in ("cummax", "cummin"):
        ours = getattr(tg.Tensor(x), op)(1)
        theirs = getattr(torch.from_numpy(x), op)(1)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    x = x[:2]  # the gradients of finite entries
    for op in ("cummax", "cummin"):
        leaf = tg.Tensor(x, requires_grad=True)
        getattr(leaf, op)(1).values.sum().backward()
        t = torch.tensor(x, requires_grad=True)
        getattr(t, op)(1).values.sum().backward()
        np.testing.assert_array_equal(leaf.grad, t.grad.numpy())


def test_strict_mode_sees_the_comparison_inside_a_where():
    x = tg.Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = tg.where(x > 0, x * x, -x)
    y.sum().backward(undefined="nan")
    np.testing.assert_array_equal(x.grad, [-1.0, -1.0, 4.0])  # cond carries no gradient
    z = tg.Tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning):
        (tg.maximum(z, 0.5) > 0.7).sum().backward()


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_var_with_too_few_entries_is_inf_or_nan_as_torch():
    x = np.array([2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = tg.Tensor(x).var().item()
    assert np.isnan(ours) and np.isnan(torch.from_numpy(x).var().item())


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_binary_ops_broadcast_as_torch(data):
    shape_a, shape_b = data.draw(broadcastable_pair())
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    cond = np.asarray(data.draw(arrays(np.broadcast_shapes(shape_a, shape_b))) > 0)
    pairs = ((lambda x, y: tg.maximum(x, y), torch.maximum),
             (lambda x, y: tg.minimum(x, y), torch.minimum),
             (lambda x, y: tg.where(cond, x, y),
              lambda x, y: torch.where(torch.from_numpy(cond), x, y)))
    for ours, theirs in pairs:
        x, y = tg.Tensor(a, requires_grad=True), tg.Tensor(b, requires_grad=True)
        ours(x, y).sum().backward()
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        out = theirs(tx, ty)
        out.sum().backward()
        np.testing.assert_allclose(ours(x, y).data, out.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(y.grad, ty.grad.numpy(), atol=1e-10)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_var_std_cumsum_flip_over_axes_as_torch(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    x = data.draw(arrays(shape, min_value=-3, max_value=3))
    axis = data.draw(axes_for(len(shape)))
    assume(axis != ())  # numpy's axis=() reduces nothing; torch reads dim=() as every axis
    correction = data.draw(st.sampled_from([0, 1]))
    keepdims = data.draw(st.booleans())
    t = torch.tensor(x, requires_grad=True)
    leaf = tg.Tensor(x, requires_grad=True)
    dims = axis if axis is not None else tuple(range(len(shape)))
    count = int(np.prod([shape[d] for d in np.atleast_1d(dims)])) if shape else 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = leaf.var(axis, keepdims, correction) + leaf.std(dim=axis, correction=correction,
                                                                keepdims=keepdims)
        theirs = t.var(dims, keepdim=keepdims, correction=correction) + t.std(
            dims, keepdim=keepdims, correction=correction)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), atol=1e-10, equal_nan=True)
    if count > correction and np.all(np.ptp(x, axis=axis) > 1e-3):
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(leaf.grad, t.grad.numpy(), atol=1e-9)
    one = data.draw(st.integers(-len(shape), len(shape) - 1))
    np.testing.assert_allclose(tg.Tensor(x).cumsum(one).data, np.cumsum(x, one), atol=1e-12)
    np.testing.assert_array_equal(tg.Tensor(x).flip(one).data, np.flip(x, one))


def test_mixed_integer_slice_array_index_is_torchs():
    x = np.arange(24.0).reshape(2, 3, 4)
    idx = np.array([0, 2, 3, 1, 1])
    for key in ((1, slice(None), idx), (slice(None), 1, idx), (np.array([1, 0, 1]), slice(None), 0),
                (0, Ellipsis, idx), (1, None, slice(1, 3), idx)):
        t = torch.tensor(x, requires_grad=True)
        tkey = tuple(torch.from_numpy(k) if isinstance(k, np.ndarray) else k for k in key)
        leaf = tg.Tensor(x, requires_grad=True)
        out = leaf[key]
        expected = t[tkey]
        assert out.shape == tuple(expected.shape), key
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        out.sum().backward()
        expected.sum().backward()
        np.testing.assert_array_equal(leaf.grad, t.grad.numpy())


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "logsumexp", "var", "std",
                                "softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, -1])
def test_reductions_take_axis_0_or_minus_1_on_a_0d_tensor(op, axis):
    leaf = tg.Tensor(1.5, requires_grad=True)
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    correction = {"correction": 0} if op in ("var", "std") else {}
    out = getattr(leaf, op)(axis, **correction) if op not in ("softmax", "log_softmax") \
        else getattr(leaf, op)(axis)
    expected = getattr(t, op)(axis, **correction)
    expected = expected[0] if isinstance(expected, tuple) else expected  # max(dim): values, indices
    assert out.shape == ()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    if op != "std":  # d std / dx at zero spread is NaN in torch, 0/0
        out.backward()
        expected.backward()
        np.testing.assert_allclose(leaf.grad, t.grad.numpy(), atol=1e-12)


def test_bad_input_names_the_op_and_the_argument():
    x = tg.Tensor(X, requires_grad=True)
    bad = [
        (lambda: tg.where(np.ones(3), x, x), TypeError, "where: cond must be boolean"),
        (lambda: tg.where(np.ones(5, bool), x, x), ValueError, "do not broadcast"),
        (lambda: tg.where(np.ones(4, bool), np.ones(4), np.ones(4)), TypeError, "at least one"),
        (lambda: tg.maximum(np.ones(2), np.ones(2)), TypeError, "maximum: needs"),
        (lambda: tg.maximum(x, tg.Tensor(np.ones(5))), ValueError, "maximum"),
        (lambda: x.var(correction="1"), TypeError, "var: correction"),
        (lambda: x.sum(axis=0, dim=1), TypeError, "both axis=0 and dim=1"),
        (lambda: x.cumsum(), TypeError, "cumsum: missing the axis"),
        (lambda: x.cumsum(2), ValueError, "cumsum: axis 2 is out of range"),
        (lambda: x.permute(), TypeError, "permute: give every axis"),
        (lambda: x.permute(0), ValueError, "not a permutation"),
        (lambda: x.expand(3, 5), ValueError, "expand: cannot expand shape (3, 4) to (3, 5)"),
        (lambda: x.expand(4), ValueError, "fewer axes"),
        (lambda: x.expand(-1, 3, 4), ValueError, "-1 cannot size"),
        (lambda: x.unsqueeze(), TypeError, "unsqueeze: missing"),
        (lambda: x.unsqueeze(3), ValueError, "unsqueeze: axis 3"),
        (lambda: x.take_along_axis(np.zeros((3, 4)), 0), TypeError, "indices must be integers"),
        (lambda: x.take_along_axis(np.zeros(3, int), 0), ValueError, "as many axes"),
        (lambda: x.take_along_axis(np.full((1, 4), 3), 0), IndexError, "lie in [-3, 3)"),
        (lambda: x.take_along_axis(np.zeros((1, 3), int), 0), ValueError, "do not broadcast"),
        (lambda: tg.einsum("ij,jk->ik", x), ValueError, "names 2 operands, got 1"),
        (lambda: tg.einsum("ijk->i", x), ValueError, "names 3 axes for an operand of shape"),
        (lambda: tg.einsum("ii->i", tg.Tensor(np.ones((3, 3)))), ValueError, "diagonal"),
        (lambda: tg.einsum("...i->i", x), ValueError, "'...' is not supported"),
        (lambda: tg.einsum("ij->q", x), ValueError, "must name distinct letters"),
        (lambda: tg.einsum("ij,jk->ik", x, np.ones((3, 2))), ValueError, "einsum"),
        (lambda: tg.einsum(3, x), TypeError, "subscripts must be a string"),
    ]
    for call, kind, words in bad:
        with pytest.raises(kind) as e:
            call()
        assert words in str(e.value), (words, str(e.value))


def test_new_ops_draw_as_one_box():
    x = tg.Tensor(X, requires_grad=True)
    assert composite_of(x.var())[0] == "var" and composite_of(x.std())[0] == "std"
    assert composite_of(tg.minimum(x, 0.0))[0] == "minimum"
    assert tg.einsum("ij->j", x).op == "einsum" and x.cumsum(0).op == "cumsum"
