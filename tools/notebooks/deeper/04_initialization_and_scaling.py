# %% [markdown]
# # 04 · What initialization can buy, and what input scaling fixes
#
# *Going deeper into [04 · Better starts](../04_better_starts.ipynb) of the learner's path. The map of both layers:
# [00 · Start here](00_start_here.ipynb).*
#
# The learner tried better initial weights and "bought one more epoch". Is there a starting point that really
# *trains* at the sheet's learning rate, and not just survives a little longer? This notebook follows thousands of
# starting points for hundreds of epochs and asks of each one: did it **converge** (sheet error below 1), did it
# **diverge** (and when), is it **stuck** on a model that predicts the same for every row, or none of these when the
# run ends (the maps call it "still training"; the notebook says whether its error is still falling, stalled or
# wandering)? Then it shows what a practitioner can do without knowing the answer (centre x), what knowing the
# answer buys (the intercept in the output bias), and the fix that works from any start: rescaling x.
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
# At 7e-5 the gap is starker: 1,339 survive 5 epochs, 682 survive 20, and only 279 converge (in the sheet's
# row order; section 2 measures how much the counts at this lr move with the last bits). Survival counts
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
# Now 121 × 121 starts, 500 epochs each, biases 0. Blue: converged (dark: in few epochs); brown to red: diverged
# (dark: early); orange to yellow: neither after 500 epochs (orange: still far off); black: stuck on a constant.
# (The colours stay apart for colour-blind readers too: graddesc/colours.py.)

# %%
fig, axes = gu.figure(2, nrows=2, width=9, height=6.4, sharex=True, sharey=True)
for ax, lr in zip(axes, [1e-5, 3e-5, 5e-5, 7e-5]):
    result = None  # one map in memory at a time
    result = gu.convergence_map(lr, 500)
    gu.draw_convergence_map(ax, result, legend=ax is axes[1])
    counts = result.counts()
    ax.set_title(f"lr {lr:g}: {counts['converged']:,} converged, {counts['diverged']:,} diverged", fontsize=9)
gu.show(fig)

# %%
for lr in [1e-5, 3e-5, 5e-5, 7e-5]:
    result = None  # one map in memory at a time
    result = gu.convergence_map(lr, 1000)
    done = result.outcome == gu.OUTCOMES.index("converged")
    print(f"lr {lr:g}: {result.describe()}; converged in "
          f"{int(np.percentile(result.epoch[done], 10))}-{int(np.percentile(result.epoch[done], 90))} epochs "
          f"(10th-90th percentile)")

# %% [markdown]
# Three things to read off the maps and the numbers:
#
# - **Converging takes hundreds of epochs**, whatever the start: at lr 1e-5 no start is below 1 after 500 epochs
#   and all but the saddle converge by 1000. This is not the line's crawl (notebook 01). The 2-neuron model's
#   error does not shrink by a steady fraction per epoch: it sits on a plateau, then drops faster and faster
#   (the intercept is built through the product w2·b1, and each factor speeds up the other). At the same lr it
#   converges 15 to 32 times sooner than the line (measured below).
# - **The converging region shrinks as lr grows**, from everything at 1e-5 to a sparse speckle at 7e-5, and it
#   favours the starts whose w1·w2 already has the sign of the slope they must reach (printed below). Where a
#   start lands, and whether that fit is stable at this lr, is the subject of notebook 03.
# - **Most divergences happen in epoch 1**, but not all: at 7e-5 a third of the diverging starts survive more than
#   5 epochs, and more of them survive 20 epochs than end up converging (the orange-red speckle).

# %%
for lr in [5e-5, 7e-5]:
    result = gu.convergence_map(lr, 500)
    w1, w2 = np.meshgrid(result.w1, result.w2, indexing="ij")
    done, lost = result.outcome == gu.OUTCOMES.index("converged"), result.outcome == gu.OUTCOMES.index("diverged")
    print(f"lr {lr:g}: converged {done[w1 * w2 > 0].mean():.1%} of the starts with w1·w2 > 0, "
          f"{done[w1 * w2 < 0].mean():.1%} of those with w1·w2 < 0; of the diverged, {(result.epoch[lost] > 5).mean():.0%} "
          f"after epoch 5 and {int((result.epoch[lost] > 20).sum()):,} after epoch 20 ({int(done.sum()):,} converged)")

# %% [markdown]
# The 2-neuron model against the line, from the sheet's start (every weight 1), at four learning rates where both
# converge, and the two error curves at 3e-5:

# %%
same_lr = np.array([1e-5, 2e-5, 3e-5, 5e-5])
two_runs = gu.train(gu.TwoNeuron(w1=np.ones(4)), gu.SGD(same_lr), x, y, 30_000, trace=False, stop_below=1.0)
line_runs = gu.train(gu.Linear(a=np.ones(4)), gu.SGD(same_lr), x, y, 30_000, trace=False, stop_below=1.0)
race = pd.DataFrame({"lr": same_lr, "2 neurons: epochs to < 1": gu.epochs_to(two_runs),
                     "line: epochs to < 1": gu.epochs_to(line_runs),
                     "line / 2 neurons": gu.epochs_to(line_runs) / gu.epochs_to(two_runs)}).set_index("lr")
two_curve = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, 400, trace=False).epoch_errors
line_curve = gu.train(gu.Linear(), gu.SGD(3e-5), x, y, 400, trace=False).epoch_errors
fig, ax = gu.figure(width=6.5, height=3.2)
ax.semilogy(np.arange(1, 401), two_curve, label="2 neurons: a plateau, then an accelerating drop")
ax.semilogy(np.arange(1, 401), line_curve, label="line: the same fraction kept every epoch")
ax.axhline(1, color="0.6", lw=0.8)
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.set_title("lr 3e-5, every weight 1", fontsize=9)
ax.legend(fontsize=8)
gu.show(fig)
print(f"2 neurons at lr 3e-5, sheet error at epochs 1, 100, 200, 300, 384: "
      f"{np.round(two_curve[[0, 99, 199, 299, 383]], 2).tolist()}")
race

# %% [markdown]
# The maps above are one row order and one rounding history. At 7e-5 the map is sensitive to both: nudging b1 by
# 1e-12 (the start of every run moves by a millionth of a millionth) changes the class of about one start in nine,
# and with the rows shuffled every epoch none of the starts converges:

# %%
base_map = gu.convergence_map(7e-5, 500)
changed = [float((gu.convergence_map(7e-5, 500, b1=nudge).outcome != base_map.outcome).mean())
           for nudge in [1e-12, -1e-12]]
grid_w1, grid_w2 = np.meshgrid(base_map.w1, base_map.w2, indexing="ij")
shuffled_map = gu.train(gu.TwoNeuron(w1=grid_w1, b1=0.0, w2=grid_w2, b2=0.0), gu.SGD(7e-5), x, y, 500,
                        trace=False, stop_below=1.0, shuffle=0)
print(f"lr 7e-5, 14,641 starts: class changed by b1 = +1e-12 for {changed[0]:.1%}, by b1 = -1e-12 for "
      f"{changed[1]:.1%}; rows shuffled every epoch (seed 0): {int(gu.converged(shuffled_map).sum())} converge, "
      f"{int(shuffled_map.diverged.sum()):,} diverge")
del base_map, shuffled_map

# %% [markdown]
# So the counts at 7e-5 are a fraction of starts with a spread of about a tenth, in the sheet's order only. (At
# 5e-5 and below nearly every survivor converges, section 1, so there is little for a nudge to tip.)
#
# ## 3 · Try it
#
# Drag the learning rate: the map is recomputed while you drag (14,641 starts × 500 epochs, in well under 100 ms;
# `benchmarks/run.py` measures it). b1 and b2 set the starting biases of every start and redraw when you let go.
# Try b2 = 30, then raise lr towards 1e-4.

# %% tags=["nbval-ignore-output"]
gu.explore_convergence_map()

# %% [markdown]
# ## 4 · Without knowing the answer: centre x
#
# A practitioner does not know the data's intercept. What they can do is centre the inputs: subtract the mean of x
# (a number they can measure) so that x runs from about −50 to +50 instead of 2 to 99. The model is the same; its
# intercept now means the prediction at the average x. From the learner's own start (every weight 1) at the sheet's
# lr, in the sheet's row order and over 40 shuffled orders:

# %%
centred = x - x.mean()
centred_run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), centred, y, 3000, trace=False)
print(f"x - {x.mean():.4f}, every weight 1, lr 1e-4, sheet order: {gu.verdict(centred_run)}")
rows = []
for label, inputs in [("centred x", centred), ("raw x", x)]:
    for lr in [2e-5, 3e-5, 5e-5, 7e-5, 1e-4]:
        fared = gu.outcome_fractions(gu.TwoNeuron(), gu.SGD(lr), inputs, y, 3000, stop_below=1.0)
        rows.append({"inputs": label, "lr": lr, **{f"{k} (of 40 orders)": v for k, v in fared.counts.items()},
                     "median epoch below 1 for good": fared.epoch_spread[1] if fared.epoch_spread else np.nan})
