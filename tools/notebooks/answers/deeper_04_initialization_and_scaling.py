# %% [markdown]
# # Worked answers · deeper 04 Initialization and scaling
#
# Answers to the exercises and questions of
# [deeper/04 · Initialization and scaling](../deeper/04_initialization_and_scaling.ipynb). Every number below comes
# from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
two = gu.TwoNeuron()

# %% [markdown]
# ## Exercise 1: back to the original units
#
# A line fitted to x·scale predicts b′ + a′·(x·scale) = b′ + (a′·scale)·x: the slope is a′·scale, the intercept
# unchanged.

# %%
def unscale(a_scaled, b_scaled, scale):
    return a_scaled * scale, b_scaled

gu.check_unscale(unscale)

# %% [markdown]
# ## Exercise 2: converging against surviving at lr 7.5e-5

# %%
w = np.linspace(-2, 2, 41)
converged_starts = gu.convergence_map(7.5e-5, 500, w1=w, w2=w).counts()["converged"]
survive_5, survive_20 = (int(gu.survival_counts([7.5e-5], w, w, epochs=e)[0]) for e in (5, 20))
print(f"of 1,681 starts: {survive_5} survive 5 epochs, {survive_20} survive 20, "
      f"{converged_starts} converge in 500")
nudged = gu.convergence_map(7.5e-5, 500, w1=w, w2=w, b1=1e-12).counts()["converged"]
print(f"with b1 nudged by 1e-12: {nudged} converge")
gu.check_converged_starts(converged_starts, lr=7.5e-5)

# %% [markdown]
# Hundreds of starts survive five epochs, and not one converges: the trap of counting survivors. A nudge of the
# last bits does not change that count.
#
# ## Question 1: how a nonzero b1 leaves the constant models
#
# de/dw1 = 2r·w2·x and de/dw2 = 2r·h with h = w1·x + b1. At w1 = w2 = 0 and b1 = 0 both are 0 on every row: only
# b2 moves. With b1 ≠ 0, h = b1 is not 0, so w2 gets a gradient, and once w2 ≠ 0 so does w1:

# %%
for b1 in [0.0, 0.5]:
    run = gu.train(gu.TwoNeuron(0.0, b1, 0.0, 0.0), gu.SGD(3e-5), x, y, 300, trace=False)
    print(f"b1 = {b1}: after 300 epochs at lr 3e-5 w1 = {run.params['w1']:.4f}, w2 = "
          f"{run.params['w2']:.4f}; "
          f"sheet error {run.epoch_errors[-1]:.3g}")

# %% [markdown]
# ## Question 2: why w1·w2 > 0 converges more often
#
# The slope w1·w2 must reach +2. A start with w1·w2 < 0 predicts a line sloping the wrong way, so its misses at
# the large-x rows are larger, and its steps there larger too, while the product must pass through 0 on the way
# (near the saddle of the constant models, where the slope's gradient is small). Measured on the map and on two
# mirror-image starts:

# %%
result = gu.convergence_map(5e-5, 500)
w1, w2 = np.meshgrid(result.w1, result.w2, indexing="ij")
done = result.outcome == gu.OUTCOMES.index("converged")
print(f"lr 5e-5: converged {done[w1 * w2 > 0].mean():.1%} of the starts with w1·w2 > 0, "
      f"{done[w1 * w2 < 0].mean():.1%} of those with w1·w2 < 0")
for start in [(1.0, 1.0), (1.0, -1.0)]:
    run = gu.train(gu.TwoNeuron(start[0], 0.0, start[1], 0.0), gu.SGD(5e-5), x, y, epochs=1)
    meter = gu.stability_meter(run)[0]
    print(f"w1, w2 = {start}: largest lr·K in epoch 1 = {np.nanmax(meter):.3g}; sheet error "
          f"after epoch 1 "
          f"{run.epoch_errors[0]:.3g}")

# %% [markdown]
# Both starts' largest rows are unstable in epoch 1 (lr·K above 1), but the start sloping the wrong way ends the
# epoch with an error about three times the other's: it must undo its slope before it can learn the intercept.
#
# ## Question 3: why b2 = 30 converges where b2 = 20 does not
#
# Two reasons, both measurable. With the intercept in place the first epoch's residuals are smaller, so the steps
# at the big-x rows are smaller. And the run does not have to build the intercept through w2·b1, so it lands near
# the balanced fit, whose first edge is just above 1e-4, instead of a sharp fit with a large b1.

# %%
for b2 in [20.0, 30.0]:
    run = gu.train(gu.TwoNeuron(1.0, 1.0, 1.0, b2), gu.SGD(1e-4), x, y, 3000, trace=False)
    first = gu.train(gu.TwoNeuron(1.0, 1.0, 1.0, b2), gu.SGD(1e-4), x, y, epochs=1).table()
    print(f"b2 = {b2:g}: largest |residual| in epoch 1 "
          f"{np.nanmax(np.abs(first.pred - first.y)):.4g}; "
          f"{gu.verdict(run)}")
for b2 in [20.0, 30.0]:
    landed, _ = gu.destination({"w1": 1.0, "b1": 1.0, "w2": 1.0, "b2": b2}, 3e-5)
    print(f"b2 = {b2:g} at lr 3e-5 lands on b1 = {landed['b1']:.3f}, w2 = {landed['w2']:.3f}: "
          f"first edge "
          f"{gu.stability_edge(two, landed):.3e}")

# %% [markdown]
# At a smaller lr both converge, and the fit each lands on says why 1e-4 separates them: b2 = 20 has to build a
# third of the intercept through w2·b1 and lands on a sharper fit. But b2 = 30 is not safe either: it sits at the
# lower edge of the band that works at 1e-4 (deeper/04, section 5), and with shuffled rows it does not train.
#
# ## Question 4: would scaling y help?
#
# Scaling y by c scales every residual by c at the scaled weights. For the line the whole run scales (its steps
# are linear in y): same stability, same lr. For two neurons the fits change: a slope of 2c needs w1·w2 = 2c, so
# with c = 1/100 the balanced fit has smaller weights and a smaller K. But K still carries the x² + 1 of the big
# rows. The largest lr (of a scan) that converges from the learner's start:

# %%
lrs = np.geomspace(1e-6, 1e-1, 300)
for label, target, tol in [("y as is", y, 1.0), ("y / 100", y / 100, 0.01)]:
    models = [("line", gu.Linear(a=np.ones(lrs.shape))),
              ("2 neurons", gu.TwoNeuron(w1=np.ones(lrs.shape)))]
    for name, model in models:
        run = gu.train(model, gu.SGD(lrs), x, target, 3000, trace=False, stop_below=tol)
        works = gu.converged(run, tol)
        print(f"{label:8} {name:10}: converges (error below {tol:g} of the scaled y) up to lr "
              f"{lrs[works].max():.3g}")

# %% [markdown]
# For the line, scaling y changes nothing about which lr works (its whole run scales with y); scaling x does
# (deeper/04, section 6). For two neurons scaling y helps too, here about fortyfold in the largest working lr,
# because the fits it needs have smaller weights and so a smaller K; the x² + 1 in K is still there, which is why
# the line's working range does not move.
