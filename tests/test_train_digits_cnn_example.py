"""The convnet example trains on the digit images to held-out accuracy >= 97% and draws its
figure."""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_train_digits_cnn_example_reaches_its_accuracy(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["train_digits_cnn.py", "--out-dir", str(tmp_path)])
    runpy.run_path(str(ROOT / "examples" / "train_digits_cnn.py"), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in printed[:8]] == [str(e) for e in range(1, 9)]
    accuracy = float(printed[-2].split("held-out accuracy ")[1].split("%")[0])
    assert accuracy >= 97.0
    assert accuracy == float(printed[7].split("held-out accuracy ")[1].rstrip("%"))
    figure = tmp_path / "train_digits_cnn.png"
    assert printed[-1] == f"figure: {figure}"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
