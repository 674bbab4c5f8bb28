"""Value: agreement with 0-d Tensors, central differences and micrograd; the fixes; bad input."""

import gc
import math
import warnings

import numpy as np
import pytest

import tinygrad_lm as tg
from benchmarks import micrograd_reference
from tinygrad_lm import Value
from tinygrad_lm.core import operators

# name -> (function of Values/Tensors, domain the inputs are drawn from, away from kinks)
UNARY = {
    "neg": (lambda x: -x, (-3.0, 3.0)),
    "abs": (lambda x: abs(x), (0.1, 3.0)),
    "abs_negative": (lambda x: x.abs(), (-3.0, -0.1)),
    "relu": (lambda x: x.relu(), (0.1, 3.0)),
    "relu_negative": (lambda x: x.relu(), (-3.0, -0.1)),
    "tanh": (lambda x: x.tanh(), (-3.0, 3.0)),
    "exp": (lambda x: x.exp(), (-3.0, 3.0)),
    "log": (lambda x: x.log(), (0.1, 3.0)),
    "sigmoid": (lambda x: x.sigmoid(), (-5.0, 5.0)),
    "sqrt": (lambda x: x.sqrt(), (0.1, 3.0)),
    "sin": (lambda x: x.sin(), (-3.0, 3.0)),
    "cos": (lambda x: x.cos(), (-3.0, 3.0)),
    "log1p": (lambda x: x.log1p(), (-0.9, 3.0)),
    "expm1": (lambda x: x.expm1(), (-3.0, 3.0)),
    "pow_int": (lambda x: x ** 3, (-2.0, 2.0)),
    "pow_float": (lambda x: x ** 2.5, (0.1, 2.0)),
    "pow_negative": (lambda x: x ** -1.5, (0.5, 2.0)),
    "radd": (lambda x: 2.5 + x, (-3.0, 3.0)),
    "rsub": (lambda x: 2.5 - x, (-3.0, 3.0)),
    "rmul": (lambda x: 2.5 * x, (-3.0, 3.0)),
    "rtruediv": (lambda x: 2.5 / x, (0.5, 3.0)),
    "rpow": (lambda x: 2.5 ** x, (-2.0, 2.0)),
    "add_number": (lambda x: x + 2.5, (-3.0, 3.0)),
    "sub_number": (lambda x: x - 2.5, (-3.0, 3.0)),
    "mul_number": (lambda x: x * 2.5, (-3.0, 3.0)),
    "truediv_number": (lambda x: x / 2.5, (-3.0, 3.0)),
}
BINARY = {
    "add": (lambda x, y: x + y, (-3.0, 3.0), (-3.0, 3.0)),
    "sub": (lambda x, y: x - y, (-3.0, 3.0), (-3.0, 3.0)),
    "mul": (lambda x, y: x * y, (-3.0, 3.0), (-3.0, 3.0)),
    "truediv": (lambda x, y: x / y, (-3.0, 3.0), (0.5, 3.0)),
    "pow": (lambda x, y: x ** y, (0.5, 2.0), (-2.0, 2.0)),
}
COMPARISONS = {
    "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y, "lt": lambda x, y: x < y,
    "le": lambda x, y: x <= y, "eq": lambda x, y: x == y, "ne": lambda x, y: x != y,
}


def _draw(rng, domain, n):
    return [float(v) for v in rng.uniform(*domain, n)]


def _value_grads(fn, xs):
    """fn on Values: its data and each input's gradient."""
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def _tensor_grads(fn, xs):
    """fn on 0-d float64 Tensors: its data and each input's gradient."""
    ts = [tg.Tensor(np.float64(x), requires_grad=True) for x in xs]
    out = fn(*ts)
    out.backward()
    return float(out.data), [float(t.grad) for t in ts]


def _central(fn, xs, i, eps=1e-6):
    plus, minus = list(xs), list(xs)
    plus[i] += eps
    minus[i] -= eps
    return (fn(*map(Value, plus)).data - fn(*map(Value, minus)).data) / (2 * eps)


def _cases():
    rng = np.random.default_rng(0)
    for name, (fn, domain) in UNARY.items():
        for x in _draw(rng, domain, 3):
            yield pytest.param(fn, [x], id=f"{name}-{x:.3f}")
    for name, (fn, dx, dy) in BINARY.items():
        for x, y in zip(_draw(rng, dx, 3), _draw(rng, dy, 3)):
            yield pytest.param(fn, [x, y], id=f"{name}-{x:.3f}-{y:.3f}")


CASES = list(_cases())


