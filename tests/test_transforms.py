"""grad, value_and_grad, vjp, jvp, jacrev, jacfwd, hessian, hvp: hand answers, central
differences, nesting to third order, and Hessians against the create_graph path."""

import gc
import threading

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import Tensor
from tinygrad_lm.transforms.functions import count_passes

rng = np.random.default_rng(12)


def central_jacobian(fn, x, eps=1e-6):
    """d fn / d x by central differences, shape out.shape + x.shape (fn on numpy arrays)."""
    x = np.array(x, dtype=np.float64)
    columns = []
    for j in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[j] += eps
        down[j] -= eps
        columns.append((np.asarray(fn(up)) - np.asarray(fn(down))) / (2 * eps))
    out_shape = np.shape(fn(x))
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape)


def on_arrays(fn):
    return lambda x: fn(Tensor(x)).data


def vector_fn(x):
    """R^(2x3) -> R^(4,): a bit of everything."""
    h = (x * x.sum(axis=0)).tanh()
    return tg.concatenate([h.max(axis=1), (x.exp() / (1.0 + x ** 2)).mean(axis=1)])


# Hand-computed answers -------------------------------------------------------------------------

def test_grad_and_value_and_grad_by_hand():
    x, y = np.array([1.0, -2.0]), np.array([3.0, 0.5])

    def f(a, b):
        return (a * b ** 2).sum()

    np.testing.assert_array_equal(tg.grad(f)(x, y), y ** 2)
    np.testing.assert_array_equal(tg.grad(f, argnums=-1)(x, y), 2 * x * y)
    value, (gx, gy) = tg.value_and_grad(f, argnums=(0, 1))(x, y)
    assert value == (x * y ** 2).sum() and type(value) is np.ndarray and value.shape == ()
    np.testing.assert_array_equal(gy, 2 * x * y)


def test_jacobians_by_hand_have_shape_out_plus_in():
    w, a = rng.normal(size=(2, 3)), rng.normal(size=3)
    for jac in (tg.jacrev, tg.jacfwd):
        j = jac(lambda w, a: w @ a)(w, a)
        expected = np.zeros((2, 2, 3))
        expected[0, 0], expected[1, 1] = a, a
        assert j.shape == (2, 2, 3)
        np.testing.assert_array_equal(j, expected)
        ja = jac(lambda w, a: w @ a, argnums=1)(w, a)
        np.testing.assert_array_equal(ja, w)
        jw, ja = jac(lambda w, a: (w @ a).sum(), argnums=(0, 1))(w, a)
        np.testing.assert_array_equal(jw, np.broadcast_to(a, (2, 3)))
        np.testing.assert_allclose(ja, w.sum(axis=0), rtol=1e-15)


