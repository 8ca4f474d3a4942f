"""The remedies' API against independent oracles: torch's clipping rule, fastai's one-cycle and lr_find, the leaky
ReLU's derivative, standardization; bad values; the table's columns; sweeps over arrays."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graddesc_utils as gu

X, Y = gu.load_data()
TWO = gu.TwoNeuron()
PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)


# ---- clip_norm: torch.nn.utils.clip_grad_norm_ ----------------------------------------------------------------
def torch_clip(grad, max_norm):
    """clip_grad_norm_ as torch writes it: total_norm over all parameters, clip_coef = max_norm / (total_norm +
    1e-6), clamped to at most 1, every gradient multiplied by it."""
    total = math.sqrt(sum(g * g for g in grad))
    coef = min(max_norm / (total + 1e-6), 1.0)
    return [g * coef for g in grad]


@PROPERTY
@given(clip=st.floats(1e-2, 1e4), lr=st.floats(1e-6, 1e-4), weights=st.lists(st.floats(-2, 2), min_size=4,
                                                                             max_size=4))
def test_clipping_is_torchs_rule_row_by_row(clip, lr, weights):
    run = gu.train(gu.TwoNeuron(*weights), gu.SGD(lr), X, Y, 1, clip_norm=clip)
    table = run.table()
    for _, row in table.iterrows():
        if not np.isfinite(row.err_sq) or row.err_sq > 1e12:
            break
        grad = [row[f"de_d{n}"] for n in TWO.names]
        expected = torch_clip(grad, clip)
        new = [row[n] - lr * g for n, g in zip(TWO.names, expected)]
        np.testing.assert_allclose([row[f"new_{n}"] for n in TWO.names], new, rtol=1e-12, atol=1e-12)
        assert row.clip_coef == pytest.approx(min(clip / (math.sqrt(sum(g * g for g in grad)) + 1e-6), 1.0))


def test_clipping_works_in_sweeps_and_shows_in_the_table():
    clips = np.array([1.0, 100.0, 1e6])
    sweep = gu.train(TWO, gu.SGD(1e-4), X, Y, 3, clip_norm=clips, trace=False)
    for i, clip in enumerate(clips):
        single = gu.train(TWO, gu.SGD(1e-4), X, Y, 3, clip_norm=clip)
        np.testing.assert_array_equal(sweep.epoch_errors[:, i], single.epoch_errors)
    assert "clip_coef" in gu.train(TWO, gu.SGD(1e-4), X, Y, clip_norm=1.0).table()
    assert "clip_coef" not in gu.train(TWO, gu.SGD(1e-4), X, Y).table()
    huge = gu.train(TWO, gu.SGD(1e-4), X, Y, 1, clip_norm=1e30)  # never clips before the divergence: the plain run
    assert huge.diverged_at == (1, 28) and np.all(huge.table().clip_coef.iloc[:27] == 1.0)


# ---- schedules: fastai's one-cycle ----------------------------------------------------------------------------
def fastai_one_cycle(position, pct_start=0.25, div=25.0, div_final=1e5):
    """fastai's combined_cos(pct_start, lr/div, lr, lr/div_final), divided by lr, written out from its source."""
    def cos(start, end, pos):
        return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2
    if position < pct_start:
        return cos(1 / div, 1.0, position / pct_start)
    return cos(1.0, 1 / div_final, (position - pct_start) / (1 - pct_start))


@PROPERTY
@given(epochs=st.integers(1, 40), pct_start=st.floats(0.05, 0.95), div=st.floats(1, 100),
       div_final=st.floats(1, 1e6))
