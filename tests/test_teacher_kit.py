"""What a teacher meets when running the course on other data or for a class (issue 22, the teacher's review):
"converged" follows the data (within 1 of the best line's error where no line fits), the checks judge answers
from the data and at a learner's precision, they can keep the answers back, explore_start's b2 slider follows the
data, and every `python3 -c "..."` command the guides quote runs."""
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import graddesc_utils as gu  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
X, Y = gu.load_data()
NOISY = 2 * X + 30 + np.random.default_rng(0).normal(0, 5, len(X))  # the teacher's data: sd 5, seed 0
LINE3 = 3 * X + 10
FEW = settings(max_examples=12, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def printed(check, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(*args, **kwargs)
    return out.getvalue().strip()


# ---- 1. "converged" on data no line fits ------------------------------------------------------------------------
def test_converged_is_exactly_below_1_on_data_on_a_line_and_within_1_of_the_floor_otherwise():
    assert gu.convergence_tol() == 1.0 and gu.convergence_tol(X, Y) == 1.0
    assert gu.convergence_tol(X, LINE3) == 1.0
    assert gu.convergence_tol(X - X.mean(), Y) == 1.0  # centred x: the fit's rounding is not a floor
    floor = gu.residual_floor(X, NOISY)
    assert 20 < floor < 23
    assert gu.convergence_tol(X, NOISY) == 1.0 + floor


@FEW
@given(slope=st.integers(-50, 50).map(lambda i: i / 10), intercept=st.integers(-100, 100),
       sd=st.sampled_from([0.0, 1.0, 5.0]))
def test_convergence_tol_is_one_plus_the_floor_for_any_line_and_noise(slope, intercept, sd):
    y = slope * X + intercept + np.random.default_rng(1).normal(0, 1, len(X)) * sd
    floor = gu.residual_floor(X, y)
    assert gu.convergence_tol(X, y) == (1.0 if sd == 0 else 1.0 + floor)


def test_outcome_lr_scan_and_outcome_fractions_use_it_and_say_so():
    floor, tol = gu.residual_floor(X, NOISY), gu.convergence_tol(X, NOISY)
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-5), X, NOISY, 10_000, trace=False)
    assert gu.converged(run, tol) and not gu.converged(run, 1.0)
    assert gu.outcome(run) == (f"converged by epoch {gu.epochs_to(run, tol)} "
                               f"(error within 1 of the best line's {floor:.3g})")
    short = gu.train(gu.TwoNeuron(), gu.SGD(1e-5), X, NOISY, 1000, trace=False)
    assert gu.outcome(short) == (f"still going (sheet error {short.final_errors:.3g} after 1000 epochs; "
                                 f"converged: error within 1 of the best line's {floor:.3g})")
    sheet = gu.train(gu.TwoNeuron(), gu.SGD(3e-5), X, Y, 1000, trace=False)
    assert gu.outcome(sheet) == f"converged by epoch {gu.epochs_to(sheet, 1.0)}"  # the sheet's words, unchanged
    lrs = np.array([5e-6, 1e-5, 3e-5])
    trains, scan = gu.lr_scan(lrs, x=X, y=NOISY, epochs=10_000)
    np.testing.assert_array_equal(trains, gu.converged(scan, tol))
    assert trains.any() and not gu.converged(scan, 1.0).any()
    fared = gu.outcome_fractions(gu.Linear(), gu.SGD(3e-5), X, NOISY, 2000, n=4)
    assert fared.tol == tol and fared.summary().endswith(f"(2000 epochs, tol {tol:g})")
    assert gu.outcome_fractions(gu.Linear(), gu.SGD(1e-4), epochs=5, n=2).tol == 1.0


