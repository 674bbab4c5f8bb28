"""Saving a matplotlib figure as PNG and SVG side by side, without following symbolic links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io.files import save_figure


def save(fig: Any, out_dir: Path, stem: str) -> list[str]:
    """Write ``fig`` to ``out_dir/stem.png`` and ``.svg``, close it, return both paths.

    The SVG keeps its text as text (``svg.fonttype`` "none"): it stays searchable, and the
    tests read the numbers a figure shows from it.

    >>> import matplotlib.pyplot as plt, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [Path(p).suffix for p in save(plt.figure(), Path(d), "empty")]
    ['.png', '.svg']
    """
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        with plt.rc_context({"svg.fonttype": "none"}):
            for suffix in (".png", ".svg"):
                paths.append(save_figure(fig, out_dir / f"{stem}{suffix}", dpi=120,
                                         bbox_inches="tight"))
    finally:
        plt.close(fig)
    return paths
