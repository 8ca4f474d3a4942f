# %% [markdown]
# # Worked answers · deeper 08 The learner's findings
#
# Answers to the questions of [deeper/08 · The learner's findings](../deeper/08_findings.ipynb). Every number below
# comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
two = gu.TwoNeuron()

# %% [markdown]
# ## Question 1: the first change to the spreadsheet
#
# Change the data's scale, not the start: standardize x and y (or, in the sheet, centre x and use a smaller lr).
# That needs no knowledge of the answer and holds with shuffled rows. Expect the error below 1 within a few epochs:

# %%
xs, ys, to_sheet = gu.standardize(x, y)
run = gu.train(two, gu.SGD(0.1), xs, ys, 10, trace=False)
print(f"standardized, lr 0.1: sheet-scale error per epoch {np.round(run.epoch_errors * y.std(), 3).tolist()}")
print("over 40 shuffled orders:", gu.outcome_fractions(two, gu.SGD(0.1), xs, ys, 10, over="orders", n=40,
                                                       tol=1 / y.std()).counts)
centred = gu.outcome_fractions(two, gu.SGD(2e-5), x - x.mean(), y, 1000, over="orders", n=40)
print("centred x, lr 2e-5, over 40 shuffled orders:", centred.counts, "converged from epoch (min, median, max)", centred.epoch_spread)

# %% [markdown]
# ## Question 2: why the band ends where it does
#
# The band ends where the runs stop converging: above about 6.7e-5 every fit a run from this start can reach is
# unstable at the lr it uses, and its path is too (notebook 03). The largest lr of the scan that converges, and the
# flattest fit the converging runs reach:

# %%
lrs = np.geomspace(1e-5, 1e-4, 120)
scan = gu.train(gu.TwoNeuron(w1=np.ones(lrs.shape)), gu.SGD(lrs), x, y, 3000, trace=False, stop_below=1.0)
works = gu.converged(scan)
edges = gu.stability_edge(two, {n: np.asarray(scan.params[n])[works] for n in two.names})
print(f"largest converging lr: {lrs[works].max():.3g}; the flattest fit reached has its first edge at "
      f"{np.nanmax(edges):.3g}")

# %% [markdown]
# ## Question 3: a nonlinearity and two hidden units
#
# What stays: products of weights make the curvature weight-dependent, so the lr that is safe depends on where the
# run is; dead ReLUs still happen on uncentred positive inputs. What changes: the model is no longer a straight
# line, so "not smarter" no longer holds. This course's model has one hidden unit, so what can be checked here is
# that unit: at the sheet's lr with these inputs it dies in epoch 1 (active rows per epoch). Each of two units would
# face the same positive inputs and the same kind of step:

# %%
relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 3)
print("active rows per epoch:", (relu.history["h"] > 0).sum(axis=1).tolist())
