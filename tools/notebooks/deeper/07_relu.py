# %% [markdown]
# # 07 · ReLU: the model that "trains freely"
#
# *Going deeper into [07 · ReLU](../07_relu.ipynb) of the learner's path.*
#
# The learner's third finding: *"With a ReLU on the first neuron the error no longer exploded, but it stayed much
# worse than the 1-neuron model's."* They concluded that ReLU makes multi-neuron models work. Let us look at what
# actually happens at their settings (lr = 1e-4, every weight 1), row by row.
#
# The model is pred = w2·ReLU(h) + b2 with h = w1·x + b1 and ReLU(h) = max(h, 0). Its derivative is 1 where
# h > 0 and 0 where h ≤ 0: a row with h ≤ 0 passes **no** gradient to w1, b1 or w2.

# %%
# %matplotlib widget

import matplotlib
import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 3)
x, y = gu.load_data()

# %% [markdown]
# ## The learner's run, 10 epochs
#
# Compared with the linear model at the same lr, and with the best *constant* predictor (pred = mean of y for every
# row), which ignores x altogether:

# %%
relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, epochs=10)
linear = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=10)
best_constant = np.sqrt(np.sum((y - y.mean()) ** 2))
print("ReLU run:", relu.divergence_message() or "no divergence")
pd.DataFrame({"epoch": range(1, 11), "ReLU 2 neurons": relu.epoch_errors.round(3),
              "linear": linear.epoch_errors.round(3), "best constant": round(best_constant, 3)})

# %% [markdown]
# No explosion, and an error that falls a little every epoch: it does look as if it "trains". But it is worse
# than a constant! Here is epoch 1 from row 22 on:

# %%
steps = relu.table()
steps.index = steps.index + 1
steps[["x", "w1", "b1", "w2", "b2", "h", "pred", "err_sq", "de_dw1", "de_db1", "de_dw2", "de_db2"]].iloc[21:]

# %% [markdown]
# Up to row 26 the ReLU model behaves exactly like the learner's linear 2-neuron model (every h was positive, and
# ReLU of a positive number is the number itself), including its unstable steps (lr·K = 2.3 at row 25, 11.6 at row
# 26, notebook 03). Row 26's step is enormous (its squared error is 438,684), and it throws w1 to about −28.6. From
# then on h = w1·x + b1 is negative for **every** row, since every x is at least 8:

# %%
print(f"after row 26: w1 = {steps.w1.iloc[26]:.3f}, b1 = {steps.b1.iloc[26]:.3f}")
h_all = steps.w1.iloc[26] * x + steps.b1.iloc[26]
print(f"h over all 29 rows lies between {h_all.min():.1f} and {h_all.max():.1f}: rows with h > 0: {(h_all > 0).sum()}")

# %% [markdown]
# ## Which rows still pass gradient, which weights still learn
#
# Count the active rows (h > 0) in every epoch, and how much each weight moves from the start of epoch 2 to the end:

# %%
h_per_row = relu.history["h"]  # epochs x rows
print("active rows per epoch:", (h_per_row > 0).sum(axis=1).tolist())
start_of_2 = {n: relu.history["theta"][i, 1, 0] for i, n in enumerate(relu.model.names)}
moved = {n: round(float(relu.params[n] - start_of_2[n]), 6) for n in relu.model.names}
print("change of each weight over epochs 2-10:", moved)

# %% [markdown]
# Only b2 still learns. The neuron is **dead**: it outputs 0 for every input, its weights receive zero gradient,
# and nothing can revive it. The model that remains is pred = b2, a constant, creeping towards the mean of y at
# lr = 1e-4. It cannot get below the best constant's error of 294.13, however long it trains; the linear model
# already had 105 after two epochs. The neuron's activity, epoch by epoch:

# %%
fig, (ax_h, ax_err) = gu.figure(2)
image = ax_h.imshow(np.sign(h_per_row), aspect="auto", cmap="coolwarm_r", vmin=-1, vmax=1,
                    extent=(0.5, 29.5, 10.5, 0.5), interpolation="nearest")
