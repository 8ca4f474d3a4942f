"""How one setting fares over many row orders, or over tiny nudges of its start: outcomes as fractions.

One run of a setting, in the sheet's row order and with one rounding history, is one sample. Whether it converges
can change when the rows are shuffled (as fastai's DataLoader does every epoch) or when the start moves in its last
bits. `outcome_fractions` runs the setting n times in ONE vectorized sweep (compiled where train compiles), either
- over="orders": n shuffled row orders, with the seeds seed, seed + 1, ..., seed + n - 1 (train's `shuffle`: every
  epoch a fresh permutation from numpy's default_rng(seed)); or
- over="nudges": n starts, each weight w moved to w + nudge * max(|w|, 1) * z, z a standard normal drawn by
  default_rng(seed) (one z per weight and start): relative nudges of about `nudge` (absolute for weights near 0),
  the rows in the order train is given (the data's order, or one shuffle seed for all),
and says what became of them, with outcomes.py's definitions:
  converged  did not diverge and ended with a sheet error below tol (outcomes.converged); it converged from the
             epoch from which its error stayed below tol (outcomes.epochs_to);
  diverged   a squared error or a weight beyond 1e12 or not finite (train's divergence);
  wandering  neither: after the epochs given it is still moving, stalled, or hovering near a fit without staying
             below tol.
tol, by default `convergence_tol(x, y)` = 1 + the data's residual floor (the best line's sheet error): exactly 1 on
the sheet's rows and on any data that lie on a line (every row then off by less than 1), "within 1 of the best
line's error" on data no line fits, where an error below 1 is out of reach (the maps of explore_maps.py use the same).
A sample counted as converged only in the last tenth of the epochs (`late`) may be one that hovers around tol and
happened to end below it (shuffled rows and mini-batches make the error jump from epoch to epoch): the summary says
how many, and a longer run tells them apart.
"""
from dataclasses import dataclass

import numpy as np

from .checks import choice, number_array, positive_int
from .data import data_or_sheet, residual_floor
from .engine import train
from .models import Linear, TwoNeuron
from .outcomes import converged, epochs_to

OVER = ("orders", "nudges")
FLOOR_ROUNDING = 1e-6  # a residual floor below this is the rounding of a fit to data that lie on a line: 0


def convergence_tol(x=None, y=None):
    """The sheet error below which a run on x, y counts as converged: 1 + the residual floor (the best line's sheet
    error, data.residual_floor). Exactly 1.0 on the sheet's rows and on any data on a line (a floor below
    FLOOR_ROUNDING, the fit's rounding, counts as 0); on noisy data, within 1 of the best error a line can reach."""
    floor = residual_floor(x, y)
    return 1.0 if floor < FLOOR_ROUNDING else 1.0 + floor


def tol_meaning(tol):
    """What 'converged' means at tol, in the readouts' words: '' at tol 1 (the sheet's meaning, said nowhere), else
    e.g. "error within 1 of the best line's 21.6"."""
    return "" if tol == 1.0 else f"error within 1 of the best line's {tol - 1:.3g}"


@dataclass
class Outcomes:
    """What became of one setting over n row orders or n nudged starts (`outcome_fractions`).

    over          "orders" or "nudges"; samples: the shuffle seeds used, or the nudged starts (a dict of arrays)
    converged, diverged, wandering   one bool per sample (exactly one of them is true)
    epochs        per sample: the epoch from which it stayed below tol (converged), the epoch it diverged in
                  (diverged), 0 (wandering)
    final_errors  the last epoch's sheet error (NaN where diverged)
    run           the sweep's Run (configuration i is sample i)
    late          converged samples whose error stayed below tol only over the last tenth of the epochs"""
    over: str
    n: int
    epochs_run: int
    tol: float
    nudge: float
    samples: object
    converged: np.ndarray
    diverged: np.ndarray
    wandering: np.ndarray
    epochs: np.ndarray
    final_errors: np.ndarray
    run: object

    @property
    def fractions(self):
        """{'converged': f, 'diverged': f, 'wandering': f}, each a fraction of n; they sum to 1."""
        return {name: float(getattr(self, name).mean()) for name in ("converged", "diverged", "wandering")}

    @property
    def counts(self):
        return {name: int(getattr(self, name).sum()) for name in ("converged", "diverged", "wandering")}

    @property
    def late(self):
        return self.converged & (self.epochs > 0.9 * self.epochs_run)

    @property
    def epoch_spread(self):
        """(min, median, max) of the epochs from which the converged samples stayed below tol; None if none did."""
        when = self.epochs[self.converged]
        return None if when.size == 0 else (int(when.min()), float(np.median(when)), int(when.max()))

    def what(self):
        return ("shuffled row orders" if self.over == "orders"
                else f"starts nudged by about {self.nudge:g} (relative)")

    def summary(self):
        """One line, e.g. 'converged in 12 of 40 shuffled row orders (30%), from epoch 210-480, median 300;
        diverged in 28 (70%); wandering in 0 (0%) (2000 epochs, tol 1)'."""
        counts, n = self.counts, self.n
        text = f"converged in {counts['converged']} of {n} {self.what()} ({counts['converged'] / n:.0%})"
        if self.epoch_spread is not None:
            low, median, high = self.epoch_spread
            text += f", from epoch {low}-{high}, median {median:g}"
            if self.late.any():
                text += f" ({int(self.late.sum())} only in the last tenth of the run)"
        text += f"; diverged in {counts['diverged']} ({counts['diverged'] / n:.0%})"
        text += f"; wandering in {counts['wandering']} ({counts['wandering'] / n:.0%})"
        return text + f" ({self.epochs_run} epochs, tol {self.tol:g})"

    def __str__(self):
        return self.summary()


