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
    "DIVERGENCE_LIMIT", "SHEETS", "export_xlsx",
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
        bad = float(array[too_low | too_high].flat[0])
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
# A model knows its parameter names (in the order the sheet shows them), its prediction, and the derivative of the
# prediction with respect to each parameter. `theta` is a stacked array (one row per name) or a sequence of arrays
# of one shape. Results go into preallocated buffers (`ws`, `out`) so the training loop allocates nothing per row
# (on this kind of machine a fresh 0.5 MB temporary costs more than the arithmetic); without buffers they allocate.
# ----------------------------------------------------------------------------------------------------------------
class Workspace:
    """Named scratch arrays of one shape, reused row after row."""

    def __init__(self, shape, names, n_params):
        self.shape = shape
        for name in names:
            setattr(self, name, np.empty(shape))
        self.mask = np.empty(shape, dtype=bool)
        self.stacked = np.empty((n_params,) + shape)


def _shape_of(theta, x):
    return np.broadcast_shapes(*(np.shape(t) for t in theta), np.shape(x))


class Model:
    names: tuple = ()
    _buffers = ("pred", "residual", "err", "h", "act")

    def __init__(self, **params):
        self.initial = {name: _number_array(name, params[name], allowed="a finite number")
                        for name in self.names}

    def workspace(self, shape):
        return Workspace(shape, self._buffers, len(self.names))

    def _ws(self, ws, theta, x):
        return ws if ws is not None else self.workspace(_shape_of(theta, x))

    def predict(self, theta, x, ws=None):
        """The prediction at data row x (written to ws.pred)."""
        raise NotImplementedError

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        """d pred / d theta_i for each parameter at data row x, stacked: shape (n_params, *shape).
        With `scale`, each is multiplied by it as it is computed (the chain rule, without a second pass).
        predicted=True: predict(theta, x, ws) has just run, so its intermediate values in ws are reused."""
        raise NotImplementedError

    def loss_gradient(self, theta, x, y, pred=None, out=None, ws=None):
        """Analytic d (pred - y)^2 / d theta_i = 2*(pred - y) * d pred / d theta_i.
        For the sheet's model that is exactly its cells: de/db = 2*(pred - y), de/da = x * de/db.
        `pred`, if given with `ws`, must come from predict(theta, x, ws): what predict left in ws is reused."""
        if pred is None or ws is None:
            ws = self._ws(ws, theta, x)
            pred = self.predict(theta, x, ws)
        de_dpred = np.subtract(pred, y, out=ws.residual)
        de_dpred *= 2
        return self.pred_gradient(theta, x, out, ws, scale=de_dpred, predicted=True)

    def finite_difference(self, theta, x, y, step=0.01, pred=None, out=None, moved_err=None, ws=None):
        """Forward difference of the row's squared error, one parameter at a time, as the sheet's `est de/db`:
        ((pred with theta_i + step) - y)^2 - (pred - y)^2, divided by step.

        Returns (estimates, squared errors with that parameter moved), each stacked (n_params, *shape).
        `ws` must not be the workspace holding `pred`."""
        ws = self._ws(ws, theta, x)
        if pred is None:
            pred = self.predict(theta, x)  # its own buffers, apart from ws
        n = len(self.names)
        out = np.empty((n,) + ws.shape) if out is None else out
        moved_err = np.empty((n,) + ws.shape) if moved_err is None else moved_err
        err = np.subtract(pred, y, out=ws.err)
        err *= err
        moved = ws.stacked
        for i in range(n):
            for j in range(n):
                np.copyto(moved[j, ...], theta[j])  # [j, ...]: a view even when 0-d
            moved[i] += step
            np.subtract(self.predict(moved, x, ws), y, out=moved_err[i, ...])
            moved_err[i] *= moved_err[i]
            np.subtract(moved_err[i], err, out=out[i, ...])
            out[i] /= step
        return out, moved_err

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

    def predict(self, theta, x, ws=None):
        ws = self._ws(ws, theta, x)
        b, a = theta[0], theta[1]
        pred = np.multiply(a, x, out=ws.pred)
        pred += b  # pred = b + a*x
        return pred

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        out = out if out is not None else np.empty((2,) + _shape_of(theta, x))
        out[0] = 1.0 if scale is None else scale  # d pred / db (times scale)
        np.multiply(x, out[0], out=out[1, ...])   # d pred / da = x (times scale)
        return out


