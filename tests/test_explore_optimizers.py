"""The learner's-path views of the optimizers (graddesc/explore_optimizers.py), in process on Agg: every slider
position gives a finite figure and a readout that says exactly what each run did; bad arguments raise ValueError."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import graddesc_utils as gu  # noqa: E402

X, Y = gu.load_data()
FAST = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def smoothing():
    explorer = gu.explore_smoothing()
    yield explorer
    plt.close(explorer.fig)


def test_the_sheets_lr_is_the_default_and_momentum_is_smoother_not_faster(smoothing):
    smoothing.set(lr=1e-4, beta=0.9)
    assert smoothing.text == ("lr 1.0e-04 · SGD: error below 1 at epoch 2372 | "
                              "momentum: error below 1 at epoch 2547")
    (sgd_rows, _), (momentum_rows, _) = smoothing.result["SGD"], smoothing.result["momentum"]
    wobble = {name: np.abs(np.diff(rows.history["new_theta"][1][-1])).mean()
              for name, rows in [("SGD", sgd_rows), ("momentum", momentum_rows)]}
    assert wobble["momentum"] < wobble["SGD"] / 4  # epoch 3, row to row: the steep direction is smoothed


def test_beta_zero_is_plain_sgd(smoothing):
    smoothing.set(lr=1e-4, beta=0.0)
    (_, sgd), (_, momentum) = smoothing.result["SGD"], smoothing.result["momentum"]
    np.testing.assert_array_equal(sgd.epoch_errors, momentum.epoch_errors)
    smoothing.set(beta=0.9)


@FAST
@given(k=st.integers(0, 20), beta=st.integers(0, 99).map(lambda i: round(i * 0.01, 2)))
def test_every_slider_position_draws_finite_axes_and_reports_each_run(smoothing, k, beta):
    lr = 10.0 ** (-5.0 + k * 0.1)  # the lr slider's grid over its whole range
    smoothing.set(lr=lr, beta=beta)
    for ax in smoothing.fig.axes:
        assert all(np.isfinite(ax.get_xlim() + ax.get_ylim()))
    for name, (_, long) in smoothing.result.items():
        part = re.search(rf"{name}: ([^|]*)", smoothing.text).group(1).strip()
        if long.diverged_at:
            assert part == long.divergence_message()
        elif gu.epochs_to(long):
            assert part == f"error below 1 at epoch {gu.epochs_to(long)}"
        else:
            assert part.startswith("error ") and "after 3000 epochs" in part
    smoothing.fig.canvas.draw()


def test_other_data_and_ranges():
    # lr_range takes learning rates, as every other interactive does (not powers of ten)
    explorer = gu.explore_smoothing(x=X / 10, y=Y, lr_range=(1e-3, 1e-1), epochs=50)
    lr = explorer.controls["lr"]
    assert (lr.base ** lr.min, lr.base ** lr.max) == pytest.approx((1e-3, 1e-1), rel=1e-12)
    assert 1e-3 <= lr.value <= 1e-1
    assert "SGD:" in explorer.text and "momentum:" in explorer.text
    plt.close(explorer.fig)


@FAST
@given(low=st.floats(1e-7, 1e-2), ratio=st.floats(1.5, 1e4))
def test_any_lr_range_is_the_sliders_range_and_holds_its_value(low, ratio):
    explorer = gu.explore_smoothing(lr_range=(low, low * ratio), epochs=5)
    lr = explorer.controls["lr"]
    assert (lr.base ** lr.min, lr.base ** lr.max) == pytest.approx((low, low * ratio), rel=1e-9)
    assert low * (1 - 1e-9) <= lr.value <= low * ratio * (1 + 1e-9)
    assert explorer.text.startswith(f"lr {lr.value:.{1 if lr.step >= 0.05 else 2}e}")  # digits the step needs
    plt.close(explorer.fig)


def test_on_noisy_data_converged_means_within_1_of_the_best_line():
    noisy = 2 * X + 30 + np.random.default_rng(0).normal(0, 5, len(X))
    floor = gu.residual_floor(X, noisy)
    explorer = gu.explore_smoothing(x=X, y=noisy, lr_range=(1e-5, 1e-3), epochs=3000)
    try:
        explorer.set(lr=1e-4, beta=0.0)
        tol = 1 + floor
        assert explorer.text.endswith(f"(below {tol:.3g}: error within 1 of the best line's {floor:.3g})")
        (_, sgd) = explorer.result["SGD"]
        when = gu.epochs_to(sgd, tol)
        expected = f"error below {tol:.3g} at epoch {when}" if when else "error "
        assert f"SGD: {expected}" in explorer.text
        assert explorer.fig.axes[1].lines[-1].get_ydata()[0] == tol  # the dashed line sits at tol
    finally:
        plt.close(explorer.fig)


@pytest.mark.parametrize("kwargs", [{"lr_range": (1e-3, 1e-5)}, {"lr_range": (float("nan"), 1e-3)},
                                    {"lr_range": (-5, -3)}, {"lr_range": (0.0, 1e-3)}, {"lr_range": (1e-4,)},
                                    {"lr_range": "1e-5 to 1e-3"}, {"epochs": 0},
                                    {"epochs": 2.5}, {"x": X}, {"x": X[:3], "y": Y}])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        gu.explore_smoothing(**kwargs)
