"""The explorer page in a real headless Chromium: keys, buttons and slider against the engine.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package (the ``test``
extra). Where they are missing the test skips and says so, unless ``TINYGRAD_LM_REQUIRE_BROWSER``
is set (CI sets it), where it fails instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.draw.graph_view import gradients
from tinygrad_lm.draw.label_text import value_text

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package (pip install 'tinygrad_lm[test]')"
    for path, package in ((CHROMIUM, "chromium"), (DRIVER, "chromium-driver")):
        if not os.path.exists(path):
            return f"{path} (apt-get install {package})"
    if shutil.which("dot") is None:
        return "Graphviz's dot (apt-get install graphviz)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        message = f"the browser test needs {missing}"
        if os.environ.get("TINYGRAD_LM_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1400",
                "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def mlp_loss():
    rng = np.random.default_rng(3)
    X = tg.Tensor(rng.normal(size=(3, 2)))
    W1 = tg.Tensor(rng.normal(size=(2, 2)), requires_grad=True)
    W2 = tg.Tensor(rng.normal(size=(2, 1)), requires_grad=True)
    for t, name in ((X, "X"), (W1, "W1"), (W2, "W2")):
        t.name = name
    return tg.losses.mse((X @ W1).sigmoid() @ W2, np.zeros((3, 1))), (W1, W2)


def shown_grad(driver, box_id: str) -> list[str]:
    """The lines of the gradient a box shows, read from the page's SVG text."""
    return driver.execute_script("""
        const texts = Array.from(document.getElementById(arguments[0])
                                 .getElementsByTagName('text')).map(t => t.textContent);
        return texts.slice(texts.lastIndexOf('grad') + 1).filter(t => t.length);
    """, box_id)


