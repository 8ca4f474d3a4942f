# %% [markdown]
# # 10 · Row order and mini-batches
#
# **The question.** fastbook chapter 4 trains the way fastai does: the rows are shuffled every epoch, and each step
# uses the *mean* gradient of a mini-batch of rows. What do the learner's model and the sheet's line do then?
#
# **The answer.** At the sheet's lr 1e-4 the learner's 2-neuron model still fails whatever the batch: with single
# rows or batches of 4 it diverges in every shuffled order, and with the full batch it neither diverges nor settles.
# Averaging over rows explains why single rows survive far above the lr at which the steepest row's step alone
# blows up: over an epoch the flatter rows pull the weights back, so the one-row meter overstates the danger. It
# does not open a big gap between single rows and batches. For the line, every shuffled order diverges from about
# 4e-4 with single rows, the full batch's limit is 4.0e-4, and batches of 4 diverge from about 4.6e-4. For the
# 2-neuron model batches of 4 move that point only from about 6.3e-5 to 8.6e-5; only the full batch, which does
# not train there, survives further. A batch also takes one step where the sheet takes many, so each epoch does
# less. The lr that converges fastest moves with the batch size, and fastai's mean loss puts the lr on a scale that
# differs from the sheet's by the batch size.
#
# Back to the learner's path: [08 · your questions](../08_your_questions.ipynb). Why the sheet's run explodes:
# [03](../03_why_it_explodes.ipynb) and [deeper 03](03_why_it_explodes.ipynb).

# %%
# %matplotlib widget

import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
n_rows = len(x)

# %% [markdown]
# ## 1 · Three ways to feed the rows
#
# - **The sheet**: rows in the data's order, one update per row, each update `weight -= lr * gradient of that
#   row's squared error`.
# - **Shuffled** (`gu.train(..., shuffle=seed)`): every epoch visits the rows in a fresh random order, as fastai's
#   training DataLoader does.
# - **Mini-batches** (`batch_size=b`): the epoch's order is cut into batches of b rows (the last, partial batch is
#   kept: 29 rows at b = 4 give 7 batches of 4 and one of 1). One update per batch, along the **mean** of its rows'
#   gradients, as PyTorch's `MSELoss()` (mean reduction) does. b = 29 is the **full batch**: one update per epoch,
#   plain gradient descent, and the order changes only the last bits of the sum.
#
# So at b rows per batch the update is
#
# $$\theta \leftarrow \theta - \mathrm{lr}\cdot\frac{1}{b}\sum_{i \in \text{batch}} \nabla_\theta (\hat y_i - y_i)^2 .$$
#
# Every claim below that depends on the row order is a fraction over 40 shuffled orders (seeds 0 to 39), counted
# by `gu.outcome_fractions` or by one vectorized `gu.train` sweep: "converged" means the sheet error is below 1 at
# the end and stays below from some epoch on.

# %% [markdown]
# ## 2 · At the sheet's lr, 1e-4
#
# Both models from their sheet starts (every weight 1), 3,000 epochs, 40 shuffled orders each:

# %%
at_sheet_lr = {}
for name, model in [("the line", gu.Linear()), ("2 neurons", gu.TwoNeuron())]:
    for b in (1, 4, 29):
        fared = gu.outcome_fractions(model, gu.SGD(1e-4), x, y, 3000, batch_size=b, n=40)
        at_sheet_lr[name, b] = fared
        print(f"{name:9s} batch {b:2d}: {fared}")
full = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 3000, trace=False, batch_size=n_rows)
print("2 neurons, full batch, data order: sheet error after epochs 1, 10, 100, 1000, 3000:",
      np.round(full.epoch_errors[[0, 9, 99, 999, 2999]], 3).tolist())

