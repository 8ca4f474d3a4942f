# %% [markdown]
# # 02 · Two stacked neurons: watch it explode
#
# *Going deeper into [02 · Two neurons](../02_two_neurons.ipynb) of the learner's path. The map of both layers:
# [00 · Start here](00_start_here.ipynb).*
#
# The learner's question: *"I stacked two linear neurons, pred = w2·(w1·x + b1) + b2, and trained them with the
# spreadsheet's settings: online SGD, lr = 0.0001, every weight starting at 1. The error exploded before the end of
# the first epoch. Better initial weights only bought one more epoch. Why?"*
#
# This notebook reproduces that experiment exactly (including the finite-difference gradients the learner used) and
# shows where it blows up. Notebook 03 explains why.

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 4)
x, y = gu.load_data()

# %% [markdown]
# ## The model is still a straight line
#
# $$h = w_1 x + b_1, \qquad \text{pred} = w_2 h + b_2 = (w_1 w_2)\,x + (w_2 b_1 + b_2)$$
#
# Whatever the four weights, the prediction is a line with slope w1·w2 and intercept w2·b1 + b2. It can fit
# y = 2x + 30 exactly (for instance w1 = 1, b1 = 0, w2 = 2, b2 = 30), no better and no worse than the sheet's
# 1-neuron model. What changes is the *training*: the gradients now multiply weights by weights.
#
# $$\frac{\partial e}{\partial w_1} = 2r\,w_2 x,\quad \frac{\partial e}{\partial b_1} = 2r\,w_2,\quad
#   \frac{\partial e}{\partial w_2} = 2r\,h,\quad \frac{\partial e}{\partial b_2} = 2r, \qquad r = \text{pred} - y$$
#
# ## The learner's run
#
# `gu.TwoNeuron()` starts every weight at 1; `gu.SGD(1e-4)` is the sheet's optimizer.

# %%
learner = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, epochs=1)
linear = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=1)
print("2 neurons:", learner.divergence_message())
print(f"1 neuron:  sheet error after epoch 1 = {linear.epoch_errors[0]:.3f}")

# %% [markdown]
# The step table of epoch 1 shows how it happens. The first rows look harmless; in the last rows the weights and
# the squared errors grow by orders of magnitude per row, until row 28's error is beyond 10¹²:

# %%
steps = learner.table()
columns = ["x", "w1", "b1", "w2", "b2", "h", "pred", "err_sq", "de_dw1", "de_dw2"]
steps.index = steps.index + 1  # rows counted from 1, as diverged_at counts them
steps[columns].iloc[list(range(6)) + list(range(22, 28))]

# %% [markdown]
# On a log axis the difference between one neuron and two is stark. (`gu.RowErrorLines` hides the rows after
# a divergence, and marks the row with a dotted line.)

# %%
fig, (ax_err, ax_w) = gu.figure(2)
gu.RowErrorLines(ax_err, ["2 neurons", "linear"], len(x), 1).update({"2 neurons": learner, "linear": linear})
for i, name in enumerate(learner.model.names):
    ax_w.plot(np.arange(1, 29), learner.history["theta"][i, 0, :28], marker=".", label=name)
ax_w.set_yscale("symlog", linthresh=1)
ax_w.set_title("the weights in use at each row (symlog)", fontsize=10)
ax_w.set_xlabel("row")
ax_w.legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# ## "Better initial weights only bought one more epoch"
#
# Here are a few other starting points at the sheet's lr, each followed for up to 3000 epochs. Some die later than
# the learner's start, some at once. Surviving longer is not training: the question is whether a run converges
# (its sheet error falls below 1 and stays there; `gu.converged`). Notebook 04 maps thousands of starts.

# %%
starts = {"all ones (the learner's)": dict(w1=1.0, b1=1.0, w2=1.0, b2=1.0),
          "w1 = w2 = 1.4 (product near 2)": dict(w1=1.4, b1=1.0, w2=1.4, b2=1.0),
          "w1 = 1, w2 = 2 (slope 2)": dict(w1=1.0, b1=1.0, w2=2.0, b2=1.0),
          "all 0.1": dict(w1=0.1, b1=0.1, w2=0.1, b2=0.1),
          "all 0.5": dict(w1=0.5, b1=0.5, w2=0.5, b2=0.5),
          "w1 = w2 = 1.4, b1 = 5, b2 = 25": dict(w1=1.4, b1=5.0, w2=1.4, b2=25.0)}
