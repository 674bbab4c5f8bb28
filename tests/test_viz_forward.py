"""Tests for drawing the forward pass: draw_graph(root, tangents=...) and its ForwardView."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core.forward import push_tangents
from tinygrad_lm.draw.forward_view import ForwardView

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
DATA_KINDS = ("data", "parameter", "root")
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _fn(x, W):
    return ((W @ x).tanh() * x[:3]).sum() + x.log().mean()


def _tensor_case(seed: int = 0):
    rng = np.random.default_rng(seed)
    x0, W0 = rng.uniform(0.5, 2.0, 4), rng.normal(size=(3, 4))
    vx, vW = rng.normal(size=4), rng.normal(size=(3, 4))
    x, W = tg.Tensor(x0, requires_grad=True), tg.Tensor(W0, requires_grad=True)
    x.name, W.name = "x", "W"
    return (x0, W0, vx, vW), (x, W, _fn(x, W))


def _hooks():
    """docs/hooks.py, which builds the forward-vs-reverse page's example and figure."""
    sys.path.insert(0, str(DOCS))
    try:
        import hooks
    finally:
        sys.path.remove(str(DOCS))
    return hooks


def _docs_case():
    return _hooks().forward_vs_reverse_example()


def _data_boxes(view):
    return {n.node: n for n in view.nodes if n.kind in DATA_KINDS}


def test_view_tangents_are_push_tangents_and_jvp():
    (x0, W0, vx, vW), (x, W, root) = _tensor_case()
    dot = tg.draw_graph(root, tangents={x: vx, W: vW})
    (view,) = dot.views
    assert isinstance(view, ForwardView)
    table = push_tangents(root, {x: vx, W: vW})
    boxes = _data_boxes(view)
    assert set(boxes) == set(table)  # every node requires grad here and depends on a seed
    for node, box in boxes.items():
        np.testing.assert_array_equal(box.tangent, table[node])
        assert box.grad is None
    _, out_tangent = tg.jvp(_fn, (x0, W0), (vx, vW))
    np.testing.assert_allclose(boxes[root].tangent, out_tangent, rtol=1e-13, atol=1e-15)
    # and the tangent is the directional derivative, by central differences
    eps = 1e-6
    numeric = (_fn(tg.Tensor(x0 + eps * vx), tg.Tensor(W0 + eps * vW)).item()
               - _fn(tg.Tensor(x0 - eps * vx), tg.Tensor(W0 - eps * vW)).item()) / (2 * eps)
    assert abs(float(boxes[root].tangent) - numeric) < 1e-7
    assert x.grad is None or not np.any(x.grad)  # nothing ran backward


def test_edges_carry_tangents_from_inputs_to_outputs():
    x1, x2, f = _docs_case()
    view = tg.draw_graph(f, tangents={x1: 1.0}).views[0]
    table = push_tangents(f, {x1: 1.0})
    node_of = {n.id: n.node for n in view.nodes if n.kind in DATA_KINDS}
    op_of = {op_id: node for node, op_id in view.op_id.items()}
    for edge in view.edges:
        if edge.src in node_of:    # an input flowing into the op that reads it
            assert edge.dst in op_of and edge.src in {view.data_id[i] for i in
                                                      op_of[edge.dst].inputs}
            carried = node_of[edge.src]
        else:                      # an op flowing into its result
            assert op_of[edge.src] is node_of[edge.dst]
            carried = node_of[edge.dst]
        assert edge.tangent == table.get(carried, 0.0)
        assert edge.kind == ("signal" if edge.tangent else "zero")
    boxes = {n.name: n for n in view.nodes if n.kind in DATA_KINDS}
    assert {k: b.tangent for k, b in boxes.items()} == {
        "x1": 1.0, "x2": 0.0, "v1": 0.5, "v2": 5.0, "v3": 0.0, "v4": 5.5, "f": 5.5}


def test_source_shows_tangents_caption_and_forward_legend():
    x1, x2, f = _docs_case()
    forward = tg.draw_graph(f, tangents={x1: 1.0}).source
    assert "Forward mode" in forward and "legend: forward mode" in forward
    assert forward.count(">tangent<") == 7 and ">grad<" not in forward
    assert ">5.5<" in forward and "tangent flows forward" in forward
    backward = tg.draw_graph(f).source
    assert ">tangent<" not in backward and "Forward mode" not in backward
    assert backward.count(">grad<") == 7
    hidden = tg.draw_graph(f, tangents={x1: 1.0}, show_grad=False).source
    assert ">tangent<" not in hidden
    assert x1.grad == 0.0 and x2.grad == 0.0


def test_strict_mode_marks_the_undefined_tangent():
    t = tg.Tensor([0.0, 1.0], requires_grad=True)
    t.name = "t"
    step = (t > 0.0) * 1.0
    root = (step * t).sum()
    view = tg.draw_graph(root, tangents={t: np.ones(2)}, undefined="nan").views[0]
    table = push_tangents(root, {t: np.ones(2)}, undefined="nan")
    assert np.isnan(table[root])
    boxes = _data_boxes(view)
    assert np.isnan(boxes[root].tangent)
    kinds = {n.kind for n in view.nodes}
    assert "undefined" in kinds
    assert "undefined" in {e.kind for e in view.edges}
    zero = tg.draw_graph(root, tangents={t: np.ones(2)}).views[0]
    np.testing.assert_array_equal(_data_boxes(zero)[root].tangent, 1.0)


