"""The interactives of notebooks 01-07 (the maps of 03 and 04 are in explore_maps.py): each `explore_*` builds
sliders and panels around one computation, and EXPLORERS lists them all.

Every one takes the data (`x, y`; default the sheet's 29 rows) and the sliders' ranges, set in the notebook cell:
`lr_range=(lowest lr, highest lr)` and, for the starting weights, `a_range`, `b_range` or `weight_range`
(low, high). Targets (the star at the best line) follow the data; the defaults are the course's."""
import numpy as np

from .checks import number_array
from .colours import RACE_COLOURS
from .data import best_line, data_or_sheet
from .engine import GRADIENTS, train
from .explorer import Explorer, int_slider, lr_slider, readout, slider_grid, start_slider, widened
from .models import Linear, TwoNeuron
from .optimizers import SGD, Adam, Momentum, RMSProp
from .explore_maps import explore_convergence_map, explore_destination
from .explore_remedies import explore_remedies
from .outcomes import RACE_OPTIMIZERS, active_rows, race
from .plots import (MeterLine, PathLines, RowErrorLines, clip_path, displayable, divergence_mark,
                    epochs_until_divergence, row_axis, rows_from_1, symlog_axis, until_divergence)
from .stability import STABILITY_THRESHOLD, stability_meter


def weight_sliders(names, weight_range):
    """Sliders for starting weights, from -3 to 3 in steps of 0.1 (or over weight_range), each starting at 1."""
    return {n: start_slider(n, 1.0, -3.0, 3.0, 0.1, weight_range, "weight_range") for n in names}


def path_ranges(x, y, a_range=(-1, 4), b_range=(-20, 60), start_a=None, start_b=None):
    """The (a, b) panel's ranges: the defaults, widened if needed to show the data's best line (the star) and the
    start sliders' ranges a teacher gave."""
    slope, intercept = best_line(x, y)
    return widened(a_range, slope, *(start_a or ())), widened(b_range, intercept, *(start_b or ()))


def explore_linear(epochs=3, x=None, y=None, lr_range=None, a_range=None, b_range=None):
    """01: the basic sheet with sliders for lr and the starting a, b, on x, y (default: the sheet's rows). The star
    is the data's best line (`best_line(x, y)`)."""
    x, y = data_or_sheet(x, y)
    controls = {"lr": lr_slider(1e-4, -6, -3, lr_range=lr_range),
                "a": start_slider("start a", 1.0, -2.0, 4.0, 0.1, a_range, "a_range"),
                "b": start_slider("start b", 1.0, -20.0, 60.0, 1.0, b_range, "b_range"),
                "epochs": int_slider("epochs", epochs, 1, 10)}
    panel_a, panel_b = path_ranges(x, y, (-1, 4), (-20, 60), a_range, b_range)

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        path = PathLines(ax_path, ["SGD"], panel_a, panel_b, x=x, y=y)
        errors = RowErrorLines(ax_err, ["SGD"], len(x), 10)

        def redraw(run):
            path.update({"SGD": run})
            errors.update({"SGD": run})
        return redraw

    def compute(lr, a, b, epochs):
        return train(Linear(a=a, b=b), SGD(lr), x, y, epochs)

    return Explorer("01 linear SGD", controls, build, compute, readout,
                    exporter=lambda run: (run, "01_linear_sgd_experiment.xlsx"))


def explore_two_neurons(epochs=3, x=None, y=None, lr_range=None, weight_range=None):
    """02: the learner's model beside the linear one at the same lr, with a gradient toggle, on x, y (default: the
    sheet's rows); weight_range: the four start sliders' range."""
    import ipywidgets as widgets

    x, y = data_or_sheet(x, y)
    controls = {"lr": lr_slider(1e-4, -7, -3, lr_range=lr_range), **weight_sliders(TwoNeuron.names, weight_range),
                "epochs": int_slider("epochs", epochs, 1, 6),
                "gradient": widgets.ToggleButtons(options=list(GRADIENTS), value="analytic",
                                                  description="gradient")}

    def build(fig):
        ax_err, ax_w = fig.subplots(1, 2)
        errors = RowErrorLines(ax_err, ["2 neurons", "linear"], len(x), 6)
        weights = {n: ax_w.plot([], [], label=n, lw=1.2, animated=True)[0] for n in TwoNeuron.names}
        symlog_axis(ax_w, 1e12)
        row_axis(ax_w, len(x), 6)
        ax_w.set_title("2-neuron weights in use at each row", fontsize=10)
        ax_w.legend(loc="upper left", fontsize=8)

        def redraw(runs):
            errors.update(runs)
            two = runs["2 neurons"]
            for i, name in enumerate(TwoNeuron.names):
                values = until_divergence(two, clip_path(two.history["theta"][i]))
                weights[name].set_data(rows_from_1(values), values)
        return redraw

    def compute(lr, w1, b1, w2, b2, epochs, gradient):
        two = train(TwoNeuron(w1, b1, w2, b2), SGD(lr), x, y, epochs, gradient=gradient)
        line = train(Linear(a=1.0, b=1.0), SGD(lr), x, y, epochs, gradient=gradient)
        return {"2 neurons": two, "linear": line}

    def describe(runs):
        return " | ".join(readout(run, label) for label, run in runs.items())

    return Explorer("02 two neurons", controls, build, compute, describe,
                    exporter=lambda runs: (runs["2 neurons"], "02_two_neurons_experiment.xlsx"))


