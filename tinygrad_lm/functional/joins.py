"""Joining tensors (concatenate, stack) and numpy functions called on tensors."""


from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from ..core import arguments as A
from ..core import primitives as P
from ..core.node import Node


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None):
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
    (axis,) = A.axes(A.alias(axis, dim, "concatenate", 0), ndim, "concatenate")
    return P.concatenate(*parts, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None):
    """Join tensors of one shape along a new axis, as ``np.stack``.

    >>> import tinygrad_lm as tg
    >>> tg.stack([tg.Tensor([1.0, 2.0]), tg.Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    parts = _as_parts(tensors, "stack")
    shapes = {tuple(p.shape) for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all inputs need the same shape, got {sorted(shapes)}")
    (axis,) = A.axes(A.alias(axis, dim, "stack", 0), parts[0].ndim + 1, "stack")
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
