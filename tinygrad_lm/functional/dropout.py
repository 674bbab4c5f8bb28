"""Dropout and embedding lookup: the layers that index or mask their input, as PyTorch's."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..core import backend as B
from ..core.scopes import composite

__all__ = ["dropout", "embedding"]


@composite("dropout")
def dropout(x, p: float = 0.5, training: bool = True,
            rng: int | np.random.Generator | None = None):
    """Inverted dropout: zero each entry with probability ``p`` and scale the kept ones by
    1 / (1 - p), so the expected output is ``x``; ``x`` itself when not ``training``.

    ``rng`` is a seed or a ``np.random.Generator`` (the masks differ from PyTorch's, whose
    generator is its own; the rule is the same).

    >>> import tinygrad_lm as tg
    >>> out = tg.functional.dropout(tg.Tensor(np.ones(6)), p=0.5, rng=0)
    >>> sorted(set(out.data.tolist()))
    [0.0, 2.0]
    """
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p (the probability of zeroing an entry) must be in "
                         f"[0, 1), got p={p!r}")
    if not (hasattr(x, "prim") and hasattr(x, "dtype")):
        raise TypeError(f"dropout: x must be a Tensor, got a {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"dropout: x must have a floating dtype, got {x.dtype}")
    if not training or p == 0:
        return x
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    keep = generator.random(x.shape) >= p
    # Drawn on the host from numpy's generator, so a seed gives the same mask on any library.
    return x * B.like((keep * (1.0 / (1.0 - p))).astype(x.dtype), x.data)


@composite("embedding")
def embedding(indices: Any, weight):
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by integer ``indices`` of any
    shape: the output has shape ``indices.shape + (embedding_dim,)``, as PyTorch's.

    >>> import tinygrad_lm as tg
    >>> tg.functional.embedding(np.array([[2, 0]]), tg.Tensor(np.arange(6.0).reshape(3, 2)))
    Tensor([[[4., 5.],
             [0., 1.]]])
    """
    idx = np.asarray(indices.data if hasattr(indices, "prim") else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got {idx.dtype}")
    if not (hasattr(weight, "prim") and hasattr(weight, "dtype")) or weight.ndim != 2:
        raise ValueError(f"embedding: weight must be a 2-D Tensor (num_embeddings, "
                         f"embedding_dim), got shape {np.shape(weight)}")
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {bad} is out of range for {weight.shape[0]} "
                         f"embeddings (weight shape {weight.shape})")
    return weight[idx]
