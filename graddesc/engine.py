"""The training engine: gradient descent over the rows, one update per row (the sheet) or per mini-batch, in the
data's order or shuffled every epoch, vectorized over configurations.

`train` is the one entry point behind every run of the course. Every number in the model and the optimizer (and
clip_norm, shuffle's seeds, batch_size) may be an array: they are broadcast to one configuration shape and all
configurations run at once. Two loops do the arithmetic, operation for operation the same:
- `train_loop` below, in numpy: loops over rows, each row a handful of array operations over all configurations,
  allocating nothing per row. It records the trace (`Run.table`) and serves any model or optimizer;
- kernels.py, compiled by numba: sweeps (trace=False) of the course's models and optimizers, 20-100x faster.
tests/test_kernels.py and tests/test_order_batches.py prove the two equal bit for bit. `replay` (replay.py) drives
train_loop with the workbook's macro rules. Imports numpy only: no plotting, widgets or spreadsheets here (numba only
when a sweep runs).
"""
import math

import numpy as np

from .checks import batch_sizes, check_data, choice, number_array, positive_int, scalar_or_array, seeds
from .models import Linear, Model, TwoNeuron
from .optimizers import CLIP_EPS, SGD, Adam, Momentum, Optimizer, RMSProp
from .row_orders import row_orders, schedule_table
from .run import DIVERGENCE_LIMIT, Run

GRADIENTS = ("analytic", "finite_difference")
STOP_PATIENCE = 20  # train's stop_below: epochs in a row below it, each lower than the one before
BACKENDS = ("auto", "numpy")
_TRACE_LIMIT = 20_000_000  # numbers per recorded quantity; beyond this, sweeps must pass trace=False


def train(model, optimizer, x, y, epochs=1, *, gradient="analytic", fd_step=0.01, trace=True, clip_norm=None,
          schedule=None, stop_below=None, backend="auto", shuffle=None, batch_size=1):
    """Gradient descent over the rows: by default the sheet's online SGD, rows in order, one update per row (29 per
    epoch on the sheet); with `shuffle` the rows in a fresh order every epoch, with `batch_size` one update per
    mini-batch, as fastai's training DataLoader and PyTorch's MSELoss() (mean reduction) do.

    shuffle     None: every epoch visits the rows in the data's order (the sheet). A seed (an int >= 0): every
                epoch visits them in a fresh random order, drawn as `rng = numpy.random.default_rng(seed)` once per
                run and `rng.permutation(n_rows)` once per epoch, epoch 1 first (so a seed always gives the same
                orders, and two runs with one seed visit the rows alike). An int array: one seed per configuration,
                broadcast with the other configuration arrays (configurations sharing a seed share the orders).
    batch_size  1 (the sheet): one update per row. b > 1: the epoch's visiting order is cut into consecutive
                batches of b rows, and the LAST PARTIAL BATCH IS KEPT (29 rows at b = 4: 7 batches of 4 and one of
                1, 8 updates per epoch), as a DataLoader with drop_last=False does; batches never span two epochs.
                Every row of a batch uses the weights at the start of the batch; the update uses the MEAN of its
                rows' gradients (each row's gradient summed in the visiting order, then divided by the number of
                rows in the batch). An int from 1 to the number of rows, or an int array, one per configuration.
                With batches:
                - finite differences: each row's forward difference at the batch's weights, then averaged;
                - clip_norm clips the averaged gradient (as torch clips after the backward pass of the mean loss);
                - schedule(epoch, update) is asked per update (counted from 1 within the epoch; ceil(rows / b)
                  updates per epoch), as fastai's schedules advance per batch; at b = 1 the update is the row's
                  place in the visiting order (the data row, in the data's order);
                - Adam's step count t counts updates (PyTorch's bias corrections advance once per batch).
    The sheet error (`Run.epoch_errors`) keeps the sheet's meaning: sqrt of the sum, over all rows of the epoch, of
    each row's squared error at the weights in use when it was visited (at b = 1 in the data's order, exactly the
    sheet's; with batches, the weights at the start of the row's batch).
    Divergence ("diverged at epoch e, row r", counted from 1): the first row visited in epoch e whose squared error,
    or whose weights in use, are not finite or exceed 1e12 in magnitude. `Run.diverged_row` is that row's number in
    the data (the sheet's row order), `Run.diverged_step` its place in that epoch's visiting order (the same
    without shuffle).

    gradient    "analytic", or "finite_difference": the forward difference of each row's squared error with step
                `fd_step`, exactly as the sheet's `est de/db` column (and the learner's formulas).
    trace       True: keep every row's numbers (`Run.table`); False: per-epoch results only, for sweeps;
                "epochs": also the weights at the end of every epoch (`Run.epoch_params`), for long paths.
    clip_norm   scale each update's gradient (all weights together) as torch.nn.utils.clip_grad_norm_ does:
                by clip_norm / (norm + 1e-6) when that is below 1. A number > 0 or an array of them.
    schedule    a function of (epoch, row), both counted from 1, returning the factor the optimizer's lr is
                multiplied by at that row (a number, or an array broadcasting with the configurations); with
                batches, of (epoch, update) (see batch_size).
    stop_below  a configuration stops once its sheet error has been below this for STOP_PATIENCE epochs in a row,
                each lower than the one before (a run sitting on a fit that is unstable at this lr has a tiny error
                that stays flat at rounding level, then grows: it does not stop). `Run.stopped_epoch` says when; its epoch errors after
                that are NaN and `Run.params` are its weights at that moment. It assumes a run that calm stays
                so: tests/test_outcomes.py checks that the course's maps classify every start the same with and
                without stopping. None: every configuration runs every epoch.
    backend     "auto": sweeps of the course's models and optimizers run compiled (kernels.py); "numpy": always
                this module's loop (the same numbers, slower).
    Returns a `Run`. A diverged configuration's epoch errors are NaN from the epoch it diverged in, its params
    NaN: its numbers after the divergence mean nothing."""
    return train_loop(model, optimizer, x, y, epochs, gradient=gradient, fd_step=fd_step, trace=trace,
                      clip_norm=clip_norm, schedule=schedule, stop_below=stop_below, backend=backend,
                      shuffle=shuffle, batch_size=batch_size)


