# %% [markdown]
# # 01 · One neuron: the spreadsheet's line, row by row
#
# **The question.** How does the spreadsheet's line learn, one row at a time, and how big may its steps be?
#
# **The answer.** Each row moves the slope and the intercept a small step against that row's error, so the line
# swings a little towards each point in turn and settles on the data. At the sheet's learning rate the line is calm
# but slow. It breaks only when the learning rate is about three to four and a half times bigger.
#
# ~25 min, +10 optional. Number for number with the workbook: [the deeper notebook](deeper/01_linear_sgd.ipynb).

# %%
# %matplotlib widget
import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()
print(f"{len(x)} rows; every y is 2x + 30: {bool(np.all(y == 2 * x + 30))}")

# %% [markdown]
# ## The sheet, row by row (~7 min)
#
# The sheet's model is a straight line, pred = b + a·x, with slope a and intercept b. Both start at 1. Each row of
# the sheet does one update: it predicts, measures the miss, and moves a and b a little. Here are the first three
# rows, with the sheet's columns:

# %%
run = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
table = run.table()
table.index = table.index + 1  # rows counted from 1, as in the sheet
table[["x", "y", "a", "b", "pred", "err_sq", "de_da", "de_db", "new_a", "new_b"]].head(3)

# %% [markdown]
# `err_sq` is the row's squared miss. The `new_a` and `new_b` of a row are the `a` and `b` of the next one. This
# is what the first few steps do to the line:

# %%
fig, ax = gu.figure(width=7, height=3.2)
ax.plot(x, y, "o", color="0.55", ms=4, label="the 29 rows")
grid = np.array([0.0, 105.0])
ax.plot(grid, 1 + 1 * grid, "--", color="0.3", label="start: a = 1, b = 1")
styles = {1: dict(lw=1.5), 2: dict(lw=5, alpha=0.45), 3: dict(lw=1.5, ls="--"), 29: dict(lw=1.5)}
for row, style in styles.items():  # row 3 barely moves the line: dashed, on top of row 2's wide band
    a, b = table.loc[row, "new_a"], table.loc[row, "new_b"]
    ax.plot(grid, b + a * grid, label=f"after row {row}", **style)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(fontsize=8)
ax.set_title("the line after each of the first rows, and after the whole first epoch", fontsize=10)
gu.show(fig)

# %% [markdown]
# Row 1 lifts the line a little towards its point. Row 2, with a big x, lifts the slope a lot, past the data.
# Row 3 barely moves it: its dashed line lies on row 2's wide one. After 29 rows the line is close to the data, but not on it.

# %% [markdown]
# ## A derivative, in plain words (~7 min)
#
# How does the sheet know which way to move a and b? It asks, for each weight: if I nudge this weight up a tiny
# bit, does this row's error go up or down, and by how much?
#
# **Jargon: derivative.** How much the row's error changes when you nudge one weight a tiny bit, divided by the
# size of the nudge: the slope of the error. If it is positive, nudging the weight up makes the error worse, so
# the step moves the weight down. The sheet's `est de/db` column finds it exactly so, with a nudge of 0.01.
#
# **Jargon: gradient.** The derivatives for all the weights together.
#
# Let's do it by hand for row 1 and compare with the sheet's exact formula:

# %%
a, b, x1, y1 = 1.0, 1.0, x[0], y[0]
error = (b + a * x1 - y1) ** 2
nudged = (b + 0.01 + a * x1 - y1) ** 2
print(f"row 1 error {error:.4f}; with b nudged by 0.01: {nudged:.4f}")
print(f"slope by nudging: {(nudged - error) / 0.01:.4f}")
print(f"exact slope, 2 * (pred - y): {2 * (b + a * x1 - y1):.4f}")

# %%
fig, ax = gu.figure(width=6, height=3)
bs = np.linspace(-60, 100, 200)
ax.plot(bs, (bs + a * x1 - y1) ** 2, label="row 1's error as b changes (a = 1)")
slope = 2 * (b + a * x1 - y1)
ax.plot(bs[40:110], error + slope * (bs[40:110] - b), "--", label="its slope at b = 1")
ax.plot([b], [error], "o", color="C3", label="the sheet's start, b = 1")
ax.set_xlabel("b")
ax.set_ylabel("squared error of row 1")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# The error of one row is a bowl in b. At b = 1 the bowl slopes down to the right, so the derivative is
# negative and the step raises b. The nudge and the exact formula almost agree. The small gap is the nudge's own
# size: [the deeper notebook](deeper/01_linear_sgd.ipynb#The-step-table) shows it is exactly 0.01 here, and notebook 02 shows when it matters.

