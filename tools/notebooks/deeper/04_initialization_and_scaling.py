# %% [markdown]
# # 04 · What initialization can buy, and what input scaling fixes
#
# The learner tried better initial weights and "bought one more epoch". Is there a starting point that really
# *trains* at the sheet's learning rate, and not just survives a little longer? This notebook follows thousands of
# starting points for hundreds of epochs and asks of each one: did it **converge** (sheet error below 1), did it
# **diverge** (and when), is it **still training**, or is it **stuck** on a model that predicts the same for every
# row? Then it shows the fix that works from any start: rescaling x.
#
# Every map below is **one** call to `gu.train` over 14,641 starts, run by the compiled sweep (`graddesc/kernels.py`,
# the same arithmetic as the step-by-step engine, bit for bit). A start may stop early once its error has been
# below the tolerance and falling for 20 epochs; a test checks that this never changes a start's class on these
# maps (`tests/test_outcomes.py`). The maps are drawn by `gu.draw_convergence_map` in `graddesc/plots.py`.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## 1 · The trap: surviving is not training
#
# Take 61 × 61 starts, w1 and w2 in [−3, 3], both biases 0, and count at several learning rates how many survive
# 5 epochs, how many survive 20, and what becomes of all of them within 500 epochs:

# %%
grid = np.linspace(-3, 3, 61)
rows = []
for lr in [1e-5, 3e-5, 5e-5, 7e-5, 1e-4]:
    counts = gu.convergence_map(lr, 500, w1=grid, w2=grid).counts()
    rows.append({"lr": lr,
                 "survive 5 epochs": int(gu.survival_counts([lr], grid, grid, epochs=5)[0]),
                 "survive 20 epochs": int(gu.survival_counts([lr], grid, grid, epochs=20)[0]),
                 **{f"{name} (500 epochs)": count for name, count in counts.items()}})
survival = pd.DataFrame(rows)
survival

# %% [markdown]
# At the sheet's lr = 1e-4, 35 starts survive 5 epochs, and a learner counting survivors would call that a
# surviving band. After 20 epochs one is left, and it is not training: it is the start w1 = w2 = 0, where the
# gradients of w1 and w2 are both zero and stay zero (de/dw1 = 2r·w2·x, de/dw2 = 2r·h with h = b1 = 0). Only b2
# moves, towards the mean of y: the run is stuck on constant models and ends at a **saddle** of the error, the
# constant (0, 0, 0, mean y). None of the 3,721 starts converges at 1e-4.
#
# At 7e-5 the gap is starker: 1,339 survive 5 epochs, 682 survive 20, and only 279 converge. Survival counts
# anything not dead yet; the question is where training ends.

# %%
at_sheet_lr = survival.set_index("lr").loc[1e-4]
saddle = gu.convergence_map(1e-4, 500, w1=np.array([0.0]), w2=np.array([0.0]))
print("lr 1e-4: survive 20 epochs:", int(at_sheet_lr["survive 20 epochs"]), "| converged:",
      int(at_sheet_lr["converged (500 epochs)"]))
print("the start w1 = w2 = 0:", gu.OUTCOMES[int(saddle.outcome[0, 0])], "| its weights after 500 epochs:",
      {name: round(float(value[0, 0]), 3) for name, value in saddle.run.params.items()})

# %% [markdown]
# ## 2 · Convergence maps
#
# Now 121 × 121 starts, 500 epochs each, biases 0. Green: converged (dark: in few epochs); red: diverged (dark:
# early); blue: still training after 500 epochs (dark: still far off); black: stuck on a constant.

# %%
fig, axes = gu.figure(2, nrows=2, width=9, height=6.4, sharex=True, sharey=True)
for ax, lr in zip(axes, [1e-5, 3e-5, 5e-5, 7e-5]):
    result = gu.convergence_map(lr, 500)
    gu.draw_convergence_map(ax, result, legend=ax is axes[1])
    counts = result.counts()
    ax.set_title(f"lr {lr:g}: {counts['converged']:,} converged, {counts['diverged']:,} diverged", fontsize=9)
gu.show(fig)

# %%
for lr in [1e-5, 3e-5, 5e-5, 7e-5]:
    result = gu.convergence_map(lr, 1000)
    done = result.outcome == gu.OUTCOMES.index("converged")
    print(f"lr {lr:g}: {result.describe()}; converged in "
          f"{int(np.percentile(result.epoch[done], 10))}-{int(np.percentile(result.epoch[done], 90))} epochs "
          f"(10th-90th percentile)")

