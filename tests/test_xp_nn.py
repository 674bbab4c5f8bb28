"""Modules, losses and optimisers on other array libraries: Module.to, optimiser state that
follows its parameters, and examples/train_digits.py unchanged on numpy, torch and strict."""

import runpy
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import backend as B

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ["array_api_strict", "torch"]




def _batch(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(16, 5)), rng.integers(0, 3, size=16)


def _steps(model, optimizer, x, y, n=3):
    losses = []
    for _ in range(n):
        loss = tg.losses.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("make", [
    lambda ps: tg.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
    lambda ps: tg.optim.Adam(ps, lr=0.05, weight_decay=0.01),
    lambda ps: tg.optim.AdamW(ps, lr=0.05),
], ids=["sgd", "adam", "adamw"])
def test_module_to_and_every_optimiser_match_numpy(xp, make):
    x, y = _batch()
    ref = tg.nn.MLP([5, 8, 3], activation="tanh", seed=1)
    want = _steps(ref, make(ref.parameters()), x, y)
    model = tg.nn.MLP([5, 8, 3], activation="tanh", seed=1).to(xp)
    got = _steps(model, make(model.parameters()), tg.Tensor(x).to(xp), y)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        assert B.library_name(p.data) == B.library_name(xp.asarray(0.0)), name
        np.testing.assert_allclose(p.numpy(), q.data, rtol=1e-12, atol=1e-15)


def test_optimiser_state_follows_a_model_moved_between_steps(xp):
    x, y = _batch(2)
    ref = tg.nn.MLP([5, 8, 3], seed=4)
    ref_opt = tg.optim.Adam(ref.parameters(), lr=0.05)
    want = _steps(ref, ref_opt, x, y, n=4)
    model = tg.nn.MLP([5, 8, 3], seed=4)
    optimizer = tg.optim.Adam(model.parameters(), lr=0.05)
    got = _steps(model, optimizer, x, y, n=2)                     # two steps on numpy,
    model.to(xp)                                                  # then moved:
    got += _steps(model, optimizer, tg.Tensor(x).to(xp), y, n=2)  # the moments follow
    np.testing.assert_allclose(got, want, rtol=1e-12)
    model.to(np)
    assert all(type(p.data) is np.ndarray for p in model.parameters())


def test_state_dict_is_numpy_and_loads_into_a_moved_module(xp):
    a = tg.nn.Linear(3, 2, seed=0).to(xp)
    state = a.state_dict()
    assert all(type(v) is np.ndarray for v in state.values())
    b = tg.nn.Linear(3, 2, seed=5).to(xp)
    b.load_state_dict(state)
    assert B.library_name(b.weight.data) == B.library_name(a.weight.data)
    np.testing.assert_array_equal(b.weight.numpy(), a.weight.numpy())


def test_to_refuses_what_is_not_a_namespace():
    with pytest.raises(TypeError, match="to: expected an array namespace"):
        tg.nn.Linear(2, 1).to("torch")


def test_train_digits_runs_unchanged_on_three_libraries():
    train = runpy.run_path(str(ROOT / "examples" / "train_digits.py"))["train"]
    runs = {}
    for xp in ("numpy", *LIBRARIES):
        if xp == "torch":
            pytest.importorskip("torch")
        runs[xp] = train(epochs=1, batch_size=256, xp=xp, log=lambda line: None)
    for xp, history in runs.items():
        for key, values in history.items():
            np.testing.assert_allclose(values, runs["numpy"][key], rtol=1e-12, err_msg=xp)


RNG = np.random.default_rng(3)
X0, IMG0 = RNG.normal(size=(4, 3)), RNG.normal(size=(2, 3, 4, 4))
HOT = np.eye(3)[RNG.integers(0, 3, 4)]
F = tg.functional

# name -> f(x, img, to): ``to`` puts a numpy array in the library under test.
FUNCTIONAL = {
    "dropout (same seed, same mask)": lambda x, img, to: F.dropout(x, 0.5, training=True, rng=0),
    "batch_norm with running stats": lambda x, img, to: F.batch_norm(
        x, to(np.zeros(3)), to(np.ones(3)), training=True),
    "batch_norm in evaluation": lambda x, img, to: F.batch_norm(
        x, to(np.full(3, 0.1)), to(np.full(3, 2.0)), training=False),
    "layer_norm": lambda x, img, to: F.layer_norm(x, 3),
    "avg_pool2d": lambda x, img, to: F.avg_pool2d(img, 2),
    "max_pool2d": lambda x, img, to: F.max_pool2d(img, 2),
    "where with constants": lambda x, img, to: tg.where(x > 0, x, 0.5),
    "softmax": lambda x, img, to: F.softmax(x, axis=1),
    "mse": lambda x, img, to: tg.losses.mse(x, to(HOT)),
    "binary_cross_entropy_with_logits": lambda x, img, to:
        tg.losses.binary_cross_entropy_with_logits(x, to(HOT)),
    "cross_entropy of probabilities": lambda x, img, to: tg.losses.cross_entropy(x, to(HOT)),
    "hinge": lambda x, img, to: tg.losses.hinge(x, to(2 * HOT - 1)),
}


@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_functional_ops_and_losses_match_numpy(xp, name):
    f = FUNCTIONAL[name]
    ours = [tg.Tensor(B.to_namespace(a, xp), requires_grad=True) for a in (X0, IMG0)]
    ref = [tg.Tensor(a, requires_grad=True) for a in (X0, IMG0)]
    out = f(*ours, lambda a: B.to_namespace(a, xp))
    want = f(*ref, lambda a: a)
    assert B.library_name(out.data) == B.library_name(xp.asarray(0.0))
    np.testing.assert_allclose(out.numpy(), want.data, rtol=1e-12, atol=1e-15)
    (out * B.to_namespace(np.linspace(0.5, 1.5, want.size).reshape(want.shape), xp)).sum() \
        .backward()
    (want * np.linspace(0.5, 1.5, want.size).reshape(want.shape)).sum().backward()
    for a, b in zip(ours, ref):
        if b.grad is not None:
            np.testing.assert_allclose(B.to_numpy(a.grad), b.grad, rtol=1e-12, atol=1e-15)


def test_batch_norm_module_moves_its_buffers_and_updates_them_in_place(xp):
    ref, moved = tg.nn.BatchNorm2d(3), tg.nn.BatchNorm2d(3).to(xp)
    for _ in range(2):
        ref(tg.Tensor(IMG0))
        moved(tg.Tensor(B.to_namespace(IMG0, xp)))
    assert B.library_name(moved.running_mean.data) == B.library_name(xp.asarray(0.0))
    np.testing.assert_allclose(moved.running_var.numpy(), ref.running_var.data, rtol=1e-12)
    moved.eval(), ref.eval()
    np.testing.assert_allclose(moved(tg.Tensor(B.to_namespace(IMG0, xp))).numpy(),
                               ref(tg.Tensor(IMG0)).data, rtol=1e-12, atol=1e-15)
