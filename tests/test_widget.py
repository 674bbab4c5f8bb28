"""The notebook widget's model in Python: traits, frame sync, the shipped ES module, fallback."""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

import pytest

import tinygrad_lm as tg

anywidget = pytest.importorskip("anywidget", reason="the widget tests need the test extra")

ROOT = Path(__file__).resolve().parents[1]


def frames():
    x = tg.Tensor([0.5, -1.0], requires_grad=True)
    x.name = "x"
    return tg.draw_backward((x.exp() * x).sum())


def test_the_widget_holds_the_explorers_page_and_its_frames():
    from tinygrad_lm.draw.widget import PageWidget

    f = frames()
    widget = f.widget(frame=2, height=500)
    assert isinstance(widget, anywidget.AnyWidget)
    assert widget.html == f.page_html() and widget.count == len(f) == 4
    assert widget.frame == 2 and widget.height == 500 and widget.title.startswith("Backward")
    state = widget.get_state()
    assert {"html", "frame", "count", "height", "title", "_esm"} <= set(state)
    assert state["frame"] == 2
    page = PageWidget("<!doctype html><p>a landscape</p>")  # any self-contained page
    assert page.count == 0 and page.frame == 0 and "landscape" in page.html


def test_frame_syncs_both_ways_and_bad_values_are_refused():
    widget = frames().widget()
    seen = []
    widget.observe(lambda change: seen.append(change["new"]), "frame")
    widget.frame = 3  # from Python: sent to the page
    widget.set_state({"frame": 1})  # from the page, as the frontend's update arrives
    assert widget.frame == 1 and seen == [3, 1]
    with pytest.raises(ValueError, match=r"frame must lie in 0\.\.3, got 4"):
        widget.frame = 4
    with pytest.raises(ValueError, match="frame must lie in 0 or more, got -1"):
        type(widget)("<p>page</p>", frame=-1)
    with pytest.raises(TypeError, match="page must be an HTML string .* got int"):
        type(widget)(3)
    with pytest.raises(ValueError, match="height must be a positive int"):
        frames().widget(height=0)


def test_the_esm_is_the_shipped_file_and_needs_no_network():
    from tinygrad_lm.draw import widget as module

    esm = module.ESM_PATH.read_text(encoding="utf-8")
    assert module.PageWidget._esm == esm
    assert module.ESM_PATH.parent == ROOT / "tinygrad_lm" / "draw"
    assert "export default" in esm and "render" in esm
    assert not re.search(r"https?://", esm), "the widget must not load anything from the web"
    assert not re.search(r"^\s*import\b|\bimport\(", esm, re.M), "one self-contained module"
    # The page names XML namespaces by URL (xmlns=...), but loads nothing from one.
    assert not re.search(r"(src|href)=\"https?:|url\(\s*['\"]?https?:", frames().page_html())
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "*.js" in config["options.package_data"]["tinygrad_lm.draw"]
    for extra in ("notebook", "test"):
        assert "anywidget" in config["options.extras_require"][extra]


def test_jupyter_shows_the_widget_with_a_static_fallback(monkeypatch):
    from IPython.core.formatters import DisplayFormatter

    f = frames()
    data, _ = DisplayFormatter().format(f)
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "<svg" in data["text/html"] and "anywidget" in data["text/html"]
    # Without anywidget: no widget, only the last frame and how to get the widget.
    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "tinygrad_lm.draw.widget")
    data, _ = DisplayFormatter().format(f)
    assert "application/vnd.jupyter.widget-view+json" not in data
    assert "<svg" in data["text/html"]
    with pytest.raises(ImportError):
        f.widget()


def test_importing_the_package_leaves_anywidget_unloaded():
    import subprocess

    code = ("import sys, tinygrad_lm; "
            "print(any(m.startswith(('anywidget', 'ipywidgets')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "False"
