"""Outcomes of many runs at once: did a run converge, and when, and on a fit stable at its lr (settled);
convergence maps over a grid of starts; survival (the trap: surviving is not training); the optimizer race; ReLU
activity.

A run *converged* when it did not diverge and its sheet error ended below a tolerance (1 by default: sqrt of the
summed squared errors of the 29 rows, so every row is then off by less than 1). Maps classify every start:
converged (and in how many epochs), diverged (and when), still training, or stuck on a constant (its prediction the
same for every row: the saddle w1 = w2 = 0 with b1 = 0, or a dead ReLU).
"""
from dataclasses import dataclass

import numpy as np

from .data import load_data
from .engine import train
from .epoch_map import STABLE, epoch_map_radius
from .models import TwoNeuron
from .optimizers import SGD, Adam, Momentum, RMSProp


_BLOCK = 64  # epochs looked at together by epochs_to and first_below


def converged(run, tol=1.0):
    """True where the run did not diverge and its last epoch's sheet error is below tol (the last epoch it ran,
    for a configuration that train's stop_below stopped). A bool, or a bool array for a sweep."""
    with np.errstate(invalid="ignore"):
        result = ~np.asarray(run.diverged) & (np.asarray(run.final_errors) < tol)
    return bool(result) if result.ndim == 0 else result


def epochs_to(run, tol=1.0):
    """The epoch, counted from 1, from which the sheet error stays below tol to the end of the run (the last epoch
    it ran, for a configuration that train's stop_below stopped): "converged from epoch N". 0 where the run did not
    converge (see `converged`). A first dip below tol that is followed by an epoch at or above it does not count:
    `first_below` gives that. An int, or an int array for a sweep."""
    errors = np.asarray(run.epoch_errors).reshape((run.epochs,) + run.shape)
    last = np.where(run.stopped_epoch > 0, run.stopped_epoch, run.epochs)  # the last epoch each one ran
    done = np.asarray(converged(run, tol))
    last_above = np.zeros(run.shape, dtype=np.int64)  # the last epoch at or above tol (0: none)
    pending = done.copy()  # only a converged run has an answer; the others give 0
    # Backwards over the epochs, a block at a time, until every converged run has met its last epoch at or above
    # tol: a few small blocks instead of an epochs x configurations array (hundreds of MB for a map).
    for end in range(run.epochs, 0, -_BLOCK):
        if not pending.any():
            break
        start = max(end - _BLOCK, 0)
        epoch = np.arange(start + 1, end + 1).reshape((end - start,) + (1,) * len(run.shape))
        with np.errstate(invalid="ignore"):
            above = ~(errors[start:end] < tol) & (epoch <= last) & pending  # at or above tol, or NaN (diverged)
        found = above.any(axis=0)
        last_above = np.where(found, end - np.argmax(above[::-1], axis=0), last_above)
        pending = pending & ~found
    since = np.where(done, last_above + 1, 0)
    return int(since) if since.ndim == 0 else since


def first_below(run, tol=1.0):
    """The first epoch, counted from 1, whose sheet error is below tol, whether or not it stayed there; 0 where
    that never happened. An int, or an int array for a sweep."""
    errors = np.asarray(run.epoch_errors)
    first = np.zeros(errors.shape[1:], dtype=np.int64)
    for start in range(0, len(errors), _BLOCK):  # a block of epochs at a time, to stay small for a map
        with np.errstate(invalid="ignore"):
            below = (errors[start:start + _BLOCK] < tol) & (first == 0)
        first = np.where(below.any(axis=0), start + np.argmax(below, axis=0) + 1, first)
        if first.all():
            break
    return int(first) if first.ndim == 0 else first


def constant_model(run):
    """True where the run ended on a model that predicts the same for every row (the saddle w1 = w2 = 0, a dead
    ReLU): its predictions over the rows differ by less than a millionth of the spread of y."""
    theta = [np.asarray(run.params[name])[None] for name in run.model.names]
    with np.errstate(all="ignore"):
        predictions = run.model.predict(theta, np.asarray(run.x).reshape((-1,) + (1,) * len(run.shape)))
        spread = predictions.max(axis=0) - predictions.min(axis=0)
    flat = spread < 1e-6 * np.ptp(run.y)
    return bool(flat) if flat.ndim == 0 else flat


def verdict(run, tol=1.0, scale=1.0):
    """One run's outcome in words: 'diverged at epoch e, row r', 'converged (below tol from epoch e)', 'stuck on a
    constant (error ...)' or 'still training (error ... after N epochs)', adding when a run that ended above tol had
    dipped below it. scale multiplies the sheet errors (for a run on rescaled data); tol is on the multiplied scale."""
    if run.shape:
        raise ValueError("verdict describes one configuration; use converged and epochs_to for sweeps")
    if run.diverged_at:
        return run.divergence_message()
    if converged(run, tol / scale):
        return f"converged (below {tol:g} from epoch {epochs_to(run, tol / scale)})"
    error = run.final_errors * scale
    if constant_model(run):
        return f"stuck on a constant (error {error:.3g})"
    dipped = first_below(run, tol / scale)
    left = f"; below {tol:g} at epoch {dipped}, not at the end" if dipped else ""
    return f"still training (error {error:.3g} after {run.epochs} epochs{left})"


