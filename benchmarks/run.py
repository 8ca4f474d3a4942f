"""Benchmarks for graddesc: `python benchmarks/run.py` measures everything twice, on one core (the learner's Binder:
`taskset -c 0`, NUMBA_NUM_THREADS=1) and on all of this machine's cores, prints each measurement beside its target
and writes the same tables into README.md (between the benchmark-table markers), one core first.
`--quick` skips Run All of every notebook and the test suite's timing; `--no-suite` only the latter.

Each measurement runs in a child process pinned to its cores (`--measure SECTION --json`), so one run compares
like with like; ratios (compiled against C, coarse against full map) come from the same child.

Method, in short (every timing a median over repeats):
- The convergence map (04) while dragging: for every position of its lr slider's grid, the cache of computed maps
  emptied first, one move of the slider with the drag preview on (a coarse 61 x 61 map, labelled as such), then the
  release: the full 121 x 121 map drawn. On all cores, the same with the background prefetch running.
- Other interactives: each explorer built on the Agg canvas; a "move" sets one slider's value through the widget
  (the observer path a browser drag triggers), alternating between two neighbouring positions, at its default and
  at each end.
- Sweep rate: 256 x 256 configurations x 20 epochs x 29 rows through one `train(..., trace=False)` call, for every
  model x optimizer x convention x gradient; the 2-neuron SGD work in a minimal numpy loop, and in a plain C loop
  (benchmarks/limit_loop.c, gcc -O3 -march=native) run on the same cores (the configurations split across them).
- First map: a fresh interpreter from its first line to the convergence map drawn, numba's cache empty and filled.
- Notebooks: Run All of every notebook in a fresh kernel, and the kernel's peak memory (benchmarks/notebooks.py).
- Browser: key press to new pixels in JupyterLab + chromium, as tests/test_browser.py last measured it.
"""
import ctypes
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
import graddesc_utils as gu  # noqa: E402
from graddesc import explore_maps, kernels, sweeps  # noqa: E402
from graddesc.explore_maps import MAP_PICTURES  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import notebooks as notebook_runs  # noqa: E402

TARGET_MEDIAN_MS, TARGET_WORST_MS, TARGET_MAP_MS = 25.0, 60.0, 100.0
TARGET_DRAG_MEDIAN_MS, TARGET_DRAG_WORST_MS, TARGET_RELEASE_MS = 60.0, 100.0, 400.0
TARGET_RATE, TARGET_OTHERS = 1.5e9, 0.75e9  # row-updates/s: 2-neuron SGD, and within 2x of it for the rest
TARGET_NUMPY_RATIO, TARGET_C_RATIO = 20.0, 0.3
TARGET_COLD_S, TARGET_WARM_S, TARGET_BROWSER_RATIO = 5.0, 1.0, 1.3
X, Y = gu.load_data()
GRID = np.linspace(-3, 3, 256)
W1, W2 = np.meshgrid(GRID, GRID, indexing="ij")
EPOCHS = 20