# %% [markdown]
# ## The training loop of fastbook chapter 4, in the sheet's columns (optional, ~4 min)
#
# Chapter 4 of the fastai book lists seven steps. The sheet does each one in its columns:
#
# | fastbook's step | where it is in the sheet |
# |---|---|
# | 1. initialize the weights | the start cells: a = 1, b = 1 |
# | 2. predict | column `pred`, one row at a time |
# | 3. measure the loss | column `err_sq`, the row's squared miss |
# | 4. compute the gradient | columns `de/da`, `de/db` (or `est de/da`, `est de/db` by nudging) |
# | 5. step the weights | columns `new a`, `new b`: each weight minus lr times its derivative |
# | 6. repeat | the next row uses `new a`, `new b`; the next epoch starts from the last row's weights |
# | 7. stop | when you stop pressing the sheet's Run button |
#
# **Jargon: loss.** The number training tries to make small; here, each row's squared miss.
#
# One difference: fastbook averages the gradient over a batch of rows and shuffles them. The sheet takes one step
# per row, in a fixed order.

# %% [markdown]
# ## The replay: watch the line learn (~5 min)
#
# Press ▶. The ring marks the row being updated; the arrow is the step that row causes at its x, from the old
# prediction to the new one. The dashed line is the line before the step, the solid one after it. The small panels
# show a and b, and each row's error, up to this row.

# %% tags=["nbval-ignore-output"]
gu.explore_replay(gu.Linear(), gu.SGD(1e-4))

# %% [markdown]
# Each row pulls the line towards its own point. The rows with a big x swing the slope the most, but the line
# stays near the data. Here is where it is at the end of each epoch over a longer run:

# %%
long = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=3000, trace="epochs")
for epoch in [1, 10, 100, 1000, 3000]:
    a, b = long.epoch_params["a"][epoch - 1], long.epoch_params["b"][epoch - 1]
    print(f"epoch {epoch:4}: sheet error {long.epoch_errors[epoch - 1]:.4g}, slope a = {a:.3f}, intercept b = {b:.2f}")
print("converged (sheet error below 1 to the end):", gu.converged(long), "from epoch", gu.epochs_to(long))

# %%
fig, ax = gu.figure(width=6, height=3)
ax.loglog(np.arange(1, 3001), long.epoch_errors)
ax.axhline(1, color="k", ls="--", lw=0.8, label="sheet error 1")
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.set_title("the line at the sheet's lr: calm, but slow", fontsize=10)
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Both axes are log scales. The line never misbehaves at the
# sheet's lr, but it needs thousands of epochs to get its error below 1. The
# slope jumps near its best within the first epoch; the intercept crawls from 1 towards 30, and the slope follows
# it down to 2. [The deeper notebook](deeper/01_linear_sgd.ipynb#Why-it-crawls:-two-directions,-very-different-slopes) shows why.

# %% [markdown]
# ## Where does the line break? (~6 min)
#
# Your turn. Move the lr slider to the right until the line stops training. Watch the text above the figure: it
# says "converged by epoch N", "still going", or "diverged at epoch e, row r".
#
# **Jargon: diverged.** A row's squared error, or a weight, went past 10¹² (or to infinity): training has blown up.
#
# **Jargon: converged.** The sheet error fell below 1 and stayed there to the end of the run.

# %% tags=["nbval-ignore-output"]
gu.explore_largest_lr(model=gu.Linear(), lr_range=(1e-5, 3e-3))

# %% [markdown]
# **(Optional, ~6 min.)** Now the same hunt done by a computer, at many learning rates, each run 1,000 epochs from a = b = 1. It uses the
# sheet's row order, and also 10 shuffled orders:

# %%
lrs = 10 ** np.arange(np.log10(5e-5), np.log10(1.5e-3), 0.01)
sheet_trains, sheet_runs = gu.lr_scan(lrs, model=gu.Linear())
shuffled_trains, shuffled_runs = gu.lr_scan(lrs[:, None], model=gu.Linear(), shuffle=np.arange(10)[None, :])
diverged = sheet_runs.diverged
calm = lrs[sheet_trains & (lrs < lrs[diverged].min())]
print(f"sheet's order: converges within 1000 epochs at every lr from {calm.min():.2e} to {calm.max():.2e}")
print(f"sheet's order: first divergence at lr {lrs[diverged].min():.2e} "
      f"({lrs[diverged].min() / 1e-4:.2f} times the sheet's lr)")
