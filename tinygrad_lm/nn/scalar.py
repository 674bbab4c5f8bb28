"""Micrograd's neural-network lesson over ``Value``s: Neuron, Layer and MLP (``tg.nn.scalar``)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..frontends.value import Value

__all__ = ["Layer", "MLP", "Module", "Neuron"]


def _random_source(seed: int | random.Random | None):
    """Python's global ``random`` when no seed is given, so ``random.seed(s)`` draws the very
    weights micrograd draws; otherwise a private generator that leaves the global one alone."""
    if seed is None:
        return random
    if isinstance(seed, random.Random):
        return seed
    return random.Random(seed)


class Module:
    """The base of every scalar module: its parameters and a way to reset their gradients.

    >>> Module().parameters()
    []
    """

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0, as before each backward of a training step.

        >>> n = Neuron(2, seed=0)
        >>> n([1.0, 2.0]).backward()
        >>> n.zero_grad()
        >>> [p.grad for p in n.parameters()]
        [0.0, 0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """The trainable ``Value``s, in a fixed order.

        >>> len(MLP(2, [3, 1], seed=0).parameters())
        13
        """
        return []


class Neuron(Module):
    """w . x + b, then relu unless ``nonlin=False``; weights uniform in [-1, 1], bias 0.

    ``seed``: ``None`` draws from Python's global ``random`` (micrograd's behaviour); an int or
    a ``random.Random`` draws from that generator instead.

    >>> n = Neuron(2, nonlin=False, seed=0)
    >>> n
    LinearNeuron(2)
    >>> out = n([1.0, -1.0])
    >>> out.data == n.w[0].data - n.w[1].data
    True
    """

    def __init__(self, nin: int, nonlin: bool = True, *,
                 seed: int | random.Random | None = None):
        rng = _random_source(seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        # Summed from the bias, one term at a time, in micrograd's order: same bits as micrograd.
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; keyword arguments go to every ``Neuron``.

    Returns a list of ``nout`` Values, or the Value itself when ``nout == 1`` (as micrograd).

    >>> layer = Layer(2, 3, seed=0)
    >>> layer
    Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)]
    >>> len(layer([1.0, 2.0]))
    3
    """

    def __init__(self, nin: int, nout: int, **kwargs):
        seed = kwargs.pop("seed", None)
        rng = seed if seed is None else _random_source(seed)
        self.neurons = [Neuron(nin, seed=rng, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nin -> nouts[0] -> ... -> nouts[-1]``, relu between, linear at the end.

    >>> model = MLP(2, [4, 1], seed=0)
    >>> model
    MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], \
Layer of [LinearNeuron(4)]]
    >>> score = model([0.5, -1.0])
    >>> score.backward()
    >>> len(model.parameters()), type(score.data).__name__
    (17, 'float')
    """

    def __init__(self, nin: int, nouts: Sequence[int], *,
                 seed: int | random.Random | None = None):
        rng = seed if seed is None else _random_source(seed)
        sz = [nin] + list(nouts)
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1, seed=rng)
                       for i in range(len(nouts))]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
