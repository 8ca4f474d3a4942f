# %% [markdown]
# # Worked answers · deeper 03 Why it explodes
#
# Answers to the exercises and questions of [deeper/03 · Why it explodes](../deeper/03_why_it_explodes.ipynb).
# Every number below comes from a cell of this notebook.

# %%
import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()
two = gu.TwoNeuron()

# %% [markdown]
# ## Exercises 1-3: K, and the largest stable lr for one row
#
# K is the squared length of d pred/d weights: (x, 1) for the line, (w2·x, w2, h, 1) for two neurons. One row's
# step multiplies its residual by 1 − 2·lr·K, which stays at least −1 while lr·K ≤ 1.

# %%
def k_linear(x):
    return x * x + 1

def k_two_neuron(w1, b1, w2, x):
    return w2 ** 2 * (x * x + 1) + (w1 * x + b1) ** 2 + 1

largest_stable_lr = 1 / k_linear(50.0)
print(f"largest stable lr at x = 50: 1/2501 = {largest_stable_lr:.6e}")
gu.check_k_linear(k_linear)
gu.check_largest_stable_lr(largest_stable_lr)
gu.check_k_two_neuron(k_two_neuron)

# %% [markdown]
# ## Question 1: which rows pull the line's epoch back?
#
# Between 1.02e-4 (where the largest row's own step turns unstable) and 4.38e-4 (the epoch's edge), the rows with
# large x overshoot by more than they correct, and the rows with small x do not: their steps shrink the miss.
# The epoch map with only the large-x rows, and with all 29, at lr 3e-4:

# %%
fit, lr = {"a": 2.0, "b": 30.0}, 3e-4
factor = 1 - 2 * lr * (x ** 2 + 1)
big = np.abs(factor) > 1
print(f"rows whose own step is unstable at lr {lr:g}: {int(big.sum())} (x from "
      f"{x[big].min():g} to {x[big].max():g})")
subsets = [("those rows only", x[big]), ("the other rows only", x[~big]), ("all 29 rows", x)]
for label, rows in subsets:
    size = np.max(np.abs(gu.epoch_map_eigenvalues(gu.Linear(), fit, lr, x=rows)))
    print(f"epoch map, {label:20}: largest eigenvalue size {size:.4f}")

# %% [markdown]
# The large-x rows alone make an unstable epoch; the small-x rows alone a strongly contracting one; together the
# contraction wins. The small-x rows can pull it back because their K is small: their steps shrink the error in
# the steep direction without overshooting, and there are enough of them in every epoch.
#
# ## Question 2: why the intercept goes through w2·b1 and not b2
#
# b2's gradient is 2r: its speed is the residual and nothing else. The product w2·b1 changes by about
# −2·lr·r·(w2² + b1²) per row (both factors move, each by the other's size), which speeds up as w2 and b1 grow.
# In the gentle run (lr 3e-6), how much of the intercept each has built:

# %%
gentle = gu.train(two, gu.SGD(3e-6), x, y, 3000, trace="epochs")
at = np.array([1, 100, 300, 1000, 2000, 3000])
w2b1 = (gentle.epoch_params["w2"] * gentle.epoch_params["b1"])[at - 1]
b2 = gentle.epoch_params["b2"][at - 1]
speed_up = (gentle.epoch_params["w2"] ** 2 + gentle.epoch_params["b1"] ** 2)[at - 1]
pd.DataFrame({"epoch": at, "w2·b1 built": w2b1 - 1, "b2 built": b2 - 1,
              "w2² + b1² (the product's speed-up)": speed_up}).set_index("epoch")

# %% [markdown]
# From the start w2·b1 grows about twice as fast as b2 (w2² + b1² = 2), and its lead widens as w2 and b1 grow:
# by epoch 3000 it has built about 26 of the 29 missing units. Gradient flow then keeps w1² + b1² − w2² near 1, so
# a large b1 needs a large w2, and the run ends on the sharp fit of section 5. The flat fit with b2 = 30 on the same
# curve would need b2 to do all the work, and b2 is the slow one.
#
# ## Question 3: where the start with b2 = 30 lands, and why it is flatter