SETTLED = ("converged, fit stable at this lr", "converged, fit unstable at this lr", "still training", "diverged")


def settled(run, lr):
    """Where one run ended, judged at `lr` (the lr it ended with, or a schedule's peak): one of SETTLED. A run can
    'converge' on a fit that is unstable at its lr, held there only because its residuals are too small for any
    update to move it (a nudge sends it away); the epoch map off the flat directions tells the two apart."""
    if run.shape:
        raise ValueError("settled describes one configuration")
    if run.diverged_at:
        return SETTLED[3]
    if not converged(run):
        return SETTLED[2]
    return SETTLED[0] if epoch_map_radius(run.model, run.params, lr, x=run.x) <= STABLE else SETTLED[1]


OUTCOMES = ("converged", "diverged", "still training", "stuck on a constant")
CONVERGED, DIVERGED, TRAINING, STUCK = range(len(OUTCOMES))


@dataclass
class ConvergenceMap:
    """Every start of a grid, classified. outcome: one of OUTCOMES' indices per start; epoch: when it converged
    (the epoch from which it stayed below tol) or diverged, 0 otherwise; final_error: the last sheet error (NaN where diverged)."""
    w1: np.ndarray
    w2: np.ndarray
    lr: float
    epochs: int
    tol: float
    outcome: np.ndarray
    epoch: np.ndarray
    final_error: np.ndarray
    run: object

    def counts(self):
        return {name: int((self.outcome == code).sum()) for code, name in enumerate(OUTCOMES)}

    def describe(self):
        counts, parts = self.counts(), []
        for code, name in enumerate(OUTCOMES):
            if counts[name]:
                when = self.epoch[self.outcome == code]
                detail = f" (median epoch {int(np.median(when))})" if code in (CONVERGED, DIVERGED) else ""
                parts.append(f"{counts[name]:,} {name}{detail}")
        return f"{self.epochs} epochs: " + ", ".join(parts)


GRID = np.linspace(-3, 3, 121)  # the maps' starts: w1 and w2 in [-3, 3], 0 included (the saddle)


def convergence_map(lr, epochs=300, w1=GRID, w2=GRID, b1=0.0, b2=0.0, tol=1.0, relu=False, x=None, y=None):
    """Train the 2-neuron model from every (w1, w2) of a grid (biases b1, b2) with SGD at `lr`, in one compiled
    sweep that lets a start stop once its sheet error is below tol, and classify every start."""
    if x is None:
        x, y = load_data()
    w1, w2 = np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    grid_w1, grid_w2 = np.meshgrid(w1, w2, indexing="ij")
    model = TwoNeuron(w1=grid_w1, b1=b1, w2=grid_w2, b2=b2, relu=relu)
    run = train(model, SGD(lr), x, y, epochs, trace=False, stop_below=tol)
    return classify(run, w1, w2, tol)


def classify(run, w1, w2, tol=1.0):
    """A ConvergenceMap of a sweep over a (w1, w2) grid made with stop_below=tol (or run to the end)."""
    outcome = np.full(run.shape, TRAINING)
    done = converged(run, tol)
    outcome[done] = CONVERGED
    outcome[run.diverged] = DIVERGED
    outcome[(outcome == TRAINING) & constant_model(run)] = STUCK
    epoch = np.where(done, epochs_to(run, tol), np.where(run.diverged, run.diverged_epoch, 0))
    return ConvergenceMap(w1=w1, w2=w2, lr=float(np.asarray(run.optimizer.lr).flat[0]), epochs=run.epochs, tol=tol,
                          outcome=outcome, epoch=epoch, final_error=np.asarray(run.final_errors), run=run)


def survival_counts(lrs, w1, w2, b1=0.0, b2=0.0, epochs=5, x=None, y=None, scale=1.0):
    """How many runs of a grid of initial (w1, w2) do not diverge within `epochs`, per learning rate: survival,
    which is not training (a survivor may be crawling, stuck on a saddle or about to diverge).

    One vectorized `train` call over lr x w1 x w2. Returns an int array, one count per lr."""
    if x is None:
        x, y = load_data()
    lrs = np.asarray(lrs, dtype=float)
    grid_w1, grid_w2 = np.meshgrid(w1, w2, indexing="ij")
    run = train(TwoNeuron(w1=grid_w1, b1=b1, w2=grid_w2, b2=b2), SGD(lrs[:, None, None]), np.asarray(x) * scale,
                y, epochs, trace=False)
    return (~run.diverged).sum(axis=(1, 2))


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
