"""The demo's graphs fit a page 1100 px wide with text at least 9 px high (read from the SVGs)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinygrad_lm.stories import _demo, _index

PAGE_PX = 1100
MIN_TEXT_PX = 9
SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def fitted_sizes(svg_text: str) -> tuple[float, float]:
    """(width in px, smallest text height in px) of an SVG shown at most ``PAGE_PX`` wide.

    Graphviz writes the size in points (1 pt = 4/3 px) and font sizes in viewBox units.
    """
    root = ET.fromstring(svg_text)
    width = float(re.match(r"[\d.]+", root.get("width")).group())
    px = width * 4 / 3 if root.get("width").endswith("pt") else width
    view_width = float(root.get("viewBox").split()[2])
    scale = min(1.0, PAGE_PX / px) * px / view_width
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    return px, min(sizes) * scale


@pytest.fixture(scope="module")
def demo_graphs(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("demo_graphs")
    files = (_demo.draw_comparison_graph(out) + _demo.draw_mlp_graph(out)
             + _demo.write_explorers(out))
    svgs = {}
    for f in map(Path, files):
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".svg":
            svgs[f.name] = text
        elif f.suffix == ".html":
            svgs[f.name] = text[text.index("<svg"):text.index("</svg>") + len("</svg>")]
    return svgs


def test_every_graph_the_demo_writes_is_legible_on_the_page(demo_graphs):
    assert sorted(demo_graphs) == sorted(
        ["graphs_default.svg", "mlp_hidden_loss.svg", "backward_accuracy.html",
         "backward_mse.html", "backward_cross_entropy.html", "backward_mlp.html"])
    for name, svg in demo_graphs.items():
        _, text_px = fitted_sizes(svg)
        assert text_px >= MIN_TEXT_PX, f"{name}: smallest text {text_px:.1f} px on the page"


def test_the_comparison_graph_agrees_with_its_caption(demo_graphs):
    texts = [t.text or "" for t in ET.fromstring(demo_graphs["graphs_default.svg"]).iter(
        f"{SVG}text")]
    joined = " ".join(texts)
    assert "grad [0, 0, 0, nan]" in " ".join(joined.split())  # undefined, not 0, on the jump
    assert texts.count("target") == 3 and texts.count("pred") == 3
    assert "binary_cross_entropy" in texts and "clip" not in texts
    assert "reshape" not in texts


def test_the_mlp_graph_is_collapsed_by_layer(demo_graphs):
    texts = [t.text or "" for t in ET.fromstring(demo_graphs["mlp_hidden_loss.svg"]).iter(
        f"{SVG}text")]
    assert "Linear 0" in texts and "Linear 2" in texts
    assert fitted_sizes(demo_graphs["mlp_hidden_loss.svg"])[0] <= PAGE_PX


def test_the_index_links_each_figure_full_size_and_each_explorer():
    evidence = {"graphs": {"figures": ["graphs_default.svg", "mlp_hidden_loss.svg"],
                           "explorers": [f"{stem}.html" for stem, _ in _demo.EXPLORERS]}}
    page = _index.index_html(evidence)
    for stem in ("graphs_default", "mlp_hidden_loss"):
        assert f'<a href="{stem}.svg"><img src="{stem}.svg"' in page
    for stem, title in _demo.EXPLORERS:
        assert f'<a href="{stem}.html">{title}</a>' in page
