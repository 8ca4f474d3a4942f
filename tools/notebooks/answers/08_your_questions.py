# %% [markdown]
# # Worked answers · 08 Your questions
#
# Answers to the exercise and questions of [08 · Your questions](../08_your_questions.ipynb). Every number below
# comes from a cell of this notebook.

# %%
import numpy as np
import graddesc_utils as gu

x, y = gu.load_data()

# %% [markdown]
# ## Exercise 1: the lr for a batch
#
# fastai's loss is the mean over the batch, so one batch's step is lr times the *mean* gradient. The sheet takes
# one step per row, each lr times that row's gradient. Where the weights barely move within the batch, b sheet
# steps add up to b times the mean step: fastai's lr must be b times the sheet's.

# %%
def batch_lr(sheet_lr, batch_size):
    return sheet_lr * batch_size

gu.check_batch_lr(batch_lr)

# %% [markdown]
# How close is "about as far" on the line, from a = b = 1? Four sheet steps at lr 1e-5 against one mean step of
# the same four rows at lr 4e-5:

# %%
four = gu.train(gu.Linear(), gu.SGD(1e-5), x[:4], y[:4], 1).params
one_batch = gu.train(gu.Linear(), gu.SGD(batch_lr(1e-5, 4)), x[:4], y[:4], 1, batch_size=4).params
print("four sheet steps:", {k: round(float(v), 6) for k, v in four.items()})
print("one batch of 4:  ", {k: round(float(v), 6) for k, v in one_batch.items()})

# %% [markdown]
# Close, not equal: the sheet's later rows already see the weights the earlier rows moved.
#
# ## Question 1: which answers change when the rows are shuffled?
#
# The better starts do: b2 at 30 trains in the sheet's order and in no shuffled order at lr 1e-4. The largest lr
# that trains does too: it is lower with shuffled rows (notebook 03). The explosion at lr 1e-4 from the learner's
# start does not:

# %%
sheet = gu.train(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), x, y, 3000, trace=False)
shuffled = gu.outcome_fractions(gu.TwoNeuron(b2=30.0), gu.SGD(1e-4), x, y, 3000, n=40)
print("b2 = 30, lr 1e-4, the sheet's order: converged", gu.converged(sheet), "from epoch", gu.epochs_to(sheet))
print("the same over 40 shuffled orders:", shuffled)
learner = gu.outcome_fractions(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 5, n=40)
print("the learner's start at lr 1e-4, 40 shuffled orders:", learner, "; epochs", sorted(set(learner.epochs.tolist())))

# %% [markdown]
# The learner's start at 1e-4 diverges in every shuffled order too, within its first four epochs.
#
# ## Question 2: why is "it did not explode" not "it trained"?
#
# A run can survive and still be far from any fit. The ReLU run never explodes, yet stays at the best flat line's
# error; the full-batch run at lr 1e-4 survives 3,000 epochs with its error still in the hundreds:

# %%
relu = gu.train(gu.TwoNeuron(relu=True), gu.SGD(1e-4), x, y, 3000, trace=False)
full = gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y, 3000, trace=False, batch_size=len(x))
print(f"ReLU: diverged {relu.diverged}, error after 3000 epochs {relu.final_errors:.3f}")
print(f"2 neurons, full batch: diverged {full.diverged}, error after 3000 epochs {full.final_errors:.3f}")