class TwoNeuron(Model):
    """The learner's model: two stacked neurons, pred = w2*act(w1*x + b1) + b2.

    act is the identity, or with relu=True max(h, 0) with derivative 0 at h <= 0."""
    names = ("w1", "b1", "w2", "b2")

    def __init__(self, w1=1.0, b1=1.0, w2=1.0, b2=1.0, relu=False):
        if not isinstance(relu, (bool, np.bool_)):
            raise TypeError(f"relu must be True or False, not {type(relu).__name__} {relu!r}")
        self.relu = bool(relu)
        super().__init__(w1=w1, b1=b1, w2=w2, b2=b2)

    def hidden(self, theta, x, ws=None):
        """h = w1*x + b1, the first neuron's pre-activation (written to ws.h)."""
        ws = self._ws(ws, theta, x)
        h = np.multiply(theta[0], x, out=ws.h)
        h += theta[1]
        return h

    def _activation(self, h, ws):
        return np.maximum(h, 0.0, out=ws.act) if self.relu else h

    def predict(self, theta, x, ws=None):
        ws = self._ws(ws, theta, x)
        act = self._activation(self.hidden(theta, x, ws), ws)
        pred = np.multiply(theta[2], act, out=ws.pred)
        pred += theta[3]  # pred = w2*act(h) + b2
        return pred

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        ws = self._ws(ws, theta, x)
        out = out if out is not None else np.empty((4,) + ws.shape)
        h = ws.h if predicted else self.hidden(theta, x, ws)
        act = (ws.act if self.relu else h) if predicted else self._activation(h, ws)
        out[3] = 1.0 if scale is None else scale        # d pred / db2 = 1
        np.multiply(act, out[3], out=out[2, ...])       # d pred / dw2 = act(h)
        np.multiply(theta[2], out[3], out=out[1, ...])  # d pred / db1 = w2 * act'(h)
        if self.relu:
            out[1] *= np.greater(h, 0, out=ws.mask)     # ReLU: act'(h) = 0 at h <= 0
        np.multiply(out[1], x, out=out[0, ...])         # d pred / dw1 = w2 * act'(h) * x
        return out

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
# the engine passes to `step`, so one optimizer object serves many runs. `step` updates the stacked weights and the
# state in place.
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
        self.one_minus = {name: 1 - beta for name, beta in self.betas.items()}  # the sheet's (1-beta), once

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

    def step(self, theta, grad, state, scratch=None):
        """One row's update of the stacked weights `theta` (n_params, *shape), in place; `state` too.
        `scratch` is two arrays shaped like theta (allocated when not given). Returns theta."""
        scratch = scratch if scratch is not None else (np.empty_like(theta), np.empty_like(theta))
        self._step(theta, grad, state, *scratch)
        return theta

    def end_epoch(self, state):
        """Called after every epoch (annealing lives here)."""

    def __repr__(self):
        args = ", ".join(f"{k}={_scalar_or_array(v)!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args}, convention={self.convention!r})"


class SGD(Optimizer):
    """new = old - lr * grad."""

    def __init__(self, lr, convention="sheet"):
        super().__init__(lr, convention)

    def _step(self, theta, grad, state, step, _):
        theta -= np.multiply(state["lr"], grad, out=step)


class Momentum(Optimizer):
    """sheet:   m = beta*m + (1-beta)*g; new = old - lr*m   (a damped average: steps about as large as SGD's)
    pytorch: m = beta*m + g;            new = old - lr*m   (undamped: steps up to 1/(1-beta) times larger)"""
    uses_momentum = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def _step(self, theta, grad, state, step, _):
        mom = state["mom"]
        mom *= self.betas["beta"]
        mom += np.multiply(self.one_minus["beta"], grad, out=step) if self.convention == "sheet" else grad
        theta -= np.multiply(state["lr"], mom, out=step)


class RMSProp(Optimizer):
    """sheet:   new = old - lr*g/sqrt(v_previous); then v = beta*v + (1-beta)*g^2
    pytorch: v = beta*v + (1-beta)*g^2; new = old - lr*g/(sqrt(v) + 1e-8)"""
    uses_squared_average = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def _fold_in_squares(self, grad, sqavg, step):
        sqavg *= self.betas["beta"]
        sqavg += np.multiply(np.multiply(grad, grad, out=step), self.one_minus["beta"], out=step)

    def _step(self, theta, grad, state, step, root):
        lr, sqavg = state["lr"], state["sqavg"]
        if self.convention == "sheet":
            np.multiply(lr, grad, out=step)
            theta -= np.divide(step, np.sqrt(sqavg, out=root), out=step)
            self._fold_in_squares(grad, sqavg, step)
        else:
            self._fold_in_squares(grad, sqavg, step)
            np.sqrt(sqavg, out=root)
            root += TORCH_EPS
            theta -= np.multiply(lr, np.divide(grad, root, out=step), out=step)  # torch: addcdiv_


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

    def _step(self, theta, grad, state, step, root):
        lr, mom, sqavg = state["lr"], state["mom"], state["sqavg"]
        state["t"] += 1
        mom *= self.betas["beta1"]
        mom += np.multiply(self.one_minus["beta1"], grad, out=step)
        sqavg *= self.betas["beta2"]
        sqavg += np.multiply(np.multiply(grad, grad, out=step), self.one_minus["beta2"], out=step)
        np.sqrt(sqavg, out=root)
        if self.convention == "sheet":
            np.multiply(lr, mom, out=step)
            theta -= np.divide(step, root, out=step)
        else:
            t = state["t"]
            step_size = lr / (1 - self.betas["beta1"] ** t)
            root /= np.sqrt(1 - self.betas["beta2"] ** t)
            root += TORCH_EPS
            theta -= np.multiply(step_size, np.divide(mom, root, out=step), out=step)  # torch: addcdiv_

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
    """The one training loop behind `train` and `replay`. It allocates nothing per row.

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


# ----------------------------------------------------------------------------------------------------------------
# 6. diagnostics
# One online SGD step on row (x, y) moves that row's residual r = pred - y to about (1 - 2*lr*K)*r, where
# K = ||d pred / d weights||^2 at that row. The step is stable while |1 - 2*lr*K| < 1, i.e. lr*K < 1.
# ----------------------------------------------------------------------------------------------------------------
STABILITY_THRESHOLD = 1.0  # lr * K above this makes the row's residual grow


def row_curvature(model, params, x):
    """K = ||d pred / d weights||^2 for each row x, at weights `params` (a dict; arrays broadcast).

    Linear: K = x^2 + 1. TwoNeuron: K = w2^2 (x^2 + 1) + h^2 + 1 with h = w1*x + b1 (ReLU: the w2 term and h^2
    vanish where h <= 0)."""
    theta = [np.asarray(params[name], dtype=float) for name in model.names]
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        return sum(_square(d) for d in model.pred_gradient(theta, x))


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


def quadratic_stability_bound(optimizer_name, beta=0.9, convention="sheet"):
    """Largest lr*lambda for which an optimizer converges on a 1-D quadratic loss lambda/2 * w^2 (gradient
    lambda*w). SGD: 2. Undamped (PyTorch) momentum, m = beta*m + g: 2 + 2*beta. The sheet's damped momentum,
    m = beta*m + (1-beta)*g, is the undamped one with lr scaled by (1-beta): (2 + 2*beta)/(1 - beta).
    (The sheet's row loss (pred - y)^2 has lambda = 2K, so SGD's bound lr*lambda < 2 is lr*K < 1.)"""
    _choice("convention", convention, CONVENTIONS)
    if optimizer_name == "SGD":
        return 2.0
    if optimizer_name == "Momentum":
        return (2 + 2 * beta) if convention == "pytorch" else (2 + 2 * beta) / (1 - beta)
    raise ValueError(f"optimizer_name must be 'SGD' or 'Momentum' (adaptive steps have no fixed bound); "
                     f"got {optimizer_name!r}")


def conventions_table():
    """How the sheet, PyTorch and fastai write each optimizer, and what the differences do (a pandas DataFrame)."""
    import pandas as pd

    rows = [
        ("momentum buffer", "m = β·m + (1−β)·g", "m = β·m + g (dampening 0)", "m = β·m + g (SGD with mom)",
         "undamped steps are up to 1/(1−β) = 10× larger at β = 0.9"),
        ("momentum step", "w −= lr·m", "w −= lr·m", "w −= lr·m", "same form; the buffer differs"),
        ("SGD stability (1-D, curvature λ)", "lr·λ < 2", "lr·λ < 2", "lr·λ < 2", "the row loss (pred−y)² has λ = 2K"),
        ("momentum stability", "lr·λ < (2+2β)/(1−β) = 38", "lr·λ < 2+2β = 3.8", "lr·λ < 2+2β = 3.8",
         "damping scales the bound by 1/(1−β)"),
        ("RMSProp divisor", "√v of the previous row", "√v of this row + ε (1e-8)", "√v of this row + ε (1e-8)",
         "the sheet's first steps use the seed v = 10000"),
        ("squared average start", "10000 (Reset), then seeded", "0", "0",
         "a large start damps the first steps"),
        ("Adam bias correction", "none", "m/(1−β1ᵗ), v/(1−β2ᵗ)", "m/(1−β1ᵗ), v/(1−β2ᵗ)",
         "from zero averages, the uncorrected first step is (1−β1)/√(1−β2) of the corrected one: 0.32× at the "
         "sheet's betas, 3.2× at PyTorch's (the sheet avoids this by seeding m and v)"),
        ("Adam ε", "none", "1e-8, outside the root", "1e-5 (fastai's default eps), outside the root",
         "no ε: a zero v would divide by zero"),
        ("default betas", "β1 = 0.9, β2 = 0.9 (adam_ann: 0.95)", "β1 = 0.9, β2 = 0.999", "β1 = 0.9, β2 = 0.99",
         "a short β2 memory reacts faster to a changing gradient scale"),
    ]
    return pd.DataFrame(rows, columns=["what", "sheet", "PyTorch", "fastai", "what the difference does"])


# ----------------------------------------------------------------------------------------------------------------
# 6b. export: any run back to the spreadsheet
# One sheet per epoch, laid out like the workbook: hyperparameters in labelled cells at the top, a "start" row with
# the starting weights and averages, then one row per update whose formulas read the row above. The cached value
# of every formula is the engine's number, so the file reads right before any recalculation; change lr in B2 of
# "epoch 1" and the whole workbook recomputes.
# ----------------------------------------------------------------------------------------------------------------
XLSX_FIRST_ROW = 8  # Excel row of the first update; row 7 is the start row, row 6 the header


def export_xlsx(model, optimizer, path, epochs=1, *, x=None, y=None, cached=True):
    """Write `train(model, optimizer, x, y, epochs)` as a workbook with live formulas (XlsxWriter).

    Linear and TwoNeuron (with or without ReLU); SGD, Momentum, RMSProp and Adam in the sheet convention. x, y
    default to the sheet's data. cached=False leaves the formulas without cached values, so a spreadsheet engine
    must compute them. Written to a temporary file beside `path` and renamed, so a failure leaves nothing behind.
    Returns the Run it wrote."""
    import os
    import tempfile

    import xlsxwriter

    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be SGD, Momentum, RMSProp or Adam, not {type(optimizer).__name__}")
    if optimizer.convention != "sheet" or getattr(optimizer, "anneal", False):
        raise ValueError("export_xlsx writes the sheet convention's formulas; the optimizer must have "
                         "convention='sheet' and no annealing (a macro rule, not a formula)")
    if any(np.ndim(v) for v in list(model.initial.values()) + list(optimizer.hyperparameters().values())):
        raise ValueError("export_xlsx writes one configuration; model and optimizer numbers must be scalars")
    path = Path(os.fspath(path))
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"path must end in .xlsx; got {str(path)!r}")
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"path's folder {str(folder)!r} does not exist; create it or choose another folder")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"path's folder {str(folder)!r} is not writable; choose another folder")
    if x is None:
        x, y = load_data()
    run = train(model, optimizer, x, y, epochs)

    try:
        handle, temporary = tempfile.mkstemp(suffix=".xlsx.partial", dir=folder)
    except OSError as error:
        raise ValueError(f"path's folder {str(folder)!r} is not writable ({error.strerror}); "
                         "choose another folder") from None
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(temporary, {"nan_inf_to_errors": True})
        _write_epochs(workbook, run, cached)
        workbook.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return run


def _xlsx_columns(model, optimizer):
    names = list(model.names)
    columns = ["x", "y"] + names
    if isinstance(model, TwoNeuron):
        columns += ["h", "act"]
    columns += ["pred", "err_sq"] + [f"de_d{n}" for n in names]
    if optimizer.uses_momentum:
        columns += [f"mom_{n}" for n in names]
    if optimizer.uses_squared_average:
        columns += [f"sqavg_{n}" for n in names]
    return columns + [f"new_{n}" for n in names]


def _row_formulas(model, optimizer, at):
    """Excel formulas of one update row; `at(column, rows_up=0)` gives a cell reference."""
    names, f = model.names, {}
    if isinstance(model, Linear):
        f["pred"] = f"={at('b')}+{at('a')}*{at('x')}"
    else:
        f["h"] = f"={at('w1')}*{at('x')}+{at('b1')}"
        f["act"] = f"=MAX({at('h')},0)" if model.relu else f"={at('h')}"
        f["pred"] = f"={at('w2')}*{at('act')}+{at('b2')}"
    f["err_sq"] = f"=({at('y')}-{at('pred')})^2"
    if isinstance(model, Linear):
        f["de_db"] = f"=2*({at('pred')}-{at('y')})"
        f["de_da"] = f"={at('x')}*{at('de_db')}"
    else:
        f["de_db2"] = f"=2*({at('pred')}-{at('y')})"
        f["de_dw2"] = f"={at('act')}*{at('de_db2')}"
        f["de_db1"] = f"={at('w2')}*{at('de_db2')}" + (f"*IF({at('h')}>0,1,0)" if model.relu else "")
        f["de_dw1"] = f"={at('de_db1')}*{at('x')}"
    lr, beta1, beta2 = "$B$2", "$D$2", "$F$2"
    for n in names:
        g = at(f"de_d{n}")
        if isinstance(optimizer, Momentum):
            f[f"mom_{n}"] = f"={beta1}*{at(f'mom_{n}', 1)}+(1-{beta1})*{g}"
            f[f"new_{n}"] = f"={at(n)}-{lr}*{at(f'mom_{n}')}"
        elif isinstance(optimizer, RMSProp):
            f[f"new_{n}"] = f"={at(n)}-{lr}*{g}/SQRT({at(f'sqavg_{n}', 1)})"
            f[f"sqavg_{n}"] = f"={beta1}*{at(f'sqavg_{n}', 1)}+(1-{beta1})*{g}^2"
        elif isinstance(optimizer, Adam):
            f[f"mom_{n}"] = f"={beta1}*{at(f'mom_{n}', 1)}+(1-{beta1})*{g}"
            f[f"sqavg_{n}"] = f"={beta2}*{at(f'sqavg_{n}', 1)}+(1-{beta2})*{g}^2"
            f[f"new_{n}"] = f"={at(n)}-{lr}*{at(f'mom_{n}')}/SQRT({at(f'sqavg_{n}')})"
        else:
            f[f"new_{n}"] = f"={at(n)}-{lr}*{g}"
    return f


def _write_epochs(workbook, run, cached):
    from xlsxwriter.utility import xl_rowcol_to_cell

    model, optimizer, h = run.model, run.optimizer, run.history
    columns = _xlsx_columns(model, optimizer)
    col = {name: i for i, name in enumerate(columns)}
    n_rows, first, last = len(run.x), XLSX_FIRST_ROW, XLSX_FIRST_ROW + len(run.x) - 1
    bold = workbook.add_format({"bold": True})
    betas = list(optimizer.betas.items())

    def value(v):
        v = float(v)
        return v if math.isfinite(v) else "#NUM!"

    def formula(sheet, row, name, text, number):
        sheet.write_formula(row - 1, col[name], text, None, value(number) if cached else "")

    for epoch in range(1, run.epochs + 1):
        sheet = workbook.add_worksheet(f"epoch {epoch}")
        e = epoch - 1
        sheet.write(0, 0, f"graddesc export: {model!r} trained by {optimizer!r}, epoch {epoch} of {run.epochs}",
                    bold)
        # row 2: hyperparameters (later epochs read epoch 1's cells, so one edit recomputes everything)
        for k, (label, number) in enumerate([("lr", optimizer.lr)] + betas):
            sheet.write(1, 2 * k, label, bold)
            if epoch == 1:
                sheet.write_number(1, 2 * k + 1, float(number))
            else:
                formula_ref = f"='epoch 1'!{xl_rowcol_to_cell(1, 2 * k + 1)}"
                sheet.write_formula(1, 2 * k + 1, formula_ref, None, float(number) if cached else "")
        err_range = f"{xl_rowcol_to_cell(first - 1, col['err_sq'])}:{xl_rowcol_to_cell(last - 1, col['err_sq'])}"
        sheet.write(2, 0, "sheet error", bold)
        sheet.write_formula(2, 1, f"=SQRT(SUM({err_range}))", None,
                            value(run.epoch_errors[e]) if cached else "")
        sheet.write(2, 2, "true RMSE", bold)
        sheet.write_formula(2, 3, f"=SQRT(SUM({err_range})/{n_rows})", None,
                            value(run.epoch_rmse[e]) if cached else "")
        note = (f"{run.divergence_message()} (from there on the numbers overflow, as #NUM! in a spreadsheet)"
                if run.diverged_at and run.diverged_at[0] <= epoch
                else "Change lr (B2 of sheet 'epoch 1') and every row of every epoch recomputes.")
        sheet.write(3, 0, note)
        for name, i in col.items():
            sheet.write(5, i, name, bold)
        # row 7: the start row (starting weights and averages; later epochs continue from the last row before)
        sheet.write(6, 0, "start", bold)
        carried = [n for n in columns if n.startswith(("mom_", "sqavg_"))]
        for name in list(model.names) + carried:
            source = f"new_{name}" if name in model.names else name
            if epoch == 1:
                start = model.initial[name] if name in model.names else \
                    (0.0 if name.startswith("mom_") else SHEET_SQUARED_AVERAGE_START)
                sheet.write_number(6, col[name], float(start))
            else:
                prior = _history_value(run, source, epoch - 2, n_rows - 1)
                formula(sheet, 7, name, f"='epoch {epoch - 1}'!{xl_rowcol_to_cell(last - 1, col[source])}", prior)
        # one row per update
        for r in range(n_rows):
            row = first + r

            def at(name, rows_up=0):
                return xl_rowcol_to_cell(row - 1 - rows_up, col[name])

            sheet.write_number(row - 1, col["x"], float(run.x[r]))
            sheet.write_number(row - 1, col["y"], float(run.y[r]))
            for name in model.names:
                above = xl_rowcol_to_cell(row - 2, col[name if r == 0 else f"new_{name}"])
                formula(sheet, row, name, f"={above}", h["theta"][model.names.index(name), e, r])
            for name, text in _row_formulas(model, optimizer, at).items():
                formula(sheet, row, name, text, _history_value(run, name, e, r))
        sheet.freeze_panes(6, 2)


def _history_value(run, name, epoch, row):
    """The engine's number behind one cell of the export."""
    h, names = run.history, run.model.names
    if name in ("pred", "err_sq"):
        return h[name][epoch, row]
    if name in ("h", "act"):
        hidden = h["h"][epoch, row]
        return max(hidden, 0.0) if name == "act" and run.model.relu else hidden
    if name.startswith("de_d"):
        return h["grad"][names.index(name[4:]), epoch, row]
    if name.startswith("new_"):
        return h["new_theta"][names.index(name[4:]), epoch, row]
    key, weight = name.split("_", 1)
    return h[key][names.index(weight), epoch, row]


# ----------------------------------------------------------------------------------------------------------------
# 7. plots
# Static figures are plain matplotlib Figures (not registered with pyplot) shown as PNG images by `show`, so they
# read on GitHub and never duplicate themselves in the notebook.
# ----------------------------------------------------------------------------------------------------------------
PLOT_FLOOR, PLOT_CEILING = 1e-3, 1e14  # log axes show errors in this band (divergence is declared at 1e12)


def figure(ncols=1, nrows=1, width=9.0, height=3.2, **kwargs):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=80, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes.ravel() if axes.size > 1 else axes[0, 0]


def show(fig):
    """Display a figure as a PNG image (stored in the notebook, visible without a kernel)."""
    import io

    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    display(Image(buffer.getvalue()))


def displayable(values):
    """Errors ready for a log axis: clipped into the plotted band; not finite -> just above the ceiling."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(values), np.clip(values, PLOT_FLOOR, PLOT_CEILING * 10), PLOT_CEILING * 10)


def until_divergence(run, values):
    """Per-row values of a single run with the rows after its divergence row hidden (NaN), so a plot stays readable."""
    values = np.asarray(values, dtype=float).ravel().copy()
    if run.diverged_at is not None:
        epoch, row = run.diverged_at
        values[(epoch - 1) * len(run.x) + row:] = np.nan
    return values


def loss_grid(a_range=(-1, 4), b_range=(-20, 60), n=120):
    """The sheet's squared-error sum over the 29 rows on an (a, b) grid, for contour plots."""
    x, y = load_data()
    a = np.linspace(*a_range, n)
    b = np.linspace(*b_range, n)
    grid_a, grid_b = np.meshgrid(a, b)
    residual = grid_b[..., None] + grid_a[..., None] * x - y
    return grid_a, grid_b, (residual * residual).sum(axis=-1)


def plot_contour(ax, a_range=(-1, 4), b_range=(-20, 60)):
    grid_a, grid_b, sse = loss_grid(a_range, b_range)
    ax.contour(grid_a, grid_b, np.log10(sse), levels=14, cmap="viridis", linewidths=0.8)
    ax.plot([2], [30], marker="*", color="k", ms=10, ls="none", label="a=2, b=30")
    ax.set_xlim(*a_range)
    ax.set_ylim(*b_range)
    ax.set_xlabel("a (slope)")
    ax.set_ylabel("b (intercept)")


def path_of(run, names=("a", "b")):
    """The weights in use at every row, then the final ones: the path a run takes through weight space."""
    run._need_history()
    index = [run.model.names.index(n) for n in names]
    h = run.history["theta"]
    return [np.r_[h[i].ravel(), run.params[n]] for i, n in zip(index, names)]


def ema(values, beta):
    """The sheet's exponentially weighted moving average m = beta*m + (1-beta)*v, starting from 0."""
    out, m = [], 0.0
    for v in values:
        m = beta * m + (1 - beta) * v
        out.append(m)
    return np.array(out)


# ----------------------------------------------------------------------------------------------------------------
# 8. interactives
# Every interactive is an Explorer: sliders, one computation per slider move (shared by all panels), and a figure
# whose artists are updated in place. In JupyterLab the figure is an ipympl canvas (`%matplotlib widget`); the
# stored notebook also carries a PNG of the first state, so it reads on GitHub. Re-running a cell replaces its
# figure instead of adding one.
# ----------------------------------------------------------------------------------------------------------------
def lr_slider(value=1e-4, low=-7.0, high=-2.0, step=0.1, description="lr"):
    """A log-scale learning-rate slider; `value` sits on the grid 10**(low + k*step)."""
    import ipywidgets as widgets

    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=step, description=description,
                                  readout_format=".1e", continuous_update=True)


