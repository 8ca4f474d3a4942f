"""graddesc_utils: the machinery behind the graddesc course.

The notebooks show the math; this module holds the machinery, in the order a reader meets it:

1. data         the spreadsheet's 29 rows
2. models       Linear (pred = b + a*x) and TwoNeuron (pred = w2*act(w1*x + b1) + b2)
3. optimizers   SGD, Momentum, RMSProp, Adam, in the spreadsheet's convention or PyTorch's
4. engine       `train`: online gradient descent, one update per row, vectorized over configurations
5. replay       `replay`: the workbook's Run and Reset buttons, number for number
6. diagnostics  curvature K per row, the stability meter, sweeps
7. plots        static figures for the notebooks
8. interactives sliders + figures updated in place
9. exercises    `check_*` functions that answer a learner's attempt

Every number a model or an optimizer takes may be a numpy array: `train` broadcasts them all and runs every
configuration at once, looping over rows only. One engine serves a single run and a 256 x 256 sweep.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "load_data", "Linear", "TwoNeuron", "SGD", "Momentum", "RMSProp", "Adam", "train", "replay", "Run",
    "DIVERGENCE_LIMIT", "SHEETS",
]

# A run has diverged at the first row whose squared error, or whose weights in use, are not finite or exceed this.
DIVERGENCE_LIMIT = 1e12

DATA_PATH = Path(__file__).resolve().parent / "data" / "graddesc.csv"


# ----------------------------------------------------------------------------------------------------------------
# 1. data
# ----------------------------------------------------------------------------------------------------------------
def load_data():
    """The spreadsheet's 29 rows as float arrays (x, y), in sheet order. y = 2x + 30 exactly."""
    table = np.loadtxt(DATA_PATH, delimiter=",", skiprows=1, dtype=float)
    return table[:, 0].copy(), table[:, 1].copy()


# ----------------------------------------------------------------------------------------------------------------
# Input checks: every public function says what was wrong and what is allowed.
# ----------------------------------------------------------------------------------------------------------------
def _number_array(name, value, *, low=-math.inf, high=math.inf, low_inclusive=True, high_inclusive=True,
                  allowed="a finite number"):
    """`value` as a float array (a scalar stays 0-d), after checking type, finiteness and range."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__} {value!r}")
    try:
        array = np.array(value, dtype=float)  # a copy: nothing here mutates the caller's arrays
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {allowed} (or an array of them), not {type(value).__name__}") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty; it must be {allowed} or a non-empty array of them")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be {allowed}; got a NaN or infinite value")
    too_low = array < low if low_inclusive else array <= low
    too_high = array > high if high_inclusive else array >= high
    if np.any(too_low) or np.any(too_high):
        bad = array[too_low | too_high].flat[0]
        raise ValueError(f"{name} must be {allowed}; got {bad!r}")
    return array


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, not {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (1, 2, ...); got {value!r}")
    return int(value)


def _choice(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def _check_data(x, y):
    x = _number_array("x", x, allowed="finite numbers")
    y = _number_array("y", y, allowed="finite numbers")
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of data rows; got shapes {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length (one y per x); got {len(x)} and {len(y)}")
    return x, y


# ----------------------------------------------------------------------------------------------------------------
# 2. models
# A model knows its parameter names (in the order the sheet shows them), its prediction and the derivative of the
# prediction with respect to each parameter. `theta` is a sequence of arrays, one per name, all one shape.
# ----------------------------------------------------------------------------------------------------------------
class Model:
    names: tuple = ()

    def __init__(self, **params):
        self.initial = {name: _number_array(name, params[name], allowed="a finite number")
                        for name in self.names}

    def predict(self, theta, x):
        raise NotImplementedError

    def pred_gradient(self, theta, x):
        """d pred / d theta_i for each parameter, at data row x."""
        raise NotImplementedError

    def loss_gradient(self, theta, x, y, pred=None):
        """Analytic d (pred - y)^2 / d theta_i: the sheet's de/db = 2*(pred - y), de/da = x * de/db."""
        if pred is None:
            pred = self.predict(theta, x)
        de_dpred = 2 * (pred - y)
        return [de_dpred * d for d in self.pred_gradient(theta, x)]

    def finite_difference(self, theta, x, y, step=0.01, pred=None):
        """Forward difference of the row's squared error, one parameter at a time, as the sheet's `est de/db`.

        Returns (estimates, squared errors with that parameter moved by `step`)."""
        if pred is None:
            pred = self.predict(theta, x)
        err_sq = _square(pred - y)
        estimates, moved_errors = [], []
        for i in range(len(theta)):
            moved = list(theta)
            moved[i] = theta[i] + step
            moved_err = _square(self.predict(moved, x) - y)
            moved_errors.append(moved_err)
            estimates.append((moved_err - err_sq) / step)
        return estimates, moved_errors

    def params(self):
        return {name: _scalar_or_array(value) for name, value in self.initial.items()}

    def __repr__(self):
        args = ", ".join(f"{k}={_scalar_or_array(v)!r}" for k, v in self.initial.items())
        return f"{type(self).__name__}({args})"


