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

__all__ = [
    "GradcheckError", "Tensor", "Value", "ZeroGradientWarning", "concatenate", "datasets",
    "draw_backward",
    "draw_graph", "functional", "grad", "gradcheck", "gradgradcheck", "is_grad_enabled",
    "losses", "metrics", "nn", "no_grad", "numerical_grad", "optim", "stack", "value_and_grad",
    "hessian", "hvp", "jacfwd", "jacrev", "jvp", "vjp",
    "distributed",
]
cat = concatenate  # PyTorch's name
__all__ += ["arange", "cat", "einsum", "eye", "full", "linspace", "maximum", "minimum",
            "one_hot", "ones", "ones_like", "rand", "randn", "tensor", "where", "zeros",
            "zeros_like"]
__all__ += ["load", "save"]
