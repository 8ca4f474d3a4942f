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
# | [03 · Why it explodes](03_why_it_explodes.ipynb) | lr × curvature, the stability meter, the feedback loop, why the 2-neuron fits are sharper |
# | [04 · Initialization and scaling](04_initialization_and_scaling.ipynb) | maps of thousands of starts; what better weights can buy; scaling x |
# | [05 · Momentum](05_momentum.ipynb) | the `momentum` sheet; moving averages; damped vs undamped |
# | [06 · RMSProp, Adam, annealing](06_rmsprop_adam.ipynb) | the `rmsprop`, `adam`, `adam_ann` sheets; conventions; the optimizer race on the learner's model |
# | [07 · ReLU](07_relu.ipynb) | what really happened with the ReLU: the dead neuron |
# | [08 · Findings](08_findings.ipynb) | the learner's questions, each answered with evidence |
#
# Work through them in order; each ends with a summary, exercises that check themselves, and questions.
#
# ## How to use the sliders
#
# Every interactive is one call, such as `gu.explore_linear()`. Drag a slider (or click it and use the arrow
# keys); the figure redraws in place, and the line above it gives the sheet error or **"diverged at epoch e, row r"**.
# Learning-rate sliders are on a log scale. Heavy maps (notebook 04) recompute when you let go of the slider.
# All the machinery lives in `graddesc_utils.py` in the course's top folder; the notebooks show the math.
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
import sys
sys.path.append("..")  # graddesc_utils.py lives in the course's top folder

import graddesc_utils as gu

x, y = gu.load_data()
print(f"graddesc_utils loaded; {len(x)} data rows")
print(f"the basic sheet, epoch 1: {gu.replay('basic').epoch_errors[0]:.6f} (the spreadsheet says 150.755...)")

# %%
import importlib.metadata as metadata
for package in ["numpy", "matplotlib", "pandas", "ipywidgets", "ipympl", "jupyterlab"]:
    print(f"{package:12} {metadata.version(package)}")
