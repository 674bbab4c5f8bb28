"""Engine invariants: accumulation, depth, no_grad, higher order, jumps and kinks, dtypes, API."""

import copy
import gc
import math
import pickle
import warnings

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import engine
from tinygrad_lm.core import primitives as P
from tinygrad_lm.core.node import Primitive

rng = np.random.default_rng(7)


# Accumulation ---------------------------------------------------------------------------------

def test_x_times_x_gives_2x():
    x = tg.Tensor([1.5, -2.0, 0.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, -4.0, 0.0])
    v = tg.Value(-3.0)
    (v * v).backward()
    assert v.grad == -6.0


def test_a_plus_a_twice_gives_4():
    a = tg.Tensor(1.25, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and c.data == 5.0
    va = tg.Value(1.25)
    vb = va + va
    (vb + vb).backward()
    assert va.grad == 4.0


def test_backward_twice_accumulates_leaves_only():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = y.sum()
    z.backward()
    z.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    assert y.grad is None and z.grad is None
    x.grad = None
    z.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_value_backward_twice_assigns_intermediates():
    a = tg.Value(3.0)
    b = a * a
    c = b + 1.0
    c.backward()
    c.backward()
    assert a.grad == 12.0
    assert b.grad == 1.0 and c.grad == 1.0


def test_gradient_reaching_a_leaf_twice_through_broadcasting():
    x = tg.Tensor([[1.0], [2.0]], requires_grad=True)
    (x + x.T).sum().backward()
    np.testing.assert_array_equal(x.grad, [[4.0], [4.0]])


def test_grad_of_an_output_that_is_a_leaf():
    x = tg.Tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad == 1.0 and x.grad.shape == ()
    m = tg.Tensor([[1.0, 2.0]], requires_grad=True)
    m.backward(np.array([[3.0, 4.0]]))
    np.testing.assert_array_equal(m.grad, [[3.0, 4.0]])
    assert tg.grad(lambda t: t)(np.array(3.0)) == 1.0


def test_a_million_op_chain_needs_no_recursion():
    x = tg.Tensor(1.5, requires_grad=True)
    y = x
    # A million live nodes make the cyclic collector rescan the chain over and over; it holds
    # no cycles, so pausing the collector only saves time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(1_000_000):
            y = -y
        assert y.prim is P.neg
        y.backward()
    finally:
        del y
        if gc_was_enabled:
            gc.enable()
    # An even number of negations: the value and the gradient come back exactly.
    assert x.grad == 1.0


def test_toposort_puts_inputs_first_whatever_the_order_leaves_were_made():
    late = tg.Value(3.0)
    a = tg.Value(1.0)
    b = a * 2
    c = tg.Value(5.0)             # a leaf made after b, used after it
    d = (b * c + late).tanh()
    order = engine.toposort(d)
    assert len(order) == 7 and {a, b, c, late, d} <= set(order) and order[-1] is d
    for node in order:
        for inp in node.inputs:
            if inp is not None:
                assert order.index(inp) < order.index(node)


def test_a_one_vjp_primitive_with_positional_arguments_takes_the_general_step():
    # clip's lo and hi are keyword parameters when Tensor.clip calls it, constants when a
    # caller passes them positionally: the node then has three inputs, not one.
    t = tg.Tensor([-2.0, 0.3, 2.0], requires_grad=True)
    P.clip(t, -1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 0.0])
    t.grad = None
    P.clip(t, lo=-1.0, hi=1.0).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 0.0])


def test_a_node_restored_from_a_pickle_is_numbered_again():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    w._seq = 10**12               # as if numbered by a long-running process
    restored = pickle.loads(pickle.dumps(w))
    assert restored._seq < 10**12
    y = (restored * 3.0).sum()
    assert restored._seq < y._seq
    y.backward()
    np.testing.assert_array_equal(restored.grad, [3.0, 3.0])


def test_a_deep_copied_graph_keeps_inputs_numbered_before_the_nodes_they_feed():
    a = tg.Value(2.0)
    c = (a * a + 1.0).relu()
    twin = copy.deepcopy(c)
    order = engine.toposort(twin)
    assert [n._seq for n in order] == sorted(n._seq for n in order)
    assert all(n._seq > c._seq for n in order)
    twin.backward()
    (leaf,) = [n for n in order if n.is_leaf]
    assert leaf.grad == 4.0 and a.grad == 0.0


