"""The map interactives: where training goes from many starts (04) and where one run is headed (03).

Each move recomputes with the compiled sweeps (kernels.py): a map of 14,641 starts x 500 epochs, or one run of
up to 20,000 epochs with its weights after every epoch.
"""
import functools
import hashlib
import threading
import time

import numpy as np

from .checks import value_range
from .data import best_line, data_or_sheet, residual_floor
from .engine import train
from .epoch_map import stability_edge
from .explorer import Explorer, intercept_range, lr_slider, slider_grid, start_slider
from .fits import balance, balance_curve, destination, fits_plane
from .models import TwoNeuron
from .optimizers import SGD
from .outcomes import GRID, convergence_map, converged, epochs_to, verdict
from .plots import clip_path, convergence_colours, draw_convergence_map

PLANE_B1, PLANE_W2 = np.linspace(-2, 12, 90), np.linspace(0.25, 7, 90)
GENTLE_LR = 3e-6  # small enough that the all-ones start keeps w1^2 + b1^2 - w2^2 within a few units of 1


MAP_PICTURES = {}  # (lr, b1, b2, epochs) -> (RGBA pixels as bytes 0-255, readout): what a slider move redraws
_pictures_lock = threading.Lock()


COARSE = 2  # while the lr slider is dragged, the map is drawn from every COARSE-th start in each direction
REFINE_AFTER_S = 0.25  # ...and refined to the full grid once the slider has rested this long


def map_picture(lr, b1, b2, epochs, coarse=False, setting=None):
    """The convergence map's pixels and readout at these settings, computed once: a map takes tens of
    milliseconds, a redraw from the cache almost nothing. The lr is keyed to 10 digits, so the slider's value and
    the same point of its grid computed here meet in one entry. coarse=True: every COARSE-th start only (a quarter
    of the work), the preview drawn while the slider moves. setting: a `map_setting` key (None: the sheet's rows,
    starts from GRID)."""
    key = (float(f"{lr:.10g}"), float(b1), float(b2), int(epochs), bool(coarse)) + ((setting,) if setting else ())
    picture = MAP_PICTURES.get(key)
    if picture is None:
        grid, data = map_data(setting)
        grid = grid[::COARSE] if coarse else grid
        result = convergence_map(key[0], epochs, w1=grid, w2=grid, b1=b1, b2=b2, **data)
        picture = (np.round(convergence_colours(result) * 255).astype(np.uint8), result.describe(), bool(coarse))
        with _pictures_lock:
            if len(MAP_PICTURES) >= 512:  # about 60 kB each
                MAP_PICTURES.pop(next(iter(MAP_PICTURES)))
            MAP_PICTURES[key] = picture
    return picture


def is_cached(lr, b1, b2, epochs, setting=None):
    key = (float(f"{lr:.10g}"), float(b1), float(b2), int(epochs), False) + ((setting,) if setting else ())
    return key in MAP_PICTURES


_SETTINGS = {}  # map setting key -> (grid of starts, convergence_map's data arguments)


def map_setting(x=None, y=None, w_range=None):
    """A key for a map's data and grid of starts: None for the sheet's rows and GRID (w1, w2 from -3 to 3), else a
    string naming them (the caches take it)."""
    if x is None and y is None and w_range is None:
        return None
    data = data_key(x, y)
    grid = GRID if w_range is None else np.linspace(*value_range("w_range", w_range), len(GRID))
    arguments = {}
    if data is not None:
        x, y = _data(data)
        arguments = {"x": x, "y": y, "tol": 1.0 + residual_floor(x, y)}  # within 1 of the best line's error
    key = f"{data}|{None if w_range is None else (grid[0], grid[-1])}"
    _SETTINGS.setdefault(key, (grid, arguments))
    return key


def map_data(setting):
    """(grid of starts, convergence_map's data arguments) for a map_setting key: GRID and none for the sheet's
    rows; else x, y and tol = 1 + the residual floor (converged: within 1 of the best error a line can reach)."""
    return (GRID, {}) if setting is None else _SETTINGS[setting]


def prefetch_lr_row(controls, epochs, setting=None):
    """A background thread that computes the map at every lr of the slider's grid, nearest to the slider first, for
    the current b1 and b2 (again whenever they change), so that dragging the lr slider finds them ready. The
    compiled sweeps release Python's lock: the notebook stays responsive meanwhile."""
    grid = slider_grid(controls["lr"])
    wake = threading.Event()
    moved = [0.0]  # when a slider last moved: the prefetch waits until the sliders rest, the learner comes first

    def next_missing():
        lr, b1, b2 = (controls[name].value for name in ("lr", "b1", "b2"))
        for candidate in sorted(grid, key=lambda value: abs(np.log(value / lr))):
            if not is_cached(candidate, b1, b2, epochs, setting):
                return candidate, b1, b2
        return None

    def work():
        from .sweeps import limit_cores  # (numba loads with the first sweep, not with the course)

        limit_cores(1)  # one core for the prefetch, the other for the map the learner is dragging
        while True:
            wake.wait()
            wake.clear()
            while (missing := next_missing()) is not None:
                while (rest := REFINE_AFTER_S - (time.monotonic() - moved[0])) > 0:
                    time.sleep(rest)
                map_picture(*missing, epochs, setting=setting)

    def on_move(change):
        moved[0] = time.monotonic()
        wake.set()

    for control in controls.values():
        control.observe(on_move, names="value")
    threading.Thread(target=work, name="graddesc-map-prefetch", daemon=True).start()
    wake.set()


