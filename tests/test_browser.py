"""The course in a real JupyterLab, in a real browser (Debian's chromium, driven by playwright).

For every notebook: open it in a fresh JupyterLab, Run All, wait for the kernel to be idle, check that no cell
shows an error and no widget failed to display; then for every interactive, press ArrowRight on its first slider
and check that the figure's pixels change within 2 s and the readout changes with them. A deliberately broken
interactive proves the check can fail. Screenshots go to artifacts/browser/ (not committed); key-press-to-pixels
medians are printed at the end of the run.
"""
import json
import re
import statistics
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import labdriver

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
BROKEN = Path(__file__).resolve().parent / "browser_fixtures" / "zz_broken_slider.ipynb"
ARTIFACTS = ROOT / "artifacts" / "browser"
LATENCY_PRESSES = 6


@pytest.fixture(scope="module")
def lab():
    server = labdriver.Lab(extra_notebooks=[BROKEN])
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
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "latency.txt").write_text("\n".join(report) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and latencies:
        reporter.write_line("")
        for line in report:
            reporter.write_line(line)


def expected_interactives(name):
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return len(re.findall(r"gu\.explore_\w+\(", code))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_every_interactive_responds(lab, browser, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        labdriver.open_and_run_all(page, lab, name)
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
            first = outputs.nth(0)
            first.scroll_into_view_if_needed()
            times = []
            for k in range(LATENCY_PRESSES):
                changed_after, _, _ = labdriver.press_and_watch(page, first, "ArrowLeft" if k % 2 else "ArrowRight")
                if changed_after is not None:
                    times.append(changed_after * 1000)
            assert times, "no key press changed the figure"
            browser.latencies[name] = statistics.median(times)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{Path(name).stem}.png"))
        assert labdriver.problems(page) == []
    finally:
        page.close()
        lab.shutdown_kernels()


def test_a_plot_that_ignores_its_slider_is_caught(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        labdriver.open_and_run_all(page, lab, BROKEN.name)
        output = labdriver.interactives(page).nth(0)
        labdriver.wait_for_canvas(output)
        changed_after, before, after = labdriver.press_and_watch(page, output)
        assert changed_after is None and after == before
        assert output.locator(".noUi-handle").first.get_attribute("aria-valuenow") != "-4.0"  # the slider did move
    finally:
        page.close()
        lab.shutdown_kernels()
