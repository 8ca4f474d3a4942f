"""`Run`: what a training run or a replay returns (errors per epoch, final weights, divergence, the trace)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import positive_int
from .models import Model
from .optimizers import Optimizer


@dataclass
class Run:
    """The result of `train` or `replay`.

    epoch_errors  the sheet's error per epoch: sqrt of the SUM of the squared row errors of that epoch, each taken
                  with the weights in use at that row (shape (epochs,) for one configuration, else (epochs, *shape))
    epoch_rmse    the true root-mean-square error of the same rows
    params        final weights, a dict (floats for one configuration, arrays for several)
    diverged_at   one configuration: None or (epoch, row), counted from 1, the first row whose squared error or
                  whose weights in use are not finite or exceed 1e12 in magnitude. Several configurations: an
                  object array of that shape holding None or (epoch, row) per configuration; `diverged`,
                  `diverged_epoch` and `diverged_row` (0 = never) give the same as plain arrays.
    """
    model: Model
    optimizer: Optimizer
    x: np.ndarray
    y: np.ndarray
    epochs: int
    gradient: str
    fd_step: float
    epoch_errors: np.ndarray
    epoch_rmse: np.ndarray
    params: dict
    diverged_epoch: np.ndarray
    diverged_row: np.ndarray
    state: dict = field(repr=False)
    history: dict | None = field(default=None, repr=False)
    sheet: str | None = None
    excel_rows: bool = False

    @property
    def shape(self):
        return self.diverged_epoch.shape

    @property
    def diverged(self):
        return self.diverged_epoch > 0 if self.shape else bool(self.diverged_epoch > 0)

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
        return "" if at is None else f"diverged at epoch {at[0]}, row {at[1]}"

    @property
    def row_errors(self):
        """Squared error of every row, epoch after epoch (needs the trace)."""
        self._need_history()
        return self.history["err_sq"].reshape((-1,) + self.shape)

    def _need_history(self):
        if self.history is None:
            raise ValueError("this run was made with trace=False; train again with trace=True for row-level results")

    def table(self, epoch=1, index=None):
        """One row per data row of `epoch` (counted from 1), named like the sheet's trace CSVs.

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
        cols["x"], cols["y"] = h["x"][at], h["y"][at]
        for i, name in enumerate(names):
            cols[name] = h["theta"][(i,) + at]
        if "h" in h:
            cols["h"] = h["h"][at]
        cols["pred"], cols["err_sq"] = h["pred"][at], h["err_sq"][at]
        # Both gradients, as the sheet shows them side by side, from the weights in use at each row (the same
        # arithmetic as the engine's, so the one that drove the update comes out identical to what it used).
        theta = h["theta"][(slice(None),) + at]
        with np.errstate(all="ignore"):
            estimate, moved_err = self.model.finite_difference(theta, cols["x"], cols["y"], self.fd_step)
            analytic = self.model.loss_gradient(theta, cols["x"], cols["y"])
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
        for i, name in enumerate(names):
            cols[f"new_{name}"] = h["new_theta"][(i,) + at]
        cols["lr"] = h["lr"][at]
        cols["gradient"] = self.gradient
        return pd.DataFrame(cols)
