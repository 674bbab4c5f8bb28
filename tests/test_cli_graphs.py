"""The graphs command draws through the demo's comparison drawing: strict mode, named target."""

from __future__ import annotations

import re
import shutil

import pytest

from tinygrad_lm.cli.commands import main
from tinygrad_lm.stories import _demo

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def _panels(source: str) -> dict[str, str]:
    """Each titled panel's DOT text, by its title."""
    parts = re.split(r"\tsubgraph cluster_\d+ \{\n", source)[1:]
    return {re.search(r"label=<<B>(.*?)</B>>", part).group(1): part.split("\n\t}\n")[0]
            for part in parts}


@needs_dot
def test_graphs_marks_the_undefined_entry_and_names_the_target_in_every_panel(tmp_path, capsys):
    out = tmp_path / "g"
    assert main(["graphs", "--out", str(out), "--pred", "0.5,0.7,0.2", "--target", "1,0,0"]) == 0
    printed = capsys.readouterr().out
    for stem, undefined in (("graphs_default", "undefined at 1 of 4"),
                            ("graphs_custom", "undefined at 1 of 3")):
        panels = _panels((out / f"{stem}.gv").read_text())
        assert list(panels) == ["accuracy", "MSE", "binary cross-entropy"]
        for title, panel in panels.items():
            assert "<B>target</B>" in panel, f"{stem}: {title} has no named target"
            assert "<B>pred</B>" in panel
        assert undefined in panels["accuracy"]
        # strict mode: pred's gradient is NaN at the entry on the threshold
        assert re.search(r">grad<[^[]*\[[^]]*nan", panels["accuracy"])
        assert "undefined" not in panels["MSE"]
        assert (out / f"{stem}.svg").read_text().lstrip().startswith("<?xml")
    assert "accuracy = 0.3333" in printed


@needs_dot
def test_graphs_draws_what_the_demo_draws(tmp_path):
    assert main(["graphs", "--out", str(tmp_path / "cli")]) == 0
    (tmp_path / "demo").mkdir()
    files = _demo.draw_comparison_graph(tmp_path / "demo")
    assert [p.rsplit("/", 1)[1] for p in files] == ["graphs_default.gv", "graphs_default.svg"]
    assert (tmp_path / "cli" / "graphs_default.gv").read_text() == (
        tmp_path / "demo" / "graphs_default.gv").read_text()


@needs_dot
def test_graphs_writes_the_asked_format(tmp_path):
    assert main(["graphs", "--out", str(tmp_path), "--format", "pdf"]) == 0
    assert (tmp_path / "graphs_default.pdf").read_bytes()[:4] == b"%PDF"
    assert not (tmp_path / "graphs_default.svg").exists()
