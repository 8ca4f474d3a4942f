"""Benchmarks for graddesc: run `python benchmarks/run.py` (no extra dependencies). Prints a Markdown table.

Method, in short:
- Interactives: each explorer is built on the Agg canvas. A "move" sets one slider's value through the widget
  (the same observer path a browser drag triggers: one training run or sweep, artists updated, canvas redrawn),
  alternating between two neighbouring slider positions, so every move is real work. For every slider we move it
  at its default position and at each end of its range (every option of a toggle), other sliders at default;
  "default" is the median over moves at default positions, "slowest position" the largest median of any slider
  position, "worst" the single slowest move seen.
- Sweep: a 256 x 256 grid of 2-neuron starting points (w1, w2) x 29 rows x 1 epoch through one `train` call,
  against the same work done by one `train` call per configuration on a sample, extrapolated.
- Import time: `import graddesc_utils` in a fresh interpreter, minus `import numpy, matplotlib` alone.
- Test suite: the README's test command without the browser tests, wall time of one run.
Every timing is a median over repeated runs; the machine and date are printed with the table.
"""
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import graddesc_utils as gu  # noqa: E402

TARGET_MEDIAN_MS, TARGET_WORST_MS = 25.0, 60.0
TARGET_RATIO, TARGET_RATE = 200.0, 50e6


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


def positions(control):
    if hasattr(control, "options"):
        return [option[1] if isinstance(option, tuple) else option for option in control.options]
    if hasattr(control, "base"):
        return [control.base ** control.min, control.value, control.base ** control.max]
    return [control.min, control.value, control.max]


def time_moves(explorer, name, at, moves=9):
    control = explorer.controls[name]
    control.value = at
    other = neighbour(control, control.value)
    start = control.value
    times = []
    for k in range(moves):
        target = other if k % 2 == 0 else start
        t0 = time.perf_counter()
        control.value = target
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bench_interactives():
    rows = []
    for key, factory in gu.EXPLORERS.items():
        explorer = factory()
        defaults = explorer.values()
        default_times, slowest_median, slowest_where, worst = [], 0.0, "", 0.0
        for name in explorer.controls:
            for at in positions(explorer.controls[name]):
                explorer.set(**defaults)
                times = time_moves(explorer, name, at)
                if at == defaults[name]:
                    default_times += times
                median = statistics.median(times)
                if median > slowest_median:
                    slowest_median, slowest_where = median, f"{name}={at:.3g}" if isinstance(at, float) else f"{name}={at}"
                worst = max(worst, max(times))
        rows.append((f"{key} {explorer.name.split(' ', 1)[1]}", statistics.median(default_times), slowest_median,
                     slowest_where, worst))
        explorer.set(**defaults)
    return rows


def bench_sweep(repeats=9, sample=64):
    x, y = gu.load_data()
    grid = np.linspace(-3, 3, 256)
    w1, w2 = np.meshgrid(grid, grid, indexing="ij")
    optimizer = gu.SGD(3e-5)

    def sweep():
        gu.train(gu.TwoNeuron(w1=w1, b1=0.5, w2=w2, b2=1.0), optimizer, x, y, 1, trace=False)

    sweep()
    sweep_times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sweep()
        sweep_times.append(time.perf_counter() - t0)
    single_times = []
    for k in range(sample):
        i, j = divmod(k * 1021 % (256 * 256), 256)
        t0 = time.perf_counter()
        gu.train(gu.TwoNeuron(w1=w1[i, j], b1=0.5, w2=w2[i, j], b2=1.0), optimizer, x, y, 1, trace=False)
        single_times.append(time.perf_counter() - t0)
    sweep_s = statistics.median(sweep_times)
    loop_s = statistics.median(single_times) * w1.size
    return sweep_s, loop_s, w1.size * len(x) / sweep_s


def bench_import(repeats=7):
    def run(code):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)
    base = run("import numpy, matplotlib")
    return run("import numpy, matplotlib, graddesc_utils") - base


def bench_tests():
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "not browser and not binder"], cwd=ROOT,
                            capture_output=True, text=True)
    return time.perf_counter() - t0, result.stdout.strip().splitlines()[-1] if result.stdout else "?"


def main():
    quick = "--quick" in sys.argv  # skip the test-suite timing
    print(f"graddesc benchmarks, {datetime.date.today()}, {platform.node() or 'machine'}: "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
          f"matplotlib {matplotlib.__version__}\n")
    print("| interactive | default: median ms | slowest position: median ms | where | worst move ms | target |")
    print("|---|---:|---:|---|---:|---|")
    all_met = True
    for name, default, slowest, where, worst in bench_interactives():
        met = default <= TARGET_MEDIAN_MS and slowest <= TARGET_MEDIAN_MS and worst <= TARGET_WORST_MS
        all_met &= met
        print(f"| {name} | {default:.1f} | {slowest:.1f} | {where} | {worst:.1f} | {'met' if met else 'MISSED'} |")
    sweep_s, loop_s, rate = bench_sweep()
    ratio = loop_s / sweep_s
    met = ratio >= TARGET_RATIO and rate >= TARGET_RATE
    all_met &= met
    print("\n| sweep (256 x 256 configurations x 29 rows x 1 epoch) | value | target |")
    print("|---|---:|---|")
    print(f"| one vectorized `train` call | {sweep_s * 1000:.1f} ms | |")
    print(f"| one `train` call per configuration (extrapolated) | {loop_s:.1f} s | |")
    print(f"| ratio | {ratio:.0f}x | >= {TARGET_RATIO:.0f}x {'met' if ratio >= TARGET_RATIO else 'MISSED'} |")
    print(f"| row-updates per second | {rate / 1e6:.1f} M | >= {TARGET_RATE / 1e6:.0f} M "
          f"{'met' if rate >= TARGET_RATE else 'MISSED'} |")
    print(f"\nimport graddesc_utils beyond numpy + matplotlib: {bench_import() * 1000:.0f} ms (median of 7)")
    if not quick:
        seconds, summary = bench_tests()
        print(f"test suite without the browser tests: {seconds:.1f} s wall ({summary})")
    print(f"\nall targets met: {'yes' if all_met else 'no'}")


if __name__ == "__main__":
    main()