in_epoch_1 = lrs[sheet_runs.diverged_epoch == 1]
print(f"sheet's order: diverges within epoch 1 at every lr from {in_epoch_1.min():.2e} "
      f"(all: {bool(np.all(sheet_runs.diverged_epoch[lrs >= in_epoch_1.min()] == 1))})")
islands = lrs[sheet_trains & (lrs > lrs[diverged].min())]
print("converges above the first divergence (islands):", [f"{v:.2e}" for v in islands])
all_diverge = lrs[shuffled_runs.diverged.all(axis=1)].min()
print(f"10 shuffled orders: first divergence at {lrs[shuffled_runs.diverged.any(axis=1)].min():.2e}; "
      f"all 10 diverge at every lr from {all_diverge:.2e} "
      f"({all_diverge / 1e-4:.2f} times the sheet's lr): {bool(shuffled_runs.diverged[lrs >= all_diverge].all())}")

# %%
fig, ax = gu.figure(width=7, height=3.2)
# yes/no curves of the sheet's order drawn a little apart (0.03) so that neither hides the other
ax.semilogx(lrs, sheet_runs.diverged + 0.03, drawstyle="steps-mid", lw=2, label="sheet's order: diverged")
ax.semilogx(lrs, shuffled_runs.diverged.mean(axis=1), "o-", ms=3, label="10 shuffled orders: fraction diverged")
ax.semilogx(lrs, sheet_trains - 0.03, drawstyle="steps-mid", lw=2, ls=":", label="sheet's order: converged")
ax.axvline(1e-4, color="k", ls="--", lw=0.8, label="the sheet's lr")
ax.set_ylim(-0.1, 1.1)
ax.set_ylabel("fraction of row orders\n(sheet's order: yes = 1, no = 0)", fontsize=8)
ax.set_xlabel("learning rate (log scale)")
ax.set_title("the line from a = b = 1, 1,000 epochs per lr (yes/no lines drawn a little apart)", fontsize=9)
ax.legend(fontsize=8, loc="center left")
gu.show(fig)

# %% [markdown]
# In the sheet's order, the line first diverges at about four and a half times the sheet's lr, and from about
# seven times it blows up inside the first epoch. With shuffled rows it breaks a little earlier: every order
# diverges from about four times the sheet's lr. Between "calm" and "broken" there is a band where runs survive
# but their error shrinks very slowly, and a lone lr that converges again: a narrow window where the line is
# stable again ([deeper 03](deeper/03_why_it_explodes.ipynb)).
#
# Bigger steps also train faster, up to a point. At the sheet's lr the error was still about 15 after 1,000
# epochs (the long run above). In the sheet's order, from about twice the sheet's lr it converges within them. In notebook 02 the learner's two neurons break below the sheet's lr.

# %% [markdown]
# ## In this notebook you:
#
# - followed the sheet's line row by row, and saw each row pull it towards its point;
# - met the derivative: how much a row's error changes for a tiny nudge of one weight;
# - matched fastbook's seven training steps to the sheet's columns;
# - replayed the line with Play: calm at the sheet's lr;
# - found where the line breaks: at about three to four and a half times the sheet's lr.
#
# ## Exercises
#
# **1.** Write one step of the sheet for one row: return the new a and b.

# %%
def sgd_step(a, b, x, y, lr):
    # pred = b + a*x; de/db = 2*(pred - y); de/da = x * de/db; each weight minus lr times its derivative
    return None

gu.check_sgd_step(sgd_step)

# %% [markdown]
# **2.** The sheet reports the square root of the *sum* of the squared errors; a true average (the root mean
# square error) divides by the number of rows first. Write the true one.

# %%
def true_rmse(squared_errors):
    return None

gu.check_true_rmse(true_rmse)

# %% [markdown]
# ## Questions
#
# 1. In the replay, which rows move the slope the most? Why those?
# 2. The derivative of row 1's error with respect to b is negative at the start. What does the step do to b, and
#    why is that the right way?
# 3. At the sheet's lr the line's error falls slowly. Why not simply use a much larger lr? What did the hunt for
#    the breaking point show?
#
# [Worked answers](answers/01_one_neuron.ipynb).
