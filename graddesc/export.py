"""Export: any run back to the spreadsheet, as a workbook with live formulas (XlsxWriter).

One sheet per epoch, laid out like the workbook: hyperparameters in labelled cells at the top, a "start" row with
the starting weights and averages, then one row per update whose formulas read the row above. The cached value
of every formula is the engine's number, so the file reads right before any recalculation; change lr in B2 of
"epoch 1" and the whole workbook recomputes.
"""
import math
from pathlib import Path

import numpy as np

from .data import load_data
from .engine import train
from .models import Linear, Model, TwoNeuron
from .optimizers import SHEET_SQUARED_AVERAGE_START, Adam, Momentum, Optimizer, RMSProp

XLSX_FIRST_ROW = 8  # Excel row of the first update; row 7 is the start row, row 6 the header


def export_xlsx(model, optimizer, path, epochs=1, *, x=None, y=None, cached=True):
    """Write `train(model, optimizer, x, y, epochs)` as a workbook with live formulas (XlsxWriter).

    Linear and TwoNeuron (with or without ReLU); SGD, Momentum, RMSProp and Adam in the sheet convention. x, y
    default to the sheet's data. cached=False leaves the formulas without cached values, so a spreadsheet engine
    must compute them. Written to a temporary file beside `path` and renamed, so a failure leaves nothing behind.
    Returns the Run it wrote."""
    import os
    import tempfile

    import xlsxwriter

    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be SGD, Momentum, RMSProp or Adam, not {type(optimizer).__name__}")
    if optimizer.convention != "sheet" or getattr(optimizer, "anneal", False):
        raise ValueError("export_xlsx writes the sheet convention's formulas; the optimizer must have "
                         "convention='sheet' and no annealing (a macro rule, not a formula)")
    if any(np.ndim(v) for v in list(model.initial.values()) + list(optimizer.hyperparameters().values())):
        raise ValueError("export_xlsx writes one configuration; model and optimizer numbers must be scalars")
    path = Path(os.fspath(path))
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"path must end in .xlsx; got {str(path)!r}")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"path's folder {str(folder)!r} does not exist; create it or choose another folder")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"path's folder {str(folder)!r} is not writable; choose another folder")
    if x is None:
        x, y = load_data()
    run = train(model, optimizer, x, y, epochs)

    try:
        handle, temporary = tempfile.mkstemp(suffix=".xlsx.partial", dir=folder)
    except OSError as error:
        raise ValueError(f"path's folder {str(folder)!r} is not writable ({error.strerror}); "
                         "choose another folder") from None
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(temporary, {"nan_inf_to_errors": True})
        _write_epochs(workbook, run, cached)
        workbook.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return run


def _xlsx_columns(model, optimizer):
    names = list(model.names)
    columns = ["x", "y"] + names
    if isinstance(model, TwoNeuron):
        columns += ["h", "act"]
    columns += ["pred", "err_sq"] + [f"de_d{n}" for n in names]
    if optimizer.uses_momentum:
        columns += [f"mom_{n}" for n in names]
    if optimizer.uses_squared_average:
        columns += [f"sqavg_{n}" for n in names]
    return columns + [f"new_{n}" for n in names]


def _row_formulas(model, optimizer, at):
    """Excel formulas of one update row; `at(column, rows_up=0)` gives a cell reference."""
    names, f = model.names, {}
    if isinstance(model, Linear):
        f["pred"] = f"={at('b')}+{at('a')}*{at('x')}"
    else:
        f["h"] = f"={at('w1')}*{at('x')}+{at('b1')}"
        f["act"] = f"=MAX({at('h')},0)" if model.relu else f"={at('h')}"
        f["pred"] = f"={at('w2')}*{at('act')}+{at('b2')}"
    f["err_sq"] = f"=({at('y')}-{at('pred')})^2"
    if isinstance(model, Linear):
        f["de_db"] = f"=2*({at('pred')}-{at('y')})"
        f["de_da"] = f"={at('x')}*{at('de_db')}"
    else:
        f["de_db2"] = f"=2*({at('pred')}-{at('y')})"
        f["de_dw2"] = f"={at('act')}*{at('de_db2')}"
        f["de_db1"] = f"={at('w2')}*{at('de_db2')}" + (f"*IF({at('h')}>0,1,0)" if model.relu else "")
        f["de_dw1"] = f"={at('de_db1')}*{at('x')}"
    lr, beta1, beta2 = "$B$2", "$D$2", "$F$2"
    for n in names:
        g = at(f"de_d{n}")
        if isinstance(optimizer, Momentum):
            f[f"mom_{n}"] = f"={beta1}*{at(f'mom_{n}', 1)}+(1-{beta1})*{g}"
            f[f"new_{n}"] = f"={at(n)}-{lr}*{at(f'mom_{n}')}"
        elif isinstance(optimizer, RMSProp):
            f[f"new_{n}"] = f"={at(n)}-{lr}*{g}/SQRT({at(f'sqavg_{n}', 1)})"
            f[f"sqavg_{n}"] = f"={beta1}*{at(f'sqavg_{n}', 1)}+(1-{beta1})*{g}^2"
        elif isinstance(optimizer, Adam):
            f[f"mom_{n}"] = f"={beta1}*{at(f'mom_{n}', 1)}+(1-{beta1})*{g}"
            f[f"sqavg_{n}"] = f"={beta2}*{at(f'sqavg_{n}', 1)}+(1-{beta2})*{g}^2"
            f[f"new_{n}"] = f"={at(n)}-{lr}*{at(f'mom_{n}')}/SQRT({at(f'sqavg_{n}')})"
        else:
            f[f"new_{n}"] = f"={at(n)}-{lr}*{g}"
    return f


