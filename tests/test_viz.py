"""tinygrad_lm.draw.viz: DOT structure, styles, gradients, escaping, limits and the CLI."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.cli.commands import main
from tinygrad_lm.draw.viz import EDGES, GraphvizNotFound

SVG = "{http://www.w3.org/2000/svg}"
NODE = re.compile(r"^\s*(\w+) \[(.*)\]$", re.M)
EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]$", re.M)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def nodes(dot) -> dict[str, str]:
    """Node id -> its attribute text, asserting that no id is declared twice."""
    found = [(i, a) for i, a in NODE.findall(dot.source) if i not in ("graph", "node", "edge")]
    ids = [i for i, _ in found]
    assert len(ids) == len(set(ids)), "a node id is declared twice"
    return dict(found)


def edges(dot) -> list[tuple[str, str, str]]:
    """The graph's edges, without the invisible one that places the legend."""
    return [e for e in EDGE.findall(dot.source) if e[1] != "legend"]


def kind_of(attrs: str) -> str:
    return next(k for k, v in EDGES.items() if v == attrs)


def svg(dot) -> ET.Element:
    """Render with the real dot binary and parse the SVG as XML."""
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    return ET.fromstring(dot.pipe(format="svg"))


def svg_text(tree: ET.Element) -> str:
    return "\n".join(t.text or "" for t in tree.iter(f"{SVG}text"))


def svg_groups(tree: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in tree.iter(f"{SVG}g") if g.get("class") == cls]


def batch(values=(0.9, 0.4, 0.6)):
    pred = tg.Tensor(np.array(values), requires_grad=True)
    pred.name = "pred"
    return pred, np.array([1.0, 0.0, 0.0])


def test_value_graph_has_data_and_op_nodes_with_values_and_gradients():
    a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    dot = tg.draw_graph(c, legend=False)
    found = nodes(dot)
    assert len(found) == 4 + 2  # data nodes a, b, a*b, c; op nodes * and +
    assert sum("<B>*</B>" in v for v in found.values()) == 1
    assert sum("<B>+</B>" in v for v in found.values()) == 1
    assert len(edges(dot)) == 6  # a, b -> *; * -> ab; ab, a -> +; + -> c
    text = svg_text(svg(dot))
    for expected in ("a", "b", "c", "-6", "-3", "2"):
        assert expected in text.split()
    # dc/da = b + 1 = -2, dc/db = a = 2, d c / d(ab) = 1
    assert "grad -2" in " ".join(text.split())
    assert a.grad == 0.0 and b.grad == 0.0 and c.grad == 0.0


def test_tensor_graph_shows_small_tensors_in_full_and_large_ones_summarised():
    rng = np.random.default_rng(0)
    small = tg.Tensor([0.9, 0.4, 0.6], requires_grad=True)
    large = tg.Tensor(rng.standard_normal((20, 5)), requires_grad=True)
    large.name = "weights"
    loss = (small.sum() * large).mean()
    dot = tg.draw_graph(loss)
    text = " ".join(svg_text(svg(dot)).split())
    assert "[0.9, 0.4, 0.6]" in text
    assert "weights (20, 5)" in text
    data = large.data * 1.9
    assert f"min {data.min():.4g} mean {data.mean():.4g} max {data.max():.4g}" in text
    g = f"{large.data.sum() / large.size:.4g}"
    assert f"grad [{g}, {g}, {g}]" in text


def test_gradients_are_the_same_before_and_after_backward_and_grad_is_untouched():
    pred, target = batch()
    loss = tg.losses.mse(pred, target)
    before = tg.draw_graph(loss).source
    assert pred.grad is None
    loss.backward()
    grad = pred.grad.copy()
    after = tg.draw_graph(loss).source
    assert before == after
    np.testing.assert_array_equal(pred.grad, grad)
    expected = 2 * (pred.data - target) / 3
    assert "[" + ", ".join(f"{g:.4g}" for g in expected) + "]" in before


