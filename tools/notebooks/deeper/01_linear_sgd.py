# %% [markdown]
# # 01 · The spreadsheet's linear model, step by step
#
# *Going deeper into [01 · One neuron](../01_one_neuron.ipynb) of the learner's path. The map of both layers:
# [00 · Start here](00_start_here.ipynb).*
#
# Jeremy Howard's `graddesc.xlsm` fits a straight line **pred = b + a·x** to 29 rows of data that lie exactly on
# **y = 2x + 30**. It does it the simplest way there is: *online* stochastic gradient descent, one row at a time.
# This notebook rebuilds the `basic` sheet from scratch, checks it against the course's engine number for number,
# and explains the "error of 151" the sheet shows after one epoch.
#
# **You will learn:** the update rule in three lines · what the sheet's "rmse" really is · why the finite-difference
# columns differ from the analytic ones · what the sheet's Run button does that a plain training loop does not.
#
# The machinery (training loop, plots, sliders) lives in `graddesc_utils.py`, one folder up; this notebook shows
# the math and the few lines that implement it.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 6)
x, y = gu.load_data()
print(f"{len(x)} rows; x from {x.min():g} to {x.max():g}; every y equals 2x + 30: {np.all(y == 2 * x + 30)}")

# %% [markdown]
# ## The update rule
#
# For one row (x, y), with the weights a and b in use at that row:
#
# $$\text{pred} = b + a x, \qquad e = (y - \text{pred})^2$$
# $$\frac{\partial e}{\partial b} = 2(\text{pred} - y), \qquad \frac{\partial e}{\partial a} = x\,\frac{\partial e}{\partial b}$$
# $$b \leftarrow b - \text{lr}\,\frac{\partial e}{\partial b}, \qquad a \leftarrow a - \text{lr}\,\frac{\partial e}{\partial a}$$
#
# The sheet starts at a = b = 1 with lr = 0.0001. Here is one epoch, from scratch, in plain Python:

# %%
a, b, lr = 1.0, 1.0, 1e-4
squared_errors = []
for xi, yi in zip(x, y):
    pred = b + a * xi
    squared_errors.append((yi - pred) ** 2)
    de_db = 2 * (pred - yi)
    de_da = xi * de_db
    a, b = a - lr * de_da, b - lr * de_db

from_scratch = np.sqrt(sum(squared_errors))
print(f"sheet error after epoch 1 (from scratch): {from_scratch:.12f}")

# %% [markdown]
# The course's engine does the same thing (for any model and optimizer, and for thousands of settings at once).
# `gu.replay("basic")` presses the sheet's Run button for one epoch. Both agree to the last bit:

# %%
sheet = gu.replay("basic")
print(f"replay of the basic sheet:               {sheet.epoch_errors[0]:.12f}")
print("identical to the from-scratch loop:", sheet.epoch_errors[0] == from_scratch)

# %% [markdown]
# ## The step table
#
# Each row of the sheet is one update. `Run.table()` lays the numbers out with the sheet's column names. Next to the
# analytic gradients `de_db`, `de_da` the sheet shows *finite-difference estimates* `est_de_db`, `est_de_da`: nudge
# a weight by 0.01, see how much the squared error changes, divide by 0.01. The sheet only displays them; the update
# uses the analytic ones.

# %%
table = sheet.table()
table.index = table.index + 1  # rows counted from 1, as diverged_at counts them
table[["x", "y", "b", "a", "pred", "err_sq", "est_de_db", "de_db", "est_de_da", "de_da", "new_b", "new_a"]].head(8)

# %% [markdown]
# The estimates are close but never equal. A forward difference with step h exceeds the derivative by about
# h/2 × the second derivative. The squared error's second derivative is 2 in b and 2x² in a, so the gap is exactly
# 0.01 for b and 0.01·x² for a, row after row:

# %%
gap = pd.DataFrame({"x": table.x,
                    "est_de_db - de_db": table.est_de_db - table.de_db,
                    "est_de_da - de_da": table.est_de_da - table.de_da,
                    "0.01 * x**2": 0.01 * table.x ** 2})
gap.head(5).round(6)

# %% [markdown]
# ## What the sheet's "rmse" of 151 really is
#
# The sheet labels its error "rmse", but its formula is the square root of the **sum** of the 29 squared errors,
# each taken with the weights in use at that row. A real root-**mean**-square error divides by 29 first:

# %%
print(f"sheet error  sqrt(sum of squared errors)  = {sheet.epoch_errors[0]:.6f}")
print(f"true RMSE    sqrt(mean of squared errors) = {sheet.epoch_rmse[0]:.6f}")
print(f"ratio = {sheet.epoch_errors[0] / sheet.epoch_rmse[0]:.6f} = sqrt(29) = {np.sqrt(29):.6f}")

