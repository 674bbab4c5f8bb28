"""Computation graphs as graphviz drawings: values, gradients, dead edges and undefined points.

One renderer serves ``Value`` and ``Tensor`` graphs: it reads only the node contract of
``engine.Node``. Every gradient shown is computed for the drawing by ``engine.backprop`` in
record mode, so a drawing made before ``backward()`` shows the same numbers as one made after,
and no ``.grad`` is ever touched.

The drawing is micrograd's: a data node (name, value, gradient) for every tensor, an op node
between a node and its inputs. Constants feeding an op (targets, the ``1`` of ``1 - p``) are
small grey nodes. Styles, explained by the legend drawn beside the graph:

- an edge whose gradient is all zeros is dashed grey: no signal flows back along it;
- an op that is piecewise constant (a comparison, ``round``, ``argmax``...) is orange;
- an op sitting exactly on one of its jumps, where the derivative does not exist for some
  entry, is red and says for how many entries;
- the root (the loss) has a thick gold border; parameters (leaves that require grad) are blue.

Large graphs: ``collapse`` draws a whole module, or any set of tensors, as one node, and
``max_nodes`` refuses to lay out an unreadable wall.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import graphviz
import numpy as np

from .engine import gradients, jump_masks, locally_constant, toposort
from .node import Node

__all__ = ["Drawing", "GraphvizNotFound", "draw_graph"]

INSTALL_HINT = ("install Graphviz's dot binary: 'apt-get install graphviz' (Debian, Ubuntu), "
                "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', or "
                "see https://graphviz.org/download/; the DOT text is in .source without it")

# Arrays with at most this many entries are shown in full; larger ones as min/mean/max.
SMALL = 12
WRAP = 6  # entries a line
# Longer names are cut, so that one long label cannot stretch the whole figure.
MAX_NAME = 40

FONT = "Helvetica"
MONO = "Courier"
INK = "#1f2937"
MUTED = "#6b7280"
COLORS = {  # (fill, border) of each kind of node
    "data": ("#ffffff", "#4b5563"),
    "parameter": ("#dbeafe", "#1d4ed8"),
    "constant": ("#f3f4f6", "#9ca3af"),
    "root": ("#fef3c7", "#b45309"),
    "op": ("#f9fafb", "#6b7280"),
    "step": ("#ffedd5", "#ea580c"),
    "undefined": ("#fee2e2", "#dc2626"),
    "group": ("#ecfdf5", "#047857"),
}
EDGES = {  # edge attributes of each kind of edge
    "signal": f'color="{INK}" penwidth=1.2',
    "zero": 'color="#9ca3af" style=dashed penwidth=1.2',
    "undefined": 'color="#dc2626" style=dashed penwidth=1.6',
    "constant": 'color="#9ca3af" style=dotted',
}
LEGEND = (
    ("parameter", "parameter: a leaf that requires grad"),
    ("constant", "constant: no gradient needed"),
    ("root", "root: the loss, seeded with ones"),
    ("step", "piecewise-constant op: zero derivative"),
    ("undefined", "op on a jump: derivative undefined"),
)
LEGEND_EDGES = (
    ("signal", "gradient flows"),
    ("zero", "no signal: all-zero gradient"),
    ("undefined", "gradient undefined at some entry"),
    ("constant", "constant input"),
)
LEGEND_SAMPLES = {  # (colour, text drawing the edge) in the legend's table
    "signal": (INK, "\u2014\u2014\u25b6"),
    "zero": ("#9ca3af", "- - \u25b6"),
    "undefined": ("#dc2626", "- - \u25b6"),
    "constant": ("#9ca3af", "\u00b7\u00b7\u00b7\u00b7"),
}


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` binary, which is not on ``PATH``.

    >>> str(GraphvizNotFound(["dot"])).startswith("cannot render: Graphviz's executable 'dot'")
    True
    """

    _msg = "cannot render: Graphviz's executable {!r} was not found on PATH; " + INSTALL_HINT


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering says how to install Graphviz when it is missing.

    ``.source`` never needs Graphviz; ``render``, ``pipe`` and Jupyter's inline display
    (``_repr_mimebundle_``, which pipes to SVG) do.

    >>> Drawing().source
    'digraph {\\n}\\n'
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFound([self.engine]) from e

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFound([self.engine]) from e


