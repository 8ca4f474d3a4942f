# %% [markdown]
# # 06 · RMSProp, Adam and annealing, then the optimizer race
#
# The sheet's last three sheets divide each step by the root of a running average of squared gradients. This
# notebook replays them exactly, from Reset through the macro history the workbook was saved with, shows the
# annealing rule of `adam_ann` step by step, and then answers the learner's next question: does any of these
# optimizers tame the 2-neuron explosion?

# %%
# %matplotlib widget

import numpy as np
import pandas as pd
import graddesc_utils as gu

pd.set_option("display.precision", 6)
x, y = gu.load_data()

# %% [markdown]
# ## RMSProp, as the sheet writes it
#
# $$w \leftarrow w - \text{lr}\,\frac{g}{\sqrt{v_{\text{previous}}}}, \qquad v \leftarrow \beta v + (1-\beta)\,g^2$$
#
# Note the order: the sheet divides by the average from the row *before*, then folds this row's g² in. Reset
# starts v at 10000 and then twice replaces it by the average a full pass ends with. The workbook was saved after
# Reset and one Run click (5 epochs) at lr = 0.02; replaying exactly that lands on the saved weights bit for bit:

# %%
rmsprop = gu.replay("rmsprop", epochs=5)
saved = gu.replay("rmsprop", start="saved").table().iloc[0]
print("after Reset + 5 epochs:", rmsprop.params)
print("the saved sheet's Excel row 4 (data row 1):", {"b": saved.b, "a": saved.a})
print("identical:", rmsprop.params == {"b": saved.b, "a": saved.a})
print("sheet error per epoch:", np.round(rmsprop.epoch_errors, 4).tolist())

# %% [markdown]
# ## Why divide by √v?
#
# √v is the typical size of recent gradients, so g/√v is of order 1 whatever the gradient's scale. In PyTorch's
# form, which folds this row's g² into v before dividing, v ≥ (1 − β)·g², so a step is at most lr/√(1 − β) (3.2·lr
# at β = 0.9), and multiplying every gradient by 1000 leaves the steps unchanged. Shown on the basic sheet's
# first-epoch gradients of a (v starts at 0, ε = 1e-8 outside the root):

# %%
gradients = gu.replay("basic").table().de_da.to_numpy()
for scale in [1.0, 1000.0, 1e-3]:
    optimizer = gu.RMSProp(0.01, beta=0.9, convention="pytorch")
    state, weight, steps = optimizer.init_state((), 1), np.array([0.0]), []
    for g in scale * gradients[:6]:
        before = weight[0]
        optimizer.step(weight, np.array([g]), state)  # updates weight and state in place
        steps.append(weight[0] - before)
    print(f"gradients x {scale:g}: first steps {np.round(steps, 5).tolist()}")

# %% [markdown]
# That property belongs to PyTorch's form, which folds this row's g² into v before dividing. **The sheet divides
# by the previous row's √v.** When the gradient jumps from one row to the next, the step is lr times the jump:
# nothing bounds it. The learner's 2-neuron model with the sheet's RMSProp at lr 0.1 (the race below), first rows:

# %%
rms = gu.train(gu.TwoNeuron(), gu.RMSProp(0.1), x, y, 10)
first_rows = rms.table().iloc[:4]
pd.DataFrame({**{f"step on {n}": (first_rows[f"new_{n}"] - first_rows[n]).to_numpy() for n in ("w1", "b1", "w2", "b2")},
              "slope w1·w2 after": (first_rows.new_w1 * first_rows.new_w2).to_numpy(),
              "intercept w2·b1 + b2 after": (first_rows.new_w2 * first_rows.new_b1 + first_rows.new_b2).to_numpy()},
             index=pd.Index(range(1, 5), name="row"))

# %%
untrained = np.sqrt(np.sum((gu.TwoNeuron().predict([np.ones(1)] * 4, x) - y) ** 2))
print("sheet error per epoch:", np.round(rms.epoch_errors, 1).tolist())
print(f"the untrained start's sheet error: {untrained:.1f}")

