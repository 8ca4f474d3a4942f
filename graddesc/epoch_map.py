"""The epoch map: one online epoch of SGD near an exact fit, as a matrix, and the learning rates at which it is stable.

Near a fit the residuals are small and each row's step is linear: theta <- theta - 2*lr*g*g^T (theta - fit), with
g = d pred / d weights at that row. An epoch multiplies the 29 row maps. Every g lies in the span S of the rows'
gradients, so each row map is the identity on the directions perpendicular to S: for the 2-neuron model S is
2-dimensional and the other two directions are flat (moving along them keeps the fit exact: the rescaling w1*c,
b1*c, w2/c, and trading b2 against w2*b1). Their eigenvalues are exactly 1 whatever the lr, so they say nothing;
the eigenvalues of the map on S decide. The fit is stable at lr while those are at most 1 in size.

Stability is not monotone in lr: a fit can be unstable in a band and stable again above it (a narrow window where
the rows' overshoots cancel over the epoch). `stability_edges` therefore scans the lr axis instead of bisecting.

The map depends on the rows' x only (default: the sheet's). On data that no line fits (noisy y), the fits of the
least-squares line leave residuals, so each row's step there is not zero: the map is then the part of the step that
is linear in the distance from the fit (the residuals' own term is left out), and online SGD at a constant lr
hovers near such a fit instead of settling on it.
"""
import numpy as np

from .data import load_data

SCAN_RATIO = 1.002  # the scan's step in lr: any stable or unstable window 1% wide holds several scan points
STABLE = 1 + 1e-9   # largest eigenvalue size counted as stable (rounding leaves exact 1s a hair above)
_SCAN_ELEMENTS = 2 ** 18  # fits x lrs per chunk of stability_edge's scan: each array of the epoch's product ~2 MB


def _row_gradients(model, params, x):
    """g = d pred / d weights at every row: shape (rows, *shape, n_params)."""
    theta = [np.asarray(params[name], dtype=float) for name in model.names]
    x = np.asarray(x, dtype=float)
    shape = np.broadcast_shapes(*(np.shape(t) for t in theta))
    rows = x.reshape((-1,) + (1,) * len(shape))
    return np.stack([np.broadcast_to(d, (len(x),) + shape) for d in model.pred_gradient(theta, rows)], axis=-1)


def _off_flat(model, params, x):
    """The rows' gradients in an orthonormal basis of their span S: shape (rows, *shape, dim S)."""
    g = _row_gradients(model, params, x)
    moved = np.moveaxis(g, 0, -2)  # (*shape, rows, n)
    _, singular, vt = np.linalg.svd(moved, full_matrices=False)
    rank = int(np.max(np.sum(singular > singular[..., :1] * 1e-10, axis=-1)))
    basis = vt[..., :rank, :]  # (*shape, rank, n): rows span S
    return np.einsum("...rn,...kn->r...k", moved, basis)


def epoch_map_eigenvalues(model, params, lr, x=None):
    """The eigenvalues of one online epoch of SGD at `params` (an exact fit) off its flat directions, for every lr
    (params and lr broadcast): shape (*shape, dim S)."""
    x = load_data()[0] if x is None else x
    return _eigenvalues(_epoch_matrix(_off_flat(model, params, x), lr))


def _epoch_matrix(q, lr):
    """The product of the rows' maps I - 2*lr*q*q^T on S (q from _off_flat), rows in order: (*shape, k, k)."""
    lr = np.asarray(lr, dtype=float)
    shape = np.broadcast_shapes(lr.shape, q.shape[1:-1])
    k = q.shape[-1]
    q = q.reshape((q.shape[0],) + (1,) * (len(shape) - (q.ndim - 2)) + q.shape[1:])  # align to shape
    step = 2 * np.broadcast_to(lr, shape)
    if k == 2:  # the course's models: four numbers per matrix, updated elementwise (fast for many fits and lrs)
        m00, m01, m10, m11 = np.ones(shape), np.zeros(shape), np.zeros(shape), np.ones(shape)
        for g in q:
            g0, g1 = g[..., 0], g[..., 1]
            a00, a01, a11 = 1 - step * g0 * g0, -step * g0 * g1, 1 - step * g1 * g1
            m00, m01, m10, m11 = (a00 * m00 + a01 * m10, a00 * m01 + a01 * m11,
                                  a01 * m00 + a11 * m10, a01 * m01 + a11 * m11)
        return np.stack([np.stack([m00, m01], -1), np.stack([m10, m11], -1)], -2)
    epoch = np.broadcast_to(np.eye(k), shape + (k, k)).copy()
    for g in np.broadcast_to(q, (q.shape[0],) + shape + (k,)):
        epoch = (np.eye(k) - step[..., None, None] * g[..., :, None] * g[..., None, :]) @ epoch
    return epoch