def explore_convergence_map(epochs=500, prefetch=True, preview=None, x=None, y=None, lr_range=None, b1_range=None,
                            b2_range=None, w_range=None):
    """04: every start of a 121 x 121 grid of (w1, w2) trained for `epochs` epochs and classified (converged,
    diverged, still training, stuck), redrawn while the lr slider is dragged; b1, b2 redraw on release. With an
    interactive canvas (ipympl) and prefetch=True, the maps of the whole lr row are computed in the background.

    preview (default: on with an interactive canvas): while the lr slider moves, a map not computed yet is drawn
    from a quarter of the starts (61 x 61), labelled as a preview on the figure, and refined to the full grid once
    the slider has rested REFINE_AFTER_S seconds; `refine()` does it at once. A stored or static figure is always
    the full map.

    x, y: the data (default: the sheet's rows); on data no line fits, converged means a sheet error below
    1 + the residual floor. lr_range, b1_range and b2_range set the sliders (b2: default 0 to the data's best
    intercept, in 6 steps); w_range=(low, high) the starts' w1 and w2 (default -3 to 3, 121 each)."""
    setting = map_setting(x, y, w_range)  # None for the sheet's rows and starts
    grid, data = map_data(setting)
    tol = data.get("tol", 1.0)
    b2_low, b2_high = intercept_range(*data_or_sheet(data.get("x"), data.get("y")))
    controls = {"lr": lr_slider(5e-5, -5, -3.7, 0.05, lr_range=lr_range),
                "b1": start_slider("b1", 0.0, -3.0, 3.0, 0.5, b1_range, "b1_range", continuous=False),
                "b2": start_slider("b2", 0.0, b2_low, b2_high, (b2_high - b2_low) / 6, b2_range, "b2_range",
                                   continuous=False)}
    live = {"preview": False, "timer": None}

    def build(fig):
        ax = fig.subplots()
        image = draw_convergence_map(ax, convergence_map(controls["lr"].value, 1, w1=grid, w2=grid, **data))
        image.set_animated(True)
        best = "" if tol == 1 else f" (the best line's {tol - 1:g} + 1)"
        ax.set_title(f"2 neurons, SGD, {epochs} epochs: converged = sheet error < {tol:g}{best}", fontsize=10)
        label = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=11,
                        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"}, animated=True)

        def redraw(picture):
            image.set_data(picture[0])
            label.set_text("coarse preview (61 x 61)\nrefining when the slider rests" if picture[2] else "")
        return redraw

    def compute(lr, b1, b2):
        if live["preview"] and not is_cached(lr, b1, b2, epochs, setting):
            if live["timer"] is not None:
                live["timer"].cancel()
            live["timer"] = threading.Timer(REFINE_AFTER_S, refine)
            live["timer"].daemon = True
            live["timer"].start()
            return map_picture(lr, b1, b2, epochs, coarse=True, setting=setting)
        return map_picture(lr, b1, b2, epochs, setting=setting)

    def describe(picture):
        return picture[1] + (" (coarse preview: refining)" if picture[2] else "")

    def refine():
        """Replace a coarse preview by the full map of the current settings (called by the timer, or by hand)."""
        if live["timer"] is not None:
            live["timer"].cancel()
        values = explorer.values()
        explorer.refresh(map_picture(values["lr"], values["b1"], values["b2"], epochs, setting=setting))

    explorer = Explorer("04 convergence map", controls, build, compute, describe, width=7.0, height=4.4)
    explorer.refine = refine
    live["preview"] = explorer.interactive if preview is None else bool(preview)
    if prefetch and explorer.interactive:
        prefetch_lr_row(controls, epochs, setting)
    return explorer


_DATASETS = {}  # data key -> (x, y): lets the caches below take data (arrays are not hashable)


def data_key(x=None, y=None):
    """None for the sheet's rows (x = y = None), else a digest of the checked x, y (remembered in _DATASETS)."""
    if x is None and y is None:
        return None
    x, y = data_or_sheet(x, y)
    key = hashlib.sha1(x.tobytes() + b"|" + y.tobytes()).hexdigest()
    _DATASETS.setdefault(key, (x, y))
    return key


