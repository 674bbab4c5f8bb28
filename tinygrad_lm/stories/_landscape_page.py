"""The landscape as a web page: hover for a point's values and gradients, click for its graph.

Everything is precomputed by the engine and inlined, so the page makes no request: the
story's figure as a PNG, the values and gradients on every other point of the story's grid,
and the computation graph (``tg.draw_graph``, strict mode) of each objective at the points of
a coarse sub-grid, drawn by the explorer's SVG production and packed as one gzipped JSON
string that the browser unpacks (``DecompressionStream``) on the first click.
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import json
from pathlib import Path

import numpy as np

from ..draw.dot import Drawing, GraphvizNotFound, legend_lines, new_drawing
from ..draw.viz import draw_graph
from ..frontends.tensor import Tensor
from ..io.files import write_text
from .landscape import OBJECTIVES, TITLES, compute, objective, plot

HOVER_EVERY = 2      # hover data on every other grid point: 65 x 65 points
GRAPH_EVERY = 16     # graphs at every 16th grid point: 9 x 9 points
DPI = 90
KEYS = ("Tab to the figure, then the arrow keys move the point, 1, 2 and 3 pick the panel and "
        "Enter shows its graph")
LINK = ('<p>In <a href="landscape.html">the landscape page</a> the mouse over any panel shows '
        "the value and the engine's gradient at the nearest grid point, and a click shows the "
        "computation graph there, with its gradients.</p>")

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:1em auto;max-width:1400px;padding:0 1em;
color:#1f2937;line-height:1.4}
#figure{position:relative;display:inline-block;max-width:100%;cursor:crosshair}
#figure img{display:block;max-width:100%;height:auto}
.mark{position:absolute;width:12px;height:12px;margin:-7px 0 0 -7px;border:2px solid #db2777;
border-radius:50%;pointer-events:none;display:none;background:rgba(255,255,255,.5)}
.mark.drawn{border-color:#0d9488;border-radius:2px;background:none;width:14px;height:14px;
margin:-9px 0 0 -9px}
#readout{font-family:Courier,monospace;background:#f9fafb;border:1px solid #e5e7eb;
padding:.5em;min-height:5.5em;white-space:pre-wrap}
#readout b{color:#be185d}
#graph-title{font-weight:bold;margin-top:1em}
#graph svg{max-width:100%;height:auto}
#graphs{display:flex;gap:1em;align-items:flex-start;flex-wrap:wrap}#graph{flex:1}
#legend{display:none}
"""

