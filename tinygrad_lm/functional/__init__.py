"""Composites built from primitives (their gradients come from the primitives' VJPs); this
layer imports only ``core``, and the front-ends bind their methods from here.

``tg.functional`` is the public face, as ``torch.nn.functional``.
"""

from .joins import array_function, concatenate, stack
from .reductions import log_softmax, logsumexp, mean, min, softmax

__all__ = ["array_function", "concatenate", "log_softmax", "logsumexp", "mean", "min",
           "softmax", "stack"]