def number_slider(description, value, low, high, step, continuous=True):
    import ipywidgets as widgets

    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=".2f", continuous_update=continuous)


def int_slider(description, value, low, high, continuous=True):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=continuous)


class Explorer:
    """Sliders + a figure updated in place + a one-line readout.

    build(fig) creates the axes and artists once and returns redraw(result); compute(**slider values) does the
    one training run (or sweep) per slider move; describe(result) gives the readout text, shown above the live
    figure and drawn into the stored image (rendering it on every move would cost more than the training run)."""

    def __init__(self, name, controls, build, compute, describe, width=9.0, height=3.4, exporter=None):
        import ipywidgets as widgets
        import matplotlib.pyplot as plt

        plt.close(name)  # one live figure per interactive, however often its cell runs
        with plt.ioff():
            self.fig = plt.figure(num=name, figsize=(width, height), dpi=80, layout="constrained")
        self.name, self.controls = name, controls
        self.compute, self.describe = compute, describe
        if hasattr(self.fig.canvas, "header_visible"):
            self.fig.canvas.header_visible = False  # ipympl's figure-name header: the readout says more
        self.banner = self.fig.suptitle("", fontsize=9, wrap=True)
        self.redraw = build(self.fig)
        self.banner.set_text("diverged at epoch 10, row 29 | " * 3)  # lay out once, with room for the readout...
        # (not canvas.draw(): an ipympl canvas drawn before it is displayed stays 0 x 0 pixels in JupyterLab)
        self.fig.draw_without_rendering()
        self.fig.set_layout_engine("none")  # ...then freeze it: constrained layout on every move costs ~250 ms
        self.banner.set_text("")
        # Blitting: what a slider changes is drawn as "animated" artists over a cached background of axes, ticks
        # and contours, which take most of a full draw's time (text rendering).
        self.animated = self.fig.findobj(lambda artist: artist.get_animated())
        self.background = None
        self.fig.canvas.mpl_connect("draw_event", self._on_full_draw)
        self.readout = widgets.HTML()
        self.readout.add_class("graddesc-readout")  # so a browser (and its tests) can find it
        for control in controls.values():
            control.observe(self._changed, names="value")
        # exporter(result) -> (run, file name): a button that writes the current experiment as a live workbook
        self.exporter, self.export_button, self.export_link = exporter, None, None
        if exporter is not None:
            self.export_button = widgets.Button(description="Export to .xlsx", icon="table",
                                                tooltip="write this experiment as a spreadsheet with live formulas")
            self.export_link = widgets.HTML()
            self.export_button.on_click(lambda _: self.export())
        self.refresh()

    def export(self, folder="."):
        """Write the current experiment as a workbook next to the notebook; returns its path."""
        import html

        run, file_name = self.exporter(self.result)
        path = Path(folder) / file_name
        export_xlsx(run.model, run.optimizer, path, run.epochs, x=run.x, y=run.y)
        caveat = " (with analytic gradients: the workbook's formulas are the derivatives)" \
            if run.gradient != "analytic" else ""
        self.export_link.value = (f'<a href="{html.escape(file_name)}" download>{html.escape(file_name)}</a> '
                                  f"written{caveat}: open it in Excel or LibreOffice and change the lr cell")
        return path

    def values(self):
        return {key: control.value for key, control in self.controls.items()}

    def _changed(self, change):
        self.refresh()

    def refresh(self):
        """Recompute once, update every panel and the readout, and ask the canvas to redraw."""
        import html

        limits = self._limits()
        self.result = self.compute(**self.values())
        self.redraw(self.result)
        self.text = self._settings() + self.describe(self.result)
        self.readout.value = f"<b>{html.escape(self.text)}</b>"
        if self.background is None or self._limits() != limits:
            self.fig.canvas.draw_idle()  # the background changed: a full draw (which recaptures it)
        else:
            self._blit()

    def _settings(self):
        """The learning rates the result was computed for, leading the readout ('lr 1.0e-04 · ...')."""
        rates = [f"{control.description} {control.value:.1e}" for control in self.controls.values()
                 if hasattr(control, "base")]
        return " · ".join(rates) + " · " if rates else ""

    def _limits(self):
        return [ax.get_xlim() + ax.get_ylim() for ax in self.fig.axes]

    def _on_full_draw(self, event):
        canvas = self.fig.canvas
        self.background = canvas.copy_from_bbox(self.fig.bbox)
        self._draw_animated()

    def _draw_animated(self):
        for artist in self.animated:
            self.fig.draw_artist(artist)

    def _blit(self):
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        self._draw_animated()
        canvas.blit(self.fig.bbox)

    def set(self, **values):
        """Move sliders from code (as a learner would by hand); the figure follows through the same observers."""
        for key, value in values.items():
            self.controls[key].value = value
        return self

    @property
    def widget(self):
        import ipywidgets as widgets

        controls = widgets.VBox(list(self.controls.values()))
        if self.export_button is not None:
            controls = widgets.HBox([controls, widgets.VBox([self.export_button, self.export_link])])
        children = [controls, self.readout]
        if isinstance(self.fig.canvas, widgets.DOMWidget):  # ipympl: the live canvas
            children.append(self.fig.canvas)
        return widgets.VBox(children)

    def png(self):
        """The figure as PNG bytes, with the readout drawn above it."""
        import io

        buffer = io.BytesIO()
        self.banner.set_text(self.text)
        try:
            self.fig.savefig(buffer, format="png", dpi=80)
        finally:
            self.banner.set_text("")
            self.fig.canvas.draw_idle()  # saving redrew the canvas: draw it again without the banner
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        import base64

        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.png()).decode()
        bundle["text/plain"] = f"{self.name}: {self.text}"
        return bundle


