"""The drawing's view model read without DOT, composite boxes, layout defaults, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import engine
from tinygrad_lm.core.scopes import composite, composite_of
from tinygrad_lm.draw.graph_view import GraphView
from tinygrad_lm.draw.viz import resolve_groups


def named(values, name, requires_grad=False):
    t = tg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)
    t.name = name
    return t


def test_import_leaves_graphviz_and_matplotlib_unloaded():
    code = ("import sys, tinygrad_lm as tg; "
            "print('graphviz' in sys.modules, 'matplotlib' in sys.modules); "
            "tg.draw_graph(tg.Value(1.0) * 2); print('graphviz' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_the_view_holds_kinds_values_gradients_and_edge_kinds():
    w = named([1.0, -2.0], "w", requires_grad=True)
    target = named([0.0, 1.0], "target")
    loss = ((w - target) ** 2).sum()
    view = GraphView(loss)
    kinds = {n.name or n.kind: n.kind for n in view.nodes if n.kind != "op"}
    assert kinds == {"w": "parameter", "target": "constant", "data": "data", "root": "root",
                     "raw": "raw"}
    by_node = {id(n.node): n for n in view.nodes if n.node is not None and n.kind != "op"}
    np.testing.assert_array_equal(by_node[id(w)].grad, 2 * (w.data - target.data))
    assert by_node[id(target)].grad is None
    assert sorted(e.kind for e in view.edges) == ["constant"] * 2 + ["signal"] * 6
    assert w.grad is None


def test_an_empty_tensor_is_drawn_as_empty_with_its_shape_and_dtype():
    x = tg.Tensor(np.zeros(0), requires_grad=True)
    source = tg.draw_graph(x.sum()).source
    assert "(0,) float64" in source and ">empty<" in source
    assert ">empty<" in tg.draw_graph(tg.Tensor(np.zeros((2, 0), np.float32)) * 2).source


def test_binary_cross_entropy_is_one_named_box_that_expands_on_request():
    pred = named([0.9, 0.4, 0.0], "pred", requires_grad=True)
    target = named([1.0, 0.0, 1.0], "target")
    loss = tg.losses.binary_cross_entropy(pred, target)
    boxed = GraphView(loss)
    [box] = [n for n in boxed.nodes if n.kind == "composite"]
    assert box.name == "binary_cross_entropy"
    assert sum(m.op == "clip" for m in box.members) == 4
    assert not any(n.kind == "op" for n in boxed.nodes)
    names = {n.name for n in boxed.nodes}
    assert {"pred", "target"} <= names
    into_box = {e.src: e.kind for e in boxed.edges if e.dst == box.id}
    assert sorted(into_box.values()) == ["constant", "signal"]
    for expand in (True, ["binary_cross_entropy"]):
        full = GraphView(loss, expand=expand)
        assert not any(n.kind == "composite" for n in full.nodes)
        assert sum(n.node.op == "clip" for n in full.nodes if n.kind == "op") == 4
    assert GraphView(loss, expand=["cross_entropy"]).count == boxed.count
    source = tg.draw_graph(loss).source
    assert "binary_cross_entropy" in source and "clip \u00d74" in source


def test_a_composite_inside_another_is_part_of_the_outer_box():
    @composite("inner")
    def inner(x):
        return (x * 2).exp()

    @composite("outer")
    def outer(x):
        return inner(x).sum()

    x = named([0.1, 0.2], "x", requires_grad=True)
    y = outer(x)
    assert composite_of(y)[0] == "outer" and composite_of(y.inputs[0])[0] == "inner"
    [box] = [n for n in GraphView(y).nodes if n.kind == "composite"]
    assert box.name == "outer" and [m.op for m in box.members] == ["mul", "exp", "sum"]
    names = [n.name for n in GraphView(y, expand=["outer"]).nodes if n.kind == "composite"]
    assert names == ["inner"]


def test_a_composite_on_a_jump_is_red():
    # A smooth composite is not, even at tied logits ...
    logits = named([[1.0, 1.0], [2.0, 0.0]], "logits", requires_grad=True)
    loss = tg.losses.cross_entropy(logits, np.array([0, 1]))
    [box] = [n for n in GraphView(loss).nodes if n.kind == "composite"]
    assert box.name == "cross_entropy" and box.undefined == 0

    # ... one holding a comparison whose input sits on its jump is, with the count.
    @composite("ramp")
    def ramp(x):
        return (x > 0) * x

    from tinygrad_lm.draw.dot import node_attrs

    x = named([0.0, 1.0], "x", requires_grad=True)
    [box] = [n for n in GraphView(ramp(x).sum()).nodes if n.members]
    assert (box.name, box.kind, box.undefined) == ("ramp", "undefined", 1)
    assert "undefined at 1 entry" in node_attrs(box, True, True) and "#dc2626" in node_attrs(
        box, True, True)


def test_accuracy_adds_no_reshape_and_names_its_target():
    pred = named([0.9, 0.4, 0.5], "pred", requires_grad=True)
    target = named([1.0, 0.0, 1.0], "target")
    acc = tg.metrics.accuracy(pred, target)
    ops = [n.op for n in engine.toposort(acc) if not n.is_leaf]
    assert "reshape" not in ops
    assert "<B>target</B>" in tg.draw_graph(acc).source
    column = tg.metrics.accuracy(named([[0.9], [0.4]], "p", True), np.array([[1.0], [0.0]]))
    assert column.item() == 1.0


def test_rankdir_defaults_to_left_right_for_values_and_top_down_for_tensors():
    assert "rankdir=LR" in tg.draw_graph(tg.Value(1.0) * 2).source
    assert "rankdir=TB" in tg.draw_graph(tg.Tensor([1.0], requires_grad=True) * 2).source
    assert "rankdir=LR" in tg.draw_graph(tg.Tensor([1.0], requires_grad=True) * 2,
                                         rankdir="LR").source
    with pytest.raises(ValueError, match="undefined must be"):
        tg.draw_graph(tg.Value(1.0), undefined="nope")


def test_scalar_mlps_collapse_by_layer_like_tensor_modules():
    net = tg.nn.scalar.MLP(2, [3, 1])
    loss = (net([tg.Value(0.5), tg.Value(-1.0)]) - 1.0) ** 2
    full = GraphView(loss)
    small = GraphView(loss, groups=resolve_groups(net))
    groups = [n for n in small.nodes if n.kind == "group"]
    assert [g.name for g in groups] == ["Layer 0", "Layer 1"]
    assert small.count < full.count / 3
    assert "Layer 1" in tg.draw_graph(loss, collapse=net).source
