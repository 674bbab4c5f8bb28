"""Neural-network layers with PyTorch's names (``tg.nn``), and micrograd's lesson over Values
(``tg.nn.scalar``). Imports the front-ends, ``functional`` and ``losses``."""

from . import scalar
from .activation import ELU, GELU, LeakyReLU, SiLU, Softplus
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout, Embedding
from .layers import MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .loss import CrossEntropyLoss, MSELoss
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = [
    "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "ELU",
    "Embedding", "Flatten", "GELU", "LayerNorm", "LeakyReLU", "Linear", "MLP", "MSELoss",
    "MaxPool2d", "Module", "ReLU", "Sequential", "SiLU", "Sigmoid", "Softplus", "Tanh", "scalar",
]
