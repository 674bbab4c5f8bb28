"""The renderer: a ``GraphView`` as Graphviz DOT, with labels, styles and a legend.

Only this module imports graphviz, and only ``draw_graph`` and ``draw_backward`` import this
module, when they draw: ``import tinygrad_lm`` leaves graphviz unloaded.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import graphviz
import numpy as np

from ._chain_rule import entries
from .graph_view import EdgeView, GraphView, NodeView

INSTALL_HINT = ("install Graphviz's dot binary: 'apt-get install graphviz' (Debian, Ubuntu), "
                "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', or "
                "see https://graphviz.org/download/; the DOT text is in .source without it")

# Arrays with at most this many entries are shown in full; larger ones as min/mean/max.
SMALL = 12
WRAP = 6  # entries a line
# Longer names are cut, so that one long label cannot stretch the whole figure.
MAX_NAME = 40
SMALL_FONT = 10  # points: shapes, parameters and notes; the body text is 12

FONT = "Helvetica"
MONO = "Courier"
INK = "#1f2937"
MUTED = "#6b7280"
COLORS = {  # (fill, border) of each kind of node
    "data": ("#ffffff", "#4b5563"),
    "parameter": ("#dbeafe", "#1d4ed8"),
    "constant": ("#f3f4f6", "#9ca3af"),
    "raw": ("#f3f4f6", "#9ca3af"),
    "root": ("#fef3c7", "#b45309"),
    "op": ("#f9fafb", "#6b7280"),
    "step": ("#ffedd5", "#ea580c"),
    "undefined": ("#fee2e2", "#dc2626"),
    "group": ("#ecfdf5", "#047857"),
    "composite": ("#f5f3ff", "#6d28d9"),
    "pending": ("#f9fafb", "#9ca3af"),
}
CURRENT = "#db2777"  # the border of the node a backward explorer's frame is processing
EDGES = {  # edge attributes of each kind of edge
    "signal": f'color="{INK}" penwidth=1.2',
    "zero": 'color="#9ca3af" style=dashed penwidth=1.2',
    "undefined": 'color="#dc2626" style=dashed penwidth=1.6',
    "constant": 'color="#9ca3af" style=dotted',
    "pending": 'color="#d1d5db" penwidth=0.8',
}
LEGEND = (
    ("parameter", "parameter: a leaf that requires grad"),
    ("constant", "constant: no gradient needed"),
    ("root", "root: the loss, seeded with ones"),
    ("step", "piecewise-constant op: zero derivative"),
    ("undefined", "op on a jump: derivative undefined"),
    ("composite", "composite: several ops in one box"),
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


def render(views: Sequence[GraphView], *, titles: Sequence[str] | None, rankdir: str,
           show_data: bool = True, show_grad: bool = True, legend: bool = True,
           ids: bool = False) -> Drawing:
    """The DOT drawing of one or more views, side by side in titled boxes when several.

    ``ids`` writes every box's view id as its SVG ``id``, for pages that script the drawing.

    >>> import tinygrad_lm as tg
    >>> dot = render([GraphView(tg.Value(1.0) * 2)], titles=None, rankdir="LR", legend=False)
    >>> dot.source.count("->")  # x -> *, 2 -> *, * -> out
    3
    """
    dot = new_drawing(rankdir)
    clustered = len(views) > 1 or titles is not None
    # dot stacks the disconnected parts of a left-to-right layout bottom-up in the order given,
    # so they are given in reverse to read top-down.
    flip = rankdir in ("LR", "RL")
    if legend and flip:
        dot.body.extend(legend_lines())
    for k, view in reversed(list(enumerate(views))) if flip else enumerate(views):
        lines = [f"\t{n.id} {node_attrs(n, show_data, show_grad, ids)}\n" for n in view.nodes]
        lines += [f"\t{e.src} -> {e.dst} [{edge_attrs(e, ids)}]\n" for e in view.edges]
        if clustered:
            title = text(titles[k]) if titles is not None else f"graph {k + 1}"
            dot.body.append(f"\tsubgraph cluster_{k} {{\n")
            dot.body.append(f'\t\tlabel=<<B>{title}</B>> labeljust=l fontsize=18 '
                            f'color="#d1d5db" style=rounded penwidth=1.2 margin=12\n')
            dot.body.extend("\t" + line for line in lines)
            dot.body.append("\t}\n")
        else:
            dot.body.extend(lines)
    if legend and not flip:
        # Below the graphs rather than beside them: a figure as narrow as its graphs reads at
        # a larger scale on a page.
        dot.body.extend(legend_lines())
        # Under the deepest graph (the last of them), so that it stretches no rank of the others.
        deepest = max(reversed(views), key=lambda v: v.depth)
        dot.body.append(f"\t{deepest.data_id[deepest.root]} -> legend [style=invis]\n")
    return dot


def new_drawing(rankdir: str, caption: str = "") -> Drawing:
    """An empty drawing in the house style, ``caption`` written above it.

    >>> "rankdir=TB" in new_drawing("TB").source
    True
    """
    graph = {"rankdir": rankdir, "fontname": FONT, "fontsize": "16", "nodesep": "0.25",
             "ranksep": "0.3", "bgcolor": "white"}
    if caption:
        graph.update(label=f"<{text(caption, limit=None)}>", labelloc="t", labeljust="l",
                     fontsize="13")
    return Drawing(graph_attr=graph,
                   node_attr={"fontname": FONT, "fontsize": "12", "fontcolor": INK,
                              "margin": "0.05,0.03", "penwidth": "1.2"},
                   edge_attr={"arrowsize": "0.7"})


def edge_attrs(edge: EdgeView, ids: bool = False) -> str:
    """The DOT attributes of an arrow: its kind's style (and its id).

    >>> edge_attrs(EdgeView("a", "b", "zero"))
    'color="#9ca3af" style=dashed penwidth=1.2'
    """
    return EDGES[edge.kind] + (f' id="{edge.id}"' if ids else "")


def node_attrs(n: NodeView, show_data: bool, show_grad: bool, ids: bool = False) -> str:
    """The DOT attributes of a box, by its kind and state.

    >>> node_attrs(NodeView("k", "raw", data=2.0), True, True).endswith('"Courier">2</FONT>>]')
    True
    """
    if n.kind in ("op", "step", "undefined", "composite"):
        attrs = _op_attrs(n)
    elif n.kind == "group":
        attrs = _group_attrs(n, show_data, show_grad)
    elif n.kind == "raw":
        attrs = _raw_attrs(n.data)
    else:
        attrs = _data_attrs(n, show_data, show_grad)
    if n.state == "current":
        attrs = attrs[:-1] + f' color="{CURRENT}" penwidth=3.5]'
    elif n.state == "pending":
        attrs = attrs[:-1] + ' style="rounded,filled,dashed"]'
    return attrs[:-1] + f' id="{n.id}"]' if ids else attrs


def text(s: Any, limit: int | None = MAX_NAME) -> str:
    """User text made inert inside an HTML-like label: escaped, control characters shown, cut
    to ``limit`` characters.

    >>> text("a<b")
    'a&lt;b'
    """
    s = str(s)
    if limit is not None and len(s) > limit:
        s = s[:limit - 1] + "\u2026"
    s = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in s)
    s = html.escape(s.encode("utf-8", "backslashreplace").decode("utf-8"))
    # dot expands \N, \G, \L... even inside HTML labels (after decoding entities); a doubled
    # backslash is its escape for one literal backslash.
    return s.replace("\\", "\\\\").replace("\n", '<BR ALIGN="LEFT"/>')


def _number(x: Any) -> str:
    is_int = isinstance(x, (bool, np.bool_, int, np.integer))
    return str(int(x)) if is_int else f"{float(x) + 0.0:.4g}"  # + 0.0 shows -0.0 as 0


def value_text(x: Any) -> str:
    """A scalar as a number; a small array in full; a large one as min/mean/max; an empty one
    as empty. Lines are joined by ``<BR/>``.

    >>> value_text(np.array([1.0, 2.5])), value_text(np.zeros((0, 3)))
    ('[1, 2.5]', 'empty')
    """
    if type(x) is float:
        return f"{x + 0.0:.4g}"
    a = np.asarray(x)
    if a.ndim == 0:
        return _number(a.item())
    if a.size == 0:
        return "empty"
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
    # Large and empty arrays are summarised, so their dtype is part of the summary.
    plain = data.dtype == np.float64 and 0 < data.size <= SMALL
    dtype = "" if plain else f" {data.dtype}"
    return f"{tuple(data.shape)}{dtype}" if data.ndim or dtype else ""


def _small(s: str, color: str = MUTED) -> str:
    return f'<FONT COLOR="{color}" POINT-SIZE="{SMALL_FONT}">{s}</FONT>'


def _table(rows: list[str]) -> str:
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>")


def _data_attrs(n: NodeView, show_data: bool, show_grad: bool) -> str:
    kind = n.kind if n.state != "pending" else "pending"
    fill, border = COLORS[kind]
    head = f"<B>{text(n.name)}</B>" if n.name else ""
    shape = _shape_text(n.data)
    if shape:
        head += f'{" " if head else ""}{_small(shape)}'
    rows = []
    if head:
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{head}</TD></TR>')
    if show_data:
        rows.append(_row("data", value_text(n.data)))
    if show_grad and n.grad is not None:
        rows.append(_row("grad", "pending" if n.state == "pending" else value_text(n.grad)))
    if not rows:
        rows.append(f'<TR><TD>{"loss" if n.kind == "root" else " "}</TD></TR>')
    width = "2.4" if n.kind == "root" else "1.2"
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f"penwidth={width} label=<{_table(rows)}>]")


def _params_text(params: dict) -> str:
    shown = ((key, repr(value)) for key, value in params.items()
             if value is not None and value is not False)
    return ", ".join(f"{key}={s if len(s) <= 24 else s[:23] + chr(0x2026)}" for key, s in shown)


def _op_count(members: list) -> str:
    ops: dict[str, int] = {}
    for node in members:
        if node.prim is not None:
            ops[node.prim.symbol] = ops.get(node.prim.symbol, 0) + 1
    return ", ".join(name if k == 1 else f"{name} \u00d7{k}" for name, k in ops.items())


def _op_attrs(n: NodeView) -> str:
    kind = n.kind if n.state != "pending" else "pending"
    fill, border = COLORS[kind]
    if n.members:  # a composite's box
        label = f"<B>{text(n.name)}</B><BR/>{_small(text(_op_count(n.members)))}"
        if n.undefined:
            label += f"<BR/>{_small(f'undefined at {entries(n.undefined)}', border)}"
        return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
                f"penwidth=1.6 label=<{label}>]")
    label = f"<B>{text(n.node.prim.symbol)}</B>"
    params = _params_text(n.node.params)
    if params:
        label += f"<BR/>{_small(text(params))}"
    if n.undefined:
        label += f"<BR/>{_small(f'undefined at {n.undefined} of {n.size}', border)}"
    shape = "ellipse" if n.kind == "op" else "box"
    style = "filled" if n.kind == "op" else '"rounded,filled"'
    return f'[shape={shape} style={style} fillcolor="{fill}" color="{border}" label=<{label}>]'


def _raw_attrs(arg: Any) -> str:
    fill, border = COLORS["constant"]
    s = value_text(arg) if isinstance(arg, (int, float, np.ndarray, np.generic)) else (
        text(type(arg).__name__))
    shape = _shape_text(arg)
    if shape:
        s = f"{_small(shape)}<BR/>{s}"
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f'label=<<FONT FACE="{MONO}">{s}</FONT>>]')


def _group_attrs(n: NodeView, show_data: bool, show_grad: bool) -> str:
    """One node for a group: its ops, then each parameter and the group's output (its last op)."""
    fill, border = COLORS["group"]
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{text(n.name)}</B></TD></TR>']
    ops = _op_count(n.members)
    if ops:
        rows.append(_row("ops", text(ops)))
    params = [m for m in n.members if m.prim is None]
    shown = sorted(params, key=lambda p: getattr(p, "name", "") or getattr(p, "label", ""))
    outputs = [m for m in n.members if m.prim is not None][-1:]
    if shown and all(p.uses_floats for p in shown):
        # A scalar layer's parameters are many unnamed numbers: one row each of data and grad.
        rows.append(_row(f"{len(shown)} params", ""))
        if show_data:
            rows.append(_row("data", value_text(np.array([p.data for p in shown]))))
        if show_grad and all(n.grad.get(p) is not None for p in shown):
            rows.append(_row("grad", value_text(np.array([n.grad[p] for p in shown]))))
        shown = []
    for node in shown + outputs:
        if node.prim is None:
            name = getattr(node, "name", None) or getattr(node, "label", "") or "parameter"
            name = name.rpartition(".")[2]
        else:
            name = "out"
        rows.append(_row(text(name), _shape_text(node.data)))
        if show_data:
            rows.append(_row("data", value_text(node.data)))
        grad = n.grad.get(node)
        if show_grad and grad is not None:
            rows.append(_row("grad", value_text(grad)))
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f"penwidth=1.6 label=<{_table(rows)}>]")


def legend_lines() -> list[str]:
    """The legend: one table, a swatch of each node style and a sample of each edge style.

    >>> legend_lines()[0].startswith("\\tlegend [")
    True
    """
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>legend</B></TD></TR>']
    for kind, label in LEGEND:
        fill, border = COLORS[kind]
        border_width = 2 if kind == "root" else 1
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="{border_width}" '
                    f'STYLE="rounded" WIDTH="34"> </TD><TD ALIGN="LEFT">{label}</TD></TR>')
    for kind, label in LEGEND_EDGES:
        color, sample = LEGEND_SAMPLES[kind]
        rows.append(f'<TR><TD><FONT COLOR="{color}">{sample}</FONT></TD>'
                    f'<TD ALIGN="LEFT">{label}</TD></TR>')
    table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>")
    return [f'\tlegend [shape=box style="rounded" color="#d1d5db" fontsize=12 '
            f"label=<{table}>]\n"]
