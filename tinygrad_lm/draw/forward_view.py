"""The forward pass as plain data: every box's value and tangent, arrows carrying tangents.

``ForwardView`` is a ``graph_view.GraphView`` that reads ``forward.push_tangents``' table in
place of the engine's gradients: each data box shows d node / d v for the seeded direction
``v`` (zero where no seed reaches it), each arrow the tangent it carries forward, from an input
into its op and from the op to its result. ``check_tangents`` turns the user's seeds into that
table's input, or a clear error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.engine import toposort
from ..core.node import Node
from .graph_view import GraphView, _edge_kind, own_name

__all__ = ["ForwardView", "check_tangents"]


def check_tangents(tangents: Any, roots: Sequence[Node], op: str) -> dict:
    """The seeds ``{leaf: tangent}`` checked against the graph of ``roots``: every key a leaf
    of it, every tangent a number (``Value``) or an array of its leaf's shape and dtype
    (``Tensor``; lists take the leaf's dtype).

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> check_tangents({x: [1, 0]}, [x * 3], "draw_graph")[x]
    array([1., 0.])
    """
    if not isinstance(tangents, Mapping):
        raise TypeError(f"{op}: tangents must be a dict {{leaf: tangent}}, got "
                        f"{type(tangents).__name__}")
    if not tangents:
        raise ValueError(f"{op}: tangents is empty; give at least one leaf a tangent, e.g. "
                         f"tangents={{x: 1.0}}")
    graph: dict[Node, None] = {}
    for root in roots:
        graph.update(dict.fromkeys(toposort(root)))
    seeds = {}
    for k, (leaf, tangent) in enumerate(tangents.items()):
        if not isinstance(leaf, Node):
            raise TypeError(f"{op}: tangents key {k} is a {type(leaf).__name__}, not a Value "
                            f"or Tensor of the graph")
        what = f"{op}: tangents key {k} ({_describe(leaf)})"
        if leaf not in graph:
            raise ValueError(f"{what} is not in the graph being drawn; only ops on inputs "
                             f"with requires_grad=True are recorded")
        if leaf.prim is not None:
            raise ValueError(f"{what} is the result of op {leaf.op!r}, not a leaf; give "
                             f"tangents to the leaves it was computed from")
        seeds[leaf] = _checked(tangent, leaf, what)
    return seeds


def _describe(node: Node) -> str:
    name = own_name(node)
    kind = type(node).__name__ + (f" {name!r}" if name else "")
    return kind if node.uses_floats else f"{kind} of shape {node.data.shape}"


def _checked(tangent: Any, leaf: Node, what: str) -> Any:
    """One seed as ``push_tangents`` takes it: a float for a Value, an array for a Tensor."""
    if isinstance(tangent, Node):
        tangent = tangent.data
    if isinstance(tangent, (bool, np.bool_, str, bytes)) or tangent is None:
        raise TypeError(f"{what}: the tangent is a {type(tangent).__name__}, not a number or "
                        f"an array of numbers")
    if leaf.uses_floats:
        if np.ndim(tangent) != 0 or not isinstance(tangent, (int, float, np.number)):
            raise ValueError(f"{what}: a Value's tangent is one number, got a "
                             f"{type(tangent).__name__} of shape {np.shape(tangent)}")
        return float(tangent)
    typed = isinstance(tangent, (np.ndarray, np.generic))
    try:
        array = np.asarray(tangent) if typed else np.asarray(tangent, dtype=leaf.data.dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: the tangent is not an array of numbers ({e})") from None
    if array.shape != leaf.data.shape:
        raise ValueError(f"{what}: the tangent has shape {array.shape}, but its leaf has shape "
                         f"{leaf.data.shape}")
    if array.dtype != leaf.data.dtype:
        raise TypeError(f"{what}: the tangent has dtype {array.dtype}, but its leaf has dtype "
                        f"{leaf.data.dtype}")
    return array


class ForwardView(GraphView):
    """The boxes and arrows of ``root``'s graph showing the forward pass: ``tangents`` is
    ``push_tangents``' table (every node's tangent), which the view shows and never recomputes.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.core.forward import push_tangents
    >>> x = tg.Value(3.0, label="x")
    >>> y = x * x
    >>> view = ForwardView(y, push_tangents(y, {x: 1.0}))
    >>> [(n.kind, n.tangent) for n in view.nodes if n.node is not None and n.kind != "op"]
    [('parameter', 1.0), ('root', 6.0)]
    """

    def __init__(self, root: Node, tangents: dict, **kwargs: Any):
        self.tangents = tangents
        super().__init__(root, grads={}, **kwargs)  # nothing runs backward

    def _tangent(self, node: Node) -> Any:
        """``push_tangents``' value; zero where no seed reaches a node that requires grad (as
        ``push_tangents`` defines it); None for a constant."""
        if not node.requires_grad:
            return None
        if node in self.tangents:
            return self.tangents[node]
        return node._zeros_like(None, False)

    def _out_edge(self, node: Node) -> tuple[str, Any]:
        return _tangent_kind(self._tangent(node), False), None

    def _in_edge(self, member: Node, j: int, inp: Node) -> tuple[str, Any]:
        counts = self.undefined.get(member)
        on_jump = bool(counts and counts[j]) and inp in self.tangents
        return _tangent_kind(self._tangent(inp), on_jump), None


def _tangent_kind(tangent: Any, on_jump: bool) -> str:
    """An arrow of the forward pass: undefined where its tangent is NaN or enters an op on a
    jump, no signal where it is all zero."""
    if on_jump or (tangent is not None and bool(np.isnan(tangent).any())):
        return "undefined"
    return _edge_kind(tangent)
