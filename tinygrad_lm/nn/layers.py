"""Neural-network building blocks over Tensors, with PyTorch's names: Linear, MLP, Sequential.

``Linear`` stores its weight as ``(in_features, out_features)`` and computes ``x @ W + b``,
the orientation of hand-derived backprop (``Z1 = X @ W1``); PyTorch stores the transpose and
computes ``x @ W.T + b``, so ``state_dict()`` exports (and ``load_state_dict`` takes) the
``(out, in)`` transpose. The initialisation is PyTorch's: weight and bias uniform in
``(-1/sqrt(in_features), 1/sqrt(in_features))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from .module import Module
from .module import as_tensor as _as_tensor


class Linear(Module):
    """``x @ weight + bias`` with ``weight`` of shape ``(in_features, out_features)``.

    ``seed`` (an int or a ``np.random.Generator``) makes the initialisation reproducible. The
    repr says the layout held, ``weight=(in, out)``; ``state_dict()`` gives PyTorch's
    ``(out, in)`` transpose, so it loads into ``torch.nn.Linear``.

    >>> layer = Linear(4, 3, seed=0)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
    >>> bool(np.all(np.abs(layer.weight.data) <= 0.5))
    True
    >>> layer
    Linear(in_features=4, out_features=3, bias=True, weight=(in, out))
    >>> layer.weight.shape, layer.state_dict()["weight"].shape
    ((4, 3), (3, 4))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 seed: int | np.random.Generator | None = None):
        for label, size in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
                raise ValueError(f"Linear: {label} must be a positive integer, got {size!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-bound, bound, (in_features, out_features)),
                             requires_grad=True)
        self.bias = (Tensor(rng.uniform(-bound, bound, out_features), requires_grad=True)
                     if bias else None)

    def forward(self, x: Any) -> Tensor:
        features = np.shape(x)[-1] if np.ndim(x) else None
        if features != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}) got input with "
                             f"{features} features (input shape {np.shape(x)})")
        out = _as_tensor(x) @ self.weight
        return out if self.bias is None else out + self.bias

    def _export(self, name: str, array: np.ndarray) -> np.ndarray:
        # PyTorch keeps the transpose, (out_features, in_features).
        return array.T if name == "weight" else array

    def _import(self, name: str, array: np.ndarray) -> np.ndarray:
        return array.T if name == "weight" else array

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}, weight=(in, out)")


class Sigmoid(Module):
    """The logistic function ``1 / (1 + e**-x)``, elementwise.

    >>> Sigmoid()(Tensor([0.0]))
    Tensor([0.5])
    """

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()


class Tanh(Module):
    """The hyperbolic tangent, elementwise.

    >>> Tanh()(Tensor([0.0]))
    Tensor([0.])
    """

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()


class ReLU(Module):
    """``max(x, 0)`` elementwise, with the subgradient 0 at 0 (as PyTorch).

    >>> ReLU()(Tensor([-1.0, 2.0]))
    Tensor([0., 2.])
    """

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).relu()


class Sequential(Module):
    """Modules applied in order; their parameters are named ``"0.weight"``, ``"2.bias"``...

    >>> net = Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=1))
    >>> [name for name, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> net(np.zeros((5, 2))).shape
    (5, 1)
    """

    def __init__(self, *layers: Module):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__}, "
                                f"not a Module")
        self.layers = list(layers)

    def _children(self) -> Iterator[tuple[str, Any]]:
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)



_ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}


class MLP(Sequential):
    """A stack of ``Linear`` layers of the given ``sizes``, with ``activation`` between them.

    The last layer is linear, so the outputs are logits (as ``torchvision.ops.MLP``), ready for
    ``losses.cross_entropy``; ``activate_output=True`` applies ``activation`` to the outputs
    too, as in the textbook sigmoid network that hand-derived backprop is written for. ``seed``
    initialises all layers from one generator.

    >>> net = MLP([4, 5, 3], bias=False, seed=0)
    >>> net
    MLP(
      (0): Linear(in_features=4, out_features=5, bias=False, weight=(in, out))
      (1): Sigmoid()
      (2): Linear(in_features=5, out_features=3, bias=False, weight=(in, out))
    )
    >>> [p.name for p in net.parameters()]
    ['0.weight', '2.weight']
    >>> type(MLP([4, 5, 3], activate_output=True)[-1]).__name__
    'Sigmoid'
    """

    def __init__(self, sizes: list[int] | tuple[int, ...], activation: str = "sigmoid",
                 bias: bool = True, seed: int | np.random.Generator | None = None,
                 activate_output: bool = False):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, "
                             f"got {sizes}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; valid ones are "
                             f"{', '.join(sorted(_ACTIVATIONS))}")
        rng = np.random.default_rng(seed)
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(n_in, n_out, bias=bias, seed=rng))
            if activate_output or i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
        super().__init__(*layers)
