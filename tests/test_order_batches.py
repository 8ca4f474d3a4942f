"""Shuffled rows and mini-batches (issue 21): the compiled sweeps equal the numpy loop bit for bit, the defaults are
the sheet's online SGD unchanged, batches are what PyTorch and fastai do (mean gradient, last partial batch kept),
and outcome_fractions counts outcomes over row orders and nudges; epochs_to means "stays below from".
"""
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graddesc_utils as gu
from test_kernels import COMBINATIONS, EXACT, MODELS, OPTIMIZERS, assert_sweep_equals_single_runs, random_configurations

X, Y = gu.load_data()
SEEDS = np.array([[0], [7], [123]])  # one seed per row of the (3, 4) configurations
SIZES = np.array([1, 4, 5, 29])  # one batch size per column: the sheet, 7 x 4 + 1, 5 x 5 + 4, full batch


def covering(combinations):
    """Every model x optimizer once, with the conventions and gradients taken in turn, so that each value of each
    is met with shuffling and batching on. The shuffle and batch code is the same for every model and optimizer in
    the compiled loop; tests/test_kernels.py covers all 72 combinations without them, and each combination here is
    a compilation of its own (seconds each), so CI compiles 20 rather than 72."""
    chosen, turn = {}, 0
    for model, optimizer, convention, gradient in combinations:
        if (model, optimizer) not in chosen:
            options = [c for c in combinations if c[:2] == (model, optimizer)]
            chosen[(model, optimizer)] = options[turn % len(options)]
            turn += 1
    return list(chosen.values())


# --- oracles: the sheet's line trained in plain Python floats, operation for operation as the sheet writes it -----

def python_orders(seed, epochs, n=len(X)):
    """The documented draw: one default_rng(seed) per run, rng.permutation(n) once per epoch."""
    if seed is None:
        return [list(range(n))] * epochs
    rng = np.random.default_rng(seed)
    return [[int(i) for i in rng.permutation(n)] for _ in range(epochs)]


def python_line_sgd(a, b, lr, epochs, seed=None, batch=1):
    """Mini-batch SGD on pred = b + a*x: each row's gradient at the batch's weights, summed in the visiting order,
    divided by the batch's length; the sheet error is the root of every row's squared error summed over the epoch."""
    errors = []
    for order in python_orders(seed, epochs):
        sse = 0.0
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            total_b = total_a = None
            for i in rows:
                r = (a * X[i] + b) - Y[i]
                sse += r * r
                d = r * 2.0  # de/db; de/da = x * de/db
                total_b, total_a = (d, X[i] * d) if total_b is None else (total_b + d, total_a + X[i] * d)
            b -= lr * (total_b / float(len(rows)))
            a -= lr * (total_a / float(len(rows)))
        errors.append(sse ** 0.5)
    return a, b, errors


@pytest.mark.parametrize("seed, batch", [(None, 1), (None, 4), (3, 1), (3, 4), (11, 29), (None, 29)])
@pytest.mark.parametrize("backend", ["auto", "numpy"])
def test_the_line_equals_plain_python_sgd_bit_for_bit(seed, batch, backend):
    a, b, errors = python_line_sgd(1.0, 1.0, 1e-4, 4, seed, batch)
    run = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 4, shuffle=seed, batch_size=batch, trace=False, backend=backend)
    assert run.params == {"b": b, "a": a}
    assert run.epoch_errors.tolist() == errors


def test_the_defaults_are_the_sheets_online_sgd_unchanged():
    """shuffle=None, batch_size=1 (said or not) is the sheet: rows in order, one update per row, for every model,
    compiled and traced; the workbook's replays are checked cell by cell in test_sheet.py."""
    w1 = np.array([1.0, 0.5, -1.0])
    for model in (gu.TwoNeuron(w1=w1), gu.TwoNeuron(w1=w1, relu=True), gu.Linear(a=w1)):
        plain = gu.train(model, gu.SGD(3e-5), X, Y, 5, trace=False)
        said = gu.train(model, gu.SGD(3e-5), X, Y, 5, trace=False, shuffle=None, batch_size=1)
        np.testing.assert_array_equal(plain.epoch_errors, said.epoch_errors)
        for name in plain.params:
            np.testing.assert_array_equal(plain.params[name], said.params[name])
    traced = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 1)
    assert traced.table().x.tolist() == X.tolist() and "data_row" not in traced.table()
    assert traced.divergence_message() == "diverged at epoch 1, row 28" and traced.diverged_step == 28


