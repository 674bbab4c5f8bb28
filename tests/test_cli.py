"""The train and demo commands end to end in a temporary folder; their bad input."""

import xml.etree.ElementTree as ET

import pytest

from tinygrad_lm.cli import commands as cli


def test_train_prints_progress_difference_and_writes_curves(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--epochs", "20", "--hidden", "6", "--lr", "0.5",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "max weight difference, autodiff vs hand-derived, over all epochs: 0" in printed
    assert "final loss" in printed and "test examples" in printed
    assert printed.count("\n     ") >= 3          # progress rows
    for name in ("train_curves.png", "train_curves.svg"):
        assert (out / name).stat().st_size > 0
    ET.parse(out / "train_curves.svg")


def test_train_digits_cross_entropy(tmp_path, capsys):
    assert cli.main(["train", "--dataset", "digits", "--loss", "binary_cross_entropy",
                     "--epochs", "3", "--hidden", "8", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "digits, loss binary_cross_entropy" in printed
    assert "on 1347 training and" in printed


@pytest.mark.parametrize("flag, bad, valid", [
    ("--dataset", "mnist", "'iris', 'digits'"),
    ("--loss", "accuracy", "'half_sse', 'mse', 'binary_cross_entropy'"),
])
def test_unknown_names_list_the_valid_ones(flag, bad, valid, tmp_path, capsys):
    assert cli.main(["train", flag, bad, "--out", str(tmp_path)]) == 2
    assert valid in capsys.readouterr().err


@pytest.mark.slow
def test_demo_writes_every_figure_and_an_index(tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "index.html" in printed and "largest weight difference 0" in printed
    files = sorted(p for p in out.iterdir() if p.is_file())
    assert all(p.stat().st_size > 0 for p in files)
    svgs = [p for p in files if p.suffix == ".svg"]
    for svg in svgs:
        assert ET.parse(svg).getroot().tag.endswith("svg")
    names = {p.name for p in files}
    for expected in ("graphs_default.svg", "mlp_hidden_loss.svg", "objectives.png",
                     "error_loss_metric.png", "loss_vs_accuracy.png", "handprop_equivalence.png",
                     "handprop_cross_entropy.png", "train_curves.png"):
        assert expected in names
    page = (out / "index.html").read_text()
    shown = [part.split('"')[0] for part in page.split('<img src="')[1:]]
    assert len(shown) >= 9 and all(name in names for name in shown)
    assert page.count("<figcaption>") == len(shown)
