# %% [markdown]
# # 03 · Why it explodes: where training is headed
#
# *Going deeper into [03 · Why it explodes](../03_why_it_explodes.ipynb) of the learner's path. The map of both
# layers: [00 · Start here](00_start_here.ipynb).*
#
# Notebook 02 showed the learner's 2-neuron model dying at row 28 of epoch 1 while the 1-neuron model trains
# calmly at the same learning rate. This notebook builds the explanation from one parabola up, and checks every
# step with the course's code (the machinery is in `graddesc/stability.py`, `graddesc/epoch_map.py` and
# `graddesc/fits.py`; the plots in `graddesc/plots.py` and `graddesc/explore_maps.py`).
#
# **The short answer.** At lr = 1e-4 the learner's run is unstable from its first big-x rows: at row 2 (x = 86)
# the step already overshoots and multiplies that row's miss by about −5.7, where the line's steepest row shrinks
# it. Each overshoot grows the weights, larger weights make the next rows steeper still, and the error runs away
# within the first epoch (section 2). It is the whole path that needs a smaller lr, not only where it is headed:
# from every point of the runs that converge at 3e-5 or 6e-5, switching to 1e-4 diverges within a few epochs, and
# every fit a converging run of plain SGD at a constant lr from this start lands on has a first edge below 1e-4
# (the flattest, reached only in a narrow band of learning rates near 7e-5, about 8.8e-5; section 6). Other paths
# can reach flatter fits: with gradient clipping or a slow warm-up (notebook 09) the run lands, in the sheet's row
# order, on a fit stable at 1e-4, but not with shuffled rows (section 6).
#
# Where runs at smaller learning rates end is the second story (sections 4 to 6). Every exact fit has its own
# *first edge*: the largest lr up to which training can settle on it without a break. Gradient flow (infinitely
# small steps) conserves w1² + b1² − w2², which narrows the reachable fits to one curve; finite steps make it drift,
# by an amount that grows with lr, and the drift carries larger-lr runs to flatter fits. The gentlest runs land on
# a fit whose first edge is six times below the sheet's lr: that is the small-lr destination's margin, not the
# reason the run at 1e-4 dies.
#
# Two words used throughout (the glossary in notebook 00 has them all): a step **overshoots** when it carries a
# row's prediction past that row's target (the residual changes sign); it is **unstable** when the residual comes
# out larger than it went in.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 4)
x, y = gu.load_data()
two = gu.TwoNeuron()
learner = gu.train(two, gu.SGD(1e-4), x, y)

# %% [markdown]
# ## 1 · One weight, one parabola
#
# Take e(w) = c·w². A gradient step is w ← w − lr·2c·w = (1 − 2·lr·c)·w: every step multiplies w by the same factor.
#
# - lr·c < 1/2: the factor is between 0 and 1; w shrinks steadily.
# - 1/2 < lr·c < 1: the factor is between −1 and 0; each step **overshoots** (w changes sign) but w still shrinks.
# - lr·c > 1: the factor is below −1; each step overshoots by more than it corrects: **unstable**, w explodes.

# %%
steps = np.arange(12)
fig, ax = gu.figure(width=6.5, height=2.8)
for lr_c in [0.3, 0.8, 1.1]:
    ax.plot(steps, (1 - 2 * lr_c) ** steps, marker="o", label=f"lr·c = {lr_c}: factor {1 - 2 * lr_c:+.1f}")
ax.axhline(0, color="k", lw=0.6)
ax.set_xlabel("step")
ax.set_ylabel("w")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# ## 2 · One row of the sheet: curvature K and the stability meter
#
# An online step on row (x, y) changes the prediction at that row by (d pred/d weights) · (change in weights). For a
# model whose prediction is linear in its weights that is exactly −2·lr·r·K, with r = pred − y and
#
# $$K = \left\lVert \frac{\partial\,\text{pred}}{\partial\,\text{weights}} \right\rVert^2 ,$$
#
# so the row's residual becomes (1 − 2·lr·K)·r: the parabola again, with K in the role of c. For the linear model
# d pred/d(b, a) = (1, x), so **K = x² + 1**. At x = 99 with lr = 1e-4:

# %%
line = gu.Linear()
k = gu.row_curvature(line, {"a": 1.0, "b": 1.0}, 99.0)
print(f"K = {k:.0f}, lr·K = {1e-4 * k:.4f}")
print(f"1 - 2·lr·K = {1 - 2e-4 * k:.6f}; measured by one SGD step: "
      f"{gu.residual_factor(line, {'a': 1.0, 'b': 1.0}, 1e-4, 99.0, 228.0):.6f}")

