"""Colours: every categorical scale of the course in one place, each told apart with any common colour vision.

The palette is Okabe and Ito's (Color Universal Design, 2008: https://jfly.uni-koeln.de/color/), made so that
people with protanopia, deuteranopia or tritanopia can still tell its colours apart. The course's colour cycle keeps
matplotlib's roles ("C0" blue, "C1" orange, "C2" green, "C3" red) with Okabe-Ito's version of each colour, so a
figure that says "C3" and prose that says "red" still agree. tests/test_colours.py simulates each deficiency
(Machado et al. 2009) and checks that every pair of classes of every scale below stays far apart.
"""
from .outcomes import OUTCOMES, RACE_OPTIMIZERS, SETTLED

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

# matplotlib's "C0".."C7", in the roles of its default cycle (blue, orange, green, red, purple, ...)
CYCLE = [OKABE_ITO[name] for name in ("blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue",
                                      "yellow", "black")]

# Convergence maps (plots.convergence_colours): each outcome's colour from its fast end to its slow end (converged,
# diverged: in few epochs -> in many; still training: error still large -> nearly there). Every shade of one class
# stays apart from every shade of another, so the classes keep apart however the shades fall.
OUTCOME_COLOURS = {
    "converged": (OKABE_ITO["blue"], OKABE_ITO["sky blue"]),  # dark blue: in few epochs
    "diverged": ("#7A2400", OKABE_ITO["vermillion"]),  # dark red-brown: in the first epochs
    "still training": (OKABE_ITO["orange"], OKABE_ITO["yellow"]),  # orange: error still large
    "stuck on a constant": (OKABE_ITO["black"], OKABE_ITO["black"]),  # the saddle, a dead neuron
}
assert tuple(OUTCOME_COLOURS) == OUTCOMES

# The optimizer race, one colour per optimizer (the cycle's first five)
RACE_COLOURS = dict(zip(RACE_OPTIMIZERS, CYCLE))

# gu.settled's classes (converged on a fit stable at the lr, converged on an unstable one, still training, diverged)
SETTLED_COLOURS = dict(zip(SETTLED, [OKABE_ITO[name] for name in ("bluish green", "orange", "blue", "vermillion")]))

# A ReLU neuron per row: active (h > 0, its weights move) or not (h <= 0, its derivative is 0)
ACTIVITY_COLOURS = {"active": OKABE_ITO["blue"], "inactive": OKABE_ITO["vermillion"]}

# What became of a ReLU model from each start (deeper/07's map)
RELU_FATES = {"alive": OKABE_ITO["blue"], "dead from the start": "#8C8C8C",
              "killed during training": OKABE_ITO["vermillion"], "diverged": OKABE_ITO["orange"]}

# Every categorical scale, for the test: name -> {class: colour or (fast, slow) shades}
SCALES = {"colour cycle": dict(enumerate(CYCLE)), "convergence map": OUTCOME_COLOURS, "race": RACE_COLOURS,
          "settled": SETTLED_COLOURS, "ReLU activity": ACTIVITY_COLOURS, "ReLU fates": RELU_FATES}


def use_course_colours():
    """Make "C0", "C1", ... and every line's default colour the course's cycle (called before any figure is made)."""
    import matplotlib
    from cycler import cycler

    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=CYCLE)
