# %% [markdown]
# # 06 · RMSProp, Adam and annealing, then the optimizer race
#
# *Going deeper into [06 · RMSProp and Adam](../06_rmsprop_adam.ipynb) of the learner's path.*
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
# the adaptive ones lr = 0.1 (their steps are meant to be about lr in size, so their lr is on another scale). The
# sheet's RMSProp and Adam start their squared averages at v = 10,000 (what Reset writes before its seeding passes),
# and the race depends on it (below). First the ten epochs the sheet would show:

# %%
race = {"2 neurons": gu.race(gu.TwoNeuron(), 1e-4, 0.1, epochs=10),
        "linear": gu.race(gu.Linear(), 1e-4, 0.1, epochs=10)}
outcome = pd.DataFrame({model: {name: (run.divergence_message() or f"error {run.epoch_errors[-1]:.3f}")
                                for name, run in runs.items()} for model, runs in race.items()})
outcome

# %%
fig, axes = gu.figure(2)  # each panel its own error axis: the line's errors are far smaller than the 2 neurons'
for ax, (model, runs) in zip(axes, race.items()):
    for name, run in runs.items():
        gu.epoch_error_line(ax, run, name)
    ax.set_title(model, fontsize=10)
    ax.set_xlabel("epoch")
axes[0].set_ylabel("sheet error (x: diverged in that epoch)")
axes[1].legend(fontsize=8)
gu.show(fig)

# %% [markdown]
# Ten epochs say who survives, not who trains. The same race for 3000 epochs: for a run that converged, the epoch
# from which its sheet error stays below 1; for one that did not, what its error does over the last 1000 epochs:

# %%
def error_story(run, last=1000):
    """What a run's sheet error does: diverged, converged (below 1 from epoch N to the end), or its range, its
    trend and its visits below 1 over the last epochs."""
    if run.diverged_at:
        return run.divergence_message()
    if gu.converged(run):
        return f"converged: below 1 from epoch {gu.epochs_to(run)} on, ending at {run.final_errors:.2g}"
    tail = run.epoch_errors[-last:]
    trend = ("falling" if tail[-1] < 0.8 * tail[0] else "rising" if tail[-1] > 1.25 * tail[0]
             else "neither falling nor rising")
    return (f"not converged: over the last {last} epochs the error ranges from {tail.min():.3g} to {tail.max():.3g}, "
            f"{trend}; below 1 in {int((run.epoch_errors < 1).sum())} of {run.epochs} epochs")


long_race = {"2 neurons": gu.race(gu.TwoNeuron(), 1e-4, 0.1, epochs=3000),
             "linear": gu.race(gu.Linear(), 1e-4, 0.1, epochs=3000)}
for model, runs in long_race.items():
    for name, run in runs.items():
        print(f"{model:9} {name:13} {error_story(run)}")

# %% [markdown]
# On the learner's model SGD and momentum diverge, as in notebook 02; damped momentum only delays the runaway until
# epoch 4, because its step is still lr times an average of gradients that grow with the weights. The adaptive
# optimizers survive: Adam's step is bounded (about lr per weight), so the feedback loop of notebook 03 (larger
# weights, larger K, larger step) is cut at the last link; the sheet's RMSProp survives despite its huge first steps.
# At lr = 0.1 neither converges. Adam rattles on a floor: its step stays about lr in size near a fit, because m/√v
# does not shrink when the gradient does. The sheet's RMSProp wanders: its error dips below 1 now and then (once in
# 3000 epochs on the learner's model, 4 times on the line) and climbs back to the hundreds or thousands (exactly
# when depends on the last bits of the arithmetic). Annealed Adam, which
# divides its lr by 4 whenever the gradients' scale jumps, converges on both models within a few dozen epochs. On
# the linear model SGD and momentum converge too, after more than 2,000 epochs.
#
# What annealed Adam's lr is by then, and at the end of the race:

# %%
for model_label, model in [("2 neurons", gu.TwoNeuron()), ("linear", gu.Linear())]:
    at_100 = gu.train(model, gu.Adam(0.1, 0.9, 0.95, anneal=True), x, y, 100, trace=False).state["lr"]
    at_end = long_race[model_label]["annealed Adam"].state["lr"]
    print(f"{model_label:9} annealed Adam's lr after 100 epochs: {float(at_100):.3g}; after 3000: {float(at_end):.3g}")

