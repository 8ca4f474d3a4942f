"""How the sheet, PyTorch and fastai write the optimizers, and the stability bounds that follow, in terms of the
course's curvature K (a row's loss K*(w - w*)^2 along its gradient; notebook 00's glossary)."""
from .checks import choice
from .optimizers import CONVENTIONS


def quadratic_stability_bound(optimizer_name, beta=0.9, convention="sheet"):
    """Largest lr*K for which an optimizer converges on one row's loss K*(w - w*)^2 (the course's curvature K, the
    loss's second derivative being 2K; gradient 2K*(w - w*)). SGD: 1. Undamped (PyTorch) momentum, m = beta*m + g:
    1 + beta. The sheet's damped momentum, m = beta*m + (1 - beta)*g, is the undamped one with lr scaled by
    (1 - beta): (1 + beta)/(1 - beta)."""
    choice("convention", convention, CONVENTIONS)
    if optimizer_name == "SGD":
        return 1.0
    if optimizer_name == "Momentum":
        return (1 + beta) if convention == "pytorch" else (1 + beta) / (1 - beta)
    raise ValueError(f"optimizer_name must be 'SGD' or 'Momentum' (adaptive steps have no fixed bound); "
                     f"got {optimizer_name!r}")


def conventions_table():
    """How the sheet, PyTorch and fastai write each optimizer, and what the differences do (a pandas DataFrame)."""
    import pandas as pd

    rows = [
        ("momentum buffer", "m = β·m + (1−β)·g", "m = β·m + g (dampening 0)", "m = β·m + g (SGD with mom)",
         "undamped steps are up to 1/(1−β) = 10× larger at β = 0.9"),
        ("momentum step", "w −= lr·m", "w −= lr·m", "w −= lr·m", "same form; the buffer differs"),
        ("SGD stability (one row, curvature K)", "lr·K < 1", "lr·K < 1", "lr·K < 1",
         "the row's loss K·(w − w*)² has second derivative 2K"),
        ("momentum stability (same)", "lr·K < (1+β)/(1−β) = 19", "lr·K < 1+β = 1.9", "lr·K < 1+β = 1.9",
         "damping scales the bound by 1/(1−β)"),
        ("RMSProp divisor", "√v of the previous row", "√v of this row + ε (1e-8)", "√v of this row + ε (1e-8)",
         "the sheet's first steps use the seed v = 10000"),
        ("squared average start", "10000 (Reset), then seeded", "0", "0",
         "a large start damps the first steps"),
        ("Adam bias correction", "none", "m/(1−β1ᵗ), v/(1−β2ᵗ)", "m/(1−β1ᵗ), v/(1−β2ᵗ)",
         "from zero averages, the uncorrected first step is (1−β1)/√(1−β2) of the corrected one: 0.32× at the "
         "sheet's betas, 3.2× at PyTorch's (the sheet avoids this by seeding m and v)"),
        ("Adam ε", "none", "1e-8, outside the root", "1e-5 (fastai's default eps), outside the root",
         "no ε: a zero v would divide by zero"),
        ("default betas", "β1 = 0.9, β2 = 0.9 (adam_ann: 0.95)", "β1 = 0.9, β2 = 0.999", "β1 = 0.9, β2 = 0.99",
         "a short β2 memory reacts faster to a changing gradient scale"),
    ]
    return pd.DataFrame(rows, columns=["what", "sheet", "PyTorch", "fastai", "what the difference does"])