def draw_graph(root: Node | Sequence[Node], *, show_data: bool = True, show_grad: bool = True,
               rankdir: str = "LR", titles: Sequence[str] | None = None,
               collapse: Any = None, max_nodes: int | None = 500, legend: bool = True,
               undefined: str = "zero") -> Drawing:
    """Draw the graph that computed ``root`` (a ``Value`` or ``Tensor``) with values and grads.

    ``root`` may be a list of roots, drawn side by side in one figure, one box each, titled by
    ``titles``. Gradients are d root / d node for the seed ``ones`` (``1.0`` for a ``Value``),
    computed here without touching any ``.grad``; ``undefined="nan"`` shows the strict mode's
    NaNs where a piecewise-constant op sits on a jump.

    ``collapse`` draws groups of nodes as one node each: a ``Module`` (anything with
    ``named_parameters()``) groups ops by the sub-module owning the parameters they read, a
    dict ``{title: members}`` by hand, each member a ``Module``, a parameter, an intermediate
    tensor or a list of them. An op joins a group when it is a member or reads one of the
    group's parameters directly; the root always stays visible. ``max_nodes`` (``None``: no
    limit) is checked after collapsing.

    >>> import tinygrad_lm as tg
    >>> a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> dot = draw_graph(c)
    >>> dot.source.count("->")
    3
    >>> a.grad
    0.0
    """
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots:
        raise ValueError("draw_graph: got an empty list of roots")
    for i, r in enumerate(roots):
        if not isinstance(r, Node):
            raise TypeError(f"draw_graph: root {i} is a {type(r).__name__}, not a Value or "
                            f"Tensor")
    if titles is not None and len(titles) != len(roots):
        raise ValueError(f"draw_graph: {len(titles)} titles for {len(roots)} roots")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got "
                         f"{rankdir!r}")
    groups = _resolve_groups(collapse)
    graphs = [_Layout(r, groups, undefined) for r in roots]
    total = sum(g.count for g in graphs)
    if max_nodes is not None and total > max_nodes:
        hint = ("collapse=model (one node per module) or collapse={'name': [tensors]}"
                if not groups else "a coarser collapse=")
        raise ValueError(f"draw_graph: the graph has {total} nodes to draw, more than "
                         f"max_nodes={max_nodes}; pass {hint} to draw runs of ops as one "
                         f"node, or max_nodes={total} (or None) to draw them all")
    dot = Drawing(graph_attr={
        "rankdir": rankdir, "fontname": FONT, "fontsize": "14", "nodesep": "0.25",
        "ranksep": "0.35", "bgcolor": "white"},
        node_attr={"fontname": FONT, "fontsize": "11", "fontcolor": INK, "margin": "0.05,0.03",
                   "penwidth": "1.2"},
        edge_attr={"arrowsize": "0.7"})
    clustered = len(roots) > 1 or titles is not None
    # dot stacks the disconnected parts of a left-to-right layout bottom-up in the order given,
    # so they are given in reverse to read top-down.
    flip = rankdir in ("LR", "RL")
    if legend and flip:
        dot.body.extend(_legend_lines())
    for k, layout in reversed(list(enumerate(graphs))) if flip else enumerate(graphs):
        lines = layout.dot_lines(f"c{k}_", show_data, show_grad)
        if clustered:
            title = _text(titles[k]) if titles is not None else f"graph {k + 1}"
            dot.body.append(f"\tsubgraph cluster_{k} {{\n")
            dot.body.append(f'\t\tlabel=<<B>{title}</B>> labeljust=l fontsize=16 '
                            f'color="#d1d5db" style=rounded penwidth=1.2 margin=12\n')
            dot.body.extend("\t" + line for line in lines)
            dot.body.append("\t}\n")
        else:
            dot.body.extend(lines)
    if legend and not flip:
        dot.body.extend(_legend_lines())
    return dot


