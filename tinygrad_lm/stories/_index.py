"""The demo's index page: a caption computed from each story's evidence, and the HTML that
links every figure and page."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from . import _describe, handprop, landscape
from ._landscape_page import LINK as LANDSCAPE_LINK

MLP_GRAPH_STEM = "mlp_hidden_loss"
MLP_SIZES = (4, 5, 3)
MLP_ROWS = (0, 50, 100, 149)      # one flower of each of the first two species, two of the third
EXPLORERS = (("backward_accuracy", "accuracy"), ("backward_mse", "MSE"),
             ("backward_cross_entropy", "binary cross-entropy"), ("backward_mlp", "a small MLP"))

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


def index_html(evidence: dict) -> str:
    """The demo's index page: a section per story with its figures, captions and links.

    >>> page = index_html({})
    >>> page.startswith("<!doctype html>"), "<h1>Why accuracy is the metric" in page
    (True, True)
    """
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