# %% [markdown]
# Near a fit the gradients shrink, every small jump in their scale triggers another division by 4, and the lr keeps
# falling: to about 1e-10 (learner's model) and 6e-9 (line) after 100 epochs, and after 3000 to below 1e-17 on the
# line and to 0 on the learner's model (the division underflows). So once it has fitted, annealed Adam is frozen where it stands rather than still training.
#
# ## Adam at a constant, smaller lr
#
# Is the decay what makes Adam converge? Run the sheet's Adam at constant learning rates from 0.1 down to 1e-4, for
# 20,000 epochs, and look at the error it settles on (its floor, the smallest and largest error of the last 1000
# epochs):

# %%
adam_lrs = np.array([0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4])
rows = []
for label, model in [("2 neurons", gu.TwoNeuron(w1=np.ones(adam_lrs.shape))),
                     ("linear", gu.Linear(a=np.ones(adam_lrs.shape)))]:
    run = gu.train(model, gu.Adam(adam_lrs), x, y, 20_000, trace=False)
    tail = run.epoch_errors[-1000:]
    for i, lr in enumerate(adam_lrs):
        rows.append({"model": label, "lr": lr, "below 1 from epoch (0: not)": int(gu.epochs_to(run)[i]),
                     "floor: lowest": tail[:, i].min(), "highest": tail[:, i].max(),
                     "highest / lr": tail[:, i].max() / lr})
floors = pd.DataFrame(rows)
floors

# %% [markdown]
# At a constant lr the sheet's Adam converges on the learner's model from lr 1e-3 down (below 1 from epoch 596 at
# 1e-3, from epoch 1975 at 3e-4), and its floor shrinks in proportion to the lr: the highest error of the last
# 1000 epochs is about 600 times the lr on the learner's model (from 1e-2 down) and 191 times the lr on the line.
# Above 1e-3 that floor is higher than 1: the runs at 0.1 to 3e-3 that "did not converge" sit on their floors. So
# a decaying lr is not the only way to converge; it is a way to have both, large steps early and a low floor late.
# Annealed Adam stays below 1 from epoch 39, a constant 1e-3 from epoch 596.
#
# ## The race depends on the sheet's v = 10,000
#
# The sheet's squared averages start at 10,000, not at 0. Started at 0, the sheet's RMSProp divides the second
# row's gradient by the root of the first row's tiny average:

# %%
from graddesc.engine import train_loop  # train with a given optimizer state (here: the squared averages' start)

for v_start in [10_000.0, 0.0]:
    for name, optimizer, epochs in [("RMSProp", gu.RMSProp(0.1), 3000), ("Adam", gu.Adam(0.1), 3000),
                                    ("annealed Adam", gu.Adam(0.1, 0.9, 0.95, anneal=True), 3000)]:
        state = optimizer.init_state((), 4)
        state["sqavg"][:] = v_start
        run = train_loop(gu.TwoNeuron(), optimizer, x, y, epochs, trace=False, state=state, backend="auto")
        print(f"v starts at {v_start:>7,.0f}: {name:13} {error_story(run)}")

# %% [markdown]
# With v starting at 0 the sheet's RMSProp diverges in the first epoch, at row 2; the race's "RMSProp survives"
# is a property of the sheet's start of 10,000. Adam, which folds this row's g² in before dividing, rattles on
# about the same floor either way, and annealed Adam converges either way.
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
# - On the learner's model at these settings SGD and momentum diverge; at lr 0.1 Adam rattles on a floor and the
#   sheet's RMSProp wanders, neither converging within 3000 epochs; annealed Adam converges, and then its lr keeps
#   being cut (to 0 on the learner's model by epoch 3000): it is frozen on its fit, not training.
# - The sheet's Adam at a constant lr of 1e-3 or 3e-4 converges on the learner's model too: its error floor scales
#   with the lr. A decaying lr buys large steps early and a low floor late.
# - The sheet's squared averages start at 10,000; from 0 the sheet's RMSProp diverges at row 2 of the race.
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
# [Worked answers](../answers/deeper_06_rmsprop_adam.ipynb) to the exercises and the questions.
#
# 1. The sheet's RMSProp divides by the *previous* row's average. What would happen at the first row if it used this
#    row's, with v starting at 0? And what does dividing by the previous one do when the gradient jumps?
# 2. Adam's steps are about lr in size. Why can Adam at lr = 1 still fail to settle on the linear model?
# 3. Which optimizer would you pick for the learner's model, and with what lr? Check with the race sliders.
