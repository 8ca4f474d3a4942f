"""The training engine: online gradient descent, one update per row, vectorized over configurations.

`train` is the one loop behind every run of the course: every number in the model and the optimizer may be an
array, they are broadcast to one configuration shape, and all configurations run at once, looping over rows only.
It allocates nothing per row. `replay` (replay.py) drives the same loop with the workbook's macro rules.
Imports numpy only: no plotting, widgets or spreadsheets here.
"""
import math

import numpy as np

from .checks import check_data, choice, number_array, positive_int, scalar_or_array
from .models import Model, TwoNeuron
from .optimizers import Optimizer
from .run import Run

# A run has diverged at the first row whose squared error, or whose weights in use, are not finite or exceed this.
DIVERGENCE_LIMIT = 1e12

GRADIENTS = ("analytic", "finite_difference")
_TRACE_LIMIT = 20_000_000  # numbers per recorded quantity; beyond this, sweeps must pass trace=False


def train(model, optimizer, x, y, epochs=1, *, gradient="analytic", fd_step=0.01, trace=True):
    """Online gradient descent: rows in order, one update per row, every row updates (29 per epoch on the sheet).

    Every number in `model` and `optimizer` may be an array; they are broadcast to one configuration shape and all
    configurations run at once. `gradient="finite_difference"` updates with the forward difference of each row's
    squared error with step `fd_step`, exactly as the sheet's `est de/db` column (and the learner's formulas).
    `trace=False` keeps only per-epoch results (for sweeps); `Run.table` needs the trace.
    Returns a `Run`."""
    return train_loop(model, optimizer, x, y, epochs, gradient=gradient, fd_step=fd_step, trace=trace)


def train_loop(model, optimizer, x, y, epochs, *, gradient="analytic", fd_step=0.01, trace=True,
               start=None, state=None, copy_back_last_row=False, excel_rows=False, sheet=None):
    """The one training loop behind `train` and `replay`. It allocates nothing per row.

    copy_back_last_row: the workbook's Run macro copies the weights *used by* the last row back to the start cells,
    so the last row's update is thrown away (its gradient still enters the moving averages)."""
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be SGD, Momentum, RMSProp or Adam, not {type(optimizer).__name__}")
    x, y = check_data(x, y)
    epochs = positive_int("epochs", epochs)
    gradient = choice("gradient", gradient, GRADIENTS)
    fd_step = float(number_array("fd_step", fd_step, low=0, low_inclusive=False, allowed="a finite step > 0"))

    initial = start if start is not None else model.initial
    shape = np.broadcast_shapes(*(np.shape(v) for v in initial.values()),
                                *(np.shape(v) for v in optimizer.hyperparameters().values()))
    n_params, n_rows = len(model.names), len(x)
    if trace and n_params * epochs * n_rows * max(1, math.prod(shape)) > _TRACE_LIMIT:
        raise ValueError(f"trace=True would record {epochs} epochs x {n_rows} rows x {math.prod(shape)} "
                         f"configurations; pass trace=False for sweeps (epoch results are kept)")
    theta = np.empty((n_params,) + shape)  # the weights in use, one row per name
    for i, name in enumerate(model.names):
        theta[i] = initial[name]
    state = optimizer.init_state(shape, n_params) if state is None else _copy_state(state, shape)

    # Buffers, reused row after row.
    ws, ws_moved = model.workspace(shape), model.workspace(shape)
    analytic, estimate, moved_err = (np.empty_like(theta) for _ in range(3))
    scratch = (np.empty_like(theta), np.empty_like(theta))
    err_sq, largest_weight, smallest_weight = np.empty(shape), np.empty(shape), np.empty(shape)
    healthy, weights_ok, newly = (np.empty(shape, dtype=bool) for _ in range(3))
    alive = np.ones(shape, dtype=bool)  # not diverged yet
    used_by_last_row = np.empty_like(theta)
    grad = estimate if gradient == "finite_difference" else analytic

    sse = np.zeros((epochs,) + shape)  # the sheet's error is sqrt of this sum, per epoch
    diverged_epoch = np.zeros(shape, dtype=int)  # 0 = never; else counted from 1 as a learner reads them
    diverged_row = np.zeros(shape, dtype=int)
    record = _Recorder(model, optimizer, epochs, n_rows, shape) if trace else None

    with np.errstate(all="ignore"):  # overflow is a result here, reported through diverged_at, not a warning
        for epoch in range(epochs):
            epoch_sse = sse[epoch, ...]  # a view, even for one configuration
            for row in range(n_rows):
                xi, yi = x[row], y[row]
                pred = model.predict(theta, xi, ws)
                np.subtract(pred, yi, out=err_sq)
                err_sq *= err_sq  # (pred - y)^2
                epoch_sse += err_sq
                # Diverged: the squared error or a weight in use is not finite or beyond the limit (NaN fails the
                # comparisons, and max/min propagate it).
                np.less_equal(err_sq, DIVERGENCE_LIMIT, out=healthy)
                healthy &= np.less_equal(np.maximum.reduce(theta, axis=0, out=largest_weight), DIVERGENCE_LIMIT,
                                         out=weights_ok)
                healthy &= np.greater_equal(np.minimum.reduce(theta, axis=0, out=smallest_weight),
                                            -DIVERGENCE_LIMIT, out=weights_ok)
                np.greater(alive, healthy, out=newly)  # alive and not healthy
                if np.logical_or.reduce(newly, axis=None):  # (ufuncs directly: numpy's wrappers cost more)
                    np.copyto(diverged_epoch, epoch + 1, where=newly)
                    np.copyto(diverged_row, row + 1, where=newly)
                    alive ^= newly
                if gradient == "finite_difference":
                    model.finite_difference(theta, xi, yi, fd_step, pred, estimate, moved_err, ws_moved)
                else:
                    model.loss_gradient(theta, xi, yi, pred, analytic, ws)
                if record is not None:
                    record.before_step(epoch, row, xi, yi, theta, pred, err_sq, grad, state, ws)
                last_row = row == n_rows - 1
                if copy_back_last_row and last_row:
                    np.copyto(used_by_last_row, theta)
                optimizer.step(theta, grad, state, scratch)
                if record is not None:
                    record.after_step(epoch, row, theta, state)
                if copy_back_last_row and last_row:
                    np.copyto(theta, used_by_last_row)
            optimizer.end_epoch(state)

    return Run(model=model, optimizer=optimizer, x=x, y=y, epochs=epochs, gradient=gradient, fd_step=fd_step,
               epoch_errors=_squeeze(np.sqrt(sse), shape), epoch_rmse=_squeeze(np.sqrt(sse / n_rows), shape),
               params={name: scalar_or_array(p) for name, p in zip(model.names, theta)},
               diverged_epoch=diverged_epoch, diverged_row=diverged_row, state=state,
               history=record.history if record is not None else None, sheet=sheet, excel_rows=excel_rows)


