"""The engine against independent oracles: hand-written update rules, finite differences, single runs."""
import math

import numpy as np
import pytest

import graddesc_utils as gu

X, Y = gu.load_data()


@pytest.mark.parametrize("model", [gu.Linear(a=1.3, b=-0.7), gu.TwoNeuron(0.8, -0.3, 1.7, 0.4),
                                   gu.TwoNeuron(0.8, 3.0, -1.1, 0.4, relu=True)])
def test_analytic_gradient_agrees_with_central_differences(model):
    theta = [np.asarray(v) for v in model.initial.values()]
    for x, y in zip(X[:6], Y[:6]):
        analytic = model.loss_gradient(theta, x, y)
        for i in range(len(theta)):
            step = 1e-6
            up, down = list(theta), list(theta)
            up[i], down[i] = theta[i] + step, theta[i] - step
            numeric = ((model.predict(up, x) - y) ** 2 - (model.predict(down, x) - y) ** 2) / (2 * step)
            assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-4)


def test_forward_difference_bias_is_half_step_times_second_derivative_for_the_linear_model():
    model = gu.Linear(a=1.0, b=1.0)
    theta = [np.asarray(1.0), np.asarray(1.0)]
    for x, y in zip(X, Y):
        estimates, _ = model.finite_difference(theta, x, y, step=0.01)
        analytic = model.loss_gradient(theta, x, y)
        # d2/db2 (pred - y)^2 = 2, d2/da2 = 2x^2: the forward difference overshoots by step/2 times that
        assert estimates[0] - analytic[0] == pytest.approx(0.01, abs=1e-8)
        assert estimates[1] - analytic[1] == pytest.approx(0.01 * x * x, rel=1e-6)


def _hand_sequences():
    """A short sequence of gradients for 2 weights, and a start."""
    return [0.5, -1.0], [[3.0, -40.0], [-2.5, 10.0], [0.1, 25.0], [4.0, -0.5], [-1.0, 2.0]]


def _steps(optimizer, start, grads):
    theta = np.array(start, dtype=float)
    state = optimizer.init_state((), 2)
    for g in grads:
        optimizer.step(theta, np.array(g, dtype=float), state)
    return theta.tolist()