# %% [markdown]
# So "151 after one epoch" means a typical row is off by about 28, not 151. The course keeps the sheet's number
# (`Run.epoch_errors`) so you can compare with the spreadsheet, and gives the true one beside it (`Run.epoch_rmse`).
#
# ## Epoch after epoch, as the Run button does it
#
# The sheet's Run button repeats a one-epoch macro. At the end of each epoch it copies the weights *used by* the
# last row back to the top, so the last row's update is thrown away: 29 gradients, 28 applied updates per epoch.
# From the Reset state:

# %%
hundred = gu.replay("basic", epochs=100)
epochs_shown = [1, 2, 3, 4, 5, 6, 7, 10, 50, 100]
pd.DataFrame({"epoch": epochs_shown,
              "sheet error": [round(hundred.epoch_errors[e - 1], 6) for e in epochs_shown],
              "true RMSE": [round(hundred.epoch_rmse[e - 1], 6) for e in epochs_shown]})

# %% [markdown]
# After the first epoch the error falls by only about 0.19 per epoch: the line has found the slope quickly but
# crawls towards the intercept b = 30.
#
# `gu.train` is the plain training loop every later notebook uses: every row updates, 29 per epoch. Its first
# epoch error is the same (the thrown-away update only matters from epoch 2 on):

# %%
trained = gu.train(gu.Linear(a=1.0, b=1.0), gu.SGD(1e-4), x, y, epochs=2)
print(f"train, epoch 1: {trained.epoch_errors[0]:.6f}   replay, epoch 1: {hundred.epoch_errors[0]:.6f}")
print(f"train, epoch 2: {trained.epoch_errors[1]:.6f}   replay, epoch 2: {hundred.epoch_errors[1]:.6f}")

# %% [markdown]
# ## Why it crawls: two directions, very different slopes
#
# The sheet's error is a bowl in (a, b), and a bowl has two principal directions. Its curvature along each is an
# eigenvalue of the Hessian of the summed squared error, 2·Σ(x, 1)(x, 1)ᵀ over the 29 rows:

# %%
features = np.stack([x, np.ones_like(x)], axis=1)   # d pred / d(a, b) at every row
hessian = 2 * features.T @ features
eigenvalues, eigenvectors = np.linalg.eigh(hessian)
for value, vector in zip(eigenvalues, eigenvectors.T):
    print(f"eigenvalue {value:12,.2f}   direction (a, b) = ({vector[0]:+.4f}, {vector[1]:+.4f})")
print(f"condition number: {eigenvalues[1] / eigenvalues[0]:,.0f}")

# %% [markdown]
# One direction is almost pure slope a and 8,490 times steeper than the other, almost pure intercept b. A
# learning rate small enough for the steep direction (every row's x multiplies the slope's step) is tiny for the
# flat one. Online training adds one more step: an epoch of 29 row updates is, near the fit, a linear map of
# (a, b), and its eigenvalues say how much of the remaining error each direction keeps per epoch
# (`gu.epoch_map_eigenvalues`, notebook 03):

# %%
per_epoch = np.sort(np.abs(gu.epoch_map_eigenvalues(gu.Linear(), {"a": 2.0, "b": 30.0}, 1e-4)))
print(f"epoch map at lr 1e-4: the fast direction keeps {per_epoch[0]:.1e} of its error per epoch, "
      f"the slow one {per_epoch[1]:.6f}")
predicted = np.log(1 / hundred.epoch_errors[1]) / np.log(per_epoch[1]) + 2
print(f"so the error should fall by {1 - per_epoch[1]:.3%} per epoch: from epoch 2's {hundred.epoch_errors[1]:.2f}, "
      f"about {hundred.epoch_errors[1] * (1 - per_epoch[1]):.3f} per epoch, and reach 1 after about "
      f"{predicted:,.0f} epochs")
long = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 5000, trace="epochs", stop_below=1.0)
print(f"simulated (gu.train, 29 updates per epoch): sheet error below 1 first at epoch {gu.epochs_to(long):,}")
straight = 2 + (hundred.epoch_errors[1] - 1) / (hundred.epoch_errors[1] - hundred.epoch_errors[2])
print(f"a straight line through epochs 2 and 3 would say {straight:,.0f}: "
      f"{gu.epochs_to(long) / straight:.1f} times too few")

# %% [markdown]
# The slow direction keeps 99.8% of its error every epoch, so the error shrinks geometrically, by a fixed
# *fraction* per epoch: about 0.2 when it is 100, 0.002 when it is 1. That is why a straight line through the
# first epochs is wrong by a factor of more than four, and why the crawl takes 2,372 epochs.
#
# ## The path through (a, b)
#
# Left: the error surface as contour lines, the two directions through the fit (orange: steep, mostly a; dashed
# black: flat, mostly b), and the path of the run above, one dot per epoch until its error is below 1. The axes
# are **not to scale**: b spans a range 15 times a's, so the two directions, which are perpendicular in (a, b), are
# drawn at an angle well short of 90° (printed below the figure). Right: the first epoch, row by row, zoomed in:
# the slope is found in a few rows, rattling back and forth across the steep direction.

