"""The course on any data: every interactive and analysis function takes x, y, and its targets follow the data.

Three data sets beside the sheet's: y = 3x + 10 on the sheet's x (the teacher's exercise), the sheet's line with
seeded noise (no line fits it: the "exact fit" becomes the least-squares line, its error the residual floor), and
y = 3x + 10 on x in [-5, 5] (a different x range). The suite runs with warnings as errors (pyproject.toml).
"""
import io
import math
import re
from contextlib import redirect_stdout
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graddesc_utils as gu
from graddesc import explore_maps

X, Y = gu.load_data()
WIDE_X = np.linspace(-5, 5, 29)
DATA = {
    "3x + 10": (X, 3 * X + 10),
    "noisy": (X, 2 * X + 30 + np.random.default_rng(22).normal(0, 3, len(X))),
    "x in [-5, 5]": (WIDE_X, 3 * WIDE_X + 10),
}
FAST = {"04": {"epochs": 40, "prefetch": False}, "03b": {"max_epochs": 3000}}  # smaller runs, same machinery
PATH_PANELS = {"01": 0, "05": 0, "06a": 0}  # interactives with the (a, b) error surface: the axes holding the star


def build(key, x=None, y=None, **options):
    data = {} if x is None else {"x": x, "y": y}
    return gu.EXPLORERS[key](**FAST.get(key, {}), **data, **options)


def star(ax):
    """The target marker of an (a, b) panel: its one '*' line."""
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == 1, [line.get_label() for line in ax.lines]
    return float(stars[0].get_xdata()[0]), float(stars[0].get_ydata()[0])


def printed(check, *args, **kwargs):
    out = io.StringIO()
    with redirect_stdout(out):
        check(*args, **kwargs)
    return out.getvalue().strip()


def sheet_error(params, x, y):
    model = gu.TwoNeuron()
    pred = model.predict([np.asarray(params[n], dtype=float) for n in model.names], x)
    return float(np.sqrt(np.sum((pred - y) ** 2)))


# ---- the best line: the one place the targets come from -----------------------------------------------------------
def test_the_sheets_best_line_is_exactly_its_line_and_its_floor_is_zero():
    assert gu.best_line() == (2.0, 30.0) and gu.best_line(X, Y) == (2.0, 30.0)
    assert gu.residual_floor() == 0.0


@pytest.mark.parametrize("name", DATA)
def test_the_best_line_is_the_least_squares_line(name):
    x, y = DATA[name]
    slope, intercept = gu.best_line(x, y)
    np.testing.assert_allclose([slope, intercept], np.polyfit(x, y, 1), rtol=1e-9)
    floor = gu.residual_floor(x, y)
    for nudge in ((1e-3, 0), (0, 1e-2), (-1e-3, 0.05)):  # every other line does worse
        other = (slope + nudge[0]) * x + intercept + nudge[1] - y
        assert math.sqrt(np.sum(other * other)) > floor
    if name == "noisy":
        assert floor > 1  # no line fits: the floor is the best any line can do
    else:
        assert (slope, intercept) == (3.0, 10.0) and floor == 0.0  # exact, free of the fit's rounding


