"""Composites built from primitives (their gradients come from the primitives' VJPs).

This layer may import ``core`` and ``tensor``-free helpers only; ``tensor`` binds its methods
from here. ``tg.functional`` is the public face, as ``torch.nn.functional``.
"""

from .conv import avg_pool2d, conv1d, conv2d, conv_transpose2d, max_pool2d, pad
from .joins import array_function, concatenate, stack
from .reductions import log_softmax, logsumexp, mean, min, softmax
from .resize import interpolate

__all__ = ["array_function", "concatenate", "log_softmax", "logsumexp", "mean", "min",
           "softmax", "stack"]
__all__ += ["avg_pool2d", "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "pad"]
__all__ += ["interpolate"]
