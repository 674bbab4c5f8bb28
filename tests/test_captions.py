"""The demo's captions are computed from the data and agree with their figures."""

import pytest

from tinygrad_lm.stories import _demo, _describe, _index


def _caption(stem, evidence):
    make, _ = _index.CAPTIONS[stem]
    return make(evidence)


def test_first_caption_says_in_words_whether_the_weights_change():
    ev = {"steps": 3, "training": {"accuracy": {"weights_bit_identical": True},
                                   "mse": {"accuracy_after": 0.75},
                                   "binary_cross_entropy": {"accuracy_after": 1.0}}}
    text = _caption("objectives", ev)
    assert "the weights do not change" in text and "True" not in text
    ev["training"]["accuracy"]["weights_bit_identical"] = False
    assert "the weights change" in _caption("objectives", ev)


def test_loss_vs_accuracy_caption_describes_the_dip_and_the_plateau():
    curve = [0.5, 0.8, 0.9, 0.85, 0.88, 0.91, 0.91, 0.91]
    ev = {"best_loss_epoch": 2, "at_best_loss": {"val_accuracy": 0.8},
          "final": {"val_accuracy": 0.91}, "curves": {"val_accuracy": curve}}
    text = _caption("loss_vs_accuracy", ev)
    assert "keeps improving" not in text
    assert "rises to 90.0% at epoch 3, dips to 85.0% at epoch 4" in text
    assert "91.0% and stays there for the last 3 epochs" in text


@pytest.mark.parametrize("curve, expected", [
    ([0.2, 0.4, 0.6], "rises to 60.0% by epoch 3"),
    ([0.9, 0.7, 0.7], "rises to 90.0% at epoch 1, dips to 70.0% at epoch 2, then reaches 70.0% "
                      "and stays there for the last 2 epochs"),
])
def test_accuracy_after_is_read_off_the_numbers(curve, expected):
    assert _describe.accuracy_after(curve, 1) == expected


def test_equivalence_caption_names_the_cross_entropy_line():
    ev = {"steps": 10, "half_sse": {"max_weight_diff": 0.0}, "mse_ratio": 2 / 3,
          "binary_cross_entropy": {"max_weight_diff": 6.66e-16}}
    text = _caption("handprop_equivalence", ev)
    assert "cross-entropy" in text and "6.66e-16" in text


def test_mlp_caption_uses_the_names_the_figure_shows(tmp_path):
    text = _caption(_demo.MLP_GRAPH_STEM, {})
    svg = (tmp_path / f"{_demo.MLP_GRAPH_STEM}.svg")
    _demo.draw_mlp_graph(tmp_path)
    drawing = svg.read_text()
    for shown in ("Linear 0", "Linear 2", "half_sse"):
        assert shown in text and shown in drawing


def test_a_drawn_number_that_is_not_whole_does_not_read_as_whole():
    import tinygrad_lm as tg

    x1, x2 = tg.Value(2.0), tg.Value(5.0)
    f = (x1.log() + x1 * x2 - x2.tanh())
    f.backward()
    assert abs(x2.grad - 1.99982) < 1e-5
    assert "1.9998" in tg.draw_graph(f).source
