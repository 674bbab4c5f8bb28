"""MkDocs hooks: doctests as code, the figures made by running the stories, math as MathML.

Figures are never committed: before each build every ``tinygrad_lm.stories`` module's
``run(out_dir)`` writes its figures into a fresh temporary folder, and the files there are
served under ``figures/<story>/`` (so ``figures/why_accuracy/objectives.png`` is
written by ``tinygrad_lm/stories/why_accuracy.py``). Nothing is written into ``docs/``, so
``mkdocs serve`` does not rebuild in a loop. A story that fails fails the build.

Math is rendered at build time: the ``\\( \\)`` and ``\\[ \\]`` spans that
``pymdownx.arithmatex`` leaves become MathML (by ``latex2mathml``), which browsers display
natively, so the pages need no script and no network. LaTeX the converter cannot express
fails the build instead of showing as raw source.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
import shutil
import sys
import tempfile
from pathlib import Path

FIGURE_SUFFIXES = (".png", ".svg", ".pdf", ".html")
_state: dict = {}
# A figure the stories or the drawing examples made, shown inline on a page.
_FIGURE = re.compile(r'<img ([^>]*?)src="([^"]*figures/[^"]+)"([^>]*)>')
# What pymdownx.arithmatex (generic mode) writes around inline and display math.
_MATH = re.compile(r'<(span|div) class="arithmatex">\s*(?:\\\((.*?)\\\)|\\\[(.*?)\\\])\s*</\1>',
                   re.DOTALL)


def on_config(config):
    """Turn ``>>>`` sessions in docstrings into highlighted ``pycon`` code blocks."""
    config.markdown_extensions.insert(0, _doctest_blocks_extension())
    return config


# What mkdocs.plugins.event_priority(100) sets, without importing mkdocs at import time: run
# before mkdocstrings reads the Markdown extensions in its own on_config.
on_config.mkdocs_priority = 100


def on_pre_build(config):
    """Run every story into a temporary folder (fail loudly: the figures are part of the docs)."""
    import matplotlib

    matplotlib.use("Agg")
    # The checkout being documented, even when the `mkdocs` script's sys.path lacks it.
    sys.path.insert(0, str(Path(config.config_file_path).resolve().parent))
    import tinygrad_lm.stories as stories

    out = Path(tempfile.mkdtemp(prefix="tinygrad_lm_docs_figures_"))
    _state["figures"] = out
    for info in sorted(pkgutil.iter_modules(stories.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{stories.__name__}.{info.name}")
        story_dir = out / "figures" / info.name
        story_dir.mkdir(parents=True)
        evidence = module.run(story_dir)
        if info.name == "landscape":  # and its page, which docs/landscape.md links
            from tinygrad_lm.stories._landscape_page import write_page

            write_page(story_dir, evidence)
    _draw_examples(out / "figures" / "drawings")


def _draw_examples(out: Path) -> None:
    """The drawings shown on the drawing-graphs page, built by the same code as its examples."""
    import numpy as np

    import tinygrad_lm as tg

    a, b, c, f = (tg.Value(x, label=n) for x, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"),
                                                   (-2.0, "f")))
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    tg.draw_graph(loss).render(outfile=out / "value.svg", cleanup=True)

    pred = tg.Tensor([0.9, 0.4, 0.6, 0.5], requires_grad=True)
    pred.name = "pred"
    y = tg.Tensor([1.0, 0.0, 0.0, 1.0])
    y.name = "target"
    roots = [tg.metrics.accuracy(pred, y), tg.losses.mse(pred, y),
             tg.losses.binary_cross_entropy(pred, y)]
    tg.draw_graph(roots, titles=["accuracy", "MSE", "cross-entropy"],
                  undefined="nan").render(outfile=out / "objectives.svg", cleanup=True)

    model = tg.nn.MLP([4, 8, 3], activation="sigmoid")
    x = tg.Tensor(np.random.default_rng(0).normal(size=(5, 4)))
    x.name = "X"
    loss = tg.losses.cross_entropy(model(x), np.array([0, 1, 2, 1, 0]))
    tg.draw_graph(loss, collapse=model, rankdir="TB").render(outfile=out / "mlp.svg",
                                                             cleanup=True)

    two_passes_drawing().render(outfile=out / "two_passes.svg", cleanup=True)
    conv_drawing().render(outfile=out / "conv.svg", cleanup=True)
    read_twice_frame().render(outfile=out / "read_twice.svg", cleanup=True)

    from tinygrad_lm.stories._demo import EXPLORERS, write_explorer

    write_explorer(out, *EXPLORERS[-1])  # backward_mlp.html, as the demo writes it


def forward_vs_reverse_example():
    """``f(x1, x2) = log(x1) + x1 x2 - tanh(x2)`` at (2, 5), labelled as the forward-vs-reverse
    page builds it in its doctests: ``(x1, x2, f)``."""
    import tinygrad_lm as tg

    x1, x2 = tg.Value(2.0, label="x1"), tg.Value(5.0, label="x2")
    v1, v2, v3 = x1.log(), x1 * x2, x2.tanh()
    v4 = v1 + v2
    f = v4 - v3
    for node, label in ((v1, "v1"), (v2, "v2"), (v3, "v3"), (v4, "v4"), (f, "f")):
        node.label = label
    return x1, x2, f


def conv_drawing():
    """The convolution page's figure: the graph of its tiny conv, as its example draws it."""
    import numpy as np

    import tinygrad_lm as tg

    x = tg.Tensor(np.arange(16.0).reshape(1, 1, 4, 4) / 8, requires_grad=True)
    w = tg.Tensor([[[[1.0, -1.0], [0.5, 0.0]]]], requires_grad=True)
    b = tg.Tensor([0.5], requires_grad=True)
    x.name, w.name, b.name = "x", "w", "b"
    loss = (tg.functional.conv2d(x, w, b) ** 2).sum()
    loss.backward()
    return tg.draw_graph(loss)