# %%
landed, run = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 30.0}, 1e-4, epochs=3000)
small_lr, _ = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": 1.0}, 3e-6)
for label, fit in [("b2 = 30 start, lr 1e-4", landed), ("learner's start, lr 3e-6", small_lr)]:
    print(f"{label:24}: w1 {fit['w1']:.3f}, b1 {fit['b1']:.3f}, w2 {fit['w2']:.3f}, b2 "
          f"{fit['b2']:.3f}; "
          f"w1² + b1² - w2² = {gu.balance(fit):.3f}; K at x = 99 / 99² = "
          f"{gu.row_curvature(two, fit, 99.0) / 99 ** 2:.2f}; "
          f"first edge {gu.stability_edge(two, fit):.3e}")

# %% [markdown]
# The b2 = 30 start begins with the intercept already in place, so it never builds it through w2·b1: b1 stays
# small, and its balance w1² + b1² − w2² starts near 1 and ends near 0: w1 ≈ w2 ≈ √2, the balanced fit. In the
# picture of section 7 that is a point near b1 = 0 with w2 ≈ 1.4, in the band of fits stable at 1e-4. At b1 ≈ 0,
# K ≈ (w1² + w2²)·x² is smallest when w1 = w2 (about 4x²); the learner's destination has a large b1 and w2 ≈ 5,
# so K is about 26 times the line's and its edge six times lower.
#
# ## Question 4: the catapult's eigenvalue, and the same nudge at 1.2e-4

# %%
near = gu.exact_fit(1.0, 0.0)
sizes = np.abs(gu.epoch_map_eigenvalues(two, near, 1e-4))
print("eigenvalue sizes off the flat directions at the start fit, lr 1e-4:",
      np.round(np.sort(sizes), 4).tolist())
for lr in [1e-4, 1.2e-4]:
    nudged = gu.TwoNeuron(near["w1"], near["b1"], near["w2"], near["b2"] + 1e-3)
    run = gu.train(nudged, gu.SGD(lr), x, y, 200,
                   trace=False)
    print(f"nudge at lr {lr:g}: {gu.verdict(run)}")
    if not run.diverged:
        windows = gu.stability_edges(two, run.params)
        print("  ends on", {k: round(float(v), 3) for k, v in run.params.items()},
              "| stable for lr in",
              [(f"{a:.3e}", f"{b:.3e}") for a, b in windows], f"| radius at {lr:g}: "
              f"{gu.epoch_map_radius(two, run.params, lr):.4f}")

# %% [markdown]
# The jump at 1e-4 is decided by the eigenvalue of size about 7.4: along its direction every epoch multiplies the
# nudge about sevenfold, the other (0.97) shrinks it. At 1.2e-4 this nudge ends near a different fit (w1 ≈ 1,
# w2 ≈ 2, close to where it started), whose stable learning rates are up to 8.9e-5 and a narrow window just below
# 1.2e-4: its radius at 1.2e-4 is a little above 1. So is the run held on a fit unstable at its lr? Follow it
# longer, epoch by epoch:

# %%
start = gu.TwoNeuron(near["w1"], near["b1"], near["w2"], near["b2"] + 1e-3)
slow = gu.train(start, gu.SGD(1.2e-4), x, y, 6000, trace="epochs")
for epoch in [100, 200, 1000, 2000, 6000]:
    at = {k: float(v[epoch - 1]) for k, v in slow.epoch_params.items()}
    print(f"epoch {epoch:5}: sheet error {slow.epoch_errors[epoch - 1]:.4f}, w2 {at['w2']:.4f}, "
          f"radius at 1.2e-4 {gu.epoch_map_radius(two, at, 1.2e-4):.4f}")

# %% [markdown]
# It is not held still. It slides along the family of fits towards the one whose radius at 1.2e-4 is exactly 1
# (the edge of the window), and its error keeps falling, roughly halving each time the number of epochs doubles:
# the slow approach to a fit that is only just stable. The same over 40 starts nudged by a further 1e-12:

# %%
fared = gu.outcome_fractions(start, gu.SGD(1.2e-4), x, y, 3000, over="nudges")
ended = {k: np.asarray(v)[fared.converged] for k, v in fared.run.params.items()}
radius = gu.epoch_map_radius(two, ended, 1.2e-4)
print(f"{fared}; radius at 1.2e-4 where they are after 3000 epochs: {radius.min():.4f} to "
      f"{radius.max():.4f}")

# %% [markdown]
# All 40 behave alike: the slide towards the edge belongs to the setting, not to one start's last bits.