ax_h.set_xlabel("row")
ax_h.set_ylabel("epoch")
ax_h.set_title("sign of h per row: blue active (h > 0), red dead", fontsize=10)
gu.RowErrorLines(ax_err, ["ReLU", "linear"], len(x), 10).update({"ReLU": relu, "linear": linear})
ax_err.axhline(best_constant ** 2 / len(x), color="k", ls="--", lw=0.8, label="best constant (mean sq. error)")
ax_err.set_ylim(1e-1, 1e7)  # the rows' squared errors span 1e-1 to about 4e5
ax_err.legend(fontsize=8, loc="upper right")
gu.show(fig)

# %% [markdown]
# So "it no longer explodes" is true, but for a bad reason: the explosion killed the neuron, and a dead neuron
# cannot explode. This is the **dying ReLU** problem. How common is it at these settings? Take 3,721 starting
# points (w1, w2 on a grid from −3 to 3, b1 = b2 = 1) at lr = 1e-4, and tell apart the neurons that were dead
# before the first update (h ≤ 0 on every row already at the start: every x is positive, so that is w1·x + 1 ≤ 0 for
# all x) from the ones that died during 5 epochs of training:

# %%
grid = np.linspace(-3, 3, 61)
w1, w2 = np.meshgrid(grid, grid, indexing="ij")
sweep = gu.train(gu.TwoNeuron(w1=w1, b1=1.0, w2=w2, b2=1.0, relu=True), gu.SGD(1e-4), x, y, epochs=5)
rows_axis = x[:, None, None]
alive_at_start = gu.active_rows(sweep.model, {"w1": w1, "b1": 1.0, "w2": w2, "b2": 1.0}, rows_axis).any(axis=0)
alive_at_end = gu.active_rows(sweep.model, sweep.params, rows_axis).any(axis=0) & ~sweep.diverged
classes = {"alive after 5 epochs": alive_at_end, "dead from the start": ~alive_at_start,
           "killed during training": alive_at_start & ~alive_at_end & ~sweep.diverged, "diverged": sweep.diverged}
for name, mask in classes.items():
    print(f"{name}: {int(mask.sum())} of {mask.size}")

fig, ax = gu.figure(width=6.5, height=3.6)
code = np.select(list(classes.values()), range(len(classes)))
colours = list(gu.RELU_FATES.values())  # alive, dead from the start, killed, diverged: colour-safe
ax.imshow(code.T, origin="lower", extent=(-3.05, 3.05, -3.05, 3.05), aspect="auto", interpolation="nearest",
          cmap=matplotlib.colors.ListedColormap(colours), vmin=-0.5, vmax=3.5)
ax.legend(handles=[matplotlib.patches.Patch(color=c, label=n) for c, n in zip(colours, classes)], fontsize=8,
          loc="upper left", bbox_to_anchor=(1.01, 1))
ax.set_xlabel("initial w1")
ax.set_ylabel("initial w2")
ax.set_title("ReLU model, b1 = b2 = 1, lr 1e-4, 5 epochs", fontsize=9)
gu.show(fig)

# %% [markdown]
# Almost half of the starts (every start with w1 ≤ −1/8, since x ≥ 8) have a dead neuron before training begins.
# How did the others die? Find, for each, the update after which no row is active any more, and the stability
# meter lr·K of the row that made it:

# %%
theta, after = sweep.history["theta"], sweep.history["new_theta"]  # (weight, epoch, row, w1, w2)
alive_after = ((after[0][None] * x[:, None, None, None, None] + after[1][None]) > 0).any(axis=0)
killed = classes["killed during training"]
fatal = np.argmax(~alive_after.reshape(-1, *killed.shape), axis=0)  # the killing update, counted over all rows
epoch_of, row_of = np.divmod(fatal, len(x))
at = {n: np.take_along_axis(theta[i].reshape(-1, *killed.shape), fatal[None], 0)[0] for i, n in enumerate(gu.TwoNeuron.names)}
meter = 1e-4 * gu.row_curvature(gu.TwoNeuron(relu=True), at, x[row_of])
for label, mask in [("an unstable step (lr·K > 1)", meter > 1), ("an overshooting step (1/2 < lr·K <= 1)",
                    (meter > 0.5) & (meter <= 1)), ("an ordinary step (lr·K <= 1/2)", meter <= 0.5)]:
    print(f"killed by {label}: {int((killed & mask).sum())}"
          + (f" ({int((killed & mask & (w2 < 0)).sum())} of them with w2 < 0)" if "ordinary" in label else ""))
