"""Readable without a kernel: every notebook exported to HTML (nbconvert's Python API, as `jupyter nbconvert --to
html` does) shows each interactive as the picture stored with it, and no testing marker reaches the page.

Fast: the stored outputs are exported, nothing is executed. The printed page (tools/print.html.j2 in a real
chromium) is checked by the browser-marked tests at the end.
"""
import base64
import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from build_notebooks import static_output
from notebook_sets import ALL, name

ROOT = Path(__file__).resolve().parents[1]
PRINT_TEMPLATE = ROOT / "tools" / "print.html.j2"
INTERACTIVE = re.compile(r"gu\.explore_\w+\(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PICTURE = re.compile(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{200,}')
CELL = re.compile(r'<div class="jp-Cell jp-(Code|Markdown|Raw)Cell')
A4_CHARACTERS = 73  # code characters a printed A4 line holds (measured: test_a_printed_a4_line_holds_73_characters)


def export_html(notebook, template_file=None):
    exporter = HTMLExporter(template_file=str(template_file)) if template_file else HTMLExporter()
    body, _ = exporter.from_notebook_node(notebook)
    return body


def code_cells_html(body):
    """The exported HTML of each code cell, in order."""
    starts = [(m.start(), m.group(1)) for m in CELL.finditer(body)] + [(len(body), None)]
    return [body[start:end] for (start, kind), (end, _) in zip(starts, starts[1:]) if kind == "Code"]


def missing_pictures(notebook, body):
    """The source's first line of every interactive cell whose exported HTML holds no picture."""
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    parts = code_cells_html(body)
    assert len(parts) == len(cells)
    return [cell.source.splitlines()[0] for cell, part in zip(cells, parts)
            if INTERACTIVE.search(cell.source) and not PICTURE.search(part)]


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes (class names carry the cell tags), scripts or styles."""

    def __init__(self):
        super().__init__()
        self.hidden, self.text = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)


def visible_text(body):
    parser = VisibleText()
    parser.feed(body)
    return "".join(parser.text)


def interactive_notebook():
    """One interactive cell as it is stored: picture and widget view, as Explorer._repr_mimebundle_ gives them."""
    picture = (ROOT / "docs" / "course.png").read_bytes()
    output = nbformat.v4.new_output("execute_result", execution_count=1, data={
        WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "abc123"},
        "image/png": base64.b64encode(picture).decode(),
        "text/plain": "01 linear SGD: lr 1.0e-04 · sheet error after epoch 3 = 105.456"})
    cell = nbformat.v4.new_code_cell("gu.explore_linear()", outputs=[output], execution_count=1,
                                     metadata={"tags": ["nbval-ignore-output"]})
    return nbformat.v4.new_notebook(cells=[cell])


@pytest.mark.parametrize("path", ALL, ids=name)
def test_every_interactive_exports_as_its_picture(path):
    notebook = nbformat.read(path, as_version=4)
    body = export_html(notebook)
    assert missing_pictures(notebook, body) == []
    assert WIDGET_STATE not in body  # stored notebooks carry no widget state (tools/build_notebooks.py)
    # nor widget views, which JupyterLab would show as "model not found" before the notebook runs
    assert not [cell.source[:40] for cell in notebook.cells for output in cell.get("outputs", [])
                if WIDGET_VIEW in output.get("data", {})]
    assert "nbval" not in visible_text(body).lower()  # the cell tag stays metadata, never text a student reads
    assert "NBVAL" not in "".join(cell.source for cell in notebook.cells)


def test_the_picture_check_fails_where_nbconvert_would_show_an_empty_widget():
    # With the widget state stored (nbclient's default) nbconvert prefers the widget view: an empty frame offline.
    notebook = interactive_notebook()
    stateful = copy.deepcopy(notebook)
    stateful.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {"abc123": {
        "model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
        "state": {"children": []}}}}}
    assert missing_pictures(stateful, export_html(stateful)) == ["gu.explore_linear()"]
    assert missing_pictures(notebook, export_html(notebook)) == []


def test_the_build_stores_an_interactive_as_its_picture_alone():
    output = interactive_notebook().cells[0].outputs[0]
    stored = static_output(copy.deepcopy(output))
    assert set(stored["data"]) == {"image/png", "text/plain"}
    assert stored["data"]["image/png"] == output["data"]["image/png"]
    widget_only = nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {"model_id": "x"}, "text/plain": "x"})
    assert WIDGET_VIEW in static_output(widget_only)["data"]  # nothing to show instead: left as it is


def test_the_print_template_keeps_the_pictures_and_wraps_code():
    notebook = interactive_notebook()
    body = export_html(notebook, PRINT_TEMPLATE)
    assert missing_pictures(notebook, body) == []
    assert re.search(r"@media print\s*{[^}]*white-space:\s*pre-wrap", body)


@pytest.mark.parametrize("path", ALL, ids=name)
def test_no_code_line_takes_more_than_two_printed_lines(path):
    # The print template wraps a line longer than an A4 line instead of cutting it; the course's code keeps to its
    # style's 120 characters, so a printed line wraps at most once.
    notebook = json.loads(path.read_text())
    long = [line for cell in notebook["cells"] if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if len(line) > 2 * A4_CHARACTERS]
    assert long == []


# --- the printed page, in a real chromium (Debian's, as the browser tests use) ---------------------------------------

A4_TEXT_WIDTH = round((8.27 - 2 * 0.5) * 96)  # CSS pixels between nbconvert's 0.5 in page margins on A4
OVERFLOW = """() => Array.from(document.querySelectorAll('.jp-InputArea-editor pre'))
                    .filter(pre => pre.scrollWidth > pre.clientWidth + 1).length"""


@pytest.fixture(scope="module")
def printer():
    playwright_api = pytest.importorskip("playwright.sync_api")
    import labdriver

    if not Path(labdriver.CHROMIUM).exists():
        pytest.skip("needs chromium at " + labdriver.CHROMIUM)
    with playwright_api.sync_playwright() as playwright:
        browser = labdriver.launch(playwright)
        page = browser.new_page(viewport={"width": A4_TEXT_WIDTH, "height": 1000})
        page.emulate_media(media="print")
        yield page
        browser.close()


def cut_code_blocks(page, body, tmp_path):
    html = tmp_path / "printed.html"
    html.write_text(body)
    page.goto(html.as_uri())
    return page.evaluate(OVERFLOW)


@pytest.mark.browser
@pytest.mark.parametrize("path", ALL, ids=name)
def test_printed_code_is_never_cut_at_the_margin(path, printer, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    assert cut_code_blocks(printer, export_html(notebook, PRINT_TEMPLATE), tmp_path) == 0


@pytest.mark.browser
def test_a_printed_a4_line_holds_73_characters(printer, tmp_path):
    fits = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x" * A4_CHARACTERS)])
    assert cut_code_blocks(printer, export_html(fits), tmp_path) == 0  # even with JupyterLab's own template
    wider = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x" * (A4_CHARACTERS + 3))])
    assert cut_code_blocks(printer, export_html(wider), tmp_path) == 1


@pytest.mark.browser
def test_the_margin_check_fails_on_jupyterlabs_own_template(printer, tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = " + " + ".join(["1"] * 40))])
    assert cut_code_blocks(printer, export_html(notebook), tmp_path) == 1
    assert cut_code_blocks(printer, export_html(notebook, PRINT_TEMPLATE), tmp_path) == 0


@pytest.mark.browser
def test_a_notebook_prints_to_pdf_with_its_pictures(printer, tmp_path):
    notebook = interactive_notebook()
    html = tmp_path / "printed.html"
    html.write_text(export_html(notebook, PRINT_TEMPLATE))
    printer.goto(html.as_uri())
    assert printer.evaluate("() => Array.from(document.images).filter(i => i.naturalWidth > 100).length") == 1
    pdf = printer.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
