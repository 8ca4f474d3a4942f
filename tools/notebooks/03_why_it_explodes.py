# %% [markdown]
# # 03 · Why it explodes
#
# **The question.** Why does the 2-neuron model blow up in its first epoch at lr 1e-4, when the line trains
# calmly at the same lr?
#
# **The answer.** At lr 1e-4 the 2-neuron model's big-x rows are about twice as steep as the line's, and unlike the
# line's, their steepness grows with the weights. So once a big miss makes a big step, the weights grow, the rows get
# steeper, the steps bigger still, until the numbers fly off at row 28. From the learner's start, training works only
# at a smaller lr: about two thirds of the sheet's lr in its row order, below about half of it with shuffled rows.
#
# ~30 min, +20 optional. Parts marked (optional) can wait for home.

# %%
# %matplotlib widget

import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
two, line = gu.TwoNeuron(), gu.Linear()  # all weights 1; a = b = 1

# %% [markdown]
# ## 1 · Find it yourself (~7 min)
#
# Below is the learner's model, all four weights starting at 1, trained for up to 1000 epochs. Move the lr
# slider. Your task: **find the largest lr at which the model still trains.**
#
# The readout above the figure says what happened:
#
# - "converged by epoch N": the sheet error is below 1 from epoch N to epoch 1000.
# - "diverged at epoch e, row r": the numbers flew off at that row.
# - "still going": after 1000 epochs the error is still above 1.
#
# The left panel shows the sheet error per epoch. The right panel shows the line the model draws at the end.

# %% tags=["nbval-ignore-output"]
gu.explore_largest_lr()

# %% [markdown]
# Write down your lr before you read on.
#
# ## 2 · The answer, measured (~5 min)
#
# Here is what the slider does, done for you: 200 learning rates, evenly spaced on a log scale from 1e-6 to
# 1e-3. Each run gets 1000 epochs, in the sheet's row order.

# %%
lrs = np.geomspace(1e-6, 1e-3, 200)
trains, scan = gu.lr_scan(lrs)  # converged: error below 1 from some epoch up to epoch 1000
largest = lrs[trains].max()
print(f"largest lr that converged within 1000 epochs: {largest:.3g} ({largest / 1e-4:.2f} x the sheet's lr)")
print(f"the next lr tried, {lrs[lrs > largest][0]:.3g}: {gu.outcome(gu.train(two, gu.SGD(lrs[lrs > largest][0]), x, y, 1000, trace=False))}")
print(f"converged: {trains.sum()} of 200; above {largest:.3g}: {trains[lrs > largest].sum()} converged, "
      f"{np.asarray(scan.diverged)[lrs > largest].sum()} diverged")
print(f"at the smallest lrs the runs are still going: {lrs[trains].min():.3g} is the smallest that converged")

fig, ax = gu.figure(width=8, height=2.8)
epochs_needed = gu.epochs_to(scan)
ax.semilogx(lrs[trains], epochs_needed[trains], "o", ms=3, color="C2", label="converged (by this epoch)")
ax.semilogx(lrs[scan.diverged], np.asarray(scan.diverged_epoch)[scan.diverged], "x", ms=4, color="C3",
            label="diverged (in this epoch)")
going = ~trains & ~np.asarray(scan.diverged)
ax.semilogx(lrs[going], np.full(going.sum(), 1000), "s", ms=3, color="C0", label="still going at epoch 1000")
ax.axvline(1e-4, color="0.5", lw=1, label="the sheet's lr 1e-4")
ax.set_yscale("log")
ax.set_xlabel("lr (2 neurons, all weights 1, the sheet's row order)")
ax.set_ylabel("epoch")
ax.legend(fontsize=8, loc="center left")
gu.show(fig)

# %% [markdown]
# In the sheet's row order the largest lr that trains is about two thirds of the sheet's lr. Almost every lr
# above it diverges; on a finer scan a few just above it still train, and which ones depends on the last digits
# of the arithmetic ([deeper 03](deeper/03_why_it_explodes.ipynb#6-·-The-learning-rate-moves-the-destination:-a-drift-that-grows-with-lr)).
# Very small lrs are not broken, just slow: they are still going after 1000 epochs.
#
# **(Optional, ~5 min.)** One row order is not every row order. fastai shuffles the rows every epoch. The same
# scan over 40 shuffled orders (seeds 0 to 39):

