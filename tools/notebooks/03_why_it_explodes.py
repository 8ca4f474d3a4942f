# %% [markdown]
# # 03 · Why it explodes
#
# Notebook 02 showed the learner's 2-neuron model dying at row 28 of epoch 1 while the 1-neuron model trains
# calmly at the same learning rate. This notebook builds the explanation from the simplest possible case up, and
# checks every step with the course's own code.
#
# **The short answer:** a gradient step overshoots when lr × curvature is too large. The 2-neuron model's curvature
# is about four times the 1-neuron model's near the fits that training heads for, so it needs about a quarter of
# the learning rate, and the sheet's lr = 1e-4 leaves no margin. Worse, its curvature *grows with the weights*:
# every overshoot makes the next one bigger. That feedback loop turns an oscillation into an explosion within rows.

# %%
# %matplotlib widget
import sys
sys.path.append("..")  # graddesc_utils.py lives in the course's top folder

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 4)
x, y = gu.load_data()

# %% [markdown]
# ## 1 · One weight, one parabola
#
# Take e(w) = c·w². A gradient step is w ← w − lr·2c·w = (1 − 2·lr·c)·w. Each step multiplies w by the same
# factor, so everything depends on lr·c:
#
# - lr·c < 0.5: the factor is between 0 and 1; w shrinks steadily.
# - 0.5 < lr·c < 1: the factor is between −1 and 0; w flips sign every step but still shrinks (oscillates in).
# - lr·c > 1: the factor is below −1; every step overshoots by more than it corrects, and w explodes.

# %%
c, steps = 1.0, np.arange(12)
fig, ax = gu.figure(width=6.5, height=2.8)
for lr_c in [0.3, 0.8, 1.1]:
    ax.plot(steps, (1 - 2 * lr_c) ** steps, marker="o", label=f"lr·c = {lr_c}: factor {1 - 2 * lr_c:+.1f}")
ax.axhline(0, color="k", lw=0.6)
ax.set_xlabel("step")
ax.set_ylabel("w")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# ## 2 · One row of the sheet
#
# An online step on row (x, y) changes the prediction at that row by (d pred/d weights) · (change in weights)
# = −2·lr·r·K, where r = pred − y is the residual and
#
# $$K = \left\lVert \frac{\partial\,\text{pred}}{\partial\,\text{weights}} \right\rVert^2 .$$
#
# So the row's residual becomes about (1 − 2·lr·K)·r: the same picture as the parabola, with K as the curvature.
# A row's own step overshoots when **lr·K > 1**. For the linear model, d pred/d(b, a) = (1, x), so **K = x² + 1**,
# and the factor is exact. At x = 99 with lr = 1e-4:

# %%
model = gu.Linear()
params = {"a": 1.0, "b": 1.0}
k = gu.row_curvature(model, params, 99.0)
print(f"K = {k:.0f}, lr·K = {1e-4 * k:.4f}")
print(f"predicted residual factor 1 - 2·lr·K = {1 - 2 * 1e-4 * k:.6f}")
print(f"measured by one SGD step            = {gu.residual_factor(model, params, 1e-4, 99.0, 228.0):.6f}")

# %% [markdown]
# The sheet's lr = 1e-4 puts the largest row just under the line (lr·K = 0.98).
#
# For the 2-neuron model, d pred/d(w1, b1, w2, b2) = (w2·x, w2, h, 1), so
#
# $$K = w_2^2\,(x^2 + 1) + h^2 + 1, \qquad h = w_1 x + b_1 .$$
#
# K now depends on the weights. Check the formula against the engine's derivatives, and the residual factor
# against one real step (it is only approximate here: the model is not linear in its weights):

# %%
two = gu.TwoNeuron()
ones = {"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}
for xi, yi in [(14.0, 58.0), (99.0, 228.0)]:
    h = 1.0 * xi + 1.0
    formula = 1.0 ** 2 * (xi ** 2 + 1) + h ** 2 + 1
    k = gu.row_curvature(two, ones, xi)
    print(f"x = {xi:4.0f}: K formula = {formula:.1f}, K engine = {k:.1f}; "
          f"1 - 2·lr·K = {1 - 2 * 1e-5 * k:+.4f}, measured factor at lr 1e-5 = "
          f"{gu.residual_factor(two, ones, 1e-5, xi, yi):+.4f}")

# %% [markdown]
# At all-ones the 2-neuron K at x = 99 is about twice the linear one already (w2²x² + h² ≈ x² + x²).
#
# ## 3 · The stability meter
#
# `gu.stability_meter(run)` computes lr·K for every row of a run, with the weights in use at that row. Here is the
# learner's run: the meter is drawn against the line lr·K = 1, beside the row errors.

# %%
learner = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y)
meter = gu.stability_meter(learner)[0]  # epoch 1: lr·K per row
fig, (ax_meter, ax_err) = gu.figure(2)
gu.MeterLine(ax_meter, len(x), 1).update(learner)
gu.RowErrorLines(ax_err, ["2 neurons"], len(x), 1).update({"2 neurons": learner})
gu.show(fig)
print("rows with lr·K > 1:", (np.flatnonzero(meter[:learner.diverged_at[1]] > 1) + 1).tolist())
print("lr·K at rows 24-28:", np.round(meter[23:28], 2).tolist())

