"""Benchmark: drawing a 10,000-node graph to DOT source, against the backward pass it needs.

``draw_graph`` runs one record-mode backward (toposort and the chain rule) to get every
gradient, then writes a label per node. Reported: median seconds to build the graph, to run
that toposort and backward alone, and to draw the graph to ``.source`` (target: under one
second), with the drawing's ratios to both, measured in the same run. Graphs: a chain of
``Value`` ops (micrograd's scalar view) and a chain of small ``Tensor`` ops (shapes and
arrays in every label), each 10,000 graph nodes.
"""

from __future__ import annotations

import numpy as np

import tinygrad_lm as tg
from benchmarks import median
from tinygrad_lm.core.engine import gradients, toposort
from tinygrad_lm.draw.graph_view import seed_of

NODES = 10_000


def value_chain(n: int) -> tg.Value:
    """A chain of ``n`` nodes alternating tanh and a product with a constant."""
    y = tg.Value(0.5, label="x")
    for i in range(n - 1):
        y = y.tanh() if i % 2 else y * 0.9
    return y


def tensor_chain(n: int) -> tg.Tensor:
    """A chain of ``n`` nodes over 4-vectors, ending in a sum."""
    x = tg.Tensor(np.linspace(-1.0, 1.0, 4), requires_grad=True)
    x.name = "x"
    y = x
    for i in range(n - 2):
        y = y.tanh() if i % 2 else y * 0.9
    return y.sum()


def measure(name: str, build, repeats: int) -> dict:
    root = build(NODES)
    nodes = len(toposort(root))
    source = tg.draw_graph(root, max_nodes=None).source
    build_s = median(lambda: build(NODES), repeats)
    backward_s = median(lambda: gradients(root, seed_of(root)), repeats)
    draw_s = median(lambda: tg.draw_graph(root, max_nodes=None).source, repeats)
    return {"graph": name, "graph_nodes": nodes, "dot_KB": len(source) / 1024,
            "build_s": build_s, "backward_s": backward_s, "draw_s": draw_s,
            "draw_vs_backward": draw_s / backward_s, "draw_vs_build": draw_s / build_s,
            "under_1s": draw_s < 1.0}


def run(quick: bool = False) -> list[dict]:
    """Both chains; ``quick`` repeats less."""
    repeats = 3 if quick else 7
    return [measure("Value chain", value_chain, repeats),
            measure("Tensor chain (4,)", tensor_chain, repeats)]


if __name__ == "__main__":
    import sys

    from benchmarks import format_table

    print(format_table(run(quick="--quick" in sys.argv)))