def outcome_fractions(model, optimizer, x=None, y=None, epochs=1000, *, over="orders", n=40, seed=0, nudge=1e-12,
                      tol=None, **train_kwargs):
    """Run one setting (a single configuration of model and optimizer) n times in one sweep, over n shuffled row
    orders (over="orders": shuffle seeds seed .. seed + n - 1) or over n tiny nudges of its start (over="nudges"),
    and return an `Outcomes`: the fractions that converged (below tol at the end, staying below from some epoch),
    diverged, or wandered (neither), with the spread of epochs to converge. x, y: the sheet's rows by default.
    tol: None for convergence_tol(x, y) (1 on the sheet's rows; 1 + the residual floor on data no line fits).
    train_kwargs go to `train` (batch_size, gradient, clip_norm, schedule, ...; `shuffle` only with nudges)."""
    x, y = data_or_sheet(x, y)
    tol = convergence_tol(x, y) if tol is None else tol
    over = choice("over", over, OVER)
    n, epochs = positive_int("n", n), positive_int("epochs", epochs)
    seed = int(number_array("seed", seed, low=0, allowed="an integer >= 0"))
    nudge = float(number_array("nudge", nudge, low=0, low_inclusive=False, allowed="a relative nudge > 0"))
    tol = float(number_array("tol", tol, low=0, low_inclusive=False, allowed="a sheet error > 0"))
    if type(model) not in (Linear, TwoNeuron):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    numbers = [*model.initial.values(), *model.hyperparameters().values(), *optimizer.hyperparameters().values()]
    if any(np.ndim(value) for value in numbers):
        raise ValueError("outcome_fractions takes one setting: a model and an optimizer with single numbers "
                         "(it makes the n configurations itself)")
    for key in ("trace", "backend"):
        if key in train_kwargs:
            raise ValueError(f"outcome_fractions runs one sweep with trace=False; do not pass {key}")
    if over == "orders":
        if "shuffle" in train_kwargs:
            raise ValueError("over='orders' draws the shuffle seeds itself (seed .. seed + n - 1); pass seed=")
        samples = seed + np.arange(n)
        sweep_model = _with_start(model, {name: np.full(n, float(value)) for name, value in model.initial.items()})
        run = train(sweep_model, optimizer, x, y, epochs, trace=False, shuffle=samples, **train_kwargs)
    else:
        z = np.random.default_rng(seed).standard_normal((len(model.names), n))
        samples = {name: float(value) + nudge * max(abs(float(value)), 1.0) * z[i]
                   for i, (name, value) in enumerate(model.initial.items())}
        run = train(_with_start(model, samples), optimizer, x, y, epochs, trace=False, **train_kwargs)
    done, diverged = converged(run, tol), np.asarray(run.diverged)
    wandering = ~done & ~diverged
    when = np.where(done, epochs_to(run, tol), np.where(diverged, run.diverged_epoch, 0))
    return Outcomes(over=over, n=n, epochs_run=epochs, tol=tol, nudge=nudge, samples=samples, converged=done,
                    diverged=diverged, wandering=wandering, epochs=when, final_errors=np.asarray(run.final_errors),
                    run=run)


def _with_start(model, start):
    """The same model (activation, leak) from other starting weights."""
    if isinstance(model, TwoNeuron):
        return TwoNeuron(**start, relu=model.relu, leak=float(model.leak))
    return Linear(**start)
