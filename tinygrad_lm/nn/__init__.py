"""Neural-network layers with PyTorch's names (``tg.nn``), and micrograd's lesson over Values
(``tg.nn.scalar``). Imports the front-ends, ``functional`` and ``losses``."""

from . import scalar
from .activation import ELU, GELU, LeakyReLU, SiLU, Softplus
from .dropout import Dropout, Embedding
from .layers import MLP, Linear, ReLU, Sequential, Sigmoid, Tanh
from .loss import CrossEntropyLoss, MSELoss
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = ["MLP", "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Tanh", "scalar"]
__all__ += ["BatchNorm1d", "BatchNorm2d", "CrossEntropyLoss", "Dropout", "ELU", "Embedding",
            "GELU", "LayerNorm", "LeakyReLU", "MSELoss", "SiLU", "Softplus"]