# %%
orders = np.arange(40)
trains_shuffled, scan_shuffled = gu.lr_scan(lrs[:, None], model=gu.TwoNeuron(w1=np.ones((200, 40))),
                                            shuffle=orders[None, :])
largest_per_order = np.array([lrs[trains_shuffled[:, k]].max() for k in orders])
print(f"largest lr that converged within 1000 epochs, per order: from {largest_per_order.min():.2g} to "
      f"{largest_per_order.max():.2g} (median {np.median(largest_per_order):.2g})")
every = lrs[trains_shuffled.all(axis=1)]
print(f"all 40 orders converge up to {every.max():.2g}; "
      f"none converges from {lrs[(lrs > every.max()) & ~trains_shuffled.any(axis=1)].min():.2g}; "
      f"all 40 diverge from {lrs[np.asarray(scan_shuffled.diverged).all(axis=1)].min():.2g}")

fig, ax = gu.figure(width=8, height=2.6)
ax.semilogx(lrs, trains_shuffled.mean(axis=1), color="C2", label="converged within 1000 epochs")
ax.semilogx(lrs, np.asarray(scan_shuffled.diverged).mean(axis=1), color="C3", label="diverged")
ax.axvline(largest, color="C1", ls=":", label="largest in the sheet's order")
ax.axvline(1e-4, color="0.5", lw=1, label="the sheet's lr 1e-4")
ax.set_xlabel("lr (2 neurons, all weights 1, rows shuffled every epoch)")
ax.set_ylabel("fraction of 40 orders")
ax.legend(fontsize=8, loc="center left")
gu.show(fig)

# %% [markdown]
# With shuffled rows every order diverges from about half the sheet's lr (red). Below that, the gap between green
# and red is runs still going at epoch 1000: shuffled rows train more slowly. Either way, lr 1e-4 is too big. The rest of this notebook shows why.
#
# ## 3 · The steepness meter, by hand (~8 min)
#
# Take one row and its miss: prediction minus y. A step moves the prediction towards y. How far depends on two
# things: the lr, and how steep this row is.
#
# **Jargon: steepness (of a row).** How strongly the row's prediction reacts to the weights. Nudge each weight a
# tiny bit, see how far the prediction moves, square those amounts and add them up, as in Pythagoras. For the
# line, nudging a moves the prediction by x and nudging b by 1, so the steepness is x² + 1. Rows with a big x are
# steep. `gu.row_curvature` computes it.
#
# **The meter is lr × steepness.** One step multiplies the row's miss by about 1 − 2 × meter. The 2 comes from
# the square: the error is the miss squared, so its slope is twice the miss. At 0.5 the step lands on y. At 1
# the miss comes back the same size, on the other side. Above 1 it comes back bigger, and the row's error grows.

# %%
meters = np.linspace(0, 1.3, 131)
fig, (ax_rule, ax_steps) = gu.figure(2, width=9, height=2.8)
ax_rule.plot(meters, 1 - 2 * meters, color="C0")
for meter, what in [(0.5, "0.5: lands on y"), (1.0, "1: same size back")]:
    ax_rule.plot(meter, 1 - 2 * meter, "ko", ms=4)
    ax_rule.annotate(what, (meter, 1 - 2 * meter), (-95, -4), textcoords="offset points", fontsize=8)
ax_rule.axhspan(-1, 1, color="C2", alpha=0.1, label="the miss shrinks")
ax_rule.set_xlabel("meter: lr × steepness")
ax_rule.set_ylabel("miss after ÷ miss before")
ax_rule.legend(fontsize=8, loc="lower left")
for meter in [0.3, 0.5, 0.8, 1.1]:
    miss = (1 - 2 * meter) ** np.arange(6)  # the row's miss after each step, starting at 1
    ax_steps.plot(np.arange(6), miss, marker="o", ms=3, label=f"meter {meter}")
ax_steps.axhline(0, color="k", lw=0.6)
ax_steps.set_xlabel("step on the same row")
ax_steps.set_ylabel("miss: prediction − y")
ax_steps.set_ylim(-2.8, 3.2)
ax_steps.legend(fontsize=7, ncol=4, loc="upper center", handlelength=1)
gu.show(fig)