def test_full_batch_is_gradient_descent_on_the_mean_squared_error():
    """batch_size = 29: one update per epoch with the mean gradient, as plain numpy computes it (in any order)."""
    for model, start, lr in ((gu.Linear(), [1.0, 1.0], 1e-4), (gu.TwoNeuron(), [1.0, 1.0, 1.0, 1.0], 5e-5)):
        run = gu.train(model, gu.SGD(lr), X, Y, 30, batch_size=29, shuffle=5, trace=False)
        theta, errors = np.array(start), []
        for _ in range(30):
            if len(theta) == 2:
                b, a = theta
                r = a * X + b - Y
                grad = np.array([np.mean(2 * r), np.mean(2 * r * X)])
            else:
                w1, b1, w2, b2 = theta
                h = w1 * X + b1
                r = w2 * h + b2 - Y
                grad = np.array([np.mean(2 * r * w2 * X), np.mean(2 * r * w2), np.mean(2 * r * h), np.mean(2 * r)])
            errors.append(np.sqrt(np.sum(r ** 2)))  # the sheet error: every row at the epoch's one set of weights
            theta = theta - lr * grad
        assert not run.diverged
        np.testing.assert_allclose([run.params[name] for name in model.names], theta, rtol=1e-12)
        np.testing.assert_allclose(run.epoch_errors, errors, rtol=1e-12)


def test_the_last_partial_batch_is_kept_and_the_trace_shows_each_update():
    run = gu.train(gu.TwoNeuron(), gu.SGD(2e-5), X, Y, 2, batch_size=4, shuffle=1)
    for epoch in (1, 2):
        table = run.table(epoch)
        assert table.batch.tolist() == [u for u in range(1, 8) for _ in range(4)] + [8]  # 7 batches of 4, then 1
        weights = table[["w1", "b1", "w2", "b2"]].to_numpy()
        new = table[["new_w1", "new_b1", "new_w2", "new_b2"]].to_numpy()
        ends = np.array([3, 7, 11, 15, 19, 23, 27, 28])  # the last row of each batch: the only rows that update
        assert np.flatnonzero(np.any(new != weights, axis=1)).tolist() == ends.tolist()
        # each update uses the mean of its rows' gradients (the table's de_d* at the batch's weights)
        for first, last in zip([0, 4, 8, 12, 16, 20, 24, 28], ends):
            mean = sum(table.de_db2[first:last + 1]) / (last - first + 1)  # summed in the visiting order
            assert table.update_db2[last] == mean and new[last, 3] == weights[last, 3] - 2e-5 * mean
            assert np.all(np.isnan(table.update_db2[first:last]))
            assert np.all(weights[first:last + 1] == weights[first])  # one set of weights for the whole batch
        # the sheet error: every row's squared error at its batch's weights, summed
        assert run.epoch_errors[epoch - 1] == np.sqrt(sum(table.err_sq))  # summed row after row


def test_a_seed_gives_the_same_orders_and_other_seeds_other_orders():
    def orders(seed):
        run = gu.train(gu.Linear(), gu.SGD(1e-5), X, Y, 3, shuffle=seed)
        return [run.table(epoch).data_row.tolist() for epoch in (1, 2, 3)]

    first = orders(4)
    assert orders(4) == first
    assert first == [[i + 1 for i in order] for order in python_orders(4, 3)]  # the documented draw
    assert len({tuple(order) for order in first}) == 3  # a fresh order every epoch
    assert all(sorted(order) == list(range(1, 30)) for order in first)  # every row once
    others = [orders(seed)[0] for seed in range(5, 10)]
    assert all(order != first[0] for order in others)
    table = gu.train(gu.Linear(), gu.SGD(1e-5), X, Y, 1, shuffle=4).table()
    assert table.step.tolist() == list(range(1, 30))
    assert table.x.tolist() == X[table.data_row - 1].tolist() and table.y.tolist() == Y[table.data_row - 1].tolist()