def test_pytorch_sgd_momentum_matches_torch_rule():
    start, grads = _hand_sequences()
    lr, beta = 0.01, 0.9
    expected = []
    for i in range(2):  # torch.optim.SGD(momentum=beta, dampening=0): buf = g at step 1, then beta*buf + g
        p, buf = start[i], None
        for g in grads:
            buf = g[i] if buf is None else beta * buf + g[i]
            p = p - lr * buf
        expected.append(p)
    got = _steps(gu.Momentum(lr, beta, convention="pytorch"), start, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_pytorch_rmsprop_matches_torch_rule():
    start, grads = _hand_sequences()
    lr, alpha, eps = 0.01, 0.9, 1e-8
    expected = []
    for i in range(2):  # torch.optim.RMSprop: v = alpha*v + (1-alpha)*g^2; p -= lr*g/(sqrt(v)+eps)
        p, v = start[i], 0.0
        for g in grads:
            v = alpha * v + (1 - alpha) * g[i] * g[i]
            p = p - lr * g[i] / (math.sqrt(v) + eps)
        expected.append(p)
    got = _steps(gu.RMSProp(lr, alpha, convention="pytorch"), start, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_pytorch_adam_matches_torch_rule():
    start, grads = _hand_sequences()
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    expected = []
    for i in range(2):  # torch.optim.Adam: bias-corrected m and v, eps outside the root
        p, m, v = start[i], 0.0, 0.0
        for t, g in enumerate(grads, start=1):
            m = b1 * m + (1 - b1) * g[i]
            v = b2 * v + (1 - b2) * g[i] ** 2
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(p)
    got = _steps(gu.Adam(lr, b1, b2, convention="pytorch"), start, grads)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sheet_conventions_first_step_by_hand():
    start, grads = _hand_sequences()
    g = grads[0]
    # sheet RMSProp divides by the previous average, which starts at 10000
    got = _steps(gu.RMSProp(0.02, 0.9), start, [g])
    assert got == [start[0] - 0.02 * g[0] / 100.0, start[1] - 0.02 * g[1] / 100.0]
    # sheet Adam: m = 0.1 g, v = 0.9*10000 + 0.1 g^2, no bias correction, no epsilon
    got = _steps(gu.Adam(1.0, 0.9, 0.9), start, [g])
    for i in range(2):
        m, v = (1 - 0.9) * g[i], 0.9 * 10000 + (1 - 0.9) * g[i] ** 2
        assert got[i] == start[i] - 1.0 * m / math.sqrt(v)
    # sheet momentum is damped: the first step is (1 - beta) of SGD's
    got = _steps(gu.Momentum(0.1, 0.9), start, [g])
    assert got == pytest.approx([start[i] - 0.1 * (1 - 0.9) * g[i] for i in range(2)], rel=1e-15)


@pytest.mark.parametrize("optimizer", [gu.SGD(3e-5), gu.Momentum(3e-5), gu.RMSProp(0.01), gu.Adam(0.05)])
@pytest.mark.parametrize("gradient", ["analytic", "finite_difference"])
def test_a_sweep_equals_single_runs_exactly(optimizer, gradient):
    rng = np.random.default_rng(7)
    w1, w2 = rng.uniform(-2, 2, size=(2, 3, 4))
    sweep = gu.train(gu.TwoNeuron(w1=w1, b1=0.5, w2=w2, b2=1.0), optimizer, X, Y, epochs=3, gradient=gradient,
                     trace=False)
    for index in np.ndindex(3, 4):
        single = gu.train(gu.TwoNeuron(w1=w1[index], b1=0.5, w2=w2[index], b2=1.0), optimizer, X, Y, epochs=3,
                          gradient=gradient)
        np.testing.assert_array_equal(sweep.epoch_errors[(slice(None),) + index], single.epoch_errors)
        assert sweep.diverged_at[index] == single.diverged_at
        for name in single.params:
            assert sweep.params[name][index] == single.params[name] or (
                np.isnan(sweep.params[name][index]) and np.isnan(single.params[name]))


def test_learning_rate_arrays_broadcast_against_weights():
    run = gu.train(gu.Linear(a=np.array([1.0, 2.0])), gu.SGD(np.array([[1e-5], [1e-4]])), X, Y, trace=False)
    assert run.epoch_errors.shape == (1, 2, 2)
    single = gu.train(gu.Linear(a=2.0), gu.SGD(1e-5), X, Y)
    assert run.epoch_errors[0, 0, 1] == single.epoch_errors[0]


def test_learners_two_neuron_run_diverges_in_epoch_1_and_is_reported():
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y)
    assert run.diverged_at is not None and run.diverged_at[0] == 1
    assert run.divergence_message() == f"diverged at epoch 1, row {run.diverged_at[1]}"
    errors = run.table().err_sq.to_numpy()
    row = run.diverged_at[1]
    assert np.all(errors[: row - 1] <= gu.DIVERGENCE_LIMIT) and not errors[row - 1] <= gu.DIVERGENCE_LIMIT


def test_no_warning_leaks_from_an_overflowing_run(recwarn):
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-2), X, Y, epochs=5)
    assert run.diverged_at == (1, 1) or run.diverged_at[0] == 1
    assert len(recwarn) == 0


def test_the_callers_arrays_are_not_mutated():
    x, y, w1 = X.copy(), Y.copy(), np.array([0.5, 1.0])
    gu.train(gu.TwoNeuron(w1=w1), gu.Adam(0.1), x, y, epochs=2, trace=False)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(y, Y)
    assert w1.tolist() == [0.5, 1.0]


@pytest.mark.parametrize("call, message", [
    (lambda: gu.SGD(-1e-4), "lr must be a finite learning rate > 0"),
    (lambda: gu.SGD(float("nan")), "lr must be"),
    (lambda: gu.SGD(0.0), "lr must be"),
    (lambda: gu.Momentum(1e-4, beta=1.0), r"beta must be a number in \[0, 1\)"),
    (lambda: gu.Adam(1e-4, beta2=-0.1), r"beta2 must be a number in \[0, 1\)"),
    (lambda: gu.SGD(1e-4, convention="keras"), "convention must be one of 'sheet', 'pytorch'"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y[:-1]), "same length"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), [], []), "x is empty"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, epochs=0), "epochs must be a positive integer"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, gradient="symbolic"), "gradient must be one of"),
    (lambda: gu.Linear(a=float("inf")), "a must be a finite number"),
])
def test_bad_input_raises_value_error_saying_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [lambda: gu.SGD("0.1"), lambda: gu.Linear(a="one"),
                                  lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, epochs=1.5)])
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize("gradient", ["analytic", "finite_difference"])
def test_the_gradient_that_drove_the_update_is_the_one_the_table_shows(gradient):
    run = gu.train(gu.TwoNeuron(relu=True), gu.Adam(0.05), X, Y, 2, gradient=gradient)
    column = "de_d" if gradient == "analytic" else "est_de_d"
    for epoch in (1, 2):
        table = run.table(epoch)
        for i, name in enumerate(run.model.names):
            np.testing.assert_array_equal(table[f"{column}{name}"].to_numpy(), run.history["grad"][i, epoch - 1])
