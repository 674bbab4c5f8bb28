"""The backward explorer: frames, states, captions, the numbers against the engine, the page."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.core import engine
from tinygrad_lm.core.engine import toposort
from tinygrad_lm.draw.label_text import value_text

ROOT = Path(__file__).resolve().parents[1]
NODE = re.compile(r"^\s*(\w+) \[(.*)\]$", re.M)


def mlp_loss(seed=0):
    """A 3-2-1 sigmoid MLP's MSE on four rows, every tensor named as in the lesson."""
    rng = np.random.default_rng(seed)
    X = tg.Tensor(rng.normal(size=(4, 3)))
    W1 = tg.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    W2 = tg.Tensor(rng.normal(size=(2, 1)), requires_grad=True)
    Z1 = X @ W1
    A1 = Z1.sigmoid()
    Z2 = A1 @ W2
    for t, name in ((X, "X"), (W1, "W1"), (W2, "W2"), (Z1, "Z1"), (A1, "A1"), (Z2, "Z2")):
        t.name = name
    return tg.losses.mse(Z2, np.ones((4, 1))), (W1, W2)


def frame_nodes(dot) -> dict[str, str]:
    return {i: a for i, a in NODE.findall(dot.source) if i not in ("graph", "node", "edge")}


def test_frames_follow_the_engines_backward_order_and_leave_grad_alone():
    loss, (W1, W2) = mlp_loss()
    frames = tg.draw_backward(loss)
    expected = [n for n in reversed(toposort(loss)) if not n.is_leaf]
    assert len(frames) == len(expected) + 1
    assert [id(n) for n in frames.order] == [id(n) for n in expected]
    assert W1.grad is None and W2.grad is None
    assert [n.name for n in frames.order if n.name] == ["Z2", "A1", "Z1"]


def test_frame_zero_is_pending_and_each_frame_highlights_the_next_node():
    loss, (W1, _) = mlp_loss()
    frames = tg.draw_backward(loss)
    view = frames.view
    first = frames.state(0)
    assert first[view.data_id[loss]] == "done"
    assert {first[view.data_id[n]] for n in frames.order[1:]} == {"pending"}
    assert first[view.data_id[W1]] == "pending"
    source = frames[0].source
    assert source.count("pending") >= len(frames.order)
    for k, node in enumerate(frames.order, start=1):
        states = frames.state(k)
        current = sorted(i for i, s in states.items() if s == "current")
        assert current == sorted([view.data_id[node], view.op_id[node]])
        drawn = frame_nodes(frames[k])[view.data_id[node]]
        assert "#db2777" in drawn and "pending" not in drawn
    last = frames.state(len(frames) - 1)
    assert "pending" not in last.values()


def test_the_gradients_shown_are_the_engines():
    loss, (W1, W2) = mlp_loss()
    frames = tg.draw_backward(loss)
    loss.backward()
    last = frame_nodes(frames[-1])
    for leaf in (W1, W2):
        assert value_text(leaf.grad) in last[frames.view.data_id[leaf]]
    record = engine.gradients(loss, np.ones(()))  # a second, independent backward
    for node in frames.order:
        assert value_text(record[node]) in last[frames.view.data_id[node]]


def test_a_gradient_appears_only_when_every_consumer_has_run():
    x = tg.Tensor([1.0, -2.0], requires_grad=True)
    x.name = "x"
    y = x.exp()
    loss = (y * x).sum()  # x feeds exp and mul: complete after both
    frames = tg.draw_backward(loss)
    x_id = frames.view.data_id[x]
    shown = [frames.state(k)[x_id] for k in range(len(frames))]
    position = {id(n): k for k, n in enumerate(frames.order)}
    mul, exp = position[id(loss.inputs[0])], position[id(y)]
    assert shown.index("done") == max(mul, exp) + 1
    assert "+=" in frames.caption(exp + 1) and "+=" in frames.caption(mul + 1)


def test_captions_state_the_chain_rule_step():
    loss, _ = mlp_loss()
    frames = tg.draw_backward(loss)
    captions = [frames.caption(k) for k in range(len(frames))]
    assert captions[0].startswith("Before backward: d loss/d loss = 1")
    assert any("d loss/d A1 = d loss/d Z2 @ W2.T" in c for c in captions)
    assert any("d loss/d Z1 = d loss/d A1 * A1 * (1 - A1)" in c for c in captions)
    assert any("d loss/d W1 = X.T @ d loss/d Z1" in c for c in captions)
    assert "d loss/d A1 = d loss/d Z2 @ W2.T" in frames[5].source.replace("&#45;", "-")


