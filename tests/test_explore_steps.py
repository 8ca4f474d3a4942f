"""The learner's-path views of a step that is too big (graddesc/explore_steps.py), driven in-process on the Agg
backend as a learner would drive them: every slider position says the outcome an independent run gives, the
panels show that run, and bad input is refused with a ValueError. Warnings are errors here (pyproject.toml)."""
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import graddesc_utils as gu  # noqa: E402
from graddesc import explore_steps  # noqa: E402

X, Y = gu.load_data()
SLIDERS = settings(max_examples=15, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def positions(control):
    """Every value a log slider can take, as the browser sends it."""
    steps = int(round((control.max - control.min) / control.step))
    return st.integers(0, steps).map(lambda k: float(control.base ** (control.min + k * control.step)))


def axes_are_finite(explorer):
    for ax in explorer.fig.axes:
        assert all(math.isfinite(v) for v in ax.get_xlim() + ax.get_ylim())


@pytest.fixture(scope="module")
def largest():
    explorer = gu.explore_largest_lr()
    yield explorer
    plt.close(explorer.fig)


@pytest.fixture(scope="module")
def steepness():
    explorer = gu.explore_steepness()
    yield explorer
    plt.close(explorer.fig)


# ---- outcome and lr_scan ---------------------------------------------------------------------------------------
def test_outcome_says_converged_from_the_epoch_it_stays_below_one():
    run = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), X, Y, 1000, trace=False)
    words = gu.outcome(run)
    epoch = int(re.fullmatch(r"converged by epoch (\d+)", words).group(1))
    assert np.all(run.epoch_errors[epoch - 1:] < 1) and run.epoch_errors[epoch - 2] >= 1


def test_outcome_says_diverged_and_still_going():
    assert gu.outcome(gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 5, trace=False)) == "diverged at epoch 1, row 28"
    slow = gu.train(gu.TwoNeuron(), gu.SGD(1e-6), X, Y, 50, trace=False)
    assert gu.outcome(slow) == f"still going (sheet error {slow.final_errors:.3g} after 50 epochs)"
    assert slow.final_errors > 1
    with pytest.raises(ValueError, match="one configuration"):
        gu.outcome(gu.train(gu.TwoNeuron(), gu.SGD(np.array([1e-5, 1e-4])), X, Y, 2, trace=False))


def test_lr_scan_agrees_with_single_runs():
    lrs = np.array([1e-6, 3e-5, 6e-5, 7e-5, 1e-4])
    trains, run = gu.lr_scan(lrs, epochs=400)
    for lr, verdict in zip(lrs, trains):
        single = gu.train(gu.TwoNeuron(), gu.SGD(lr), X, Y, 400, trace=False)
        assert verdict == gu.outcome(single).startswith("converged")
    assert trains.tolist() == [False, True, True, False, False]


# ---- explore_largest_lr --------------------------------------------------------------------------------------
def test_every_lr_position_reads_out_the_outcome_of_an_independent_run(largest):
    @SLIDERS
    @given(lr=positions(largest.controls["lr"]))
    def property_holds(lr):
        largest.set(lr=lr)
        run = gu.train(gu.TwoNeuron(), gu.SGD(lr), X, Y, 1000, trace=False)
        assert largest.text == f"lr {lr:.2e} · {gu.outcome(run)}"  # a step of 10^0.02: three digits
        assert largest.text in largest.readout.value.replace("&#x27;", "'")
        shown = largest.fig.axes[0].lines[0].get_ydata()
        np.testing.assert_array_equal(shown, gu.displayable(run.epoch_errors))
        axes_are_finite(largest)
    property_holds()


def test_the_slider_finds_the_edge_in_the_sheets_order(largest):
    largest.set(lr=10 ** -4.18)
    assert largest.text.startswith("lr 6.61e-05 · converged by epoch")
    largest.set(lr=10 ** -4.16)
    assert "diverged at epoch" in largest.text
    largest.set(lr=1e-4)
    assert largest.text.endswith("diverged at epoch 1, row 28")
    largest.set(lr=1e-6)
    assert "still going" in largest.text


def test_the_fitted_line_is_the_models_last_line(largest):
    largest.set(lr=3e-5)
    run = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), X, Y, 1000, trace=False)
    fitted = largest.fig.axes[1].lines[1]
    xs, ys = fitted.get_data()
    p = run.params
    np.testing.assert_allclose(ys, p["w2"] * (p["w1"] * np.asarray(xs) + p["b1"]) + p["b2"], rtol=1e-12)
    np.testing.assert_allclose(ys, 2 * np.asarray(xs) + 30, atol=1)  # converged: on the data's line


def test_a_diverging_run_shows_its_line_one_row_before_it_flew_off_and_it_changes_with_lr(largest):
    largest.set(lr=1e-4)  # diverges at epoch 1, row 28: the line drawn is the one in use at row 27
    traced = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y)
    w1, b1, w2, b2 = traced.history["theta"][:, 0, 26]
    fitted = largest.fig.axes[1].lines[1]
    xs, ys = (np.asarray(v) for v in fitted.get_data())
    np.testing.assert_allclose(ys, np.where(np.abs(w2 * (w1 * xs + b1) + b2) < 1e6, w2 * (w1 * xs + b1) + b2, np.nan))
    legend = [t.get_text() for t in largest.fig.axes[1].get_legend().get_texts()]
    assert "the line one row before it flew off" in legend and fitted.get_label() in legend
    before = ys.copy()
    largest.set(lr=1.1e-4)  # another lr, another last line: the picture moves with the slider
    assert not np.allclose(np.asarray(fitted.get_data()[1]), before, equal_nan=True)
    largest.set(lr=3e-5)  # completes its epochs: the model's last line
    legend = [t.get_text() for t in largest.fig.axes[1].get_legend().get_texts()]
    assert "the model's line (last epoch)" in legend and "the line one row before it flew off" not in legend


