# %% [markdown]
# # 02 · Two neurons: the learner's run, replayed
#
# **The question.** The learner stacked two neurons, trained them like the sheet's line, and the error exploded at
# row 28 of the first epoch. What happened, row by row? And were the learner's own formulas right?
#
# **The answer.** The two neurons still draw a straight line, but each step on a row with a big x swings it much
# harder than the sheet's line, harder and harder until it flies off at row 28. The learner's formulas get each
# derivative nearly right, but training on them stalls: the error stops falling at a level that shrinks as their
# nudge shrinks.
#
# ~20 min, +20 optional. More detail: [the deeper notebook on two neurons](deeper/02_two_neurons.ipynb).

# %%
# %matplotlib widget
import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## The learner's model is still a straight line (~7 min)
#
# The first neuron computes h from x with its weight w1 and bias b1. The second neuron takes h and computes the
# prediction with its weight w2 and bias b2. Both are straight-line neurons: no bend, nothing in between. Put one
# into the other and you get a line again, with slope w1 times w2, and intercept w2 times b1, plus b2.
#
# **Jargon: neuron.** Here, a line: multiply the input by a weight and add a bias.
#
# Let's check that with made-up weights:

# %%
model = gu.TwoNeuron()
w1, b1, w2, b2 = 0.7, -3.0, 2.5, 11.0
weights = [np.asarray(v) for v in (w1, b1, w2, b2)]
two_neuron_prediction = model.predict(weights, x)
line_prediction = (w1 * w2) * x + (w2 * b1 + b2)
print(f"slope {w1 * w2:g}, intercept {w2 * b1 + b2:g}")
print("largest difference from that line over the 29 rows:", np.abs(two_neuron_prediction - line_prediction).max())

# %%
fig, ax = gu.figure(width=6, height=3)
ax.plot(x, y, "o", color="0.55", ms=4, label="the 29 rows")
ax.plot(x, two_neuron_prediction, "s", ms=5, mfc="none", label="two neurons, row by row")
ax.plot([0, 105], [w2 * b1 + b2, w2 * b1 + b2 + w1 * w2 * 105], label="slope w1·w2, intercept w2·b1 + b2")
ax.set_xlabel("x")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# So the two neurons can draw exactly the lines the sheet's model can: no more, no less. The difference is in
# how they *learn*: one step moves w1 and w2 at once, and the slope is their product.

# %% [markdown]
# ## The replay of the explosion (~13 min)
#
# Here is the learner's run exactly: every weight starts at 1, the lr is 0.0001, and the derivatives come from the
# learner's formulas (nudge each weight by 0.01, as the sheet's `est de/db` column does). Press ▶ and watch the
# line. The small panels show the four weights and each row's error.

# %% tags=["nbval-ignore-output"]
gu.explore_replay(gu.TwoNeuron(), gu.SGD(1e-4), gradient="finite_difference")

# %% [markdown]
# The line swings from row 2 on, and its worst swings come at rows with a big x. The cell below reads the slope
# after each row, for the learner's run and for the sheet's line at the same lr:

# %%
learner = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, gradient="finite_difference")
line = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
print("the learner's run:", learner.divergence_message())
print("the same with the exact derivatives:", gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y).divergence_message())
after = learner.history["new_theta"][:, 0, :]  # w1, b1, w2, b2 after each row
slope_two = after[0] * after[2]
slope_line = line.history["new_theta"][1, 0, :]  # the line's weights are (b, a)
print(f"rows 2 to 24: the two neurons' slope between {slope_two[1:24].min():.3f} and {slope_two[1:24].max():.3f}; "
      f"the line's between {slope_line[1:24].min():.3f} and {slope_line[1:24].max():.3f}")
for row in [24, 25, 26, 27]:
    print(f"after row {row} (x = {x[row - 1]:g}): slope {slope_two[row - 1]:.4g}")

