"""Property tests: every slider position of every interactive, random valid and invalid input to the API.

The suite runs with warnings as errors (pyproject.toml), so any RuntimeWarning or matplotlib warning fails here.
Example budgets are fixed so CI stays fast and deterministic (derandomize=True).
"""
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib._pylab_helpers import Gcf

import graddesc_utils as gu

X, Y = gu.load_data()
FAST = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
API = settings(max_examples=40, deadline=None, derandomize=True)


def slider_values(control):
    """Every value a widget can take, as the browser would send it (on the slider's grid)."""
    if hasattr(control, "options"):
        return st.sampled_from([o[1] if isinstance(o, tuple) else o for o in control.options])
    steps = int(round((control.max - control.min) / control.step))
    if hasattr(control, "base"):
        return st.integers(0, steps).map(lambda k: float(control.base ** (control.min + k * control.step)))
    if isinstance(control.step, int) and isinstance(control.value, int):
        return st.integers(control.min, control.max)
    return st.integers(0, steps).map(lambda k: round(control.min + k * control.step, 10))


def runs_shown(result):
    """The single runs an interactive reports on (a Run, or a dict of labelled Runs)."""
    if isinstance(result, tuple) and result and isinstance(result[0], gu.Run):  # (run, what it derived)
        result = result[0]
    if isinstance(result, gu.Run):
        return {"": result}
    if isinstance(result, dict) and all(isinstance(v, gu.Run) for v in result.values()):
        return result
    return {}


def check_explorer_state(explorer):
    for ax in explorer.fig.axes:
        assert all(math.isfinite(v) for v in ax.get_xlim() + ax.get_ylim()), ax.get_title()
    for label, run in runs_shown(explorer.result).items():
        message = run.divergence_message()
        if run.diverged_at:
            assert message in explorer.text and message in explorer.readout.value, (label, explorer.text)
        else:
            assert f"{label}: diverged" not in explorer.text if label else "diverged" not in explorer.text
    # "diverged at" appears only for runs that did diverge
    shown = re.findall(r"diverged at epoch (\d+), row (\d+)", explorer.text)
    expected = [run.diverged_at for run in runs_shown(explorer.result).values() if run.diverged_at]
    if runs_shown(explorer.result):
        assert sorted((int(e), int(r)) for e, r in shown) == sorted(expected)


@pytest.mark.parametrize("key", list(gu.EXPLORERS))
def test_every_slider_position_of_every_interactive(key):
    explorer = gu.EXPLORERS[key]()
    strategy = st.fixed_dictionaries({name: slider_values(c) for name, c in explorer.controls.items()})

    @FAST
    @given(values=strategy)
    def property_holds(values):
        explorer.set(**values)
        check_explorer_state(explorer)

    property_holds()
    explorer.fig.canvas.draw()  # a full draw of the last state, too
    plt.close(explorer.fig)


@pytest.mark.parametrize("key", ["01", "02", "07"])
def test_slider_extremes_including_zero_and_negative_weights(key):
    explorer = gu.EXPLORERS[key]()
    for name, control in explorer.controls.items():
        if hasattr(control, "options"):
            continue
        for end in ("min", "max"):
            value = getattr(control, end)
            explorer.set(**{name: control.base ** value if hasattr(control, "base") else value})
            check_explorer_state(explorer)
        if not hasattr(control, "base") and control.min < 0 < control.max:
            explorer.set(**{name: 0.0})
            check_explorer_state(explorer)
    explorer.fig.canvas.draw()
    plt.close(explorer.fig)


def test_rerunning_an_interactive_leaves_one_live_figure():
    for factory in gu.EXPLORERS.values():
        first = factory()
        second = factory()
        live = [manager.canvas.figure for manager in Gcf.get_all_fig_managers()]
        assert second.fig in live and first.fig not in live
        assert [figure.get_label() for figure in live].count(second.name) == 1
    plt.close("all")


# ---- the public API -------------------------------------------------------------------------------------------
OPTIMIZERS = {
    "SGD": lambda lr, b1, b2, c: gu.SGD(lr, convention=c),
    "Momentum": lambda lr, b1, b2, c: gu.Momentum(lr, b1, convention=c),
    "RMSProp": lambda lr, b1, b2, c: gu.RMSProp(lr, b2, convention=c),
    "Adam": lambda lr, b1, b2, c: gu.Adam(lr, b1, b2, convention=c),
}
weights = st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 3))
betas = st.floats(0, 0.999, allow_nan=False)


@API
@given(model_kind=st.sampled_from(["linear", "two", "relu"]), w=st.lists(weights, min_size=4, max_size=4),
       lr_exponent=st.floats(-7, 0), optimizer=st.sampled_from(list(OPTIMIZERS)), b1=betas, b2=betas,
       convention=st.sampled_from(gu.CONVENTIONS), epochs=st.integers(1, 3),
       gradient=st.sampled_from(gu.GRADIENTS))
