"""Every claim the notebooks teach, recomputed here: curvature, stability, conservation, survival, the race, ReLU."""
import numpy as np
import pytest

import graddesc_utils as gu

X, Y = gu.load_data()
TWO = gu.TwoNeuron()


# ---- notebook 03: curvature and one step -------------------------------------------------------------------
@pytest.mark.parametrize("model, params", [
    (gu.Linear(), {"a": 1.3, "b": -2.0}),
    (TWO, {"w1": 0.7, "b1": -3.0, "w2": 1.9, "b2": 4.0}),
    (gu.TwoNeuron(relu=True), {"w1": 0.7, "b1": -30.0, "w2": 1.9, "b2": 4.0}),
])
def test_curvature_is_squared_norm_of_prediction_gradient_by_finite_differences(model, params):
    theta = [np.asarray(params[n], dtype=float) for n in model.names]
    for x in X:
        numeric = 0.0
        for i in range(len(theta)):
            up, down = list(theta), list(theta)
            up[i], down[i] = theta[i] + 1e-6, theta[i] - 1e-6
            numeric += ((model.predict(up, x) - model.predict(down, x)) / 2e-6) ** 2
        assert gu.row_curvature(model, params, x) == pytest.approx(numeric, rel=1e-6)


def test_curvature_formulas():
    assert gu.row_curvature(gu.Linear(), {"a": 5.0, "b": 7.0}, 99.0) == 99 ** 2 + 1
    w1, b1, w2 = 0.4, 2.0, -1.5
    k = gu.row_curvature(TWO, {"w1": w1, "b1": b1, "w2": w2, "b2": 0.0}, 50.0)
    assert k == pytest.approx(w2 ** 2 * (50 ** 2 + 1) + (w1 * 50 + b1) ** 2 + 1, rel=1e-14)