# %% [markdown]
# Right: at 0.3 the miss shrinks steadily; at 0.5 it is gone in one step; at 0.8 it flips sign (an overshoot) but
# shrinks; at 1.1 it flips and grows.
#
# By hand first: the line's steepest row is the one where x is 99.

# %%
k_line = 99 ** 2 + 1
print(f"line, row x = 99: steepness {k_line}, lr × steepness = {1e-4 * k_line:.4f}")
print(f"the same from the course's code: {1e-4 * gu.row_curvature(line, {'a': 1.0, 'b': 1.0}, 99.0):.4f}")

# %% [markdown]
# Just under 1. The sheet's lr is right at the line's limit for its steepest row.
#
# For the 2-neuron model the steepness also depends on the weights. With all weights 1, at the start:

# %%
start = {"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}
meter_line = 1e-4 * gu.row_curvature(line, {"a": 1.0, "b": 1.0}, x)
meter_two = 1e-4 * gu.row_curvature(two, start, x)
print(f"steepest row at the start, lr 1e-4: line {meter_line.max():.4f}, 2 neurons {meter_two.max():.4f} "
      f"({meter_two.max() / meter_line.max():.2f} x the line's)")
print(f"rows over 1 at the start: line {(meter_line > 1).sum()}, 2 neurons {(meter_two > 1).sum()} of {len(x)}")
row_99 = int(np.argmax(x))
for name, model, weights, meter in [("line", line, {"a": 1.0, "b": 1.0}, meter_line), ("2 neurons", two, start, meter_two)]:
    print(f"{name}, row x = 99: the rule 1 - 2 × meter says {1 - 2 * meter[row_99]:.4f}; "
          f"one real step multiplies the miss by {gu.residual_factor(model, weights, 1e-4, 99.0, y[row_99]):.4f}")

fig, ax = gu.figure(width=8, height=2.8)
order = np.argsort(x)
ax.plot(x[order], meter_two[order], "o-", ms=3, label="2 neurons, all weights 1")
ax.plot(x[order], meter_line[order], "s-", ms=3, label="line, a = b = 1")
ax.axhline(1, color="k", ls="--", lw=1, label="1: above it the step overshoots by more than it started")
ax.set_xlabel("x of the row")
ax.set_ylabel("lr × steepness at lr 1e-4")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# At the start the 2-neuron model's steepest rows are about twice as steep as the line's: about 2 where the
# line has just under 1. For the line the rule is exact: the miss comes back a little smaller, on the other side.
# For two neurons it is only a guide, because the step also changes the steepness: a big miss adds its own push.
# The rule says about 3 times bigger; the real step makes it about 8 times bigger.
# [deeper notebook 03, section 2](deeper/03_why_it_explodes.ipynb#2-·-One-row-of-the-sheet:-curvature-K-and-the-stability-meter)
# has the exact formula and the rows where the rule misses.
#
# ## 4 · Watch it run away (~8 min)
#
# Now the meter row by row through epoch 1, at an lr you choose. The three panels: the meter, the size of the
# weights (the largest of the four, ignoring sign), and each row's squared error. The toggle swaps in the line.
# Try lr 1e-4 with each model, then a smaller lr.

# %% tags=["nbval-ignore-output"]
gu.explore_steepness()

# %% [markdown]
# At lr 1e-4 the meter crosses 1 already at row 2. Here is the learner's run in numbers, from row 18 on:
#
# %%
learner = gu.train(two, gu.SGD(1e-4), x, y)
meter_run = gu.stability_meter(learner).ravel()
table = learner.table()
factor = [gu.residual_factor(two, {n: table[n][i] for n in two.names}, 1e-4, table.x[i], table.y[i])
          for i in range(len(table))]
print(f"rows 1-17: {(meter_run[:17] > 1).sum()} over 1; w2 swings between {table.w2[:17].min():.2f} and "
      f"{table.w2[:17].max():.2f}")
print("row    x        w1        w2   lr × steepness    miss   miss after the step / before")
for row in range(18, learner.diverged_at[1] + 1):
    i = row - 1
    print(f"{row:3d} {table.x[i]:4.0f} {table.w1[i]:9.4g} {table.w2[i]:9.4g} {meter_run[i]:16.4g} "
          f"{table.pred[i] - table.y[i]:9.4g} {factor[i]:12.4g}")
print(learner.divergence_message())

# %% [markdown]
# In rows 1 to 17 the meter crosses 1 several times, but w1 and w2 stay between about 0.4 and 3. Row 18 (x is 99, meter above 5) overshoots so hard that w1 and w2 drop to about 0.1.
# Now the model predicts far too low, and the misses grow. Row 24 (x is 64) is under 1, so its step does not
# overshoot, but its miss is big, so its step is big: it triples w1 and w2. Bigger weights make row 25 (x is 99 again)
# steeper, over 2. Its step overshoots and triples the weights again. Row 26's meter is about 12: its step does not
# cross y, but pushes the weights so far that the miss grows about 85 times. At row 28 the numbers fly off. A
# big step, bigger weights, steeper rows, a bigger step: a loop that feeds itself.
#
# The line cannot do this: its steepness depends on x alone. Is "twice too steep at the start" enough to explode?
# The line at twice the sheet's lr reads like the two neurons at the start:

# %%
line_fast = gu.train(gu.Linear(), gu.SGD(2.02e-4), x, y, 3000, trace=False)
meter_fast = 2.02e-4 * gu.row_curvature(gu.Linear(), {"a": 1.0, "b": 1.0}, x)
print(f"the line at lr 2.02e-4: largest meter {meter_fast.max():.2f}, {(meter_fast > 1).sum()} rows over 1 "
      f"(two neurons at 1e-4: {meter_two.max():.2f}, {(meter_two > 1).sum()} rows over 1)")
print(f"the line at lr 2.02e-4: {gu.verdict(line_fast)}")

# %% [markdown]
# Same readings, and the line still trains. What makes the two neurons explode is that their steepness grows with
# the weights.
#
# ## 5 · The headline (~2 min)
#
# **The headline.** The answer at the top, now measured: the steepest rows start about twice as steep as the
# line's, and the 2-neuron model's steepness grows with its weights, so big steps feed themselves. Every fit plain
# SGD reaches from this start is reached only at a smaller lr: at most about two thirds of the sheet's
# ([deeper notebook 03](deeper/03_why_it_explodes.ipynb) measures the fits themselves).
#
# **Going deeper (optional, ~15 min).** Where do runs at smaller lrs end up, and why? See
# [deeper notebook 03, sections 4 to 6](deeper/03_why_it_explodes.ipynb#4-·-What-small-steps-conserve).
#
# ## In this notebook you:
#
# - found the largest lr that trains from the learner's start with one slider, then measured it;
# - saw that it depends on the row order: about two thirds of the sheet's lr in its order, below about half of it
#   with shuffled rows;
# - met the meter, lr × steepness: one step multiplies a row's miss by about 1 − 2 × meter;
# - saw why the 2-neuron model runs away: its steepness grows with the weights, so big steps feed themselves;
#   the line at the same meter readings still trains.
#
# ## Exercises
#
# **1.** The line's steepness for a row: write it as a function of x.

# %%
def k_linear(x):
    return None  # your formula

gu.check_k_linear(k_linear)

# %% [markdown]
# **2.** The largest lr at which one step of the *line* on the row where x is 50 does not make that row's miss grow
# (where lr times steepness is 1).

# %%
largest_stable_lr = None  # your number
gu.check_largest_stable_lr(largest_stable_lr)

# %% [markdown]
# **3.** Type the largest lr you found with the slider in section 1 (the model must converge there within 1000
# epochs, in the sheet's order).

# %%
my_largest_lr = None  # your number, for example 5e-5
gu.check_largest_training_lr(my_largest_lr)

# %% [markdown]
# ## Questions
#
# 1. The line's steepest row sits just under the limit at lr 1e-4. Why does the line not run away even where a
#    row's meter is close to 1?
# 2. In the table of section 4, which row's step first made the weights much bigger? Was its own meter above 1?
# 3. The largest lr that trains is lower with shuffled rows. Is that because the sheet's order is special, or
#    because the order changes every epoch? (Hint: permute the rows once, `order = np.random.default_rng(0).permutation(29)`,
#    and pass them to the slider: `gu.explore_largest_lr(x=x[order], y=y[order])`.)
# 4. Set lr 1e-5 in the steepness meter. Does any row go over 1? What happens to the weights?
#
# [Worked answers](answers/03_why_it_explodes.ipynb)