@pytest.mark.parametrize("name", DATA)
def test_exact_fits_and_the_plane_of_fits_follow_the_data(name):
    x, y = DATA[name]
    slope, intercept = gu.best_line(x, y)
    floor = gu.residual_floor(x, y)
    w1 = np.array([0.5, 1.0, -2.0, 3.3])
    fit = gu.exact_fit(w1, 1.5, x, y)
    np.testing.assert_allclose(fit["w1"] * fit["w2"], slope, rtol=1e-12)
    np.testing.assert_allclose(fit["w2"] * fit["b1"] + fit["b2"], intercept, rtol=1e-12)
    for i in range(len(w1)):
        error = sheet_error({k: np.asarray(v)[i] if np.ndim(v) else v for k, v in fit.items()}, x, y)
        assert error == pytest.approx(floor, abs=1e-9 * (1 + np.abs(y).max()))  # 0, or the residual floor
    b1, w2 = np.meshgrid(np.linspace(-2, 12, 7), np.linspace(0.25, 7, 5), indexing="ij")
    plane = gu.fits_plane(b1, w2, x, y)
    np.testing.assert_allclose(plane["w1"] * plane["w2"], slope, rtol=1e-12)
    np.testing.assert_allclose(plane["w2"] * plane["b1"] + plane["b2"], intercept, rtol=1e-12)
    # the balance curve lies in this data's plane: its fits keep the balance asked for
    curve_w2 = np.linspace(1.5, 6, 10)
    curve_b1 = gu.balance_curve(40.0, curve_w2, x, y)
    on_curve = gu.fits_plane(curve_b1, curve_w2, x, y)
    np.testing.assert_allclose(gu.balance(on_curve)[np.isfinite(curve_b1)], 40.0, rtol=1e-9)


def test_the_defaults_are_the_sheets_bit_for_bit():
    w1, b1 = np.linspace(-3, 3, 13)[np.linspace(-3, 3, 13) != 0], 2.0
    fit, w2 = gu.exact_fit(w1, b1), 2.0 / w1
    np.testing.assert_array_equal(fit["w2"], w2)
    np.testing.assert_array_equal(fit["b2"], 30.0 - w2 * b1)
    plane = gu.fits_plane(b1, w1)
    np.testing.assert_array_equal(plane["w1"], 2 / w1)
    assert gu.exact_fit(1.3, 2.0, X, Y) == gu.exact_fit(1.3, 2.0)


@pytest.mark.parametrize("name", DATA)
def test_the_analysis_functions_run_on_the_data(name):
    x, y = DATA[name]
    slope, intercept = gu.best_line(x, y)
    floor = gu.residual_floor(x, y)
    params, k = gu.least_sharp_fit(x, y)
    assert params["w1"] * params["w2"] == pytest.approx(slope, rel=1e-9)
    assert k == pytest.approx(gu.row_curvature(gu.TwoNeuron(), params, x).max(), rel=1e-9)
    edge = gu.stability_edge(gu.TwoNeuron(), params, x=x, high=10.0)
    assert 0 < edge < 10.0
    runs = [gu.destination(gu.exact_fit(1.0, 0.5, x, y), lr, epochs=50, tol=floor + 1e-3, x=x, y=y)[1]
            for lr in (1e-7, 1e-6)]
    assert all(gu.converged(run, floor + 1) for run in runs)  # a fit of the best line stays near it
    if floor > 0:  # on noisy data online SGD hovers above the floor, the more the larger the lr
        assert 0 < runs[0].final_errors - floor < runs[1].final_errors - floor
    cmap = gu.convergence_map(1e-5, 20, w1=np.linspace(-2, 2, 9), w2=np.linspace(-2, 2, 9), tol=floor + 1, x=x,
                              y=y)
    assert sum(cmap.counts().values()) == 81
    assert set(gu.race(gu.Linear(), 1e-5, 0.1, 3, x=x, y=y)) == set(gu.RACE_OPTIMIZERS)
    assert gu.lr_find(gu.Linear(), x, y, num_it=30).stopped_at >= 1
    # the sheet error of an epoch is taken row by row as the weights move: a tiny lr leaves the line's own error
    line_run = gu.train(gu.Linear(a=slope, b=intercept), gu.SGD(1e-15), x, y, 1)
    assert line_run.epoch_errors[0] == pytest.approx(floor, abs=1e-6 * (1 + floor))


