# %% [markdown]
# # 05 · Momentum: the `momentum` sheet
#
# *Going deeper into [05 · Momentum](../05_momentum.ipynb) of the learner's path.*
#
# Plain SGD from notebook 01 finds the slope within the first epoch and then crawls towards the intercept b = 30:
# the error bowl is 8,490 times steeper along one direction (mostly the slope) than along the other (mostly the
# intercept). Momentum keeps a running average of recent gradients and steps along it. This notebook replays the
# `momentum` sheet exactly, explains what its first epoch does, and then asks what momentum does to each of the two
# directions, the way Distill's "Why Momentum Really Works" does. The short answer: at the sheet's lr it smooths the
# row-to-row jitter of the steep direction and does not speed up the flat one; its speed-up lives in full-batch
# gradient descent, and with one row at a time it is smaller, and comes with violent swings of the error.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 6)
x, y = gu.load_data()

# %% [markdown]
# ## The exponentially weighted moving average
#
# The sheet keeps, for each weight, m = β·m + (1 − β)·g: a weighted average of the gradients so far, in which a
# gradient k rows old counts with weight (1 − β)·βᵏ. With β = 0.9 it remembers about 1/(1 − β) = 10 rows.
# Here it is applied to the slope gradient de/da of the basic sheet's first epoch, for several β:

# %%
de_da = gu.replay("basic").table().de_da.to_numpy()
fig, ax = gu.figure(width=8, height=3)
ax.plot(np.arange(1, 30), de_da, color="0.6", marker=".", label="de/da per row")
for beta in [0.5, 0.9, 0.99]:
    ax.plot(np.arange(1, 30), gu.ema(de_da, beta), label=f"average, β = {beta}")
ax.set_yscale("symlog", linthresh=100)
ax.set_xlabel("row, counted from 1")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Larger β: smoother, and slower to follow a change. Starting from 0, the average is also too small for its first
# rows: it has seen only a few gradients, each weighted by (1 − β).
#
# ## The update, from scratch
#
# $$m \leftarrow \beta m + (1-\beta)\,g, \qquad w \leftarrow w - \text{lr}\cdot m$$
#
# (the step uses the average that already includes this row's gradient). The sheet's Reset seeds m with the value a
# full pass from m = 0 ends with; then the Run button repeats one-epoch passes like the basic sheet's.

# %%
def momentum_pass(a, b, m_a, m_b, lr=1e-4, beta=0.9):
    squared, path = [], []
    for xi, yi in zip(x, y):
        pred = b + a * xi
        squared.append((yi - pred) ** 2)
        de_db = 2 * (pred - yi)
        de_da = xi * de_db
        m_b = beta * m_b + (1 - beta) * de_db
        m_a = beta * m_a + (1 - beta) * de_da
        a, b = a - lr * m_a, b - lr * m_b
        path.append((a, b))
    return np.sqrt(sum(squared)), m_a, m_b, np.array(path)

_, seed_a, seed_b, _ = momentum_pass(1.0, 1.0, 0.0, 0.0)  # Reset: one pass from zero momentum
error, _, _, seeded_path = momentum_pass(1.0, 1.0, seed_a, seed_b)
print(f"seeds: m_a = {seed_a:.6f}, m_b = {seed_b:.6f}")
print(f"from scratch, epoch 1: {error:.10f}")
print(f"gu.replay('momentum'): {gu.replay('momentum').epoch_errors[0]:.10f}")

# %% [markdown]
# ## Momentum against plain SGD, epoch by epoch (Run button, from Reset)

# %%
momentum = gu.replay("momentum", epochs=10)
basic = gu.replay("basic", epochs=10)
pd.DataFrame({"epoch": range(1, 11), "basic (SGD)": basic.epoch_errors.round(4),
              "momentum": momentum.epoch_errors.round(4)})

# %% [markdown]
# ## Why the first epoch is worse
#
# Is it the seed? Run the first epoch with the seed and without it (m = 0), and compare the first steps with SGD's:

