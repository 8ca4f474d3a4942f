"""The spreadsheet's data: 29 rows (x, y) on the line y = 2x + 30, in the sheet's order; and the same data
standardized (z-scored), with the way back to the sheet's scale."""
from pathlib import Path

import numpy as np

from .checks import check_data

DATA_PATH = Path(__file__).resolve().parent / "sheet_data.csv"  # shipped inside the package: works installed


def load_data():
    """The spreadsheet's 29 rows as float arrays (x, y), in sheet order. y = 2x + 30 exactly."""
    table = np.loadtxt(DATA_PATH, delimiter=",", skiprows=1, dtype=float)
    return table[:, 0].copy(), table[:, 1].copy()



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
