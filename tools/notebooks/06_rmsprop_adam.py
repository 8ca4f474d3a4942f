# %% [markdown]
# # 06 · RMSProp and Adam: a step size for each weight
#
# Can another of the spreadsheet's optimizers train the learner's 2-neuron model? Adam does, at a fixed learning
# rate: it keeps every weight's step about as small as the lr, however large the slopes get. The smaller the lr, the
# lower the error it settles at, and the longer it takes to get there.
#
# About 16 minutes.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## 1. The steps, row by row (~8 min)
#
# The learner's model (every weight 1) in its first epoch. Left: plain SGD at the sheet's lr 1e-4, as in notebook
# 02. Right: the sheet's Adam at lr 1e-3, ten times larger. Each line is the size of one weight's step at each row.
# (A weight's derivative: how much the row's error changes when you nudge that weight a tiny bit.)

# %%
runs = {"SGD, lr 1e-4": gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 1),
        "Adam, lr 1e-3": gu.train(gu.TwoNeuron(), gu.Adam(1e-3), x, y, 1)}
fig, axes = gu.figure(2, width=10, height=3.4)
for ax, (title, run) in zip(axes, runs.items()):
    steps = np.abs(run.history["new_theta"] - run.history["theta"])[:, 0]
    for i, name in enumerate(run.model.names):
        ax.semilogy(np.arange(1, 30), gu.until_divergence(run, steps[i]), marker="o^sv"[i], ms=7 - 1.5 * i,
                    lw=3 - 0.7 * i, ls="-" if i == 0 else "--", mfc="white" if i else None, label=name)
    ax.set_ylim(1e-6, 1e4)
    ax.legend(fontsize=8, loc="lower right", ncol=2, title="w1 and w2 nearly overlap", title_fontsize=7)
    ax.set_xlabel("row of epoch 1")
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("size of the step")
axes[1].axhline(1e-3, color="k", ls="--", lw=0.8, label="lr")
axes[1].legend(fontsize=8, loc="lower right", ncol=2)
gu.show(fig)
for title, run in runs.items():
    before = run.diverged_at[1] - 1 if run.diverged_at else 29  # the rows before the diverging one
    steps = np.abs(run.history["new_theta"] - run.history["theta"])[:, 0, :before]
    slopes = np.abs(run.history["grad"])[:, 0, :before]
    print(f"{title}: {run.divergence_message() or 'no divergence in epoch 1'}; in rows 1-{before}: largest "
          f"derivative {slopes.max():,.0f}, largest step {steps.max():.4g}")

# %% [markdown]
# Left: SGD's step is lr times the slope, and the slopes grow with the weights. By row 27 a single step moves w1 by
# thousands, and the run diverges at row 28. Right: Adam's derivatives grow large too (to tens of thousands), yet
# no step is larger than the lr.
#
# **Jargon: RMSProp.** For each weight, keep a running average of its squared derivatives (notebook 05 explained
# running averages). Divide the step by the square root of that average. A weight with large derivatives then takes
# steps no larger than one with small derivatives: every step is about lr in size.
#
# **Jargon: Adam.** RMSProp with momentum: the top of the division is the running average of the derivatives
# themselves, as in notebook 05.
#
# The sheet's Adam, per weight and row, in Excel terms: first the new averages, then the step with them (no extra
# terms):
#
# `m = 0.9*m + 0.1*g`, `v = 0.9*v + 0.1*g^2`, `new weight = old - lr*m/SQRT(v)`.
#
# Because each step is about lr, Adam's lr sits on a different scale from SGD's. Here v starts at 10,000 and m at
# 0, so the first steps are smaller still: none reaches the lr. This notebook does not run RMSProp; the race between
# all the sheet's optimizers does: [going deeper, the race](deeper/06_rmsprop_adam.ipynb#The-optimizer-race).

# %%
first = runs["Adam, lr 1e-3"]
print("the sheet's starting squared average:", first.optimizer.init_state((), 4)["sqavg"][0])
largest = np.abs(first.history["new_theta"] - first.history["theta"])[:, 0].max(axis=1) / 1e-3
print("largest step in epoch 1, as a fraction of lr:",
      {n: round(float(v), 3) for n, v in zip(first.model.names, largest)})

