# %% [markdown]
# # 05 · Momentum: smoother, not faster
#
# The spreadsheet's `momentum` sheet ended its first epoch with a worse error than plain SGD. Momentum steps along
# a running average of the recent steps, so the line wobbles less. At the sheet's learning rate it does not reach
# the answer sooner; its first epoch is worse because the average first lags, then overshoots.
#
# About 20 minutes, +5 optional.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## 1. Try it first (~4 min)
#
# The sheet's line from a = b = 1, plain SGD and momentum at the same lr. Left: the slope a after each row of three
# epochs. Right: the error per epoch. Set β to 0: momentum becomes SGD. Back at 0.9: which line wobbles less, and
# which gets below 1 first?

# %% tags=["nbval-ignore-output"]
gu.explore_smoothing()

# %% [markdown]
# ## 2. A running average of the steps (~4 min)
#
# **Jargon: derivative.** How much a row's error changes when you nudge one weight a tiny bit. SGD steps each weight
# by lr times it.
#
# **Jargon: momentum.** Instead of this row's derivative, step along a running average of the derivatives so far.
# The sheet's average m keeps 0.9 of the old average and adds 0.1 of this row's derivative g (the arrow means
# "becomes", as when a cell is overwritten):
#
# $$m \leftarrow 0.9\,m + 0.1\,g$$
#
# The number 0.9 is called β. A large β remembers many rows and follows changes slowly. The slope's derivative in
# the basic sheet's first epoch, and its average:

# %%
de_da = gu.replay("basic").table().de_da.to_numpy()
average = gu.ema(de_da, 0.9)
fig, ax = gu.figure(width=8, height=3)
ax.plot(np.arange(1, 30), de_da, color="0.6", marker=".", label="derivative for a, each row")
ax.plot(np.arange(1, 30), average, color="C1", marker=".", label="its running average, β = 0.9")
ax.set_yscale("symlog", linthresh=100)
ax.set_ylabel("derivative: even steps up to ±100,\nthen ×10 per step", fontsize=8)
ax.set_xlabel("row, counted from 1")
ax.legend(fontsize=8)
gu.show(fig)
print("derivative for a, rows 1-4:", np.round(de_da[:4], 1).tolist())
print("running average, rows 1-4:", np.round(average[:4], 1).tolist())

# %% [markdown]
# The grey line jumps around from row to row. The orange average is calmer, but starts small: it has seen few rows.
#
# ## 3. Smoother, not faster (~5 min)
#
# **Jargon: steep and flat directions.** The error changes fast when the slope a moves (x is as large as 99) and
# slowly when the intercept b moves. So a is the steep direction and b the flat one. Plain SGD finds a quickly, then
# crawls towards the intercept's answer, 30, for thousands of epochs.
#
# Both at lr 1e-4 from a = b = 1:

# %%
runs = {"SGD": gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 3000, trace="epochs"),
        "momentum": gu.train(gu.Linear(), gu.Momentum(1e-4, 0.9), x, y, 3000, trace="epochs")}
epoch_50 = {name: gu.train(gu.Linear(), run.optimizer, x, y, 50).table(epoch=50) for name, run in runs.items()}
for name, run in runs.items():
    a_rows = epoch_50[name].new_a.to_numpy()
    print(f"{name:8}: in epoch 50, a moves between {a_rows.min():.3f} and {a_rows.max():.3f}; "
          f"mean change per row {np.abs(np.diff(a_rows)).mean():.4f}")
for name, run in runs.items():
    b = run.epoch_params["b"]
    print(f"{name:8}: b after epochs 10, 100, 1000: {b[9]:.2f}, {b[99]:.2f}, {b[999]:.2f}; "
          f"first epoch with error below 1: {gu.epochs_to(run)}")
sgd_50 = epoch_50["SGD"]
for name in ("a", "b"):
    d = sgd_50[f"de_d{name}"]
    print(f"SGD, epoch 50, derivative for {name}: typical size {d.abs().mean():.2f}, "
          f"average over the epoch {d.mean():.2f}")
lower = np.flatnonzero(runs["momentum"].epoch_errors < runs["SGD"].epoch_errors) + 1
print(f"momentum's error is below SGD's in epochs {lower[0]} to {lower[-1]} ({len(lower)} epochs)")

# %%
fig, (ax_rows, ax_err) = gu.figure(2, width=10, height=3.4)
for name in runs:
    ax_rows.plot(np.arange(1, 30), epoch_50[name].new_a, marker=".", label=name)
    ax_err.plot(np.arange(1, 3001), runs[name].epoch_errors, label=name)
