"""One source of truth for the arithmetic: compiled sweeps equal traced single runs of the numpy loop, bit for bit.

Every model (linear, 2 neurons, ReLU, leaky ReLU) x optimizer (SGD, momentum, RMSProp, Adam, annealed Adam) x
convention x gradient, on random configurations that include diverging ones; then clipping, schedules and the
early stop. Each compiled combination is built once (about 2 s) and cached by numba.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graddesc_utils as gu
from graddesc.engine import STOP_PATIENCE

X, Y = gu.load_data()
MODELS = {
    "linear": lambda w: gu.Linear(a=w[0], b=w[1] * 10),
    "two neurons": lambda w: gu.TwoNeuron(w[0], w[1], w[2], w[3]),
    "relu": lambda w: gu.TwoNeuron(w[0], w[1] * 10, w[2], w[3], relu=True),
    "leaky": lambda w: gu.TwoNeuron(w[0], w[1] * 10, w[2], w[3], relu=True, leak=0.05),
}
OPTIMIZERS = {  # lr ranges from calm to diverging, for the sheet's x
    "SGD": (lambda lr, convention: gu.SGD(lr, convention=convention), (-6.5, -3.5)),
    "momentum": (lambda lr, convention: gu.Momentum(lr, 0.8, convention=convention), (-6.5, -3.5)),
    "RMSProp": (lambda lr, convention: gu.RMSProp(lr, 0.85, convention=convention), (-3, 0.5)),
    "Adam": (lambda lr, convention: gu.Adam(lr, 0.8, 0.95, convention=convention), (-3, 0.5)),
    "annealed Adam": (lambda lr, convention: gu.Adam(lr, 0.9, 0.95, convention=convention, anneal=True), (-2, 0.5)),
}
COMBINATIONS = [c for c in itertools.product(MODELS, OPTIMIZERS, gu.CONVENTIONS, gu.GRADIENTS)
                if not (c[1] == "SGD" and c[2] == "pytorch")]  # SGD is one formula in both conventions
SHAPE = (3, 4)
EXACT = settings(max_examples=2, deadline=None, derandomize=True)


def random_configurations(seed, lr_range):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-2.5, 2.5, size=(4,) + SHAPE)
    lr = 10 ** rng.uniform(*lr_range, size=SHAPE)
    return weights, lr


def assert_sweep_equals_single_runs(sweep, make_single):
    """Every configuration of the compiled sweep against its own traced single run (the numpy loop)."""
    assert sweep.history is None  # the sweep really ran compiled (trace=False)
    for index in np.ndindex(sweep.shape):
        single = make_single(index)
        assert single.history is not None
        np.testing.assert_array_equal(sweep.epoch_errors[(slice(None),) + index], single.epoch_errors)
        assert sweep.diverged_at[index] == single.diverged_at
        assert sweep.stopped_epoch[index] == single.stopped_epoch
        for name in single.params:
            np.testing.assert_array_equal(sweep.params[name][index], single.params[name])


@pytest.mark.parametrize("model_kind, optimizer_kind, convention, gradient", COMBINATIONS,
                         ids=lambda value: str(value).replace(" ", "-"))
@EXACT
@given(seed=st.integers(0, 10_000))
def test_a_compiled_sweep_equals_traced_single_runs_bit_for_bit(model_kind, optimizer_kind, convention, gradient,
                                                                seed):
    make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
    weights, lr = random_configurations(seed, lr_range)
    sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, gradient=gradient,
                     trace=False)
    assert_sweep_equals_single_runs(sweep, lambda i: gu.train(
        MODELS[model_kind]([w[i] for w in weights]), make_optimizer(lr[i], convention), X, Y, 3,
        gradient=gradient))


def test_the_random_configurations_cover_both_outcomes():
    """The property above is only as good as its inputs: they include runs that diverge and runs that do not."""
    outcomes = set()
    for model_kind, optimizer_kind in itertools.product(MODELS, OPTIMIZERS):
        make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
        weights, lr = random_configurations(1, lr_range)
        sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, "sheet"), X, Y, 3, trace=False)
        outcomes.update(bool(d) for d in sweep.diverged.ravel())
    assert outcomes == {True, False}


@pytest.mark.parametrize("model_kind, optimizer_kind, convention, gradient", [
    ("two neurons", "SGD", "sheet", "analytic"), ("relu", "Adam", "pytorch", "finite_difference"),
    ("linear", "momentum", "sheet", "analytic"), ("leaky", "RMSProp", "pytorch", "analytic")])
def test_clipping_and_a_schedule_compile_to_the_same_numbers(model_kind, optimizer_kind, convention, gradient):
    make_optimizer, lr_range = OPTIMIZERS[optimizer_kind]
    weights, lr = random_configurations(5, lr_range)
    clip = np.geomspace(1, 1e4, 4)  # per configuration, broadcast along the last axis
    schedule = gu.one_cycle(3, len(X))
    sweep = gu.train(MODELS[model_kind](weights), make_optimizer(lr, convention), X, Y, 3, gradient=gradient,
                     clip_norm=clip, schedule=schedule, trace=False)
    assert_sweep_equals_single_runs(sweep, lambda i: gu.train(
        MODELS[model_kind]([w[i] for w in weights]), make_optimizer(lr[i], convention), X, Y, 3, gradient=gradient,
        clip_norm=clip[i[-1]], schedule=schedule))


def first_calm_epoch(errors, tol):
    """The rule of train's stop_below, written out: the first epoch ending STOP_PATIENCE epochs in a row below tol,
    each lower than the one before (0 if none)."""
    calm, previous = 0, np.inf
    for epoch, error in enumerate(errors, start=1):
        calm = calm + 1 if error < tol and error < previous else 0
        previous = error
        if calm >= STOP_PATIENCE:
            return epoch
    return 0


EARLY_STOP = {  # runs that stop (below 1), run on, and diverge; ~330-550 epochs
    "two neurons": (lambda: gu.TwoNeuron(), np.array([4e-5, 6e-5, 1e-4]), 400),
    "linear": (lambda: gu.Linear(a=np.array([1.0, 2.0, 1.0]), b=np.array([1.0, 25.0, 29.0])),
               np.array([3e-4, 3e-4, 4e-4]), 600),
}


@pytest.mark.parametrize("model_kind", EARLY_STOP)
def test_the_early_stop_reports_when_and_where_a_configuration_stopped(model_kind):
    make_model, lr, epochs = EARLY_STOP[model_kind]
    sweep = gu.train(make_model(), gu.SGD(lr), X, Y, epochs, stop_below=1.0, trace=False)
    full = gu.train(make_model(), gu.SGD(lr), X, Y, epochs, trace=False, backend="numpy")
    assert sweep.history is None and 0 < (sweep.stopped_epoch > 0).sum() < len(lr)
    for c in range(len(lr)):
        stop = sweep.stopped_epoch[c]
        if stop:  # stopped where the rule first holds, with the weights of that moment, NaN after
            assert stop == first_calm_epoch(full.epoch_errors[:, c], 1.0)
            np.testing.assert_array_equal(sweep.epoch_errors[:stop, c], full.epoch_errors[:stop, c])
            assert np.all(np.isnan(sweep.epoch_errors[stop:, c]))
            assert sweep.final_errors[c] == full.epoch_errors[stop - 1, c]
        else:
            np.testing.assert_array_equal(sweep.epoch_errors[:, c], full.epoch_errors[:, c])
            assert sweep.diverged_at[c] == full.diverged_at[c]
    stopped = int(np.flatnonzero(sweep.stopped_epoch)[0])
    model = make_model()
    single = gu.train(type(model)(**{n: np.asarray(v)[stopped] if np.ndim(v) else v for n, v in model.params().items()}),
                      gu.SGD(lr[stopped]), X, Y, epochs, stop_below=1.0)
    assert single.stopped_epoch == sweep.stopped_epoch[stopped]
    assert [single.params[n] for n in single.params] == [sweep.params[n][stopped] for n in sweep.params]


def test_replay_and_traced_runs_still_use_the_numpy_loop():
    assert gu.replay("basic").history is not None
    assert gu.train(gu.Linear(), gu.SGD(1e-4), X, Y).history is not None


def test_a_diverged_configuration_reports_nothing_after_its_divergence():
    sweep = gu.train(gu.TwoNeuron(), gu.SGD(np.array([1e-4, 3e-5])), X, Y, 3, trace=False)
    assert sweep.diverged_at[0] == (1, 28) and sweep.diverged_at[1] is None
    assert np.all(np.isnan(sweep.epoch_errors[:, 0])) and np.all(np.isfinite(sweep.epoch_errors[:, 1]))
    assert np.isnan(sweep.params["w1"][0]) and np.isnan(sweep.final_errors[0])