# ---- exercise checks -----------------------------------------------------------------------------------------------
def test_check_exact_fit_follows_the_data():
    x, y = DATA["3x + 10"]
    right = lambda w1, b1: (3 / w1, 10 - 3 / w1 * b1)  # noqa: E731
    sheets = lambda w1, b1: (2 / w1, 30 - 2 / w1 * b1)  # noqa: E731
    assert printed(gu.check_exact_fit, right, x, y) == "correct"
    assert printed(gu.check_exact_fit, sheets, x, y).startswith("not yet")
    assert printed(gu.check_exact_fit, sheets) == "correct"  # the default: the sheet's rows
    assert printed(gu.check_exact_fit, right).startswith("not yet")
    noisy_x, noisy_y = DATA["noisy"]
    slope, intercept = np.polyfit(noisy_x, noisy_y, 1)
    least_squares = lambda w1, b1: (slope / w1, intercept - slope / w1 * b1)  # noqa: E731
    assert printed(gu.check_exact_fit, least_squares, noisy_x, noisy_y) == "correct"


def test_check_active_rows_and_converged_starts_follow_the_data():
    count = lambda w1, b1, xs: int(np.sum(w1 * xs + b1 > 0))  # noqa: E731
    assert printed(gu.check_active_rows, count, WIDE_X) == "correct"
    assert printed(gu.check_active_rows, lambda w1, b1, xs: int(np.sum(w1 * X + b1 > 0)), WIDE_X).startswith("not")
    x, y = DATA["3x + 10"]
    w = np.linspace(-2, 2, 41)
    on_new = gu.convergence_map(5e-5, 500, w1=w, w2=w, x=x, y=y).counts()["converged"]
    on_sheet = gu.convergence_map(5e-5, 500, w1=w, w2=w).counts()["converged"]
    assert on_new != on_sheet
    assert printed(gu.check_converged_starts, on_new, 5e-5, 500, x, y) == "correct"
    assert printed(gu.check_converged_starts, on_sheet, 5e-5, 500, x, y).startswith("not yet")
    assert printed(gu.check_converged_starts, on_sheet) == "correct"


# ---- the interactives ----------------------------------------------------------------------------------------------
def check_state(explorer):
    for ax in explorer.fig.axes:
        assert all(math.isfinite(v) for v in ax.get_xlim() + ax.get_ylim()), ax.get_title()
    assert explorer.text and "nan" not in explorer.text.lower()


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize("key", list(gu.EXPLORERS))
def test_every_interactive_runs_on_the_data_and_its_targets_follow(key, name):
    x, y = DATA[name]
    slope, intercept = gu.best_line(x, y)
    floor = gu.residual_floor(x, y)
    explorer = build(key, x, y)
    check_state(explorer)
    for control_name, control in explorer.controls.items():  # each slider's ends, as a learner drags it
        if hasattr(control, "min") and not hasattr(control, "options"):
            for end in (control.min, control.max):
                explorer.set(**{control_name: control.base ** end if hasattr(control, "base") else end})
                check_state(explorer)
    explorer.fig.canvas.draw()
    if key in PATH_PANELS:
        ax = explorer.fig.axes[PATH_PANELS[key]]
        assert star(ax) == (slope, intercept)
        assert ax.get_xlim()[0] < slope < ax.get_xlim()[1] and ax.get_ylim()[0] < intercept < ax.get_ylim()[1]
    if key in ("03b", "04", "09"):  # start b2 from 0 to the data's intercept
        assert (explorer.controls["b2"].min, explorer.controls["b2"].max) == (min(0, intercept), max(0, intercept))
    if key == "03b":
        plane = explorer.fig.axes[0]
        assert f"(w1 = {slope:g}/w2, b2 = {intercept:g} - w2·b1)" in plane.get_title()
        assert plane.get_title().startswith("exact fits" if floor == 0 else "fits of the least-squares line")
        explorer.set(lr=1e-6, w1=1.0, b1=1.0, w2=1.0, b2=1.0)
        curve = [line for line in plane.lines if line.get_label() == "reachable with tiny steps"][0]
        b1s, w2s = (np.asarray(v, dtype=float) for v in curve.get_data())
        shown = np.isfinite(b1s)
        assert shown.sum() > 10
        np.testing.assert_allclose(gu.balance(gu.fits_plane(b1s[shown], w2s[shown], x, y)), 1.0, rtol=1e-9)
    if key in ("03b", "04"):  # converged: within 1 of the floor (below 1 on data on a line)
        titles = " | ".join(ax.get_title() for ax in explorer.fig.axes)
        assert f"below {1 + floor:g})" in titles if key == "03b" else f"sheet error < {1 + floor:g}" in titles
    if key == "09":
        levels = [line.get_ydata()[0] for line in explorer.fig.axes[0].lines if line.get_linestyle() == ":"]
        assert levels == [1 + floor]
    plt.close(explorer.fig)


