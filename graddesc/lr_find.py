"""fastai's learning-rate range test (`learn.lr_find()`), adapted to online updates on the sheet's rows.

fastai raises the lr exponentially from start_lr to end_lr over num_it mini-batches, records each batch's loss,
smooths it (an exponential moving average with beta = 0.98, divided by 1 - beta^count), stops once the smoothed
loss exceeds 4 times its minimum, and suggests learning rates from the curve. Here each iteration is one online
update on one row, cycling through the rows (row 1, 2, ..., 29, 1, ...). One change is needed: a single row's
squared error is no measure of the model (the rows' x run from 8 to 99, so their errors differ a hundredfold at
the same weights, and row 2 alone would stop the test at its second step). So the loss of iteration i is the mean
squared error over all 29 rows with the weights iteration i starts from: what a batch of the whole sheet would
report. Everything else is fastai's: the schedule, the smoothing, the stop, and the suggestions `minimum/10`
(the lr of the smallest smoothed loss, divided by 10) and `valley` (fastai's longest-valley rule), computed like
fastai on the curve without its first tenth and last five points.
"""
from dataclasses import dataclass

import numpy as np

from .checks import check_data, number_array, positive_int
from .data import load_data
from .engine import train
from .models import Model
from .optimizers import SGD

BETA = 0.98  # fastai's AvgSmoothLoss


@dataclass
class LRFind:
    """lrs and losses (smoothed, as fastai plots them) of every iteration run; raw: the unsmoothed losses;
    suggestions: {"minimum/10": lr, "valley": lr}; stopped_at: the iteration count when it stopped."""
    lrs: np.ndarray
    losses: np.ndarray
    raw: np.ndarray
    suggestions: dict
    stopped_at: int


def lr_find(model, x=None, y=None, start_lr=1e-7, end_lr=10, num_it=100):
    """Run the range test for `model` (a single configuration) on data x, y (default: the sheet's rows) with SGD;
    returns an LRFind."""
    if not isinstance(model, Model):
        raise TypeError(f"model must be a Linear or TwoNeuron, not {type(model).__name__}")
    if any(np.ndim(value) for value in model.initial.values()):
        raise ValueError("lr_find runs one configuration; the model's weights must be numbers, not arrays")
    x, y = load_data() if x is None and y is None else check_data(x, y)
    start_lr = float(number_array("start_lr", start_lr, low=0, low_inclusive=False, allowed="a learning rate > 0"))
    end_lr = float(number_array("end_lr", end_lr, low=start_lr, low_inclusive=False,
                                allowed=f"a learning rate above start_lr ({start_lr:g})"))
    num_it = positive_int("num_it", num_it)
    weights = model.params()
    lrs, raw, losses = [], [], []
    average, best = 0.0, np.inf
    with np.errstate(all="ignore"):
        for i in range(num_it):
            lr = start_lr * (end_lr / start_lr) ** (i / num_it)  # fastai's SchedExp at position i/num_it
            theta = [np.asarray(weights[name]) for name in model.names]
            loss = float(np.mean((model.predict(theta, x) - y) ** 2))
            average = BETA * average + (1 - BETA) * loss
            smooth = average / (1 - BETA ** (i + 1))
            lrs.append(lr)
            raw.append(loss)
            losses.append(smooth)
            best = min(best, smooth)
            if smooth > 4 * best or not np.isfinite(smooth):
                break
            row = i % len(x)
            step = train(type(model)(**weights, **_options(model)), SGD(lr), x[row:row + 1], y[row:row + 1], 1,
                         trace=False, backend="numpy")
            weights = step.params
    lrs, losses, raw = np.array(lrs), np.array(losses), np.array(raw)
    return LRFind(lrs=lrs, losses=losses, raw=raw, suggestions=_suggestions(lrs, losses, num_it),
                  stopped_at=len(lrs))


def _options(model):
    return {"relu": model.relu, "leak": model.leak} if hasattr(model, "relu") else {}


def _suggestions(lrs, losses, num_it):
    """fastai's minimum/10 and valley on the curve without its first tenth and last five points (the whole curve
    if that leaves fewer than two points)."""
    part = slice(num_it // 10, -5)
    if len(lrs[part]) < 2:
        part = slice(None)
    lrs, losses = lrs[part], losses[part]
    finite = np.isfinite(losses)
    minimum = float(lrs[finite][np.argmin(losses[finite])] / 10)
    return {"minimum/10": minimum, "valley": _valley(lrs, losses)}


def _valley(lrs, losses):
    """fastai's valley: the longest strictly decreasing run of the loss curve (a longest-decreasing-subsequence
    dynamic program), and the lr a half-section past a third of the way into it."""
    n = len(losses)
    longest, max_start, max_end = [1] * n, 0, 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and longest[i] < longest[j] + 1:
                longest[i] = longest[j] + 1
            if longest[max_end] < longest[i]:
                max_end = i
                max_start = max_end - longest[max_end]
    sections = (max_end - max_start) / 3
    return float(lrs[max_start + int(sections) + int(sections / 2)])
