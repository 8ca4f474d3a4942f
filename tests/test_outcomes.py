"""Convergence, not survival: converged, epochs_to, the classes of a convergence map, and the honesty of the early
stop the maps rely on."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graddesc_utils as gu

X, Y = gu.load_data()
CONVERGED, DIVERGED, TRAINING, STUCK = (gu.OUTCOMES.index(name) for name in gu.OUTCOMES)


def test_converged_and_epochs_to_for_single_runs():
    calm = gu.train(gu.TwoNeuron(), gu.SGD(6e-5), X, Y, 400, trace=False)
    first = int(np.argmax(calm.epoch_errors < 1)) + 1
    assert gu.converged(calm) is True and gu.epochs_to(calm) == first and calm.epoch_errors[first - 2] >= 1
    assert gu.converged(calm, tol=1e-30) is False and gu.epochs_to(calm, tol=1e-30) == 0
    exploding = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 3, trace=False)
    assert gu.converged(exploding) is False and gu.epochs_to(exploding) == 0
    crawling = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 10)
    assert gu.converged(crawling) is False and gu.epochs_to(crawling, tol=200) == 1


def test_converged_and_epochs_to_for_sweeps_match_single_runs():
    lrs = np.array([3e-5, 6e-5, 1e-4, 1e-6])
    sweep = gu.train(gu.TwoNeuron(w1=np.ones(4)), gu.SGD(lrs), X, Y, 500, trace=False, stop_below=1.0)
    for i, lr in enumerate(lrs):
        single = gu.train(gu.TwoNeuron(), gu.SGD(lr), X, Y, 500, trace=False)
        assert gu.converged(sweep)[i] == gu.converged(single)
        assert gu.epochs_to(sweep)[i] == gu.epochs_to(single)
    assert gu.converged(sweep).tolist() == [True, True, False, False]


def test_a_map_names_every_class():
    result = gu.convergence_map(7e-5, 500, w1=np.linspace(-3, 3, 31), w2=np.linspace(-3, 3, 31))
    counts = result.counts()
    assert counts["converged"] > 0 and counts["diverged"] > 0 and counts["stuck on a constant"] == 1
    assert sum(counts.values()) == 31 * 31
    assert result.outcome[15, 15] == STUCK  # w1 = w2 = 0: the saddle
    diverged = result.outcome == DIVERGED
    np.testing.assert_array_equal(result.epoch[diverged], result.run.diverged_epoch[diverged])
    done = result.outcome == CONVERGED
    assert np.all(result.final_error[done] < 1) and np.all(result.epoch[done] > 0)
    still = gu.convergence_map(1e-5, 100, w1=np.array([1.0]), w2=np.array([1.0]), b1=1.0, b2=1.0)
    assert still.outcome[0, 0] == TRAINING and still.describe().startswith("100 epochs: 1 still training")


def test_a_dead_relu_is_stuck_on_a_constant():
    result = gu.convergence_map(1e-4, 30, w1=np.array([1.0]), w2=np.array([1.0]), b1=1.0, b2=1.0, relu=True)
    assert result.outcome[0, 0] == STUCK


MAP = gu.explore_convergence_map.__defaults__[0]  # the explorer's epochs
LR_GRID = 10 ** np.arange(-5, -3.7 + 1e-9, 0.05)


def classes_with_and_without_stopping(lr, b1, b2):
    stopped = gu.convergence_map(lr, MAP, b1=b1, b2=b2)
    grid_w1, grid_w2 = np.meshgrid(stopped.w1, stopped.w2, indexing="ij")
    full = gu.train(gu.TwoNeuron(grid_w1, b1, grid_w2, b2), gu.SGD(lr), X, Y, MAP, trace=False)
    return stopped, gu.classify(full, stopped.w1, stopped.w2)


@pytest.mark.parametrize("b2", [0.0, 30.0])
def test_stopping_early_never_changes_a_class_on_the_explorers_lr_grid(b2):
    """The live map lets a start stop once its error has been below 1 and falling for 20 epochs. Every start of
    the map, at every lr the slider offers (b1 = 0), ends in the same class as when it runs all its epochs."""
    stops = 0
    for lr in LR_GRID:
        stopped, full = classes_with_and_without_stopping(lr, 0.0, b2)
        stops += int((stopped.run.stopped_epoch > 0).sum())
        np.testing.assert_array_equal(stopped.outcome, full.outcome, err_msg=f"lr {lr:.3g}, b2 {b2}")
    assert stops > 10_000  # the early stop really happened, on many starts


@settings(max_examples=6, deadline=None, derandomize=True)
@given(lr=st.sampled_from(list(LR_GRID)), b1=st.sampled_from(list(np.arange(-3, 3.01, 0.5))),
       b2=st.sampled_from([0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]))
def test_stopping_early_never_changes_a_class_at_other_slider_settings(lr, b1, b2):
    stopped, full = classes_with_and_without_stopping(lr, b1, b2)
    np.testing.assert_array_equal(stopped.outcome, full.outcome)


def test_the_explorer_slider_grid_is_the_one_tested():
    explorer = gu.explore_convergence_map()
    lr = explorer.controls["lr"]
    np.testing.assert_allclose(10 ** np.arange(lr.min, lr.max + 1e-9, lr.step), LR_GRID)
    assert lr.continuous_update  # redrawn while dragging
    pixels, text, coarse = explorer.result
    assert not coarse  # a static canvas (and so every stored figure) shows the full map, never the preview
    full = gu.convergence_map(lr.value, 500)
    assert pixels.shape == (121, 121, 4) and full.outcome.size == 14641 and MAP == 500 >= 300
    assert text == full.describe() and text in explorer.text
    np.testing.assert_array_equal(pixels, np.round(gu.convergence_colours(full) * 255))


def test_the_map_row_is_prefetched_and_follows_b1_and_b2():
    import time

    from graddesc import explore_maps

    explorer = gu.explore_convergence_map(epochs=20, prefetch=False)  # a static canvas: nothing in the background
    controls = explorer.controls
    explore_maps.prefetch_lr_row(controls, 20)

    def row_ready(b1, b2):
        keys = {(float(f"{lr:.10g}"), b1, b2, 20, False) for lr in LR_GRID}
        deadline = time.monotonic() + 60
        while not keys <= explore_maps.MAP_PICTURES.keys() and time.monotonic() < deadline:
            time.sleep(0.05)
        return keys <= explore_maps.MAP_PICTURES.keys()

    assert row_ready(0.0, 0.0)
    controls["b2"].value = 30.0
    assert row_ready(0.0, 30.0)
    pixels, text, _ = explore_maps.map_picture(LR_GRID[-1], 0.0, 30.0, 20)  # from the cache, as the direct one
    assert text == gu.convergence_map(float(f"{LR_GRID[-1]:.10g}"), 20, b2=30.0).describe()


def test_while_dragging_the_map_is_a_labelled_coarse_preview_refined_when_the_slider_rests():
    import time

    from graddesc import explore_maps
    from graddesc.outcomes import GRID

    explorer = gu.explore_convergence_map(epochs=20, prefetch=False, preview=True)
    explore_maps.MAP_PICTURES.clear()
    explorer.set(lr=LR_GRID[3])
    pixels, text, coarse = explorer.result
    quarter = gu.convergence_map(LR_GRID[3], 20, w1=GRID[::2], w2=GRID[::2])
    assert coarse and pixels.shape == (61, 61, 4) and text == quarter.describe()
    assert "coarse preview" in explorer.text  # said on the readout, and on the figure:
    assert any("coarse preview" in artist.get_text() for artist in explorer.fig.axes[0].texts)
    deadline = time.monotonic() + 30  # the slider rests: the timer refines it to the full map
    while explorer.result[2] and time.monotonic() < deadline:
        time.sleep(0.05)
    pixels, text, coarse = explorer.result
    assert not coarse and pixels.shape == (121, 121, 4)
    assert text == gu.convergence_map(LR_GRID[3], 20).describe() and "coarse" not in explorer.text
    assert not any(artist.get_text() for artist in explorer.fig.axes[0].texts)
    explorer.set(lr=LR_GRID[3] * 1.0)  # a map already computed is drawn in full at once
    assert not explorer.result[2]


@pytest.mark.parametrize("call, message", [
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, stop_below=0), "stop_below must be a sheet error > 0"),
    (lambda: gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, stop_below=float("nan")), "stop_below must be"),
])
def test_bad_stop_values_say_what_is_allowed(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_verdict_names_each_outcome_with_its_evidence():
    exploding = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 3, trace=False)
    assert gu.verdict(exploding) == f"diverged at epoch {exploding.diverged_at[0]}, row {exploding.diverged_at[1]}"
    calm = gu.train(gu.TwoNeuron(), gu.SGD(6e-5), X, Y, 400, trace=False)
    assert gu.verdict(calm) == f"converged (below 1 from epoch {gu.epochs_to(calm)})"
    crawling = gu.train(gu.Linear(), gu.SGD(1e-4), X, Y, 10, trace=False)
    assert gu.verdict(crawling) == f"still training (error {crawling.final_errors:.3g} after 10 epochs)"
    # a dead ReLU predicts b2 on every row: stuck on a constant, however long it runs
    dead = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), X, Y, 50, trace=False)
    assert gu.verdict(dead).startswith("stuck on a constant")
    # a run that dips below tol and leaves again says so: Adam at lr 0.1 rattles around the fits
    rattling = gu.train(gu.TwoNeuron(), gu.Adam(0.1), X, Y, 40, trace=False)
    tol = float(np.nanmin(rattling.epoch_errors)) + 1.0
    dipped = gu.first_below(rattling, tol)
    assert 0 < dipped < 40 and rattling.final_errors > tol
    assert gu.verdict(rattling, tol=tol).endswith(f"; below {tol:g} at epoch {dipped}, not at the end)")


def test_verdict_on_standardized_data_speaks_the_sheets_units():
    xs, ys, _ = gu.standardize(X, Y)
    run = gu.train(gu.TwoNeuron(), gu.SGD(0.01), xs, ys, 10, trace=False)
    sd = Y.std()
    assert gu.verdict(run, scale=sd) == f"converged (below 1 from epoch {gu.epochs_to(run, 1 / sd)})"
    assert gu.epochs_to(run, 1 / sd) > gu.epochs_to(run, 1)  # the sheet's tolerance is the stricter one here
    with pytest.raises(ValueError, match="one configuration"):
        gu.verdict(gu.train(gu.TwoNeuron(w1=np.ones(2)), gu.SGD(1e-5), X, Y, 2, trace=False))


def largest_off_flat_eigenvalue(params, lr):
    """The oracle: the full 4 x 4 epoch map of the 2-neuron model at a fit, without its two eigenvalues at 1."""
    theta = [np.asarray(float(params[n])) for n in gu.TwoNeuron().names]
    full = np.eye(4)
    for xi in X:
        g = np.array([float(v) for v in gu.TwoNeuron().pred_gradient(theta, xi)])
        full = (np.eye(4) - 2 * lr * np.outer(g, g)) @ full
    sizes = np.sort(np.abs(np.linalg.eigvals(full)))
    return np.delete(sizes, np.argsort(np.abs(sizes - 1))[:2]).max()


def test_settled_tells_a_stable_fit_from_one_held_by_rounding():
    stable_fit, unstable_fit, training, diverged = gu.SETTLED
    on_fit = gu.train(gu.TwoNeuron(1.0, 0.0, 2.0, 30.0), gu.SGD(1e-4), X, Y, 5, trace=False)  # residuals exactly 0
    assert gu.converged(on_fit) and gu.settled(on_fit, 1e-4) == unstable_fit
    assert largest_off_flat_eigenvalue(on_fit.params, 1e-4) > 1
    assert gu.settled(on_fit, 5e-5) == stable_fit and largest_off_flat_eigenvalue(on_fit.params, 5e-5) < 1
    landed = gu.train(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), X, Y, 3000, trace=False)
    assert gu.settled(landed, 1e-4) == stable_fit and largest_off_flat_eigenvalue(landed.params, 1e-4) < 1
    assert gu.settled(gu.train(gu.TwoNeuron(), gu.SGD(1e-4), X, Y, 3, trace=False), 1e-4) == diverged
    assert gu.settled(gu.train(gu.TwoNeuron(), gu.SGD(1e-5), X, Y, 10, trace=False), 1e-5) == training
    with pytest.raises(ValueError, match="one configuration"):
        gu.settled(gu.train(gu.TwoNeuron(w1=np.ones(2)), gu.SGD(1e-5), X, Y, 2, trace=False), 1e-5)


def _epochs_to_whole_array(run, tol):
    """epochs_to as the whole epochs x configurations formula (its first form), to check the blockwise scan."""
    errors = np.asarray(run.epoch_errors).reshape((run.epochs,) + run.shape)
    epoch = np.arange(1, run.epochs + 1).reshape((run.epochs,) + (1,) * len(run.shape))
    last = np.where(run.stopped_epoch > 0, run.stopped_epoch, run.epochs)
    with np.errstate(invalid="ignore"):
        above = ~(errors < tol) & (epoch <= last)
    since = np.where(gu.converged(run, tol), np.where(above, epoch, 0).max(axis=0) + 1, 0)
    return int(since) if since.ndim == 0 else since


def _first_below_whole_array(run, tol):
    with np.errstate(invalid="ignore"):
        below = np.asarray(run.epoch_errors) < tol
    first = np.where(below.any(axis=0), below.argmax(axis=0) + 1, 0)
    return int(first) if first.ndim == 0 else first


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(1, 40), st.integers(0, 2 ** 32 - 1), st.floats(0.05, 0.95),
       st.floats(0.0, 0.3), st.booleans())
def test_blockwise_epochs_to_and_first_below_equal_the_whole_array_formulas(epochs, configs, seed, p_below,
                                                                          p_nan, single):
    """Random error histories (dips below tol, climbs back, NaNs, early stops, divergence): the blockwise scans
    give exactly what the epochs x configurations formulas give, for sweeps and single runs."""
    from types import SimpleNamespace
    rng = np.random.default_rng(seed)
    shape = () if single else (configs,)
    errors = np.where(rng.random((epochs,) + shape) < p_below, 0.5, 2.0)
    errors[rng.random(errors.shape) < p_nan] = np.nan
    stopped = np.where(rng.random(shape) < 0.5, rng.integers(1, epochs + 1, shape), 0)
    final = np.take_along_axis(errors.reshape(epochs, -1), (np.where(stopped > 0, stopped, epochs) - 1)
                               .reshape(1, -1), axis=0).reshape(shape)
    run = SimpleNamespace(epoch_errors=errors, epochs=epochs, shape=shape, stopped_epoch=stopped,
                          diverged=rng.random(shape) < 0.2, final_errors=final)
    new, old = gu.epochs_to(run), _epochs_to_whole_array(run, 1.0)
    assert type(new) is type(old) and np.array_equal(new, old)
    new, old = gu.first_below(run), _first_below_whole_array(run, 1.0)
    assert type(new) is type(old) and np.array_equal(new, old)


def test_blockwise_epochs_to_equals_the_whole_array_formula_on_a_map():
    result = gu.convergence_map(5e-5, 400, w1=np.linspace(-3, 3, 25), w2=np.linspace(-3, 3, 25))
    for tol in (1.0, 5.0, 100.0):
        assert np.array_equal(gu.epochs_to(result.run, tol), _epochs_to_whole_array(result.run, tol))
        assert np.array_equal(gu.first_below(result.run, tol), _first_below_whole_array(result.run, tol))
    assert (gu.epochs_to(result.run) > 64).any()  # the scan crossed more than one block


def test_the_prefetch_waits_while_a_slider_moves_and_uses_one_core():
    import threading
    import time

    from graddesc import explore_maps, sweeps

    explore_maps.MAP_PICTURES.clear()
    explorer = gu.explore_convergence_map(epochs=20, prefetch=False)
    explore_maps.prefetch_lr_row(explorer.controls, 20)
    visited = set()
    deadline = time.monotonic() + 1.0
    k = 0
    while time.monotonic() < deadline:  # a drag: a move every 50 ms, the prefetch must not add a map meanwhile
        lr = LR_GRID[k % 4]
        explorer.set(lr=lr)
        visited.add(float(f"{lr:.10g}"))
        assert {key[0] for key in explore_maps.MAP_PICTURES} <= visited | {float(f"{5e-5:.10g}")}
        time.sleep(0.05)
        k += 1
    deadline = time.monotonic() + 60  # the slider rests: the prefetch fills the row
    while len(explore_maps.MAP_PICTURES) < len(LR_GRID) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(explore_maps.MAP_PICTURES) >= len(LR_GRID)
    seen = []
    worker = threading.Thread(target=lambda: (sweeps.limit_cores(1), seen.append(sweeps._this_thread.cores)))
    worker.start()
    worker.join()
    assert seen == [1] and getattr(sweeps._this_thread, "cores", sweeps.THREADS) == sweeps.THREADS