# no_grad --------------------------------------------------------------------------------------

def test_no_grad_records_nothing():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = (x * 3).exp().sum()
        v = tg.Value(2.0) * 3
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.prim is None and y.inputs == ()
    assert v.prim is None and v.inputs == ()
    np.testing.assert_allclose(y.data, np.exp(3 * x.data).sum())
    z = x * 2
    assert z.requires_grad and z.prim is P.mul


def test_no_grad_restores_the_mode_after_an_error():
    with pytest.raises(RuntimeError):
        with tg.no_grad():
            raise RuntimeError("boom")
    assert tg.is_grad_enabled()


# Higher order ---------------------------------------------------------------------------------

def test_grad_of_grad_of_a_cube_is_6x():
    x = tg.Tensor([-1.5, 0.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    first = x.grad
    assert isinstance(first, tg.Tensor) and first.requires_grad
    np.testing.assert_allclose(first.data, 3 * x.data ** 2, rtol=1e-15)
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data, rtol=1e-15)


def test_hessian_vector_product_matches_the_hand_computed_hessian():
    x0, x1, x2 = 0.7, -1.1, 0.4
    e = math.exp(x1 * x2)
    hessian = np.array([
        [2 * x1, 2 * x0, 0.0],
        [2 * x0, x2 * x2 * e, e * (1 + x1 * x2)],
        [0.0, e * (1 + x1 * x2), x1 * x1 * e],
    ])
    v = np.array([0.3, -2.0, 1.5])
    x = tg.Tensor([x0, x1, x2], requires_grad=True)
    f = x[0] ** 2 * x[1] + (x[1] * x[2]).exp()
    f.backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g * v).sum().backward()
    np.testing.assert_allclose(x.grad, hessian @ v, rtol=1e-13)


def test_float32_stays_float32_under_create_graph():
    x = tg.Tensor(np.float32([0.5, 1.5]), requires_grad=True)
    x.sigmoid().sum().backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.sum().backward()
    assert first.dtype == np.float32 and x.grad.dtype == np.float32


# Jumps: strict mode and the warning -----------------------------------------------------------

def _on_jump_cases():
    """(fn, x, mask of the entries sitting on a jump)."""
    return [
        ("gt", lambda x: x > 0.5, np.array([0.2, 0.5, 0.8, 0.5]), [0, 1, 0, 1]),
        ("le", lambda x: x <= -1.0, np.array([-1.0, 0.0, -2.0]), [1, 0, 0]),
        ("eq", lambda x: x == 2.0, np.array([2.0, 1.0]), [1, 0]),
        ("round", lambda x: x.round(), np.array([0.5, 1.0, 1.5, 2.4, -0.5]), [1, 0, 1, 0, 1]),
        ("floor", lambda x: x.floor(), np.array([1.0, 1.5, -2.0, 0.3]), [1, 0, 1, 0]),
        ("sign", lambda x: x.sign(), np.array([0.0, -1.0, 3.0]), [1, 0, 0]),
        ("argmax", lambda x: x.argmax(axis=1), np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 1.0]]),
         [[1, 1, 0], [0, 0, 0]]),
    ]


@pytest.mark.parametrize(("name", "fn", "x", "mask"), _on_jump_cases(),
                         ids=[c[0] for c in _on_jump_cases()])
def test_strict_mode_is_nan_exactly_on_jumps_and_default_is_zero(name, fn, x, mask):
    mask = np.array(mask, dtype=bool)
    t = tg.Tensor(x, requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning, match=name):
        (fn(t) * 1.0).sum().backward(undefined="nan")
    np.testing.assert_array_equal(np.isnan(t.grad), mask)
    assert np.all(t.grad[~mask] == 0)
    t.grad = None
    with pytest.warns(tg.ZeroGradientWarning):
        (fn(t) * 1.0).sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros_like(x))


def test_strict_mode_marks_both_sides_of_a_tied_comparison():
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = tg.Tensor([2.0], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning):
        (x < y).sum().backward(undefined="nan")
    np.testing.assert_array_equal(np.isnan(x.grad), [False, True, False])
    assert np.isnan(y.grad).all() and y.grad.shape == (1,)