@pytest.mark.parametrize("fn, xs", CASES)
def test_value_agrees_with_0d_tensor(fn, xs):
    v_out, v_grads = _value_grads(fn, xs)
    t_out, t_grads = _tensor_grads(fn, xs)
    # Python's math and numpy's ufuncs may round transcendental functions differently by an ulp.
    np.testing.assert_allclose(v_out, t_out, rtol=1e-15, atol=0)
    np.testing.assert_allclose(v_grads, t_grads, rtol=1e-14, atol=0)


@pytest.mark.parametrize("fn, xs", CASES)
def test_value_gradients_match_central_differences(fn, xs):
    _, grads = _value_grads(fn, xs)
    numerical = [_central(fn, xs, i) for i in range(len(xs))]
    np.testing.assert_allclose(grads, numerical, rtol=1e-5, atol=1e-7)


def test_every_shared_op_has_a_case():
    covered = {fn(*map(Value, xs)).prim.name for fn, xs in (c.values for c in CASES)}
    table = operators.ARITHMETIC + operators.UNARY_OPERATORS + operators.METHODS
    shared = {prim.name for _, prim, *_ in table
              if prim.scalar is not None and not prim.is_piecewise_constant}
    assert covered == shared == {"add", "sub", "mul", "div", "pow", "neg", "abs", "relu", "tanh",
                                 "exp", "log", "sigmoid", "sqrt", "sin", "cos", "log1p",
                                 "expm1"}


@pytest.mark.parametrize("name", list(COMPARISONS))
def test_comparisons_are_graph_nodes_with_zero_gradient(name):
    fn = COMPARISONS[name]
    for x, y in ((1.0, 2.0), (2.0, 1.0), (1.5, 1.5)):
        a, b = Value(x), Value(y)
        out = fn(a, b)
        t_out = fn(tg.Tensor(x, requires_grad=True), tg.Tensor(y, requires_grad=True))
        assert isinstance(out, Value) and out.inputs == (a, b)
        assert out.data == float(t_out.data) == float(fn(x, y))
        with pytest.warns(tg.ZeroGradientWarning, match=out.prim.name):
            out.backward()
        assert (a.grad, b.grad) == (0.0, 0.0)


def test_comparison_on_its_jump_is_nan_in_strict_mode():
    a, b = Value(1.5), Value(1.5)
    c = Value(2.0)
    loss = (a > b) * c + a
    loss.backward(undefined="nan")
    assert math.isnan(a.grad) and math.isnan(b.grad)
    off = Value(1.0)
    loss = (off > b) * c + off
    loss.backward(undefined="nan")
    assert off.grad == 1.0


def test_value_to_the_power_of_a_value():
    x, y = Value(1.7), Value(-0.6)
    out = x ** y
    out.backward()
    assert out.data == 1.7 ** -0.6
    assert x.grad == pytest.approx(-0.6 * 1.7 ** -1.6, rel=1e-15)
    assert y.grad == pytest.approx(1.7 ** -0.6 * math.log(1.7), rel=1e-15)


# micrograd-style expressions ------------------------------------------------------------------