survivor = np.argwhere(classes["alive after 5 epochs"])[0]
start = {"w1": w1[tuple(survivor)], "b1": 1.0, "w2": w2[tuple(survivor)], "b2": 1.0}
later = gu.train(gu.TwoNeuron(**start, relu=True), gu.SGD(1e-4), x, y, epochs=30)
dead_from = 1 + int(np.argmax((later.history["h"] > 0).sum(axis=1) == 0))
print(f"the one start alive after 5 epochs, w1 = {start['w1']:.1f}, w2 = {start['w2']:.1f}: its last active rows "
      f"are in epoch {dead_from - 1}")

# %% [markdown]
# Most of the others die as the learner's did, at an unstable step. About two hundred, most with w2 < 0, are
# switched off by ordinary descent: with w2 < 0 an active neuron only pushes the prediction the wrong way, and plain
# gradient steps turn it off. The one start still alive after 5 epochs dies a few epochs later.
#
# Is that only a matter of a too large lr? Take the same grid at smaller learning rates, each for the same lr ×
# epochs (the same distance along the gradient), and count who dies:

# %%
rows = []
for lr, epochs in [(1e-4, 5), (1e-5, 50), (1e-6, 500), (1e-7, 5000)]:
    small = gu.train(gu.TwoNeuron(w1=w1, b1=1.0, w2=w2, b2=1.0, relu=True), gu.SGD(lr), x, y, epochs, trace=False)
    alive_end = gu.active_rows(small.model, small.params, rows_axis).any(axis=0) & ~small.diverged
    died = alive_at_start & ~alive_end & ~small.diverged
    rows.append({"lr": lr, "epochs": epochs, "died, w2 < 0": int((died & (w2 < 0)).sum()),
                 "of the alive starts with w2 < 0": int((alive_at_start & (w2 < 0)).sum()),
                 "died, w2 > 0": int((died & (w2 > 0)).sum()),
                 "of the alive starts with w2 > 0": int((alive_at_start & (w2 > 0)).sum())})
pd.DataFrame(rows)

# %% [markdown]
# A smaller lr saves every unit with w2 > 0 (they died of unstable steps) but not those with w2 < 0: at 1e-5, 1e-6
# and 1e-7 about half of them (495 of 960 at the two smallest) still die. Gradient descent itself switches them
# off: the prediction is below most targets, so with w2 < 0 every active row asks for a smaller h, and w1 and b1
# walk down until no row is active, unless w2 turns positive first. No lr prevents that.
#
# And why is almost half of the grid dead before the first update? Because every x is positive (8 to 99): with
# b1 = 1, any w1 ≤ −1/8 makes h negative on every row. Centre x (subtract its mean) and some rows have x < 0:

# %%
centred = x - x.mean()
alive_centred = gu.active_rows(sweep.model, {"w1": w1, "b1": 1.0, "w2": w2, "b2": 1.0},
                               centred[:, None, None]).any(axis=0)
print(f"x from {x.min():g} to {x.max():g}: dead from the start {int((~alive_at_start).sum())} of {w1.size}")
print(f"centred x from {centred.min():.1f} to {centred.max():.1f}: dead from the start "
      f"{int((~alive_centred).sum())} of {w1.size}")

# %% [markdown]
# With centred inputs no start of this grid is dead from the start: for any w1 some rows have h > 0.
#
# ## With the learner's finite differences
#
# The learner trained on forward differences (notebook 02). The ReLU run with them dies too, at a different w1:

# %%
fd = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, epochs=10, gradient="finite_difference")
print("finite differences:", fd.divergence_message() or "no divergence",
      "| active rows at the end:", int(gu.active_rows(fd.model, fd.params, x).sum()),
      "| w1 =", round(fd.params["w1"], 3), "| error after 10 epochs:", round(float(fd.epoch_errors[-1]), 3))

# %% [markdown]
# At the kink itself the two gradients disagree. Take a row where h is just below 0, h = −0.005 (x = 14,
# w1 = 1, b1 = −14.005). The analytic rule says ReLU's slope is 0 there, so w1 and b1 get no gradient; a forward
# step of 0.01 in w1 moves h to +0.135, across the kink, and the difference sees a slope:

# %%
model = gu.TwoNeuron(relu=True)
theta = [np.asarray(v) for v in (1.0, -14.005, 1.0, 1.0)]
estimate, _ = model.finite_difference(theta, 14.0, 58.0, step=0.01)
analytic = model.loss_gradient(theta, 14.0, 58.0)
pd.DataFrame({"weight": model.names, "forward difference": [float(v) for v in estimate],
              "analytic": [float(v) + 0.0 for v in analytic]})

# %% [markdown]
# ## When does the ReLU model train well?
#
# Keep the neuron alive: a learning rate small enough that no unstable step flings w1 negative (from the learner's
# start, where w2 > 0), inputs scaled with a suitable learning rate, or a start already near a fit. (With w2 < 0,
# no lr helps: see above.)

# %%
cases = [("lr = 1e-5", gu.TwoNeuron(relu=True), 1e-5, x),
         ("lr = 3e-5", gu.TwoNeuron(relu=True), 3e-5, x),
         ("lr = 1e-4 (the learner's)", gu.TwoNeuron(relu=True), 1e-4, x),
         ("x/100, lr = 1e-3", gu.TwoNeuron(relu=True), 1e-3, x / 100),
         ("x/100, lr = 1e-2", gu.TwoNeuron(relu=True), 1e-2, x / 100),
         ("start w1 = w2 = 1.4, b1 = 0, b2 = 30, lr = 1e-4", gu.TwoNeuron(1.4, 0.0, 1.4, 30.0, relu=True), 1e-4, x)]
rows = []
for label, model, lr, inputs in cases:
    run = gu.train(model, gu.SGD(lr), inputs, y, epochs=20, trace=False)
    rows.append({"setting": label, "diverged": run.diverged_at,
                 "active rows at the end": int(gu.active_rows(run.model, run.params, inputs).sum()),
                 "sheet error after 20 epochs": round(float(run.epoch_errors[-1]), 3)})
pd.DataFrame(rows)

# %% [markdown]
# Alive, the ReLU model is the linear 2-neuron model (with all rows active the ReLU changes nothing) and trains like
# it. Scaled inputs help only with a suitable lr: x/100 at lr 1e-3 fits exactly, at lr 1e-2 the neuron still dies.
# Dead, it is a constant.
#
# ## Try it
#
# Sliders for lr and the four starting weights, and a toggle for scaled inputs. The readout counts the active rows
# at the end; the right panel shows h per row (above 0: the neuron passes gradient). **Export to .xlsx** writes the
# ReLU experiment as a workbook, with the ReLU as MAX(h, 0) and its slope as IF(h > 0, 1, 0).

# %% tags=["nbval-ignore-output"]
gu.explore_relu()


# %% [markdown]
# ## Summary
#
# - At the learner's settings the ReLU model takes an unstable step at row 26 of epoch 1, w1 jumps to about −28.6,
#   and h < 0 on every row from then on: the neuron is dead.
# - A dead neuron passes no gradient to w1, b1, w2; only b2 learns, so the model is a constant, worse than the
#   best constant (294.13) and far worse than the linear model. It "trains freely" because it cannot explode.
# - At lr = 1e-4, of 3,721 grid starts (b1 = b2 = 1) 1,769 are dead before the first update and 1,951 die within
#   5 epochs, most at an unstable step. A smaller lr, scaled inputs with a suitable lr, or a good start keep it alive
#   when w2 > 0; with w2 < 0 descent kills about half the units at any lr.
# - "Dead from the start" happens because every x is positive: on centred x no start of the grid is dead.
# - A forward difference across the kink sees a slope the analytic rule does not.
#
# ## Exercises
#
# **1.** Count the active rows for given w1, b1 (x is an array of inputs).

# %%
def active_rows(w1, b1, x):
    return None

gu.check_active_rows(active_rows)


# %% [markdown]
# **2.** The slope of ReLU that backpropagation uses, at h.

# %%
def relu_slope(h):
    return None

gu.check_relu_slope(relu_slope)

# %% [markdown]
# ## Questions
#
# [Worked answers](../answers/deeper_07_relu.ipynb) to the exercises and the questions.
#
# 1. After the neuron dies, b2 keeps learning. Towards which value does it creep, and why so slowly at lr = 1e-4?
# 2. Could a negative x revive the neuron? What about a positive b1 large enough?
# 3. Why does the linear 2-neuron model explode where the ReLU one dies? Which single row decided it?
