"""graddesc_utils: the course's vocabulary, and where each piece lives.

Every notebook and test does `import graddesc_utils as gu`; the machinery is in the package `graddesc/`, one idea
per file, each read top to bottom. The words the notebooks use, and the file that holds each:

    data, x and y              graddesc/data.py          the sheet's 29 rows (y = 2x + 30)
    Linear, TwoNeuron          graddesc/models.py        pred = b + a*x; pred = w2*act(w1*x + b1) + b2
    SGD, Momentum, RMSProp,    graddesc/optimizers.py    the sheet's formulas, or PyTorch's (convention=)
      Adam
    train, the engine          graddesc/engine.py        online gradient descent, one update per row, any
                                                         number of configurations at once
    Run                        graddesc/run.py           what a run returns: epoch_errors (the sheet's
                                                         error), epoch_rmse, params, diverged_at, table()
    replay, Reset, Run button  graddesc/replay.py        the workbook's buttons, number for number
    curvature K, meter, edges, graddesc/stability.py     lr*K per row, the epoch map, exact fits
      exact fits
    survival, outcome maps,    graddesc/outcomes.py      many runs at once and what became of them
      race, active rows
    conventions                graddesc/conventions.py   sheet vs PyTorch vs fastai; stability bounds
    export_xlsx                graddesc/export.py        any run as a workbook with live formulas
    figures and panels         graddesc/plots.py         show, RowErrorLines, MeterLine, PathLines, ...
    Explorer, sliders          graddesc/explorer.py      what every interactive is made of
    explore_*                  graddesc/interactives.py  the sliders of notebooks 01-07
    check_*                    graddesc/exercises.py     the self-checking exercises
    input checks               graddesc/checks.py        ValueError saying what is allowed

Importing the engine (models, optimizers, engine, run) needs numpy only.
"""
from graddesc.conventions import conventions_table, quadratic_stability_bound
from graddesc.data import DATA_PATH, load_data
from graddesc.engine import GRADIENTS, train
from graddesc.exercises import (check_active_rows, check_adam_step, check_annealing, check_exact_fit,
                                check_k_linear, check_k_two_neuron, check_largest_stable_lr, check_momentum_step,
                                check_relu_slope, check_sgd_step, check_sheet_error, check_survivors,
                                check_true_rmse, check_two_neuron_gradient, check_undamped_factor, check_unscale)
from graddesc.explorer import Explorer, int_slider, lr_slider, number_slider
from graddesc.export import XLSX_FIRST_ROW, export_xlsx
from graddesc.interactives import (EXPLORERS, explore_adaptive, explore_linear, explore_momentum,
                                   explore_outcome_map, explore_race, explore_relu, explore_stability,
                                   explore_two_neurons)
from graddesc.models import Linear, Model, TwoNeuron
from graddesc.optimizers import CONVENTIONS, SGD, Adam, Momentum, Optimizer, RMSProp, ema
from graddesc.outcomes import RACE_OPTIMIZERS, active_rows, outcome_map, race, survival_counts
from graddesc.plots import (MeterLine, PathLines, RowErrorLines, displayable, draw_outcome_map,
                            epochs_until_divergence, figure, loss_grid, path_of, plot_contour, show,
                            until_divergence)
from graddesc.replay import SHEETS, replay, reset_state
from graddesc.run import DIVERGENCE_LIMIT, Run
from graddesc.schedules import one_cycle, warm_up
from graddesc.stability import (STABILITY_THRESHOLD, balance, epoch_map_radius, exact_fit,
                                least_sharp_fit, most_stable_fit, residual_factor, row_curvature, stability_edge,
                                stability_meter)

__all__ = sorted(name for name in dir() if not name.startswith("_"))
