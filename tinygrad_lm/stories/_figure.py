"""Saving a matplotlib figure as PNG and SVG side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save(fig: Any, out_dir: Path, stem: str) -> list[str]:
    """Write ``fig`` to ``out_dir/stem.png`` and ``.svg``, close it, return both paths.

    >>> import matplotlib.pyplot as plt, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [Path(p).suffix for p in save(plt.figure(), Path(d), "empty")]
    ['.png', '.svg']
    """
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in (".png", ".svg"):
        path = out_dir / f"{stem}{suffix}"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        paths.append(str(path))
    plt.close(fig)
    return paths
