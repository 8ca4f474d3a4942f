"""Links hold: every relative link in a notebook's markdown, in README.md and in TEACHING.md names a file that
exists, and every #anchor into a notebook names one of its headings (as JupyterLab makes anchors: the heading's
text with spaces as hyphens)."""
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from notebook_sets import ALL, ROOT, name

LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_of(path):
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return path.read_text()


def anchors(notebook):
    """The anchors JupyterLab gives a notebook's headings."""
    found = set()
    for line in markdown_of(notebook).splitlines():
        heading = re.match(r"#{1,6}\s+(.*)", line)
        if heading:
            text = re.sub(r"[`*_]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(1))).strip()
            found.add(text.replace(" ", "-"))
    return found


def relative_links(path):
    for target in LINK.findall(markdown_of(path)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        yield target


DOCUMENTS = ALL + [path for path in (ROOT / "README.md", ROOT / "TEACHING.md") if path.exists()]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: name(p) if p.suffix == ".ipynb" else p.name)
def test_every_relative_link_names_a_file_and_a_heading_that_exist(path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / urllib.parse.unquote(file_part)).resolve()
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".ipynb" and urllib.parse.unquote(anchor) not in anchors(linked):
            broken.append(f"{target}: no such heading in {linked.name}")
    assert not broken, broken


def test_the_check_catches_a_broken_anchor(tmp_path):
    target = tmp_path / "t.ipynb"
    target.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": ["## The `step` table\n"]}]}))
    assert anchors(target) == {"The-step-table"}
    source = tmp_path / "s.md"
    source.write_text("[a](t.ipynb#The-step-table) [b](t.ipynb#Gone) [c](missing.ipynb)")
    assert list(relative_links(source)) == ["t.ipynb#The-step-table", "t.ipynb#Gone", "missing.ipynb"]