class _Layout:
    """One root's graph: which nodes to draw, how they connect, and their gradients."""

    def __init__(self, root: Node, groups: dict[int, str], undefined: str):
        self.root = root
        self.order = toposort(root)
        if root.uses_floats:
            seed: Any = 1.0
        else:
            dtype = root.data.dtype if root.data.dtype.kind == "f" else np.float64
            seed = np.ones(root.data.shape, dtype)
        self.grads: dict[Any, Any] = {
            (id(key[0]), key[1]) if type(key) is tuple else id(key): grad
            for key, grad in gradients(root, seed, undefined=undefined).items()}
        self.undefined = self._undefined_entries()
        self.group_of = self._assign_groups(groups)
        self.constants: list[Node] = []   # non-grad input nodes, each drawn once
        constant_ids: set[int] = set()
        raw = 0
        for node in self.order:
            if node.prim is None:
                continue
            for inp in node.inputs:
                if inp is None:
                    raw += 1
                elif not inp.requires_grad and id(inp) not in constant_ids:
                    constant_ids.add(id(inp))
                    self.constants.append(inp)
        grouped = [n for n in self.order if id(n) in self.group_of]
        ops = sum(1 for n in self.order if n.prim is not None and id(n) not in self.group_of)
        self.count = (len(self.order) - len(grouped) + ops + len(self.constants) + raw
                      + len(set(self.group_of.values())))

    def _undefined_entries(self) -> dict[int, list[int]]:
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
                found[id(node)] = counts
        return found

    def _assign_groups(self, groups: dict[int, str]) -> dict[int, str]:
        if not groups:
            return {}
        group_of = {}
        for node in self.order:
            if node is self.root:
                continue
            name = groups.get(id(node))
            if name is None and node.prim is not None:
                name = next((groups[id(inp)] for inp in node.inputs
                             if inp is not None and inp.prim is None and id(inp) in groups),
                            None)
            if name is not None:
                group_of[id(node)] = name
        return group_of

    def dot_lines(self, prefix: str, show_data: bool, show_grad: bool) -> list[str]:
        """The DOT statements of this graph, every id starting with ``prefix``."""
        lines: list[str] = []
        ids: dict[int, str] = {}
        group_ids: dict[str, str] = {}
        members: dict[str, list[Node]] = {}
        for node in self.order:
            name = self.group_of.get(id(node))
            if name is not None:
                members.setdefault(name, []).append(node)
                if name not in group_ids:
                    group_ids[name] = f"{prefix}g{len(group_ids)}"
                ids[id(node)] = group_ids[name]
        for name, nodes in members.items():
            attrs = _group_attrs(name, nodes, self.grads, show_data, show_grad)
            lines.append(f"\t{group_ids[name]} {attrs}\n")
        for i, node in enumerate(self.constants):
            ids[id(node)] = f"{prefix}k{i}"
            lines.append(f"\t{prefix}k{i} "
                         f"{_data_attrs(node, None, 'constant', show_data, False)}\n")
        for i, node in enumerate(self.order):
            if id(node) in ids:
                continue
            ids[id(node)] = f"{prefix}{i}"
            if node is self.root:
                kind = "root"
            elif node.prim is None:
                kind = "parameter" if node.requires_grad else "constant"
            else:
                kind = "data"
            attrs = _data_attrs(node, self.grads.get(id(node)), kind, show_data, show_grad)
            lines.append(f"\t{prefix}{i} {attrs}\n")
        # Keyed by (source, target, input index): x * x keeps both its edges, while edges
        # merged into one group node (index None) are drawn once.
        edges: dict[tuple[str, str, int | None], str] = {}
        raw = 0
        for i, node in enumerate(self.order):
            if node.prim is None:
                continue
            out_id = ids[id(node)]
            op_id = out_id if id(node) in self.group_of else f"{prefix}{i}op"
            if op_id != out_id:
                counts = self.undefined.get(id(node))
                lines.append(f"\t{op_id} {_op_attrs(node, counts)}\n")
                _add_edge(edges, (op_id, out_id, None), _edge_kind(self.grads.get(id(node))))
            counts = self.undefined.get(id(node))
            for j, (inp, arg) in enumerate(zip(node.inputs, node.args)):
                if inp is None:
                    src = f"{prefix}r{raw}"
                    raw += 1
                    lines.append(f"\t{src} {_raw_attrs(arg)}\n")
                    kind = "constant"
                elif not inp.requires_grad:
                    src, kind = ids[id(inp)], "constant"
                else:
                    src = ids[id(inp)]
                    kind = ("undefined" if counts and counts[j]
                            else _edge_kind(self.grads.get((id(node), j))))
                if src != op_id:
                    grouped = src.startswith(f"{prefix}g") or op_id == out_id
                    _add_edge(edges, (src, op_id, None if grouped else j), kind)
        lines.extend(f"\t{src} -> {dst} [{EDGES[kind]}]\n"
                     for (src, dst, _), kind in edges.items())
        return lines