@pytest.mark.parametrize("key", list(gu.EXPLORERS))
def test_the_lr_sliders_follow_lr_range(key):
    names = ("lr_plain", "lr_adaptive") if key == "06b" else ("lr",)
    options = {"lr_range": (2e-6, 5e-4)}
    if key == "06b":
        options["adaptive_lr_range"] = (1e-3, 0.5)
    explorer = build(key, **options)
    ranges = [options["lr_range"], options.get("adaptive_lr_range")]
    for name, (low, high) in zip(names, ranges):
        slider = explorer.controls[name]
        assert slider.min == pytest.approx(math.log10(low)) and slider.max == pytest.approx(math.log10(high))
        assert low <= slider.value <= high * (1 + 1e-12)
        explorer.set(**{name: slider.base ** slider.max})
        check_state(explorer)
    plt.close(explorer.fig)


@pytest.mark.parametrize("key, option, names", [
    ("01", "a_range", ["a"]), ("01", "b_range", ["b"]), ("02", "weight_range", ["w1", "b1", "w2", "b2"]),
    ("03a", "weight_range", ["w1", "w2"]), ("03b", "weight_range", ["w1", "b1", "w2"]), ("03b", "b2_range", ["b2"]),
    ("04", "b1_range", ["b1"]), ("04", "b2_range", ["b2"]), ("07", "weight_range", ["w1", "b1", "w2", "b2"]),
    ("09", "b2_range", ["b2"]),
])
def test_the_start_sliders_follow_their_ranges(key, option, names):
    explorer = build(key, **{option: (-0.5, 2.5)})
    for name in names:
        slider = explorer.controls[name]
        assert (slider.min, slider.max) == (-0.5, 2.5) and -0.5 <= slider.value <= 2.5
    plt.close(explorer.fig)


def test_the_maps_starts_follow_w_range():
    x, y = DATA["3x + 10"]
    explorer = build("04", x, y, w_range=(-1.0, 2.0))
    image = explorer.fig.axes[0].images[0]
    half = 3.0 / 120 / 2
    np.testing.assert_allclose(image.get_extent(), (-1 - half, 2 + half, -1 - half, 2 + half))
    pixels, text, _ = explorer.result
    w = np.linspace(-1, 2, 121)
    expected = gu.convergence_map(explorer.controls["lr"].value, 40, w1=w, w2=w, x=x, y=y)
    assert pixels.shape == (121, 121, 4) and text == expected.describe()
    np.testing.assert_array_equal(pixels, np.round(gu.convergence_colours(expected) * 255))
    with pytest.raises(ValueError, match="w_range must be a pair"):
        build("04", w_range=(2.0, -1.0))
    plt.close(explorer.fig)


def test_the_slider_grid_never_passes_the_sliders_end():
    slider = gu.lr_slider(1e-4, -6, -3, lr_range=(1e-5, 3e-3))
    grid = explore_maps.slider_grid(slider)
    assert grid[0] == pytest.approx(1e-5) and grid[-1] <= 3e-3 and len(grid) == 25


BAD_DATA = [((X, Y[:-1]), "same length"), (([], []), "empty"), ((X, np.where(X == X[3], np.nan, Y)), "NaN"),
            ((X, None), "give both x and y"), ((np.full(5, 2.0), np.arange(5.0)), "two different values")]