starts["w1 = b1 = w2 = 1, b2 = 30 (intercept in the output bias)"] = dict(w1=1.0, b1=1.0, w2=1.0, b2=30.0)
rows = []
for label, start in starts.items():
    run = gu.train(gu.TwoNeuron(**start), gu.SGD(1e-4), x, y, epochs=3000, trace=False)
    rows.append({"start": label, "diverged at (epoch, row)": run.diverged_at,
                 "sheet error after epoch 1": round(float(run.epoch_errors[0]), 3),
                 "converged within 3000 epochs": gu.converged(run),
                 "error below 1 from epoch on (gu.epochs_to)": gu.epochs_to(run) or ""})
pd.DataFrame(rows)

# %% [markdown]
# The learner's start and the ones near it diverge, at most a few epochs later. The two starts that converge at the
# sheet's lr (in the sheet's row order) both begin with most of the intercept already in the biases (w2·b1 + b2
# near 30). Is that a property of the start, or of the start and the row order together? The same two starts, 40
# times each: with the starts nudged in their last bits (rows in the sheet's order), and with the rows shuffled
# every epoch (40 orders):

# %%
for label in ["w1 = w2 = 1.4, b1 = 5, b2 = 25", "w1 = b1 = w2 = 1, b2 = 30 (intercept in the output bias)"]:
    model = gu.TwoNeuron(**starts[label])
    print(label)
    for over in ["nudges", "orders"]:
        print(f"   {gu.outcome_fractions(model, gu.SGD(1e-4), x, y, 3000, over=over, n=40, seed=0)}")

# %% [markdown]
# In the sheet's order both starts converge whatever the last bits (40 of 40 nudged starts each). With shuffled rows
# neither converges: all 40 orders diverge, for both. A good start at the sheet's lr is good only for the sheet's
# row order. Why that matters is the subject of notebooks 03 and 04.


# %% [markdown]
# ## The learner's own gradients: "are these formulas right?"
#
# The learner did not differentiate. Like the sheet's `est de/db` column, they nudged each weight by 0.01 and
# divided the change in squared error by 0.01, one formula per weight (their model is y = c·(a·x + b) + d, so
# a = w1, b = b1, c = w2, d = b2):

# %%
def learners_formulas(a, b, c, d, x, y, step=0.01):
    e = ((a * x + b) * c + d - y) ** 2
    return [((((a + step) * x + b) * c + d - y) ** 2 - e) / step,
            (((a * x + (b + step)) * c + d - y) ** 2 - e) / step,
            (((a * x + b) * (c + step) + d - y) ** 2 - e) / step,
            (((a * x + b) * c + (d + step) - y) ** 2 - e) / step]

row = 0
theta = [np.asarray(1.0)] * 4
analytic = gu.TwoNeuron().loss_gradient(theta, x[row], y[row])
theirs = learners_formulas(1.0, 1.0, 1.0, 1.0, x[row], y[row])
pd.DataFrame({"weight": ["w1 (a)", "b1 (b)", "w2 (c)", "b2 (d)"],
              "learner's formula": theirs,
              "analytic": [float(g) for g in analytic],
              "difference": [t - float(g) for t, g in zip(theirs, analytic)]})

# %% [markdown]
# **Each one is right**, as a forward difference: the derivative plus a small, predictable bias (whether training
# on them reaches a fit is another question, answered below). The
# squared error is a parabola in any *single* weight (the prediction is linear in each weight on its own), so a
# forward difference with step s exceeds the derivative by exactly s/2 × the second derivative, which is
# 2·(d pred/d weight)²: s·(w2·x)², s·w2², s·h², s for w1, b1, w2, b2. At row 1 (x = 14, all weights 1, h = 15):

# %%
w2, h_row, s = 1.0, x[row] * 1.0 + 1.0, 0.01
predicted_bias = [s * (w2 * x[row]) ** 2, s * w2 ** 2, s * h_row ** 2, s]
print("measured  :", np.round([t - float(g) for t, g in zip(theirs, analytic)], 6))
print("predicted :", np.round(predicted_bias, 6))

# %% [markdown]
# At row 1 the bias is small next to gradients in the hundreds or thousands. But it is not a fixed small number:
# it is the step times (d pred/d weight)², the same quantities that make up the curvature K (notebook 03), and it
# grows with the weights exactly as K does. The learner's exact run trains on these formulas
# (`gradient="finite_difference"`), beside the analytic one:

# %%
runs = {gradient: gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, epochs=1, gradient=gradient)
        for gradient in ["analytic", "finite_difference"]}
