# %% [markdown]
# # Worked answers · deeper 01 The linear model
#
# Answers to the exercises and questions of [deeper/01 · The linear model](../deeper/01_linear_sgd.ipynb). Every
# number below comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one SGD step of the sheet's rule
#
# de/db = 2(pred − y) and de/da = x·de/db, both at the weights in use; then both weights move together.

# %%
def sgd_step(a, b, x, y, lr):
    de_db = 2 * (b + a * x - y)
    de_da = x * de_db
    return a - lr * de_da, b - lr * de_db

gu.check_sgd_step(sgd_step)

# %% [markdown]
# ## Exercises 2 and 3: the sheet's error and the true RMSE
#
# The sheet takes the root of the **sum**; a root-mean-square divides by the number of rows first.

# %%
def sheet_error(squared_errors):
    return float(np.sqrt(np.sum(squared_errors)))

def true_rmse(squared_errors):
    return float(np.sqrt(np.mean(squared_errors)))

gu.check_sheet_error(sheet_error)
gu.check_true_rmse(true_rmse)

# %% [markdown]
# ## Question 1: why row 2 moves a so far
#
# de/da = x·2(pred − y). At row 2 both factors are large: x = 86, and the line (still close to its start) misses
# that row by about a hundred.

# %%
row2 = gu.replay("basic").table().iloc[1]
residual = row2.pred - row2.y
print(f"row 2: x = {row2.x:g}, a = {row2.a:.4f}, b = {row2.b:.4f}, pred = {row2.pred:.2f}, y = "
      f"{row2.y:g}, "
      f"pred - y = {residual:.2f}")
print(f"de/da = x * 2 * (pred - y) = {row2.x:g} * 2 * {residual:.2f} = {row2.de_da:.1f}; "
      f"the step lr * de/da = {1e-4 * row2.de_da:.4f}, so a goes to {row2.new_a:.4f}")
print(f"the same residual at x = 14 (row 1's x) would move a by only "
      f"{1e-4 * 14 * 2 * residual:.4f}")

# %% [markdown]
# The factor x = 86 multiplies the whole step: the same miss at a small x would move a six times less. (The
# residual is large too, because the line has not learned the slope yet.)
#
# ## Question 2: doubling every x
#
# K = x² + 1 grows about fourfold, so lr·K at the largest row goes from just under 1 to nearly 4: the first
# epoch is much less stable. For the steep direction (mostly the slope a, K ≈ x²) the same lr·K comes from keeping
# x and multiplying lr by 4. Checked by training one epoch each (y stays the sheet's y):

# %%
largest = x.max()
print(f"lr·K at the largest row: x as is {1e-4 * (largest ** 2 + 1):.4f}; x doubled "
      f"{1e-4 * ((2 * largest) ** 2 + 1):.4f}; "
      f"x as is at lr 4e-4 {4e-4 * (largest ** 2 + 1):.4f}")
cases = [("x as is, lr 1e-4", x, 1e-4), ("2x, lr 1e-4", 2 * x, 1e-4), ("x as is, lr 4e-4", x, 4e-4)]
for label, inputs, lr in cases:
    run = gu.train(gu.Linear(), gu.SGD(lr), inputs, y, epochs=1)
    errors = run.table().err_sq
    print(f"{label:18}: sheet error after epoch 1 {run.epoch_errors[0]:.4g}; largest squared "
          f"row error "
          f"{errors.max():.4g}")

# %% [markdown]
# With x doubled the largest row's step is unstable on its own (lr·K about 3.9), and the first epoch ends with an
# error about eight times the sheet's; lr 4e-4 on the original x puts lr·K at the same value, with a similar
# first epoch. The slope's direction behaves the same; the intercept's direction (K about 1 for every row)
# does not care, which is why the two runs are not identical.
#
# ## Question 3: halving the error in the slow direction
#
# An epoch keeps the fraction q of the slow direction's error; n epochs keep qⁿ. Halving needs qⁿ = 1/2, so
# n = ln(1/2) / ln(q):

# %%
q = np.sort(np.abs(gu.epoch_map_eigenvalues(gu.Linear(), {"a": 2.0, "b": 30.0}, 1e-4)))[1]
print(f"q = {q:.6f}: halving takes ln(1/2)/ln(q) = {np.log(0.5) / np.log(q):.0f} epochs")
run = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 2400, trace=False)
errors = run.epoch_errors
at_100, at_50 = int(np.argmax(errors < 100)) + 1, int(np.argmax(errors < 50)) + 1
print(f"simulated: below 100 from epoch {at_100}, below 50 from epoch {at_50}: "
      f"{at_50 - at_100} epochs to halve")
print(f"fall per epoch near error 100: {errors[at_100 - 1] - errors[at_100]:.4f}; near error 1: "
      f"{errors[2370] - errors[2371]:.5f}")

# %% [markdown]
# About 350 epochs per halving, in theory and in the simulation. The fall per epoch shrinks as the error does
# because each epoch removes the same *fraction* (1 − q, about 0.2%) of what is left: a fixed share of a smaller
# amount is a smaller amount.