SCRIPT = """
(function () {
  const D = JSON.parse(document.getElementById('landscape-data').textContent);
  const box = document.getElementById('figure'), img = box.querySelector('img');
  const readout = document.getElementById('readout');
  function markers(kind) {
    return D.panels.map(() => {
      const m = document.createElement('div');
      m.className = kind; box.appendChild(m); return m;
    });
  }
  const marks = markers('mark'), drawn = markers('mark drawn');
  const n = D.axis.length, lo = D.axis[0], hi = D.axis[n - 1];
  function fmt(x) {  // four significant digits, trailing zeros dropped
    let [digits, exponent] = Number(x).toPrecision(4).split('e');
    if (digits.includes('.')) digits = digits.replace(/\\.?0+$/, '');
    return exponent === undefined ? digits : digits + 'e' + exponent;
  }
  function locate(event) {  // the panel under the mouse and the weights there, or null
    const r = img.getBoundingClientRect();
    const fx = (event.clientX - r.left) / r.width, fy = (event.clientY - r.top) / r.height;
    for (let k = 0; k < D.panels.length; k++) {
      const [x0, y0, x1, y1] = D.panels[k];
      if (fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1) {
        return {panel: k, w1: lo + (fx - x0) / (x1 - x0) * (hi - lo),
                w2: hi - (fy - y0) / (y1 - y0) * (hi - lo)};
      }
    }
    return null;
  }
  function nearest(axis, v) {
    let best = 0;
    axis.forEach((a, i) => { if (Math.abs(a - v) < Math.abs(axis[best] - v)) best = i; });
    return best;
  }
  function place(w1, w2, which) {
    D.panels.forEach(([x0, y0, x1, y1], k) => {
      which[k].style.left = 100 * (x0 + (w1 - lo) / (hi - lo) * (x1 - x0)) + '%';
      which[k].style.top = 100 * (y0 + (hi - w2) / (hi - lo) * (y1 - y0)) + '%';
      which[k].style.display = 'block';
    });
  }
  let current = {panel: 0, i: n >> 1, j: n >> 1};
  function hover(event) {
    const at = locate(event);
    if (at) show(at.panel, nearest(D.axis, at.w2), nearest(D.axis, at.w1));
  }
  function show(panel, i, j) {  // the readout for grid point (row i, column j)
    current = {panel: panel, i: i, j: j};
    const g = i * n + j;
    place(D.axis[j], D.axis[i], marks);
    const lines = ['nearest grid point (the page holds ' + n + ' x ' + n + ', ' +
                   fmt(D.axis[1] - D.axis[0]) + ' apart): w = (' + fmt(D.axis[j]) + ', ' +
                   fmt(D.axis[i]) + ')'];
    D.objectives.forEach((name, k) => {
      let line;
      if (name === 'accuracy') {
        const count = D.correct[g], cliff = D.cliff[g] === '1';
        line = 'accuracy ' + fmt(count / D.n) + ' (' + count + ' of ' + D.n + ' right), ' +
          (cliff ? 'gradient (NaN, NaN): undefined, on a cliff'
                 : 'gradient (0, 0) exactly: a flat terrace');
      } else {
        const [v, g1, g2] = D[name].slice(3 * g, 3 * g + 3);
        line = D.titles[k] + ' ' + fmt(v) + ', gradient (' + fmt(g1) + ', ' + fmt(g2) + ')';
      }
      lines.push(k === panel ? '<b>' + line + '</b>' : line);
    });
    readout.innerHTML = lines.join('\\n');
    readout.dataset.w1 = D.axis[j]; readout.dataset.w2 = D.axis[i];
  }
  let graphs = null;
  async function unpack() {
    if (graphs === null) {
      const bytes = Uint8Array.from(atob(D.graphs), c => c.charCodeAt(0));
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      graphs = JSON.parse(await new Response(stream).text());
    }
    return graphs;
  }
  async function click(at) {
    if (!at) return;
    const i = nearest(D.graph_axis, at.w2), j = nearest(D.graph_axis, at.w1);
    const name = D.objectives[at.panel], all = await unpack();
    place(D.graph_axis[j], D.graph_axis[i], drawn);
    document.getElementById('graph-title').textContent = 'The computation graph of ' +
      D.titles[at.panel] + ' at w = (' + fmt(D.graph_axis[j]) + ', ' + fmt(D.graph_axis[i]) +
      '), the nearest of the ' + D.graph_axis.length + ' x ' + D.graph_axis.length +
      ' points whose graphs this page holds (the teal square), with the gradient of every ' +
      'node (strict mode)';
    const graph = document.getElementById('graph');
    graph.innerHTML = all[i + ',' + j + ',' + name];
    document.getElementById('legend').style.display = 'block';
    graph.dataset.shown = name + '@' + D.graph_axis[j] + ',' + D.graph_axis[i];
  }
  box.addEventListener('mousemove', hover);
  box.addEventListener('click', event => { hover(event); click(locate(event)); });
  box.addEventListener('keydown', e => {  // arrows move, 1 2 3 pick a panel, Enter draws
    const step = {ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [1, 0], ArrowDown: [-1, 0]};
    const {panel, i, j} = current, clamp = v => Math.max(0, Math.min(n - 1, v));
    if (step[e.key]) show(panel, clamp(i + step[e.key][0]), clamp(j + step[e.key][1]));
    else if (['1', '2', '3'].includes(e.key)) show(Number(e.key) - 1, i, j);
    else if (e.key === 'Enter') click({panel: panel, w1: D.axis[j], w2: D.axis[i]});
    else return;
    e.preventDefault();
  });
})();
"""


