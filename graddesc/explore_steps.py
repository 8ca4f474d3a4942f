"""The learner's-path views of a step that is too big (notebooks 03 and 04): find the largest lr that still trains,
then watch the steepness meter run away row by row.

- `outcome(run)` says what became of one run in the words the learner's path uses: "converged by epoch N" (the
  sheet error is below 1 from epoch N to the last epoch run: outcomes.epochs_to), "diverged at epoch e, row r", or
  "still going". On data no line fits, an error below 1 is out of reach: there "converged" means within 1 of the best
  line's error (robustness.convergence_tol, as the maps), and every readout says so.
- `lr_scan` trains one start at many learning rates in one sweep and says which converged.
- `explore_largest_lr`: one lr slider, the 2-neuron model from all weights 1: the error per epoch and the line it ends
  on, with the outcome in the readout. The learner hunts for the largest lr that still trains.
- `explore_steepness`: one lr slider (and a model toggle), epoch 1 row by row: how steep each row's error bowl is
  times lr (the meter lr·K, stability.py), the size of the weights, and the row's error. Above 1 a step overshoots
  by more than it started; for the 2-neuron model that grows the weights, which makes the next rows steeper.
"""
import math

import numpy as np

from .data import best_line, load_data
from .engine import train
from .explorer import Explorer, lr_slider
from .models import Linear, TwoNeuron
from .optimizers import SGD
from .outcomes import converged, epochs_to
from .robustness import convergence_tol, tol_meaning
from .plots import PLOT_CEILING, PLOT_FLOOR, displayable, divergence_mark, row_axis, rows_from_1, until_divergence
from .stability import STABILITY_THRESHOLD, stability_meter

TOLERANCE = 1.0  # the sheet's 'converged': error below 1 to the end of the run (convergence_tol on any data)
SCAN_EPOCHS = 1000  # epochs a run gets before it counts as "still going"


def _data(x, y):
    if (x is None) != (y is None):
        raise ValueError("pass both x and y (the rows to train on), or neither for the sheet's 29 rows")
    return load_data() if x is None else (np.asarray(x, dtype=float), np.asarray(y, dtype=float))


def outcome(run, tol=None):
    """One run's outcome in the learner's words: 'converged by epoch N', 'diverged at epoch e, row r' or
    'still going (sheet error E after N epochs)'. tol: None for convergence_tol of the run's data (1 on the
    sheet's rows); where it is not 1 the words say what converged means, e.g. 'converged by epoch 2530 (error
    within 1 of the best line's 21.6)'."""
    if run.shape:
        raise ValueError("outcome describes one configuration; use converged and epochs_to for sweeps")
    tol = convergence_tol(run.x, run.y) if tol is None else tol
    if run.diverged_at:
        return run.divergence_message()
    meaning = tol_meaning(tol)
    if converged(run, tol):
        return f"converged by epoch {epochs_to(run, tol)}" + (f" ({meaning})" if meaning else "")
    return (f"still going (sheet error {run.final_errors:.3g} after {run.epochs} epochs"
            + (f"; converged: {meaning})" if meaning else ")"))


def lr_scan(lrs, model=None, epochs=SCAN_EPOCHS, x=None, y=None, shuffle=None, tol=None):
    """Train `model` (default: the 2-neuron model, all weights 1) with SGD at every lr in `lrs`, one compiled
    sweep. shuffle: None (the data's order) or seeds, broadcast against lrs (see train). Returns (converged, run):
    converged is True where the run did not diverge and ended with its sheet error below tol (outcomes.converged;
    outcomes.epochs_to says from which epoch it stayed there). tol: None for convergence_tol(x, y), 1 on the
    sheet's rows, 1 + the residual floor on data no line fits."""
    x, y = _data(x, y)
    lrs = np.asarray(lrs, dtype=float)
    model = TwoNeuron() if model is None else model
    options = {} if shuffle is None else {"shuffle": shuffle}
    run = train(model, SGD(lrs), x, y, epochs, trace=False, **options)
    return np.asarray(converged(run, convergence_tol(x, y) if tol is None else tol)), run