def test_the_largest_lr_task_can_be_done_on_noisy_data():
    floor, tol = gu.residual_floor(X, NOISY), gu.convergence_tol(X, NOISY)
    explorer = gu.explore_largest_lr(x=X, y=NOISY, epochs=10_000)
    try:
        slider = explorer.controls["lr"]
        said = {}
        for k in range(0, int(round((slider.max - slider.min) / slider.step)) + 1, 5):
            lr = float(10 ** (slider.min + k * slider.step))
            explorer.set(lr=lr)
            said[lr] = explorer.text
            run = gu.train(gu.TwoNeuron(), gu.SGD(slider.value), X, NOISY, 10_000, trace=False)
            assert explorer.text.endswith(gu.outcome(run, tol))
            if not run.diverged_at:
                assert f"the best line's {floor:.3g}" in explorer.text
        assert any("converged by epoch" in text for text in said.values())  # some lr trains: the task can be done
        labels = [t.get_text() for t in explorer.fig.axes[0].get_legend().get_texts()]
        assert any(f"the best line's {floor:.3g} + 1" in label for label in labels)
        assert explorer.fig.axes[0].lines[-1].get_ydata()[0] == tol
    finally:
        plt.close(explorer.fig)


def test_the_start_explorer_counts_with_the_datas_tol():
    tol = gu.convergence_tol(X, NOISY)
    explorer = gu.explore_start(x=X, y=NOISY, epochs=300)
    try:
        explorer.set(b2=28.0, lr=1e-5)
        ordered, mixed = explorer.result
        assert explorer.text.endswith(f"data's order: {gu.outcome(ordered, tol)} | shuffled: "
                                      f"{int(gu.converged(mixed, tol).sum())} of 10 converged, "
                                      f"{int(mixed.diverged.sum())} diverged within 300 epochs")
    finally:
        plt.close(explorer.fig)


# ---- 2. the checks judge from the data, at a learner's precision ----------------------------------------------
def largest_training_lr(x, y, epochs=1000):
    """The largest of the check's 300 lrs at which the 2-neuron model converges, from single runs."""
    lrs = np.geomspace(1e-6, 1e-3, 300)
    run = gu.train(gu.TwoNeuron(), gu.SGD(lrs), x, y, epochs, trace=False)
    return float(lrs[gu.converged(run, gu.convergence_tol(x, y))].max())


def test_the_largest_training_lr_check_follows_the_data():
    sheet, line3 = largest_training_lr(X, Y), largest_training_lr(X, LINE3)
    assert f"{sheet:.2g}" == "6.7e-05" and f"{line3:.2g}" == "6e-05"
    guide = " ".join((ROOT / "TEACHING.md").read_text().split())
    assert "(about 6.0e-5 on y = 3x + 10, where the sheet's is 6.7e-5)" in guide
    assert printed(gu.check_largest_training_lr, line3, x=X, y=LINE3) == "correct"
    assert printed(gu.check_largest_training_lr, sheet) == "correct"
    between = (line3 + sheet) / 2  # trains on the sheet, not on y = 3x + 10
    assert printed(gu.check_largest_training_lr, between) == "correct"
    assert "go lower" in printed(gu.check_largest_training_lr, between, x=X, y=LINE3)
    assert "go higher" in printed(gu.check_largest_training_lr, line3 / 2, x=X, y=LINE3)
    # noisy data: nothing converges within 1000 epochs, and the check says what to do
    assert "more epochs" in printed(gu.check_largest_training_lr, 1e-5, x=X, y=NOISY)


def test_the_largest_training_lr_check_refuses_half_the_data():
    with pytest.raises(ValueError, match="both x and y"):
        gu.check_largest_training_lr(1e-5, x=X)


def fit_from(slope, intercept):
    return lambda w1, b1: (slope / w1, intercept - slope / w1 * b1)


def test_the_exact_fit_check_takes_a_sensibly_rounded_answer():
    slope, intercept = gu.best_line(X, NOISY)
    assert (round(slope, 2), round(intercept, 1)) == (2.03, 28.0)
    assert printed(gu.check_exact_fit, fit_from(2.03, 28.0), X, NOISY) == "correct"
    assert printed(gu.check_exact_fit, fit_from(slope, intercept), X, NOISY) == "correct"
    assert printed(gu.check_exact_fit, fit_from(2.0, 28.0), X, NOISY).startswith("not yet")
    assert printed(gu.check_exact_fit, fit_from(2.03, 30.0), X, NOISY).startswith("not yet")
    assert printed(gu.check_exact_fit, fit_from(2, 30)) == "correct"
    assert printed(gu.check_exact_fit, fit_from(2.01, 30)).startswith("not yet")  # the sheet's 2 is exact
    assert printed(gu.check_exact_fit, lambda w1, b1: (float("nan"), 0.0)).startswith("not yet")


