"""Neural-network building blocks over Tensors, with PyTorch's names: Module, Linear, MLP.

A ``Module`` finds its parameters by walking its attributes: leaf Tensors that require grad,
sub-Modules, and lists or tuples of Modules. Each parameter's ``name`` is kept equal to its
path from the outermost module that holds it (``"0.weight"``), so graph drawings label it.

``Linear`` stores its weight as ``(in_features, out_features)`` and computes ``x @ W + b``,
the orientation of hand-derived backprop (``Z1 = X @ W1``); PyTorch stores the transpose and
computes ``x @ W.T + b``. The initialisation is PyTorch's: weight and bias uniform in
``(-1/sqrt(in_features), 1/sqrt(in_features))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor


def _is_parameter(value: Any) -> bool:
    # Only leaves: a Tensor computed from parameters (a cached activation) is not one.
    return isinstance(value, Tensor) and value.requires_grad and value.prim is None


def _is_module_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(v, Module) for v in value)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Module:
    """Base class: subclasses set parameters and sub-modules as attributes and define ``forward``.

    >>> import tinygrad_lm as tg
    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale = tg.Tensor([2.0], requires_grad=True)
    ...         self.inner = Linear(1, 1, seed=0)
    ...     def forward(self, x):
    ...         return self.inner(x) * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale', 'inner.weight', 'inner.bias']
    """

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if _is_parameter(value) or isinstance(value, Module) or _is_module_list(value):
            # Children are built before their parents, so the outermost module to adopt a
            # parameter names it last, with the full path.
            for path, p in self.named_parameters():
                p.name = path

    def _children(self) -> Iterator[tuple[str, Any]]:
        """The attributes that may hold parameters, in the order they were set."""
        return iter(vars(self).items())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every parameter once, with its dotted path: own tensors first, then sub-modules'.

        >>> [(name, p.shape) for name, p in Linear(3, 2, seed=0).named_parameters()]
        [('weight', (3, 2)), ('bias', (2,))]
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            pending = []
            for name, value in module._children():
                full = f"{path}{name}"
                if _is_parameter(value):
                    if id(value) not in seen:
                        seen.add(id(value))
                        yield full, value
                elif isinstance(value, Module):
                    pending.append((f"{full}.", value))
                elif _is_module_list(value):
                    pending.extend((f"{full}.{i}.", m) for i, m in enumerate(value))
            # Depth first, in attribute order: sub-modules are visited after the module's own
            # tensors, as PyTorch does.
            stack.extend(reversed(pending))

    def parameters(self) -> list[Tensor]:
        """The parameters, in the order of ``named_parameters()``.

        >>> sum(p.size for p in MLP([4, 5, 3], seed=0).parameters())
        43
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to ``None`` (PyTorch's default ``set_to_none``).

        >>> layer = Linear(2, 1, seed=0)
        >>> layer(np.ones((1, 2))).sum().backward()
        >>> layer.zero_grad()
        >>> layer.weight.grad is None
        True
        """
        for p in self.parameters():
            p.grad = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Module):
    """``x @ weight + bias`` with ``weight`` of shape ``(in_features, out_features)``.

    ``seed`` (an int or a ``np.random.Generator``) makes the initialisation reproducible.

    >>> layer = Linear(4, 3, seed=0)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
    >>> bool(np.all(np.abs(layer.weight.data) <= 0.5))
    True
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

    def __repr__(self) -> str:
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")


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

    def __repr__(self) -> str:
        lines = [f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers)]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


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
      (0): Linear(in_features=4, out_features=5, bias=False)
      (1): Sigmoid()
      (2): Linear(in_features=5, out_features=3, bias=False)
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