def landscape_html(ev: dict | None = None,
                   title: str = "The landscape of accuracy, MSE and cross-entropy") -> str:
    """The whole page for the evidence of ``landscape.run`` (or of ``landscape.compute()``
    when ``ev`` is None), as one self-contained string: for a file or a notebook widget.

    >>> text = landscape_html()
    >>> text.count('id="landscape-data"'), 'src="data:image/png;base64,' in text
    (1, True)
    """
    if ev is None:
        ev = compute()
    fig = plot(ev)
    fig.canvas.draw()  # fixes the constrained layout, so the panels' boxes are final
    panels = []
    for ax in fig.axes[:len(OBJECTIVES)]:
        x0, y0, x1, y1 = ax.get_position().extents  # figure fractions, y upwards
        panels.append([round(x0, 5), round(1 - y1, 5), round(x1, 5), round(1 - y0, 5)])
    image = base64.b64encode(_png(fig)).decode("ascii")
    data = {"objectives": list(OBJECTIVES), "titles": [TITLES[k] for k in OBJECTIVES],
            "panels": panels, "n": ev["n_samples"], **hover_data(ev), **graph_data(ev)}
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Move the mouse over any panel: the box below shows, at the nearest grid point, "
        "each objective's value and the gradient the engine computed there. Click a point to "
        "see the computation graph of that panel's objective there, with its gradients. "
        "The pink circle marks the grid point shown, the teal square the point whose graph is "
        "shown. Orange: gradient descent from one start; white arrows: minus the gradient; red "
        "dots: grid points where the strict mode says accuracy's derivative is undefined. "
        f"With the keyboard: {KEYS}.</p>",
        f'<div id="figure" tabindex="0" aria-label="{KEYS}">'
        f'<img src="data:image/png;base64,{image}" '
        'alt="accuracy, MSE and cross-entropy over the two weights"></div>',
        '<div id="readout" aria-live="polite">Move the mouse over a panel.</div>',
        '<div id="graph-title">Click a point of a panel to see its computation graph.</div>',
        '<div id="graphs"><div id="graph"></div>',
        f'<div id="legend">{_legend()}</div></div>',
        f'<script type="application/json" id="landscape-data">{text}</script>',
        f"<script>{SCRIPT}</script>", "</body></html>", ""])


def _png(fig) -> bytes:
    """The figure as a PNG of 256 colours (a quarter of the full-colour file's size)."""
    import matplotlib.pyplot as plt
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    buffer.seek(0)
    small = io.BytesIO()
    Image.open(buffer).convert("RGB").quantize(256).save(small, "PNG", optimize=True)
    return small.getvalue()


def hover_data(ev: dict) -> dict:
    """Values and gradients on every ``HOVER_EVERY``-th grid point, to four digits.

    Accuracy's gradient is zero or NaN, so it travels as one flag per point (``cliff``) and
    its value as the count of right answers (``correct``); each loss as value, d/dw1, d/dw2
    per point, row by row (w2), then column by column (w1).

    >>> from tinygrad_lm.stories import landscape
    >>> data = hover_data(landscape.compute())
    >>> len(data["axis"]), data["cliff"][:3], data["mse"][:3]
    (65, '100', [0.4242, -0.04615, 0.03682])
    """
    rows = slice(None, None, HOVER_EVERY)
    acc = ev["values"]["accuracy"][rows, rows]
    cliff = np.isnan(ev["grads"]["accuracy"][rows, rows]).any(axis=2)
    data = {"axis": ev["axis"][rows].tolist(),
            "correct": np.rint(acc * ev["n_samples"]).astype(int).ravel().tolist(),
            "cliff": "".join("1" if c else "0" for c in cliff.ravel())}
    for name in OBJECTIVES[1:]:
        table = np.concatenate([ev["values"][name][rows, rows, None],
                                ev["grads"][name][rows, rows]], axis=2)
        data[name] = [float(f"{x:.4g}") for x in table.ravel()]
    return data


