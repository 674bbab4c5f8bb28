"""Neural-network layers with PyTorch's names (``tg.nn``), and micrograd's lesson over Values
(``tg.nn.scalar``). Imports the front-ends and ``functional``."""

from . import scalar
from .layers import MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .module import Module

__all__ = ["MLP", "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh", "scalar"]