@FEW
@given(slope=st.floats(-20, 20).filter(lambda v: abs(v) > 0.05), intercept=st.floats(-200, 200)
       .filter(lambda v: abs(v) > 0.5))
def test_three_significant_digits_pass_and_a_wrong_third_digit_fails(slope, intercept):
    y = slope * X + intercept + np.random.default_rng(3).normal(0, 2, len(X))
    best_slope, best_intercept = gu.best_line(X, y)
    rounded = [float(f"{v:.3g}") for v in (best_slope, best_intercept)]
    assert printed(gu.check_exact_fit, fit_from(*rounded), X, y) == "correct"
    unit = 10.0 ** (np.floor(np.log10(abs(best_slope))) - 2)
    assert printed(gu.check_exact_fit, fit_from(best_slope + 2 * unit, best_intercept), X, y).startswith("not yet")


# ---- 6. handing out without answers -----------------------------------------------------------------------------
def test_set_reveal_false_keeps_the_expected_value_back():
    wrong = lambda a, b, x, y, lr: (a, b)  # noqa: E731
    try:
        assert gu.set_reveal(False) is True
        hidden = printed(gu.check_sgd_step, wrong)
        assert hidden.startswith("not yet: for a=1, b=1") and "expected" not in hidden
        assert "returned [1.0, 1.0]" in hidden
        assert "expected" not in printed(gu.check_exact_fit, fit_from(2.5, 30))
        assert "too large" in printed(gu.check_largest_stable_lr, 1.0)  # a direction, not the value
    finally:
        assert gu.set_reveal(True) is False
    shown = printed(gu.check_sgd_step, wrong)
    assert "expected [" in shown


def test_the_environment_variable_starts_a_kernel_without_answers():
    code = ("import graddesc_utils as gu; "
            "gu.check_sgd_step(lambda a, b, x, y, lr: (a, b)); "
            "gu.check_true_rmse(lambda e: 0.0)")
    for value, revealed in [("0", False), ("off", False), ("1", True), (None, True)]:
        env = {k: v for k, v in os.environ.items() if k != "GRADDESC_REVEAL"}
        if value is not None:
            env["GRADDESC_REVEAL"] = value
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=True).stdout
        assert out.count("not yet") == 2
        assert ("expected [" in out) == revealed, (value, out)


