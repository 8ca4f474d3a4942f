"""Execute the course notebooks top to bottom in a fresh kernel and store them with their outputs.

    python tools/build_notebooks.py            # every notebook
    python tools/build_notebooks.py 02 03      # only those whose name starts with 02 or 03

jupytext pairs each notebook in notebooks/ with a percent-format script in tools/notebooks/ (see jupytext.toml):
edit whichever you like, in JupyterLab or in an editor. This tool does what jupytext does not:
1. `jupytext --sync` the pair (the side edited last wins, as jupytext decides);
2. execute the notebook in a fresh kernel, so every output comes from a clean run;
3. strip what would change on every build (cell ids, execution timing) and store it, then sync the script again.
"""
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def sync(path):
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet", str(path)], check=True, cwd=ROOT)


def build(path):
    sync(path)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    for cell in notebook.cells:  # cell ids and timing metadata would change on every build
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
    notebook.nbformat_minor = 4
    nbformat.write(notebook, path)
    sync(path)  # the notebook is now the newer side: its script is rewritten from it (same cells)
    return path


if __name__ == "__main__":
    prefixes = sys.argv[1:]
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not prefixes or any(path.name.startswith(p) for p in prefixes):
            print("built", build(path).relative_to(ROOT))
