"""The renderer: a ``GraphView`` as Graphviz DOT, with labels, styles and a legend.

Only this module imports graphviz, and only ``draw_graph`` and ``draw_backward`` import this
module, when they draw: ``import tinygrad_lm`` leaves graphviz unloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphviz
import numpy as np

from ..core import backend
from .chain_rule import entries
from .forward_view import ForwardView
from .graph_view import EdgeView, GraphView, NodeView, own_name
from .label_text import SMALL, text, value_text

INSTALL_HINT = ("install Graphviz's dot binary: 'apt-get install graphviz' (Debian, Ubuntu), "
                "'brew install graphviz' (macOS), 'conda install -c conda-forge graphviz', or "
                "see https://graphviz.org/download/; the DOT text is in .source without it")

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
    "partial": ("#f0fdfa", "#0d9488"),  # an explorer's box with part of its gradient so far
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
    ("group", "module (collapse=): a layer's ops and weights"),
)
LEGEND_EDGES = (
    ("signal", "gradient flows"),
    ("zero", "no signal: all-zero gradient"),
    ("undefined", "gradient undefined at some entry"),
    ("constant", "constant input"),
)
# A drawing of the forward pass (``draw_graph(tangents=...)``) says so above it, and in its legend.
FORWARD_CAPTION = ("Forward mode: every node's value (data) and tangent d node/dv,\n"
                   "pushed along the arrows from the inputs to the output\n")
LEGEND_FORWARD = (
    ("parameter", "input: a leaf, tangent as seeded (0 if not)"),
    ("constant", "constant: tangent zero"),
    ("root", "root: the output, its tangent is J v"),
    ("step", "piecewise-constant op: zero tangent"),
    ("undefined", "op on a jump: derivative undefined"),
    ("composite", "composite: several ops in one box"),
)
LEGEND_EDGES_FORWARD = (
    ("signal", "tangent flows forward"),
    ("zero", "no signal: all-zero tangent"),
    ("undefined", "tangent undefined at some entry"),
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

    def svg(self) -> str:
        """The drawing as an inline ``<svg>`` element (no XML prologue), for HTML pages."""
        text = self.pipe(format="svg").decode("utf-8")
        return text[text.index("<svg"):]


def render(views: Sequence[GraphView], *, titles: Sequence[str] | None, rankdir: str,
           show_data: bool = True, show_grad: bool = True, legend: bool = True,
           ids: bool = False) -> Drawing:
    """The DOT drawing of one or more views, side by side in titled boxes when several.

    ``ids`` writes every box's view id as its SVG ``id``, for pages that script the drawing.
    Views of the forward pass (``ForwardView``) show tangents; a drawing of only such views
    says so in a caption and in its legend.

    >>> import tinygrad_lm as tg
    >>> dot = render([GraphView(tg.Value(1.0) * 2)], titles=None, rankdir="LR", legend=False)
    >>> dot.source.count("->")  # x -> *, 2 -> *, * -> out
    3
    """
    forward = all(isinstance(v, ForwardView) for v in views)
    dot = new_drawing(rankdir, FORWARD_CAPTION if forward else "")
    clustered = len(views) > 1 or titles is not None
    # dot stacks the disconnected parts of a left-to-right layout bottom-up in the order given,
    # so they are given in reverse to read top-down.
    flip = rankdir in ("LR", "RL")
    if legend and flip:
        dot.body.extend(legend_lines(forward))
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
        dot.body.extend(legend_lines(forward))
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
        # Each line of an HTML label is aligned by the <BR> that ends it: end the last one too.
        lines = text(caption + "\n", limit=None)
        graph.update(label=f"<{lines}>", labelloc="t", labeljust="l", fontsize="13")
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
        attrs = _raw_attrs(_host(n.data))
    else:
        attrs = _data_attrs(n, show_data, show_grad)
    if n.state == "current":
        attrs = attrs[:-1] + f' color="{CURRENT}" penwidth=3.5]'
    elif n.state in ("pending", "partial"):
        attrs = attrs[:-1] + ' style="rounded,filled,dashed"]'
    return attrs[:-1] + f' id="{n.id}"]' if ids else attrs


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
    kind = n.state if n.state in ("pending", "partial") else n.kind
    fill, border = COLORS[kind]
    head = f"<B>{text(n.name)}</B>" if n.name else ""
    shape = _shape_text(_host(n.data))
    if shape:
        head += f'{" " if head else ""}{_small(shape)}'
    rows = []
    if head:
        rows.append(f'<TR><TD COLSPAN="2" ALIGN="LEFT">{head}</TD></TR>')
    if show_data:
        rows.append(_row("data", value_text(_host(n.data))))
    if show_grad and n.grad is not None:
        value = "pending" if n.state == "pending" else value_text(n.grad)
        rows.append(_row("sum" if n.state == "partial" else "grad", value))
    if show_grad and n.tangent is not None:
        rows.append(_row("tangent", value_text(n.tangent)))
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
    # An explorer's op not yet reached by backward says nothing of its derivative yet.
    undefined = n.undefined if n.state != "pending" else None
    if n.members:  # a composite's box
        label = f"<B>{text(n.name)}</B><BR/>{_small(text(_op_count(n.members)))}"
        if undefined:
            label += f"<BR/>{_small(f'undefined at {entries(undefined)}', border)}"
        return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
                f"penwidth=1.6 label=<{label}>]")
    label = f"<B>{text(n.node.prim.symbol)}</B>"
    params = _params_text(n.node.params)
    if params:
        label += f"<BR/>{_small(text(params))}"
    if undefined:
        label += f"<BR/>{_small(f'undefined at {undefined} of {n.size}', border)}"
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
    # A group of the forward pass shows tangents where one of the backward pass shows grads.
    forward = any(t is not None for t in n.tangent.values())
    key, derivs = ("tangent", n.tangent) if forward else ("grad", n.grad)
    ops = _op_count(n.members)
    if ops:
        rows.append(_row("ops", text(ops)))
    params = [m for m in n.members if m.prim is None]
    shown = sorted(params, key=own_name)
    outputs = [m for m in n.members if m.prim is not None][-1:]
    if shown and all(p.uses_floats for p in shown):
        # A scalar layer's parameters are many unnamed numbers: one row each of data and grad.
        rows.append(_row(f"{len(shown)} params", ""))
        if show_data:
            rows.append(_row("data", value_text(np.array([_host(p.data) for p in shown]))))
        if show_grad and all(derivs.get(p) is not None for p in shown):
            rows.append(_row(key, value_text(np.array([derivs[p] for p in shown]))))
        shown = []
    for node in shown + outputs:
        if node.prim is None:
            name = own_name(node) or "parameter"
            name = name.rpartition(".")[2]
        else:
            name = "out"
        rows.append(_row(text(name), _shape_text(_host(node.data))))
        if show_data:
            rows.append(_row("data", value_text(_host(node.data))))
        deriv = derivs.get(node)
        if show_grad and deriv is not None:
            rows.append(_row(key, value_text(deriv)))
    return (f'[shape=box style="rounded,filled" fillcolor="{fill}" color="{border}" '
            f"penwidth=1.6 label=<{_table(rows)}>]")


def legend_lines(forward: bool = False) -> list[str]:
    """The legend: one table, a swatch of each node style and a sample of each edge style;
    ``forward``: that of a drawing of the forward pass.

    >>> legend_lines()[0].startswith("\\tlegend [")
    True
    """
    title = "legend: forward mode" if forward else "legend"
    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{title}</B></TD></TR>']
    for kind, label in LEGEND_FORWARD if forward else LEGEND:
        fill, border = COLORS[kind]
        border_width = 2 if kind == "root" else 1
        rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="{border_width}" '
                    f'STYLE="rounded" WIDTH="34"> </TD><TD ALIGN="LEFT">{label}</TD></TR>')
    for kind, label in LEGEND_EDGES_FORWARD if forward else LEGEND_EDGES:
        color, sample = LEGEND_SAMPLES[kind]
        rows.append(f'<TR><TD><FONT COLOR="{color}">{sample}</FONT></TD>'
                    f'<TD ALIGN="LEFT">{label}</TD></TR>')
    table = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>")
    return [f'\tlegend [shape=box style="rounded" color="#d1d5db" fontsize=12 '
            f"label=<{table}>]\n"]


def _host(data):
    """A node's values as numpy reads them: another library's array is copied to the host."""
    return backend.to_numpy(data) if backend.is_foreign(data) else data
