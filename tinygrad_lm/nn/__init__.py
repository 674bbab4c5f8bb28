"""Neural-network layers with PyTorch's names (``tg.nn``), and micrograd's lesson over Values
(``tg.nn.scalar``). Imports only the front-ends."""

from . import scalar
from .layers import MLP, Linear, Module, ReLU, Sequential, Sigmoid, Tanh

__all__ = ["MLP", "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh", "scalar"]
