"""The engine on other array-API libraries: every primitive's case of test_primitives again on
array_api_strict and torch arrays, forward and gradients within 1e-12 of numpy's; the data stays
in its library; mixing libraries is a TypeError naming both."""

import warnings

import numpy as np
import pytest
from test_primitives import CASES, PIECEWISE

import tinygrad_lm as tg
from tinygrad_lm.core import backend as B

# Primitives the standard has no function for: they run on numpy arrays only, and say so.
NUMPY_ONLY = {"erf", "einsum"}


def _leaves(inputs, convert):
    return [tg.Tensor(convert(a), requires_grad=True)
            if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in inputs]


def _run(fn, inputs, convert):
    leaves = _leaves(inputs, convert)
    out = fn(*leaves)
    seed = np.linspace(0.5, 1.5, out.size).reshape(out.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        out.backward(convert(seed) if convert is not np.asarray else seed)
    return out, [leaf.grad for leaf in leaves if isinstance(leaf, tg.Tensor)]


IDS = [(n, k) for n, cases in CASES.items() for k in range(len(cases)) if n not in NUMPY_ONLY]


@pytest.mark.parametrize(("name", "k"), IDS, ids=[f"{n}-{k}" for n, k in IDS])
def test_every_primitive_agrees_with_numpy(xp, name, k):
    fn, inputs = CASES[name][k]
    want, want_grads = _run(fn, inputs, np.asarray)
    try:
        got, grads = _run(fn, inputs, lambda a: B.to_namespace(np.asarray(a), xp))
    except TypeError as e:
        if "cannot mix" not in str(e) or "numpy" not in str(e):
            raise
        pytest.skip("the case closes over a numpy constant, which this library may not meet")
    assert B.library_name(got.data) == B.library_name(xp.asarray(0.0))
    np.testing.assert_allclose(got.numpy(), want.data, rtol=1e-12, atol=1e-12)
    for g, w in zip(grads, want_grads):
        if name in PIECEWISE:
            assert g is None or not B.to_numpy(g).any()
            continue
        assert B.library_name(g) == B.library_name(got.data)
        np.testing.assert_allclose(B.to_numpy(g), w, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32(xp):
    x = tg.Tensor(xp.asarray(np.array([0.5, -1.0], np.float32)), requires_grad=True)
    (x.tanh() * x).sum().backward()
    assert x.dtype == np.float32 and B.numpy_dtype(x.grad.dtype) == np.float32
    v = np.array([0.5, -1.0])
    np.testing.assert_allclose(B.to_numpy(x.grad), (1 - np.tanh(v) ** 2) * v + np.tanh(v),
                               rtol=1e-6)


def test_create_graph_gives_second_derivatives(xp):
    x = tg.Tensor(B.to_namespace(np.array([0.3, -0.7]), xp), requires_grad=True)
    (x.sigmoid() ** 2).sum().backward(create_graph=True)
    first, x.grad = x.grad, None
    first.sum().backward()
    s = 1 / (1 + np.exp(-np.array([0.3, -0.7])))
    ds = s * (1 - s)
    np.testing.assert_allclose(B.to_numpy(first.data), 2 * s * ds, rtol=1e-12)
    np.testing.assert_allclose(B.to_numpy(x.grad), 2 * ds * ds + 2 * s * ds * (1 - 2 * s),
                               rtol=1e-12)


def test_indexing_with_repeated_labels_accumulates(xp):
    logits = tg.Tensor(B.to_namespace(np.arange(12.0).reshape(4, 3) / 7, xp), requires_grad=True)
    labels = np.array([2, 2, 0, 2])
    tg.losses.cross_entropy(logits, labels).backward()
    ref = tg.Tensor(np.arange(12.0).reshape(4, 3) / 7, requires_grad=True)
    tg.losses.cross_entropy(ref, labels).backward()
    np.testing.assert_allclose(B.to_numpy(logits.grad), ref.grad, rtol=1e-12, atol=1e-15)
    picked = logits[np.array([0, 0, 3])].sum()
    assert picked.item() == pytest.approx(ref.data[[0, 0, 3]].sum(), rel=1e-12)


def test_mixing_libraries_is_a_type_error_naming_both(xp):
    name = B.library_name(xp.asarray(0.0))
    other = tg.Tensor(xp.asarray(np.ones(2)))
    with pytest.raises(TypeError, match=f"add: cannot mix numpy and {name} arrays"):
        tg.Tensor(np.ones(2)) + other
    with pytest.raises(TypeError, match=f"matmul: cannot mix {name} and numpy arrays"):
        other @ np.ones(2)


def test_a_numpy_only_op_says_so(xp):
    x = tg.Tensor(B.to_namespace(np.ones(3), xp))
    with pytest.raises(TypeError, match="erf: runs on numpy arrays only"):
        tg.functional.gelu(x)


def test_a_convnet_step_on_another_library_equals_numpy(xp):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 1, 8, 8)), rng.integers(0, 3, size=4)

    def convnet():
        nn = tg.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, seed=0), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(64, 3, seed=1))

    losses = {}
    for name, lib in (("numpy", np), ("other", xp)):
        model = convnet().to(lib)
        optimizer = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        losses[name] = []
        for _ in range(3):
            loss = tg.losses.cross_entropy(model(tg.Tensor(x).to(lib)), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses[name].append(loss.item())
    np.testing.assert_allclose(losses["other"], losses["numpy"], rtol=1e-12)


def test_the_tensor_reads_back_as_numpy(xp):
    t = tg.Tensor(B.to_namespace(np.array([[1.5, 2.0]]), xp))
    assert t.xp.__name__.endswith(B.library_name(t.data)) or B.library_name(t.data) == "torch"
    assert t.shape == (1, 2) and t.size == 2 and t.dtype == np.float64
    np.testing.assert_array_equal(np.asarray(t), [[1.5, 2.0]])
    assert t.sum().item() == 3.5 and f"{t.sum():.1f}" == "3.5"
    assert "xp=" in repr(t)
    assert t.to(np).data.__class__ is np.ndarray


def test_dask_arrays_through_an_mlp_step():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(6, 3)), rng.normal(size=(3, 2))
    tw = tg.Tensor(da.from_array(w, chunks=2), requires_grad=True)
    loss = (tg.Tensor(da.from_array(x, chunks=3)) @ tw).sigmoid().sum()
    loss.backward()
    ref = tg.Tensor(w, requires_grad=True)
    (tg.Tensor(x) @ ref).sigmoid().sum().backward()
    assert B.library_name(tw.grad) == "dask"
    np.testing.assert_allclose(B.to_numpy(tw.grad), ref.grad, rtol=1e-12)
