"""Optimizers: SGD, Momentum, RMSProp and Adam, in the spreadsheet's convention or PyTorch's.

An optimizer holds hyperparameters; its state (moving averages, step count, the current lr) lives in a dict that
the engine passes to `step`, so one optimizer object serves many runs. `step` updates the stacked weights and the
state in place.
  convention="sheet":   the workbook's formulas: EMA with (1 - beta), no epsilon, no bias correction, RMSProp
                        dividing by the previous row's average, squared averages starting at 10000.
  convention="pytorch": torch.optim.SGD(momentum=beta), RMSprop(alpha=beta, eps=1e-8), Adam(eps=1e-8).
"""
import numpy as np

from .checks import choice, number_array, scalar_or_array

CONVENTIONS = ("sheet", "pytorch")
SHEET_SQUARED_AVERAGE_START = 10000.0  # what the workbook's Reset writes before its seeding passes
TORCH_EPS = 1e-8  # torch.optim's RMSprop and Adam
CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_: coefficient clip_norm / (norm + 1e-6)


class Optimizer:
    uses_momentum = False
    uses_squared_average = False

    def __init__(self, lr, convention="sheet", **betas):
        self.lr = number_array("lr", lr, low=0, low_inclusive=False,
                                allowed="a finite learning rate > 0 (the sheet uses 1e-4)")
        self.convention = choice("convention", convention, CONVENTIONS)
        self.betas = {name: number_array(name, value, low=0, high=1, high_inclusive=False,
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

    def step(self, theta, grad, state, scratch=None, lr=None):
        """One row's update of the stacked weights `theta` (n_params, *shape), in place; `state` too.
        `scratch` is two arrays shaped like theta (allocated when not given). `lr`: the learning rate of this
        row, when a schedule scales it (default: state["lr"], which annealing may have lowered). Returns theta."""
        scratch = scratch if scratch is not None else (np.empty_like(theta), np.empty_like(theta))
        self._step(theta, grad, state, state["lr"] if lr is None else lr, *scratch)
        return theta

    def end_epoch(self, state):
        """Called after every epoch (annealing lives here)."""

    def __repr__(self):
        args = ", ".join(f"{k}={scalar_or_array(v)!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args}, convention={self.convention!r})"


class SGD(Optimizer):
    """new = old - lr * grad."""

    def __init__(self, lr, convention="sheet"):
        super().__init__(lr, convention)

    def _step(self, theta, grad, state, lr, step, _):
        theta -= np.multiply(lr, grad, out=step)


class Momentum(Optimizer):
    """sheet:   m = beta*m + (1-beta)*g; new = old - lr*m   (a damped average: steps about as large as SGD's)
    pytorch: m = beta*m + g;            new = old - lr*m   (undamped: steps up to 1/(1-beta) times larger)"""
    uses_momentum = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def _step(self, theta, grad, state, lr, step, _):
        mom = state["mom"]
        mom *= self.betas["beta"]
        mom += np.multiply(self.one_minus["beta"], grad, out=step) if self.convention == "sheet" else grad
        theta -= np.multiply(lr, mom, out=step)


class RMSProp(Optimizer):
    """sheet:   new = old - lr*g/sqrt(v_previous); then v = beta*v + (1-beta)*g^2
    pytorch: v = beta*v + (1-beta)*g^2; new = old - lr*g/(sqrt(v) + 1e-8)"""
    uses_squared_average = True

    def __init__(self, lr, beta=0.9, convention="sheet"):
        super().__init__(lr, convention, beta=beta)

    def _fold_in_squares(self, grad, sqavg, step):
        sqavg *= self.betas["beta"]
        sqavg += np.multiply(np.multiply(grad, grad, out=step), self.one_minus["beta"], out=step)

    def _step(self, theta, grad, state, lr, step, root):
        sqavg = state["sqavg"]
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
        if self.anneal:  # nothing remembered yet: the first epoch's g2 becomes the smallest (the sheet's Reset
            state["smallest_grad2"] = np.full(shape, np.inf)  # seeds it instead: replay.reset_state)
        return state

    def _step(self, theta, grad, state, lr, step, root):
        mom, sqavg = state["mom"], state["sqavg"]
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


def ema(values, beta):
    """The sheet's exponentially weighted moving average m = beta*m + (1-beta)*v, starting from 0."""
    out, m = [], 0.0
    for v in values:
        m = beta * m + (1 - beta) * v
        out.append(m)
    return np.array(out)