orders = pd.DataFrame(rows).set_index(["inputs", "lr"])
orders

# %% [markdown]
# Centring alone, with no knowledge of the intercept, trains the learner's start at lr 1e-4 in the sheet's order
# in about 130 epochs. With shuffled rows that lr is too much (no order converges), but at 2e-5 and 3e-5 nearly
# every order converges, about ten times sooner than on the raw x. Centring removes most of the intercept's
# crawl; it does not make 1e-4 safe. Section 6 rescales x as well, which does.
#
# ## 5 · Knowing the answer: the intercept in the output bias
#
# The data's intercept is 30. With both biases 0, every start must build it up through w2·b1 + b2, slowly. Put it
# in the output bias from the start (b2 = 30) and look at the sheet's lr = 1e-4 again (1,500 epochs):

# %%
fig, axes = gu.figure(2, width=10, height=3.3, sharey=True)
for ax, b2 in zip(axes, [0.0, 30.0]):
    result = None  # one 1,500-epoch map in memory at a time
    result = gu.convergence_map(1e-4, 1500, b2=b2)
    gu.draw_convergence_map(ax, result, legend=ax is axes[-1])
    ax.set_title(f"lr 1e-4, b1 = 0, b2 = {b2:g}: {result.counts()['converged']:,} converged in 1,500 epochs",
                 fontsize=9)
gu.show(fig)
errors = np.asarray(result.run.epoch_errors)[:, result.outcome == gu.OUTCOMES.index("still training")]
print(f"b2 = 30: of the {errors.shape[1]} starts that neither converge nor diverge, the median ends at error "
      f"{np.median(errors[-1]):.1f}, and its error changed by a factor of {np.median(errors[-1] / errors[-500]):.3f} "
      f"over the last 500 epochs: stalled, not training")
del result, errors
for b2 in [0.0, 10.0, 20.0]:
    print(f"b2 = {b2:g}, lr 1e-4: {gu.convergence_map(1e-4, 1500, b2=b2).describe()}")

# %% [markdown]
# With b2 = 30 thousands of starts converge at the sheet's lr, where with b2 = 0 (or 10, or 20) none does. The
# starts the map calls "still training" are stalled: their error sits near 46 and has crept up over the last 500
# epochs. The learner's own weights with that one change, w1 = b1 = w2 = 1 and b2 = 30:

# %%
params, run = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 30.0}, 1e-4, epochs=3000)
print(f"converged: {gu.converged(run)}, sheet error below 1 from epoch {gu.epochs_to(run)}")
print("it lands on", {name: round(value, 3) for name, value in params.items()},
      f"(slope w1·w2 = {params['w1'] * params['w2']:.4f}, intercept w2·b1 + b2 = "
      f"{params['w2'] * params['b1'] + params['b2']:.4f})")
print(f"that fit is stable up to lr {gu.stability_edge(gu.TwoNeuron(), params):.3e}: just above the 1e-4 it was "
      f"trained with")

# %% [markdown]
# It lands on a balanced fit (w1 ≈ w2 ≈ 1.4, b1 small) whose first stability edge is just above 1e-4. That is what
# knowing the answer can buy: a **destination** that is stable at the learning rate used. But b2 = 30 *is* the
# answer, and it is not a comfortable choice. Scanning b2 finely from the learner's other weights (w1 = b1 = w2 = 1)
# at lr 1e-4, 3000 epochs each:

# %%
b2_values = np.arange(0, 120.01, 0.25)
b2_scan = gu.train(gu.TwoNeuron(w1=1.0, b1=1.0, w2=1.0, b2=b2_values), gu.SGD(1e-4), x, y, 3000, trace=False,
                   stop_below=1.0)
b2_works = gu.converged(b2_scan)
print(f"converge for b2 from {b2_values[b2_works].min():g} to {b2_values[b2_works].max():g} "
      f"({int(b2_works.sum())} of {len(b2_values)} values, step 0.25; every value in between: "
      f"{bool(np.all(b2_works[b2_works.argmax():len(b2_works) - b2_works[::-1].argmax()]))})")