# %%
unseeded_error, _, _, unseeded_path = momentum_pass(1.0, 1.0, 0.0, 0.0)
sgd_first = gu.replay("basic").table().iloc[0]
steps = pd.DataFrame({"first step on a": [sgd_first.new_a - 1, unseeded_path[0, 0] - 1, seeded_path[0, 0] - 1],
                      "first step on b": [sgd_first.new_b - 1, unseeded_path[0, 1] - 1, seeded_path[0, 1] - 1],
                      "sheet error, epoch 1": [basic.epoch_errors[0], unseeded_error, error]},
                     index=["SGD", "momentum, m = 0", "momentum, seeded (the sheet)"])
steps

# %% [markdown]
# The seed is not what makes epoch 1 worse: without it the error is about the same (199.1 against 201.0). Both
# momentum runs start with a much *smaller* step on a than SGD, because the damped average is (1 − β) of the new
# gradient plus the memory. What makes epoch 1 worse is the **lag** of the average, and then its **overshoot**. With
# b still near 1, the best slope is not 2 but Σ(y − b)·x / Σx² ≈ 2.48; SGD is there in two rows, while the average
# builds up over several rows and then keeps pushing past it:

# %%
best_slope = np.sum((y - 1) * x) / np.sum(x * x)
a_per_row = seeded_path[:, 0]
print(f"the best slope with b = 1: {best_slope:.3f}")
print("a after each row of epoch 1 (seeded):", np.round(a_per_row[:16], 3).tolist())
print(f"a first passes {best_slope:.2f} after row {np.argmax(a_per_row > best_slope) + 1}; "
      f"largest a in epoch 1: {a_per_row.max():.3f} (after row {np.argmax(a_per_row) + 1})")
in_use = np.r_[[[1.0, 1.0]], seeded_path[:-1]]  # the weights each row uses
extra = (in_use[:, 1] + in_use[:, 0] * x - y) ** 2 - gu.replay("basic").table().err_sq.to_numpy()
lagging = in_use[:, 0] < best_slope
print(f"extra squared error over SGD's epoch 1: {extra.sum():,.0f}, of which {extra[lagging].sum():,.0f} in the rows "
      f"where a lags below {best_slope:.2f} and {extra[~lagging].sum():,.0f} in the rows after it has passed it")

# %% [markdown]
# From epoch 2 on, momentum's error is lower than SGD's at every epoch of the table. Is that a speed-up of the real
# task, the crawl along the intercept? Look at the weights row by row in a later epoch, at the sheet's lr 1e-4,
# from a = b = 1 and m = 0 for both:

# %%
rows_seen, step_spread = {}, {}
for label, optimizer in [("SGD", gu.SGD(1e-4)), ("momentum, β = 0.9", gu.Momentum(1e-4, 0.9))]:
    run = gu.train(gu.Linear(), optimizer, x, y, 30)
    rows_seen[label] = run.history["new_theta"][:, -1, :]  # (weight, row): the weights after each row of epoch 30
    a_path = np.r_[run.history["theta"][0, -1, 0], rows_seen[label][0]]  # a before row 1, then after each row
    steps_a = np.diff(a_path)
    step_spread[label] = steps_a.std()
    print(f"{label:18} epoch 30: a travels {np.abs(steps_a).sum():.4f} to move {steps_a.sum():+.4f}; spread of its "
          f"row-to-row steps {steps_a.std():.5f}; b ends at {rows_seen[label][1, -1]:.4f}")
jitter_ratio = step_spread["SGD"] / step_spread["momentum, β = 0.9"]
print(f"the spread of SGD's steps on a is {jitter_ratio:.1f} times momentum's")
fig, ax = gu.figure(width=7, height=2.6)
for label, (a_row, _) in rows_seen.items():
    ax.plot(np.arange(1, 30), a_row, marker=".", label=label)
ax.set_xlabel("row of epoch 30, counted from 1")
ax.set_ylabel("slope a after the row")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Within an epoch SGD's slope goes back and forth: each row pulls it towards that row's own best slope, and it
# travels about twice as far as it gets. Momentum's average of about 10 rows smooths that jitter away: its slope
# moves one way, in steps whose spread is about eight times smaller. The intercept, the slow direction, is no
# further along than SGD's (b is still near 2.5 after 30 epochs for both, on its way to 30). That is what momentum does at the sheet's lr: it calms the steep direction; it does not speed up the
# flat one. Does it reach the answer sooner? The epochs until the sheet error is below 1 for good, in the sheet's row
# order and in 40 shuffled orders (each order used by both optimizers):