ax_rows.axhline(2, color="k", ls="--", lw=0.8, label="a = 2, the answer")
ax_rows.set_xlabel("row of epoch 50")
ax_rows.set_ylabel("slope a after the row")
ax_rows.set_title("the steep direction: a, row by row", fontsize=9)
ax_err.set_yscale("log")
ax_err.set_xlabel("epoch")
ax_err.set_ylabel("sheet error")
ax_err.set_title("the whole run: the flat direction decides", fontsize=9)
ax_rows.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Left: with momentum the slope wobbles far less inside an epoch (its average change per row is about six times
# smaller). That is why its error is lower than SGD's until about epoch 770. Right: the crawl along b is what takes
# thousands of epochs, and momentum does not speed it up. In the sheet's row order it gets below an error of 1
# slightly *later* than SGD; over 40 shuffled orders it is later in about two orders out of three
# ([deeper 05](deeper/05_momentum.ipynb)).
#
# The reason: the derivatives for a are large and swing both ways, so over an epoch they almost cancel. The
# derivatives for b mostly push the same way: their average is more than half their typical size. Averaging
# removes what cancels and leaves a steady push as it is. The full story, and where
# momentum does speed things up:
# [going deeper, momentum](deeper/05_momentum.ipynb#What-momentum-does-to-each-direction).
#
# ## 4. Why the first epoch was worse (~4 min)
#
# The sheet's numbers after epoch 1 (Reset, then one Run), and the slope a after each row:

# %%
sheets = {"basic (SGD)": gu.replay("basic"), "momentum": gu.replay("momentum")}
for name, run in sheets.items():
    print(f"{name:12} sheet error after epoch 1: {run.epoch_errors[0]:.3f}")
best_slope = np.sum((y - 1) * x) / np.sum(x * x)  # the best slope while b is still about 1
a_momentum = sheets["momentum"].table().new_a.to_numpy()
print(f"best slope while b is about 1: {best_slope:.3f}")
print(f"momentum's a first passes it after row {np.argmax(a_momentum > best_slope) + 1}; "
      f"its largest a is {a_momentum.max():.3f}, after row {np.argmax(a_momentum) + 1}")
print(f"SGD's a after row 2: {sheets['basic (SGD)'].table().new_a.iloc[1]:.3f}")
from_zero = gu.train(gu.Linear(), gu.Momentum(1e-4, 0.9), x, y, 1)
print(f"momentum from an average of 0 (not the sheet's Reset): sheet error after epoch 1 {from_zero.epoch_errors[0]:.3f}")

# %%
fig, ax = gu.figure(width=8, height=3.2)
for name, run in sheets.items():
    ax.plot(np.arange(1, 30), run.table().new_a, marker=".", label=name)
ax.axhline(best_slope, color="k", ls="--", lw=0.8, label="best slope while b is about 1")
ax.set_xlabel("row of epoch 1")
ax.set_ylabel("slope a after the row")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# The sheet's Reset fills momentum's average from one pass over the rows; from an average of 0, epoch 1 would end
# at about 199. SGD jumps to about the best slope in two rows (a little past it) and stays near it. Momentum's average starts
# small, so a **lags**: for several rows
# the line is too flat and those rows' errors are large. Then the built-up average keeps pushing, and a
# **overshoots** to above 3 before it turns. Both cost error, so epoch 1 ends worse. From epoch 2 on, the smoother
# slope wins for a while (section 3). How much each part costs:
# [going deeper, the first epoch](deeper/05_momentum.ipynb#Why-the-first-epoch-is-worse).
#
# ## 5. And your 2-neuron model? (~3 min)
#
# Momentum from your start (every weight 1), over 40 shuffled row orders, at the sheet's lr and at a fifth of it:

# %%
two = {}
for name, optimizer in [("SGD", gu.SGD), ("momentum", lambda lr: gu.Momentum(lr, 0.9))]:
    for lr in (1e-4, 2e-5):
        two[f"{name}, lr {lr:g}"] = gu.outcome_fractions(gu.TwoNeuron(), optimizer(lr), x, y, 3000, n=40)
        print(f"{name}, lr {lr:g}: {two[f'{name}, lr {lr:g}']}")
sheet_order = gu.train(gu.TwoNeuron(), gu.Momentum(1e-4, 0.9), x, y, 3000, trace=False)
print(f"momentum, lr 1e-4, the sheet's order: {gu.outcome(sheet_order)}")

fig, ax = gu.figure(width=7, height=2.2)
ax.barh(list(two), [np.median(f.epochs[f.converged]) if f.converged.any() else 0 for f in two.values()],
        color=["C0", "C0", "C1", "C1"])
for i, fared in enumerate(two.values()):
    ax.text(10, i, "diverged in all 40" if fared.counts["diverged"] == 40 else f"{fared.counts['converged']} of 40 "
            "converge", va="center", fontsize=8)
ax.invert_yaxis()
ax.set_xlabel("median epoch at which the error gets below 1, 40 shuffled orders")
gu.show(fig)

# %% [markdown]
# Momentum does not save the sheet's lr: it diverges in every order, like SGD. At lr 2e-5 both train in every
# order, momentum in fewer epochs.
#
# ## 6. What about a tuned lr? (optional, ~5 min)
#
# With a larger lr (the best ones from the deeper notebook's scan), momentum can need far fewer epochs. Each run is
# judged by when its error first drops below 1, and by its **peak**: the worst error on the way.

# %%
untrained = np.sqrt(np.sum((x + 1 - y) ** 2))  # a = b = 1, before any step
settings = [("SGD", gu.SGD(1e-4)), ("SGD", gu.SGD(10 ** -3.5)), ("momentum β = 0.9", gu.Momentum(1e-4, 0.9)),
            ("momentum β = 0.5", gu.Momentum(10 ** -3.375, 0.5)), ("momentum β = 0.9", gu.Momentum(10 ** -2.75, 0.9)),
            ("momentum β = 0.9", gu.Momentum(10 ** -2.725, 0.9))]
tuned, rows = {}, []
for label, optimizer in settings:
    run = gu.train(gu.Linear(), optimizer, x, y, 3000, trace=False)
    tuned[f"{label}, lr {float(optimizer.lr):.1e}"] = run
    rows.append({"optimizer": label, "lr": float(optimizer.lr),
                 "outcome": run.divergence_message() or f"error below 1 at epoch {gu.epochs_to(run)}",
                 "peak sheet error": round(float(np.nanmax(run.epoch_errors)), 1),
                 "epochs above the untrained start": int(np.sum(run.epoch_errors > untrained))})
print(f"the untrained start's sheet error: {untrained:.1f}")
pd.DataFrame(rows)

# %%
fig, ax = gu.figure(width=8, height=3.2)
for label, run in list(tuned.items())[1:5]:
    gu.epoch_error_line(ax, run, label, ms=2, lw=1)
ax.axhline(1, color="k", ls=":", lw=0.8)
ax.set_ylim(0.3, 3e3)
ax.axhline(untrained, color="k", ls="--", lw=0.8, label="untrained start")
ax.set_yscale("log")
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.legend(fontsize=7)
gu.show(fig)

# %% [markdown]
# The fast momentum runs pay for their speed. With β at 0.5 the error climbs to about three times the untrained
# start's and stays above it for dozens of epochs. With β at 0.9 the fastest lr sits right next to one that diverges.
# A tuned lr that fast and that fragile is not one to trust: the deeper notebook scans it.
#
# ## In this notebook you:
#
# - saw momentum as a running average of the derivatives, and what β does;
# - measured that at the sheet's lr it smooths the steep direction's wobble but does not speed up the flat one;
# - saw why its first epoch was worse: the average lags, then overshoots;
# - measured that on your 2-neuron model momentum diverges at the sheet's lr, like SGD;
# - saw that a tuned momentum lr can be fast, with a high peak error on the way and failure close by.
#
# ## Exercises
#
# **1.** One row of the sheet's momentum update for one weight: the new average, then the step along it.

# %%
def momentum_step(weight, m, g, lr, beta):
    # return new_weight, new_m
    return None

gu.check_momentum_step(momentum_step)

# %% [markdown]
# **2.** A running average that starts at 0 sees the same derivative, 100, on every row. With β at 0.9, what is the
# average after 3 rows? (Work it out row by row, as the sheet would.)

# %%
average_after_3 = None  # your number
gu.check_running_average(average_after_3)

# %% [markdown]
# ## Questions
#
# 1. In the interactive, set β to 0. Why do the two runs become the same? Then try β at 0.5 and at 0.99.
# 2. Why does averaging not make the crawl along b faster?
# 3. Why is momentum's first step on a much smaller than SGD's?
# 4. Would you use the fastest lr from section 6 for a real model? Why not?
#
# [Worked answers](answers/05_momentum.ipynb)
