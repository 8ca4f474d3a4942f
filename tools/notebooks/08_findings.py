# %% [markdown]
# # 08 · The learner's findings, answered
#
# The learner stacked two linear neurons on Jeremy's spreadsheet and came back with findings and questions. Each
# is answered here in a few sentences and one figure or number computed live from `graddesc_utils`, with a link to
# the notebook that develops it. Each answer also says whether it holds with the learner's own finite-difference
# gradients as well as with analytic ones.

# %%
# %matplotlib widget
import sys
sys.path.append("..")  # graddesc_utils.py lives in the course's top folder

import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()
GRADIENTS = ["analytic", "finite_difference"]

# %% [markdown]
# ## 1 · "Is my model smarter and faster than a simple linear model?"
#
# **Not smarter:** pred = w2·(w1·x + b1) + b2 = (w1·w2)·x + (w2·b1 + b2) is a straight line, the same family the
# 1-neuron model draws from ([02](02_two_neurons.ipynb)). **Not faster at the sheet's settings:** it diverges in
# epoch 1 where the linear model reaches 150.755. On inputs scaled to x/100 it can fit faster at a small lr, but
# so can the linear model at its own, larger lr ([04](04_initialization_and_scaling.ipynb)).

# %%
fig, (ax_raw, ax_scaled) = gu.figure(2, sharey=True)
for ax, inputs, lrs, title in [(ax_raw, x, (1e-4, 1e-4), "sheet x, lr = 1e-4"),
                               (ax_scaled, x / 100, (1e-3, 0.3), "x/100: 2 neurons lr 1e-3, linear lr 0.3")]:
    for label, model, lr in [("2 neurons", gu.TwoNeuron(), lrs[0]), ("linear", gu.Linear(), lrs[1])]:
        run = gu.train(model, gu.SGD(lr), inputs, y, epochs=10, trace=False)
        errors = gu.epochs_until_divergence(run.epoch_errors, run.diverged_at)
        ax.semilogy(np.arange(1, 11), gu.displayable(errors), marker="o",
                    label=f"{label}" + (f" ({run.divergence_message()})" if run.diverged else ""))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("epoch")
    ax.legend(fontsize=8)
ax_raw.set_ylabel("sheet error")
gu.show(fig)
for gradient in GRADIENTS:
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, gradient=gradient)
    print(f"{gradient:>17}: 2 neurons at the sheet's settings: {run.divergence_message()}")

# %% [markdown]
# Holds under both gradients: yes, both diverge at the same row.
#
# ## 2 · "Why do my errors explode?"
#
# A step on a row multiplies its residual by about (1 − 2·lr·K), K = ‖d pred/d weights‖². For the 2-neuron model
# K = w2²(x² + 1) + h² + 1 is about four times the linear model's near a fit, and it grows with the weights, so each
# overshoot makes the next bigger ([03](03_why_it_explodes.ipynb)). The stability meter lr·K of the learner's run:

# %%
for gradient in GRADIENTS:
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, gradient=gradient)
    meter = gu.stability_meter(run)[0]
    last = run.diverged_at[1]
    print(f"{gradient:>17}: lr·K over rows {last - 4}..{last}: {np.round(meter[last - 5:last], 1).tolist()}")
print(f"epoch edge: linear {gu.stability_edge(gu.Linear(), {'a': 2.0, 'b': 30.0}):.2e}, balanced 2-neuron fit "
      f"{gu.stability_edge(gu.TwoNeuron(), gu.exact_fit(np.sqrt(2), 0.0)):.2e}")

# %% [markdown]
# Holds under both gradients: yes, the meter runs away in the same rows.
#
# ## 3 · "Can better initial weights help?"
#
# A little: they can put the start in the band that survives, but they cannot move the stability edge, and at the
# sheet's lr = 1e-4 that band is almost empty ([04](04_initialization_and_scaling.ipynb)). Survivors among 31 × 31
# starts (w1, w2 in [−3, 3], biases 0), 5 epochs:

# %%
grid = np.linspace(-3, 3, 31)
w1, w2 = np.meshgrid(grid, grid, indexing="ij")
lrs = np.array([1e-5, 3e-5, 5e-5, 7e-5, 1e-4])
counts = {}
for gradient in GRADIENTS:
    sweep = gu.train(gu.TwoNeuron(w1=w1, b1=0.0, w2=w2, b2=0.0), gu.SGD(lrs[:, None, None]), x, y, epochs=5,
                     gradient=gradient, trace=False)
    counts[gradient] = (~sweep.diverged).sum(axis=(1, 2))
fig, ax = gu.figure(width=6, height=2.8)
for gradient, survived in counts.items():
    ax.plot(lrs, survived, marker="o", label=gradient)