for gradient, run in runs.items():
    steps = run.table()
    print(f"{gradient:>17}: {run.divergence_message()}; squared error at row 27: {steps.err_sq.iloc[26]:.3g}")
fd = runs["finite_difference"].table()
print(f"learner's run at row 26: finite-difference bias in de/dw1 = {fd.est_de_dw1.iloc[25] - fd.de_dw1.iloc[25]:.4g}"
      f" (row 1: {fd.est_de_dw1.iloc[0] - fd.de_dw1.iloc[0]:.4g})")

# %% [markdown]
# Both explode at row 28 of epoch 1: the explosion is in the model and the learning rate, not in the formulas. But the two runs are not the same run: by row 26 the bias of the w1 estimate
# has grown to about 1,500 (from 1.96 at row 1), and the finite-difference run reaches row 27 with an error about 800 times the
# analytic run's. Near an explosion the bias grows with it.
#
# There is an exact alternative here. Each row's squared error is a parabola in any single weight (the prediction is
# linear in each weight on its own), and for a parabola the **central** difference (e(w + s) − e(w − s)) / 2s is
# exact whatever the step s:

# %%
def central(weights, i, xi, yi, step):
    def error(w):
        moved = list(weights)
        moved[i] = w
        return float((gu.TwoNeuron().predict([np.asarray(v) for v in moved], xi) - yi) ** 2)
    return (error(weights[i] + step) - error(weights[i] - step)) / (2 * step)

start = [1.0, 1.0, 1.0, 1.0]
analytic = gu.TwoNeuron().loss_gradient([np.asarray(v) for v in start], x[0], y[0])
for step in [0.01, 1.0, 10.0]:
    gaps = [central(start, i, x[0], y[0], step) - float(analytic[i]) for i in range(4)]
    print(f"step {step:5}: central difference - analytic = {np.round(gaps, 9).tolist()}")

# %% [markdown]
# ## Training on them stops short of a fit
#
# Right derivatives one by one do not make a method that converges. At an exact fit every residual is 0, so the true
# gradient of every row is 0, but the forward difference still reports its bias, s·(d pred/d weight)², which is
# never 0. Summed over the 29 rows it does not cancel (the biases are all positive), so a fit is not a resting place:
# the run settles where the residuals' gradient cancels the bias, some distance from the fit. The learner's start at
# lr 3e-5, where the analytic run converges, trained for 3000 epochs with the learner's formulas at several steps s:

# %%
fd_steps = [0.1, 0.03, 0.01, 0.003, 0.001, 1e-4]
fd_runs = {s: gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, 3000, trace=False, gradient="finite_difference",
                       fd_step=s) for s in fd_steps}
exact_run = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), x, y, 3000, trace=False)
fig, ax = gu.figure(width=6.5, height=3.4)
for s, run in fd_runs.items():
    ax.semilogy(np.arange(1, 3001), run.epoch_errors, lw=1, label=f"forward differences, step {s:g}")
ax.semilogy(np.arange(1, 3001), exact_run.epoch_errors, "k--", lw=1, label="analytic gradient")
ax.axhline(1, color="0.6", lw=0.8)
ax.set_xlabel("epoch")
ax.set_ylabel("sheet error")
ax.set_title("learner's start, lr 3e-5: each step size bottoms out at its own floor", fontsize=9)
ax.legend(fontsize=7, ncol=2)
gu.show(fig)
pd.DataFrame({"step s": fd_steps,
              "lowest error (epoch)": [f"{np.min(r.epoch_errors):.4g} ({np.argmin(r.epoch_errors) + 1})"
                                       for r in fd_runs.values()],
              "error over the last 500 epochs": [f"{np.min(r.epoch_errors[-500:]):.4g} .. {np.max(r.epoch_errors[-500:]):.4g}"
                                                 for r in fd_runs.values()]}).set_index("step s")

# %% [markdown]
# Every finite-difference run dips, comes back up and then stalls at a floor: with step 0.01 (the learner's) the
# error bottoms out near 13 and then sits at about 45 for good. The floor shrinks with the step: by a factor of
# about 1.7 each time the step shrinks about threefold, from 0.1 down to 0.001; with step 1e-4 it hovers just under
# 1 (between 0.84 and 0.95 over the last 500 epochs). The analytic run goes on to 1e-12. From the start with b2 = 30 at the sheet's lr (which converges with the analytic gradient) the
# learner's step does not settle at all: it wanders.

# %%
wander = gu.train(gu.TwoNeuron(1.0, 1.0, 1.0, 30.0), gu.SGD(1e-4), x, y, 3000, trace=False,
                  gradient="finite_difference")