# %% [markdown]
# The meter crosses the line early and often, and the error survives those crossings; in the last rows it does not
# come back below: lr·K runs from about 2 to 12, 119, and beyond, and the error follows it up.
#
# ## 4 · The feedback loop
#
# Why does the meter run away? K = w2²(x² + 1) + h² + 1 grows with |w2| and with |h| = |w1·x + b1|. An overshoot
# moves the weights by a lot; larger weights mean larger K; larger K means the next overshoot is larger still. The
# factor (1 − 2·lr·K) is not fixed as it was for the parabola; it grows with each bad step, so the error does not
# grow geometrically but faster than any geometric series:

# %%
table = learner.table()
table.index = table.index + 1
table["K"] = gu.row_curvature(two, {n: table[n].to_numpy() for n in two.names}, table.x.to_numpy())
table["lr·K"] = 1e-4 * table["K"]
table[["x", "w1", "w2", "h", "K", "lr·K", "err_sq"]].iloc[22:28]

# %% [markdown]
# ## 5 · One row is not the whole story: the epoch
#
# A row whose step overshoots is not yet a divergence: the next rows have other x values and pull the weights
# back. Whether training survives is decided by the whole epoch. Near an exact fit the residuals are small, each
# row's step is a linear map, and an epoch is the product of the 29 maps; the fit is stable while that product's
# largest eigenvalue stays at or below 1 (`gu.epoch_map_radius`). `gu.stability_edge` finds the learning rate where
# that stops. For the linear model:

# %%
linear_fit = {"a": 2.0, "b": 30.0}
linear_edge = gu.stability_edge(gu.Linear(), linear_fit)
print(f"per-row bound: lr < 1/max K = {1 / (99 ** 2 + 1):.3e}")
print(f"epoch edge of the linear model: lr = {linear_edge:.3e}")
for lr in [0.95 * linear_edge, 1.05 * linear_edge]:
    run = gu.train(gu.Linear(), gu.SGD(lr), x, y, epochs=30, trace=False)
    print(f"  trained at lr = {lr:.3e}: {run.divergence_message() if run.diverged else 'survives 30 epochs'}")

# %% [markdown]
# So the linear model tolerates about 4.4 times the sheet's learning rate: its largest row overshoots above
# lr ≈ 1e-4, but the other rows pull it back until lr ≈ 4.4e-4. The per-row meter is a warning light; the epoch
# edge is the cliff.
#
# ## 6 · The 2-neuron model's fits are sharper
#
# At an exact fit w1·w2 = 2. With small biases h ≈ w1·x, so K ≈ (w1² + w2²)·x² ≥ 2·|w1·w2|·x² = 4x²: at least
# four times the linear model's K = x² + 1, equality when w1 = w2 = √2 (balanced). Four times the curvature means
# a quarter of the learning rate. Checked at x = 99 and with the epoch edge:

# %%
rows = []
for label, (w1, b1) in {"balanced, w1 = w2 = √2, b1 = 0": (np.sqrt(2), 0.0), "w1 = 1, w2 = 2, b1 = 0": (1.0, 0.0),
                        "w1 = 0.5, w2 = 4, b1 = 0": (0.5, 0.0), "w1 = 1, w2 = 2, b1 = -20": (1.0, -20.0)}.items():
    fit = gu.exact_fit(w1, b1)
    rows.append({"exact fit": label, "K at x = 99 / 99²": gu.row_curvature(two, fit, 99.0) / 99 ** 2,
                 "epoch edge lr": gu.stability_edge(two, fit)})
rows.append({"exact fit": "linear model (a = 2, b = 30)", "K at x = 99 / 99²": (99 ** 2 + 1) / 99 ** 2,
             "epoch edge lr": linear_edge})
pd.DataFrame(rows)

# %% [markdown]
# The balanced fit's edge is about a quarter of the linear model's, and it sits right at the sheet's lr = 1e-4;
# unbalanced fits are sharper still. Are there gentler fits with larger biases? A large negative b1 can centre h
# on the data, so |h| stays small on every row. `gu.least_sharp_fit` finds the fit with the smallest largest-row K,
# and `gu.most_stable_fit` the one with the highest epoch edge, both by numerical search over all exact fits:

