"""tinygrad_lm: small, exact autodiff over numpy (reverse and forward mode), with pictures."""

from . import datasets, functional, losses, metrics, nn, optim
from . import distributed as distributed
from . import testing as testing
from .core.engine import ZeroGradientWarning
from .core.node import is_grad_enabled, no_grad
from .draw.explorer import draw_backward
from .draw.viz import draw_graph
from .frontends.tensor import Tensor
from .frontends.value import Value
from .functional import concatenate, stack
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