ax.set_xscale("log")
ax.set_xlabel("lr")
ax.set_ylabel(f"survivors of {grid.size ** 2}")
ax.legend(fontsize=8)
gu.show(fig)
print({gradient: survived.tolist() for gradient, survived in counts.items()})

# %% [markdown]
# Holds under both gradients: yes, survival collapses between 5e-5 and 1e-4 either way.
#
# ## 4 · "What does ReLU change?"
#
# At the learner's settings: it kills the neuron. An overshoot at row 26 throws w1 negative, h = w1·x + b1 < 0 on
# every row, and ReLU passes no gradient there. The model becomes the constant b2 and cannot explode any more
# ([07](07_relu.ipynb)). Active rows (h > 0) at the end of each epoch:

# %%
for gradient in GRADIENTS:
    run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, epochs=5, gradient=gradient)
    active = [int((run.history["h"][e] > 0).sum()) for e in range(5)]
    print(f"{gradient:>17}: active rows per epoch {active}; diverged: {run.diverged_at}")

# %% [markdown]
# Holds under both gradients: yes, both kill the neuron in epoch 1 (with finite differences at a different row
# and w1, and the forward difference can even see a slope across the kink that the analytic rule does not).
#
# ## 5 · "Why does the 2-neuron model with ReLU train slower?"
#
# It is not training slowly; it has stopped being a line. What still falls is a constant b2 creeping towards the
# mean of y at lr = 1e-4, and no constant can beat 294.13 (the sheet error of pred = mean(y)), while the linear model
# is at 105 ([07](07_relu.ipynb)).

# %%
best_constant = np.sqrt(np.sum((y - y.mean()) ** 2))
fig, ax = gu.figure(width=6, height=2.8)
for gradient in GRADIENTS:
    run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, epochs=30, gradient=gradient, trace=False)
    ax.plot(np.arange(1, 31), run.epoch_errors, label=f"ReLU, {gradient}")
    print(f"{gradient:>17}: sheet error after 30 epochs {run.epoch_errors[-1]:.3f} (best constant {best_constant:.3f})")
linear = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=30, trace=False)
ax.plot(np.arange(1, 31), linear.epoch_errors, label="linear")
ax.axhline(best_constant, color="k", ls="--", lw=0.8, label="best constant")
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Holds under both gradients: yes.
#
# ## Summary table
#
# Model × optimizer × learning rate × input scaling, from the learner's start (all weights 1; a = b = 1 for the
# linear model), sheet conventions, analytic gradients: diverged? the sheet error after 1 and 10 epochs, and for
# the 2-neuron models how many rows have h > 0 at the end (0: the ReLU neuron is dead).

# %%
models = {"linear": gu.Linear, "2 neurons": gu.TwoNeuron, "2 neurons, ReLU": lambda: gu.TwoNeuron(relu=True)}
settings = [("SGD", gu.SGD, 1e-4, 1.0), ("SGD", gu.SGD, 3e-5, 1.0), ("SGD", gu.SGD, 1e-3, 0.01),
            ("momentum", gu.Momentum, 1e-4, 1.0), ("momentum", gu.Momentum, 1e-3, 0.01),
            ("Adam", gu.Adam, 0.1, 1.0), ("Adam", gu.Adam, 0.1, 0.01)]
rows = []
for model_name, make_model in models.items():
    for optimizer_name, make_optimizer, lr, scale in settings:
        run = gu.train(make_model(), make_optimizer(lr), x * scale, y, epochs=10, trace=False)
        after = lambda e: "—" if run.diverged and run.diverged_at[0] <= e else f"{run.epoch_errors[e - 1]:.3f}"
        rows.append({"model": model_name, "optimizer": optimizer_name, "lr": lr,
                     "inputs": "x" if scale == 1.0 else "x/100",
                     "diverged": run.divergence_message() or "no", "after 1 epoch": after(1),
                     "after 10 epochs": after(10),
                     "active rows": (int(gu.active_rows(run.model, run.params, x * scale).sum())
                                     if run.model.names != ("b", "a") and not run.diverged else "")})
pd.DataFrame(rows)

# %% [markdown]
# ## What to take away
#
# - Stacking linear neurons adds no expressive power but changes the training dynamics: products of weights make
#   the curvature larger and weight-dependent.
# - Divergence is lr × curvature being too large; the fixes are a smaller lr, scaled inputs, or an optimizer whose
#   step does not grow with the gradient.
# - "ReLU makes it train" was a dead neuron: always check how many units are active.
#
# ## Questions
#
# 1. Which single change to the learner's spreadsheet would you make first, and what would you expect to see?
# 2. The table has rows where Adam survives on the sheet's x but the error stays high. What would you try next?
# 3. Which of these findings would change for a model with a nonlinearity and *two* hidden units?
