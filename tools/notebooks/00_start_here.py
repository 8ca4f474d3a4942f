# %% [markdown]
# # 00 · Start here: why do two stacked neurons explode?
#
# **The question.** A learner stacked two neurons in fast.ai's gradient descent spreadsheet and trained them
# like the sheet's single line. The error exploded within the first pass over the data. Why?
#
# **The answer, in three sentences.** On the rows with the biggest x, the two neurons' error is about twice as
# steep as the line's at the start, and for the line the sheet's learning rate is already just under the limit.
# Unlike the line's, their steepness grows with the weights: once a big step makes the weights bigger, the next rows
# get steeper, the steps bigger still, and the error runs away before the first pass ends. From the learner's start the two neurons train only
# at about two thirds of the sheet's learning rate, or below about half of it when the rows are shuffled.
#
# ~15 min, +5 optional: the answer measured, the sliders and Play, the map of the course.

# %% [markdown]
# ## The learner's story (~3 min)
#
# Jeremy Howard's spreadsheet `graddesc.xlsm` fits a straight line to 29 rows of data made from the line with
# slope 2 and intercept 30. It takes one small step per row. One pass over all 29 rows is an **epoch**. After the
# first epoch the sheet's error is about 150.
#
# The learner put two neurons one after the other: four weights, all starting at 1, and the sheet's learning rate
# of 0.0001. The error exploded inside the first epoch. Better starting weights only delayed it. A ReLU made it
# "train freely", but with an error far worse than 150. The learner wrote: *"I guess I need to find a way to
# visualize it."* This course is that visualization.
#
# **Jargon: learning rate (lr).** The number each step is multiplied by. A bigger lr takes bigger steps.

# %%
# %matplotlib widget
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
lr = 1e-4  # the sheet's learning rate
line = gu.train(gu.Linear(), gu.SGD(lr), x, y)
two = gu.train(gu.TwoNeuron(), gu.SGD(lr), x, y)
print(f"{len(x)} rows; x from {x.min():g} to {x.max():g}")
print(f"the line (a = b = 1), sheet error after epoch 1: {line.epoch_errors[0]:.3f}")
print(f"two neurons (all weights 1): {two.divergence_message()}")

# %% [markdown]
# The line gets through its first epoch; the two neurons do not. Each row's error, on a scale where each grid line
# is ten times the one below:

# %%
fig, ax = gu.figure(width=7, height=3)
gu.RowErrorLines(ax, ["two neurons", "the line"], len(x), 1, title="each row's squared error, epoch 1").update(
    {"two neurons": two, "the line": line})
gu.show(fig)

# %% [markdown]
# Where the learner's line went: row 18 (x is 99) swings it flat, below every point; rows 25 and 26 swing it back
# up and off the chart. Notebook 03 has the numbers.

# %%
after = two.history["new_theta"][:, 0, :]  # w1, b1, w2, b2 after each row of epoch 1
fig, ax = gu.figure(width=6, height=3)
ax.plot(x, y, "o", color="0.55", ms=4, label="the 29 rows")
grid = np.array([0.0, 105.0])
for row in [17, 18, 25, 26]:
    w1, b1, w2, b2 = after[:, row - 1]
    ax.plot(grid, w2 * (w1 * grid + b1) + b2, label=f"after row {row}")
ax.set_ylim(-100, 400)
ax.set_xlabel("x")
ax.legend(fontsize=8, loc="lower right")
ax.set_title("the learner's line after rows 17, 18, 25 and 26", fontsize=10)
gu.show(fig)

# %% [markdown]
# ## The answer, measured (~5 min)
#
# A row is *steep* when its prediction reacts strongly to the weights. The **steepness meter** is lr × steepness.
# One step multiplies the row's miss by about 1 − 2 × meter: at 0.5 it lands on target, above 1 the miss comes back
# bigger. Notebook 03 builds the meter step by step.
#
# **Jargon: overshoot.** The step carries the prediction past the row's target, to the other side.
#
# The cell below reads the meter at the start, for every row. Then it finds which learning rates train: the sheet
# error falls below 1 within 1,000 epochs and stays there. It tries the sheet's row order and 10 shuffled orders.

# %%
meter_line = lr * gu.row_curvature(gu.Linear(), {"a": 1.0, "b": 1.0}, x)
meter_two = lr * gu.row_curvature(gu.TwoNeuron(), dict(w1=1.0, b1=1.0, w2=1.0, b2=1.0), x)
biggest = int(np.argmax(x))
print(f"steepness meter at the start, row with x = {x[biggest]:g}: the line {meter_line[biggest]:.3f}, "
      f"two neurons {meter_two[biggest]:.3f} ({meter_two[biggest] / meter_line[biggest]:.2f} times the line's)")