def graph_data(ev: dict, every: int = GRAPH_EVERY) -> dict:
    """The graph of every objective at every ``every``-th grid point, gzipped, base64.

    Keys are ``"i,j,objective"``, ``i`` the row (w2) and ``j`` the column (w1) in
    ``graph_axis``.

    >>> from tinygrad_lm.stories import landscape
    >>> data = graph_data(landscape.compute(), every=128)
    >>> data["graph_axis"], len(data["graphs"]) > 1000
    ([-4.0, 4.0], True)
    """
    axis = ev["axis"][::every]
    keys = [(i, j, name) for i in range(len(axis)) for j in range(len(axis))
            for name in OBJECTIVES]
    svgs = _svgs([drawing(ev, name, (axis[j], axis[i])) for i, j, name in keys])
    graphs = {f"{i},{j},{name}": svg for (i, j, name), svg in zip(keys, svgs)}
    packed = gzip.compress(json.dumps(graphs, separators=(",", ":")).encode("utf-8"), 9,
                           mtime=0)
    return {"graph_axis": axis.tolist(), "graphs": base64.b64encode(packed).decode("ascii")}


def drawing(ev: dict, name: str, weights) -> Drawing:
    """``tg.draw_graph`` of one objective at ``weights`` (strict mode), leaves named w and X.

    >>> from tinygrad_lm.stories import landscape
    >>> svg = drawing(landscape.compute(), "accuracy", (0.0, 0.0)).svg()
    >>> svg.startswith("<svg"), "[nan, nan]" in svg
    (True, True)
    """
    w = Tensor(np.array(weights, dtype=np.float64), requires_grad=True)
    w.name = "w"
    return draw_graph(objective(name, w, ev["X"], ev["y"]), undefined="nan", legend=False)


def _svgs(drawings: list[Drawing]) -> list[str]:
    """Each drawing as inline SVG, as ``Drawing.svg`` makes it, from one run of dot for all
    (one run per drawing spends ten times as long starting dot as laying out)."""
    import graphviz

    try:
        text = graphviz.pipe("dot", "svg", "".join(d.source for d in drawings).encode("utf-8"))
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFound(["dot"]) from e
    # dot writes one whole SVG document per graph, one after the other.
    svgs = [part[part.index("<svg"):] for part in text.decode("utf-8").split("<?xml")[1:]]
    if len(svgs) != len(drawings):
        raise RuntimeError(f"landscape page: dot wrote {len(svgs)} drawings for "
                           f"{len(drawings)} graphs")
    return svgs


def _legend() -> str:
    """The legend of ``tg.draw_graph``, drawn once for every graph of the page."""
    legend = new_drawing("TB")
    legend.body.extend(legend_lines())
    return legend.svg()


def write_page(out_dir: Path, ev: dict) -> str:
    """Write ``landscape.html`` into ``out_dir``; return its path.

    >>> import tempfile
    >>> from tinygrad_lm.stories import landscape
    >>> with tempfile.TemporaryDirectory() as d:
    ...     Path(write_page(Path(d), landscape.compute())).name
    'landscape.html'
    """
    return write_text(Path(out_dir) / "landscape.html", landscape_html(ev))


def widget(ev: dict | None = None, *, height: int = 760):
    """The landscape page (hover for values and gradients, click for a graph) as a notebook
    widget; needs ``anywidget``. ``ev`` is the evidence of ``landscape.run`` or
    ``landscape.compute`` (computed when None).

    >>> w = widget(compute())
    >>> w.html.startswith("<!doctype html>"), w.count
    (True, 0)
    """
    from ..draw.widget import PageWidget  # anywidget is optional: imported on use

    return PageWidget(landscape_html(ev), height=height,
                      title="The landscape of accuracy, MSE and cross-entropy")
