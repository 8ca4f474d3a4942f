# %% [markdown]
# # 08 · Your questions, answered
#
# **The question.** You asked why your two neurons exploded, and more. What are the short answers?
#
# **The answer.** The steps were too big for two neurons. Each answer below has a picture and a link.
#
# About 14 minutes, +5 optional.

# %%
# %matplotlib widget

import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
rows = np.arange(1, len(x) + 1)

# %%
start = dict(w1=1.0, b1=1.0, w2=1.0, b2=1.0)
meter = {"the line": 1e-4 * (x ** 2 + 1),
         "2 neurons": 1e-4 * np.array([gu.row_curvature(gu.TwoNeuron(), start, xi) for xi in x])}
learner = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 1)
print({name: round(float(m.max()), 4) for name, m in meter.items()}, "(steepest row's meter at the start, lr 1e-4)")
print(f"the learner's run: diverged at epoch {learner.diverged_epoch}, row {learner.diverged_row}")

seeds = np.arange(40)
settings = {"b2 = 30, lr 1e-4": (gu.TwoNeuron(b2=30.0), 1e-4, x),
            "x centred, lr 1e-4": (gu.TwoNeuron(), 1e-4, x - x.mean()),
            "all 1, lr 2e-5": (gu.TwoNeuron(), 2e-5, x)}
starts = {}
for name, (model, lr, inputs) in settings.items():
    starts[name] = gu.outcome_fractions(model, gu.SGD(lr), inputs, y, 3000, n=40)
    print(f"{name}: {starts[name]}")
sheet_order = gu.train(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), x, y, 3000, trace=False)
print("b2 = 30, lr 1e-4, the sheet's order: converged from epoch", gu.epochs_to(sheet_order))

# %%
fig, (left, right) = gu.figure(2, width=10, height=3.0)
for name, m in meter.items():
    left.plot(rows, m, "o-", ms=3, label=name)
left.axhline(1, color="k", lw=0.8, ls="--")
left.set(xlabel="row", ylabel="lr × steepness at the start", title="why it explodes: the meter at lr 1e-4")
left.legend(fontsize=8)
right.barh(list(starts), [s.fractions["converged"] for s in starts.values()], color="C2")
for i, fared in enumerate(starts.values()):
    right.text(0.02, i, f"{fared.counts['converged']} of 40", va="center", fontsize=8)
right.set(xlim=(0, 1), xlabel="fraction of 40 shuffled row orders that converge",
          title="better starts? (3000 epochs)")
gu.show(fig)

# %% [markdown]
# ## Why does it explode? (~2 min)
#
# On big-x rows the meter (lr × steepness) is about 2 at the start: above 1, a step overshoots (left). Unlike the
# line's, the two neurons' steepness grows with the weights, so once big steps make the weights bigger, the next
# rows get steeper, until row 28. [03](03_why_it_explodes.ipynb).
#
# ## Do better initial weights help? (~2 min)
#
# Not at lr 1e-4: b2 at 30 trains in the sheet's order only, centred x in no shuffled order. A smaller lr
# trains your start in every order (right). [04](04_better_starts.ipynb).

# %%
relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 3000, trace=False)
line = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 1)
flat = np.sqrt(np.sum((y - y.mean()) ** 2))
after_26 = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 1).table().iloc[25]
print("ReLU run, active rows after row 26:", int(np.sum(after_26.new_w1 * x + after_26.new_b1 > 0)), "of 29")
errors = {"line, epoch 1": line.epoch_errors[0], "ReLU, epoch 3000": relu.epoch_errors[-1], "best flat line": flat}
print({k: round(float(v), 3) for k, v in errors.items()})

best_lr = {"the line": 1.85e-4, "2 neurons": 3.4e-5}  # each one's best lr with shuffled rows: deeper/10's scan
races = {name: gu.outcome_fractions(model, gu.SGD(best_lr[name]), x, y, 3000, n=40)
         for name, model in [("the line", gu.Linear()), ("2 neurons", gu.TwoNeuron())]}
for name, fared in races.items():
    print(f"{name} at lr {best_lr[name]:g}: {fared}")
ends = {k: np.asarray(v)[races["2 neurons"].converged] for k, v in races["2 neurons"].run.params.items()}
slope, intercept = ends["w1"] * ends["w2"], ends["w2"] * ends["b1"] + ends["b2"]
print(f"2 neurons' final line over the 40 orders: slope {slope.min():.4f} to {slope.max():.4f}, "
      f"intercept {intercept.min():.3f} to {intercept.max():.3f}")

# %%
fig, (left, right) = gu.figure(2, width=10, height=3.0)
left.bar(list(errors), list(errors.values()), color=["C0", "C1", "0.6"])
left.set(ylabel="sheet error", title="ReLU: stuck near the best flat line")
right.bar(list(races), [np.median(f.epochs[f.converged]) for f in races.values()], color=["C0", "C1"])
right.set(ylabel="median epochs to converge", title="each at its best lr, 40 shuffled orders")
gu.show(fig)

# %% [markdown]
# ## Why does ReLU "train freely", and still lose? (~2 min)
#
# Row 26's huge step switches the ReLU off on every row; then only b2 learns. The flat line left is about twice
# as bad as the line's first epoch (left). [07](07_relu.ipynb).
#
# ## Is it "just one neuron"? Smarter, or faster? (optional, ~3 min)
#
# Not smarter: it draws the same lines, and ends on the same one. It needs fewer epochs than the line, but only
# at a third of the sheet's lr (right). Each one's best lr, found by a scan over 40 shuffled orders:
# [deeper 10](deeper/10_order_and_batches.ipynb#3-·-Each-one's-best-lr). [02](02_two_neurons.ipynb).