print(f"rows over 1 at the start: the line {np.sum(meter_line > 1)}, two neurons {np.sum(meter_two > 1)}")
weights = two.history["theta"][:, 0, :]  # the weights in use at each row of epoch 1
for row in [1, 25, 26, 27, 28]:
    print(f"row {row}: largest weight {np.abs(weights[:, row - 1]).max():.4g}")

lrs = 10 ** np.arange(np.log10(3e-5), np.log10(1.2e-4), 0.01)
trains, _ = gu.lr_scan(lrs)  # the sheet's row order, 1000 epochs each
fails = lrs[~trains]
largest = lrs[trains & (lrs < fails.min())].max()
print(f"sheet's order: trains at every lr tried from {lrs[0]:.1e} to {largest:.2e} "
      f"({largest / lr:.2f} of the sheet's lr); first failure at {fails.min():.2e}")
print("above it, lone lrs that train again:", [f"{v:.2e}" for v in lrs[trains & (lrs > fails.min())]])
shuffled, _ = gu.lr_scan(lrs[:, None], shuffle=np.arange(10)[None, :])
fraction = shuffled.mean(axis=1)
none_from = lrs[np.flatnonzero(fraction > 0).max() + 1]  # from here up, no shuffled order trains
print(f"10 shuffled orders: all 10 train up to {lrs[fraction == 1].max():.2e}; none trains at any lr from "
      f"{none_from:.2e} ({none_from / lr:.2f} of the sheet's lr) up to {lrs[-1]:.1e}")
print(f"the sheet's lr 1e-4: trains in {shuffled[np.argmin(np.abs(lrs - lr))].sum()} of 10 shuffled orders")

# %%
fig, (ax_meter, ax_lr) = gu.figure(2, width=9, height=3.2)
rows = np.arange(1, len(x) + 1)
ax_meter.plot(rows, meter_two, "o", color="C0", label="two neurons")
ax_meter.plot(rows, meter_line, "s", color="C1", ms=4, label="the line")
ax_meter.axhline(1, color="k", ls="--", lw=1, label="1: the miss grows")
ax_meter.set_xlabel("row")
ax_meter.set_title("steepness meter at the start (lr 1e-4)", fontsize=10)
ax_meter.legend(fontsize=8)
ax_lr.semilogx(lrs, trains.astype(float), drawstyle="steps-mid", label="sheet's row order")
ax_lr.semilogx(lrs, fraction, "o-", ms=3, label="10 shuffled orders")
ax_lr.axvline(lr, color="k", ls=":", lw=1, label="the sheet's lr")
ax_lr.set_xlabel("learning rate")
ax_lr.set_ylabel("fraction that trains")
ax_lr.set_title("two neurons from all weights 1: does it train?", fontsize=10)
ax_lr.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# On the left: the line's biggest row sits just under 1, the two neurons' about twice as high. The printout shows
# the weights growing fast just before the explosion.
#
# On the right: in the sheet's order the two neurons train up to about two thirds of the sheet's lr (the lone
# point above is a single lr that trains again, by a quirk of the arithmetic). With shuffled rows, none trains from
# about half of it upwards.

# %% [markdown]
# ## Sliders and Play (~3 min)
#
# - **Drag a slider**, or click its handle and press the arrow keys.
# - **Play** (▶) steps a row slider on by itself; ⏸ pauses, ■ goes back to row 1.
# - **Learning-rate sliders** move on a log scale: each step multiplies the lr by the same factor.
# - A still picture and no sliders means the notebook has not run yet: choose *Run → Run All Cells*.
#
# Press ▶ and watch the learner's line swing harder until it flies off the chart. The small panels show the four
# weights and each row's error. Once the weights explode, their axis grows tenfold per mark.

# %% tags=["nbval-ignore-output"]
gu.explore_replay(gu.TwoNeuron(), gu.SGD(1e-4))

