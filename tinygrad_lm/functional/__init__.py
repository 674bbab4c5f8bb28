"""Composites built from primitives (their gradients come from the primitives' VJPs); this
layer imports only ``core``, and the front-ends bind their methods from here.

``tg.functional`` is the public face, as ``torch.nn.functional``.
"""

from .activations import elu, gelu, leaky_relu, silu, softplus
from .attention import scaled_dot_product_attention
from .conv import avg_pool2d, conv1d, conv2d, conv_transpose2d, max_pool2d, pad
from .dropout import dropout, embedding
from .joins import array_function, concatenate, stack
from .normalization import batch_norm, layer_norm
from .reductions import log_softmax, logsumexp, mean, min, softmax
from .resize import interpolate
from .selection import einsum, maximum, minimum, where
from .statistics import std, var

__all__ = [
    "array_function", "avg_pool2d", "batch_norm", "concatenate", "conv1d", "conv2d",
    "conv_transpose2d", "dropout", "einsum", "elu", "embedding", "gelu", "interpolate",
    "layer_norm", "leaky_relu", "log_softmax", "logsumexp", "max_pool2d", "maximum", "mean",
    "min", "minimum", "pad", "scaled_dot_product_attention", "silu", "softmax", "softplus",
    "stack", "std", "var", "where",
]