tail = wander.epoch_errors[-500:]
print(f"b2 = 30, lr 1e-4, step 0.01: diverged: {wander.diverged}, error {wander.epoch_errors[-1]:.3g} after 3000 "
      f"epochs; lowest error {np.min(wander.epoch_errors):.3g} at epoch "
      f"{np.argmin(wander.epoch_errors) + 1}; over the last 500 epochs between {tail.min():.3g} and {tail.max():.3g}, "
      f"rising in {np.mean(np.diff(tail) > 0):.0%} of them")

# %% [markdown]
# Central differences, by contrast, converge: for a parabola they are exact (shown above), so training on them is
# the analytic run up to rounding. The learner's formulas with a central difference, run row by row in plain
# Python at lr 3e-5 from the learner's start:

# %%
def train_central(start, lr, epochs, step=0.01):
    w, errors = list(start), []
    for _ in range(epochs):
        total = 0.0
        for xi, yi in zip(x.tolist(), y.tolist()):
            total += (w[2] * (w[0] * xi + w[1]) + w[3] - yi) ** 2
            gradient = []
            for i in range(4):
                up, down = list(w), list(w)
                up[i], down[i] = w[i] + step, w[i] - step
                e_up = (up[2] * (up[0] * xi + up[1]) + up[3] - yi) ** 2
                e_down = (down[2] * (down[0] * xi + down[1]) + down[3] - yi) ** 2
                gradient.append((e_up - e_down) / (2 * step))
            w = [wi - lr * gi for wi, gi in zip(w, gradient)]
        errors.append(total ** 0.5)
    return np.array(errors)

central_errors = train_central([1.0, 1.0, 1.0, 1.0], 3e-5, 600)
print(f"central differences, step 0.01: error below 1 from epoch {np.argmax(central_errors < 1) + 1}, "
      f"{central_errors[-1]:.2e} after 600 epochs (analytic: below 1 from epoch {gu.epochs_to(exact_run)}, "
      f"{exact_run.epoch_errors[599]:.2e} after 600)")

# %% [markdown]
# ## Try it
#
# The sliders set the learning rate and the four starting weights; the toggle switches between the analytic
# gradient and the learner's finite differences. The linear model runs beside it at the same lr. Try lr = 3e-5:
# both survive. Then find the smallest lr at which the 2-neuron model dies in epoch 1. **Export to .xlsx** writes
# the 2-neuron experiment as a spreadsheet with live formulas, the one the learner was building by hand.

# %% tags=["nbval-ignore-output"]
gu.explore_two_neurons()


# %% [markdown]
# ## Summary
#
# - Two stacked linear neurons still compute a straight line: slope w1·w2, intercept w2·b1 + b2.
# - At the sheet's settings the learner's model diverges at epoch 1, row 28; the 1-neuron model is fine.
# - Each of the learner's finite-difference formulas is a correct forward difference; its bias is exactly
#   s·(d pred/d weight)², which grows with the weights as K does: with them the run dies at the same row, but near
#   the explosion its errors are hundreds of times the analytic run's.
# - Training on them cannot converge: the bias does not vanish at a fit. From the learner's start at lr 3e-5 the
#   run with step 0.01 bottoms out and stalls at an error of about 45; the floor shrinks with the step. From
#   b2 = 30 at lr 1e-4 it wanders. Central differences are exact here and converge like the analytic gradient.
# - Some starting points survive longer; most die within a few epochs. Notebook 03 explains why, notebook 04 maps it.
#
# ## Exercises
#
# **1.** Write the four analytic gradients of the squared error for one row.

# %%
def two_neuron_gradient(w1, b1, w2, b2, x, y):
    # return de_dw1, de_db1, de_dw2, de_db2
    return None

gu.check_two_neuron_gradient(two_neuron_gradient)


# %% [markdown]
# **2.** Given w1 and b1, which w2 and b2 make the model exactly y = 2x + 30?

# %%
def exact_fit(w1, b1):
    # return w2, b2
    return None

gu.check_exact_fit(exact_fit)

# %% [markdown]
# ## Questions
#
# The [worked answers](../answers/deeper_02_two_neurons.ipynb) answer each question and exercise with cells.
#
# 1. The learner wrote that the model was "not simply collapsed into a single neuron". In what sense is that true,
#    and in what sense is it a single neuron after all?
# 2. In the step table, which gradient grows fastest in the rows before the explosion, and which weight does it move?
# 3. Why does the finite-difference bias for w1 grow with x² and with w2², and why does it matter most just
#    before the explosion?