def two_passes_drawing():
    """The forward-vs-reverse page's figure: the forward and the reverse pass of its example,
    as ``draw_graph`` draws each, side by side in one figure (a ``graphviz.Digraph``)."""
    from tinygrad_lm.core.forward import push_tangents
    from tinygrad_lm.draw.dot import render
    from tinygrad_lm.draw.forward_view import ForwardView
    from tinygrad_lm.draw.graph_view import GraphView

    x1, _, f = forward_vs_reverse_example()
    views = [ForwardView(f, push_tangents(f, {x1: 1.0}), prefix="c0_"), GraphView(f, prefix="c1_")]
    titles = ["forward: tangents d node / d x1", "reverse: adjoints d f / d node"]
    return render(views, titles=titles, rankdir="TB", legend=False)


def read_twice_frame():
    """The stepping-through-backward page's figure: frame 2 of backward through
    ``tanh(a * b + a)`` at a = 2, b = -3, as its doctests build it, where ``a`` has heard from
    the sum but not yet from the product (a ``graphviz.Digraph``)."""
    import tinygrad_lm as tg

    a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    d = a * b + a
    d.label = "d"
    return tg.draw_backward(d.tanh())[2]


def on_page_content(html_text, page, config, files):
    """Math spans become MathML, rendered here rather than in the browser; figures become links.

    Each figure is shown fitted to the page's column, and a click on it opens the file itself,
    full size.
    """
    html_text = _FIGURE.sub(r'<a href="\2" title="open full size"><img \1src="\2"\3></a>',
                            html_text)
    return _MATH.sub(lambda m: _mathml(m, page.file.src_path), html_text)


def _mathml(match: re.Match, where: str) -> str:
    from latex2mathml.converter import convert

    inline, display = match.group(2), match.group(3)
    tex = html.unescape(inline if inline is not None else display).strip()
    mathml = convert(tex, display="inline" if inline is not None else "block")
    # The converter turns what it does not know into <merror> or a bare & (alignment outside
    # a table); either would show the reader broken math, so the build stops instead.
    if "<merror" in mathml or "<mi>&</mi>" in mathml:
        raise ValueError(f"{where}: latex2mathml cannot render {tex!r}; rewrite it (for "
                         "example an aligned block as \\begin{array}{rl})")
    if inline is not None:
        return f'<span class="arithmatex">{mathml}</span>'
    return f'<div class="arithmatex">{mathml}</div>'


def on_files(files, config):
    """Serve every figure the stories wrote, as if it were a file of ``docs/figures/``."""
    from mkdocs.structure.files import File

    root = _state["figures"]
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in FIGURE_SUFFIXES:
            files.append(File(path.relative_to(root).as_posix(), src_dir=str(root),
                              dest_dir=config.site_dir,
                              use_directory_urls=config.use_directory_urls))
    return files


def on_post_build(config):
    """Remove the temporary figures folder once its files are copied into the site."""
    root = _state.pop("figures", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def _doctest_blocks_extension():
    """A Markdown extension that fences each run of ``>>>`` lines (outside fences) as pycon.

    Imported lazily so that ``pytest --doctest-modules`` can import this file without
    Markdown installed.
    """
    from markdown.extensions import Extension
    from markdown.preprocessors import Preprocessor

    class DoctestBlocks(Preprocessor):
        def run(self, lines):
            out, fenced, session = [], False, False
            for line in lines:
                stripped = line.strip()
                if stripped.startswith("```"):
                    fenced = not fenced
                if not fenced and not session and stripped.startswith(">>>"):
                    out += ["", "```pycon"]
                    session = True
                elif session and not stripped:
                    out += ["```", ""]
                    session = False
                out.append(line)
            if session:
                out.append("```")
            return out

    class DoctestBlocksExtension(Extension):
        def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
            # Before the fenced-code preprocessor (priority 25), which then highlights it.
            md.preprocessors.register(DoctestBlocks(md), "doctest_blocks", 29)

    return DoctestBlocksExtension()
