"""Property tests: every binary op over broadcastable shapes, every reduction over random axes."""

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import broadcastable_pair, reduction_case

import tinygrad_lm as tg
from tinygrad_lm.testing.strategies import arrays


def sum_to(g, shape):
    """Reference un-broadcast: sum the leading axes, then the stretched ones."""
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True).reshape(shape)


# name -> (operator, x domain, y domain, reference VJPs (g, x, y) -> (dx, dy) before sum_to)
BINARY = {
    "add": (operator.add, (-3, 3), (-3, 3), lambda g, x, y: (g, g)),
    "sub": (operator.sub, (-3, 3), (-3, 3), lambda g, x, y: (g, -g)),
    "mul": (operator.mul, (-3, 3), (-3, 3), lambda g, x, y: (g * y, g * x)),
    "div": (operator.truediv, (-3, 3), (0.5, 3), lambda g, x, y: (g / y, -g * x / y ** 2)),
    "pow": (operator.pow, (0.5, 3), (-2, 2),
            lambda g, x, y: (g * y * x ** (y - 1), g * x ** y * np.log(x))),
}


@st.composite
def binary_case(draw, x_domain, y_domain):
    x_shape, y_shape = draw(broadcastable_pair())
    x = draw(arrays(x_shape, min_value=x_domain[0], max_value=x_domain[1]))
    y = draw(arrays(y_shape, min_value=y_domain[0], max_value=y_domain[1]))
    if y_domain[0] > 0 and draw(st.booleans()):
        y = -y  # the denominator of div on both sides of zero, still away from it
    g = draw(arrays(np.broadcast_shapes(x_shape, y_shape), min_value=-2, max_value=2))
    return x, y, g, draw(st.sampled_from(["both", "x", "y"]))


def _run_binary(op, x, y, g, which):
    """op on Tensors (or an ndarray constant on one side), backward with ``g``."""
    tx = tg.Tensor(x, requires_grad=True) if which in ("both", "x") else x
    ty = tg.Tensor(y, requires_grad=True) if which in ("both", "y") else y
    out = op(tx, ty)
    out.backward(g)
    return out, tx, ty


def _binary_property(name):
    op, x_domain, y_domain, reference = BINARY[name]

    @given(binary_case(x_domain, y_domain))
    def check(case):
        x, y, g, which = case
        out, tx, ty = _run_binary(op, x, y, g, which)
        np.testing.assert_array_equal(out.data, op(x, y))
        assert out.shape == np.broadcast_shapes(x.shape, y.shape)
        dx, dy = reference(g, x, y)
        for t, ref, data in ((tx, dx, x), (ty, dy, y)):
            if isinstance(t, tg.Tensor):
                assert t.grad.shape == data.shape
                np.testing.assert_allclose(t.grad, sum_to(np.broadcast_to(ref, g.shape),
                                                          data.shape), rtol=1e-12, atol=1e-12)

    return check


test_add_property = _binary_property("add")
test_sub_property = _binary_property("sub")
test_mul_property = _binary_property("mul")
test_div_property = _binary_property("div")
test_pow_property = _binary_property("pow")


@st.composite
def comparison_case(draw):
    x_shape, y_shape = draw(broadcastable_pair())
    # A few values only, so that many entries are tied.
    few = st.sampled_from([-1.0, 0.0, 0.5, 2.0])
    x = draw(hnp.arrays(np.float64, x_shape, elements=few))
    y = draw(hnp.arrays(np.float64, y_shape, elements=few))
    return x, y


COMPARISONS = [operator.gt, operator.ge, operator.lt, operator.le, operator.eq, operator.ne]


@pytest.mark.parametrize("op", COMPARISONS, ids=lambda op: op.__name__)
@given(case=comparison_case())
def test_comparison_property(op, case):
    x, y = case
    tx, ty = tg.Tensor(x, requires_grad=True), tg.Tensor(y, requires_grad=True)
    out = op(tx, ty)
    np.testing.assert_array_equal(out.data, op(x, y).astype(np.float64))
    assert out.dtype == np.float64
    with pytest.warns(tg.ZeroGradientWarning):
        out.backward(np.ones(out.shape))
    assert tx.grad.shape == x.shape and ty.grad.shape == y.shape
    assert not tx.grad.any() and not ty.grad.any()


# Reductions ---------------------------------------------------------------------------------

def _norm_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def _lse(x, axis, keepdims):
    shift = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else np.squeeze(out, axis=axis)


def _split_ties(x, extreme, axes):
    is_extreme = x == extreme
    return is_extreme / is_extreme.sum(axis=axes, keepdims=True)


# name -> (numpy forward, reference d out / d x given the kept-dims output)
REDUCTIONS = {
    "sum": (np.sum, lambda x, out, axes: np.ones_like(x)),
    "mean": (np.mean, lambda x, out, axes: np.ones_like(x) * out.size / x.size),
    "max": (np.max, _split_ties),
    "min": (np.min, _split_ties),
    "logsumexp": (_lse, lambda x, out, axes: np.exp(x - out)),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@given(case=reduction_case(), ties=st.booleans(), data=st.data())
def test_reduction_property(name, case, ties, data):
    x, axis, keepdims = case
    if ties:
        x = np.round(x)
    numpy_fn, local_grad = REDUCTIONS[name]
    t = tg.Tensor(x, requires_grad=True)
    out = getattr(t, name)(axis=axis, keepdims=keepdims)
    expected = numpy_fn(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-14, atol=1e-14)
    g = data.draw(arrays(out.shape, min_value=-2, max_value=2))
    out.backward(g)
    axes = _norm_axes(axis, x.ndim)
    kept = numpy_fn(x, axis=axes, keepdims=True)
    g_kept = np.reshape(g, kept.shape)
    assert t.grad.shape == x.shape
    np.testing.assert_allclose(t.grad, g_kept * local_grad(x, kept, axes), rtol=1e-12,
                               atol=1e-12)


@given(case=reduction_case(ties=True))
def test_max_and_min_ties_split_evenly(case):
    x, axis, keepdims = case
    for name in ("max", "min"):
        t = tg.Tensor(x, requires_grad=True)
        getattr(t, name)(axis=axis, keepdims=keepdims).sum().backward()
        axes = _norm_axes(axis, x.ndim)
        extreme = getattr(np, name)(x, axis=axes, keepdims=True)
        is_extreme = x == extreme
        # Every reduced group passes back exactly 1, shared by its tied entries.
        np.testing.assert_allclose(t.grad.sum(axis=axes, keepdims=True), 1.0, rtol=1e-12)
        assert np.all(t.grad[~is_extreme] == 0)
        share = 1 / is_extreme.sum(axis=axes, keepdims=True)
        np.testing.assert_array_equal(t.grad, np.where(is_extreme, share, 0.0))

