"""Exercise checks: each check_* calls the learner's function (or takes their number) and says "correct" or what
is off, like a friendly unit test. It never raises, so an unsolved exercise still runs, and it returns nothing, so
the notebook shows only the verdict.

A wrong attempt is told what it returned and, by default, what was expected. For a class that should not be shown
the answers, `set_reveal(False)` (in a cell, or for every kernel: the environment variable GRADDESC_REVEAL=0 before
Jupyter starts) keeps the expected values out of the messages: they still say which case failed, what the attempt
returned, and "too large" or "too small" for a number.
"""
import math
import os

import numpy as np

from .checks import number_array
from .data import best_line, data_or_sheet, load_data, residual_floor
from .models import TwoNeuron
from .outcomes import convergence_map


REVEAL = os.environ.get("GRADDESC_REVEAL", "1").strip().lower() not in ("0", "false", "no", "off")


def set_reveal(reveal=True):
    """Whether a wrong attempt is shown the expected value (True, the default; GRADDESC_REVEAL=0 in the
    environment starts with False). Returns the previous setting."""
    global REVEAL
    previous, REVEAL = REVEAL, bool(reveal)
    return previous


def _expected(want):
    """', expected [...]' where the answers may be shown, else nothing."""
    return f", expected {np.round(want, 6).tolist()}" if REVEAL else ""


def _verdict(ok, message):
    print("correct" if ok else f"not yet: {message}")


def _check_function(attempt, cases, expected, describe, rtol=1e-9, close=None):
    """Run `attempt(*case)` for every case and compare with `expected(*case)` (numbers or tuples of numbers):
    np.allclose with rtol, or close(got, want, case) -> bool if given."""
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
        right = close(got, want, case) if close else np.allclose(got, want, rtol=rtol, atol=1e-12)
        if not right:
            return _verdict(False, f"for {describe(case)} it returned {np.round(got, 6).tolist()}{_expected(want)}")
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


FIT_DIGITS = 3  # check_exact_fit: the significant digits of the line's slope and intercept an answer must match


def _within_digits(got, want, digits=FIT_DIGITS):
    """|got - want| within half a unit in the `digits`-th significant digit of want (plus 1e-9 of it for the
    arithmetic): 2.03 and 28.0 pass for 2.0315 and 28.009; 2.01 fails for 2."""
    unit = 10.0 ** (np.floor(np.log10(np.abs(want), where=want != 0, out=np.zeros_like(want))) - (digits - 1))
    return np.all(np.abs(got - want) <= np.where(want != 0, 0.5 * unit + 1e-9 * np.abs(want), 1e-9))


def check_exact_fit(attempt, x=None, y=None):
    """02: exact_fit(w1, b1) -> (w2, b2) so that the 2-neuron model's line is the data's best line
    y = slope*x + intercept (`best_line(x, y)`; default the sheet's rows): w2 = slope/w1, b2 = intercept - w2*b1.
    On data that no line fits exactly, that is the least-squares line (the model's error is then the residual
    floor, not 0). Judged on the line the answer makes, slope w1*w2 and intercept w2*b1 + b2: each must match the
    best line's to FIT_DIGITS (3) significant digits, the precision a learner types (2.03 and 28.0 for a best line
    2.0315x + 28.009; on the sheet 2 and 30, so 2.01 is wrong)."""
    slope, intercept = best_line(x, y)
    cases = [(1.0, 1.0), (0.5, -10.0), (-2.0, 3.0)]

    def close(got, want, case):
        w1, b1 = case
        with np.errstate(all="ignore"):
            line = np.array([w1 * got[0], got[0] * b1 + got[1]])
        return bool(np.all(np.isfinite(line)) and _within_digits(line, np.array([slope, intercept])))
    return _check_function(attempt, cases, lambda w1, b1: (slope / w1, intercept - slope / w1 * b1),
                           lambda c: "w1=%g, b1=%g" % c, close=close)


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


def check_converged_starts(answer, lr=5e-5, epochs=500, x=None, y=None):
    """04: how many of the 41 x 41 starting points (w1, w2 in [-2, 2], biases 0) converge (sheet error below
    1 + the residual floor: below 1 on data that lie on a line) within `epochs` epochs at `lr` on x, y (default:
    the sheet's rows)."""
    x, y = data_or_sheet(x, y)
    w = np.linspace(-2, 2, 41)
    tol = 1.0 + residual_floor(x, y)
    expected = convergence_map(lr, epochs, w1=w, w2=w, tol=tol, x=x, y=y).counts()["converged"]
    return _check_number(answer, expected, f"the starts that converge at lr = {lr:g}", rtol=0)


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


def check_active_rows(attempt, x=None):
    """07: active_rows(w1, b1, x) -> how many rows have h = w1*x + b1 > 0 (x is an array; default the sheet's)."""
    x = load_data()[0] if x is None else number_array("x", x, allowed="finite numbers")
    cases = [(1.0, 1.0, x), (-0.4, 20.0, x), (0.1, -5.0, x), (1.0, -14.0, x)]
    return _check_function(attempt, cases, lambda w1, b1, xs: int(np.sum(w1 * xs + b1 > 0)),
                           lambda c: "w1=%g, b1=%g and the data's x" % c[:2])


