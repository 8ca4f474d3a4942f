# %% [markdown]
# # Worked answers · 00 Start here
#
# Answers to the exercise and questions of [00 · Start here](../00_start_here.ipynb). Every number below comes
# from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: the sheet's error
#
# The root of the *sum* of the squared errors (not of their mean):

# %%
def sheet_error(squared_errors):
    return float(np.sqrt(np.sum(squared_errors)))

gu.check_sheet_error(sheet_error)
line = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
print(f"the line's epoch 1: {sheet_error(line.row_errors):.6f} (the engine says {line.epoch_errors[0]:.6f})")

# %% [markdown]
# ## Question 1: where does the line swing hardest?
#
# The replay's swings are the change in the slope (w1 times w2) that each row's step causes. The rows with the
# biggest change all have a big x:

# %%
run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y)
used, after = run.history["theta"][:, 0, :28], run.history["new_theta"][:, 0, :28]
swing = np.abs(after[0] * after[2] - used[0] * used[2])  # how far each row's step moved the slope
early, big = slice(0, 24), x[:24] >= 60  # rows 1-24, before the weights blow up
print(f"rows 1-24: median swing at the rows with x of 60 or more {np.median(swing[early][big]):.3g}, "
      f"at the others {np.median(swing[early][~big]):.3g}")
for row in [25, 26, 27, 28]:
    print(f"row {row} (x = {x[row - 1]:g}): swing {swing[row - 1]:.3g}, largest weight in use "
          f"{np.abs(used[:, row - 1]).max():.3g}")

# %%
fig, ax = gu.figure(width=6, height=3)
ax.scatter(x[:28], swing, c=np.arange(1, 29), cmap="viridis")
ax.set_yscale("log")
ax.set_xlabel("x of the row")
ax.set_ylabel("how far the step moved the slope")
ax.set_title("the learner's run, rows 1-28 (colour: row number)", fontsize=10)
gu.show(fig)

# %% [markdown]
# Before the weights grow, the rows with a big x swing the slope far more than the others: a row's error changes
# fastest with the weights where x is big, so its step is biggest there. From row 26 on the weights are big, and
# then every row swings it hard, whatever its x. Notebook 03 measures this.
#
# ## Question 2: why can the order of the rows matter?
#
# Each step starts where the previous row left the weights. Two orders put the big-x rows at different moments:
# after a calm stretch or right after another big swing. Near the edge, that decides whether a run recovers.
# The count below trains the two neurons at three learning rates in 10 shuffled orders:

# %%
for lr in [3e-5, 4.5e-5, 6e-5]:
    trains, _ = gu.lr_scan([lr] * 10, shuffle=np.arange(10))
    in_order, _ = gu.lr_scan([lr])
    print(f"lr {lr:.1e}: trains in {int(trains.sum())} of 10 shuffled orders; in the sheet's order: {bool(in_order[0])}")

# %% [markdown]
# Far below the edge every order trains. Near it, some orders train and some do not, so a claim about one order
# is only a claim about that order.
#
# ## Question 3: the workbook's lr cell
#
# `gu.export_xlsx` writes the learning rate into one cell, B2 of the sheet "epoch 1", and every row's update
# formula refers to it; its documentation says so:

# %%
import graddesc.export

print(" ".join(graddesc.export.__doc__.split()))

# %% [markdown]
# Type a smaller number into B2, such as 0.00003, and every row recalculates. What the workbook will then show is
# what the engine computes for that lr:

# %%
for lr in [1e-4, 3e-5]:
    run = gu.train(gu.TwoNeuron(), gu.SGD(lr), x, y)
    print(f"lr {lr:.0e}: {run.divergence_message() or f'sheet error after epoch 1 = {run.epoch_errors[0]:.3f}'}")
