"""TEACHING.md, checked: it links only files that exist, names every notebook of the learner's path, its timings
are the notebooks' own minutes and the estimate below, both read from the notebooks as they are, its plans count a
notebook's core minutes as the notebook states them and add up to their totals (each class session exactly 90),
and the README's notebook table quotes the same core minutes.

The notebooks state their own minutes: in the opening ("~25 min, +10 optional" or "About 22 minutes, +6
optional"), in each section's heading ("(~7 min)", "(optional, ~4 min)"), and for an optional part inside a section
in its first paragraph ("**(Optional, ~6 min.)**": from there to the next heading counts as optional).

The estimate (TEACHING.md says how to read it): prose at 150 words a minute, half a minute per code cell (run it,
read its printout) and half a minute more per stored figure, 4 minutes per interactive (the task its text gives)
and 4 per self-checking exercise (gu.check_*). After editing a notebook, print the tables or rewrite TEACHING.md's
tables and plans (between its <!-- teaching-estimate --> and <!-- teaching-plans --> markers) with

    python3 tests/test_teaching.py            # print the estimate
    python3 tests/test_teaching.py --write    # rewrite TEACHING.md's tables and plans, the README's minutes
"""
import json
import re
from pathlib import Path

import pytest

from notebook_sets import LEARNER, name

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "TEACHING.md"
README = ROOT / "README.md"
OPTIONAL_PART = re.compile(r"(?mi)^(?=\*\*\(optional\b)")  # a paragraph "**(Optional, ~6 min.)**" inside a section
SAID = re.compile(r"(?:About|about|~)\s*(\d+)\s*min\w*\.?,?\s*(?:\+\s*(\d+)\s*optional)?")
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
    """A notebook's sections (split at '## ' headings, and at an optional part's first paragraph inside one):
    title, kind, estimated minutes and the minutes the notebook states."""
    notebook = json.loads(Path(path).read_text())
    found = [{"title": "(opening)", "words": 0, "cells": 0, "figures": 0, "interactives": 0, "exercises": 0}]
    heading = "(opening)"

    def start(title):
        found.append({"title": title, "words": 0, "cells": 0, "figures": 0, "interactives": 0, "exercises": 0})

    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for part in re.split(r"(?m)^(?=## )", source):
                if part.startswith("## "):
                    heading = part.splitlines()[0][3:].strip()
                    start(heading)
                for piece in OPTIONAL_PART.split(part):
                    if OPTIONAL_PART.match(piece):
                        said = re.search(r"~\s*(\d+)\s*min", piece.split("\n\n")[0])
                        base = re.sub(r"\s*\(.*?\)\s*$", "", heading)
                        start(f"{base} (optional part" + (f", ~{said.group(1)} min)" if said else ")"))
                        found[-1]["inline"] = True
                    found[-1]["words"] += prose_words(piece)
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


def said_minutes(path):
    """What a notebook says it takes, {'core': N, 'optional': M}: its opening's "~N min, +M optional" (or "About N
    minutes, +M optional"), else the sums of its sections' stated minutes by kind (None where it states none)."""
    notebook = json.loads(Path(path).read_text())
    opening = "".join(notebook["cells"][0]["source"]).split("\n## ")[0]
    said = SAID.search(opening)
    if said:
        return {"core": int(said.group(1)), "optional": int(said.group(2) or 0)}
    parts = sections(path)
    core = [s["stated"] for s in parts if s["kind"] == "core" and s["stated"] is not None]
    optional = [s["stated"] for s in parts if s["kind"] == "optional" and s["stated"] is not None]
    return {"core": sum(core) if core else None, "optional": sum(optional)}


def stated_minutes(path):
    """The 'the notebook says' cell: '25 min, +10 optional', '16 min', or '' if the notebook states nothing."""
    said = said_minutes(path)
    if said["core"] is None:
        return ""
    return f"{said['core']} min" + (f", +{said['optional']} optional" if said["optional"] else "")


