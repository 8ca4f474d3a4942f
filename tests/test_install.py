"""Installable, proved: `pip install .` into a fresh virtual environment provides `graddesc` and `graddesc_utils`
from any folder, with the sheet's data inside the package; a notebook copied out of the repository runs there; a
teacher's `pip install -e .` points at the repository; the runtime dependencies are declared; Binder installs the
course the same way, from the whole repository.

The environments see the packages of the environment running the tests, so the heavy dependencies are not
downloaded again; the course itself is built and installed from the repository like any package, and imported
from the new environment, never from the one running the tests.
"""
import ast
import importlib.metadata as metadata
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import nbformat
import pytest

from notebook_sets import DEEPER

pytestmark = pytest.mark.install
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = DEEPER[0]  # deeper/00_start_here: loads the data, replays the sheet, checks the versions
PROBE = ("import sys, graddesc, graddesc_utils as gu; x, y = gu.load_data(); "
         "print(sys.prefix); print(graddesc.__file__); print(gu.__file__); print(gu.DATA_PATH); print(len(x))")


def site_packages(prefix):
    return Path(prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def fresh_venv(home):
    """A new virtual environment that also sees the packages of the one running the tests (as
    `--system-site-packages` would, but from inside a virtual environment too, as in CI): their folders are appended
    to its path by a .pth file, after its own site-packages, and their own .pth files (such as an editable install
    of the course) are not run."""
    venv.EnvBuilder(with_pip=True).create(home)
    running = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site_packages(home) / "zz_test_environment.pth").write_text("\n".join(running) + "\n")
    return home / "bin" / "python"


def pip(python, *arguments, cwd=ROOT):
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", *arguments], check=True, cwd=cwd,
                   capture_output=True)


def probe(python, cwd):
    result = subprocess.run([python, "-c", PROBE], check=True, cwd=cwd, capture_output=True, text=True)
    prefix, package, module, data, rows = result.stdout.split("\n")[:5]
    return Path(prefix), Path(package), Path(module), Path(data), int(rows)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    home = tmp_path_factory.mktemp("install")
    python = fresh_venv(home / "venv")
    # `pip install .` builds in the source folder (build/): from a copy of the repository, to leave it untouched
    source = home / "repository"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "artifacts", "*.egg-info",
                                                                 "__pycache__", "*.xlsx"))
    pip(python, ".", cwd=source)  # not editable: the package is copied into the environment
    return home, python


def test_pip_install_provides_the_course_from_any_folder(installed):
    home, python = installed
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    prefix, package, module, data, rows = probe(python, elsewhere)
    site = site_packages(prefix)
    assert prefix == home / "venv"
    assert package == site / "graddesc" / "__init__.py"
    assert module == site / "graddesc_utils.py"
    assert data == site / "graddesc" / "sheet_data.csv"  # the sheet's rows are package data
    assert rows == 29


def test_a_notebook_copied_out_of_the_repository_runs(installed):
    home, python = installed
    folder = home / "copied"
    folder.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # the notebook, and a last cell saying where gu came from
    notebook.cells.append(nbformat.v4.new_code_cell("import sys\nprint('kernel in', sys.prefix)\n"
                                                    "print('gu from', gu.__file__)"))
    nbformat.write(notebook, folder / NOTEBOOK.name)
    out = home / "executed"
    subprocess.run([python, "-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir", out,
                    "--ExecutePreprocessor.timeout=600", NOTEBOOK.name], check=True, cwd=folder,
                   capture_output=True, env={"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(home)})
    executed = json.loads((out / NOTEBOOK.name).read_text())
    texts = []
    for cell in executed["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output.get("evalue")
            assert output.get("name") != "stderr", "".join(output.get("text", ""))
            texts.append("".join(output.get("text", "")))
    assert "29 data rows" in "".join(texts)
    site = site_packages(home / "venv")
    assert f"kernel in {home / 'venv'}\ngu from {site / 'graddesc_utils.py'}\n" == texts[-1]


def test_an_editable_install_points_at_the_repository(tmp_path):
    # a teacher's `pip install -e .` (what requirements.txt does): a change in graddesc/ takes effect on restart
    python = fresh_venv(tmp_path / "venv")
    pip(python, "-e", ".")
    _, package, module, data, rows = probe(python, tmp_path)
    assert package == ROOT / "graddesc" / "__init__.py"
    assert module == ROOT / "graddesc_utils.py"
    assert data == ROOT / "graddesc" / "sheet_data.csv" and rows == 29


def third_party_imports():
    """Top-level modules the course's code imports (at the top or inside functions), outside the standard library."""
    found = set()
    for path in [ROOT / "graddesc_utils.py", *sorted((ROOT / "graddesc").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in ("graddesc",
                                                                                            "graddesc_utils")}


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_module_the_code_imports_is_a_declared_dependency():
    declared = {normal(re.split(r"[<>=!~;\[ ]", spec)[0])
                for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    # a module may come with a declared package (IPython with ipywidgets, cycler with matplotlib)
    brought = {normal(re.split(r"[<>=!~;\[ ]", spec)[0]) for name in declared
               for spec in (metadata.requires(name) or []) if "extra ==" not in spec}
    distributions = metadata.packages_distributions()
    imported = third_party_imports()
    assert {"numpy", "matplotlib", "ipywidgets", "xlsxwriter", "numba"} <= imported
    for module in imported:
        names = {normal(d) for d in distributions.get(module, [module])}
        assert names & (declared | brought), f"{module} is imported but not declared in pyproject.toml"


def test_binder_installs_the_course_from_the_whole_repository():
    # binder/requirements.txt -> ../requirements.txt -> `-e .`: pip reads `.` from its working folder, the
    # repository's root, where repo2docker runs it; and repo2docker installs it only after copying the whole
    # repository (a requirements file with a local reference is not installed early from a subset)
    def requirements(path):
        return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]

    assert requirements(ROOT / "binder" / "requirements.txt") == ["-r ../requirements.txt"]
    assert "-e ." in requirements(ROOT / "requirements.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-test.txt").read_text().splitlines()  # CI, the same way
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'cd "$(dirname "$0")/.."' in ci and "pip install -r requirements-test.txt" in ci
    repo2docker = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run([repo2docker, "--no-build", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    dockerfile = result.stdout + result.stderr
    copy_repo = dockerfile.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_repo < install
    assert re.search(r"WORKDIR \$\{REPO_DIR\}", dockerfile[:install])
