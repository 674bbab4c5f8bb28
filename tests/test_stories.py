"""The three stories: their claims asserted on the evidence they return, their figures on disk."""

import runpy
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tinygrad_lm.stories import error_loss_metric, loss_vs_accuracy, why_accuracy

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
    for name in ("mse", "cross_entropy"):
        assert not grads[name]["warned"]
        assert np.abs(grads[name]["w"]).min() > 1e-3


def test_training_on_accuracy_changes_nothing_while_the_losses_train(why):
    frozen = why["training"]["accuracy"]
    assert frozen["weights_bit_identical"]
    assert frozen["final_weights"] == why["initial_weights"]
    assert frozen["zero_gradient_warnings"] == why["steps"] == 100
    assert frozen["loss_before"] == frozen["loss_after"]
    assert frozen["accuracy_after"] == why["initial_accuracy"]
    for name in ("mse", "cross_entropy"):
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
    ce_value, ce_slope = map(np.array, c["cross_entropy"])
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
