"""Neural-network layers with PyTorch's names (``tg.nn``), and micrograd's lesson over Values
(``tg.nn.scalar``). Imports the front-ends and ``functional``."""

from . import scalar
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .layers import MLP, Linear, Module, ReLU, Sequential, Sigmoid, Tanh

__all__ = ["MLP", "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh", "scalar"]
__all__ += ["AvgPool2d", "Conv2d", "Flatten", "MaxPool2d"]
