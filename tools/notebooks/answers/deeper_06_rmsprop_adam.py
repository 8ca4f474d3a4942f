# %% [markdown]
# # Worked answers · deeper 06 RMSProp, Adam and annealing
#
# Answers to the exercises and questions of [deeper/06 · RMSProp and Adam](../deeper/06_rmsprop_adam.ipynb). Every
# number below comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: one row of the sheet's Adam
#
# Both averages take in this row's gradient first; the step divides the first by the root of the second (no ε,
# no bias correction):

# %%
def adam_step(weight, m, v, g, lr, beta1, beta2):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return weight - lr * m / np.sqrt(v), m, v

gu.check_adam_step(adam_step)

# %% [markdown]
# ## Exercise 2: the adam_ann macro's rule

# %%
def anneal(lr, g2, smallest):
    new_lr = lr / 4 if g2 / smallest > 2 else lr
    return new_lr, min(g2, smallest)

gu.check_annealing(anneal)

# %% [markdown]
# ## Question 1: dividing by this row's average from v = 0, and by the previous one
#
# With v = 0, this row's average is (1 − β)·g², so the first step is lr·g/√((1 − β)g²) = lr/√(1 − β), about
# 3.2·lr at β = 0.9, whatever g: bounded. Dividing by the *previous* row's average instead, the first row would
# divide by √0. When the gradient jumps, the previous average knows nothing of the jump: the step is lr times the
# ratio of the new gradient to the old typical one. On the learner's model, with the sheet's v = 10,000 and
# with v = 0:

# %%
from graddesc.engine import train_loop

for v_start in [10_000.0, 0.0]:
    optimizer = gu.RMSProp(0.1)
    state = optimizer.init_state((), 4)
    state["sqavg"][:] = v_start
    run = train_loop(gu.TwoNeuron(), optimizer, x, y, 1, state=state, backend="numpy")
    table = run.table()
    steps = np.abs(np.array([table[f"new_{n}"] - table[n] for n in run.model.names]))
    print(f"v starts at {v_start:>6,.0f}: largest step in the first 3 rows {np.nanmax(steps[:, :3]):.4g} "
          f"({np.nanmax(steps[:, :3]) / 0.1:.3g} times lr); {run.divergence_message() or 'no divergence in epoch 1'}")

# %% [markdown]
# ## Question 2: why Adam at lr 1 does not settle on the line
#
# Near a fit the gradient shrinks, but so does √v: m/√v stays of order 1, so every weight keeps moving by about lr
# per row. The error floor is proportional to lr; at lr 1 it is far above 1:

# %%
lrs = np.array([1.0, 0.1, 0.01, 1e-3])
run = gu.train(gu.Linear(a=np.ones(4)), gu.Adam(lrs), x, y, 3000, trace=False)
for lr, errors in zip(lrs, run.epoch_errors[-500:].T):
    print(f"Adam on the line, lr {lr:g}: error over the last 500 epochs {errors.min():.4g} to {errors.max():.4g}")

# %% [markdown]
# ## Question 3: which optimizer for the learner's model, at what lr
#
# Adam at a constant lr of 1e-3 converges, and annealed Adam at 0.1 is faster; plain SGD needs a lr below about
# 6.7e-5 in the sheet's order. With shuffled rows (fastai's default), 20 orders each:

# %%
choices = [("annealed Adam, lr 0.1", gu.Adam(0.1, 0.9, 0.95, anneal=True)), ("Adam, lr 1e-3", gu.Adam(1e-3)),
           ("SGD, lr 3e-5", gu.SGD(3e-5))]
for label, optimizer in choices:
    found = gu.outcome_fractions(gu.TwoNeuron(), optimizer, x, y, 3000, over="orders", n=20)
    print(f"{label}: {found.counts}; converged from epoch (min, median, max) {found.epoch_spread}")
