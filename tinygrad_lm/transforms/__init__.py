"""Function transforms over the engine (grad, jvp, vjp, jacobians, hessian, hvp) and the checks
built on them (numerical gradients, gradcheck). Imports the core, the front-ends and
``functional``."""

from .functions import count_passes

__all__ = ["count_passes"]