def test_the_stored_figure_is_an_image(largest):
    bundle = largest._repr_mimebundle_()
    assert bundle["image/png"] and largest.text in bundle["text/plain"]


# ---- explore_steepness -------------------------------------------------------------------------------------
def test_every_position_of_the_meter_reads_out_what_the_trace_says(steepness):
    @SLIDERS
    @given(lr=positions(steepness.controls["lr"]), model=st.sampled_from(["2 neurons", "line"]))
    def property_holds(lr, model):
        steepness.set(lr=lr, model=model)
        run = gu.train(gu.TwoNeuron() if model == "2 neurons" else gu.Linear(), gu.SGD(lr), X, Y, 1)
        table = run.table()
        k = gu.row_curvature(run.model, {n: table[n].to_numpy() for n in run.model.names}, table.x.to_numpy())
        rows = run.diverged_at[1] if run.diverged_at else len(X)
        with np.errstate(all="ignore"):
            over = np.flatnonzero(lr * k[:rows] > 1) + 1
        if len(over):
            assert f"rows over 1: {len(over)}, the first at row {over[0]}" in steepness.text
        else:
            assert "no row over 1" in steepness.text
        if run.diverged_at:
            assert steepness.text.endswith(run.divergence_message())
        else:
            assert "diverged" not in steepness.text and f"sheet error {run.epoch_errors[-1]:.3g}" in steepness.text
        axes_are_finite(steepness)
    property_holds()


def test_the_meter_at_the_sheets_lr(steepness):
    steepness.set(lr=1e-4, model="line")
    assert "no row over 1" in steepness.text and "diverged" not in steepness.text
    steepness.set(lr=1e-4, model="2 neurons")
    assert "the first at row 2" in steepness.text and steepness.text.endswith("diverged at epoch 1, row 28")
    meter = steepness.fig.axes[0].lines[0].get_ydata()
    assert np.all(np.isnan(meter[28:])) and meter[27] > 1e5  # hidden after the divergence row; runaway at 28


# ---- explore_start ------------------------------------------------------------------------------------------
def test_the_start_explorer_counts_what_outcome_fractions_counts():
    explorer = gu.explore_start()
    try:
        @settings(max_examples=6, deadline=None, derandomize=True)
        @given(b2=st.sampled_from([1.0, 26.0, 30.0, 45.0]), lr=st.sampled_from([2e-5, 1e-4]),
               centre=st.booleans())
        def property_holds(b2, lr, centre):
            explorer.set(b2=b2, lr=lr, centre=centre)
            inputs = X - X.mean() if centre else X
            ordered = gu.train(gu.TwoNeuron(b2=b2), gu.SGD(explorer.controls["lr"].value), inputs, Y, 1000,
                               trace=False)
            counts = gu.outcome_fractions(gu.TwoNeuron(b2=b2), gu.SGD(explorer.controls["lr"].value), inputs, Y,
                                          1000, n=10).counts
            assert explorer.text.endswith(f"sheet's order: {gu.outcome(ordered)} | shuffled: {counts['converged']} "
                                          f"of 10 converged, {counts['diverged']} diverged within 1000 epochs")
            axes_are_finite(explorer)
        property_holds()
    finally:
        plt.close(explorer.fig)


# ---- inputs ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [gu.explore_largest_lr, gu.explore_steepness, gu.explore_start])
def test_other_data_and_bad_input(make):
    explorer = make(x=X / 10, y=Y, lr_range=(1e-4, 1e-2))
    assert 1e-4 <= explorer.controls["lr"].value <= 1e-2
    plt.close(explorer.fig)
    with pytest.raises(ValueError, match="lr_range"):
        make(lr_range=(1e-3, 1e-5))
    with pytest.raises(ValueError, match="lr_range"):
        make(lr_range=(0.0, 1e-3))
    with pytest.raises(ValueError, match="both x and y"):
        make(x=X)


# ---- the exercise checks of 03 and 04 (graddesc/exercises.py) ----------------------------------------------------
def test_the_largest_training_lr_check(capsys):
    trains, _ = gu.lr_scan(np.geomspace(1e-6, 1e-3, 300))
    largest = float(np.geomspace(1e-6, 1e-3, 300)[trains].max())
    for answer, verdict in [(largest, "correct"), (6.5e-5, "correct"), (3e-5, "go higher"), (1e-4, "go lower"),
                            (None, "as a number"), (-1.0, "as a number"), ("6e-5", "as a number")]:
        gu.check_largest_training_lr(answer)
        assert verdict in capsys.readouterr().out, answer


def test_the_centre_check(capsys):
    for attempt, verdict in [(lambda x: x - x.mean(), "correct"), (lambda x: x - np.median(x), "not yet"),
                             (lambda x: x / x.std(), "not yet"), (lambda x: 1 / 0, "ZeroDivisionError"),
                             (lambda x: None, "returned None"), (3.0, "pass your function")]:
        gu.check_centre(attempt)
        assert verdict in capsys.readouterr().out