def test_one_cycle_is_fastais_shape(epochs, pct_start, div, div_final):
    factor = gu.one_cycle(epochs, len(X), pct_start, div, div_final)
    total = epochs * len(X)
    for step in range(0, total, max(1, total // 50)):
        epoch, row = divmod(step, len(X))
        assert factor(epoch + 1, row + 1) == pytest.approx(fastai_one_cycle(step / total, pct_start, div, div_final),
                                                           rel=1e-12)
    peak = int(np.ceil(pct_start * total))
    values = [float(factor(e, r)) for e in range(1, epochs + 1) for r in range(1, len(X) + 1)]
    assert values[0] == pytest.approx(1 / div) and max(values) <= 1.0 + 1e-12
    assert np.all(np.diff(values[:peak]) >= -1e-15) and np.all(np.diff(values[peak:]) <= 1e-15)


def test_a_schedule_multiplies_the_lr_row_by_row_and_shows_in_the_table():
    schedule = gu.warm_up(2, 0.1)
    run = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 3, schedule=schedule)
    assert np.allclose(run.table(1).lr, 1e-5) and np.allclose(run.table(3).lr, 1e-4)
    assert (run.table(1).lr_factor == 0.1).all()
    custom = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 3, schedule=lambda epoch, row: 0.1 if epoch <= 2 else 1.0)
    np.testing.assert_array_equal(custom.epoch_errors, run.epoch_errors)  # the elementwise path = the plain one
    per_config = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 2, trace=False,
                          schedule=lambda epoch, row: np.array([0.5, 1.0]))  # an array factor: one per configuration
    assert per_config.epoch_errors.shape == (2, 2)
    single = gu.train(gu.Linear(), gu.SGD(5e-5), X, Y, 2)
    np.testing.assert_allclose(per_config.epoch_errors[:, 0], single.epoch_errors, rtol=1e-12)


# ---- the leaky ReLU ----------------------------------------------------------------------------------------------
@PROPERTY
@given(leak=st.floats(0.001, 0.999), weights=st.lists(st.floats(-3, 3), min_size=4, max_size=4),
       row=st.integers(0, 28))
def test_the_leaky_relus_gradient_agrees_with_central_differences(leak, weights, row):
    model = gu.TwoNeuron(relu=True, leak=leak)
    theta = [np.asarray(w) for w in weights]
    h = weights[0] * X[row] + weights[1]
    if abs(h) < 1e-3:
        return  # at the kink the derivative is one-sided
    analytic = model.loss_gradient(theta, X[row], Y[row])
    for i in range(4):
        up, down = list(theta), list(theta)
        up[i], down[i] = theta[i] + 1e-7, theta[i] - 1e-7
        numeric = ((model.predict(up, X[row]) - Y[row]) ** 2 - (model.predict(down, X[row]) - Y[row]) ** 2) / 2e-7
        assert float(analytic[i]) == pytest.approx(float(numeric), rel=1e-5, abs=1e-3)


def test_the_leak_is_in_the_prediction_and_the_table_and_sweeps():
    model = gu.TwoNeuron(w1=-1.0, b1=0.0, w2=2.0, b2=0.0, relu=True, leak=0.1)
    assert float(model.predict([np.asarray(v) for v in (-1.0, 0.0, 2.0, 0.0)], 10.0)) == pytest.approx(-2.0)
    run = gu.train(gu.TwoNeuron(relu=True, leak=0.05), gu.SGD(1e-5), X, Y, 1)
    assert (run.table().leak == 0.05).all()
    leaks = np.array([0.0, 0.01, 0.1])
    sweep = gu.train(gu.TwoNeuron(relu=True, leak=leaks), gu.SGD(1e-4), X, Y, 3, trace=False)
    for i, leak in enumerate(leaks):
        single = gu.train(gu.TwoNeuron(relu=True, leak=leak), gu.SGD(1e-4), X, Y, 3)
        np.testing.assert_allclose(sweep.epoch_errors[:, i], single.epoch_errors, rtol=1e-12)


# ---- standardize -------------------------------------------------------------------------------------------------
@PROPERTY
@given(slope=st.floats(-5, 5), intercept=st.floats(-5, 5))
def test_standardize_round_trip(slope, intercept):
    xs, ys, to_sheet = gu.standardize(X, Y)
    assert xs.mean() == pytest.approx(0, abs=1e-12) and xs.std() == pytest.approx(1)
    a, b = to_sheet(slope, intercept)
    # the line mapped back predicts, on the sheet's scale, exactly what the standardized line predicts
    np.testing.assert_allclose(a * X + b, Y.mean() + Y.std() * (slope * xs + intercept), rtol=1e-10, atol=1e-9)