def test_strict_mode_nan_flows_through_smooth_ops_to_dependent_entries_only():
    x = tg.Tensor([0.5, 0.7, 1.0], requires_grad=True)
    w = tg.Tensor([2.0, 3.0, 4.0], requires_grad=True)
    (x.round() * w + w * w).sum().backward(undefined="nan")
    np.testing.assert_array_equal(np.isnan(x.grad), [True, False, False])
    np.testing.assert_array_equal(w.grad, [0.0 + 4.0, 1.0 + 6.0, 1.0 + 8.0])


def test_comparing_argmax_with_labels_is_not_a_jump():
    p = tg.Tensor([[2.0, 1.0, 0.0], [0.0, 2.0, 1.0]], requires_grad=True)
    labels = np.array([0, 1])
    with pytest.warns(tg.ZeroGradientWarning):
        (p.argmax(axis=1) == labels).sum().backward(undefined="nan")
    np.testing.assert_array_equal(p.grad, np.zeros((2, 3)))
    tied = tg.Tensor([[2.0, 2.0, 0.0], [0.0, 2.0, 1.0]], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning):
        (tied.argmax(axis=1) == labels).mean().backward(undefined="nan")
    np.testing.assert_array_equal(np.isnan(tied.grad), [[True, True, False], [False] * 3])


def test_the_warning_names_every_blocking_op():
    x = tg.Tensor([0.3, 0.7], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning, match=r"\(floor, gt\)") as record:
        ((x > 0.5) + x.floor()).sum().backward()
    assert len(record) == 1
    assert "surrogate" in str(record[0].message)


def test_no_warning_when_a_smooth_path_also_exists():
    x = tg.Tensor([0.3, 0.7], requires_grad=True)
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", tg.ZeroGradientWarning)
        ((x > 0.5) * x).sum().backward()
        np.testing.assert_array_equal(x.grad, [0.0, 1.0])
        ((w > 0) + w * 0.5).sum().backward()
        ((x.round() * 2).sum() + (w * w).sum()).backward()
    np.testing.assert_array_equal(w.grad, [2.5, 4.5])