BAD_RANGES = [((1e-3, 1e-5), "low < high"), ((0.0, 1e-3), "both > 0"), ((-1e-4, 1e-3), "both > 0"),
              ((1e-4,), "a pair"), ("ab", "a pair"), ((1e-5, float("inf")), "finite")]


@pytest.mark.parametrize("key", list(gu.EXPLORERS))
def test_bad_data_and_ranges_say_what_is_allowed(key):
    for (x, y), message in BAD_DATA:
        with pytest.raises(ValueError, match=message):
            build(key, x, y) if x is not None or y is not None else None
    for lr_range, message in BAD_RANGES:
        with pytest.raises(ValueError, match=f"lr_range must be .*{message}"):
            build(key, lr_range=lr_range)
    plt.close("all")


def test_bad_start_ranges_and_analysis_input_say_what_is_allowed():
    with pytest.raises(ValueError, match="weight_range must be a pair .* low < high"):
        build("02", weight_range=(1.0, 1.0))
    with pytest.raises(ValueError, match="b2_range must be a pair"):
        build("09", b2_range=(2.0, float("nan")))
    for call in (lambda: gu.best_line(X, Y[:3]), lambda: gu.exact_fit(1.0, 1.0, X, None),
                 lambda: gu.fits_plane(1.0, 1.0, [], []), lambda: gu.residual_floor([1.0, np.inf], [1.0, 2.0])):
        with pytest.raises(ValueError):
            call()
    plt.close("all")


def test_nothing_outside_data_py_knows_the_sheets_line():
    """The sheet's numbers live in data.py only: every target is derived from best_line(x, y)."""
    sheet_line = re.compile(r"2x \+ 30|\b30(\.0)? - w|\b2(\.0)? ?/ ?w[12]|\[2\], \[30\]|a ?= ?2, b ?= ?30")
    mine = ["fits.py", "exercises.py", "interactives.py", "explore_maps.py", "explore_remedies.py", "explorer.py",
            "epoch_map.py", "stability.py", "lr_find.py", "plots.py", "outcomes.py"]
    folder = Path(gu.__file__).resolve().parent / "graddesc"
    for name in mine:
        found = sheet_line.search((folder / name).read_text())
        assert found is None, f"{name} knows the sheet's line: {found.group(0)!r}"


# ---- property: any line is recovered, and every interactive builds on it ------------------------------------------
lines = st.tuples(st.floats(-5, 5).map(lambda v: round(v, 2)), st.floats(-50, 50).map(lambda v: round(v, 1)),
                  st.floats(-100, 100).map(lambda v: round(v, 1)), st.floats(1, 100).map(lambda v: round(v, 1)),
                  st.integers(5, 40))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(line=lines)
def test_best_line_and_exact_fit_recover_any_line(line):
    slope, intercept, start, width, n = line
    x = np.linspace(start, start + width, n)
    y = slope * x + intercept
    found = gu.best_line(x, y)
    assert found == (slope, intercept) or np.allclose(found, (slope, intercept), rtol=1e-9, atol=1e-9 * (
        1 + abs(intercept) + abs(slope) * np.abs(x).max()))
    assert gu.residual_floor(x, y) <= 1e-9 * (1 + np.abs(y).max()) * math.sqrt(n)
    for w1 in (0.7, -1.9):
        fit = gu.exact_fit(w1, 0.3, x, y)
        np.testing.assert_allclose(fit["w1"] * fit["w2"] * x + fit["w2"] * fit["b1"] + fit["b2"], y, rtol=1e-9,
                                   atol=1e-9 * (1 + np.abs(y).max()))


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(line=lines)
def test_every_interactive_builds_on_any_line_without_warnings(line):
    slope, intercept, start, width, n = line
    x = np.linspace(start, start + width, n)
    y = slope * x + intercept
    for key in gu.EXPLORERS:
        explorer = build(key, x, y)
        check_state(explorer)
        explorer.fig.canvas.draw()
        if key in PATH_PANELS:
            assert star(explorer.fig.axes[PATH_PANELS[key]]) == gu.best_line(x, y)
        plt.close(explorer.fig)
