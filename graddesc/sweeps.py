"""Running the compiled loop (kernels.py) on the engine's arrays: the kernel specialized for a sweep's flags, its
configurations split into blocks across the cores this process may use; and `compile_kernels`, the warm-up that
Binder's postBuild and CI run once so that a learner never waits on the compiler."""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from .kernels import ACTIVATIONS, BLOCK, OPTIMIZERS, run

_specialized = {}
# the cores this process may use (taskset, a container's limit), not the machine's
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_threads = []
_this_thread = threading.local()


def limit_cores(cores):
    """Sweeps started from the calling thread use at most `cores` cores from now on (a background thread, such as
    the map's prefetch, leaves the others to what the learner is doing)."""
    _this_thread.cores = max(1, int(cores))


def _pool():
    if not _threads:
        _threads.append(ThreadPoolExecutor(THREADS, thread_name_prefix="graddesc-sweep"))
    return _threads[0]


def specialized(arguments, flags):
    """`run` compiled for these argument types and these flags as compile-time constants (numba.literally).

    Compiled (or loaded from numba's disk cache) the first time, then called directly: asking the dispatcher each
    time would first type the whole function without the constants, which takes seconds."""
    key = (tuple(numba.typeof(a) for a in arguments), flags)
    if key not in _specialized:
        _specialized[key] = run.compile(key[0] + tuple(numba.types.literal(flag) for flag in flags))
    return _specialized[key]


