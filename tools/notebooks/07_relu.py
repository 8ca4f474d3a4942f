# %% [markdown]
# # 07 · ReLU: why it "trains freely" and still loses
#
# With a ReLU on the first neuron, the learner's model stopped exploding, but its error stayed far worse than the
# single line's. In the first epoch, one oversized step switches the first neuron off for every row, and from then
# on only the last weight can learn. What is left is a flat line, and no flat line fits a rising set of points well.
#
# About 18 minutes, +7 optional.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## 1. Watch it happen (~8 min)
#
# **Jargon: ReLU.** A function that passes a positive number through unchanged and turns a negative one into 0. The
# learner's model with a ReLU is: prediction = w2 · ReLU(w1·x + b1) + b2. Its prediction is a line with a bend,
# the **kink**, where the ReLU's input crosses 0.
#
# The learner's settings: every weight 1, lr 1e-4, plain SGD, the sheet's rows in order. Press Play, or drag the
# row slider. Watch rows 24 to 27: the curve swings harder, then goes flat at row 26.

# %% tags=["nbval-ignore-output"]
gu.explore_replay(gu.TwoNeuron(relu=True), gu.SGD(1e-4), epochs=2)

# %% [markdown]
# The same run as numbers, rows 23 to 29: the weights after each step, and on how many rows the first neuron's
# input (inside the ReLU) is above 0.

# %%
relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, epochs=10)
after = relu.table()
after.index = after.index + 1
after["rows with input above 0"] = [int(np.sum(w1 * x + b1 > 0)) for w1, b1 in zip(after.new_w1, after.new_b1)]
after[["x", "new_w1", "new_b1", "new_w2", "new_b2", "rows with input above 0"]].iloc[22:]

# %%
fig, ax = gu.figure(width=7, height=3.2)
grid = np.linspace(0, 100, 201)
ax.plot(x, y, "o", color="0.5", ms=4, label="data rows")
for row, style in [(25, "--"), (26, "-")]:
    w1, b1, w2, b2 = (after.loc[row, f"new_{n}"] for n in ("w1", "b1", "w2", "b2"))
    ax.plot(grid, w2 * np.maximum(w1 * grid + b1, 0) + b2, style, label=f"prediction after row {row}")
ax.set_ylim(-50, 450)
ax.set_xlabel("x")
ax.set_ylabel("y, and the prediction")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Up to row 25 the input is above 0 on every row, and the ReLU changes nothing: the model behaves like the
# learner's 2-neuron line, including its growing swings (notebook 03). Row 26's step is huge and throws w1 to about
# −29. Every x is at least 8, so from then on the neuron's input is negative on **every** row.
#
# ## 2. Why three weights stop moving (~5 min)
#
# **Jargon: active row.** A row where the neuron's input w1·x + b1 is above 0. On an inactive row the ReLU outputs
# 0, and nudging w1, b1 or w2 a tiny bit changes nothing: their derivatives are 0. (A derivative: how much the
# row's error changes when you nudge one weight a tiny bit.)
#
# A neuron with no active row is called **dead**. Here is every epoch of the run:

# %%
print("active rows in each epoch:", (relu.history["h"] > 0).sum(axis=1).tolist())
start_of_2 = {n: relu.history["theta"][i, 1, 0] for i, n in enumerate(relu.model.names)}
moved = {n: round(float(relu.params[n] - start_of_2[n]), 6) for n in relu.model.names}
print("how far each weight moved over epochs 2-10:", moved)

# %% [markdown]
# Only b2 still learns. Nothing can bring the neuron back: its three weights get no push at all, so they stay
# where row 26 left them.
#
# ## 3. What is left is a flat line (~5 min)
#
# With the neuron dead, the prediction is just b2 on every row: the same number for every x. The best such
# number is the mean of y. Even that best flat line is far worse than the straight line:

# %%
best_constant = np.sqrt(np.sum((y - y.mean()) ** 2))
line = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 3000, trace=False)
long_relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 3000, trace=False)
print(f"mean of y: {y.mean():.3f}; the best flat line's sheet error: {best_constant:.3f}")
print(f"the line (1 neuron), sheet error after epoch 1: {line.epoch_errors[0]:.3f}; "
      f"below 1 from epoch {gu.epochs_to(line)}")
print(f"the ReLU run: b2 after 3,000 epochs {long_relu.params['b2']:.3f}; "
      f"sheet error after epochs 10, 1000, 3000: {np.round(long_relu.epoch_errors[[9, 999, 2999]], 3).tolist()}")