def core_minutes(path):
    """A notebook's core minutes in the plans: as the notebook states them, else the estimate."""
    said = said_minutes(path)["core"]
    return said if said is not None else round(estimate(path)["core"])


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
                title += (" (its optional part)" if section.get("inline") else
                          " (optional)" if section["kind"] == "optional" else "")
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
        assert row[5] == stated_minutes(path), (path.stem, row[5], stated_minutes(path))
    sections_quoted = [row for table in markdown_tables(teaching_text()) if table[0][:2] == ["notebook", "section"]
                       for row in table[1:]]
    wanted = [row.strip("|").split(" | ") for row in tables().split("\n\n")[1].splitlines()[2:]]
    assert [row[3] for row in sections_quoted] == [row[3].strip() for row in wanted]  # the notebooks' own minutes
    # the course at a glance: its totals are the notebooks' own
    assert totals() in teaching_text()


def test_the_readme_quotes_each_notebooks_own_core_minutes():
    quoted = {}
    for line in README.read_text().splitlines():
        match = re.match(r"\| \[`(\d\d_\w+)`\]\(notebooks/\1\.ipynb\) \| ([^|]*) \|", line)
        if match:
            quoted[match.group(1)] = match.group(2).strip()
    assert set(quoted) == {path.stem for path in LEARNER}
    for path in LEARNER:
        assert quoted[path.stem] == str(core_minutes(path)), (path.stem, quoted[path.stem])
    # "The learner's path (notebooks/*.ipynb, about 3 hours, ...": the core minutes, to the nearest half hour
    hours = float(re.search(r"\*\*The learner's path\*\* \(`notebooks/\*\.ipynb`, about (\d+(?:\.5)?) hours",
                            README.read_text()).group(1))
    assert abs(hours - sum(core_minutes(path) for path in LEARNER) / 60) <= 0.25


def test_the_plans_count_each_notebooks_own_core_minutes():
    rows = [row for table in markdown_tables(teaching_text()) if table[0][-1] == "minutes" for row in table[1:]]
    by_link = {f"notebooks/{name(path)}": path for path in LEARNER}
    counted = 0
    for item, minutes in rows:
        target = re.match(r"\[[^\]]*\]\(([^)]+)\) \(core\)$", item)
        if target:
            assert number(minutes) == core_minutes(by_link[target.group(1)]), (item, minutes)
            counted += 1
    assert counted >= 6


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


def session(rows, last, least, spare):
    """A 90-minute session: `rows` (item, minutes, key), then `last` filling it to 90 minutes but at least `least`.
    While that does not fit, the next key of `spare` (in order) leaves the session and becomes homework. Returns
    the rows with the filler, and the items set as homework."""
    rows, homework = list(rows), []
    for key in spare:
        if sum(minutes for _, minutes, _ in rows) + least <= SESSION:
            break
        homework += [item for item, _, k in rows if k == key]
        rows = [row for row in rows if row[2] != key]
    used = sum(minutes for _, minutes, _ in rows)
    assert used + least <= SESSION, f"a session is over 90 minutes even without {spare}: re-plan it"
    return [(item, minutes) for item, minutes, _ in rows] + [(last, SESSION - used)], homework


def said_homework(homework, when):
    if not homework:
        return ""
    names = [re.sub(r"\[(.*?)\]\(.*?\)( \(core\))?", r"`\1`", item) for item in homework]
    return (f" The notebooks' own core minutes do not fit in 90 minutes with the rest, so this plan sets "
            f"{'; '.join(names)} as homework {when}.")


def wrapped(text):
    import textwrap

    return "\n\n".join(textwrap.fill(part, width=116, break_on_hyphens=False, break_long_words=False)
                       for part in text.strip().split("\n\n"))


