"""The course in a real JupyterLab, in a real browser (Debian's chromium, driven by playwright).

For every notebook: open it in a fresh JupyterLab, Run All, wait for the kernel to be idle, check that no cell
shows an error and no widget failed to display; then for every interactive, press ArrowRight on its first slider
and check that the figure's pixels change within 2 s and the readout changes with them. A deliberately broken
interactive proves the check can fail. Screenshots go to artifacts/browser/ (not committed); key-press-to-pixels
medians are printed at the end of the run.
"""
import contextlib
import json
import re
import statistics
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import labdriver
from notebook_sets import LEARNER, NOTEBOOK_DIR, name

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
# every notebook of the learner's path, and the two maps of the rigorous layer (the heaviest interactives); the
# other deeper interactives are driven in-process by tests/test_properties.py and tests/test_any_data.py
NOTEBOOKS = [name(path) for path in LEARNER] + ["deeper/03_why_it_explodes.ipynb",
                                                "deeper/04_initialization_and_scaling.ipynb"]
BROKEN = Path(__file__).resolve().parent / "browser_fixtures" / "zz_broken_slider.ipynb"
ONE_LINE = Path(__file__).resolve().parent / "browser_fixtures" / "zz_one_line_update.ipynb"
MAP_NOTEBOOK = "deeper/04_initialization_and_scaling.ipynb"
ARTIFACTS = ROOT / "artifacts" / "browser"
LATENCY_PRESSES = 6


@pytest.fixture(scope="module")
def lab():
    server = labdriver.Lab(extra_notebooks=[BROKEN, ONE_LINE])
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(request):
    latencies = {}
    with sync_playwright() as playwright:
        chromium = labdriver.launch(playwright)
        chromium.latencies = latencies
        yield chromium
        chromium.close()
    report = ["key press to new pixels, median of %d presses per notebook's first interactive:" % LATENCY_PRESSES]
    report += [f"  {name}: {ms:.0f} ms" for name, ms in sorted(latencies.items())]
    if MAP_NOTEBOOK in latencies and ONE_LINE.name in latencies:
        report.append(f"  the convergence map (04) / a one-line ipympl update: "
                      f"{latencies[MAP_NOTEBOOK] / latencies[ONE_LINE.name]:.2f}x (target <= 1.3x)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "latency.txt").write_text("\n".join(report) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and latencies:
        reporter.write_line("")
        for line in report:
            reporter.write_line(line)


def expected_interactives(name):
    cells = json.loads((NOTEBOOK_DIR / name).read_text())["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return len(re.findall(r"gu\.explore_\w+\(", code))


@contextlib.contextmanager
def notebook_page(lab, browser, path_or_name):
    """A fresh page with the notebook open and run; the page closed and the kernels shut down afterwards."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        labdriver.open_and_run_all(page, lab, path_or_name)
        yield page
    finally:
        page.close()
        lab.shutdown_kernels()


def measure_latency(page, output, browser, name):
    """Median key press to new pixels over LATENCY_PRESSES presses on the interactive's first slider, each press
    one step further (a new value, never one computed before in this session)."""
    output.scroll_into_view_if_needed()
    times = []
    for _ in range(LATENCY_PRESSES):
        changed_after, _, _ = labdriver.press_and_watch(page, output, "ArrowRight")
        if changed_after is not None:
            times.append(changed_after * 1000)
    assert times, "no key press changed the figure"
    browser.latencies[name] = statistics.median(times)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_every_interactive_responds(lab, browser, name):
    with notebook_page(lab, browser, name) as page:
        assert labdriver.problems(page) == []
        outputs = labdriver.interactives(page)
        assert outputs.count() == expected_interactives(name)
        for i in range(outputs.count()):
            output = outputs.nth(i)
            labdriver.wait_for_canvas(output)
            changed_after, before, after = labdriver.press_and_watch(page, output)
            assert changed_after is not None, f"interactive {i + 1}: the figure did not change within 2 s"
            assert after != before, f"interactive {i + 1}: the readout did not change ({before!r})"
        if outputs.count():
            measure_latency(page, outputs.nth(0), browser, name)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name.replace('/', '_')[:-6]}.png"))
        assert labdriver.problems(page) == []


def test_a_plot_that_ignores_its_slider_is_caught(lab, browser):
    with notebook_page(lab, browser, BROKEN.name) as page:
        output = labdriver.interactives(page).nth(0)
        labdriver.wait_for_canvas(output)
        changed_after, before, after = labdriver.press_and_watch(page, output)
        assert changed_after is None and after == before
        assert output.locator(".noUi-handle").first.get_attribute("aria-valuenow") != "-4.0"  # the slider did move


def test_a_one_line_update_for_comparison(lab, browser):
    """The baseline the convergence map's latency is reported against: the same machinery moving one line."""
    with notebook_page(lab, browser, ONE_LINE.name) as page:
        output = labdriver.interactives(page).nth(0)
        labdriver.wait_for_canvas(output)
        measure_latency(page, output, browser, ONE_LINE.name)
        assert labdriver.problems(page) == []


def test_pressing_play_on_the_replay_changes_the_figure(lab, browser):
    """The row-by-row replay of 02 (gu.explore_replay): Play steps the row slider on by itself, and the figure and
    the readout follow."""
    with notebook_page(lab, browser, "02_two_neurons.ipynb") as page:
        output = labdriver.interactives(page).filter(has=page.locator(".widget-play")).first
        labdriver.wait_for_canvas(output)
        row = lambda text: int(re.search(r"epoch \d+, row (\d+):", text).group(1))
        assert row(labdriver.readout(output)) == 1
        changed_after, _, after = labdriver.press_and_watch(page, output)  # its first slider is the row slider
        assert changed_after is not None and row(after) == 2, after
        before_pixels, before_text = output.evaluate(labdriver.CANVAS_HASH), labdriver.readout(output)
        output.locator(".widget-play button").first.click()  # ▶
        deadline, pixels, text = time.time() + 10, before_pixels, before_text
        while time.time() < deadline and (pixels == before_pixels or row(text) < 4):
            time.sleep(0.1)
            pixels, text = output.evaluate(labdriver.CANVAS_HASH), labdriver.readout(output)
        assert pixels != before_pixels, "Play did not change the figure within 10 s"
        assert row(text) >= 4, f"Play did not step on through the rows: {text!r}"
        assert labdriver.problems(page) == []

