"""Stability: curvature K per row, the stability meter, the epoch map, exact fits and their edges.

One online SGD step on row (x, y) moves that row's residual r = pred - y to about (1 - 2*lr*K)*r, where
K = ||d pred / d weights||^2 at that row. The step is stable while |1 - 2*lr*K| < 1, i.e. lr*K < 1.
"""
import numpy as np

from .checks import square
from .data import load_data
from .models import TwoNeuron
from .optimizers import SGD

STABILITY_THRESHOLD = 1.0  # lr * K above this makes the row's residual grow


def row_curvature(model, params, x):
    """K = ||d pred / d weights||^2 for each row x, at weights `params` (a dict; arrays broadcast).

    Linear: K = x^2 + 1. TwoNeuron: K = w2^2 (x^2 + 1) + h^2 + 1 with h = w1*x + b1 (ReLU: the w2 term and h^2
    vanish where h <= 0)."""
    theta = [np.asarray(params[name], dtype=float) for name in model.names]
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        return sum(square(d) for d in model.pred_gradient(theta, x))


def stability_meter(run):
    """lr * K for every row of a traced run, with the weights in use at that row: shape (epochs, rows).

    Where it is above 1 the step overshoots by more than the residual it corrects, and that row's error grows."""
    run._need_history()
    if run.shape:
        raise ValueError("stability_meter takes a single configuration's run")
    h = run.history
    weights_in_use = {name: h["theta"][i] for i, name in enumerate(run.model.names)}
    with np.errstate(all="ignore"):
        return h["lr"] * row_curvature(run.model, weights_in_use, h["x"])


def residual_factor(model, params, lr, x, y):
    """(residual after one SGD step on row (x, y)) / (residual before): measured, not approximated."""
    theta = np.array([float(params[name]) for name in model.names])
    before = float(model.predict(theta, x)) - y
    optimizer = SGD(lr)
    optimizer.step(theta, model.loss_gradient(theta, x, y), optimizer.init_state((), len(theta)))
    return (float(model.predict(theta, x)) - y) / before


def balance(params):
    """w1^2 + b1^2 - w2^2: unchanged by gradient flow on the linear 2-neuron model (small steps keep it nearly so)."""
    return params["w1"] ** 2 + params["b1"] ** 2 - params["w2"] ** 2


def exact_fit(w1, b1):
    """The 2-neuron weights with w1, b1 given that fit y = 2x + 30 exactly: w2 = 2/w1, b2 = 30 - w2*b1."""
    w2 = 2.0 / np.asarray(w1, dtype=float)
    return {"w1": w1, "b1": b1, "w2": w2, "b2": 30.0 - w2 * b1}


def _best_exact_fit(score, coarse=(60, 81), b1_range=400.0, rounds=10):
    """The exact fit (fixed by w1, b1) with the smallest `score(w1 grid, b1 grid)`: a coarse grid (w1 log-spaced,
    both signs; b1 linear), then `rounds` 21 x 21 grids, each half as wide as the last, around the best point."""
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
    params = {k: float(v) for k, v in exact_fit(float(best_w1), float(best_b1)).items()}
    return params, float(best)


def least_sharp_fit(x=None):
    """Among all exact fits of the linear 2-neuron model, the one whose largest row curvature max_x K is smallest.
    Returns (params, max K)."""
    x = load_data()[0] if x is None else np.asarray(x, dtype=float)
    model = TwoNeuron()
    return _best_exact_fit(lambda w1, b1: row_curvature(model, exact_fit(w1, b1), x[:, None, None]).max(axis=0))


def most_stable_fit(x=None):
    """Among all exact fits of the linear 2-neuron model, the one that stays stable under online SGD up to the
    largest learning rate (`stability_edge`). Returns (params, that learning rate)."""
    model = TwoNeuron()
    params, negative_edge = _best_exact_fit(lambda w1, b1: -stability_edge(model, exact_fit(w1, b1), x))
    return params, -negative_edge


def epoch_map_radius(model, params, lr, x=None):
    """Spectral radius of one online epoch of SGD, linearized at an exact fit `params` (arrays broadcast).

    Near a fit the residuals are small and each row's step is theta <- theta - 2*lr*g*g^T (theta - fit), with
    g = d pred / d weights at that row. An epoch multiplies the 29 row maps; the fit is stable while the product's
    largest eigenvalue (in size) stays at or below 1. (Flat directions of the 2-neuron model, its rescaling
    symmetries, give eigenvalue 1 exactly.) This decides divergence near a fit; the per-row lr*K bounds one row."""
    if x is None:
        x, _ = load_data()
    theta = [np.asarray(params[name], dtype=float) for name in model.names]
    shape = np.broadcast_shapes(np.shape(lr), *(np.shape(t) for t in theta))
    lr = np.broadcast_to(np.asarray(lr, dtype=float), shape)[..., None, None]
    n = len(theta)
    epoch = np.broadcast_to(np.eye(n), shape + (n, n)).copy()
    for xi in np.asarray(x, dtype=float):
        g = np.stack([np.broadcast_to(d, shape) for d in model.pred_gradient(theta, xi)], axis=-1)
        row_map = np.eye(n) - 2 * lr * g[..., :, None] * g[..., None, :]
        epoch = row_map @ epoch
    radius = np.max(np.abs(np.linalg.eigvals(epoch)), axis=-1)
    return float(radius) if radius.ndim == 0 else radius


def stability_edge(model, params, x=None, low=1e-7, high=1e-1):
    """The learning rate above which an exact fit stops being stable under online SGD: bisection in log lr on
    `epoch_map_radius`, to 0.1%, for every configuration in `params` at once."""
    shape = np.broadcast_shapes(*(np.shape(params[name]) for name in model.names))
    low, high = np.full(shape, float(low)), np.full(shape, float(high))
    while np.max(high / low) > 1.001:
        middle = np.sqrt(low * high)
        stable = np.asarray(epoch_map_radius(model, params, middle, x)) <= 1 + 1e-9
        low, high = np.where(stable, middle, low), np.where(stable, high, middle)
    return float(low) if low.ndim == 0 else low
