"""Which rows each update sees, and at what lr factor: the visiting orders of shuffled epochs (as fastai's training
DataLoader reshuffles every epoch) and a schedule's factor at every (epoch, update). The engine and the compiled
loop both read these tables, so both visit the same rows in the same order."""
import numpy as np

from .checks import number_array

ORDER_LIMIT = 50_000_000  # row indices drawn for shuffled runs (distinct seeds x epochs x rows)


def row_orders(shuffle, epochs, n_rows, shape):
    """The visiting orders: (orders, seed_index). orders[i, e] is epoch e+1's order under the i-th distinct seed,
    drawn as rng = default_rng(seed), then rng.permutation(n_rows) once per epoch; seed_index[c] which of them
    configuration c uses."""
    distinct, index = np.unique(shuffle, return_inverse=True)
    if len(distinct) * epochs * n_rows > ORDER_LIMIT:
        raise ValueError(f"shuffle with {len(distinct)} distinct seeds over {epochs} epochs would draw "
                         f"{len(distinct) * epochs * n_rows:,} row numbers; use fewer seeds or epochs "
                         f"(at most {ORDER_LIMIT:,})")
    # (int16: a long run's orders stay small; the compiled loop is specialized for this type)
    orders = np.empty((len(distinct), epochs, n_rows), dtype=np.int16 if n_rows < 2 ** 15 else np.int64)
    for i, seed in enumerate(distinct):
        rng = np.random.default_rng(int(seed))
        for epoch in range(epochs):
            orders[i, epoch] = rng.permutation(n_rows)
    seed_index = np.array(np.broadcast_to(np.reshape(index, np.shape(shuffle)), shape))
    return orders, seed_index


def schedule_table(schedule, epochs, n_rows):
    """The lr factor at every (epoch, row), as an array (epochs, rows, *configuration shape); with mini-batches
    n_rows is the number of updates per epoch (at the smallest batch size) and row the update."""
    if getattr(schedule, "elementwise", False):  # the course's schedules: one call with every (epoch, row)
        epoch, row = np.meshgrid(np.arange(1, epochs + 1), np.arange(1, n_rows + 1), indexing="ij")
        factors = np.array(schedule(epoch, row), dtype=float)
        number_array("the schedule's factors", factors, low=0, allowed="finite numbers >= 0")
        return factors
    table = [[np.asarray(schedule(epoch, row), dtype=float) for row in range(1, n_rows + 1)]
             for epoch in range(1, epochs + 1)]
    shape = np.broadcast_shapes(*(factor.shape for line in table for factor in line))
    factors = np.empty((epochs, n_rows) + shape)
    for e, line in enumerate(table):
        for r, factor in enumerate(line):
            factors[e, r] = factor
    number_array("the schedule's factors", factors, low=0, allowed="finite numbers >= 0")
    return factors