# %%
at_sheet_lr = {}
for label, optimizer in [("SGD", gu.SGD(1e-4)), ("momentum, β = 0.9", gu.Momentum(1e-4, 0.9))]:
    sheet_order = gu.train(gu.Linear(), optimizer, x, y, 6000, trace=False)
    at_sheet_lr[label] = gu.outcome_fractions(gu.Linear(), optimizer, x, y, 6000, n=40, seed=0)
    print(f"{label:18} sheet's order: below 1 from epoch {gu.epochs_to(sheet_order)}; shuffled: {at_sheet_lr[label]}")
sgd_orders, momentum_orders = at_sheet_lr["SGD"], at_sheet_lr["momentum, β = 0.9"]
both = sgd_orders.converged & momentum_orders.converged
later = int((momentum_orders.epochs[both] > sgd_orders.epochs[both]).sum())
print(f"momentum gets there later than SGD in {later} of {both.sum()} shuffled orders")

# %% [markdown]
# In the sheet's order momentum gets there later (2,547 epochs against SGD's 2,372). With shuffled rows both always
# converge, and momentum is later in 26 of 40 orders (65%), earlier in the rest: at the sheet's lr it is about as
# slow as SGD, usually a little slower, never much faster.
#
# ## What momentum does to each direction
#
# Near the fit, one epoch of momentum is a linear map of four numbers: the offsets of a and b from the fit and the
# two averages. Each row's step is m ← β·m + c·H·d, d ← d − lr·m, with H = 2·(x, 1)(x, 1)ᵀ the row's Hessian and
# c = 1 − β (the sheet's damped form) or 1 (PyTorch's). Its eigenvalues say how much of each direction's error
# survives an epoch, as the epoch map of SGD did in notebook 01:

# %%
def momentum_epoch_map(lr, beta, damped=True):
    """One epoch of online momentum near the linear model's fit, as a 4x4 matrix on (d_a, d_b, m_a, m_b)."""
    epoch = np.eye(4)
    c = (1 - beta) if damped else 1.0
    for xi in x:
        f = np.array([xi, 1.0])
        hessian = 2 * np.outer(f, f)
        row = np.zeros((4, 4))
        row[2:, :2], row[2:, 2:] = c * hessian, beta * np.eye(2)                              # m <- beta m + c H d
        row[:2, :2], row[:2, 2:] = np.eye(2) - lr * c * hessian, -lr * beta * np.eye(2)       # d <- d - lr m
        epoch = row @ epoch
    return epoch


def slowest(lr, beta, damped=True):
    return np.max(np.abs(np.linalg.eigvals(momentum_epoch_map(lr, beta, damped))))


rows = [{"optimizer": "SGD", "lr": 1e-4, "largest |eigenvalue| per epoch": slowest(1e-4, 0.0)},
        {"optimizer": "sheet momentum, β = 0.9", "lr": 1e-4, "largest |eigenvalue| per epoch": slowest(1e-4, 0.9)},
        {"optimizer": "PyTorch momentum, β = 0.9", "lr": 1e-4,
         "largest |eigenvalue| per epoch": slowest(1e-4, 0.9, damped=False)},
        {"optimizer": "PyTorch momentum, β = 0.9", "lr": 1e-5,
         "largest |eigenvalue| per epoch": slowest(1e-5, 0.9, damped=False)}]
table = pd.DataFrame(rows)
table["error left after 1,000 epochs"] = table["largest |eigenvalue| per epoch"] ** 1000
table

# %% [markdown]
# At the sheet's lr the damped momentum keeps slightly *more* of the slow direction's error per epoch than online
# SGD (0.998228 against 0.998035; after 1,000 epochs 17.0% of it is left against 13.9%): in a steady push its
# average steps about as far as SGD's gradient, so at the same lr it cannot crawl faster. PyTorch's undamped form
# at the same lr is unstable (an eigenvalue above 4): its steps are up to 1/(1 − β) = 10 times larger. And
# PyTorch's form at lr 1e-5 has exactly the sheet's eigenvalues at 1e-4: **the sheet's momentum is PyTorch's with
# the lr multiplied by 1 − β**.
#
# Distill's argument is that momentum pays off when the lr is raised to what the steep direction tolerates: the flat
# direction then moves about 1/(1 − β) times faster. On the sheet's online epoch that only half works. How much of
# the slow direction's error one epoch removes, 1 − |largest eigenvalue|, across learning rates (log scale: a
# point higher up removes more per epoch; where the largest eigenvalue is above 1 the run is unstable and no point
# is drawn):

