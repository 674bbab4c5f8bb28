"""The backward explorer's web page: one inline SVG, a JSON table of frames, plain JavaScript.

Every frame shows the same boxes in the same places; what changes is which are pending, which
hold a partial sum (and its value), which one is being processed and which arrows carry a
gradient yet. So the page holds the last frame's SVG once and, per box and arrow, the frame
from which it shows (a few bytes each) and the text of each partial sum, instead of one SVG
per frame.
"""

from __future__ import annotations

import html
import json
from typing import Any

from . import dot as _dot
from .label_text import value_text

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;margin:1em auto;max-width:1100px;padding:0 1em;
color:#1f2937}
#header{position:sticky;top:0;z-index:1;background:#fff;padding:.3em 0;
border-bottom:1px solid #e5e7eb}
#controls{display:flex;gap:.5em;align-items:center;flex-wrap:wrap;margin:.2em 0 .5em}
#controls input[type=range]{flex:1;min-width:200px}
button{font-size:1em;padding:.2em .8em}
#caption{font-family:Courier,monospace;background:#f9fafb;border:1px solid #e5e7eb;
padding:.5em;min-height:2.6em;white-space:pre-wrap}
#graph svg{max-width:100%;height:auto}
#graph .node.pending polygon,#graph .node.pending path,#graph .node.pending ellipse{
fill:#f9fafb;stroke:#9ca3af;stroke-dasharray:5 3}
#graph .node.partial polygon,#graph .node.partial path,#graph .node.partial ellipse{
fill:#f0fdfa;stroke:#0d9488;stroke-dasharray:5 3}
#graph .node.current polygon,#graph .node.current path,#graph .node.current ellipse{
stroke:#db2777;stroke-width:3.5}
#graph .edge.pending path{stroke:#d1d5db;stroke-dasharray:none;stroke-width:.8}
#graph .edge.pending polygon{fill:#d1d5db;stroke:#d1d5db}
.key span{display:inline-block;margin-right:1.2em}
"""

SCRIPT = """
(function () {
  const F = JSON.parse(document.getElementById('frames').textContent);
  const slider = document.getElementById('slider');
  const counter = document.getElementById('counter');
  const caption = document.getElementById('caption');
  const play = document.getElementById('play');
  const header = document.getElementById('header');
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
  const grads = {}, keys = {}, notes = {};
  for (const id of Object.keys(F.nodes)) {
    const texts = Array.from(document.getElementById(id).getElementsByTagName('text'));
    const key = texts.map(t => t.textContent).lastIndexOf('grad');
    if (key >= 0) {
      keys[id] = texts[key];
      grads[id] = texts.slice(key + 1).map(t => [t, t.textContent, t.getAttribute('y')]);
    }
    // An op's 'undefined at' note belongs to its step: not shown before backward reaches it.
    notes[id] = texts.filter(t => t.textContent.startsWith('undefined at'));
  }
  let frame = 0, timer = null, step = null, told = false;
  function sumSoFar(id, k) {  // the last partial sum [frame, lines] shown by frame k
    const sums = (F.partial[id] || []).filter(p => p[0] <= k);
    return sums.length ? sums[sums.length - 1] : null;
  }
  function stateOf(id, spec, k) {
    if (k === spec[1]) return 'current';
    if (k >= spec[0]) return 'done';
    return sumSoFar(id, k) ? 'partial' : 'pending';
  }
  function show(k) {
    frame = Math.max(0, Math.min(F.count - 1, k));
    for (const [id, spec] of Object.entries(F.nodes)) {
      const state = stateOf(id, spec, frame);
      const g = document.getElementById(id);
      g.setAttribute('class', 'node ' + state);
      g.dataset.state = state;
      const sum = state === 'partial' ? sumSoFar(id, frame)[1] : null;
      (grads[id] || []).forEach(([t, original, y], i) => {
        t.textContent = state === 'pending' ? (i === 0 ? 'pending' : '')
          : sum ? sum[i] : original;
        t.style.fill = state === 'pending' ? '#9ca3af' : '';
        // 'pending' stands on the grad label's line: the state of the grad row, not a row.
        t.setAttribute('y', state === 'pending' && i === 0 ? keys[id].getAttribute('y') : y);
      });
      if (keys[id]) keys[id].textContent = sum ? 'sum' : 'grad';
      notes[id].forEach(t => { t.style.display = state === 'pending' ? 'none' : ''; });
    }
    if (step) step.removeAttribute('aria-current');
    step = document.getElementById(F.steps[frame]);
    step.setAttribute('aria-current', 'step');
    for (const [id, at] of Object.entries(F.edges)) {
      document.getElementById(id).setAttribute('class', frame >= at ? 'edge' : 'edge pending');
    }
    slider.value = frame;
    counter.textContent = 'frame ' + frame + ' of ' + (F.count - 1);
    caption.textContent = F.captions[frame];
    follow();
    if (told && window.parent !== window) {  // in a notebook widget's frame: tell it
      window.parent.postMessage({tinygrad_lm: 'frame', frame: frame}, '*');
    }
  }
  function follow() {  // scroll the step's boxes into the room below the sticky header
    const boxes = [step, ...document.querySelectorAll('#graph .node.current')];
    const rects = boxes.map(b => b.getBoundingClientRect());
    const top = Math.min(...rects.map(r => r.top));
    const bottom = Math.max(...rects.map(r => r.bottom));
    const margin = 12, below = header.getBoundingClientRect().bottom;
    if (top >= below + margin && bottom <= window.innerHeight - margin) return;
    const stuck = header.offsetHeight, room = window.innerHeight - stuck - 2 * margin;
    const dy = bottom - top <= room ? (top + bottom - stuck - window.innerHeight) / 2
      : top - stuck - margin;
    window.scrollBy({top: dy, behavior: reduced.matches ? 'auto' : 'smooth'});
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = 'play';
  }
  document.getElementById('prev').onclick = () => { stop(); show(frame - 1); };
  document.getElementById('next').onclick = () => { stop(); show(frame + 1); };
  slider.oninput = () => { stop(); show(parseInt(slider.value, 10)); };
  play.onclick = () => {
    if (timer !== null) { stop(); return; }
    if (frame === F.count - 1) show(0);
    play.textContent = 'pause';
    timer = setInterval(() => { if (frame >= F.count - 1) stop(); else show(frame + 1); }, 900);
  };
  document.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight') { stop(); show(frame + 1); }
    else if (e.key === 'ArrowLeft') { stop(); show(frame - 1); }
    else if (e.key === 'Home') { stop(); show(0); }
    else if (e.key === 'End') { stop(); show(F.count - 1); }
    else return;
    e.preventDefault();
  });
  window.addEventListener('message', e => {  // a notebook widget sets the frame
    const data = e.data || {};
    if (data.tinygrad_lm === 'show' && Number.isInteger(data.frame) && data.frame !== frame) {
      stop(); show(data.frame);
    }
  });
  show(0);
  told = true;  // from now on a widget hosting the page hears of every frame change
})();
"""

KEY = ('<p class="key"><span>dashed grey box: <b>pending</b>, no gradient yet</span>'
       '<span>dashed teal box with <code>sum</code>: <b>partial</b>, the contributions '
       'added so far (<code>+=</code>)</span>'
       '<span>pink border: the node whose VJPs run in this frame</span>'
       '<span>box with <code>grad</code>: its complete gradient</span>'
       '<span>dashed grey arrow: an all-zero gradient</span>'
       '<span>red: undefined derivative</span></p>')


def _lines(value: Any, final: Any) -> list[str]:
    """A partial sum's text, one entry per text line of the final gradient's (the page swaps
    line for line): extra lines join the last, missing ones are blank.

    >>> import numpy as np
    >>> _lines(2.0, 5.0), _lines(np.ones(2), np.ones(2))
    (['2'], ['[1, 1]'])
    """
    lines = value_text(value).split("<BR/>")
    count = len(value_text(final).split("<BR/>"))
    if len(lines) > count:
        lines = lines[:count - 1] + [" ".join(lines[count - 1:])]
    return lines + [""] * (count - len(lines))


def page(frames: Any, title: str) -> str:
    """The whole page for ``frames`` (a ``BackwardFrames``).

    >>> import tinygrad_lm as tg
    >>> text = page(tg.draw_backward(tg.Value(1.0, label="x") * 2), "x times two")
    >>> text.count("<svg"), "http" in text.split("<svg")[0]
    (1, False)
    """
    view = frames.view
    svg = _dot.render([view], titles=None, rankdir=frames.rankdir, legend=False, ids=True).svg()
    nodes = {box: [done, current] for box, done, current in frames.timeline()
             if (done, current) != (0, -1)}  # boxes always done need no script
    edges = frames.edge_frames()
    partial = {view.data_id[node]: [[frame, _lines(total, frames.grads[node])]
                                    for frame, total, _ in sums]
               for node, sums in frames.partials.items()}
    table = {"count": len(frames), "nodes": nodes, "edges": edges, "partial": partial,
             "steps": [frames.step_box(k) for k in range(len(frames))],
             "captions": [frames.caption(k) for k in range(len(frames))]}
    data = json.dumps(table, separators=(",", ":")).replace("</", "<\\/")
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p>Backward, one node at a time: use the buttons, the slider or the arrow keys "
        "(&larr; &rarr;, Home, End).</p>",
        '<div id="header"><div id="controls"><button id="prev">&larr; previous</button>'
        '<button id="next">next &rarr;</button><button id="play">play</button>'
        f'<input id="slider" type="range" min="0" max="{len(frames) - 1}" value="0" '
        'aria-label="frame"><span id="counter"></span></div>',
        '<div id="caption" aria-live="polite"></div></div>', KEY, f'<div id="graph">{svg}</div>',
        f'<script type="application/json" id="frames">{data}</script>',
        f"<script>{SCRIPT}</script>", "</body></html>", ""])
