"""Every primitive gradchecked on its domain, composites too, and the checker itself tested."""

import re
import warnings

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import engine
from tinygrad_lm.core import primitives as P
from tinygrad_lm.core.node import Primitive

TOL = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}
rng = np.random.default_rng(20)


def normal(*shape):
    return rng.normal(size=shape)


def uniform(lo, hi, *shape):
    return rng.uniform(lo, hi, size=shape)


def away_from_zero(*shape, gap=0.2):
    """Entries of either sign at least ``gap`` from 0, where kinks and poles sit."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(gap, 2.0, size=shape)


def distinct(*shape):
    """Entries that differ pairwise by at least 0.3, so no max, min or argmax is tied."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.3 + rng.uniform(-1, 1)).reshape(shape)


def apart_from(y, shape):
    """Entries at least 0.1 away from ``y`` (broadcast to ``shape``): comparisons are not tied."""
    return y + away_from_zero(*shape, gap=0.1)


Y4 = normal(4)
WHERE_COND = rng.random((3, 4)) > 0.5
CMP_ARGS = [apart_from(Y4, (3, 4)), Y4]


def _cmp(prim):
    return [(lambda x, y: prim(x, y), CMP_ARGS),
            (lambda x: prim(x, 0.25), [apart_from(0.25, (5,))])]