# %%
grid = np.geomspace(1e-5, 4e-3, 600)
fig, ax = gu.figure(width=7, height=3.0)
for beta, label in [(0.0, "SGD"), (0.5, "momentum, β = 0.5"), (0.9, "momentum, β = 0.9")]:
    removed = 1 - np.array([slowest(lr, beta) for lr in grid])
    ax.loglog(grid, np.where(removed > 0, removed, np.nan), label=label, lw=1)
ax.axvline(1e-4, color="k", ls=":", lw=0.8, label="the sheet's lr")
ax.set_xlabel("lr (the sheet's damped form)")
ax.set_ylabel("1 − |largest eigenvalue|:\nshare of the slow error removed per epoch", fontsize=8)
ax.legend(fontsize=8)
gu.show(fig)
bands = np.array([slowest(lr, 0.9) for lr in grid]) > 1 + 1e-9
edges = grid[1:][np.diff(bands.astype(int)) != 0]
print("β = 0.9: stable below", f"{edges[0]:.3g};", "then unstable and stable bands switching at",
      ", ".join(f"{lr:.3g}" for lr in edges[1:]))

# %% [markdown]
# With β = 0.9 the stable learning rates come in pieces: above the first edge the map alternates between unstable
# bands and narrow stable windows (the 29 rows come in a fixed order every epoch, and the momentum's swings can fall
# in or out of step with that cycle). Measured: from a = b = 1, for each β, the fewest epochs to a sheet error below
# 1 (and staying below) over a scan of 161 learning rates (up to 20,000 epochs each, one compiled sweep per β), both
# over all the learning rates and over the unbroken range from the smallest one; whether the best lr's neighbours on
# the scan (±6%) converge too; and what the sheet error does on the way there: its peak, and for how many epochs it
# is above the untrained start's:

# %%
lrs = np.geomspace(1e-6, 1e-2, 161)
untrained = np.sqrt(np.sum((1.0 + 1.0 * x - y) ** 2))  # the sheet error of a = b = 1
rows = []
for beta in [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]:
    for convention in (["sheet"] if beta == 0 else ["sheet", "pytorch"]):
        optimizer = gu.SGD(lrs) if beta == 0 else gu.Momentum(lrs, beta, convention=convention)
        run = gu.train(gu.Linear(a=np.ones(lrs.shape)), optimizer, x, y, 20_000, trace=False, stop_below=1.0)
        works, needed = gu.converged(run), gu.epochs_to(run)
        best = np.flatnonzero(works)[np.argmin(needed[works])]
        start = np.argmax(works)
        unbroken = np.arange(start, start + np.argmin(works[start:]))  # up to the first lr that fails
        steady = unbroken[np.argmin(needed[unbroken])]
        peaks = {}
        for tag, i in [("best", best), ("unbroken", steady)]:
            errors = run.epoch_errors[:, i]
            peaks[tag] = (np.nanmax(errors), int((errors > untrained).sum()))
        rows.append({"β": beta, "form": "SGD" if beta == 0 else convention,
                     "best lr": lrs[best], "epochs there": int(needed[best]),
                     "peak error there": peaks["best"][0], "epochs above the start's": peaks["best"][1],
                     "its neighbours converge": bool(works[best - 1] and works[best + 1]),
                     "best in the unbroken range": lrs[steady], "epochs there ": int(needed[steady]),
                     "peak error there ": peaks["unbroken"][0], "epochs above the start's ": peaks["unbroken"][1]})
tuned = pd.DataFrame(rows)
print(f"the untrained start's sheet error (a = b = 1): {untrained:.1f}")
tuned

