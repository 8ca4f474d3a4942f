"""Run All for every notebook, as a learner's Binder would: seconds from Run All to the last cell done, and the
kernel's peak memory. `python benchmarks/notebooks.py [--json]`; `python benchmarks/run.py` runs it on one core
(taskset) and on all cores.

The kernel is started first and timed from the first cell (a kernel's start-up is JupyterLab's, not the course's);
its peak memory is the kernel process's peak resident set (getrusage ru_maxrss), read by one extra cell at the end.
The kernel inherits this process's CPU affinity, so `taskset -c 0 python benchmarks/notebooks.py` measures one core.
"""
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LAYERS = {"learner's path": "", "deeper": "deeper", "answers": "answers"}
TARGETS = {"learner's path": (10.0, 400.0), "deeper": (30.0, 600.0), "answers": (30.0, 600.0)}  # s, MB
PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"  # kB on Linux


def run_all(path):
    """(seconds for Run All, the kernel's peak resident memory in MB) for one notebook, in a fresh kernel."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK))
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        t0 = time.perf_counter()
        for index, cell in enumerate(notebook.cells[:-1]):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - t0
        client.execute_cell(notebook.cells[-1], len(notebook.cells) - 1)
    peak_kb = int("".join(notebook.cells[-1].outputs[0]["text"]).strip())
    return seconds, peak_kb / 1024


def measure_all(layers=tuple(LAYERS)):
    rows = []
    for layer, folder in ((name, LAYERS[name]) for name in layers):
        for path in sorted((NOTEBOOKS / folder).glob("*.ipynb")):
            seconds, megabytes = run_all(path)
            rows.append({"layer": layer, "notebook": path.relative_to(NOTEBOOKS).as_posix(), "seconds": seconds,
                         "peak_mb": megabytes})
            print(f"{rows[-1]['notebook']}: {seconds:.1f} s, {megabytes:.0f} MB", file=sys.stderr, flush=True)
    return rows


def met(row):
    seconds, megabytes = TARGETS[row["layer"]]
    return row["seconds"] <= seconds and row["peak_mb"] <= megabytes


if __name__ == "__main__":
    rows = measure_all()
    if "--json" in sys.argv:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['notebook']:45} {row['seconds']:6.1f} s {row['peak_mb']:6.0f} MB "
                  f"{'met' if met(row) else 'MISSED'}")