def test_jvp_and_vjp_by_hand():
    x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0, 0.5])
    out, tangent = tg.jvp(lambda t: t[:2] * t[1:], (x,), (v,))
    np.testing.assert_array_equal(out, [2.0, 6.0])
    np.testing.assert_array_equal(tangent, [v[0] * 2 + 1 * v[1], v[1] * 3 + 2 * v[2]])
    out, vjp_fn = tg.vjp(lambda t, s: t * s, x, v)
    gx, gs = vjp_fn(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(gx, [1.0, -10.0, 50.0])
    np.testing.assert_array_equal(gs, [1.0, 20.0, 300.0])
    np.testing.assert_array_equal(vjp_fn(np.ones(3))[0], v)  # the graph is kept for reuse


def test_hessian_and_hvp_by_hand():
    a = rng.normal(size=(3, 3))
    x, v = rng.normal(size=3), rng.normal(size=3)

    def quadratic(t):
        return t @ (a @ t)

    np.testing.assert_allclose(tg.hessian(quadratic)(x), a + a.T, rtol=1e-14)
    value, product = tg.hvp(quadratic, x, v)
    assert value == pytest.approx(x @ a @ x)
    np.testing.assert_allclose(product, (a + a.T) @ v, rtol=1e-13)
    value, (px, py) = tg.hvp(lambda s, t: (s * t * t).sum(), (x, v), (np.ones(3), np.zeros(3)))
    np.testing.assert_allclose(px, 0.0)
    np.testing.assert_allclose(py, 2 * v)
    (hxx, hxy), (hyx, hyy) = tg.hessian(lambda s, t: (s * t * t).sum(), argnums=(0, 1))(x, v)
    np.testing.assert_allclose(hxy, np.diag(2 * v))
    np.testing.assert_allclose(hyx, np.diag(2 * v))
    np.testing.assert_allclose(hyy, np.diag(2 * x))
    np.testing.assert_array_equal(hxx, np.zeros((3, 3)))


# Against central differences -------------------------------------------------------------------

@pytest.mark.parametrize("jac", [tg.jacrev, tg.jacfwd], ids=["jacrev", "jacfwd"])
def test_jacobians_against_central_differences(jac):
    x = rng.normal(size=(2, 3))
    j = jac(vector_fn)(x)
    assert j.shape == (4, 2, 3)
    np.testing.assert_allclose(j, central_jacobian(on_arrays(vector_fn), x), rtol=1e-6,
                               atol=1e-8)


def test_jvp_vjp_hvp_against_central_differences():
    x, v, u = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=4)
    numeric = central_jacobian(on_arrays(vector_fn), x).reshape(4, 6)
    _, tangent = tg.jvp(vector_fn, (x,), (v,))
    np.testing.assert_allclose(tangent, numeric @ v.ravel(), rtol=1e-6, atol=1e-8)
    _, vjp_fn = tg.vjp(vector_fn, x)
    np.testing.assert_allclose(vjp_fn(u)[0].ravel(), u @ numeric, rtol=1e-6, atol=1e-8)

    def loss(t):
        return vector_fn(t).logsumexp()

    value, g = tg.value_and_grad(loss)(x)
    np.testing.assert_allclose(g, central_jacobian(on_arrays(loss), x), rtol=1e-6, atol=1e-8)
    assert value == loss(Tensor(x)).item()
    hessian = central_jacobian(tg.grad(loss), x).reshape(6, 6)
    _, product = tg.hvp(loss, x, v)
    np.testing.assert_allclose(product.ravel(), hessian @ v.ravel(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(tg.hessian(loss)(x).reshape(6, 6), hessian, rtol=1e-6, atol=1e-8)


# Nesting ---------------------------------------------------------------------------------------

def test_grad_nests_to_third_order_on_a_polynomial():
    def poly(x):
        return 2 * x ** 4 - 3 * x ** 3 + x * x - 5

    for x in (-1.5, 0.0, 0.7, 2.0):
        assert tg.grad(poly)(x) == pytest.approx(8 * x ** 3 - 9 * x ** 2 + 2 * x)
        assert tg.grad(tg.grad(poly))(x) == pytest.approx(24 * x ** 2 - 18 * x + 2)
        assert tg.grad(tg.grad(tg.grad(poly)))(x) == pytest.approx(48 * x - 18)
        assert tg.grad(tg.grad(tg.grad(tg.grad(poly))))(x) == pytest.approx(48.0)


def test_every_composition_of_jacobians_gives_the_hessian():
    x = rng.normal(size=(2, 3))

    def loss(t):
        return (vector_fn(t) ** 2).sum()

    h = tg.hessian(loss)(x)
    assert h.shape == (2, 3, 2, 3)
    for outer in (tg.jacfwd, tg.jacrev):
        for inner in (tg.jacfwd, tg.jacrev):
            np.testing.assert_allclose(outer(inner(loss))(x), h, rtol=1e-10, atol=1e-12)
    v = rng.normal(size=(2, 3))
    _, product = tg.jvp(tg.grad(loss), (x,), (v,))
    np.testing.assert_allclose(product, np.tensordot(h, v, axes=2), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(central_jacobian(tg.grad(loss), x), h, rtol=1e-6, atol=1e-7)


def test_third_order_by_forward_and_reverse_mixes():
    x = np.array([0.3, -0.8])

    def f(t):
        return (t[0] ** 3 * t[1] ** 2).reshape(())

    third = tg.jacfwd(tg.jacrev(tg.jacfwd(f)))(x)
    assert third.shape == (2, 2, 2)
    a, b = x
    np.testing.assert_allclose(third[0, 0, 0], 6 * b ** 2)
    np.testing.assert_allclose(third[0, 0, 1], 12 * a * b)
    np.testing.assert_allclose(third[1, 1, 1], 0.0, atol=1e-15)
    np.testing.assert_allclose(tg.jacrev(tg.hessian(f))(x), third, rtol=1e-12)


def test_inner_transforms_see_and_return_tensors_outer_ones_arrays():
    seen = []

    def outer(x):
        seen.append(type(x))
        g = tg.grad(lambda y: (y ** 3).sum())(x)
        seen.append(type(g))
        return (g * x).sum()

    result = tg.grad(outer)(np.array([1.0, 2.0]))
    assert seen == [Tensor, Tensor] and type(result) is np.ndarray
    np.testing.assert_allclose(result, 9 * np.array([1.0, 2.0]) ** 2)


def test_nesting_is_per_thread():
    results = []

    def outer(x):
        # A transform run by another thread meanwhile is at its own top level: arrays out.
        worker = threading.Thread(target=lambda: results.append(tg.grad(lambda t: t * t)(2.0)))
        worker.start()
        worker.join()
        return x * x

    tg.grad(outer)(1.0)
    assert type(results[0]) is np.ndarray and results[0] == 4.0


def test_an_inner_derivative_counts_only_paths_through_its_own_argument():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x: the inner grad must not see x's own path.
    assert tg.grad(lambda x: x * tg.grad(lambda y: x * y)(2.0))(3.0) == 6.0
    assert tg.grad(lambda x: tg.grad(lambda y: x * y)(x))(3.0) == 1.0


def test_forward_over_forward_and_closures_in_forward_mode():
    def f(x):
        return x ** 3 + 2.0 * x

    def df(x):
        return tg.jvp(f, (x,), (1.0,))[1]

    assert tg.jvp(df, (2.0,), (1.0,))[1] == pytest.approx(12.0)  # f''(2) = 6 * 2
    assert tg.jvp(lambda x: tg.jvp(lambda y: x * y, (2.0,), (1.0,))[1], (3.0,), (1.0,))[1] == 1.0


# Hessians of losses against the create_graph path ---------------------------------------------

def hessian_by_create_graph(fn, arrays):
    """The full Hessian over all inputs, flattened, by backward(create_graph=True) per row."""
    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    fn(*leaves).backward(create_graph=True)
    flat = tg.concatenate([leaf.grad.reshape(-1) for leaf in leaves])
    rows = []
    for i in range(flat.size):
        for leaf in leaves:
            leaf.grad = None
        flat[i].backward()
        rows.append(np.concatenate([np.zeros(leaf.size) if leaf.grad is None
                                    else np.ravel(leaf.grad) for leaf in leaves]))
    return np.stack(rows)


def test_hessian_of_log_softmax_cross_entropy():
    logits, target = rng.normal(size=(3, 4)), np.array([0, 3, 1])

    def loss(z):
        return tg.losses.cross_entropy(z, target)

    h = tg.hessian(loss)(logits)
    np.testing.assert_allclose(h.reshape(12, 12), hessian_by_create_graph(loss, [logits]),
                               rtol=1e-12, atol=1e-15)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for n in range(3):  # each sample's block is (diag(p) - p p^T) / N, the rest zero
        np.testing.assert_allclose(h[n, :, n, :], (np.diag(p[n]) - np.outer(p[n], p[n])) / 3,
                                   rtol=1e-12, atol=1e-15)
        for m in set(range(3)) - {n}:
            np.testing.assert_array_equal(h[n, :, m, :], 0.0)


def test_hessian_of_an_mlp_loss():
    X, y = rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    w1, w2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))

    def loss(a, b):
        return tg.losses.cross_entropy((X @ a).sigmoid() @ b, y)

    blocks = tg.hessian(loss, argnums=(0, 1))(w1, w2)
    full = np.block([[blocks[i][j].reshape(w.size, v.size) for j, v in enumerate((w1, w2))]
                     for i, w in enumerate((w1, w2))])
    np.testing.assert_allclose(full, hessian_by_create_graph(loss, [w1, w2]), rtol=1e-10,
                               atol=1e-13)
    np.testing.assert_allclose(full, full.T, rtol=1e-10, atol=1e-13)


# Passes, graphs and dtypes ---------------------------------------------------------------------

def test_each_transform_makes_the_passes_it_promises():
    wide = rng.normal(size=6)
    with count_passes() as passes:
        tg.jacrev(lambda x: x[:2] * x[1:3])(wide)
    assert passes == {"forward": 0, "reverse": 2}
    with count_passes() as passes:
        tg.jacfwd(lambda x: x[:2] * x[1:3])(wide)
    assert passes == {"forward": 6, "reverse": 0}
    with count_passes() as passes:
        tg.hessian(lambda x: (x ** 3).sum())(wide)
    assert passes == {"forward": 6, "reverse": 1}
    with count_passes() as passes:
        tg.hvp(lambda x: (x ** 3).sum(), wide, wide)
        tg.jvp(lambda x: x.exp(), (wide,), (wide,))
    assert passes == {"forward": 2, "reverse": 1}


def test_jvp_keeps_no_graph_after_it_returns():
    made = []

    def fn(x):
        y = x.exp() * 2.0
        made.append(y._seq)
        return y.sum()

    out, tangent = tg.jvp(fn, (np.ones(3),), (np.ones(3),))
    gc.collect()
    assert not [o for o in gc.get_objects() if type(o) is Tensor and o._seq == made[0]]
    assert type(out) is np.ndarray and tangent == pytest.approx(6 * np.e)


def test_float32_in_float32_out():
    x = np.array([0.5, -1.5, 2.0], np.float32)

    def f(t):
        return (t.max() * t * 0.5 + t.min()).sum()

    assert tg.grad(f)(x).dtype == np.float32
    assert tg.jacfwd(lambda t: t.max() * t)(x).dtype == np.float32
    assert tg.jacrev(lambda t: t.max() * t)(x).dtype == np.float32
    assert tg.jvp(f, (x,), (np.ones(3, np.float32),))[1].dtype == np.float32
    np.testing.assert_allclose(tg.grad(f)(x), [1.0, 1.0 + 3.0, 1.0 + 0.5], rtol=1e-6)


def test_results_are_arrays_the_caller_may_write():
    g = tg.grad(lambda t: t.sum())(np.ones(3))  # the VJP of a sum is a broadcast view
    g += 1.0
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])


