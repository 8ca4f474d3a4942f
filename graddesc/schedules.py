"""Learning-rate schedules: functions of (epoch, row), both counted from 1, giving the factor the optimizer's lr is
multiplied by at that row. `train(..., schedule=...)` takes any such function;
these two also accept arrays of epochs and rows (elementwise), so train computes a long run's table in one call.

one_cycle  fastai's fit_one_cycle: a cosine warm-up from lr/div to lr over the first pct_start of all row updates,
           then a cosine down to lr/div_final (fastai also cycles the momentum; this course leaves that out)
warm_up    a warm-up: `factor` for the first `epochs` epochs (a step), or rising in a line to 1 (gradual)
"""
import numpy as np

from .checks import number_array, positive_int


def _cosine(start, end, position):
    """fastai's SchedCos: from start at position 0 to end at position 1 along half a cosine."""
    return start + (1 + np.cos(np.pi * (1 - position))) * (end - start) / 2


def one_cycle(epochs, n_rows, pct_start=0.25, div=25.0, div_final=1e5):
    """fastai's one-cycle factor at every row of a run of `epochs` x `n_rows` updates (as combined_cos does it:
    position = updates done / all updates, the first update at position 0)."""
    epochs, n_rows = positive_int("epochs", epochs), positive_int("n_rows", n_rows)
    pct_start = float(number_array("pct_start", pct_start, low=0, high=1, low_inclusive=False, high_inclusive=False,
                                   allowed="a fraction of the run strictly between 0 and 1"))
    div = float(number_array("div", div, low=1, allowed="a number >= 1 (the warm-up starts at lr/div)"))
    div_final = float(number_array("div_final", div_final, low=1,
                                   allowed="a number >= 1 (the run ends at lr/div_final)"))
    total = epochs * n_rows

    def factor(epoch, row):
        position = ((np.asarray(epoch) - 1) * n_rows + (np.asarray(row) - 1)) / total
        warming = _cosine(1 / div, 1.0, position / pct_start)
        cooling = _cosine(1.0, 1 / div_final, (position - pct_start) / (1 - pct_start))
        return np.where(position < pct_start, warming, cooling)[()]
    factor.elementwise = True  # train may call it once with arrays of every (epoch, row)
    factor.description = f"one-cycle over {epochs} epochs (pct_start={pct_start:g}, div={div:g})"
    return factor


def warm_up(epochs, factor=0.1, gradual=False, n_rows=29):
    """A warm-up over the first `epochs` epochs, then the lr itself: `factor` x lr throughout (a step, gradual=False)
    or rising in a straight line from `factor` x lr to lr, update by update (gradual=True)."""
    epochs = positive_int("epochs", epochs)
    factor = float(number_array("factor", factor, low=0, low_inclusive=False, allowed="a factor > 0"))

    n_rows = positive_int("n_rows", n_rows)

    def schedule(epoch, row):
        epoch = np.asarray(epoch)
        if gradual:  # position within the warm-up: 0 at its first update
            position = ((epoch - 1) * n_rows + (np.asarray(row) - 1)) / (epochs * n_rows)
            return np.where(epoch <= epochs, factor + (1 - factor) * position, 1.0)[()]
        return np.where(epoch <= epochs, factor, 1.0)[()]
    schedule.elementwise = True
    schedule.description = (f"lr rising from {factor:g} x lr to lr over {epochs} epochs" if gradual
                            else f"{factor:g} x lr for {epochs} epochs, then lr")
    return schedule
