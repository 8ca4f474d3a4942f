# %% [markdown]
# # Worked answers · 02 Two neurons
#
# Answers to the exercises and questions of [02 · Two neurons](../02_two_neurons.ipynb). Every number below comes
# from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()
model = gu.TwoNeuron()

# %% [markdown]
# ## Exercise 1: the four exact derivatives
#
# With h = w1·x + b1 and the miss r = pred − y, the error is r². Nudging b2 changes pred one for one; nudging w2
# changes it by h; nudging b1 changes h one for one, and pred by w2; nudging w1 changes h by x, and pred by w2·x.

# %%
def two_neuron_gradient(w1, b1, w2, b2, x, y):
    h = w1 * x + b1
    r = w2 * h + b2 - y
    return 2 * r * w2 * x, 2 * r * w2, 2 * r * h, 2 * r

gu.check_two_neuron_gradient(two_neuron_gradient)

# %% [markdown]
# ## Exercise 2: an exact fit
#
# The slope w1·w2 must be 2 and the intercept w2·b1 + b2 must be 30:

# %%
def exact_fit(w1, b1):
    w2 = 2 / w1
    return w2, 30 - w2 * b1

gu.check_exact_fit(exact_fit)
w2, b2 = exact_fit(1.0, 1.0)
prediction = model.predict([np.asarray(v) for v in (1.0, 1.0, w2, b2)], x)
print(f"w1 = b1 = 1: w2 = {w2:g}, b2 = {b2:g}; largest miss over the rows {np.abs(prediction - y).max():g}")

# %% [markdown]
# ## Question 1: one neuron or not?
#
# The same line can be drawn by many sets of four weights, and they learn differently. Two fits of the data, with
# the derivatives of row 2's error at a point just off each:

# %%
fits = {"w1 = 1, b1 = 0, w2 = 2, b2 = 30": (1.0, 0.0, 2.0, 30.0),
        "w1 = 4, b1 = 5, w2 = 0.5, b2 = 27.5": (4.0, 5.0, 0.5, 27.5)}
for label, weights in fits.items():
    prediction = model.predict([np.asarray(v) for v in weights], x)
    off = [weights[0] * 1.01, *weights[1:]]  # w1 one percent too big
    print(f"{label}: largest miss {np.abs(prediction - y).max():g}; "
          f"derivatives with w1 1% off: {np.round(two_neuron_gradient(*off, x[1], y[1]), 2).tolist()}")

# %% [markdown]
# As a function from x to a prediction it is one neuron: it only draws lines. As something to train it is not: four
# weights, derivatives that depend on the other weights, and steps that change with where on the family of fits
# you are. That difference is what explodes.
#
# ## Question 2: why do big-x rows swing the line most?
#
# The derivative for w1 carries a factor x, and the slope is w1 times w2, so a row with a big x moves the slope
# most. At the start (all weights 1, every row computed from the same weights):

# %%
start = (1.0, 1.0, 1.0, 1.0)
for i in np.argsort(x)[[0, 14, 28]]:
    print(f"x = {x[i]:g}: derivatives {np.round(two_neuron_gradient(*start, x[i], y[i]), 1).tolist()}")

# %% [markdown]
# The derivatives for w1 and w2 grow with x (and with the miss, which is also largest at big x here), so the steps
# that change the slope are biggest there.
#
# ## Question 3: why does a one-way nudge push at a fit?
#
# One row's error, as a function of one weight, is a bowl. A nudge up measures the bowl's average slope between
# here and a bit to the right. At the bottom of a bowl the slope is 0, but to the right the bowl rises, so the
# average slope is positive. The excess is the nudge times the bowl's steepness, which for w1 is the nudge times
# (w2·x) squared. At the fit w1 = 1, b1 = 0, w2 = 2, b2 = 30, summed over the rows:

# %%
step, fit = 0.01, (1.0, 0.0, 2.0, 30.0)
error = lambda w: float(((w * x + 0.0) * 2.0 + 30.0 - y) @ ((w * x + 0.0) * 2.0 + 30.0 - y))  # all rows, w1 = w
one_way = (error(1.0 + step) - error(1.0)) / step
both_ways = (error(1.0 + step) - error(1.0 - step)) / (2 * step)
print(f"one-way nudge for w1: {one_way:.2f}; nudge times (w2*x)^2 summed: {step * np.sum((2.0 * x) ** 2):.2f}")
print(f"nudge both ways: {both_ways:.3g}")

# %% [markdown]
# The one-way number is exactly the nudge times the bowl's steepness; the two-way number is 0 up to rounding.
# A smaller nudge means a smaller push, hence a lower floor, but never none.
