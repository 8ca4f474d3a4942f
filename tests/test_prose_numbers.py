"""Prose and evidence stay together: every number with four or more significant digits in a notebook's markdown
equals, to the precision it is written with, a number that a cell of the same notebook prints, or a number
asserted in tests/. The few quoted from elsewhere are listed below with the reason."""
import json
import re
from pathlib import Path

import pytest

from notebook_sets import ALL as NOTEBOOKS, NOTEBOOK_DIR, name

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+−]?\d+)?(?![\w])")

ALLOWED = {  # (notebook, number as written): why it need not be printed by the notebook
    ("deeper/03_why_it_explodes.ipynb", "2021"): "a publication year (Cohen et al. 2021)",
    ("deeper/03_why_it_explodes.ipynb", "2018"): "a publication year (Wu, Ma & E 2018; Du, Hu & Lee 2018; Arora, Cohen & Hazan 2018)",
    ("deeper/08_findings.ipynb", "2018"): "a publication year (Arora, Cohen & Hazan 2018)",
    ("deeper/09_keeping_it_stable.ipynb", "2017"): "a publication year (Goyal et al. 2017, linear warm-up)",
}


def prose(notebook):
    """The markdown of a notebook without code spans, math and links' targets."""
    text = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.S)
    return re.sub(r"\]\([^)]*\)", "]", text)


def printed(notebook):
    """Every number in the text a notebook's cells print (streams, plain text and HTML outputs)."""
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            for mime in ("text/plain", "text/html"):
                texts.append("".join(output.get("data", {}).get(mime, "")))
    return [value for text in texts for value in numbers(text)]


def asserted():
    """Every number literal in the tests."""
    return [value for path in (ROOT / "tests").glob("*.py")
            for value in numbers(re.sub(r"(?<=\d)_(?=\d)", "", path.read_text()))]  # 20_000 is 20000


def parse(token):
    return float(token.replace(",", "").replace("−", "-"))


def numbers(text):
    values = []
    for token in NUMBER.findall(text):
        try:
            values.append(parse(token))
        except ValueError:
            pass
    return values


def significant_digits(token):
    """Written digits from the first nonzero one; an integer's trailing zeros do not count ("about 1,500": 2)."""
    mantissa = re.split(r"[eE]", token.replace(",", "").replace("−", "").lstrip("-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits if "." in mantissa else digits.rstrip("0"))


def resolution(token):
    """Half a unit in the last written place of the number."""
    mantissa, _, exponent = token.replace(",", "").replace("−", "-").lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (-decimals) * 10.0 ** (int(exponent) if exponent else 0)


def prose_numbers(notebook):
    return [token for token in NUMBER.findall(prose(notebook)) if significant_digits(token) >= 4]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=name)
def test_every_precise_number_in_the_prose_is_computed(path):
    notebook = json.loads(path.read_text())
    evidence = printed(notebook) + asserted()
    missing = []
    for token in prose_numbers(notebook):
        if (name(path), token) in ALLOWED:
            continue
        value, tolerance = parse(token), resolution(token) * (1 + 1e-9)
        if not any(abs(value - other) <= tolerance for other in evidence):
            missing.append(token)
    assert not missing, (f"{name(path)}: these numbers in the prose are not printed by the notebook nor asserted in "
                         f"tests/: {missing}")


def test_the_check_finds_what_it_should():
    notebook = {"cells": [{"cell_type": "markdown", "source": ["The error is 150.755 (`gu.SGD(1e-4)`), $x^2$ 2021."]},
                          {"cell_type": "code", "source": [""], "outputs": [{"text": ["150.7552115"]}]}]}
    assert prose_numbers(notebook) == ["150.755", "2021"]
    assert any(abs(150.755 - other) <= resolution("150.755") for other in printed(notebook))
    assert not any(abs(150.756 - other) <= resolution("150.756") for other in printed(notebook))
    assert significant_digits("0.002") == 1 and significant_digits("2,372") == 4 and significant_digits("4.381e-4") == 4
    assert significant_digits("1,500") == 2 and significant_digits("20,000") == 1 and significant_digits("0.9980") == 4


def test_the_allow_list_is_short_and_still_needed():
    assert len(ALLOWED) <= 10
    for (notebook, token), reason in ALLOWED.items():
        assert reason
        assert token in prose_numbers(json.loads((NOTEBOOK_DIR / notebook).read_text())), (notebook, token)
