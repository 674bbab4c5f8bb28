"""The command line checks before it writes: bad input, missing extras, planted symbolic links."""

import importlib.util
import os
import warnings

import pytest

from tinygrad_lm.cli import args as _cli_args
from tinygrad_lm.cli import commands as cli
from tinygrad_lm.io import files as _files


def _exit_code(argv):
    return cli.main(argv)


@pytest.mark.parametrize("command, flag, bad, message", [
    ("train", "--lr", "-0.1", "must be a number above 0"),
    ("train", "--lr", "0", "must be a number above 0"),
    ("train", "--lr", "nan", "must be a number above 0"),
    ("train", "--lr", "fast", "must be a number above 0"),
    ("train", "--seed", "-1", "must be an integer >= 0"),
    ("train", "--epochs", "0", "must be an integer >= 1"),
    ("train", "--epochs", "2.5", "must be an integer >= 1"),
    ("train", "--hidden", "0", "must be an integer >= 1"),
    ("train", "--loss", "cross_entropy", "invalid choice"),
    ("train", "--dataset", "mnist", "invalid choice"),
    ("graphs", "--pred", "0.5,2", "probability in [0, 1]"),
    ("graphs", "--pred", "0.5,x", "comma-separated numbers"),
    ("graphs", "--target", "1,0.5", "must be 0 or 1"),
    ("graphs", "--format", "jpg", "invalid choice"),
])
def test_bad_input_exits_2_naming_the_flag_before_any_output(command, flag, bad, message,
                                                              tmp_path, capsys):
    out = tmp_path / "new" / "run"
    assert _exit_code([command, flag, bad, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"argument {flag}: " in captured.err and message in captured.err
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("argv, message", [
    (["--pred", "0.9,0.4"], "give --pred and --target together"),
    (["--target", "1,0"], "give --pred and --target together"),
    (["--pred", "0.9,0.4", "--target", "1,0,0"], "--pred has 2 numbers but --target has 3"),
])
def test_graphs_pred_and_target_are_checked_together(argv, message, tmp_path, capsys):
    assert _exit_code(["graphs", *argv, "--out", str(tmp_path / "g")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("command", ["graphs", "train", "demo"])
def test_an_output_folder_that_is_a_file_is_refused(command, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert _exit_code([command, "--out", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert "argument --out: " in err and "exists and is not a folder" in err
    assert _exit_code([command, "--out", str(blocker / "inside")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("command", ["train", "demo"])
def test_missing_matplotlib_stops_before_training(command, tmp_path, capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    assert _exit_code([command, "--out", str(tmp_path / "run")]) == 2
    captured = capsys.readouterr()
    assert "tinygrad_lm[plots]" in captured.err and captured.out == ""
    assert not (tmp_path / "run").exists()


def test_a_failing_run_removes_the_folder_it_created(tmp_path, monkeypatch, capsys):
    from tinygrad_lm.stories import training

    def fail(*args, **kwargs):
        raise ValueError("train: the data set could not be read")

    monkeypatch.setattr(training, "train", fail)
    assert cli.main(["train", "--out", str(tmp_path / "a" / "b")]) == 2
    assert "could not be read" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "kept"
    existing.mkdir()
    assert cli.main(["train", "--out", str(existing)]) == 2
    assert existing.is_dir()


@pytest.mark.parametrize("command, planted", [
    (["graphs"], "graphs_default.gv"),
    (["graphs"], "graphs_default.svg"),
    (["train", "--epochs", "2", "--hidden", "3"], "train_curves.png"),
    (["train", "--epochs", "2", "--hidden", "3"], "train_curves.svg"),
])
def test_planted_symlinks_are_refused_and_their_targets_unchanged(command, planted, tmp_path,
                                                                  capsys):
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (out / planted).symlink_to(target)
    assert cli.main([*command, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "refusing to write" in err and planted in err and "symbolic link" in err
    assert target.read_text() == "keep me"
    assert (out / planted).is_symlink()


def test_the_write_check_never_opens_a_planted_file(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    for name in (".tinygrad_lm_write_check", ".tinygrad_lm_write_check_x"):
        (tmp_path / name).symlink_to(target)
    _files.check_writable_folder(tmp_path)
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".tinygrad_lm_write_check", ".tinygrad_lm_write_check_x", "precious.txt"]


def test_a_link_to_a_missing_file_is_refused_too(tmp_path):
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OSError, match="symbolic link"):
        _files.write_text(link, "x")
    assert not (tmp_path / "nowhere").exists()


def test_a_huge_learning_rate_is_reported_in_words_without_numpy_warnings(tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cli.main(["train", "--lr", "1e6", "--epochs", "5", "--hidden", "4",
                         "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "the run diverged" in captured.out and "smaller --lr" in captured.out
    assert "Warning" not in captured.err


def test_progress_is_plain_lines_when_not_a_terminal(tmp_path, capsys):
    assert cli.main(["train", "--epochs", "20", "--hidden", "3", "--out", str(tmp_path)]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert lines[-1] == "train: epoch: 20/20 (100%)"
    assert 5 <= len(lines) <= 12


def test_progress_uses_tqdm_on_a_terminal():
    pytest.importorskip("tqdm")

    class Terminal:
        def __init__(self):
            self.text = []

        def isatty(self):
            return True

        def write(self, text):
            self.text.append(text)

        def flush(self):
            pass

    stream = Terminal()
    bar = _cli_args.Progress(3, "bench", stream=stream)
    for _ in range(3):
        bar.update()
    assert type(bar._bar).__name__ == "tqdm" and bar._bar.n == 3
    bar.close()
    assert "bench:" in "".join(stream.text) and "|" in "".join(stream.text)


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="O_NOFOLLOW is POSIX")
def test_a_link_planted_after_the_check_is_refused_by_the_open(tmp_path, monkeypatch):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    path = tmp_path / "out.txt"
    real, calls = _files._refuse_link, []

    def check_then_plant(p):
        calls.append(p)
        real(p)
        if len(calls) == 1:     # the check passed; a link appears before the open
            p.symlink_to(target)

    monkeypatch.setattr(_files, "_refuse_link", check_then_plant)
    with pytest.raises(OSError, match="out.txt: it is a symbolic link"):
        _files.write_text(path, "x")
    assert target.read_text() == "keep me" and len(calls) == 2


@pytest.mark.parametrize("planted", ["index.html", "mlp_hidden_loss.gv", "mlp_hidden_loss.svg"])
def test_the_demo_page_refuses_planted_symlinks(planted, tmp_path):
    from tinygrad_lm.stories import _demo

    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    out = tmp_path / "demo"
    out.mkdir()
    (out / planted).symlink_to(target)
    with pytest.raises(OSError, match=f"refusing to write .*{planted}: it is a symbolic link"):
        _demo.build(out, only=())
    assert target.read_text() == "keep me"


def test_story_figures_refuse_planted_symlinks(tmp_path):
    import matplotlib.pyplot as plt

    from tinygrad_lm.stories._figure import save

    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / "f.svg").symlink_to(target)
    with pytest.raises(OSError, match="f.svg: it is a symbolic link"):
        save(plt.figure(), tmp_path, "f")
    assert target.read_text() == "keep me"