def test_value_gradients_are_the_same_before_and_after_backward():
    x, w = tg.Value(0.5, label="x"), tg.Value(-1.5, label="w")
    y = (x * w).tanh()
    before = tg.draw_graph(y).source
    assert (x.grad, w.grad, y.grad) == (0.0, 0.0, 0.0)
    y.backward()
    grads = (x.grad, w.grad, y.grad)
    assert tg.draw_graph(y).source == before
    assert (x.grad, w.grad, y.grad) == grads
    assert f"{w.grad:.4g}" in before


def test_accuracy_edges_carry_no_signal_and_mse_edges_do():
    pred, target = batch()
    acc = tg.draw_graph(tg.metrics.accuracy(pred, target))
    mse = tg.draw_graph(tg.losses.mse(pred, target))
    pred_id = next(i for i, a in nodes(acc).items() if "<B>pred</B>" in a)
    out_of_pred = [kind_of(a) for src, _, a in edges(acc) if src == pred_id]
    assert out_of_pred == ["zero"]
    assert 'style=dashed' in EDGES["zero"] and "#9ca3af" in EDGES["zero"]
    assert {kind_of(a) for _, _, a in edges(mse)} == {"signal", "constant"}
    svg(acc), svg(mse)


def test_piecewise_constant_ops_are_marked_and_red_where_a_prediction_is_on_the_jump():
    pred, target = batch()
    off = nodes(tg.draw_graph(tg.metrics.accuracy(pred, target), legend=False))
    steps = [a for a in off.values() if "#ffedd5" in a]
    assert len(steps) == 2 and not any("undefined" in a for a in off.values())

    on_jump, _ = batch((0.5, 0.4, 0.6))
    dot = tg.draw_graph(tg.metrics.accuracy(on_jump, target), legend=False)
    red = [a for a in nodes(dot).values() if "#fee2e2" in a]
    assert len(red) == 1 and "undefined at 1 of 3" in red[0] and "<B>&gt;</B>" in red[0]
    assert "undefined" in {kind_of(a) for _, _, a in edges(dot)}
    svg(dot)


def test_comparing_a_locally_constant_class_is_not_undefined_but_a_tie_in_argmax_is():
    scores = tg.Tensor([[2.0, 1.0], [0.0, 3.0]], requires_grad=True)
    dot = tg.draw_graph(tg.metrics.accuracy(scores, np.array([0, 1])), legend=False)
    assert not any("undefined at" in a for a in nodes(dot).values())
    tied = tg.Tensor([[2.0, 2.0], [0.0, 3.0]], requires_grad=True)
    dot = tg.draw_graph(tg.metrics.accuracy(tied, np.array([0, 1])), legend=False)
    [red] = [a for a in nodes(dot).values() if "undefined at" in a]
    assert "argmax" in red and "undefined at 2 of 4" in red


def test_strict_mode_shows_nan_gradients():
    x = tg.Value(1.0, label="x")
    y = (x >= 1.0) * x
    assert "nan" in tg.draw_graph(y, undefined="nan").source
    assert "nan" not in tg.draw_graph(y).source


def test_legend_explains_every_style_and_can_be_left_out():
    a = tg.Value(1.0)
    dot = tg.draw_graph(a * 2)
    legend = nodes(dot)["legend"]
    for words in ("parameter", "constant", "root", "piecewise-constant", "undefined",
                  "no signal", "gradient flows", "composite", "module"):
        assert words in legend
    assert "legend" not in nodes(tg.draw_graph(a * 2, legend=False))
    assert "legend" in svg_text(svg(dot))


def test_root_parameters_and_constants_are_styled():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    target = tg.Tensor([0.0, 1.0])
    target.name = "target"
    loss = ((w - target) ** 2).sum()
    found = nodes(tg.draw_graph(loss, legend=False))
    assert sum("#fef3c7" in a and "penwidth=2.4" in a for a in found.values()) == 1
    assert sum("#dbeafe" in a for a in found.values()) == 1
    constants = [a for a in found.values() if "#f3f4f6" in a]
    assert any("<B>target</B>" in a for a in constants)
    assert any(">2<" in a for a in constants)  # the raw exponent


