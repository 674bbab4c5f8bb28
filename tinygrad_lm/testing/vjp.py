"""Check a layer's hand-written backward pass, given the upstream gradient, with its mistakes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from .layer_mistakes import GRAPH_MISTAKES
from .match import check_gradients

OP = "assert_vjp_match"

# A layer mistake: (fn, input tensors, cotangent, engine's gradients) -> [(diagnosis, grads)].
# Each entry computes, with the engine, the gradients a wrong backward would return, and the
# report names the first that fits exactly. The mistakes read from the graph's nodes (a flipped
# kernel, pooling to a whole window, batch-norm statistics detached) are layer_mistakes's
# GRAPH_MISTAKES. A new entry's diagnoses begin "a layer mistake: " (match.LAYER_WORDS) so they
# are tried before the usual constant factors.
LayerMistake = Callable[[Callable, Sequence[Tensor], np.ndarray, Sequence[np.ndarray]],
                        list[tuple[str, list[np.ndarray]]]]


def bias_averaged(fn: Callable, tensors: Sequence[Tensor], cotangent: np.ndarray,
                  engine: Sequence[np.ndarray]) -> list[tuple[str, list[np.ndarray]]]:
    """An input broadcast over the output's rows (a bias) whose gradient was averaged.

    >>> x, b = Tensor(np.ones((4, 2))), Tensor(np.zeros(2))
    >>> [text[:33] for text, _ in bias_averaged(None, [x, b], np.ones((4, 2)),
    ...                                          [np.ones((4, 2)), np.full(2, 4.0)])]
    ['a bias gradient averaged over the']
    """
    out = []
    for i, t in enumerate(tensors):
        repeats = cotangent.size // max(t.data.size, 1)
        if t.data.size < cotangent.size and repeats > 1 and cotangent.size % t.data.size == 0:
            grads = [np.asarray(e, np.float64) for e in engine]
            grads[i] = grads[i] / repeats
            out.append((f"a bias gradient averaged over the {repeats} positions it is broadcast "
                        f"to instead of summed: db is dout summed over those axes "
                        f"(dout.sum(axis=0)), not their mean", grads))
    return out


def dropout_mask(fn: Callable, tensors: Sequence[Tensor], cotangent: np.ndarray,
                 engine: Sequence[np.ndarray]) -> list[tuple[str, list[np.ndarray]]]:
    """An elementwise layer that zeroes some entries (dropout): mask or scale left out.

    The engine's gradient for an input of the output's shape is ``dout * mask / (1 - p)``;
    where it is 0 and dout is not, a unit was dropped. Leaving out the mask sends
    ``dout / (1 - p)`` everywhere; leaving out the scale sends ``dout * mask``.

    >>> mask = np.array([0.0, 2.0])
    >>> [t[:30] for t, _ in dropout_mask(None, [Tensor(np.ones(2))], np.ones(2), [mask])]
    ['a missing dropout mask: yours ', 'a missing dropout scale: yours']
    """
    out = []
    for i in range(len(tensors)):
        e = np.asarray(engine[i], np.float64)
        if e.shape != cotangent.shape:
            continue
        kept = e != 0
        dropped = ~kept & (cotangent != 0)
        if not dropped.any() or not kept.any():
            continue
        scale = float(np.median(e[kept] / cotangent[kept]))
        if not np.allclose(e[kept], scale * cotangent[kept]):
            continue
        no_mask = [np.asarray(g, np.float64) for g in engine]
        no_mask[i] = scale * cotangent
        no_scale = [np.asarray(g, np.float64) for g in engine]
        no_scale[i] = e / scale
        out += [("a missing dropout mask: yours send dout through the dropped units too; "
                 "multiply dout by the same mask the forward pass used", no_mask),
                (f"a missing dropout scale: yours are dout * mask, without the 1/(1-p) = "
                 f"{scale:.6g} of inverted dropout the forward pass applied", no_scale)]
    return out


LAYER_MISTAKES: list[LayerMistake] = [bias_averaged, dropout_mask]


def assert_vjp_match(fn: Callable[..., Tensor], inputs: Sequence[Any], cotangent: Any,
                     grads: Sequence[Any], *, atol: float = 1e-7, rtol: float = 1e-5) -> None:
    """Check a layer's hand-written backward: ``grads[i]`` against d sum(out * dout) / d inputs[i].

    ``fn(*inputs)`` returns a Tensor ``out``; ``cotangent`` (``dout``) has ``out``'s shape;
    ``grads[i]`` is your gradient for ``inputs[i]`` given ``dout``, or None to skip it. The
    report is ``assert_gradients_match``'s, plus the layer mistakes of ``LAYER_MISTAKES``
    (a bias gradient averaged instead of summed, a missing dropout mask or scale) and of
    ``layer_mistakes.GRAPH_MISTAKES`` (a flipped kernel, a pooling gradient sent to a whole
    window, batch norm's statistics treated as constants).

    >>> x, w = np.array([[1.0, 2.0]]), np.array([[0.5], [-1.0]])
    >>> dout = np.array([[3.0]])
    >>> assert_vjp_match(lambda x, w: x @ w, [x, w], dout, [dout @ w.T, x.T @ dout])
    >>> assert_vjp_match(lambda x, w: x @ w, [x, w], dout, [None, -x.T @ dout])
    Traceback (most recent call last):
    ...
    AssertionError: gradients differ from the engine's for 1 of 2 parameters ...
    params[1] (w), shape (2, 1): 2 of 2 entries differ
    ...
    """
    dout = np.asarray(cotangent.data if isinstance(cotangent, Tensor) else cotangent,
                      np.float64)
    if dout.dtype.kind not in "biuf":
        raise TypeError(f"{OP}: cotangent must be a numeric array, got dtype {dout.dtype}")

    def whole(*tensors: Tensor) -> Tensor:
        out = fn(*tensors)
        if not isinstance(out, Tensor):
            raise TypeError(f"{OP}: fn must return a Tensor, got {type(out).__name__}")
        if out.shape != dout.shape:
            raise ValueError(f"{OP}: cotangent has shape {dout.shape} but fn's output has "
                             f"shape {out.shape}; dout must have the output's shape")
        return (out * dout).sum()

    try:
        whole.__signature__ = inspect.signature(fn)  # reports name inputs by fn's arguments
    except (TypeError, ValueError):
        pass

    def layer(tensors: Sequence[Tensor], engine: Sequence[np.ndarray], root: Tensor,
              record: dict) -> list:
        found = [f for mistake in LAYER_MISTAKES for f in mistake(fn, tensors, dout, engine)]
        return found + [f for mistake in GRAPH_MISTAKES for f in mistake(root, tensors, record)]

    check_gradients(whole, list(inputs), list(grads), atol, rtol, None, layer,
                    skip_none=True, op=OP)
