"""The landscape story: its surfaces and gradients against the engine, its caption, its page."""

import html
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.draw.label_text import value_text
from tinygrad_lm.stories import _demo, _landscape_page, landscape


@pytest.fixture(scope="module")
def ev(tmp_path_factory):
    return landscape.run(tmp_path_factory.mktemp("landscape"))


def grid_points(ev):
    w1, w2 = np.meshgrid(ev["axis"], ev["axis"])
    return np.stack([w1, w2], axis=2)


def on_a_cliff(ev):
    """Grid points where some prediction is exactly 0.5: X @ w is exactly 0 for a sample."""
    return (grid_points(ev) @ ev["X"].T == 0).any(axis=2)


def test_the_features_and_grid_make_x_at_w_exact(ev):
    assert (ev["X"] * 4 == np.round(ev["X"] * 4)).all()
    assert (ev["axis"] * 16 == np.round(ev["axis"] * 16)).all()
    assert ev["grid_size"] == len(ev["axis"]) == 129


def test_accuracy_gradient_is_zero_off_the_cliffs_and_nan_exactly_on_them(ev):
    grad = ev["grads"]["accuracy"]
    cliff = on_a_cliff(ev)
    assert 0 < cliff.sum() < cliff.size / 10
    assert (np.isnan(grad).all(axis=2) == cliff).all()
    assert not np.isnan(grad).any(axis=2)[~cliff].any()
    assert (grad[~cliff] == 0).all()
    assert ev["n_undefined"] == cliff.sum() and ev["n_zero"] == (~cliff).sum()
    # Default mode: the same cliff point gets an exact zero, not a NaN.
    i, j = np.argwhere(cliff)[0]
    w = grid_points(ev)[i, j]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = tg.grad(lambda v: landscape.objective("accuracy", v, ev["X"], ev["y"]))(w)
    assert (g == 0).all()


SAMPLES = [(0, 0), (64, 64), (10, 100), (77, 33), (128, 5), (40, 90)]


@pytest.mark.parametrize("name", ["mse", "cross_entropy"])
def test_loss_gradients_equal_tg_grad_and_central_differences(ev, name):
    X, y = ev["X"], ev["y"]

    def f(w):
        return landscape.objective(name, w, X, y)

    for i, j in SAMPLES:
        w = grid_points(ev)[i, j]
        value, g = tg.value_and_grad(f)(w)
        assert value == pytest.approx(ev["values"][name][i, j], rel=1e-12)
        np.testing.assert_allclose(ev["grads"][name][i, j], g, rtol=1e-10, atol=1e-14)
        eps = 1e-6
        central = [(f(tg.Tensor(w + e)).item() - f(tg.Tensor(w - e)).item()) / (2 * eps)
                   for e in np.eye(2) * eps]
        np.testing.assert_allclose(g, central, rtol=1e-5, atol=1e-7)
    assert np.isfinite(ev["grads"][name]).all() and ev["loss_never_undefined"]


def test_accuracy_surface_equals_tg_metrics_accuracy(ev):
    for i, j in SAMPLES:
        w = tg.Tensor(grid_points(ev)[i, j])
        p = (tg.Tensor(ev["X"]) @ w).sigmoid()
        assert tg.metrics.accuracy(p, ev["y"]).item() == ev["values"]["accuracy"][i, j]


def test_descent_stays_put_on_accuracy_and_walks_downhill_on_the_losses(ev):
    X, y = ev["X"], ev["y"]
    path = ev["paths"]["accuracy"]
    assert path.shape == (landscape.STEPS + 1, 2) and (path == path[0]).all()
    assert not ev["accuracy_moved"]
    for name in ("mse", "cross_entropy"):
        path = ev["paths"][name]
        values = [landscape.objective(name, tg.Tensor(w), X, y).item() for w in path]
        assert values[-1] < values[0] and np.all(np.diff(values) < 0)
        assert ev["distance"][name] == np.linalg.norm(path[-1] - path[0]) > 1


