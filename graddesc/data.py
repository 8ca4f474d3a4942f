"""The spreadsheet's data: 29 rows (x, y) on the line y = 2x + 30, in the sheet's order."""
from pathlib import Path

import numpy as np

DATA_PATH = Path(__file__).resolve().parents[1] / "data" / "graddesc.csv"


def load_data():
    """The spreadsheet's 29 rows as float arrays (x, y), in sheet order. y = 2x + 30 exactly."""
    table = np.loadtxt(DATA_PATH, delimiter=",", skiprows=1, dtype=float)
    return table[:, 0].copy(), table[:, 1].copy()

