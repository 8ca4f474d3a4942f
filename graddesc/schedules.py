"""Learning-rate schedules: functions of (epoch, row), both counted from 1, giving the factor the optimizer's lr is
multiplied by at that row. `train(..., schedule=...)` takes any such function.

one_cycle  fastai's fit_one_cycle: a cosine warm-up from lr/div to lr over the first pct_start of all row updates,
           then a cosine down to lr/div_final (fastai also cycles the momentum; this course leaves that out)
warm_up    a plain warm-up: `factor` for the first `epochs` epochs, then 1
"""
import math

from .checks import number_array, positive_int


def _cosine(start, end, position):
    """fastai's SchedCos: from start at position 0 to end at position 1 along half a cosine."""
    return start + (1 + math.cos(math.pi * (1 - position))) * (end - start) / 2


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
        position = ((epoch - 1) * n_rows + (row - 1)) / total
        if position < pct_start:
            return _cosine(1 / div, 1.0, position / pct_start)
        return _cosine(1.0, 1 / div_final, (position - pct_start) / (1 - pct_start))
    factor.description = f"one-cycle over {epochs} epochs (pct_start={pct_start:g}, div={div:g})"
    return factor


def warm_up(epochs, factor=0.1):
    """`factor` x lr for the first `epochs` epochs, then the lr itself."""
    epochs = positive_int("epochs", epochs)
    factor = float(number_array("factor", factor, low=0, low_inclusive=False, allowed="a factor > 0"))

    def schedule(epoch, row):
        return factor if epoch <= epochs else 1.0
    schedule.description = f"{factor:g} x lr for {epochs} epochs, then lr"
    return schedule