# Primitive name -> (fn, inputs) cases. Floating ndarray inputs are differentiated; everything
# else is a constant. Piecewise-constant primitives also get exact-value checks further down.
CASES = {
    "add": [(lambda x, y: P.add(x, y), [normal(3, 4), normal(4)]),
            (lambda x, y: P.add(x, y), [normal(3, 1), normal(1, 2)]),
            (lambda x: P.add(2.5, x), [normal(2, 3)])],
    "sub": [(lambda x, y: P.sub(x, y), [normal(2, 3, 4), normal(3, 1)]),
            (lambda x: P.sub(x, Y4), [normal(2, 4)])],
    "erf": [(lambda x: P.erf(x), [normal(3, 4)])],
    "mul": [(lambda x, y: P.mul(x, y), [normal(3, 4), normal(4)]),
            (lambda x: P.mul(x, x), [normal(5)])],
    "div": [(lambda x, y: P.div(x, y), [normal(3, 4), away_from_zero(3, 1)]),
            (lambda y: P.div(1.0, y), [away_from_zero(4)])],
    "neg": [(lambda x: P.neg(x), [normal(2, 3)])],
    "pow": [(lambda x, y: P.pow(x, y), [uniform(0.5, 2, 3, 4), normal(4)]),
            (lambda x: P.pow(x, 3), [normal(5)]),
            (lambda x: P.pow(x, -2.0), [away_from_zero(5)]),
            (lambda y: P.pow(1.7, y), [normal(4)])],
    "matmul": [(lambda x, y: P.matmul(x, y), [normal(3, 4), normal(4, 2)]),
               (lambda x, y: P.matmul(x, y), [normal(4), normal(4, 2)]),
               (lambda x, y: P.matmul(x, y), [normal(3, 4), normal(4)]),
               (lambda x, y: P.matmul(x, y), [normal(4), normal(4)]),
               (lambda x, y: P.matmul(x, y), [normal(2, 3, 4), normal(4, 2)]),
               (lambda x, y: P.matmul(x, y), [normal(2, 1, 2, 3), normal(3, 3, 2)]),
               (lambda x, y: P.matmul(x, y), [normal(3), normal(2, 3, 2)])],
    "exp": [(lambda x: P.exp(x), [normal(2, 3)])],
    "log": [(lambda x: P.log(x), [uniform(0.3, 3, 2, 3)])],
    "sqrt": [(lambda x: P.sqrt(x), [uniform(0.3, 3, 2, 3)])],
    "tanh": [(lambda x: P.tanh(x), [normal(2, 3)])],
    "sigmoid": [(lambda x: P.sigmoid(x), [normal(2, 3) * 3])],
    "relu": [(lambda x: P.relu(x), [away_from_zero(3, 4, gap=0.05)])],
    "abs": [(lambda x: P.abs(x), [away_from_zero(3, 4, gap=0.05)])],
    "astype": [(lambda x: P.astype(x, dtype=np.dtype(np.float64)) * x, [normal(2, 3)])],
    "clip": [(lambda x: P.clip(x, lo=-0.5, hi=0.5),
              [np.array([-1.3, -0.7, -0.4, 0.0, 0.3, 0.45, 0.6, 2.0])]),
             (lambda x: P.clip(x, lo=None, hi=0.2), [apart_from(0.2, (6,))]),
             (lambda x: P.clip(x, lo=-0.2, hi=None), [apart_from(-0.2, (6,))])],
    "sum": [(lambda x: P.sum(x, axis=None, keepdims=False), [normal(2, 3, 4)]),
            (lambda x: P.sum(x, axis=(1,), keepdims=False), [normal(2, 3, 4)]),
            (lambda x: P.sum(x, axis=(0, 2), keepdims=True), [normal(2, 3, 4)])],
    "max": [(lambda x: P.max(x, axis=None, keepdims=False), [distinct(2, 3, 4)]),
            (lambda x: P.max(x, axis=(2,), keepdims=False), [distinct(2, 3, 4)]),
            (lambda x: P.max(x, axis=(0, 2), keepdims=True), [distinct(2, 3, 4)])],
    "sum_to_shape": [(lambda x: P.sum_to_shape(x, shape=(3, 1)), [normal(2, 3, 4)]),
                     (lambda x: P.sum_to_shape(x, shape=()), [normal(2, 3)])],
    "broadcast_to": [(lambda x: P.broadcast_to(x, shape=(2, 3, 4)), [normal(3, 1)]),
                     (lambda x: P.broadcast_to(x, shape=(2, 3)), [normal()])],
    "reshape": [(lambda x: P.reshape(x, shape=(2, 6)), [normal(4, 3)]),
                (lambda x: P.reshape(x, shape=(-1,)), [normal(2, 2, 3)])],
    "transpose": [(lambda x: P.transpose(x, axes=(2, 0, 1)), [normal(2, 3, 4)]),
                  (lambda x: P.transpose(x, axes=(1, 0)), [normal(3, 2)])],
    "getitem": [(lambda x: P.getitem(x, index=(slice(1, None), 2)), [normal(3, 4)]),
                (lambda x: P.getitem(x, index=np.array([0, 2, 2, 0, 1])), [normal(3, 2)]),
                (lambda x: P.getitem(x, index=np.array([[True, False], [False, True]])),
                 [normal(2, 2)])],
    "scatter": [(lambda g: P.scatter(g, index=np.array([1, 1, 3]), shape=(5,)), [normal(3)]),
                (lambda g: P.scatter(g, index=(slice(None), 1), shape=(2, 3)), [normal(2)])],
    "concatenate": [(lambda a, b, c: P.concatenate(a, b, c, axis=1),
                     [normal(2, 1), normal(2, 3), normal(2, 2)]),
                    (lambda a, b: P.concatenate(a, b, axis=0), [normal(2), normal(3)])],
    "gt": _cmp(P.gt),
    "ge": _cmp(P.ge),
    "lt": _cmp(P.lt),
    "le": _cmp(P.le),
    "eq": _cmp(P.eq),
    "ne": _cmp(P.ne),
    "round": [(lambda x: P.round(x), [rng.integers(-3, 3, 8) + uniform(-0.4, 0.4, 8)])],
    "floor": [(lambda x: P.floor(x), [rng.integers(-3, 3, 8) + uniform(0.1, 0.9, 8)])],
    "sign": [(lambda x: P.sign(x), [away_from_zero(8)])],
    "argmax": [(lambda x: P.argmax(x, axis=None, keepdims=False), [distinct(3, 4)]),
               (lambda x: P.argmax(x, axis=1, keepdims=True), [distinct(3, 4)])],
    "sin": [(lambda x: P.sin(x), [normal(2, 3) * 2])],
    "cos": [(lambda x: P.cos(x), [normal(2, 3) * 2])],
    "log1p": [(lambda x: P.log1p(x), [uniform(-0.7, 3, 2, 3)])],
    "expm1": [(lambda x: P.expm1(x), [normal(2, 3)])],
    "maximum": [(lambda x, y: P.maximum(x, y), [apart_from(Y4, (3, 4)), Y4]),
                (lambda x: P.maximum(x, 0.25), [apart_from(0.25, (5,))])],
    "where": [(lambda a, b: P.where(a, b, cond=WHERE_COND),
               [normal(3, 4), normal(4)]),
              (lambda a: P.where(a, 0.0, cond=np.array([True, False, True])), [normal(2, 1)])],
    "cumsum": [(lambda x: P.cumsum(x, axis=1), [normal(2, 3, 4)]),
               (lambda x: P.cumsum(x, axis=0), [normal(5)])],
    "einsum": [(lambda a, b: P.einsum(a, b, subscripts="ij,jk->ik"), [normal(2, 3), normal(3, 4)]),
               (lambda a, b: P.einsum(a, b, subscripts="bij,j->b"), [normal(2, 3, 4), normal(4)]),
               (lambda a: P.einsum(a, subscripts="ij->ji"), [normal(2, 3)])],
}
# Convolution, padding and pooling (core/primitives_conv.py); NCHW arrays.
CASES.update({
    "conv": [(lambda x, w: P.conv(x, w, stride=(2, 1), dilation=(1, 2)),
              [normal(2, 2, 5, 6), normal(3, 2, 2, 2)])],
    "conv_input_grad": [(lambda g, w: P.conv_input_grad(
        g, w, shape=(1, 2, 5, 6), stride=(2, 1), dilation=(1, 2)),
        [normal(1, 3, 2, 4), normal(3, 2, 2, 2)])],
    "conv_weight_grad": [(lambda x, g: P.conv_weight_grad(
        x, g, size=(2, 2), stride=(2, 1), dilation=(1, 2)),
        [normal(1, 2, 5, 6), normal(1, 3, 2, 4)])],
    "pad": [(lambda x: P.pad(x, pad_width=((0, 1), (2, 0)), value=-1.0), [normal(2, 3)])],
    "max_pool": [(lambda x: P.max_pool(x, size=(2, 2), stride=(1, 2)), [distinct(1, 2, 3, 4)])],
})

