# %% [markdown]
# # graddesc · Going deeper: the map
#
# *This is the deeper layer's map and glossary. The course starts at the learner's path:
# [00 · Start here](../00_start_here.ipynb).*
#
# A learner took Jeremy Howard's fast.ai spreadsheet `graddesc.xlsm`, which trains **y = a·x + b** on data from
# **y = 2x + 30** with SGD, momentum, RMSProp and Adam, and stacked two linear neurons instead of one. The error
# exploded within one epoch. Better initial weights only delayed it. A ReLU made it "train freely", but with an
# error far worse than the 1-neuron model's 151. *Why?*
#
# The course answers that question with the spreadsheet's own numbers (reproduced exactly) and with sliders you
# can move to watch errors explode. It has two layers and a set of worked answers.
#
# ## The map
#
# **The learner's path** (`notebooks/`, about 3 hours, plain words and pictures; start there):
#
# | notebook | what it answers | goes deeper in |
# |---|---|---|
# | [00 · Start here](../00_start_here.ipynb) | the question, the plain answer, how to use the sliders | this map |
# | [01 · One neuron](../01_one_neuron.ipynb) | the sheet's line, row by row; a derivative in plain words; where the line itself breaks | [01](01_linear_sgd.ipynb) |
# | [02 · Two neurons](../02_two_neurons.ipynb) | the learner's model is still a line; the replay of the explosion; the finite-difference formulas | [02](02_two_neurons.ipynb) |
# | [03 · Why it explodes](../03_why_it_explodes.ipynb) | the largest lr that trains; how steep each row is, times lr | [03](03_why_it_explodes.ipynb) |
# | [04 · Better starts](../04_better_starts.ipynb) | do better initial weights help? surviving is not training; centring x | [04](04_initialization_and_scaling.ipynb), [09](09_keeping_it_stable.ipynb) |
# | [05 · Momentum](../05_momentum.ipynb) | what momentum does, and why its first epoch was worse | [05](05_momentum.ipynb) |
# | [06 · RMSProp and Adam](../06_rmsprop_adam.ipynb) | steps scaled per weight | [06](06_rmsprop_adam.ipynb) |
# | [07 · ReLU](../07_relu.ipynb) | the neuron that dies at row 26 | [07](07_relu.ipynb) |
# | [08 · Your questions](../08_your_questions.ipynb) | each of the learner's questions, answered | [08](08_findings.ipynb), [10](10_order_and_batches.ipynb) |
#
# **Going deeper** (`notebooks/deeper/`, the rigorous layer: every number computed, every claim tested):
#
# | notebook | what it answers |
# |---|---|
# | [01 · The linear model](01_linear_sgd.ipynb) | the `basic` sheet from scratch, number for number; what its "rmse" of 151 really is; why the intercept crawls |
# | [02 · Two neurons](02_two_neurons.ipynb) | the learner's model at the learner's settings: where it explodes; their finite-difference formulas are right one by one, but training on them stops short of a fit |
# | [03 · Why it explodes](03_why_it_explodes.ipynb) | at lr 1e-4 the path is unstable from the first big-x rows; the stability meter, the epoch map and its edges; where smaller learning rates land, and the drift that moves it |
# | [04 · Initialization and scaling](04_initialization_and_scaling.ipynb) | convergence maps of thousands of starts (surviving is not training); what a start can buy without knowing the answer; scaling x |
# | [05 · Momentum](05_momentum.ipynb) | the `momentum` sheet; what momentum does to the steep and the flat direction; damped vs undamped |
# | [06 · RMSProp, Adam, annealing](06_rmsprop_adam.ipynb) | the `rmsprop`, `adam`, `adam_ann` sheets; conventions; the optimizer race on the learner's model |
# | [07 · ReLU](07_relu.ipynb) | what really happened with the ReLU: the dead neuron |
# | [08 · Findings](08_findings.ipynb) | the learner's questions, each answered with evidence |
# | [09 · Keeping it stable](09_keeping_it_stable.ipynb) | the practitioners' remedies on the learner's model: standardizing, `lr_find`, warm-up and one-cycle, clipping, initialization, leaky ReLU |
# | [10 · Order and batches](10_order_and_batches.ipynb) | shuffled rows and mini-batches, as fastai trains: what survives |
#
# **Worked answers** (`notebooks/answers/`): every notebook's questions and exercises, answered with cells; the
# deeper ones are named `answers/deeper_NN_<name>.ipynb`, e.g.
# [deeper_03_why_it_explodes](../answers/deeper_03_why_it_explodes.ipynb). Each Questions section links to its
# own.
#
# Each notebook ends with a summary, exercises that check themselves, and questions.
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
# | converged | the sheet error has fallen below a tolerance (1, unless a notebook says otherwise) and is below it at the end of the run; surviving a few epochs is **not** converging. "Below 1 from epoch N" (`gu.epochs_to`) is the epoch from which the error stays below to the end of the run; a first dip that comes back up does not count |
# | stalled, wandering | a run that neither converges nor diverges: stalled, its error stays at about one value; wandering, it goes up and down without settling. The notebooks say which, with the numbers |
# | curvature K | for one row, K = ‖d pred / d weights‖²: the row's loss (pred − y)² is K·(distance)² along its gradient, so its second derivative there is 2K |
# | lr·K, the stability meter | one step multiplies its row's residual by about 1 − 2·lr·K |
# | overshoot | a step carries the row's prediction past its target (the residual changes sign): lr·K > 1/2 |
# | unstable | the residual comes out larger than it went in: lr·K > 1 for one row; for training as a whole, an eigenvalue of the epoch map larger than 1 in size |
# | epoch map, edge | near an exact fit one epoch is a linear map of the weights; a fit is stable at the learning rates where its eigenvalues (off the flat directions) are at most 1 in size. Its first edge is the largest lr up to which it is stable without a break |
# | destination | the fit a run lands on when it converges. Gradient flow would keep w1² + b1² − w2² at the start's value; each finite step changes it by 4·lr²·r²·(w2²(x² + 1) − h²), so the start and the lr choose the destination together (deeper/03, section 6) |
# | fraction over orders or nudges | an outcome that changes with the row order or the last bits of the arithmetic is reported as the share of runs, over shuffled orders or over starts nudged by about 1e-12, that converge or diverge |
#
# ## Where to run it
#
# - **Locally:** `python3 -m pip install -r requirements.txt && python3 -m jupyterlab notebooks/deeper/00_start_here.ipynb`
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