# %%
fig, axes = gu.figure(2, width=9, height=3.0, sharey=True)
for ax, name in zip(axes, ["the line", "2 neurons"]):
    bottom = np.zeros(3)
    for outcome, colour in [("converged", "tab:green"), ("wandering", "0.6"), ("diverged", "tab:red")]:
        share = np.array([at_sheet_lr[name, b].fractions[outcome] for b in (1, 4, 29)])
        ax.bar(["1", "4", "29 (full)"], share, bottom=bottom, color=colour, label=outcome)
        bottom += share
    ax.set_title(f"{name}, lr 1e-4, 3000 epochs", fontsize=9)
    ax.set_xlabel("batch size")
axes[0].set_ylabel("fraction of 40 shuffled orders")
axes[1].legend(fontsize=8, loc="lower right")
gu.show(fig)

# %% [markdown]
# At lr 1e-4 the line never diverges, but within 3,000 epochs it converges only with single rows; at that lr its
# intercept crawls (notebook [05](05_momentum.ipynb)). The 2-neuron model diverges in every order with single rows
# and with batches of 4; with the full batch it survives 3,000 epochs without settling, its error still in the
# hundreds. The sheet's lr is wrong for it in all three ways of feeding the rows.
#
# ## 3 · Each one's best lr
#
# A scan of 31 learning rates from 1e-5 to 1e-3 (evenly spaced on a log scale). Batches of 1 and 4: 40 shuffled
# orders each, 3,000 and 6,000 epochs (a batch of 4 makes 8 updates per epoch instead of 29). Full batch: one
# update per epoch, so 30,000 epochs, in the data's order (section 4 checks that the order does not matter).
#
# **"Best"** here means: among the learning rates at which every one of the 40 orders converges within the
# epochs given, the one with the fewest epochs to converge (the median over the orders).

# %%
lrs = np.geomspace(1e-5, 1e-3, 31)
budget = {1: 3000, 4: 6000, 29: 30000}
seeds = np.arange(40)
scan = {}
for name, make in [("the line", lambda s: gu.Linear(a=np.ones(s), b=np.ones(s))),
                   ("2 neurons", lambda s: gu.TwoNeuron(*(np.ones(s),) * 4))]:
    for b, epochs in budget.items():
        shuffled = b < n_rows
        lr, seed = np.meshgrid(lrs, seeds if shuffled else [0], indexing="ij")
        run = gu.train(make(lr.shape), gu.SGD(lr), x, y, epochs, trace=False, batch_size=b,
                       shuffle=seed if shuffled else None)
        done, when = gu.converged(run), gu.epochs_to(run)
        median = np.array([np.median(w[d]) if d.any() else np.nan for w, d in zip(when, done)])
        scan[name, b] = dict(converged=done.mean(axis=1), diverged=run.diverged.mean(axis=1), median=median)
best = {}
for (name, b), s in scan.items():
    every = np.flatnonzero(s["converged"] == 1)
    trained = np.flatnonzero(s["converged"] > 0)
    i = every[np.argmin(s["median"][every])] if every.size else None
    best[name, b] = None if i is None else lrs[i]
    text = "no lr converges in every order" if i is None else (
        f"best lr {lrs[i]:.3g}: median {s['median'][i]:g} epochs = {s['median'][i] * -(-n_rows // b):g} updates")
    edge = lrs[trained.max()] if trained.size else float("nan")
    band = f"every order converges from lr {lrs[every.min()]:.3g} to {lrs[every.max()]:.3g}" if every.size else ""
    print(f"{name:9s} batch {b:2d}: {text}; {band}; largest lr with any convergence {edge:.3g}; "
          f"every order diverges from {lrs[np.argmax(s['diverged'] == 1)]:.3g}")

