"""The row-by-row replay (graddesc/replay_view.py), driven in-process as a learner drives it: the row slider, the
Play button, and every row of runs that stay calm, explode, or lose their ReLU neuron."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graddesc_utils as gu

X, Y = gu.load_data()


def drawn_line(replay, label):
    """The (x, y) data of the main panel's line with this legend label."""
    (line,) = [line for line in replay.fig.axes[0].lines if line.get_label() == label]
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def predicted(model, theta, xs):
    return model.predict([np.asarray(v) for v in theta], xs)


@pytest.fixture
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("model", [gu.Linear(), gu.TwoNeuron(w1=0.5, b1=0.2, w2=1.5, b2=3.0)], ids=repr)
def test_moving_the_row_slider_draws_the_prediction_after_that_row(model, close_figures):
    replay = gu.explore_replay(model, gu.SGD(3e-5), epochs=2)
    trace = gu.train(model, gu.SGD(3e-5), X, Y, epochs=2).history
    seen = []
    for row in [1, 2, 17, 29, 30, 58]:
        replay.set(row=row)
        epoch, index = (row - 1) // 29, (row - 1) % 29
        xs, ys = drawn_line(replay, "after this row's step")
        np.testing.assert_allclose(ys, predicted(model, trace["new_theta"][:, epoch, index], xs), rtol=1e-12)
        xs, ys = drawn_line(replay, "before this row")
        np.testing.assert_allclose(ys, predicted(model, trace["theta"][:, epoch, index], xs), rtol=1e-12)
        ring_x, ring_y = drawn_line(replay, "this row")
        assert (ring_x[0], ring_y[0]) == (X[index], Y[index])
        assert f"epoch {epoch + 1}, row {index + 1}:" in replay.text
        seen.append(ys.copy())
    assert all(not np.array_equal(a, b) for a, b in zip(seen, seen[1:]))  # every move changed the picture


def test_play_drives_the_row_slider_and_restarts_from_row_1_at_the_end(close_figures):
    replay = gu.explore_replay(gu.Linear(), gu.SGD(1e-4))
    before = drawn_line(replay, "after this row's step")[1].copy()
    replay.play.value = 5
    assert replay.controls["row"].value == 5 and "epoch 1, row 5:" in replay.text
    assert not np.array_equal(before, drawn_line(replay, "after this row's step")[1])
    replay.set(row=29)
    replay.play.playing = True  # Play pressed at the last row
    assert replay.play.value == 1 and replay.controls["row"].value == 1
    assert (replay.play.min, replay.play.max) == (1, 29)


@pytest.mark.parametrize("gradient", ["analytic", "finite_difference"])
def test_the_learners_run_is_replayed_up_to_its_divergence_and_says_so(gradient, close_figures):
    replay = gu.explore_replay(gu.TwoNeuron(), gu.SGD(1e-4), gradient=gradient)
    assert replay.controls["row"].max == 28 and replay.play.max == 28
    for row in range(1, 28):
        replay.set(row=row)
        assert "diverged" not in replay.text
    replay.set(row=28)
    assert "diverged at epoch 1, row 28" in replay.text and "diverged at epoch 1, row 28" in replay.readout.value
    ys = drawn_line(replay, "after this row's step")[1]
    assert np.all(np.abs(ys[np.isfinite(ys)]) > 400)  # the line has flown off the chart (its y axis ends at 410)
    replay.fig.canvas.draw()


def test_the_lines_replay_stays_calm_for_every_row(close_figures):
    replay = gu.explore_replay(gu.Linear(), gu.SGD(1e-4))
    assert replay.controls["row"].max == 29
    for row in range(1, 30):
        replay.set(row=row)
        assert "diverged" not in replay.text
        ys = drawn_line(replay, "after this row's step")[1]
        assert np.all(np.isfinite(ys)) and -150 < ys.min() and ys.max() < 420  # inside the chart


def test_the_relu_neuron_dies_at_row_26_and_its_curve_goes_flat(close_figures):
    model = gu.TwoNeuron(relu=True)  # the learner's ReLU settings: all weights 1, lr 1e-4
    replay = gu.explore_replay(model, gu.SGD(1e-4))
    trace = gu.train(model, gu.SGD(1e-4), X, Y).history
    for row in range(1, 30):
        replay.set(row=row)
        w1, b1 = trace["new_theta"][:2, 0, row - 1]
        active = int(np.sum(w1 * X + b1 > 0))
        assert f"active on {active} of 29 rows" in replay.text
        ys = drawn_line(replay, "after this row's step")[1]
        if row < 26:
            assert active == 29 and np.ptp(ys) > 1  # a line with a slope over the data
        else:
            assert active == 0 and np.ptp(ys) == 0  # flat: the kink has left the data, the neuron is dead
    assert "diverged" not in replay.text


@pytest.mark.parametrize("arguments, message", [
    (dict(model="line"), "model must be"),
    (dict(optimizer=1e-4), "optimizer must be"),
    (dict(epochs=0), "epochs must be"),
    (dict(epochs=21), "epochs must be between 1 and 20"),
    (dict(gradient="exact"), "gradient"),
    (dict(x=X), "give both x and y"),
    (dict(optimizer=gu.SGD([1e-4, 2e-4])), "a replay shows one run"),
    (dict(x=X[:3], y=Y[:4]), "same length"),
])
def test_bad_input_raises_a_value_error_saying_what_is_allowed(arguments, message):
    call = dict(model=gu.Linear(), optimizer=gu.SGD(1e-4)) | arguments
    with pytest.raises(ValueError, match=message):
        gu.explore_replay(**call)


def test_other_data_and_a_title(close_figures):
    x = np.array([1.0, 2.0, 3.0])
    replay = gu.explore_replay(gu.Linear(), gu.SGD(0.01), x=x, y=2 * x, epochs=3, title="three rows")
    assert replay.controls["row"].max == 9 and replay.fig.axes[0].get_title() == "three rows"
    replay.set(row=9)
    assert "epoch 3, row 3:" in replay.text


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(lr_exponent=st.floats(-7, -2), relu=st.booleans(), where=st.floats(0, 1), epochs=st.integers(1, 3))
def test_any_row_of_any_run_draws_without_warnings(lr_exponent, relu, where, epochs):
    """Warnings are errors in this suite: no RuntimeWarning from overflowing runs, however far they fly."""
    replay = gu.explore_replay(gu.TwoNeuron(relu=relu), gu.SGD(10.0 ** lr_exponent), epochs=epochs)
    try:
        slider = replay.controls["row"]
        row = slider.min + int(round(where * (slider.max - slider.min)))
        replay.set(row=row)
        replay.fig.canvas.draw()
        assert replay.png()[:4] == b"\x89PNG"
        for ax in replay.fig.axes:
            assert all(np.isfinite(ax.get_xlim() + ax.get_ylim()))
        run = replay.run
        assert ("diverged at" in replay.text) == (run.diverged and row == slider.max)
        if run.diverged:
            epoch, index = run.diverged_at
            assert slider.max == (epoch - 1) * 29 + index
    finally:
        plt.close(replay.fig)
