"""Models: a model knows its parameter names, its prediction, and the prediction's derivatives.

Linear is the spreadsheet's pred = b + a*x; TwoNeuron the learner's pred = w2*act(w1*x + b1) + b2.
`theta` is a stacked array (one row per name, in the order the sheet shows them) or a sequence of arrays of one
shape. Results go into preallocated buffers (`ws`, `out`) so the training loop allocates nothing per row (on this
kind of machine a fresh 0.5 MB temporary costs more than the arithmetic); without buffers they allocate.
To add a model: subclass Model, give `names`, `predict` and `pred_gradient` (README: "Add a model").
"""
import numpy as np

from .checks import number_array, scalar_or_array


class Workspace:
    """Named scratch arrays of one shape, reused row after row."""

    def __init__(self, shape, names, n_params):
        self.shape = shape
        for name in names:
            setattr(self, name, np.empty(shape))
        self.mask = np.empty(shape, dtype=bool)
        self.stacked = np.empty((n_params,) + shape)


def shape_of(theta, x):
    return np.broadcast_shapes(*(np.shape(t) for t in theta), np.shape(x))


class Model:
    names: tuple = ()
    _buffers = ("pred", "residual", "err", "h", "act")

    def __init__(self, **params):
        self.initial = {name: number_array(name, params[name], allowed="a finite number")
                        for name in self.names}

    def workspace(self, shape):
        return Workspace(shape, self._buffers, len(self.names))

    def _ws(self, ws, theta, x):
        return ws if ws is not None else self.workspace(shape_of(theta, x))

    def predict(self, theta, x, ws=None):
        """The prediction at data row x (written to ws.pred)."""
        raise NotImplementedError

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        """d pred / d theta_i for each parameter at data row x, stacked: shape (n_params, *shape).
        With `scale`, each is multiplied by it as it is computed (the chain rule, without a second pass).
        predicted=True: predict(theta, x, ws) has just run, so its intermediate values in ws are reused."""
        raise NotImplementedError

    def loss_gradient(self, theta, x, y, pred=None, out=None, ws=None):
        """Analytic d (pred - y)^2 / d theta_i = 2*(pred - y) * d pred / d theta_i.
        For the sheet's model that is exactly its cells: de/db = 2*(pred - y), de/da = x * de/db.
        `pred`, if given with `ws`, must come from predict(theta, x, ws): what predict left in ws is reused."""
        if pred is None or ws is None:
            ws = self._ws(ws, theta, x)
            pred = self.predict(theta, x, ws)
        de_dpred = np.subtract(pred, y, out=ws.residual)
        de_dpred *= 2
        return self.pred_gradient(theta, x, out, ws, scale=de_dpred, predicted=True)

    def finite_difference(self, theta, x, y, step=0.01, pred=None, out=None, moved_err=None, ws=None):
        """Forward difference of the row's squared error, one parameter at a time, as the sheet's `est de/db`:
        ((pred with theta_i + step) - y)^2 - (pred - y)^2, divided by step.

        Returns (estimates, squared errors with that parameter moved), each stacked (n_params, *shape).
        `ws` must not be the workspace holding `pred`."""
        ws = self._ws(ws, theta, x)
        if pred is None:
            pred = self.predict(theta, x)  # its own buffers, apart from ws
        n = len(self.names)
        out = np.empty((n,) + ws.shape) if out is None else out
        moved_err = np.empty((n,) + ws.shape) if moved_err is None else moved_err
        err = np.subtract(pred, y, out=ws.err)
        err *= err
        moved = ws.stacked
        for i in range(n):
            for j in range(n):
                np.copyto(moved[j, ...], theta[j])  # [j, ...]: a view even when 0-d
            moved[i] += step
            np.subtract(self.predict(moved, x, ws), y, out=moved_err[i, ...])
            moved_err[i] *= moved_err[i]
            np.subtract(moved_err[i], err, out=out[i, ...])
            out[i] /= step
        return out, moved_err

    def hyperparameters(self):
        """Numbers of the model that are not trained (they broadcast with the weights in a sweep)."""
        return {}

    def params(self):
        return {name: scalar_or_array(value) for name, value in self.initial.items()}

    def __repr__(self):
        args = ", ".join(f"{k}={scalar_or_array(v)!r}" for k, v in self.initial.items())
        return f"{type(self).__name__}({args})"


