"""Label text: user text made inert inside Graphviz's HTML-like labels, and numbers as text."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

# Arrays with at most this many entries are shown in full; larger ones as min/mean/max.
SMALL = 12
WRAP = 6  # entries a line
# Longer names are cut, so that one long label cannot stretch the whole figure.
MAX_NAME = 40


def text(s: Any, limit: int | None = MAX_NAME) -> str:
    """User text made inert inside an HTML-like label: escaped, control characters shown, cut
    to ``limit`` characters.

    >>> text("a<b")
    'a&lt;b'
    """
    s = str(s)
    if limit is not None and len(s) > limit:
        s = s[:limit - 1] + "\u2026"
    s = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in s)
    s = html.escape(s.encode("utf-8", "backslashreplace").decode("utf-8"))
    # dot expands \N, \G, \L... even inside HTML labels (after decoding entities); a doubled
    # backslash is its escape for one literal backslash.
    return s.replace("\\", "\\\\").replace("\n", '<BR ALIGN="LEFT"/>')


def _float(x: float) -> str:
    x = x + 0.0  # shows -0.0 as 0
    short = f"{x:.4g}"
    # A number that is not whole never reads as one: 1.99982 shows as 1.9998, not 2.
    digits = 4
    while abs(x) < 1e4 and x != round(x) and float(short) == round(float(short)) \
            and digits < 8:
        digits += 1
        short = f"{x:.{digits}g}"
    return short


def _number(x: Any) -> str:
    is_int = isinstance(x, (bool, np.bool_, int, np.integer))
    return str(int(x)) if is_int else _float(float(x))


def value_text(x: Any) -> str:
    """A scalar as a number; a small array in full; a large one as min/mean/max; an empty one
    as empty. Lines are joined by ``<BR/>``.

    >>> value_text(np.array([1.0, 2.5])), value_text(np.zeros((0, 3))), value_text(1.99982)
    ('[1, 2.5]', 'empty', '1.9998')
    """
    if type(x) is float:
        return _float(x)
    a = np.asarray(x)
    if a.ndim == 0:
        return _number(a.item())
    if a.size == 0:
        return "empty"
    if a.size <= SMALL:
        # A column (n, 1) reads as well on one line; its shape is in the node's header.
        if a.ndim == 1 or a.shape[-1] == 1:
            flat = [_number(v) for v in a.reshape(-1).tolist()]
            lines = (", ".join(flat[i:i + WRAP]) for i in range(0, len(flat), WRAP))
            return "[" + ",<BR/>".join(lines) + "]"
        return "<BR/>".join("[" + ", ".join(_number(v) for v in row.tolist()) + "]"
                            for row in a.reshape(-1, a.shape[-1]))
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
    if finite.size == 0:
        return f"all {_number(a.flat[0])}"
    parts = f"min {_number(finite.min())}  mean {_number(finite.mean())}  " \
            f"max {_number(finite.max())}"
    missing = a.size - finite.size
    if missing:
        parts += f"  ({missing} not finite)"
    return parts
