"""The docs' own text: the home page lists every page; the performance page is about the project."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _nav_pages() -> set[str]:
    return set(re.findall(r":\s*([\w-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))


def test_home_page_links_every_page_of_the_nav():
    home = (DOCS / "index.md").read_text()
    linked = set(re.findall(r"\]\(([\w-]+\.md)\)", home))
    assert _nav_pages() - {"index.md"} <= linked


def test_home_page_names_forward_mode_the_explorer_and_tg_testing():
    home = (DOCS / "index.md").read_text()
    for words in ("forward mode", "tg.draw_backward", "tg.testing", "reverse and forward"):
        assert words in home.lower() or words in home


def test_performance_page_describes_the_project_not_a_session():
    text = (DOCS / "performance.md").read_text().lower()
    for phrase in ("the issue", "session", "this machine", "before today", "today"):
        assert phrase not in text, phrase


def test_readme_says_how_to_build_and_serve_the_docs():
    readme = (ROOT / "README.md").read_text()
    assert "pip install -e '.[docs]' && mkdocs serve" in readme
    assert "file://" in readme
    # the two newcomer commands, unchanged
    assert "python3 -m pip install -e '.[plots]' && python3 -m tinygrad_lm demo" in readme
    assert "python3 -m pip install -e '.[test,docs]' && python3 -m pytest -q" in readme
