"""The map interactives: where training goes from many starts (04) and where one run is headed (03).

Each move recomputes with the compiled sweeps (kernels.py): a map of 14,641 starts x 500 epochs, or one run of
up to 20,000 epochs with its weights after every epoch.
"""
import functools
import threading

import numpy as np

from .data import load_data
from .engine import train
from .epoch_map import stability_edge
from .explorer import Explorer, lr_slider, number_slider, slider_grid
from .fits import balance, balance_curve, destination, fits_plane
from .models import TwoNeuron
from .optimizers import SGD
from .outcomes import convergence_map, converged, epochs_to, verdict
from .plots import clip_path, convergence_colours, draw_convergence_map

PLANE_B1, PLANE_W2 = np.linspace(-2, 12, 90), np.linspace(0.25, 7, 90)
GENTLE_LR = 3e-6  # small enough that the all-ones start keeps w1^2 + b1^2 - w2^2 within a few units of 1


MAP_PICTURES = {}  # (lr, b1, b2, epochs) -> (RGBA pixels as bytes 0-255, readout): what a slider move redraws
_pictures_lock = threading.Lock()


def map_picture(lr, b1, b2, epochs):
    """The convergence map's pixels and readout at these settings, computed once: a map takes tens of
    milliseconds, a redraw from the cache almost nothing. The lr is keyed to 10 digits, so the slider's value and
    the same point of its grid computed here meet in one entry."""
    key = (float(f"{lr:.10g}"), float(b1), float(b2), int(epochs))
    picture = MAP_PICTURES.get(key)
    if picture is None:
        result = convergence_map(key[0], epochs, b1=b1, b2=b2)
        picture = (np.round(convergence_colours(result) * 255).astype(np.uint8), result.describe())
        with _pictures_lock:
            if len(MAP_PICTURES) >= 512:  # about 60 kB each
                MAP_PICTURES.pop(next(iter(MAP_PICTURES)))
            MAP_PICTURES[key] = picture
    return picture


def prefetch_lr_row(controls, epochs):
    """A background thread that computes the map at every lr of the slider's grid, nearest to the slider first, for
    the current b1 and b2 (again whenever they change), so that dragging the lr slider finds them ready. The
    compiled sweeps release Python's lock: the notebook stays responsive meanwhile."""
    grid = slider_grid(controls["lr"])
    wake = threading.Event()

    def next_missing():
        lr, b1, b2 = (controls[name].value for name in ("lr", "b1", "b2"))
        for candidate in sorted(grid, key=lambda value: abs(np.log(value / lr))):
            if (float(f"{candidate:.10g}"), float(b1), float(b2), int(epochs)) not in MAP_PICTURES:
                return candidate, b1, b2
        return None

    def work():
        while True:
            wake.wait()
            wake.clear()
            while (missing := next_missing()) is not None:
                map_picture(*missing, epochs)

    for control in controls.values():
        control.observe(lambda change: wake.set(), names="value")
    threading.Thread(target=work, name="graddesc-map-prefetch", daemon=True).start()
    wake.set()


def explore_convergence_map(epochs=500, prefetch=True):
    """04: every start of a 121 x 121 grid of (w1, w2) trained for `epochs` epochs and classified (converged,
    diverged, still training, stuck), redrawn while the lr slider is dragged; b1, b2 redraw on release. With an
    interactive canvas (ipympl) and prefetch=True, the maps of the whole lr row are computed in the background."""
    controls = {"lr": lr_slider(5e-5, -5, -3.7, 0.05),
                "b1": number_slider("b1", 0.0, -3.0, 3.0, 0.5, continuous=False),
                "b2": number_slider("b2", 0.0, 0.0, 30.0, 5.0, continuous=False)}

    def build(fig):
        ax = fig.subplots()
        image = draw_convergence_map(ax, convergence_map(controls["lr"].value, 1))
        image.set_animated(True)
        ax.set_title(f"2 neurons, SGD, {epochs} epochs: converged = sheet error < 1", fontsize=10)

        def redraw(picture):
            image.set_data(picture[0])
        return redraw

    explorer = Explorer("04 convergence map", controls, build, lambda lr, b1, b2: map_picture(lr, b1, b2, epochs),
                        lambda picture: picture[1], width=7.0, height=4.4)
    if prefetch and explorer.interactive:
        prefetch_lr_row(controls, epochs)
    return explorer


@functools.lru_cache(maxsize=1)
def plane_edges():
    """The first stability edge of the exact fit at every (b1, w2) of the plane (computed once, about 1.5 s)."""
    grid_b1, grid_w2 = np.meshgrid(PLANE_B1, PLANE_W2, indexing="ij")
    return stability_edge(TwoNeuron(), fits_plane(grid_b1, grid_w2), ratio=1.05)


@functools.lru_cache(maxsize=256)
def headed_for(w1, b1, w2, b2, epochs=20_000):
    """Where tiny steps (lr GENTLE_LR) from this start land: a dict of weights, or None if they do not converge."""
    params, run = destination({"w1": w1, "b1": b1, "w2": w2, "b2": b2}, GENTLE_LR, epochs=epochs, tol=1e-3)
    return params if converged(run) else None


