"""tg.nn.scalar: micrograd's Neuron/Layer/MLP over Values, and the scalar moons example."""

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from benchmarks import micrograd_reference
from tinygrad_lm.nn import scalar as nn_scalar
from tinygrad_lm.nn.scalar import MLP, Layer, Neuron

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scalar_moons.py"


def test_exposed_as_tg_nn_scalar():
    assert tg.nn.scalar is nn_scalar


def test_shapes_init_and_repr():
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert all(isinstance(p, tg.Value) for p in model.parameters())
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    assert all(-1.0 <= w <= 1.0 for w in weights) and len(set(weights)) == len(weights)
    assert set(biases) == {0.0}
    assert [n.nonlin for layer in model.layers for n in layer.neurons][-1] is False
    assert repr(Neuron(3, nonlin=False, seed=0)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2, seed=0)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"
    assert repr(MLP(1, [1], seed=0)) == "MLP of [Layer of [LinearNeuron(1)]]"


def test_seed_is_reproducible_and_leaves_global_random_alone():
    random.seed(5)
    expected = random.random()
    random.seed(5)
    a, b = MLP(2, [4, 1], seed=7), MLP(2, [4, 1], seed=7)
    assert random.random() == expected
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in MLP(2, [4, 1], seed=8).parameters()]


def test_layer_of_one_neuron_returns_the_value():
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), tg.Value)
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_neuron_forward_and_gradients():
    n = Neuron(3, seed=1)
    x = [tg.Value(v) for v in (0.5, -1.0, 2.0)]
    out = n(x)
    pre = sum(w.data * xi.data for w, xi in zip(n.w, x)) + n.b.data
    assert out.data == max(pre, 0.0)
    out.backward()
    active = 1.0 if pre > 0 else 0.0
    assert [w.grad for w in n.w] == [active * xi.data for xi in x]
    assert n.b.grad == active
    assert [xi.grad for xi in x] == [active * w.data for w in n.w]


def test_zero_grad():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def _outputs_and_grads(model, value_cls, points):
    loss = 0.0
    outputs = []
    for row in points:
        score = model([value_cls(v) for v in row])
        outputs.append(score.data)
        loss = loss + (1 + -score).relu() + score * score
    model.zero_grad()
    loss.backward()
    return outputs, [p.grad for p in model.parameters()]


@pytest.fixture(params=["micrograd", "reference"])
def micrograd_nn(request):
    """micrograd's nn and Value when installed; always the in-repo reference written its way."""
    if request.param == "micrograd":
        nn = pytest.importorskip("micrograd.nn")
        return nn, pytest.importorskip("micrograd.engine").Value
    return micrograd_reference, micrograd_reference.Value


def test_same_weights_outputs_and_grads_as_micrograd(micrograd_nn):
    their_nn, their_value = micrograd_nn
    random.seed(1337)
    theirs = their_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]
    points = np.random.default_rng(0).uniform(-1.5, 1.5, (8, 2)).tolist()
    our_out, our_grads = _outputs_and_grads(ours, tg.Value, points)
    their_out, their_grads = _outputs_and_grads(theirs, their_value, points)
    assert our_out == their_out
    # Each weight's gradient sums one term per point; micrograd orders terms by set iteration.
    np.testing.assert_allclose(our_grads, their_grads, rtol=1e-12, atol=1e-15)


def test_repr_as_micrograd():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(0)
    theirs = micrograd_nn.MLP(3, [4, 2, 1])
    assert repr(MLP(3, [4, 2, 1], seed=0)) == repr(theirs)


def _load_example():
    spec = importlib.util.spec_from_file_location("scalar_moons", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scalar_moons_example_reaches_full_training_accuracy(monkeypatch, capsys):
    example = _load_example()
    monkeypatch.setattr(sys, "argv", ["scalar_moons.py", "--steps", "30"])
    example.main()
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert "337 parameters" in lines[0]
    assert lines[1].startswith("step   0") and "accuracy" in lines[1]
    steps = [int(line.split()[1]) for line in lines if line.startswith("step")]
    losses = [float(line.split()[3]) for line in lines if line.startswith("step")]
    assert steps == [0, 10, 20, 29]                  # a summary, not a line a step
    assert losses[-1] < losses[0] / 3
    assert lines[-1] == "100% training accuracy first reached at step 29"