PIECEWISE = {"gt", "ge", "lt", "le", "eq", "ne", "round", "floor", "sign", "argmax"}


def _all_primitives():
    return {name: v for name, v in vars(P).items() if isinstance(v, Primitive)}


def _case_ids():
    return [(name, k) for name, cases in CASES.items() for k in range(len(cases))]


def test_every_primitive_has_a_case():
    prims = _all_primitives()
    names = [p.name for p in prims.values()]
    assert len(set(names)) == len(names), "two primitives share a name"
    missing = sorted(set(names) - set(CASES))
    assert not missing, f"primitives without a gradcheck case: {missing}"
    assert set(CASES) <= set(names), f"cases for unknown primitives: {set(CASES) - set(names)}"
    assert PIECEWISE == {p.name for p in prims.values() if p.is_piecewise_constant}


@pytest.mark.parametrize(("name", "k"), _case_ids(), ids=[f"{n}-{k}" for n, k in _case_ids()])
def test_gradcheck_primitive(name, k):
    fn, inputs = CASES[name][k]
    assert tg.gradcheck(fn, inputs, **TOL)


@pytest.mark.parametrize(("name", "k"), _case_ids(), ids=[f"{n}-{k}" for n, k in _case_ids()])
def test_backward_and_the_recording_path_agree_to_the_bit(name, k):
    # backward() calls one- and two-operand VJPs directly (Primitive.arity); tg.grad records
    # every edge through the general step. Same rule, same operands: the same bits.
    fn, inputs = CASES[name][k]
    leaves = [tg.Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
              else a for a in inputs]
    out = fn(*leaves)
    seed = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        out.backward(seed)
        recorded = engine.gradients(out, seed)
    for leaf in leaves:
        if isinstance(leaf, tg.Tensor):
            np.testing.assert_array_equal(leaf.grad, recorded[leaf])