# %% [markdown]
# The epochs to an error below 1 are only half of the story; the peak sheet error and the number of epochs whose
# error is above the untrained start's (410) are the other half. Three findings:
#
# - **Over the unbroken range of learning rates, momentum takes fewer epochs at β = 0.5 and at β = 0.99, not in
#   between**: β = 0.5 reaches an error below 1 in about 310 epochs and β = 0.99 in 324, against tuned SGD's 528.
#   But it gets there by swinging: at those learning rates the error peaks at about 1,311 (β = 0.5, more than three
#   times the untrained start's) and stays above the start's for 56 epochs, while tuned SGD's never goes above it
#   (peak 336). With β = 0.8 to 0.95 the unbroken range ends early and momentum is *slower* than SGD there (794
#   to 1,247 epochs).
# - **The spectacular numbers sit in narrow windows**: at isolated learning rates above the first edge, momentum
#   with β = 0.8 to 0.95 needs only 40 to 101 epochs on this scan, with peaks of 896 to 1,552. But the scan's
#   neighbouring learning rates, 6% away, do not converge. And the comparison with SGD's 528 is not fair: SGD has a
#   narrow stable window above its first edge too (notebook 03), too narrow for this scan to land in.
# - Each run is one row order. With one row at a time in a fixed order the stable learning rates come in pieces,
#   and a lr tuned into one of them is fragile.
#
# ### Window against window
#
# A fair comparison tunes both the same way: each optimizer's best window above its first edge, scanned on a fine
# grid of 2,000 learning rates (in the sheet's row order, up to 20,000 epochs), with the peak sheet error on the
# way; then the best lr of each window run again with shuffled rows (40 orders, 3,000 epochs):

# %%
spans = {0.0: (5.80e-4, 5.90e-4), 0.8: (7.0e-4, 9.8e-4), 0.9: (1.65e-3, 1.9e-3), 0.95: (3.1e-3, 3.6e-3),
         0.99: (2.1e-3, 2.7e-3)}  # each around the window with the scan's fewest epochs (SGD's: notebook 03)
rows = []
for beta, (low, high) in spans.items():
    fine = np.geomspace(low, high, 2000)
    works, needed, peak = [], [], []
    for part in np.array_split(fine, 4):  # in four parts: 20,000 epochs x 2,000 runs of errors would be 320 MB
        optimizer = gu.SGD(part) if beta == 0 else gu.Momentum(part, beta)
        run = gu.train(gu.Linear(a=np.ones(part.shape)), optimizer, x, y, 20_000, trace=False, stop_below=1.0)
        works.append(gu.converged(run))
        needed.append(gu.epochs_to(run))
        peak.append(np.fmax.reduce(run.epoch_errors, axis=0))  # NaN (no warning) for a run dead in epoch 1
    works, needed, peak = np.concatenate(works), np.concatenate(needed), np.concatenate(peak)
    best = np.flatnonzero(works)[np.argmin(needed[works])]
    chosen = gu.SGD(fine[best]) if beta == 0 else gu.Momentum(fine[best], beta)
    shuffled = gu.outcome_fractions(gu.Linear(), chosen, x, y, 3000, n=40, seed=0)
    rows.append({"β": beta, "best lr in its window": fine[best], "epochs there": int(needed[best]),
                 "peak error there": peak[best],
                 "shuffled rows: converged": f"{shuffled.counts['converged']} of {shuffled.n}",
                 "diverged": f"{shuffled.counts['diverged']} of {shuffled.n}"})
windows = pd.DataFrame(rows)
sgd_best = windows.set_index("β").loc[0.0]
momentum_best = windows[windows["β"] > 0]
print(f"SGD's window: {int(sgd_best['epochs there'])} epochs, peak {sgd_best['peak error there']:,.0f}; momentum's "
      f"windows: {momentum_best['epochs there'].min()} to {momentum_best['epochs there'].max()} epochs, "
      f"{sgd_best['epochs there'] / momentum_best['epochs there'].max():.1f} to "
      f"{sgd_best['epochs there'] / momentum_best['epochs there'].min():.1f} times fewer, peaks "
      f"{momentum_best['peak error there'].min():,.0f} to {momentum_best['peak error there'].max():,.0f}")
windows