def _data(key):
    return _DATASETS[key] if key is not None else data_or_sheet()


def first_edge(params, x, ratio=1.002):
    """stability_edge of 2-neuron fits on rows x, scanned from 1e-7 to 1e-2 and, if any fit is still stable there
    (small x), on to 10: the edge is then never reported as the scan's end."""
    edge = np.asarray(stability_edge(TwoNeuron(), params, x=x, high=1e-2, ratio=ratio))
    capped = edge >= 1e-2
    if capped.any():  # stable up to 1e-2: scan on from there, for those fits only
        rest = {n: np.broadcast_to(np.asarray(params[n], dtype=float), edge.shape)[capped] for n in TwoNeuron.names}
        edge = edge.copy()
        edge[capped] = stability_edge(TwoNeuron(), rest, x=x, low=1e-2, high=10.0, ratio=ratio)
    return float(edge) if edge.ndim == 0 else edge


def plane_edges(x=None, y=None):
    """The first stability edge of the exact fit (of the best line of x, y; default the sheet's rows) at every
    (b1, w2) of the plane (computed once per data, about 1.5 s)."""
    return _plane_edges(data_key(x, y))


@functools.lru_cache(maxsize=4)
def _plane_edges(key):
    x, y = _data(key)
    grid_b1, grid_w2 = np.meshgrid(PLANE_B1, PLANE_W2, indexing="ij")
    return first_edge(fits_plane(grid_b1, grid_w2, x, y), x, ratio=1.05)


def edge_scale(edges):
    """The colour scale (log10 lr) of a plane of edges: from a tenth of a decade below the lowest positive edge,
    rounded down to a tenth, to the highest, rounded up."""
    logs = np.log10(edges[edges > 0]) if np.any(edges > 0) else np.array([-7.0])
    return round(np.floor(10 * logs.min()) / 10 - 0.1, 1), round(np.ceil(10 * logs.max()) / 10, 1)


def headed_for(w1, b1, w2, b2, epochs=20_000, x=None, y=None, lr=GENTLE_LR):
    """Where tiny steps (lr GENTLE_LR) from this start land on x, y (default: the sheet's rows): a dict of weights,
    or None if they do not converge (sheet error below 1 + the residual floor; the floor is 0 on data on a line).
    The run stops once its error is within 1e-3 of the floor, or after `epochs`."""
    return _headed_for(float(w1), float(b1), float(w2), float(b2), int(epochs), data_key(x, y), float(lr))


@functools.lru_cache(maxsize=256)
def _headed_for(w1, b1, w2, b2, epochs, key, lr):
    x, y = _data(key)
    floor = residual_floor(x, y)
    params, run = destination({"w1": w1, "b1": b1, "w2": w2, "b2": b2}, lr, epochs=epochs, tol=floor + 1e-3,
                              x=x, y=y)
    return params if converged(run, floor + 1.0) else None


