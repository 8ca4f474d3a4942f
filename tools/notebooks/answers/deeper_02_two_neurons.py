# %% [markdown]
# # Worked answers · deeper 02 Two neurons
#
# Answers to the exercises and questions of [deeper/02 · Two neurons](../deeper/02_two_neurons.ipynb). Every
# number below comes from a cell of this notebook.

# %%
import numpy as np
import pandas as pd
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: the four gradients
#
# With h = w1·x + b1 and r = pred − y, the chain rule through pred = w2·h + b2 gives 2r times d pred/d weight.

# %%
def two_neuron_gradient(w1, b1, w2, b2, x, y):
    h = w1 * x + b1
    r = w2 * h + b2 - y
    return 2 * r * w2 * x, 2 * r * w2, 2 * r * h, 2 * r

gu.check_two_neuron_gradient(two_neuron_gradient)

# %% [markdown]
# ## Exercise 2: the exact fit for a given w1, b1
#
# The model's line has slope w1·w2 and intercept w2·b1 + b2; set them to 2 and 30.

# %%
def exact_fit(w1, b1):
    w2 = 2 / w1
    return w2, 30 - w2 * b1

gu.check_exact_fit(exact_fit)

# %% [markdown]
# ## Question 1: one neuron or two?
#
# As a function it is one neuron: whatever the weights, the prediction is the line with slope w1·w2 and
# intercept w2·b1 + b2. As a thing to train it is not: the same line is reached by a whole family of weights,
# and the gradients multiply weights by weights, so training moves differently. At one set of weights:

# %%
w1, b1, w2, b2 = 0.7, 3.0, 2.5, 4.0
two = gu.TwoNeuron().predict([np.asarray(v) for v in (w1, b1, w2, b2)], x)
line = (w1 * w2) * x + (w2 * b1 + b2)
print("largest difference, 2-neuron prediction vs the line a = w1·w2, b = w2·b1 + b2: "
      f"{np.max(np.abs(two - line)):.2e}")
one = gu.train(gu.Linear(), gu.SGD(1e-4), x, y, epochs=1)
stacked = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, epochs=1)
print(f"same data, same lr 1e-4, every weight 1: the line's sheet error after epoch 1 is "
      f"{one.epoch_errors[0]:.3f}; "
      f"the stacked model {stacked.divergence_message()}")

# %% [markdown]
# ## Question 2: which gradient grows fastest before the explosion?
#
# The sizes of the four gradients at rows 22 to 27 of the learner's run, and how much each grew:

# %%
steps = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, epochs=1).table()
steps.index = steps.index + 1
sizes = steps.loc[22:27, ["x", "w2", "h", "de_dw1", "de_db1", "de_dw2", "de_db2"]]
print("growth from row 22 to row 27:",
      {name: f"{abs(steps.at[27, name] / steps.at[22, name]):.3g}x"
       for name in ["de_dw1", "de_db1", "de_dw2", "de_db2"]})
sizes

# %% [markdown]
# de/dw1 = 2r·w2·x and de/dw2 = 2r·h are the largest, tens of millions by row 27, and they grow fastest (more than
# 40,000-fold from row 22; de/db1 = 2r·w2 nearly as fast): each is the residual times a factor that itself grows
# (w2·x, and h = w1·x + b1). They move w1 and w2, which in turn make the next h and w2 larger. de/db2 = 2r grows
# only with the residual, a few hundredfold.
#
# ## Question 3: why the w1 bias grows with x² and w2²
#
# The forward difference's bias is s·(d pred/d w1)² = s·(w2·x)². Along the learner's run:

# %%
fd = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, epochs=1, gradient="finite_difference").table()
fd.index = fd.index + 1
bias = fd.est_de_dw1 - fd.de_dw1
predicted = 0.01 * (fd.w2 * fd.x) ** 2
bias_table = pd.DataFrame({"x": fd.x, "w2": fd.w2, "measured bias": bias,
                           "0.01·(w2·x)²": predicted})
bias_table.loc[[1, 2, 24, 25, 26]]

# %% [markdown]
# The bias is the step times the square of how strongly w1 moves the prediction, and that is w2·x: large x and
# large w2 both magnify it. Just before the explosion w2 has grown several times over at large x, so the bias
# reaches about 1,500 (row 26), far from the 1.96 of row 1, while the rows it is added to are themselves
# unstable: a bias of that size changes the next weights, and the run's errors drift far from the analytic
# run's. (At a fit the same bias is why training on forward differences stalls short of it: deeper/02.)
