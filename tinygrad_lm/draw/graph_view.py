"""The drawing as plain data: which boxes and arrows a graph shows, their kind, value and gradient.

``GraphView`` reads only the node contract and the engine's gradients, and never imports
graphviz: tests inspect it directly, and ``_dot`` (the renderer) turns it into DOT text. The
view is micrograd's: a data node (name, value, gradient) for every tensor, an op node between a
node and its inputs, a small grey node for every constant input. Composites (``_scopes``) are
drawn as one named box in place of their ops unless expanded; ``collapse`` groups merge ops
and parameters into one node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import backend, engine
from ..core.engine import jump_masks, locally_constant, toposort
from ..core.node import Node
from ..core.scopes import composite_of

__all__ = ["EdgeView", "GraphView", "NodeView", "seed_of"]

# How strongly an edge's kind shows when several edges merge into one (a group, a box).
_PRECEDENCE = {"constant": 1, "zero": 2, "signal": 3, "undefined": 4}


@dataclass(eq=False)
class NodeView:
    """One box of a drawing.

    ``kind``: ``data``, ``parameter``, ``constant``, ``root`` (data boxes), ``op``, ``step``,
    ``undefined``, ``composite`` (op boxes), ``group`` or ``raw`` (a constant argument).
    ``node``: the graph node the box shows (for an op box, the node the op made). ``grad``:
    d root / d node, None where none is shown. ``state`` is ``pending``, ``partial`` (``grad`` is
    the sum of the contributions so far), ``current`` or ``done`` (only a backward explorer's
    frames are ever not done). ``tangent``: in a drawing
    of the forward pass (``forward_view``), d node / d v for the seeded direction ``v``.

    >>> NodeView("n0", "data").state
    'done'
    """

    id: str
    kind: str
    node: Node | None = None
    name: str = ""
    data: Any = None
    grad: Any = None
    members: list = field(default_factory=list)
    undefined: int = 0
    size: int = 0
    state: str = "done"
    tangent: Any = None


@dataclass(eq=False)
class EdgeView:
    """One arrow: ``kind`` is ``signal``, ``zero`` (all-zero gradient), ``undefined``,
    ``constant`` or ``pending`` (not yet reached by backward); ``grad`` is what it carries
    back, or in a drawing of the forward pass ``tangent`` what it carries forward.

    >>> EdgeView("a", "b", "signal").grad is None
    True
    """

    src: str
    dst: str
    kind: str
    grad: Any = None
    index: int | None = None  # which input of the op (None where arrows were merged)
    tangent: Any = None

    @property
    def id(self) -> str:
        """A name unique within the drawing, even for the two arrows of ``x * x``.

        >>> EdgeView("a", "b", "signal", index=1).id
        'a__b__1'
        """
        return f"{self.src}__{self.dst}" + ("" if self.index is None else f"__{self.index}")


def own_name(node: Node) -> str:
    """The name a user gave ``node``: a Tensor's ``name``, a Value's ``label`` ('' for none).

    >>> import tinygrad_lm as tg
    >>> own_name(tg.Value(1.0, label="x")), own_name(tg.Tensor([1.0]))
    ('x', '')
    """
    return getattr(node, "name", None) or getattr(node, "label", "")


def seed_of(root: Node) -> Any:
    """The gradient backward starts from: 1.0 for a ``Value``, ones for a ``Tensor``.

    >>> import tinygrad_lm as tg
    >>> seed_of(tg.Value(2.0)), seed_of(tg.Tensor([1.0, 2.0]))
    (1.0, array([1., 1.]))
    """
    if root.uses_floats:
        return 1.0
    dtype = root.dtype if root.dtype.kind == "f" else np.float64
    return backend.like(np.ones(tuple(root.data.shape), dtype), root.data)  # in its library


def gradients(root: Node, undefined: str) -> dict:
    """d root / d node for every node and d root / d input along every edge ``(node, i)``,
    keyed by the nodes themselves, from the engine's chain-rule loop; no ``.grad`` changes.

    >>> import tinygrad_lm as tg
    >>> x = tg.Value(3.0)
    >>> y = x * x
    >>> g = gradients(y, "zero")
    >>> g[x], g[(y, 0)], x.grad
    (6.0, 3.0, 0.0)
    """
    found = engine.gradients(root, seed_of(root), undefined=undefined)
    return {key: backend.to_numpy(g) if backend.is_foreign(g) else g for key, g in found.items()}


class GraphView:
    """The boxes and arrows of ``root``'s graph, with every gradient from the engine.

    ``groups`` maps ``id(member)`` to a group title (see ``draw_graph``'s ``collapse``): an op
    joins a group when it is a member, reads one of its parameters, or adds two of its results;
    ``expand`` is True (draw composites op by op), False (box them all) or the names of the
    composites to draw op by op; ``named``: give every data box a name (unnamed ones get the
    op and a number, leaves ``leaf1``..., the root ``loss``), as the explorer's captions need.

    >>> import tinygrad_lm as tg
    >>> a = tg.Value(2.0, label="a")
    >>> view = GraphView(a * a)
    >>> [n.kind for n in view.nodes], [e.kind for e in view.edges]
    (['parameter', 'root', 'op'], ['signal', 'signal', 'signal'])
    """

    def __init__(self, root: Node, *, groups: dict[int, str] | None = None,
                 undefined: str = "zero", expand: bool | Iterable[str] = False,
                 prefix: str = "", named: bool = False, grads: dict | None = None):
        self.root = root
        self.order = toposort(root)
        self.grads = gradients(root, undefined) if grads is None else grads
        self.undefined = self._undefined_entries()
        self.box_of, self.boxes = self._find_boxes(expand)
        self.group_of = self._assign_groups(groups or {})
        self.names = self._names(named)
        self.nodes: list[NodeView] = []
        self.edges: list[EdgeView] = []
        self.data_id: dict[Node, str] = {}
        self.op_id: dict[Node, str] = {}
        self._build(prefix)

    @property
    def depth(self) -> int:
        """How many data boxes the longest path from a leaf to the root passes (a composite's
        box counts as one op).

        >>> import tinygrad_lm as tg
        >>> GraphView((tg.Value(1.0) * 2).exp()).depth
        3
        """
        depth: dict[Node, int] = {}
        for node in self.order:
            inner = max((depth.get(i, 0) for i in node.inputs if i is not None), default=0)
            depth[node] = inner + (node not in self.box_of)
        return depth[self.root]

    @property
    def count(self) -> int:
        """How many boxes the drawing has.

        >>> import tinygrad_lm as tg
        >>> GraphView(tg.Value(1.0) * 2).count
        4
        """
        return len(self.nodes)

    def _undefined_entries(self) -> dict[Node, list[int]]:
        """Per piecewise-constant node sitting on a jump: the count of undefined entries."""
        steps = [n for n in self.order if n.prim is not None and n.prim.jumps is not None]
        if not steps:
            return {}
        constant = locally_constant(self.order)
        found = {}
        for node in steps:
            counts = [0 if m is None else int(np.count_nonzero(m))
                      for m in jump_masks(node, constant)]
            if any(counts):
                found[node] = counts
        return found

    def _find_boxes(self, expand: bool | Iterable[str]) -> tuple[dict, dict]:
        """Composite outputs drawn as one box: {member: output} and {output: (name, members)}.
        Outermost first: a composite called inside another is part of the outer box."""
        if expand is True:
            return {}, {}
        expanded = set() if expand is False else {str(e) for e in expand}
        box_of: dict[Node, Node] = {}
        boxes: dict[Node, tuple[str, list[Node], int, tuple[Node, ...]]] = {}
        for node in reversed(self.order):
            made = composite_of(node) if node.prim is not None else None
            if made is None or node in box_of or made[0] in expanded:
                continue
            name, first, constants = made
            members, stack = [], [inp for inp in node.inputs if inp is not None]
            seen = set()
            while stack:
                inp = stack.pop()
                if inp in seen or inp._seq <= first or inp.prim is None or inp in box_of:
                    continue
                seen.add(inp)
                members.append(inp)
                stack.extend(i for i in inp.inputs if i is not None)
            members.sort(key=lambda n: n._seq)
            for m in members:
                box_of[m] = node
            boxes[node] = (name, members + [node], first, constants)
        return box_of, boxes

    def _assign_groups(self, groups: dict[int, str]) -> dict[Node, str]:
        if not groups:
            return {}
        group_of = {}
        for node in self.order:
            if node is self.root or node in self.box_of:
                continue
            name = groups.get(id(node))
            if name is None and node.prim is not None:
                name = next((groups[id(inp)] for inp in node.inputs
                             if inp is not None and inp.prim is None and id(inp) in groups),
                            None)
            if name is None and node.op == "add":
                # A sum of the group's own results (a scalar neuron's w0*x0 + w1*x1 + b).
                owners = {group_of.get(inp) for inp in node.inputs if inp is not None}
                if len(owners) == 1 and None not in owners:
                    name = owners.pop()
            if name is not None:
                group_of[node] = name
        return group_of

    def _names(self, named: bool) -> dict[Node, str]:
        names = {}
        counts: dict[str, int] = {}
        for node in self.order:
            name = own_name(node)
            if not name and named:
                if node is self.root:
                    name = "loss"
                elif node.prim is not None or node.requires_grad:
                    op = node.op or "leaf"
                    counts[op] = counts.get(op, 0) + 1
                    name = f"{op}{counts[op]}"
            names[node] = name
        return names

    def name(self, node: Node) -> str:
        """The name a box shows for ``node`` ('' when it has none).

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(1.0, label="x")
        >>> GraphView(x * 2, named=True).name(x)
        'x'
        """
        return self.names.get(node) or own_name(node)

    def _tangent(self, node: Node) -> Any:
        return None  # a view of the forward pass (forward_view) shows tangents

    def _out_edge(self, node: Node) -> tuple[str, Any]:
        """The kind of the arrow from the op of ``node`` to its box, and what it carries."""
        grad = self.grads.get(node)
        return _edge_kind(grad), grad

    def _in_edge(self, member: Node, j: int, inp: Node) -> tuple[str, Any]:
        """The kind of the arrow from input ``j`` of ``member`` into its op, and what it
        carries back."""
        grad = self.grads.get((member, j))
        counts = self.undefined.get(member)
        return ("undefined" if counts and counts[j] else _edge_kind(grad)), grad

    def _add_edge(self, merged: dict, key: tuple, kind: str, grad: Any = None,
                  tangent: Any = None) -> None:
        """Record an edge; edges merged into one show the strongest signal among them."""
        previous = merged.get(key)
        if previous is None or _PRECEDENCE[kind] > _PRECEDENCE[previous.kind]:
            merged[key] = EdgeView(key[0], key[1], kind, grad, key[2], tangent)

    def _build(self, prefix: str) -> None:
        ids = self.data_id
        group_ids: dict[str, str] = {}
        members: dict[str, list[Node]] = {}
        for node in self.order:
            name = self.group_of.get(node)
            if name is not None:
                members.setdefault(name, []).append(node)
                group_ids.setdefault(name, f"{prefix}g{len(group_ids)}")
                ids[node] = group_ids[name]
        for name, nodes in members.items():
            self.nodes.append(NodeView(group_ids[name], "group", name=name, members=nodes,
                                       grad={m: self.grads.get(m) for m in nodes},
                                       tangent={m: self._tangent(m) for m in nodes}))
        hidden = set(self.box_of)
        constants: dict[Node, None] = {}  # insertion-ordered set, by identity
        for node in self.order:
            if node.prim is None or node in hidden:
                continue
            for _, _, inp, _ in self._op_inputs(node):
                if inp is not None and not inp.requires_grad and inp not in ids:
                    constants[inp] = None
        for i, node in enumerate(constants):
            ids[node] = f"{prefix}k{i}"
            self.nodes.append(NodeView(ids[node], "constant", node, self.name(node), node.data))
        for i, node in enumerate(self.order):
            if node in ids or node in hidden:
                continue
            ids[node] = f"{prefix}{i}"
            if node is self.root:
                kind = "root"
            elif node.prim is None:
                kind = "parameter" if node.requires_grad else "constant"
            else:
                kind = "data"
            self.nodes.append(NodeView(ids[node], kind, node, self.name(node), node.data,
                                       self.grads.get(node), tangent=self._tangent(node)))
        for member, out in self.box_of.items():
            ids[member] = f"{ids[out]}op"
        self._build_ops(prefix)

    def _build_ops(self, prefix: str) -> None:
        ids, merged = self.data_id, {}
        raw = 0
        for node in self.order:
            if node.prim is None or node in self.box_of:
                continue
            out_id = ids[node]
            grouped = node in self.group_of
            op_id = out_id if grouped else f"{out_id}op"
            self.op_id[node] = op_id
            if not grouped:
                self.nodes.append(self._op_view(node, op_id))
                self._add_edge(merged, (op_id, out_id, None), *self._out_edge(node),
                               self._tangent(node))
            for member, j, inp, arg in self._op_inputs(node):
                if inp is None:
                    src = f"{prefix}r{raw}"
                    raw += 1
                    self.nodes.append(NodeView(src, "raw", data=arg))
                    kind, grad = "constant", None
                elif not inp.requires_grad:
                    src, kind, grad = ids[inp], "constant", None
                else:
                    src = ids[inp]
                    kind, grad = self._in_edge(member, j, inp)
                if src != op_id:
                    one = inp in self.group_of or grouped or node in self.boxes
                    self._add_edge(merged, (src, op_id, None if one else j), kind, grad,
                                   None if inp is None else self._tangent(inp))
        self.edges.extend(merged.values())

    def _op_inputs(self, node: Node) -> Iterable[tuple[Node, int, Node | None, Any]]:
        """``(consumer, index, input node or None, argument)`` of every arrow into the op box
        of ``node``; a composite box takes its members' inputs made before it was called."""
        if node not in self.boxes:
            yield from ((node, j, inp, arg)
                        for j, (inp, arg) in enumerate(zip(node.inputs, node.args)))
            return
        _, members, first, constants = self.boxes[node]
        inside = set(members)
        for member in members:
            for j, inp in enumerate(member.inputs):
                if inp is not None and inp not in inside and inp._seq < first:
                    yield member, j, inp, None
        for j, constant in enumerate(constants):
            yield node, -1 - j, constant, None

    def _op_view(self, node: Node, op_id: str) -> NodeView:
        """The op box of ``node``: its primitive, or the composite box that made it."""
        if node in self.boxes:
            name, members, _, _ = self.boxes[node]
            bad = [self.undefined[m] for m in members if m in self.undefined]
            return NodeView(op_id, "undefined" if bad else "composite", node, name,
                            members=members, undefined=sum(max(c) for c in bad))
        counts = self.undefined.get(node)
        if counts:
            size = max(int(np.size(a)) for a, inp in zip(node.args, node.inputs)
                       if inp is not None)
            return NodeView(op_id, "undefined", node, undefined=max(counts), size=size)
        return NodeView(op_id, "step" if node.prim.jumps is not None else "op", node)


def _edge_kind(grad: Any) -> str:
    if grad is None:
        return "zero"
    if type(grad) is float:
        return "zero" if grad == 0.0 else "signal"
    return "signal" if np.any(grad) else "zero"
