"""The fused kernels give the plain numpy expressions' results bit for bit, on every path."""

import multiprocessing
import warnings

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import reference
from tinygrad_lm.core import kernels


def plain_vjp(grad, out):
    return grad * (out * (1 - out))


@pytest.fixture
def small_blocks(monkeypatch):
    """Kernels on from 1000 elements, in blocks of 256 on 3 threads, so that tests stay cheap
    and parts, blocks and ragged ends all occur; counts the fused calls."""
    calls = []
    run = kernels._parallel
    monkeypatch.setattr(kernels, "_parallel", lambda *a: calls.append(a[0]) or run(*a))
    previous = kernels.configure(min_size=1000, block=256, threads=3)
    yield calls
    kernels.configure(**previous)


def _inputs(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 30).astype(dtype)
    x.reshape(-1)[:6] = [0.0, -0.0, np.inf, -np.inf, 800.0, -800.0]  # limits and overflow
    return x, rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(1000,), (37, 91), (3, 5, 257)])
def test_fused_sigmoid_and_vjp_are_bit_identical(small_blocks, dtype, shape):
    x, grad = _inputs(shape, dtype, seed=sum(shape))
    with np.errstate(over="ignore"):
        out, expected = kernels.sigmoid(x), reference.sigmoid(x)
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected, strict=True)
    assert out.tobytes() == expected.tobytes()
    vjp = kernels.sigmoid_vjp(grad, out)
    assert vjp.tobytes() == plain_vjp(grad, out).tobytes() and vjp.dtype == np.dtype(dtype)
    assert len(small_blocks) == 2  # both took the fused path


@pytest.mark.parametrize("size", [999, 1000])  # the plain path and the fused one
def test_sigmoid_writes_into_a_given_array_with_the_same_bits(small_blocks, size):
    x, _ = _inputs((size,), np.float64, seed=size)
    into = np.full_like(x, np.nan)
    with np.errstate(over="ignore"):
        out, expected = kernels.sigmoid(x, into=into), reference.sigmoid(x)
    assert out is into and out.tobytes() == expected.tobytes()
    assert len(small_blocks) == (size >= 1000)


def test_thread_count_and_block_size_do_not_change_a_bit():
    x, grad = _inputs((5001,), np.float64, seed=1)
    results = []
    for threads, block in ((1, 4096), (2, 128), (4, 1000), (7, 64)):
        previous = kernels.configure(min_size=1, block=block, threads=threads)
        try:
            with np.errstate(over="ignore"):
                out = kernels.sigmoid(x)
            results.append((out.tobytes(), kernels.sigmoid_vjp(grad, out).tobytes()))
        finally:
            kernels.configure(**previous)
    assert len(set(results)) == 1


@pytest.mark.parametrize("case", ["strided", "mixed dtypes", "int", "float16", "small"])
def test_plain_path_for_what_the_kernels_do_not_take(small_blocks, case):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((60, 40))
    grad = rng.standard_normal((60, 40))
    if case == "strided":
        x, grad = x.T, grad.T
    elif case == "mixed dtypes":
        grad = grad.astype(np.float32)
    elif case == "int":
        x, grad = (x * 10).astype(np.int64), grad
    elif case == "float16":
        x, grad = x.astype(np.float16), grad.astype(np.float16)
    else:
        x, grad = x[:5], grad[:5]
    out = kernels.sigmoid(x)
    expected = reference.sigmoid(x)
    assert out.dtype == expected.dtype and out.tobytes() == expected.tobytes()
    vjp, expected_vjp = kernels.sigmoid_vjp(grad, out), plain_vjp(grad, out)
    assert vjp.dtype == expected_vjp.dtype and vjp.tobytes() == expected_vjp.tobytes()
    # Only the forward of float64 x (mixed dtypes), only the VJP of int x's float64 result.
    assert len(small_blocks) == (case in ("mixed dtypes", "int"))