def _is_sheet(x, y):
    sheet_x, sheet_y = load_data()
    return np.array_equal(x, sheet_x) and np.array_equal(y, sheet_y)


def _tol_label(tol):
    """The dashed line's legend: where 'converged' starts."""
    if tol == 1.0:
        return "sheet error 1 (converged below)"
    return f"sheet error {tol:.3g}: the best line's {tol - 1:.3g} + 1\n(converged below)"


def _slider(lr_range, value, step):
    low, high = (float(v) for v in lr_range)
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"lr_range must be (low, high) with 0 < low < high; got {lr_range!r}")
    low_exp, high_exp = math.log10(low), math.log10(high)
    k = round((min(max(math.log10(value), low_exp), high_exp) - low_exp) / step)
    return lr_slider(10 ** (low_exp + k * step), low_exp, high_exp, step)


def explore_largest_lr(x=None, y=None, lr_range=(1e-6, 1e-3), epochs=SCAN_EPOCHS, model=None, tol=None):
    """03: one lr slider; the 2-neuron model from all weights 1 (or `model`, e.g. gu.Linear() in 01) trained for
    `epochs` epochs in the data's order.
    Left: the sheet error per epoch. Right: the data and the line the model ends on, or for a run that diverges
    the line in use one row before the numbers flew off (a replay of the epochs up to it). The readout: converged by epoch N, diverged at epoch e (row r), or still going.
    tol: the sheet error below which a run counts as converged; None for convergence_tol(x, y): 1 on the sheet's
    rows, within 1 of the best line's error on data no line fits (said in the readout). Noisy data need more
    epochs than the sheet's (e.g. epochs=10_000): SGD gets near the best line slowly at the lrs that stay close."""
    x, y = _data(x, y)
    tol = convergence_tol(x, y) if tol is None else float(tol)
    rows = "the sheet's rows" if _is_sheet(x, y) else "the data's rows"
    model = TwoNeuron() if model is None else model
    named = "2 neurons, all weights 1" if model.names == TwoNeuron.names else "the line, a = b = 1"
    if any(float(v) != 1.0 for v in model.initial.values()):
        named = ", ".join(f"{k} = {float(v):g}" for k, v in model.initial.items())
    controls = {"lr": _slider(lr_range, 1e-4, 0.02)}
    span = np.array([min(x.min(), 0.0), x.max()])

    def build(fig):
        ax_err, ax_fit = fig.subplots(1, 2)
        errors = ax_err.loglog([], [], color="C0", lw=1.2, animated=True)[0]
        mark = ax_err.plot([], [], "x", color="C3", ms=10, mew=2, label="diverged in this epoch", animated=True)[0]
        ax_err.axhline(tol, color="k", ls="--", lw=0.8, label=_tol_label(tol))
        ax_err.set_xlim(0.8, epochs * 1.25)
        ax_err.set_ylim(PLOT_FLOOR, PLOT_CEILING)
        ax_err.set_xlabel("epoch")
        ax_err.set_title(f"sheet error per epoch ({named})", fontsize=10)
        ax_err.legend(loc="upper right", fontsize=8)
        ax_fit.plot(x, y, "o", color="0.4", ms=4, label=rows)
        fitted = ax_fit.plot([], [], color="C1", lw=2, label="the model's line (last epoch)", animated=True)[0]
        ax_fit.set_xlim(span[0] - 5, span[1] + 5)
        ax_fit.set_ylim(min(y.min(), 0.0) - 40, y.max() + 60)
        ax_fit.set_xlabel("x")
        ax_fit.set_ylabel("y")
        ax_fit.set_title("where the model ends", fontsize=10)
        ax_fit.legend(loc="upper left", fontsize=8)

        def redraw(run):
            shown = displayable(run.epoch_errors)
            errors.set_data(np.arange(1, len(shown) + 1), shown)
            mark.set_data(*divergence_mark(shown, run.diverged_at))
            if run.diverged_at:  # the line in use one row before the numbers flew off
                theta, label = run.before_divergence, "the line one row before it flew off"
            else:
                theta = [np.asarray(run.epoch_params[name][-1]) for name in run.model.names]
                label = "the model's line (last epoch)"
            with np.errstate(all="ignore"):
                line = run.model.predict(theta, span)
            fitted.set_data(span, np.where(np.abs(line) < 1e6, line, np.nan))
            if fitted.get_label() != label:
                fitted.set_label(label)
                ax_fit.legend(loc="upper left", fontsize=8)
        return redraw

    def compute(lr):
        run = train(model, SGD(lr), x, y, epochs, trace="epochs")
        if run.diverged_at:  # replay up to the divergence, row by row, to draw the line just before it
            epoch, row = run.diverged_at
            rows = train(model, SGD(lr), x, y, epoch).history["theta"]  # (weights, epoch, row): weights in use
            run.before_divergence = list(rows[:, epoch - 1, row - 2] if row > 1 else rows[:, epoch - 2, -1]) \
                if (epoch, row) != (1, 1) else [np.asarray(model.initial[name]) for name in model.names]
        return run

    return Explorer(f"largest lr ({named})", controls, build, compute, lambda run: outcome(run, tol))