def test_valid_input_gives_finite_results_or_a_reported_divergence(model_kind, w, lr_exponent, optimizer, b1, b2,
                                                                   convention, epochs, gradient):
    model = gu.Linear(w[0], w[1]) if model_kind == "linear" else gu.TwoNeuron(*w, relu=model_kind == "relu")
    run = gu.train(model, OPTIMIZERS[optimizer](10 ** lr_exponent, b1, b2, convention), X, Y, epochs,
                   gradient=gradient)
    if run.diverged_at is None:
        assert np.all(np.isfinite(run.epoch_errors)) and np.all(np.isfinite(list(run.params.values())))
        assert np.all(np.isfinite(run.table(epochs).drop(columns="gradient").to_numpy(float)))
    else:
        epoch, row = run.diverged_at
        assert 1 <= epoch <= epochs and 1 <= row <= len(X)
        assert np.all(np.isfinite(run.epoch_errors[: epoch - 1]))  # NaN only after the reported row's epoch
        assert run.divergence_message() == f"diverged at epoch {epoch}, row {row}"


@API
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), seed=st.integers(0, 1000))
def test_any_configuration_shape_broadcasts_and_nothing_is_mutated(shape, seed):
    rng = np.random.default_rng(seed)
    w1, lr = rng.uniform(-2, 2, size=shape), 10 ** rng.uniform(-6, -3, size=shape[-1:])
    x, y, w1_copy, lr_copy = X.copy(), Y.copy(), w1.copy(), lr.copy()
    run = gu.train(gu.TwoNeuron(w1=w1), gu.Momentum(lr), x, y, 2, trace=False)
    assert run.epoch_errors.shape == (2, *shape) and run.diverged_at.shape == tuple(shape)
    for array, copy in ((x, X), (y, Y), (w1, w1_copy), (lr, lr_copy)):
        np.testing.assert_array_equal(array, copy)
    nan_without_report = np.isnan(run.epoch_errors).any(axis=0) & ~run.diverged
    assert not nan_without_report.any()


BAD_NUMBERS = st.sampled_from([float("nan"), float("inf"), -float("inf")])


@API
@given(bad=BAD_NUMBERS, which=st.sampled_from(["lr", "a", "w1", "beta", "fd_step"]))
def test_nan_and_inf_are_rejected_naming_the_argument(bad, which):
    calls = {"lr": lambda: gu.SGD(bad), "a": lambda: gu.Linear(a=bad), "w1": lambda: gu.TwoNeuron(w1=bad),
             "beta": lambda: gu.Momentum(1e-4, beta=bad),
             "fd_step": lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, fd_step=bad)}
    with pytest.raises(ValueError, match=rf"^{which} must be .*; got a NaN or infinite value"):
        calls[which]()


@API
@given(lr=st.floats(-10, 0, allow_nan=False))
def test_non_positive_learning_rates_are_rejected(lr):
    with pytest.raises(ValueError, match=r"lr must be a finite learning rate > 0"):
        gu.SGD(lr)


@API
@given(beta=st.one_of(st.floats(-5, -1e-9), st.floats(1, 5)), kind=st.sampled_from(["Momentum", "RMSProp", "Adam"]))
def test_betas_outside_zero_one_are_rejected(beta, kind):
    name = {"Momentum": "beta", "RMSProp": "beta", "Adam": "beta1"}[kind]
    with pytest.raises(ValueError, match=rf"{name} must be a number in \[0, 1\); got"):
        getattr(gu, kind)(1e-3, beta)


@API
@given(epochs=st.one_of(st.integers(-5, 0), st.floats(0.5, 3.5), st.just("2"), st.just(True)))
def test_epochs_must_be_a_positive_integer(epochs):
    with pytest.raises((ValueError, TypeError), match="epochs must be a positive integer"):
        gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, epochs)
    with pytest.raises((ValueError, TypeError), match="epochs must be a positive integer"):
        gu.replay("basic", epochs)