def test_x_times_x_keeps_both_edges():
    x = tg.Value(3.0, label="x")
    dot = tg.draw_graph(x * x, legend=False)
    x_id = next(i for i, a in nodes(dot).items() if "<B>x</B>" in a)
    assert sum(src == x_id for src, _, _ in edges(dot)) == 2
    assert "grad 6" in " ".join(svg_text(svg(dot)).split())


def test_several_graphs_side_by_side_with_titles_and_no_colliding_ids():
    pred, target = batch()
    roots = [tg.metrics.accuracy(pred, target), tg.losses.mse(pred, target),
             tg.losses.binary_cross_entropy(pred, target)]
    titles = ["accuracy", "MSE", "binary cross-entropy"]
    for rankdir in ("LR", "TB"):
        dot = tg.draw_graph(roots, titles=titles, rankdir=rankdir)
        found = nodes(dot)  # asserts unique ids
        assert sum("<B>pred</B>" in a for a in found.values()) == 3
        assert dot.source.count("subgraph cluster_") == 3
        tree = svg(dot)
        assert len(svg_groups(tree, "cluster")) == 3
        text = svg_text(tree)
        assert all(t in text for t in titles)
    with pytest.raises(ValueError, match="2 titles for 3 roots"):
        tg.draw_graph(roots, titles=titles[:2])


HOSTILE = ['</TD></TR></TABLE>> ]; evil [label=x]', '{ a | b } "q" \\N \\l & <i>',
           "line one\nline two\x07", "ends in a backslash \\"]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_cannot_break_the_dot_or_inject_attributes(label):
    p = tg.Tensor([0.2, 0.7], requires_grad=True)
    p.name = label
    v = tg.Value(1.0, label=label)
    dot = tg.draw_graph([p.sum(), v * 2], titles=[label, label])
    assert "evil" not in nodes(dot)
    tree = svg(dot)
    assert len(svg_groups(tree, "node")) == len(nodes(dot))
    text = svg_text(tree)
    for line in label.replace("\x07", "\\x07").split("\n"):
        assert text.count(line) == 4  # two titles, two data nodes, verbatim


def test_long_names_are_cut():
    x = tg.Value(1.0, label="n" * 200)
    assert "n" * 200 not in tg.draw_graph(x * 2).source


def test_a_graph_over_the_node_limit_raises_with_the_count_and_the_options():
    x = tg.Value(0.5)
    y = x
    for _ in range(200):
        y = y * 0.9
    with pytest.raises(ValueError, match=r"has 601 nodes.*max_nodes=500.*collapse="):
        tg.draw_graph(y)
    assert len(nodes(tg.draw_graph(y, max_nodes=None, legend=False))) == 601


def test_collapse_by_module_draws_each_layer_as_one_node():
    rng = np.random.default_rng(1)
    model = tg.nn.MLP([3, 4, 2], seed=0)
    loss = tg.losses.mse(model(rng.standard_normal((5, 3))), rng.standard_normal((5, 2)))
    full = nodes(tg.draw_graph(loss, legend=False))
    dot = tg.draw_graph(loss, collapse=model, legend=False)
    found = nodes(dot)
    assert len(found) < len(full)
    groups = [a for a in found.values() if "Linear 0" in a or "Linear 2" in a]
    assert len(groups) == 2
    assert not any("<B>0.weight</B>" in a for a in found.values())
    assert "weight" in groups[0] and "@" in groups[0] and "+" in groups[0]
    with pytest.raises(ValueError, match="coarser collapse"):
        tg.draw_graph(loss, collapse=model, max_nodes=3)
    svg(dot)


def test_collapse_by_hand_groups_listed_tensors_and_parameters():
    w = tg.Tensor([1.0, -1.0], requires_grad=True)
    w.name = "w"
    h = (w * 2).exp()
    s = h.sum()
    loss = s.log()
    dot = tg.draw_graph(loss, collapse={"<softmax-ish>": [h, s]}, legend=False)
    found = nodes(dot)
    [group] = [a for a in found.values() if "&lt;softmax-ish&gt;" in a]
    assert "exp" in group and "sum" in group
    assert any("<B>w</B>" in a for a in found.values())
    with pytest.raises(TypeError, match="collapse"):
        tg.draw_graph(loss, collapse=[h])
    svg(dot)


