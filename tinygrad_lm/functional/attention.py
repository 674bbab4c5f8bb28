"""Scaled dot-product attention as a composite of primitives, as PyTorch's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core.scopes import composite

__all__ = ["scaled_dot_product_attention"]


def _mask_bias(attn_mask: Any, is_causal: bool, length: int, source: int, dtype) -> Any:
    """The additive mask: 0 where a query may attend, -inf where it may not (a boolean mask's
    False, the causal mask's future); a floating mask is added as it is."""
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, "
                             "not both")
        attn_mask = np.tril(np.ones((length, source), dtype=bool))
    if attn_mask is None:
        return None
    mask = attn_mask if hasattr(attn_mask, "prim") else np.asarray(attn_mask)
    if mask.dtype == bool:
        return np.where(mask, 0.0, -np.inf).astype(dtype)
    if mask.dtype.kind != "f":
        raise TypeError(f"scaled_dot_product_attention: attn_mask must be boolean or floating, "
                        f"got {mask.dtype}")
    # In the queries' dtype, so a float64 mask does not promote float32 scores.
    return mask if mask.dtype == dtype else mask.astype(dtype)


@composite("scaled_dot_product_attention")
def scaled_dot_product_attention(q, k, v, attn_mask: Any = None, is_causal: bool = False,
                                 scale: float | None = None):
    """softmax(q k^T / sqrt(E) + mask) v over the last two axes, with any leading batch axes:
    q (..., L, E), k (..., S, E), v (..., S, Ev) -> (..., L, Ev). A boolean ``attn_mask`` says
    where a query may attend (True), a floating one is added to the scores (in the queries'
    dtype); ``is_causal`` lets query i see keys 0..i only.

    >>> import tinygrad_lm as tg
    >>> q = k = tg.Tensor(np.eye(2)[None])
    >>> v = tg.Tensor([[[1.0, 0.0], [0.0, 1.0]]])
    >>> tg.functional.scaled_dot_product_attention(q, k, v, is_causal=True).data.round(4)
    array([[[1.    , 0.    ],
            [0.3302, 0.6698]]])
    """
    op = "scaled_dot_product_attention"
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not (hasattr(t, "prim") and hasattr(t, "dtype")) or t.ndim < 2 or t.dtype.kind != "f":
            raise ValueError(f"{op}: {name} must be a floating Tensor with at least 2 axes, got "
                             f"{type(t).__name__} of shape {np.shape(t)}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{op}: q (..., L, E), k (..., S, E) and v (..., S, Ev) disagree: "
                         f"q {q.shape}, k {k.shape}, v {v.shape}")
    factor = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ k.mT) * factor
    bias = _mask_bias(attn_mask, is_causal, q.shape[-2], k.shape[-2], q.dtype)
    if bias is not None:
        scores = scores + bias
    return scores.softmax(axis=-1) @ v