@API
@given(n=st.integers(0, 40))
def test_data_lengths_and_shapes(n):
    if n != len(X):
        with pytest.raises(ValueError, match="x and y must have the same length|x is empty"):
            gu.train(gu.Linear(), gu.SGD(1e-4), np.resize(X, n), Y)
    with pytest.raises(ValueError, match="x and y must be 1-D"):
        gu.train(gu.Linear(), gu.SGD(1e-4), np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize("call, pattern", [
    (lambda: gu.replay("spreadsheet"), r"sheet must be one of 'basic', 'momentum', 'rmsprop', 'adam', 'adam_ann'"),
    (lambda: gu.SGD(1e-4, convention="torch"), r"convention must be one of 'sheet', 'pytorch'; got 'torch'"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, gradient="numeric"),
     r"gradient must be one of 'analytic', 'finite_difference'"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, fd_step=0), r"fd_step must be a finite step > 0; got 0.0"),
    (lambda: gu.replay("basic", lr=0), r"lr must be a finite learning rate > 0"),
    (lambda: gu.replay("basic", start=gu.replay("momentum")), r"it can only continue the same sheet"),
    (lambda: gu.replay("basic").table(epoch=2), r"epoch must be between 1 and 1"),
    (lambda: gu.train(gu.Linear(a=np.ones(3)), gu.SGD(1e-4), X, Y, trace=True).table(),
     r"pass index=\(...\) to pick one"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, trace=False).table(), r"trace=False"),
    (lambda: gu.quadratic_stability_bound("Adam"), r"optimizer_name must be 'SGD' or 'Momentum'"),
])
def test_unknown_names_and_misuse_say_what_is_allowed(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("call, pattern", [
    (lambda: gu.Linear(a="1"), r"a must be a finite number, not str"),
    (lambda: gu.SGD(None), r"lr must be a finite learning rate > 0 .*, not NoneType"),
    (lambda: gu.train("linear", gu.SGD(1e-4), X, Y), r"model must be a Linear or TwoNeuron"),
    (lambda: gu.train(gu.Linear(), "sgd", X, Y), r"optimizer must be SGD, Momentum, RMSProp or Adam"),
    (lambda: gu.TwoNeuron(relu="yes"), r"relu must be True or False"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), ["a"] * 29, Y), r"x must be finite numbers"),
])
def test_wrong_types_raise_type_error_naming_the_argument(call, pattern):
    with pytest.raises(TypeError, match=pattern):
        call()


@FAST
@given(errors=st.lists(st.one_of(st.floats(1e-3, 1e9), st.just(float("nan"))), min_size=1, max_size=12),
       epoch=st.integers(1, 13))
def test_a_divergence_mark_sits_at_its_epoch_on_the_last_value_shown_before_it(errors, epoch):
    from graddesc.plots import divergence_mark

    assert divergence_mark(errors, None) == ([], [])
    xs, ys = divergence_mark(errors, (epoch, 29), ceiling=1e8)
    before = [value for value in errors[:epoch - 1] if math.isfinite(value)]
    assert xs == [epoch] and ys == [before[-1] if before else 1e8]



def _stability_edge_whole_scan(model, params, low, high, ratio):
    """stability_edge as first written: the epoch map of every fit at every lr of the scan at once, then the same
    bisection; the reference for the chunked scan that skips fits already found unstable."""
    from graddesc import epoch_map
    q = epoch_map._off_flat(model, params, X)
    scan = np.geomspace(low, high, int(np.ceil(np.log(high / low) / np.log(ratio))) + 1)
    unstable = epoch_map.epoch_map_radius(model, params, scan, _q=q[..., None, :]) > epoch_map.STABLE
    first_unstable = np.where(unstable.any(axis=-1), unstable.argmax(axis=-1), len(scan))
    inside = scan[np.maximum(first_unstable - 1, 0)]
    outside = scan[np.minimum(first_unstable, len(scan) - 1)]
    for _ in range(40):
        middle = np.sqrt(inside * outside)
        ok = epoch_map.epoch_map_radius(model, params, middle, _q=q) <= epoch_map.STABLE
        inside, outside = np.where(ok, middle, inside), np.where(ok, outside, middle)
    return np.where(first_unstable == 0, 0.0, np.where(first_unstable == len(scan), high, inside))


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.integers(1, 40), st.integers(0, 2 ** 32 - 1), st.sampled_from([1.002, 1.05]), st.booleans())
def test_stability_edge_in_chunks_equals_the_whole_scan(n_fits, seed, ratio, grid):
    """stability_edge scans in chunks sized to a memory budget, each only for the fits still stable: any chunk
    (1 lr, the budget's) gives exactly the edges of the whole scan at once, for one fit, a row or a grid of them."""
    from graddesc import epoch_map
    rng = np.random.default_rng(seed)
    shape = (n_fits, 2) if grid else (n_fits,)
    fits = gu.exact_fit(rng.choice([-1, 1], shape) * 10 ** rng.uniform(-1, 1, shape), rng.uniform(-20, 20, shape))
    model = gu.TwoNeuron()
    whole = _stability_edge_whole_scan(model, fits, 1e-6, 1e-3, ratio)
    for budget in (1, epoch_map._SCAN_ELEMENTS):
        saved, epoch_map._SCAN_ELEMENTS = epoch_map._SCAN_ELEMENTS, budget
        try:
            assert np.array_equal(epoch_map.stability_edge(model, fits, low=1e-6, high=1e-3, ratio=ratio), whole)
        finally:
            epoch_map._SCAN_ELEMENTS = saved
    one = {k: v.flat[0] for k, v in fits.items()}
    assert epoch_map.stability_edge(model, one, low=1e-6, high=1e-3, ratio=ratio) == whole.flat[0]
    line = {"a": rng.uniform(-5, 5, n_fits), "b": rng.uniform(-50, 50, n_fits)}
    assert np.array_equal(epoch_map.stability_edge(gu.Linear(), line, low=1e-6, high=1e-3, ratio=ratio),
                          _stability_edge_whole_scan(gu.Linear(), line, 1e-6, 1e-3, ratio))
