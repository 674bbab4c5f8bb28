"""Composites built from primitives (their gradients come from the primitives' VJPs).

This layer may import ``core`` and ``tensor``-free helpers only; ``tensor`` binds its methods
from here. ``tg.functional`` is the public face, as ``torch.nn.functional``.
"""

from .activations import elu, gelu, leaky_relu, silu, softplus
from .attention import scaled_dot_product_attention
from .dropout import dropout, embedding
from .joins import array_function, concatenate, stack
from .normalization import batch_norm, layer_norm
from .reductions import log_softmax, logsumexp, mean, min, softmax
from .selection import einsum, maximum, minimum, where
from .statistics import std, var

__all__ = ["array_function", "concatenate", "log_softmax", "logsumexp", "mean", "min",
           "softmax", "stack"]
__all__ += ["einsum", "maximum", "minimum", "std", "var", "where"]
__all__ += ["batch_norm", "dropout", "elu", "embedding", "gelu", "layer_norm", "leaky_relu",
            "silu", "softplus"]
__all__ += ["scaled_dot_product_attention"]