# %% [markdown]
# Three things to read off the maps and the numbers:
#
# - **Converging takes hundreds of epochs**, whatever the start: at lr 1e-5 every start is still training after
#   500 epochs and converges by 1000. The intercept has to grow from 0 to 30, and that direction crawls
#   (notebook 01 measures the crawl).
# - **The converging region shrinks as lr grows**, from everything at 1e-5 to a sparse speckle at 7e-5, and it
#   favours the starts whose w1·w2 already has the sign of the slope they must reach (printed below). Where a
#   start lands, and whether that fit is stable at this lr, is the subject of notebook 03.
# - **Most divergences happen in epoch 1**, but not all: at 7e-5 a third of the diverging starts survive more than
#   5 epochs, and more of them survive 20 epochs than end up converging (the light red speckle).

# %%
for lr in [5e-5, 7e-5]:
    result = gu.convergence_map(lr, 500)
    w1, w2 = np.meshgrid(result.w1, result.w2, indexing="ij")
    done, lost = result.outcome == gu.OUTCOMES.index("converged"), result.outcome == gu.OUTCOMES.index("diverged")
    print(f"lr {lr:g}: converged {done[w1 * w2 > 0].mean():.1%} of the starts with w1·w2 > 0, "
          f"{done[w1 * w2 < 0].mean():.1%} of those with w1·w2 < 0; of the diverged, {(result.epoch[lost] > 5).mean():.0%} "
          f"after epoch 5 and {int((result.epoch[lost] > 20).sum()):,} after epoch 20 ({int(done.sum()):,} converged)")

# %% [markdown]
# ## 3 · Try it
#
# Drag the learning rate: the map is recomputed while you drag (14,641 starts × 500 epochs, in well under 100 ms;
# `benchmarks/run.py` measures it). b1 and b2 set the starting biases of every start and redraw when you let go.
# Try b2 = 30, then raise lr towards 1e-4.

# %% tags=["nbval-ignore-output"]
gu.explore_convergence_map()

# %% [markdown]
# ## 4 · What initialization can buy
#
# The data's intercept is 30. With both biases 0, every start must build it up through w2·b1 + b2, slowly. Put it
# in the output bias from the start (b2 = 30) and look at the sheet's lr = 1e-4 again:

# %%
fig, axes = gu.figure(2, width=10, height=3.3, sharey=True)
for ax, b2 in zip(axes, [0.0, 30.0]):
    result = gu.convergence_map(1e-4, 500, b2=b2)
    gu.draw_convergence_map(ax, result, legend=ax is axes[-1])
    ax.set_title(f"lr 1e-4, b1 = 0, b2 = {b2:g}: {result.counts()['converged']} converged", fontsize=9)
gu.show(fig)
for b2 in [0.0, 10.0, 20.0, 30.0]:
    print(f"b2 = {b2:g}, lr 1e-4: {gu.convergence_map(1e-4, 1500, b2=b2).describe()}")

# %% [markdown]
# With b2 = 30 thousands of starts converge at the sheet's lr, where with b2 = 0 (or 10, or 20) none does. The
# learner's own weights with that one change, w1 = b1 = w2 = 1 and b2 = 30:

# %%
params, run = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 30.0}, 1e-4, epochs=3000)
print(f"converged: {gu.converged(run)}, sheet error below 1 from epoch {gu.epochs_to(run)}")
print("it lands on", {name: round(value, 3) for name, value in params.items()},
      f"(slope w1·w2 = {params['w1'] * params['w2']:.4f}, intercept w2·b1 + b2 = "
      f"{params['w2'] * params['b1'] + params['b2']:.4f})")
print(f"that fit is stable up to lr {gu.stability_edge(gu.TwoNeuron(), params):.3e}: just above the 1e-4 it was "
      f"trained with")

# %% [markdown]
# It lands on a balanced fit (w1 ≈ w2 ≈ 1.4, b1 small) whose first stability edge is just above 1e-4. That is what a
# start can buy: a **destination** that is stable at the learning rate used. Just above the sheet's lr the same
# map trains nothing to convergence: the few starts that count as converged begin *exactly* on a fit (w1·w2 = 2,
# b1 = 0, b2 = 30), where every gradient is exactly zero in floating point, so they never move, although those fits
# are unstable at this lr:

# %%
above = gu.convergence_map(1.26e-4, 500, b2=30.0)
done = above.outcome == gu.OUTCOMES.index("converged")
print(f"lr 1.26e-4, b2 = 30: {above.describe()}")
print("w1·w2 of the starts that converged:", np.unique(np.round((above.w1[:, None] * above.w2[None, :])[done], 9)))
print(f"e.g. the fit w1 = 1, b1 = 0, w2 = 2, b2 = 30 is stable only up to lr "
      f"{gu.stability_edge(gu.TwoNeuron(), gu.exact_fit(1.0, 0.0)):.2e}")