# %%
fig, axes = gu.figure(2, width=10, height=3.4, sharey=True)
for ax, name in zip(axes, ["the line", "2 neurons"]):
    for b, colour in zip(budget, ["tab:blue", "tab:orange", "tab:green"]):
        s = scan[name, b]
        all_in = s["converged"] == 1
        ax.plot(lrs, np.where(all_in, s["median"], np.nan), "o-", ms=3, color=colour, label=f"batch {b}")
        some = (s["converged"] > 0) & ~all_in
        ax.plot(lrs[some], s["median"][some], "x", color=colour)
    ax.axvline(1e-4, color="k", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lr (dotted: the sheet's 1e-4)")
    ax.set_title(f"{name}: epochs to converge (o: every order, x: some)", fontsize=9)
axes[0].set_ylabel("median epochs to converge")
axes[0].legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Read the printout and the figure together:
#
# - **Single rows (the sheet's way, shuffled).** The line trains in every order from 1e-4 to about 2.5e-4 (some
#   orders up to about 3.4e-4), and is fastest near 2e-4. The 2-neuron model's band ends near 5e-5, and its best lr is about a third of
#   the sheet's. At its best lr it needs fewer epochs than the line at the line's best (about 770 against about
#   2,000): the line's intercept crawls (notebook [05](05_momentum.ipynb)).
# - **Batches of 4.** The band moves up a little for both models: every order diverges one grid step later for the
#   line (4.64e-4 against 3.98e-4) and two steps later for the 2-neuron model (8.58e-5 against 6.31e-5). That is
#   far less than the steepest row's lead over the average row (about 3.9 times, section 4) would suggest, because
#   single rows already average over an epoch. Each epoch has 8 updates instead of 29, so at the same lr it takes
#   more epochs.
# - **Full batch.** One update per epoch: tens of thousands of epochs even at the best lr (counted in *updates*,
#   though, the line's full batch needs the fewest). The 2-neuron model converges within 30,000 epochs only at lrs
#   up to about 2e-5; above that it neither converges nor diverges until about 2e-4.
#
# ## 4 · Where the explosion comes from when the gradient is averaged
#
# For the line the error of a row is a bowl whose steepness does not depend on the weights, so the limits are exact.
#
# - **One row** (the meter of notebook [03](../03_why_it_explodes.ipynb)): a step on row i multiplies its miss by
#   1 − 2·lr·(xᵢ² + 1). The miss grows when lr·(xᵢ² + 1) > 1, first at the steepest row, x = 99.
# - **The full batch**: the mean squared error is a bowl with the curvature matrix (the **Hessian**, the matrix of
#   second derivatives) H = (2/29)·Σᵢ [[xᵢ², xᵢ], [xᵢ, 1]]. Gradient descent on a bowl is stable exactly when
#   lr < 2 / (largest eigenvalue of H): along that direction each step multiplies the distance to the bottom by
#   1 − lr·λ.
# - **The sheet's scale**: if the batch's gradients were *summed* (as 29 sheet rows in a row roughly add up),
#   H is 29 times larger and the limit 29 times smaller.

# %%
H = 2 / n_rows * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), n_rows]])
lam = np.linalg.eigvalsh(H)
per_row = 1 / (x.max() ** 2 + 1)
full_mean = 2 / lam.max()
print(f"eigenvalues of the mean-squared-error Hessian: {lam[0]:.6f}, {lam[1]:.4f}")
print(f"one row's limit (x = 99): lr < {per_row:.4g}")
print(f"full batch, mean gradient: lr < 2/λmax = {full_mean:.4g}  ({full_mean / per_row:.2f} times the one-row limit)")
print(f"full batch, summed gradient (the sheet's scale): lr < {full_mean / n_rows:.4g}")
fine = np.linspace(0.97, 1.03, 7) * full_mean
edge_run = gu.train(gu.Linear(a=np.ones(7), b=np.ones(7)), gu.SGD(fine), x, y, 3000, trace=False, batch_size=n_rows)
print("measured, full batch at 0.97 ... 1.03 times 2/λmax: diverged", edge_run.diverged.tolist())
online = scan["the line", 1]
print(f"online SGD (single rows, 40 shuffled orders, 3000 epochs): some order converges up to lr "
      f"{lrs[np.flatnonzero(online['converged'] > 0).max()]:.3g}; every order diverges from "
      f"{lrs[np.argmax(online['diverged'] == 1)]:.3g}")
