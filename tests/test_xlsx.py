"""Export to the spreadsheet, proved in a real spreadsheet engine: every exported workbook is recalculated by
LibreOffice headless (the files carry no cached values, so every number is LibreOffice's own) and compared with
`train` to 1e-9 relative."""
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import graddesc_utils as gu
import graddesc.export
from graddesc.export import history_value

pytestmark = pytest.mark.spreadsheet
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
MODELS = {"linear": lambda: gu.Linear(), "two": lambda: gu.TwoNeuron(), "relu": lambda: gu.TwoNeuron(relu=True)}
OPTIMIZERS = {"SGD": lambda: gu.SGD(3e-5), "Momentum": lambda: gu.Momentum(3e-5, 0.9),
              "RMSProp": lambda: gu.RMSProp(0.01, 0.9), "Adam": lambda: gu.Adam(0.05, 0.9, 0.95)}
CASES = {f"{m}_{o}": (m, o, 2) for m in MODELS for o in OPTIMIZERS}
CASES["basic_sheet"] = ("linear", "basic", 1)
CASES["learner_divergent"] = ("two", "learner", 1)


def make(model, optimizer):
    special = {"basic": lambda: gu.SGD(1e-4), "learner": lambda: gu.SGD(1e-4)}
    return MODELS[model](), (special.get(optimizer) or OPTIMIZERS[optimizer])()


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Export every case without cached values, recalculate all of them in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("export")
    out = tmp_path_factory.mktemp("recalculated")
    runs = {}
    for name, (model, optimizer, epochs) in CASES.items():
        runs[name] = gu.export_xlsx(*make(model, optimizer), folder / f"{name}.xlsx", epochs=epochs, cached=False)
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}", "--calc",
                    "--convert-to", "xlsx", "--outdir", str(out), *sorted(map(str, folder.glob("*.xlsx")))],
                   check=True, capture_output=True, timeout=300)
    return runs, out


def cell_values(path, sheet):
    workbook = openpyxl.load_workbook(path, data_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header = rows[5]
    return rows, {name: i for i, name in enumerate(header) if name}


def compare(run, rows, col, epoch, last_row=None):
    last_row = len(run.x) if last_row is None else last_row
    for name, i in col.items():
        if name in ("x", "y"):
            continue
        for r in range(last_row):
            got = rows[gu.XLSX_FIRST_ROW - 1 + r][i]
            expected = run.history["theta"][run.model.names.index(name), epoch - 1, r] if name in run.model.names \
                else history_value(run, name, epoch - 1, r)
            assert isinstance(got, (int, float)), (name, r, got)
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-300), (name, epoch, r + 1)


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("basic_sheet", "learner_divergent")])
def test_libreoffice_recalculates_every_cell_to_the_engines_numbers(recalculated, case):
    runs, out = recalculated
    run = runs[case]
    for epoch in range(1, run.epochs + 1):
        rows, col = cell_values(out / f"{case}.xlsx", f"epoch {epoch}")
        compare(run, rows, col, epoch)
        assert rows[2][1] == pytest.approx(run.epoch_errors[epoch - 1], rel=1e-9)
        assert rows[2][3] == pytest.approx(run.epoch_rmse[epoch - 1], rel=1e-9)


def test_the_basic_sheet_recalculates_to_150_755(recalculated):
    _, out = recalculated
    rows, _ = cell_values(out / "basic_sheet.xlsx", "epoch 1")
    assert rows[2][1] == pytest.approx(150.755211537718, rel=1e-12)


def test_the_learners_divergent_run_is_written_with_a_note(recalculated):
    runs, out = recalculated
    run = runs["learner_divergent"]
    assert run.diverged_at == (1, 28)
    rows, col = cell_values(out / "learner_divergent.xlsx", "epoch 1")
    compare(run, rows, col, 1, last_row=28)
    assert rows[3][0].startswith("diverged at epoch 1, row 28")


def test_cached_values_are_the_engines_numbers(tmp_path):
    run = gu.export_xlsx(gu.TwoNeuron(relu=True), gu.Momentum(3e-5), tmp_path / "cached.xlsx", epochs=2)
    for epoch in (1, 2):
        rows, col = cell_values(tmp_path / "cached.xlsx", f"epoch {epoch}")
        compare(run, rows, col, epoch)
    formulas = openpyxl.load_workbook(tmp_path / "cached.xlsx")["epoch 2"]
    assert formulas["B2"].value == "='epoch 1'!B2"
    assert formulas["C8"].value == "=C7" and formulas["C9"].value.startswith("=")


def test_a_divergent_run_caches_overflow_as_num_errors(tmp_path):
    run = gu.export_xlsx(gu.TwoNeuron(), gu.SGD(1e-3), tmp_path / "boom.xlsx", epochs=2)
    rows, col = cell_values(tmp_path / "boom.xlsx", "epoch 2")
    assert run.diverged_at[0] == 1
    assert "#NUM!" in [rows[gu.XLSX_FIRST_ROW - 1 + r][col["pred"]] for r in range(29)]


def test_bad_paths_raise_clear_errors_and_leave_nothing_behind(tmp_path, monkeypatch):
    model, optimizer = gu.Linear(), gu.SGD(1e-4)
    with pytest.raises(ValueError, match="does not exist"):
        gu.export_xlsx(model, optimizer, tmp_path / "missing" / "out.xlsx")
    with pytest.raises(ValueError, match="must end in .xlsx"):
        gu.export_xlsx(model, optimizer, tmp_path / "out.csv")
    with pytest.raises(ValueError, match="not writable"):
        gu.export_xlsx(model, optimizer, Path("/proc/out.xlsx"))
    with pytest.raises(ValueError, match="convention='sheet'"):
        gu.export_xlsx(model, gu.Adam(0.1, convention="pytorch"), tmp_path / "out.xlsx")
    with pytest.raises(ValueError, match="one configuration"):
        gu.export_xlsx(gu.Linear(a=np.ones(2)), optimizer, tmp_path / "out.xlsx")

    def fail(*args):
        raise RuntimeError("disk full")
    monkeypatch.setattr(graddesc.export, "_write_epochs", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        gu.export_xlsx(model, optimizer, tmp_path / "out.xlsx")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("key", ["01", "02", "07"])
def test_the_export_button_writes_the_experiment_on_screen(key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    explorer = gu.EXPLORERS[key]()
    explorer.set(lr=explorer.controls["lr"].value * 10 ** explorer.controls["lr"].step)
    explorer.export_button.click()
    files = list(tmp_path.glob("*.xlsx"))
    assert len(files) == 1 and files[0].name in explorer.export_link.value
    rows, _ = cell_values(files[0], "epoch 1")
    shown = explorer.result
    run = shown if isinstance(shown, gu.Run) else next(iter(shown.values()))
    assert rows[1][1] == pytest.approx(explorer.controls["lr"].value)
    first_epoch = run.epoch_errors[0]
    assert rows[2][1] == pytest.approx(first_epoch) if np.isfinite(first_epoch) else rows[2][1] == "#NUM!"
