# %% [markdown]
# # Worked answers · 05 Momentum
#
# Answers to the exercises and questions of [05 · Momentum](../05_momentum.ipynb). Every number below comes from
# a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one row of the sheet's momentum
#
# First the new average (keep β of the old one, add 1 − β of this row's derivative), then the step along it.

# %%
def momentum_step(weight, m, g, lr, beta):
    m = beta * m + (1 - beta) * g
    return weight - lr * m, m

gu.check_momentum_step(momentum_step)

# %% [markdown]
# ## Exercise 2: the running average after 3 rows
#
# Row by row, from 0, with the same derivative 100 on every row:

# %%
m = 0.0
for row in range(1, 4):
    m = 0.9 * m + 0.1 * 100
    print(f"after row {row}: {m:.2f}")
average_after_3 = m
gu.check_running_average(average_after_3)

# %% [markdown]
# The average only creeps up to 100: after 3 rows it is still about a quarter of the way. That slow start is the lag
# of notebook 05's section 4.
#
# ## Question 1: β set to 0
#
# With β at 0 the average keeps nothing of the old one: m is just this row's derivative. The step is then
# lr times the derivative, exactly plain SGD's. The two runs are identical, number for number:

# %%
sgd = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 3)
no_memory = gu.train(gu.Linear(), gu.Momentum(1e-4, 0.0), x, y, 3)
print("identical sheet errors:", np.array_equal(sgd.epoch_errors, no_memory.epoch_errors))
print("identical weights:", sgd.params == no_memory.params)
sgd_epochs = gu.epochs_to(gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 3000, trace=False))
for beta in (0.5, 0.9, 0.99):
    run = gu.train(gu.Linear(), gu.Momentum(1e-4, beta), x, y, 3000, trace=False)
    print(f"β {beta}: error below 1 from epoch {gu.epochs_to(run)} (SGD: {sgd_epochs})")

# %%
fig, ax = gu.figure(width=7, height=3)
for beta in (0.0, 0.5, 0.9, 0.99):
    run = gu.train(gu.Linear(), gu.Momentum(1e-4, beta), x, y, 3)
    ax.plot(np.arange(1, 88), run.history["new_theta"][1].ravel(), lw=1, label=f"β {beta}")
ax.set_xlabel("row, counted from 1 (29 per epoch)")
ax.set_ylabel("slope a after the row")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# At lr 1e-4 none of these β values gets below an error of 1 much sooner than SGD: the slow part is the crawl
# along b. A larger β smooths a more, and lags and swings further at the start.
#
# ## Question 2: why averaging does not speed up the crawl along b
#
# A running average keeps what the rows have in common and removes what cancels. Compare the derivatives for a and
# for b over epoch 50 of plain SGD: their typical size, and their average over the epoch:

# %%
run = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 50)
de_db = run.table(epoch=50).de_db.to_numpy()
de_da = run.table(epoch=50).de_da.to_numpy()
print(f"derivative for b in epoch 50: average {de_db.mean():.2f}, typical size {np.abs(de_db).mean():.2f}")
print(f"derivative for a in epoch 50: average {de_da.mean():.2f}, typical size {np.abs(de_da).mean():.2f}")

# %%
fig, (ax_b, ax_a) = gu.figure(2, width=9, height=3)
for ax, values, name in [(ax_b, de_db, "b"), (ax_a, de_da, "a")]:
    ax.plot(np.arange(1, 30), values, marker=".", color="0.5", label="each row")
    ax.plot(np.arange(1, 30), gu.ema(values, 0.9), color="C1", label="running average from 0")
    ax.axhline(values.mean(), color="k", ls="--", lw=0.8, label="mean over the epoch")
    ax.set_title(f"derivative for {name}, epoch 50", fontsize=10)
    ax.set_xlabel("row")
ax_b.legend(fontsize=7)
gu.show(fig)

# %% [markdown]
# For a, the derivatives swing between large positive and negative values whose average is almost 0: averaging
# removes the wobble. For b, the average is more than half of the typical size: a steady push, which averaging
# leaves as it is. So the step along b stays about what SGD takes, and the crawl is no faster.
#
# ## Question 3: momentum's first step on a
#
# SGD's first step is lr times the derivative. Momentum's first average is only 0.1 times the derivative (from 0),
# or that plus the sheet's seed. Its first step is therefore much smaller:

# %%
sgd_table = gu.replay("basic").table()
momentum_table = gu.replay("momentum").table()
print(f"first step on a: SGD {sgd_table.new_a[0] - 1:.6f}, sheet momentum {momentum_table.new_a[0] - 1:.6f}")
print(f"ratio: {(sgd_table.new_a[0] - 1) / (momentum_table.new_a[0] - 1):.1f}")

# %%
fig, ax = gu.figure(width=6, height=3)
ax.bar(["SGD", "momentum (sheet)"], [sgd_table.new_a[0] - 1, momentum_table.new_a[0] - 1])
ax.set_ylabel("first step on a")
gu.show(fig)

# %% [markdown]
# ## Question 4: the fastest tuned lr
#
# No. At β 0.9 the lr that needs only 65 epochs sits between learning rates that diverge: 6% away on either side.
# A real model's data, order or start would differ a little, and the run could blow up. A safer choice is a lr well
# inside a range where all the neighbours converge, and a peak error that does not run far above the start.

# %%
for lr in (10 ** -2.775, 10 ** -2.75, 10 ** -2.725):
    run = gu.train(gu.Linear(), gu.Momentum(lr, 0.9), x, y, 3000, trace=False)
    print(f"lr {lr:.2e}: {run.divergence_message() or f'error below 1 at epoch {gu.epochs_to(run)}'}")
