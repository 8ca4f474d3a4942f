"""Build the course notebooks from their sources and execute them, top to bottom, in a fresh kernel.

    python tools/build_notebooks.py            # every notebook
    python tools/build_notebooks.py 02 03      # only those whose name starts with 02 or 03

Sources are `tools/notebooks/NN_name.py` in the percent format: a line `# %%` starts a code cell and
`# %% [markdown]` a markdown cell (its lines start with `# `). The executed notebooks go to `notebooks/`, with
execution counts 1..N and every figure stored as an image, so they read on GitHub without a kernel.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "notebooks"
TARGET = ROOT / "notebooks"


def cells_from_percent(text):
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(body))
        elif body:
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return cells


def build(source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells_from_percent(source.read_text())
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(TARGET)}}).execute()
    for cell in notebook.cells:  # cell ids and timing metadata would change on every build
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
    notebook.nbformat_minor = 4
    target = TARGET / (source.stem + ".ipynb")
    nbformat.write(notebook, target)
    return target


if __name__ == "__main__":
    prefixes = sys.argv[1:]
    for source in sorted(SOURCES.glob("*.py")):
        if not prefixes or any(source.name.startswith(p) for p in prefixes):
            print("built", build(source).relative_to(ROOT))
