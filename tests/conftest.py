import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # interactives are driven in-process; figures draw on the Agg canvas
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
REFERENCE = Path(__file__).resolve().parent / "reference"