# %% [markdown]
# Why the destination decides, and why no start escapes it, is notebook 03's subject.
#
# ## 5 · Input scaling: the fix that works from any start
#
# K = w2²(x² + 1) + h² + 1 is large because x is large (up to 99). Train on x/100 instead: at the largest row the
# linear model's K falls from 9,802 to 1.98. The model must then learn a slope of 200 instead of 2; the error is
# still measured on the original y. Which learning rates work for each model, and how fast is each at its own best?

# %%
scaled = x / 100
print(f"linear K at x = 99: {gu.row_curvature(gu.Linear(), {'a': 1, 'b': 1}, 99.0):.0f}, "
      f"at x = 0.99: {gu.row_curvature(gu.Linear(), {'a': 1, 'b': 1}, 0.99):.4f}")
lrs = np.geomspace(1e-6, 2, 400)
rows = []
for label, model in [("linear", gu.Linear()), ("2 neurons", gu.TwoNeuron())]:
    starts = type(model)(**{name: np.full(lrs.shape, value) for name, value in model.params().items()})
    run = gu.train(starts, gu.SGD(lrs), scaled, y, 500, trace=False, stop_below=1.0)
    works, epochs_needed = gu.converged(run), gu.epochs_to(run)
    best = np.flatnonzero(works)[np.argmin(epochs_needed[works])]
    rows.append({"model": label, "converges (< 1 in 500 epochs) for lr from": lrs[works].min(),
                 "to": lrs[works].max(), "best lr": lrs[best], "epochs to error < 1 there": int(epochs_needed[best])})
scaling = pd.DataFrame(rows).set_index("model")
print(f"the linear model's highest working lr is {scaling.loc['linear', 'to'] / scaling.loc['2 neurons', 'to']:.0f} "
      f"times the 2-neuron model's; its best lr {scaling.loc['linear', 'best lr'] / scaling.loc['2 neurons', 'best lr']:.0f} times")
scaling

# %% [markdown]
# At its own best learning rate each model reaches an error below 1 in a few epochs: on scaled inputs the
# 2-neuron model is no slower than the line. The difference is **which** learning rates work: the 2-neuron
# model's best and highest working learning rates are more than 200 times lower than the line's, because its
# curvature grows as w1·w2 climbs towards 200 (K contains w2²·x², and w2 grows with the slope). A learning rate
# tuned for one model is far off for the other, which is why comparing them at one lr says little.
#
# The back-transform is one line: a line fitted on x/100 with slope a′ and intercept b′ is, in original units,
# slope a′/100 and intercept b′.

# %%
fitted = gu.train(gu.Linear(), gu.SGD(0.3), scaled, y, 50, trace=False).params
print(f"on x/100: a' = {fitted['a']:.4f}, b' = {fitted['b']:.4f}  ->  original units: "
      f"a = {fitted['a'] / 100:.6f}, b = {fitted['b']:.4f}")

# %% [markdown]
# ## Summary
#
# - Surviving a few epochs is not training: at lr 1e-4 35 of 3,721 starts survive 5 epochs, the only one to
#   survive 20 is the saddle w1 = w2 = 0 (a constant model), and none converges.
# - Convergence maps follow every start for 500 epochs: the converging region shrinks as lr grows and is gone at
#   the sheet's lr with both biases 0; converging takes hundreds of epochs because the intercept crawls.
# - A start can buy a stable destination: with the intercept in the output bias (b2 = 30), thousands of starts
#   converge at lr 1e-4, the learner's own weights included, to fits stable just above that lr. At 1.26e-4 the
#   same map trains nothing to convergence.
# - Scaling x by 1/100 lets both models converge in a few epochs at their own best lr; the 2-neuron model's working
#   learning rates lie more than 200 times lower than the line's.
#
# ## Exercises
#
# **1.** Convert a line fitted on x·scale back to original units.

# %%
def unscale(a_scaled, b_scaled, scale):
    # return a, b
    return None

gu.check_unscale(unscale)

# %% [markdown]
# **2.** Use `gu.convergence_map` to count how many of the 41 × 41 starts with w1, w2 in [−2, 2] (biases 0)
# **converge** within 500 epochs at lr = 5e-5. Then compare with `gu.survival_counts` for 5 epochs.

# %%
converged_starts = None  # your number, computed with gu.convergence_map(...).counts()
gu.check_converged_starts(converged_starts)

# %% [markdown]
# ## Questions
#
# 1. From w1 = w2 = 0 (with b1 = 0) only b2 ever moves. Why does a nonzero b1 let a start leave the constant models?
# 2. Why do starts with w1·w2 > 0 converge more often than starts with w1·w2 < 0, which must cross w1·w2 = 0 on the
#    way to the slope 2?
# 3. With b2 = 30 the start is already "half fitted". Why does that let it converge at an lr where b2 = 20 does not?
# 4. Would scaling y (instead of x) help? What would it do to the residuals r?