def test_standardized_fit_maps_back_to_the_sheets_line():
    xs, ys, to_sheet = gu.standardize(X, Y)
    a, b = to_sheet(1.0, 0.0)
    assert a == pytest.approx(2.0) and b == pytest.approx(30.0)


# ---- lr_find -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [gu.Linear(), gu.TwoNeuron(), gu.TwoNeuron(relu=True)])
@pytest.mark.parametrize("standardized", [False, True])
def test_lr_find_follows_fastais_schedule_smoothing_and_stop(model, standardized):
    x, y = (gu.standardize(X, Y)[:2]) if standardized else (X, Y)
    found = gu.lr_find(model, x, y, start_lr=1e-7, end_lr=10, num_it=100)
    n = found.stopped_at
    np.testing.assert_allclose(found.lrs, 1e-7 * (1e8) ** (np.arange(n) / 100), rtol=1e-12)
    average, smooth = 0.0, []
    for i, loss in enumerate(found.raw):  # fastai's AvgSmoothLoss
        average = 0.98 * average + 0.02 * loss
        smooth.append(average / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(found.losses, smooth, rtol=1e-12)
    best_before = np.minimum.accumulate(found.losses)
    assert n == 100 or found.losses[-1] > 4 * best_before[-1] or not np.isfinite(found.losses[-1])
    assert np.all(found.losses[:-1] <= 4 * best_before[:-1])  # it did not stop earlier
    for lr in found.suggestions.values():
        assert found.lrs[0] / 10 <= lr <= found.lrs[-1]


def test_lr_finds_valley_is_fastais_rule():
    from graddesc.lr_find import _valley
    lrs = np.geomspace(1e-5, 1, 40)
    losses = np.r_[np.linspace(10, 9, 10), np.linspace(9, 1, 20), np.linspace(1, 50, 10)]
    # the longest strictly decreasing subsequence: 29 points (the repeated 9 is skipped), ending at index 29; fastai
    # then sets max_start = max_end - length = 0 and picks max_start + int(length/3) + int(length/6)
    assert _valley(lrs, losses) == float(lrs[0 + int(29 / 3) + int(29 / 3 / 2)])


@pytest.mark.parametrize("call, message", [
    (lambda: gu.train(TWO, gu.SGD(1e-4), X, Y, clip_norm=0), "clip_norm must be a gradient norm > 0"),
    (lambda: gu.train(TWO, gu.SGD(1e-4), X, Y, clip_norm=float("nan")), "clip_norm must be"),
    (lambda: gu.train(TWO, gu.SGD(1e-4), X, Y, schedule=lambda e, r: -1.0), "factors must be finite numbers >= 0"),
    (lambda: gu.one_cycle(10, 29, pct_start=1.0), "pct_start must be a fraction"),
    (lambda: gu.one_cycle(0, 29), "epochs must be a positive integer"),
    (lambda: gu.one_cycle(10, 29, div=0.5), "div must be a number >= 1"),
    (lambda: gu.warm_up(5, factor=0), "factor must be a factor > 0"),
    (lambda: gu.TwoNeuron(relu=True, leak=1.0), r"leak must be a slope in \[0, 1\)"),
    (lambda: gu.TwoNeuron(relu=True, leak=-0.1), "leak must be"),
    (lambda: gu.TwoNeuron(leak=0.1), "it needs relu=True"),
    (lambda: gu.standardize(np.ones(5), np.arange(5.0)), "more than one value"),
    (lambda: gu.lr_find(TWO, X, Y, start_lr=1.0, end_lr=0.1), "end_lr must be a learning rate above start_lr"),
    (lambda: gu.lr_find(gu.TwoNeuron(w1=np.ones(2)), X, Y), "one configuration"),
    (lambda: gu.train(TWO, gu.SGD(1e-4), X, Y, trace="rows"), "trace must be True"),
])
def test_bad_values_say_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_schedule_must_be_a_function():
    with pytest.raises(TypeError, match="schedule must be a function of \\(epoch, row\\)"):
        gu.train(TWO, gu.SGD(1e-4), X, Y, schedule=0.5)
