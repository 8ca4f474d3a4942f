"""Execute the course notebooks top to bottom in a fresh kernel and store them with their outputs.

    python tools/build_notebooks.py                       # every notebook: the learner's path, deeper/, answers/
    python tools/build_notebooks.py 02 deeper/03 answers  # those whose path under notebooks/ starts so
    python tools/build_notebooks.py notebooks/deeper/03_why_it_explodes.ipynb

jupytext pairs each notebook under notebooks/ with a percent-format script under tools/notebooks/ (same relative
path, see jupytext.toml): edit whichever you like, in JupyterLab or in an editor. This tool does what jupytext does not:
1. `jupytext --sync` the pair (the side edited last wins, as jupytext decides);
2. execute the notebook in a fresh kernel, in its own folder, so every output comes from a clean run;
3. strip what would change on every build (cell ids, execution timing) and store it, then sync the script again.
"""
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LAYERS = ("", "deeper", "answers")  # the learner's path, the rigorous layer, the worked answers


def all_notebooks():
    return [path for layer in LAYERS for path in sorted((NOTEBOOKS / layer).glob("*.ipynb"))]


def sync(path):
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "--quiet", str(path)], check=True, cwd=ROOT)


def build(path):
    if not path.exists():  # a new script with no notebook yet: jupytext makes the notebook from it
        script = ROOT / "tools" / "notebooks" / path.relative_to(NOTEBOOKS).with_suffix(".py")
        subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", "-o", str(path), str(script)],
                       check=True, cwd=ROOT)
    sync(path)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}
    # No widget state: without a kernel a widget is only an empty frame (ipympl's canvas has no pixels), and with
    # the state stored `jupyter nbconvert --to html` would pick that frame over the picture stored beside it.
    NotebookClient(notebook, timeout=900, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in notebook.cells:  # cell ids and timing metadata would change on every build
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):  # an interactive is stored as its picture (see static_output)
            static_output(output)
    notebook.nbformat_minor = 4
    nbformat.write(notebook, path)
    sync(path)  # the notebook is now the newer side: its script is rewritten from it (same cells)
    return path


def static_output(output):
    """Keep an interactive's stored picture, drop its widget view: a view refers to a kernel that is gone, so an
    unrun notebook in JupyterLab would say "model not found" and an HTML or PDF export would show an empty frame.
    Run the cell and the live widget comes back (Explorer._repr_mimebundle_ gives both)."""
    data = output.get("data", {})
    if "image/png" in data:
        data.pop("application/vnd.jupyter.widget-view+json", None)
    return output


def selected(arguments):
    scripts = ROOT / "tools" / "notebooks"
    known = set(all_notebooks()) | {NOTEBOOKS / p.relative_to(scripts).with_suffix(".ipynb")
                                    for p in scripts.rglob("*.py")}
    chosen = []
    for path in sorted(known):
        name = path.relative_to(NOTEBOOKS).as_posix()
        if not arguments or any(name.startswith(a) or path == Path(a).resolve() for a in arguments):
            chosen.append(path)
    return chosen


if __name__ == "__main__":
    for path in selected(sys.argv[1:]):
        print("built", build(path).relative_to(ROOT), flush=True)