def test_one_step_residual_factor_is_exact_for_the_linear_model_and_close_for_two_neurons():
    for x, y in zip(X, Y):
        k = x * x + 1
        assert gu.residual_factor(gu.Linear(), {"a": 1.0, "b": 1.0}, 1e-4, x, y) == pytest.approx(1 - 2e-4 * k, abs=1e-12)
    ones = {"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}
    k = gu.row_curvature(TWO, ones, 14.0)
    assert gu.residual_factor(TWO, ones, 1e-7, 14.0, 58.0) == pytest.approx(1 - 2e-7 * k, abs=1e-5)


def test_sheet_lr_puts_the_largest_row_just_under_the_line():
    assert 1e-4 * gu.row_curvature(gu.Linear(), {"a": 1, "b": 1}, 99.0) == pytest.approx(0.9802)


def test_learners_run_diverges_at_row_28_after_the_meter_runs_away():
    run = gu.train(TWO, gu.SGD(1e-4), X, Y)
    assert run.diverged_at == (1, 28)
    meter = gu.stability_meter(run)[0]
    assert np.all(np.diff(meter[24:28]) > 0) and meter[26] > 100 and meter[24] > 1


# ---- notebook 03: the epoch, the edges, the fits -------------------------------------------------------------
def test_linear_epoch_edge_is_where_training_really_diverges():
    edge = gu.stability_edge(gu.Linear(), {"a": 2.0, "b": 30.0})
    assert edge == pytest.approx(4.378e-4, rel=2e-3)
    assert not gu.train(gu.Linear(), gu.SGD(0.95 * edge), X, Y, 30, trace=False).diverged
    assert gu.train(gu.Linear(), gu.SGD(1.05 * edge), X, Y, 30, trace=False).diverged


def test_epoch_map_radius_predicts_growth_of_a_small_perturbation_near_a_fit():
    fit = gu.exact_fit(1.0, 0.0)
    for lr in [5e-5, 1e-4]:
        radius = gu.epoch_map_radius(TWO, fit, lr)
        run = gu.train(gu.TwoNeuron(fit["w1"], fit["b1"], fit["w2"], fit["b2"] + 1e-3), gu.SGD(lr), X, Y, 40,
                       trace=False)
        grew = run.diverged or np.nanmax(run.epoch_errors) > 10 * run.epoch_errors[0]
        assert grew == (radius > 1 + 1e-9), (lr, radius)


def test_an_unstable_fit_catapults_to_a_balanced_stable_one():
    fit = gu.exact_fit(1.0, 0.0)
    run = gu.train(gu.TwoNeuron(fit["w1"], fit["b1"], fit["w2"], fit["b2"] + 1e-3), gu.SGD(1e-4), X, Y, 40,
                   trace=False)
    assert run.diverged_at is None and run.epoch_errors.max() > 100 * run.epoch_errors[0]
    assert run.epoch_errors[-1] < run.epoch_errors[0]
    assert run.params["w1"] == pytest.approx(run.params["w2"], rel=0.05)
    assert gu.epoch_map_radius(TWO, run.params, 1e-4) <= 1 + 1e-6


def test_small_bias_fits_are_at_least_four_times_as_curved_with_equality_when_balanced():
    for w1 in [0.3, 0.8, 1.0, np.sqrt(2), 2.5, -1.2]:
        k = gu.row_curvature(TWO, gu.exact_fit(w1, 0.0), 99.0)
        assert k / 99 ** 2 >= 4 - 1e-9
    assert gu.row_curvature(TWO, gu.exact_fit(np.sqrt(2), 0.0), 99.0) / 99 ** 2 == pytest.approx(4, abs=1e-3)


def test_balanced_fit_edge_is_about_a_quarter_of_the_linear_edge_and_unbalanced_fits_are_sharper():
    linear = gu.stability_edge(gu.Linear(), {"a": 2.0, "b": 30.0})
    balanced = gu.stability_edge(TWO, gu.exact_fit(np.sqrt(2), 0.0))
    assert balanced == pytest.approx(1.094e-4, rel=3e-3)
    assert 3.5 < linear / balanced < 4.5
    assert gu.stability_edge(TWO, gu.exact_fit(1.0, 0.0)) < balanced
    assert gu.stability_edge(TWO, gu.exact_fit(0.5, 0.0)) < gu.stability_edge(TWO, gu.exact_fit(1.0, 0.0))


def test_even_the_gentlest_fits_are_sharper_than_the_linear_model():
    params, k = gu.least_sharp_fit()
    assert params["w1"] * params["w2"] == pytest.approx(2)
    assert params["w2"] * params["b1"] + params["b2"] == pytest.approx(30)
    assert 9802 < k < 14000 and k == pytest.approx(13895, rel=1e-3)
    stable, edge = gu.most_stable_fit()
    assert stable["w1"] * stable["w2"] == pytest.approx(2)
    # stable fits exist at the sheet's lr, but none reaches the linear model's edge
    assert 1e-4 < edge < gu.stability_edge(gu.Linear(), {"a": 2.0, "b": 30.0})


def test_small_steps_conserve_the_balance_and_larger_steps_let_it_drift():
    drifts = [abs(gu.balance(gu.train(TWO, gu.SGD(lr), X, Y, 20, trace=False).params) - 1)
              for lr in [1e-7, 1e-6, 1e-5]]
    assert drifts[0] < 1e-4 and drifts[0] < drifts[1] < drifts[2]


# ---- notebook 04: maps and scaling ---------------------------------------------------------------------------
def test_survival_falls_monotonically_with_lr_and_collapses_near_the_edge():
    grid = np.linspace(-3, 3, 31)
    lrs = [1e-6, 1e-5, 3e-5, 5e-5, 7e-5, 1e-4, 1.5e-4]
    counts = gu.survival_counts(lrs, grid, grid, epochs=5)
    assert np.all(np.diff(counts) <= 0)
    assert counts[0] == grid.size ** 2 and counts[-2] < 0.05 * grid.size ** 2


def test_outcome_map_marks_diverged_runs_and_matches_single_runs():
    w1, w2, log_error, run = gu.outcome_map(1e-4, epochs=2, w1=np.array([1.0, 0.1]), w2=np.array([1.0, 0.1]))
    for index in np.ndindex(2, 2):
        single = gu.train(gu.TwoNeuron(w1[index], 0.0, w2[index], 0.0), gu.SGD(1e-4), X, Y, 2)
        assert np.isnan(log_error[index]) == bool(single.diverged)
        if not single.diverged:
            assert log_error[index] == np.log10(single.epoch_errors[-1])


def test_scaling_x_lets_the_two_neuron_model_train():
    run = gu.train(TWO, gu.SGD(1e-3), X / 100, Y, 20, trace=False)
    assert not run.diverged and run.epoch_errors[-1] < 0.1
    assert gu.row_curvature(gu.Linear(), {"a": 1, "b": 1}, 0.99) == pytest.approx(1.9801)
    assert gu.train(TWO, gu.SGD(1e-2), X / 100, Y, 10, trace=False).diverged


# ---- notebooks 05 and 06: momentum bounds, conventions, the race ---------------------------------------------
def _survives_quadratic(optimizer, curvature=1.0, steps=2000):
    state, weight = optimizer.init_state((), 1), np.array([1.0])
    for _ in range(steps):
        optimizer.step(weight, curvature * weight, state)
        if not abs(weight[0]) < 1e6:
            return False
    return abs(weight[0]) < 1


@pytest.mark.parametrize("name, convention", [("SGD", "sheet"), ("Momentum", "sheet"), ("Momentum", "pytorch")])
@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_quadratic_stability_bounds_hold_by_simulation(name, convention, beta):
    bound = gu.quadratic_stability_bound(name, beta, convention)
    make = (lambda lr: gu.SGD(lr)) if name == "SGD" else (lambda lr: gu.Momentum(lr, beta, convention=convention))
    assert _survives_quadratic(make(0.98 * bound)) and not _survives_quadratic(make(1.02 * bound))


def test_conventions_table_states_what_the_code_does():
    table = gu.conventions_table().set_index("what")
    assert "38" in table.loc["momentum stability", "sheet"]
    assert "3.8" in table.loc["momentum stability", "PyTorch"]
    assert gu.quadratic_stability_bound("Momentum", 0.9, "sheet") == pytest.approx(38)
    assert gu.quadratic_stability_bound("Momentum", 0.9, "pytorch") == pytest.approx(3.8)
    # "undamped steps are up to 1/(1-beta) = 10x larger": the steady-state buffers
    buffers = {}
    for convention in gu.CONVENTIONS:
        opt = gu.Momentum(0.01, 0.9, convention=convention)
        state, weight = opt.init_state((), 1), np.array([0.0])
        for _ in range(300):
            opt.step(weight, np.array([1.0]), state)
        buffers[convention] = float(state["mom"][0])
    assert buffers["pytorch"] / buffers["sheet"] == pytest.approx(10, rel=1e-9)
    assert "10000" in table.loc["squared average start", "sheet"]
    assert gu.RMSProp(0.1).init_state((), 1)["sqavg"][0] == 10000
    assert gu.RMSProp(0.1, convention="pytorch").init_state((), 1)["sqavg"][0] == 0


@pytest.mark.parametrize("beta1, beta2, ratio", [(0.9, 0.9, 0.32), (0.9, 0.999, 3.2)])
def test_uncorrected_first_adam_step_ratio_stated_in_the_conventions_table(beta1, beta2, ratio):
    corrected = gu.Adam(0.1, beta1, beta2, convention="pytorch")
    weight = np.array([0.0])
    corrected.step(weight, np.array([5.0]), corrected.init_state((), 1))
    m, v = (1 - beta1) * 5.0, (1 - beta2) * 25.0  # the sheet's formulas from zero averages, no correction
    uncorrected = -0.1 * m / np.sqrt(v)
    assert uncorrected / weight[0] == pytest.approx((1 - beta1) / np.sqrt(1 - beta2), rel=1e-6)
    assert uncorrected / weight[0] == pytest.approx(ratio, rel=0.02)  # the table rounds to 2 digits
    assert f"{ratio}×" in gu.conventions_table().set_index("what").loc["Adam bias correction", "what the difference does"]


def test_rmsprop_steps_do_not_depend_on_the_gradients_scale():
    gradients = gu.replay("basic").table().de_da.to_numpy()[:6]
    steps = []
    for scale in [1.0, 1000.0]:
        opt = gu.RMSProp(0.01, convention="pytorch")
        state, weight, taken = opt.init_state((), 1), np.array([0.0]), []
        for g in scale * gradients:
            before = weight[0]
            opt.step(weight, np.array([g]), state)
            taken.append(weight[0] - before)
        steps.append(taken)
    np.testing.assert_allclose(steps[0], steps[1], rtol=1e-6)


def test_the_race_outcome():
    two = gu.race(TWO, 1e-4, 0.1, epochs=10)
    assert two["SGD"].diverged_at == (1, 28)
    assert two["momentum"].diverged_at == (4, 11)
    for name in ["RMSProp", "Adam", "annealed Adam"]:
        assert not two[name].diverged, name
    line = gu.race(gu.Linear(), 1e-4, 0.1, epochs=10)
    assert not any(run.diverged for run in line.values())
    assert line["momentum"].epoch_errors[-1] < line["SGD"].epoch_errors[-1]


# ---- notebook 07: ReLU -----------------------------------------------------------------------------------------
def test_relu_at_the_learners_settings_kills_the_neuron():
    run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), X, Y, 10)
    assert run.diverged_at is None
    assert (run.history["h"] > 0).sum(axis=1).tolist() == [26] + [0] * 9
    table = run.table()
    assert table.w1.iloc[26] == pytest.approx(-28.631, abs=1e-3)
    start_of_2 = run.history["theta"][:, 1, 0]
    moved = [run.params[n] - start_of_2[i] for i, n in enumerate(run.model.names)]
    assert moved[:3] == [0.0, 0.0, 0.0] and moved[3] > 1
    best_constant = np.sqrt(np.sum((Y - Y.mean()) ** 2))
    assert best_constant == pytest.approx(294.128, abs=1e-3)
    assert np.all(run.epoch_errors > best_constant)


