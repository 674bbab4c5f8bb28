"""tinygrad_lm: small, exact reverse-mode autodiff over numpy, with pictures of the gradient."""

from . import functional
from .engine import ZeroGradientWarning, is_grad_enabled, no_grad
from .functional import concatenate, stack
from .tensor import Tensor
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Value", "ZeroGradientWarning", "concatenate", "functional", "is_grad_enabled",
    "no_grad", "stack",
]
