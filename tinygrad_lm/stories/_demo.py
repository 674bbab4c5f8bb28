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

import html
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
    _describe,
    error_loss_metric,
    handprop,
    landscape,
    loss_vs_accuracy,
    training,
    why_accuracy,
)
from ._landscape_page import LINK as LANDSCAPE_LINK
from ._landscape_page import write_page as write_landscape_page

GRAPHS_FIGURE = "graphs_default.svg"
MLP_GRAPH_STEM = "mlp_hidden_loss"
MLP_SIZES = (4, 5, 3)
MLP_ROWS = (0, 50, 100, 149)      # one flower of each of the first two species, two of the third


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


EXPLORERS = (("backward_accuracy", "accuracy"), ("backward_mse", "MSE"),
             ("backward_cross_entropy", "binary cross-entropy"), ("backward_mlp", "a small MLP"))


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


def _caption(make: Callable[[dict], str], evidence: dict, fallback: str) -> str:
    # Other stories may rename their evidence; the figure is then shown with a plainer line.
    try:
        return make(evidence)
    except (KeyError, TypeError, IndexError, ValueError):
        return fallback


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


CAPTIONS: dict[str, tuple[Callable[[dict], str], str]] = {
    "objectives": (
        lambda ev: "Accuracy is a step: its derivative is 0 everywhere except at the threshold, "
                   "where it does not exist; MSE and cross-entropy slope everywhere. Trained on "
                   f"accuracy for {ev['steps']} steps the model does not move ("
                   + ("the weights do not change"
                      if ev['training']['accuracy']['weights_bit_identical']
                      else "yet the weights change") + "), while "
                   "MSE and cross-entropy reach accuracy "
                   f"{_pct(ev['training']['mse']['accuracy_after'])} and "
                   f"{_pct(ev['training']['binary_cross_entropy']['accuracy_after'])}.",
        "Accuracy is a step with zero or undefined derivative; MSE and cross-entropy slope "
        "everywhere, so only they can guide gradient descent."),
    "surrogate": (
        lambda ev: "A smooth surrogate of accuracy, sigmoid((q - 0.5) / T): as the temperature "
                   "T falls it approaches the step and its gradient collapses into a spike at "
                   "the threshold, useless almost everywhere else.",
        "A smooth surrogate of accuracy turns back into a step, and loses its gradient, as its "
        "temperature falls."),
    "graphs_default": (
        lambda ev: "The computation graphs of accuracy, MSE and binary cross-entropy of the same "
                   "four predictions, with the gradient at every node: accuracy's edges carry "
                   "zeros, and the prediction sitting on the 0.5 threshold is where its "
                   "derivative is undefined.",
        "The computation graphs of accuracy, MSE and cross-entropy of the same predictions, with "
        "gradients."),
    MLP_GRAPH_STEM: (
        lambda ev: "The graph of the hidden loss half_sse = sum((A2 - Y)^2) / 2N of the "
                   f"{'-'.join(map(str, MLP_SIZES))} sigmoid MLP on {len(MLP_ROWS)} Iris "
                   "flowers: the weight rows of the green boxes Linear 0 and Linear 2 (the "
                   "module's 0.weight and 2.weight) carry exactly the gradients "
                   "hand-derived backprop computes.",
        "The graph of the MLP's hidden loss, with the gradient of every weight."),
    "error_loss_metric": (
        lambda ev: "Error, loss and metric told apart: the error is a vector per example, a "
                   "loss turns it into one number to minimise (and which candidate wins depends "
                   "on the loss), the metric reports; a more confident right answer lowers the "
                   "loss while accuracy stays put.",
        "Error, loss and metric on the same predictions."),
    "loss_vs_accuracy": (
        lambda ev: f"On the digits, validation loss is lowest at epoch {ev['best_loss_epoch']} "
                   f"(accuracy {_pct(ev['at_best_loss']['val_accuracy'])}), then rises while "
                   "accuracy "
                   + _describe.accuracy_after(ev['curves']['val_accuracy'], ev['best_loss_epoch'])
                   + ": the loss "
                   "also punishes the growing confidence of the remaining mistakes.",
        "Validation loss rising while validation accuracy also rises, on the digits."),
    "handprop_equivalence": (
        lambda ev: f"{ev['steps']} steps on Iris, by autodiff of half_sse = sum((A2 - Y)^2) / 2N "
                   "and by hand-derived backprop from the same weights: the largest weight "
                   f"difference at any step is {ev['half_sse']['max_weight_diff']:.3g}, so the "
                   "loss hidden in the hand-written update is half the summed squared error per "
                   "example (the gradient of tg.losses.mse, the mean over all entries, is "
                   f"{ev['mse_ratio']:.4f} = 2/C times it). The thin line, binary "
                   "cross-entropy trained both ways, stays within "
                   f"{ev['binary_cross_entropy']['max_weight_diff']:.3g}: rounding, "
                   "as its hand-derived formula groups the operations differently.",
        "Autodiff of the hidden loss and hand-derived backprop give the same weights at every "
        "step."),
    "handprop_cross_entropy": (
        lambda ev: "With binary cross-entropy the output sigmoid's slope A2(1 - A2) cancels, so "
                   "a confidently wrong output unit still gets a full-size gradient. From the "
                   "seeded start both losses learn: half_sse to "
                   f"{_pct(_final(ev, 'default_start', 'half_sse'))} training accuracy (90% "
                   f"{_reached(ev, 'default_start', 'half_sse')}), cross-entropy to "
                   f"{_pct(_final(ev, 'default_start', 'binary_cross_entropy'))} (90% "
                   f"{_reached(ev, 'default_start', 'binary_cross_entropy')})."
                   " From a confidently wrong start (the trained output weights negated and "
                   f"scaled: {_pct(ev['wrong_start']['confidently_wrong'])} of the outputs "
                   "saturated on the wrong side) half_sse barely moves (90% "
                   f"{_reached(ev, 'wrong_start', 'half_sse')}, final accuracy "
                   f"{_pct(_final(ev, 'wrong_start', 'half_sse'))}) while cross-entropy "
                   f"recovers (90% {_reached(ev, 'wrong_start', 'binary_cross_entropy')}). "
                   f"Setup: {ev['setup']}; the training curves below use another setup.",
        "Cross-entropy cancels the sigmoid's slope, so saturated units keep learning."),
    "landscape": (landscape.caption, "Accuracy, MSE and cross-entropy over two weights."),
    "train_curves": (
        lambda ev: "Training curves of the MLP, by autodiff and by hand (the dotted lines, "
                   "the same to the last bit for half_sse): the loss falls smoothly "
                   "while accuracy climbs in steps; held-out accuracy "
                   f"{_pct(ev['runs']['half_sse']['final_test_accuracy'])} (half_sse) and "
                   f"{_pct(ev['runs']['binary_cross_entropy']['final_test_accuracy'])} (binary "
                   f"cross-entropy). Setup: {ev['setup']}.",
        "Loss and accuracy curves of the MLP trained by autodiff and by hand."),
}