# %% [markdown]
# At row 2, w1 and w2 move by more than 20 (two hundred times lr), at row 3 b1 moves by 115: the line is thrown to
# a slope of hundreds and an intercept of thousands. From there the error falls steadily for ten epochs, but it ends
# epoch 10 at about 2,821, seven times worse than not training at all (405). Dividing by the previous row's √v is
# not bounded by anything like lr. (The sheet's Adam, which folds g² in first, is bounded: its steps stay below
# about lr at its betas.)
#
# ## Adam, as the sheet writes it
#
# $$m \leftarrow \beta_1 m + (1-\beta_1) g, \quad v \leftarrow \beta_2 v + (1-\beta_2) g^2, \quad
#   w \leftarrow w - \text{lr}\,\frac{m}{\sqrt{v}}$$
#
# using this row's m and v, no ε, no bias correction. The workbook was saved after Reset, 3 Run clicks at lr = 1,
# then lr typed down to 0.1 and 1 more click: 15 + 5 epochs.

# %%
adam = gu.replay("adam", epochs=15)
adam = gu.replay("adam", epochs=5, start=adam, lr=0.1)
saved = gu.replay("adam", start="saved").table().iloc[0]
print("Reset, 15 epochs at lr 1, 5 at lr 0.1:", adam.params)
print("identical to the saved sheet's Excel row 4 (data row 1):", adam.params == {"b": saved.b, "a": saved.a})

# %% [markdown]
# ## Annealing: the `adam_ann` sheet
#
# `adam_ann` is Adam with β2 = 0.95 and a rule in its macro: after every epoch, g2 = √v_b + √v_a (the gradient
# scale, from the last row). If g2 is more than twice the smallest g2 seen so far, lr is divided by 4; if g2 is a
# new smallest, it is remembered. Here is the rule, step by step, over 25 epochs from Reset:

# %%
annealed = gu.replay("adam_ann", epochs=25)
g2_per_epoch = np.sqrt(annealed.history["sqavg"][:, :, -1]).sum(axis=0)
_, after_reset = gu.reset_state("adam_ann")
smallest = float(np.sqrt(after_reset["sqavg"]).sum())
log = []
for epoch, g2 in enumerate(g2_per_epoch, start=1):
    lr_used = annealed.history["lr"][epoch - 1, 0]
    ratio = g2 / smallest
    action = "lr / 4" if ratio > 2 else ""
    log.append({"epoch": epoch, "lr used": lr_used, "g2": round(g2, 4), "smallest so far": round(smallest, 4),
                "g2 / smallest": round(ratio, 3), "macro": action})
    smallest = min(smallest, g2)
pd.DataFrame(log).iloc[:19]

# %% [markdown]
# The learning rate runs 1 → 0.25 → 0.0625 → 1/64 → 1/256, cut after epochs 7, 8, 16 and 17: each time a
# gradient spike says the steps have become too large for the valley they are in.

# %%
print("lr used by each epoch:", [float(v) for v in annealed.history["lr"][:, 0]])
print("sheet error per epoch:", np.round(annealed.epoch_errors, 3).tolist())
saved = gu.replay("adam_ann", start="saved").table().iloc[0]
print("Reset + 25 epochs against the saved sheet's Excel row 4 (data row 1): relative differences",
      {name: f"{abs(annealed.params[name] / saved[name] - 1):.1e}" for name in ("b", "a")})

# %% [markdown]
# ## Three conventions
#
# The same names hide different formulas. PyTorch and fastai differ from the sheet in ways that change the
# effective learning rate by up to 10×. `gu.RMSProp(..., convention="pytorch")` and friends run the PyTorch forms
# (their tests compare them with torch.optim's published update rules).

# %%
gu.conventions_table()

# %% [markdown]
# ## Try it: RMSProp and Adam on the linear model

# %% tags=["nbval-ignore-output"]
gu.explore_adaptive()

# %% [markdown]
# ## The optimizer race
#
# Now the learner's question: SGD, momentum, RMSProp, Adam and annealed Adam on the learner's 2-neuron model (all
# weights 1, the sheet's x), and on the linear model, sheet conventions. SGD and momentum use the sheet's lr = 1e-4;
# the adaptive ones lr = 0.1 (their steps are meant to be about lr in size, so their lr is on another scale). First
# the ten epochs the sheet would show:

