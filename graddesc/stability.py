"""One row's step: curvature K, the stability meter lr*K, and what a step really does to the row's residual.

One online SGD step on row (x, y) moves that row's residual r = pred - y to about (1 - 2*lr*K)*r, where
K = ||d pred / d weights||^2 at that row: the step overshoots the row's own target when lr*K > 1/2 and makes its
residual grow when lr*K > 1. That is exact for the linear model (its prediction is linear in its weights). For the
2-neuron model the prediction is a product of weights, and the step adds a term in lr^2*r^2
(residual_factor_formula gives it): it can move the factor either way, and it dominates when residuals are large,
as in the learner's run (epoch_map.py takes over near a fit, where residuals are small).
"""
import numpy as np

from .checks import square
from .models import Linear, TwoNeuron
from .optimizers import SGD

STABILITY_THRESHOLD = 1.0  # lr * K above this makes the row's residual grow (to first order in lr * r)


def row_curvature(model, params, x):
    """K = ||d pred / d weights||^2 for each row x, at weights `params` (a dict; arrays broadcast).

    Linear: K = x^2 + 1. TwoNeuron: K = w2^2 (x^2 + 1) + h^2 + 1 with h = w1*x + b1 (ReLU: the w2 term and h^2
    vanish where h <= 0)."""
    theta = [np.asarray(params[name], dtype=float) for name in model.names]
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        return sum(square(d) for d in model.pred_gradient(theta, x))


def stability_meter(run):
    """lr * K for every row of a traced run, with the weights in use at that row: shape (epochs, rows).

    Where it is above 1 the step overshoots by more than the residual it corrects, and that row's error grows: to
    first order; residual_factor measures the real factor."""
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


def residual_factor_formula(model, params, lr, x, y):
    """(residual after one SGD step on row (x, y)) / (residual before), from the formula.

    Linear: 1 - 2*lr*K exactly. TwoNeuron (identity): the step moves h by -2*lr*r*w2*(x^2 + 1), w2 by -2*lr*r*h and
    b2 by -2*lr*r, and the new prediction w2'*h' + b2' multiplies two moved quantities, so
    r'/r = 1 - 2*lr*K + 4*lr^2*r*w2*h*(x^2 + 1), with r = pred - y and h = w1*x + b1."""
    k = row_curvature(model, params, x)
    if isinstance(model, Linear):
        return 1 - 2 * lr * k
    if not isinstance(model, TwoNeuron) or model.relu:
        raise ValueError("residual_factor_formula knows the linear model and the 2-neuron model without ReLU")
    h = params["w1"] * x + params["b1"]
    r = params["w2"] * h + params["b2"] - y
    return 1 - 2 * lr * k + 4 * lr * lr * r * params["w2"] * h * (x * x + 1)