def median_time(function, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---- interactives ---------------------------------------------------------------------------------------------
def neighbour(control, value):
    """A different value one slider step (or one option) away, within the range."""
    if hasattr(control, "options"):
        values = [option[1] if isinstance(option, tuple) else option for option in control.options]
        return values[(values.index(value) + 1) % len(values)]
    if hasattr(control, "base"):  # log slider: move the exponent
        exponent = np.log(value) / np.log(control.base)
        up = exponent + control.step
        return control.base ** (up if up <= control.max + 1e-9 else exponent - control.step)
    up = value + control.step
    return up if up <= control.max else value - control.step


def positions(control, every=False):
    if hasattr(control, "options"):
        return [option[1] if isinstance(option, tuple) else option for option in control.options]
    if hasattr(control, "base"):
        if every:
            return list(control.base ** np.arange(control.min, control.max + control.step / 2, control.step))
        return [control.base ** control.min, control.value, control.base ** control.max]
    return [control.min, control.value, control.max]


def time_moves(explorer, name, at, moves, before=lambda: None):
    """Milliseconds per move; before() runs untimed ahead of each (the map: empty its cache, so every move
    computes its map as it would before the background prefetch has reached it)."""
    control = explorer.controls[name]
    control.value = at
    start, other = control.value, neighbour(control, control.value)
    times = []
    for k in range(moves):
        before()
        t0 = time.perf_counter()
        control.value = other if k % 2 == 0 else start
        times.append((time.perf_counter() - t0) * 1000)
    return times


LEARNERS_PATH = {  # the learner's path's interactives (gu.EXPLORERS lists the rigorous layer's)
    "00 replay": lambda: gu.explore_replay(gu.TwoNeuron(), gu.SGD(1e-4), gradient="finite_difference"),
    "03 largest lr": gu.explore_largest_lr, "03 steepness": gu.explore_steepness, "04 better starts": gu.explore_start,
    "05 smoothing": gu.explore_smoothing}


def bench_interactives():
    rows = []
    for key, factory in {**LEARNERS_PATH, **gu.EXPLORERS}.items():
        if factory is gu.explore_convergence_map:
            continue  # bench_map_drag
        explorer = factory()
        is_map = False
        defaults = explorer.values()
        default_times, slowest, where, worst = [], 0.0, "", 0.0
        for name, control in explorer.controls.items():
            for at in positions(control, every=is_map and name == "lr"):
                explorer.set(**defaults)
                times = time_moves(explorer, name, at, 5 if is_map else 9,
                                   before=MAP_PICTURES.clear if is_map else lambda: None)
                if at == defaults[name]:
                    default_times += times
                if statistics.median(times) > slowest:
                    slowest = statistics.median(times)
                    where = f"{name}={at:.3g}" if isinstance(at, float) else f"{name}={at}"
                worst = max(worst, max(times))
        explorer.set(**defaults)
        target = (TARGET_MAP_MS, None) if is_map else (TARGET_MEDIAN_MS, TARGET_WORST_MS)
        met = statistics.median(default_times) <= target[0] and slowest <= target[0] and (
            target[1] is None or worst <= target[1])
        label = key if key in LEARNERS_PATH else f"{key} {explorer.name.split(' ', 1)[1]}"
        rows.append((label, statistics.median(default_times), slowest, where,
                     worst, target, met))
    return rows


def bench_map_drag(prefetch=False):
    """The convergence map's lr slider at every position of its grid, nothing cached: a drag move (the coarse
    preview) and the release (the full map), in ms. prefetch: with the background thread filling the cache."""
    explorer = gu.explore_convergence_map(prefetch=False, preview=True)
    if prefetch:
        explore_maps.prefetch_lr_row(explorer.controls, 500)
    defaults, drag, release = explorer.values(), [], []
    for lr in positions(explorer.controls["lr"], every=True):
        explorer.set(**defaults)
        explorer.refine()
        MAP_PICTURES.clear()
        t0 = time.perf_counter()
        explorer.set(lr=lr)
        drag.append((time.perf_counter() - t0) * 1000)
        MAP_PICTURES.clear()
        t0 = time.perf_counter()
        explorer.refine()
        release.append((time.perf_counter() - t0) * 1000)
    return {"drag": drag, "release": release}


# ---- sweeps ---------------------------------------------------------------------------------------------------
SWEEP_MODELS = {
    "2 neurons": lambda: gu.TwoNeuron(w1=W1, b1=0.0, w2=W2, b2=0.0),
    "2 neurons, ReLU": lambda: gu.TwoNeuron(w1=W1, b1=1.0, w2=W2, b2=1.0, relu=True),
    "2 neurons, leaky ReLU": lambda: gu.TwoNeuron(w1=W1, b1=1.0, w2=W2, b2=1.0, relu=True, leak=0.01),
    "linear": lambda: gu.Linear(a=W1, b=W2 * 10),
}
SWEEP_OPTIMIZERS = {  # learning rates at which no configuration of the grid diverges within 20 epochs
    "SGD": lambda convention: gu.SGD(1e-5),
    "momentum": lambda convention: gu.Momentum(1e-5 if convention == "sheet" else 1e-6, convention=convention),
    "RMSProp": lambda convention: gu.RMSProp(1e-3, convention=convention),
    "Adam": lambda convention: gu.Adam(1e-3, convention=convention),
}


def sweep_rate(model, optimizer, gradient="analytic", repeats=5):
    gu.train(model, optimizer, X, Y, 1, gradient=gradient, trace=False)  # compiled (or loaded) once
    run = gu.train(model, optimizer, X, Y, EPOCHS, gradient=gradient, trace=False)
    seconds = median_time(lambda: gu.train(model, optimizer, X, Y, EPOCHS, gradient=gradient, trace=False), repeats)
    return run.diverged.size * EPOCHS * len(X) / seconds, int(run.diverged.sum())


def numpy_minimal_loop(w1, b1, w2, b2, lr, epochs):
    """The 2-neuron SGD sweep as anyone would first write it in numpy: whole arrays, one row at a time."""
    for _ in range(epochs):
        sse = np.zeros_like(w1)
        for xi, yi in zip(X, Y):
            h = w1 * xi + b1
            residual = w2 * h + b2 - yi
            sse += residual * residual
            d = 2 * residual
            g1 = w2 * d
            w1, b1, w2, b2 = w1 - lr * g1 * xi, b1 - lr * g1, w2 - lr * h * d, b2 - lr * d
    return sse


def c_limit_rate(repeats=7):
    """The same work as a plain C loop, compiled on the spot; None where gcc is missing."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="graddesc-limit-"))
    library = folder / "limit.so"
    subprocess.run([gcc, "-O3", "-march=native", "-shared", "-fPIC", "-o", library, ROOT / "benchmarks" /
                    "limit_loop.c"], check=True)
    sweep = ctypes.CDLL(str(library)).sweep
    double = ctypes.POINTER(ctypes.c_double)
    sweep.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, double, double, ctypes.c_double] + [double] * 5
    n = W1.size
    cores = sweeps.THREADS  # the cores this process may use; ctypes releases the GIL, so threads run in parallel
    parts = np.array_split(np.arange(n), cores)

    def part(index):
        arrays = [W1.ravel()[index].copy(), np.zeros(index.size), W2.ravel()[index].copy(), np.zeros(index.size),
                  np.zeros(index.size)]
        sweep(index.size, EPOCHS, len(X), X.ctypes.data_as(double), Y.ctypes.data_as(double), 1e-5,
              *(a.ctypes.data_as(double) for a in arrays))

    def run():
        with ThreadPoolExecutor(cores) as pool:
            list(pool.map(part, parts))
    run()
    rate = n * EPOCHS * len(X) / median_time(run, repeats)
    shutil.rmtree(folder)
    return rate


def bench_sweeps():
    headline, _ = sweep_rate(SWEEP_MODELS["2 neurons"](), gu.SGD(1e-5), repeats=9)
    table = []
    for model_name, make_model in SWEEP_MODELS.items():
        for optimizer_name, make_optimizer in SWEEP_OPTIMIZERS.items():
            for convention in ("sheet",) if optimizer_name == "SGD" else gu.CONVENTIONS:
                for gradient in gu.GRADIENTS:
                    rate, diverged = sweep_rate(make_model(), make_optimizer(convention), gradient)
                    table.append((model_name, optimizer_name, convention, gradient, rate, diverged))
    numpy_seconds = median_time(lambda: numpy_minimal_loop(W1, 0.0, W2, 0.0, 1e-5, EPOCHS), 3)
    numpy_rate = W1.size * EPOCHS * len(X) / numpy_seconds
    return headline, table, numpy_rate, c_limit_rate()


# ---- first map, import, tests, browser ---------------------------------------------------------------------------
FIRST_MAP = """import time
t0 = time.perf_counter()
import matplotlib
matplotlib.use("Agg")
import graddesc_utils as gu
explorer = gu.explore_convergence_map()
explorer.fig.canvas.draw()
print(time.perf_counter() - t0)
"""


def bench_first_map():
    """Seconds from a fresh interpreter's first line to the map drawn: numba's cache empty, then filled."""
    cache = tempfile.mkdtemp(prefix="graddesc-numba-")
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)

    def once():
        result = subprocess.run([sys.executable, "-c", FIRST_MAP], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True)
        return float(result.stdout.strip().splitlines()[-1])
    cold = once()
    warm = statistics.median(once() for _ in range(5))
    shutil.rmtree(cache)
    return cold, warm


def bench_import(repeats=7):
    def run(code):
        return median_time(lambda: subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT), repeats)
    return run("import numpy, matplotlib, graddesc_utils") - run("import numpy, matplotlib")


def bench_tests():
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "not browser and not binder"], cwd=ROOT,
                            capture_output=True, text=True)
    return time.perf_counter() - t0, result.stdout.strip().splitlines()[-1] if result.stdout else "?"


def browser_latencies():
    path = ROOT / "artifacts" / "browser" / "latency.txt"
    return path.read_text().strip() if path.exists() else None


def verdict(met):
    return "met" if met else "MISSED"


SECTIONS = {
    "map": lambda: bench_map_drag(prefetch=False),
    "map_prefetch": lambda: bench_map_drag(prefetch=True),
    "interactives": bench_interactives,
    "sweeps": bench_sweeps,
    "first_map": bench_first_map,
    "import": bench_import,
    "notebooks": notebook_runs.measure_all,
    "notebooks_learner": lambda: notebook_runs.measure_all(("learner's path",)),
}


def measure(section, cores):
    """One section in a child process pinned to `cores` cores (one: taskset -c 0, numba single-threaded)."""
    command = [sys.executable, __file__, "--measure", section]
    env = dict(os.environ)
    if cores == 1:
        command = ["taskset", "-c", "0", *command]
        env["NUMBA_NUM_THREADS"] = "1"
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def map_lines(label, moves, met):
    drag, release = moves["drag"], moves["release"]
    return [f"| {label} | {statistics.median(drag):.0f} | {max(drag):.0f} | {statistics.median(release):.0f} | "
            f"{max(release):.0f} | {verdict(met)} |"]


def map_met(moves):
    return (statistics.median(moves["drag"]) <= TARGET_DRAG_MEDIAN_MS and max(moves["drag"]) <= TARGET_DRAG_WORST_MS
            and max(moves["release"]) <= TARGET_RELEASE_MS)


def report(cores, quick):
    """The tables for one core setting, and whether the issue's targets are met there."""
    name = "one core (taskset -c 0), the learner's Binder" if cores == 1 else f"{cores} cores, this whole machine"
    lines, all_met = [f"### {name}", ""], True
    moves = measure("map", cores)
    met = map_met(moves)
    all_met &= met
    lines += [f"The convergence map's lr slider at each of its {len(moves['drag'])} positions, nothing cached "
              f"(target: drag median <= {TARGET_DRAG_MEDIAN_MS:.0f} ms, every drag move <= "
              f"{TARGET_DRAG_WORST_MS:.0f} ms, the full map <= {TARGET_RELEASE_MS:.0f} ms after release):", "",
              "| setting | drag median ms | drag worst ms | release median ms | release worst ms | target |",
              "|---|---:|---:|---:|---:|---|", *map_lines("map, coarse preview while dragging", moves, met)]
    if cores > 1:
        busy = measure("map_prefetch", cores)
        busy_met = map_met(busy)
        all_met &= busy_met
        lines += map_lines("the same, background prefetch running", busy, busy_met)

    if not quick:  # every notebook on the learner's one core; the learner's path on all cores
        rows = measure("notebooks" if cores == 1 else "notebooks_learner", cores)
        lines += ["", "| notebook | Run All s | kernel peak MB | target |", "|---|---:|---:|---|"]
        for row in rows:
            goal = notebook_runs.TARGETS[row["layer"]]
            ok = notebook_runs.met(row)
            all_met &= ok
            lines.append(f"| {row['notebook']} | {row['seconds']:.1f} | {row['peak_mb']:.0f} | <= {goal[0]:.0f} s, "
                         f"<= {goal[1]:.0f} MB: {verdict(ok)} |")

    cold, warm = measure("first_map", cores)
    first_met = cold <= TARGET_COLD_S and warm <= TARGET_WARM_S
    all_met &= first_met
    lines += ["", f"fresh interpreter to the first convergence map drawn: cold cache {cold:.1f} s (target <= "
              f"{TARGET_COLD_S:.0f} s), warm cache {warm:.2f} s (target <= {TARGET_WARM_S:.0f} s): {verdict(first_met)}"]

    headline, table, numpy_rate, c_rate = measure("sweeps", cores)
    c_ratio = headline / c_rate if c_rate else float("nan")
    c_met = c_rate is None or c_ratio >= TARGET_C_RATIO
    all_met &= c_met
    lines += ["", f"| sweep: 256 x 256 configurations x {EPOCHS} epochs x 29 rows, trace=False | value | target |",
              "|---|---:|---|",
              f"| 2 neurons, SGD (lr 1e-5, none diverges) | {headline / 1e9:.2f} G row-updates/s | |",
              f"| the same work in plain C on the same cores (gcc -O3 -march=native) | "
              + (f"{c_rate / 1e9:.2f} G/s, compiled is {c_ratio:.2f}x of it | >= {TARGET_C_RATIO}x: "
                 f"{verdict(c_met)} |" if c_rate else "no gcc | |"),
              f"| the same 2-neuron work in a minimal numpy loop | {numpy_rate / 1e6:.0f} M/s, compiled is "
              f"{headline / numpy_rate:.0f}x | |",
              f"| slowest combination (Adam, PyTorch, finite differences; the divider- and square-root-bound one) | "
              f"{min(rate for *_, rate, _ in table) / 1e9:.2f} G/s, {min(r for *_, r, _ in table) / headline:.2f}x "
              f"the headline | |"]
    if cores == 1:
        interactives = measure("interactives", cores)
        lines += ["", "| interactive | default: median ms | slowest position: median ms | where | worst move ms | "
                  "target |", "|---|---:|---:|---|---:|---|"]
        for label, default, slowest, where, worst, target, met in interactives:
            all_met &= met
            goal = f"median <= {target[0]:.0f} ms" + (f", worst <= {target[1]:.0f} ms" if target[1] else "")
            lines.append(f"| {label} | {default:.1f} | {slowest:.1f} | {where} | {worst:.1f} | {goal}: "
                         f"{verdict(met)} |")
        lines += ["", "| model | optimizer | convention | gradient | G row-updates/s | diverged |",
                  "|---|---|---|---|---:|---:|"]
        lines += [f"| {m} | {o} | {c} | {g} | {rate / 1e9:.2f} | {d} |" for m, o, c, g, rate, d in table]
    lines += ["", f"targets met on {name.split(',')[0]}: {'yes' if all_met else 'no'}", ""]
    return lines, all_met


def main():
    if "--measure" in sys.argv:
        print(json.dumps(SECTIONS[sys.argv[sys.argv.index("--measure") + 1]]()))
        return
    quick = "--quick" in sys.argv
    lines = [f"graddesc benchmarks, {datetime.date.today()}, {platform.node() or 'machine'}: {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, numpy {np.__version__}, numba {kernels.numba.__version__}, "
             f"matplotlib {matplotlib.__version__}", ""]
    all_met = True
    for cores in (1, os.cpu_count()):
        block, met = report(cores, quick)
        lines += block
        all_met &= met
    lines.append(f"import graddesc_utils beyond numpy + matplotlib: {measure('import', 1) * 1000:.0f} ms (median of "
                 f"7, one core; numba is imported only when a sweep runs)")
    if not quick and "--no-suite" not in sys.argv:
        seconds, summary = bench_tests()
        lines.append(f"test suite without the browser and Binder tests: {seconds:.0f} s wall ({summary})")
    browser = browser_latencies()
    if browser:
        lines += ["", "In the browser (JupyterLab + chromium, from the last `tests/test_browser.py` run):", "",
                  *[f"    {line}" for line in browser.splitlines()]]
    lines += ["", f"all targets met: {'yes' if all_met else 'no'}"]
    text = "\n".join(lines)
    print(text)
    readme = ROOT / "README.md"
    marked = re.sub(r"(<!-- benchmark-table -->\n).*?(\n<!-- /benchmark-table -->)",
                    lambda m: m.group(1) + text + m.group(2), readme.read_text(), flags=re.S)
    readme.write_text(marked)


if __name__ == "__main__":
    main()
