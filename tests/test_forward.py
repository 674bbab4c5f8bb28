"""Forward mode: a JVP beside every VJP, <u, J v> by JVP equals <J^T u, v> by VJP, exact zeros."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import broadcastable_pair, reduction_case
from test_primitives import CASES, PIECEWISE

import tinygrad_lm as tg
from tinygrad_lm.core import engine
from tinygrad_lm.core import primitives as P
from tinygrad_lm.core.forward import push_tangents
from tinygrad_lm.core.node import EachInput, Primitive
from tinygrad_lm.testing.strategies import arrays


def _primitives():
    return [v for v in vars(P).values() if isinstance(v, Primitive)]


def test_every_smooth_primitive_has_one_jvp_per_vjp():
    for prim in _primitives():
        if prim.is_piecewise_constant:
            assert not prim.jvps and not prim.vjps, prim.name
        elif isinstance(prim.vjps, EachInput):
            assert isinstance(prim.jvps, EachInput), f"{prim.name} has no JVP rule"
        else:
            assert len(prim.jvps) == len(prim.vjps), f"{prim.name}: JVPs missing"
            assert all(callable(rule) for rule in prim.jvps), prim.name


def _leaves(inputs):
    return [tg.Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
            else a for a in inputs]


def _pull(out, u, wrt, undefined="zero"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        found = engine.gradients(out, u, undefined=undefined)
    return [found.get(x, np.zeros(x.shape)) for x in wrt]


def _dual_pairing(fn, inputs, seed):
    """(<u, J v> by one forward pass, <J^T u, v> by one reverse pass) for random u, v."""
    rng = np.random.default_rng(seed)
    leaves = _leaves(inputs)
    wrt = [x for x in leaves if isinstance(x, tg.Tensor)]
    out = fn(*leaves)
    u = rng.normal(size=out.shape)
    vs = [rng.normal(size=x.shape) for x in wrt]
    tangent = push_tangents(out, dict(zip(wrt, vs)))[out]
    assert tangent.shape == out.shape and tangent.dtype == out.dtype
    forward = float(np.sum(u * tangent))
    reverse = sum(float(np.sum(g * v)) for g, v in zip(_pull(out, u, wrt), vs))
    return forward, reverse


SMOOTH = [(n, k) for n, cases in CASES.items() for k in range(len(cases)) if n not in PIECEWISE]


@pytest.mark.parametrize(("name", "k"), SMOOTH, ids=[f"{n}-{k}" for n, k in SMOOTH])
def test_jvp_and_vjp_agree_on_every_gradcheck_case(name, k):
    fn, inputs = CASES[name][k]
    forward, reverse = _dual_pairing(fn, inputs, seed=k)
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize(("name", "k"), SMOOTH, ids=[f"{n}-{k}" for n, k in SMOOTH])
def test_jvp_matches_the_numerical_directional_derivative(name, k):
    fn, inputs = CASES[name][k]
    assert tg.gradcheck(fn, inputs, check_forward_ad=True, eps=1e-6, atol=1e-7, rtol=1e-5)


BINARY = {
    "add": (P.add, -3, 3), "sub": (P.sub, -3, 3), "mul": (P.mul, -3, 3),
    "div": (P.div, 0.5, 3), "pow": (P.pow, 0.5, 2),
}


@given(name=st.sampled_from(sorted(BINARY)), shapes=broadcastable_pair(), data=st.data())
def test_jvp_and_vjp_agree_over_broadcast_shapes(name, shapes, data):
    prim, lo, hi = BINARY[name]
    x = data.draw(arrays(shapes[0], min_value=lo, max_value=hi))
    y = data.draw(arrays(shapes[1], min_value=lo, max_value=hi))
    forward, reverse = _dual_pairing(lambda a, b: prim(a, b), [x, y], seed=0)
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-10)


@given(batch=broadcastable_pair(max_dims=2), sides=st.tuples(*[st.integers(1, 3)] * 3),
       vector=st.sampled_from(["none", "left", "right", "both"]), data=st.data())
def test_jvp_and_vjp_agree_over_matmul_shapes(batch, sides, vector, data):
    n, k, m = sides
    left = (k,) if vector in ("left", "both") else batch[0] + (n, k)
    right = (k,) if vector in ("right", "both") else batch[1] + (k, m)
    x = data.draw(arrays(left, min_value=-2, max_value=2))
    y = data.draw(arrays(right, min_value=-2, max_value=2))
    forward, reverse = _dual_pairing(lambda a, b: P.matmul(a, b), [x, y], seed=2)
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-10)


@given(reduce=st.sampled_from(["sum", "max", "min", "logsumexp"]),
       case=reduction_case(ties=True))
def test_jvp_and_vjp_agree_over_reductions_with_ties(reduce, case):
    x, axis, keepdims = case
    forward, reverse = _dual_pairing(
        lambda t: getattr(t, reduce)(axis=axis, keepdims=keepdims), [x], seed=1)
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-10)


def test_jvp_by_hand_on_small_cases():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    w = tg.Tensor([[1.0, -1.0], [0.5, 3.0]], requires_grad=True)
    y = (w @ x).exp() / x.sum()
    v, vw = np.array([1.0, -2.0]), np.array([[0.0, 1.0], [1.0, 0.0]])
    tangent = push_tangents(y, {x: v, w: vw})[y]
    z = w.data @ x.data
    dz = w.data @ v + vw @ x.data
    expected = np.exp(z) * dz / 3.0 - np.exp(z) / 9.0 * v.sum()
    np.testing.assert_allclose(tangent, expected, rtol=1e-14)


def test_push_tangents_on_a_value_graph_gives_backward_s_gradient():
    a, b = tg.Value(0.7), tg.Value(-1.3)
    out = ((a * b).tanh() + a ** 3 / b).relu() + (a - b).exp().log() + abs(b)
    out.backward()
    forward = push_tangents(out, {a: 1.0})
    assert forward[out] == pytest.approx(a.grad, rel=1e-13)
    assert push_tangents(out, {b: 1.0})[out] == pytest.approx(b.grad, rel=1e-13)


def test_every_node_gets_a_tangent_for_a_drawing():
    x = tg.Tensor([0.5, -1.0], requires_grad=True)
    c = tg.Tensor([2.0, 2.0])
    h = x * c
    s = h.sigmoid()
    y = s.sum()
    tangents = push_tangents(y, {x: np.ones(2)})
    assert set(tangents) == {x, h, s, y}
    np.testing.assert_array_equal(tangents[h], [2.0, 2.0])
    assert c not in tangents  # a constant has no tangent


def test_piecewise_constant_ops_give_exact_zero_tangents():
    x = tg.Tensor([0.0, 0.3, 1.5, 2.0], requires_grad=True)
    outs = [x > 0.3, x.round(), x.floor(), x.sign(), x.argmax(), (x == x.max()).sum()]
    for out in outs:
        t = push_tangents(out, {x: np.ones(4)})[out]
        np.testing.assert_array_equal(t, np.zeros(out.shape))
        assert t.dtype == np.float64


def test_strict_mode_marks_jumps_as_backward_does():
    x = tg.Tensor([0.0, 0.5, 1.5, 2.5, 1.0], requires_grad=True)

    def fn(t):
        return (t > 0.5) * t + t.round() + t.floor() * t + (t.argmax() == 3) * 1.0

    out = fn(x)
    rows = [_pull(out, np.eye(5)[i], [x], undefined="nan")[0] for i in range(5)]
    columns = [push_tangents(out, {x: np.eye(5)[j]}, undefined="nan")[out] for j in range(5)]
    np.testing.assert_array_equal(np.stack(rows), np.stack(columns, axis=1))
    assert np.isnan(np.stack(rows)).any()
    zero_mode = push_tangents(out, {x: np.ones(5)})[out]
    assert not np.isnan(zero_mode).any()


def test_strict_mode_on_argmax_of_a_tie_and_on_a_locally_constant_comparison():
    x = tg.Tensor([[1.0, 1.0], [0.0, 2.0]], requires_grad=True)
    out = x.argmax(axis=1)
    np.testing.assert_array_equal(push_tangents(out, {x: np.ones((2, 2))}, undefined="nan")[out],
                                  [np.nan, 0.0])
    # The comparison of argmax (locally constant) has no jump of its own, but the tie's NaN
    # reaches its output, as reverse mode's NaN reaches x's tied row.
    hit = x.argmax(axis=1) == np.array([1, 1])
    np.testing.assert_array_equal(push_tangents(hit, {x: np.ones((2, 2))}, undefined="nan")[hit],
                                  [np.nan, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        hit.sum().backward(undefined="nan")
    np.testing.assert_array_equal(np.isnan(x.grad), [[True, True], [False, False]])


def test_float32_tangents_stay_float32():
    x = tg.Tensor(np.array([[0.5, -1.0], [2.0, 0.25]], np.float32), requires_grad=True)
    y = (x.max(axis=1) * 2.0 + x.sigmoid().sum(axis=0)).log_softmax()
    assert push_tangents(y, {x: np.ones((2, 2), np.float32)})[y].dtype == np.float32


def test_bad_input_to_push_tangents():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError, match=r"tangent of shape \(3,\) for a node of shape \(2,\)"):
        push_tangents(y, {x: np.ones(3)})
    with pytest.raises(ValueError, match="undefined must be"):
        push_tangents(y, {x: np.ones(2)}, undefined="inf")
    no_jvp = Primitive("twice", lambda a: 2 * a, (lambda grad, out, a: 2 * grad,))
    with pytest.raises(TypeError, match="'twice' has no JVP rule for input 0"):
        push_tangents(no_jvp(x), {x: np.ones(2)})


def test_a_graph_freed_by_backward_cannot_carry_tangents():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=False)
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        push_tangents(y, {x: np.ones(2)})


def test_strict_mode_keeps_an_undefined_tangent_through_later_steps():
    # accuracy = mean((pred > 0.5) == y): the comparison with y sees a locally constant input,
    # but the NaN that pred == 0.5 puts on the first step's tangent must reach the output, as
    # reverse mode's NaN reaches pred.
    pred = tg.Tensor([0.5, 0.7, 0.2], requires_grad=True)
    accuracy = ((pred > 0.5) == tg.Tensor([1.0, 1.0, 0.0])).mean()
    tangents = push_tangents(accuracy, {pred: np.array([1.0, 0.0, 0.0])}, undefined="nan")
    assert np.isnan(tangents[accuracy])
    tangents = push_tangents(accuracy, {pred: np.array([0.0, 1.0, 1.0])}, undefined="nan")
    assert np.isnan(tangents[accuracy])  # the jump's NaN does not depend on the direction
    assert push_tangents(accuracy, {pred: np.ones(3)})[accuracy] == 0.0