def test_strict_mode_frames_show_nan_and_red_at_a_jump():
    pred = tg.Tensor([0.9, 0.5], requires_grad=True)
    pred.name = "pred"
    acc = tg.metrics.accuracy(pred, [1, 0])
    strict = tg.draw_backward(acc, undefined="nan")
    step = next(k for k, n in enumerate(strict.order, 1) if n.op == "gt")
    # The caption says what the box shows: [0, nan], not "NaN" for the whole gradient.
    assert "d loss/d pred = 0 except NaN at 1 entry (pred sits on the jump of >)" in \
        strict.caption(step)
    assert "[0, nan]" in frame_nodes(strict[-1])[strict.view.data_id[pred]]
    assert "#fee2e2" in strict[-1].source
    assert "nan" not in frame_nodes(tg.draw_backward(acc)[-1])[strict.view.data_id[pred]]


def test_value_graphs_step_left_to_right_and_bad_input_is_refused():
    a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
    frames = tg.draw_backward(a * b + a)
    assert "rankdir=LR" in frames[0].source and len(frames) == 3
    assert frames[-1].source == frames[len(frames) - 1].source
    assert len(frames[0:2]) == 2
    with pytest.raises(IndexError, match="frame 3 out of range for 3 frames"):
        frames[3]
    with pytest.raises(TypeError, match="draw_backward: root 0 is a ndarray"):
        tg.draw_backward(np.ones(2))
    with pytest.raises(ValueError, match="undefined must be"):
        tg.draw_backward(a * b, undefined="maybe")