def explore_destination(max_epochs=20_000):
    """03: one run's path, epoch by epoch, in the (b1, w2) plane of exact fits: each point of the plane is the fit
    with w1 = 2/w2, b2 = 30 - w2*b1, coloured by its first stability edge; fits unstable at the chosen lr are
    greyed; the curve is where small steps from this start would land (w1^2 + b1^2 - w2^2 kept). Sliders: lr
    and the start."""
    import matplotlib

    x, y = load_data()
    controls = {"lr": lr_slider(3e-5, -6, -4, 0.05), "w1": number_slider("start w1", 1.0, -3.0, 3.0, 0.1),
                "b1": number_slider("start b1", 1.0, -3.0, 3.0, 0.1),
                "w2": number_slider("start w2", 1.0, -3.0, 3.0, 0.1),
                "b2": number_slider("start b2", 1.0, 0.0, 30.0, 1.0)}
    edges = plane_edges()
    extent = (PLANE_B1[0], PLANE_B1[-1], PLANE_W2[0], PLANE_W2[-1])
    curve_w2 = np.linspace(PLANE_W2[0], PLANE_W2[-1], 300)

    def build(fig):
        ax_plane, ax_err = fig.subplots(1, 2, width_ratios=[1.25, 1])
        image = ax_plane.imshow(np.log10(edges).T, origin="lower", extent=extent, aspect="auto", cmap="viridis",
                                vmin=-5.3, vmax=-3.8, interpolation="nearest")
        fig.colorbar(image, ax=ax_plane, label="log10 first edge of the fit there")
        grey = np.zeros(edges.T.shape + (4,))
        unstable = ax_plane.imshow(grey, origin="lower", extent=extent, aspect="auto", interpolation="nearest",
                                   animated=True)
        curve = ax_plane.plot([], [], color="k", lw=1.2, ls="--", label="reachable with tiny steps",
                              animated=True)[0]
        path = ax_plane.plot([], [], color="C3", lw=1.4, label="the run, epoch by epoch", animated=True)[0]
        start = ax_plane.plot([], [], "o", color="C3", ms=5, animated=True)[0]
        end = ax_plane.plot([], [], "*", color="C1", mec="k", ms=12, label="where this run lands", animated=True)[0]
        headed = ax_plane.plot([], [], "D", color="w", mec="k", ms=6, label=f"where tiny steps (lr {GENTLE_LR:g}) land",
                               animated=True)[0]
        ax_plane.set_xlim(extent[:2])
        ax_plane.set_ylim(extent[2:])
        ax_plane.set_xlabel("b1")
        ax_plane.set_ylabel("w2")
        ax_plane.set_title("exact fits (w1 = 2/w2, b2 = 30 - w2·b1); grey: unstable at this lr", fontsize=9)
        errors = ax_err.loglog([], [], color="C3", animated=True)[0]
        ax_err.axhline(1, color="k", ls=":", lw=0.8)
        ax_err.set_xlim(1, max_epochs)
        ax_err.set_ylim(1e-4, 1e7)
        ax_err.set_xlabel("epoch")
        ax_err.set_title("sheet error per epoch (converged: below 1)", fontsize=9)
        ax_err.legend(handles=[curve, path, start, end, headed], labels=[
            "fits reachable with tiny steps", "the run, epoch by epoch", "its start", "where this run lands",
            f"where tiny steps (lr {GENTLE_LR:g}) land"], loc="upper right", fontsize=7)
        shade = np.array(matplotlib.colors.to_rgba("0.85", alpha=0.8))

        def redraw(result):
            run, lr, c = result
            grey[...] = 0
            grey[(edges < lr).T] = shade
            unstable.set_data(grey)
            b1_curve = balance_curve(c, curve_w2)
            curve.set_data(np.r_[b1_curve, np.nan, -b1_curve], np.r_[curve_w2, np.nan, curve_w2])
            b1s, w2s = run.epoch_params["b1"], run.epoch_params["w2"]
            path.set_data(clip_path(np.r_[run.model.initial["b1"], b1s]), clip_path(np.r_[run.model.initial["w2"], w2s]))
            start.set_data([run.model.initial["b1"]], [run.model.initial["w2"]])
            finite = np.flatnonzero(np.isfinite(b1s))
            last = finite[-1] if len(finite) and converged(run) else None
            end.set_data([b1s[last]] if last is not None else [], [w2s[last]] if last is not None else [])
            gentle = headed_for(*(float(run.model.initial[n]) for n in run.model.names))
            headed.set_data(*(([gentle["b1"]], [gentle["w2"]]) if gentle else ([], [])))
            shown = np.flatnonzero(np.isfinite(run.epoch_errors))
            errors.set_data(shown + 1, np.clip(run.epoch_errors[shown], 1e-4, 1e7))
        return redraw

    def compute(lr, w1, b1, w2, b2):
        start = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
        run = train(TwoNeuron(**start), SGD(lr), x, y, max_epochs, trace="epochs", stop_below=1e-3)
        return run, lr, float(balance(start))

    def describe(result):
        run, lr, _ = result
        if not converged(run):
            return verdict(run)
        fit = run.params
        edge = stability_edge(TwoNeuron(), fit)
        return (f"converged (error < 1 from epoch {epochs_to(run)}) to w1 {fit['w1']:.2f}, b1 {fit['b1']:.2f}, "
                f"w2 {fit['w2']:.2f}, b2 {fit['b2']:.2f}: first edge {edge:.2e} = {edge / lr:.2f} x lr")

    return Explorer("03 destination", controls, build, compute, describe, width=10.0, height=4.2)