# %% [markdown]
# The sheet's lr = 1e-4 puts the linear model's largest row just under lr·K = 1 (0.98): that row's step overshoots,
# but the residual still shrinks. For the 2-neuron model, d pred/d(w1, b1, w2, b2) = (w2·x, w2, h, 1), so
#
# $$K = w_2^2\,(x^2 + 1) + h^2 + 1, \qquad h = w_1 x + b_1 ,$$
#
# and K depends on the weights. The prediction w2·h + b2 is now a *product* of weights, and one step moves both
# factors: w2 by −2·lr·r·h and h by −2·lr·r·w2·(x² + 1). Multiplying out the new prediction gives the exact factor
#
# $$\frac{r'}{r} = 1 - 2\,\text{lr}\,K + 4\,\text{lr}^2\, r\, w_2\, h\,(x^2+1) .$$
#
# The last term is negligible while lr·r is small, and it decides everything when it is not. Near the start at a
# small lr, and in the learner's run at rows 2, 25 and 26:

# %%
rows = []
ones = {"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}
rows.append({"where": "all weights 1, x = 14, lr 1e-5", "lr·K": 1e-5 * gu.row_curvature(two, ones, 14.0),
             "1 - 2·lr·K": 1 - 2e-5 * gu.row_curvature(two, ones, 14.0),
             "exact formula": gu.residual_factor_formula(two, ones, 1e-5, 14.0, 58.0),
             "measured": gu.residual_factor(two, ones, 1e-5, 14.0, 58.0)})
table = learner.table()
for row in [2, 25, 26]:
    at = {name: table[name].iloc[row - 1] for name in two.names}
    xi, yi = table.x.iloc[row - 1], table.y.iloc[row - 1]
    k = gu.row_curvature(two, at, xi)
    rows.append({"where": f"learner's run, lr 1e-4, row {row} (x = {xi:g})", "lr·K": 1e-4 * k,
                 "1 - 2·lr·K": 1 - 2e-4 * k, "exact formula": gu.residual_factor_formula(two, at, 1e-4, xi, yi),
                 "measured": gu.residual_factor(two, at, 1e-4, xi, yi)})
pd.DataFrame(rows)

# %% [markdown]
# At a small lr the simple factor 1 − 2·lr·K is right to four digits. In the learner's run it is not: at rows 2
# and 25 the real factor is more than twice as large as the formula, and at row 26 it has the **opposite sign**:
# the step does not overshoot at all, it pushes the prediction further the wrong way and multiplies the residual
# by about 86. The lr² term (a product of the w2 step and the h step) is what the simple formula leaves out; the
# exact formula matches the measured factor in every row.
#
# `gu.stability_meter(run)` computes lr·K for every row of a run, with the weights in use at that row: the
# *linearised* warning light, accurate when lr·|r|·|x| is small (the neglected term is of that size relative to
# lr·K). The learner's run:

# %%
meter = gu.stability_meter(learner)[0]  # epoch 1: lr·K per row
fig, (ax_meter, ax_err) = gu.figure(2)
gu.MeterLine(ax_meter, len(x), 1).update(learner)
gu.RowErrorLines(ax_err, ["2 neurons"], len(x), 1).update({"2 neurons": learner})
gu.show(fig)
print("rows with lr·K > 1:", (np.flatnonzero(meter[:learner.diverged_at[1]] > 1) + 1).tolist())
print("lr·K at rows 24-28:", np.round(meter[23:28], 2).tolist())

table = learner.table()
table.index = table.index + 1  # rows counted from 1, as diverged_at counts them
table["lr·K"] = meter[:len(table)]
table["residual factor"] = [gu.residual_factor(two, {n: table.at[row, n] for n in two.names}, 1e-4, table.at[row, "x"],
                                               table.at[row, "y"]) for row in table.index]
real = table["residual factor"].abs() > 1
print("rows where lr·K > 1 but the residual shrinks:", table.index[(table["lr·K"] > 1) & ~real].tolist())
print("rows where lr·K <= 1 but the residual grows:", table.index[(table["lr·K"] <= 1) & real].tolist())

# %% [markdown]
# The warning light is right for most rows, not all: at row 3 it is on and the residual shrinks; at row 17 it is
# just off and the residual grows. When residuals are large the lr² term moves the real factor either way.
#
# Why does the meter run away at the end? K = w2²(x² + 1) + h² + 1 grows with |w2| and with |h|. A step moves the
# weights by lr times the residual times the gradient, so a large residual makes a large step even where the step
# is stable: row 24's step shrinks its own residual (factor +0.54) but, with a residual of −148, it roughly
# triples w1 and w2. Larger weights mean larger K at row 25, whose step is unstable and overshoots; rows 26 to 28
# then push their predictions further the wrong way (factors of about 86, 14,000 and 4e11). The error does not
# grow geometrically, it grows faster:

# %%
table["K"] = gu.row_curvature(two, {n: table[n].to_numpy() for n in two.names}, table.x.to_numpy())
table["residual"] = table.pred - table.y
table[["x", "w1", "w2", "h", "K", "lr·K", "residual", "residual factor", "err_sq"]].loc[23:28]

# %% [markdown]
# Try it: the meter (left) and the row errors (right) for the 2-neuron model, with sliders for lr and the starting
# w1, w2 (b1 = b2 = 1). Watch where the meter crosses its line, and whether the error follows it up.

# %% tags=["nbval-ignore-output"]
gu.explore_stability()

# %% [markdown]
# The meter warns when one row's step is unstable (to first order). It does not say whether training as a whole
# can settle: the next rows have other x values and pull the weights back, and what matters in the end is the fit
# training heads for.
#
# ## 3 · The epoch and its edge
#
# Near an exact fit the residuals are small, the lr² term vanishes, and each row's step is a linear map of the
# weights. An epoch multiplies the 29 maps; the fit is stable while the product's eigenvalues are at most 1 in size
# (`gu.epoch_map_eigenvalues`). Each fit thus has its **stable learning rates**, and `gu.stability_edges` finds
# them by scanning the lr axis in steps of 0.2% (fine enough to catch any window 1% wide). For the linear model's
# fit a = 2, b = 30:

# %%
linear_fit = {"a": 2.0, "b": 30.0}
windows = gu.stability_edges(line, linear_fit)
print("stable for lr in:", [(f"{a:.3e}", f"{b:.3e}") for a, b in windows])
print(f"per-row bound: lr < 1/max K = {1 / (99 ** 2 + 1):.3e}")
for lr in [0.95 * windows[0][1], 1.05 * windows[0][1], np.sqrt(windows[1][0] * windows[1][1])]:
    run = gu.train(line, gu.SGD(lr), x, y, 20_000, trace=False, stop_below=1e-6)
    print(f"  trained from a = b = 1 at lr {lr:.3e}: {gu.verdict(run)}")

# %% [markdown]
# Two lessons. The linear model's **first edge**, 4.38e-4, is 4.4 times the sheet's lr: its largest row's step is
# unstable above about 1e-4, but the other rows pull it back, and training just below the edge converges while
# just above it diverges. And stability is **not monotone** in lr: above the first edge there is a narrow window
# (5.82e-4 to 5.88e-4) where the fit is stable again, and training from a = b = 1 in that window converges. So an
# edge found by bisection, which assumes one switch from stable to unstable, can be wrong; the course scans.
#
# ## 4 · What small steps conserve
#
# For the 2-neuron model the fits form a family: every (w1, b1, w2, b2) with w1·w2 = 2 and w2·b1 + b2 = 30 fits
# y = 2x + 30 exactly. Which one does training reach? With infinitely small steps (gradient flow), the quantity
#
# $$w_1^2 + b_1^2 - w_2^2$$
#
# never changes: its rate of change is 2w1·(−2r·w2·x) + 2b1·(−2r·w2) − 2w2·(−2r·h) = −4r·w2·h + 4r·w2·h = 0. The
# learner's start has 1 + 1 − 1 = 1. Real steps are finite. Multiplying out one step on a row (x, y) with residual
# r = pred − y and h = w1·x + b1 gives the change exactly:
#
# $$\Delta\,(w_1^2 + b_1^2 - w_2^2) = 4\,\text{lr}^2\, r^2 \left(w_2^2 (x^2 + 1) - h^2\right)$$
#
# (the first-order terms cancel as above; what is left are the squares of the steps). A run takes of order 1/lr
# steps, so a whole run drifts by a term of order lr. From the learner's start, trained until the error is below
# 1e-6 (or for 20,000 epochs):

# %%
lrs = np.array([1e-6, 3e-6, 1e-5, 2e-5, 3e-5, 4e-5, 5e-5, 6e-5])
landed, runs = gu.destination({"w1": np.ones(lrs.shape), "b1": 1.0, "w2": 1.0, "b2": 1.0}, lrs)
edges = gu.stability_edge(two, landed)
destinations = pd.DataFrame({"lr": lrs, "epochs to error < 1": gu.epochs_to(runs),
                             **{name: landed[name] for name in two.names},
                             "w1² + b1² - w2² at the end": gu.balance(landed), "first edge of that fit": edges,
                             "edge / lr": edges / lrs})
destinations

# %% [markdown]
# At lr 1e-6 the conserved quantity ends at 1.55, at 1e-5 at 12.6, at 3e-5 at 52: the smaller the step, the closer
# to the start's value of 1. The formula above accounts for every bit of that drift; checked on every row of the
# first five epochs at lr 3e-5, and of the exploding epoch at 1e-4, against the change measured from the weights
# before and after each step (the gap is compared with the rounding of w1² + b1² + w2²):

# %%
def drift_check(lr, epochs):
    run = gu.train(two, gu.SGD(lr), x, y, epochs)
    steps = pd.concat([run.table(epoch) for epoch in range(1, epochs + 1)])
    before = steps.w1 ** 2 + steps.b1 ** 2 - steps.w2 ** 2
    after = steps.new_w1 ** 2 + steps.new_b1 ** 2 - steps.new_w2 ** 2
    h = steps.w1 * steps.x + steps.b1
    formula = 4 * lr ** 2 * (steps.pred - steps.y) ** 2 * (steps.w2 ** 2 * (steps.x ** 2 + 1) - h ** 2)
    size = steps.w1 ** 2 + steps.b1 ** 2 + steps.w2 ** 2 + steps.new_w1 ** 2 + steps.new_b1 ** 2 + steps.new_w2 ** 2
    ok = np.isfinite(after)
    return len(steps[ok]), float(np.max(np.abs((after - before) - formula)[ok] / (size[ok] * np.finfo(float).eps)))

for lr, epochs in [(3e-5, 5), (1e-4, 1)]:
    n_steps, gap = drift_check(lr, epochs)
    print(f"lr {lr:g}: {n_steps} steps; largest |measured change - formula| = {gap:.0f} x the rounding unit of "
          f"the squares")

# %% [markdown]
# Ten times smaller than 1e-6, the run is practically gradient flow:

# %%
flow, flow_run = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}, 1e-7, epochs=300_000)
print(f"lr 1e-7: error below 1 from epoch {gu.epochs_to(flow_run):,}; lands on",
      {k: round(v, 3) for k, v in flow.items()}, f"with w1² + b1² - w2² = {gu.balance(flow):.3f}")

