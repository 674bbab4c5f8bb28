"""Activation layers beyond Sigmoid/Tanh/ReLU, with PyTorch's names and reprs."""

from __future__ import annotations

from typing import Any

from ..frontends.tensor import Tensor
from ..functional import activations as F
from .module import Module, as_tensor

__all__ = ["ELU", "GELU", "LeakyReLU", "SiLU", "Softplus"]


class LeakyReLU(Module):
    """``x`` where x > 0, else ``negative_slope * x``.

    >>> LeakyReLU(0.1)(Tensor([-1.0, 2.0]))
    Tensor([-0.1,  2. ])
    >>> LeakyReLU()
    LeakyReLU(negative_slope=0.01)
    """

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Tensor:
        return F.leaky_relu(as_tensor(x), self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """x Phi(x), exact (``approximate="none"``) or with PyTorch's tanh approximation.

    >>> GELU()(Tensor([0.0]))
    Tensor([0.])
    >>> GELU(approximate="tanh")
    GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return F.gelu(as_tensor(x), self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """``x`` where x > 0, else ``alpha * (e^x - 1)``.

    >>> ELU()(Tensor([0.0, 1.0]))
    Tensor([0., 1.])
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Tensor:
        return F.elu(as_tensor(x), self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SiLU(Module):
    """x sigmoid(x).

    >>> SiLU()(Tensor([0.0]))
    Tensor([0.])
    """

    def forward(self, x: Any) -> Tensor:
        return F.silu(as_tensor(x))


class Softplus(Module):
    """log(1 + e^x) (beta=1, threshold=20, PyTorch's defaults).

    >>> Softplus()(Tensor([30.0]))
    Tensor([30.])
    """

    def forward(self, x: Any) -> Tensor:
        return F.softplus(as_tensor(x))