def test_a_shuffled_divergence_names_the_data_row_and_its_place_in_the_order():
    sweep = gu.train(gu.TwoNeuron(w1=np.ones(6)), gu.SGD(1e-4), X, Y, 3, shuffle=np.arange(6), trace=False)
    for seed in range(6):
        single = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 3, shuffle=seed)
        epoch, row = single.diverged_at
        table = single.table(epoch)
        assert table.data_row[single.diverged_step - 1] == row
        assert not table.err_sq[single.diverged_step - 1] <= gu.DIVERGENCE_LIMIT
        assert np.all(table.err_sq[:single.diverged_step - 1] <= gu.DIVERGENCE_LIMIT)
        assert single.divergence_message().startswith(f"diverged at epoch {epoch}, row {row} (the row visited ")
        assert sweep.diverged_at[seed] == single.diverged_at and sweep.diverged_step[seed] == single.diverged_step


# --- the compiled loop, bit for bit ----------------------------------------------------------------------------

@pytest.mark.parametrize("model_kind, optimizer_kind, convention, gradient", covering(COMBINATIONS),
                         ids=lambda value: str(value).replace(" ", "-"))
@EXACT
@given(seed=st.integers(0, 10_000))
def test_a_shuffled_batched_sweep_equals_traced_single_runs_bit_for_bit(model_kind, optimizer_kind, convention,
                                                                        gradient, seed):
    make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
    weights, lr = random_configurations(seed, lr_range)
    shuffle, sizes = SEEDS + seed, SIZES
    sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, gradient=gradient,
                     trace=False, shuffle=shuffle, batch_size=sizes)
    assert_sweep_equals_single_runs(sweep, lambda i: gu.train(
        MODELS[model_kind]([w[i] for w in weights]), make_optimizer(lr[i], convention), X, Y, 3, gradient=gradient,
        shuffle=int(shuffle[i[0], 0]), batch_size=int(sizes[i[1]])))
    np.testing.assert_array_equal(sweep.diverged_step, gu.train(
        MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, gradient=gradient, trace=False,
        shuffle=shuffle, batch_size=sizes, backend="numpy").diverged_step)


@pytest.mark.parametrize("options", [{"shuffle": 3}, {"batch_size": 4}, {"shuffle": SEEDS}, {"batch_size": SIZES},
                                     {"shuffle": 8, "batch_size": 5}])
@pytest.mark.parametrize("model_kind, optimizer_kind, convention", [
    ("two neurons", "SGD", "sheet"), ("linear", "SGD", "sheet"), ("relu", "Adam", "pytorch"),
    ("leaky", "momentum", "pytorch"), ("two neurons", "RMSProp", "sheet"), ("linear", "annealed Adam", "sheet")])
def test_shuffled_or_batched_sweeps_alone_equal_single_runs(model_kind, optimizer_kind, convention, options):
    make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
    weights, lr = random_configurations(11, lr_range)

    def single(i):
        picked = {key: (int(np.broadcast_to(value, (3, 4))[i]) if np.ndim(value) else value)
                  for key, value in options.items()}
        return gu.train(MODELS[model_kind]([w[i] for w in weights]), make_optimizer(lr[i], convention), X, Y, 3,
                        **picked)
    sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, trace=False, **options)
    assert_sweep_equals_single_runs(sweep, single)


@pytest.mark.parametrize("model_kind, optimizer_kind, convention, gradient", [
    ("two neurons", "SGD", "sheet", "analytic"), ("relu", "Adam", "pytorch", "finite_difference"),
    ("linear", "momentum", "sheet", "analytic"), ("leaky", "RMSProp", "pytorch", "analytic")])
def test_clipping_and_a_schedule_per_update_compile_to_the_same_numbers(model_kind, optimizer_kind, convention,
                                                                        gradient):
    make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
    weights, lr = random_configurations(5, lr_range)
    clip = np.geomspace(1, 1e4, 4)
    schedule = gu.one_cycle(3, 8)  # 8 updates per epoch at batch size 4
    sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, gradient=gradient,
                     clip_norm=clip, schedule=schedule, trace=False, shuffle=SEEDS, batch_size=4)
    assert_sweep_equals_single_runs(sweep, lambda i: gu.train(
        MODELS[model_kind]([w[i] for w in weights]), make_optimizer(lr[i], convention), X, Y, 3, gradient=gradient,
        clip_norm=clip[i[-1]], schedule=schedule, shuffle=int(SEEDS[i[0], 0]), batch_size=4))