# %% [markdown]
# ## 5 · Where the learner's start is headed
#
# The conservation law alone does not pick the destination: it only narrows the fits within reach from a
# two-parameter family to one curve. That curve holds very different fits. Here is one of them, with the whole
# intercept in b2 (b1 = 0, and w1² − w2² = 1 with w1·w2 = 2):

# %%
w1_on_curve = np.sqrt((1 + np.sqrt(17)) / 2)  # w1^4 - w1^2 - 4 = 0
on_curve = gu.exact_fit(w1_on_curve, 0.0)
print("a fit with w1² + b1² - w2² = 1 and b2 = 30:", {k: round(float(v), 4) for k, v in on_curve.items()},
      f"| balance {gu.balance(on_curve):.3f} | first edge {gu.stability_edge(two, on_curve):.3e}")

# %% [markdown]
# That fit is stable at the sheet's lr, and the run does not go there. Which point of the curve a run reaches is set
# by its early steps (and, at finite lr, by the drift off the curve: section 6). b2 learns as slowly as the linear model's intercept (its gradient is 2r, its curvature 1),
# while the product w2·b1 is built fast: as w2 and b1 grow, each speeds up the other. So the run builds the
# intercept through w2·b1, and conservation then ties b1 to w2. The gentle run (lr 3e-6), epoch by epoch:

# %%
gentle_run = gu.train(two, gu.SGD(3e-6), x, y, 3000, trace="epochs")
at = np.array([1, 100, 300, 1000, 3000])
pd.DataFrame({"epoch": at, **{name: gentle_run.epoch_params[name][at - 1] for name in two.names},
              "w2·b1": (gentle_run.epoch_params["w2"] * gentle_run.epoch_params["b1"])[at - 1],
              "sheet error": gentle_run.epoch_errors[at - 1]}).set_index("epoch")

# %% [markdown]
# By epoch 3000, w2·b1 carries about 27 of the intercept's 30 and b2 less than 3. The row for lr = 3e-6 in
# section 4 is where that run ends, (w1, b1, w2, b2) ≈ (0.392, 5.368, 5.103, 2.607), practically the gradient-flow
# point. How sharp is it?

# %%
gentle = {name: float(landed[name][1]) for name in two.names}  # the destination at lr 3e-6
k_fit = gu.row_curvature(two, gentle, 99.0)
print(f"K at x = 99: {k_fit:,.0f}, {k_fit / (99 ** 2 + 1):.1f} times the linear model's {99 ** 2 + 1:,}")
print("stable for lr in:", [(f"{a:.3e}", f"{b:.3e}") for a, b in gu.stability_edges(two, gentle)])
print(f"the sheet's lr is {1e-4 / gu.stability_edge(two, gentle):.1f} times its first edge")

# %% [markdown]
# The fit small steps from the learner's start land on has K about 26 times the line's at x = 99, and its first
# edge, 1.67e-5, is six times below the sheet's lr (it has a second, narrow window of stability, also far below
# 1e-4). That factor of six is the margin of the *small-lr* destination. It is not why the run at 1e-4 dies: a
# larger lr lands elsewhere (section 6), and at 1e-4 the run blows up in epoch 1 (section 2), far from any fit.
#
# ## 6 · The learning rate moves the destination: a drift that grows with lr
#
# The table of section 4 shows a second effect: runs that converge at a larger lr land on *flatter* fits, with edges
# just above the lr that found them (1.2 to 1.5 times it, from lr 2e-5 up). What carries them there is the drift of
# section 4: each step moves w1² + b1² − w2² by 4·lr²·r²·(w2²(x² + 1) − h²), more at a larger lr, and along the
# learner's path the bracket is mostly positive, so b1 grows and w2 shrinks: flatter fits. When does the drift
# happen, and how close to unstable is the run then? At lr 3e-5, epoch by epoch, with the first edge of the
# epoch map linearised at the weights in use (as if they were a fit):

