"""The example scripts write into one folder, examples_output/ (ignored by git), and print a
short summary."""

import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script, args, writes", [
    ("error_loss_metric.py", [], True),
    ("why_accuracy_is_not_a_loss.py", [], True),
    ("train_digits.py", ["--epochs", "1"], True),
    ("check_your_backprop.py", [], False),
    ("scalar_moons.py", ["--steps", "12"], False),
])
def test_example_writes_only_into_examples_output_and_prints_a_summary(
        script, args, writes, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [script, *args])
    runpy.run_path(str(ROOT / "examples" / script), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert 2 <= len(printed) <= 30, len(printed)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == (["examples_output"] if writes else [])
    if writes:
        assert any((tmp_path / "examples_output").rglob("*.png"))


def test_examples_output_is_ignored_by_git():
    assert "examples_output/" in (ROOT / ".gitignore").read_text().splitlines()
