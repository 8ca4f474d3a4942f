"""Plots: static figures and the panels the interactives reuse.

Static figures are plain matplotlib Figures (not registered with pyplot) shown as PNG images by `show`, so they
read on GitHub and never duplicate themselves in the notebook. Panels (RowErrorLines, MeterLine, PathLines) create
their artists once and `update` them in place, so the same code draws a static figure and a live one.
"""
import math

import numpy as np

from .colours import OUTCOME_COLOURS, use_course_colours
from .data import best_line, data_or_sheet
from .stability import STABILITY_THRESHOLD, stability_meter

PLOT_FLOOR, PLOT_CEILING = 1e-3, 1e14  # log axes show errors in this band (divergence is declared at 1e12)


def figure(ncols=1, nrows=1, width=9.0, height=3.2, **kwargs):
    from matplotlib.figure import Figure

    use_course_colours()  # "C0", "C1", ... and default line colours: colour-safe (colours.py)
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


def displayable(values, floor=PLOT_FLOOR):
    """Errors ready for a log axis: clipped into the plotted band; not finite -> NaN, a gap (a diverged run's line
    stops at its divergence instead of running along the ceiling). A figure whose runs go below PLOT_FLOOR passes a
    lower `floor`, so that its lines do not stop flat where the printout goes on falling."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(values), np.clip(values, floor, PLOT_CEILING * 10), np.nan)


def epoch_error_line(ax, run, label, index=None, **style):
    """A run's sheet error per epoch on a log axis, stopping at its divergence, which is marked with an x (the
    diverged epoch's error is not defined: the mark sits at the last plotted value, or at the top). Returns the
    line."""
    errors = run.epoch_errors if index is None else run.epoch_errors[(slice(None),) + tuple(index)]
    diverged = run.diverged_at if index is None else run.diverged_at[tuple(index)]
    epochs = np.arange(1, len(errors) + 1)
    line = ax.semilogy(epochs, displayable(errors), marker=".", label=label, **style)[0]
    if diverged:
        ax.plot(*divergence_mark(displayable(errors), diverged), "x", color=line.get_color(), ms=9, mew=2)
    return line


def divergence_mark(shown, diverged_at, ceiling=PLOT_CEILING):
    """Where the x of a divergence goes on a plot of errors per epoch (shown: the plotted values, epoch 1 first):
    at the diverged epoch, as high as the last finite value before it (or the ceiling); ([], []) if the run did
    not diverge."""
    if not diverged_at:
        return [], []
    before = np.asarray(shown, dtype=float)[: diverged_at[0] - 1]
    before = before[np.isfinite(before)]
    return [diverged_at[0]], [before[-1] if len(before) else ceiling]


def until_divergence(run, values):
    """Per-row values of a single run with the rows after its divergence row hidden (NaN), so a plot stays readable."""
    values = np.asarray(values, dtype=float).ravel().copy()
    if run.diverged_at is not None:
        epoch, row = run.diverged_at
        values[(epoch - 1) * len(run.x) + row:] = np.nan
    return values


def loss_grid(a_range=(-1, 4), b_range=(-20, 60), n=120, x=None, y=None):
    """The sheet's squared-error sum over the rows of x, y (default: the sheet's 29) on an (a, b) grid, for
    contour plots."""
    x, y = data_or_sheet(x, y)
    a = np.linspace(*a_range, n)
    b = np.linspace(*b_range, n)
    grid_a, grid_b = np.meshgrid(a, b)
    residual = grid_b[..., None] + grid_a[..., None] * x - y
    return grid_a, grid_b, (residual * residual).sum(axis=-1)


def plot_contour(ax, a_range=(-1, 4), b_range=(-20, 60), x=None, y=None):
    """The error surface of x, y (default: the sheet's rows) over (a, b), with a star at the data's best line."""
    grid_a, grid_b, sse = loss_grid(a_range, b_range, x=x, y=y)
    ax.contour(grid_a, grid_b, np.log10(np.maximum(sse, 1e-300)), levels=14, cmap="viridis", linewidths=0.8)
    slope, intercept = best_line(x, y)
    ax.plot([slope], [intercept], marker="*", color="k", ms=10, ls="none", label=f"a={slope:g}, b={intercept:g}")
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


def row_axis(ax, n_rows, max_epochs):
    """An x axis of rows counted from 1 across epochs (row 29 of epoch 1 is 29, row 1 of epoch 2 is 30), as
    diverged_at counts them, spanning max_epochs whatever a run's length, with a faint line between epochs."""
    ax.set_xlim(0.5, max_epochs * n_rows + 0.5)
    ax.set_xlabel(f"row, counted from 1 ({n_rows} per epoch)" if max_epochs > 1 else "row, counted from 1")
    for epoch in range(1, max_epochs):
        ax.axvline(epoch * n_rows + 0.5, color="0.85", lw=0.6, zorder=0)


def rows_from_1(values):
    """x positions for per-row values, counted from 1."""
    return np.arange(1, len(values) + 1)


class RowErrorLines:
    """One log-scale line per labelled run: squared error of every row, hidden after divergence.
    The x axis spans `max_epochs` whatever a run's length, so a slider move never changes the axes."""

    def __init__(self, ax, labels, n_rows, max_epochs, title="squared error per row"):
        self.ax, self.n_rows = ax, n_rows
        self.lines = {label: ax.semilogy([], [], label=label, lw=1.2, animated=True)[0] for label in labels}
        self.marks = {label: ax.axvline(0, color=line.get_color(), ls=":", lw=1, visible=False, animated=True)
                      for label, line in self.lines.items()}
        ax.set_ylim(PLOT_FLOOR, PLOT_CEILING)
        row_axis(ax, n_rows, max_epochs)
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper left", fontsize=8)

    def update(self, runs, scale=1.0):
        """scale multiplies the residuals (so the squared errors by scale^2): for runs on rescaled data."""
        for label, run in runs.items():
            values = until_divergence(run, displayable(run.row_errors * (scale * scale)))
            self.lines[label].set_data(rows_from_1(values), values)
            mark = self.marks[label]
            if run.diverged_at:
                epoch, row = run.diverged_at
                mark.set_xdata([(epoch - 1) * self.n_rows + row] * 2)
            mark.set_visible(bool(run.diverged_at))


class MeterLine:
    """The stability meter lr·K per row against its line lr·K = 1, hidden after divergence."""

    def __init__(self, ax, n_rows, max_epochs, title="stability meter: lr·K per row"):
        self.ax = ax
        self.line = ax.semilogy([], [], color="C1", label="lr·K", animated=True)[0]
        ax.axhline(STABILITY_THRESHOLD, color="k", ls="--", lw=1,
                   label="lr·K = 1 (above: unstable step)")
        ax.set_ylim(1e-3, 1e6)
        row_axis(ax, n_rows, max_epochs)
        ax.set_title(title, fontsize=10)
        ax.legend(loc="upper left", fontsize=8)

    def update(self, run, meter=None):
        meter = stability_meter(run) if meter is None else meter
        values = until_divergence(run, meter)
        self.line.set_data(rows_from_1(values), np.clip(clip_path(values), 1e-4, 1e7))


def epochs_until_divergence(epoch_errors, diverged_at):
    """Sheet error per epoch with the epochs from the divergence on hidden (NaN), for plots."""
    errors = np.array(epoch_errors, dtype=float)
    if diverged_at:
        errors[diverged_at[0] - 1:] = np.nan
    return errors


class PathLines:
    """Paths of runs through (a, b) over the loss contour; points beyond the axes are simply off the plot."""

    def __init__(self, ax, labels, a_range=(-1, 4), b_range=(-20, 60), x=None, y=None):
        plot_contour(ax, a_range, b_range, x=x, y=y)
        self.lines = {label: ax.plot([], [], marker=".", ms=3, lw=1, label=label, animated=True)[0]
                      for label in labels}
        ax.legend(loc="lower right", fontsize=8)
        ax.set_title("path through (a, b) over the error surface", fontsize=10)

    def update(self, runs):
        for label, run in runs.items():
            a, b = path_of(run)
            self.lines[label].set_data(clip_path(a), clip_path(b))


def symlog_axis(ax, limit):
    """A symmetric log axis from -limit to limit with a few readable ticks."""
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylim(-limit, limit)
    decades = int(round(math.log10(limit)))
    step = max(1, decades // 3)
    ticks = [10.0 ** k for k in range(step, decades + 1, step)]
    ax.set_yticks([-t for t in ticks[::-1]] + [0] + ticks)
    ax.minorticks_off()


def clip_path(values):
    # Far-away points are clipped to a finite box (lines still leave the axes), non-finite ones dropped from view.
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(values), np.clip(values, -1e6, 1e6), np.nan)


# Convergence maps: one colour per outcome, its shade saying how fast (see outcomes.py for the classes; the
# colours, (fast, slow) ends of each outcome's shade, are in colours.py).


def convergence_colours(result):
    """RGBA pixels (w2 rows, w1 columns) for a ConvergenceMap: the outcome's colour, shaded by how fast it came
    (converged, diverged: the epoch on a log scale) or how far it still is (still training: log10 error, 0-3)."""
    from matplotlib.colors import to_rgb

    from .outcomes import CONVERGED, DIVERGED, OUTCOMES, TRAINING

    with np.errstate(all="ignore"):
        by_epoch = np.log(np.maximum(result.epoch, 1)) / np.log(max(result.epochs, 2))
        by_error = 1 - np.log10(np.clip(result.final_error, 1, 1000)) / 3
    shade = np.where(result.outcome == TRAINING, by_error, by_epoch)
    shade = np.where((result.outcome == CONVERGED) | (result.outcome == DIVERGED) | (result.outcome == TRAINING),
                     np.nan_to_num(np.clip(shade, 0, 1)), 0.0)
    rgba = np.ones(result.outcome.shape + (4,))
    for code, name in enumerate(OUTCOMES):
        fast, slow = (np.array(to_rgb(end)) for end in OUTCOME_COLOURS[name])
        mask = result.outcome == code
        rgba[mask, :3] = fast + shade[mask, None] * (slow - fast)
    return rgba.transpose(1, 0, 2)  # imshow wants rows of w2


def draw_convergence_map(ax, result, legend=True):
    """A ConvergenceMap over the initial (w1, w2), with a legend of the outcomes; returns the image artist."""
    from matplotlib.patches import Patch

    w1, w2 = result.w1, result.w2
    step1, step2 = (w1[1] - w1[0]) / 2, (w2[1] - w2[0]) / 2
    image = ax.imshow(convergence_colours(result), origin="lower", aspect="auto", interpolation="nearest",
                      extent=(w1[0] - step1, w1[-1] + step1, w2[0] - step2, w2[-1] + step2))
    ax.set_xlabel("initial w1")
    ax.set_ylabel("initial w2")
    if legend:
        handles = [Patch(color=OUTCOME_COLOURS[name][0], label=name) for name in OUTCOME_COLOURS]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  title="dark = fast\n(still training:\nlarge error)", title_fontsize=7, frameon=False)
    return image