# %%
fig, (ax_long, ax_first) = gu.figure(2, width=10, height=3.6)
gu.plot_contour(ax_long, a_range=(0.5, 3.5), b_range=(-5, 40))
ax_long.plot(np.r_[1.0, long.epoch_params["a"]], np.r_[1.0, long.epoch_params["b"]], ".-", ms=2, lw=0.8,
             color="C3", label="the run, epoch by epoch", zorder=2)
for value, vector, style, length in zip(eigenvalues, eigenvectors.T, ["k--", "C1-"], [14, 0.9]):
    name = "flat" if style == "k--" else "steep"
    ax_long.plot([2 - length * vector[0], 2 + length * vector[0]], [30 - length * vector[1], 30 + length * vector[1]],
                 style, lw=2.5, zorder=3, label=f"{name} direction through the fit, eigenvalue {value:,.0f}")
ax_long.legend(fontsize=7, loc="lower right")
ax_long.set_title(f"{gu.epochs_to(long):,} epochs at lr 1e-4: b crawls from 1 to 30", fontsize=9)
first = gu.replay("basic")
gu.PathLines(ax_first, ["epoch 1, row by row"], a_range=(0.9, 3.1), b_range=(0.95, 1.35)).update(
    {"epoch 1, row by row": first})
ax_first.set_title("epoch 1 zoomed: a rattles, b barely moves", fontsize=9)
ax_long.set_xlabel("a (axes not to scale)")
drawn = [ax_long.transData.transform([(2, 30), (2 + v[0], 30 + v[1])]) for v in eigenvectors.T]
directions = [np.diff(points, axis=0)[0] for points in drawn]
drawn_angle = np.degrees(np.arccos(abs(np.dot(*directions)) / np.prod([np.linalg.norm(d) for d in directions])))
gu.show(fig)
print(f"angle between the two directions: {np.degrees(np.arccos(abs(eigenvectors[:, 0] @ eigenvectors[:, 1]))):.0f}° "
      f"in (a, b); drawn at {drawn_angle:.0f}° on these axes")
print(f"b after 5 epochs: {gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 5, trace=False).params['b']:.3f}; "
      f"a during epoch 1 ranges over {first.table().a.min():.2f} .. {first.table().a.max():.2f}")

# %% [markdown]
# ## Try it
#
# Move the learning rate (log scale) and the starting a and b. The left panel redraws the path, the right one the
# error of every row, and the line above the plots gives the sheet error, or where the run diverged. Past about
# 4.4e-4 the error grows from epoch to epoch, and past about 5e-4 it explodes within the 3 epochs shown, except in a
# narrow window at about 5.8e-4 where training settles again ([notebook 03](03_why_it_explodes.ipynb) explains why,
# and finds the window in its section 3). **Export to .xlsx** writes the experiment
# on screen next to this notebook as a workbook with live formulas, laid out like Jeremy's: change its lr cell in
# Excel or LibreOffice and every row recomputes.

# %% tags=["nbval-ignore-output"]
gu.explore_linear()

# %% [markdown]
# ## Summary
#
# - The sheet's model is pred = b + a·x, trained online: one update per row with de/db = 2(pred − y), de/da = x·de/db.
# - Its "rmse" is sqrt(**sum** of squared errors): 150.755 after one epoch from Reset; the true RMSE is 27.99.
# - The finite-difference columns exceed the analytic gradient by exactly 0.01 (for b) and 0.01·x² (for a).
# - The Run button throws away each epoch's last update; `gu.train` keeps it. Both agree on epoch 1.
# - The error bowl is 8,490 times steeper along the slope than along the intercept: at lr 1e-4 the slope is found
#   within epoch 1 and the intercept keeps 99.8% of its error per epoch, so the error takes 2,372 epochs to fall
#   below 1 (the eigenvalue predicts 2,367).
#
# ## Exercises
#
# Fill in each function and run its cell; the check says "correct" or what is off.
#
# **1.** Write one SGD step of the sheet's rule.

# %%
def sgd_step(a, b, x, y, lr):
    # return new_a, new_b
    return None

gu.check_sgd_step(sgd_step)


# %% [markdown]
# **2.** Write the sheet's error from a list of squared row errors, and **3.** the true RMSE.

# %%
def sheet_error(squared_errors):
    return None

def true_rmse(squared_errors):
    return None

gu.check_sheet_error(sheet_error)
gu.check_true_rmse(true_rmse)

# %% [markdown]
# ## Questions
#
# The [worked answers](../answers/deeper_01_linear_sgd.ipynb) answer each question and exercise with cells.
#
# 1. Row 2 (x = 86; the sheet's Excel row 5) moves a from 1.12 to 2.92 in one step. Which factor in de/da makes
#    that step so large?
# 2. If you doubled every x and kept lr = 1e-4, would the first epoch be more or less stable? K grows like x²:
#    which lr gives the steep direction the same lr·K as doubling x does?
# 3. The slow direction keeps 99.8% of its error per epoch. How many epochs does it take to halve the error? Why
#    does the fall per epoch shrink as the error does?
