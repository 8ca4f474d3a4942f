"""The Explorer: sliders, one computation per slider move (shared by all panels), a figure updated in place.

In JupyterLab the figure is an ipympl canvas (`%matplotlib widget`); the stored notebook also carries a PNG of the
first state, so it reads on GitHub. Re-running a cell replaces its figure instead of adding one.
"""
from pathlib import Path

import numpy as np

from .checks import value_range
from .colours import use_course_colours
from .data import best_line
from .export import export_xlsx


def lr_slider(value=1e-4, low=-7.0, high=-2.0, step=0.1, description="lr", lr_range=None):
    """A log-scale learning-rate slider from 10**low to 10**high; `value` sits on the grid 10**(low + k*step).
    lr_range=(lowest lr, highest lr), if given, replaces low and high (a teacher's range, set in the notebook
    cell): the step shrinks to a tenth of the range if the range is narrower than ten steps, and `value` moves to
    the nearest point of the new grid inside the range."""
    import ipywidgets as widgets

    if lr_range is not None:
        lowest, highest = value_range("lr_range", lr_range, positive=True)
        low, high = float(np.log10(lowest)), float(np.log10(highest))
        step = min(step, (high - low) / 10)
        k = np.clip(np.round((np.log10(value) - low) / step), 0, np.floor((high - low) / step + 1e-9))
        value = float(10 ** (low + k * step))
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=step, description=description,
                                  readout_format=".1e", continuous_update=True)


def number_slider(description, value, low, high, step, continuous=True):
    import ipywidgets as widgets

    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               readout_format=".2f", continuous_update=continuous)


def start_slider(description, value, low, high, step, given=None, name="range", continuous=True):
    """A number slider for a start (a weight's first value) from low to high, or over `given` = (low, high), a
    teacher's range set in the notebook cell (checked: `name` says which argument was wrong). With a given
    range the step stays unless that leaves fewer than 5 or more than 600 positions (then: a 60th of the range);
    the value moves to the nearest point inside."""
    if given is not None:
        low, high = value_range(name, given)
        if not 5 <= (high - low) / step <= 600:
            step = (high - low) / 60
        value = float(min(max(value, low), high))
    return number_slider(description, value, low, high, step, continuous=continuous)


def intercept_range(x, y):
    """The default range of a start-b2 slider: from 0 to the data's best intercept (either side of 0), so that
    "start b2 at the answer" is one of its positions; (-1, 1) if the intercept is 0."""
    _, intercept = best_line(x, y)
    return (min(0.0, intercept), max(0.0, intercept)) if intercept != 0 else (-1.0, 1.0)


def widened(limits, *values, margin=0.1):
    """Axis limits (low, high) widened, if needed, to show every finite value with a margin of `margin` x the
    span; unchanged when they already show them all away from the edges (in the middle 95%: the sheet's targets
    sit there in every default range)."""
    low, high = limits
    shown = [float(v) for v in values if np.isfinite(v)]
    edge = 0.025 * (high - low)
    if all(low + edge <= v <= high - edge for v in shown):
        return limits
    low, high = min([low] + shown), max([high] + shown)
    pad = margin * (high - low)
    return low - pad, high + pad


def int_slider(description, value, low, high, continuous=True):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=continuous)