# %% [markdown]
# ## 2. Adam at a fixed lr trains the 2-neuron model (~8 min)
#
# Now 3,000 epochs of the sheet's Adam from the learner's start, at five fixed learning rates:

# %%
lrs = np.array([1e-1, 1e-2, 3e-3, 1e-3, 3e-4])
adam = gu.train(gu.TwoNeuron(), gu.Adam(lrs), x, y, 3000, trace=False)
table = pd.DataFrame({
    "lr": lrs,
    "diverged": adam.diverged,
    "first epoch below 1 (0: never)": gu.epochs_to(adam),
    "below 1 at the end": gu.converged(adam),
    "lowest, last 500 epochs": np.nanmin(adam.epoch_errors[-500:], axis=0),
    "highest, last 500 epochs": np.nanmax(adam.epoch_errors[-500:], axis=0)})
table["highest / lr"] = (table["highest, last 500 epochs"] / table.lr).round(0)
table

# %%
fig, ax = gu.figure(width=8, height=3.4)
for i, lr in enumerate(lrs):
    gu.epoch_error_line(ax, adam, f"Adam, lr {lr:g}", index=(i,), ms=0, lw=1.2)
ax.axhline(1, color="k", ls=":", lw=0.8, label="error 1")
ax.set_xscale("log")
ax.set_ylim(0.05, 1e3)
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.legend(fontsize=8, loc="lower left")
gu.show(fig)

# %%
fig, ax = gu.figure(width=5, height=3)
ax.loglog(table.lr, table["highest, last 500 epochs"], "o-", label="the floor: highest error, last 500 epochs")
ax.axhline(1, color="k", ls=":", lw=0.8, label="error 1")
ax.set_xlabel("Adam's lr (fixed)")
ax.set_ylabel("sheet error")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# None of the five runs diverges. Each one's error falls, then settles on a **floor**: a level it
# stays at while Adam keeps taking steps of about lr. The floor shrinks with the lr: divide the lr by 10 and the
# floor drops about tenfold (for the four smaller learning rates the last column stays near 600). At lr 1e-3 and
# 3e-4 the floor is below 1, so in the sheet's row order these runs stay below 1 to the end. The price is
# time: there the smaller lr needs more than three times as many epochs to get below 1. At lr 0.1 the steps are
# too large for any fine fit, and the error keeps wandering far above 1.
#
# The same two runs over 40 shuffled orders:

# %%
for lr in (1e-3, 3e-4):
    print(f"Adam, lr {lr:g}:", gu.outcome_fractions(gu.TwoNeuron(), gu.Adam(lr), x, y, 3000, over="orders",
                                                    n=40).summary())

# %% [markdown]
# Shuffled, both fit in every order, and the gap in time shrinks: the median epoch from which the error
# stays below 1 is about 1300 at lr 1e-3 and about 2000 at 3e-4. At 1e-3 a few orders get there only near the end.
#
# So the learner's model can be trained at a fixed lr, by an optimizer that limits each weight's step.
#
# ## In this notebook you:
#
# - saw SGD's steps grow with the slopes until the run diverged, and Adam's stay below the lr;
# - met RMSProp and Adam: each weight's step divided by the root of its running average of squared derivatives;
# - measured that Adam at a fixed lr trains the learner's model, down to a floor that shrinks with the lr.
#
# ## Exercises
#
# **1.** One row of the sheet's Adam for one weight: the new running averages, then the step.

# %%
def adam_step(weight, m, v, g, lr, beta1, beta2):
    # return new_weight, new_m, new_v
    return None

gu.check_adam_step(adam_step)

# %% [markdown]
# **2.** Train the learner's model with Adam at lr 1e-2 and at lr 1e-3 for 3,000 epochs each. How many times higher
# is the first run's floor (its last epoch's error) than the second's?

# %%
floor_ratio = None  # your number
gu.check_floor_ratio(floor_ratio)

# %% [markdown]
# ## Questions
#
# 1. Why can't SGD's step stay small when the slopes grow, while Adam's can?
# 2. Adam's steps are about lr in size. Why does that leave a floor under the error, instead of a perfect fit?
# 3. You need an error below 1 as quickly as possible. Which of the five learning rates would you pick, and why?
#
# [Worked answers](answers/06_rmsprop_adam.ipynb)