class Linear(Model):
    """The spreadsheet's model: pred = b + a*x."""
    names = ("b", "a")

    def __init__(self, a=1.0, b=1.0):
        super().__init__(a=a, b=b)

    def predict(self, theta, x):
        b, a = theta
        return b + a * x

    def pred_gradient(self, theta, x):
        b, a = theta
        return [np.ones_like(b), np.broadcast_to(x, np.shape(a)) * 1.0]

    def loss_gradient(self, theta, x, y, pred=None):
        # Exactly the sheet's cells: de/db = 2*(pred - y); de/da = x * de/db.
        if pred is None:
            pred = self.predict(theta, x)
        de_db = 2 * (pred - y)
        return [de_db, x * de_db]


class TwoNeuron(Model):
    """The learner's model: two stacked neurons, pred = w2*act(w1*x + b1) + b2.

    act is the identity, or with relu=True max(h, 0) with derivative 0 at h <= 0."""
    names = ("w1", "b1", "w2", "b2")

    def __init__(self, w1=1.0, b1=1.0, w2=1.0, b2=1.0, relu=False):
        if not isinstance(relu, (bool, np.bool_)):
            raise TypeError(f"relu must be True or False, not {type(relu).__name__} {relu!r}")
        self.relu = bool(relu)
        super().__init__(w1=w1, b1=b1, w2=w2, b2=b2)

    def hidden(self, theta, x):
        """h = w1*x + b1, the first neuron's pre-activation."""
        w1, b1 = theta[0], theta[1]
        return w1 * x + b1

    def activation(self, h):
        return np.maximum(h, 0.0) if self.relu else h

    def predict(self, theta, x):
        w2, b2 = theta[2], theta[3]
        return w2 * self.activation(self.hidden(theta, x)) + b2

    def pred_gradient(self, theta, x):
        w2 = theta[2]
        h = self.hidden(theta, x)
        slope = (h > 0).astype(float) if self.relu else 1.0  # ReLU: derivative 0 at h <= 0
        dpred_dh = w2 * slope
        return [dpred_dh * x, dpred_dh * np.ones_like(h), self.activation(h), np.ones_like(h)]

    def __repr__(self):
        return super().__repr__()[:-1] + f", relu={self.relu})"


def _square(value):
    # r * r, not r ** 2: a numpy scalar's ** goes through C pow(), which may round differently from the array path,
    # and a sweep must equal its single runs bit for bit.
    return value * value


