"""Step through backward: the frames of one backward pass, as drawings, a web page or a widget.

Frame 0 is the graph before backward: the root holds its seed and every other node is pending
(no gradient yet, which is not a zero gradient). Frame k is the graph after the VJPs of the
first k nodes in backward order: that node is highlighted, nodes whose every consumer has run
show their (complete) gradient, a node that feeds several others and has heard from only some
shows the sum so far (the chain rule's ``+=``), and each frame has a caption stating the
chain-rule step. All numbers are the engine's, added in the engine's order.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.arguments import check_undefined
from ..core.node import Node
from ..io.files import write_text
from .chain_rule import d, operand_name, step_text
from .graph_view import GraphView, gradients
from .viz import check_rankdir, check_roots

__all__ = ["BackwardFrames", "draw_backward"]

FRAME_KEY = ("(dashed grey: pending, no gradient yet; dashed teal with sum: partial, the "
             "contributions added so far; pink border: the node whose VJPs run in this frame; "
             "grad: a complete gradient)")
WIDGET_HINT = ("Install anywidget (pip install 'tinygrad_lm[notebook]') to step through the "
               "frames here, or call .save_html(path) for a page that steps through them in "
               "any browser.")


def draw_backward(root: Node, *, undefined: str = "zero",
                  rankdir: str | None = None) -> BackwardFrames:
    """The frames of ``root``'s backward pass (see ``BackwardFrames``); no ``.grad`` changes.

    >>> import tinygrad_lm as tg
    >>> a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    >>> frames = draw_backward((a * b).tanh())
    >>> len(frames), [n.op for n in frames.order]
    (3, ['tanh', 'mul'])
    >>> frames.caption(2)
    'Step 2 of 2, at mul1 = a * b:  d loss/d a = d loss/d mul1 * b;  d loss/d b = d loss/d mul1 * a'
    """
    (root,) = check_roots(root, "draw_backward")
    check_undefined(undefined, "draw_backward")
    return BackwardFrames(root, undefined, check_rankdir(rankdir, [root], "draw_backward"))


class BackwardFrames(Sequence):
    """The frames of one backward pass: ``frames[k]`` is a ``graphviz.Digraph``.

    ``len(frames)`` is the number of non-leaf nodes backward visits plus one; ``.order`` lists
    them in backward order; ``.caption(k)`` states frame k's chain-rule step; ``.state(k)``
    gives every box's state (``pending``, ``partial``, ``current`` or ``done``) as plain data;
    ``.partials`` maps a node that feeds several others to ``(frame, sum so far, parts)``
    after each consumer but the last; ``.save_html(path)`` writes a self-contained page that
    steps through them; ``.widget()`` is that page as a notebook widget. In Jupyter the frames
    display as that widget (with anywidget) or else as the last frame.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, -2.0], requires_grad=True)
    >>> frames = tg.draw_backward((x * x).sum())
    >>> frames.state(0)[frames.view.data_id[x]], frames.state(2)[frames.view.data_id[x]]
    ('pending', 'done')
    """

    def __init__(self, root: Node, undefined: str, rankdir: str):
        self.root = root
        self.undefined = undefined
        self.rankdir = rankdir
        grads = gradients(root, undefined)
        self.view = GraphView(root, undefined=undefined, expand=True, named=True, grads=grads,
                              prefix="n")
        # The engine's backward order: backward_steps visits reversed(toposort(root)), whose
        # leaves take no step (the view holds that toposort).
        self.order = [node for node in reversed(self.view.order) if node.prim is not None]
        self.grads = grads
        self.current_at = position = {node: k + 1 for k, node in enumerate(self.order)}
        # A gradient is complete once every node that reads the input has run its VJP.
        self.consumers: dict[Node, int] = {}
        self.done_at: dict[Node, int] = {root: 0}
        for node in self.order:
            for inp in node.inputs:
                if inp is not None and inp.requires_grad:
                    self.consumers[inp] = self.consumers.get(inp, 0) + 1
                    self.done_at[inp] = max(self.done_at.get(inp, 0), position[node])
        self.partials = self._partial_sums(grads, position)
        self._partial_boxes = {self.view.data_id[node]: sums
                               for node, sums in self.partials.items()}
        self._lines: dict[tuple, str] = {}  # DOT lines by (box id, state) or (arrow, shown)
        self._edge_frames: dict[str, int] | None = None
        self._timeline: list[tuple[str, int, int]] | None = None

    def __len__(self) -> int:
        return len(self.order) + 1

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = self._index(k)
        from . import dot as _dot

        caption = textwrap.wrap(self.caption(k), 100) + textwrap.wrap(FRAME_KEY, 100)
        dot = _dot.new_drawing(self.rankdir, "\n".join(caption))
        states, lines = self.state(k), self._lines
        for n in self.view.nodes:
            key = (n.id, states[n.id])
            if key[1] == "partial":  # one drawing per sum so far
                frame, total, _ = self._sum_so_far(n.id, k)
                key = (n.id, "partial", frame)
            if key not in lines:
                shown = n if key[1] == n.state else dataclasses.replace(n, state=key[1])
                if key[1] == "partial":
                    shown = dataclasses.replace(shown, grad=total)
                lines[key] = f"\t{n.id} {_dot.node_attrs(shown, True, True)}\n"
            dot.body.append(lines[key])
        if self._edge_frames is None:
            self._edge_frames = self.edge_frames()
        active = self._edge_frames
        for e in self.view.edges:
            key = (e.id, active[e.id] <= k)
            if key not in self._lines:
                shown = e if key[1] else dataclasses.replace(e, kind="pending")
                self._lines[key] = f"\t{e.src} -> {e.dst} [{_dot.edge_attrs(shown)}]\n"
            dot.body.append(self._lines[key])
        return dot

    def _index(self, k: int) -> int:
        if not isinstance(k, int):
            raise TypeError(f"draw_backward: frames are indexed by int, got {type(k).__name__}")
        if not -len(self) <= k < len(self):
            raise IndexError(f"draw_backward: frame {k} out of range for {len(self)} frames")
        return k % len(self)

    def state(self, k: int) -> dict[str, str]:
        """Every box's state at frame ``k``, by box id (constants are always ``done``).

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(1.0, label="x")
        >>> frames = tg.draw_backward(x * 2)
        >>> sorted(frames.state(1).values())
        ['current', 'current', 'done', 'done']
        """
        k = self._index(k)
        if self._timeline is None:
            self._timeline = self.timeline()
        partial = self._partial_boxes
        return {box: "current" if k == current else "done" if k >= done
                else "partial" if box in partial and partial[box][0][0] <= k else "pending"
                for box, done, current in self._timeline}

    def step_box(self, k: int) -> str:
        """The id of the box the page marks ``aria-current="step"`` and scrolls to at frame
        ``k``: the data box of the node whose VJPs run, or at frame 0 the root's, where the
        seed is set (so every frame has exactly one).

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(1.0, label="x")
        >>> frames = tg.draw_backward((x * 2).exp())
        >>> [frames.step_box(k) for k in range(len(frames))]
        ['n2', 'n2', 'n1']
        """
        k = self._index(k)
        return self.view.data_id[self.order[k - 1] if k else self.root]

    def partial_at(self, box: str, k: int) -> tuple[int, Any, int] | None:
        """``(frame, sum so far, parts)`` that box ``box`` shows at frame ``k``, if partial.

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(3.0, label="x")
        >>> frames = tg.draw_backward(x.exp() + x * 2)
        >>> [frames.partial_at(frames.view.data_id[x], k) for k in range(len(frames))]
        [None, None, (2, 2.0, 1), None]
        """
        k = self._index(k)
        return self._sum_so_far(box, k) if self.state(k).get(box) == "partial" else None

    def _sum_so_far(self, box: str, k: int) -> tuple[int, Any, int]:
        return [entry for entry in self._partial_boxes[box] if entry[0] <= k][-1]

    def _partial_sums(self, grads: dict, position: dict) -> dict[Node, list]:
        """After each consumer but the last of a node with several: the gradient summed so
        far, in the engine's order (adding the last consumer's part gives the engine's
        gradient, bit for bit), and how many of the node's edges it includes."""
        sums: dict[Node, list] = {}
        received: dict[Node, tuple[int, Any]] = {}
        for node in self.order:
            touched = {}
            for i, inp in enumerate(node.inputs):
                g = grads.get((node, i))
                if inp is None or g is None or self.consumers.get(inp, 0) < 2:
                    continue
                parts, total = received.get(inp, (0, None))
                received[inp] = touched[inp] = (parts + 1, g if total is None else total + g)
            for inp, (parts, total) in touched.items():
                if parts < self.consumers[inp]:
                    sums.setdefault(inp, []).append((position[node], total, parts))
        return sums

    def timeline(self) -> list[tuple[str, int, int]]:
        """Per box ``(id, done, current)``: the frame from which it is done and the frame at
        which it is current (-1 for never): an op box once its node's VJPs ran, a data box once
        its gradient is complete (every consumer has run), a constant from the start.

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(1.0, label="x")
        >>> sorted(tg.draw_backward(x.exp()).timeline())
        [('n0', 1, -1), ('n1', 0, 1), ('n1op', 2, 1)]
        """
        timeline = []
        for n in self.view.nodes:
            node = n.node
            if node is None or n.kind == "constant":
                timeline.append((n.id, 0, -1))
            elif n.kind in ("op", "step", "undefined"):
                at = self.current_at[node]
                timeline.append((n.id, at + 1, at))
            else:
                timeline.append((n.id, self.done_at.get(node, 0), self.current_at.get(node, -1)))
        return timeline

    def edge_frames(self) -> dict[str, int]:
        """The frame from which each arrow (by its id) carries its gradient.

        >>> import tinygrad_lm as tg
        >>> x = tg.Value(1.0, label="x")
        >>> sorted(tg.draw_backward(x * 2).edge_frames().values())
        [0, 1, 1]
        """
        frames = {}
        by_op = {op_id: node for node, op_id in self.view.op_id.items()}
        for e in self.view.edges:
            node = by_op.get(e.dst)
            if node is None:
                node = by_op[e.src]
            frames[e.id] = 0 if e.kind == "constant" else self.current_at[node]
        return frames

    def caption(self, k: int) -> str:
        """Frame ``k``'s chain-rule step, as text.

        >>> import tinygrad_lm as tg
        >>> tg.draw_backward(tg.Value(1.0, label="x").exp()).caption(0)[:48]
        'Before backward: d loss/d loss = 1 (the seed); e'
        """
        k = self._index(k)
        name = self.view.name
        root = name(self.root)
        if k == 0:
            return (f"Before backward: {d(root, root)} = 1 (the seed); every other node is "
                    f"pending: no gradient yet, which is not a zero gradient.")
        node = self.order[k - 1]
        inputs = [operand_name(i, a, name) for i, a in zip(node.inputs, node.args)]
        made = (f"{inputs[0]} {node.prim.symbol} {inputs[1]}" if len(inputs) == 2
                else f"{node.prim.symbol}({', '.join(inputs)})")
        step = step_text(node, name, root, self.consumers, self.view.undefined,
                         self.undefined == "nan")
        return f"Step {k} of {len(self) - 1}, at {name(node)} = {made}:  {step}"

    def page_html(self, title: str | None = None) -> str:
        """The self-contained page (no network) that steps through the frames, as text.

        >>> import tinygrad_lm as tg
        >>> tg.draw_backward(tg.Value(1.0, label="x").exp()).page_html().count("<svg")
        1
        """
        from .explorer_page import page

        return page(self, title or f"Backward through {self.view.name(self.root)}")

    def save_html(self, path: str | Path, title: str | None = None) -> Path:
        """Write ``page_html(title)``, a self-contained page that steps through the frames, to
        ``path``; a symbolic link at ``path`` is refused rather than followed.

        >>> import tempfile, tinygrad_lm as tg
        >>> frames = tg.draw_backward(tg.Value(1.0, label="x").exp())
        >>> with tempfile.TemporaryDirectory() as d:
        ...     "<svg" in frames.save_html(Path(d) / "backward.html").read_text()
        True
        """
        return Path(write_text(path, self.page_html(title)))

    def widget(self, *, frame: int = 0, height: int = 640) -> Any:
        """The explorer as a notebook widget (``PageWidget``, needs anywidget) whose ``frame``
        is synced with the page: for marimo (``mo.ui.anywidget(frames.widget())``) or to set
        the frame from Python. Displaying ``frames`` in Jupyter shows the same widget.

        >>> import tinygrad_lm as tg
        >>> tg.draw_backward(tg.Value(1.0, label="x").exp()).widget(frame=1).frame
        1
        """
        from .widget import PageWidget

        return PageWidget(self, frame=frame, height=height,
                          title=f"Backward through {self.view.name(self.root)}")

    def _repr_html_(self) -> str:
        """The last frame as inline SVG, and how to step through the frames: the static
        fallback where no widget frontend runs (nbconvert, GitHub, a terminal)."""
        return f"{self[-1].svg()}<p>{WIDGET_HINT}</p>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict | None:
        """The explorer widget when anywidget is installed (IPython adds ``_repr_html_``'s
        static fallback to the bundle), else nothing, leaving the static frame."""
        try:
            widget = self.widget()
        except ImportError:
            return None
        return widget._repr_mimebundle_(include=include, exclude=exclude)