def test_the_page_steps_through_the_engines_backward(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    loss, leaves = mlp_loss()
    frames = tg.draw_backward(loss)
    engine = gradients(loss, "zero")  # the engine's own record of every node's gradient
    page = frames.save_html(tmp_path / "backward.html")
    browser.get(page.resolve().as_uri())
    view = frames.view

    pending = browser.find_elements(By.CSS_SELECTOR, "g.node.pending")
    assert len(pending) == list(frames.state(0).values()).count("pending") > 0
    assert shown_grad(browser, view.data_id[leaves[0]]) == ["pending"]
    assert browser.find_element(By.ID, "caption").text.startswith("Before backward")

    body = browser.find_element(By.TAG_NAME, "body")
    for k, node in enumerate(frames.order, start=1):
        body.send_keys(Keys.ARROW_RIGHT)
        current = {g.get_attribute("id")
                   for g in browser.find_elements(By.CSS_SELECTOR, "g.node.current")}
        assert current == {view.data_id[node], view.op_id[node]}, f"frame {k}"
        expected = value_text(engine[node]).split("<BR/>")
        assert shown_grad(browser, view.data_id[node]) == expected, f"frame {k}"
        assert browser.find_element(By.ID, "caption").text == frames.caption(k)

    browser.find_element(By.ID, "prev").click()
    assert browser.find_element(By.ID, "counter").text == f"frame {len(frames) - 2} of " \
                                                           f"{len(frames) - 1}"
    browser.find_element(By.CSS_SELECTOR, "body").send_keys(Keys.HOME)
    assert browser.find_element(By.ID, "slider").get_attribute("value") == "0"
    followed(browser, frames, 0)  # the drag below must not start mid-scroll

    slider = browser.find_element(By.ID, "slider")
    ActionChains(browser).click_and_hold(slider).move_by_offset(slider.size["width"] // 2, 0) \
        .release().perform()
    assert browser.find_element(By.ID, "counter").text == f"frame {len(frames) - 1} of " \
                                                           f"{len(frames) - 1}"
    assert not browser.find_elements(By.CSS_SELECTOR, "g.node.pending, g.edge.pending")
    loss.backward()
    for leaf in leaves:
        assert shown_grad(browser, view.data_id[leaf]) == value_text(leaf.grad).split("<BR/>")

    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


def test_the_page_shows_a_reused_nodes_sum_so_far(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    x = tg.Tensor([0.5, -1.0], requires_grad=True)
    x.name = "x"
    loss = (x.exp() + x * 3.0 + (x * x).sum()).sum()  # x is read by three nodes
    frames = tg.draw_backward(loss)
    box = frames.view.data_id[x]
    browser.get(frames.save_html(tmp_path / "reused.html").resolve().as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    seen = []
    for k in range(1, len(frames)):
        body.send_keys(Keys.ARROW_RIGHT)
        state = browser.find_element(By.ID, box).get_attribute("data-state")
        assert state == frames.state(k)[box], f"frame {k}"
        texts = browser.execute_script(
            "return Array.from(document.getElementById(arguments[0])"
            ".getElementsByTagName('text')).map(t => t.textContent);", box)
        if state == "partial":
            _, total, _ = frames.partial_at(box, k)
            assert "sum" in texts and "grad" not in texts, f"frame {k}"
            assert texts[texts.index("sum") + 1:] == value_text(total).split("<BR/>")
            seen.append(k)
        elif state == "done":
            assert texts[texts.index("grad") + 1:] == value_text(frames.grads[x]).split("<BR/>")
    assert len(seen) >= 2  # two sums so far, each shown until the next consumer runs
    loss.backward()
    assert value_text(x.grad).split("<BR/>") == shown_grad(browser, box)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors


FOLLOW = """
    const marked = document.querySelectorAll('[aria-current]');
    const box = r => ({top: r.top, bottom: r.bottom});
    const header = document.getElementById('header').getBoundingClientRect();
    const seen = id => { const r = document.getElementById(id).getBoundingClientRect();
                         return r.top >= 0 && r.bottom <= window.innerHeight; };
    return {count: marked.length, id: marked.length ? marked[0].id : null,
            value: marked.length ? marked[0].getAttribute('aria-current') : null,
            step: marked.length ? box(marked[0].getBoundingClientRect()) : null,
            below: header.bottom, height: window.innerHeight,
            controls: seen('controls'), caption: seen('caption'),
            counter: document.getElementById('counter').textContent};
"""


def followed(driver, frames, k: int, wait: float = 5.0) -> dict:
    """Frame k's state once any smooth scroll has settled: exactly one aria-current box, the
    step's, inside the room below the sticky header, with the controls and caption on screen."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    def inside(state):
        step = state["step"]
        return step is not None and step["top"] >= state["below"] - 0.5 and \
            step["bottom"] <= state["height"] + 0.5

    counter = f"frame {k} of {len(frames) - 1}"

    def settled(d):
        state = d.execute_script(FOLLOW)
        return state["counter"] == counter and inside(state)

    try:
        WebDriverWait(driver, wait, poll_frequency=0.05).until(settled)
    except TimeoutException:
        pass  # the asserts below say what is wrong
    state = driver.execute_script(FOLLOW)
    assert state["counter"] == counter
    assert state["count"] == 1 and state["value"] == "step", f"frame {k}: {state}"
    assert state["id"] == frames.step_box(k), f"frame {k}"
    assert inside(state), f"frame {k}: the step's box is off screen: {state}"
    assert state["controls"] and state["caption"], f"frame {k}: {state}"
    return state


def demo_pages(out_dir):
    """The demo's explorer pages, built as the demo builds them, with their frames."""
    from tinygrad_lm.stories import _demo

    pages = []
    for stem, title in _demo.EXPLORERS:
        root = dict(_demo.comparison_roots()).get(title)
        frames = (tg.draw_backward(root, undefined="nan") if root is not None
                  else tg.draw_backward(_demo.small_mlp_loss()))
        page = _demo.write_explorer(out_dir, stem, title)
        pages.append((stem, frames, page))
    return pages


def test_every_demo_page_follows_its_step_on_every_frame(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1200, 800)  # the MLP's graph is then several screens tall
    try:
        for stem, frames, page in demo_pages(tmp_path):
            browser.get(Path(page).resolve().as_uri())
            body = browser.find_element(By.TAG_NAME, "body")
            followed(browser, frames, 0)
            for k in range(1, len(frames)):  # keys, smooth scrolling
                body.send_keys(Keys.ARROW_RIGHT)
                followed(browser, frames, k)
            body.send_keys(Keys.HOME)
            followed(browser, frames, 0)
            if stem != "backward_mlp":
                continue
            tall = browser.execute_script("return document.body.scrollHeight / innerHeight")
            assert tall > 2, tall
            # With reduced motion the page jumps: the step is on screen at once.
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
                {"name": "prefers-reduced-motion", "value": "reduce"}]})
            body.send_keys(Keys.END)
            for k in range(len(frames) - 2, -1, -1):  # the previous button
                browser.find_element(By.ID, "prev").click()
                followed(browser, frames, k, wait=0)
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
            slider = browser.find_element(By.ID, "slider")
            ActionChains(browser).click_and_hold(slider).move_by_offset(
                slider.size["width"] // 2, 0).release().perform()
            followed(browser, frames, len(frames) - 1)
            browser.find_element(By.ID, "play").click()  # from the last frame: back to 0
            for k in range(1, len(frames)):
                followed(browser, frames, k, wait=3)
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert not errors, errors
    finally:
        browser.set_window_size(1200, 1400)


def test_pending_reads_as_the_grad_rows_state_and_notes_wait_for_their_step(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    texts = """return Array.from(document.getElementById(arguments[0])
        .getElementsByTagName('text')).map(t => [t.textContent, t.getAttribute('y'),
                                                 getComputedStyle(t).display]);"""
    pages = {stem: (frames, page) for stem, frames, page in demo_pages(tmp_path)}
    frames, page = pages["backward_mlp"]
    browser.get(Path(page).resolve().as_uri())
    for node in frames.order[1:]:  # a matrix box, pending at frame 0
        shown = browser.execute_script(texts, frames.view.data_id[node])
        words = [t[0] for t in shown]
        grad, pending = shown[words.index("grad")], shown[words.index("pending")]
        assert pending[1] == grad[1], f"{node.name}: 'pending' is not on the grad line"

    frames, page = pages["backward_accuracy"]
    browser.get(Path(page).resolve().as_uri())
    [gt] = [n for n in frames.order if n.op == "gt"]
    op, at = frames.view.op_id[gt], frames.current_at[gt]
    body = browser.find_element(By.TAG_NAME, "body")
    for k in range(len(frames)):
        notes = [t for t in browser.execute_script(texts, op) if t[0].startswith("undefined")]
        assert len(notes) == 1 and (notes[0][2] == "none") == (k < at), f"frame {k}"
        body.send_keys(Keys.ARROW_RIGHT)


HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head>
<body><div id="out"></div>
<script type="application/json" id="state">STATE</script>
<script type="text/plain" id="esm">ESM</script>
<script type="module">
// anywidget's side of the contract: render({model, el}) with a Backbone-like model.
const state = JSON.parse(document.getElementById('state').textContent);
const handlers = {};
window.saves = [];
const model = {
  get: name => state[name],
  set(name, value) {
    const old = state[name];
    state[name] = value;
    if (old !== value) (handlers['change:' + name] || []).forEach(f => f());
  },
  save_changes() { window.saves.push(state.frame); },
  on(event, f) { (handlers[event] = handlers[event] || []).push(f); },
  off(event, f) { handlers[event] = (handlers[event] || []).filter(g => g !== f); },
};
window.model = model;
const source = document.getElementById('esm').textContent;
const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
const widget = (await import(url)).default;
window.cleanup = widget.render({model, el: document.getElementById('out')});
window.rendered = true;
</script></body></html>"""


def test_the_widget_renders_the_page_and_syncs_its_frame(browser, tmp_path):
    pytest.importorskip("anywidget", reason="the widget test needs the test extra")
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    loss, _ = mlp_loss()
    widget = tg.draw_backward(loss).widget(frame=2, height=500)
    state = json.dumps({k: getattr(widget, k) for k in ("html", "frame", "count", "height",
                                                         "title")}).replace("</", "<\\/")
    host = tmp_path / "host.html"
    host.write_text(HOST.replace("STATE", state).replace("ESM", widget._esm))
    browser.get(host.resolve().as_uri())
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return window.rendered"))
    frame = browser.find_element(By.CSS_SELECTOR, "#out iframe")
    assert frame.get_attribute("sandbox") == "allow-scripts" and frame.size["height"] == 500

    def inside(check):
        browser.switch_to.frame(frame)
        try:
            return check()
        finally:
            browser.switch_to.default_content()

    def counter():
        return browser.find_element(By.ID, "counter").text

    last = widget.count - 1
    # The frame Python set is shown once the page has loaded.
    WebDriverWait(browser, 5).until(lambda d: inside(counter) == f"frame 2 of {last}")
    browser.execute_script("window.model.set('frame', 4)")  # Python sets the frame
    WebDriverWait(browser, 5).until(lambda d: inside(counter) == f"frame 4 of {last}")
    assert inside(lambda: len(browser.find_elements(By.CSS_SELECTOR, "[aria-current]"))) == 1
    inside(lambda: browser.find_element(By.ID, "next").click())  # the learner steps
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return window.model.get('frame')") == 5)
    assert browser.execute_script("return window.saves") == [5]
    inside(lambda: browser.find_element(By.ID, "play").click())  # play runs to the end
    WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("return window.model.get('frame')") == last)
    assert inside(counter) == f"frame {last} of {last}"
    assert browser.execute_script("return window.saves") == list(range(5, last + 1))
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert not errors, errors
