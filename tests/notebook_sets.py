"""The course's notebooks, in their three layers: the learner's path (notebooks/*.ipynb), the rigorous layer
(notebooks/deeper/), the worked answers (notebooks/answers/). Tests name a notebook by its path under notebooks/."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
SCRIPT_DIR = ROOT / "tools" / "notebooks"
LEARNER = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
DEEPER = sorted((NOTEBOOK_DIR / "deeper").glob("*.ipynb"))
ANSWERS = sorted((NOTEBOOK_DIR / "answers").glob("*.ipynb"))
ALL = LEARNER + DEEPER + ANSWERS


def name(path):
    """A notebook's name under notebooks/: '03_why_it_explodes.ipynb', 'deeper/03_why_it_explodes.ipynb'."""
    return Path(path).resolve().relative_to(NOTEBOOK_DIR).as_posix()


def script_of(path):
    """The percent script jupytext pairs with a notebook (jupytext.toml)."""
    return SCRIPT_DIR / Path(name(path)).with_suffix(".py")
