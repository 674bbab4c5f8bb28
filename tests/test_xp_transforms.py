"""The function transforms and gradcheck on other array libraries: results in the input's
library, equal to numpy's within 1e-12; gradcheck's verdicts the same."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import backend as B
from tinygrad_lm.core.node import Primitive

X = np.array([0.3, -0.7, 1.1])


def scalar(x):
    return (x.sin() * x.exp()).sum()


def vector(x):
    return x.tanh() * x[::-1]


TRANSFORMS = {
    "grad": lambda x: tg.grad(scalar)(x),
    "value_and_grad": lambda x: tg.value_and_grad(scalar)(x)[1],
    "vjp": lambda x: tg.vjp(vector, x)[1](x * 0 + 1)[0],
    "jvp": lambda x: tg.jvp(vector, (x,), (x,))[1],
    "jacrev": lambda x: tg.jacrev(vector)(x),
    "jacfwd": lambda x: tg.jacfwd(vector)(x),
    "hessian": lambda x: tg.hessian(scalar)(x),
    "hvp": lambda x: tg.hvp(scalar, x, x)[1] if isinstance(tg.hvp(scalar, x, x), tuple)
    else tg.hvp(scalar, x, x),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_transform_agrees_with_numpy_in_the_inputs_library(xp, name):
    want = TRANSFORMS[name](X.copy())
    got = TRANSFORMS[name](B.to_namespace(X, xp))
    assert B.library_name(got) == B.library_name(xp.asarray(0.0))
    np.testing.assert_allclose(B.to_numpy(got), want, rtol=1e-12, atol=1e-15)


def test_gradcheck_passes_and_fails_as_on_numpy(xp):
    x = B.to_namespace(X, xp)
    assert tg.gradcheck(vector, [x], check_forward_ad=True)
    assert tg.gradcheck(vector, [x], check_forward_ad=True, fast_mode=True)
    assert tg.gradgradcheck(scalar, [x])
    wrong = Primitive("sin_with_a_wrong_vjp", np.sin, (lambda grad, out, x: grad * 2.0,),
                      standard=lambda xp, x: xp.sin(x))
    with pytest.raises(tg.GradcheckError, match="analytic 2.0, numerical 0.45359"):
        tg.gradcheck(lambda x: wrong(x), [x], raise_exception=True)


def test_numerical_grad_stays_in_the_library(xp):
    (g,) = tg.numerical_grad(lambda x: (x ** 2).sum(), [B.to_namespace(X, xp)])
    assert B.library_name(g) == B.library_name(xp.asarray(0.0))
    np.testing.assert_allclose(B.to_numpy(g), 2 * X, rtol=1e-8)
