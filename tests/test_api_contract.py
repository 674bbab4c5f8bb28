"""API.md, line by line: the contract lines no other test module pins down on its own."""

import configparser
import importlib
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import Tensor
from tinygrad_lm.cli.commands import main

ROOT = Path(__file__).resolve().parent.parent

_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a ** b,
}


def _other(kind, data):
    return {"number": 1.5, "int": 2, "ndarray": data, "tensor": Tensor(data),
            "tensor_grad": Tensor(data, requires_grad=True)}[kind]


@pytest.mark.parametrize("kind", ["number", "int", "ndarray", "tensor", "tensor_grad"])
@pytest.mark.parametrize("op", sorted(_OPS))
def test_operators_and_reflected_forms_take_tensors_arrays_and_numbers(op, kind):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 2.0, size=(3, 4))
    b = rng.uniform(0.5, 2.0, size=(4,))
    f = _OPS[op]
    x = Tensor(a, requires_grad=True)
    other = _other(kind, b)
    raw = other.data if isinstance(other, Tensor) else other
    left, right = f(x, other), f(other, x)
    assert isinstance(left, Tensor) and isinstance(right, Tensor)
    np.testing.assert_allclose(left.data, f(a, raw))
    np.testing.assert_allclose(right.data, f(raw, a))
    (left.sum() + right.sum()).backward()
    assert x.grad.shape == a.shape
    if kind == "tensor_grad":
        assert other.grad.shape == b.shape
        numeric = tg.numerical_grad(lambda y: f(Tensor(a), y).sum() + f(y, Tensor(a)).sum(), [b])
        np.testing.assert_allclose(other.grad, numeric[0], rtol=1e-6)


def test_power_with_a_tensor_exponent_differentiates_both_sides():
    base = Tensor([0.5, 2.0], requires_grad=True)
    exponent = Tensor(3.0, requires_grad=True)
    (base ** exponent).sum().backward()
    np.testing.assert_allclose(base.grad, 3 * base.data ** 2)
    np.testing.assert_allclose(exponent.grad, (base.data ** 3 * np.log(base.data)).sum())


def test_grad_keeps_the_leaf_dtype_when_a_float64_operand_promotes_the_output():
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = x * np.ones(3)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (2, 3)


@pytest.mark.parametrize("grad", [None, np.ones(3), Tensor(np.ones(3))],
                         ids=["omitted", "ndarray", "tensor"])
def test_backward_errors_name_the_output_shape(grad):
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(2,\)"):
        y.backward(grad)


def test_backward_accepts_a_tensor_grad_of_the_output_shape():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(Tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 30.0])


_ON_A_JUMP = [
    ("gt", lambda a: a > 1.0, 1.0), ("ge", lambda a: a >= 1.0, 1.0),
    ("lt", lambda a: a < 1.0, 1.0), ("le", lambda a: a <= 1.0, 1.0),
    ("eq", lambda a: a == 1.0, 1.0), ("ne", lambda a: a != 1.0, 1.0),
    ("round", Tensor.round, 0.5), ("floor", Tensor.floor, 2.0), ("sign", Tensor.sign, 0.0),
]


@pytest.mark.parametrize("name, step, jump", _ON_A_JUMP, ids=[c[0] for c in _ON_A_JUMP])
def test_strict_mode_is_nan_exactly_on_the_jump_and_zero_by_default(name, step, jump):
    for undefined, expected in (("nan", [np.nan, 0.0]), ("zero", [0.0, 0.0])):
        x = Tensor([jump, jump + 0.25], requires_grad=True)
        with pytest.warns(tg.ZeroGradientWarning, match=name):
            step(x).sum().backward(undefined=undefined)
        np.testing.assert_array_equal(x.grad, expected)


def test_argmax_strict_mode_marks_tied_rows_only():
    x = Tensor([[1.0, 1.0], [1.0, 2.0]], requires_grad=True)
    with pytest.warns(tg.ZeroGradientWarning, match="argmax"):
        x.argmax(axis=1).sum().backward(undefined="nan")
    assert np.isnan(x.grad[0]).all() and not x.grad[1].any()


