# %% [markdown]
# # 05 · Momentum: the `momentum` sheet
#
# Plain SGD from notebook 01 finds the slope fast and then crawls along a narrow valley towards b = 30. Momentum
# keeps a running average of recent gradients and steps along it: zig-zags across the valley cancel out, the
# steady push along it adds up. This notebook replays the sheet's `momentum` sheet exactly, explains the running
# average, and lets you move lr and β.

# %%
# %matplotlib widget
import sys
sys.path.append("..")  # graddesc_utils.py lives in the course's top folder

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
ax.set_xlabel("row")
ax.legend(fontsize=8)
gu.show(fig)


# %% [markdown]
# Larger β: smoother, but slower to follow a change (and starting from 0, it takes about 1/(1 − β) rows to warm
# up; the sheet's Reset avoids that by seeding m, see below).
#
# ## The update, from scratch
#
# $$m \leftarrow \beta m + (1-\beta)\,g, \qquad w \leftarrow w - \text{lr}\cdot m$$
#
# (the step uses the average that already includes this row's gradient). The sheet's Reset seeds m with the
# average a full pass from m = 0 ends with, then the Run button repeats one-epoch passes like the basic sheet's.

# %%
def momentum_pass(a, b, m_a, m_b, lr=1e-4, beta=0.9):
    squared = []
    for xi, yi in zip(x, y):
        pred = b + a * xi
        squared.append((yi - pred) ** 2)
        de_db = 2 * (pred - yi)
        de_da = xi * de_db
        m_b = beta * m_b + (1 - beta) * de_db
        m_a = beta * m_a + (1 - beta) * de_da
        a, b = a - lr * m_a, b - lr * m_b
    return np.sqrt(sum(squared)), m_a, m_b

_, seed_a, seed_b = momentum_pass(1.0, 1.0, 0.0, 0.0)  # Reset: one pass from zero momentum
error, _, _ = momentum_pass(1.0, 1.0, seed_a, seed_b)
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
# Epoch 1 is worse with momentum (the seeded average carries the first pass's large slope gradients, so the first
# steps overshoot), then it pulls ahead: 98.70, 91.13, ... against SGD's 104.7, 104.6, .... On the error surface:

# %%
runs = {"SGD": gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=5),
        "momentum": gu.train(gu.Linear(), gu.Momentum(1e-4, beta=0.9), x, y, epochs=5)}
fig, (ax_path, ax_err) = gu.figure(2)
gu.PathLines(ax_path, list(runs)).update(runs)
gu.RowErrorLines(ax_err, list(runs), len(x), 5).update(runs)
gu.show(fig)

# %% [markdown]
# ## Damped and undamped momentum
#
# The sheet's average is **damped**: the (1 − β) factor keeps m about the size of one gradient. PyTorch's
# `torch.optim.SGD(momentum=β)` uses m = β·m + g instead: in a steady push it grows to g/(1 − β), steps 10 times
# larger at β = 0.9. Same lr, very different optimizers. On a 1-D parabola with curvature λ the largest stable
# lr·λ is 2 for SGD, 2 + 2β for undamped momentum, and (2 + 2β)/(1 − β) for the damped form:

# %%
for name, convention in [("SGD", "sheet"), ("Momentum", "pytorch"), ("Momentum", "sheet")]:
    print(f"{name:8} {convention:8} lr·λ < {gu.quadratic_stability_bound(name, 0.9, convention):.1f}")

# The same steady gradient g = 1, fed 50 times to each buffer (one weight):
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
# Move lr and β. Small β behaves like SGD; β near 1 remembers far back and swings wide. Where does momentum
# diverge, compared with SGD?

# %%
# NBVAL_IGNORE_OUTPUT
gu.explore_momentum()


# %% [markdown]
# ## Summary
#
# - Momentum steps along an exponentially weighted average of gradients, m = β·m + (1 − β)·g in the sheet.
# - The momentum sheet reproduces exactly: 200.965 after epoch 1 from Reset, then 98.70, 91.13, ... .
# - The sheet's damped form and PyTorch's undamped form differ by up to 1/(1 − β) in step size, and their
#   stability bounds by the same factor.
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
# 1. Why is epoch 1 worse with momentum than without? Look at the seed values.
# 2. In the path plot, which direction of the zig-zag does momentum cancel, and which does it add up?
# 3. Would momentum tame the 2-neuron model's explosion? Predict, then check in notebook 06's race.
