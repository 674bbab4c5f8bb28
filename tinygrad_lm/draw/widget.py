"""A self-contained page of the package (explorer, landscape) as an anywidget notebook widget.

The widget's JavaScript is one ES module shipped beside this file (``widget.js``, no imports,
no network), so the same widget runs in JupyterLab, Notebook 7, VS Code, Colab and marimo. It
shows the page in a sandboxed frame and keeps ``frame`` in step both ways: set it from Python
and the page moves; step in the page and Python's ``frame`` follows. Needs ``anywidget``
(``pip install 'tinygrad_lm[notebook]'``); importing ``tinygrad_lm`` never loads this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["ESM_PATH", "PageWidget"]

ESM_PATH = Path(__file__).with_name("widget.js")


class PageWidget(anywidget.AnyWidget):
    """A notebook widget showing ``page``: a self-contained HTML page (``str``) or anything
    with a ``page_html()`` method and a length, such as the frames of ``tg.draw_backward``.

    Synced traits: ``html`` (the page), ``frame`` (the frame shown, settable from Python and
    updated by the page; pages without frames ignore it), ``count`` (the number of frames, 0
    for a page without frames), ``height`` (of the frame in the notebook, in pixels) and
    ``title`` (for screen readers).

    >>> import tinygrad_lm as tg
    >>> widget = PageWidget(tg.draw_backward(tg.Value(1.0, label="x").exp()), frame=1)
    >>> widget.count, widget.frame, widget.html.startswith("<!doctype html>")
    (2, 1, True)
    >>> PageWidget("<p>hello</p>").count
    0
    """

    _esm = ESM_PATH.read_text(encoding="utf-8")
    html = traitlets.Unicode("").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    count = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(640).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(self, page: Any, *, frame: int = 0, height: int = 640, title: str = "",
                 **kwargs: Any):
        if isinstance(page, str):
            text, count = page, 0
        elif callable(getattr(page, "page_html", None)):
            text, count = page.page_html(), len(page)
        else:
            raise TypeError(f"PageWidget: page must be an HTML string or frames with "
                            f"page_html(), got {type(page).__name__}")
        if not isinstance(height, int) or height <= 0:
            raise ValueError(f"PageWidget: height must be a positive int (pixels), got "
                             f"{height!r}")
        super().__init__(html=text, count=count, height=height, title=title, **kwargs)
        self.frame = frame

    @traitlets.validate("frame")
    def _check_frame(self, proposal: dict) -> int:
        frame = proposal["value"]
        if frame < 0 or (self.count and frame >= self.count):
            bound = f"0..{self.count - 1}" if self.count else "0 or more"
            raise ValueError(f"PageWidget: frame must lie in {bound}, got {frame}")
        return frame