def test_scalars_and_graph_nodes_take_the_plain_expression():
    assert kernels.sigmoid(0.0) == 0.5
    assert isinstance(kernels.sigmoid(np.float32(0.0)), np.float32)
    grad = tg.Tensor(np.ones(3))
    out = tg.Tensor(np.full(3, 0.5), requires_grad=True)
    result = kernels.sigmoid_vjp(grad, out)
    assert isinstance(result, tg.Tensor) and result.op == "mul"
    np.testing.assert_array_equal(result.data, np.full(3, 0.25))


def test_errstate_and_warnings_reach_the_worker_threads(small_blocks):
    x = np.full(4000, -800.0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        out = kernels.sigmoid(x)
    assert (out == 0).all()
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        kernels.sigmoid(x)
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("error")
        kernels.sigmoid(x)


def _sigmoid_sum(queue):
    queue.put(float(kernels.sigmoid(np.zeros(4000)).sum()))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_child_gets_its_own_threads(small_blocks):
    kernels.sigmoid(np.zeros(4000))  # the parent's pool exists now
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sigmoid_sum, args=(queue,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork of a threaded process
        child.start()
    child.join(timeout=30)
    assert child.exitcode == 0 and queue.get(timeout=1) == 2000.0


@pytest.mark.parametrize("setting", ["min_size", "block", "threads"])
@pytest.mark.parametrize("value", [0, -3, 2.5, "8"])
def test_configure_rejects_bad_settings(setting, value):
    before = kernels.configure()
    with pytest.raises(ValueError, match=f"kernels.configure: {setting} must be a positive"):
        kernels.configure(**{setting: value})
    assert kernels.configure() == before


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mlp_training_through_the_kernels_matches_hand_derived_numpy_bit_for_bit(
        small_blocks, dtype):
    rng = np.random.default_rng(3)
    n, sizes = 64, (5, 32, 3)  # the hidden layer (2048 entries) takes the kernels
    x = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = np.eye(sizes[2], dtype=dtype)[rng.integers(0, sizes[2], n)]
    w1_hand = rng.uniform(-0.5, 0.5, sizes[:2]).astype(dtype)
    w2_hand = rng.uniform(-0.5, 0.5, sizes[1:]).astype(dtype)
    w1, w2 = tg.Tensor(w1_hand, requires_grad=True), tg.Tensor(w2_hand, requires_grad=True)
    opt = tg.optim.SGD([w1, w2], lr=0.5)
    for _ in range(25):
        a2 = ((tg.Tensor(x) @ w1).sigmoid() @ w2).sigmoid()
        loss = ((a2 - tg.Tensor(y)) ** 2).sum() / (2 * n)
        opt.zero_grad()
        loss.backward()
        opt.step()
        w1_hand, w2_hand, _ = reference.step(x, y, w1_hand, w2_hand, 0.5)
    assert len(small_blocks) == 2 * 25
    assert w1.data.tobytes() == w1_hand.tobytes() and w2.data.tobytes() == w2_hand.tobytes()


def test_second_derivatives_through_the_kernel_path(small_blocks):
    x = np.random.default_rng(4).standard_normal(1500)
    assert tg.gradgradcheck(lambda t: t.sigmoid() * t, [x])


@pytest.mark.parametrize("fused", [True, False])
def test_vjp_into_an_array_writes_the_same_bits_there(small_blocks, fused):
    if not fused:
        kernels.configure(min_size=2**62)
    x, grad = _inputs((40, 50), np.float64, seed=5)
    with np.errstate(over="ignore"):
        out = kernels.sigmoid(x)
    expected = plain_vjp(grad, out)
    result = kernels.sigmoid_vjp(grad, out, into=grad)
    assert result is grad and result.tobytes() == expected.tobytes()
    wrong = np.empty((40, 50), np.float32)  # a float64 result cannot go there
    result = kernels.sigmoid_vjp(expected, out, into=wrong)
    assert result is not wrong and result.tobytes() == plain_vjp(expected, out).tobytes()
