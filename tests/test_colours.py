"""Colour-safe pictures: every categorical scale of the course (graddesc/colours.py) keeps its classes apart for
readers with protanopia, deuteranopia or tritanopia, and the figures draw with those scales.

Simulation: Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
Deficiency", IEEE Transactions on Visualization and Computer Graphics 15(6), 1291-1298; the severity-1.0 matrices
of their table (https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html), applied to
linear sRGB, then clipped to the displayable range. Distance: CIE76 (Euclidean in CIELAB, D65 white).

Threshold: deltaE76 >= 15 between every two classes. About 2.3 is a just-noticeable difference between two large
patches side by side; lines, markers and legend swatches are small, and telling them apart needs several times that
(the smaller the mark, the larger the difference needed). Okabe and Ito's palette, made for colour-blind readers,
keeps every pair of its eight colours at 16.1 or more under all three simulations; matplotlib's default green and
red fall to 7.3 for a deuteranope, and the course's former convergence map to 1.8 (tests below).
"""
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from matplotlib.colors import to_rgb

import graddesc_utils as gu
from graddesc import colours

ROOT = Path(__file__).resolve().parents[1]
MACHADO_2009 = {  # severity 1.0, linear RGB in, linear RGB out
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
VISIONS = {"typical": np.eye(3), **MACHADO_2009}
THRESHOLD = 15.0
SHADES = np.linspace(0, 1, 11)  # where a class is a (fast, slow) ramp: its shades, as convergence_colours mixes them
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])


def linear(srgb):
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear_rgb):
    t = (np.asarray(linear_rgb) @ SRGB_TO_XYZ.T) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def seen(colour, vision):
    """CIELAB of an sRGB colour as a reader with this vision sees it."""
    return lab(np.clip(linear(to_rgb(colour)) @ VISIONS[vision].T, 0, 1))


def shades(entry):
    """The colours a class takes: one, or a (fast, slow) ramp mixed in sRGB."""
    if isinstance(entry, tuple):
        fast, slow = (np.array(to_rgb(end)) for end in entry)
        return [tuple(fast + t * (slow - fast)) for t in SHADES]
    return [entry]


def closest_pair(scale, vision):
    """(deltaE, class, class): the two classes of a scale that this reader sees closest, over all their shades."""
    return min((float(np.linalg.norm(seen(p, vision) - seen(q, vision))), a, b)
               for (a, ca), (b, cb) in itertools.combinations(scale.items(), 2)
               for p in shades(ca) for q in shades(cb))


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("scale", colours.SCALES)
def test_every_scale_keeps_its_classes_apart(scale, vision):
    distance, a, b = closest_pair(colours.SCALES[scale], vision)
    assert distance >= THRESHOLD, f"{scale}: {a!r} and {b!r} are {distance:.1f} apart for {vision}"


def test_the_check_fails_on_red_against_green():
    green_red = {"green": "tab:green", "red": "tab:red"}  # matplotlib's default C2, C3
    assert closest_pair(green_red, "typical")[0] >= THRESHOLD  # told apart with typical vision...
    assert closest_pair(green_red, "deuteranopia")[0] < 10  # ...not by a deuteranope (7.3)
    former_map = {"converged": ((0.0, 0.36, 0.12), (0.55, 0.85, 0.40)), "diverged": ((0.55, 0.0, 0.05),
                  (0.98, 0.72, 0.62)), "still training": ((0.12, 0.30, 0.62), (0.62, 0.76, 0.93))}
    assert closest_pair(former_map, "deuteranopia")[0] < 5  # its green and red shades met


@given(st.floats(0, 1))
def test_the_simulations_leave_greys_grey(level):
    # each matrix's rows sum to 1: white stays white and every grey keeps its lightness
    for vision in MACHADO_2009:
        grey = (level, level, level)
        assert np.allclose(seen(grey, vision), seen(grey, "typical"), atol=0.05)


def test_the_palettes_are_okabe_ito():
    assert set(colours.CYCLE) == set(colours.OKABE_ITO.values())
    used = {c for scale in colours.SCALES.values() for entry in scale.values() for c in
            (entry if isinstance(entry, tuple) else (entry,))}
    extra = {c for c in used if c not in colours.OKABE_ITO.values()}
    assert extra == {"#7A2400", "#8C8C8C"}  # the dark end of "diverged", the grey of a neuron dead from the start


def test_figures_draw_with_the_course_cycle():
    fig, ax = gu.figure()
    lines = [ax.plot([0, 1], [0, k])[0] for k in range(len(colours.CYCLE))]
    assert [line.get_color() for line in lines] == colours.CYCLE
    assert to_rgb(ax.plot([0], [0], color="C3")[0].get_color()) == to_rgb(colours.OKABE_ITO["vermillion"])


def test_the_convergence_map_paints_each_outcome_in_its_colours():
    from graddesc.outcomes import CONVERGED, DIVERGED, OUTCOMES, TRAINING

    class Map:  # the fields convergence_colours reads: one start per outcome, fast or slow
        epochs = 100
        outcome = np.array([[CONVERGED, CONVERGED, DIVERGED, DIVERGED, TRAINING, TRAINING, OUTCOMES.index(
            "stuck on a constant")]]).T
        epoch = np.array([[1, 100, 1, 100, 0, 0, 0]]).T
        final_error = np.array([[0.0, 0.0, np.inf, np.inf, 1000.0, 1.0, 5.0]]).T

    pixels = gu.convergence_colours(Map())[0, :, :3]
    expected = [end for name in OUTCOMES[:3] for end in colours.OUTCOME_COLOURS[name]] + ["#000000"]
    assert np.allclose(pixels, [to_rgb(c) for c in expected])


def test_the_race_draws_each_optimizer_in_its_colour():
    explorer = gu.explore_race(epochs=2)
    for ax in explorer.fig.axes:
        drawn = {line.get_label(): line.get_color() for line in ax.get_lines() if not line.get_label().startswith("_")}
        assert drawn == colours.RACE_COLOURS


def test_no_colour_is_chosen_outside_colours_py():
    # a hex colour or a red-green colour map in the package would bypass the checked scales
    for path in sorted((ROOT / "graddesc").glob("*.py")):
        if path.name == "colours.py":
            continue
        text = path.read_text()
        assert not re.search(r"['\"]#[0-9a-fA-F]{6}['\"]", text), path.name
        assert not re.search(r"RdYlGn|RdGn|PiYG|PRGn|RdYlBu", text), path.name