def compiled_sweep(model, optimizer, x, y, epochs, theta, state, *, gradient, fd_step, clip_norm, factors,
                   stop_below, patience, path=None, orders=None, seed_index=None, batch=1):
    """Run the compiled loop on the engine's arrays: theta (params, *shape) and the optimizer's state are updated
    in place. Returns what engine.py's numpy loop returns: (sheet error per epoch, diverged epoch, diverged row,
    diverged step, stopped epoch, final weights), shaped like the configurations, nothing reported after a
    divergence or a stop (NaN). orders, seed_index: the visiting orders of a shuffled run (engine.py's
    row_orders.py); batch: rows per update, an int or one per configuration."""
    shape, n_params = theta.shape[1:], theta.shape[0]
    n = max(1, int(np.prod(shape)))

    def per_config(value):
        return np.array(np.broadcast_to(value, shape).reshape(n), dtype=float)  # a writable copy

    flat = theta.reshape(n_params, n)
    lr = per_config(state["lr"])
    leaky = getattr(model, "activation", "identity") == "leaky"
    leak = per_config(model.leak) if leaky else np.zeros(1)
    clip = per_config(clip_norm) if clip_norm is not None else np.zeros(1)
    mom = state["mom"].reshape(n_params, n) if "mom" in state else np.zeros((1, 1))
    sqavg = state["sqavg"].reshape(n_params, n) if "sqavg" in state else np.zeros((1, 1))
    smallest = per_config(state["smallest_grad2"]) if "smallest_grad2" in state else np.zeros(1)
    name = type(optimizer).__name__
    betas = [float(beta) for beta in optimizer.betas.values()] + [0.0, 0.0]
    steps = epochs * len(x)
    bias1 = root_bias2 = np.ones(1)
    if name == "Adam" and optimizer.convention == "pytorch":  # optimizers.py's expressions, once per step
        bias1 = np.array([1 - optimizer.betas["beta1"] ** t for t in range(1, steps + 1)])
        root_bias2 = np.array([np.sqrt(1 - optimizer.betas["beta2"] ** t) for t in range(1, steps + 1)])
    errors = np.empty((epochs, n))
    diverged_epoch, diverged_row, diverged_step, stopped_epoch = (np.zeros(n, dtype=np.int64) for _ in range(4))
    if factors is None:
        factors = np.ones((epochs, len(x)))
    shuffled, batched = orders is not None, not (np.ndim(batch) == 0 and batch == 1)
    order = orders if shuffled else np.zeros((1, 1, 1), dtype=np.int16)
    seeds = per_config(seed_index) if shuffled else np.zeros(1)
    sizes = per_config(batch) if batched else np.zeros(1)
    arrays = (x, y, epochs, flat, lr, leak, clip, mom, sqavg, smallest, factors, order, seeds, sizes, betas[0],
              1 - betas[0], betas[1], 1 - betas[1], bias1, root_bias2, fd_step, float(stop_below or 0.0),
              int(patience), bool(getattr(optimizer, "anneal", False)), errors,
              path is not None, path.reshape(epochs, n_params, n) if path is not None else np.zeros((1, 1, n)),
              diverged_epoch, diverged_row, diverged_step, stopped_epoch)
    two = type(model).__name__ == "TwoNeuron"
    flags = (two, ACTIVATIONS[model.activation] if two else 0, OPTIMIZERS[name],
             optimizer.convention == "pytorch" and name != "SGD", gradient == "finite_difference",
             clip_norm is not None, shuffled, batched)
    compiled = specialized((0, 1) + arrays, flags)
    # every core takes every cores-th block, each core in its own thread (the compiled loop releases Python's lock)
    cores = min(getattr(_this_thread, "cores", THREADS), THREADS, -(-n // BLOCK))
    if cores == 1:
        compiled(0, 1, *arrays, *flags)
    else:
        list(_pool().map(lambda k: compiled(k, cores, *arrays, *flags), range(cores)))

    state["lr"] = lr.reshape(shape)
    if not batched:
        state["t"] = state.get("t", 0) + steps
    elif np.ndim(batch) == 0:
        state["t"] = state.get("t", 0) + epochs * -(-len(x) // batch)
    else:
        state["t"] = (epochs * -(-len(x) // sizes.astype(np.int64))).reshape(shape)  # each configuration's own
    if "smallest_grad2" in state:
        state["smallest_grad2"] = smallest.reshape(shape)
    return (errors.reshape((epochs,) + shape), diverged_epoch.reshape(shape), diverged_row.reshape(shape),
            diverged_step.reshape(shape), stopped_epoch.reshape(shape), theta)


def compile_kernels():
    """Compile (or load from numba's disk cache) the kernels the course's notebooks and interactives use: every
    model with the sheet's optimizers, PyTorch's momentum for the linear model (05), forward differences (02, 08),
    gradient clipping (09), and shuffled rows, mini-batches and both for the line and the 2-neuron model with SGD.
    Returns how many it compiled or loaded (each sweep below is its own specialization)."""
    from .data import load_data
    from .engine import train
    from .models import Linear, TwoNeuron
    from .optimizers import SGD, Adam, Momentum, RMSProp

    x, y = load_data()
    line, two, relu = Linear(a=np.ones(2)), TwoNeuron(w1=np.ones(2)), TwoNeuron(w1=np.ones(2), relu=True)
    leaky = TwoNeuron(w1=np.ones(2), relu=True, leak=0.01)
    sweeps = [(model, optimizer, {}) for model in (line, two, relu)
              for optimizer in (SGD(1e-5), Momentum(1e-5), RMSProp(1e-3), Adam(1e-3))]
    sweeps += [(line, Momentum(1e-5, convention="pytorch"), {}), (leaky, SGD(1e-5), {})]
    sweeps += [(model, SGD(1e-5), {"gradient": "finite_difference"}) for model in (line, two, relu)]
    sweeps += [(model, SGD(1e-5), {"clip_norm": 1.0}) for model in (line, two, relu, leaky)]
    # shuffled rows and mini-batches (issue 21; robustness.py): the line and the learner's model with SGD
    sweeps += [(model, SGD(1e-5), options) for model in (line, two) for options in
               ({"shuffle": 0}, {"batch_size": 4}, {"shuffle": 0, "batch_size": 4})]
    # the learner's path over shuffled orders: the learner's formulas (02), momentum (05) and Adam (06)
    sweeps += [(two, SGD(1e-5), {"shuffle": 0, "gradient": "finite_difference"}), (two, Momentum(1e-5), {"shuffle": 0}),
               (two, Adam(1e-3), {"shuffle": 0})]
    for model, optimizer, options in sweeps:
        train(model, optimizer, x, y, 1, trace=False, **options)
    return len(sweeps)
