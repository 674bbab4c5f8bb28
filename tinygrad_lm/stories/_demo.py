"""The whole story in one folder: every story's figures and an index.html with a sentence each.

``build`` runs the stories in reading order (accuracy has no gradient; the computation graphs;
the landscape of accuracy and the losses over two weights, and its page; error, loss and metric;
loss against accuracy; the hidden loss of hand-written backprop; the training curves), draws the
side-by-side graph of accuracy, MSE and cross-entropy and the MLP's graph, writes a backward
explorer page for each of those objectives and one for a small MLP,
and writes ``index.html`` beside the figures. Every graph is drawn to fit a page 1100 px wide
with its text at least 9 px high. The module name starts with an underscore because it is not
a story itself: the docs build runs every public story module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import losses, metrics
from ..datasets import load_iris
from ..draw.explorer import draw_backward
from ..draw.viz import draw_graph
from ..frontends.tensor import Tensor
from ..io.files import write_bytes, write_text
from ..nn import layers as nn
from . import (
    error_loss_metric,
    handprop,
    landscape,
    loss_vs_accuracy,
    training,
    why_accuracy,
)
from ._index import EXPLORERS, MLP_GRAPH_STEM, MLP_ROWS, MLP_SIZES, index_html
from ._landscape_page import write_page as write_landscape_page

GRAPHS_FIGURE = "graphs_default.svg"


COMPARISON_PRED = (0.9, 0.4, 0.6, 0.5)  # the last one sits on accuracy's threshold
COMPARISON_TARGET = (1.0, 0.0, 0.0, 1.0)


def comparison_roots(pred_values: Sequence[float] = COMPARISON_PRED,
                     target_values: Sequence[float] = COMPARISON_TARGET,
                     ) -> list[tuple[str, Tensor]]:
    """(title, 0-d Tensor) for accuracy, MSE and binary cross-entropy of the same predictions
    (probabilities) against the same 0/1 targets, ``pred`` and ``target`` named so that every
    panel shows both.

    >>> [(title, round(root.item(), 4)) for title, root in comparison_roots()]
    [('accuracy', 0.5), ('MSE', 0.195), ('binary cross-entropy', 0.5564)]
    >>> [round(root.item(), 4) for _, root in comparison_roots([0.9, 0.4], [1, 1])]
    [0.5, 0.185, 0.5108]
    """
    pred = Tensor(np.array(pred_values, dtype=np.float64), requires_grad=True)
    pred.name = "pred"
    target = Tensor(np.array(target_values, dtype=np.float64))
    target.name = "target"
    roots = [("accuracy", metrics.accuracy(pred, target)), ("MSE", losses.mse(pred, target)),
             ("binary cross-entropy", losses.binary_cross_entropy(pred, target))]
    for (_, root), name in zip(roots, ("accuracy", "mse", "bce")):
        root.name = name  # so that the explorers' captions read d mse/d pred
    return roots


def draw_comparison_graph(out_dir: Path, roots: Sequence[tuple[str, Tensor]] | None = None, *,
                          stem: str = GRAPHS_FIGURE.removesuffix(".svg"), fmt: str = "svg",
                          need_dot: bool = False) -> list[str]:
    """Accuracy, MSE and binary cross-entropy side by side, in the strict mode, so that the
    prediction on accuracy's threshold shows its undefined (NaN) gradient; as SVG.

    ``roots``: ``comparison_roots(pred, target)`` of other predictions (default: the
    demo's); ``stem`` and ``fmt`` name the files; ``need_dot``: a missing Graphviz binary
    raises ``GraphvizNotFound`` instead of writing only the ``.gv`` source.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(Path(p).name for p in draw_comparison_graph(Path(d)))
    ['graphs_default.gv', 'graphs_default.svg']
    """
    titles, nodes = zip(*(comparison_roots() if roots is None else roots))
    dot = draw_graph(list(nodes), titles=list(titles), undefined="nan")
    return _render(dot, out_dir, stem, fmt, need_dot)


def iris_mlp_loss() -> tuple[Tensor, nn.MLP]:
    """half_sse, the hidden loss, of the bias-free 4-5-3 sigmoid MLP on four Iris flowers, and
    the MLP.

    >>> loss, net = iris_mlp_loss()
    >>> [name for name, _ in net.named_parameters()]
    ['0.weight', '2.weight']
    """
    X, y = load_iris()
    rows = list(MLP_ROWS)
    net = nn.MLP(MLP_SIZES, bias=False, seed=0, activate_output=True)
    inputs = Tensor(X[rows])
    inputs.name = "X"
    return handprop.half_sse(net(inputs), np.eye(3)[y[rows]]), net


def draw_mlp_graph(out_dir: Path) -> list[str]:
    """Draw the hidden loss of the 4-5-3 MLP on four Iris flowers, one box per layer, as SVG.

    The weights appear as the ``weight`` rows of the boxes ``Linear 0`` and ``Linear 2`` (the
    module's ``0.weight`` and ``2.weight``) with their gradients; the root is titled half_sse.
    Without the Graphviz binary only the ``.gv`` source is written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(Path(p).suffix for p in draw_mlp_graph(Path(d)))
    ['.gv', '.svg']
    """
    loss, net = iris_mlp_loss()
    return _render(draw_graph(loss, collapse=net, titles=["half_sse"]), out_dir,
                   MLP_GRAPH_STEM)


def _render(dot: Any, out_dir: Path, stem: str, fmt: str = "svg",
            need_dot: bool = False) -> list[str]:
    import graphviz

    source = write_text(out_dir / f"{stem}.gv", dot.source)
    try:
        figure = write_bytes(out_dir / f"{stem}.{fmt}", dot.pipe(format=fmt))
    except graphviz.ExecutableNotFound:
        if need_dot:
            raise
        return [source]
    return [source, figure]


def small_mlp_loss() -> Tensor:
    """The lesson's MLP written out, every tensor named as in hand-derived backprop: the hidden
    loss sum((A2 - Y)^2) / 2N of a 4-3-2 sigmoid MLP on three Iris flowers.

    >>> round(small_mlp_loss().item(), 4)
    0.318
    """
    X, y = load_iris()
    rows = [0, 50, 100]
    rng = np.random.default_rng(0)
    named = {"X": Tensor(X[rows]), "W1": Tensor(rng.uniform(-0.5, 0.5, (4, 3)), True),
             "W2": Tensor(rng.uniform(-0.5, 0.5, (3, 2)), True)}
    named["Z1"] = named["X"] @ named["W1"]
    named["A1"] = named["Z1"].sigmoid()
    named["Z2"] = named["A1"] @ named["W2"]
    named["A2"] = named["Z2"].sigmoid()
    for name, t in named.items():
        t.name = name
    return handprop.half_sse(named["A2"], np.eye(2)[np.minimum(y[rows], 1)])




def write_explorers(out_dir: Path) -> list[str]:
    """One backward explorer page per objective of ``comparison_roots`` (strict mode) and one
    for ``small_mlp_loss``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [Path(p).name for p in write_explorers(Path(d))][-1]
    'backward_mlp.html'
    """
    return [write_explorer(out_dir, stem, title) for stem, title in EXPLORERS]


def write_explorer(out_dir: Path, stem: str, title: str) -> str:
    """The explorer page ``stem``.html of one entry of ``EXPLORERS``: the objective of
    ``comparison_roots`` titled ``title`` (strict mode), or else ``small_mlp_loss``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     Path(write_explorer(Path(d), *EXPLORERS[-1])).name
    'backward_mlp.html'
    """
    root = dict(comparison_roots()).get(title)
    frames = (draw_backward(root, undefined="nan") if root is not None
              else draw_backward(small_mlp_loss()))
    return str(frames.save_html(out_dir / f"{stem}.html", title=f"Step through backward: {title}"))



STORIES: dict[str, Callable[[Path], dict]] = {
    "why_accuracy": why_accuracy.run, "landscape": landscape.run,
    "error_loss_metric": error_loss_metric.run,
    "loss_vs_accuracy": loss_vs_accuracy.run, "handprop": handprop.run, "training": training.run}


def build(out_dir: Path, progress: Callable[[str], Any] | None = None,
          only: Sequence[str] | None = None) -> dict:
    """Run every story (or those named in ``only``) into ``out_dir`` and write ``index.html``.

    ``progress(message)``, when given, hears about each story as it finishes. The MLP's graph
    is always drawn. Returns ``{"index": path, "figures": [...], "explorers": [...],
    "evidence": {story: dict}}``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     result = build(Path(d), only=())
    ...     page = Path(result["index"]).read_text()
    >>> page.count("<figure>"), "2.weight" in page, 'href="backward_mlp.html"' in page
    (2, True, True)
    """
    unknown = set(only or ()) - set(STORIES)
    if unknown:
        raise ValueError(f"demo: unknown stories {sorted(unknown)}; valid ones are "
                         f"{', '.join(STORIES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    evidence: dict[str, dict] = {}
    for name, run in STORIES.items():
        if only is not None and name not in only:
            continue
        evidence[name] = run(out_dir)
        if name == "landscape":
            evidence[name]["figures"].append(write_landscape_page(out_dir, evidence[name]))
        if progress is not None:
            progress(f"{name}: {', '.join(Path(f).name for f in evidence[name]['figures'])}")
    graph_files = draw_mlp_graph(out_dir) + draw_comparison_graph(out_dir)
    evidence["graphs"] = {"figures": graph_files, "explorers": write_explorers(out_dir)}
    if progress is not None:
        progress(f"graphs: {', '.join(Path(f).name for f in graph_files)}")
        progress(f"explorers: {', '.join(Path(f).name for f in evidence['graphs']['explorers'])}")
    index = write_text(out_dir / "index.html", index_html(evidence))
    figures = sorted({f for ev in evidence.values() for f in ev["figures"]})
    return {"index": index, "figures": figures, "explorers": evidence["graphs"]["explorers"],
            "evidence": evidence}

