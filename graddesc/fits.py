"""Exact fits of the 2-neuron model, what small steps conserve, and where training lands.

pred = w2*(w1*x + b1) + b2 is the line (w1*w2)*x + (w2*b1 + b2). With the data's best line y = slope*x + intercept
(`best_line(x, y)` in data.py), every weights with w1*w2 = slope and w2*b1 + b2 = intercept fit it, a
2-dimensional family (pick w1 and b1, the rest follows). When the rows lie on a line these fits are exact (error
0); on data no line fits (noisy data) the same family is the best the model can do: "exact fit" then means a fit
of the least-squares line, with the error `residual_floor(x, y)`, not 0.

Gradient flow (infinitely small steps) keeps w1^2 + b1^2 - w2^2 constant (its time derivative is
-2r*w2*h + 2r*w2*h = 0), so a start decides which fits it can reach; finite steps let it drift. `destination`
trains until the error is tiny and returns the fit a run really lands on.
"""
import numpy as np

from .data import best_line, data_or_sheet
from .engine import train
from .epoch_map import stability_edge
from .models import TwoNeuron
from .optimizers import SGD
from .stability import row_curvature


def balance(params):
    """w1^2 + b1^2 - w2^2: constant under gradient flow on the linear 2-neuron model; finite steps let it drift."""
    return params["w1"] ** 2 + params["b1"] ** 2 - params["w2"] ** 2


def exact_fit(w1, b1, x=None, y=None):
    """The 2-neuron weights with w1, b1 given whose line is the data's best line y = slope*x + intercept (default:
    the sheet's rows): w2 = slope/w1, b2 = intercept - w2*b1. An exact fit when the rows lie on a line;
    on other data a fit of the least-squares line, whose error is the residual floor (data.residual_floor)."""
    slope, intercept = best_line(x, y)
    w2 = slope / np.asarray(w1, dtype=float)
    return {"w1": w1, "b1": b1, "w2": w2, "b2": intercept - w2 * b1}


def _best_exact_fit(score, line, coarse=(60, 81), b1_range=400.0, rounds=10):
    """The exact fit (fixed by w1, b1) with the smallest `score(w1 grid, b1 grid)`: a coarse grid (w1 log-spaced,
    both signs; b1 linear), then `rounds` 21 x 21 grids, each half as wide as the last, around the best point.
    line: the data (x, y) whose best line the fits follow."""
    w1 = np.geomspace(0.1, 10, coarse[0])
    w1 = np.r_[-w1[::-1], w1]
    b1 = np.linspace(-b1_range, b1_range, coarse[1])
    half_w1, half_b1 = None, 2 * (b1[1] - b1[0])
    for _ in range(rounds + 1):
        grid_w1, grid_b1 = np.meshgrid(w1, b1, indexing="ij")
        values = score(grid_w1, grid_b1)
        i, j = np.unravel_index(np.nanargmin(values), values.shape)
        best_w1, best_b1, best = grid_w1[i, j], grid_b1[i, j], values[i, j]
        half_w1 = 0.2 * abs(best_w1) if half_w1 is None else half_w1 / 2
        half_b1 /= 1 if half_w1 is None else 2
        w1 = np.linspace(best_w1 - half_w1, best_w1 + half_w1, 21)
        b1 = np.linspace(best_b1 - half_b1, best_b1 + half_b1, 21)
    params = {k: float(v) for k, v in exact_fit(float(best_w1), float(best_b1), *line).items()}
    return params, float(best)


def least_sharp_fit(x=None, y=None):
    """Among all exact fits (of the best line of x, y; default the sheet's rows) of the linear 2-neuron model, the
    one whose largest row curvature max_x K is smallest. Returns (params, max K)."""
    x, y = data_or_sheet(x, y)
    model = TwoNeuron()
    return _best_exact_fit(lambda w1, b1: row_curvature(model, exact_fit(w1, b1, x, y), x[:, None, None]).max(axis=0),
                           (x, y))


def most_stable_fit(x=None, y=None, low=5e-5, high=1e-3):
    """Among all exact fits (of the best line of x, y; default the sheet's rows) of the linear 2-neuron model, the
    one whose first edge (the largest lr up to which it is stable without a break, `stability_edge`, scanned from
    `low` to `high`) is highest: a grid search over (w1, b1), refined around the best. Returns (params, that
    learning rate)."""
    x, y = data_or_sheet(x, y)
    model = TwoNeuron()
    params, edge = _best_exact_fit(
        lambda w1, b1: -stability_edge(model, exact_fit(w1, b1, x, y), x, low=low, high=high), (x, y), rounds=8)
    return params, -edge


def destination(params, lr, epochs=20_000, tol=1e-6, x=None, y=None):
    """Where SGD from `params` (a dict for the 2-neuron model; arrays for several starts or lrs) lands: trained
    until its sheet error has been below tol and falling for a while (train's stop_below), at most `epochs`.
    Returns (the final weights, the Run): NaN weights where the run diverged; check `converged(run, tol)`."""
    x, y = data_or_sheet(x, y)
    run = train(TwoNeuron(**params), SGD(lr), x, y, epochs, trace=False, stop_below=tol)
    return run.params, run


def fits_plane(b1, w2, x=None, y=None):
    """The exact fits (of the best line y = slope*x + intercept of x, y; default the sheet's rows) at every
    (b1, w2) (arrays broadcast): w1 = slope/w2, b2 = intercept - w2*b1."""
    slope, intercept = best_line(x, y)
    b1, w2 = np.broadcast_arrays(np.asarray(b1, dtype=float), np.asarray(w2, dtype=float))
    return {"w1": slope / w2, "b1": b1, "w2": w2, "b2": intercept - w2 * b1}


def balance_curve(balance_value, w2, x=None, y=None):
    """The exact fits (of the best line of x, y; default the sheet's rows) with w1^2 + b1^2 - w2^2 = balance_value,
    as b1 >= 0 for every w2 (NaN where none): (slope/w2)^2 + b1^2 - w2^2 = c. Mirror it (-b1) for the other
    branch."""
    slope, _ = best_line(x, y)
    w2 = np.asarray(w2, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.sqrt(balance_value - slope * slope / (w2 * w2) + w2 * w2)
