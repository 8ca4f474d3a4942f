"""Each exercise check accepts a right answer, rejects wrong ones with a reason, and never raises."""
import math

import numpy as np
import pytest

import graddesc_utils as gu

RIGHT = {
    gu.check_sgd_step: lambda a, b, x, y, lr: (a - lr * x * 2 * (b + a * x - y), b - lr * 2 * (b + a * x - y)),
    gu.check_sheet_error: lambda e: math.sqrt(sum(e)),
    gu.check_true_rmse: lambda e: math.sqrt(sum(e) / len(e)),
    gu.check_two_neuron_gradient: lambda w1, b1, w2, b2, x, y: (
        2 * (w2 * (w1 * x + b1) + b2 - y) * w2 * x, 2 * (w2 * (w1 * x + b1) + b2 - y) * w2,
        2 * (w2 * (w1 * x + b1) + b2 - y) * (w1 * x + b1), 2 * (w2 * (w1 * x + b1) + b2 - y)),
    gu.check_exact_fit: lambda w1, b1: (2 / w1, 30 - 2 * b1 / w1),
    gu.check_k_linear: lambda x: x ** 2 + 1,
    gu.check_k_two_neuron: lambda w1, b1, w2, x: w2 ** 2 * (x ** 2 + 1) + (w1 * x + b1) ** 2 + 1,
    gu.check_unscale: lambda a, b, s: (a * s, b),
    gu.check_momentum_step: lambda w, m, g, lr, beta: (w - lr * (beta * m + (1 - beta) * g), beta * m + (1 - beta) * g),
    gu.check_adam_step: lambda w, m, v, g, lr, b1, b2: (
        w - lr * (b1 * m + (1 - b1) * g) / math.sqrt(b2 * v + (1 - b2) * g * g),
        b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g),
    gu.check_annealing: lambda lr, g2, smallest: (lr / 4 if g2 > 2 * smallest else lr, min(g2, smallest)),
    gu.check_active_rows: lambda w1, b1, x: int(np.sum(w1 * x + b1 > 0)),
    gu.check_relu_slope: lambda h: 1.0 if h > 0 else 0.0,
}

WRONG = {  # the mistakes a learner would make
    gu.check_sgd_step: lambda a, b, x, y, lr: (a + lr * x * 2 * (b + a * x - y), b + lr * 2 * (b + a * x - y)),
    gu.check_sheet_error: lambda e: math.sqrt(sum(e) / len(e)),
    gu.check_true_rmse: lambda e: math.sqrt(sum(e)),
    gu.check_two_neuron_gradient: lambda w1, b1, w2, b2, x, y: (1.0, 1.0, 1.0, 1.0),
    gu.check_exact_fit: lambda w1, b1: (2 * w1, 30 - b1),
    gu.check_k_linear: lambda x: x ** 2,
    gu.check_k_two_neuron: lambda w1, b1, w2, x: w2 ** 2 * x ** 2,
    gu.check_unscale: lambda a, b, s: (a / s, b),
    gu.check_momentum_step: lambda w, m, g, lr, beta: (w - lr * (beta * m + g), beta * m + g),
    gu.check_adam_step: lambda w, m, v, g, lr, b1, b2: (w - lr * g, m, v),
    gu.check_annealing: lambda lr, g2, smallest: (lr / 4 if g2 > smallest else lr, smallest),
    gu.check_active_rows: lambda w1, b1, x: int(np.sum(w1 * x + b1 >= 0)) + 1,
    gu.check_relu_slope: lambda h: 1.0 if h >= 0 else 0.0,
}


@pytest.mark.parametrize("check", list(RIGHT), ids=lambda c: c.__name__)
def test_check_accepts_a_right_answer(check, capsys):
    assert check(RIGHT[check]) is None
    assert capsys.readouterr().out.strip() == "correct"


@pytest.mark.parametrize("check", list(WRONG), ids=lambda c: c.__name__)
def test_check_rejects_a_wrong_answer(check, capsys):
    check(WRONG[check])
    assert capsys.readouterr().out.startswith("not yet: ")


@pytest.mark.parametrize("check", list(RIGHT), ids=lambda c: c.__name__)
@pytest.mark.parametrize("attempt", [lambda *args: None, lambda *args: 1 / 0, lambda *args: "text", "not a function"])
def test_check_explains_and_never_raises(check, attempt, capsys):
    check(attempt)
    out = capsys.readouterr().out
    assert out.startswith("not yet: ") and len(out) > 20


@pytest.mark.parametrize("check, right, wrong", [
    (gu.check_largest_stable_lr, 1 / 2501, 1 / 2500 * 2),
    (gu.check_undamped_factor, 10, 9),
])
def test_number_checks(check, right, wrong, capsys):
    check(right)
    assert capsys.readouterr().out.strip() == "correct"
    for answer in (wrong, None, "ten", float("nan")):
        check(answer)
        assert capsys.readouterr().out.startswith("not yet: ")


def test_the_convergence_check_uses_the_engine(capsys):
    grid = np.linspace(-2, 2, 41)
    count = gu.convergence_map(5e-5, 500, w1=grid, w2=grid).counts()["converged"]
    survivors = int(gu.survival_counts([5e-5], grid, grid, epochs=5)[0])
    assert survivors > count  # surviving is not converging: the check must tell them apart
    gu.check_converged_starts(count)
    assert capsys.readouterr().out.strip() == "correct"
    for wrong in (count + 1, survivors):
        gu.check_converged_starts(wrong)
        assert capsys.readouterr().out.startswith("not yet: ")
