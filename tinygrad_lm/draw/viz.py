"""Computation graphs as graphviz drawings: values, gradients, dead edges and undefined points.

``draw_graph`` builds a ``graph_view.GraphView`` per root (plain data: boxes, arrows, their
kinds and the engine's gradients) and hands it to the renderer ``_dot``, imported only here,
when drawing, so that ``import tinygrad_lm`` does not load graphviz. Every gradient shown is
computed for the drawing by the engine, so a drawing made before ``backward()`` shows the same
numbers as one made after, and no ``.grad`` is ever touched.

Styles, explained by the legend drawn beside the graph:

- an edge whose gradient is all zeros is dashed grey: no signal flows back along it;
- an op that is piecewise constant (a comparison, ``round``, ``argmax``...) is orange;
- an op sitting exactly on one of its jumps, where the derivative does not exist for some
  entry, is red and says for how many entries;
- the root (the loss) has a thick gold border; parameters (leaves that require grad) are blue;
- a composite (``binary_cross_entropy`` and its clips and logs) is one violet box, drawn op by
  op with ``expand=True``.

The forward pass: ``tangents={x: v}`` draws it instead, each box with its value and its
tangent d node / d v (``forward.push_tangents``' numbers), under a caption saying so.

Large graphs: ``collapse`` draws a whole module, or any set of tensors, as one node, and
``max_nodes`` refuses to lay out an unreadable wall.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..core.arguments import check_undefined
from ..core.forward import push_tangents
from ..core.node import Node
from .forward_view import ForwardView, check_tangents
from .graph_view import GraphView

if TYPE_CHECKING:
    from .dot import Drawing, GraphvizNotFound  # noqa: F401 (served by __getattr__)

__all__ = ["Drawing", "GraphvizNotFound", "draw_graph"]

RANKDIRS = ("LR", "RL", "TB", "BT")
# Names of the renderer, importing graphviz, served from here when first used.
_RENDERER = ("Drawing", "GraphvizNotFound", "INSTALL_HINT", "EDGES", "COLORS", "LEGEND")


def __getattr__(name: str) -> Any:
    """The renderer's names (``Drawing``, ``GraphvizNotFound``, ``EDGES``...), loaded on use."""
    if name not in _RENDERER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import dot as _dot

    return getattr(_dot, name)


def check_rankdir(rankdir: str | None, roots: Sequence[Node], op: str) -> str:
    """The layout direction: ``rankdir``, or for None left-to-right for Value graphs (as
    micrograd draws them) and top-to-bottom for Tensor graphs.

    >>> import tinygrad_lm as tg
    >>> check_rankdir(None, [tg.Value(1.0)], "draw"), check_rankdir(None, [tg.Tensor(1.0)], "d")
    ('LR', 'TB')
    """
    if rankdir is None:
        return "LR" if all(r.uses_floats for r in roots) else "TB"
    if rankdir not in RANKDIRS:
        raise ValueError(f"{op}: rankdir must be 'LR', 'RL', 'TB', 'BT' or None, got "
                         f"{rankdir!r}")
    return rankdir


