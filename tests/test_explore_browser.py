"""The explorer page in a real browser (headless Chromium through selenium): it loads offline
with no error, a click moves the start and the drawn path ends where optbench's run from there
ends, the sliders bring the runs of their values, the divergence mark comes past eta_max, and the
exported command draws the same race. Skipped, with the reason, where no browser is installed."""

import functools
import io
import json
import shlex
import shutil
import threading
import time

import numpy as np
import pytest

import optbench
from optbench.cli import build_parser, main, parse
from optbench.explorer import Explorer
from optbench.explorer._page import background, build

webdriver = pytest.importorskip("selenium.webdriver", reason="the browser tests need selenium")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip(
        "no chromium and chromedriver here (.ci/run installs them)", allow_module_level=True
    )

SURFACE = "quadratic:kappa=10,angle=0.5"
SPECS = ["sgd:lr=0.5eta_max", "momentum:lr=0.02,beta=0.5"]
STEPS = 30


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1100,900", "--disable-gpu"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(DRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    ex = Explorer(SURFACE, SPECS, steps=STEPS, starts=5)
    path = tmp_path_factory.mktemp("explore") / "explore.html"
    path.write_text(build(ex), "utf-8")
    return ex, path


def answers(driver):
    return int(
        driver.execute_script("return document.querySelector('.ob-explorer').dataset.answers")
    )


def wait_for(driver, seen):
    """Wait until the page has drawn more answers than ``seen``."""
    for _ in range(200):
        if answers(driver) > seen:
            return
        time.sleep(0.02)
    raise AssertionError("the page drew no new answer")


def centre(driver, selector):
    r = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [r.left + r.width / 2, r.top + r.height / 2];",
        selector,
    )
    return np.asarray(r)


def page_px(driver, ex, point):
    """Where ``point`` (data coordinates) lies on the page: the contour picture's place plus the
    matplotlib axes' box."""
    left, top = driver.execute_script(
        "const r = document.querySelector('.ob-bg').getBoundingClientRect();return [r.left, r.top];"
    )
    bx, by, bw, bh = axes_box(ex)
    (x0, x1), (y0, y1) = ex.surface.bounds
    return np.array(
        [left + bx + (point[0] - x0) / (x1 - x0) * bw, top + by + (y1 - point[1]) / (y1 - y0) * bh]
    )


@functools.lru_cache
def axes_box(ex):
    """The contour's axes in its picture's pixels, as matplotlib draws them for ``ex``."""
    return background(ex)["box"]


def click_at(driver, xy):
    from selenium.webdriver.common.action_chains import ActionChains

    svg = driver.find_element("css selector", ".ob-paths")
    r = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top];", svg
    )
    dx, dy = (
        int(round(xy[0] - r[0] - svg.size["width"] / 2)),
        int(round(xy[1] - r[1] - svg.size["height"] / 2)),
    )
    ActionChains(driver).move_to_element_with_offset(svg, dx, dy).click().perform()


def slide(driver, selector, value):
    driver.execute_script(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('input'));",
        selector,
        value,
    )


def open_page(driver, url):
    driver.get(url)
    wait_for(driver, 0)


def test_the_static_page_answers_clicks_sliders_and_exports(browser, page, tmp_path):
    ex, path = page
    d = browser
    d.get_log("performance")  # empty the logs
    d.get_log("browser")
    open_page(d, path.as_uri())
    # nothing went over a network, and no console message at all
    sent = [json.loads(e["message"])["message"] for e in d.get_log("performance")]
    urls = [
        m["params"]["request"]["url"] for m in sent if m["method"] == "Network.requestWillBeSent"
    ]
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls
    assert d.get_log("browser") == []

    # the picture's axes are where the page draws: the minimum's star (matplotlib's) is dark
    slide(d, ".ob-step", 0)
    shot = np.asarray(
        __import__("PIL.Image", fromlist=["Image"]).open(io.BytesIO(d.get_screenshot_as_png()))
    )
    mx, my = np.round(page_px(d, ex, ex.surface.minima[0])).astype(int)
    assert shot[my - 1 : my + 2, mx - 1 : mx + 2, :3].max() < 90
    slide(d, ".ob-step", STEPS)

    # a click moves the start to the nearest grid point; each path ends where race's does
    node = ex.nodes[3]
    seen = answers(d)
    click_at(d, page_px(d, ex, node + 0.02))
    wait_for(d, seen)
    runs = optbench.race(
        SURFACE, [lane.spec_at(lane.lr.index) for lane in ex.lanes], STEPS, start=node
    )
    for k, t in enumerate(runs):
        got = centre(d, f".ob-end[data-lane='{k}']")
        assert (
            np.abs(got - page_px(d, ex, np.clip(t.params[-1], *ex.surface.bounds.T))).max() <= 1.5
        )

    # the rate slider brings the run of that rate
    mom = ex.lanes[1]
    seen = answers(d)
    slide(d, ".ob-lr[data-lane='1']", 0)
    wait_for(d, seen)
    (t,) = optbench.race(SURFACE, [mom.spec_at(0)], STEPS, start=node)
    assert np.abs(centre(d, ".ob-end[data-lane='1']") - page_px(d, ex, t.params[-1])).max() <= 1.5
    assert d.find_element("css selector", ".ob-lane[data-lane='1'] .ob-label").text == t.label

    # past eta_max, gradient descent's path ends in the divergence mark
    sgd = ex.lanes[0]
    for factor, crossed in ((0.95, False), (1.2, True)):
        seen = answers(d)
        slide(d, ".ob-lr[data-lane='0']", sgd.lr.values.index(factor))
        wait_for(d, seen)
        marks = d.find_elements("css selector", ".ob-cross[data-lane='0']")
        assert bool(marks) is crossed
        note = d.find_element("css selector", ".ob-lane[data-lane='0'] .ob-note").text
        (t,) = optbench.race(SURFACE, [f"sgd:lr={factor}eta_max"], STEPS, start=node)
        assert (f"diverged at step {t.diverged_at}" in note) is crossed and t.diverged is crossed

    # the exported command races the same steppers from the same start
    d.find_element("css selector", ".ob-export").click()
    words = shlex.split(d.find_element("css selector", ".ob-command").text)
    assert words[:3] == ["optbench", "race", SURFACE]
    args = parse(build_parser(), words[1:])
    assert args.steppers == ["sgd:lr=1.2eta_max", "momentum:lr=0.005,beta=0.5"]
    start = [float(v) for v in args.start.split(",")]
    again = optbench.race(args.surface, args.steppers, args.steps, start=start)
    assert (
        np.abs(centre(d, ".ob-end[data-lane='1']") - page_px(d, ex, again[1].params[-1])).max()
        <= 1.5
    )
    assert again[0].diverged
    # and so does its --config file, through the command itself
    config = tmp_path / "slide.toml"
    config.write_text(d.find_element("css selector", ".ob-toml").text, "utf-8")
    argv = [
        "race",
        "--config",
        str(config),
        "-o",
        str(tmp_path),
        "--format",
        "png",
        "--size",
        "150",
    ]
    assert main(argv) == 0
    csv = optbench.render.read_trajectories_csv(tmp_path / "trajectories.csv")
    np.testing.assert_allclose(csv[again[1].label]["params"][-1], again[1].params[-1], rtol=1e-6)