def test_no_warning_without_piecewise_ops():
    x = tg.Tensor([0.3], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", tg.ZeroGradientWarning)
        (x * 0.0).sum().backward()
    assert x.grad[0] == 0.0


def test_value_strict_mode_and_warning():
    v = tg.Value(0.5)
    with pytest.warns(tg.ZeroGradientWarning, match="gt"):
        (v > 0.5).backward(undefined="nan")
    assert math.isnan(v.grad)


# Kinks and ties ---------------------------------------------------------------------------------

def test_kinks_take_the_zero_subgradient():
    x = tg.Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(x.sign().data, [-1.0, 0.0, 1.0])
    for method, expected in (("relu", 0.0), ("abs", 0.0)):
        v = tg.Value(0.0)
        getattr(v, method)().backward()
        assert v.grad == expected


def test_max_and_min_ties_split_the_gradient():
    x = tg.Tensor([1.0, 1.0, 0.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 0.0])
    y = tg.Tensor([[0.0, 3.0, 0.0], [5.0, 5.0, 5.0]], requires_grad=True)
    y.min(axis=1).sum().backward()
    np.testing.assert_array_equal(y.grad, [[0.5, 0.0, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_clip_passes_the_gradient_at_its_bounds():
    x = tg.Tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])


# dtypes ------------------------------------------------------------------------------------------

def test_float32_stays_float32_through_ops_and_grads():
    x = tg.Tensor(np.float32([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    w = tg.Tensor(np.float32([[1.0], [-0.5]]), requires_grad=True)
    outs = [(x * 2 + 1).exp(), x.mean(axis=0), x.logsumexp(axis=1), x.softmax(),
            x @ w, x.max(), x.min(axis=1), x ** 2 / 3, (1 - x).sigmoid().tanh(),
            x.abs().sqrt().log(), x.relu(), x.clip(0, 1), x[0], x.T, x.reshape(4),
            tg.stack([x, x]), 2.0 ** x, x > 0.5]
    for out in outs:
        assert out.dtype == np.float32, out
    total = sum(o.sum() for o in outs)
    assert total.dtype == np.float32
    total.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_python_numbers_and_lists_become_float64():
    assert tg.Tensor(3).dtype == np.float64
    assert tg.Tensor(2.5).dtype == np.float64
    assert tg.Tensor([1, 2]).dtype == np.float64
    assert tg.Tensor([[1.0, 2.0]]).dtype == np.float64
    assert tg.Tensor([1, 2], requires_grad=True).grad is None


def test_integer_arrays_stay_integer_and_cannot_require_grad():
    t = tg.Tensor(np.array([1, 2, 3]))
    assert t.dtype == np.int64
    assert (t * 2).dtype == np.int64
    with pytest.raises(TypeError, match="int64"):
        tg.Tensor(np.array([1, 2]), requires_grad=True)


def test_float32_data_with_a_float64_operand_promotes_as_numpy_does():
    x = tg.Tensor(np.float32([1.0]), requires_grad=True)
    y = x * np.array([2.0])
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32


# The Tensor API ----------------------------------------------------------------------------------

def test_repr_is_readable():
    assert repr(tg.Tensor([1.0, 2.0], requires_grad=True)) == \
        "Tensor([1., 2.], requires_grad=True)"
    assert repr(tg.Tensor(np.float32([1.0]))) == "Tensor([1.], dtype=float32)"
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.name = "y"
    assert repr(y) == "Tensor([1., 4.], op='mul', name='y')"
    assert repr(tg.Tensor(2.0)) == "Tensor(2.)"
    assert repr(tg.Value(2.0)) == "Value(data=2.0, grad=0.0)"


def test_numpy_interop():
    t = tg.Tensor([[1.0, 2.0]])
    assert np.asarray(t) is t.data
    assert t.numpy() is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    r = np.array([1.0, 1.0]) + tg.Tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(r, tg.Tensor) and r.requires_grad


def test_tensors_are_hashable():
    a, b = tg.Tensor([1.0]), tg.Tensor([1.0])
    assert len({a, b, a}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"


def test_len_item_shape():
    t = tg.Tensor(np.zeros((3, 2)))
    assert len(t) == 3 and t.shape == (3, 2) and t.ndim == 2 and t.size == 6
    with pytest.raises(TypeError, match="0-d"):
        len(tg.Tensor(1.0))
    item = tg.Tensor([[2.5]]).item()
    assert item == 2.5 and type(item) is float
    with pytest.raises(ValueError, match=r"\(2,\)"):
        tg.Tensor([1.0, 2.0]).item()


def test_detach_shares_data_and_stops_the_gradient():
    x = tg.Tensor([1.0, 3.0], requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d.prim is None
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])


# Functional API and gradcheck ------------------------------------------------------------------

def test_grad_and_value_and_grad():
    def f(x, y):
        return (x * x * y).sum()

    x, y = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    np.testing.assert_array_equal(tg.grad(f)(x, y), 2 * x * y)
    np.testing.assert_array_equal(tg.grad(f, argnums=1)(x, y), x * x)
    gx, gy = tg.grad(f, argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, 2 * x * y)
    np.testing.assert_array_equal(gy, x * x)
    value, (g,) = tg.value_and_grad(f, argnums=(1,))(tg.Tensor(x), y)
    assert value == f(tg.Tensor(x), tg.Tensor(y)).item()
    assert isinstance(g, np.ndarray)
    np.testing.assert_array_equal(g, x * x)


def test_grad_leaves_inputs_untouched():
    x = tg.Tensor([2.0], requires_grad=True)
    assert tg.grad(lambda t: (t * t).sum())(x) == 4.0
    assert x.grad is None


def test_gradcheck_report_names_each_failing_input():
    wrong = Primitive("wrong", np.multiply, (
        lambda grad, out, x, y: grad * y * 1.5,
        lambda grad, out, x, y: grad * x,
    ))
    xs = [rng.uniform(1, 2, size=(2, 2)), rng.uniform(1, 2, size=(2, 2))]
    assert not tg.gradcheck(lambda a, b: wrong(a, b), xs, raise_exception=False)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda a, b: wrong(a, b), xs)
    message = str(info.value)
    assert message.startswith("gradcheck failed:")
    assert "input 0 (shape (2, 2))" in message and "input 1" not in message
    assert "analytic" in message and "numerical" in message
    assert "abs error" in message and "rel error" in message


def test_gradcheck_treats_constants_as_constants():
    labels = np.array([2, 0])
    assert tg.gradcheck(lambda z, y: z.log_softmax()[np.arange(2), y].sum(),
                        [rng.normal(size=(2, 3)), labels], eps=1e-6, atol=1e-7, rtol=1e-5)


# Value and a 0-d Tensor agree -------------------------------------------------------------------

SHARED = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    lambda a, b: a ** b, lambda a, b: 2.0 - a * 3.0 / b, lambda a, b: (a * b).tanh(),
    lambda a, b: (a - b).exp(), lambda a, b: (a * b).log(), lambda a, b: (a - b).sigmoid(),
    lambda a, b: (a - b).relu() + (b - a).relu(), lambda a, b: abs(a - b) ** 2.0,
    lambda a, b: -a + (a > b) + (a <= b), lambda a, b: a ** 3 + 1.5 ** b,
]


@pytest.mark.parametrize("k", range(len(SHARED)))
def test_value_and_0d_tensor_agree(k):
    fn = SHARED[k]
    for a0, b0 in ((1.3, 0.7), (0.4, 2.2)):
        va, vb = tg.Value(a0), tg.Value(b0)
        ta, tb = tg.Tensor(a0, requires_grad=True), tg.Tensor(b0, requires_grad=True)
        vout, tout = fn(va, vb), fn(ta, tb)
        vout.backward()
        tout.backward()
        assert vout.data == pytest.approx(tout.item(), rel=1e-15, abs=1e-15)
        assert va.grad == pytest.approx(float(ta.grad), rel=1e-14, abs=1e-15)
        assert vb.grad == pytest.approx(float(tb.grad), rel=1e-14, abs=1e-15)


def test_no_grad_is_per_thread():
    import threading

    w = tg.Tensor([1.0], requires_grad=True)
    inside, outside = threading.Event(), threading.Event()
    seen = {}

    def other_thread():
        inside.wait()
        seen["requires_grad"] = (w * 2).requires_grad
        outside.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with tg.no_grad():
        inside.set()
        outside.wait()
    t.join()
    assert seen["requires_grad"] is True


def test_retain_graph_false_gives_the_same_gradients_and_frees_the_graph():
    x = rng.normal(size=(4, 3))
    w = rng.normal(size=(3, 2))
    grads = []
    for retain in (True, False):
        wt = tg.Tensor(w, requires_grad=True)
        hidden = (tg.Tensor(x) @ wt).sigmoid()
        loss = ((hidden - 1.0) ** 2).sum()
        loss.backward(retain_graph=retain)
        grads.append(wt.grad)
        assert (hidden.inputs == ()) is (not retain)
    np.testing.assert_array_equal(grads[0], grads[1])
    assert loss.item() == pytest.approx(float(((1 / (1 + np.exp(-(x @ w))) - 1) ** 2).sum()))
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()


def test_retain_graph_false_still_warns_when_no_signal_reaches_a_leaf():
    w = tg.Tensor([0.3, 0.7], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning, match="gt"):
        (w > 0.5).sum().backward(retain_graph=False)
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])


def test_gradients_returns_every_node_and_edge_and_writes_no_grad():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = y.sum()
    grads = engine.gradients(z, np.ones(()))
    np.testing.assert_array_equal(grads[x], [2.0, 4.0])
    np.testing.assert_array_equal(grads[y], [1.0, 1.0])
    np.testing.assert_array_equal(grads[(y, 0)], [1.0, 2.0])
    np.testing.assert_array_equal(grads[(y, 1)], [1.0, 2.0])
    assert x.grad is None and y.grad is None


def test_backward_steps_visits_non_leaf_nodes_in_backward_order():
    a = tg.Value(2.0)
    b = a * 3
    c = b.exp()
    steps = list(engine.backward_steps(c, 1.0))
    assert [node for node, _, _ in steps] == [c, b]
    assert steps[0][1] == 1.0 and steps[1][1] == pytest.approx(math.exp(6.0))
    assert steps[1][2][0] == pytest.approx(3 * math.exp(6.0)) and steps[1][2][1] is None
    assert a.grad == 0.0


def test_strict_mode_edges_carry_nan_on_a_jump():
    x = tg.Tensor([0.0, 1.0], requires_grad=True)
    step = x > 0
    grads = engine.gradients(step.sum(), np.ones(()), undefined="nan")
    np.testing.assert_array_equal(np.isnan(grads[(step, 0)]), [True, False])