def train_loop(model, optimizer, x, y, epochs, *, gradient="analytic", fd_step=0.01, trace=True, clip_norm=None,
               schedule=None, stop_below=None, backend="numpy", start=None, state=None, copy_back_last_row=False,
               excel_rows=False, sheet=None, shuffle=None, batch_size=1):
    """The numpy loop behind `train` and `replay` (and the dispatch to the compiled one).

    copy_back_last_row: the workbook's Run macro copies the weights *used by* the last row back to the start cells,
    so the last row's update is thrown away (its gradient still enters the moving averages)."""
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be SGD, Momentum, RMSProp or Adam, not {type(optimizer).__name__}")
    x, y = check_data(x, y)
    epochs = positive_int("epochs", epochs)
    gradient = choice("gradient", gradient, GRADIENTS)
    backend = choice("backend", backend, BACKENDS)
    if trace not in (True, False, "epochs"):
        raise ValueError(f"trace must be True (every row), False (epochs only) or 'epochs' (and the weights at the "
                         f"end of every epoch); got {trace!r}")
    rows, weights_per_epoch = trace is True, trace == "epochs"
    fd_step = float(number_array("fd_step", fd_step, low=0, low_inclusive=False, allowed="a finite step > 0"))
    if clip_norm is not None:
        clip_norm = number_array("clip_norm", clip_norm, low=0, low_inclusive=False,
                                 allowed="a gradient norm > 0 (or None: no clipping)")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function of (epoch, row) returning the lr factor, "
                        f"not {type(schedule).__name__}")
    if stop_below is not None:
        stop_below = float(number_array("stop_below", stop_below, low=0, low_inclusive=False,
                                        allowed="a sheet error > 0 (or None: never stop early)"))
    shuffle = seeds(shuffle)
    batch_size = batch_sizes(batch_size, len(x))
    if copy_back_last_row and (shuffle is not None or np.any(batch_size != 1)):
        raise ValueError("the workbook's macro (copy_back_last_row) runs the rows in order, one update per row")

    initial = start if start is not None else model.initial
    numbers = [*initial.values(), *optimizer.hyperparameters().values(), *model.hyperparameters().values()]
    n_updates = -(-len(x) // int(batch_size.min()))  # updates per epoch at the smallest batch size
    factors = schedule_table(schedule, epochs, n_updates) if schedule is not None else None
    shape = np.broadcast_shapes(*(np.shape(v) for v in numbers), () if clip_norm is None else clip_norm.shape,
                                factors.shape[2:] if factors is not None else (),
                                () if shuffle is None else shuffle.shape, batch_size.shape)
    n_params, n_rows = len(model.names), len(x)
    orders, seed_index = row_orders(shuffle, epochs, n_rows, shape) if shuffle is not None else (None, None)
    # one batch size for all: an int (the fast paths); else one per configuration
    batch = int(batch_size.flat[0]) if np.all(batch_size == batch_size.flat[0]) else np.broadcast_to(batch_size, shape)
    if rows and n_params * epochs * n_rows * max(1, math.prod(shape)) > _TRACE_LIMIT:
        raise ValueError(f"trace=True would record {epochs} epochs x {n_rows} rows x {math.prod(shape)} "
                         f"configurations; pass trace=False for sweeps (epoch results are kept)")
    theta = np.empty((n_params,) + shape)  # the weights in use, one row per name
    for i, name in enumerate(model.names):
        theta[i] = initial[name]
    state = optimizer.init_state(shape, n_params) if state is None else _copy_state(state, shape)
    path = np.full((epochs, n_params) + shape, np.nan) if weights_per_epoch else None
    options = dict(gradient=gradient, fd_step=fd_step, clip_norm=clip_norm, factors=factors, stop_below=stop_below,
                   patience=STOP_PATIENCE, path=path, orders=orders, seed_index=seed_index, batch=batch)

    if (backend == "auto" and not rows and start is None and not copy_back_last_row
            and _compiled_supports(model, optimizer, state, factors)):
        from .sweeps import compiled_sweep

        outcome = compiled_sweep(model, optimizer, x, y, epochs, theta, state, **options)
        history = None
    else:
        record = _Recorder(model, optimizer, epochs, n_rows, shape, clip_norm, factors, orders is not None,
                           not _all_ones(batch)) if rows else None
        outcome = _numpy_loop(model, optimizer, x, y, epochs, theta, state, record, copy_back_last_row, **options)
        history = record.history if record is not None else None
    errors, diverged_epoch, diverged_row, diverged_step, stopped_epoch, theta = outcome
    return Run(model=model, optimizer=optimizer, x=x, y=y, epochs=epochs, gradient=gradient, fd_step=fd_step,
               epoch_errors=_squeeze(errors, shape), params={name: scalar_or_array(p) for name, p in zip(model.names, theta)},
               diverged_epoch=diverged_epoch, diverged_row=diverged_row, stopped_epoch=stopped_epoch, state=state,
               diverged_step=diverged_step, shuffle=None if shuffle is None else scalar_or_int(shuffle),
               batch_size=scalar_or_int(batch_size),
               history=history, sheet=sheet, excel_rows=excel_rows, clip_norm=clip_norm,
               schedule=schedule, stop_below=stop_below,
               epoch_params=None if path is None else {name: _squeeze(path[:, i], shape)
                                                       for i, name in enumerate(model.names)})


def _numpy_loop(model, optimizer, x, y, epochs, theta, state, record, copy_back_last_row, *, gradient, fd_step,
                clip_norm, factors, stop_below, patience, path, orders, seed_index, batch):
    shape, n_rows = theta.shape[1:], len(x)
    # Buffers, reused row after row.
    ws, ws_moved = model.workspace(shape), model.workspace(shape)
    analytic, estimate, moved_err = (np.empty_like(theta) for _ in range(3))
    scratch = (np.empty_like(theta), np.empty_like(theta))
    err_sq, largest_weight, smallest_weight = np.empty(shape), np.empty(shape), np.empty(shape)
    norm2, coef, lr_used = np.empty(shape), np.empty(shape), np.empty(shape)
    healthy, weights_ok, newly = (np.empty(shape, dtype=bool) for _ in range(3))
    alive = np.ones(shape, dtype=bool)  # not diverged, not stopped
    used_by_last_row = np.empty_like(theta)
    grad = estimate if gradient == "finite_difference" else analytic
    # Mini-batches: `total` sums the batch's row gradients in the visiting order, `mean` is total / rows.
    batched, uniform = not _all_ones(batch), isinstance(batch, int)
    if batched:
        total, mean = np.empty_like(theta), np.empty_like(theta)
        updates_done = np.zeros(shape, dtype=np.int64)  # per configuration (Adam's t, batch sizes differing)
    # Shuffled with several seeds: every configuration visits its own row at each step.
    own_rows = orders is not None and orders.shape[0] > 1
    if own_rows:
        xi, yi, data_row = np.empty(shape), np.empty(shape), np.empty(shape, dtype=orders.dtype)

    sse = np.zeros((epochs,) + shape)  # the sheet's error is sqrt of this sum, per epoch
    diverged_epoch = np.zeros(shape, dtype=int)  # 0 = never; else counted from 1 as a learner reads them
    diverged_row = np.zeros(shape, dtype=int)  # the data row (from 1)
    diverged_step = np.zeros(shape, dtype=int)  # its place in that epoch's visiting order (from 1)
    stopped_epoch = np.zeros(shape, dtype=int)
    stopped_theta = theta.copy()
    previous, calm = np.full(shape, np.inf), np.zeros(shape, dtype=int)  # for the early stop

    with np.errstate(all="ignore"):  # overflow is a result here, reported through diverged_at, not a warning
        for epoch in range(epochs):
            epoch_sse = sse[epoch, ...]  # a view, even for one configuration
            for row in range(n_rows):  # row: the place in this epoch's visiting order
                if orders is None:
                    data_row = row
                    xi, yi = x[row], y[row]
                elif not own_rows:
                    data_row = int(orders[0, epoch, row])
                    xi, yi = x[data_row], y[data_row]
                else:
                    np.take(orders[:, epoch, row], seed_index, out=data_row)
                    np.take(x, data_row, out=xi)
                    np.take(y, data_row, out=yi)
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
                    np.copyto(diverged_row, data_row + 1, where=newly)
                    np.copyto(diverged_step, row + 1, where=newly)
                    alive ^= newly
                if gradient == "finite_difference":
                    model.finite_difference(theta, xi, yi, fd_step, pred, estimate, moved_err, ws_moved)
                else:
                    model.loss_gradient(theta, xi, yi, pred, analytic, ws)
                used, ending, update = grad, True, row  # one update per row: this row's gradient
                if batched:  # add the row's gradient to its batch's; at the batch's last row, the mean
                    place = row % batch  # the row's place in its batch (an array when batch sizes differ)
                    if uniform:
                        if place == 0:
                            np.copyto(total, grad)
                        else:
                            total += grad
                        ending = place == batch - 1 or row == n_rows - 1
                    else:
                        first = place == 0
                        np.copyto(total, grad, where=first)
                        np.add(total, grad, out=total, where=~first)
                        ending = (place == batch - 1) | (row == n_rows - 1)
                    if np.any(ending):
                        np.divide(total, place + 1.0, out=mean)
                    used, update = mean, row // batch
                if clip_norm is not None and np.any(ending):  # torch.nn.utils.clip_grad_norm_, over all weights
                    np.multiply(used[0], used[0], out=norm2)
                    for i in range(1, len(used)):
                        norm2 += np.multiply(used[i], used[i], out=coef)
                    np.sqrt(norm2, out=coef)
                    coef += CLIP_EPS
                    np.divide(clip_norm, coef, out=coef)
                    np.copyto(coef, 1.0, where=~(coef < 1.0))
                    used *= coef
                lr = factor = None
                if factors is not None:
                    factor = factors[epoch, update] if np.ndim(update) == 0 else _factor_at(factors[epoch], update)
                    lr = np.multiply(state["lr"], factor, out=lr_used)
                if record is not None:
                    record.before_step(epoch, row, data_row, xi, yi, theta, pred, err_sq, grad, used, ending, update,
                                       state, ws, lr, factor, coef if clip_norm is not None else None)
                last_row = row == n_rows - 1
                if copy_back_last_row and last_row:
                    np.copyto(used_by_last_row, theta)
                if not batched or (uniform and ending):
                    optimizer.step(theta, used, state, scratch, lr=lr)
                elif np.any(ending):
                    _masked_steps(optimizer, theta, used, state, scratch, lr, ending, updates_done)
                if batched:
                    updates_done += ending
                if record is not None:
                    record.after_step(epoch, row, theta, state)
                if copy_back_last_row and last_row:
                    np.copyto(theta, used_by_last_row)
            optimizer.end_epoch(state)
            if path is not None:  # before this epoch's stop decision, as the compiled loop records it
                np.copyto(path[epoch], theta, where=alive & (diverged_epoch == 0))
            if stop_below is not None:
                error = np.sqrt(epoch_sse)
                calm = np.where((error < stop_below) & (error < previous), calm + 1, 0)
                previous = error
                stopping = alive & (calm >= patience)
                np.copyto(stopped_epoch, epoch + 1, where=stopping)
                np.copyto(stopped_theta, theta, where=stopping)
                alive &= ~stopping
    if batched and not uniform and "t" in state:
        state["t"] = updates_done  # each configuration's own count of updates
    # What a configuration computed after it diverged (or stopped) is not reported.
    epoch_index = np.arange(1, epochs + 1).reshape((epochs,) + (1,) * len(shape))
    hidden = ((diverged_epoch > 0) & (epoch_index >= diverged_epoch)) | ((stopped_epoch > 0) &
                                                                        (epoch_index > stopped_epoch))
    with np.errstate(all="ignore"):
        errors = np.where(hidden, np.nan, np.sqrt(sse))
    theta = np.where(diverged_epoch > 0, np.nan, np.where(stopped_epoch > 0, stopped_theta, theta))
    return errors, diverged_epoch, diverged_row, diverged_step, stopped_epoch, theta


def _masked_steps(optimizer, theta, grad, state, scratch, lr, ending, updates_done):
    """Batch sizes that differ between configurations: the update of those whose batch ends at this row, one group
    per step count t (Adam's bias corrections depend on it), every other configuration's weights and averages kept."""
    for t in np.unique(updates_done[ending]):
        group = ending & (updates_done == t)
        kept_theta = theta.copy()
        kept = {key: state[key].copy() for key in ("mom", "sqavg") if key in state}
        state["t"] = int(t)  # Adam counts it up to t + 1 before its step, as the compiled loop's table does
        optimizer.step(theta, grad, state, scratch, lr=lr)
        np.copyto(theta, kept_theta, where=~group)
        for key, value in kept.items():
            np.copyto(state[key], value, where=~group)


def _factor_at(factors, update):
    """The schedule's factor of every configuration at its own update number (batch sizes differing)."""
    factors = np.broadcast_to(factors, factors.shape[:1] + update.shape)
    return np.take_along_axis(factors, update[None], axis=0)[0]


def _all_ones(batch):
    return isinstance(batch, int) and batch == 1


def scalar_or_int(value):
    return int(value) if np.ndim(value) == 0 else np.array(value)


def _compiled_supports(model, optimizer, state, factors):
    """Sweeps the compiled loop runs: the course's models and optimizers, scalar betas, a scalar schedule."""
    if type(model) not in (Linear, TwoNeuron) or type(optimizer) not in (SGD, Momentum, RMSProp, Adam):
        return False
    if any(np.ndim(beta) for beta in optimizer.betas.values()) or state.get("t", 0) != 0:
        return False
    return factors is None or factors.ndim == 2


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
    """Keeps every row's numbers (the columns of the sheet) when a run is traced, in the order the rows were
    visited. With mini-batches, grad is each row's own gradient and update_grad the (averaged, clipped) gradient of
    the update its batch ended with, at the batch's last row (NaN at the others); new_theta is the weights after the
    row (they change at a batch's last row)."""

    def __init__(self, model, optimizer, epochs, n_rows, shape, clip_norm, factors, shuffled, batched):
        full = (epochs, n_rows) + shape
        n = len(model.names)
        self.history = {key: np.zeros(full) for key in ("x", "y", "pred", "err_sq", "lr")}
        for key in ("theta", "grad", "new_theta"):  # grad: the gradient the update used (after clipping)
            self.history[key] = np.zeros((n,) + full)
        for key in ("mom", "sqavg"):
            if key in optimizer.init_state((), n):
                self.history[key] = np.zeros((n,) + full)
        if isinstance(model, TwoNeuron):
            self.history["h"] = np.zeros(full)
        if clip_norm is not None:
            self.history["clip_coef"] = np.full(full, np.nan) if batched else np.zeros(full)
        if factors is not None:
            self.history["lr_factor"] = np.zeros(full)
        if shuffled:
            self.history["row"] = np.zeros(full, dtype=int)  # the data row visited (from 1)
        if batched:
            self.history["update"] = np.zeros(full, dtype=int)  # the update within the epoch (from 1)
            self.history["update_grad"] = np.full((n,) + full, np.nan)

    def before_step(self, epoch, row, data_row, xi, yi, theta, pred, err_sq, grad, used, ending, update, state, ws,
                    lr, factor, clip_coef):
        h, at = self.history, (epoch, row)
        h["x"][at], h["y"][at], h["pred"][at], h["err_sq"][at] = xi, yi, pred, err_sq
        h["lr"][at] = state["lr"] if lr is None else lr
        h["theta"][:, epoch, row] = theta
        h["grad"][:, epoch, row] = grad
        if "h" in h:
            h["h"][at] = ws.h
        if factor is not None:
            h["lr_factor"][at] = factor
        if "row" in h:
            h["row"][at] = np.asarray(data_row) + 1
        if "update" in h:
            h["update"][at] = np.asarray(update) + 1
            np.copyto(h["update_grad"][:, epoch, row], used, where=ending)
        if clip_coef is not None:  # (with batches, only where a batch ended: the coefficient of its update)
            np.copyto(h["clip_coef"][epoch, row, ...], clip_coef, where=ending)

    def after_step(self, epoch, row, theta, state):
        h = self.history
        h["new_theta"][:, epoch, row] = theta
        for key in ("mom", "sqavg"):
            if key in h:
                h[key][:, epoch, row] = state[key]
