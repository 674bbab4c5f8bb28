"""The command line explains itself: bare invocation, a help line per flag, train's output order."""

import argparse

from tinygrad_lm.cli.commands import build_parser, main


def test_bare_invocation_prints_help_and_exits_with_usage_status(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: tinygrad-lm")
    for command in ("demo", "graphs", "train", "bench", "check"):
        assert command in out


def test_every_subcommand_and_every_flag_has_a_help_line():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helped = {choice.dest for choice in subparsers._choices_actions if choice.help}
    assert helped == set(subparsers.choices)
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_train_help_says_how_to_reproduce_the_demo_figure(capsys):
    assert main(["train", "-h"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--lr 0.5 --epochs 1000" in out and "train_curves" in out


def test_train_table_comes_after_the_progress_display(tmp_path, capsys):
    assert main(["train", "--epochs", "5", "--out", str(tmp_path / "t")]) == 0
    captured = capsys.readouterr()
    assert "train: epoch: 5/5" in captured.err          # progress on stderr, finished
    lines = captured.out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip().startswith("epoch"))
    rows = [line.split()[0] for line in lines[header + 1:header + 6]]
    assert rows == ["1", "2", "3", "4", "5"]             # the table is whole, in order
    assert "epoch:" not in captured.out


def test_bare_python_dash_m_prints_help():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run([sys.executable, "-m", "tinygrad_lm"], capture_output=True,
                            text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 2
    assert "usage: tinygrad-lm" in result.stdout and "demo" in result.stdout