def explore_stability(epochs=2, x=None, y=None, lr_range=None, weight_range=None):
    """03: the stability meter lr*K per row beside the error per row, for the learner's model, on x, y (default:
    the sheet's rows); weight_range: the w1, w2 start sliders' range."""
    x, y = data_or_sheet(x, y)
    controls = {"lr": lr_slider(1e-4, -7, -3, lr_range=lr_range), **weight_sliders(("w1", "w2"), weight_range),
                "epochs": int_slider("epochs", epochs, 1, 5)}

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
        return f"{readout(run)} | {first}"

    return Explorer("03 stability meter", controls, build, compute, describe)


def explore_momentum(epochs=3, x=None, y=None, lr_range=None):
    """05: plain SGD and sheet momentum on the same figure, with lr and beta sliders, on x, y (default: the sheet's
    rows); the star is the data's best line."""
    x, y = data_or_sheet(x, y)
    controls = {"lr": lr_slider(1e-4, -6, -3, lr_range=lr_range),
                "beta": start_slider("beta", 0.9, 0.0, 0.99, 0.01), "epochs": int_slider("epochs", epochs, 1, 6)}
    panel_a, panel_b = path_ranges(x, y)

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        labels = ["SGD", "momentum"]
        path = PathLines(ax_path, labels, panel_a, panel_b, x=x, y=y)
        errors = RowErrorLines(ax_err, labels, len(x), 6)

        def redraw(runs):
            path.update(runs)
            errors.update(runs)
        return redraw

    def compute(lr, beta, epochs):
        return {"SGD": train(Linear(), SGD(lr), x, y, epochs),
                "momentum": train(Linear(), Momentum(lr, beta), x, y, epochs)}

    def describe(runs):
        return " | ".join(readout(run, label) for label, run in runs.items())

    return Explorer("05 momentum", controls, build, compute, describe)


def explore_adaptive(epochs=5, x=None, y=None, lr_range=None):
    """06: RMSProp or Adam (sheet convention) on the linear model, with lr and beta sliders, on x, y (default: the
    sheet's rows); the star is the data's best line."""
    import ipywidgets as widgets

    x, y = data_or_sheet(x, y)
    controls = {"optimizer": widgets.ToggleButtons(options=["RMSProp", "Adam"], value="Adam",
                                                   description="optimizer"),
                "lr": lr_slider(0.1, -3, 1, lr_range=lr_range), "beta1": start_slider("beta1", 0.9, 0.0, 0.99, 0.01),
                "beta2": start_slider("beta2", 0.9, 0.0, 0.99, 0.01), "epochs": int_slider("epochs", epochs, 1, 8)}
    panel_a, panel_b = path_ranges(x, y, (0, 3), (0, 40))

    def build(fig):
        ax_path, ax_err = fig.subplots(1, 2)
        path = PathLines(ax_path, ["run"], panel_a, panel_b, x=x, y=y)
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

    return Explorer("06 RMSProp and Adam", controls, build, compute, readout)


