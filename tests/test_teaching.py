"""TEACHING.md, checked: it links only files that exist, names every notebook of the learner's path, its timings
are the estimate below computed over the notebooks as they are, and every plan's minutes add up to its total.

The estimate (TEACHING.md says how to read it): prose at 150 words a minute, half a minute per code cell (run it,
read its printout) and half a minute more per stored figure, 4 minutes per interactive (the task its text gives)
and 4 per self-checking exercise (gu.check_*). After editing a notebook, print the tables or rewrite TEACHING.md's
tables and plans (between its <!-- teaching-estimate --> and <!-- teaching-plans --> markers) with

    python3 tests/test_teaching.py            # print the estimate
    python3 tests/test_teaching.py --write    # rewrite TEACHING.md's tables and plans
"""
import json
import re
from pathlib import Path

import pytest

from notebook_sets import LEARNER, name

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "TEACHING.md"
WORDS_PER_MINUTE = 150
PER_CELL, PER_FIGURE, PER_INTERACTIVE, PER_EXERCISE = 0.5, 0.5, 4.0, 4.0
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SESSION = 90


def prose_words(markdown):
    """Words a reader reads: formulas, link targets and markup left out."""
    markdown = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    markdown = re.sub(r"\]\([^)]*\)", "]", markdown)
    return len(re.sub(r"[#*`|>_-]{2,}|[#*`|>]", " ", markdown).split())


def sections(path):
    """A notebook's sections (split at '## ' headings): title, kind and estimated minutes."""
    notebook = json.loads(Path(path).read_text())
    found = [{"title": "(opening)", "words": 0, "cells": 0, "figures": 0, "interactives": 0, "exercises": 0}]
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for part in re.split(r"(?m)^(?=## )", source):
                if part.startswith("## "):
                    found.append({"title": part.splitlines()[0][3:].strip(), "words": 0, "cells": 0, "figures": 0,
                                  "interactives": 0, "exercises": 0})
                found[-1]["words"] += prose_words(part)
        elif cell["cell_type"] == "code":
            section = found[-1]
            interactives = len(re.findall(r"gu\.explore_\w+\(", source))
            section["cells"] += 1
            section["interactives"] += interactives
            section["exercises"] += len(re.findall(r"gu\.check_\w+\(", source))
            if not interactives:
                section["figures"] += sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
    for section in found:
        title = section["title"].lower()
        section["kind"] = ("exercises" if title.startswith("exercises") else "questions" if title.startswith(
            "questions") else "optional" if "optional" in title else "core")
        section["minutes"] = (section["words"] / WORDS_PER_MINUTE + PER_CELL * section["cells"]
                              + PER_FIGURE * section["figures"] + PER_INTERACTIVE * section["interactives"]
                              + PER_EXERCISE * section["exercises"])
        stated = re.search(r"~\s*(\d+)\s*min", section["title"])
        section["stated"] = int(stated.group(1)) if stated else None
    return found


def estimate(path):
    """Minutes of a notebook: core (everything but optional parts, exercises, questions), optional, exercises;
    and its number of questions."""
    parts = sections(path)
    total = {kind: sum(s["minutes"] for s in parts if s["kind"] == kind) for kind in ("core", "optional", "exercises")}
    questions = parts[-1] if parts[-1]["kind"] == "questions" else None
    notebook = json.loads(Path(path).read_text())
    text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    total["questions"] = len(re.findall(r"(?m)^\d+\. ", text.split("## Questions")[-1])) if questions else 0
    return total


def stated_minutes(path):
    """What a notebook says it takes: 'About N minutes' (or '~N min') in its opening, else its sections' sum."""
    notebook = json.loads(Path(path).read_text())
    opening = "".join(notebook["cells"][0]["source"])
    said = re.search(r"(?:About|about|~)\s*(\d+)\s*min", opening.split("\n## ")[0])
    if said:
        return f"{said.group(1)} min"
    parts = [s["stated"] for s in sections(path) if s["stated"] is not None]
    return f"{sum(parts)} min (its sections)" if parts else ""


def tables():
    """The markdown tables TEACHING.md quotes: per notebook, then per section."""
    lines = ["| notebook | core | optional | exercises | questions | the notebook says |", "|---|---|---|---|---|---|"]
    for path in LEARNER:
        est = estimate(path)
        lines.append(f"| `{path.stem}` | {est['core']:.0f} | {est['optional']:.0f} | {est['exercises']:.0f} | "
                     f"{est['questions']} | {stated_minutes(path)} |")
    lines += ["", "| notebook | section | estimate | the notebook says |", "|---|---|---|---|"]
    for path in LEARNER:
        for section in sections(path):
            if section["kind"] in ("core", "optional") and section["title"] != "(opening)":
                title = re.sub(r"\s*\(.*?\)\s*$", "", section["title"])
                title += " (optional)" if section["kind"] == "optional" else ""
                lines.append(f"| `{path.stem}` | {title} | {section['minutes']:.0f} | "
                             f"{section['stated'] if section['stated'] is not None else ''} |")
    return "\n".join(lines)


