# %% [markdown]
# # Worked answers · deeper 10 Row order and mini-batches
#
# Answers to the exercise and questions of [deeper 10](../deeper/10_order_and_batches.ipynb). Every number below
# comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
n_rows = len(x)

# %% [markdown]
# ## Exercise 1: the full batch's limit for the line
#
# The mean squared error's Hessian is H = (2/n)·Σ [[xᵢ², xᵢ], [xᵢ, 1]]; gradient descent is stable for
# lr < 2/λmax.

# %%
def full_batch_limit(x):
    x = np.asarray(x, dtype=float)
    hessian = 2 / x.size * np.array([[np.sum(x * x), np.sum(x)], [np.sum(x), x.size]])
    return 2 / np.linalg.eigvalsh(hessian).max()

gu.check_full_batch_limit(full_batch_limit)
print(f"the sheet's rows: lr < {full_batch_limit(x):.6g}")

# %% [markdown]
# ## Question 1: why is the full batch's limit higher than one row's?
#
# The full batch steps along the *mean* of the rows' gradients, so its curvature is the mean of the rows'
# curvatures: the big-x rows are averaged with the small ones. λmax of the mean is at most the mean of each row's
# largest curvature, 2(xᵢ² + 1), far below the steepest row's:

# %%
per_row = 2 * (x ** 2 + 1)
lam = 2 / full_batch_limit(x)
print(f"λmax of the mean Hessian {lam:.4f}; mean of 2(x²+1) {per_row.mean():.4f}; steepest row {per_row.max():.1f}")
print(f"limits: one row {2 / per_row.max():.4g}, full batch {full_batch_limit(x):.4g}")

# %% [markdown]
# ## Question 2: why does the full batch need so many more epochs?
#
# It makes one update per epoch where single rows make 29. Counted in updates, at each one's best lr, the line's
# full batch needs fewer than single rows:

# %%
for b, lr, epochs in [(1, 1.85e-4, 3000), (n_rows, 3.41e-4, 30000)]:
    fared = gu.outcome_fractions(gu.Linear(), gu.SGD(lr), x, y, epochs, batch_size=b, n=4)
    updates = -(-n_rows // b)
    print(f"batch {b:2d}, lr {lr:g}: median epochs {np.median(fared.epochs):g}, updates "
          f"{np.median(fared.epochs) * updates:g} ({fared.counts['converged']} of 4 orders converged)")

# %% [markdown]
# ## Question 3: the sheet's lr with batches of 4
#
# Same size of move per batch: 4 × 1e-4 = 4e-4. For the 2-neuron model that is far too big: with batches of 4
# every order already diverges at lr 1e-4.

# %%
for lr in (1e-4, 4e-4):
    print(f"2 neurons, batches of 4, lr {lr:g}:",
          gu.outcome_fractions(gu.TwoNeuron(), gu.SGD(lr), x, y, 100, batch_size=4, n=40))
