"""The stories: their claims asserted on the evidence they return, their figures on disk.

The captions of the demo page are built from that evidence; the caption tests at the end
recompute their numbers from the figure's data (the curves the story plotted) and read the
labels the figure itself shows from its SVG, where matplotlib keeps text as text.
"""

import re
import runpy
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tinygrad_lm.draw.graph_view import GraphView
from tinygrad_lm.stories import (
    _demo,
    _index,
    error_loss_metric,
    handprop,
    loss_vs_accuracy,
    training,
    why_accuracy,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def why(tmp_path_factory):
    return why_accuracy.run(tmp_path_factory.mktemp("why"))


@pytest.fixture(scope="module")
def elm(tmp_path_factory):
    return error_loss_metric.run(tmp_path_factory.mktemp("elm"))


@pytest.fixture(scope="module")
def lva(tmp_path_factory):
    return loss_vs_accuracy.run(tmp_path_factory.mktemp("lva"))


def _check_figures(paths, stems):
    assert sorted(Path(p).name for p in paths) == sorted(
        f"{stem}{suffix}" for stem in stems for suffix in (".png", ".svg"))
    for p in map(Path, paths):
        assert p.stat().st_size > 1000, p
        if p.suffix == ".svg":
            assert ET.parse(p).getroot().tag.endswith("svg")
        else:
            assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_accuracy_has_zero_gradient_and_the_losses_do_not(why):
    grads = why["gradients"]
    assert grads["accuracy"] == {"w": [0.0, 0.0], "b": 0.0, "warned": True}
    for name in ("mse", "binary_cross_entropy"):
        assert not grads[name]["warned"]
        assert np.abs(grads[name]["w"]).min() > 1e-3


def test_training_on_accuracy_changes_nothing_while_the_losses_train(why):
    frozen = why["training"]["accuracy"]
    assert frozen["weights_bit_identical"]
    assert frozen["final_weights"] == why["initial_weights"]
    assert frozen["zero_gradient_warnings"] == why["steps"] == 100
    assert frozen["loss_before"] == frozen["loss_after"]
    assert frozen["accuracy_after"] == why["initial_accuracy"]
    for name in ("mse", "binary_cross_entropy"):
        run = why["training"][name]
        assert not run["weights_bit_identical"] and run["zero_gradient_warnings"] == 0
        assert run["loss_after"] < 0.5 * run["loss_before"]
        assert np.all(np.diff(run["loss_history"]) < 0)
        assert run["accuracy_after"] > why["initial_accuracy"] + 0.3


def test_the_curves_are_a_step_a_parabola_and_a_log(why):
    c = why["curves"]
    q = np.array(c["q"])
    acc_value, acc_slope = map(np.array, c["accuracy"])
    np.testing.assert_array_equal(acc_value, q > 0.5)
    assert c["undefined_at"] == [0.5]
    np.testing.assert_array_equal(np.isnan(acc_slope), q == 0.5)
    assert (acc_slope[q != 0.5] == 0).all()
    mse_value, mse_slope = map(np.array, c["mse"])
    np.testing.assert_allclose(mse_value, (1 - q) ** 2, rtol=1e-12)
    np.testing.assert_allclose(mse_slope, -2 * (1 - q), rtol=1e-12)
    ce_value, ce_slope = map(np.array, c["binary_cross_entropy"])
    np.testing.assert_allclose(ce_value, -np.log(q), rtol=1e-12)
    np.testing.assert_allclose(ce_slope, -1 / q, rtol=1e-12)


def test_the_surrogate_sharpens_into_the_step(why):
    s = why["surrogate"]
    temperatures = np.array(s["temperatures"])
    assert np.all(np.diff(temperatures) < 0)
    np.testing.assert_allclose(s["peak_slope"], 1 / (4 * temperatures), rtol=1e-12)
    assert np.all(np.diff(s["max_gap_to_step_away_from_0.5"]) < 0)
    assert s["max_gap_to_step_away_from_0.5"][-1] < 1e-9
    assert s["slope_at_0.4"][-1] < 1e-15
    assert min(s["accuracy_after_training_on_surrogate"]) > why["initial_accuracy"] + 0.3


def test_why_accuracy_figures(why):
    _check_figures(why["figures"], ["objectives", "surrogate"])


def test_error_loss_metric_on_the_seed_numbers(elm):
    a, b = elm["regression"]["A"], elm["regression"]["B"]
    assert a["error"] == [-2.0, 2.0, -2.0, 2.0] and b["error"] == [0.0, 0.0, 0.0, 7.0]
    assert (a["mse"], b["mse"]) == (4.0, 12.25)
    assert a["grad_mse"] == [e / 2 for e in a["error"]]
    assert elm["preferred"]["mse"] == "A"
    assert elm["q"] > 0.5 and elm["preferred"]["quantile"] == "B"
    assert b["quantile"] < a["quantile"]
    assert (a["share_not_below_truth"], b["share_not_below_truth"]) == (0.5, 1.0)
    assert a["grad_share_not_below_truth"] == [0.0] * 4


def test_more_confidence_lowers_the_loss_but_not_the_accuracy(elm):
    low, high = elm["classification"]
    assert (low["p_true"], high["p_true"]) == (0.7, 0.9)
    assert low["accuracy"] == high["accuracy"] == 1.0
    assert low["cross_entropy"] == pytest.approx(-np.log(0.7), rel=1e-12)
    assert high["cross_entropy"] == pytest.approx(-np.log(0.9), rel=1e-12)
    assert high["cross_entropy"] < low["cross_entropy"]
    assert low["cross_entropy_grad_true_logit"] == pytest.approx(0.7 - 1, rel=1e-12)
    assert low["accuracy_grad_abs_max"] == high["accuracy_grad_abs_max"] == 0.0


def test_error_loss_metric_figure(elm):
    _check_figures(elm["figures"], ["error_loss_metric"])


def test_validation_loss_and_accuracy_disagree(lva):
    best, final = lva["at_best_loss"], lva["final"]
    curves = lva["curves"]
    assert 1 < lva["best_loss_epoch"] < lva["epochs"] // 2
    assert best["val_loss"] == min(curves["val_loss"])
    assert final["val_loss"] > 1.1 * best["val_loss"]
    assert final["val_accuracy"] > best["val_accuracy"] + 0.005
    assert final["wrong_confidence"] > best["wrong_confidence"]
    assert final["train_loss"] < 0.01 * curves["train_loss"][0]
    disagree = lva["disagree_epochs"]
    assert len(disagree) > lva["epochs"] // 2
    for e in disagree:          # epochs counted from 1, as in the figure
        assert curves["val_loss"][e - 1] > best["val_loss"]
        assert curves["val_accuracy"][e - 1] > best["val_accuracy"]


def test_loss_vs_accuracy_is_deterministic_and_uses_the_shipped_digits(lva, tmp_path):
    again = loss_vs_accuracy.run(tmp_path)
    assert again["curves"] == lva["curves"]
    assert lva["n_train"] + lva["n_val"] == 1797


def test_loss_vs_accuracy_figure(lva):
    _check_figures(lva["figures"], ["loss_vs_accuracy"])


@pytest.mark.parametrize("script, expected", [
    ("error_loss_metric.py", "MSE       4"),
    ("why_accuracy_is_not_a_loss.py", "weights unchanged to the bit: True"),
])
def test_example_scripts_print_their_evidence(script, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [script, "--out", str(tmp_path)])
    runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    assert expected in capsys.readouterr().out
    assert any(tmp_path.glob("*.svg"))


def _caption(stem, evidence):
    make, _fallback = _index.CAPTIONS[stem]
    return make(evidence)         # no fallback: a caption that cannot be built fails here


def _svg_text(figures, stem):
    svg = next(Path(f) for f in figures if Path(f).name == f"{stem}.svg")
    root = ET.parse(svg).getroot()
    return [t for t in ("".join(e.itertext()).strip() for e in root.iter()
                        if e.tag.endswith("}text")) if t]


def _pct(x):
    return f"{100 * x:.1f}%"


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
    assert re.findall(r"epoch (\d+)", caption)[0] == str(best)
    assert f"accuracy {_pct(val_accuracy[best - 1])}" in caption
    assert f"reaches {_pct(val_accuracy[-1])}" in caption or \
        f"rises to {_pct(val_accuracy[-1])} by epoch {len(val_accuracy)}" in caption
    # every later "X% at epoch E" of the caption is the curve's value at epoch E
    for value, epoch in re.findall(r"(\d+\.\d)% at epoch (\d+)", caption):
        assert _pct(val_accuracy[int(epoch) - 1]) == f"{value}%"
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
    data = training.prepare("iris")  # the split the runs trained on, measured afresh
    assert (f"{len(data['X_train'])} training and {len(data['X_test'])} held-out flowers, a "
            f"bias-free {data['X_train'].shape[1]}-") in curves["setup"]
    assert "200 full-batch epochs" in caption


def test_objectives_caption(why):
    evidence = why
    caption = _caption("objectives", evidence)
    assert f"for {why_accuracy.STEPS} steps" in caption
    for name in ("mse", "binary_cross_entropy"):
        assert _pct(evidence["training"][name]["accuracy_after"]) in caption


def test_the_mlp_graph_caption_takes_the_drawn_network_and_flowers():
    caption = _caption(_demo.MLP_GRAPH_STEM, {})
    loss, net = _demo.iris_mlp_loss()  # the network and batch the figure draws
    shapes = [p.shape for p in net.parameters()]
    sizes = [shapes[0][0]] + [shape[1] for shape in shapes]
    [X] = [n for n in GraphView(loss).nodes if n.name == "X"]
    assert f"the {'-'.join(map(str, sizes))} sigmoid MLP" in caption
    assert f"on {X.data.shape[0]} Iris flowers" in caption


def test_every_caption_without_numbers_of_its_own_is_static():
    for stem in ("surrogate", "graphs_default", "error_loss_metric"):
        caption = _caption(stem, {})
        numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?%?", caption)
        # Only the fixed facts of the drawing itself, such as accuracy's threshold 0.5.
        assert set(numbers) <= {"0.5", "0", "1"}, (stem, numbers)


def test_the_demo_page_fits_every_figure_to_its_column_and_links_it_full_size(tmp_path):
    result = _demo.build(tmp_path, only=("error_loss_metric",))
    page = Path(result["index"]).read_text(encoding="utf-8")
    style = page[page.index("<style>"):page.index("</style>")]
    assert "max-width:1100px" in style and "img,object,svg{max-width:100%;height:auto" in style
    images = re.findall(r'<figure><a href="([^"]+)"><img src="([^"]+)"', page)
    assert len(images) == page.count("<img ") == 3  # error_loss_metric and the two graphs
    assert all(link == src and (tmp_path / src).is_file() for link, src in images)