SMOOTH_IDS = [(n, k) for n, k in _case_ids() if n not in PIECEWISE]


@pytest.mark.parametrize(("name", "k"), SMOOTH_IDS, ids=[f"{n}-{k}" for n, k in SMOOTH_IDS])
def test_gradgradcheck_primitive(name, k):
    fn, inputs = CASES[name][k]
    assert tg.gradgradcheck(fn, inputs, **TOL)


NUMPY_OF = {
    "gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal,
    "eq": np.equal, "ne": np.not_equal, "round": np.round, "floor": np.floor, "sign": np.sign,
}
PIECEWISE_IDS = [(n, k) for n, k in _case_ids() if n in PIECEWISE]


@pytest.mark.parametrize(("name", "k"), PIECEWISE_IDS,
                         ids=[f"{n}-{k}" for n, k in PIECEWISE_IDS])
def test_piecewise_constant_values_and_exact_zero_grads(name, k):
    fn, inputs = CASES[name][k]
    xs = [tg.Tensor(x, requires_grad=True) for x in inputs]
    out = fn(*xs)
    if name == "argmax":
        keepdims = out.ndim == 2
        expected = np.argmax(inputs[0], axis=1 if keepdims else None, keepdims=keepdims)
    elif len(inputs) == 2:
        expected = NUMPY_OF[name](*inputs).astype(np.float64)
    elif name in ("gt", "ge", "lt", "le", "eq", "ne"):
        expected = NUMPY_OF[name](inputs[0], 0.25).astype(np.float64)
    else:
        expected = NUMPY_OF[name](inputs[0])
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.data, expected)
    with pytest.warns(tg.ZeroGradientWarning, match=name):
        out.backward(np.ones(out.shape))
    for x in xs:
        assert x.grad.dtype == np.float64
        np.testing.assert_array_equal(x.grad, np.zeros_like(x.data))


# Composites: gradients come from the primitives they are built of.
COMPOSITES = {
    "mean-all": (lambda x: x.mean(), [normal(3, 4)]),
    "mean-axis": (lambda x: x.mean(axis=(0, 2), keepdims=True), [normal(2, 3, 4)]),
    "min-all": (lambda x: x.min(), [distinct(3, 4)]),
    "min-axis": (lambda x: x.min(axis=-1), [distinct(3, 4)]),
    "logsumexp-all": (lambda x: x.logsumexp(), [normal(3, 4)]),
    "logsumexp-axis": (lambda x: x.logsumexp(axis=1, keepdims=True), [normal(3, 4)]),
    "softmax": (lambda x: x.softmax(), [normal(3, 4)]),
    "softmax-axis0": (lambda x: x.softmax(axis=0), [normal(3, 4)]),
    "log_softmax": (lambda x: x.log_softmax(), [normal(3, 4)]),
    "concatenate": (lambda a, b: tg.concatenate([a, b], axis=-1), [normal(2, 2), normal(2, 3)]),
    "stack": (lambda a, b: tg.stack([a, b], axis=1), [normal(2, 3), normal(2, 3)]),
    "getitem-slices": (lambda x: x[::2, 1:3], [normal(3, 4)]),
    "getitem-negative-step": (lambda x: x[::-1, -1], [normal(3, 4)]),
    "getitem-int-repeats": (lambda x: x[[0, 2, 0, 0]], [normal(3, 2)]),
    "getitem-int-2d": (lambda x: x[np.array([[1, 1], [0, 2]]), np.array([0, 0])],
                       [normal(3, 2)]),
    "getitem-bool": (lambda x: x[x.data > 0], [normal(3, 4)]),
    "getitem-mask-tensor": (lambda x: x[x > 0.0], [away_from_zero(3, 4)]),
    "getitem-ellipsis-none": (lambda x: x[..., None, 1], [normal(2, 3)]),
    "transpose-default": (lambda x: x.transpose(), [normal(2, 3, 4)]),
    "transpose-perm": (lambda x: x.transpose(1, 2, 0), [normal(2, 3, 4)]),
    "transpose-negative": (lambda x: x.transpose((-1, 0, 1)), [normal(2, 3, 4)]),
    "T": (lambda x: x.T, [normal(2, 3)]),
    "reshape": (lambda x: x.reshape(3, -1), [normal(2, 6)]),
    "reshape-tuple": (lambda x: x.reshape((4, 3)), [normal(2, 6)]),
    "matmul-1d-2d": (lambda x, y: x @ y, [normal(3), normal(3, 2)]),
    "matmul-batched": (lambda x, y: x @ y, [normal(2, 3, 4), normal(2, 4, 5)]),
    "matmul-ndarray": (lambda x: CMP_ARGS[0] @ x, [normal(4, 2)]),
    "clip": (lambda x: x.clip(-0.5, 0.5), [np.array([-2.0, -0.6, -0.1, 0.2, 0.49, 0.7])]),
    "relu": (lambda x: x.relu(), [away_from_zero(3, 4)]),
    "abs": (lambda x: abs(x), [away_from_zero(3, 4)]),
    "rpow": (lambda x: 2.0 ** x, [normal(3)]),
    "rsub-rdiv": (lambda x: (1.0 - x) / (3.0 + x * x), [normal(4)]),
    "mlp": (lambda w, x: (x @ w).tanh().sum(axis=1).sigmoid(), [normal(3, 2), normal(4, 3)]),
}