def _reached(ev: dict, start: str, loss: str) -> str:
    return handprop.reached(ev["learning"][start][loss]["steps_to_90_percent"])


def _final(ev: dict, start: str, loss: str) -> float:
    return ev["learning"][start][loss]["final_accuracy"]


SECTIONS = (
    ("Accuracy has no gradient", "why_accuracy", ("objectives", "surrogate")),
    ("The graphs, with a gradient at every node", "graphs", ("graphs_default", MLP_GRAPH_STEM)),
    ("Accuracy as a landscape", "landscape", ("landscape",)),
    ("Error, loss, metric", "error_loss_metric", ("error_loss_metric",)),
    ("Loss and accuracy can disagree", "loss_vs_accuracy", ("loss_vs_accuracy",)),
    ("The loss hidden in hand-written backprop", "handprop",
     ("handprop_equivalence", "handprop_cross_entropy")),
    ("Training the MLP, two ways", "training", ("train_curves",)),
)

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
    index = write_text(out_dir / "index.html", _index_html(evidence))
    figures = sorted({f for ev in evidence.values() for f in ev["figures"]})
    return {"index": index, "figures": figures, "explorers": evidence["graphs"]["explorers"],
            "evidence": evidence}


def _index_html(evidence: dict) -> str:
    # Every figure shrinks to the 1100 px column (no horizontal scrolling); a click on it opens
    # the file itself, full size.
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>tinygrad_lm: why accuracy is the metric but not the loss</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
             "line-height:1.45;padding:0 1em;overflow-wrap:break-word}"
             "figure{margin:1.5em 0;max-width:100%}figure>a{display:block;max-width:100%}"
             "img,object,svg{max-width:100%;height:auto;border:1px solid #ddd}"
             "figcaption{margin-top:.4em}</style></head><body>",
             "<h1>Why accuracy is the metric but not the loss</h1>",
             "<p>Every figure below was made by <code>tinygrad-lm demo</code> with the "
             "engine in this package; each sentence states what it shows. Click a figure to "
             "open it full size.</p>"]
    for title, story, stems in SECTIONS:
        files = {Path(f).name for f in evidence.get(story, {}).get("figures", [])}
        shown = [(stem, _pick(stem, files)) for stem in stems]
        shown = [(stem, name) for stem, name in shown if name is not None]
        if not shown:
            continue
        parts.append(f"<h2>{html.escape(title)}</h2>")
        for stem, name in shown:
            make, fallback = CAPTIONS[stem]
            caption = html.escape(_caption(make, evidence.get(story, {}), fallback))
            extra = (f' (<a href="{stem}.svg">SVG</a>)' if name.endswith(".png")
                     and f"{stem}.svg" in files else "")
            parts.append(f'<figure><a href="{name}"><img src="{name}" alt="{html.escape(stem)}">'
                         f"</a><figcaption>{caption}{extra}</figcaption></figure>")
        if story == "graphs":
            parts.append(_explorer_links(evidence["graphs"].get("explorers", [])))
        if story == "landscape" and "landscape.html" in files:
            parts.append(LANDSCAPE_LINK)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _explorer_links(pages: list[str]) -> str:
    """Links to the backward explorer pages, a sentence each."""
    titles = dict(EXPLORERS)
    items = "".join(f'<li><a href="{Path(p).name}">{html.escape(titles[Path(p).stem])}</a></li>'
                    for p in pages)
    return ("<p>Step through backward, one node at a time, with the chain-rule step of each "
            f"frame (buttons, slider, arrow keys):</p><ul>{items}</ul>")


def _pick(stem: str, files: set[str]) -> str | None:
    """The file to show for a figure: PNG (light for a browser) before SVG."""
    for suffix in (".png", ".svg"):
        if f"{stem}{suffix}" in files:
            return f"{stem}{suffix}"
    return None
