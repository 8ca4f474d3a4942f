# %% [markdown]
# # 04 · What initialization can buy, and what input scaling fixes
#
# The learner tried better initial weights and bought one more epoch. Is there a starting point that trains at
# the sheet's learning rate? This notebook runs thousands of starting points at once and maps which survive, then
# shows the fix that works whatever the start: rescaling x.
#
# Every map below is **one** call to `gu.train`: the starting weights are numpy arrays, and the engine runs all
# the configurations together, row by row (see `gu.outcome_map`).

# %%
# %matplotlib widget
import sys
sys.path.append("..")  # graddesc_utils.py lives in the course's top folder

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Outcome maps
#
# Each pixel is one run of the 2-neuron model from a starting (w1, w2) with b1 = b2 = 0, trained for 3 epochs.
# Colour: log10 of the sheet error after the last epoch; light grey: the run diverged.

# %%
fig, axes = gu.figure(4, width=11, height=3.0, sharey=True)
for ax, lr in zip(axes, [1e-5, 3e-5, 7e-5, 1e-4]):
    w1, w2, log_error, run = gu.outcome_map(lr, epochs=3)
    image = gu.draw_outcome_map(ax, w1, w2, log_error)
    ax.set_title(f"lr = {lr:g}: {int((~run.diverged).sum())} of {run.diverged.size} survive", fontsize=9)
fig.colorbar(image, ax=axes, label="log10 sheet error")
gu.show(fig)

# %% [markdown]
# At small learning rates almost every start survives (the colours show how far each got in 3 epochs). As lr
# grows, the surviving region breaks up into a ragged pattern, thickest along the diagonals |w1| ≈ |w2|: the
# balanced starts, from which training heads for the flattest fits (notebook 03, section 6). At the sheet's
# lr = 1e-4 only scattered starts are left.
#
# ## Survival against the learning rate
#
# `gu.survival_counts` runs a 61 × 61 grid of starts at several learning rates in one call:

# %%
grid = np.linspace(-3, 3, 61)
lrs = [1e-6, 1e-5, 2e-5, 3e-5, 5e-5, 7e-5, 1e-4, 1.5e-4]
counts = gu.survival_counts(lrs, grid, grid, epochs=5)
pd.DataFrame({"lr": lrs, "starts surviving 5 epochs": counts, "of": grid.size ** 2,
              "share": np.round(counts / grid.size ** 2, 4)})

# %% [markdown]
# Survival only falls as lr grows, and it collapses between 5e-5 and 1e-4: just where notebook 03 put the
# 2-neuron model's stability edge. A better start can move you into the surviving band; it cannot move the edge.
#
# ## Try it
#
# Move lr, the number of epochs and the two biases; the map is recomputed (6,561 runs) when you let go of a slider.

# %%
# NBVAL_IGNORE_OUTPUT
gu.explore_outcome_map()

# %% [markdown]
# ## Input scaling: the fix that works from any start
#
# K = w2²(x² + 1) + h² + 1 is large because x is large (up to 99). Train on x/100 instead: at the largest row the
# linear model's K falls from about 10⁴ to about 2, and the 2-neuron model's (at all-ones) to about 7:

# %%
scaled = x / 100
print(f"linear K at x = 99:   {gu.row_curvature(gu.Linear(), {'a': 1, 'b': 1}, 99.0):8.1f}")
print(f"linear K at x = 0.99: {gu.row_curvature(gu.Linear(), {'a': 1, 'b': 1}, 0.99):8.3f}")
print(f"2-neuron K at x = 0.99, all weights 1: {gu.row_curvature(gu.TwoNeuron(), dict(w1=1, b1=1, w2=1, b2=1), 0.99):.3f}")

# %% [markdown]
# On x/100 the model must learn a slope of 200 instead of 2 (its prediction for an original x is
# model(x/100)); the error is still measured on the original y. Both models from the learner's start, at several
# learning rates, for 10 epochs:

# %%
rows = []
for lr in [1e-3, 1e-2, 1e-1]:
    for label, model in [("2 neurons", gu.TwoNeuron()), ("linear", gu.Linear())]:
        run = gu.train(model, gu.SGD(lr), scaled, y, epochs=10, trace=False)
        rows.append({"lr": lr, "model": label, "diverged at": run.diverged_at,
                     "sheet error after epoch 1": round(float(run.epoch_errors[0]), 3),
                     "after epoch 10": round(float(run.epoch_errors[-1]), 3)})
pd.DataFrame(rows)

# %% [markdown]
# With scaled inputs the learner's model trains, fast: at lr = 1e-3 its error after 10 epochs is far below the
# linear model's at the same lr. Its curvature now grows *usefully*: as w1·w2 climbs towards 200, the steps grow
# with it. But the edge is still there: at lr = 1e-2 its weights grow until K is large again and it diverges,
# while the linear model (K ≈ 2) takes lr = 0.1 in its stride.
#
# The back-transform is one line: a line fitted on x/100 with slope a′ and intercept b′ is, in original units,
# slope a′/100 and intercept b′.

# %%
fitted = gu.train(gu.Linear(), gu.SGD(0.1), scaled, y, epochs=50, trace=False).params
print(f"on x/100: a' = {fitted['a']:.4f}, b' = {fitted['b']:.4f}  ->  original units: "
      f"a = {fitted['a'] / 100:.6f}, b = {fitted['b']:.4f}")


# %% [markdown]
# ## Summary
#
# - One vectorized `train` call maps thousands of starts; survival falls monotonically with lr and collapses near
#   the 2-neuron model's stability edge (≈ 1e-4).
# - Better initialization (small, balanced |w1| ≈ |w2|) widens the margin but cannot move the edge: at the sheet's
#   lr almost no start survives 5 epochs.
# - Scaling x by 1/100 shrinks K by about 10⁴ and lets the 2-neuron model train fast; the edge moves with it.
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
# **2.** Use `gu.survival_counts` to count how many of the 41 × 41 starts with w1, w2 in [-2, 2] (biases 0)
# survive 3 epochs at lr = 3e-5.

# %%
survivors = None  # your number, computed with gu.survival_counts
gu.check_survivors(survivors)

# %% [markdown]
# ## Questions
#
# 1. Why do balanced starts (|w1| ≈ |w2|) survive more often? Use the conservation law of notebook 03.
# 2. After scaling, the 2-neuron model beats the linear model at lr = 1e-3 but dies at 1e-2. Which term of K grows
#    as it learns the slope of 200?
# 3. Would scaling y (instead of x) help? What would it do to the residuals r?