@pytest.mark.parametrize("name", list(COMPOSITES))
def test_gradcheck_composite(name):
    fn, inputs = COMPOSITES[name]
    assert tg.gradcheck(fn, inputs, **TOL)
    assert tg.gradgradcheck(fn, inputs, **TOL)


# The checker itself ---------------------------------------------------------------------------

_REPORT = re.compile(r"input entry \((\d+),\):\n\s+analytic (\S+), numerical (\S+), "
                     r"abs error (\S+), rel error (\S+)")


def test_a_wrong_vjp_fails_gradcheck_with_a_report():
    wrong_exp = Primitive("wrong_exp", np.exp, (lambda grad, out, x: grad * out * 2,))
    x = np.array([0.1, 0.9, -0.4, 0.3])
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda t: wrong_exp(t), [x], **TOL)
    message = str(info.value)
    match = _REPORT.search(message)
    assert match, message
    j, analytic, numerical, abs_err, rel_err = match.groups()
    # The excess over tolerance is largest where exp (and so the error) is largest.
    assert int(j) == int(np.argmax(x))
    assert float(analytic) == 2 * np.exp(x[int(j)])
    assert float(numerical) == pytest.approx(np.exp(x[int(j)]), rel=1e-8)
    assert float(abs_err) == pytest.approx(np.exp(x[int(j)]), rel=1e-2)
    assert float(rel_err) == pytest.approx(1.0, rel=1e-2)
    assert "input 0 (shape (4,))" in message
    assert "analytic gradient looks wrong" in message
    assert tg.gradcheck(lambda t: wrong_exp(t), [x], raise_exception=False, **TOL) is False


def test_a_wrong_vjp_of_the_second_input_is_reported_for_that_input():
    wrong_mul = Primitive("wrong_mul", np.multiply, (
        lambda grad, out, x, y: grad * y,
        lambda grad, out, x, y: grad * y,
    ))
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda x, y: wrong_mul(x, y), [normal(3), normal(3) + 5], **TOL)
    assert "input 1 (shape (3,))" in str(info.value)
    assert "input 0" not in str(info.value)


def test_a_jump_is_reported_as_not_differentiable():
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda x: x + (x > 0.5), [np.array([0.2, 0.5, 0.8])], **TOL)
    message = str(info.value)
    assert "not differentiable" in message
    assert "input entry (1,)" in message


def test_a_kink_is_reported_as_a_kink():
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda x: x.relu(), [np.array([1.0, 0.0])], **TOL)
    message = str(info.value)
    assert "kink" in message and "not differentiable" not in message
    assert "input entry (1,)" in message