def _sanity_check(V):
    """micrograd's own test: relu, reflected ops and a node used in several places."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return y, [x]


def _reflected(V):
    a, b = V(1.5), V(-2.25)
    c = 3 - a
    d = 2 * b + 1
    e = c * d - (-a) + 0.5 * b
    f = e - 4
    f.backward()
    return f, [a, b]


def _powers(V):
    a, b = V(1.25), V(0.7)
    c = a ** 2 + b ** 3
    d = c ** 0.5 * a ** -1
    e = (d * c - 1.5).relu() + (2 - d ** 1.5).relu()
    e.backward()
    return e, [a, b]


def _reuse(V):
    a, b = V(0.3), V(-1.7)
    c = a * b
    d = c * c + 1
    e = d * a + (d + b).relu()
    e.backward()
    return e, [a, b]


def _more_ops(V):
    """micrograd's second test without tanh; it divides, and micrograd divides as a * b**-1."""
    a, b = V(-4.0), V(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g, [a, b]


# Gradients are sums, and micrograd orders the terms by the iteration order of a set; so to ask
# for the same bits, every node of these feeds at most two edges (or all values are integers).
SAME_ARITHMETIC = [_sanity_check, _reflected, _powers, _reuse]


@pytest.fixture(params=["micrograd", "reference"])
def micrograd_value(request):
    """micrograd's Value when installed, and the in-repo reference written its way, always."""
    if request.param == "micrograd":
        return pytest.importorskip("micrograd.engine").Value
    return micrograd_reference.Value


@pytest.mark.parametrize("expression", SAME_ARITHMETIC, ids=lambda f: f.__name__[1:])
def test_same_bits_as_micrograd(expression, micrograd_value):
    ours, our_leaves = expression(Value)
    theirs, their_leaves = expression(micrograd_value)
    assert ours.data == theirs.data
    assert [v.grad for v in our_leaves] == [v.grad for v in their_leaves]


def test_division_as_micrograd_within_rounding(micrograd_value):
    ours, our_leaves = _more_ops(Value)
    theirs, their_leaves = _more_ops(micrograd_value)
    assert ours.data == pytest.approx(24.70408163265306, rel=1e-15)
    assert theirs.data == pytest.approx(ours.data, rel=1e-14)
    np.testing.assert_allclose([v.grad for v in our_leaves], [v.grad for v in their_leaves],
                               rtol=1e-13)
    np.testing.assert_allclose([v.grad for v in our_leaves],
                               [138.83381924198252, 645.5772594752186], rtol=1e-13)


def test_micrograd_view_of_the_graph():
    a, b = Value(2.0), Value(3.0)
    assert (a + b)._op == "+" and (a * b)._op == "*" and (a ** 2)._op == "**2"
    assert a.relu()._op == "ReLU" and (a * b)._prev == {a, b}
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"


# The fixes -----------------------------------------------------------------------------------

def test_a_chain_of_100000_ops_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0


def test_an_input_used_twice_keeps_both_edges():
    a = Value(3.0)
    b = a * a
    assert b.inputs == (a, a)
    b.backward()
    assert a.grad == 6.0


def test_backward_twice_accumulates_into_leaves_only():
    x = Value(3.0)
    y = x * x
    z = y + x
    z.backward()
    assert (x.grad, y.grad, z.grad) == (7.0, 1.0, 1.0)
    z.backward()
    assert (x.grad, y.grad, z.grad) == (14.0, 1.0, 1.0)


def test_square_root_at_zero_has_an_infinite_gradient():
    x = Value(0.0)
    y = x ** 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()
    assert y.data == 0.0 and x.grad == math.inf


@pytest.mark.parametrize("fn, data, grads", [
    (lambda x, y: x.log() + y, -math.inf, [math.inf, 1.0]),
    (lambda x, y: y / x, math.inf, [-math.inf, math.inf]),
    (lambda x, y: x ** -1 + y, math.inf, [-math.inf, 1.0]),
], ids=["log", "div", "pow"])
def test_division_by_zero_follows_ieee_not_python(fn, data, grads):
    x, y = Value(0.0), Value(1.0)
    out = fn(x, y)
    out.backward()
    assert out.data == data and [x.grad, y.grad] == grads


def _build_and_drop(V):
    """A small MLP-like graph: built, back-propagated, dropped; returns what gc then frees."""
    rng = np.random.default_rng(0)
    ws = [V(float(w)) for w in rng.uniform(-1, 1, 20)]
    xs = rng.uniform(-1, 1, (10, 2)).tolist()
    loss = sum((1 + -(ws[0] * a + ws[1] * b + sum(w * w for w in ws[2:])).relu()) ** 2
               for a, b in xs)
    loss.backward()
    del loss, ws
    return gc.collect()


@pytest.mark.parametrize("V, cycles", [(Value, False), (micrograd_reference.Value, True)],
                         ids=["ours", "micrograd_way"])
def test_graphs_make_no_reference_cycles(V, cycles):
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        freed = _build_and_drop(V)
    finally:
        if enabled:
            gc.enable()
    assert (freed > 0) == cycles


# Bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["a", b"a", None, [1.0], 1j, tg.Tensor(1.0), Value(1.0)])
def test_value_of_a_non_real_is_a_type_error(data):
    with pytest.raises(TypeError, match="Value"):
        Value(data)


def test_value_with_a_tensor_is_a_type_error():
    v, t = Value(1.0), tg.Tensor(1.0, requires_grad=True)
    for op in (lambda: v + t, lambda: v * t, lambda: v ** t, lambda: t + v, lambda: t * v):
        with pytest.raises(TypeError):
            op()
    with pytest.raises(TypeError, match="add"):
        v + "a"


def test_backward_reads_the_inputs_current_values_as_micrograd_does():
    a, b = tg.Value(2.0), tg.Value(3.0)
    c = a * b + 1.0
    a.data = 5.0  # rebinding before backward: micrograd's closures would read 5.0 too
    c.backward()
    assert b.grad == 5.0 and a.grad == 3.0
    assert (a * 4.0).args == (5.0, 4.0) and (4.0 - a).args == (4.0, 5.0)