def test_relu_dies_from_almost_every_start_at_the_sheet_lr():
    grid = np.linspace(-3, 3, 61)
    w1, w2 = np.meshgrid(grid, grid, indexing="ij")
    sweep = gu.train(gu.TwoNeuron(w1, 1.0, w2, 1.0, relu=True), gu.SGD(1e-4), X, Y, 5, trace=False)
    active = gu.active_rows(sweep.model, sweep.params, X[:, None, None]).sum(axis=0)
    assert sweep.diverged.sum() == 0 and ((active == 0) & ~sweep.diverged).sum() == 3720


def test_relu_trains_when_kept_alive():
    run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-3), X / 100, Y, 20, trace=False)
    assert run.epoch_errors[-1] < 0.1 and gu.active_rows(run.model, run.params, X / 100).sum() == 29


def test_forward_difference_sees_a_slope_across_the_relu_kink():
    model = gu.TwoNeuron(relu=True)
    theta = [np.asarray(v) for v in (1.0, -14.005, 1.0, 1.0)]
    estimate, _ = model.finite_difference(theta, 14.0, 58.0, step=0.01)
    analytic = model.loss_gradient(theta, 14.0, 58.0)
    assert float(analytic[0]) == 0 and float(analytic[1]) == 0
    assert float(estimate[0]) == pytest.approx(-1537.1775, abs=1e-6)
    assert float(estimate[1]) == pytest.approx(-56.9975, abs=1e-6)


