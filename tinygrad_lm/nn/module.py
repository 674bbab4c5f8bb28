"""``Module``: parameters, buffers, train/eval mode and state dicts with PyTorch's keys.

A ``Module`` finds its parameters by walking its attributes: leaf Tensors that require grad,
sub-Modules, and lists or tuples of Modules. Each parameter's ``name`` is kept equal to its
path from the outermost module that holds it (``"0.weight"``), so graph drawings label it.
Buffers (``running_mean``...) are Tensors registered with ``register_buffer``: saved in the
state dict, never optimized. Subclasses need not call ``super().__init__()``: the state a
Module keeps (its mode, its buffer names) is created on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..frontends.tensor import Tensor


def _is_parameter(value: Any) -> bool:
    # Only leaves: a Tensor computed from parameters (a cached activation) is not one.
    return isinstance(value, Tensor) and value.requires_grad and value.prim is None


def _is_module_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(v, Module) for v in value)


def as_tensor(x: Any) -> Tensor:
    """``x`` itself when it is a Tensor, else a constant Tensor of it.

    >>> as_tensor([1.0])
    Tensor([1.])
    """
    return x if isinstance(x, Tensor) else Tensor(x)


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` did not match, as PyTorch's ``_IncompatibleKeys``.

    >>> IncompatibleKeys(["bias"], []).missing_keys
    ['bias']
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class: subclasses set parameters and sub-modules as attributes and define ``forward``.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.nn import Linear
    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale = tg.Tensor([2.0], requires_grad=True)
    ...         self.inner = Linear(1, 1, seed=0)
    ...     def forward(self, x):
    ...         return self.inner(x) * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale', 'inner.weight', 'inner.bias']
    """

    # A class attribute, so modules built without Module.__init__ start in training mode.
    training = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__.get("_buffer_names", ()) and value is not None:
            value = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
        object.__setattr__(self, name, value)
        is_buffer = name in self.__dict__.get("_buffer_names", ())
        if (_is_parameter(value) or is_buffer or isinstance(value, Module)
                or _is_module_list(value)):
            # Children are built before their parents, so the outermost module to adopt a
            # parameter (or buffer) names it last, with the full path, for drawings.
            for path, _, _, t in self._state_entries():
                t.name = path

    def _children(self) -> Iterator[tuple[str, Any]]:
        """The attributes that may hold parameters, in the order they were set."""
        return iter(vars(self).items())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their attribute names (``"0"``, ``"1"`` in a Sequential).

        >>> from tinygrad_lm.nn import Linear, Sequential, Tanh
        >>> [name for name, _ in Sequential(Linear(2, 2), Tanh()).named_children()]
        ['0', '1']
        """
        for name, value in self._children():
            if isinstance(value, Module):
                yield name, value
            elif _is_module_list(value):
                yield from ((f"{name}.{i}", m) for i, m in enumerate(value))

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every sub-module, depth first, as PyTorch.

        >>> from tinygrad_lm.nn import Linear, Sequential, Tanh
        >>> [name for name, _ in Sequential(Linear(2, 2), Tanh()).named_modules()]
        ['', '0', '1']
        """
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            yield path, module
            stack.extend(reversed([(f"{path}.{name}" if path else name, child)
                                   for name, child in module.named_children()]))

    def modules(self) -> list[Module]:
        """This module and every sub-module, in the order of ``named_modules()``.

        >>> from tinygrad_lm.nn import Linear
        >>> len(Linear(2, 2).modules())
        1
        """
        return [m for _, m in self.named_modules()]

    def _own_parameters(self) -> Iterator[tuple[str, Tensor]]:
        return ((name, value) for name, value in self._children() if _is_parameter(value))

    def _own_buffers(self) -> Iterator[tuple[str, Tensor]]:
        names = self.__dict__.get("_buffer_names", ())
        return ((name, value) for name, value in self._children()
                if name in names and isinstance(value, Tensor))

    def _named_members(self, own, prefix: str = "") -> Iterator[tuple[str, Module, str, Tensor]]:
        """(dotted key, owning module, attribute name, tensor) for each tensor ``own(module)``
        yields, every tensor once, module by module in the order of ``named_modules()``."""
        seen: set[int] = set()
        for path, module in self.named_modules(prefix.rstrip(".")):
            for name, value in own(module):
                if id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{path}.{name}" if path else name), module, name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every parameter once, with its dotted path: own tensors first, then sub-modules'.

        >>> from tinygrad_lm.nn import Linear
        >>> [(name, p.shape) for name, p in Linear(3, 2, seed=0).named_parameters()]
        [('weight', (3, 2)), ('bias', (2,))]
        """
        return ((key, p) for key, _, _, p in self._named_members(Module._own_parameters, prefix))

    def parameters(self) -> list[Tensor]:
        """The parameters, in the order of ``named_parameters()``.

        >>> from tinygrad_lm.nn import MLP
        >>> sum(p.size for p in MLP([4, 5, 3], seed=0).parameters())
        43
        """
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name: str, value: Any) -> None:
        """Keep ``value`` (an array or Tensor, or None) as a buffer: in the state dict, not a
        parameter. It is stored as a Tensor that requires no grad, reachable as ``self.name``.

        >>> m = Module()
        >>> m.register_buffer("count", np.array(0))
        >>> [(name, b.item()) for name, b in m.named_buffers()]
        [('count', 0)]
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"register_buffer: name must be an identifier, got {name!r}")
        if isinstance(value, Tensor) and value.requires_grad:
            raise ValueError(f"register_buffer: buffer {name!r} requires grad; a buffer is not "
                             f"trained (detach it, or make it a parameter)")
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        setattr(self, name, value)

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every buffer once, with its dotted path, in the order of the modules.

        >>> from tinygrad_lm.nn import BatchNorm1d
        >>> [name for name, _ in BatchNorm1d(3).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return ((key, b) for key, _, _, b in self._named_members(Module._own_buffers, prefix))

    def buffers(self) -> list[Tensor]:
        """The buffers, in the order of ``named_buffers()``.

        >>> Module().buffers()
        []
        """
        return [b for _, b in self.named_buffers()]

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and every
        sub-module; returns the module, as PyTorch.

        >>> from tinygrad_lm.nn import Dropout, Sequential
        >>> net = Sequential(Dropout(0.5)).train(False)
        >>> net.training, net[0].training
        (False, False)
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)`` (dropout off, batch norm uses running statistics).

        >>> from tinygrad_lm.nn import Dropout
        >>> Dropout().eval().training
        False
        """
        return self.train(False)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to ``None`` (PyTorch's default ``set_to_none``).

        >>> from tinygrad_lm.nn import Linear
        >>> layer = Linear(2, 1, seed=0)
        >>> layer(np.ones((1, 2))).sum().backward()
        >>> layer.zero_grad()
        >>> layer.weight.grad is None
        True
        """
        for p in self.parameters():
            p.grad = None

    def to(self, xp: Any) -> Module:
        """Move every parameter and buffer (and gradient) to the array namespace ``xp``, in
        place, and return the module, as PyTorch's ``model.to(device)``: ``model.to(torch)``,
        ``model.to(array_api_strict)``, ``model.to(numpy)``. The parameters stay the same
        Tensors, so an optimiser made before keeps them; its state follows at its next step.

        >>> import array_api_strict as xps
        >>> from tinygrad_lm.nn import Linear
        >>> layer = Linear(2, 1, seed=0).to(xps)
        >>> layer.weight.xp.__name__, layer(xps.ones((3, 2))).shape
        ('array_api_strict', (3, 1))
        """
        for _, _, _, tensor in self._state_entries():
            tensor.data = tensor.to(xp).data
            if tensor.grad is not None:
                grad = tensor.grad.data if isinstance(tensor.grad, Tensor) else tensor.grad
                tensor.grad = Tensor(grad).to(xp).data
        return self

    # State dicts ------------------------------------------------------------------------------

    def _export(self, name: str, array: np.ndarray) -> np.ndarray:
        """The array as PyTorch's module holds it (a layer with another layout overrides this)."""
        return array

    def _import(self, name: str, array: np.ndarray) -> np.ndarray:
        """The inverse of ``_export``: PyTorch's layout back to this module's."""
        return array

    def _state_entries(self) -> Iterator[tuple[str, Module, str, Tensor]]:
        """Each module's parameters, then its buffers, then its sub-modules', as PyTorch orders
        a state dict."""
        return self._named_members(lambda m: (*m._own_parameters(), *m._own_buffers()))

    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameters and buffers as copies of their arrays, with PyTorch's keys and layouts,
        as numpy arrays whatever library the module is on.

        >>> from tinygrad_lm.nn import Linear
        >>> {k: v.shape for k, v in Linear(3, 2, seed=0).state_dict().items()}
        {'weight': (2, 3), 'bias': (2,)}
        """
        return {key: np.array(module._export(name, tensor.numpy()))
                for key, module, name, tensor in self._state_entries()}

    def load_state_dict(self, state_dict: Mapping[str, Any],
                        strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (PyTorch's keys and layouts) into the parameters and buffers, in place.

        Mis-shaped entries are always an error; missing and unexpected keys are an error when
        ``strict``, and otherwise returned, as PyTorch does.

        >>> from tinygrad_lm.nn import Linear
        >>> a, b = Linear(3, 2, seed=0), Linear(3, 2, seed=1)
        >>> b.load_state_dict(a.state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> bool(np.array_equal(a.weight.data, b.weight.data))
        True
        """
        where = f"load_state_dict for {type(self).__name__}"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a mapping of names to arrays, got a "
                            f"{type(state_dict).__name__}")
        entries = {key: rest for key, *rest in self._state_entries()}
        missing = [k for k in entries if k not in state_dict]
        unexpected = [k for k in state_dict if k not in entries]
        problems, updates = [], []
        for key, (module, name, tensor) in entries.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            array = np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach")
                               and hasattr(value, "cpu") else value)
            if array.dtype.kind not in "biuf":
                problems.append(f"{key} holds {array.dtype} data, not numbers")
                continue
            expected = tuple(module._export(name, tensor.data).shape)
            if array.shape != expected:
                problems.append(f"size mismatch for {key}: the state dict has shape "
                                f"{array.shape}, the module expects {expected}")
                continue
            updates.append((tensor, module._import(name, array)))
        if strict:
            problems = ([f"missing key(s): {', '.join(missing)}"] if missing else []) + (
                [f"unexpected key(s): {', '.join(unexpected)}"] if unexpected else []) + problems
        if problems:
            raise ValueError(f"{where}: " + "; ".join(problems))
        for tensor, array in updates:
            if type(tensor.data) is np.ndarray:
                tensor.data[...] = array
            else:  # another library's array: a new one there, of the same dtype
                tensor.data = Tensor(np.asarray(array, tensor.dtype)).to(tensor.xp).data
        return IncompatibleKeys(missing, unexpected)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        """The arguments shown inside the module's repr, as PyTorch's ``extra_repr``."""
        return ""

    def __repr__(self) -> str:
        """The class, its ``extra_repr()`` and its sub-modules one per line, as PyTorch prints.

        >>> from tinygrad_lm.nn import Linear, Sequential, Tanh
        >>> Sequential(Linear(2, 1), Tanh())
        Sequential(
          (0): Linear(in_features=2, out_features=1, bias=True, weight=(in, out))
          (1): Tanh()
        )
        """
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr()] if self.extra_repr() else []
        lines += [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in children]
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