# %%
fig, ax = gu.figure(width=7, height=3)
rows = np.arange(1, 27)
ax.plot(rows, slope_two[:26], "o-", ms=4, label="two neurons (the learner's run)")
ax.plot(rows, slope_line[:26], "s-", ms=3, label="the sheet's line")
ax.axhline(2, color="k", ls=":", lw=0.8, label="the data's slope, 2")
for row in np.flatnonzero(x[:26] >= 60) + 1:
    ax.axvline(row, color="0.85", lw=3, zorder=0)
ax.set_ylim(0, 35)
ax.set_xlabel("row of epoch 1 (grey: rows with x of 60 or more)")
ax.set_ylabel("slope after the row")
ax.legend(fontsize=8, loc="upper left")
ax.set_title("the slope after each row (row 26 is off the top)", fontsize=10)
gu.show(fig)

# %% [markdown]
# The sheet's line keeps its slope near 2. The two neurons swing it far above or below at most big-x rows, and
# from row 24 on each swing is bigger than the last. Why the swings feed on themselves is notebook 03's subject.

# %% [markdown]
# ## Are the learner's formulas right? (optional, ~20 min)
#
# The learner did not use the exact derivative formulas. Like the sheet's `est de/db` column, they nudged each
# weight up by 0.01 and divided the change in the row's error by 0.01.
#
# **Jargon: finite difference.** A derivative found by nudging: the change in error divided by the nudge. The
# learner's kind nudges one way only, up; a **central difference** nudges up and down and takes the middle.
#
# At the start, row 1 (x is 14, so the miss r = pred − y is −42), the learner's numbers are close to the exact
# ones. The exact ones come from the chain rule (exercise 1): for b2 it is 2r = −84, for w1 it is 2r × w2 × x.

# %%
def learners_formulas(w1, b1, w2, b2, x, y, step=0.01):
    """The learner's four derivatives: nudge one weight up by `step`, divide the change in error by `step`."""
    error = ((w1 * x + b1) * w2 + b2 - y) ** 2
    return [((((w1 + step) * x + b1) * w2 + b2 - y) ** 2 - error) / step,
            (((w1 * x + (b1 + step)) * w2 + b2 - y) ** 2 - error) / step,
            (((w1 * x + b1) * (w2 + step) + b2 - y) ** 2 - error) / step,
            (((w1 * x + b1) * w2 + (b2 + step) - y) ** 2 - error) / step]


def central_formulas(w1, b1, w2, b2, x, y, step=0.01):
    """Nudge each weight up and down by `step`; the change in error divided by 2 * step."""
    up = learners_formulas(w1, b1, w2, b2, x, y, step)
    down = learners_formulas(w1, b1, w2, b2, x, y, -step)
    return [(u + d) / 2 for u, d in zip(up, down)]


def exact(w1, b1, w2, b2, x, y):
    return [float(g) for g in model.loss_gradient([np.asarray(v) for v in (w1, b1, w2, b2)], x, y)]


start = (1.0, 1.0, 1.0, 1.0)
pd.DataFrame({"exact": exact(*start, x[0], y[0]), "learner's": learners_formulas(*start, x[0], y[0]),
              "central": central_formulas(*start, x[0], y[0])}, index=["w1", "b1", "w2", "b2"])

# %% [markdown]
# Right, for one row. But training should end where the line fits the data, and there the exact derivatives are
# all 0: nothing left to fix. Take one fit of the data (the cell lists its four weights) and add up each formula
# over the 29 rows:

# %%
fit = (1.0, 0.0, 2.0, 30.0)
totals = {name: np.sum([formula(*fit, xi, yi) for xi, yi in zip(x, y)], axis=0)
          for name, formula in [("exact", exact), ("learner's, nudge 0.01", learners_formulas),
                                ("central, nudge 0.01", central_formulas)]}
pd.DataFrame(totals, index=["w1", "b1", "w2", "b2"])

# %% [markdown]
# At the fit the learner's formulas still push: they say "move w1" when nothing needs fixing. So a run trained on
# them cannot settle on a fit. The central difference says 0 (up to rounding), like the exact formula. For this
# model it *is* exact: moving one weight alone, a row's error traces a perfect bowl, and on such a bowl the middle
# of two equal nudges gives the exact slope ([the deeper notebook](deeper/02_two_neurons.ipynb#The-learner's-own-gradients:-%22are-these-formulas-right?%22) shows why).
#
# Here is what that does to training. The lr 0.0001 explodes whatever the formulas, so these runs use 0.00003,
# where the exact derivatives train, for 3,000 epochs from the learner's start:

# %%
runs = {"exact derivatives": gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, epochs=3000, trace=False)}
for step in [0.1, 0.01, 0.001]:
    runs[f"learner's formulas, nudge {step:g}"] = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, epochs=3000,
                                                          trace=False, gradient="finite_difference", fd_step=step)
for label, run in runs.items():
    errors = run.epoch_errors
    print(f"{label:>33}: lowest {np.nanmin(errors):.3g} (epoch {np.nanargmin(errors) + 1}), "
          f"last 100 epochs between {np.nanmin(errors[-100:]):.4g} and {np.nanmax(errors[-100:]):.4g}")

# %%
fig, ax = gu.figure(width=7, height=3.2)
for label, run in runs.items():
    ax.loglog(np.arange(1, 3001), gu.displayable(run.epoch_errors, floor=1e-14), label=label)
ax.axhline(1, color="k", ls=":", lw=0.8)
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.set_title("two neurons, lr 3e-5, sheet's row order", fontsize=10)
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# With the exact derivatives the error keeps falling, far below 1. With the learner's formulas it falls for a
# while, climbs back, and settles at a floor: higher for a bigger nudge, lower for a smaller one, never near 0.
# Is that only the sheet's row order? The same runs with 20 shuffled orders:

# %%
orders = np.arange(20)
for label, step in [("exact derivatives", None), ("nudge 0.1", 0.1), ("nudge 0.01", 0.01), ("nudge 0.001", 0.001)]:
    options = {} if step is None else dict(gradient="finite_difference", fd_step=step)
    shuffled = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, epochs=3000, trace=False, shuffle=orders, **options)
    ends = shuffled.final_errors
    print(f"{label:>17}: converged {int(gu.converged(shuffled).sum())} of 20, diverged {int(shuffled.diverged.sum())}, "
          f"median final error {np.nanmedian(ends):.3g}")

# %% [markdown]
# Shuffled or not, the exact derivatives converge every time; the learner's formulas almost never do, and the
# floor drops as the nudge shrinks. So the learner's formulas did not cause the explosion: with or without them
# the run dies at row 28. But they would have stopped it from finishing. More in
# [the deeper notebook](deeper/02_two_neurons.ipynb#Training-on-them-stops-short-of-a-fit).

# %% [markdown]
# ## In this notebook you:
#
# - saw that two stacked straight-line neurons still draw one straight line;
# - replayed the learner's run and watched the line swing harder at big-x rows until it flew off at row 28;
# - checked the learner's formulas: each derivative nearly right, but a floor under training that shrinks with
#   the nudge, while central differences have none.
#
# ## Exercises
#
# **1.** Write the four exact derivatives of one row's squared error for the two neurons. (Hint: with r the miss,
# pred minus y, the one for b2 is 2r; for w2 it is 2r times h.)

# %%
def two_neuron_gradient(w1, b1, w2, b2, x, y):
    # return de_dw1, de_db1, de_dw2, de_db2
    return None

gu.check_two_neuron_gradient(two_neuron_gradient)

# %% [markdown]
# **2.** Given w1 and b1, which w2 and b2 make the two neurons draw exactly the data's line, slope 2 and
# intercept 30?

# %%
def exact_fit(w1, b1):
    # return w2, b2
    return None

gu.check_exact_fit(exact_fit)

# %% [markdown]
# ## Questions
#
# 1. The learner wrote that the model was "not simply collapsed into a single neuron". In what sense is that
#    true, and in what sense does it draw the same lines as one neuron?
# 2. In the replay, the line barely moves at rows with a small x. Why do the rows with a big x swing it most?
# 3. Why does a one-way nudge still push at a fit, when the exact derivative is 0?
#
# [Worked answers](answers/02_two_neurons.ipynb).