def test_a_schedule_clipping_and_adams_step_count_advance_per_update():
    """Full batch, PyTorch's Adam with a schedule and clipping: by hand, one step (t = 1, 2, 3) per epoch, the
    schedule asked with (epoch, 1), the mean gradient clipped as a whole."""
    lr, b1, b2, clip = 0.05, 0.9, 0.999, 100.0
    schedule = lambda epoch, update: 0.5 ** epoch * update  # noqa: E731
    run = gu.train(gu.Linear(), gu.Adam(lr, b1, b2, convention="pytorch"), X, Y, 3, batch_size=29,
                   schedule=schedule, clip_norm=clip)
    theta, m, v = np.array([1.0, 1.0]), np.zeros(2), np.zeros(2)
    for t in (1, 2, 3):
        b, a = theta
        r = a * X + b - Y
        g = np.array([np.mean(2 * r), np.mean(2 * r * X)])
        g *= min(1.0, clip / (np.linalg.norm(g) + 1e-6))
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        theta = theta - lr * 0.5 ** t / (1 - b1 ** t) * m / (np.sqrt(v) / np.sqrt(1 - b2 ** t) + 1e-8)
        assert run.table(t).lr_factor.tolist() == [0.5 ** t] * 29
    np.testing.assert_allclose([run.params["b"], run.params["a"]], theta, rtol=1e-12)
    assert run.state["t"] == 3


# --- bad values ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"shuffle": -1}, "shuffle must be None .* or a seed"), ({"shuffle": 1.5}, "shuffle must be"),
    ({"shuffle": True}, "shuffle must be"), ({"shuffle": "yes"}, "shuffle must be"),
    ({"shuffle": np.array([0, -2])}, "got -2"), ({"shuffle": []}, "shuffle must be"),
    ({"batch_size": 0}, "batch_size must be a whole number of rows from 1 to 29"),
    ({"batch_size": 30}, "from 1 to 29 .*got 30"), ({"batch_size": 2.5}, "batch_size must be"),
    ({"batch_size": None}, "batch_size must be"), ({"batch_size": True}, "batch_size must be"),
    ({"batch_size": np.array([4, 0])}, "got 0"),
])
def test_bad_orders_and_batch_sizes_raise_value_errors_saying_what_is_allowed(options, message):
    with pytest.raises(ValueError, match=message):
        gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 1, **options)


def test_seeds_and_batch_sizes_broadcast_with_the_other_configuration_arrays():
    run = gu.train(gu.Linear(a=np.ones(3)), gu.SGD(np.array([[1e-5], [1e-4]])), X, Y, 2, trace=False,
                   shuffle=np.array([[0], [1]]), batch_size=np.array([1, 4, 29]))
    assert run.epoch_errors.shape == (2, 2, 3)
    single = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 2, shuffle=1, batch_size=4, trace=False)
    np.testing.assert_array_equal(run.epoch_errors[:, 1, 1], single.epoch_errors)
    with pytest.raises(ValueError, match="shape mismatch|broadcast"):
        gu.train(gu.Linear(a=np.ones(3)), gu.SGD(1e-5), X, Y, 1, shuffle=np.arange(4))


# --- outcomes as fractions -------------------------------------------------------------------------------------

def test_outcome_fractions_on_settings_with_a_known_answer():
    line = gu.outcome_fractions(gu.Linear(), gu.SGD(1e-5), X, Y, 27_000, n=12)
    assert line.counts == {"converged": 12, "diverged": 0, "wandering": 0} and line.over == "orders"
    assert line.samples.tolist() == list(range(12))
    low, median, high = line.epoch_spread
    assert low <= median <= high < 27_000
    assert str(line).startswith(f"converged in 12 of 12 shuffled row orders (100%), from epoch {low}-{high}")
    learner = gu.outcome_fractions(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 20)
    assert learner.fractions == {"converged": 0.0, "diverged": 1.0, "wandering": 0.0} and learner.n == 40
    assert learner.epoch_spread is None and "diverged in 40 (100%)" in learner.summary()
    # each sample is the run train gives with its seed
    single = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 20, shuffle=7, trace=False)
    assert learner.run.diverged_at[7] == single.diverged_at and learner.epochs[7] == single.diverged_at[0]


