"""tinygrad_lm: small, exact autodiff over numpy (reverse and forward mode), with pictures."""

from . import datasets, functional, losses, metrics, nn, optim
from . import distributed as distributed
from . import testing as testing
from .core.engine import ZeroGradientWarning
from .core.node import is_grad_enabled, no_grad
from .creation import (
    arange,
    eye,
    full,
    linspace,
    one_hot,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .draw.explorer import draw_backward
from .draw.viz import draw_graph
from .frontends.tensor import Tensor
from .frontends.value import Value
from .functional import concatenate, einsum, maximum, minimum, stack, where
from .io.state import load, save
from .transforms.functions import grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp
from .transforms.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad

__version__ = "0.1.0"

cat = concatenate  # PyTorch's name

__all__ = [
    "arange", "cat", "concatenate", "datasets", "distributed", "draw_backward", "draw_graph",
    "einsum", "eye", "full", "functional", "grad", "gradcheck", "GradcheckError", "gradgradcheck",
    "hessian", "hvp", "is_grad_enabled", "jacfwd", "jacrev", "jvp", "linspace", "load", "losses",
    "maximum", "metrics", "minimum", "nn", "no_grad", "numerical_grad", "one_hot", "ones",
    "ones_like", "optim", "rand", "randn", "save", "stack", "Tensor", "tensor", "testing", "Value",
    "value_and_grad", "vjp", "where", "ZeroGradientWarning", "zeros", "zeros_like",
]