def explore_destination(max_epochs=20_000, x=None, y=None, lr_range=None, weight_range=None, b2_range=None,
                        gentle_lr=GENTLE_LR):
    """03: one run's path, epoch by epoch, in the (b1, w2) plane of exact fits of the data's best line
    y = slope*x + intercept (x, y default: the sheet's rows): each point of the plane is the fit with
    w1 = slope/w2, b2 = intercept - w2*b1, coloured by its first stability edge; fits unstable at the chosen lr
    are greyed; the curve is where small steps from this start would land (w1^2 + b1^2 - w2^2 kept). On data no
    line fits, the plane holds the fits of the least-squares line and "converged" means a sheet error below
    1 + the residual floor. Sliders: lr (lr_range), the start's w1, b1, w2 (weight_range) and b2 (b2_range,
    default 0 to the intercept); gentle_lr: the "tiny steps"."""
    import matplotlib

    key = data_key(x, y)  # None for the sheet's rows
    x, y = _data(key)
    slope, intercept = best_line(x, y)
    floor = residual_floor(x, y)
    tol = 1.0 + floor  # converged: within 1 of the best error any fit can reach (0 for data on a line)
    b2_low, b2_high = intercept_range(x, y)
    controls = {"lr": lr_slider(3e-5, -6, -4, 0.05, lr_range=lr_range),
                **{n: start_slider(f"start {n}", 1.0, -3.0, 3.0, 0.1, weight_range, "weight_range")
                   for n in ("w1", "b1", "w2")},
                "b2": start_slider("start b2", 1.0, b2_low, b2_high, (b2_high - b2_low) / 30, b2_range, "b2_range")}
    edges = _plane_edges(key)
    vmin, vmax = edge_scale(edges)
    gentle_label = f"where tiny steps (lr {gentle_lr:g}) land"
    fits = "exact fits" if floor == 0 else "fits of the least-squares line"
    extent = (PLANE_B1[0], PLANE_B1[-1], PLANE_W2[0], PLANE_W2[-1])
    curve_w2 = np.linspace(PLANE_W2[0], PLANE_W2[-1], 300)

    def build(fig):
        ax_plane, ax_err = fig.subplots(1, 2, width_ratios=[1.25, 1])
        image = ax_plane.imshow(np.log10(np.maximum(edges, 1e-300)).T, origin="lower", extent=extent, aspect="auto",
                                cmap="viridis", vmin=vmin, vmax=vmax, interpolation="nearest")
        fig.colorbar(image, ax=ax_plane, label="log10 first edge of the fit there")
        grey = np.zeros(edges.T.shape + (4,))
        unstable = ax_plane.imshow(grey, origin="lower", extent=extent, aspect="auto", interpolation="nearest",
                                   animated=True)
        curve = ax_plane.plot([], [], color="k", lw=1.2, ls="--", label="reachable with tiny steps",
                              animated=True)[0]
        path = ax_plane.plot([], [], color="C3", lw=1.4, label="the run, epoch by epoch", animated=True)[0]
        start = ax_plane.plot([], [], "o", color="C3", ms=5, animated=True)[0]
        end = ax_plane.plot([], [], "*", color="C1", mec="k", ms=12, label="where this run lands", animated=True)[0]
        headed = ax_plane.plot([], [], "D", color="w", mec="k", ms=6, label=gentle_label, animated=True)[0]
        ax_plane.set_xlim(extent[:2])
        ax_plane.set_ylim(extent[2:])
        ax_plane.set_xlabel("b1")
        ax_plane.set_ylabel("w2")
        ax_plane.set_title(f"{fits} (w1 = {slope:g}/w2, b2 = {intercept:g} - w2·b1); grey: unstable at this lr",
                           fontsize=9)
        errors = ax_err.loglog([], [], color="C3", animated=True)[0]
        ax_err.axhline(tol, color="k", ls=":", lw=0.8)
        ax_err.set_xlim(1, max_epochs)
        ax_err.set_ylim(1e-4, 1e7)
        ax_err.set_xlabel("epoch")
        ax_err.set_title(f"sheet error per epoch (converged: below {tol:g})", fontsize=9)
        ax_err.legend(handles=[curve, path, start, end, headed], labels=[
            "fits reachable with tiny steps", "the run, epoch by epoch", "its start", "where this run lands",
            gentle_label], loc="upper right", fontsize=7)
        shade = np.array(matplotlib.colors.to_rgba("0.85", alpha=0.8))

        def redraw(result):
            run, lr, c = result
            grey[...] = 0
            grey[(edges < lr).T] = shade
            unstable.set_data(grey)
            b1_curve = balance_curve(c, curve_w2, x, y)
            curve.set_data(np.r_[b1_curve, np.nan, -b1_curve], np.r_[curve_w2, np.nan, curve_w2])
            b1s, w2s = run.epoch_params["b1"], run.epoch_params["w2"]
            path.set_data(clip_path(np.r_[run.model.initial["b1"], b1s]), clip_path(np.r_[run.model.initial["w2"], w2s]))
            start.set_data([run.model.initial["b1"]], [run.model.initial["w2"]])
            finite = np.flatnonzero(np.isfinite(b1s))
            last = finite[-1] if len(finite) and converged(run, tol) else None
            end.set_data([b1s[last]] if last is not None else [], [w2s[last]] if last is not None else [])
            gentle = _headed_for(*(float(run.model.initial[n]) for n in run.model.names), 20_000, key, gentle_lr)
            headed.set_data(*(([gentle["b1"]], [gentle["w2"]]) if gentle else ([], [])))
            shown = np.flatnonzero(np.isfinite(run.epoch_errors))
            errors.set_data(shown + 1, np.clip(run.epoch_errors[shown], 1e-4, 1e7))
        return redraw

    def compute(lr, w1, b1, w2, b2):
        start = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
        run = train(TwoNeuron(**start), SGD(lr), x, y, max_epochs, trace="epochs", stop_below=floor + 1e-3)
        return run, lr, float(balance(start))

    def describe(result):
        run, lr, _ = result
        if not converged(run, tol):
            return verdict(run, tol)
        fit = run.params
        edge = first_edge(fit, x)
        below = f"{tol:g}" if floor == 0 else f"{tol:g}, the best line's {floor:g} + 1,"
        return (f"converged (error < {below} from epoch {epochs_to(run, tol)}) to w1 {fit['w1']:.2f}, "
                f"b1 {fit['b1']:.2f}, w2 {fit['w2']:.2f}, b2 {fit['b2']:.2f}: first edge {edge:.2e} = "
                f"{edge / lr:.2f} x lr")

    return Explorer("03 destination", controls, build, compute, describe, width=10.0, height=4.2)
