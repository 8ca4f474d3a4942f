"""Drive the course in a real JupyterLab in a real browser (Debian's chromium through Python playwright).

Used by tests/test_browser.py and tools/readme_picture.py. A `Lab` serves a temporary copy of the course (so
nothing a run does is saved into the repository) on 127.0.0.1 with the JupyterLab settings Binder uses
(binder/jupyterlab-settings/overrides.json), and stops it afterwards.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOKEN = "graddesc-test"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show

# A hash of the figure's pixels, read in the page: changes when the canvas shows something new.
CANVAS_HASH = """(output) => {
    const canvas = output.querySelector('.jupyter-matplotlib-canvas-div canvas');
    if (!canvas || canvas.width === 0) return null;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 0;
    for (let i = 0; i < data.length; i += 3) hash = (hash * 31 + data[i]) | 0;
    return hash;
}"""


class Lab:
    """A fresh JupyterLab server on a temporary copy of the course."""

    def __init__(self, extra_notebooks=()):
        self.work = Path(tempfile.mkdtemp(prefix="graddesc-lab-"))
        course = self.work / "course"
        shutil.copytree(ROOT / "notebooks", course / "notebooks")
        shutil.copy(ROOT / "graddesc_utils.py", course)
        shutil.copytree(ROOT / "graddesc", course / "graddesc", ignore=shutil.ignore_patterns("*.pyc"))  # numba's cache comes along
        for notebook in extra_notebooks:
            shutil.copy(notebook, course / "notebooks")
        self.pages = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(self.work / "user-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.work / "workspaces"), JUPYTER_RUNTIME_DIR=str(self.work / "rt"))
        self.log = open(self.work / "server.log", "w")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={course}",
             f"--LabApp.app_settings_dir={ROOT / 'binder' / 'jupyterlab-settings'}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(self.work / 'server.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/api?token={TOKEN}", timeout=2)
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("JupyterLab did not answer within 60 s")
                time.sleep(0.3)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name):
        """A fresh, empty workspace for every page, so earlier notebooks are not reopened beside this one."""
        self.pages += 1
        return f"{self.url}/lab/workspaces/page{self.pages}/tree/notebooks/{name}?reset&token={TOKEN}"

    def shutdown_kernels(self):
        request = urllib.request.Request(f"{self.url}/api/kernels?token={TOKEN}")
        for kernel in json.load(urllib.request.urlopen(request, timeout=10)):
            urllib.request.urlopen(urllib.request.Request(f"{self.url}/api/kernels/{kernel['id']}?token={TOKEN}",
                                                          method="DELETE"), timeout=30)

    def close(self):
        self.server.terminate()
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def open_and_run_all(page, lab, name, timeout_s=240):
    """Open a notebook, wait for its kernel (name set and idle), Run All, wait until every cell has run."""
    page.goto(lab.notebook_url(name))
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=60_000)
    page.wait_for_function("""() => { const k = document.querySelector('%s .jp-Toolbar-kernelName');
                                      return k && k.textContent.trim() && !k.textContent.includes('No Kernel'); }"""
                           % PANEL, timeout=60_000)
    page.wait_for_selector(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
    page.click('.lm-MenuBar-itemLabel:text-is("Run")')
    page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
    page.wait_for_function("""() => { const p = Array.from(document.querySelectorAll('.jp-Cell .jp-InputPrompt'));
                                      return p.length && !p.some(e => e.textContent.includes('*'))
                                             && p.every(e => /\\[\\d+\\]/.test(e.textContent) || !e.closest('.jp-CodeCell')); }""",
                           timeout=timeout_s * 1000)
    page.wait_for_selector(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout_s * 1000)


def problems(page):
    """Error outputs and broken widgets on the page."""
    found = []
    errors = page.locator(f'{PANEL} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for i in range(errors.count()):
        text = errors.nth(i).inner_text()
        if "Traceback" in text or "Error" in text or "Warning" in text:
            found.append(text[:500])
    outputs = page.locator(f"{PANEL} .jp-OutputArea-output")
    if outputs.filter(has_text="Error displaying widget").count():
        found.append("Error displaying widget")
    if outputs.filter(has_text=re.compile("model not found", re.IGNORECASE)).count():
        found.append("widget model not found")
    return found


def interactives(page):
    return page.locator(f"{PANEL} .jp-OutputArea-output:has(.jupyter-matplotlib)")


def readout(output):
    return output.locator(".graddesc-readout .widget-html-content").first.inner_text()


def wait_for_canvas(output, timeout_s=20):
    output.scroll_into_view_if_needed()
    deadline = time.time() + timeout_s
    while output.evaluate(CANVAS_HASH) is None:
        if time.time() > deadline:
            raise AssertionError("the figure's canvas never got a size (0 x 0): the widget did not render")
        time.sleep(0.05)
    time.sleep(0.3)  # the first frame lands


def press_and_watch(page, output, key="ArrowRight", within_s=2.0):
    """Focus the interactive's first slider, press `key`, and wait for new pixels and a new readout.

    Returns (seconds from key press to new pixels or None, readout before, readout after)."""
    before_pixels, before_text = output.evaluate(CANVAS_HASH), readout(output)
    output.locator(".noUi-handle").first.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    changed_at = None
    while time.perf_counter() - start < within_s:
        if changed_at is None and output.evaluate(CANVAS_HASH) != before_pixels:
            changed_at = time.perf_counter() - start
        if changed_at is not None and readout(output) != before_text:
            break
        time.sleep(0.005)
    return changed_at, before_text, readout(output)