def _copy_state(state, shape):
    copied = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            lead = value.shape[:1] if key in ("mom", "sqavg") else ()
            copied[key] = np.broadcast_to(value, lead + shape).astype(float)
        else:
            copied[key] = value
    return copied


def _squeeze(per_epoch, shape):
    return per_epoch if shape else per_epoch.reshape(-1)


class _Recorder:
    """Keeps every row's numbers (the columns of the sheet) when a run is traced."""

    def __init__(self, model, optimizer, epochs, n_rows, shape):
        full = (epochs, n_rows) + shape
        n = len(model.names)
        self.history = {key: np.zeros(full) for key in ("x", "y", "pred", "err_sq", "lr")}
        for key in ("theta", "grad", "new_theta"):  # grad: the gradient the update used
            self.history[key] = np.zeros((n,) + full)
        for key in ("mom", "sqavg"):
            if key in optimizer.init_state((), n):
                self.history[key] = np.zeros((n,) + full)
        if isinstance(model, TwoNeuron):
            self.history["h"] = np.zeros(full)

    def before_step(self, epoch, row, xi, yi, theta, pred, err_sq, grad, state, ws):
        h, at = self.history, (epoch, row)
        h["x"][at], h["y"][at], h["pred"][at], h["err_sq"][at], h["lr"][at] = xi, yi, pred, err_sq, state["lr"]
        h["theta"][:, epoch, row] = theta
        h["grad"][:, epoch, row] = grad
        if "h" in h:
            h["h"][at] = ws.h

    def after_step(self, epoch, row, theta, state):
        h = self.history
        h["new_theta"][:, epoch, row] = theta
        for key in ("mom", "sqavg"):
            if key in h:
                h[key][:, epoch, row] = state[key]
