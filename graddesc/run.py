"""`Run`: what a training run or a replay returns (errors per epoch, final weights, divergence, the trace)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import positive_int
from .models import Model
from .optimizers import Optimizer

# A run has diverged at the first row whose squared error, or whose weights in use, are not finite or exceed this.
DIVERGENCE_LIMIT = 1e12

@dataclass
class Run:
    """The result of `train` or `replay`.

    epoch_errors  the sheet's error per epoch: sqrt of the SUM of the squared row errors of that epoch, each taken
                  with the weights in use at that row (shape (epochs,) for one configuration, else (epochs, *shape)).
                  NaN from the epoch a configuration diverged in, and after the epoch it stopped in.
    epoch_rmse    the true root-mean-square error of the same rows
    final_errors  the sheet error of the last epoch each configuration ran (NaN where it diverged)
    params        final weights, a dict (floats for one configuration, arrays for several); NaN where diverged,
                  the weights at the stop where a configuration stopped (train's stop_below)
    diverged_at   one configuration: None or (epoch, row), counted from 1, the first row whose squared error or
                  whose weights in use are not finite or exceed 1e12 in magnitude. Several configurations: an
                  object array of that shape holding None or (epoch, row) per configuration; `diverged`,
                  `diverged_epoch` and `diverged_row` (0 = never) give the same as plain arrays.
    stopped_epoch the epoch after which a configuration stopped because its error fell below stop_below (0: it
                  ran every epoch)
    diverged_step the diverging row's place in that epoch's visiting order (from 1; 0 = never); diverged_row is
                  its number in the data. The same without shuffle.
    shuffle       train's seed(s), or None (the data's order); batch_size: rows per update (1: the sheet)
    With mini-batches, each row's squared error in epoch_errors is taken at the weights at the start of its batch.
    """
    model: Model
    optimizer: Optimizer
    x: np.ndarray
    y: np.ndarray
    epochs: int
    gradient: str
    fd_step: float
    epoch_errors: np.ndarray
    params: dict
    diverged_epoch: np.ndarray
    diverged_row: np.ndarray
    stopped_epoch: np.ndarray
    state: dict = field(repr=False)
    history: dict | None = field(default=None, repr=False)
    sheet: str | None = None
    excel_rows: bool = False
    clip_norm: np.ndarray | None = None
    schedule: object = field(default=None, repr=False)
    stop_below: float | None = None
    epoch_params: dict | None = field(default=None, repr=False)  # train(trace="epochs"): weights after each epoch
    diverged_step: np.ndarray | None = None
    shuffle: object = None
    batch_size: object = 1

    @property
    def shape(self):
        return self.diverged_epoch.shape

    @property
    def diverged(self):
        return self.diverged_epoch > 0 if self.shape else bool(self.diverged_epoch > 0)

    @property
    def epoch_rmse(self):
        return self.epoch_errors / np.sqrt(len(self.x))

    @property
    def final_errors(self):
        last = np.where(self.stopped_epoch > 0, self.stopped_epoch, self.epochs) - 1
        errors = np.take_along_axis(self.epoch_errors.reshape((self.epochs,) + self.shape),
                                    np.expand_dims(np.asarray(last), 0), axis=0)[0]
        return errors if self.shape else float(errors)

    @property
    def diverged_at(self):
        if not self.shape:
            return (int(self.diverged_epoch), int(self.diverged_row)) if self.diverged_epoch > 0 else None
        out = np.empty(self.shape, dtype=object)
        for index in np.ndindex(self.shape):
            e, r = int(self.diverged_epoch[index]), int(self.diverged_row[index])
            out[index] = (e, r) if e > 0 else None
        return out

    def divergence_message(self):
        """'diverged at epoch e, row r' for a single run, or '' when it did not diverge."""
        at = self.diverged_at
        if self.shape:
            raise ValueError("divergence_message is for a single configuration; use diverged_at for sweeps")
        if at is None:
            return ""
        step = int(self.diverged_step) if self.diverged_step is not None else at[1]
        visited = f" (the row visited {_ordinal(step)})" if self.shuffle is not None else ""
        return f"diverged at epoch {at[0]}, row {at[1]}{visited}"

    @property
    def row_errors(self):
        """Squared error of every row, epoch after epoch (needs the trace)."""
        self._need_history()
        return self.history["err_sq"].reshape((-1,) + self.shape)

    def _need_history(self):
        if self.history is None:
            raise ValueError("this run was made with trace=False; train again with trace=True for row-level results")

    def table(self, epoch=1, index=None):
        """One row per data row of `epoch` (counted from 1), named like the sheet's trace CSVs, in the order the
        rows were visited. A shuffled run adds `step` (the place in the visiting order, from 1) and `data_row` (the
        row's number in the data, from 1); a run with mini-batches adds `batch` (the row's batch, from 1: the
        update its gradient went into) and update_d<name> (the averaged, clipped gradient of that update, at the batch's
        last row; NaN at the others); its new_<name> are the weights after the row (they change at a batch's
        last row), and its de_d<name> each row's own gradient at the weights in use.

        For several configurations, pass `index` (a tuple into the configuration shape)."""
        import pandas as pd

        self._need_history()
        epoch = positive_int("epoch", epoch)
        if epoch > self.epochs:
            raise ValueError(f"epoch must be between 1 and {self.epochs} (the epochs this run has); got {epoch}")
        if self.shape and index is None:
            raise ValueError(f"this run holds {self.shape} configurations; pass index=(...) to pick one")
        at = (epoch - 1, slice(None)) + (tuple(index) if self.shape else ())
        h, names = self.history, self.model.names
        cols = {}
        if self.excel_rows:
            cols["excel_row"] = np.arange(4, 4 + len(self.x))
        if "row" in h:
            cols["step"] = np.arange(1, len(self.x) + 1)
            cols["data_row"] = h["row"][at]
        if "update" in h:
            cols["batch"] = h["update"][at]
        cols["x"], cols["y"] = h["x"][at], h["y"][at]
        for i, name in enumerate(names):
            cols[name] = h["theta"][(i,) + at]
        if "h" in h:
            cols["h"] = h["h"][at]
        cols["pred"], cols["err_sq"] = h["pred"][at], h["err_sq"][at]
        # Both gradients, as the sheet shows them side by side, from the weights in use at each row (the same
        # arithmetic as the engine's, so the one that drove the update comes out identical to what it used).
        theta = h["theta"][(slice(None),) + at]
        model = self.model
        if getattr(model, "activation", "") == "leaky" and np.ndim(model.leak):  # this configuration's leak
            model = type(model)(relu=True, leak=np.broadcast_to(model.leak, self.shape)[tuple(index)])
        with np.errstate(all="ignore"):
            estimate, moved_err = model.finite_difference(theta, cols["x"], cols["y"], self.fd_step)
            analytic = model.loss_gradient(theta, cols["x"], cols["y"])
        step = repr(self.fd_step)
        for i, name in enumerate(names):
            cols[f"err_sq_{name}_plus_{step}"] = moved_err[i]
            cols[f"est_de_d{name}"] = estimate[i]
        for i, name in enumerate(names):
            cols[f"de_d{name}"] = analytic[i]
        for key in ("mom", "sqavg"):
            if key in h:
                for i, name in enumerate(names):
                    cols[f"{key}_{name}"] = h[key][(i,) + at]
        if "update_grad" in h:
            for i, name in enumerate(names):
                cols[f"update_d{name}"] = h["update_grad"][(i,) + at]
        for i, name in enumerate(names):
            cols[f"new_{name}"] = h["new_theta"][(i,) + at]
        cols["lr"] = h["lr"][at]
        if "lr_factor" in h:
            cols["lr_factor"] = h["lr_factor"][at]  # the schedule's factor: lr = the optimizer's lr x this
        if "clip_coef" in h:
            cols["clip_coef"] = h["clip_coef"][at]  # the gradient was multiplied by this before the update
        if getattr(self.model, "activation", "") == "leaky":
            cols["leak"] = np.broadcast_to(self.model.leak, self.shape)[tuple(index) if self.shape else ()]
        cols["gradient"] = self.gradient
        return pd.DataFrame(cols)


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