def _eigenvalues(matrix):
    if matrix.shape[-1] != 2:
        return np.linalg.eigvals(matrix)
    half_trace = (matrix[..., 0, 0] + matrix[..., 1, 1]) / 2
    det = matrix[..., 0, 0] * matrix[..., 1, 1] - matrix[..., 0, 1] * matrix[..., 1, 0]
    root = np.sqrt((half_trace * half_trace - det).astype(complex))
    return np.stack([half_trace + root, half_trace - root], axis=-1)


def epoch_map_radius(model, params, lr, x=None, _q=None):
    """The largest eigenvalue size of the epoch map off the flat directions (float, or an array)."""
    q = _off_flat(model, params, load_data()[0] if x is None else x) if _q is None else _q
    radius = np.max(np.abs(_eigenvalues(_epoch_matrix(q, lr))), axis=-1)
    return float(radius) if radius.ndim == 0 else radius


def stability_edges(model, params, low=1e-7, high=1e-2, x=None):
    """The stable learning-rate intervals of the epoch map at `params` (one exact fit), as a list of
    (lr_from, lr_to): a scan of [low, high] in steps of 0.2% (fine enough to catch a window 1% wide), each
    interval's ends refined by bisection to 1e-6 relative. An interval starting at `low` may extend below it."""
    q = _off_flat(model, params, load_data()[0] if x is None else x)
    scan = np.geomspace(low, high, int(np.ceil(np.log(high / low) / np.log(SCAN_RATIO))) + 1)
    stable = epoch_map_radius(model, params, scan, _q=q) <= STABLE

    def refine(inside, outside):
        for _ in range(60):
            middle = np.sqrt(inside * outside)
            if (epoch_map_radius(model, params, middle, _q=q) <= STABLE) == (epoch_map_radius(model, params, inside,
                                                                                              _q=q) <= STABLE):
                inside = middle
            else:
                outside = middle
            if max(inside, outside) / min(inside, outside) < 1 + 1e-6:
                break
        return inside

    intervals, start = [], None
    for i, is_stable in enumerate(stable):
        if is_stable and start is None:
            start = scan[0] if i == 0 else refine(scan[i], scan[i - 1])
        if not is_stable and start is not None:
            intervals.append((float(start), float(refine(scan[i - 1], scan[i]))))
            start = None
    if start is not None:
        intervals.append((float(start), float(scan[-1])))
    return intervals


def stability_edge(model, params, x=None, low=1e-7, high=1e-2, ratio=SCAN_RATIO):
    """The first edge: the largest lr up to which the fit is stable without a break, for every fit in `params`
    at once (arrays broadcast): the first unstable point of a scan from `low` (steps of `ratio`), refined by
    bisection to 1e-6 relative. 0 where the fit is unstable at `low`; `high` where it stays stable. Stability may
    return above the first edge: see stability_edges."""
    x = load_data()[0] if x is None else x
    shape = np.broadcast_shapes(*(np.shape(params[name]) for name in model.names))
    q = _off_flat(model, params, x)
    q_fits = q.reshape((q.shape[0], -1, q.shape[-1]))  # (rows, fits, dim S): the fits in one line
    scan = np.geomspace(low, high, int(np.ceil(np.log(high / low) / np.log(ratio))) + 1)
    first_unstable = np.full(q_fits.shape[1], len(scan))
    start = 0
    while start < len(scan):  # the scan in chunks, each for the fits still stable, to bound time and memory
        still = np.flatnonzero(first_unstable == len(scan))
        if len(still) == 0:
            break
        step = max(1, min(256, _SCAN_ELEMENTS // len(still)))
        chunk = scan[start:start + step]
        radius = epoch_map_radius(model, params, chunk, _q=q_fits[:, still, None, :])  # (fits still, chunk)
        unstable = radius > STABLE
        found = unstable.any(axis=-1)
        first_unstable[still[found]] = start + unstable.argmax(axis=-1)[found]
        start += step
    first_unstable = first_unstable.reshape(shape)
    inside = scan[np.maximum(first_unstable - 1, 0)]
    outside = scan[np.minimum(first_unstable, len(scan) - 1)]
    for _ in range(40):  # bisection in log lr, all fits at once
        middle = np.sqrt(inside * outside)
        ok = epoch_map_radius(model, params, middle, _q=q) <= STABLE
        inside, outside = np.where(ok, middle, inside), np.where(ok, outside, middle)
    edge = np.where(first_unstable == 0, 0.0, np.where(first_unstable == len(scan), high, inside))
    return float(edge) if edge.ndim == 0 else edge