def explore_steepness(x=None, y=None, lr_range=(1e-5, 1e-3)):
    """03: epoch 1 row by row at a chosen lr, for the 2-neuron model (all weights 1) or the line (a = b = 1):
    the meter lr·K (how steep the row's error bowl is, times lr; above 1 the step overshoots by more than it
    started), the size of the weights in use (the largest |weight|), and the row's squared error."""
    import ipywidgets as widgets

    x, y = _data(x, y)
    n = len(x)
    controls = {"lr": _slider(lr_range, 1e-4, 0.05),
                "model": widgets.ToggleButtons(options=["2 neurons", "line"], value="2 neurons", description="model")}

    def build(fig):
        axes = fig.subplots(1, 3)
        titles = ["lr × steepness, row by row", "size of the weights (largest |weight|)", "squared error per row"]
        lines = []
        for ax, title, colour in zip(axes, titles, ["C1", "C2", "C0"]):
            lines.append(ax.semilogy([], [], marker=".", ms=4, color=colour, lw=1, animated=True)[0])
            row_axis(ax, n, 1)
            ax.set_title(title, fontsize=10)
        axes[0].axhline(STABILITY_THRESHOLD, color="k", ls="--", lw=1, label="1: above it, the step overshoots\n"
                                                                            "by more than it started")
        axes[0].legend(loc="upper left", fontsize=7)
        axes[0].set_ylim(1e-3, 1e6)
        axes[1].set_ylim(0.1, 1e7)
        axes[2].set_ylim(PLOT_FLOOR, PLOT_CEILING)

        def redraw(result):
            run, meter = result
            size = np.max(np.abs(run.history["theta"]), axis=0).ravel()
            for line, values in zip(lines, [meter, size, displayable(run.row_errors)]):
                shown = until_divergence(run, np.clip(np.asarray(values, dtype=float), 1e-4, 1e15))
                line.set_data(rows_from_1(shown), shown)
        return redraw

    def compute(lr, model):
        chosen = TwoNeuron() if model == "2 neurons" else Linear()
        run = train(chosen, SGD(lr), x, y, 1)
        return run, stability_meter(run).ravel()

    def describe(result):
        run, meter = result
        shown = until_divergence(run, meter)
        over = np.flatnonzero(shown > STABILITY_THRESHOLD) + 1
        first = f"rows over 1: {len(over)}, the first at row {over[0]}" if len(over) else "no row over 1"
        sizes = until_divergence(run, np.max(np.abs(run.history["theta"]), axis=0))
        size = np.max(sizes[np.isfinite(sizes)], initial=0.0)
        end = run.divergence_message() or f"epoch 1 done, sheet error {run.epoch_errors[-1]:.3g}"
        return f"{first} | largest weight in use {size:.3g} | {end}"

    return Explorer("03 steepness meter", controls, build, compute, describe)