class Explorer:
    """Sliders + a figure updated in place + a one-line readout.

    build(fig) creates the axes and artists once and returns redraw(result); compute(**slider values) does the
    one training run (or sweep) per slider move; describe(result) gives the readout text, shown above the live
    figure and drawn into the stored image (rendering it on every move would cost more than the training run)."""

    def __init__(self, name, controls, build, compute, describe, width=9.0, height=3.4, exporter=None):
        import ipywidgets as widgets
        import matplotlib.pyplot as plt

        use_course_colours()  # colours.py: the colour-safe cycle for every line drawn below
        plt.close(name)  # one live figure per interactive, however often its cell runs
        with plt.ioff():
            self.fig = plt.figure(num=name, figsize=(width, height), dpi=80, layout="constrained")
        self.name, self.controls = name, controls
        self.compute, self.describe = compute, describe
        if hasattr(self.fig.canvas, "header_visible"):
            self.fig.canvas.header_visible = False  # ipympl's figure-name header: the readout says more
        self.banner = self.fig.suptitle("", fontsize=9, wrap=True)
        self.redraw = build(self.fig)
        # lay out once, with room for the readout: two lines' worth, or the first readout if it is longer...
        self.result = compute(**self.values())
        first = self._settings() + describe(self.result)
        self.banner.set_text(max(first, "diverged at epoch 10, row 29 | " * 3, key=len) + " " * 12)
        # (not canvas.draw(): an ipympl canvas drawn before it is displayed stays 0 x 0 pixels in JupyterLab)
        self.fig.draw_without_rendering()
        self.fig.set_layout_engine("none")  # ...then freeze it: constrained layout on every move costs ~250 ms
        self.banner.set_text("")
        # Blitting: what a slider changes is drawn as "animated" artists over a cached background of axes, ticks
        # and contours, which take most of a full draw's time (text rendering).
        self.animated = self.fig.findobj(lambda artist: artist.get_animated())
        self.background = None
        self.fig.canvas.mpl_connect("draw_event", self._on_full_draw)
        self.readout = widgets.HTML()
        self.readout.add_class("graddesc-readout")  # so a browser (and its tests) can find it
        for control in controls.values():
            control.observe(self._changed, names="value")
        # exporter(result) -> (run, file name): a button that writes the current experiment as a live workbook
        self.exporter, self.export_button, self.export_link = exporter, None, None
        if exporter is not None:
            self.export_button = widgets.Button(description="Export to .xlsx", icon="table",
                                                tooltip="write this experiment as a spreadsheet with live formulas")
            self.export_link = widgets.HTML()
            self.export_button.on_click(lambda _: self.export())
        self.refresh(self.result)  # the first computation, already made for the layout

    def export(self, folder="."):
        """Write the current experiment as a workbook next to the notebook; returns its path."""
        import html

        run, file_name = self.exporter(self.result)
        path = Path(folder) / file_name
        export_xlsx(run.model, run.optimizer, path, run.epochs, x=run.x, y=run.y)
        caveat = " (with analytic gradients: the workbook's formulas are the derivatives)" \
            if run.gradient != "analytic" else ""
        self.export_link.value = (f'<a href="{html.escape(file_name)}" download>{html.escape(file_name)}</a> '
                                  f"written{caveat}: open it in Excel or LibreOffice and change the lr cell")
        return path

    def values(self):
        return {key: control.value for key, control in self.controls.items()}

    @property
    def interactive(self):
        """True where the figure is a live ipympl canvas (JupyterLab), False on a static backend (tests, Agg)."""
        import ipywidgets as widgets

        return isinstance(self.fig.canvas, widgets.DOMWidget)

    def _changed(self, change):
        self.refresh()

    def refresh(self, result=None):
        """Recompute once (unless given the result), update every panel and the readout, ask the canvas to redraw."""
        import html

        limits = self._limits()
        self.result = self.compute(**self.values()) if result is None else result
        self.redraw(self.result)
        self.text = self._settings() + self.describe(self.result)
        self.readout.value = f"<b>{html.escape(self.text)}</b>"
        if self.background is None or self._limits() != limits:
            self.fig.canvas.draw_idle()  # the background changed: a full draw (which recaptures it)
        else:
            self._blit()

    def _settings(self):
        """The learning rates the result was computed for, leading the readout ('lr 1.0e-04 · ...'), with the digits
        the slider's step needs: neighbouring positions read differently (a step under 10^0.05 needs three)."""
        rates = [f"{control.description} {control.value:.{1 if control.step >= 0.05 else 2}e}"
                 for control in self.controls.values() if hasattr(control, "base")]
        return " · ".join(rates) + " · " if rates else ""

    def _limits(self):
        return [ax.get_xlim() + ax.get_ylim() for ax in self.fig.axes]

    def _on_full_draw(self, event):
        canvas = self.fig.canvas
        self.background = canvas.copy_from_bbox(self.fig.bbox)
        self._draw_animated()

    def _draw_animated(self):
        for artist in self.animated:
            self.fig.draw_artist(artist)

    def _blit(self):
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        self._draw_animated()
        canvas.blit(self.fig.bbox)

    def set(self, **values):
        """Move sliders from code (as a learner would by hand); the figure follows through the same observers."""
        for key, value in values.items():
            self.controls[key].value = value
        return self

    @property
    def widget(self):
        import ipywidgets as widgets

        controls = widgets.VBox(list(self.controls.values()))
        if self.export_button is not None:
            controls = widgets.HBox([controls, widgets.VBox([self.export_button, self.export_link])])
        children = [controls, self.readout]
        if self.interactive:  # ipympl: the live canvas
            children.append(self.fig.canvas)
        return widgets.VBox(children)

    def png(self):
        """The figure as PNG bytes, with the readout drawn above it."""
        import io
        import textwrap

        buffer = io.BytesIO()
        # wrapped by hand, about 7 pixels a character at 80 dpi: wrap=True let a long first line spill off both sides
        self.banner.set_text(textwrap.fill(self.text, width=max(40, int(self.fig.get_figwidth() * 80 / 7))))
        try:
            self.fig.savefig(buffer, format="png", dpi=80)
        finally:
            self.banner.set_text("")
            self.fig.canvas.draw_idle()  # saving redrew the canvas: draw it again without the banner
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        import base64

        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.png()).decode()
        bundle["text/plain"] = f"{self.name}: {self.text}"
        return bundle


def readout(run, label=""):
    """'label: sheet error after epoch N = ...' or the divergence, for one run."""
    prefix = f"{label}: " if label else ""
    if run.diverged_at:
        return prefix + run.divergence_message()
    return prefix + f"sheet error after epoch {run.epochs} = {run.epoch_errors[-1]:.3f}"


def slider_grid(slider):
    """Every value a log slider can take (min + k*step, as powers of its base)."""
    exponents = np.arange(slider.min, slider.max + slider.step / 2, slider.step)
    return slider.base ** exponents[exponents <= slider.max + slider.step * 1e-6]  # never past the slider's end
