# %% [markdown]
# # Worked answers · 07 ReLU
#
# Answers to the exercises and questions of [07 · ReLU](../07_relu.ipynb). Every number below comes from a cell of
# this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: count the active rows

# %%
def active_rows(w1, b1, x):
    return int(np.sum(w1 * x + b1 > 0))

gu.check_active_rows(active_rows)
print("the learner's weights after row 26:", active_rows(-28.631125, 0.532695, x), "active rows")

# %% [markdown]
# ## Exercise 2: the slope of ReLU

# %%
def relu_slope(z):
    return 1.0 if z > 0 else 0.0

gu.check_relu_slope(relu_slope)

# %% [markdown]
# ## Question 1: where b2 creeps to, and why
#
# With the neuron dead the prediction is b2 on every row. The step on b2 is lr times its derivative, 2 × (b2 − y)
# summed row by row, so b2 moves towards the mean of y. At lr 1e-4 each row moves it only a little:

# %%
run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 3000, trace="epochs")
b2 = run.epoch_params["b2"]
print(f"mean of y: {y.mean():.4f}")
print(f"b2 after epochs 1, 10, 100, 1000, 3000: {np.round(b2[[0, 9, 99, 999, 2999]], 4).tolist()}")

# %%
fig, ax = gu.figure(width=7, height=3)
ax.plot(np.arange(1, 3001), b2, label="b2 after each epoch")
ax.axhline(y.mean(), color="k", ls="--", lw=0.8, label="mean of y")
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Each row closes a small fraction (2 × lr) of b2's gap to that row's y, so an epoch of 29 rows closes a bit under
# 1% of the gap to the mean: hundreds of epochs.
#
# ## Question 2: no flat line gets below about 300
#
# A flat line predicts the same number c for every row. Its sheet error is smallest when c is the mean of y, and
# that smallest error is the spread of y itself:

# %%
for c in (y.mean() - 20, y.mean(), y.mean() + 20):
    print(f"flat line at {c:.2f}: sheet error {np.sqrt(np.sum((y - c) ** 2)):.3f}")
print(f"y runs from {y.min():g} to {y.max():g}")

# %% [markdown]
# The data rise from 46 to 228 with x. A flat line misses the lowest and the highest rows by about 70 to 110,
# whatever number it picks.
#
# ## Question 3: could a row revive the dead neuron?
#
# The neuron's input is w1·x + b1 with w1 ≈ −28.6 and b1 ≈ 0.53, both frozen. It is above 0 only where x is below
# −b1/w1:

# %%
w1, b1 = run.params["w1"], run.params["b1"]
print(f"input above 0 only for x below {-b1 / w1:.5f}; the smallest x in the data is {x.min():g}")

# %% [markdown]
# So only a row with x below about 0.02 would be active again, and then the weights would move. The sheet has no
# such row: every x is at least 8. (With x centred on 0, the rows on the negative side could do it.)
#
# ## Question 4: what makes row 26's step so big
#
# The step on each weight is lr times its derivative, and the derivatives grow with the row's miss and with x and
# the weights. By row 26, w1 and w2 had grown to about 3.4, and row 26 (x = 70) was missed by hundreds:

# %%
table = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 1).table()
for row in (1, 25, 26):
    r = table.iloc[row - 1]
    print(f"row {row}: x {r.x:g}, w1 {r.w1:.3f}, w2 {r.w2:.3f}, miss {r.pred - r.y:.1f}, "
          f"derivative for w1 {r.de_dw1:,.1f}, step on w1 {r.new_w1 - r.w1:.3f}")

# %%
fig, ax = gu.figure(width=7, height=3)
ax.semilogy(np.arange(1, 30), np.abs(table.new_w1 - table.w1), marker=".")
ax.set_xlabel("row of epoch 1")
ax.set_ylabel("size of the step on w1")
gu.show(fig)

# %% [markdown]
# Row 1's step on w1 is about 0.1; row 26's is about −32, enough to flip w1 from about 3.4 to about −28.6.