def _write_epochs(workbook, run, cached):
    from xlsxwriter.utility import xl_rowcol_to_cell

    model, optimizer, h = run.model, run.optimizer, run.history
    columns = _xlsx_columns(model, optimizer)
    col = {name: i for i, name in enumerate(columns)}
    n_rows, first, last = len(run.x), XLSX_FIRST_ROW, XLSX_FIRST_ROW + len(run.x) - 1
    bold = workbook.add_format({"bold": True})
    betas = list(optimizer.betas.items())

    def value(v):
        v = float(v)
        return v if math.isfinite(v) else "#NUM!"

    def formula(sheet, row, name, text, number):
        sheet.write_formula(row - 1, col[name], text, None, value(number) if cached else "")

    for epoch in range(1, run.epochs + 1):
        sheet = workbook.add_worksheet(f"epoch {epoch}")
        e = epoch - 1
        sheet.write(0, 0, f"graddesc export: {model!r} trained by {optimizer!r}, epoch {epoch} of {run.epochs}",
                    bold)
        # row 2: hyperparameters (later epochs read epoch 1's cells, so one edit recomputes everything)
        for k, (label, number) in enumerate([("lr", optimizer.lr)] + betas):
            sheet.write(1, 2 * k, label, bold)
            if epoch == 1:
                sheet.write_number(1, 2 * k + 1, float(number))
            else:
                formula_ref = f"='epoch 1'!{xl_rowcol_to_cell(1, 2 * k + 1)}"
                sheet.write_formula(1, 2 * k + 1, formula_ref, None, float(number) if cached else "")
        err_range = f"{xl_rowcol_to_cell(first - 1, col['err_sq'])}:{xl_rowcol_to_cell(last - 1, col['err_sq'])}"
        sheet.write(2, 0, "sheet error", bold)
        sheet.write_formula(2, 1, f"=SQRT(SUM({err_range}))", None,
                            value(run.epoch_errors[e]) if cached else "")
        sheet.write(2, 2, "true RMSE", bold)
        sheet.write_formula(2, 3, f"=SQRT(SUM({err_range})/{n_rows})", None,
                            value(run.epoch_rmse[e]) if cached else "")
        note = (f"{run.divergence_message()} (from there on the numbers overflow, as #NUM! in a spreadsheet)"
                if run.diverged_at and run.diverged_at[0] <= epoch
                else "Change lr (B2 of sheet 'epoch 1') and every row of every epoch recomputes.")
        sheet.write(3, 0, note)
        for name, i in col.items():
            sheet.write(5, i, name, bold)
        # row 7: the start row (starting weights and averages; later epochs continue from the last row before)
        sheet.write(6, 0, "start", bold)
        carried = [n for n in columns if n.startswith(("mom_", "sqavg_"))]
        for name in list(model.names) + carried:
            source = f"new_{name}" if name in model.names else name
            if epoch == 1:
                start = model.initial[name] if name in model.names else \
                    (0.0 if name.startswith("mom_") else SHEET_SQUARED_AVERAGE_START)
                sheet.write_number(6, col[name], float(start))
            else:
                prior = history_value(run, source, epoch - 2, n_rows - 1)
                formula(sheet, 7, name, f"='epoch {epoch - 1}'!{xl_rowcol_to_cell(last - 1, col[source])}", prior)
        # one row per update
        for r in range(n_rows):
            row = first + r

            def at(name, rows_up=0):
                return xl_rowcol_to_cell(row - 1 - rows_up, col[name])

            sheet.write_number(row - 1, col["x"], float(run.x[r]))
            sheet.write_number(row - 1, col["y"], float(run.y[r]))
            for name in model.names:
                above = xl_rowcol_to_cell(row - 2, col[name if r == 0 else f"new_{name}"])
                formula(sheet, row, name, f"={above}", h["theta"][model.names.index(name), e, r])
            for name, text in _row_formulas(model, optimizer, at).items():
                formula(sheet, row, name, text, history_value(run, name, e, r))
        sheet.freeze_panes(6, 2)


def history_value(run, name, epoch, row):
    """The engine's number behind one cell of the export."""
    h, names = run.history, run.model.names
    if name in ("pred", "err_sq"):
        return h[name][epoch, row]
    if name in ("h", "act"):
        hidden = h["h"][epoch, row]
        return max(hidden, 0.0) if name == "act" and run.model.relu else hidden
    if name.startswith("de_d"):
        return h["grad"][names.index(name[4:]), epoch, row]
    if name.startswith("new_"):
        return h["new_theta"][names.index(name[4:]), epoch, row]
    key, weight = name.split("_", 1)
    return h[key][names.index(weight), epoch, row]
