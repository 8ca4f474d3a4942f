# %% [markdown]
# # Worked answers · 06 RMSProp and Adam
#
# Answers to the exercises and questions of [06 · RMSProp and Adam](../06_rmsprop_adam.ipynb). Every number below
# comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one row of the sheet's Adam
#
# Both running averages first (of the derivative, and of its square), then the step: lr times the first, divided by
# the square root of the second. The sheet uses this row's averages, with no extra corrections.

# %%
def adam_step(weight, m, v, g, lr, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return weight - lr * m / np.sqrt(v), m, v

gu.check_adam_step(adam_step)

# %% [markdown]
# ## Exercise 2: the floors at lr 1e-2 and 1e-3

# %%
runs = {lr: gu.train(gu.TwoNeuron(), gu.Adam(lr), x, y, 3000, trace=False) for lr in (1e-2, 1e-3)}
for lr, run in runs.items():
    print(f"lr {lr:g}: last epoch's error {run.epoch_errors[-1]:.4f}")
floor_ratio = runs[1e-2].epoch_errors[-1] / runs[1e-3].epoch_errors[-1]
print(f"ratio {floor_ratio:.2f}")
gu.check_floor_ratio(floor_ratio)

# %% [markdown]
# About 10: a tenth of the lr gives about a tenth of the floor.
#
# ## Question 1: why SGD's step cannot stay small
#
# SGD's step is lr times the derivative, so a derivative a thousand times larger makes a step a thousand times
# larger. Adam divides by the root of the running average of squared derivatives: scale every derivative by 1,000
# and the top and the bottom grow alike. One weight, the same derivatives at three scales, the sheet's Adam:

# %%
derivatives = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 1).history["grad"][0, 0, :20]
for scale in (1.0, 1e3, 1e-3):
    adam = gu.Adam(1e-3)
    state, weight = adam.init_state((), 1), np.array([0.0])
    state["sqavg"][:] = 0.0  # from 0 here, so that the scale alone decides (the sheet starts at 10,000)
    for g in scale * derivatives:
        adam.step(weight, np.array([g]), state)  # updates weight and state in place
    print(f"derivatives x {scale:g}: where 20 Adam steps take the weight: {weight[0]:.6f}; "
          f"SGD at lr 1e-4 would move it by {-1e-4 * scale * derivatives.sum():.6g}")

# %% [markdown]
# Adam ends at the same place whatever the scale; SGD's move scales with the derivatives.
#
# ## Question 2: why a floor, not a perfect fit
#
# Each step is about lr in size, even when the derivative is tiny, because Adam divides by the typical size of
# recent derivatives. Near a fit, each row pulls the weights its own way, by about lr; the weights keep jittering
# around the fit by an amount that grows with lr, and the error with them. Measured at lr 1e-3, the last epoch:

# %%
run = gu.train(gu.TwoNeuron(), gu.Adam(1e-3), x, y, 3000)
steps = np.abs(run.history["new_theta"] - run.history["theta"])[:, -1]
print("largest step per weight in the last epoch, as a fraction of lr:",
      {n: round(float(v), 3) for n, v in zip(run.model.names, steps.max(axis=1) / 1e-3)})
print(f"sheet error in the last epoch: {run.epoch_errors[-1]:.4f}")

# %%
fig, ax = gu.figure(width=7, height=3)
for i, name in enumerate(run.model.names):
    ax.plot(np.arange(1, 30), steps[i] / 1e-3, marker=".", label=name)
ax.set_xlabel("row of the last epoch")
ax.set_ylabel("step, as a fraction of lr")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Even after 3,000 epochs the steps are still a sizeable fraction of lr. That is the floor.
#
# ## Question 3: which lr for an error below 1, quickly?
#
# Of the five, lr 1e-3: its floor is below 1 and it gets there first. At 3e-3 and above the floor stays above 1; at
# 3e-4 it takes more than three times as long.

# %%
lrs = np.array([1e-1, 1e-2, 3e-3, 1e-3, 3e-4])
sweep = gu.train(gu.TwoNeuron(), gu.Adam(lrs), x, y, 3000, trace=False)
for lr, first, ends in zip(lrs, gu.epochs_to(sweep), gu.converged(sweep)):
    print(f"lr {lr:g}: first epoch below 1 {first or 'never'}; below 1 at the end: {bool(ends)}")
