"""The row-by-row replay: one training run, watched one row at a time, as the spreadsheet's chart would show it.

`explore_replay` trains once (the whole trace), then a Play button and a row slider (rows counted from 1 across
epochs) pick which row to show. The big panel draws the data points, the model's prediction curve after that row's
update (solid) and before it (dashed), the row itself (a ring) and the step it caused (an arrow from the old
prediction to the new one at that row's x). The small panels beside it show the weights in use and each row's
squared error up to that row, as the sheet's columns hold them. A run that diverges is replayed up to the row where
it diverged, and the readout says "diverged at epoch e, row r" there. A slider move only redraws.
"""
import numpy as np
from matplotlib.ticker import FuncFormatter

from .checks import choice, positive_int
from .data import load_data
from .engine import GRADIENTS, train
from .explorer import Explorer
from .models import Model, TwoNeuron
from .optimizers import Optimizer
from .plots import clip_path, displayable, symlog_axis

MAX_EPOCHS = 20  # a slider of 29 rows per epoch; longer runs are better read as curves per epoch
PLAY_INTERVAL_MS = 400  # one row per 0.4 s: an epoch of the sheet in about 12 s


def row_position(step, n_rows):
    """(epoch, row), both counted from 1, of the step-th row counted from 1 across epochs."""
    return (step - 1) // n_rows + 1, (step - 1) % n_rows + 1


def describe_setting(model, optimizer, gradient):
    """'2 neurons (ReLU) · SGD lr 1e-04 · finite differences': the run's name, for the figure's title."""
    name = "the line" if not isinstance(model, TwoNeuron) else ("2 neurons (ReLU)" if model.relu else "2 neurons")
    start = ", ".join(f"{k} {float(v):g}" for k, v in model.initial.items())
    grad = " · finite differences" if gradient != "analytic" else ""
    return f"{name}, start {start} · {type(optimizer).__name__} lr {float(optimizer.lr):.0e}{grad}"


class Replay(Explorer):
    """An Explorer whose one slider is the row, with a Play button driving it."""

    def __init__(self, name, play, slider, build, compute, describe):
        import ipywidgets as widgets

        self.play = play
        widgets.link((play, "value"), (slider, "value"))  # in the kernel: tests can drive it, the browser too
        play.observe(self._restart, names="playing")
        super().__init__(name, {"row": slider}, build, compute, describe, width=9.0, height=3.8)

    def _restart(self, change):
        # Play at the last row would stop at once (ipywidgets' Play stops at max): start again from row 1
        if change["new"] and self.play.value >= self.play.max:
            self.play.value = self.play.min

    @property
    def widget(self):
        import ipywidgets as widgets

        children = [widgets.HBox([self.controls["row"], self.play]), self.readout]
        if self.interactive:
            children.append(self.fig.canvas)
        return widgets.VBox(children)


