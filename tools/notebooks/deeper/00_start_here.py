# %% [markdown]
# # graddesc · Start here
#
# A learner took Jeremy Howard's fast.ai spreadsheet `graddesc.xlsm`, which trains **y = a·x + b** on data from
# **y = 2x + 30** with SGD, momentum, RMSProp and Adam, and stacked two linear neurons instead of one. The error
# exploded within one epoch. Better initial weights only delayed it. A ReLU made it "train freely", but with an
# error far worse than the 1-neuron model's 151. *Why?*
#
# This course answers that question with the spreadsheet's own numbers (reproduced exactly) and with sliders you
# can move to watch errors explode.
#
# ## The map
#
# | notebook | what it answers |
# |---|---|
# | [01 · The linear model](01_linear_sgd.ipynb) | the `basic` sheet from scratch, number for number; what its "rmse" of 151 really is |
# | [02 · Two neurons](02_two_neurons.ipynb) | the learner's model at the learner's settings: where it explodes; are their finite-difference formulas right? |
# | [03 · Why it explodes](03_why_it_explodes.ipynb) | where training is headed: the fit the learner's start heads for is unstable at lr 1e-4; the stability meter, the epoch map, the conservation law |
# | [04 · Initialization and scaling](04_initialization_and_scaling.ipynb) | convergence maps of thousands of starts (surviving is not training); what a start can buy; scaling x |
# | [05 · Momentum](05_momentum.ipynb) | the `momentum` sheet; what momentum does to the steep and the flat direction; damped vs undamped |
# | [06 · RMSProp, Adam, annealing](06_rmsprop_adam.ipynb) | the `rmsprop`, `adam`, `adam_ann` sheets; conventions; the optimizer race on the learner's model |
# | [07 · ReLU](07_relu.ipynb) | what really happened with the ReLU: the dead neuron |
# | [08 · Findings](08_findings.ipynb) | the learner's questions, each answered with evidence |
# | [09 · Keeping it stable](09_keeping_it_stable.ipynb) | the practitioners' remedies on the learner's model: standardizing, `lr_find`, warm-up and one-cycle, clipping, initialization, leaky ReLU |
#
# Work through them in order; each ends with a summary, exercises that check themselves, and questions.
#
# ## How to use the sliders
#
# Every interactive is one call, such as `gu.explore_linear()`. Drag a slider (or click it and use the arrow
# keys); the figure redraws in place, and the line above it gives the sheet error or **"diverged at epoch e, row r"**.
# Learning-rate sliders are on a log scale. The convergence map of notebook 04 recomputes 14,641 runs of 500 epochs
# while you drag its lr slider; its bias sliders recompute when you let go. The notebooks show the math;
# `graddesc_utils.py` in the course's top folder says where each piece of machinery lives (the package `graddesc/`).
# Long runs and maps go through compiled loops (numba): the first one in a fresh install takes a few seconds to
# compile, and every later one starts at once (Binder compiles them while it builds).
#
# ## The words the course uses
#
# | word | meaning |
# |---|---|
# | sheet error | the spreadsheet's "rmse": the square root of the **sum** of the 29 squared row errors of an epoch (the true RMSE is that divided by √29) |
# | row, epoch | one row of the sheet is one update (online SGD); an epoch is the 29 rows in order. Rows are counted from 1, as "diverged at epoch e, row r" counts them |
# | diverged | a row's squared error or a weight in use is not finite or beyond 10¹² in size; nothing after that is reported |
# | converged | the sheet error has fallen below a tolerance (1, unless a notebook says otherwise) and is below it at the end of the run; surviving a few epochs is **not** converging |
# | curvature K | for one row, K = ‖d pred / d weights‖²: the row's loss (pred − y)² is K·(distance)² along its gradient, so its second derivative there is 2K |
# | lr·K, the stability meter | one step multiplies its row's residual by about 1 − 2·lr·K |
# | overshoot | a step carries the row's prediction past its target (the residual changes sign): lr·K > 1/2 |
# | unstable | the residual comes out larger than it went in: lr·K > 1 for one row; for training as a whole, an eigenvalue of the epoch map larger than 1 in size |
# | epoch map, edge | near an exact fit one epoch is a linear map of the weights; a fit is stable at the learning rates where its eigenvalues (off the flat directions) are at most 1 in size. Its first edge is the largest lr up to which it is stable without a break |
# | destination | the fit a run lands on when it converges; small steps keep w1² + b1² − w2² nearly constant, so the start chooses it |
#
# ## Where to run it
#
# - **Locally:** `python3 -m pip install -r requirements.txt && python3 -m jupyterlab notebooks/00_start_here.ipynb`
#   from the course folder (Python 3.11 or newer).
# - **Binder:** the badge in the README opens this notebook in JupyterLab in your browser; nothing to install.
# - **JupyterHub for a class:** install `requirements.txt` into the hub's user environment; the notebooks need
#   nothing else.
#
# ## If a widget does not show
#
# - You see a static picture and no sliders: the notebook has not been run. Choose *Run → Run All Cells*.
# - "Error displaying widget" or "model not found": the kernel was restarted after the cell ran, or the versions
#   of `ipywidgets`, `ipympl` and `jupyterlab` do not match. Install `requirements.txt` (it pins them together),
#   restart JupyterLab, and run the notebook again.
# - A slider moves but the plot stays still: run the cell again (each re-run replaces its figure), and make sure the
#   notebook's first cell ran (`%matplotlib widget`).
# - Nothing at all: JupyterLab's kernel indicator (top right) must say Python 3 and be idle.
#
# The check below tells you whether this environment has everything:

# %%
# %matplotlib widget

import graddesc_utils as gu

x, y = gu.load_data()
print(f"graddesc_utils loaded; {len(x)} data rows")
print(f"the basic sheet, epoch 1: {gu.replay('basic').epoch_errors[0]:.6f} (the spreadsheet says 150.755...)")

# %%
import importlib.metadata as metadata
for package in ["numpy", "matplotlib", "pandas", "ipywidgets", "ipympl", "jupyterlab"]:
    print(f"{package:12} {metadata.version(package)}")
