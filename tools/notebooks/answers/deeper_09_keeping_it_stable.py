# %% [markdown]
# # Worked answers · deeper 09 Keeping it stable
#
# Answers to the exercises and questions of [deeper/09 · Keeping it stable](../deeper/09_keeping_it_stable.ipynb).
# Every number below comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
learners = gu.TwoNeuron()

# %% [markdown]
# ## Exercise 1: clip a gradient as torch does

# %%
def clip_grad(grad, max_norm):
    grad = np.asarray(grad, dtype=float)
    coefficient = max_norm / (np.sqrt(np.sum(grad * grad)) + 1e-6)
    return grad * min(coefficient, 1.0)

gu.check_clip_grad(clip_grad)

# %% [markdown]
# ## Exercise 2: a standardized fit on the original scale
#
# ys = slope·xs + intercept with xs = (x − mean_x)/sd_x and ys = (y − mean_y)/sd_y. Solve for y:

# %%
def unstandardize(slope, intercept, mean_x, sd_x, mean_y, sd_y):
    a = slope * sd_y / sd_x
    return a, mean_y + sd_y * intercept - a * mean_x

gu.check_unstandardize(unstandardize)
print("slope 1, intercept 0 on the sheet's data:", unstandardize(1.0, 0.0, x.mean(), x.std(), y.mean(), y.std()))

# %% [markdown]
# ## Question 1: the lr on the sheet's data that matches lr 0.1 on standardized data
#
# A slope step on standardized data is lr·(gradient in xs units); in x units the same change needs the lr divided
# by sd_x². For the slope that is:

# %%
print(f"sd_x = {x.std():.3f}; lr 0.1 / sd_x² = {0.1 / x.std() ** 2:.3g}")

# %% [markdown]
# That is about 1.3e-4, near the sheet's 1e-4. (Standardizing y rescales the errors as well, and centring x
# decouples the slope from the intercept: that, not the lr, is what the sheet's data lacks.)
#
# ## Question 2: same weights, different fate
#
# The weights are the same; the lr that comes next is not. At 1e-5 the fit the run heads for is stable, at 1e-4 it
# is not, and the path to it is unstable too:

# %%
warm = gu.train(learners, gu.SGD(1e-5), x, y, 100, trace=False)
for lr in (1e-5, 1e-4):
    run = gu.train(gu.TwoNeuron(**warm.params), gu.SGD(lr), x, y, 3000, trace=False)
    print(f"after 100 epochs at 1e-5, continued at {lr:g}: {gu.verdict(run)}")

# %% [markdown]
# ## Question 3: what the 1500-epoch warm-up's fit would need
#
# Its edge would have to be above every lr still to come, 1e-4 included:

# %%
late = gu.train(learners, gu.SGD(1e-4), x, y, 3000, trace="epochs", schedule=gu.warm_up(1500, 0.1, gradual=True))
first = gu.first_below(late)
reached = {n: late.epoch_params[n][first - 1] for n in learners.names}
print(f"first below 1 at epoch {first}; the fit's first edge {gu.stability_edge(learners, reached):.3g} "
      f"(needed: above 1e-4); {late.divergence_message()}")

# %% [markdown]
# ## Question 4: clip norm 10 near a sharp fit
#
# The clip caps each step at lr·clip_norm, so the growth an unstable fit causes cannot run away; but the fit stays
# unstable (its edge is far below 1e-4), so the run cannot settle either: it rattles.

# %%
rattling = gu.train(learners, gu.SGD(1e-4), x, y, 20_000, trace=False, clip_norm=10.0)
near, _ = gu.destination(rattling.params, 3e-6)
tail = rattling.epoch_errors[-100:]
print(f"last 100 epochs: error {tail.min():.3f} to {tail.max():.3f}; the fit near it has first edge "
      f"{gu.stability_edge(learners, near):.3g}; largest step per row at most {1e-4 * 10:g}")

# %% [markdown]
# ## Question 5: would the sheet's damped momentum help?
#
# At the same lr it does not: its average grows with the gradients as SGD's steps do (notebook 05), and from the
# learner's start it diverges too:

# %%
print("sheet momentum, lr 1e-4:", gu.train(learners, gu.Momentum(1e-4), x, y, 10, trace=False).divergence_message())
print("sheet momentum, one-cycle over 3000 epochs:",
      gu.verdict(gu.train(learners, gu.Momentum(1e-4), x, y, 3000, trace=False, schedule=gu.one_cycle(3000, len(x)))))

# %% [markdown]
# ## Question 6: a leak of 0.01
#
# leak·w1·w2 = 2 means w1·w2 = 200: large weights. The leaky branch's slope per weight is tiny, so each step moves
# the fit slowly, and the run needs thousands of epochs:

# %%
run = gu.train(gu.TwoNeuron(relu=True, leak=0.01), gu.SGD(1e-4), x, y, 5000, trace=False)
print(f"w1 = {run.params['w1']:.2f}, w2 = {run.params['w2']:.2f}, w1·w2 = {run.params['w1'] * run.params['w2']:.1f}; "
      f"{gu.verdict(run)}")