def test_wrong_second_derivative_fails_gradgradcheck():
    # First derivatives right, second wrong: the VJP's own derivative ignores x.
    cube = Primitive("cube", lambda x: x ** 3, (
        lambda grad, out, x: grad * 3 * (x.data if isinstance(x, tg.Tensor) else x) ** 2,
    ))
    x = np.array([0.5, -1.5])
    assert tg.gradcheck(lambda t: cube(t), [x], **TOL)
    with pytest.raises(tg.GradcheckError):
        tg.gradgradcheck(lambda t: cube(t), [x], **TOL)


def test_numerical_grad_of_a_quadratic():
    a = normal(3, 3)
    x = normal(3)
    (g,) = tg.numerical_grad(lambda t: t @ (a @ t), [x])
    np.testing.assert_allclose(g, (a + a.T) @ x, rtol=1e-8, atol=1e-9)


# Derivatives at the edges of a primitive's domain, as PyTorch and the maths give them ---------

def test_power_derivatives_at_zero_are_zero_not_nan():
    x = tg.Tensor([0.0, 2.0, -1.5], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])  # x**0 is the constant 1
    y = tg.Tensor([0.0, 0.5, 3.0], requires_grad=True)
    (0.0 ** y).sum().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0])  # 0**y is 1 at y = 0, else 0
    base = tg.Tensor([0.0, 0.0, 2.0], requires_grad=True)
    exponent = tg.Tensor([0.0, 2.5, 0.0], requires_grad=True)
    (base ** exponent).sum().backward()
    np.testing.assert_array_equal(base.grad, [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(exponent.grad, [0.0, 0.0, np.log(2.0)])
    v = tg.Value(0.0)
    (v ** 0).backward()
    assert v.grad == 0.0


def test_higher_derivatives_of_low_powers_at_zero_are_zero():
    assert tg.grad(lambda x: x ** 1)(0.0) == 1.0
    assert tg.grad(tg.grad(lambda x: x ** 1))(0.0) == 0.0
    assert tg.grad(tg.grad(tg.grad(lambda x: x ** 2)))(0.0) == 0.0
    assert tg.grad(tg.grad(lambda x: x ** 3))(0.0) == 0.0
    assert tg.jvp(lambda x: x ** 0, (0.0,), (1.0,))[1] == 0.0
    assert tg.hessian(lambda x: x ** 2.0)(0.0) == 2.0
    # A Tensor exponent that is 0 somewhere takes the elementwise mask.
    second = tg.hessian(lambda x: (x ** np.array([0.0, 1.0, 2.0])).sum())(np.zeros(3))
    np.testing.assert_array_equal(second, np.diag([0.0, 0.0, 2.0]))


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_max_and_min_of_float32_give_float32_gradients_split_over_ties(reduce):
    x = tg.Tensor(np.array([[3.0, 3.0, 1.0], [1.0, 1.0, 2.0]], np.float32), requires_grad=True)
    getattr(x, reduce)(axis=1).sum().backward()
    assert x.grad.dtype == np.float32
    expected = [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]] if reduce == "max" else \
        [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]
    np.testing.assert_array_equal(x.grad, expected)
    # The rules themselves keep float32 (not only .grad, which casts back to its leaf's dtype).
    data = x.data
    out = data.max(axis=1)
    grad = np.ones(2, np.float32)
    assert P.max.vjps[0](grad, out, data, axis=(1,), keepdims=False).dtype == np.float32
    assert P.max.jvps[0](data, out, data, axis=(1,), keepdims=False).dtype == np.float32
    assert tg.grad(lambda t: getattr(t, reduce)())(data).dtype == np.float32


def test_relu_of_nan_is_nan_for_value_and_tensor():
    assert np.isnan(tg.Value(float("nan")).relu().data)
    assert np.isnan(tg.Tensor([np.nan]).relu().data[0])
    assert tg.Value(0.0).relu().data == 0.0 and tg.Value(-2.0).relu().data == 0.0