# %%
drift_run = gu.train(two, gu.SGD(3e-5), x, y, 400, trace="epochs")
balance_path = gu.balance(drift_run.epoch_params)
marks = np.array([1, 50, 100, 200, 300, 384])
at_marks = {name: drift_run.epoch_params[name][marks - 1] for name in two.names}
pd.DataFrame({"epoch": marks, "sheet error": drift_run.epoch_errors[marks - 1],
              "w1² + b1² - w2²": balance_path[marks - 1],
              "linearised first edge": gu.stability_edge(two, at_marks),
              "edge / lr": gu.stability_edge(two, at_marks) / 3e-5}).set_index("epoch")

# %%
late = (balance_path[-1] - balance_path[99]) / (balance_path[-1] - 1)
print(f"share of the drift (from the start's 1 to {balance_path[-1]:.2f}) that happens after epoch 100: {late:.0%}")

# %% [markdown]
# Most of the drift (about four fifths) comes after epoch 100, while the error is still large and the linearised
# edge of the weights in use is more than twice the lr: the run is nowhere near unstable while it drifts. So
# instability does not push the run off sharp fits. The finite steps themselves carry it, by a term that vanishes
# with lr². That every converging run ends on a fit stable at its lr (the edge / lr column of section 4 is above 1)
# is a *necessary condition* (Wu, Ma & E 2018: SGD can only settle on minima stable at its lr), not the mechanism
# that picks the fit. The mechanism has a name: *implicit gradient regularization*. Barrett & Dherin (2021) show
# that gradient descent with finite steps follows, to first order in lr, the gradient flow of a modified loss that
# adds lr/4 times the squared length of the gradient, which penalises steep regions; Smith, Dherin, Barrett & De
# (2021) derive the same for SGD, with the squared lengths of the per-row (or per-batch) gradients. Near a fit the
# residuals vanish and the drift stops, which is why it acts while the error is still large.
#
# The drift has a limit: beyond some lr no run from this start converges at all. A scan of 1,500 learning rates
# in the sheet's row order:

# %%
fine = np.geomspace(5e-5, 1e-4, 1500)
scan = gu.train(gu.TwoNeuron(w1=np.ones(fine.shape)), gu.SGD(fine), x, y, 3000, trace=False, stop_below=1.0)
works = gu.converged(scan)
first_failure, last_success = fine[np.argmin(works)], fine[works].max()
between = (fine >= first_failure) & (fine <= last_success)
island_landings, _ = gu.destination({name: np.asarray(value)[between & works] for name, value in scan.params.items()},
                                    fine[between & works])
print(f"on 1,500 learning rates from 5e-5 to 1e-4 (3000 epochs each): every run converges up to about "
      f"{first_failure:.2g}; between there and about {last_success:.2g} {works[between].mean():.0%} do, in scattered "
      f"islands; none above")
island_edges = gu.stability_edge(two, island_landings)
print(f"the flattest fit an island run lands on has a first edge of {np.nanmax(island_edges):.2g}")

fig, ax = gu.figure(width=6.5, height=3.6)
many = np.geomspace(1e-6, first_failure * 0.999, 40)
landed_many, runs_many = gu.destination({"w1": np.ones(many.shape), "b1": 1.0, "w2": 1.0, "b2": 1.0}, many)
ax.loglog(many, gu.stability_edge(two, landed_many), "o-", ms=3, label="first edge of the fit the run lands on")
ax.loglog(many, many, "k--", lw=1, label="edge = lr used")
ax.axvline(last_success, color="C3", ls=":", label=f"no run converges beyond {last_success:.2e} (sheet order)")
ax.axvline(1e-4, color="0.5", lw=1, label="the sheet's lr 1e-4")
ax.set_xlabel("lr used (from the learner's start)")
ax.set_ylabel("edge of the destination")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Every point lies above the diagonal (each destination is stable at the lr that found it), and the ratio of edge
# to lr levels off at about 1.2: the destinations get flatter, but no faster than the lr. The flattest fit a
# converging run from this start reaches has a first edge just below 1e-4 (about 8.8e-5), and the sheet's lr is
# beyond the last run that converges.
#
# That holds for plain SGD at a constant lr. A path that is not plain SGD can end elsewhere: notebook 09's gradient
# clipping (each row's gradient scaled down to a norm of at most 10,000) at the sheet's lr, in the sheet's row
# order and with the rows shuffled (40 orders):

