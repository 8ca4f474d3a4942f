"""Compiled sweeps: the engine's arithmetic as one numba loop, configurations innermost.

`train(..., trace=False)` runs here for the course's models (Linear, TwoNeuron with identity, ReLU or leaky ReLU)
and optimizers (SGD, Momentum, RMSProp, Adam, annealed Adam; sheet or PyTorch convention), with analytic or
finite-difference gradients, gradient clipping and an lr schedule. Every operation is the one engine.py's numpy
loop does, in the same order, in IEEE arithmetic (no fastmath), so a sweep equals its single runs bit for bit
(tests/test_kernels.py checks every combination on random configurations).

Why it is fast:
- configurations innermost: one row's update of thousands of configurations is independent work the compiler
  turns into vector instructions (looping rows innermost makes every update wait for the one before);
- blocks: BLOCK configurations at a time run all their epochs with everything they need (weights, averages, lr,
  divergence flags) in one small array of FIELDS rows that stays in the cache. One array, indexed from 0, is also
  what lets the compiler prove that no store in the loop overwrites a load, which it must before it vectorizes;
- blocks run in parallel on the machine's cores, and a block stops as soon as every configuration in it has
  diverged or (with stop_below) converged.
`run` is compiled once per combination of model, activation, optimizer, convention, gradient, clipping, shuffled
rows and mini-batches (1-3 s each; each is a numba.literally argument, so every `if` on them is decided at compile
time: the sheet's own runs, in order and one row per update, compile to the loop without any of it) and cached on
disk (`cache=True`). `compile_kernels()` compiles the combinations the notebooks use.
This module imports numba; engine.py imports it only when a sweep runs.
"""
import numba
import numpy as np

from .optimizers import CLIP_EPS, TORCH_EPS
from .run import DIVERGENCE_LIMIT

BLOCK = 256  # configurations per block: a block's array (FIELDS x BLOCK numbers) stays in the L1/L2 cache
MODELS = {"Linear": 0, "TwoNeuron": 1}
ACTIVATIONS = {"identity": 0, "relu": 1, "leaky": 2}
OPTIMIZERS = {"SGD": 0, "Momentum": 1, "RMSProp": 2, "Adam": 3}

# The rows of a block's array, all floats: weights (Linear uses the first two), averages, settings, outcomes, and
# a mini-batch's summed gradient.
W, M, V, STOPPED_W = 0, 4, 8, 12  # four rows each
LR, LEAK, CLIP, TOTAL, BAD_ROW, DIV_E, DIV_R, STOP_E, SMALLEST, PREVIOUS, CALM, SEED, BATCH, DIV_K, XI, YI = range(
    16, 32)
G = 32  # four rows
FIELDS = 36


@numba.njit(error_model="numpy")
def predict(w0, w1, w2, w3, xi, leak, two, activation):
    """(pred, act, h): Linear has w0 = b, w1 = a; TwoNeuron w0..w3 = w1, b1, w2, b2 (the models' order)."""
    if not two:
        pred = w1 * xi
        pred += w0
        return pred, 0.0, 0.0
    h = w0 * xi
    h += w1
    if activation == 1:
        act = h if (h >= 0.0) | (h != h) else 0.0  # np.maximum(h, 0): NaN passes through
    elif activation == 2:
        act = h if h > 0.0 else leak * h
    else:
        act = h
    pred = w2 * act
    pred += w3
    return pred, act, h


@numba.njit(error_model="numpy")
def update(s, p, c, w, g, rate, beta1, one_minus1, beta2, one_minus2, correction1, correction2, optimizer, torch):
    """One weight's step, as optimizers.py writes it (its averages updated in s); returns the new weight."""
    if optimizer == 1:  # Momentum
        m = s[M + p, c] * beta1
        m += g if torch else one_minus1 * g
        s[M + p, c] = m
        return w - rate * m
    if optimizer == 2:  # RMSProp
        v = s[V + p, c]
        if torch:
            v = v * beta1 + (g * g) * one_minus1
            s[V + p, c] = v
            root = np.sqrt(v)
            root += TORCH_EPS
            return w - rate * (g / root)
        new = w - (rate * g) / np.sqrt(v)  # the sheet divides by the previous row's average
        s[V + p, c] = v * beta1 + (g * g) * one_minus1
        return new
    if optimizer == 3:  # Adam
        m = s[M + p, c] * beta1
        m += one_minus1 * g
        v = s[V + p, c] * beta2
        v += (g * g) * one_minus2
        s[M + p, c] = m
        s[V + p, c] = v
        root = np.sqrt(v)
        if torch:
            root /= correction2
            root += TORCH_EPS
            return w - rate * (m / root)  # rate arrives divided by correction1 (block does it once per row)
        return w - (rate * m) / root
    return w - rate * g  # SGD


