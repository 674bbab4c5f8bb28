"""The landscape page in a real headless Chromium: offline, hover readout and graphs vs the engine.

Uses the browser fixture of the explorer's browser test (same skip rule: where Chromium,
chromedriver, selenium or Graphviz are missing it skips, unless ``TINYGRAD_LM_REQUIRE_BROWSER``
is set, where it fails).
"""

from __future__ import annotations

import html
import json
import re
import warnings

import numpy as np
import pytest
from test_explorer_browser import browser  # noqa: F401 (the fixture)

import tinygrad_lm as tg
from tinygrad_lm.draw.label_text import value_text
from tinygrad_lm.stories import _landscape_page, landscape


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):  # noqa: F811 (the imported fixture)
    out = tmp_path_factory.mktemp("landscape_page")
    ev = landscape.run(out)
    path = _landscape_page.write_page(out, ev)
    browser.set_network_conditions(offline=True, latency=0, download_throughput=0,
                                   upload_throughput=0)
    browser.get(f"file://{path}")
    data = json.loads(browser.execute_script(
        "return document.getElementById('landscape-data').textContent"))
    yield browser, ev, data
    browser.delete_network_conditions()


def point_at(driver, data, panel: int, w1: float, w2: float):
    """Move the mouse over the point (w1, w2) of panel ``panel`` of the figure."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    img = driver.find_element(By.CSS_SELECTOR, "#figure img")
    x0, y0, x1, y1 = data["panels"][panel]
    lo, hi = data["axis"][0], data["axis"][-1]
    fx = x0 + (w1 - lo) / (hi - lo) * (x1 - x0)
    fy = y0 + (hi - w2) / (hi - lo) * (y1 - y0)
    width, height = img.size["width"], img.size["height"]
    # Selenium 4 offsets are from the element's centre.
    ActionChains(driver).move_to_element_with_offset(
        img, round(fx * width - width / 2), round(fy * height - height / 2)).perform()
    return driver.find_element(By.ID, "readout")


def engine(ev, name, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tg.value_and_grad(lambda v: landscape.objective(name, v, ev["X"], ev["y"]))(
            np.array(w, dtype=np.float64))


def numbers(line: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", line)]


def test_the_page_loads_offline_without_errors_or_requests(page):
    driver, _, _ = page
    assert driver.execute_script(
        "return performance.getEntriesByType('resource').length") == 0
    assert driver.execute_script(
        "return document.querySelector('#figure img').naturalWidth") > 1000
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


@pytest.mark.parametrize("panel", [0, 1, 2])
def test_hovering_shows_the_engines_values_and_gradients(page, panel):
    driver, ev, data = page
    w = (1.0, -0.5)
    readout = point_at(driver, data, panel, *w)
    assert (float(readout.get_attribute("data-w1")), float(readout.get_attribute("data-w2"))) \
        == w
    lines = readout.text.split("\n")
    assert lines[0].startswith("nearest grid point") and "w = (1, -0.5)" in lines[0]
    bold = readout.find_element("css selector", "b").text
    assert bold == lines[1 + panel]
    value, _ = engine(ev, "accuracy", w)
    on_cliff = (ev["X"] @ np.array(w) == 0).any()
    assert numbers(lines[1])[0] == pytest.approx(float(value), rel=1e-3)
    assert ("gradient (NaN, NaN): undefined" in lines[1]) == on_cliff
    assert ("gradient (0, 0) exactly" in lines[1]) != on_cliff
    for line, name in zip(lines[2:], ("mse", "cross_entropy")):
        value, g = engine(ev, name, w)
        np.testing.assert_allclose(numbers(line), [value, *g], rtol=1e-3)


def test_hovering_a_cliff_says_the_derivative_is_undefined(page):
    driver, ev, data = page
    w = (0.0, 1.0)   # X @ w is x2, exactly 0 for the samples with x2 = 0
    assert (ev["X"] @ np.array(w) == 0).any()
    readout = point_at(driver, data, 0, *w)
    assert "gradient (NaN, NaN): undefined, on a cliff" in readout.text


def test_clicking_shows_the_graph_at_the_nearest_drawn_point(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver, ev, data = page
    point_at(driver, data, 1, 1.1, -0.9)   # nearest drawn point: (1, -1)
    ActionChains(driver).click().perform()
    graph = driver.find_element(By.ID, "graph")
    WebDriverWait(driver, 10).until(lambda d: graph.get_attribute("data-shown"))
    assert graph.get_attribute("data-shown") == "mse@1,-1"
    assert "MSE at w = (1, -1), the nearest of the 9 x 9" in \
        driver.find_element(By.ID, "graph-title").text
    svg = graph.get_attribute("innerHTML")
    _, g = engine(ev, "mse", (1.0, -1.0))
    assert svg.count("<svg") == 1 and value_text(g) in html.unescape(svg)
    assert graph.find_element(By.TAG_NAME, "svg").size["width"] > 300

    point_at(driver, data, 0, 0.1, 0.1)     # accuracy at the origin: every sample on 0.5
    ActionChains(driver).click().perform()
    WebDriverWait(driver, 10).until(
        lambda d: graph.get_attribute("data-shown") == "accuracy@0,0")
    assert "[nan, nan]" in graph.get_attribute("innerHTML")
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


def test_the_keyboard_moves_the_point_picks_a_panel_and_draws_its_graph(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver, ev, data = page
    point_at(driver, data, 0, 1.0, -0.5)
    figure = driver.find_element(By.ID, "figure")
    driver.execute_script("arguments[0].focus()", figure)
    step = data["axis"][1] - data["axis"][0]
    figure.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_UP, "3")
    readout = driver.find_element(By.ID, "readout")
    w = (1.0 + 2 * step, -0.5 + step)
    assert (float(readout.get_attribute("data-w1")), float(readout.get_attribute("data-w2"))) \
        == w
    bold = readout.find_element(By.CSS_SELECTOR, "b").text
    value, g = engine(ev, "cross_entropy", w)
    assert bold.startswith("binary cross-entropy")
    np.testing.assert_allclose(numbers(bold), [value, *g], rtol=1e-3)
    figure.send_keys(Keys.ENTER)
    graph = driver.find_element(By.ID, "graph")
    WebDriverWait(driver, 10).until(
        lambda d: graph.get_attribute("data-shown") == "cross_entropy@1,0")  # nearest drawn