def test_roots_that_are_not_nodes_are_refused_and_constant_roots_drawn():
    with pytest.raises(TypeError, match="not a Value or Tensor"):
        tg.draw_graph(np.ones(2))
    with pytest.raises(ValueError, match="rankdir"):
        tg.draw_graph(tg.Value(1.0), rankdir="XY")
    assert len(nodes(tg.draw_graph(tg.Tensor([1.0, 2.0]), legend=False))) == 1


def test_non_finite_entries_of_large_arrays_are_counted():
    x = tg.Tensor(np.r_[np.arange(20.0), np.inf], requires_grad=True)
    assert "(1 not finite)" in tg.draw_graph(x.sum()).source


def test_rendering_without_dot_says_how_to_install_it(monkeypatch, tmp_path):
    dot = tg.draw_graph(tg.Value(1.0) * 2)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "digraph" in dot.source
    for render in (lambda: dot.pipe(format="svg"), lambda: dot._repr_mimebundle_(),
                   lambda: dot.render(outfile=tmp_path / "g.svg")):
        with pytest.raises(GraphvizNotFound, match="apt-get install graphviz") as info:
            render()
        assert isinstance(info.value, graphviz.ExecutableNotFound)
        assert "brew install graphviz" in str(info.value)


@needs_dot
def test_digraph_displays_inline_in_jupyter():
    bundle = tg.draw_graph(tg.Value(1.0) * 2)._repr_mimebundle_()
    ET.fromstring(bundle["image/svg+xml"])


@needs_dot
def test_cli_graphs_writes_both_figures(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["graphs", "--out", str(out), "--pred", "0.9,0.4,0.6",
                 "--target", "1,0,0"]) == 0
    printed = capsys.readouterr().out
    for stem in ("graphs_default", "graphs_custom"):
        figure = out / f"{stem}.svg"
        assert str(figure) in printed and (out / f"{stem}.gv").exists()
        text = svg_text(ET.parse(figure).getroot())
        assert all(t in text for t in ("accuracy", "MSE", "binary cross-entropy", "legend"))
    assert "accuracy = 0.6667, MSE = 0.1767, binary cross-entropy = 0.5108" in printed
    assert main(["graphs", "--out", str(out), "--format", "png"]) == 0
    assert (out / "graphs_default.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, message", [
    (["--pred", "0.9,0.4"], "together"),
    (["--pred", "0.9,0.4", "--target", "1,0,0"], "2 numbers"),
    (["--pred", "0.9,x", "--target", "1,0"], "comma-separated"),
    (["--pred", "1.5,0.4", "--target", "1,0"], "binary_cross_entropy"),
])
def test_cli_graphs_rejects_bad_input(tmp_path, capsys, argv, message):
    assert main(["graphs", "--out", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_cli_graphs_without_dot_writes_the_source_and_says_how_to_install(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["graphs", "--out", str(tmp_path)]) == 2
    assert "apt-get install graphviz" in capsys.readouterr().err
    assert (tmp_path / "graphs_default.gv").read_text().startswith("digraph")


@pytest.mark.parametrize("show_data, show_grad", [(False, True), (True, False), (False, False)])
def test_values_or_gradients_can_be_hidden(show_data, show_grad):
    w = tg.Tensor([1.5, -2.5], requires_grad=True)
    h = (w * 3.25).exp()
    loss = h.sum() * 1.75
    for collapse in (None, {"block": [h]}):
        dot = tg.draw_graph(loss, show_data=show_data, show_grad=show_grad, collapse=collapse,
                            legend=False)
        text = svg_text(svg(dot))
        assert ("data" in text.split()) == show_data
        assert ("grad" in text.split()) == show_grad
        assert ("1.5, -2.5" in text) == show_data
