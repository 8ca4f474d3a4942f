"""graddesc_utils: the course's vocabulary, and where each piece lives.

Every notebook and test does `import graddesc_utils as gu`; the machinery is in the package `graddesc/`, one idea
per file, each read top to bottom. The words the notebooks use, and the file that holds each:

    data, best_line, standardize data.py         the sheet's 29 rows; any data's least-squares line; z-scored
    Linear, TwoNeuron            models.py       pred = b + a*x; pred = w2*act(w1*x + b1) + b2 (ReLU, leak)
    SGD, Momentum, RMSProp, Adam optimizers.py   the sheet's formulas, or PyTorch's (convention=)
    train                        engine.py       gradient descent, one update per row (or mini-batch), any number
                                                 of configurations; shuffle, batch_size, clip_norm, schedule
    shuffled orders              row_orders.py   which rows each update sees, in which order
    compiled sweeps              kernels.py      the same arithmetic compiled (numba), bit for bit; sweeps.py runs it
    Run, diverged_at             run.py          epoch_errors (the sheet's error), params, table()
    replay, Reset, Run button    replay.py       the workbook's buttons, number for number
    curvature K, the meter       stability.py    lr*K per row; what one step does to a row's residual
    epoch map, edges             epoch_map.py    stable learning rates of a fit, found by scanning
    exact fits, destination      fits.py         the family of fits, what small steps conserve, where runs land
    converged, verdict, settled  outcomes.py     what became of runs: convergence maps, survival, race
    outcome_fractions, Outcomes  robustness.py   one setting over many row orders or tiny nudges: fractions
    one_cycle, warm_up           schedules.py    lr schedules; lr_find.py: fastai's range test
    conventions                  conventions.py  sheet vs PyTorch vs fastai; stability bounds in lr*K
    export_xlsx                  export.py       any run as a workbook with live formulas
    figures and panels           plots.py        show, RowErrorLines, MeterLine, PathLines, maps
    Explorer, sliders            explorer.py     what every interactive is made of
    explore_*                    interactives.py notebooks 01-07; explore_maps.py (03, 04), explore_remedies (09)
    explore_replay               replay_view.py  one run replayed row by row: Play, a row slider, the sheet's chart
    explore_largest_lr, lr_scan  explore_steps.py 03, 04: the largest lr that trains; the meter row by row; starts
    explore_smoothing            explore_optimizers.py 05: what momentum's running average does
    colour scales                colours.py      colour-blind-safe palettes for every categorical scale
    check_*                      exercises.py    the self-checking exercises; checks.py: input checks

Importing the engine (models, optimizers, engine, run) needs numpy only; numba loads with the first sweep.
"""
from graddesc.conventions import conventions_table, quadratic_stability_bound
from graddesc.data import DATA_PATH, load_data, standardize
from graddesc.engine import GRADIENTS, STOP_PATIENCE, train
from graddesc.epoch_map import epoch_map_eigenvalues, epoch_map_radius, stability_edge, stability_edges
from graddesc.exercises import (check_active_rows, check_adam_step, check_annealing, check_clip_grad,
                                check_converged_starts, check_exact_fit, check_k_linear, check_k_two_neuron,
                                check_largest_stable_lr, check_momentum_step, check_relu_slope, check_sgd_step,
                                check_sheet_error, check_true_rmse, check_two_neuron_gradient, check_undamped_factor,
                                check_unscale, check_unstandardize)
from graddesc.explorer import Explorer, int_slider, lr_slider, number_slider
from graddesc.export import XLSX_FIRST_ROW, export_xlsx
from graddesc.explore_steps import explore_largest_lr, explore_start, explore_steepness, lr_scan, outcome  # 03, 04
from graddesc.fits import balance, balance_curve, destination, exact_fit, fits_plane, least_sharp_fit, most_stable_fit
from graddesc.interactives import (EXPLORERS, explore_adaptive, explore_convergence_map, explore_destination,
                                   explore_linear, explore_momentum, explore_race, explore_relu, explore_remedies,
                                   explore_stability, explore_two_neurons)
from graddesc.lr_find import LRFind, lr_find
from graddesc.models import Linear, Model, TwoNeuron
from graddesc.optimizers import CONVENTIONS, SGD, Adam, Momentum, Optimizer, RMSProp, ema
from graddesc.outcomes import (OUTCOMES, RACE_OPTIMIZERS, SETTLED, ConvergenceMap, active_rows, classify,
                               constant_model, convergence_map, converged, epochs_to, race, settled, survival_counts,
                               verdict)
from graddesc.plots import (MeterLine, PathLines, RowErrorLines, convergence_colours, displayable,
                            draw_convergence_map, epoch_error_line, epochs_until_divergence, figure, loss_grid,
                            path_of, plot_contour, row_axis, rows_from_1, show, until_divergence)
from graddesc.outcomes import first_below
from graddesc.replay import SHEETS, replay, reset_state
from graddesc.robustness import OVER, Outcomes, outcome_fractions
from graddesc.replay_view import explore_replay
from graddesc.run import DIVERGENCE_LIMIT, Run
from graddesc.schedules import one_cycle, warm_up
from graddesc.stability import (STABILITY_THRESHOLD, residual_factor, residual_factor_formula, row_curvature,
                                stability_meter)
from graddesc.exercises import check_floor_ratio, check_running_average  # 05, 06 (learner's path)
from graddesc.exercises import check_centre, check_largest_training_lr  # 03, 04 (learner's path)
from graddesc.exercises import check_batch_lr, check_full_batch_limit  # 08, deeper 10
from graddesc.explore_optimizers import explore_smoothing  # 05 (learner's path)
from graddesc.colours import ACTIVITY_COLOURS, OKABE_ITO, RELU_FATES, SETTLED_COLOURS  # colour-safe scales
from graddesc.data import best_line, data_or_sheet, residual_floor  # the course on any data: targets follow x, y
from graddesc.explorer import start_slider
from graddesc.exercises import set_reveal  # hand-outs without answers: checks keep the expected values back
from graddesc.robustness import convergence_tol  # converged: sheet error below 1 + the data's residual floor

__all__ = sorted(name for name in dir() if not name.startswith("_"))