def plans():
    """The lesson plans, their notebook rows at the notebooks' own core minutes (core_minutes); each session's last
    row fills it to 90 minutes, and what does not fit is named as homework (session)."""
    by_number = {path.stem[:2]: path for path in LEARNER}

    def row(number, what="core"):
        return link(by_number[number], what), core_minutes(by_number[number]), number

    ex3 = ("03, exercise 3: the largest lr you found (the class compares numbers)", 4, "ex")
    one, one_home = session(
        [("The question and the answer, told by the teacher; open the course", 3, ""), row("00"), row("02"),
         row("03"), row("07"), ex3],
        "Discussion: \"more neurons = smarter\", \"ReLU makes it work\", \"surviving = training\"", 10,
        ["00", "ex"])
    first, first_home = session(
        [("Welcome; everyone opens the course on Binder or the hub (*Run → Run All Cells*)", 4, ""), row("00"),
         row("01"), row("02"), row("03"), ex3],
        "Wrap-up: the headline in one sentence; homework: the exercises and questions of 00 to 03", 3,
        ["00", "ex"])
    second, second_home = session(
        [("Recap of session 1: the replay of rows 24 to 28, the meter (live)", 4, ""), row("04"), row("05"),
         row("06"), row("07"), row("08"), ("04, exercise 1: centre x (`gu.check_centre`)", 4, "ex"),
         ("07, exercise 1: count the active rows (`gu.check_active_rows`)", 4, "ex")],
        "Discussion: the learner's questions (08's headings) and the misconceptions below, one question each", 10,
        ["ex", "08"])
    study = []
    for path in LEARNER:
        est, said = estimate(path), said_minutes(path)
        core = core_minutes(path)
        optional = said["optional"] if said["core"] is not None else round(est["optional"])
        study.append((f"{link(path)}: all of it ({core} + {optional} optional), exercises by the estimate, "
                      f"{est['questions']} questions at 3 min",
                      round(core + optional + est["exercises"] + 3 * est["questions"])))
    t1, _ = plan_table("Plan: 1 x 90 minutes (the answer in one session)", one)
    t2, _ = plan_table("Plan: 2 x 90 minutes, session 1 (the explosion)", first)
    t3, _ = plan_table("Plan: 2 x 90 minutes, session 2 (what the learner tried)", second)
    t4, total = plan_table("Self-study route (in order, over several sittings)", study)
    one_text = wrapped("The answer only: the question, the replay of the explosion, why it explodes, and the ReLU. "
                       "Notebook 01 is skipped (02 and 03 define what they use); 04 to 06 and 08 become homework."
                       + said_homework(one_home, "before the session"))
    two_text = wrapped("The course's own split: the explosion and its cause in session 1, what the learner tried in "
                       "session 2. Each session's notebooks alone fill about 90 minutes by their own count, so a "
                       "plan that cannot fit them says what it moves out of class; a slow class can also leave the "
                       "optional parts for home (no later notebook builds on them)."
                       + said_homework(first_home, "before session 1 (it tells the story and how to use a slider)"))
    second_text = wrapped(said_homework(second_home, "after session 2 (08 gathers the short answers: a good "
                                                     "read after the discussion)"))
    return f"""### One session of 90 minutes

{one_text}

{t1}

### Two sessions of 90 minutes

{two_text}

{t2}

{second_text}

{t3}

### Self-study

The learner's path in order, everything included, questions at 3 minutes each: about {total / 60:.1f} hours over
several sittings. Open the deeper notebook a section links to whenever the short answer does not satisfy you, and
compare with the worked answers only after trying.

{t4}"""


def totals():
    """The course at a glance: the learner's path's minutes, by the notebooks' own count and the estimate."""
    core = sum(core_minutes(path) for path in LEARNER)
    optional = sum(said_minutes(path)["optional"] for path in LEARNER)
    exercises = sum(estimate(path)["exercises"] for path in LEARNER)
    return (f"{core} minutes of core sections by the notebooks' own count (about {core / 60:.1f} hours), "
            f"{optional} more optional; the exercises add about {exercises:.0f} minutes by the estimate below")


def write():
    """Rewrite TEACHING.md's totals, estimate tables and plans, and the README's minutes, from the notebooks."""
    text = teaching_text()
    for marker, content, end in (("teaching-total", totals(), ""), ("teaching-estimate", tables(), "\n"),
                                 ("teaching-plans", plans(), "\n")):
        text = re.sub(rf"(<!-- {marker} -->{end}).*?({end}<!-- /{marker} -->)",
                      lambda match: match.group(1) + content + match.group(2), text, flags=re.S)
    TEACHING.write_text(text)
    readme = README.read_text()
    for path in LEARNER:
        readme = re.sub(rf"(?m)^(\| \[`{path.stem}`\]\(notebooks/{path.stem}\.ipynb\) \| )[^|]*( \|)",
                        lambda match: f"{match.group(1)}{core_minutes(path)}{match.group(2)}", readme)
    README.write_text(readme)


if __name__ == "__main__":
    import sys

    write() if "--write" in sys.argv else print(tables())