def explore_replay(model, optimizer, x=None, y=None, epochs=1, gradient="analytic", title=None):
    """Replay one run row by row: Play, or drag the row slider (rows counted from 1 across epochs).

    model, optimizer  one configuration (single numbers), e.g. gu.TwoNeuron(), gu.SGD(1e-4)
    x, y              the data (default: the sheet's 29 rows)
    epochs            1 to 20; a run that diverges is replayed up to its divergence row
    gradient          "analytic" or "finite_difference" (the sheet's forward difference, step 0.01)
    title             the figure's title (default: the model, its start, the optimizer and lr)"""
    import ipywidgets as widgets

    if not isinstance(model, Model):
        raise ValueError(f"model must be a course model such as gu.Linear() or gu.TwoNeuron(), not {model!r}")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be gu.SGD, gu.Momentum, gu.RMSProp or gu.Adam, not {optimizer!r}")
    epochs = positive_int("epochs", epochs)
    if epochs > MAX_EPOCHS:
        raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS} for a replay; got {epochs}")
    gradient = choice("gradient", gradient, GRADIENTS)
    if x is None and y is None:
        x, y = load_data()
    elif x is None or y is None:
        raise ValueError("give both x and y, or neither (the sheet's rows)")
    numbers = list(model.initial.values()) + list(model.hyperparameters().values()) \
        + list(optimizer.hyperparameters().values())
    if any(np.ndim(value) for value in numbers):
        raise ValueError("a replay shows one run: give the model and the optimizer single numbers, not arrays")
    with np.errstate(all="ignore"):
        run = train(model, optimizer, x, y, epochs, gradient=gradient)
    title = describe_setting(model, optimizer, gradient) if title is None else str(title)
    x, y, n = run.x, run.y, len(run.x)
    last = (run.diverged_at[0] - 1) * n + run.diverged_at[1] if run.diverged else epochs * n
    h = run.history
    names = model.names
    used = h["theta"].reshape(len(names), -1)[:, :last]  # weights in use at each row, rows counted from 1
    after = h["new_theta"].reshape(len(names), -1)[:, :last]  # ... and after its update
    err_sq = h["err_sq"].ravel()[:last]
    relu = isinstance(model, TwoNeuron) and model.relu

    span = float(x.max() - x.min()) or 1.0
    x_lim = (float(x.min()) - 0.06 * span, float(x.max()) + 0.06 * span)
    y_span = float(y.max() - y.min()) or 1.0
    y_lim = (float(y.min()) - y_span, float(y.max()) + y_span)
    grid = np.linspace(*x_lim, 300)

    def curve(theta):
        """The model's prediction over the plotted x range (with the ReLU's kink as a grid point)."""
        xs = grid
        if relu and theta[0] != 0 and x_lim[0] < -theta[1] / theta[0] < x_lim[1]:
            xs = np.sort(np.r_[grid, -theta[1] / theta[0]])
        with np.errstate(all="ignore"):
            return xs, clip_path(model.predict([np.asarray(v) for v in theta], xs))

    def predict_at(theta, xi):
        with np.errstate(all="ignore"):
            return float(model.predict([np.asarray(v) for v in theta], np.asarray(xi)))

    def build(fig):
        grid_spec = fig.add_gridspec(2, 2, width_ratios=(1.7, 1))
        ax = fig.add_subplot(grid_spec[:, 0])
        ax_w, ax_e = fig.add_subplot(grid_spec[0, 1]), fig.add_subplot(grid_spec[1, 1])
        ax.plot(x, y, "o", color="0.55", ms=4, label="data rows")
        before = ax.plot([], [], "--", color="C0", lw=1, alpha=0.6, label="before this row", animated=True)[0]
        now = ax.plot([], [], "-", color="C0", lw=2, label="after this row's step", animated=True)[0]
        ring = ax.plot([], [], "o", ms=11, mfc="none", mec="C3", mew=2, label="this row", animated=True)[0]
        # the step as a stem and a head (an annotation arrow's head outgrows a step of a few pixels)
        stem = ax.plot([], [], "-", color="C3", lw=2.5, animated=True)[0]
        head = ax.plot([], [], "^", color="C3", ms=7, label="this row's step", animated=True)[0]
        ax.set_xlim(*x_lim)
        ax.set_ylim(*y_lim)
        ax.set_xlabel("x")
        ax.set_ylabel("y, and the prediction")
        ax.set_title(title, fontsize=9)
        ax.legend(loc="upper left", fontsize=7)
        rows = np.arange(1, last + 1)
        weights = {name: ax_w.plot([], [], lw=1.2, marker=".", ms=3, label=name, animated=True)[0] for name in names}
        with np.errstate(all="ignore"):
            biggest = min(np.nanmax(np.abs(np.where(np.isfinite(used), used, np.nan))), 1e6)  # clip_path's box
        weights_title = "weights in use at each row"
        if biggest > 10:  # an explosion: a symmetric log axis keeps the early rows readable
            symlog_axis(ax_w, 10.0 ** int(np.ceil(np.log10(biggest * 1.01))))
            # plain numbers on the marks (no 10^k), and the title says how the axis grows, for a reader new to it
            ax_w.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
            ticks = [t for t in ax_w.get_yticks() if t > 0]
            ratio = ticks[1] / ticks[0] if len(ticks) > 1 else 10
            weights_title = f"weights in use (axis: each mark ×{ratio:,.0f})"
        else:
            low_w, high_w = np.nanmin(used), np.nanmax(used)
            ax_w.set_ylim(low_w - 0.1 * (high_w - low_w) - 0.5, high_w + 0.1 * (high_w - low_w) + 0.5)
        ax_w.set_title(weights_title, fontsize=8)
        ax_w.legend(loc="lower left", fontsize=7, ncol=len(names), framealpha=0.6)
        error_line = ax_e.semilogy([], [], color="C3", lw=1.2, marker=".", ms=3, animated=True)[0]
        shown_errors = displayable(err_sq)
        low, high = np.nanmin(shown_errors), np.nanmax(shown_errors)
        ax_e.set_ylim(10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high) + 0.01))
        ax_e.set_title("each row's squared error", fontsize=9)
        for panel in (ax_w, ax_e):
            panel.set_xlim(0.5, last + 0.5)
            for epoch in range(1, epochs):
                panel.axvline(epoch * n + 0.5, color="0.85", lw=0.6, zorder=0)
        ax_e.set_xlabel("row, counted from 1" + (f" ({n} per epoch)" if epochs > 1 else ""))

        def redraw(step):
            i = step - 1
            xi = x[i % n]
            before.set_data(*curve(used[:, i]))
            now.set_data(*curve(after[:, i]))
            old, new = predict_at(used[:, i], xi), predict_at(after[:, i], xi)
            ring.set_data([xi], [y[i % n]])
            ends = clip_path([old, new])
            stem.set_data([xi, xi], ends)
            head.set_data([xi], ends[1:])
            head.set_marker("^" if new >= old else "v")
            for k, name in enumerate(names):
                weights[name].set_data(rows[:step], clip_path(used[k, :step]))
            error_line.set_data(rows[:step], shown_errors[:step])
        return redraw

    def compute(row):
        return int(row)

    def describe(step):
        i = step - 1
        epoch, row = row_position(step, n)
        old, new = predict_at(used[:, i], x[i % n]), predict_at(after[:, i], x[i % n])
        text = (f"epoch {epoch}, row {row}: x = {x[i % n]:g}, y = {y[i % n]:g}, prediction {old:.4g} → {new:.4g}, "
                f"squared error {err_sq[i]:.4g} · " + ", ".join(f"{k} = {used[j, i]:.4g}"
                                                                  for j, k in enumerate(names)))
        if relu:
            with np.errstate(all="ignore"):
                active = int(np.sum(after[0, i] * x + after[1, i] > 0))
            text += f" · after this step the first neuron is active on {active} of {n} rows"
        if run.diverged and step == last:
            text += f" | {run.divergence_message()}: the replay stops here"
        return text

    play = widgets.Play(value=1, min=1, max=last, step=1, interval=PLAY_INTERVAL_MS, description="Play",
                        show_repeat=False)
    slider = widgets.IntSlider(value=1, min=1, max=last, description="row", continuous_update=True,
                               layout=widgets.Layout(width="420px"))
    replay = Replay(f"replay: {title}", play, slider, build, compute, describe)
    replay.run = run
    return replay