orders = gu.outcome_fractions(gu.Linear(), gu.SGD(best["the line", 29]), x, y, budget[29], batch_size=n_rows, n=4)
print("the line, full batch at its best lr, 4 shuffled orders:", orders, "; epochs", orders.epochs.tolist())
for name in ["the line", "2 neurons"]:
    first_all = {b: lrs[np.argmax(scan[name, b]["diverged"] == 1)] for b in budget}
    print(f"{name}: every order diverges from lr {first_all[1]:.3g} (single rows), {first_all[4]:.3g} (batches of 4, "
          f"{first_all[4] / first_all[1]:.2f} times), {first_all[29]:.3g} (full batch)")

# %% [markdown]
# What this measures:
#
# - With the **mean** gradient the full batch of the line is stable up to 2/λmax, about 4e-4: about four times the
#   one-row limit, because the mean of xᵢ² is far below 99². The runs confirm it: stable up to 1.00 times that
#   limit, diverged from 1.01 times.
# - Online SGD survives far above its one-row limit too (the meter is a rule for one step, not for an epoch), and
#   shuffled single rows stop converging in about the same place, 3e-4 to 4e-4. Averaging over the rows of an
#   epoch already lifts single rows to about the full batch's limit: that is what the average explains, not a gap
#   between single rows and batches. Batches of 4 add one grid step (printed below).
# - Only on the sheet's **summed** scale is the full batch's limit far below online SGD's: about 1.4e-5, 29 times
#   less than with the mean.
# - The full batch's order changes only the last bits of its sum: over 4 shuffled orders the epochs to converge
#   agree.
#
# For the 2-neuron model the steepness depends on the weights, so there is no fixed limit. At the start the
# steepness meter of its steepest row is about 2 at lr 1e-4; the average row's is about 0.5:

# %%
start = dict(w1=1.0, b1=1.0, w2=1.0, b2=1.0)
meter = 1e-4 * np.array([gu.row_curvature(gu.TwoNeuron(), start, xi) for xi in x])
print(f"2 neurons at the start, lr 1e-4: steepest row's meter {meter.max():.4f}, mean over the rows {meter.mean():.4f}")

# %% [markdown]
# The full batch's step follows its rows' average steepness, about a quarter of the steepest row's here, which is
# why the full batch at 1e-4 does not explode. It does not train either: after 3,000 epochs its error is still
# about 190 (section 2). Single rows and batches of 4 do not get that far: every order diverges from about 6.3e-5
# and 8.6e-5, only 1.36 times apart (printed above), far less than the factor of about 4 between the steepest and
# the average row. How the sheet's single-row run explodes: [deeper 03](03_why_it_explodes.ipynb).
#
# ## 5 · What carries over to fastai
#
# - **The lr scale.** `MSELoss()` averages over the batch, so a batch's step is lr times the *mean* gradient. The
#   sheet steps once per row with each row's own gradient. Where the weights barely change within a batch, b
#   sheet steps add up to b times one mean step. So a fastai lr of b times the sheet's moves about as far per
#   batch as the sheet does over the same b rows.
# - **Order.** fastai reshuffles every epoch. A result from one fixed order (the sheet's) can flip: see the
#   fractions above, and [04](../04_better_starts.ipynb).
# - **What survives.** The 2-neuron model from all weights 1 does not train at the sheet's lr with any of the
#   three batch sizes; at about a third of it, single shuffled rows train in every order. Batches of 4 train in
#   every order up to a larger lr, but need more epochs; the full batch survives far larger lrs without training.
#
# ## Exercises
#
# **1.** The largest stable lr of full-batch gradient descent for the line, 2/λmax, for any x. Write it.

# %%
def full_batch_limit(x):
    return None

gu.check_full_batch_limit(full_batch_limit)

# %% [markdown]
# ## Questions
#
# 1. Why is the full batch's limit for the line higher than one row's, when the full batch contains that row?
# 2. At its best lr, why does the full batch need so many more epochs than single rows?
# 3. You move the sheet's lr 1e-4 to fastai with batches of 4. Which lr gives steps of about the same size per
#    epoch, and would it train the 2-neuron model?
#
# [Worked answers](../answers/deeper_10_order_and_batches.ipynb)
