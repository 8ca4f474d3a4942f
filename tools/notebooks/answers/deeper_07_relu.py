# %% [markdown]
# # Worked answers · deeper 07 ReLU
#
# Answers to the exercises and questions of [deeper/07 · ReLU](../deeper/07_relu.ipynb). Every number below comes
# from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: count the active rows

# %%
def active_rows(w1, b1, x):
    return int(np.sum(w1 * np.asarray(x) + b1 > 0))

gu.check_active_rows(active_rows)

# %% [markdown]
# ## Exercise 2: ReLU's slope as backpropagation uses it

# %%
def relu_slope(h):
    return 1.0 if h > 0 else 0.0

gu.check_relu_slope(relu_slope)

# %% [markdown]
# ## Question 1: where b2 creeps, and why slowly
#
# With the neuron dead the model is pred = b2, and the error is smallest at the mean of y. Each row moves b2 by
# 2·lr·(y − b2): about 2·29·lr of the gap per epoch, 0.6% at lr 1e-4:

# %%
run = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 2000, trace="epochs")
b2 = run.epoch_params["b2"]
print(f"mean of y {y.mean():.3f}; b2 after epochs 10, 100, 1000, 2000: "
      f"{[round(float(b2[e - 1]), 3) for e in (10, 100, 1000, 2000)]}")
gap = y.mean() - b2
print(f"share of the gap closed per epoch (epochs 100-101): {1 - gap[100] / gap[99]:.4f}; 2·29·lr = {2 * 29 * 1e-4:.4f}")

# %% [markdown]
# ## Question 2: could a negative x or a large b1 revive it?
#
# Yes: h = w1·x + b1 > 0 needs x < −b1/w1 when w1 < 0. A row with a negative x (or any b1 > −w1·x for some row)
# would pass gradient again. With the dead run's weights:

# %%
w1, b1 = run.params["w1"], run.params["b1"]
print(f"w1 = {w1:.3f}, b1 = {b1:.3f}: a row is active where x < {-b1 / w1:.3f}")
print("the sheet's rows active:", active_rows(w1, b1, x), "| rows active if x were centred:",
      active_rows(w1, b1, x - x.mean()))

# %% [markdown]
# ## Question 3: explode or die, and the deciding row
#
# Up to row 26 both models take the same steps. Row 26's step throws w1 negative: for the ReLU that makes h < 0 on
# every row, the gradient to w1, b1, w2 vanishes and nothing can grow any more; the linear model keeps its
# gradient, and its overshoots grow until it diverges at row 28:

# %%
relu_rows = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y).table()
line_run = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y)
print(f"row 26: w1 {relu_rows.w1[25]:.2f} -> {relu_rows.new_w1[25]:.2f}; the linear 2-neuron model: "
      f"{line_run.divergence_message()}")