def test_caption_numbers_are_the_datas(ev):
    text = landscape.caption(ev)
    X, y = ev["X"], ev["y"]
    acc = ev["values"]["accuracy"]
    cliff = on_a_cliff(ev)
    n = len(ev["axis"])
    end = {k: tg.metrics.accuracy((tg.Tensor(X) @ tg.Tensor(ev["paths"][k][-1])).sigmoid(),
                                  y).item() for k in ("mse", "cross_entropy")}
    start = tg.metrics.accuracy((tg.Tensor(X) @ tg.Tensor(np.array(ev["start"]))).sigmoid(),
                                y)
    expected = {
        f"on {len(y)} points", f"{n} x {n} grid",
        f"terraces at {len(np.unique(acc))} different heights",
        f"best {100 * acc.max():.1f}%", f"exactly zero at {(~cliff).sum()} of the {n * n}",
        f"at the other {cliff.sum()}", f"(accuracy {100 * start.item():.1f}%)",
        f"{len(ev['paths']['mse']) - 1} steps", f"learning rate {ev['lr']:g}",
        "do not move on accuracy;",
        f"on MSE they travel {np.linalg.norm(ev['paths']['mse'][-1] - ev['start']):.2f} to "
        f"accuracy {100 * end['mse']:.1f}%",
        f"on cross-entropy {np.linalg.norm(ev['paths']['cross_entropy'][-1] - ev['start']):.2f}"
        f" to accuracy {100 * end['cross_entropy']:.1f}%",
        f"w = ({ev['paths']['accuracy'][0][0]:g}, {ev['paths']['accuracy'][0][1]:g})"}
    for part in expected:
        assert part in text, part
    # Every number in the caption is one of those checked above.
    checked = set(re.findall(r"-?\d+(?:\.\d+)?", " ".join(expected)))
    assert set(re.findall(r"-?\d+(?:\.\d+)?", text)) <= checked


def test_the_figure_is_written_and_its_titles_say_what_the_paths_do(ev):
    names = sorted(Path(p).name for p in ev["figures"])
    assert names == ["landscape.png", "landscape.svg"]
    svg = Path([p for p in ev["figures"] if p.endswith(".svg")][0])
    assert ET.parse(svg).getroot().tag.endswith("svg")
    text = svg.read_text()
    assert "accuracy: never moves" in text
    assert f"MSE: walks {ev['distance']['mse']:.2f} downhill" in text
    assert "undefined derivative (strict mode: NaN)" in text
    assert "\N{MINUS SIGN}gradient: downhill" in text
    assert f"start = end: {ev['steps']} steps of 0" in text


def test_the_page_is_one_self_contained_file(ev):
    page = _landscape_page.landscape_html(ev)
    assert not re.findall(r'(?:src|href)="(?!data:|#)', page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count('id="landscape-data"') == 1
    assert len(page.encode()) < 1_200_000


def test_the_hover_data_are_the_surfaces_on_every_other_grid_point(ev):
    data = _landscape_page.hover_data(ev)
    n = len(data["axis"])
    assert data["axis"] == ev["axis"][::2].tolist() and n == 65
    assert data["cliff"] == "".join(
        "1" if c else "0" for c in on_a_cliff(ev)[::2, ::2].ravel())
    np.testing.assert_array_equal(np.array(data["correct"]) / ev["n_samples"],
                                  ev["values"]["accuracy"][::2, ::2].ravel())
    table = np.array(data["mse"]).reshape(n, n, 3)
    np.testing.assert_allclose(table[..., 1:], ev["grads"]["mse"][::2, ::2], rtol=5e-4)


def test_the_graph_of_a_cliff_point_shows_its_nan_gradient(ev):
    svg = _landscape_page.drawing(ev, "accuracy", (0.0, 0.0)).svg()
    assert svg.startswith("<svg") and "[nan, nan]" in svg
    svg = _landscape_page.drawing(ev, "mse", (1.0, -1.0)).svg()
    g = tg.grad(lambda w: landscape.objective("mse", w, ev["X"], ev["y"]))(np.array([1.0, -1.0]))
    assert value_text(g) in html.unescape(svg)  # graphviz writes a minus sign as &#45;


def test_the_demo_writes_the_page_and_links_it(tmp_path):
    result = _demo.build(tmp_path, only=("landscape",))
    names = {Path(p).name for p in result["figures"]}
    assert {"landscape.png", "landscape.svg", "landscape.html"} <= names
    index = Path(result["index"]).read_text()
    assert 'href="landscape.html"' in index and '<img src="landscape.png"' in index
    assert landscape.caption(result["evidence"]["landscape"]) in index.replace("&#x27;", "'")


def test_one_run_of_dot_draws_each_graph_as_drawing_svg_does(ev):
    drawings = [_landscape_page.drawing(ev, name, (1.0, -0.5)) for name in landscape.OBJECTIVES]
    alone = [d.svg() for d in drawings]
    together = _landscape_page._svgs(drawings)

    def layout(svg):  # all but the graph's own id and title, which dot numbers per run
        return re.sub(r'<g id="[^"]*" class="graph"|<title>%\d+</title>', "", svg)

    assert [layout(s) for s in together] == [layout(s) for s in alone]


@pytest.mark.parametrize("make", [landscape.objective, landscape.batched])
def test_an_unknown_objective_is_named_with_the_valid_ones(make):
    X, y = landscape.make_data()
    with pytest.raises(ValueError, match="unknown objective 'hinge'; valid ones are"):
        make("hinge", tg.Tensor([1.0, 0.0]), X, y)