def explore_race(epochs=10, x=None, y=None, lr_range=None, adaptive_lr_range=None):
    """06: the optimizer race on the learner's 2-neuron model and on the linear model, on x, y (default: the
    sheet's rows). lr_range: the SGD/momentum slider's range; adaptive_lr_range: the RMSProp/Adam slider's.

    Ten runs per slider move would take ~100 ms, so the race is computed once for every position of both
    sliders (one vectorized `train` per optimizer and model) and a move only picks out its column."""
    x, y = data_or_sheet(x, y)
    controls = {"lr_plain": lr_slider(1e-4, -7, -3, description="lr SGD/mom", lr_range=lr_range),
                "lr_adaptive": lr_slider(0.1, -3, 1, description="lr adaptive", lr_range=adaptive_lr_range)}
    plain_lrs, adaptive_lrs = slider_grid(controls["lr_plain"]), slider_grid(controls["lr_adaptive"])
    models = {"2 neurons (all weights 1)": TwoNeuron(), "linear (a = b = 1)": Linear()}
    tables = {title: race(model, plain_lrs, adaptive_lrs, epochs, x=x, y=y) for title, model in models.items()}

    def build(fig):
        axes = fig.subplots(1, 2, sharey=True)
        lines, marks = {}, {}
        for ax, title in zip(axes, models):
            lines[title] = {n: ax.semilogy([], [], marker=".", ms=4, label=n, color=RACE_COLOURS[n], animated=True)[0]
                            for n in RACE_OPTIMIZERS}
            marks[title] = {n: ax.plot([], [], "x", ms=9, mew=2, color=lines[title][n].get_color(),
                                       animated=True)[0] for n in RACE_OPTIMIZERS}
            ax.set_ylim(1e-2, 1e8)
            ax.set_xlim(0.5, epochs + 0.5)
            ax.set_xlabel("epoch")
            ax.set_title(title, fontsize=10)
        axes[0].set_ylabel("sheet error (x: diverged in that epoch)")
        axes[1].legend(fontsize=8, loc="upper right")

        def redraw(result):
            for title, runs in result.items():
                for name, (errors, diverged_at) in runs.items():
                    shown = displayable(epochs_until_divergence(errors, diverged_at))
                    lines[title][name].set_data(np.arange(1, epochs + 1), shown)
                    marks[title][name].set_data(*divergence_mark(shown, diverged_at, ceiling=1e8))
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
        return f"2 neurons: {len(alive)} of {len(two)} survive {epochs} epochs ({', '.join(alive) or 'none'})"

    return Explorer("06 optimizer race", controls, build, compute, describe)


def explore_relu(epochs=5, x=None, y=None, lr_range=None, weight_range=None, input_scale=0.01):
    """07: the ReLU model with sliders for lr, the four starting weights and input scaling (x or x*input_scale);
    live active-row count; on x, y (default: the sheet's rows)."""
    import ipywidgets as widgets

    x, y = data_or_sheet(x, y)
    input_scale = float(number_array("input_scale", input_scale, low=0, low_inclusive=False,
                                     allowed="a number > 0 (the inputs are multiplied by it)"))
    shrink = 1 / input_scale
    scaled = f"x/{shrink:g}" if shrink == round(shrink) else f"x·{input_scale:g}"
    controls = {"lr": lr_slider(1e-4, -7, -1, lr_range=lr_range), **weight_sliders(TwoNeuron.names, weight_range),
                "epochs": int_slider("epochs", epochs, 1, 6),
                "scale": widgets.ToggleButtons(options=[("x", 1.0), (scaled, input_scale)], value=1.0,
                                               description="input")}

    def build(fig):
        ax_err, ax_h = fig.subplots(1, 2)
        errors = RowErrorLines(ax_err, ["ReLU", "linear"], len(x), 6)
        h_line = ax_h.plot([], [], color="C2", lw=1, label="h = w1·x + b1", animated=True)[0]
        ax_h.axhline(0, color="k", lw=0.8)
        symlog_axis(ax_h, 1e6)
        row_axis(ax_h, len(x), 6)
        ax_h.set_title("pre-activation h per row (active where h > 0)", fontsize=10)

        def redraw(runs):
            errors.update(runs)
            relu = runs["ReLU"]
            h = until_divergence(relu, clip_path(relu.history["h"]))
            h_line.set_data(rows_from_1(h), h)
        return redraw

    def compute(lr, w1, b1, w2, b2, epochs, scale):
        relu = train(TwoNeuron(w1, b1, w2, b2, relu=True), SGD(lr), x * scale, y, epochs)
        line = train(Linear(), SGD(lr), x * scale, y, epochs)
        return {"ReLU": relu, "linear": line}

    def describe(runs):
        relu = runs["ReLU"]
        active = int(active_rows(relu.model, relu.params, relu.x).sum()) if not relu.diverged else 0
        return f"{readout(relu, 'ReLU')}, {active} of {len(relu.x)} rows active | " + readout(runs["linear"], "linear")

    return Explorer("07 ReLU", controls, build, compute, describe,
                    exporter=lambda runs: (runs["ReLU"], "07_relu_experiment.xlsx"))


EXPLORERS = {"01": explore_linear, "02": explore_two_neurons, "03a": explore_stability, "03b": explore_destination,
             "04": explore_convergence_map, "05": explore_momentum, "06a": explore_adaptive, "06b": explore_race,
             "07": explore_relu, "09": explore_remedies}
