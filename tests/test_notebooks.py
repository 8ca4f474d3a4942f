"""The committed notebooks: hygiene, determinism, and surviving being run twice in one kernel."""
import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from notebook_sets import ALL as NOTEBOOKS, DEEPER, LEARNER, name

ROOT = Path(__file__).resolve().parents[1]
IGNORE = "nbval-ignore-output"  # the cell tag nbval reads; learners never see it
# executed once more (nbval runs each once): the learner's path and the rigorous notebooks with an interactive;
# the others print numbers that nbval already compares with what is stored
RUN_TWICE = [path for path in NOTEBOOKS
             if path in LEARNER or (path in DEEPER and "gu.explore_" in path.read_text())]
PROBE = """from matplotlib._pylab_helpers import Gcf
print(sorted(manager.canvas.figure.get_label() for manager in Gcf.get_all_fig_managers()))"""


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def text_outputs(cells):
    """What nbval compares, per code cell: stream text, text/plain and text/html (no widget ids, no images).
    Consecutive stream outputs are joined: how printed text is split into messages depends on timing."""
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                text = "".join(output["text"])
                if texts and texts[-1][0] == ("stream", output["name"]):
                    texts[-1] = (texts[-1][0], texts[-1][1] + text)
                else:
                    texts.append((("stream", output["name"]), text))
            for mime in ("text/plain", "text/html"):
                value = output.get("data", {}).get(mime)
                if value is not None:
                    texts.append((mime, "".join(value)))
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_notebook_hygiene(path):
    notebook = json.loads(path.read_text())
    cells = code_cells(notebook)
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        text = source(cell)
        interactive = re.search(r"gu\.explore_\w+\(", text) is not None
        # only widget cells are ignored by nbval, and every widget cell is, by a tag, not a comment learners read
        assert (IGNORE in cell.get("metadata", {}).get("tags", [])) == interactive, text[:80]
        assert "NBVAL" not in text
        for output in cell["outputs"]:
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", "".join(output.get("text", ""))
        if "gu.show(" in text or interactive:  # every figure is stored as an image, readable without a kernel
            assert any("image/png" in output.get("data", {}) for output in cell["outputs"]), text[:80]
    assert "/tmp/" not in path.read_text() and "/work/" not in path.read_text()


def execute(path, rerun_in_same_kernel):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        first = text_outputs([cell for cell in notebook.cells if cell.cell_type == "code"])
        labels = None
        if rerun_in_same_kernel:
            for index, cell in enumerate(notebook.cells):  # the whole notebook again, same kernel
                client.execute_cell(cell, index)
            probe = nbformat.v4.new_code_cell(PROBE)
            notebook.cells.append(probe)
            client.execute_cell(probe, len(notebook.cells) - 1)
            labels = ast.literal_eval("".join(probe.outputs[0]["text"]))
    return first, labels


def has_interactive(path):
    return "gu.explore_" in path.read_text()


_EXECUTED = {}


@pytest.fixture
def executions():
    """A notebook of RUN_TWICE executed once more in a fresh kernel (nbval's run is the other fresh one); where it
    holds an interactive, the same kernel then re-runs the whole notebook. Each is executed once, when a selected
    test first asks for it."""
    class Executions:
        def __getitem__(self, path):
            if path not in _EXECUTED:
                _EXECUTED[path] = execute(path, rerun_in_same_kernel=has_interactive(path))
            return _EXECUTED[path]
    return Executions()


@pytest.mark.parametrize("path", RUN_TWICE, ids=name)
def test_a_second_fresh_run_stores_identical_text(executions, path):
    """nbval compares one fresh run with what is stored; this is another, so two fresh runs agree with each other."""
    first, _ = executions[path]
    assert first == text_outputs(code_cells(json.loads(path.read_text())))


@pytest.mark.parametrize("path", [path for path in RUN_TWICE if has_interactive(path)], ids=name)
def test_running_twice_in_one_kernel_leaves_one_figure_per_interactive(executions, path):
    _, labels = executions[path]
    code = "\n".join(source(cell) for cell in code_cells(json.loads(path.read_text())))
    expected = sorted(re.findall(r"gu\.(explore_\w+)\(", code))
    assert len(labels) == len(expected), labels  # no duplicated or orphaned figures
    assert len(set(labels)) == len(labels)
