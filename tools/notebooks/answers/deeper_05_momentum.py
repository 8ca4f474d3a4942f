# %% [markdown]
# # Worked answers · deeper 05 Momentum
#
# Answers to the exercises and questions of [deeper/05 · Momentum](../deeper/05_momentum.ipynb). Every number below
# comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one row of the sheet's momentum
#
# The average first takes in this row's gradient, with weight 1 − β; the step uses that new average.

# %%
def momentum_step(weight, m, g, lr, beta):
    m = beta * m + (1 - beta) * g
    return weight - lr * m, m

gu.check_momentum_step(momentum_step)

# %% [markdown]
# ## Exercise 2: PyTorch's undamped steps against the sheet's
#
# Fed the same gradient g for ever, the sheet's average tends to g and PyTorch's m = β·m + g to g/(1 − β):

# %%
undamped_factor = 1 / (1 - 0.9)
sheet_m = pytorch_m = 0.0
for _ in range(200):
    sheet_m, pytorch_m = 0.9 * sheet_m + 0.1 * 1.0, 0.9 * pytorch_m + 1.0
print(f"after 200 steady rows: sheet m = {sheet_m:.6f}, PyTorch m = {pytorch_m:.6f}, ratio {pytorch_m / sheet_m:.4f}")
gu.check_undamped_factor(undamped_factor)

# %% [markdown]
# ## Question 1: the smaller first step, then the overshoot
#
# SGD's first step is lr·g. The sheet's momentum (from m = 0) steps lr·(1 − β)·g, ten times less; it needs about
# 1/(1 − β) rows to build up, and by then the slope has gone past the best value and the average still pushes:

# %%
sgd = gu.train(gu.Linear(), gu.SGD(1e-4), x, y)
momentum = gu.train(gu.Linear(), gu.Momentum(1e-4, 0.9), x, y)
a_sgd, a_mom = sgd.table().new_a.to_numpy(), momentum.table().new_a.to_numpy()
print("first step on a: SGD", round(a_sgd[0] - 1, 5), "| momentum", round(a_mom[0] - 1, 5))
print("a after rows 1-10, SGD:     ", np.round(a_sgd[:10], 3).tolist())
print("a after rows 1-10, momentum:", np.round(a_mom[:10], 3).tolist())
print(f"largest a in epoch 1: SGD {a_sgd.max():.3f}, momentum {a_mom.max():.3f} (after row {np.argmax(a_mom) + 1})")

# %% [markdown]
# ## Question 2: which direction, and how far
#
# Left plot: momentum overshoots along the slope a (up to the value printed above, past the best slope of about
# 2.5 for b near 1). Right plot: β = 0.5 at its best unbroken lr gains along the intercept b, but only by a larger
# lr; its error first swings above the untrained start's:

# %%
untrained = np.sqrt(np.sum((1 + x - y) ** 2))
for label, optimizer in [("SGD, lr 3.16e-4", gu.SGD(3.16e-4)), ("β = 0.5, lr 4.22e-4", gu.Momentum(4.22e-4, 0.5))]:
    run = gu.train(gu.Linear(), optimizer, x, y, 2000, trace="epochs")
    b_100 = run.epoch_params["b"][99]
    print(f"{label}: b after 100 epochs {b_100:.2f}; peak sheet error {np.nanmax(run.epoch_errors):.1f} "
          f"(untrained {untrained:.1f}); below 1 for good from epoch {gu.epochs_to(run)}")

# %% [markdown]
# ## Question 3: a lr in a narrow window
#
# No: a lr whose neighbours 6% away diverge will not survive a change of data, row order or model. Check the
# window and its neighbours, and what shuffling the rows does there:

# %%
window = np.array([1.778e-3 / 1.06, 1.778e-3, 1.778e-3 * 1.06])
run = gu.train(gu.Linear(a=np.ones(3)), gu.Momentum(window, 0.9), x, y, 2000, trace=False)
print("β = 0.9 at", np.round(window, 6).tolist(), "-> converged", gu.converged(run).tolist())
found = gu.outcome_fractions(gu.Linear(), gu.Momentum(1.778e-3, 0.9), x, y, 2000, over="orders", n=20)
print("the window's lr with shuffled rows, 20 orders:", found.counts)

# %% [markdown]
# Instead: a lr well inside the unbroken range (smaller β, or plain SGD), standardized inputs (deeper/09), or
# full-batch gradient descent with momentum, where the speed-up is real.
#
# ## Question 4: full batch against online, per update
#
# Count updates, not epochs:

# %%
full = gu.train(gu.Linear(), gu.SGD(3.61e-4), x, y, 30_000, trace=False, stop_below=1.0, batch_size=len(x))
online = gu.train(gu.Linear(), gu.SGD(3.16e-4), x, y, 3000, trace=False, stop_below=1.0)
print(f"full batch: {gu.epochs_to(full)} epochs = {gu.epochs_to(full)} updates")
print(f"online:     {gu.epochs_to(online)} epochs = {gu.epochs_to(online) * len(x)} updates")

# %% [markdown]
# Per update they are within a factor of about 1.4: each online update uses one row's gradient, each full-batch
# update the average of all 29. The epochs differ about 40 times because an online epoch makes 29 updates.
# Online SGD is faster per epoch, not per update; momentum's big speed-up applies to the full-batch version.
#
# ## Question 5: would momentum tame the 2-neuron explosion?
#
# No. Its step is still lr times an average of gradients that grow with the weights:

# %%
print("2 neurons, sheet momentum, lr 1e-4:", gu.train(gu.TwoNeuron(), gu.Momentum(1e-4), x, y, 10).divergence_message())
