"""The end-to-end example trains a digits classifier to held-out accuracy >= 0.9 in a few epochs."""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_train_digits_example_reaches_its_accuracy(tmp_path, monkeypatch, capsys):
    figure = tmp_path / "digits.png"
    monkeypatch.setattr(sys, "argv", ["train_digits.py", "--epochs", "3", "--out", str(figure)])
    namespace = runpy.run_path(str(ROOT / "examples" / "train_digits.py"), run_name="__main__")
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in printed[:3]] == ["1", "2", "3"]
    assert printed[-1] == f"figure: {figure}"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    history = namespace["train"](epochs=3, log=lambda line: None)
    assert history["test_accuracy"][-1] >= 0.9
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert f"test accuracy {history['test_accuracy'][-1]:.1%}" in printed[2]


def test_the_readme_training_example_runs_and_reaches_its_accuracy(capsys):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Training a classifier end to end.*?```python\n(.*?)```", readme,
                     re.DOTALL).group(1)
    exec(compile(code, "README.md", "exec"), {})
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("epoch 5:")
    assert float(last.split("held-out accuracy ")[1].rstrip("%")) >= 90.0
