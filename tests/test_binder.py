"""Binder's recipe, proved: a fresh virtual environment built from exactly binder/requirements.txt runs every
notebook, holds the versions the tests ran with, and repo2docker would install that file (and run postBuild)."""
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from notebook_sets import LEARNER

pytestmark = pytest.mark.binder
ROOT = Path(__file__).resolve().parents[1]
PINNED = {"numpy", "matplotlib", "pandas", "xlsxwriter", "ipywidgets", "ipympl", "jupyterlab", "numba", "llvmlite"}


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("binder")
    venv.EnvBuilder(with_pip=True).create(home / "venv")
    python = home / "venv" / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", ROOT / "binder" / "requirements.txt"],
                   check=True, cwd=ROOT)
    # then postBuild, as repo2docker runs it: from the repository, with the environment's python first on PATH
    env = dict(os.environ, NB_PYTHON_PREFIX=str(home / "venv"), PATH=f"{home / 'venv' / 'bin'}:{os.environ['PATH']}")
    subprocess.run([ROOT / "binder" / "postBuild"], check=True, cwd=ROOT, env=env)
    return home, python


def test_post_build_installs_the_settings_and_compiles_the_sweeps(binder_env):
    home, python = binder_env
    settings = home / "venv" / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(settings.read_text()) == json.loads((ROOT / "binder" / "jupyterlab-settings" /
                                                          "overrides.json").read_text())
    # a fresh kernel afterwards loads every sweep the notebooks use from numba's cache, compiling none
    probe = ("import graddesc.sweeps as k; n = k.compile_kernels(); s = k.run.stats; "
             "print(n, sum(s.cache_hits.values()), sum(s.cache_misses.values()))")
    sweeps, hits, misses = subprocess.run([python, "-c", probe], check=True, cwd=ROOT, capture_output=True,
                                          text=True).stdout.split()
    assert int(misses) == 0 and int(hits) == int(sweeps) >= 20


def test_binder_environment_has_the_pinned_versions(binder_env):
    _, python = binder_env
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert set(pins) == PINNED
    frozen = subprocess.run([python, "-m", "pip", "freeze"], check=True, capture_output=True, text=True).stdout
    installed = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", frozen, re.M))
    installed = {name.lower(): version for name, version in installed.items()}
    for name, version in pins.items():
        assert installed.get(name.lower()) == version, name


def test_the_learners_path_runs_in_the_binder_environment(binder_env):
    home, python = binder_env
    out = home / "executed"
    notebooks = LEARNER
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "jupyter-data"))
    subprocess.run([python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", out,
                    "--ExecutePreprocessor.timeout=600", *notebooks], check=True, cwd=ROOT / "notebooks", env=env,
                   capture_output=True)
    for notebook in notebooks:
        executed = json.loads((out / notebook.name).read_text())
        for cell in executed["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", (notebook.name, output.get("ename"))
                assert "Warning" not in "".join(output.get("text", "")), notebook.name


def test_repo2docker_would_install_binder_requirements_and_run_post_build():
    repo2docker = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run([repo2docker, "--no-build", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    dockerfile = result.stdout + result.stderr
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert "python=3.11" in dockerfile  # from runtime.txt
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