def _scalar_or_array(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.copy()


# ----------------------------------------------------------------------------------------------------------------
# 3. optimizers
# An optimizer holds hyperparameters; its state (moving averages, step count, the current lr) lives in a dict that
# the engine passes to `step`, so one optimizer object serves many runs.
#   convention="sheet":   the workbook's formulas: EMA with (1 - beta), no epsilon, no bias correction, RMSProp
#                         dividing by the previous row's average, squared averages starting at 10000.
#   convention="pytorch": torch.optim.SGD(momentum=beta), RMSprop(alpha=beta, eps=1e-8), Adam(eps=1e-8).
# ----------------------------------------------------------------------------------------------------------------
CONVENTIONS = ("sheet", "pytorch")
SHEET_SQUARED_AVERAGE_START = 10000.0  # what the workbook's Reset writes before its seeding passes
TORCH_EPS = 1e-8


class Optimizer:
    uses_momentum = False
    uses_squared_average = False

    def __init__(self, lr, convention="sheet", **betas):
        self.lr = _number_array("lr", lr, low=0, low_inclusive=False,
                                allowed="a finite learning rate > 0 (the sheet uses 1e-4)")
        self.convention = _choice("convention", convention, CONVENTIONS)
        self.betas = {name: _number_array(name, value, low=0, high=1, high_inclusive=False,
                                          allowed="a number in [0, 1)") for name, value in betas.items()}

    def hyperparameters(self):
        return {"lr": self.lr, **self.betas}

    def init_state(self, shape, n_params):
        state = {"lr": np.broadcast_to(self.lr, shape).copy(), "t": 0}
        if self.uses_momentum:
            state["mom"] = np.zeros((n_params,) + shape)
        if self.uses_squared_average:
            start = SHEET_SQUARED_AVERAGE_START if self.convention == "sheet" else 0.0
            state["sqavg"] = np.full((n_params,) + shape, start)
        return state

    def step(self, theta, grad, state):
        """The new weights after one row. Updates `state` in place."""
        raise NotImplementedError

    def end_epoch(self, state):
        """Called after every epoch (annealing lives here)."""

    def __repr__(self):
        args = ", ".join(f"{k}={_scalar_or_array(v)!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args}, convention={self.convention!r})"


class SGD(Optimizer):
    """new = old - lr * grad."""

    def __init__(self, lr, convention="sheet"):
        super().__init__(lr, convention)

    def step(self, theta, grad, state):
        lr = state["lr"]
        return [p - lr * g for p, g in zip(theta, grad)]


class Momentum(Optimizer):
    """sheet:   m = beta*m + (1-beta)*g; new = old - lr*m   (a damped average: steps about as large as SGD's)
    pytorch: m = beta*m + g;            new = old - lr*m   (undamped: steps up to 1/(1-beta) times larger)"""
    uses_momentum = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def step(self, theta, grad, state):
        beta, lr, mom = self.betas["beta"], state["lr"], state["mom"]
        new = []
        for i, (p, g) in enumerate(zip(theta, grad)):
            mom[i] = beta * mom[i] + ((1 - beta) * g if self.convention == "sheet" else g)
            new.append(p - lr * mom[i])
        return new


class RMSProp(Optimizer):
    """sheet:   new = old - lr*g/sqrt(v_previous); then v = beta*v + (1-beta)*g^2
    pytorch: v = beta*v + (1-beta)*g^2; new = old - lr*g/(sqrt(v) + 1e-8)"""
    uses_squared_average = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def step(self, theta, grad, state):
        beta, lr, sqavg = self.betas["beta"], state["lr"], state["sqavg"]
        new = []
        for i, (p, g) in enumerate(zip(theta, grad)):
            if self.convention == "sheet":
                new.append(p - lr * g / np.sqrt(sqavg[i]))
                sqavg[i] = beta * sqavg[i] + (1 - beta) * _square(g)
            else:
                sqavg[i] = beta * sqavg[i] + (1 - beta) * _square(g)
                new.append(p - lr * (g / (np.sqrt(sqavg[i]) + TORCH_EPS)))  # torch: addcdiv_
        return new


class Adam(Optimizer):
    """sheet:   m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; new = old - lr*m/sqrt(v)
    pytorch: the same averages from zero, then bias correction and epsilon:
             new = old - (lr/(1-b1^t)) * m / (sqrt(v)/sqrt(1-b2^t) + 1e-8)

    anneal=True adds the adam_ann sheet's macro rule: after every epoch, g2 = sum of sqrt(v) over the weights; if g2
    is more than twice the smallest g2 seen so far, lr is divided by 4; a new smallest g2 is remembered."""
    uses_momentum = True
    uses_squared_average = True

    def __init__(self, lr, beta1=0.9, beta2=0.9, convention="sheet", anneal=False):
        super().__init__(lr, convention, beta1=beta1, beta2=beta2)
        if not isinstance(anneal, (bool, np.bool_)):
            raise TypeError(f"anneal must be True or False, not {type(anneal).__name__} {anneal!r}")
        self.anneal = bool(anneal)

    def init_state(self, shape, n_params):
        state = super().init_state(shape, n_params)
        if self.anneal:
            state["smallest_grad2"] = np.sqrt(state["sqavg"]).sum(axis=0)
        return state

    def step(self, theta, grad, state):
        beta1, beta2, lr = self.betas["beta1"], self.betas["beta2"], state["lr"]
        mom, sqavg = state["mom"], state["sqavg"]
        state["t"] += 1
        new = []
        for i, (p, g) in enumerate(zip(theta, grad)):
            mom[i] = beta1 * mom[i] + (1 - beta1) * g
            sqavg[i] = beta2 * sqavg[i] + (1 - beta2) * _square(g)
            if self.convention == "sheet":
                new.append(p - lr * mom[i] / np.sqrt(sqavg[i]))
            else:
                t = state["t"]
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(sqavg[i]) / np.sqrt(1 - beta2 ** t) + TORCH_EPS
                new.append(p - step_size * (mom[i] / denom))  # torch: addcdiv_
        return new

    def end_epoch(self, state):
        if not self.anneal:
            return
        grad2 = np.sqrt(state["sqavg"]).sum(axis=0)
        with np.errstate(all="ignore"):
            too_big = grad2 / state["smallest_grad2"] > 2
        state["lr"] = np.where(too_big, state["lr"] / 4, state["lr"])
        state["smallest_grad2"] = np.where(grad2 < state["smallest_grad2"], grad2, state["smallest_grad2"])

    def __repr__(self):
        return super().__repr__()[:-1] + (", anneal=True)" if self.anneal else ")")


# ----------------------------------------------------------------------------------------------------------------
# 4. engine
# ----------------------------------------------------------------------------------------------------------------
GRADIENTS = ("analytic", "finite_difference")
_TRACE_LIMIT = 20_000_000  # numbers per recorded quantity; beyond this, sweeps must pass trace=False


def train(model, optimizer, x, y, epochs=1, *, gradient="analytic", fd_step=0.01, trace=True):
    """Online gradient descent: rows in order, one update per row, every row updates (29 per epoch on the sheet).

    Every number in `model` and `optimizer` may be an array; they are broadcast to one configuration shape and all
    configurations run at once. `gradient="finite_difference"` updates with the forward difference of each row's
    squared error with step `fd_step`, exactly as the sheet's `est de/db` column (and the learner's formulas).
    `trace=False` keeps only per-epoch results (for sweeps); `Run.table` needs the trace.
    Returns a `Run`."""
    return _engine(model, optimizer, x, y, epochs, gradient=gradient, fd_step=fd_step, trace=trace)


def _engine(model, optimizer, x, y, epochs, *, gradient="analytic", fd_step=0.01, trace=True,
            start=None, state=None, copy_back_last_row=False, excel_rows=False, sheet=None):
    """The one training loop behind `train` and `replay`.

    copy_back_last_row: the workbook's Run macro copies the weights *used by* the last row back to the start cells,
    so the last row's update is thrown away (its gradient still enters the moving averages)."""
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be SGD, Momentum, RMSProp or Adam, not {type(optimizer).__name__}")
    x, y = _check_data(x, y)
    epochs = _positive_int("epochs", epochs)
    gradient = _choice("gradient", gradient, GRADIENTS)
    fd_step = float(_number_array("fd_step", fd_step, low=0, low_inclusive=False, allowed="a finite step > 0"))

    initial = start if start is not None else model.initial
    shape = np.broadcast_shapes(*(np.shape(v) for v in initial.values()),
                                *(np.shape(v) for v in optimizer.hyperparameters().values()))
    n_params, n_rows = len(model.names), len(x)
    theta = [np.broadcast_to(initial[name], shape).astype(float) for name in model.names]
    state = optimizer.init_state(shape, n_params) if state is None else _copy_state(state, shape)
    if trace and n_params * epochs * n_rows * max(1, math.prod(shape)) > _TRACE_LIMIT:
        raise ValueError(f"trace=True would record {epochs} epochs x {n_rows} rows x {math.prod(shape)} "
                         f"configurations; pass trace=False for sweeps (epoch results are kept)")

    sse = np.zeros((epochs,) + shape)  # the sheet's error is sqrt of this sum, per epoch
    diverged_epoch = np.zeros(shape, dtype=int)  # 0 = never; else counted from 1 as a learner reads them
    diverged_row = np.zeros(shape, dtype=int)
    record = _Recorder(model, optimizer, epochs, n_rows, shape) if trace else None

    with np.errstate(all="ignore"):  # overflow is a result here, reported through diverged_at, not a warning
        for epoch in range(epochs):
            for row in range(n_rows):
                xi, yi = x[row], y[row]
                pred = model.predict(theta, xi)
                err_sq = _square(pred - yi)
                sse[epoch] += err_sq
                healthy = err_sq <= DIVERGENCE_LIMIT  # False for NaN and inf too
                for p in theta:
                    healthy &= np.abs(p) <= DIVERGENCE_LIMIT
                if not healthy.all():
                    newly = ~healthy & (diverged_epoch == 0)
                    diverged_epoch[newly] = epoch + 1
                    diverged_row[newly] = row + 1
                if gradient == "analytic" and record is None:
                    grad = model.loss_gradient(theta, xi, yi, pred)
                else:
                    estimates, moved = model.finite_difference(theta, xi, yi, fd_step, pred)
                    grad = estimates if gradient == "finite_difference" else model.loss_gradient(theta, xi, yi, pred)
                new_theta = optimizer.step(theta, grad, state)
                if record is not None:
                    record.row(epoch, row, xi, yi, theta, pred, err_sq, grad, estimates, moved, new_theta, state)
                if copy_back_last_row and row == n_rows - 1:
                    new_theta = theta
                theta = new_theta
            optimizer.end_epoch(state)
            if record is not None:
                record.epoch_end(epoch, state)

    return Run(model=model, optimizer=optimizer, x=x, y=y, epochs=epochs, gradient=gradient, fd_step=fd_step,
               epoch_errors=_squeeze(np.sqrt(sse), shape), epoch_rmse=_squeeze(np.sqrt(sse / n_rows), shape),
               params={name: _scalar_or_array(p) for name, p in zip(model.names, theta)},
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
        self.history = {key: np.zeros(full) for key in ("x", "y", "pred", "err_sq")}
        for key in ("theta", "grad", "analytic", "estimate", "moved_err_sq", "new_theta"):
            self.history[key] = np.zeros((n,) + full)
        for key in ("mom", "sqavg"):
            if key in optimizer.init_state((), n):
                self.history[key] = np.zeros((n,) + full)
        self.history["lr"] = np.zeros(full)
        self.history["epoch_lr"] = np.zeros((epochs + 1,) + shape)
        if isinstance(model, TwoNeuron):
            self.history["h"] = np.zeros(full)
        self.model = model

    def row(self, epoch, row, xi, yi, theta, pred, err_sq, grad, estimates, moved, new_theta, state):
        h = self.history
        at = (epoch, row)
        h["x"][at], h["y"][at], h["pred"][at], h["err_sq"][at] = xi, yi, pred, err_sq
        h["lr"][at] = state["lr"]
        for i in range(len(theta)):
            h["theta"][(i,) + at] = theta[i]
            h["grad"][(i,) + at] = grad[i]
            h["estimate"][(i,) + at] = estimates[i]
            h["moved_err_sq"][(i,) + at] = moved[i]
            h["new_theta"][(i,) + at] = new_theta[i]
            for key in ("mom", "sqavg"):
                if key in h:
                    h[key][(i,) + at] = state[key][i]
        h["analytic"][(slice(None),) + at] = self.model.loss_gradient(theta, xi, yi, pred)
        if "h" in h:
            h["h"][at] = self.model.hidden(theta, xi)

    def epoch_end(self, epoch, state):
        self.history["epoch_lr"][epoch + 1] = state["lr"]


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
        epoch = _positive_int("epoch", epoch)
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
        step = repr(self.fd_step)
        for i, name in enumerate(names):
            cols[f"err_sq_{name}_plus_{step}"] = h["moved_err_sq"][(i,) + at]
            cols[f"est_de_d{name}"] = h["estimate"][(i,) + at]
        for i, name in enumerate(names):
            cols[f"de_d{name}"] = h["analytic"][(i,) + at]
        for key in ("mom", "sqavg"):
            if key in h:
                for i, name in enumerate(names):
                    cols[f"{key}_{name}"] = h[key][(i,) + at]
        for i, name in enumerate(names):
            cols[f"new_{name}"] = h["new_theta"][(i,) + at]
        cols["lr"] = h["lr"][at]
        cols["gradient"] = self.gradient
        return pd.DataFrame(cols)


# ----------------------------------------------------------------------------------------------------------------
# 5. replay: the workbook's buttons
# Reset writes the starting cells and then seeds the moving averages with full passes over the rows; Run repeats a
# one-epoch macro 5 times. `replay(sheet, epochs)` counts epochs, not clicks.
# ----------------------------------------------------------------------------------------------------------------
SHEETS = {
    # sheet: (optimizer factory taking lr, the lr the sheet's Reset leaves in the lr cell)
    "basic": (lambda lr: SGD(lr), 1e-4),
    "momentum": (lambda lr: Momentum(lr, beta=0.9), 1e-4),
    "rmsprop": (lambda lr: RMSProp(lr, beta=0.9), 0.02),
    "adam": (lambda lr: Adam(lr, beta1=0.9, beta2=0.9), 1.0),
    "adam_ann": (lambda lr: Adam(lr, beta1=0.9, beta2=0.95, anneal=True), 1.0),
}
START_CHOICES = ("reset", "saved")

# adam_ann as the workbook was saved (after Reset and 5 Run clicks). Reset + 25 epochs reaches these to about 1e-13
# relative, not exactly, so the saved state is kept as the workbook holds it: b and a are its row-4 cells;
# the moving averages are the row-3 values that the row-4 cells imply (each checked to give the row-4 average
# exactly); smallest_grad2 is the smallest sum of sqrt(v) that Reset + 25 epochs passes through.
_ADAM_ANN_SAVED = {
    "params": {"b": 29.990939773126538, "a": 2.0041632844175137},
    "lr": 0.00390625,
    "mom": (-0.04844194314192591, -4.064202550984445),
    "sqavg": (0.02527589588662521, 161.89615404770484),
    "smallest_grad2": None,  # filled in by _adam_ann_saved() on first use
}


def replay(sheet, epochs=1, start="reset", lr=None):
    """The workbook's Run button, exactly: online SGD-style passes of 29 rows where the macro copies back the weights
    used by the last row (28 applied updates per epoch), moving averages carried over, adam_ann's annealing.

    sheet: 'basic', 'momentum', 'rmsprop', 'adam' or 'adam_ann'.
    start: 'reset' (the Reset button), 'saved' (the state the workbook was saved in, so the epoch-1 table equals
           the sheet's cached cells) or a previous replay's Run to continue from.
    lr:    overrides the lr cell, as a learner typing into it would.
    `Run.params` is what the macro copies back after the last epoch."""
    sheet = _choice("sheet", sheet, tuple(SHEETS))
    epochs = _positive_int("epochs", epochs)
    if lr is not None:
        lr = float(_number_array("lr", lr, low=0, low_inclusive=False, allowed="a finite learning rate > 0"))
    if isinstance(start, Run):
        if start.sheet != sheet:
            raise ValueError(f"start is a replay of {start.sheet!r}; it can only continue the same sheet, not {sheet!r}")
        params, state = start.params, start.state
    elif isinstance(start, str) and start in START_CHOICES:
        params, state = (_reset_state if start == "reset" else _saved_state)(sheet, lr)
    else:
        raise ValueError(f"start must be 'reset', 'saved' or a previous replay's Run; got {start!r}")
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()}
    if lr is not None:
        state["lr"] = np.array(lr)
    factory, _ = SHEETS[sheet]
    x, y = load_data()
    return _engine(Linear(a=params["a"], b=params["b"]), factory(float(state["lr"])), x, y, epochs,
                   start=params, state=state, copy_back_last_row=True, excel_rows=True, sheet=sheet)


def _reset_state(sheet, lr=None):
    """The Reset button: b = a = 1, then the sheet's seeding passes for the moving averages."""
    factory, sheet_lr = SHEETS[sheet]
    # rmsprop's Reset keeps whatever the lr cell holds; adam's Reset writes lr = 1 before seeding.
    seed_lr = lr if (sheet == "rmsprop" and lr is not None) else sheet_lr
    optimizer = factory(seed_lr)
    ones = {"b": 1.0, "a": 1.0}
    state = optimizer.init_state((), 2)
    if sheet == "momentum":
        state["mom"] = _one_pass(optimizer, ones, state)["mom"]
    elif sheet == "rmsprop":
        for _ in range(2):
            state["sqavg"] = _one_pass(optimizer, ones, state)["sqavg"]
    elif sheet == "adam":  # twice: paste the pass's v as the seed, recompute, paste its m
        for _ in range(2):
            state["sqavg"] = _one_pass(optimizer, ones, state)["sqavg"]
            state["mom"] = _one_pass(optimizer, ones, state)["mom"]
    elif sheet == "adam_ann":
        # twice: paste m and v from the same pass. (Read off the saved workbook: with adam's sequential seeding the
        # annealing schedule comes out at epochs 10, 11, 18; with this one it is the recorded 7, 8, 16, 17 and
        # Reset + 25 epochs lands on the saved weights to about 1e-13 relative.)
        for _ in range(2):
            seeded = _one_pass(optimizer, ones, state)
            state["sqavg"], state["mom"] = seeded["sqavg"], seeded["mom"]
        state["smallest_grad2"] = np.sqrt(state["sqavg"]).sum(axis=0)
    return ones, state


def _one_pass(optimizer, params, state):
    """The sheet recomputing rows 4..32 from `params` and `state` (no macro, no annealing): the state at row 32."""
    plain = Adam(float(state["lr"]), **optimizer.betas) if isinstance(optimizer, Adam) else optimizer
    x, y = load_data()
    return _engine(Linear(**params), plain, x, y, 1, start=params, state=state, trace=False).state


def _saved_state(sheet, lr=None):
    """The state the workbook was saved in, reached by the macro history recorded in the reference README."""
    if sheet in ("basic", "momentum"):
        return _reset_state(sheet)
    if sheet == "rmsprop":  # Reset, then one Run click (5 epochs) at lr 0.02
        run = replay("rmsprop", 5, start="reset")
        return run.params, run.state
    if sheet == "adam":  # Reset, 3 Run clicks at lr 1, lr set to 0.1 by hand, 1 more Run click
        run = replay("adam", 15, start="reset")
        run = replay("adam", 5, start=run, lr=0.1)
        return run.params, run.state
    return _adam_ann_saved()


def _adam_ann_saved():
    saved = _ADAM_ANN_SAVED
    if saved["smallest_grad2"] is None:
        history = replay("adam_ann", 25, start="reset")
        saved["smallest_grad2"] = float(history.state["smallest_grad2"])
    state = {"lr": np.array(saved["lr"]), "t": 0, "mom": np.array(saved["mom"]), "sqavg": np.array(saved["sqavg"]),
             "smallest_grad2": np.array(saved["smallest_grad2"])}
    return dict(saved["params"]), state
