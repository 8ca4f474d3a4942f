# %% [markdown]
# # 02 · Two stacked neurons: watch it explode
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
                 "error below 1 from epoch": gu.epochs_to(run) or ""})
pd.DataFrame(rows)

# %% [markdown]
# The learner's start and the ones near it diverge, at most a few epochs later. The two starts that converge at the
# sheet's lr both begin with most of the intercept already in the biases (w2·b1 + b2 near 30). Why that matters is
# the subject of notebooks 03 and 04.


# %% [markdown]
# ## The learner's own gradients: "are these formulas right?"
#
# The learner did not differentiate. Like the sheet's `est de/db` column, they nudged each weight by 0.01 and
# divided the change in squared error by 0.01, one formula per weight (their model is y = c·(a·x + b) + d, so
# a = w1, b = b1, c = w2, d = d2):

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
# **Yes, they are right**, as forward differences: each is the derivative plus a small, predictable bias. The
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
# Both explode at row 28 of epoch 1: the learner's gradients were right, and the explosion is in the model and the
# learning rate, not in the formulas. But the two runs are not the same run: by row 26 the bias of the w1 estimate
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
# - The learner's finite-difference formulas are correct forward differences; their bias is exactly
#   s·(d pred/d weight)², which grows with the weights as K does: with them the run dies at the same row, but near
#   the explosion its errors are hundreds of times the analytic run's. A central difference is exact here.
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
# 1. The learner wrote that the model was "not simply collapsed into a single neuron". In what sense is that true,
#    and in what sense is it a single neuron after all?
# 2. In the step table, which gradient grows fastest in the rows before the explosion, and which weight does it move?
# 3. Why does the finite-difference bias for w1 grow with x² and with w2², and why does it matter most just
#    before the explosion?