def test_unseeded_parameters_show_zero_and_groups_show_tangents():
    model = tg.nn.MLP([3, 4, 2], seed=0)
    x = tg.Tensor(np.random.default_rng(1).normal(size=(5, 3)), requires_grad=True)
    x.name = "X"
    loss = tg.losses.cross_entropy(model(x), np.array([0, 1, 1, 0, 1]))
    v = np.random.default_rng(2).normal(size=(5, 3))
    dot = tg.draw_graph(loss, tangents={x: v}, collapse=model)
    (view,) = dot.views
    groups = [n for n in view.nodes if n.kind == "group"]
    assert groups
    for group in groups:
        for member, tangent in group.tangent.items():
            if member.prim is None:  # a weight: not seeded, tangent zero
                np.testing.assert_array_equal(tangent, np.zeros_like(member.data))
    assert ">tangent<" in dot.source and ">grad<" not in dot.source
    _, expected = tg.jvp(lambda X: tg.losses.cross_entropy(model(X), np.array([0, 1, 1, 0, 1])),
                         (x.data,), (v,))
    np.testing.assert_allclose(_data_boxes(view)[loss].tangent, expected, rtol=1e-13)


def test_several_roots_share_one_forward_pass():
    pred = tg.Tensor([0.9, 0.4, 0.6], requires_grad=True)
    target = tg.Tensor([1.0, 0.0, 0.0])
    roots = [tg.losses.mse(pred, target), tg.losses.binary_cross_entropy(pred, target)]
    v = np.array([1.0, 0.0, 0.0])
    dot = tg.draw_graph(roots, titles=["MSE", "BCE"], tangents={pred: v})
    table = push_tangents(roots, {pred: v})
    for view, root in zip(dot.views, roots):
        np.testing.assert_array_equal(_data_boxes(view)[root].tangent, table[root])
    assert "cluster_1" in dot.source and "Forward mode" in dot.source


@pytest.mark.parametrize("make, error, message", [
    (lambda x, y, W: {x: np.ones(3)}, ValueError, "has shape (3,), but its leaf has shape (4,)"),
    (lambda x, y, W: {W: np.ones(12)}, ValueError, "(12,), but its leaf has shape (3, 4)"),
    (lambda x, y, W: {y: np.ones(3)}, ValueError, "the result of op"),
    (lambda x, y, W: {tg.Tensor([1.0], requires_grad=True): np.ones(1)}, ValueError,
     "is not in the graph being drawn"),
    (lambda x, y, W: {"x": np.ones(4)}, TypeError, "tangents key 0 is a str"),
    (lambda x, y, W: {}, ValueError, "tangents is empty"),
    (lambda x, y, W: [(x, np.ones(4))], TypeError, "must be a dict"),
    (lambda x, y, W: {x: np.ones(4, np.float32)}, TypeError, "dtype float32"),
    (lambda x, y, W: {x: "abcd"}, TypeError, "not a number"),
])
def test_bad_tangents_are_named(make, error, message):
    W = tg.Tensor(np.ones((3, 4)), requires_grad=True)
    x = tg.Tensor(np.ones(4), requires_grad=True)
    y = W @ x
    root = y.sum()
    with pytest.raises(error, match="draw_graph") as info:
        tg.draw_graph(root, tangents=make(x, y, W))
    assert message in str(info.value)


def test_bad_value_tangents_are_named():
    a = tg.Value(2.0, label="a")
    b = a * 3.0
    with pytest.raises(ValueError, match=r"tangents key 0 \(Value 'a'\).*one number"):
        tg.draw_graph(b, tangents={a: [1.0, 2.0]})
    with pytest.raises(TypeError, match="bool"):
        tg.draw_graph(b, tangents={a: True})
    with pytest.raises(ValueError, match="result of op 'mul'"):
        tg.draw_graph(b, tangents={b: 1.0})
    assert tg.draw_graph(b, tangents={a: 1}).views[0].nodes  # an int is a number


@needs_dot
def test_forward_drawing_renders(tmp_path):
    x1, _, f = _docs_case()
    path = tg.draw_graph(f, tangents={x1: 1.0}).render(outfile=tmp_path / "fwd.svg",
                                                        cleanup=True)
    svg = (tmp_path / "fwd.svg").read_text()
    assert path.endswith("fwd.svg") and "tangent" in svg and "Forward mode" in svg


def test_forward_and_backward_views_side_by_side():
    source = _hooks().two_passes_drawing().source   # the figure the docs build draws
    forward, reverse = source.split("subgraph cluster_1")
    assert forward.count(">tangent<") == 7 and ">grad<" not in forward
    assert reverse.count(">grad<") == 7 and ">tangent<" not in reverse
    assert "Forward mode" not in source  # the caption speaks for a drawing of the forward pass only