def test_nudges_move_the_start_by_about_the_nudge_and_keep_the_rows_in_order():
    result = gu.outcome_fractions(gu.TwoNeuron(b2=30.0), gu.SGD(5e-5), X, Y, 100, over="nudges", n=8,
                                  nudge=1e-9, seed=3)
    assert result.over == "nudges" and "nudged by about 1e-09" in result.summary()
    for name, start in gu.TwoNeuron(b2=30.0).initial.items():
        moved = np.abs(result.samples[name] - start) / max(abs(float(start)), 1.0)
        assert np.all(moved > 0) and np.all(moved < 1e-8)
    first = gu.train(gu.TwoNeuron(**{name: value[0] for name, value in result.samples.items()}), gu.SGD(5e-5), X, Y,
                     100, trace=False)
    assert first.final_errors == result.final_errors[0]
    assert sum(result.fractions.values()) == 1.0


@settings(max_examples=15, deadline=None, derandomize=True)
@given(lr=st.floats(1e-5, 1.2e-4), over=st.sampled_from(gu.OVER), batch=st.sampled_from([1, 4, 29]))
def test_every_sample_has_exactly_one_outcome(lr, over, batch):
    result = gu.outcome_fractions(gu.TwoNeuron(b2=30.0), gu.SGD(lr), X, Y, 60, over=over, n=6, batch_size=batch)
    assert np.all(result.converged.astype(int) + result.diverged + result.wandering == 1)
    assert sum(result.fractions.values()) == pytest.approx(1.0, abs=1e-15)
    assert np.all((result.epochs > 0) == (result.converged | result.diverged))


def test_a_sample_that_converged_only_at_the_end_is_flagged():
    """Shuffled batches of 4 at the sheet's lr from b2 = 30: the error jumps around 1 for a long time."""
    short = gu.outcome_fractions(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), X, Y, 2000, n=8, batch_size=4)
    late = short.converged & (short.epochs > 1800)
    assert np.array_equal(short.late, late) and late.any()
    assert f"({late.sum()} only in the last tenth of the run)" in short.summary()
    for i in np.flatnonzero(late):  # below tol at the end, above it within the last tenth
        assert np.any(short.run.epoch_errors[1800:, i] >= 1.0) and short.final_errors[i] < 1.0


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2 ** 32), batch=st.integers(1, 29), lr=st.floats(1e-5, 1.5e-4))
def test_any_seed_and_batch_size_compile_to_the_numpy_loops_numbers(seed, batch, lr):
    model = gu.TwoNeuron(w1=np.array([1.0, 0.5]), b2=np.array([[1.0], [30.0]]))
    runs = [gu.train(model, gu.SGD(lr), X, Y, 4, trace=False, shuffle=seed, batch_size=batch, backend=backend)
            for backend in ("auto", "numpy")]
    np.testing.assert_array_equal(runs[0].epoch_errors, runs[1].epoch_errors)
    np.testing.assert_array_equal(runs[0].diverged_step, runs[1].diverged_step)
    np.testing.assert_array_equal(runs[0].diverged_row, runs[1].diverged_row)
    for name in runs[0].params:
        np.testing.assert_array_equal(runs[0].params[name], runs[1].params[name])


@pytest.mark.parametrize("call, message", [
    (lambda: gu.outcome_fractions(gu.Linear(), gu.SGD(1e-4), X, Y, 5, over="seeds"), "over must be one of"),
    (lambda: gu.outcome_fractions(gu.Linear(), gu.SGD(1e-4), X, Y, 5, n=0), "n must be a positive integer"),
    (lambda: gu.outcome_fractions(gu.Linear(a=np.ones(2)), gu.SGD(1e-4), X, Y, 5), "one setting"),
    (lambda: gu.outcome_fractions(gu.Linear(), gu.SGD(1e-4), X, Y, 5, shuffle=3), "draws the shuffle seeds"),
    (lambda: gu.outcome_fractions(gu.Linear(), gu.SGD(1e-4), X, Y, 5, nudge=0), "nudge must be"),
])
def test_outcome_fractions_rejects_what_it_cannot_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- "converged from epoch N" means staying below from N on ---------------------------------------------------