_PRECEDENCE = {"constant": 0, "zero": 1, "signal": 2, "undefined": 3}


def _add_edge(edges: dict, key: tuple, kind: str) -> None:
    """Record an edge; merged edges show the strongest signal among them."""
    previous = edges.get(key)
    if previous is None or _PRECEDENCE[kind] > _PRECEDENCE[previous]:
        edges[key] = kind


def _edge_kind(grad: Any) -> str:
    if grad is None:
        return "zero"
    if type(grad) is float:
        return "zero" if grad == 0.0 else "signal"
    return "signal" if np.any(grad) else "zero"


def _resolve_groups(collapse: Any) -> dict[int, str]:
    """``collapse`` as {id(member node): group title}."""
    if collapse is None:
        return {}
    if hasattr(collapse, "named_parameters"):
        groups = {}
        for path, p in collapse.named_parameters():
            owner = path.rpartition(".")[0]
            groups[id(p)] = _module_title(collapse, owner)
        return groups
    if not isinstance(collapse, Mapping):
        raise TypeError(f"draw_graph: collapse must be a Module or a dict {{title: members}}, "
                        f"got {type(collapse).__name__}")
    groups = {}
    for title, members in collapse.items():
        for node in _members(members, title):
            groups[id(node)] = str(title)
    return groups


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


# Labels ------------------------------------------------------------------------------------

def _text(s: Any) -> str:
    """User text made inert inside an HTML-like label: escaped, control characters shown."""
    s = str(s)
    if len(s) > MAX_NAME:
        s = s[:MAX_NAME - 1] + "\u2026"
    s = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in s)
    s = html.escape(s.encode("utf-8", "backslashreplace").decode("utf-8"))
    # dot expands \N, \G, \L... even inside HTML labels (after decoding entities); a doubled
    # backslash is its escape for one literal backslash.
    return s.replace("\\", "\\\\").replace("\n", '<BR ALIGN="LEFT"/>')


def _number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x) + 0.0:.4g}"  # + 0.0 shows -0.0 as 0


def _value_text(x: Any) -> str:
    """A scalar as a number; a small array in full; a large one as min/mean/max."""
    if type(x) is float:
        return f"{x + 0.0:.4g}"
    a = np.asarray(x)
    if a.ndim == 0:
        return _number(a.item())
    if a.size <= SMALL:
        # A column (n, 1) reads as well on one line; its shape is in the node's header.
        if a.ndim == 1 or a.shape[-1] == 1:
            flat = [_number(v) for v in a.reshape(-1).tolist()]
            lines = (", ".join(flat[i:i + WRAP]) for i in range(0, len(flat), WRAP))
            return "[" + ",<BR/>".join(lines) + "]"
        return "<BR/>".join("[" + ", ".join(_number(v) for v in row.tolist()) + "]"
                            for row in a.reshape(-1, a.shape[-1]))
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if finite.size == 0:
        return f"all {_number(a.flat[0])}"
    parts = f"min {_number(finite.min())}  mean {_number(finite.mean())}  " \
            f"max {_number(finite.max())}"
    missing = a.size - finite.size
    if missing:
        parts += f"  ({missing} not finite)"
    return parts


def _row(key: str, value: str) -> str:
    value = value or "&#160;"  # dot rejects an empty <FONT></FONT>
    return (f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{MUTED}">{key}</FONT></TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT"><FONT FACE="{MONO}">{value}</FONT></TD></TR>')


def _shape_text(data: Any) -> str:
    if not isinstance(data, np.ndarray):
        return ""
    # Large arrays are summarised, so their dtype is part of the summary.
    dtype = "" if data.dtype == np.float64 and data.size <= SMALL else f" {data.dtype}"
    return f"{tuple(data.shape)}{dtype}" if data.ndim or dtype else ""


def _data_attrs(node: Node, grad: Any, kind: str, show_data: bool, show_grad: bool) -> str:
    fill, border = COLORS[kind]
    name = getattr(node, "name", None) or getattr(node, "label", "")
    head = f"<B>{_text(name)}</B>" if name else ""
    shape = _shape_text(node.data)
    if shape:
        head += f'{" " if head else ""}<FONT COLOR="{MUTED}" POINT-SIZE="9">{shape}</FONT>'
    rows = []
    if head:
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{head}</TD></TR>')
    if show_data:
        rows.append(_row("data", _value_text(node.data)))
    if show_grad and grad is not None:
        rows.append(_row("grad", _value_text(grad)))
    if not rows:
        rows.append(f'<TR><TD>{"loss" if kind == "root" else " "}</TD></TR>')
    width = "2.4" if kind == "root" else "1.2"
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f'penwidth={width} label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="2">{"".join(rows)}</TABLE>>]')