def _readout(run, label=""):
    """'label: sheet error after epoch N = ...' or the divergence, for one run."""
    prefix = f"{label}: " if label else ""
    if run.diverged_at:
        return prefix + run.divergence_message()
    return prefix + f"sheet error after epoch {run.epochs} = {run.epoch_errors[-1]:.3f}"


class RowErrorLines:
    """One log-scale line per labelled run: squared error of every row, hidden after divergence.
    The x axis spans `max_epochs` whatever a run's length, so a slider move never changes the axes."""

    def __init__(self, ax, labels, n_rows, max_epochs, title="squared error per row"):
        self.ax, self.n_rows = ax, n_rows
        self.lines = {label: ax.semilogy([], [], label=label, lw=1.2, animated=True)[0] for label in labels}
        self.marks = {label: ax.axvline(0, color=line.get_color(), ls=":", lw=1, visible=False, animated=True)
                      for label, line in self.lines.items()}
        ax.set_ylim(PLOT_FLOOR, PLOT_CEILING)
        ax.set_xlim(-0.5, max_epochs * n_rows - 0.5)
        ax.set_xlabel(f"row (epochs of {n_rows} rows)")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper left", fontsize=8)

    def update(self, runs):
        for label, run in runs.items():
            values = until_divergence(run, displayable(run.row_errors))
            self.lines[label].set_data(np.arange(len(values)), values)
            mark = self.marks[label]
            if run.diverged_at:
                epoch, row = run.diverged_at
                mark.set_xdata([(epoch - 1) * self.n_rows + row - 1] * 2)
            mark.set_visible(bool(run.diverged_at))