def test_transforms_work_inside_no_grad_and_leave_grads_alone():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        g = tg.grad(lambda t: (t * t).sum())(w)
    np.testing.assert_array_equal(g, [2.0, 4.0])
    assert w.grad is None


def test_tuple_outputs():
    x = np.array([1.0, 2.0])
    (a, b), (ta, tb) = tg.jvp(lambda t: (t * 2.0, t.sum()), (x,), (np.ones(2),))
    np.testing.assert_array_equal(ta, [2.0, 2.0])
    assert tb == 2.0
    ja, jb = tg.jacrev(lambda t: (t * 2.0, t.sum()))(x)
    np.testing.assert_array_equal(ja, 2 * np.eye(2))
    np.testing.assert_array_equal(jb, [1.0, 1.0])
    _, vjp_fn = tg.vjp(lambda t: (t * 2.0, t.sum()), x)
    np.testing.assert_array_equal(vjp_fn((np.ones(2), np.array(3.0)))[0], [5.0, 5.0])


def test_a_function_that_ignores_its_input_has_zero_derivatives():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(tg.grad(lambda t: Tensor(3.0))(x), [0.0, 0.0])
    np.testing.assert_array_equal(tg.jacfwd(lambda t: Tensor([1.0]))(x), [[0.0, 0.0]])
    np.testing.assert_array_equal(tg.jacrev(lambda t: Tensor([1.0]))(x), [[0.0, 0.0]])