def check_relu_slope(attempt):
    """07: relu_slope(z) -> the derivative of ReLU at its input z that backpropagation uses (0 at z <= 0, 1 above)."""
    cases = [(2.5,), (0.0,), (-3.0,), (1e-9,)]
    return _check_function(attempt, cases, lambda z: 1.0 if z > 0 else 0.0, lambda c: "z=%g" % c)


def check_clip_grad(attempt):
    """09: clip_grad(grad, max_norm) -> the gradient as torch.nn.utils.clip_grad_norm_ leaves it: multiplied by
    max_norm / (norm + 1e-6) when that is below 1, unchanged otherwise."""
    def expected(grad, max_norm):
        grad = np.asarray(grad, dtype=float)
        coef = max_norm / (np.sqrt(np.sum(grad * grad)) + 1e-6)
        return grad * min(coef, 1.0)
    cases = [([3.0, 4.0], 1.0), ([3.0, 4.0], 10.0), ([-1204.0, -86.0, 15.0, 2.0], 100.0), ([0.0, 0.0], 1.0)]
    return _check_function(attempt, cases, expected, lambda c: f"grad={c[0]}, max_norm={c[1]:g}")


def check_unstandardize(attempt):
    """09: unstandardize(slope, intercept, mean_x, sd_x, mean_y, sd_y) -> (a, b): a line fitted on z-scored data,
    ys = slope*xs + intercept, as y = a*x + b on the original scale."""
    def expected(slope, intercept, mean_x, sd_x, mean_y, sd_y):
        a = slope * sd_y / sd_x
        return a, mean_y + sd_y * intercept - a * mean_x
    cases = [(1.0, 0.0, 52.0, 27.3, 134.0, 54.6), (0.5, -0.2, 10.0, 2.0, 3.0, 4.0)]
    return _check_function(attempt, cases, expected, lambda c: "slope=%g, intercept=%g, mean_x=%g, sd_x=%g, "
                                                              "mean_y=%g, sd_y=%g" % c)


def check_running_average(answer, value=100.0, beta=0.9, rows=3):
    """05: the sheet's running average m = beta*m + (1-beta)*g, from 0, after `rows` rows of the same g."""
    m = 0.0
    for _ in range(rows):
        m = beta * m + (1 - beta) * value
    return _check_number(answer, m, f"the average after {rows} rows")


def check_floor_ratio(answer):
    """06: Adam at a constant lr: lr divided by 10 divides the error floor by about what? (a number)"""
    return _check_number(answer, 10.0, "the ratio of the two floors", rtol=0.25)


def check_largest_training_lr(answer, epochs=1000, x=None, y=None):
    """03: the largest lr found with the slider at which the 2-neuron model (all weights 1, the data's order)
    converges within `epochs` epochs on x, y (default the sheet's rows: about 6.7e-5; on y = 3x + 10 about 6e-5):
    it must converge there, and be within 15% of the largest on a fine scan (300 lrs from 1e-6 to 1e-3).
    Converged as the slider says it (lr_scan's tol: 1 on the sheet's rows; on data no line fits, within 1 of the
    best line's error)."""
    from .explore_steps import lr_scan

    x, y = data_or_sheet(x, y)
    if not isinstance(answer, (int, float)) or isinstance(answer, bool) or not answer > 0:
        return _verdict(False, "type the lr you found as a number, for example 5e-5")
    lrs = np.geomspace(1e-6, 1e-3, 300)
    trains, _ = lr_scan(np.append(lrs, answer), epochs=epochs, x=x, y=y)
    if not trains[:-1].any():
        return _verdict(False, f"no lr from 1e-6 to 1e-3 converges within {epochs} epochs on this data: give the "
                               f"slider and this check more epochs (epochs=10_000)")
    largest = lrs[trains[:-1]].max()
    if not trains[-1]:
        return _verdict(False, f"at lr {answer:.3g} the model does not converge within {epochs} epochs: go lower")
    return _verdict(answer >= 0.85 * largest, f"lr {answer:.3g} trains, but a larger one does too: go higher")


def check_centre(attempt):
    """04: centre x: subtract the mean of x from every x."""
    cases = [(np.array([1.0, 2.0, 6.0]),), (load_data()[0],)]
    return _check_function(attempt, cases, lambda x: x - x.mean(), lambda c: f"x = {c[0][:3]}...")


def check_full_batch_limit(attempt):
    """deeper 10: the largest stable lr of full-batch gradient descent (mean squared error) for the line on inputs
    x: 2 / the largest eigenvalue of the Hessian (2/n) * sum of [[x^2, x], [x, 1]]."""
    def limit(x):
        x = np.asarray(x, dtype=float)
        hessian = 2 / x.size * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), x.size]])
        return 2 / np.linalg.eigvalsh(hessian).max()
    cases = [(np.array([1.0, 2.0, 3.0]),), (np.array([-5.0, 0.5, 10.0, 4.0]),), (load_data()[0],)]
    return _check_function(attempt, cases, limit, lambda c: f"x = {c[0][:3]}...", rtol=1e-6)


def check_batch_lr(attempt):
    """08: fastai's mean loss: the lr at which one batch of `batch_size` rows moves about as far as the sheet's
    `batch_size` single-row steps at `sheet_lr` (sheet_lr times the batch size)."""
    cases = [(1e-4, 4), (1e-4, 29), (3e-5, 1), (2e-3, 64)]
    return _check_function(attempt, cases, lambda lr, b: lr * b, lambda c: f"sheet_lr = {c[0]:g}, batch_size = {c[1]}")