# %% [markdown]
# ## The map (~2 min)
#
# **The learner's path** (this folder) says what is simple and robust, with pictures. **Going deeper** (the
# `deeper` folder) has the full evidence and the mathematics. Worked answers are in the `answers` folder.
#
# | session | notebook (minutes) | what you will see | going deeper | answers |
# |---|---|---|---|---|
# | 1 | [00 Start here](00_start_here.ipynb) (15 +5) | the question, the answer, how to use the course | [deeper 00](deeper/00_start_here.ipynb) | [answers 00](answers/00_start_here.ipynb) |
# | 1 | [01 One neuron](01_one_neuron.ipynb) (25 +10) | the sheet's line, row by row; where it breaks | [deeper 01](deeper/01_linear_sgd.ipynb) | [answers 01](answers/01_one_neuron.ipynb) |
# | 1 | [02 Two neurons](02_two_neurons.ipynb) (20 +20) | the learner's run replayed; the learner's formulas | [deeper 02](deeper/02_two_neurons.ipynb) | [answers 02](answers/02_two_neurons.ipynb) |
# | 1 | [03 Why it explodes](03_why_it_explodes.ipynb) (30 +20) | find the largest lr that trains; the steepness meter | [deeper 03](deeper/03_why_it_explodes.ipynb) | [answers 03](answers/03_why_it_explodes.ipynb) |
# | 2 | [04 Better starts](04_better_starts.ipynb) (22 +6) | do better starting weights help? | [deeper 04](deeper/04_initialization_and_scaling.ipynb) | [answers 04](answers/04_better_starts.ipynb) |
# | 2 | [05 Momentum](05_momentum.ipynb) (20 +5) | what momentum smooths; its worse first epoch | [deeper 05](deeper/05_momentum.ipynb) | [answers 05](answers/05_momentum.ipynb) |
# | 2 | [06 RMSProp and Adam](06_rmsprop_adam.ipynb) (16) | steps sized per weight | [deeper 06](deeper/06_rmsprop_adam.ipynb) | [answers 06](answers/06_rmsprop_adam.ipynb) |
# | 2 | [07 ReLU](07_relu.ipynb) (18 +7) | the neuron that dies at row 26 | [deeper 07](deeper/07_relu.ipynb) | [answers 07](answers/07_relu.ipynb) |
# | 2 | [08 Your questions](08_your_questions.ipynb) (14 +5) | the learner's questions, answered | [deeper 08](deeper/08_findings.ipynb) and [09](deeper/09_keeping_it_stable.ipynb) | [answers 08](answers/08_your_questions.ipynb) |
#
# **Session plan.** Two sessions of 90 minutes: 00 to 03 in the first, 04 to 08 in the second. Minutes are the
# core path, + the parts marked "(optional)", which can wait for home.

# %% [markdown]
# ## Where to run it (optional, ~2 min)
#
# - **Binder:** the badge in the course's README opens this notebook in your browser. Nothing to install.
# - **Your computer** (Python 3.11 or newer), from the course folder:
#   `python3 -m pip install -r requirements.txt && python3 -m jupyterlab notebooks/00_start_here.ipynb`
# - **A JupyterHub for a class:** install `requirements.txt` into the users' environment, give the hub's server
#   the matching widget extensions, and compile the course once: the teacher's guide,
#   [TEACHING.md](../TEACHING.md), has the steps.
#
# If a widget shows "Error displaying widget", install `requirements.txt` and restart JupyterLab.

# %%
import importlib.metadata as metadata

for package in ["numpy", "matplotlib", "ipywidgets", "ipympl", "jupyterlab"]:
    print(f"{package:12} {metadata.version(package)}")
print(f"the sheet's basic tab, epoch 1: {gu.replay('basic').epoch_errors[0]:.6f}")

# %% [markdown]
# The last line is the spreadsheet's own first-epoch error, reproduced from its formulas.
#
# ## The spreadsheet (optional, ~3 min)
#
# Jeremy Howard's `graddesc.xlsm` is in fast.ai's
# [course22p2](https://github.com/fastai/course22p2/blob/master/xl/graddesc.xlsm) and
# [course-v3](https://github.com/fastai/course-v3/blob/master/files/xl/graddesc.xlsm). Thanks to him and to fast.ai.
# `gu.export_xlsx` writes any run of this course as a workbook with live formulas: change the lr cell in Excel and
# watch it recalculate.

# %%
path = "two_neurons_lr_1e-4.xlsx"
written = gu.export_xlsx(gu.TwoNeuron(), gu.SGD(1e-4), path, epochs=1)
print(f"written: {path}, the learner's run ({written.divergence_message()}, as here)")

# %% [markdown]
# ## In this notebook you:
#
# - met the learner's question and its short answer;
# - met the meter, lr × steepness: at the start the two neurons' biggest rows read about twice the line's;
# - saw which learning rates let the two neurons train from the learner's start;
# - pressed Play on the learner's run;
# - found the map of the course, its answers, and where to run it.
#
# ## Exercises
#
# **1.** The sheet's error is the square root of the *sum* of the 29 squared row errors. Write it.

# %%
def sheet_error(squared_errors):
    return None  # your code here

gu.check_sheet_error(sheet_error)

# %% [markdown]
# ## Questions
#
# 1. In the replay above, at which rows does the line swing the hardest? What do those rows have in common?
# 2. The right-hand figure tries the rows in 10 shuffled orders. Why might the order of the rows change whether a
#    run trains?
# 3. Open the workbook written above. Which cell would you change to try a smaller lr?
#
# [Worked answers](answers/00_start_here.ipynb).