# Bad input -------------------------------------------------------------------------------------

def test_tangent_shape_or_dtype_differing_from_its_primal_names_both():
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(2,\), but its primal has shape "
                                         r"\(3,\)"):
        tg.jvp(lambda t: t, (x,), (np.ones(2),))
    with pytest.raises(TypeError, match="tangent 0 has dtype float32, but its primal has dtype "
                                        "float64"):
        tg.jvp(lambda t: t, (x,), (np.ones(3, np.float32),))
    with pytest.raises(TypeError, match="must be tuples"):
        tg.jvp(lambda t: t, x, x)
    with pytest.raises(ValueError, match="1 primals but 2 tangents"):
        tg.jvp(lambda t: t, (x,), (x, x))
    _, vjp_fn = tg.vjp(lambda t: t.sum(), x)
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(3,\), but its output has "
                                         r"shape \(\)"):
        vjp_fn(np.ones(3))


def test_argnums_out_of_range_or_malformed():
    for transform in (tg.grad, tg.value_and_grad, tg.jacrev, tg.jacfwd, tg.hessian):
        with pytest.raises(ValueError, match="argnums 2 is out of range for fn called with 2"):
            transform(lambda a, b: (a * b).sum(), argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="repeats"):
        tg.grad(lambda a, b: a * b, argnums=(0, -2))(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        tg.grad(lambda a: a, argnums="0")(1.0)


def test_non_scalar_output_to_grad_or_hessian_points_to_jacobians():
    for transform in (tg.grad, tg.hessian):
        with pytest.raises(ValueError, match=r"shape \(2,\).*use tg.jacrev or tg.jacfwd"):
            transform(lambda t: t * 2)(np.ones(2))


def test_integer_primals_are_refused_with_their_dtype():
    ints = np.array([1, 2])
    with pytest.raises(TypeError, match="argument 0 has dtype int64"):
        tg.grad(lambda t: t.sum())(ints)
    with pytest.raises(TypeError, match="argument 0 has dtype int64"):
        tg.jvp(lambda t: t, (ints,), (np.ones(2),))
    with pytest.raises(TypeError, match="argument 1 has dtype int64"):
        tg.jacfwd(lambda a, t: a * t, argnums=1)(np.ones(2), Tensor(ints))
    assert tg.grad(lambda t: t * t)(3) == 6.0  # a Python int is a number, not a dtype
