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


@pytest.fixture(params=LIBRARIES)
def xp(request):
    return pytest.importorskip(request.param)


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