# %% [markdown]
# Window against window, each tuned on the fine grid, SGD's best is 146 epochs (at lr about 5.83e-4) and
# momentum's 16 to 59 (β = 0.8 to 0.99): about 2.5 to 9 times fewer epochs, not more than ten. The bigger
# difference is the swing: SGD's error peaks at about 126,000 on the way, momentum's at about 1,300 to 3,200.
# Unbroken range against unbroken range (the first finding) momentum wins only at β = 0.5 and 0.99, by less than
# a factor of two. And none of these windows survives shuffled rows: at every window's best lr all 40 shuffled
# orders diverge. They are properties of the sheet's fixed row order, not of the optimizers.
#
# ## Where momentum's speed-up lives: full-batch gradient descent
#
# Distill's picture is about the full gradient: one update per epoch, with the 29 rows' gradients averaged
# (`batch_size=29`, as PyTorch's mean loss does). There the flat direction is the whole problem and momentum is
# the classic cure. The same scan, each optimizer at its best lr, up to 30,000 epochs:

# %%
full_lrs = np.geomspace(1e-4, 3e-2, 41)
rows = []
for beta in [0.0, 0.5, 0.9, 0.95, 0.99]:
    optimizer = gu.SGD(full_lrs) if beta == 0 else gu.Momentum(full_lrs, beta)
    run = gu.train(gu.Linear(a=np.ones(full_lrs.shape)), optimizer, x, y, 30_000, trace=False, stop_below=1.0,
                   batch_size=len(x))
    works, needed = gu.converged(run), gu.epochs_to(run)
    best = np.flatnonzero(works)[np.argmin(needed[works])]
    rows.append({"β": beta, "full batch: best lr": full_lrs[best], "epochs to error < 1": int(needed[best]),
                 "peak error": np.nanmax(run.epoch_errors[:, best]),
                 "learning rates that converge": f"{works.sum()} of {len(full_lrs)}"})
full_batch = pd.DataFrame(rows)
full_batch

# %% [markdown]
# Full-batch gradient descent crawls: about 20,800 epochs at its best lr, because the lr that the steep direction
# allows moves the flat one by a tiny share per epoch. Momentum with β = 0.95 needs about 430 epochs, some fifty
# times fewer, as Distill's theory promises (the heavy ball's speed-up grows like the square root of the 8,490 to
# 1 steepness ratio). Online, one row at a time, SGD already gets a head start on the flat direction (528 epochs):
# every row's step also moves b, and the rows' jitter is what the steep direction's lr has to survive. That leaves
# momentum much less to gain, and at the sheet's lr nothing.
#
# ## The paths
#
# Left: the first epoch, row by row, for SGD and the sheet's momentum (lr 1e-4, both from m = 0): SGD finds the slope
# in two rows, momentum lags, then overshoots to a ≈ 3.2. Right: one dot per epoch until the error is below 1, for
# SGD and β = 0.5 momentum, each at its best lr in the unbroken range: the same valley, walked in fewer epochs.

# %%
fig, (ax_rows, ax_epochs) = gu.figure(2, width=10, height=3.6)
first = {"SGD": gu.train(gu.Linear(), gu.SGD(1e-4), x, y, 1),
         "momentum (sheet form, m = 0)": gu.train(gu.Linear(), gu.Momentum(1e-4, 0.9), x, y, 1)}
gu.PathLines(ax_rows, list(first), a_range=(0.9, 3.4), b_range=(0.9, 1.5)).update(first)
ax_rows.set_title("epoch 1, row by row (lr 1e-4)", fontsize=9)
gu.plot_contour(ax_epochs, a_range=(0.5, 3.5), b_range=(-5, 40))
best = tuned.set_index(["β", "form"])
for label, optimizer in [("SGD", gu.SGD(best.loc[(0.0, "SGD"), "best in the unbroken range"])),
                         ("momentum, β = 0.5", gu.Momentum(best.loc[(0.5, "sheet"), "best in the unbroken range"],
                                                            0.5))]:
    run = gu.train(gu.Linear(), optimizer, x, y, 2000, trace="epochs", stop_below=1.0)
    ax_epochs.plot(np.r_[1.0, run.epoch_params["a"]], np.r_[1.0, run.epoch_params["b"]], ".-", ms=3, lw=0.8,
                   label=f"{label}: {gu.epochs_to(run)} epochs")
ax_epochs.legend(fontsize=7, loc="lower right")
ax_epochs.set_title("one dot per epoch, each at its best unbroken lr", fontsize=9)
gu.show(fig)

# %% [markdown]
# ## Damped and undamped momentum: the stability bounds
#
# On one row's loss K·(w − w*)² (the course's curvature K, notebook 00's glossary) the largest stable lr·K is 1 for
# SGD, 1 + β for PyTorch's undamped momentum, and (1 + β)/(1 − β) for the sheet's damped form. The same steady
# gradient fed to both buffers shows the factor between them:

# %%
for name, convention in [("SGD", "sheet"), ("Momentum", "pytorch"), ("Momentum", "sheet")]:
    print(f"{name:8} {convention:8} lr·K < {gu.quadratic_stability_bound(name, 0.9, convention):.1f}")

buffers = {}
for convention in ("sheet", "pytorch"):
    optimizer = gu.Momentum(0.01, 0.9, convention=convention)
    state, weight = optimizer.init_state((), 1), np.array([0.0])
    for _ in range(50):
        optimizer.step(weight, np.array([1.0]), state)  # updates weight and state in place
    buffers[convention] = float(state["mom"][0])
print(f"after 50 steady steps: sheet m = {buffers['sheet']:.4f}, PyTorch m = {buffers['pytorch']:.4f}, "
      f"ratio {buffers['pytorch'] / buffers['sheet']:.2f} (1/(1-β) = {1 / (1 - 0.9):.0f})")

# %% [markdown]
# ## Try it
#
# Move lr and β (the sheet's damped form). Small β behaves like SGD; β near 1 remembers far back and swings wide.
# Where does momentum diverge, compared with SGD? Which lr makes it beat SGD after a few epochs?

# %% tags=["nbval-ignore-output"]
gu.explore_momentum()

# %% [markdown]
# ## Summary
#
# - Momentum steps along an exponentially weighted average of gradients, m = β·m + (1 − β)·g in the sheet.
# - The momentum sheet reproduces exactly: 200.965 after epoch 1 from Reset, then 98.70, 91.13, ... .
# - Its first epoch is worse than SGD's because the average lags behind the best slope and then overshoots it
#   (to 3.24), each costing about half of the extra error; not because of the seed (from m = 0 it is 199.1).
# - At the sheet's lr momentum smooths the steep direction's row-to-row jitter (the spread of the slope's steps is
#   about eight times smaller) and does not speed up the slow direction (it keeps 0.998228 of its error per epoch against
#   SGD's 0.998035).
# - Tuned online, β = 0.5 and β = 0.99 take fewer epochs than tuned SGD over an unbroken range of learning rates
#   (about 310 and 324 against 528), but their error first swings far above the untrained start's (peak about
#   1,311 at β = 0.5, for 56 epochs). Above the first edge, window against window (both tuned on a fine grid,
#   sheet's row order), momentum needs about 2.5 to 9 times fewer epochs than SGD (16 to 59 against 146) with far
#   lower peaks (about 1,300 to 3,200 against 126,000); with shuffled rows none of these windows converges.
# - Momentum's real speed-up is in full-batch gradient descent: about 430 epochs at β = 0.95 against about 20,800.
# - The sheet's damped form is PyTorch's undamped form with the lr multiplied by 1 − β; their stability bounds
#   differ by the same factor.
#
# ## Exercises
#
# **1.** One row of the sheet's momentum update for one weight.

# %%
def momentum_step(weight, m, g, lr, beta):
    # return new_weight, new_m
    return None

gu.check_momentum_step(momentum_step)

# %% [markdown]
# **2.** In the long run, how many times larger are PyTorch's undamped momentum steps than the sheet's, at β = 0.9?

# %%
undamped_factor = None  # your number
gu.check_undamped_factor(undamped_factor)

# %% [markdown]
# ## Questions
#
# [Worked answers](../answers/deeper_05_momentum.ipynb) to the exercises and the questions.
#
# 1. Why does the damped average take a smaller first step on a than SGD, and why does it then overshoot? Compare
#    the first rows of the two paths.
# 2. In the left path plot, which direction does momentum overshoot in, and how far? In the right one, along which
#    direction does β = 0.5 gain its epochs?
# 3. The β = 0.9 momentum converges in 65 epochs at one lr and diverges 6% either side of it. Would you use that lr
#    for a real model? What would you try instead?
# 4. Full-batch gradient descent needs about 40 times more epochs than online SGD at their best learning rates. Each
#    full-batch epoch is one update, an online epoch 29. Which is faster per update, and why?
# 5. Would momentum tame the 2-neuron model's explosion? Predict, then check in notebook 06's race.