# %%
race = {"2 neurons": gu.race(gu.TwoNeuron(), 1e-4, 0.1, epochs=10),
        "linear": gu.race(gu.Linear(), 1e-4, 0.1, epochs=10)}
outcome = pd.DataFrame({model: {name: (run.divergence_message() or f"error {run.epoch_errors[-1]:.3f}")
                                for name, run in runs.items()} for model, runs in race.items()})
outcome

# %%
fig, axes = gu.figure(2, sharey=True)
for ax, (model, runs) in zip(axes, race.items()):
    for name, run in runs.items():
        gu.epoch_error_line(ax, run, name)
    ax.set_title(model, fontsize=10)
    ax.set_xlabel("epoch")
axes[0].set_ylabel("sheet error (x: diverged in that epoch)")
axes[1].legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Ten epochs say who survives, not who trains. The same race for 3000 epochs, judged by convergence (sheet error
# below 1 at the end, `gu.converged`; first epoch below 1, `gu.epochs_to`):

# %%
long_race = {"2 neurons": gu.race(gu.TwoNeuron(), 1e-4, 0.1, epochs=3000),
             "linear": gu.race(gu.Linear(), 1e-4, 0.1, epochs=3000)}
for model, runs in long_race.items():
    for name, run in runs.items():
        print(f"{model:9} {name:13} {gu.verdict(run)}")

# %% [markdown]
# On the learner's model SGD and momentum diverge, as in notebook 02; damped momentum only delays the runaway until
# epoch 4, because its step is still lr times an average of gradients that grow with the weights. The adaptive
# optimizers survive: Adam's step is bounded (about lr per weight), so the feedback loop of notebook 03 (larger
# weights, larger K, larger step) is cut at the last link; the sheet's RMSProp survives despite its huge first steps.
# But at a constant lr = 0.1 neither **converges**: they keep stepping by up to lr per weight and rattle around the
# fits (in runs like these RMSProp typically dips below 1 now and then and leaves again; exactly when depends on the
# last bits of the arithmetic). Annealed Adam, which divides its lr by 4 whenever the gradients' scale jumps,
# converges on both models within a few dozen epochs: a decaying lr is what turns surviving into converging. On
# the linear model SGD and momentum converge too, after more than 2,000 epochs.
#
# ## Try it: the race with your learning rates

# %% tags=["nbval-ignore-output"]
gu.explore_race()


# %% [markdown]
# ## Summary
#
# - RMSProp and Adam divide by the root of a running average of g². In PyTorch's form each weight then moves about
#   lr per step, whatever the gradient's scale; the sheet's RMSProp divides by the previous row's average, and on
#   the learner's model its first rows take steps hundreds of times lr.
# - The sheets replay exactly: Reset + the saved macro history lands on the saved weights bit for bit (adam_ann to
#   about 1e-13), and adam_ann's annealing cuts lr after epochs 7, 8, 16 and 17.
# - The sheet, PyTorch and fastai write these optimizers differently; the differences change effective step sizes.
# - On the learner's model at these settings SGD and momentum diverge; RMSProp and Adam survive but, at a constant
#   lr, do not converge within 3000 epochs; annealed Adam, whose lr decays, converges: surviving is not converging.
#
# ## Exercises
#
# **1.** One row of the sheet's Adam for one weight.

# %%
def adam_step(weight, m, v, g, lr, beta1, beta2):
    # return new_weight, new_m, new_v
    return None

gu.check_adam_step(adam_step)


# %% [markdown]
# **2.** The adam_ann macro's rule: given the current lr, this epoch's g2 and the smallest g2 so far, return the
# next lr and the new smallest.

# %%
def anneal(lr, g2, smallest):
    return None

gu.check_annealing(anneal)

# %% [markdown]
# ## Questions
#
# 1. The sheet's RMSProp divides by the *previous* row's average. What would happen at the first row if it used this
#    row's, with v starting at 0? And what does dividing by the previous one do when the gradient jumps?
# 2. Adam's steps are about lr in size. Why can Adam at lr = 1 still fail to settle on the linear model?
# 3. Which optimizer would you pick for the learner's model, and with what lr? Check with the race sliders.