@numba.njit(error_model="numpy")
def block(s, x, y, epochs, factors, order, beta1, one_minus1, beta2, one_minus2, bias1, root_bias2, fd_step,
          stop_below, patience, anneal, errors, record, path, two, activation, optimizer, torch, finite_difference,
          clip, shuffled, batched):
    """All epochs of one block: s is its (FIELDS, n) array; errors[epoch, c] gets each epoch's sheet error.
    factors[epoch, update] multiplies the lr (all ones without a schedule: lr * 1.0 is lr exactly).
    shuffled: configuration c visits row order[s[SEED, c], epoch, k] at step k (row_orders.py);
    batched: one update per s[BATCH, c] rows, with the mean of their gradients (engine.py's numpy loop)."""
    numba.literally(two)  # (the flags arrive as compile-time constants; this keeps them so)
    numba.literally(activation)
    numba.literally(optimizer)
    numba.literally(torch)
    numba.literally(finite_difference)
    numba.literally(clip)
    numba.literally(shuffled)
    numba.literally(batched)
    n = s.shape[1]
    n_rows = x.shape[0]
    n_params = 4 if two else 2
    adam_torch = (optimizer == 3) & torch
    for epoch in range(epochs):
        for c in range(n):
            s[TOTAL, c] = 0.0
            s[BAD_ROW, c] = np.inf  # the first row of this epoch that diverged, if any
        for row in range(n_rows):
            xi, yi = x[row], y[row]
            factor = factors[epoch, row]
            t = epoch * n_rows + row  # PyTorch Adam's bias corrections at this step (counted from 0 here)
            correction1 = bias1[t] if adam_torch else 1.0
            correction2 = root_bias2[t] if adam_torch else 1.0
            if shuffled:  # each configuration's row at this step, gathered first (the loop below then vectorizes)
                for c in range(n):
                    data_row = order[int(s[SEED, c]), epoch, row]
                    s[XI, c], s[YI, c] = x[data_row], y[data_row]
            for c in range(n):
                if shuffled:
                    xi, yi = s[XI, c], s[YI, c]
                w0, w1 = s[0, c], s[1, c]
                w2 = s[2, c] if two else 0.0
                w3 = s[3, c] if two else 0.0
                leak = s[LEAK, c] if activation == 2 else 0.0
                pred, act, h = predict(w0, w1, w2, w3, xi, leak, two, activation)
                r = pred - yi
                err = r * r
                s[TOTAL, c] += err
                # diverged: the squared error or a weight in use not finite or beyond the limit (NaN fails)
                healthy = (err <= DIVERGENCE_LIMIT) & (abs(w0) <= DIVERGENCE_LIMIT) & (abs(w1) <= DIVERGENCE_LIMIT)
                if two:
                    healthy = healthy & (abs(w2) <= DIVERGENCE_LIMIT) & (abs(w3) <= DIVERGENCE_LIMIT)
                s[BAD_ROW, c] = min(s[BAD_ROW, c], np.inf if healthy else row + 1.0)
                # the gradient of (pred - y)^2, as the models write it: analytic, or the sheet's forward difference
                if finite_difference:
                    p0, _, _ = predict(w0 + fd_step, w1, w2, w3, xi, leak, two, activation)
                    p1, _, _ = predict(w0, w1 + fd_step, w2, w3, xi, leak, two, activation)
                    e0, e1 = p0 - yi, p1 - yi
                    g0 = e0 * e0 - err
                    g0 /= fd_step
                    g1 = e1 * e1 - err
                    g1 /= fd_step
                    g2 = g3 = 0.0
                    if two:
                        p2, _, _ = predict(w0, w1, w2 + fd_step, w3, xi, leak, two, activation)
                        p3, _, _ = predict(w0, w1, w2, w3 + fd_step, xi, leak, two, activation)
                        e2, e3 = p2 - yi, p3 - yi
                        g2 = e2 * e2 - err
                        g2 /= fd_step
                        g3 = e3 * e3 - err
                        g3 /= fd_step
                else:
                    d = r * 2.0
                    if not two:
                        g0 = d
                        g1 = xi * d
                        g2 = g3 = 0.0
                    else:
                        g3 = d
                        g2 = act * d
                        g1 = w2 * d
                        if activation == 1:
                            g1 *= 1.0 if h > 0.0 else 0.0
                        elif activation == 2:
                            g1 *= 1.0 if h > 0.0 else leak
                        g0 = g1 * xi
                ending, factor_c, correction1_c, correction2_c = True, factor, correction1, correction2
                if batched:  # add the row's gradient to its batch's; at the batch's last row, update with the mean
                    size = int(s[BATCH, c])
                    place = row % size
                    if place == 0:
                        s[G, c] = g0
                        s[G + 1, c] = g1
                        if two:
                            s[G + 2, c] = g2
                            s[G + 3, c] = g3
                    else:
                        s[G, c] += g0
                        s[G + 1, c] += g1
                        if two:
                            s[G + 2, c] += g2
                            s[G + 3, c] += g3
                    ending = (place == size - 1) | (row == n_rows - 1)
                    if ending:
                        count = place + 1.0
                        g0 = s[G, c] / count
                        g1 = s[G + 1, c] / count
                        if two:
                            g2 = s[G + 2, c] / count
                            g3 = s[G + 3, c] / count
                        step = row // size  # the update within the epoch, from 0
                        factor_c = factors[epoch, step]
                        t_c = epoch * ((n_rows + size - 1) // size) + step  # Adam's t counts updates
                        correction1_c = bias1[t_c] if adam_torch else 1.0
                        correction2_c = root_bias2[t_c] if adam_torch else 1.0
                if not ending:
                    continue
                if clip:  # torch.nn.utils.clip_grad_norm_
                    norm2 = g0 * g0
                    norm2 += g1 * g1
                    if two:
                        norm2 += g2 * g2
                        norm2 += g3 * g3
                    coef = np.sqrt(norm2)
                    coef += CLIP_EPS
                    coef = s[CLIP, c] / coef
                    coef = coef if coef < 1.0 else 1.0
                    g0 *= coef
                    g1 *= coef
                    g2 *= coef
                    g3 *= coef
                rate = s[LR, c] * factor_c
                if adam_torch:
                    rate = rate / correction1_c  # optimizers.py's lr / (1 - beta1^t), the same for every weight
                s[0, c] = update(s, 0, c, w0, g0, rate, beta1, one_minus1, beta2, one_minus2, correction1_c,
                                 correction2_c, optimizer, torch)
                s[1, c] = update(s, 1, c, w1, g1, rate, beta1, one_minus1, beta2, one_minus2, correction1_c,
                                 correction2_c, optimizer, torch)
                if two:
                    s[2, c] = update(s, 2, c, w2, g2, rate, beta1, one_minus1, beta2, one_minus2, correction1_c,
                                     correction2_c, optimizer, torch)
                    s[3, c] = update(s, 3, c, w3, g3, rate, beta1, one_minus1, beta2, one_minus2, correction1_c,
                                     correction2_c, optimizer, torch)
        done = 0
        for c in range(n):
            running = (s[DIV_E, c] == 0) & (s[STOP_E, c] == 0)
            if running and s[BAD_ROW, c] < np.inf:
                s[DIV_E, c] = epoch + 1.0
                s[DIV_K, c] = s[BAD_ROW, c]  # its place in the visiting order; DIV_R its row in the data
                if shuffled:
                    s[DIV_R, c] = order[int(s[SEED, c]), epoch, int(s[BAD_ROW, c]) - 1] + 1.0
                else:
                    s[DIV_R, c] = s[BAD_ROW, c]
            error = np.sqrt(s[TOTAL, c])
            errors[epoch, c] = error if running and s[DIV_E, c] == 0 else np.nan  # nothing after a stop
            if record:  # trace="epochs": the weights at the end of every epoch
                for p in range(n_params):
                    path[epoch, p, c] = s[p, c] if running and s[DIV_E, c] == 0 else np.nan
            if anneal:  # the adam_ann macro, after every epoch
                grad2 = np.sqrt(s[V, c])
                for p in range(1, n_params):
                    grad2 += np.sqrt(s[V + p, c])
                s[LR, c] = s[LR, c] / 4 if grad2 / s[SMALLEST, c] > 2 else s[LR, c]
                s[SMALLEST, c] = grad2 if grad2 < s[SMALLEST, c] else s[SMALLEST, c]
            # the early stop (engine.py's STOP_PATIENCE): epochs in a row below stop_below, each lower than the last
            calm = (error < stop_below) & (error < s[PREVIOUS, c])
            s[CALM, c] = s[CALM, c] + 1.0 if calm else 0.0
            s[PREVIOUS, c] = error
            if stop_below > 0 and running and s[DIV_E, c] == 0 and s[CALM, c] >= patience:
                s[STOP_E, c] = epoch + 1.0
                for p in range(n_params):
                    s[STOPPED_W + p, c] = s[p, c]
            done += (s[DIV_E, c] > 0) | (s[STOP_E, c] > 0)
        if done == n:
            for later in range(epoch + 1, epochs):  # every configuration has diverged or converged
                for c in range(n):
                    errors[later, c] = np.nan
                    if record:
                        for p in range(n_params):
                            path[later, p, c] = np.nan
            break


@numba.njit(cache=True, nogil=True, error_model="numpy")
def run(first, step, x, y, epochs, theta, lr, leak, clip_norm, mom, sqavg, smallest, factors, order, seed_index,
        batch, beta1, one_minus1, beta2, one_minus2, bias1, root_bias2, fd_step, stop_below, patience, anneal, errors,
        record, path, diverged_epoch, diverged_row, diverged_step, stopped_epoch, two, activation, optimizer, torch,
        finite_difference, clip, shuffled, batched):
    """Blocks first, first + step, first + 2*step, ... of the sweep, one at a time: copied in, run, copied back.
    It releases Python's lock (nogil), so compiled_sweep runs one such share per core at once (interleaved, so a
    share of blocks that stop early does not leave a core idle)."""
    numba.literally(two)
    numba.literally(activation)
    numba.literally(optimizer)
    numba.literally(torch)
    numba.literally(finite_difference)
    numba.literally(clip)
    numba.literally(shuffled)
    numba.literally(batched)
    n_params = 4 if two else 2
    uses_mom = (optimizer == 1) | (optimizer == 3)
    uses_sqavg = (optimizer == 2) | (optimizer == 3)
    n = theta.shape[1]
    for c0 in range(first * BLOCK, n, step * BLOCK):
        c1 = min(c0 + BLOCK, n)
        s = np.zeros((FIELDS, c1 - c0))  # this block's own array, indexed from 0
        for c in range(c0, c1):
            k = c - c0
            for p in range(n_params):
                s[p, k] = theta[p, c]
                if uses_mom:
                    s[M + p, k] = mom[p, c]
                if uses_sqavg:
                    s[V + p, k] = sqavg[p, c]
            s[LR, k] = lr[c]
            s[LEAK, k] = leak[c] if activation == 2 else 0.0
            s[CLIP, k] = clip_norm[c] if clip else 0.0
            s[SMALLEST, k] = smallest[c] if anneal else 0.0
            s[PREVIOUS, k] = np.inf
            s[SEED, k] = seed_index[c] if shuffled else 0.0
            s[BATCH, k] = batch[c] if batched else 1.0
        block(s, x, y, epochs, factors, order, beta1, one_minus1, beta2, one_minus2, bias1, root_bias2, fd_step,
              stop_below, patience, anneal, errors[:, c0:c1], record, path[:, :, c0:c1],
              two, activation, optimizer, torch, finite_difference, clip, shuffled, batched)
        for c in range(c0, c1):
            k = c - c0
            stopped, diverged = s[STOP_E, k] > 0, s[DIV_E, k] > 0
            for p in range(n_params):
                theta[p, c] = np.nan if diverged else (s[STOPPED_W + p, k] if stopped else s[p, k])
                if uses_mom:
                    mom[p, c] = s[M + p, k]
                if uses_sqavg:
                    sqavg[p, c] = s[V + p, k]
            lr[c] = s[LR, k]
            if anneal:
                smallest[c] = s[SMALLEST, k]
            diverged_epoch[c], diverged_row[c], stopped_epoch[c] = s[DIV_E, k], s[DIV_R, k], s[STOP_E, k]
            diverged_step[c] = s[DIV_K, k]