def test_the_live_page_runs_from_exactly_the_click(browser):
    from optbench.explorer._serve import address, make_server

    ex = Explorer(SURFACE, SPECS, steps=STEPS, live=True)
    server = make_server(ex, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        d = browser
        d.get_log("browser")
        open_page(d, address(server))
        seen = answers(d)
        click_at(d, page_px(d, ex, [0.37, -0.61]))
        wait_for(d, seen)
        d.find_element("css selector", ".ob-export").click()
        args = parse(
            build_parser(), shlex.split(d.find_element("css selector", ".ob-command").text)[1:]
        )
        start = [float(v) for v in args.start.split(",")]
        assert np.abs(np.subtract(start, [0.37, -0.61])).max() < 0.02  # the click, to a pixel
        runs = optbench.race(SURFACE, args.steppers, STEPS, start=start)
        for k, t in enumerate(runs):
            assert (
                np.abs(centre(d, f".ob-end[data-lane='{k}']") - page_px(d, ex, t.params[-1])).max()
                <= 1.5
            )
        assert d.get_log("browser") == []
    finally:
        server.shutdown()
        server.server_close()


def test_the_notebook_widget_module_renders_and_asks_its_kernel(browser, tmp_path):
    """The widget's module (what Jupyter imports through anywidget) with a stand-in for the
    kernel's model: it asks for the surface's start and draws the kernel's answer."""
    pytest.importorskip("anywidget", reason="the notebook widget needs anywidget")
    w = optbench.explore(SURFACE, SPECS, steps=STEPS)
    first = {"start": [-1.5, 1.0], "lanes": [{"i": 9}, {"i": 16, "j": 1}]}  # the defaults
    runs = w.explorer.answer(first)
    html = (
        '<!DOCTYPE html><html><head><link rel="icon" href="data:,">'
        f"<style>{w._css}</style></head><body>"  # anywidget adds the widget's style sheet
        '<div id="root"></div><script type="module">\n'
        f"const code = {json.dumps(w._esm)};\n"
        f"const store = {{config: {json.dumps(w.config)}, runs: null}};\n"
        f"const answer = {json.dumps(runs)};\n"
        "const blob = new Blob([code], {type: 'text/javascript'});\n"
        "const mod = await import(URL.createObjectURL(blob));\n"
        "const handlers = {};\n"
        "const model = {get: (k) => store[k], on: (n, f) => (handlers[n] ||= []).push(f),\n"
        "  save_changes() {}, set(k, v) { store[k] = v; if (k !== 'request') return;\n"
        "  window.asked = v; store.runs = answer;\n"
        "  handlers['change:runs'].forEach((f) => f()); }};\n"
        "mod.default.render({model, el: document.getElementById('root')});\n"
        "</script></body></html>"
    )
    path = tmp_path / "widget.html"
    path.write_text(html, "utf-8")
    d = browser
    d.get_log("browser")
    open_page(d, path.as_uri())
    asked = d.execute_script("return window.asked")
    assert asked["start"] == first["start"] and asked["lanes"] == [
        {"i": 9, "j": None},
        first["lanes"][1],
    ]
    ex = w.explorer
    for k, rec in enumerate(runs["lanes"]):
        end = np.reshape(rec["path"], (-1, 2))[-1]
        assert np.abs(centre(d, f".ob-end[data-lane='{k}']") - page_px(d, ex, end)).max() <= 1.5
    labels = [e.text for e in d.find_elements("css selector", ".ob-label")]
    assert labels == ["SGD (lr=0.5 η_max)", "Momentum (lr=0.02, beta=0.5)"]
    assert d.get_log("browser") == []
