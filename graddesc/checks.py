"""Input checks: every public function says what was wrong and what is allowed.

Each check returns the value in the form the engine uses (a float array, an int, a name) or raises ValueError
(or TypeError for the wrong kind of thing) naming the argument and the allowed range.
"""
import math
import numbers

import numpy as np


def number_array(name, value, *, low=-math.inf, high=math.inf, low_inclusive=True, high_inclusive=True,
                  allowed="a finite number"):
    """`value` as a float array (a scalar stays 0-d), after checking type, finiteness and range."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, bool):
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__} {value!r}")
    try:
        array = np.array(value, dtype=float)  # a copy: nothing here mutates the caller's arrays
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {allowed} (or an array of them), not {type(value).__name__}") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty; it must be {allowed} or a non-empty array of them")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be {allowed}; got a NaN or infinite value")
    too_low = array < low if low_inclusive else array <= low
    too_high = array > high if high_inclusive else array >= high
    if np.any(too_low) or np.any(too_high):
        bad = float(array[too_low | too_high].flat[0])
        raise ValueError(f"{name} must be {allowed}; got {bad!r}")
    return array


def positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, not {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (1, 2, ...); got {value!r}")
    return int(value)


def choice(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def check_data(x, y):
    x = number_array("x", x, allowed="finite numbers")
    y = number_array("y", y, allowed="finite numbers")
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of data rows; got shapes {x.shape} and {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length (one y per x); got {len(x)} and {len(y)}")
    return x, y


def square(value):
    # r * r, not r ** 2: a numpy scalar's ** goes through C pow(), which may round differently from the array path,
    # and a sweep must equal its single runs bit for bit.
    return value * value


def scalar_or_array(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.copy()



def seeds(value):
    """train's `shuffle`: None (the rows in the data's order), or a seed (an int >= 0) or an int array of seeds."""
    if value is None:
        return None
    allowed = ("None (the rows in the data's order) or a seed for numpy's default_rng: an integer >= 0, or an "
               "array of them (one per configuration)")
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(f"shuffle must be {allowed}; got {value!r}")
    array = np.asarray(value)
    if array.size == 0 or array.dtype.kind not in "iu":
        raise ValueError(f"shuffle must be {allowed}; got {value!r}")
    if np.any(array < 0):
        raise ValueError(f"shuffle must be {allowed}; got {int(array[array < 0].flat[0])!r}")
    return array.astype(np.int64)


def batch_sizes(value, n_rows):
    """train's `batch_size`: an int from 1 to the number of rows, or an int array of them; returned as an int64
    array (0-d for one batch size)."""
    allowed = f"a whole number of rows from 1 to {n_rows} (the number of rows), or an array of them"
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise ValueError(f"batch_size must be {allowed}; got {value!r}")
    array = np.asarray(value)
    if array.size == 0 or array.dtype.kind not in "iu":
        raise ValueError(f"batch_size must be {allowed}; got {value!r}")
    bad = (array < 1) | (array > n_rows)
    if np.any(bad):
        raise ValueError(f"batch_size must be {allowed}; got {int(array[bad].flat[0])!r}")
    return array.astype(np.int64)


def value_range(name, value, *, positive=False):
    """A slider's range (low, high): two finite numbers with low < high (and low > 0 if `positive`, as for a
    learning rate on a log scale); returned as a tuple of floats."""
    allowed = "a pair (low, high) of finite numbers with low < high" + (", both > 0" if positive else "")
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {allowed}; got {value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high or (positive and low <= 0):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return low, high
