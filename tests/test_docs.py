"""The documentation: builds with ``mkdocs build --strict``, links resolve, commands are real.

The pages' code blocks themselves run as doctests (``--doctest-glob=*.md`` over ``docs/``).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API_ENTRIES = ("tinygrad_lm.Tensor", "tinygrad_lm.Value",
               "tinygrad_lm.transforms.gradcheck.gradcheck", "tinygrad_lm.metrics.accuracy",
               "tinygrad_lm.losses.cross_entropy")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


class _Links(HTMLParser):
    """Every href/src in a page and every id it defines."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            elif name in ("id", "name") and value:
                self.ids.add(value)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Internal links of the built site whose file, or whose anchor in that file, is missing."""
    site = site.resolve()
    pages = {page: _parse(page) for page in site.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            path = unquote(url.path)
            if not path:
                target = page
            elif path.startswith("/"):  # 404.html links from the site root
                target = (site / path.lstrip("/")).resolve()
            else:
                target = (page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link} (no file)")
                continue
            anchor = unquote(url.fragment)
            if anchor and target.suffix == ".html" and target in pages \
                    and anchor not in pages[target].ids:
                broken.append(f"{page.relative_to(site)}: {link} (no anchor)")
    return broken


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed: "
                        "pip install -e '.[docs]' to build the documentation")
    pytest.importorskip("mkdocstrings", reason="the docs extra is not installed: "
                        "pip install -e '.[docs]' to build the documentation")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-6000:]}"
    return out


def test_site_builds_with_every_page_and_figure(site):
    for page in DOCS.glob("*.md"):
        built = site / "index.html" if page.stem == "index" else site / page.stem / "index.html"
        assert built.is_file(), f"{page.name} was not built"
    assert not (site / "hooks.py").exists(), "the build hook was published as a page asset"
    referenced = {m for page in DOCS.glob("*.md")
                  for m in re.findall(r"\((figures/[^)\s]+)\)", page.read_text())}
    for figure in referenced:
        assert (site / figure).is_file(), f"{figure} was not produced by the stories"


def test_api_reference_renders_docstring_examples_as_code(site):
    html = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in API_ENTRIES:
        assert f'id="{name}"' in html, f"{name} is missing from the API reference"
    assert "&gt;&gt;&gt;" in html
    assert "<blockquote>" not in html, "a doctest was rendered as a nested quote"


def test_no_broken_internal_links(site):
    assert broken_links(site) == []


def test_link_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="a/#here">ok</a><a href="b/">bad</a>'
        '<a href="a/#nowhere">bad</a><a href="https://example.org/x">external</a>')
    (tmp_path / "a" / "index.html").write_text('<h1 id="here">A</h1><img src="../c.png">')
    assert broken_links(tmp_path) == [
        "index.html: b/ (no file)", "index.html: a/#nowhere (no anchor)",
        "a/index.html: ../c.png (no file)"]


def _shell_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        for lang, body in FENCE.findall(page.read_text(encoding="utf-8")):
            if lang in ("bash", "sh", "console"):
                blocks += [(page.name, line) for line in body.splitlines() if line.strip()]
    return blocks


def test_every_code_block_is_a_doctest_or_a_checked_command():
    for page in sorted(DOCS.glob("*.md")):
        for lang, body in FENCE.findall(page.read_text(encoding="utf-8")):
            if lang in ("pycon", "python"):
                assert body.lstrip().startswith(">>>"), f"{page.name}: a {lang} block that " \
                                                        f"is not a doctest:\n{body[:200]}"
            else:
                assert lang in ("bash", "", "text"), f"{page.name}: unexpected block {lang!r}"


@pytest.mark.parametrize("page, line", _shell_blocks())
def test_shell_commands_in_docs_are_real(page, line):
    """Each command names an existing extra, subcommand and options (parsed, not run)."""
    from configparser import ConfigParser

    from tinygrad_lm.cli.commands import build_parser

    extras = ConfigParser()
    extras.read(ROOT / "setup.cfg")
    known = set(extras["options.extras_require"])
    for command in line.split("&&"):
        words = shlex.split(command)
        if words[:4] == ["python3", "-m", "pip", "install"]:
            for spec in words[4:]:
                for extra in re.findall(r"\[([\w,]+)\]", spec):
                    assert set(extra.split(",")) <= known, f"{page}: unknown extra in {spec}"
        elif words[:3] in (["python3", "-m", "tinygrad_lm"], ["python", "-m", "tinygrad_lm"]):
            build_parser().parse_args(words[3:])
        elif words[:1] == ["tinygrad-lm"]:
            build_parser().parse_args(words[1:])
        elif words[:3] in (["python3", "-m", "pytest"], ["python", "-m", "pytest"]):
            continue
        elif words[:2] in (["mkdocs", "build"], ["mkdocs", "serve"]):
            assert (ROOT / "mkdocs.yml").is_file()
        elif words[:3] == ["python", "-m", "benchmarks.bench_mlp"]:
            assert (ROOT / "benchmarks" / "bench_mlp.py").is_file()
        else:
            pytest.fail(f"{page}: no check for the command {command.strip()!r}")


def test_math_is_rendered_at_build_time_and_no_page_loads_a_script_from_the_network(site):
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    for page, text in pages.items():
        scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', text)
        assert not [s for s in scripts if urlsplit(s).scheme or s.startswith("//")], page
        assert "\\(" not in "".join(re.findall(r'class="arithmatex">(.*?)</', text)), page
    hidden = pages[site / "hidden-loss-in-backprop" / "index.html"]
    assert hidden.count('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">') >= 8
    update = hidden[hidden.index('id="the-textbook-update"'):]
    table = update[:update.index("</mtable>")]
    assert table.count("<mtr>") == 4      # all four lines of the update, none dropped


def test_the_math_hook_refuses_latex_it_cannot_render():
    sys.path.insert(0, str(DOCS))
    try:
        import hooks
    finally:
        sys.path.remove(str(DOCS))
    pytest.importorskip("latex2mathml")

    class Page:
        class file:
            src_path = "page.md"

    good = hooks.on_page_content('<span class="arithmatex">\\(a &lt; b\\)</span>', Page, None,
                                 None)
    assert good.startswith('<span class="arithmatex"><math') and "<mo>&#x0003C;</mo>" in good
    with pytest.raises(ValueError, match="page.md: latex2mathml cannot render"):
        hooks.on_page_content('<div class="arithmatex">\\[\\begin{aligned} a &= b '
                              '\\end{aligned}\\]</div>', Page, None, None)


def test_every_figure_on_the_docs_opens_full_size_on_a_click(site):
    shown = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for src in re.findall(r'<img [^>]*src="([^"]*figures/[^"]+)"', text):
            shown += 1
            assert f'<a href="{src}" title="open full size"><img ' in text, (page, src)
    assert shown >= 8


def test_architecture_quotes_the_whole_first_order_loop():
    import inspect
    import textwrap

    from tinygrad_lm.core import engine

    source = inspect.getsource(engine._first_order)
    loop = source[source.index("    for node in nodes:"):source.index("    return stepped")]
    page = (ROOT / "docs" / "architecture.md").read_text()
    assert "```text\n" + textwrap.dedent(loop) + "```" in page
    code = [line for line in loop.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(code) <= 30, f"the hot loop has {len(code)} code lines (budget: 30)"