class Linear(Model):
    """The spreadsheet's model: pred = b + a*x."""
    names = ("b", "a")

    def __init__(self, a=1.0, b=1.0):
        super().__init__(a=a, b=b)

    def predict(self, theta, x, ws=None):
        ws = self._ws(ws, theta, x)
        b, a = theta[0], theta[1]
        pred = np.multiply(a, x, out=ws.pred)
        pred += b  # pred = b + a*x
        return pred

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        out = out if out is not None else np.empty((2,) + shape_of(theta, x))
        out[0] = 1.0 if scale is None else scale  # d pred / db (times scale)
        np.multiply(x, out[0], out=out[1, ...])   # d pred / da = x (times scale)
        return out


class TwoNeuron(Model):
    """The learner's model: two stacked neurons, pred = w2*act(w1*x + b1) + b2.

    act is the identity; with relu=True it is max(h, 0), with derivative 0 at h <= 0; with relu=True and leak > 0
    it is the leaky ReLU: slope `leak` (in [0, 1), a number or an array) for h <= 0, in the prediction and in the
    derivative."""
    names = ("w1", "b1", "w2", "b2")

    def __init__(self, w1=1.0, b1=1.0, w2=1.0, b2=1.0, relu=False, leak=0.0):
        if not isinstance(relu, (bool, np.bool_)):
            raise TypeError(f"relu must be True or False, not {type(relu).__name__} {relu!r}")
        self.relu = bool(relu)
        self.leak = number_array("leak", leak, low=0, high=1, high_inclusive=False,
                                 allowed="a slope in [0, 1) for h <= 0 (0: the plain ReLU)")
        if np.any(self.leak != 0) and not self.relu:
            raise ValueError("leak is the slope of a leaky ReLU for h <= 0; it needs relu=True")
        # the plain ReLU keeps max(h, 0), as the sheet writes it; any other leak (even an array with zeros) the
        # leaky form, one formula for a whole sweep
        self.activation = "identity" if not self.relu else ("relu" if self.leak.ndim == 0 and self.leak == 0
                                                             else "leaky")
        super().__init__(w1=w1, b1=b1, w2=w2, b2=b2)

    def hyperparameters(self):
        return {"leak": self.leak} if self.activation == "leaky" else {}

    def hidden(self, theta, x, ws=None):
        """h = w1*x + b1, the first neuron's pre-activation (written to ws.h)."""
        ws = self._ws(ws, theta, x)
        h = np.multiply(theta[0], x, out=ws.h)
        h += theta[1]
        return h

    def _activation(self, h, ws):
        if self.activation == "relu":
            return np.maximum(h, 0.0, out=ws.act)
        if self.activation == "leaky":
            act = np.multiply(self.leak, h, out=ws.act)
            np.copyto(act, h, where=np.greater(h, 0, out=ws.mask))
            return act
        return h

    def predict(self, theta, x, ws=None):
        ws = self._ws(ws, theta, x)
        act = self._activation(self.hidden(theta, x, ws), ws)
        pred = np.multiply(theta[2], act, out=ws.pred)
        pred += theta[3]  # pred = w2*act(h) + b2
        return pred

    def pred_gradient(self, theta, x, out=None, ws=None, scale=None, predicted=False):
        ws = self._ws(ws, theta, x)
        out = out if out is not None else np.empty((4,) + ws.shape)
        h = ws.h if predicted else self.hidden(theta, x, ws)
        act = (ws.act if self.relu else h) if predicted else self._activation(h, ws)
        out[3] = 1.0 if scale is None else scale        # d pred / db2 = 1
        np.multiply(act, out[3], out=out[2, ...])       # d pred / dw2 = act(h)
        np.multiply(theta[2], out[3], out=out[1, ...])  # d pred / db1 = w2 * act'(h)
        if self.activation == "relu":
            out[1] *= np.greater(h, 0, out=ws.mask)     # ReLU: act'(h) = 0 at h <= 0
        elif self.activation == "leaky":
            out[1] *= np.where(h > 0, 1.0, self.leak)    # leaky ReLU: act'(h) = leak at h <= 0
        np.multiply(out[1], x, out=out[0, ...])         # d pred / dw1 = w2 * act'(h) * x
        return out

    def __repr__(self):
        leak = f", leak={scalar_or_array(self.leak)!r}" if self.activation == "leaky" else ""
        return super().__repr__()[:-1] + f", relu={self.relu}{leak})"