def test_a_page_of_one_hundred_frames_is_small_and_self_contained(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    x = tg.Tensor(np.linspace(-1, 1, 4), requires_grad=True)
    y = x
    for i in range(99):
        y = y.tanh() if i % 2 else y * 1.1
    frames = tg.draw_backward(y.sum())
    assert len(frames) == 101
    page = frames.save_html(tmp_path / "chain.html").read_text()
    assert len(page.encode()) < 5_000_000
    assert page.count("<svg") == 1
    assert not re.search(r"(src|href)=\"?https?:", page)
    table = json.loads(re.search(r'id="frames">(.*?)</script>', page, re.S).group(1))
    assert table["count"] == 101 and len(table["captions"]) == 101


def test_every_box_and_arrow_of_the_page_has_its_own_id(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    x = tg.Value(3.0, label="x")
    frames = tg.draw_backward(x * x + x)
    page = frames.save_html(tmp_path / "square.html").read_text()
    ids = re.findall(r'<g id="([^"]+)" class="(?:node|edge)"', page)
    assert len(ids) == len(set(ids)) == len(frames.view.nodes) + len(frames.view.edges)
    table = json.loads(re.search(r'id="frames">(.*?)</script>', page, re.S).group(1))
    assert set(table["edges"]) <= set(ids) and set(table["nodes"]) <= set(ids)
    assert sum(i.startswith(f"{frames.view.data_id[x]}__") for i in ids) == 3


def test_jupyter_shows_the_last_frame_and_how_to_get_the_widget(monkeypatch):
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    frames = tg.draw_backward(tg.Value(1.5, label="x").tanh())
    html = frames._repr_html_()
    assert html.startswith("<svg") and "pip install 'tinygrad_lm[notebook]'" in html
    assert ">pending</text>" not in html


def test_jupyter_display_is_the_explorer_widget_or_the_last_frame(monkeypatch):
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz's dot")
    pytest.importorskip("anywidget")
    from IPython.core.formatters import DisplayFormatter

    x = tg.Value(0.5, label="x")
    frames = tg.draw_backward((x * 3).tanh())
    made, widget_of = [], type(frames).widget
    monkeypatch.setattr(type(frames), "widget",
                        lambda self, **kw: made.append(widget_of(self, **kw)) or made[-1])
    bundle, _ = DisplayFormatter().format(frames)  # what a notebook receives
    assert "<svg" in bundle["text/html"]  # the static fallback rides along
    [widget] = made  # the widget the notebook renders
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == widget.model_id
    assert widget.html == frames.page_html() and widget.count == len(frames)
    assert widget.frame == 0

    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "tinygrad_lm.draw.widget")
    assert frames._repr_mimebundle_() is None  # IPython falls back to _repr_html_
    assert "tinygrad_lm[notebook]" in frames._repr_html_()


def reused_three_times():
    """x feeds exp, a product with 3 and a square (x twice): four edges from three nodes, so
    two partial sums before the gradient is complete."""
    x = tg.Tensor([0.5, -1.0], requires_grad=True)
    x.name = "x"
    loss = (x.exp() + x * 3.0 + (x * x).sum()).sum()
    return x, loss


def test_a_node_with_several_consumers_shows_its_sum_so_far():
    x, loss = reused_three_times()
    frames = tg.draw_backward(loss)
    box = frames.view.data_id[x]
    states = [frames.state(k)[box] for k in range(len(frames))]
    first, done = states.index("partial"), states.index("done")
    assert set(states[:first]) == {"pending"} and set(states[first:done]) == {"partial"}
    sums = frames.partials[x]
    parts = [p for _, _, p in sums]
    assert len(sums) == 2 and parts == sorted(set(parts)) and parts[-1] < 4
    # Each sum so far is what the consumers that ran have sent, added in the engine's order,
    # and the last edge completes it to the engine's gradient to the last bit.
    edges = [(frames.current_at[n], frames.grads[(n, i)]) for n in frames.order
             for i, inp in enumerate(n.inputs) if inp is x]
    total = None
    for j, (frame, g) in enumerate(edges):
        total = g if total is None else total + g
        if j + 1 < len(edges) and edges[j + 1][0] == frame:
            continue  # x * x sends two edges in one frame
        shown = frames.partial_at(box, frame)
        if shown is None:
            assert frame == done and total.tobytes() == frames.grads[x].tobytes()
        else:
            assert shown[0] == frame and shown[1].tobytes() == total.tobytes()
    drawn = frame_nodes(frames[first])[box]
    assert ">sum<" in drawn and value_text(sums[0][1]) in drawn and "#0d9488" in drawn
    assert "dashed" in drawn and ">sum<" not in frame_nodes(frames[done])[box]


def test_the_page_carries_each_sum_so_far(tmp_path):
    x, loss = reused_three_times()
    frames = tg.draw_backward(loss)
    text = frames.save_html(tmp_path / "reused.html").read_text()
    table = json.loads(re.search(r'id="frames">(.*?)</script>', text, re.S).group(1))
    box = frames.view.data_id[x]
    assert table["partial"][box] == [[frame, value_text(total).split("<BR/>")]
                                     for frame, total, _ in frames.partials[x]]
    done = table["nodes"][box][0]  # the box shows its complete gradient from this frame on
    assert [frame for frame, _ in table["partial"][box]] == [
        frame for frame in range(1, done) if frames.state(frame)[box] == "partial"
        and frames.partial_at(box, frame)[0] == frame]


def test_the_docs_figure_of_a_node_read_twice_shows_what_its_caption_says():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import hooks
    finally:
        sys.path.remove(str(ROOT / "docs"))
    named = (re.search(r"<B>(\w+)</B>", attrs) for _, attrs in
             NODE.findall(hooks.read_twice_frame().source))
    boxes = {m.group(1): m.string for m in named if m}
    page = (ROOT / "docs" / "stepping-through-backward.md").read_text()
    alt = re.search(r"!\[(Frame 2 of backward[^]]*)\]\(figures/drawings/read_twice.svg\)",
                    page).group(1)
    assert "0.001341" in alt and "#0d9488" in boxes["a"] and ">sum<" in boxes["a"]
    assert ">0.001341<" in boxes["a"] and ">pending<" in boxes["b"] and "dashed" in boxes["b"]


def test_every_frame_marks_one_step_box_the_roots_first():
    loss, _ = mlp_loss()
    frames = tg.draw_backward(loss)
    view = frames.view
    assert frames.step_box(0) == view.data_id[loss]  # frame 0: the seed is set at the root
    for k, node in enumerate(frames.order, start=1):
        assert frames.step_box(k) == view.data_id[node]
        assert frames.state(k)[frames.step_box(k)] == "current"
    table = json.loads(re.search(r'id="frames">(.*?)</script>', frames.page_html(),
                                 re.S).group(1))
    assert table["steps"] == [frames.step_box(k) for k in range(len(frames))]
    with pytest.raises(IndexError, match="frame 9 out of range"):
        frames.step_box(9)


def test_the_cross_entropy_explorer_shows_its_target_and_names_its_constants():
    from tinygrad_lm.stories._demo import comparison_roots

    bce = dict(comparison_roots())["binary cross-entropy"]
    frames = tg.draw_backward(bce, undefined="nan")
    constants = [n for n in frames.view.nodes if n.kind == "constant"]
    assert sorted(n.name for n in constants) == ["1 - target", "target"]
    named = {n.name: n.data for n in constants}
    assert np.array_equal(named["1 - target"], 1 - named["target"])
    assert any("d bce/d mul2 * (1 - target)" in frames.caption(k) for k in range(len(frames)))


def test_an_ops_undefined_note_waits_for_backward_to_reach_it():
    pred = tg.Tensor([0.9, 0.5], requires_grad=True)
    frames = tg.draw_backward(tg.metrics.accuracy(pred, [1, 0]), undefined="nan")
    [gt] = [n for n in frames.order if n.op == "gt"]
    op = frames.view.op_id[gt]
    for k in range(len(frames)):
        noted = "undefined at 1 of 2" in frame_nodes(frames[k])[op]
        assert noted == (k >= frames.current_at[gt]), f"frame {k}"