def teaching_text():
    return TEACHING.read_text()


def markdown_tables(text):
    """Every table of a markdown text, as lists of rows of cells (header and separator dropped)."""
    found, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            found.append(rows)
            rows = []
    return [[table[0]] + table[2:] for table in found if len(table) > 2]


def number(cell):
    match = re.search(r"-?\d+(?:\.\d+)?", cell.replace("*", ""))
    return float(match.group()) if match else None


def test_teaching_links_only_files_that_exist():
    text = teaching_text()
    targets = [t for t in LINK.findall(text) if not re.match(r"(https?|mailto):", t) and not t.startswith("#")]
    assert len(targets) >= 20
    for target in targets:
        assert (ROOT / target.split("#")[0]).exists(), target


def test_teaching_names_every_notebook_of_the_learners_path():
    text = teaching_text()
    assert len(LEARNER) >= 8
    for path in LEARNER:
        assert f"notebooks/{name(path)}" in LINK.findall(text), f"TEACHING.md does not link {name(path)}"


def test_every_plan_adds_up_to_its_total():
    plans = [table for table in markdown_tables(teaching_text())
             if table[0][-1].lower().startswith("minutes") and "total" in table[-1][0].lower()]
    assert len(plans) >= 4  # 1 x 90, session 1, session 2, self-study
    for table in plans:
        minutes = [number(row[-1]) for row in table[1:-1]]
        assert None not in minutes, table
        total = number(table[-1][-1])
        assert sum(minutes) == total, (table[0], sum(minutes), total)
        if "90" in table[0][0]:
            assert total == SESSION, table[0]


def test_the_timings_quoted_are_the_estimate_of_the_notebooks_as_they_are():
    # the per-notebook table: within a minute of the estimate, so an edited notebook shows up here
    quoted = {row[0].strip("`"): row for table in markdown_tables(teaching_text())
              if table[0][:2] == ["notebook", "core"] for row in table[1:]}
    assert set(quoted) == {path.stem for path in LEARNER}
    for path in LEARNER:
        est = estimate(path)
        row = quoted[path.stem]
        for column, kind in ((1, "core"), (2, "optional"), (3, "exercises")):
            assert abs(number(row[column]) - est[kind]) <= 1.0, (path.stem, kind, row[column], round(est[kind], 1))
    # "About two and a quarter hours of core sections ..., three and a half with every exercise"
    core = sum(estimate(path)["core"] for path in LEARNER) / 60
    exercises = sum(estimate(path)["exercises"] for path in LEARNER) / 60
    assert "two and a quarter hours of core" in teaching_text() and "three and a half with every" in teaching_text()
    assert abs(core - 2.25) < 0.125 and abs(core + exercises - 3.5) < 0.125, (core, core + exercises)


def test_the_worked_example_runs_and_says_what_it_shows():
    import contextlib
    import io

    import matplotlib

    matplotlib.use("Agg")
    import graddesc_utils as gu

    blocks = re.findall(r"```python\n(.*?)```", teaching_text(), flags=re.S)
    assert len(blocks) == 1 and "3 * x + 10" in blocks[0]
    out = io.StringIO()
    scope = {}
    with contextlib.redirect_stdout(out):
        exec(blocks[0], scope)  # noqa: S102 - the guide's own example
    assert out.getvalue().strip().endswith("correct")
    x, y = scope["x"], scope["y"]
    assert gu.best_line(x, y) == (3.0, 10.0)
    # "diverge at epoch 1, row 6, not row 28"
    assert gu.train(gu.TwoNeuron(), gu.SGD(1e-4), x, y).diverged_at == (1, 6)
    assert gu.train(gu.TwoNeuron(), gu.SGD(1e-4), *gu.load_data()).diverged_at == (1, 28)
    # "steepness depends on x and the weights, not on y": the line's steepest row is under the limit at lr 1e-4
    assert 0.95 < 1e-4 * gu.row_curvature(gu.Linear(), {"a": 1.0, "b": 1.0}, x).max() < 1


def test_the_slider_ranges_the_guide_shows_are_taken():
    import matplotlib

    matplotlib.use("Agg")
    import graddesc_utils as gu

    calls = re.findall(r"`(gu\.explore_\w+\([^`]*_range=\([^`]*\))`", teaching_text())
    assert len(calls) >= 2
    for call in calls:
        explorer = eval(call, {"gu": gu})  # noqa: S307 - the guide's own example
        low, high = (float(v) for v in re.search(r"_range=\(([^)]*)\)", call).group(1).split(","))
        sliders = [c for c in explorer.controls.values() if hasattr(c, "min")]
        bounds = [(10 ** c.min, 10 ** c.max) if hasattr(c, "base") else (c.min, c.max) for c in sliders]
        assert any(abs(a - low) <= 1e-9 * max(1, abs(low)) and abs(b - high) <= 1e-9 * max(1, abs(high))
                   for a, b in bounds), (call, bounds)


