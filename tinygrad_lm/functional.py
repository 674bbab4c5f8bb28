"""Composites built from primitives (gradients from their VJPs), and numpy functions on tensors."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from . import arguments as A
from . import primitives as P
from ._scopes import composite
from .node import Node


def mean(x, axis=None, keepdims: bool = False):
    """The mean over ``axis``: a sum divided by the number of entries summed.

    >>> import tinygrad_lm as tg
    >>> tg.functional.mean(tg.Tensor([[1.0, 3.0], [5.0, 7.0]]), axis=1)
    Tensor([2., 6.])
    """
    total = x.sum(A.axes(axis, x.ndim, "mean"), keepdims)
    count = x.size // max(total.size, 1) if x.size else 0
    return total / count


def min(x, axis=None, keepdims: bool = False):  # noqa: A001 (numpy's and torch's name)
    """The minimum over ``axis``, as -max(-x): ties share the gradient as in ``max``.

    Integer and boolean data (which never require grad) take numpy's minimum instead, since
    negating them wraps around (unsigned ints, the most negative int) or fails (bool).

    >>> import tinygrad_lm as tg
    >>> tg.functional.min(tg.Tensor([2.0, -1.0]))
    Tensor(-1.)
    >>> tg.functional.min(tg.Tensor(np.array([200, 3], dtype=np.uint8)))
    Tensor(3, dtype=uint8)
    """
    axes = A.axes(axis, x.ndim, "min")
    if x.dtype.kind == "f":
        return -(-x).max(axes, keepdims)
    try:
        return x._new(np.minimum.reduce(x.data, axes, keepdims=keepdims))
    except ValueError as e:
        raise ValueError(f"min: {e} (input: shape {x.shape} {x.dtype})") from e


@composite("logsumexp")
def logsumexp(x, axis=None, keepdims: bool = False):
    """log(sum(exp(x))) over ``axis``, shifted by the maximum so that nothing overflows.

    The shift is a constant: the result does not depend on it, so neither does the gradient
    (softmax), and treating it as a constant keeps the graph small and exact. Over an empty
    axis the sum is 0 and the result -inf, as in PyTorch.

    >>> import tinygrad_lm as tg
    >>> tg.functional.logsumexp(tg.Tensor([0.0, 0.0])).item() == float(np.log(2))
    True
    >>> tg.functional.logsumexp(tg.Tensor(np.zeros((2, 0))), axis=1)
    Tensor([-inf, -inf])
    """
    axes = A.axes(axis, x.ndim, "logsumexp")
    if x.size:
        shift = np.max(x.data, axis=axes, keepdims=True)
    else:  # an empty axis has no maximum and needs no shift
        shift = np.zeros([1 if axes is None or i in axes else n for i, n in enumerate(x.shape)])
    shift = np.where(np.isfinite(shift), shift, 0).astype(x.dtype)
    with np.errstate(divide="ignore"):  # log(0) of an empty sum is -inf, not a warning
        out = (x - shift).exp().sum(axes, keepdims=True).log() + shift
    if keepdims:
        return out
    kept = () if axes is None else tuple(n for i, n in enumerate(x.shape) if i not in axes)
    return out.reshape(kept)


@composite("log_softmax")
def log_softmax(x, axis: int = -1):
    """x - logsumexp(x): log-probabilities, finite for logits of any magnitude.

    >>> import tinygrad_lm as tg
    >>> tg.functional.log_softmax(tg.Tensor([1e4, 0.0])).data
    array([     0., -10000.])
    """
    return x - logsumexp(x, A.axes(axis, x.ndim, "log_softmax"), keepdims=True)


def softmax(x, axis: int = -1):
    """exp(x) normalised along ``axis``, as exp(log_softmax(x)); empty for an empty axis.

    >>> import tinygrad_lm as tg
    >>> tg.functional.softmax(tg.Tensor([0.0, np.log(3.0)])).data.round(6)
    array([0.25, 0.75])
    """
    return log_softmax(x, A.axes(axis, x.ndim, "softmax")).exp()


def concatenate(tensors: Sequence[Any], axis: int = 0):
    """Join tensors along an existing axis, as ``np.concatenate``.

    >>> import tinygrad_lm as tg
    >>> tg.concatenate([tg.Tensor([1.0]), tg.Tensor([2.0, 3.0])])
    Tensor([1., 2., 3.])
    """
    parts = _as_parts(tensors, "concatenate")
    ndim = parts[0].ndim
    if any(p.ndim != ndim for p in parts):
        raise ValueError(f"concatenate: all inputs need the same number of dimensions, got "
                         f"shapes {[tuple(p.shape) for p in parts]}")
    if ndim == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use stack")
    (axis,) = A.axes(axis, ndim, "concatenate")
    return P.concatenate(*parts, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0):
    """Join tensors of one shape along a new axis, as ``np.stack``.

    >>> import tinygrad_lm as tg
    >>> tg.stack([tg.Tensor([1.0, 2.0]), tg.Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    parts = _as_parts(tensors, "stack")
    shapes = {tuple(p.shape) for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all inputs need the same shape, got {sorted(shapes)}")
    (axis,) = A.axes(axis, parts[0].ndim + 1, "stack")
    expanded = [p.reshape(p.shape[:axis] + (1,) + p.shape[axis:]) for p in parts]
    return P.concatenate(*expanded, axis=axis)


def _as_parts(tensors: Sequence[Any], op: str) -> list:
    """The tensors to join; other entries (arrays, lists) join them as constants."""
    if isinstance(tensors, (Node, np.ndarray)) or not len(tensors):
        raise TypeError(f"{op}: expects a non-empty list of tensors")
    parts = [t if isinstance(t, Node) else A.array(t, op) for t in tensors]
    if not any(isinstance(p, Node) for p in parts):
        raise TypeError(f"{op}: expects tensors, got only {type(tensors[0]).__name__}s; "
                        f"wrap them in tg.Tensor, or use np.{op} for arrays")
    return parts


# numpy functions that have a graph-keeping counterpart: np.concatenate(tensors) records it.
_COUNTERPARTS = {np.concatenate: concatenate, np.stack: stack}
# numpy functions that read only a tensor's shape, never its values.
_SHAPE_ONLY = {np.shape, np.ndim, np.size}


def array_function(self: Node, func: Callable, types: Collection[type], args: tuple,
                   kwargs: dict) -> Any:
    """numpy's ``__array_function__`` protocol for Tensors: ``np.concatenate`` and
    ``np.stack`` record the join in the graph; any other numpy function would return an
    ndarray without a graph, so on a tensor that requires grad it raises rather than drop the
    graph (as PyTorch refuses ``.numpy()`` there), and on other tensors it runs on the data.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> np.concatenate([x, x]).op, np.sum(tg.Tensor([1.0, 2.0]))
    ('concatenate', np.float64(3.0))
    """
    name = f"np.{func.__name__}"
    counterpart = _COUNTERPARTS.get(func)
    if counterpart is not None:
        args = list(args)
        tensors = kwargs.pop("arrays") if "arrays" in kwargs else args.pop(0)
        axis = kwargs.pop("axis") if "axis" in kwargs else (args.pop(0) if args else 0)
        unsupported = sorted(kwargs) + (["out"] if args else [])
        if unsupported:
            raise TypeError(f"{name}: on tensors takes only the tensors and axis, got "
                            f"{', '.join(unsupported)}")
        if axis is None and counterpart is concatenate:
            tensors, axis = [t.reshape(-1) for t in tensors], 0
        return counterpart(tensors, axis)
    nodes = [a for a in _flatten((args, kwargs)) if isinstance(a, Node)]
    if func not in _SHAPE_ONLY and any(node.requires_grad for node in nodes):
        raise TypeError(f"{name}: cannot run on a tensor that requires grad: the result would "
                        f"drop the graph. Use the tensor's own method or tg function, or "
                        f"call it on .data (or .detach()) to leave the graph on purpose")
    return func(*_unwrap(args), **_unwrap(kwargs))


def _flatten(tree: Any):
    """Every leaf of nested tuples, lists and dicts."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        else:
            yield item


def _unwrap(tree: Any) -> Any:
    """``tree`` with every node replaced by its data."""
    if isinstance(tree, Node):
        return tree.data
    if isinstance(tree, (list, tuple)):
        return type(tree)(_unwrap(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _unwrap(v) for k, v in tree.items()}
    return tree