class MeterLine:
    """The stability meter lr·K per row against its line lr·K = 1, hidden after divergence."""

    def __init__(self, ax, n_rows, max_epochs, title="stability meter: lr·K per row"):
        self.ax = ax
        self.line = ax.semilogy([], [], color="C1", label="lr·K", animated=True)[0]
        ax.axhline(STABILITY_THRESHOLD, color="k", ls="--", lw=1, label="lr·K = 1: the row overshoots above")
        ax.set_ylim(1e-3, 1e6)
        ax.set_xlim(-0.5, max_epochs * n_rows - 0.5)
        ax.set_xlabel(f"row (epochs of {n_rows} rows)")
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper left", fontsize=8)

    def update(self, run, meter=None):
        meter = stability_meter(run) if meter is None else meter
        values = until_divergence(run, meter)
        self.line.set_data(np.arange(len(values)), np.clip(_clip_path(values), 1e-4, 1e7))


def epochs_until_divergence(epoch_errors, diverged_at):
    """Sheet error per epoch with the epochs from the divergence on hidden (NaN), for plots."""
    errors = np.array(epoch_errors, dtype=float)
    if diverged_at:
        errors[diverged_at[0] - 1:] = np.nan
    return errors


class PathLines:
    """Paths of runs through (a, b) over the loss contour; points beyond the axes are simply off the plot."""

    def __init__(self, ax, labels, a_range=(-1, 4), b_range=(-20, 60)):
        plot_contour(ax, a_range, b_range)
        self.lines = {label: ax.plot([], [], marker=".", ms=3, lw=1, label=label, animated=True)[0]
                      for label in labels}
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title("path through (a, b) over the error surface", fontsize=10)

    def update(self, runs):
        for label, run in runs.items():
            a, b = path_of(run)
            self.lines[label].set_data(_clip_path(a), _clip_path(b))


def _symlog_axis(ax, limit):
    """A symmetric log axis from -limit to limit with a few readable ticks."""
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylim(-limit, limit)
    decades = int(round(math.log10(limit)))
    step = max(1, decades // 3)
    ticks = [10.0 ** k for k in range(step, decades + 1, step)]
    ax.set_yticks([-t for t in ticks[::-1]] + [0] + ticks)
    ax.minorticks_off()


def _clip_path(values):
    # Far-away points are clipped to a finite box (lines still leave the axes), non-finite ones dropped from view.
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(values), np.clip(values, -1e6, 1e6), np.nan)


def explore_linear(epochs=3):
    """01: the basic sheet with sliders for lr and the starting a, b."""
    x, y = load_data()
    controls = {"lr": lr_slider(1e-4, -6, -3), "a": number_slider("start a", 1.0, -2.0, 4.0, 0.1),
                "b": number_slider("start b", 1.0, -20.0, 60.0, 1.0),
                "epochs": int_slider("epochs", epochs, 1, 10)}

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        path, errors = PathLines(ax_path, ["SGD"]), RowErrorLines(ax_err, ["SGD"], len(x), 10)

        def redraw(run):
            path.update({"SGD": run})
            errors.update({"SGD": run})
        return redraw

    def compute(lr, a, b, epochs):
        return train(Linear(a=a, b=b), SGD(lr), x, y, epochs)

    return Explorer("01 linear SGD", controls, build, compute, _readout,
                    exporter=lambda run: (run, "01_linear_sgd_experiment.xlsx"))


