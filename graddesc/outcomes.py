"""Outcomes of many runs at once: survival over a grid of starts, outcome maps, the optimizer race, ReLU activity."""
import numpy as np

from .data import load_data
from .engine import train
from .models import TwoNeuron
from .optimizers import SGD, Adam, Momentum, RMSProp


def survival_counts(lrs, w1, w2, b1=0.0, b2=0.0, epochs=5, x=None, y=None, scale=1.0):
    """How many runs of a grid of initial (w1, w2) do not diverge within `epochs`, per learning rate.

    One vectorized `train` call over lr x w1 x w2. Returns an int array, one count per lr."""
    if x is None:
        x, y = load_data()
    lrs = np.asarray(lrs, dtype=float)
    grid_w1, grid_w2 = np.meshgrid(w1, w2, indexing="ij")
    run = train(TwoNeuron(w1=grid_w1, b1=b1, w2=grid_w2, b2=b2), SGD(lrs[:, None, None]), np.asarray(x) * scale,
                y, epochs, trace=False)
    return (~run.diverged).sum(axis=(1, 2))


def outcome_map(lr, epochs=3, w1=None, w2=None, b1=0.0, b2=0.0, scale=1.0):
    """One vectorized `train` over a grid of initial (w1, w2): log10 of the sheet error after `epochs`, NaN where
    the run diverged. Returns (w1 grid, w2 grid, log error, run)."""
    x, y = load_data()
    w1 = np.linspace(-3, 3, 81) if w1 is None else np.asarray(w1, dtype=float)
    w2 = np.linspace(-3, 3, 81) if w2 is None else np.asarray(w2, dtype=float)
    grid_w1, grid_w2 = np.meshgrid(w1, w2, indexing="ij")
    run = train(TwoNeuron(w1=grid_w1, b1=b1, w2=grid_w2, b2=b2), SGD(lr), x * scale, y, epochs, trace=False)
    with np.errstate(all="ignore"):
        log_error = np.where(run.diverged, np.nan, np.log10(run.epoch_errors[-1]))
    return grid_w1, grid_w2, log_error, run


RACE_OPTIMIZERS = ("SGD", "momentum", "RMSProp", "Adam", "annealed Adam")


def race(model, lr_plain=1e-4, lr_adaptive=0.1, epochs=10, x=None, y=None):
    """The five optimizers on one model from the same start, sheet convention. SGD and momentum use `lr_plain`,
    RMSProp and the Adams `lr_adaptive` (their steps are about lr in size, whatever the gradient's scale)."""
    if x is None:
        x, y = load_data()
    optimizers = {"SGD": SGD(lr_plain), "momentum": Momentum(lr_plain), "RMSProp": RMSProp(lr_adaptive),
                  "Adam": Adam(lr_adaptive), "annealed Adam": Adam(lr_adaptive, 0.9, 0.95, anneal=True)}
    return {name: train(model, opt, x, y, epochs, trace=False) for name, opt in optimizers.items()}


def active_rows(model, params, x):
    """Rows whose ReLU pre-activation h = w1*x + b1 is > 0 (the only rows that pass gradient to w1, b1, w2)."""
    return np.asarray(model.hidden([np.asarray(params[n]) for n in model.names], np.asarray(x)) > 0)