def test_teaching_documents_how_to_keep_the_answers_back(tmp_path):
    text = (ROOT / "TEACHING.md").read_text()
    assert "gu.set_reveal(False)" in text and "GRADDESC_REVEAL=0" in text
    recipe = re.search(r"```bash\n(git clone .*?)```", text, flags=re.S).group(1).splitlines()
    assert any(re.fullmatch(r"git rm -r( -q)? notebooks/answers", line) for line in recipe)
    assert any(line.startswith("git switch -c students") for line in recipe)
    assert "/students?urlpath=lab/tree/notebooks/00_start_here.ipynb" in text and "&branch=students&" in text
    # the recipe's binder/start, run as Binder runs it, starts the command with the answers kept back
    (tmp_path / "binder").mkdir()
    start = next(line for line in recipe if line.startswith("printf"))
    subprocess.run(start, shell=True, cwd=tmp_path, check=True, timeout=30)
    code = "import graddesc_utils as gu; gu.check_true_rmse(lambda e: 0.0)"
    env = {k: v for k, v in os.environ.items() if k != "GRADDESC_REVEAL"}
    out = subprocess.run([str(tmp_path / "binder" / "start"), sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.startswith("not yet") and "expected" not in out


def test_what_the_guide_says_about_noisy_data():
    text = " ".join((ROOT / "TEACHING.md").read_text().split())
    floor = gu.residual_floor(X, NOISY)
    run = gu.train(gu.TwoNeuron(), gu.SGD(1e-5), X, NOISY, 10_000, trace=False)
    assert f'"{gu.outcome(run)}"' in text  # "converged by epoch 7477 (error within 1 of the best line's 21.6)"
    assert f"(floor {floor:.3g})" in text
    lrs = np.geomspace(1e-6, 1e-3, 300)
    assert not gu.lr_scan(lrs, x=X, y=NOISY)[0].any()  # "no lr converges within 1,000 epochs"
    largest = lrs[gu.lr_scan(lrs, x=X, y=NOISY, epochs=10_000)[0]].max()
    assert "converge up to about 1.6e-5" in text and 1.5e-5 < largest < 1.7e-5
    assert printed(gu.check_largest_training_lr, 1.5e-5, epochs=10_000, x=X, y=NOISY) == "correct"


def test_the_line_breaks_about_33_arrow_presses_above_the_sheets_lr():
    explorer = gu.explore_largest_lr(model=gu.Linear(), lr_range=(1e-5, 3e-3))  # notebook 01's call
    try:
        slider = explorer.controls["lr"]
        start = int(round((np.log10(slider.value) - slider.min) / slider.step))
        presses = 0
        while "diverged" not in explorer.text:
            presses += 1
            explorer.set(lr=float(10 ** (slider.min + (start + presses) * slider.step)))
        assert slider.value == pytest.approx(1e-4 * 10 ** (presses * slider.step))
        assert "about 33 presses" in " ".join((ROOT / "TEACHING.md").read_text().split()) and presses == 33
    finally:
        plt.close(explorer.fig)


# ---- 4. explore_start's b2 slider follows the data --------------------------------------------------------------
def test_the_b2_slider_follows_the_data_and_takes_a_range():
    sheet = gu.explore_start()
    b2 = sheet.controls["b2"]
    assert (b2.min, b2.max, b2.step, b2.value) == (-10.0, 70.0, 0.5, 1.0)  # the sheet's slider, unchanged
    assert sheet.controls["centre"].options[0][0] == "x as in the sheet"
    plt.close(sheet.fig)
    for y in (LINE3, NOISY, -4 * X - 50):
        explorer = gu.explore_start(x=X, y=y)
        b2 = explorer.controls["b2"]
        intercept = gu.best_line(X, y)[1]
        assert b2.min < min(0.0, intercept) and b2.max > max(0.0, intercept)  # 0 and the answer are positions
        assert "sheet" not in explorer.controls["centre"].options[0][0]
        legend = [t.get_text() for t in explorer.fig.axes[0].get_legend().get_texts()]
        assert "the data's order" in legend and "the sheet's order" not in legend
        assert "data's order:" in explorer.text and "sheet's order" not in explorer.text
        plt.close(explorer.fig)
    chosen = gu.explore_start(x=X, y=LINE3, b2_range=(-5, 25))
    assert (chosen.controls["b2"].min, chosen.controls["b2"].max) == (-5.0, 25.0)
    plt.close(chosen.fig)
    for bad in [(25, -5), (float("nan"), 3), (1,)]:
        with pytest.raises(ValueError, match="b2_range"):
            gu.explore_start(b2_range=bad)


# ---- 5. the commands the guides quote ---------------------------------------------------------------------------
COMMAND = re.compile(r'python3? -c "([^"]+)"')
SKIP = re.compile(r"pip|install|jupyter|lab\b|serve|notebook|http")


def quoted_commands():
    found = []
    for guide in ("TEACHING.md", "README.md"):
        for code in COMMAND.findall((ROOT / guide).read_text()):
            if not SKIP.search(code.replace("jupyterlab_widgets", "")):
                found.append((guide, code))
    return found


def test_the_guides_quote_commands_to_run():
    codes = [code for _, code in quoted_commands()]
    assert any("compile_kernels" in code for code in codes) and any("js_semver" in code for code in codes)


@pytest.mark.parametrize("guide, code", quoted_commands(), ids=lambda v: v if v.endswith(".md") else v[:40])
def test_every_python_command_the_guides_quote_runs(guide, code):
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (guide, code, result.stderr[-2000:])


def test_00_and_the_guide_agree_on_what_a_hub_needs():
    import json

    cells = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    hub = re.search(r"\*\*A JupyterHub for a class:\*\*(.*?)(?:\n\n|\n#|\n- \*\*|$)", text, flags=re.S).group(1)
    hub = " ".join(hub.split())
    assert "nothing else" not in hub and "(../TEACHING.md)" in hub
    assert "extensions" in hub and "compile" in hub
    guide = " ".join((ROOT / "TEACHING.md").read_text().split())
    assert "00's \"Where to run it\" sends teachers here" in guide
    assert "graddesc.sweeps.compile_kernels()" in guide and "jupyter labextension list" in guide