def explore_two_neurons(epochs=3):
    """02: the learner's model beside the linear one at the same lr, with a gradient toggle."""
    import ipywidgets as widgets

    x, y = load_data()
    controls = {"lr": lr_slider(1e-4, -7, -3),
                "w1": number_slider("w1", 1.0, -3.0, 3.0, 0.1), "b1": number_slider("b1", 1.0, -3.0, 3.0, 0.1),
                "w2": number_slider("w2", 1.0, -3.0, 3.0, 0.1), "b2": number_slider("b2", 1.0, -3.0, 3.0, 0.1),
                "epochs": int_slider("epochs", epochs, 1, 6),
                "gradient": widgets.ToggleButtons(options=list(GRADIENTS), value="analytic",
                                                  description="gradient")}

    def build(fig):
        ax_err, ax_w = fig.subplots(1, 2)
        errors = RowErrorLines(ax_err, ["2 neurons", "linear"], len(x), 6)
        weights = {n: ax_w.plot([], [], label=n, lw=1.2, animated=True)[0] for n in TwoNeuron.names}
        _symlog_axis(ax_w, 1e12)
        ax_w.set_xlim(-0.5, 6 * len(x) - 0.5)
        ax_w.set_title("2-neuron weights in use at each row", fontsize=10)
        ax_w.set_xlabel("row")
        ax_w.legend(loc="upper left", fontsize=8)

        def redraw(runs):
            errors.update(runs)
            two = runs["2 neurons"]
            for i, name in enumerate(TwoNeuron.names):
                values = until_divergence(two, _clip_path(two.history["theta"][i]))
                weights[name].set_data(np.arange(len(values)), values)
        return redraw

    def compute(lr, w1, b1, w2, b2, epochs, gradient):
        two = train(TwoNeuron(w1, b1, w2, b2), SGD(lr), x, y, epochs, gradient=gradient)
        line = train(Linear(a=1.0, b=1.0), SGD(lr), x, y, epochs, gradient=gradient)
        return {"2 neurons": two, "linear": line}

    def describe(runs):
        return " | ".join(_readout(run, label) for label, run in runs.items())

    return Explorer("02 two neurons", controls, build, compute, describe,
                    exporter=lambda runs: (runs["2 neurons"], "02_two_neurons_experiment.xlsx"))


def explore_stability(epochs=2):
    """03: the stability meter lr*K per row beside the error per row, for the learner's model."""
    x, y = load_data()
    controls = {"lr": lr_slider(1e-4, -7, -3), "w1": number_slider("w1", 1.0, -3.0, 3.0, 0.1),
                "w2": number_slider("w2", 1.0, -3.0, 3.0, 0.1), "epochs": int_slider("epochs", epochs, 1, 5)}

    def build(fig):
        ax_meter, ax_err = fig.subplots(1, 2)
        meter, errors = MeterLine(ax_meter, len(x), 5), RowErrorLines(ax_err, ["2 neurons"], len(x), 5)

        def redraw(result):
            run, lr_k = result
            meter.update(run, lr_k)
            errors.update({"2 neurons": run})
        return redraw

    def compute(lr, w1, w2, epochs):
        run = train(TwoNeuron(w1=w1, b1=1.0, w2=w2, b2=1.0), SGD(lr), x, y, epochs)
        return run, stability_meter(run)  # computed once, drawn and described

    def describe(result):
        run, lr_k = result
        over = np.flatnonzero(until_divergence(run, lr_k) > STABILITY_THRESHOLD)
        first = f"first row over the line: {over[0] + 1}" if len(over) else "never over the line"
        return f"{_readout(run)} | {first}"

    return Explorer("03 stability meter", controls, build, compute, describe)


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


def draw_outcome_map(ax, w1, w2, log_error, vmin=1.0, vmax=3.5):
    """Sheet error after training (colour, log10) over the initial (w1, w2); diverged runs in light grey."""
    import matplotlib

    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="0.85")
    image = ax.imshow(np.ma.masked_invalid(log_error).T, origin="lower", cmap=cmap, vmin=vmin, vmax=vmax,
                      extent=(w1.min(), w1.max(), w2.min(), w2.max()), aspect="auto", interpolation="nearest")
    ax.set_xlabel("initial w1")
    ax.set_ylabel("initial w2")
    return image


def explore_outcome_map():
    """04: which initial (w1, w2) survive, for a learning rate, epoch count and biases chosen by sliders."""
    controls = {"lr": lr_slider(1e-5, -7, -3, 0.1), "epochs": int_slider("epochs", 3, 1, 4, continuous=False),
                "b1": number_slider("b1", 0.0, -3.0, 3.0, 0.1, continuous=False),
                "b2": number_slider("b2", 0.0, -3.0, 3.0, 0.1, continuous=False)}
    controls["lr"].continuous_update = False  # a map is 6561 runs: redraw when the hand lets go

    def build(fig):
        ax = fig.subplots()
        w1, w2, log_error, _ = outcome_map(1e-5)
        image = draw_outcome_map(ax, w1, w2, log_error)
        image.set_animated(True)
        fig.colorbar(image, ax=ax, label="log10 sheet error (grey: diverged)")

        def redraw(result):
            image.set_data(np.ma.masked_invalid(result[2]).T)
        return redraw

    def compute(lr, epochs, b1, b2):
        return outcome_map(lr, epochs, b1=b1, b2=b2)

    def describe(result):
        run = result[3]
        survived = int((~run.diverged).sum())
        return f"{survived} of {run.diverged.size} starting points survive {run.epochs} epochs"

    return Explorer("04 outcome map", controls, build, compute, describe, width=6.0, height=4.2)


def explore_momentum(epochs=3):
    """05: plain SGD and sheet momentum on the same figure, with lr and beta sliders."""
    x, y = load_data()
    controls = {"lr": lr_slider(1e-4, -6, -3), "beta": number_slider("beta", 0.9, 0.0, 0.99, 0.01),
                "epochs": int_slider("epochs", epochs, 1, 6)}

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        labels = ["SGD", "momentum"]
        path, errors = PathLines(ax_path, labels), RowErrorLines(ax_err, labels, len(x), 6)

        def redraw(runs):
            path.update(runs)
            errors.update(runs)
        return redraw

    def compute(lr, beta, epochs):
        return {"SGD": train(Linear(), SGD(lr), x, y, epochs),
                "momentum": train(Linear(), Momentum(lr, beta), x, y, epochs)}

    def describe(runs):
        return " | ".join(_readout(run, label) for label, run in runs.items())

    return Explorer("05 momentum", controls, build, compute, describe)


def explore_adaptive(epochs=5):
    """06: RMSProp or Adam (sheet convention) on the linear model, with lr and beta sliders."""
    import ipywidgets as widgets

    x, y = load_data()
    controls = {"optimizer": widgets.ToggleButtons(options=["RMSProp", "Adam"], value="Adam",
                                                   description="optimizer"),
                "lr": lr_slider(0.1, -3, 1), "beta1": number_slider("beta1", 0.9, 0.0, 0.99, 0.01),
                "beta2": number_slider("beta2", 0.9, 0.0, 0.99, 0.01), "epochs": int_slider("epochs", epochs, 1, 8)}

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        path = PathLines(ax_path, ["run"], a_range=(0, 3), b_range=(0, 40))
        line = ax_err.semilogy([], [], marker=".", label="sheet error per epoch", animated=True)[0]
        ax_err.set_ylim(1e-3, 1e6)
        ax_err.set_xlim(0.5, 8.5)
        ax_err.set_xlabel("epoch")
        ax_err.set_title("sheet error per epoch", fontsize=10)

        def redraw(run):
            path.update({"run": run})
            line.set_data(np.arange(1, run.epochs + 1), displayable(run.epoch_errors))
        return redraw

    def compute(optimizer, lr, beta1, beta2, epochs):
        opt = RMSProp(lr, beta=beta2) if optimizer == "RMSProp" else Adam(lr, beta1, beta2)
        return train(Linear(), opt, x, y, epochs)

    return Explorer("06 RMSProp and Adam", controls, build, compute, _readout)


RACE_OPTIMIZERS = ("SGD", "momentum", "RMSProp", "Adam", "annealed Adam")


