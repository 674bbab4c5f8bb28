"""Loss functions as modules, as ``torch.nn.MSELoss`` and ``torch.nn.CrossEntropyLoss``."""

from __future__ import annotations

from typing import Any

from .. import losses
from ..frontends.tensor import Tensor
from .module import Module

__all__ = ["CrossEntropyLoss", "MSELoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or "
                             f"'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """The mean (or sum, or each) squared error: ``losses.mse`` as a module.

    >>> MSELoss()(Tensor([1.0, 3.0]), [0.0, 0.0])
    Tensor(5.)
    """

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        return losses.mse(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits against class indices or probabilities:
    ``losses.cross_entropy`` as a module.

    >>> import numpy as np
    >>> round(CrossEntropyLoss(reduction="sum")(Tensor([[0.0, 0.0]]), np.array([1])).item(), 6)
    0.693147
    """

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
        return losses.cross_entropy(input, target, self.reduction)
