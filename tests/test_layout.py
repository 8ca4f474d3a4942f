"""The course's shape: a small vocabulary module, one idea per file behind it, notebooks paired with their scripts."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

import graddesc_utils as gu
from notebook_sets import ALL as NOTEBOOKS, SCRIPT_DIR, name, script_of

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted((ROOT / "graddesc").glob("*.py"))
HEAVY = ("matplotlib", "ipywidgets", "pandas", "xlsxwriter", "numba")


def test_the_vocabulary_module_is_small_and_every_name_it_exports_exists():
    assert len((ROOT / "graddesc_utils.py").read_text().splitlines()) <= 80
    assert len(gu.__all__) == len(set(gu.__all__))
    for name in gu.__all__:
        assert hasattr(gu, name), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_each_module_opens_with_a_docstring_and_stays_readable(path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path.name} has no opening docstring"
    assert len(path.read_text().splitlines()) <= 420, f"{path.name} is over ~400 lines: split it"


@pytest.mark.parametrize("module", ["graddesc.engine", "graddesc.replay", "graddesc.stability"])
def test_the_engine_imports_without_plotting_widgets_or_spreadsheets(module):
    probe = f"import sys; import {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_dependencies_point_one_way():
    """No module of the engine (checks, data, models, optimizers, run, engine) imports a module above it."""
    below = {"checks", "data", "models", "optimizers", "run", "engine", "kernels", "sweeps", "row_orders"}
    for name in below:
        path = ROOT / "graddesc" / f"{name}.py"
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module in below, f"{name}.py imports .{node.module}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_notebook_and_its_paired_script_agree(path):
    script = script_of(path)
    assert script.exists(), f"{name(path)} has no paired script (jupytext.toml pairs notebooks/ with tools/notebooks/)"
    from_script = jupytext.read(script)
    stored = json.loads(path.read_text())
    cells = [(c.cell_type, c.source) for c in from_script.cells]
    expected = [(c["cell_type"], "".join(c["source"])) for c in stored["cells"]]
    assert cells == expected, f"{path.name} and {script.name} disagree: run `jupytext --sync {path.relative_to(ROOT)}`"


def test_every_paired_script_has_its_notebook():
    scripts = {script_of(path) for path in NOTEBOOKS}
    for script in SCRIPT_DIR.rglob("*.py"):
        assert script in scripts, f"{script} has no notebook: run `python tools/build_notebooks.py`"