# %%
least_sharp, least_k = gu.least_sharp_fit()
most_stable, best_edge = gu.most_stable_fit()
print("least sharp fit:", {k: round(v, 3) for k, v in least_sharp.items()})
print(f"   its largest K = {least_k:.0f} (linear model: {99 ** 2 + 1}); per-row bound lr < {1 / least_k:.2e}")
print("most stable fit:", {k: round(v, 3) for k, v in most_stable.items()})
print(f"   its epoch edge = {best_edge:.3e} (linear model: {linear_edge:.3e}), "
      f"{linear_edge / best_edge:.2f} times lower")

# %% [markdown]
# What happens to a fit that is too sharp for the learning rate? Start right next to the unstable fit w1 = 1,
# w2 = 2 (b2 off by 0.001) at lr = 1e-4:

# %%
near = gu.exact_fit(1.0, 0.0)
catapult = gu.train(gu.TwoNeuron(near["w1"], near["b1"], near["w2"], near["b2"] + 1e-3), gu.SGD(1e-4), x, y,
                    epochs=40, trace=False)
print("sheet error, epochs 1-8:", np.round(catapult.epoch_errors[:8], 3).tolist())
print("where it settles:", {k: round(v, 3) for k, v in catapult.params.items()})
print(f"epoch-map radius there at lr 1e-4: {gu.epoch_map_radius(two, catapult.params, 1e-4):.6f}")

# %% [markdown]
# The tiny error grows a few hundredfold, the weights are thrown off the sharp fit, and they land on a balanced
# one (w1 ≈ w2 ≈ 1.4) whose radius is 1: stable, and training settles there. Instability near a fit does not always
# mean explosion; sometimes it catapults the weights to a flatter fit. The learner's run had no such luck: it was
# still far from any fit, where K keeps growing with the weights.
#
# Even the gentlest exact fit of the 2-neuron model is sharper than the linear model's only fit, whichever way it
# is measured. But note what the numbers also say: at lr = 1e-4 stable fits *do exist* (the balanced one barely,
# the centred ones comfortably). The learner's run does not die because no solution is stable; it dies on the way
# there, while its weights pass through sharper places (section 4) with no margin to spare.
#
# ## 7 · What small steps keep constant
#
# For the linear 2-neuron model, gradient descent with very small steps keeps **w1² + b1² − w2²** constant (its
# time derivative is −2r·w2·h + 2r·w2·h = 0). Larger steps let it drift. The learner's start has
# 1 + 1 − 1 = 1, so training can only reach fits with w1² + b1² − w2² ≈ 1: the start decides which solution,
# and how sharp a one, is reachable.

# %%
for lr in [1e-7, 1e-6, 1e-5]:
    run = gu.train(gu.TwoNeuron(), gu.SGD(lr), x, y, epochs=20, trace=False)
    print(f"lr = {lr:.0e}: w1² + b1² − w2² after 20 epochs = {gu.balance(run.params):.6f} (start: 1)")

# %% [markdown]
# ## Try it
#
# The meter (left) and the row errors (right) for the 2-neuron model; sliders for lr and the starting w1, w2
# (b1 = b2 = 1). Watch where the meter crosses its line, and whether the error follows it up or comes back.

# %%
# NBVAL_IGNORE_OUTPUT
gu.explore_stability()


# %% [markdown]
# ## Summary
#
# - A step on a row multiplies that row's residual by about (1 − 2·lr·K), K = ‖d pred/d weights‖²; above
#   lr·K = 1 the row overshoots.
# - The linear model's K = x² + 1 is fixed; the sheet's lr = 1e-4 puts its largest row just under that line, and the
#   whole epoch stays stable up to lr ≈ 4.4e-4.
# - The 2-neuron model's K = w2²(x² + 1) + h² + 1 grows with the weights: overshoots feed on themselves.
# - Its small-bias fits are ≥ 4 times as curved (edge ≈ 1.1e-4 for the balanced fit, right at the sheet's lr);
#   even its gentlest fit is sharper than the linear model. Small steps conserve w1² + b1² − w2².
#
# ## Exercises
#
# **1.** K for one row of the linear model.

# %%
def k_linear(x):
    return None

gu.check_k_linear(k_linear)

# %% [markdown]
# **2.** The largest learning rate at which one step on the row x = 50 does not overshoot (lr·K = 1).

# %%
largest_stable_lr = None  # your number
gu.check_largest_stable_lr(largest_stable_lr)


# %% [markdown]
# **3.** K for one row of the linear 2-neuron model.

# %%
def k_two_neuron(w1, b1, w2, x):
    return None

gu.check_k_two_neuron(k_two_neuron)

# %% [markdown]
# ## Questions
#
# 1. The linear model's largest row overshoots above lr ≈ 1e-4, yet the epoch survives up to 4.4e-4. Which rows
#    pull it back, and why can they?
# 2. Why does a large negative b1 make an exact fit gentler? What happens to h across the 29 rows?
# 3. The learner started with w1² + b1² − w2² = 1. Which of the fits in the table of section 6 can that start reach
#    with small steps?
