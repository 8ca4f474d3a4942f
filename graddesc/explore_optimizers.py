"""The learner's-path views of the optimizers (notebook 05): one mechanism per view, at most three controls.

explore_smoothing: plain SGD beside the sheet's momentum on the line y = a*x + b, both from a = b = 1 at the same
lr. Left, the slope a after every row of the first epochs: momentum's running average smooths the row-to-row
wobble of the steep direction. Right, the sheet error per epoch over a long run: whether that smoothing gets to the
fit any sooner (at the sheet's lr it does not: the flat direction, the intercept, decides).
"""
import numpy as np

from .data import best_line, data_or_sheet
from .engine import train
from .explorer import Explorer, lr_slider, number_slider
from .models import Linear
from .optimizers import SGD, Momentum
from .outcomes import epochs_to
from .robustness import convergence_tol, tol_meaning
from .plots import (PLOT_CEILING, clip_path, displayable, divergence_mark, epochs_until_divergence, row_axis,
                    until_divergence)

ROW_EPOCHS = 3  # epochs drawn row by row on the left
SLOPE_LIMITS = (0.0, 4.0)  # the left panel's a axis: the wobble around a = 2 is what matters


def explore_smoothing(x=None, y=None, lr_range=(1e-5, 1e-3), epochs=3000, tol=None):
    """05: SGD and the sheet's momentum (beta slider) on the line from a = b = 1, lr on a log slider from
    lr_range[0] to lr_range[1] (learning rates, as every interactive takes them). Left: a after each row of the
    first 3 epochs. Right: the sheet error per epoch for `epochs` epochs, and the readout: from which epoch each
    run's error stays below tol (or that it did not, or where it diverged). tol: None for convergence_tol(x, y):
    1 on the sheet's rows; on data no line fits, within 1 of the best line's error (the readout says so)."""
    x, y = data_or_sheet(x, y)
    try:
        low, high = (float(v) for v in lr_range)
    except (TypeError, ValueError):
        raise ValueError(f"lr_range must be (lowest lr, highest lr), two numbers; got {lr_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise ValueError(f"lr_range must be (lowest lr, highest lr) with 0 < low < high, learning rates such as "
                         f"(1e-5, 1e-3), not powers of ten; got {lr_range!r}")
    if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or not 1 <= epochs <= 5000:
        raise ValueError(f"epochs must be an int from 1 to 5000; got {epochs!r}")
    tol = convergence_tol(x, y) if tol is None else float(tol)
    controls = {"lr": lr_slider(1e-4, lr_range=(low, high)), "beta": number_slider("beta", 0.9, 0.0, 0.99, 0.01)}
    labels = ("SGD", "momentum")

    def build(fig):
        ax_rows, ax_err = fig.subplots(1, 2)
        rows = {n: ax_rows.plot([], [], marker=".", ms=3, lw=1, label=n, animated=True)[0] for n in labels}
        ax_rows.axhline(best_line(x, y)[0], color="k", ls="--", lw=0.8,
                        label="the data's best slope")
        row_axis(ax_rows, len(x), ROW_EPOCHS)
        ax_rows.set_ylim(*SLOPE_LIMITS)
        ax_rows.set_ylabel("slope a after the row")
        ax_rows.set_title("the steep direction: a, row by row", fontsize=10)
        ax_rows.legend(loc="lower right", fontsize=8)
        errors = {n: ax_err.semilogy([], [], label=n, animated=True)[0] for n in labels}
        marks = {n: ax_err.plot([], [], "x", ms=9, mew=2, color=errors[n].get_color(), animated=True)[0]
                 for n in labels}
        ax_err.axhline(tol, color="k", ls=":", lw=0.8)
        ax_err.set_xlim(0, epochs + 1)
        ax_err.set_ylim(1e-1, 1e8)
        ax_err.set_xlabel("epoch")
        ax_err.set_ylabel("sheet error")
        ax_err.set_title(f"the whole run, {epochs} epochs", fontsize=10)

        def redraw(result):
            for name, (short, long) in result.items():
                a = until_divergence(short, short.history["new_theta"][short.model.names.index("a")])
                rows[name].set_data(np.arange(1, len(a) + 1), clip_path(a))
                shown = displayable(epochs_until_divergence(long.epoch_errors, long.diverged_at))
                errors[name].set_data(np.arange(1, epochs + 1), shown)
                marks[name].set_data(*divergence_mark(shown, long.diverged_at, ceiling=PLOT_CEILING))
        return redraw

    def compute(lr, beta):
        optimizers = {"SGD": SGD(lr), "momentum": Momentum(lr, beta)}
        return {name: (train(Linear(), opt, x, y, ROW_EPOCHS), train(Linear(), opt, x, y, epochs, trace=False))
                for name, opt in optimizers.items()}

    def describe(result):
        meaning = tol_meaning(tol)
        text = " | ".join(_outcome(name, long, epochs, tol) for name, (_, long) in result.items())
        return text + (f" (below {tol:.3g}: {meaning})" if meaning else "")

    return Explorer("05 smoothing", controls, build, compute, describe)


def _outcome(label, run, epochs, tol=1.0):
    if run.diverged_at:
        return f"{label}: {run.divergence_message()}"
    below = epochs_to(run, tol)
    if below:
        return f"{label}: error below {tol:.3g} at epoch {below}"
    return f"{label}: error {run.epoch_errors[-1]:.3f} after {epochs} epochs"