def check_roots(root: Any, op: str) -> list[Node]:
    """``root`` (a node or a list of nodes) as a non-empty list of nodes, or a clear error.

    >>> import tinygrad_lm as tg
    >>> len(check_roots(tg.Value(1.0), "draw_graph"))
    1
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError(f"{op}: got an empty list of roots")
    for i, r in enumerate(roots):
        if not isinstance(r, Node):
            raise TypeError(f"{op}: root {i} is a {type(r).__name__}, not a Value or Tensor")
    return roots


def draw_graph(root: Node | Sequence[Node], *, show_data: bool = True, show_grad: bool = True,
               rankdir: str | None = None, titles: Sequence[str] | None = None,
               collapse: Any = None, max_nodes: int | None = 500, legend: bool = True,
               undefined: str = "zero", expand: bool | Iterable[str] = False,
               tangents: Mapping[Node, Any] | None = None) -> Drawing:
    """Draw the graph that computed ``root`` (a ``Value`` or ``Tensor``) with values and grads.

    ``root`` may be a list of roots, drawn side by side in one figure, one box each, titled by
    ``titles``. Gradients are d root / d node for the seed ``ones`` (``1.0`` for a ``Value``),
    computed here without touching any ``.grad``; ``undefined="nan"`` shows the strict mode's
    NaNs where a piecewise-constant op sits on a jump. ``rankdir=None`` lays Value graphs out
    left to right, Tensor graphs top to bottom. Returns a ``graphviz.Digraph``.

    ``collapse`` draws groups of nodes as one node each: a ``Module`` (anything with
    ``named_parameters()``, or a ``tg.nn.scalar.MLP``) groups ops by the layer owning the
    parameters they read, a dict ``{title: members}`` by hand, each member a ``Module``, a
    parameter, an intermediate tensor or a list of them. An op joins a group when it is a
    member or reads one of the group's parameters directly; the root always stays visible.
    Composites such as ``binary_cross_entropy`` are one box each; ``expand=True`` draws their
    ops, ``expand=["cross_entropy"]`` those of the named ones. ``max_nodes`` (``None``: no
    limit) is checked after collapsing.

    ``tangents={leaf: tangent}`` draws the forward pass instead of the backward one, as
    ``tg.jvp`` runs it: every box shows its value and its tangent d node / d v (``v`` the
    seeded direction; leaves not given have tangent zero), every arrow carries its tangent
    from the inputs to the output, and ``show_grad`` shows or hides the tangents. Keys are
    leaves of the graph, tangents of their shape and dtype (a number for a ``Value``).

    The drawing's ``views`` are the ``GraphView`` (or ``ForwardView``) of each root: its boxes
    and arrows as plain data, with the numbers they show (``grad``, ``tangent``).

    >>> import tinygrad_lm as tg
    >>> a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> dot = draw_graph(c)
    >>> dot.source.count("->")
    3
    >>> a.grad
    0.0
    >>> "tangent" in draw_graph(c, tangents={a: 1.0}).source  # d c / d a = b = -3
    True
    """
    roots = check_roots(root, "draw_graph")
    if titles is not None and len(titles) != len(roots):
        raise ValueError(f"draw_graph: {len(titles)} titles for {len(roots)} roots")
    rankdir = check_rankdir(rankdir, roots, "draw_graph")
    check_undefined(undefined, "draw_graph")
    groups = resolve_groups(collapse)
    options = {"groups": groups, "undefined": undefined, "expand": expand}
    if tangents is None:
        views = [GraphView(r, **options, prefix=f"c{k}_") for k, r in enumerate(roots)]
    else:
        table = push_tangents(roots, check_tangents(tangents, roots, "draw_graph"),
                              undefined=undefined)
        views = [ForwardView(r, table, **options, prefix=f"c{k}_") for k, r in enumerate(roots)]
    total = sum(v.count for v in views)
    if max_nodes is not None and total > max_nodes:
        hint = ("collapse=model (one node per module) or collapse={'name': [tensors]}"
                if not groups else "a coarser collapse=")
        raise ValueError(f"draw_graph: the graph has {total} nodes to draw, more than "
                         f"max_nodes={max_nodes}; pass {hint} to draw runs of ops as one "
                         f"node, or max_nodes={total} (or None) to draw them all")
    from .dot import render

    drawing = render(views, titles=titles, rankdir=rankdir, show_data=show_data,
                     show_grad=show_grad, legend=legend)
    drawing.views = views
    return drawing


def resolve_groups(collapse: Any) -> dict[int, str]:
    """``collapse`` (a Module, a scalar MLP or ``{title: members}``) as {id(node): title}.

    >>> import tinygrad_lm as tg
    >>> net = tg.nn.scalar.MLP(2, [3, 1])
    >>> sorted(set(resolve_groups(net).values()))
    ['Layer 0', 'Layer 1']
    """
    if collapse is None:
        return {}
    if hasattr(collapse, "named_parameters"):
        return {id(p): _module_title(collapse, path.rpartition(".")[0])
                for path, p in collapse.named_parameters()}
    if hasattr(collapse, "layers") and hasattr(collapse, "parameters"):
        return {id(p): f"{type(layer).__name__} {i}"
                for i, layer in enumerate(collapse.layers) for p in layer.parameters()}
    if not isinstance(collapse, Mapping):
        raise TypeError(f"draw_graph: collapse must be a Module or a dict {{title: members}}, "
                        f"got {type(collapse).__name__}")
    return {id(node): str(title) for title, members in collapse.items()
            for node in _members(members, title)}


def _members(members: Any, title: Any) -> Iterable[Node]:
    if isinstance(members, Node):
        return [members]
    if hasattr(members, "parameters"):
        return members.parameters()
    if isinstance(members, Iterable) and not isinstance(members, (str, bytes)):
        found: list[Node] = []
        for m in members:
            found.extend(_members(m, title))
        return found
    raise TypeError(f"draw_graph: collapse[{title!r}] holds a {type(members).__name__}; "
                    f"members are Modules, Tensors, Values or lists of them")


def _module_title(model: Any, path: str) -> str:
    """``"Linear 0"`` for the sub-module at dotted ``path`` (its type and its path)."""
    module = model
    for part in path.split(".") if path else ():
        module = module[int(part)] if part.isdigit() and hasattr(module, "__getitem__") else (
            getattr(module, part, None))
        if module is None:
            return path
    return f"{type(module).__name__} {path}".rstrip()