# %%
fig, ax = gu.figure(width=7, height=3.2)
gu.epoch_error_line(ax, long_relu, "ReLU, learner's settings", ms=0)
gu.epoch_error_line(ax, line, "the line (1 neuron)", ms=0)
ax.axhline(best_constant, color="k", ls="--", lw=0.8, label="best flat line")
ax.set_ylim(0.1, 2e3)
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# The ReLU run creeps towards the best flat line and stops there: an error close to 300, about twice the line's
# after its first epoch (about 150). The line goes on to fit the data exactly. So the ReLU model "trains freely"
# because it cannot explode any more: a dead neuron has nothing left to swing.
#
# ## 4. What keeps a ReLU neuron alive? (optional, ~7 min)
#
# Three things are robust; the details are in [going deeper, ReLU](deeper/07_relu.ipynb).
#
# - **A smaller lr avoids the step that killed this run.** From the learner's start at lr 3e-5 or 1e-5, the
#   neuron stays active and the model fits the data.
# - **But a smaller lr is no guarantee.** If w2 starts negative, the neuron at first pushes the prediction down
#   while the data needs it up. Descent then lowers the neuron's input, and it can switch the neuron off for good,
#   even with much smaller steps.
# - **Dead from the start.** Every x here is positive. So a start with w1 negative enough (with b1 at 1, any w1
#   below minus one eighth) has no active row before the first step. With x centred on 0 (notebook 04), some rows
#   lie on each side, and none of these starts is dead.
#
# The measurements behind each point:

# %%
for lr in (3e-5, 1e-5):
    run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(lr), x, y, 3000, trace=False)
    print(f"learner's start, lr {lr:g}: active rows at the end {int(gu.active_rows(run.model, run.params, x).sum())}"
          f" of 29; error below 1 from epoch {gu.epochs_to(run)}")
w1, w2 = np.meshgrid(np.linspace(0.1, 3, 30), -np.linspace(0.1, 3, 30), indexing="ij")


def ends(lr, epochs, w1, w2):
    """Which starts diverged, and which still have an active row at the end."""
    run = gu.train(gu.TwoNeuron(w1=w1, b1=1.0, w2=w2, b2=1.0, relu=True), gu.SGD(lr), x, y, epochs, trace=False)
    return run.diverged, gu.active_rows(run.model, run.params, x[:, None, None]).any(axis=0) & ~run.diverged


negative_w2 = {}
for lr, epochs in [(1e-4, 2000), (1e-5, 2000), (1e-6, 20_000)]:
    # five rows of starts at a time: the errors of 20,000 epochs for all 900 starts would fill 144 MB
    parts = [ends(lr, epochs, w1[i:i + 5], w2[i:i + 5]) for i in range(0, len(w1), 5)]
    diverged, alive = (np.concatenate(found) for found in zip(*parts))
    negative_w2[lr] = ~alive
    print(f"{w1.size} starts with w2 < 0 and every row active, lr {lr:g}, {epochs} epochs: "
          f"{int((~alive & ~diverged).sum())} dead, {int(diverged.sum())} diverged, {int(alive.sum())} alive")
starts = np.linspace(-3, 3, 61)
for label, inputs in [("x as it is", x), ("x centred on 0", x - x.mean())]:
    dead = [w for w in starts if np.all(w * inputs + 1 <= 0)]
    print(f"{label}: {len(dead)} of {len(starts)} starting w1 from -3 to 3 (b1 = 1) have no active row at the start")

# %%
fig, axes = gu.figure(3, width=10, height=3.0, sharey=True)
for ax, (lr, dead) in zip(axes, negative_w2.items()):
    ax.imshow(dead.T, origin="upper", extent=(0.05, 3.05, -3.05, -0.05), aspect="auto", cmap="Greys", vmin=0,
              vmax=1.5, interpolation="nearest")
    ax.set_title(f"lr {lr:g}: grey dead, white still active", fontsize=9)
    ax.set_xlabel("starting w1")
axes[0].set_ylabel("starting w2 (negative)")
gu.show(fig)

# %% [markdown]
# At lr 1e-4 every one of these starts dies; at the two smaller learning rates about half still die.
#
# ## In this notebook you:
#
# - replayed the learner's ReLU run and saw the kink leave the data at row 26;
# - saw why: no active row means zero derivatives for w1, b1 and w2, so only b2 learns;
# - measured the best flat line, about twice as bad as the line's first epoch;
# - saw that a smaller lr helps at the learner's start but does not protect a neuron with w2 negative.
#
# ## Exercises
#
# **1.** Count the active rows for given w1, b1 (x is an array of inputs).

# %%
def active_rows(w1, b1, x):
    return None

gu.check_active_rows(active_rows)

# %% [markdown]
# **2.** The slope of ReLU at its input z (the neuron's w1·x + b1), as training uses it: 1 where z is above 0, else 0.

# %%
def relu_slope(z):
    return None

gu.check_relu_slope(relu_slope)

# %% [markdown]
# ## Questions
#
# 1. After the neuron dies, b2 keeps learning. Towards which value does it creep, and why?
# 2. Why can no flat line get below an error close to 300 on these rows?
# 3. Could some row ever make the dead neuron active again, with w1 and b1 frozen? What would its x have to be?
# 4. In the replay, what makes row 26's step so much bigger than row 1's?
#
# [Worked answers](answers/07_relu.ipynb)