# %%
clipped = gu.train(two, gu.SGD(1e-4), x, y, 3000, trace=False, clip_norm=10_000)
print(f"clip norm 10,000 at lr 1e-4, sheet's order: converged {gu.converged(clipped)}, below 1 from epoch "
      f"{gu.epochs_to(clipped)}, on a fit whose first edge is {float(gu.stability_edge(two, clipped.params)):.3g}")
print("shuffled:", gu.outcome_fractions(two, gu.SGD(1e-4), x, y, 3000, n=40, seed=0, clip_norm=10_000))

# %% [markdown]
# In the sheet's order the clipped run converges (from epoch 750) onto a fit whose first edge is about 1.26e-4,
# above the sheet's lr: that fit is flatter than any plain SGD reaches from this start. With shuffled rows it does
# not converge within 3000 epochs in any of the 40 orders (36 still wander; 4 end just below 1, only in the last
# tenth of the run). So "every fit this start can reach needs a lr below 1e-4" is a statement about plain SGD at a
# constant lr, and the exceptions live in the sheet's row order.
#
# Inside the band between about 6.6e-5 and 7.2e-5, which learning rates converge is not a property of the lr: it
# changes with the last bits of the arithmetic. Measured as a fraction (`gu.outcome_fractions`, in
# `graddesc/robustness.py`), over 120 learning rates in the band and 16 starts each, every weight nudged by about
# 1e-12 (relative):

# %%
band = np.geomspace(6.6e-5, 7.2e-5, 120)
share = np.array([gu.outcome_fractions(two, gu.SGD(lr), x, y, 3000, over="nudges", n=16, stop_below=1.0)
                  .fractions["converged"] for lr in band])
print(f"in the band: {share.mean():.0%} of the 1,920 nudged runs converge; at {((share > 0) & (share < 1)).mean():.0%} "
      f"of the learning rates the outcome depends on the nudge; at {(share == 0).mean():.0%} none converges")

orders_lr = np.geomspace(2e-5, 6.6e-5, 24)
order_share = np.array([gu.outcome_fractions(two, gu.SGD(lr), x, y, 3000, n=24, stop_below=1.0)
                        .fractions["converged"] for lr in orders_lr])
print(f"with the rows shuffled every epoch (24 orders per lr): all converge up to lr "
      f"{orders_lr[order_share == 1].max():.2e}, none from {orders_lr[order_share == 0].min():.2e}; in between:",
      {f"{lr:.2e}": f"{v:.0%}" for lr, v in zip(orders_lr, order_share) if 0 < v < 1})

# %% [markdown]
# So the band is a result and its fine structure is not: in it about one run in five converges. With the rows
# shuffled every epoch (as fastai does) the largest lr that trains from this start is lower still, and the band
# of chance sits lower too.
#
# Every point on the way needs a smaller lr as well, not only the destination. Take the runs that converge at 3e-5
# and 6e-5, and from the weights at the end of each of their epochs continue at the sheet's lr:

# %%
for warm_lr in [3e-5, 6e-5]:
    warm = gu.train(two, gu.SGD(warm_lr), x, y, 1000, trace="epochs", stop_below=1e-3)
    reached = gu.epochs_to(warm, 1e-3)
    points = {name: np.asarray(value)[:reached] for name, value in warm.epoch_params.items()}
    switched = gu.train(gu.TwoNeuron(**points), gu.SGD(1e-4), x, y, 50, trace=False)
    print(f"lr {warm_lr:g} for 1..{reached} epochs, then 1e-4: {switched.diverged.mean():.0%} of the {reached} switched "
          f"runs diverge, all within {int(np.max(switched.diverged_epoch))} epochs; the linearised first edge on the "
          f"way is at most {np.nanmax(gu.stability_edge(two, points)):.2e}")

# %% [markdown]
# ## 7 · The picture
#
# Every point of the (b1, w2) plane below is an exact fit (w1 = 2/w2 and b2 = 30 − w2·b1 follow), coloured by its
# first edge; the fits that are unstable at the chosen lr are greyed out. The dashed curve holds the fits with
# the start's value of w1² + b1² − w2²: the fits gradient flow can reach (the early steps pick the point; finite
# steps drift off the curve, section 6). The red
# line is the run itself, epoch by
# epoch, the star where it lands, the white diamond where tiny steps (lr 3e-6) from the same start land. Drag lr up
# towards 1e-4 and watch the stable fits shrink to a narrow band that the learner's start never heads for; then set
# the start's b2 to 30.

# %% tags=["nbval-ignore-output"]
gu.explore_destination()

# %% [markdown]
# ## 8 · The best case: how flat can a fit of two neurons be?
#
# Among the fits with small biases the 2-neuron model is at best about four times as curved as the line, and that
# best case is one family only. With b1 ≈ 0, h ≈ w1·x and K ≈ (w1² + w2²)·x² ≥
# 2·|w1·w2|·x² = 4x²: about four times the linear model's x² + 1 at best, reached when w1 = w2 = √2 (balanced);
# other fits of the family are sharper. Checked at x = 99 and with the first edge:

