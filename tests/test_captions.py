"""Every caption of the demo page states the numbers of the run that drew its figure.

Each caption is built from the evidence its story returns; these tests recompute the numbers
from the figure's data (the curves the story plotted) and read the labels the figure itself
shows from its SVG, where matplotlib keeps text as text.
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tinygrad_lm.stories import _demo, handprop, loss_vs_accuracy, training, why_accuracy


def _caption(stem, evidence):
    make, _fallback = _demo.CAPTIONS[stem]
    return make(evidence)         # no fallback: a caption that cannot be built fails here


def _svg_text(figures, stem):
    svg = next(Path(f) for f in figures if Path(f).name == f"{stem}.svg")
    root = ET.parse(svg).getroot()
    return [t for t in ("".join(e.itertext()).strip() for e in root.iter()
                        if e.tag.endswith("}text")) if t]


def _pct(x):
    return f"{100 * x:.1f}%"


@pytest.fixture(scope="module")
def lva(tmp_path_factory):
    return loss_vs_accuracy.run(tmp_path_factory.mktemp("lva"))


@pytest.fixture(scope="module")
def hp(tmp_path_factory):
    return handprop.run(tmp_path_factory.mktemp("handprop"))


@pytest.fixture(scope="module")
def curves(tmp_path_factory):
    return training.run(tmp_path_factory.mktemp("training"), epochs=200)


def test_loss_vs_accuracy_caption_and_figure_name_the_same_epoch(lva):
    val_loss = np.array(lva["curves"]["val_loss"])
    val_accuracy = lva["curves"]["val_accuracy"]
    best = int(val_loss.argmin()) + 1               # epochs are counted from 1
    assert lva["best_loss_epoch"] == best
    caption = _caption("loss_vs_accuracy", lva)
    assert re.findall(r"epoch (\d+)", caption) == [str(best)]
    assert f"accuracy {_pct(val_accuracy[best - 1])}" in caption
    assert f"improving to {_pct(val_accuracy[-1])}" in caption
    shown = _svg_text(lva["figures"], "loss_vs_accuracy")
    epochs_shown = {int(e) for line in shown for e in re.findall(r"epoch (\d+)", line)}
    assert epochs_shown == {best, lva["epochs"]}
    assert f"lowest validation loss {val_loss[best - 1]:.3f} (epoch {best})" in shown
    assert f"accuracy {val_accuracy[best - 1]:.3f} at the lowest loss" in shown


def _first_reaching(accuracy, level=0.9):
    hits = np.flatnonzero(np.asarray(accuracy) >= level)
    return int(hits[0]) + 1 if hits.size else None


def test_handprop_cross_entropy_caption_matches_the_plotted_curves(hp):
    caption = _caption("handprop_cross_entropy", hp)
    shown = " ".join(_svg_text(hp["figures"], "handprop_cross_entropy"))
    for start in ("default_start", "wrong_start"):
        for loss in ("half_sse", "binary_cross_entropy"):
            accuracy = hp["learning"][start][loss]["accuracy"]
            words = handprop.reached(_first_reaching(accuracy))
            assert words in caption and words in shown
            assert hp["learning"][start][loss]["final_accuracy"] == accuracy[-1]
    wrong = hp["wrong_start"]
    assert _pct(wrong["confidently_wrong"]) in caption
    assert _pct(wrong["confidently_wrong"]) in shown and _pct(wrong["accuracy"]) in shown
    final = hp["learning"]["wrong_start"]["half_sse"]["accuracy"][-1]
    assert f"final accuracy {_pct(final)}" in caption
    assert hp["setup"] in caption and hp["setup"] in shown
    # Both "90% ..." statements about the default start name that start's own curves.
    default = hp["learning"]["default_start"]
    assert caption.index(handprop.reached(_first_reaching(
        default["binary_cross_entropy"]["accuracy"]))) < caption.index("confidently wrong start")


def test_the_saturated_start_shows_what_the_caption_claims(hp):
    wrong = hp["wrong_start"]
    assert wrong["accuracy"] == 0.0 and wrong["confidently_wrong"] > 0.5
    learning = hp["learning"]["wrong_start"]
    stuck, recovers = learning["half_sse"], learning["binary_cross_entropy"]
    assert stuck["steps_to_90_percent"] is None and stuck["final_accuracy"] < 0.5
    assert recovers["steps_to_90_percent"] is not None and recovers["final_accuracy"] >= 0.9


def test_handprop_equivalence_caption(hp):
    caption = _caption("handprop_equivalence", hp)
    assert caption.startswith(f"{handprop.STEPS} steps on Iris")
    diffs = hp["weight_diff"]["half_sse"]
    assert f"at any step is {max(diffs):.3g}," in caption
    assert f"{hp['mse_ratio']:.4f} = 2/C" in caption
    shown = _svg_text(hp["figures"], "handprop_equivalence")
    assert f"half_sse: max {max(diffs):.3g}" in shown
    assert f"binary cross-entropy: max {max(hp['weight_diff']['binary_cross_entropy']):.3g}" \
        in shown


def test_train_curves_caption(curves):
    caption = _caption("train_curves", curves)
    for loss in ("half_sse", "binary_cross_entropy"):
        assert _pct(curves["runs"][loss]["final_test_accuracy"]) in caption
    assert curves["setup"] in caption
    assert f"{training.CURVES_HIDDEN}" in curves["setup"] and "200 full-batch epochs" in caption


def test_objectives_caption(tmp_path):
    evidence = why_accuracy.run(tmp_path)
    caption = _caption("objectives", evidence)
    assert f"for {why_accuracy.STEPS} steps" in caption
    for name in ("mse", "cross_entropy"):
        assert _pct(evidence["training"][name]["accuracy_after"]) in caption


def test_the_mlp_graph_caption_takes_the_drawn_network_and_flowers():
    caption = _caption(_demo.MLP_GRAPH_STEM, {})
    assert f"the {'-'.join(map(str, _demo.MLP_SIZES))} sigmoid MLP" in caption
    assert f"on {len(_demo.MLP_ROWS)} Iris flowers" in caption


def test_every_caption_without_numbers_of_its_own_is_static():
    for stem in ("surrogate", "graphs_default", "error_loss_metric"):
        caption = _caption(stem, {})
        numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?%?", caption)
        # Only the fixed facts of the drawing itself, such as accuracy's threshold 0.5.
        assert set(numbers) <= {"0.5", "0", "1"}, (stem, numbers)
