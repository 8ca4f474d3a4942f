# %% [markdown]
# # Worked answers · 01 One neuron
#
# Answers to the exercises and questions of [01 · One neuron](../01_one_neuron.ipynb). Every number below comes
# from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one step of the sheet

# %%
def sgd_step(a, b, x, y, lr):
    pred = b + a * x
    de_db = 2 * (pred - y)
    de_da = x * de_db
    return a - lr * de_da, b - lr * de_db

gu.check_sgd_step(sgd_step)

# %% [markdown]
# ## Exercise 2: the true root mean square error
#
# Divide the sum by the number of rows before the square root. For the sheet's first epoch:

# %%
def true_rmse(squared_errors):
    return float(np.sqrt(np.sum(squared_errors) / len(squared_errors)))

gu.check_true_rmse(true_rmse)
run = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
print(f"sheet error {run.epoch_errors[0]:.3f}; true root mean square error {true_rmse(run.row_errors):.3f}")

# %% [markdown]
# ## Question 1: which rows move the slope most?
#
# The step on the slope a is lr times x times the row's derivative for b, so it grows with x and with the row's
# miss. The rows that moved a the most in epoch 1:

# %%
table = run.table()
moved = np.abs(table.new_a - table.a)
top = np.argsort(moved.to_numpy())[::-1][:5]
for i in top:
    print(f"row {i + 1}: x = {x[i]:g}, miss {table.pred[i] - y[i]:.2f}, slope moved by {moved[i]:.4f}")
print(f"median x of all rows: {np.median(x):g}")

# %%
fig, ax = gu.figure(width=6, height=3)
ax.scatter(x, moved)
ax.set_xlabel("x of the row")
ax.set_ylabel("how far the row moved the slope")
ax.set_title("the line, epoch 1, lr 1e-4", fontsize=10)
gu.show(fig)

# %% [markdown]
# The big movers are rows with a big x (and a sizeable miss). A row with a big x is where a change of slope
# changes the prediction most, so its derivative for a is largest there.
#
# ## Question 2: a negative derivative raises b
#
# The step subtracts lr times the derivative. A negative derivative therefore raises b:

# %%
a, b, lr = 1.0, 1.0, 1e-4
pred = b + a * x[0]
de_db = 2 * (pred - y[0])
print(f"row 1: prediction {pred:g}, target {y[0]:g}, derivative for b {de_db:g}, new b {b - lr * de_db:.4f}")

# %% [markdown]
# The prediction is below the target, so raising b (which raises every prediction) brings it closer: the right
# way. The derivative is negative exactly because moving b up makes this row's error smaller.
#
# ## Question 3: why not a much bigger lr?
#
# Bigger steps are faster only up to the edge. Past it the line breaks, and with shuffled rows the edge comes
# earlier:

# %%
for lr in [1e-4, 3e-4, 4e-4, 6e-4, 8e-4]:
    sheet = gu.train(gu.Linear(), gu.SGD(lr), x, y, epochs=1000, trace=False)
    shuffled = gu.train(gu.Linear(), gu.SGD(lr), x, y, epochs=1000, trace=False, shuffle=np.arange(10))
    print(f"lr {lr:.0e}: sheet's order {gu.verdict(sheet)}; "
          f"shuffled: {int(shuffled.diverged.sum())} of 10 diverge")

# %% [markdown]
# At three times the sheet's lr the line converges within 1,000 epochs in the sheet's order, and no shuffled
# order diverges. At four times every shuffled order diverges, and the sheet's order is far off after 1,000
# epochs. At six and eight times it diverges in every order, at eight times within the first epoch. The safe
# choice sits below the edge, and the edge depends on the model: notebook 02 shows one whose edge is below the
# sheet's lr.