@pytest.mark.parametrize("path", LEARNER, ids=name)
def test_the_estimate_counts_what_a_notebook_holds(path):
    parts = sections(path)
    notebook = json.loads(path.read_text())
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert sum(s["interactives"] for s in parts) == len(re.findall(r"gu\.explore_\w+\(", code))
    assert sum(s["cells"] for s in parts) == sum(c["cell_type"] == "code" for c in notebook["cells"])
    words = sum(prose_words("".join(c["source"])) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert sum(s["words"] for s in parts) == words
    assert [s["kind"] for s in parts][-2:] == ["exercises", "questions"]


def link(path, what=""):
    return f"[{path.stem}](notebooks/{name(path)}){' (' + what + ')' if what else ''}"


def plan_table(title, rows):
    total = sum(minutes for _, minutes in rows)
    return "\n".join([f"| {title} | minutes |", "|---|---|"] + [f"| {item} | {minutes} |" for item, minutes in rows]
                     + [f"| **total** | **{total}** |"]), total


def plans():
    """The lesson plans, their notebook rows from the estimate; each session's last row fills it to 90 minutes."""
    by_number = {path.stem[:2]: path for path in LEARNER}
    core = {number: round(estimate(path)["core"]) for number, path in by_number.items()}

    def row(number, what="core"):
        if number in by_number:
            return link(by_number[number], what), core[number]
        return f"`{number}_your_questions` ({what}; being written: the design's minutes)", 15

    def filled(rows, last):
        return rows + [(last, SESSION - sum(minutes for _, minutes in rows))]

    one = filled([("The question, the answer; open the course", 3), row("00"), row("02"), row("03"),
                  row("07", "sections 1 to 3 and the summary"), ("03, exercise 3: the largest lr you found", 4)],
                 "Discussion: \"more neurons = smarter\", \"ReLU makes it work\", \"surviving = training\"")
    first = filled([("Welcome; everyone opens Binder or the hub and runs 00 (*Run → Run All Cells*)", 4), row("00"),
                    row("01"), row("02"), row("03"),
                    ("03, exercise 3: type the largest lr you found (the class compares numbers)", 4)],
                   "Wrap-up: the headline in one sentence; homework: the exercises and questions of 00 to 03")
    second = filled([("Recap of session 1: the replay of rows 24 to 28, the meter (live)", 4), row("04"), row("05"),
                     row("06"), row("07"), row("08"), ("04, exercise 1: centre x (`gu.check_centre`)", 4),
                     ("07, exercise 1: count the active rows (`gu.check_active_rows`)", 4)],
                    "Discussion: the misconceptions below, one question each; homework: the rest")
    assert all(minutes > 0 for _, minutes in one + first + second), "a session is over 90 minutes: re-plan it"
    study = []
    for path in LEARNER:
        est = estimate(path)
        study.append((f"{link(path)}: all of it, {est['questions']} questions at 3 min",
                      round(est["core"] + est["optional"] + est["exercises"] + 3 * est["questions"])))
    t1, _ = plan_table("Plan: 1 x 90 minutes (the answer in one session)", one)
    t2, _ = plan_table("Plan: 2 x 90 minutes, session 1 (the explosion)", first)
    t3, _ = plan_table("Plan: 2 x 90 minutes, session 2 (what the learner tried)", second)
    t4, total = plan_table("Self-study route (in order, over several sittings)", study)
    return f"""### One session of 90 minutes

The answer only: the question, the replay of the explosion, why it explodes, and the ReLU. Notebook 01 is skipped
(02 and 03 define what they use); the other notebooks become homework.

{t1}

### Two sessions of 90 minutes

The course's own split: the explosion and its cause in session 1, what the learner tried in session 2. Session 1
is full: if the class is slow, give 02's last section ("Are the learner's formulas right?") as homework; no later
notebook builds on it.

{t2}

{t3}

### Self-study

The learner's path in order, everything included, questions at 3 minutes each: about {total / 60:.1f} hours over
several sittings. Open the deeper notebook a section links to whenever the short answer does not satisfy you, and
compare with the worked answers only after trying.

{t4}"""


def write():
    """Rewrite TEACHING.md's estimate tables and plans from the notebooks as they are."""
    text = teaching_text()
    for marker, content in (("teaching-estimate", tables()), ("teaching-plans", plans())):
        text = re.sub(rf"(<!-- {marker} -->\n).*?(\n<!-- /{marker} -->)",
                      lambda match: match.group(1) + content + match.group(2), text, flags=re.S)
    TEACHING.write_text(text)


if __name__ == "__main__":
    import sys

    write() if "--write" in sys.argv else print(tables())
