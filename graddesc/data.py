"""The spreadsheet's data: 29 rows (x, y) on the line y = 2x + 30, in the sheet's order; the data's best line (the
least-squares line, the target every fit, marker and check of the course is derived from); and the same data
standardized (z-scored), with the way back to the sheet's scale.

This is the only file that knows the sheet's numbers. Every function of the course that takes `x, y` defaults to
these 29 rows (`data_or_sheet`) and derives its targets from `best_line(x, y)`: on the sheet's data that is
exactly a = 2, b = 30. On data that no line fits exactly (noisy data), the best line is the least-squares line and
its sheet error, `residual_floor(x, y)`, is the lowest error any line (or linear 2-neuron model) can reach: an
"exact fit" then means a fit of that line, with that error, not 0.
"""
import functools
from pathlib import Path

import numpy as np

from .checks import check_data

DATA_PATH = Path(__file__).resolve().parent / "sheet_data.csv"  # shipped inside the package: works installed


def load_data():
    """The spreadsheet's 29 rows as float arrays (x, y), in sheet order. y = 2x + 30 exactly. Fresh copies on
    every call (the file is read once)."""
    table = _sheet_table()
    return table[:, 0].copy(), table[:, 1].copy()


@functools.lru_cache(maxsize=1)
def _sheet_table():
    table = np.loadtxt(DATA_PATH, delimiter=",", skiprows=1, dtype=float)
    table.flags.writeable = False
    return table


def data_or_sheet(x=None, y=None):
    """(x, y) checked as data (same length, non-empty, finite numbers), or the sheet's 29 rows when both are None."""
    if x is None and y is None:
        return load_data()
    if x is None or y is None:
        raise ValueError("give both x and y (the data's rows), or neither for the sheet's 29 rows")
    x, y = check_data(x, y)
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("x must take at least two different values (a line needs two points to be fitted)")
    return x, y


def best_line(x=None, y=None):
    """The data's best line y = slope*x + intercept: the least-squares line (exact when the rows lie on a line),
    returned as floats (slope, intercept). When every row lies exactly on a line with short decimals (the sheet's
    y = 2x + 30, or y = 3x + 10), those numbers are returned exactly, free of the fit's rounding: the line with
    the fewest significant digits that reproduces every y bit for bit."""
    x, y = data_or_sheet(x, y)
    mean_x, mean_y = x.mean(), y.mean()
    dx = x - mean_x
    slope = float(np.dot(dx, y - mean_y) / np.dot(dx, dx))
    intercept = float(mean_y - slope * mean_x)
    for digits in range(1, 16):  # the shortest rounding that every row confirms exactly
        a, b = float(f"{slope:.{digits}g}"), float(f"{intercept:.{digits}g}")
        if np.array_equal(a * x + b, y):
            return a, b
    return slope, intercept


def residual_floor(x=None, y=None):
    """The sheet error (root of the summed squared residuals) of the best line: 0 when the rows lie on a line, the
    lowest error any line, and any linear 2-neuron model, can reach otherwise. Online SGD at a constant lr does not
    settle on it: every row pulls the weights its own way, so the error hovers above the floor, the more the larger
    the lr (tests/test_any_data.py measures it)."""
    x, y = data_or_sheet(x, y)
    slope, intercept = best_line(x, y)
    residual = slope * x + intercept - y
    return float(np.sqrt(np.dot(residual, residual)))


def standardize(x, y):
    """The data z-scored (population standard deviation, as numpy's std): returns (xs, ys, to_sheet), where
    to_sheet(slope, intercept) maps a line fitted on the standardized scale, ys = slope*xs + intercept, back to the
    sheet's scale: y = a*x + b with a = slope*sd_y/sd_x and b = mean_y + sd_y*intercept - a*mean_x."""
    x, y = check_data(x, y)
    mean_x, sd_x, mean_y, sd_y = x.mean(), x.std(), y.mean(), y.std()
    if sd_x == 0 or sd_y == 0:
        raise ValueError("x and y must each take more than one value to be standardized")

    def to_sheet(slope, intercept):
        a = np.asarray(slope) * sd_y / sd_x
        return a, mean_y + sd_y * np.asarray(intercept) - a * mean_x
    return (x - mean_x) / sd_x, (y - mean_y) / sd_y, to_sheet