print("w1 = b1 = w2 = 1, b2 = 30, lr 1e-4, rows shuffled every epoch:",
      gu.outcome_fractions(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), x, y, 3000, stop_below=1.0))

# %% [markdown]
# b2 = 30 sits at the lower edge of the band that works (about 28.5 to 58.5): a start a little short of the
# intercept fails, and a start with b2 twice the intercept works. And it works in the sheet's row order only: with
# the rows shuffled every epoch, the learner's weights with b2 = 30 converge in none of 40 orders.
#
# How far above the sheet's lr does the b2 = 30 map keep working? Not "nothing just above 1e-4": at 1.05e-4 nearly
# as many starts converge as at 1e-4; the count falls steeply by 1.1e-4 and is all but gone at 1.15e-4, around the
# balanced fit's first edge (about 1.1e-4):

# %%
above_lrs = [9e-5, 1e-4, 1.05e-4, 1.1e-4, 1.15e-4, 1.2e-4]
above_counts = pd.DataFrame([{"lr": lr, **gu.convergence_map(lr, 1500, b2=30.0).counts()} for lr in above_lrs])
print(f"the balanced fit (w1 = w2 = √2, b1 = 0, b2 = 30) is stable up to lr "
      f"{gu.stability_edge(gu.TwoNeuron(), gu.exact_fit(np.sqrt(2), 0.0)):.3e}")
above_counts.set_index("lr")

# %% [markdown]
# Far above it, at 1.26e-4, the few starts that count as converged begin *exactly* on a fit (w1·w2 = 2, b1 = 0,
# b2 = 30), where every gradient is exactly zero in floating point, so they never move, although those fits are
# unstable at this lr:

# %%
above = gu.convergence_map(1.26e-4, 500, b2=30.0)
done = above.outcome == gu.OUTCOMES.index("converged")
print(f"lr 1.26e-4, b2 = 30: {above.describe()}")
print("w1·w2 of the starts that converged:", np.unique(np.round((above.w1[:, None] * above.w2[None, :])[done], 9)))
print(f"e.g. the fit w1 = 1, b1 = 0, w2 = 2, b2 = 30 is stable only up to lr "
      f"{gu.stability_edge(gu.TwoNeuron(), gu.exact_fit(1.0, 0.0)):.2e}")

# %% [markdown]
# Where a start lands, and why the learning rate moves that destination, is notebook 03's subject.
#
# ## 6 · Input scaling: the fix that works from any start
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
#   the sheet's lr with both biases 0. The 2-neuron model's error is a plateau and then an accelerating drop,
#   15 to 32 times sooner than the line at the same lr. At 7e-5 a nudge of 1e-12 changes the class of about one
#   start in nine, and shuffled rows converge none: such maps are fractions, in one row order.
# - Without knowing the answer, centring x trains the learner's start at 1e-4 in the sheet's order in about 130
#   epochs; with shuffled rows it needs a smaller lr (3e-5: 39 of 40 orders), where it is about ten times faster
#   than raw x.
# - Knowing the answer, b2 = 30 buys a stable destination in the sheet's order: thousands of starts converge at
#   lr 1e-4, the learner's weights included, to fits stable just above that lr; the map holds up to about 1.05e-4
#   and collapses near the balanced fit's edge, about 1.1e-4. But 30 sits at the lower edge of the band of b2 that
#   works (28.5 to 58.5), and with shuffled rows the learner's weights with b2 = 30 converge in none of 40 orders.
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
# **converge** within 500 epochs at lr = 7.5e-5. Then compare with `gu.survival_counts` for 5 and for 20 epochs.

# %%
converged_starts = None  # your number, computed with gu.convergence_map(...).counts()
gu.check_converged_starts(converged_starts, lr=7.5e-5)

# %% [markdown]
# ## Questions
#
# The [worked answers](../answers/deeper_04_initialization_and_scaling.ipynb) answer each question and exercise
# with cells.
#
# 1. From w1 = w2 = 0 (with b1 = 0) only b2 ever moves. Why does a nonzero b1 let a start leave the constant models?
# 2. Why do starts with w1·w2 > 0 converge more often than starts with w1·w2 < 0, which must cross w1·w2 = 0 on the
#    way to the slope 2?
# 3. With b2 = 30 the start is already "half fitted". Why does that let it converge at an lr where b2 = 20 does not?
# 4. Would scaling y (instead of x) help? What would it do to the residuals r?
