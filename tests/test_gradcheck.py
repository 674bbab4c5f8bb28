"""gradcheck's forward-mode check (check_forward_ad) and its random-projection fast mode."""

from fractions import Fraction

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core.node import Primitive

rng = np.random.default_rng(31)
TOL = {"eps": 1e-6, "atol": 1e-7, "rtol": 1e-5}

# exp with a right VJP and a wrong JVP (its tangent is doubled), and the other way round.
WRONG_JVP = Primitive("wrong_jvp_exp", np.exp, (lambda grad, out, x: grad * out,),
                             (lambda tangent, out, x: 2 * tangent * out,))
WRONG_VJP = Primitive("wrong_vjp_exp", np.exp, (lambda grad, out, x: 2 * grad * out,),
                             (lambda tangent, out, x: tangent * out,))


def test_check_forward_ad_catches_a_wrong_jvp_that_reverse_mode_misses():
    x = rng.normal(size=4)
    assert tg.gradcheck(lambda t: WRONG_JVP(t) * t, [x], **TOL)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda t: WRONG_JVP(t) * t, [x], check_forward_ad=True, **TOL)
    message = str(info.value)
    assert "input 0 (shape (4,)), forward mode (JVP): 4 of 16 entries differ" in message
    assert "reverse mode" not in message
    assert "analytic gradient looks wrong" in message


def test_check_forward_ad_reports_both_modes_per_input():
    def fn(a, b):
        return WRONG_VJP(a) + WRONG_JVP(b)

    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(fn, [rng.normal(size=2), rng.normal(size=2)], check_forward_ad=True, **TOL)
    message = str(info.value)
    assert "input 0 (shape (2,)), reverse mode (VJP)" in message
    assert "input 1 (shape (2,)), forward mode (JVP)" in message
    assert "input 0 (shape (2,)), forward mode" not in message
    assert "input 1 (shape (2,)), reverse mode" not in message


def test_fast_mode_checks_a_large_input_with_few_evaluations():
    calls = []
    w = rng.normal(size=(40, 50))

    def fn(x):
        calls.append(1)
        return (x @ w).tanh().sum(axis=0)

    x = rng.normal(size=(30, 40))
    assert tg.gradcheck(fn, [x], fast_mode=True, check_forward_ad=True, **TOL)
    assert len(calls) <= 4  # one graph, two directional evaluations (not 2 * 1200)


@pytest.mark.parametrize(("prim", "mode"), [(WRONG_VJP, "reverse mode (VJP)"),
                                            (WRONG_JVP, "forward mode (JVP)")])
def test_fast_mode_catches_a_wrong_rule(prim, mode):
    x = rng.normal(size=(20, 30))
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda t: prim(t) * t, [x], fast_mode=True, check_forward_ad=True, **TOL)
    message = str(info.value)
    assert f"input 0 (shape (20, 30)), {mode}: u^T J v differs" in message
    assert "fast_mode=False" in message
    assert tg.gradcheck(lambda t: prim(t) * t, [x], fast_mode=True, check_forward_ad=True,
                        raise_exception=False, **TOL) is False


def test_fast_mode_catches_one_wrong_entry():
    mask = np.zeros(500)
    mask[123] = 1.0
    off_by_one_entry = Primitive(
        "off", np.exp, (lambda grad, out, x: grad * out * (1.0 + mask),))
    with pytest.raises(tg.GradcheckError):
        tg.gradcheck(lambda t: off_by_one_entry(t), [rng.normal(size=500) * 0.1], fast_mode=True,
                     **TOL)


def test_fast_mode_passes_every_composite_and_two_inputs():
    X, y = rng.normal(size=(6, 3)), np.array([0, 1, 2, 1, 0, 2])

    def loss(w, b):
        return tg.losses.cross_entropy(X @ w + b, y, reduction="none")

    assert tg.gradcheck(loss, [rng.normal(size=(3, 3)), rng.normal(size=3)], fast_mode=True,
                        check_forward_ad=True, **TOL)


def test_gradgradcheck_with_forward_mode_checks_forward_over_reverse():
    def fn(w, x):
        return (x @ w).sigmoid().log_softmax()

    inputs = [rng.normal(size=(3, 2)), rng.normal(size=(4, 3))]
    assert tg.gradgradcheck(fn, inputs, check_forward_ad=True, **TOL)
    assert tg.gradgradcheck(fn, inputs, check_forward_ad=True, fast_mode=True, **TOL)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradgradcheck_forward_mode_sees_a_wrong_jvp_inside_the_first_order_graph(fast_mode):
    # WRONG_JVP's VJP multiplies by its own output node, so the first-order gradients hold a
    # WRONG_JVP node: only the forward pass over them meets its doubled tangent.
    x = rng.normal(size=3)
    assert tg.gradgradcheck(WRONG_JVP, [x], fast_mode=fast_mode, **TOL)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradgradcheck(WRONG_JVP, [x], check_forward_ad=True, fast_mode=fast_mode, **TOL)
    message = str(info.value)
    assert "input 0 (shape (3,)), forward mode (JVP)" in message
    assert "reverse mode" not in message


def test_transforms_and_numerical_grad_take_a_fraction():
    x = Fraction(1, 4)
    assert tg.grad(lambda t: t ** 2)(x) == 0.5
    assert np.allclose(tg.numerical_grad(lambda t: t ** 2, [x]), [0.5])


def test_transforms_refuse_a_list_of_tensors_that_require_grad():
    w = tg.Tensor(1.5, requires_grad=True)
    for call in (lambda: tg.grad(lambda t: t.sum())([w, w]),
                 lambda: tg.numerical_grad(lambda t: t.sum(), [[w, w]])):
        with pytest.raises(TypeError, match=r"tg\.stack.*\(argument 0\)"):
            call()
