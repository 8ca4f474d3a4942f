"""09: the learner's model with the practitioners' remedies: standardized data, gradient clipping, a warm-up or
one-cycle schedule, the output bias's start, a (leaky) ReLU. Each slider move runs the first epochs traced (the
row errors and the stability meter) and the whole run compiled (the verdict: converged, diverged or still
training, judged on the sheet's scale)."""
import numpy as np

from .data import data_or_sheet, residual_floor, standardize
from .engine import train
from .explorer import Explorer, intercept_range, lr_slider, start_slider
from .models import TwoNeuron
from .optimizers import SGD
from .outcomes import verdict
from .plots import MeterLine, RowErrorLines, divergence_mark
from .schedules import one_cycle, warm_up
from .stability import stability_meter

TRACED_EPOCHS = 3
SCHEDULES = ("constant lr", "step warm-up: lr/10 for 100 epochs", "gradual warm-up: lr/10 to lr in 1000 epochs",
             "one-cycle over the run")
ACTIVATIONS = {"linear (the learner's)": None, "ReLU": 0.0, "leaky ReLU 0.01": 0.01, "leaky ReLU 0.1": 0.1}


def remedy_run(lr, standardized=False, clip=None, schedule="constant lr", b2=1.0, activation=None, epochs=3000,
               traced=TRACED_EPOCHS, x=None, y=None):
    """The learner's start (w1 = b1 = w2 = 1) with the chosen remedies on x, y (default: the sheet's rows): (the
    whole run, compiled; its first epochs, traced; the factor that turns the runs' errors into errors on the data's
    own scale). A constant-lr run stops once its error is below 1 + the residual floor (1 for data on a line)."""
    x, y = data_or_sheet(x, y)
    tol = 1.0 + residual_floor(x, y)
    scale = 1.0
    if standardized:
        scale = float(y.std())  # sheet error = sd(y) x the error on the standardized scale
        x, y, _ = standardize(x, y)
    model = TwoNeuron(1.0, 1.0, 1.0, b2, relu=activation is not None, leak=activation or 0.0)
    plans = {"constant lr": None, SCHEDULES[1]: warm_up(100, 0.1), SCHEDULES[2]: warm_up(1000, 0.1, gradual=True),
             SCHEDULES[3]: one_cycle(epochs, len(x))}
    options = dict(clip_norm=clip, schedule=plans[schedule])
    first = train(model, SGD(lr), x, y, traced, **options)
    # a constant lr may stop once converged; a schedule may raise the lr after that, so it runs to the end
    stop = tol / scale if schedule == "constant lr" else None
    whole = train(model, SGD(lr), x, y, epochs, trace=False, stop_below=stop, **options)
    return whole, first, scale


def explore_remedies(epochs=3000, x=None, y=None, lr_range=None, b2_range=None):
    """09: the remedies on the learner's model, one control each, on x, y (default: the sheet's rows). lr_range:
    the lr slider's range; b2_range: the start b2 slider's (default: 0 to the data's best intercept). On data no
    line fits, "converged" means an error below 1 + the residual floor."""
    import ipywidgets as widgets

    given = x is not None or y is not None
    x, y = data_or_sheet(x, y)
    n_rows, tol = len(x), 1.0 + residual_floor(x, y)
    b2_low, b2_high = intercept_range(x, y)
    controls = {
        "lr": lr_slider(1e-4, -6, 0, 0.1, lr_range=lr_range),
        "standardized": widgets.ToggleButtons(options=[("x, y as given" if given else "sheet's x, y", False),
                                                       ("standardized", True)], value=False, description="data"),
        "clip": widgets.Dropdown(options=[("off", None), ("1", 1.0), ("10", 10.0), ("100", 100.0),
                                          ("1000", 1000.0)], value=None, description="clip norm"),
        "schedule": widgets.Dropdown(options=list(SCHEDULES), value=SCHEDULES[0], description="schedule"),
        "b2": start_slider("start b2", 1.0, b2_low, b2_high, (b2_high - b2_low) / 30, b2_range, "b2_range"),
        "activation": widgets.Dropdown(options=list(ACTIVATIONS.items()), value=None, description="neuron"),
    }

    def build(fig):
        ax_epochs, ax_rows, ax_meter = fig.subplots(1, 3)
        line = ax_epochs.loglog([], [], color="C0", animated=True)[0]
        mark = ax_epochs.plot([], [], "x", color="C3", ms=10, mew=2, animated=True)[0]  # where it diverged
        ax_epochs.axhline(tol, color="k", ls=":", lw=0.8)
        ax_epochs.set_xlim(1, epochs)
        ax_epochs.set_ylim(1e-6, 1e8)
        ax_epochs.set_xlabel("epoch")
        ax_epochs.set_title(f"sheet error per epoch ({epochs} epochs; x: diverged)", fontsize=9)
        rows = RowErrorLines(ax_rows, ["2 neurons"], n_rows, TRACED_EPOCHS,
                             title=f"squared error per row, first {TRACED_EPOCHS} epochs")
        meter = MeterLine(ax_meter, n_rows, TRACED_EPOCHS, title="stability meter lr·K, same rows")

        def redraw(result):
            whole, first, scale = result
            errors = np.clip(whole.epoch_errors * scale, 1e-6, 1e8)  # on the sheet's scale, within the axes
            shown = np.flatnonzero(np.isfinite(errors))
            line.set_data(shown + 1, errors[shown])
            mark.set_data(*divergence_mark(errors, whole.diverged_at, ceiling=1e7))
            rows.update({"2 neurons": first}, scale=scale)
            meter.update(first, stability_meter(first))
        return redraw

    def compute(lr, standardized, clip, schedule, b2, activation):
        return remedy_run(lr, standardized, clip, schedule, b2, activation, epochs, x=x, y=y)

    def describe(result):
        whole, _, scale = result
        return verdict(whole, tol, scale=scale)

    return Explorer("09 remedies", controls, build, compute, describe, width=11.0, height=3.6)