@pytest.mark.parametrize("out, target", [(1, np.array([0, 1, 1, 0])),
                                         (1, np.array([[0], [1], [1], [0]])),
                                         (3, np.array([0, 2, 1, 1])),
                                         (3, np.eye(3)[[0, 2, 1, 1]]),
                                         (3, Tensor(np.array([0, 2, 1, 1])))],
                         ids=["binary", "binary_column", "labels", "one_hot", "tensor_labels"])
def test_accuracy_gives_every_parameter_an_all_zero_grad(out, target):
    model = tg.nn.MLP([2, 4, out], seed=0)
    x = Tensor(np.random.default_rng(1).normal(size=(4, 2)), requires_grad=True)
    acc = tg.metrics.accuracy(model(x), target)
    assert isinstance(acc, Tensor) and acc.shape == ()
    with pytest.warns(tg.ZeroGradientWarning):
        acc.backward()
    for p in [x, *model.parameters()]:
        assert p.grad is not None and p.grad.shape == p.shape and not p.grad.any()


def test_cross_entropy_takes_tensor_targets_as_indices_or_probabilities():
    logits = np.random.default_rng(2).normal(size=(4, 3))
    labels = np.array([0, 2, 1, 1])
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    by_index = tg.losses.cross_entropy(Tensor(logits), Tensor(labels), reduction="none")
    np.testing.assert_allclose(by_index.data, -logp[np.arange(4), labels])
    probs = Tensor(np.eye(3)[labels])
    by_probs = tg.losses.cross_entropy(Tensor(logits), probs, reduction="sum")
    np.testing.assert_allclose(by_probs.data, -logp[np.arange(4), labels].sum())


def test_gradcheck_returns_false_without_raising_on_request():
    def kinked(x):
        return x.relu().sum()

    assert tg.gradcheck(kinked, [np.array([0.0, 1.0])], raise_exception=False) is False
    assert tg.gradcheck(kinked, [np.array([-1.0, 1.0])]) is True


def test_grad_and_value_and_grad_take_tensors_and_return_arrays():
    rng = np.random.default_rng(3)
    X, w = rng.normal(size=(5, 2)), rng.normal(size=2)

    def loss(X, w):
        return ((X @ w) ** 2).sum()

    g = tg.grad(loss, argnums=1)(Tensor(X), Tensor(w))
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, 2 * X.T @ (X @ w))
    value, (gX, gw) = tg.value_and_grad(loss, argnums=(0, 1))(X, w)
    np.testing.assert_allclose(float(value), ((X @ w) ** 2).sum())
    assert type(gX) is np.ndarray and gX.shape == X.shape and gw.shape == w.shape


def test_make_moons_takes_n_noise_seed_positionally():
    X, y = tg.datasets.make_moons(50, 0.2, 7)
    X2, _ = tg.datasets.make_moons(n=50, noise=0.2, seed=7)
    assert X.shape == (50, 2) and y.shape == (50,) and y.dtype.kind == "i"
    np.testing.assert_array_equal(X, X2)


def test_console_script_points_at_the_cli_main():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    entries = config["options.entry_points"]["console_scripts"].strip().splitlines()
    name, target = (part.strip() for part in entries[0].split("="))
    module, func = target.split(":")
    assert name == "tinygrad-lm"
    assert getattr(importlib.import_module(module), func) is main


def test_bench_command_runs_and_prints_a_table(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["bench", "--quick", "--only", "draw"]) == 0
    out = capsys.readouterr().out
    assert "== draw ==" in out and "Tensor chain" in out


def test_create_graph_grad_keeps_the_leaf_dtype_under_promotion():
    x = tg.Tensor(np.ones(2, np.float32), requires_grad=True)
    (x * x * np.float64(2)).sum().backward(create_graph=True)
    assert isinstance(x.grad, tg.Tensor) and x.grad.dtype == np.float32
    second = x.grad
    x.grad = None
    second.sum().backward()
    assert x.grad.dtype == np.float32 and np.array_equal(x.grad, [4.0, 4.0])


def test_astype_casts_forward_and_back():
    y = tg.Tensor([1.0, 2.0], requires_grad=True)
    z = y.astype(np.float32)
    (z * z).sum().backward()
    assert z.dtype == np.float32 and y.grad.dtype == np.float64
    assert np.array_equal(y.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="astype"):
        y.astype(np.int64)