# %%
rows = []
for label, (w1, b1) in {"balanced, w1 = w2 = √2, b1 = 0": (np.sqrt(2), 0.0), "w1 = 1, w2 = 2, b1 = 0": (1.0, 0.0),
                        "w1 = 0.5, w2 = 4, b1 = 0": (0.5, 0.0),
                        "the learner's destination (lr 3e-6)": (gentle["w1"], gentle["b1"])}.items():
    fit = gu.exact_fit(w1, b1)
    rows.append({"exact fit": label, "K at x = 99 / 99²": gu.row_curvature(two, fit, 99.0) / 99 ** 2,
                 "first edge": gu.stability_edge(two, fit)})
rows.append({"exact fit": "linear model (a = 2, b = 30)", "K at x = 99 / 99²": (99 ** 2 + 1) / 99 ** 2,
             "first edge": gu.stability_edge(line, linear_fit)})
pd.DataFrame(rows)

# %% [markdown]
# The balanced fit's edge (1.10e-4) is about a quarter of the line's, and it sits just above the sheet's lr: a run
# that landed there could train at 1e-4, which is what the start with b2 = 30 does (notebook 04). But that is the
# best case of the small-bias family, and the learner's start does not head there. Over *all* exact fits, the
# flattest is one with a large b1 that centres h on the data:

# %%
flattest, flattest_edge = gu.most_stable_fit()
print("the fit with the highest first edge:", {k: round(v, 3) for k, v in flattest.items()})
print(f"its first edge: {flattest_edge:.3e}, {gu.stability_edge(line, linear_fit) / flattest_edge:.2f} times below "
      f"the linear model's; its w1² + b1² - w2² = {gu.balance(flattest):,.0f} (the learner's start: 1)")

# %% [markdown]
# Even the flattest fit of two stacked neurons is sharper than the line's only fit, and it is nowhere near the
# learner's start in the quantity small steps conserve.
#
# ## 9 · The catapult
#
# What happens to a run that starts right next to a fit that is unstable at its lr? Start at w1 = 1, b1 = 0,
# w2 = 2, b2 = 30 + 0.001 (the fit plus a tiny nudge) at lr = 1e-4:

# %%
near = gu.exact_fit(1.0, 0.0)
print("eigenvalues off the flat directions at the start fit, lr 1e-4:",
      np.round(np.abs(gu.epoch_map_eigenvalues(two, near, 1e-4)), 4).tolist())
catapult = gu.train(gu.TwoNeuron(near["w1"], near["b1"], near["w2"], near["b2"] + 1e-3), gu.SGD(1e-4), x, y,
                    epochs=40, trace=False)
print(f"sheet error at the start: {np.sqrt(29) * 1e-3:.4f}; epochs 1-8:",
      np.round(catapult.epoch_errors[:8], 3).tolist())
print("where it settles:", {k: round(v, 3) for k, v in catapult.params.items()},
      f"(w1² + b1² - w2² went from {gu.balance(near):.2f} to {gu.balance(catapult.params):.3f})")
print("eigenvalues off the flat directions there:",
      np.round(np.abs(gu.epoch_map_eigenvalues(two, catapult.params, 1e-4)), 4).tolist(),
      f"| its first edge {gu.stability_edge(two, catapult.params):.3e} = "
      f"{gu.stability_edge(two, catapult.params) / 1e-4:.3f} x lr")

# %% [markdown]
# The start fit has an eigenvalue larger than 1 in size: the sheet error grows from 0.005 at the start (the nudge)
# to 0.57 after epoch 1 and 135 at epoch 5, the weights are thrown off that sharp fit (Lewkowycz et al. 2020 call
# this the *catapult*), and they land on a nearly balanced fit whose eigenvalues off the flat directions are below
# 1: stable, with a margin of about 10% in lr. Two eigenvalues of every exact fit's epoch map are exactly 1 whatever
# the lr (moving along the family keeps the fit exact), so "the largest eigenvalue is 1" says nothing; the others
# decide. Is the landing a property of this setting or of this start's last bits? Over 40 starts nudged further
# (relative nudges of about 1e-12, and of about 1e-6):

# %%
for size in [1e-12, 1e-6]:
    fared = gu.outcome_fractions(gu.TwoNeuron(near["w1"], near["b1"], near["w2"], near["b2"] + 1e-3), gu.SGD(1e-4),
                                 x, y, 40, over="nudges", nudge=size)
    ends = {k: np.asarray(v)[fared.converged] for k, v in fared.run.params.items()}
    margin = gu.stability_edge(two, ends) / 1e-4
    print(f"{fared}; first edge of the fits reached / lr: {np.nanmin(margin):.4f} to {np.nanmax(margin):.4f}")