def race(model, lr_plain=1e-4, lr_adaptive=0.1, epochs=10, x=None, y=None):
    """The five optimizers on one model from the same start, sheet convention. SGD and momentum use `lr_plain`,
    RMSProp and the Adams `lr_adaptive` (their steps are about lr in size, whatever the gradient's scale)."""
    if x is None:
        x, y = load_data()
    optimizers = {"SGD": SGD(lr_plain), "momentum": Momentum(lr_plain), "RMSProp": RMSProp(lr_adaptive),
                  "Adam": Adam(lr_adaptive), "annealed Adam": Adam(lr_adaptive, 0.9, 0.95, anneal=True)}
    return {name: train(model, opt, x, y, epochs, trace=False) for name, opt in optimizers.items()}


def _slider_grid(slider):
    """Every value a log slider can take (min + k*step, as powers of its base)."""
    exponents = np.arange(slider.min, slider.max + slider.step / 2, slider.step)
    return slider.base ** exponents


def explore_race(epochs=10):
    """06: the optimizer race on the learner's 2-neuron model and on the linear model.

    Ten runs per slider move would take ~100 ms, so the race is computed once for every position of both
    sliders (one vectorized `train` per optimizer and model) and a move only picks out its column."""
    x, y = load_data()
    controls = {"lr_plain": lr_slider(1e-4, -7, -3, description="lr SGD/mom"),
                "lr_adaptive": lr_slider(0.1, -3, 1, description="lr adaptive")}
    plain_lrs, adaptive_lrs = _slider_grid(controls["lr_plain"]), _slider_grid(controls["lr_adaptive"])
    models = {"2 neurons (all weights 1)": TwoNeuron(), "linear (a = b = 1)": Linear()}
    tables = {title: race(model, plain_lrs, adaptive_lrs, epochs) for title, model in models.items()}

    def build(fig):
        axes = fig.subplots(1, 2, sharey=True)
        lines = {}
        for ax, title in zip(axes, models):
            lines[title] = {n: ax.semilogy([], [], marker=".", ms=4, label=n, animated=True)[0]
                            for n in RACE_OPTIMIZERS}
            ax.set_ylim(1e-2, 1e8)
            ax.set_xlim(0.5, epochs + 0.5)
            ax.set_xlabel("epoch")
            ax.set_title(title, fontsize=10)
        axes[0].set_ylabel("sheet error (diverged runs stop)")
        axes[1].legend(fontsize=8, loc="upper right")

        def redraw(result):
            for title, runs in result.items():
                for name, (errors, diverged_at) in runs.items():
                    shown = displayable(epochs_until_divergence(errors, diverged_at))
                    lines[title][name].set_data(np.arange(1, epochs + 1), shown)
        return redraw

    def compute(lr_plain, lr_adaptive):
        i = int(np.argmin(np.abs(np.log(plain_lrs / lr_plain))))
        j = int(np.argmin(np.abs(np.log(adaptive_lrs / lr_adaptive))))
        return {title: {name: (run.epoch_errors[:, i if name in ("SGD", "momentum") else j],
                               run.diverged_at[i if name in ("SGD", "momentum") else j])
                        for name, run in runs.items()} for title, runs in tables.items()}

    def describe(result):
        two = result["2 neurons (all weights 1)"]
        alive = [name for name, (_, diverged_at) in two.items() if not diverged_at]
        return f"2 neurons: {len(alive)} of 5 survive {epochs} epochs ({', '.join(alive) or 'none'})"

    return Explorer("06 optimizer race", controls, build, compute, describe)


def active_rows(model, params, x):
    """Rows whose ReLU pre-activation h = w1*x + b1 is > 0 (the only rows that pass gradient to w1, b1, w2)."""
    return np.asarray(model.hidden([np.asarray(params[n]) for n in model.names], np.asarray(x)) > 0)


def explore_relu(epochs=5):
    """07: the ReLU model with sliders for lr, the four starting weights and input scaling; live active-row count."""
    import ipywidgets as widgets

    x, y = load_data()
    controls = {"lr": lr_slider(1e-4, -7, -1), "w1": number_slider("w1", 1.0, -3.0, 3.0, 0.1),
                "b1": number_slider("b1", 1.0, -3.0, 3.0, 0.1), "w2": number_slider("w2", 1.0, -3.0, 3.0, 0.1),
                "b2": number_slider("b2", 1.0, -3.0, 3.0, 0.1), "epochs": int_slider("epochs", epochs, 1, 6),
                "scale": widgets.ToggleButtons(options=[("x", 1.0), ("x/100", 0.01)], value=1.0,
                                               description="input")}

    def build(fig):
        ax_err, ax_h = fig.subplots(1, 2)
        errors = RowErrorLines(ax_err, ["ReLU", "linear"], len(x), 6)
        h_line = ax_h.plot([], [], color="C2", lw=1, label="h = w1·x + b1", animated=True)[0]
        ax_h.axhline(0, color="k", lw=0.8)
        _symlog_axis(ax_h, 1e6)
        ax_h.set_xlim(-0.5, 6 * len(x) - 0.5)
        ax_h.set_title("pre-activation h per row (active where h > 0)", fontsize=10)
        ax_h.set_xlabel("row")

        def redraw(runs):
            errors.update(runs)
            relu = runs["ReLU"]
            h = until_divergence(relu, _clip_path(relu.history["h"]))
            h_line.set_data(np.arange(len(h)), h)
        return redraw

    def compute(lr, w1, b1, w2, b2, epochs, scale):
        relu = train(TwoNeuron(w1, b1, w2, b2, relu=True), SGD(lr), x * scale, y, epochs)
        line = train(Linear(), SGD(lr), x * scale, y, epochs)
        return {"ReLU": relu, "linear": line}

    def describe(runs):
        relu = runs["ReLU"]
        active = int(active_rows(relu.model, relu.params, relu.x).sum()) if not relu.diverged else 0
        return f"{_readout(relu, 'ReLU')}, {active} of {len(relu.x)} rows active | " + _readout(runs["linear"], "linear")

    return Explorer("07 ReLU", controls, build, compute, describe,
                    exporter=lambda runs: (runs["ReLU"], "07_relu_experiment.xlsx"))


EXPLORERS = {"01": explore_linear, "02": explore_two_neurons, "03": explore_stability, "04": explore_outcome_map,
             "05": explore_momentum, "06a": explore_adaptive, "06b": explore_race, "07": explore_relu}


# ----------------------------------------------------------------------------------------------------------------
# 9. exercises
# Each check_* calls the learner's function (or takes their number), compares it with the course's own answer and
# prints "correct" or what is off, like a friendly unit test. It never raises, so an unsolved exercise still runs,
# and it returns nothing, so the notebook shows only the verdict.
# ----------------------------------------------------------------------------------------------------------------
def _verdict(ok, message):
    print("correct" if ok else f"not yet: {message}")


def _check_function(attempt, cases, expected, describe, rtol=1e-9):
    """Run `attempt(*case)` for every case and compare with `expected(*case)` (numbers or tuples of numbers)."""
    if not callable(attempt):
        return _verdict(False, f"pass your function itself (got {type(attempt).__name__})")
    for case in cases:
        want = np.atleast_1d(np.asarray(expected(*case), dtype=float))
        try:
            got = attempt(*case)
        except Exception as error:  # a learner's bug is feedback, not a crash
            return _verdict(False, f"calling it with {describe(case)} raised {type(error).__name__}: {error}")
        if got is None:
            return _verdict(False, "your function returned None; fill in the body and return the result")
        try:
            got = np.atleast_1d(np.asarray(got, dtype=float))
        except (TypeError, ValueError):
            return _verdict(False, f"it returned {got!r}; return numbers")
        if got.shape != want.shape:
            return _verdict(False, f"for {describe(case)} it returned {got.size} number(s), expected {want.size}")
        if not np.allclose(got, want, rtol=rtol, atol=1e-12):
            return _verdict(False, f"for {describe(case)} it returned {np.round(got, 6).tolist()}, "
                                   f"expected {np.round(want, 6).tolist()}")
    _verdict(True, "")