SHUFFLED_ORDERS = 10  # explore_start's shuffled runs: seeds 0-9


def start_b2_range(x, y):
    """explore_start's default b2 slider: the data's best intercept c plus or minus 4/3 of |c| (the sheet: -10 to 70,
    so 0, the answer's 30 and starts well past it are all positions); around 0, 4/3 of the largest |y|."""
    _, c = best_line(x, y)
    r = 4 / 3 * (abs(c) if c != 0 else max(float(np.max(np.abs(y))), 1.0))
    return c - r, c + r


def explore_start(x=None, y=None, lr_range=(1e-6, 1e-3), epochs=SCAN_EPOCHS, b2_range=None, tol=None):
    """04: does a better start help? Sliders for the start's output bias b2 (the other weights 1) and the lr, and a
    toggle that centres x (subtracts its mean). One run in the data's order (thick) and SHUFFLED_ORDERS runs with the
    rows shuffled every epoch (seeds 0-9, thin), sheet error per epoch; the readout counts the outcomes.
    b2_range=(low, high): the b2 slider (default start_b2_range(x, y): -10 to 70 on the sheet). tol: converged
    below this sheet error; None for convergence_tol(x, y) (1 on the sheet's rows; on data no line fits, within 1
    of the best line's error, said in the readout)."""
    import ipywidgets as widgets

    from .explorer import start_slider

    x, y = _data(x, y)
    tol = convergence_tol(x, y) if tol is None else float(tol)
    sheet = _is_sheet(x, y)
    low, high = start_b2_range(x, y)
    controls = {"b2": start_slider("start b2", float(min(max(1.0, low), high)), low, high, (high - low) / 160,
                                   b2_range, "b2_range"),
                "lr": _slider(lr_range, 1e-4, 0.05),
                "centre": widgets.ToggleButtons(options=[("x as in the sheet" if sheet else "x as given", False),
                                                         ("x − mean of x", True)], value=False, description="input")}
    order = "the sheet's order" if sheet else "the data's order"
    seeds = np.arange(SHUFFLED_ORDERS)

    def build(fig):
        ax = fig.subplots()
        shuffled = [ax.loglog([], [], color="C0", lw=0.8, alpha=0.6, animated=True,
                              label="rows shuffled every epoch (10 orders)" if i == 0 else None)[0] for i in seeds]
        in_order = ax.loglog([], [], color="C1", lw=2.2, label=order, animated=True)[0]
        ax.axhline(tol, color="k", ls="--", lw=0.8, label=_tol_label(tol))
        ax.set_xlim(0.8, epochs * 1.25)
        ax.set_ylim(PLOT_FLOOR, PLOT_CEILING)
        ax.set_xlabel("epoch")
        ax.set_ylabel("sheet error (line ends: diverged)")
        ax.legend(loc="upper right", fontsize=8)

        def redraw(runs):
            ordered, mixed = runs
            for i, line in enumerate(shuffled):
                shown = displayable(mixed.epoch_errors[:, i])
                line.set_data(np.arange(1, len(shown) + 1), shown)
            shown = displayable(ordered.epoch_errors)
            in_order.set_data(np.arange(1, len(shown) + 1), shown)
        return redraw

    def compute(b2, lr, centre):
        inputs = x - x.mean() if centre else x
        ordered = train(TwoNeuron(b2=b2), SGD(lr), inputs, y, epochs, trace=False)
        mixed = train(TwoNeuron(b2=np.full(seeds.shape, b2)), SGD(lr), inputs, y, epochs, trace=False, shuffle=seeds)
        return ordered, mixed

    def describe(runs):
        ordered, mixed = runs
        done = int(converged(mixed, tol).sum())
        start = f"start b2 {float(np.asarray(ordered.model.initial['b2'])):.4g}"  # the slider's value, said
        return (f"{start} · {order[4:]}: {outcome(ordered, tol)} | shuffled: {done} of {len(seeds)} converged, "
                f"{int(mixed.diverged.sum())} diverged within {epochs} epochs")

    return Explorer("04 better starts", controls, build, compute, describe)
