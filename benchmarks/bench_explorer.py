"""Benchmark: the backward explorer's frames for a 200-node graph, and the size of its page.

Reported, as medians of the same run: seconds to build ``tg.draw_backward(root)`` and every
frame's DOT source (target: under one second for 200 nodes), against one ``draw_graph`` of the
same graph (the static drawing the frames extend) and one backward pass of the engine's
general loop; and the bytes of ``save_html`` for a graph of 100 frames (target: under 5 MB),
against the bytes of one SVG of that graph (the page holds one SVG plus a table of frames).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import tinygrad_lm as tg
from benchmarks import median
from benchmarks.bench_draw import value_chain
from tinygrad_lm.core.engine import toposort
from tinygrad_lm.draw.graph_view import gradients

NODES = 200


def tensor_mlp_chain(n: int) -> tg.Tensor:
    """About ``n`` graph nodes: sigmoid layers x @ W (three nodes each), then a sum."""
    rng = np.random.default_rng(0)
    y = tg.Tensor(rng.normal(size=(4, 3)))
    y.name = "X"
    for k in range((n - 1) // 3):
        w = tg.Tensor(rng.normal(size=(3, 3)) / 3, requires_grad=True)
        w.name = f"W{k + 1}"
        y = (y @ w).sigmoid()
    return y.sum()


def _all_frames(root) -> int:
    frames = tg.draw_backward(root)
    return sum(len(frames[k].source) for k in range(len(frames)))


def measure(name: str, build, repeats: int) -> dict:
    root = build(NODES)
    frames = tg.draw_backward(root)
    frames_s = median(lambda: _all_frames(root), repeats)
    draw_s = median(lambda: tg.draw_graph(root, max_nodes=None).source, repeats)
    backward_s = median(lambda: gradients(root, "zero"), repeats)
    with tempfile.TemporaryDirectory() as d:
        page = frames.save_html(Path(d) / "page.html").stat().st_size
        svg = len(tg.draw_graph(root, max_nodes=None, legend=False).pipe(format="svg"))
    return {"graph": name, "graph_nodes": len(toposort(root)), "frames": len(frames),
            "frames_s": frames_s, "draw_graph_s": draw_s, "backward_s": backward_s,
            "frames_vs_draw": frames_s / draw_s, "under_1s": frames_s < 1.0,
            "page_KB": page / 1024, "page_vs_svg": page / svg,
            "page_per_frame_KB": page / 1024 / len(frames)}


def page_of_100_frames() -> dict:
    """The page for exactly 100 frames, against 100 SVGs of the same graph."""
    x = tg.Tensor(np.linspace(-1, 1, 4), requires_grad=True)
    y = x
    for i in range(98):
        y = y.tanh() if i % 2 else y * 1.1
    frames = tg.draw_backward(y.sum())
    with tempfile.TemporaryDirectory() as d:
        page = frames.save_html(Path(d) / "page.html").stat().st_size
        one_svg = len(frames[-1].pipe(format="svg"))
    return {"graph": "chain, 100 frames", "frames": len(frames), "page_MB": page / 2 ** 20,
            "100_svgs_MB": 100 * one_svg / 2 ** 20, "under_5MB": page < 5 * 2 ** 20}


def tables(quick: bool = False) -> dict[str, list[dict]]:
    """The frames of both graphs, and the 100-frame page; ``quick`` repeats less."""
    repeats = 3 if quick else 7
    return {"frames (median s)": [measure("Tensor sigmoid layers", tensor_mlp_chain, repeats),
                                  measure("Value chain", value_chain, repeats)],
            "page of 100 frames": [page_of_100_frames()]}


def run(quick: bool = False) -> list[dict]:
    """Every row of ``tables`` (the two tables' columns differ)."""
    return [row for table in tables(quick).values() for row in table]


if __name__ == "__main__":
    import sys

    from benchmarks import format_table

    for title, table in tables(quick="--quick" in sys.argv).items():
        print(f"-- {title}\n{format_table(table)}")