# %%
lrs = np.array([1e-4, 7e-5, 5e-5, 3.4e-5, 2e-5, 1e-5])
lr_grid, seed_grid = np.meshgrid(lrs, seeds, indexing="ij")
scan = {b: gu.train(gu.TwoNeuron(*(np.ones(lr_grid.shape),) * 4), gu.SGD(lr_grid), x, y, 3000, trace=False,
                    shuffle=seed_grid, batch_size=b) for b in (1, 4)}
for b, run in scan.items():
    print(f"batches of {b}: converged in", gu.converged(run).sum(axis=1).tolist(), "of 40 orders at lr", lrs.tolist())
slow = ~gu.converged(scan[4])[-1]  # batches of 4, lr 1e-5: the orders that did not converge
print(f"batches of 4, lr 1e-5: {int(slow.sum())} orders not converged, diverged {int(scan[4].diverged[-1].sum())}; "
      f"their errors after epochs 1000, 2000, 3000: "
      f"{[round(float(scan[4].epoch_errors[e - 1][-1][slow].max()), 2) for e in (1000, 2000, 3000)]} at most")

exact = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, 3000, trace=False)
nudged = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, 3000, trace=False, gradient="finite_difference")
print(f"lr 3e-5, 3000 epochs: exact derivatives end at {exact.final_errors:.2e}, the learner's formulas at "
      f"{nudged.final_errors:.3f}")

# %%
fig, (left, right) = gu.figure(2, width=10, height=3.0)
for b, run in scan.items():
    left.plot(lrs, gu.converged(run).mean(axis=1), "o-", label=f"batches of {b}")
left.set(xscale="log", xlabel="lr", ylabel="fraction of 40 orders", title="which lr? 2 neurons, shuffled rows")
left.legend(fontsize=8)
epochs = np.arange(1, 3001)
right.plot(epochs, exact.epoch_errors, label="exact derivatives")
right.plot(epochs, nudged.epoch_errors, label="your formulas (nudge 0.01)")
right.set(yscale="log", xlabel="epoch", ylabel="sheet error", title="lr 3e-5, the sheet's order")
right.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# ## Which lr should I use? (~3 min)
#
# The largest lr that trains from your start is about two thirds of the sheet's lr in the sheet's row order;
# below about half of it with shuffled rows (left). Halve it until no order fails. [03](03_why_it_explodes.ipynb).
#
# **Jargon: mini-batch.** A few rows whose derivatives are averaged into one step. **Full batch:** all rows in one
# step. With batches of 4 at lr 1e-5, the orders that miss are slow, not failing: still just above 1 at the end.
#
# ## Are my finite-difference formulas right? (optional, ~2 min)
#
# Each is nearly right, and not the cause. But training on them stalls at a floor (right). [02](02_two_neurons.ipynb).

# %%
plain, heavy = gu.replay("basic"), gu.replay("momentum")  # the sheets' runs, after Reset
print(f"the line's first epoch: SGD {plain.epoch_errors[0]:.3f}, momentum {heavy.epoch_errors[0]:.3f}")
best_slope = np.sum((y - 1) * x) / np.sum(x * x)  # the best slope while b is still about 1, as in 05
print(f"best slope while b is about 1: {best_slope:.3f}; momentum's largest a: {heavy.table().new_a.max():.3f}")
adam = gu.outcome_fractions(gu.TwoNeuron(), gu.Adam(1e-3), x, y, 3000, n=40)
print("2 neurons with the sheet's Adam at lr 1e-3:", adam)

# %%
fig, ax = gu.figure(width=7, height=2.8)
ax.plot(rows, plain.table().new_a, "o-", ms=3, label="SGD")
ax.plot(rows, heavy.table().new_a, "o-", ms=3, label="momentum, β = 0.9")
ax.axhline(best_slope, color="k", lw=0.8, ls="--")
ax.set(xlabel="row of epoch 1", ylabel="slope a", title="momentum lags, then overshoots (dashed: best slope while b ≈ 1)")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# ## What does momentum do, and why was its first epoch worse? (~2 min)
#
# It steps along a running average of the steps: smoother. The average starts small, so the slope lags, then
# overshoots the best slope. [05](05_momentum.ipynb).
#
# ## What should I do in practice? (~3 min)
#
# Centre or normalise x, shuffle, and judge a setting over several orders. Pick the lr by trying, or with fastai's
# `learn.lr_find()`; or use Adam (at lr 1e-3 your model got under 1 in every order, on a floor:
# [06](06_rmsprop_adam.ipynb)). Both, measured:
# [deeper 09](deeper/09_keeping_it_stable.ipynb).
#
# fastbook chapter 4 averages over mini-batches. With batches of 4, lr 1e-4 fails in every order; half of it
# trains in 39 of 40 (left plot above). [deeper 10](deeper/10_order_and_batches.ipynb).
#
# ## In this notebook you:
#
# - got each answer, with its evidence.
#
# ## Exercises
#
# **1.** fastai averages a batch's gradients. Which fastai lr steps like the sheet over the same rows?

# %%
def batch_lr(sheet_lr, batch_size):
    return None

gu.check_batch_lr(batch_lr)

# %% [markdown]
# ## Questions
#
# 1. Which answers change when the rows are shuffled?
# 2. Why is "it did not explode" not "it trained"?
#
# [Worked answers](answers/08_your_questions.ipynb)
