"""Dropout and Embedding layers: the layers that mask or look up, with PyTorch's names."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from ..functional.dropout import dropout, embedding
from .module import Module, as_tensor

__all__ = ["Dropout", "Embedding"]


class Dropout(Module):
    """Inverted dropout in training mode (zero with probability ``p``, scale the rest by
    1 / (1 - p)); the identity after ``eval()``. ``seed`` makes the masks reproducible.

    >>> drop = Dropout(0.5, seed=0)
    >>> drop
    Dropout(p=0.5)
    >>> sorted(set(drop(np.ones(8)).data.tolist()))
    [0.0, 2.0]
    >>> drop.eval()(np.ones(2))
    Tensor([1., 1.])
    """

    def __init__(self, p: float = 0.5, seed: int | np.random.Generator | None = None):
        if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p (the probability of zeroing an entry) must be in "
                             f"[0, 1), got p={p!r}")
        self.p = float(p)
        # One generator for the module's life, so successive batches get fresh masks.
        self._rng = np.random.default_rng(seed)

    def forward(self, x: Any) -> Tensor:
        return dropout(as_tensor(x), self.p, self.training, self._rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Embedding(Module):
    """A table of ``num_embeddings`` learnable vectors of size ``embedding_dim``, looked up by
    integer indices; initialised N(0, 1) as PyTorch's.

    >>> emb = Embedding(10, 3, seed=0)
    >>> emb
    Embedding(10, 3)
    >>> emb(np.array([[1, 2], [3, 1]])).shape
    (2, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 seed: int | np.random.Generator | None = None):
        for label, size in (("num_embeddings", num_embeddings),
                            ("embedding_dim", embedding_dim)):
            if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
                raise ValueError(f"Embedding: {label} must be a positive integer, got {size!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        rng = np.random.default_rng(seed)
        self.weight = Tensor(rng.standard_normal((self.num_embeddings, self.embedding_dim)),
                             requires_grad=True)

    def forward(self, indices: Any) -> Tensor:
        return embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