def fake_run(errors, stopped=0):
    errors = np.asarray(errors, dtype=float)
    return SimpleNamespace(epoch_errors=errors, epochs=len(errors), shape=(), stopped_epoch=np.array(stopped),
                           diverged=bool(np.isnan(errors).any() and not stopped),
                           final_errors=float(errors[(stopped or len(errors)) - 1]))


def test_epochs_to_counts_from_where_the_error_stays_below_not_the_first_dip():
    assert gu.epochs_to(fake_run([5, 0.5, 3, 0.8, 0.4])) == 4 and gu.first_below(fake_run([5, 0.5, 3, 0.8, 0.4])) == 2
    assert gu.epochs_to(fake_run([5, 0.5, 3])) == 0 and gu.first_below(fake_run([5, 0.5, 3])) == 2
    assert gu.epochs_to(fake_run([0.5, 0.4, 0.3])) == 1
    assert gu.epochs_to(fake_run([5, 2, 0.9, 0.8, np.nan, np.nan], stopped=4)) == 3  # NaN after a stop is no rise
    # a real run that dips below and rises again before it settles: Adam at lr 0.1 on the learner's model
    run = gu.train(gu.TwoNeuron(), gu.Adam(0.1), X, Y, 60, trace=False)
    tol = float(np.sort(run.epoch_errors)[5])
    below = run.epoch_errors < tol
    if gu.converged(run, tol):
        since = gu.epochs_to(run, tol)
        assert np.all(below[since - 1:]) and not below[since - 2]
    assert gu.first_below(run, tol) == int(np.argmax(below)) + 1


@settings(max_examples=200, deadline=None)
@given(errors=st.lists(st.floats(0, 3), min_size=1, max_size=30), tol=st.floats(0.1, 2.9))
def test_epochs_to_is_the_start_of_the_final_stretch_below_tol(errors, tol):
    since = gu.epochs_to(fake_run(errors), tol)
    below = [error < tol for error in errors]
    if below[-1]:
        assert since >= 1 and all(below[since - 1:]) and (since == 1 or not below[since - 2])
    else:
        assert since == 0
    sweep = SimpleNamespace(epoch_errors=np.array([errors, errors]).T, epochs=len(errors), shape=(2,),
                            stopped_epoch=np.zeros(2, dtype=int), diverged=np.zeros(2, dtype=bool),
                            final_errors=np.array([errors[-1]] * 2))
    assert gu.epochs_to(sweep, tol).tolist() == [since, since]


def test_the_covering_set_meets_every_model_optimizer_convention_and_gradient():
    chosen = covering(COMBINATIONS)
    assert {c[:2] for c in chosen} == {c[:2] for c in COMBINATIONS} and len(chosen) == len({c[:2] for c in chosen})
    for position in (2, 3):
        assert {c[position] for c in chosen} == {c[position] for c in COMBINATIONS}


def test_compile_kernels_covers_the_shuffled_and_batched_sweeps_the_notebooks_use():
    from graddesc import sweeps as kernels

    compiled_before = dict(kernels._specialized)
    kernels._specialized.clear()  # count what compile_kernels asks for on its own (loaded from numba's cache)
    count = kernels.compile_kernels()
    assert count == len(kernels._specialized)  # one specialization per sweep it lists: the binder test's cache hits
    kernels._specialized.update(compiled_before)
    before = len(kernels._specialized)
    for model in (gu.Linear(a=np.ones(3)), gu.TwoNeuron(w1=np.ones(3))):
        for options in ({"shuffle": np.arange(3)}, {"batch_size": np.array([1, 4, 29])},
                        {"shuffle": np.arange(3), "batch_size": 4}):
            gu.train(model, gu.SGD(1e-5), X, Y, 2, trace=False, **options)
    assert len(kernels._specialized) == before  # nothing new to compile