def _check_number(answer, expected, what, rtol=1e-3):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return _verdict(False, f"give {what} as a number (got {answer!r})")
    if not np.isfinite(value):
        return _verdict(False, f"{what} must be a finite number")
    hint = "too large" if value > expected else "too small"
    _verdict(np.isclose(value, expected, rtol=rtol, atol=0), f"{value:.6g} is {hint} for {what}")


_ROW_CASES = [(1.0, 1.0, 14.0, 58.0, 1e-4), (2.5, -3.0, 86.0, 202.0, 3e-5), (0.0, 30.0, 8.0, 46.0, 1e-3)]


def check_sgd_step(attempt):
    """01: sgd_step(a, b, x, y, lr) -> (new_a, new_b) for the sheet's rule."""
    def expected(a, b, x, y, lr):
        de_db = 2 * (b + a * x - y)
        return a - lr * x * de_db, b - lr * de_db
    return _check_function(attempt, _ROW_CASES, expected, lambda c: "a=%g, b=%g, x=%g, y=%g, lr=%g" % c)


def check_sheet_error(attempt):
    """01: sheet_error(squared_errors) -> the sheet's 'rmse' (root of the SUM)."""
    cases = [([1849.0, 10948.901769],), ([4.0, 9.0, 16.0],), ([0.0],)]
    return _check_function(attempt, cases, lambda e: math.sqrt(sum(e)), lambda c: f"squared errors {c[0]}")


def check_true_rmse(attempt):
    """01: true_rmse(squared_errors) -> root of the MEAN."""
    cases = [([1849.0, 10948.901769],), ([4.0, 9.0, 16.0],), ([0.0],)]
    return _check_function(attempt, cases, lambda e: math.sqrt(sum(e) / len(e)), lambda c: f"squared errors {c[0]}")


def check_two_neuron_gradient(attempt):
    """02: two_neuron_gradient(w1, b1, w2, b2, x, y) -> (de/dw1, de/db1, de/dw2, de/db2)."""
    model = TwoNeuron()
    cases = [(1.0, 1.0, 1.0, 1.0, 14.0, 58.0), (0.5, -2.0, 3.0, 0.1, 86.0, 202.0)]
    expected = lambda *c: [float(g) for g in model.loss_gradient([np.asarray(v) for v in c[:4]], c[4], c[5])]
    return _check_function(attempt, cases, expected, lambda c: "w1=%g, b1=%g, w2=%g, b2=%g, x=%g, y=%g" % c)


def check_exact_fit(attempt):
    """02: exact_fit(w1, b1) -> (w2, b2) so that the 2-neuron model is exactly y = 2x + 30."""
    cases = [(1.0, 1.0), (0.5, -10.0), (-2.0, 3.0)]
    return _check_function(attempt, cases, lambda w1, b1: (2 / w1, 30 - 2 / w1 * b1),
                           lambda c: "w1=%g, b1=%g" % c)


def check_k_linear(attempt):
    """03: k_linear(x) -> K = ||d pred / d(a, b)||^2 for the linear model."""
    return _check_function(attempt, [(14.0,), (99.0,), (0.0,)], lambda x: x * x + 1, lambda c: "x=%g" % c)


def check_largest_stable_lr(answer, x=50.0):
    """03: the largest learning rate at which an SGD step on row x does not make the linear model's error grow."""
    return _check_number(answer, 1 / (x * x + 1), f"the largest stable lr at x = {x:g}")


def check_k_two_neuron(attempt):
    """03: k_two_neuron(w1, b1, w2, x) -> K for the linear 2-neuron model."""
    cases = [(1.0, 1.0, 1.0, 14.0), (0.5, -2.0, 3.0, 99.0)]
    expected = lambda w1, b1, w2, x: w2 ** 2 * (x * x + 1) + (w1 * x + b1) ** 2 + 1
    return _check_function(attempt, cases, expected, lambda c: "w1=%g, b1=%g, w2=%g, x=%g" % c)


def check_unscale(attempt):
    """04: unscale(a_scaled, b_scaled, scale) -> (a, b) in the original units, for a line fitted to x*scale."""
    cases = [(200.0, 30.0, 0.01), (1.0, 2.0, 0.5)]
    return _check_function(attempt, cases, lambda a, b, s: (a * s, b), lambda c: "a'=%g, b'=%g, scale=%g" % c)


def check_survivors(answer, lr=3e-5):
    """04: how many of the 41 x 41 starting points (w1, w2 in [-2, 2], biases 0) survive 3 epochs at `lr`."""
    w = np.linspace(-2, 2, 41)
    expected = int(survival_counts([lr], w, w, epochs=3)[0])
    return _check_number(answer, expected, f"the survivors at lr = {lr:g}", rtol=0)


def check_momentum_step(attempt):
    """05: momentum_step(weight, m, g, lr, beta) -> (new_weight, new_m), the sheet's damped form."""
    cases = [(1.0, 0.0, -86.0, 1e-4, 0.9), (2.0, 5.0, 3.0, 0.1, 0.5)]
    expected = lambda w, m, g, lr, beta: (w - lr * (beta * m + (1 - beta) * g), beta * m + (1 - beta) * g)
    return _check_function(attempt, cases, expected, lambda c: "weight=%g, m=%g, g=%g, lr=%g, beta=%g" % c)


def check_undamped_factor(answer, beta=0.9):
    """05: how many times larger PyTorch's undamped momentum steps are than the sheet's, in the long run."""
    return _check_number(answer, 1 / (1 - beta), f"the step ratio at beta = {beta:g}")


def check_adam_step(attempt):
    """06: adam_step(weight, m, v, g, lr, beta1, beta2) -> (new_weight, new_m, new_v), the sheet's form."""
    def expected(w, m, v, g, lr, b1, b2):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        return w - lr * m / math.sqrt(v), m, v
    cases = [(1.0, 0.0, 10000.0, -86.0, 1.0, 0.9, 0.9), (2.0, 0.5, 3.0, 1.5, 0.1, 0.8, 0.95)]
    return _check_function(attempt, cases, expected, lambda c: "w=%g, m=%g, v=%g, g=%g, lr=%g, b1=%g, b2=%g" % c)


def check_annealing(attempt):
    """06: anneal(lr, g2, smallest) -> (new_lr, new_smallest), the adam_ann macro's rule."""
    def expected(lr, g2, smallest):
        return (lr / 4 if g2 / smallest > 2 else lr), min(g2, smallest)
    cases = [(1.0, 300.0, 100.0), (1.0, 150.0, 100.0), (0.25, 50.0, 100.0), (1.0, 200.0, 100.0)]
    return _check_function(attempt, cases, expected, lambda c: "lr=%g, g2=%g, smallest=%g" % c)


def check_active_rows(attempt):
    """07: active_rows(w1, b1, x) -> how many rows have h = w1*x + b1 > 0 (x is an array)."""
    x, _ = load_data()
    cases = [(1.0, 1.0, x), (-0.4, 20.0, x), (0.1, -5.0, x), (1.0, -14.0, x)]
    return _check_function(attempt, cases, lambda w1, b1, xs: int(np.sum(w1 * xs + b1 > 0)),
                           lambda c: "w1=%g, b1=%g and the sheet's x" % c[:2])


def check_relu_slope(attempt):
    """07: relu_slope(h) -> the derivative of ReLU that backpropagation uses (0 at h <= 0, 1 above)."""
    cases = [(2.5,), (0.0,), (-3.0,), (1e-9,)]
    return _check_function(attempt, cases, lambda h: 1.0 if h > 0 else 0.0, lambda c: "h=%g" % c)