def _params_text(params: dict) -> str:
    shown = []
    for key, value in params.items():
        if value is None or value is False:
            continue
        text = repr(value)
        if len(text) > 24:
            text = text[:23] + "\u2026"
        shown.append(f"{key}={text}")
    return ", ".join(shown)


def _op_attrs(node: Node, undefined_counts: list[int] | None) -> str:
    prim = node.prim
    kind = "undefined" if undefined_counts else "step" if prim.jumps is not None else "op"
    fill, border = COLORS[kind]
    label = f"<B>{_text(prim.symbol)}</B>"
    params = _params_text(node.params)
    if params:
        label += f'<BR/><FONT POINT-SIZE="9" COLOR="{MUTED}">{_text(params)}</FONT>'
    if undefined_counts:
        size = max(int(np.size(a)) for a, inp in zip(node.args, node.inputs)
                   if inp is not None)
        label += (f'<BR/><FONT POINT-SIZE="9" COLOR="{border}">undefined at '
                  f"{max(undefined_counts)} of {size}</FONT>")
    shape = "ellipse" if kind == "op" else "box"
    style = "filled" if kind == "op" else '"rounded,filled"'
    return (f'[shape={shape} style={style} fillcolor="{fill}" color="{border}" '
            f"label=<{label}>]")


def _raw_attrs(arg: Any) -> str:
    fill, border = COLORS["constant"]
    text = _value_text(arg) if isinstance(arg, (int, float, np.ndarray, np.generic)) else (
        _text(type(arg).__name__))
    shape = _shape_text(arg)
    if shape:
        text = f'<FONT COLOR="{MUTED}" POINT-SIZE="9">{shape}</FONT><BR/>{text}'
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f'label=<<FONT FACE="{MONO}">{text}</FONT>>]')


def _group_attrs(title: str, nodes: list[Node], grads: dict, show_data: bool,
                 show_grad: bool) -> str:
    """One node for a group: its ops, then each parameter and the group's output (its last op)."""
    fill, border = COLORS["group"]
    ops: dict[str, int] = {}
    params = []
    for node in nodes:
        if node.prim is None:
            params.append(node)
        else:
            ops[node.prim.symbol] = ops.get(node.prim.symbol, 0) + 1
    op_text = ", ".join(name if n == 1 else f"{name} \u00d7{n}" for name, n in ops.items())
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{_text(title)}</B></TD></TR>']
    if op_text:
        rows.append(_row("ops", _text(op_text)))
    shown = sorted(params, key=lambda p: getattr(p, "name", "") or getattr(p, "label", ""))
    outputs = [n for n in nodes if n.prim is not None][-1:]
    for node in shown + outputs:
        if node.prim is None:
            name = getattr(node, "name", None) or getattr(node, "label", "") or "parameter"
            name = name.rpartition(".")[2]
        else:
            name = "out"
        rows.append(_row(_text(name), _shape_text(node.data)))
        if show_data:
            rows.append(_row("data", _value_text(node.data)))
        grad = grads.get(id(node))
        if show_grad and grad is not None:
            rows.append(_row("grad", _value_text(grad)))
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f'penwidth=1.6 label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="2">{"".join(rows)}</TABLE>>]')


def _legend_lines() -> list[str]:
    """The legend: one table, a swatch of each node style and a sample of each edge style."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>legend</B></TD></TR>']
    for kind, text in LEGEND:
        fill, border = COLORS[kind]
        border_width = 2 if kind == "root" else 1
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="{border_width}" '
                    f'STYLE="rounded" WIDTH="34"> </TD><TD ALIGN="LEFT">{text}</TD></TR>')
    for kind, text in LEGEND_EDGES:
        color, sample = LEGEND_SAMPLES[kind]
        rows.append(f'<TR><TD><FONT COLOR="{color}">{sample}</FONT></TD>'
                    f'<TD ALIGN="LEFT">{text}</TD></TR>')
    table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>")
    return [f'	legend [shape=box style="rounded" color="#d1d5db" fontsize=10 '
            f'label=<{table}>]\n']