# %% [markdown]
# Every nudged start is catapulted to a fit with the same margin, to three digits: the landing belongs to the
# setting. Instability near a fit does not always mean explosion: from close enough it can mean a jump to a
# flatter fit, as here. The learner's run is nowhere near a fit.
#
# ## Summary
#
# - A step on a row multiplies that row's residual by 1 − 2·lr·K (K = ‖d pred/d weights‖²) plus, for the 2-neuron
#   model, a term in lr²·r that dominates when residuals are large and can push the factor either way: at rows 2
#   and 25 of the learner's run the real factor is more than twice the formula's, at row 26 of the opposite sign,
#   at row 3 smaller. The meter lr·K is the first-order warning light.
# - Near a fit the epoch decides: each fit has stable learning rates, found by scanning (stability is not monotone
#   in lr: the line's fit is stable up to 4.38e-4 and again from 5.82e-4 to 5.88e-4).
# - Gradient flow conserves w1² + b1² − w2², which narrows the reachable fits to one curve; the early steps pick the
#   point (b2 learns slowly, w2·b1 fast). Each finite step changes it by exactly 4·lr²·r²·(w2²(x² + 1) − h²): a
#   drift that grows with lr, comes mostly late (four fifths after epoch 100 at 3e-5) while the run is far from
#   unstable, and carries larger-lr runs to flatter fits, just inside their own edge. Stability at the lr is a
#   necessary condition on where a run ends, not the mechanism (implicit gradient regularization).
# - At lr 1e-4 the learner's run is unstable from its first big-x rows and explodes in epoch 1. From every point of
#   the runs that converge at 3e-5 and 6e-5, 1e-4 diverges; the flattest fit a converging run from this start
#   reaches has a first edge of about 8.8e-5. The small-lr destination's edge, six times below the sheet's lr, is
#   that destination's margin, not the reason the run dies.
# - In the sheet's order about one run in five converges in the band between 6.6e-5 and 7.2e-5, and which ones
#   changes with a nudge of 1e-12; with shuffled rows the largest lr that trains from this start is lower.
# - "Four times the line's curvature" is the best case over small-bias fits; the flattest fit of all is still 1.78
#   times sharper than the line.
#
# ## Further reading
#
# - D. Barrett, B. Dherin (2021), *Implicit Gradient Regularization* (ICLR): finite-step gradient descent follows
#   a modified loss that penalises the squared gradient, steering towards flatter regions (section 6).
# - S. Smith, B. Dherin, D. Barrett, S. De (2021), *On the Origin of Implicit Regularization in Stochastic Gradient
#   Descent* (ICLR): the same for SGD, with the per-batch gradients (section 6).
# - L. Wu, C. Ma, W. E (2018), *How SGD Selects the Global Minima in Over-parameterized Learning: A Dynamical
#   Stability Perspective*: SGD can only settle on minima that are stable at its learning rate, a necessary
#   condition (section 6).
# - J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar (2021), *Gradient Descent on Neural Networks Typically
#   Occurs at the Edge of Stability*: a related effect in full-batch gradient descent, where the sharpness rises to
#   2/lr and hovers just above it while the loss keeps falling, not monotonically.
# - A. Lewkowycz, Y. Bahri, E. Dyer, J. Sohl-Dickstein, G. Gur-Ari (2020), *The large learning rate phase of deep
#   learning: the catapult mechanism*.
# - S. Du, W. Hu, J. Lee (2018), *Algorithmic Regularization in Learning Deep Homogeneous Models: Layers are
#   Automatically Balanced*: the conserved quantity of section 4 (their networks have no biases; here b1 counts as
#   a weight on a constant input).
# - S. Arora, N. Cohen, E. Hazan (2018), *On the Optimization of Deep Networks: Implicit Acceleration by
#   Overparameterization*: depth as a preconditioner (notebook 08 measures it here).
#
# ## Exercises
#
# **1.** K for one row of the linear model.

# %%
def k_linear(x):
    return None

gu.check_k_linear(k_linear)

# %% [markdown]
# **2.** The largest learning rate at which one step of the *linear* model on the row x = 50 does not make that
# row's residual grow (lr·K = 1).

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
# The [worked answers](../answers/deeper_03_why_it_explodes.ipynb) answer each question with cells.
#
# 1. The linear model's largest row is unstable above lr ≈ 1e-4, yet the epoch is stable up to 4.38e-4. Which rows
#    pull it back, and why can they?
# 2. The curve of fits with w1² + b1² − w2² = 1 contains a fit with b2 = 30 that is stable at 1e-4. Why does
#    the learner's run build its intercept through w2·b1 instead?
# 3. The start with b2 = 30 trains at lr 1e-4. Where does it land in the picture of section 7, and why is that fit
#    flatter than the one the learner's start heads for?
# 4. In the catapult run, which eigenvalue decided the jump? Run the same nudge at lr 1.2e-4 and look at the
#    stable learning rates (`gu.stability_edges`) of the fit it ends on: what do you find?