# ---- finite differences: the learner's method ------------------------------------------------------------------
def _learners_formulas(a, b, c, d, x, y, s=0.01):
    e = ((a * x + b) * c + d - y) ** 2
    return [((((a + s) * x + b) * c + d - y) ** 2 - e) / s, (((a * x + (b + s)) * c + d - y) ** 2 - e) / s,
            (((a * x + b) * (c + s) + d - y) ** 2 - e) / s, (((a * x + b) * c + (d + s) - y) ** 2 - e) / s]


def test_finite_difference_training_uses_the_learners_formulas_row_by_row():
    run = gu.train(TWO, gu.SGD(1e-5), X, Y, 2, gradient="finite_difference")
    for epoch in (1, 2):
        table = run.table(epoch)
        assert (table.gradient == "finite_difference").all()
        for _, row in table.iterrows():
            literal = _learners_formulas(row.w1, row.b1, row.w2, row.b2, row.x, row.y)
            estimates = [row.est_de_dw1, row.est_de_db1, row.est_de_dw2, row.est_de_db2]
            np.testing.assert_allclose(estimates, literal, rtol=1e-12, atol=1e-9)
            new = [row.new_w1, row.new_b1, row.new_w2, row.new_b2]
            old = [row.w1, row.b1, row.w2, row.b2]
            np.testing.assert_allclose(new, [o - 1e-5 * g for o, g in zip(old, estimates)], rtol=1e-15)


def test_finite_difference_bias_is_step_times_squared_prediction_gradient():
    run = gu.train(TWO, gu.SGD(1e-5), X, Y, 1, gradient="finite_difference")
    table = run.table()
    h = table.w1 * table.x + table.b1
    predicted = {"w1": 0.01 * (table.w2 * table.x) ** 2, "b1": 0.01 * table.w2 ** 2, "w2": 0.01 * h ** 2, "b2": 0.01}
    for name, bias in predicted.items():
        np.testing.assert_allclose(table[f"est_de_d{name}"] - table[f"de_d{name}"], bias, rtol=1e-5, atol=1e-8)


def test_the_learners_exact_finite_difference_run_diverges_where_the_analytic_one_does():
    analytic = gu.train(TWO, gu.SGD(1e-4), X, Y, gradient="analytic")
    learners = gu.train(TWO, gu.SGD(1e-4), X, Y, gradient="finite_difference")
    assert analytic.diverged_at == learners.diverged_at == (1, 28)
    relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), X, Y, 10, gradient="finite_difference")
    assert relu.diverged_at is None and gu.active_rows(relu.model, relu.params, X).sum() == 0


def test_sheet_finite_difference_columns_are_the_engines_estimates():
    sheet = gu.replay("basic").table()
    run = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, gradient="finite_difference").table()
    assert run.est_de_db.iloc[0] == sheet.est_de_db.iloc[0] and run.est_de_da.iloc[0] == sheet.est_de_da.iloc[0]
