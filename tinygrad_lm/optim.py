"""Optimizers with PyTorch's names and update formulas: SGD (momentum, Nesterov), Adam, AdamW.

Updates are written in place into each parameter's ``data``, so a module keeps its tensors.
A parameter whose ``grad`` is ``None`` is skipped, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .core import backend as B
from .frontends.tensor import Tensor

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


class Optimizer:
    """Base class: checks and holds the parameters; ``zero_grad()`` resets their gradients.

    >>> w = Tensor([1.0], requires_grad=True)
    >>> len(Optimizer([w]).params)
    1
    """

    def __init__(self, params: Iterable[Tensor]):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors, got a single "
                            f"Tensor; pass [tensor]")
        try:
            params = list(params)
        except TypeError as e:
            raise TypeError(f"{name}: params must be an iterable of Tensors, got a "
                            f"{type(params).__name__}") from e
        if not params:
            raise ValueError(f"{name}: got no parameters to optimize (an empty list; did the "
                             f"model's parameters() come out empty?)")
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor")
            if not p.requires_grad:
                raise ValueError(f"{name}: parameter {i} (shape {p.shape}, dtype {p.dtype}) "
                                 f"does not require grad; create it with requires_grad=True")
            if p.prim is not None:
                raise ValueError(f"{name}: parameter {i} is the result of {p.prim.name}, not "
                                 f"a leaf; optimize the tensors it was computed from")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{name}: a parameter appears more than once")
        self.params = params

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to ``None`` (PyTorch's default).

        >>> w = Tensor([1.0], requires_grad=True)
        >>> (w * 3).sum().backward()
        >>> opt = Optimizer([w]); opt.zero_grad(); w.grad is None
        True
        """
        for p in self.params:
            p.grad = None

    def _gradients(self):
        """(parameter, gradient array) for every parameter that has a gradient."""
        for p in self.params:
            if p.grad is not None:
                g = p.grad.data if isinstance(p.grad, Tensor) else p.grad
                yield p, g


def _follow(state: Any, p: Tensor) -> Any:
    """An optimiser's state array in its parameter's library: moved there if ``model.to``
    moved the parameter since the state was made."""
    if type(state) is type(p.data):
        return state
    return B.to_namespace(state, p.xp)


def _copy(g: Any, p: Tensor) -> Any:
    """A copy of the gradient ``g`` in ``p``'s dtype and library."""
    if type(p.data) is np.ndarray:
        return np.array(g, dtype=p.dtype)
    return p.xp.astype(g, p.data.dtype, copy=True)


def _check_rate(name: str, label: str, value: float, upper: float | None = None) -> float:
    value = float(value)
    if not value >= 0.0 or (upper is not None and not value < upper):
        bounds = f"in [0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{name}: {label} must be {bounds}, got {value}")
    return value


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (heavy-ball) momentum, as ``torch.optim.SGD``.

    Without momentum: ``p -= lr * g``. With momentum ``mu``: ``b = g`` on the first step, then
    ``b = mu * b + g``, and ``p -= lr * b`` (``p -= lr * (g + mu * b)`` with ``nesterov``).
    ``weight_decay`` adds ``weight_decay * p`` to ``g`` first (L2 regularisation).

    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward()          # grad = 2w = [2, -4]
    >>> opt.step()
    >>> w
    Tensor([ 0.8, -1.6], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params)
        self.lr = _check_rate("SGD", "lr", lr)
        self.momentum = _check_rate("SGD", "momentum", momentum)
        self.weight_decay = _check_rate("SGD", "weight_decay", weight_decay)
        if nesterov and not self.momentum:
            raise ValueError("SGD: nesterov=True needs a momentum > 0, got momentum=0")
        self.nesterov = bool(nesterov)
        self._buffers: dict[int, np.ndarray] = {}

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for p, g in self._gradients():
            if self.weight_decay:
                g = g + self.weight_decay * p.data
            if self.momentum:
                buf = self._buffers.get(id(p))
                if buf is None:
                    buf = self._buffers[id(p)] = _copy(g, p)
                else:
                    buf = self._buffers[id(p)] = _follow(buf, p)
                    buf *= self.momentum
                    buf += g
                g = g + self.momentum * buf if self.nesterov else buf
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, following ``torch.optim.Adam``'s formulas.

    At step t: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, and
    ``p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)``. ``weight_decay`` adds
    ``weight_decay * p`` to ``g`` first (L2, coupled; ``AdamW`` decouples it).

    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()                      # the first step moves each entry by about lr
    >>> np.round(w.data, 6)
    array([ 0.9, -1.9])
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params)
        name = type(self).__name__
        self.lr = _check_rate(name, "lr", lr)
        beta1, beta2 = betas
        self.betas = (_check_rate(name, "betas[0]", beta1, 1.0),
                      _check_rate(name, "betas[1]", beta2, 1.0))
        self.eps = _check_rate(name, "eps", eps)
        self.weight_decay = _check_rate(name, "weight_decay", weight_decay)
        self._state: dict[int, list] = {}

    def _decay(self, p: Tensor, g: np.ndarray) -> np.ndarray:
        """The gradient Adam's moments see: with the L2 term added."""
        return g + self.weight_decay * p.data if self.weight_decay else g

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        beta1, beta2 = self.betas
        for p, g in self._gradients():
            g = self._decay(p, g)
            state = self._state.get(id(p))
            if state is None:
                zeros = p.xp.zeros_like
                state = self._state[id(p)] = [0, zeros(p.data), zeros(p.data)]
            state[0] += 1
            state[1:] = [_follow(state[1], p), _follow(state[2], p)]
            t, m, v = state
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            step_size = self.lr / (1 - beta1 ** t)
            sqrt = np.sqrt if type(v) is np.ndarray else p.xp.sqrt
            denom = sqrt(v) / float(np.sqrt(1 - beta2 ** t)) + self.eps
            p.data -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    Each step first shrinks the parameter, ``p *= 1 - lr * weight_decay``, then takes Adam's
    step on the plain gradient.

    >>> w = Tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()                      # shrink by 1 - 0.05, then move by about lr
    >>> np.round(w.data, 6)
    array([ 0.85, -1.8 ])
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _decay(self, p: Tensor, g: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            p.data *= 1 - self.lr * self.weight_decay
        return g
