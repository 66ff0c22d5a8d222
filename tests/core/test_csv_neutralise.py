"""Issue 12: CSV export also neutralises full-width ＝＋－＠ and formulas behind leading
whitespace, zero-width or bidi characters."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.spreadsheets import INVISIBLE, csv_response, neutralise

FORMULA = "=+-@\uff1d\uff0b\uff0d\uff20"
SKIPPED = INVISIBLE + " \t\r\n\u00a0\u3000\u2003"


def _visible(text: str) -> str:
    return "".join(text).lstrip(SKIPPED)


@pytest.mark.parametrize("cell", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\r=1",
    "\uff1dHYPERLINK(\"http://evil.example\")", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",
    "\u200b=1+1", "\u200c\u200d=1", "\u2060@x", "\ufeff=1", "\u200e=1", "\u200f+1",
    "\u202a=1", "\u202e=1", "\u2066=1", "\u2069-1", " =1", "  \u200b \uff1d1", "\u00a0=1",
    "\n=1",
])
def test_hidden_and_full_width_formulas_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Kahvila", "1-2 vuotta", "a=b", "", " text", "\u200bteksti",
                                  "email@example.fi", "Ｘ＝1"])
def test_ordinary_text_is_left_alone(cell):
    assert neutralise(cell) == cell


prefix = st.text(alphabet=st.sampled_from(SKIPPED), max_size=5)
rest = st.text(max_size=30)
risky = st.builds(lambda p, f, r: p + f + r, prefix, st.sampled_from(FORMULA), rest)


@settings(max_examples=400, deadline=None)
@given(st.one_of(risky, st.text(max_size=40)))
def test_no_neutralised_cell_starts_a_formula_after_its_invisible_characters(text):
    cell = neutralise(text)
    visible = _visible(cell)
    assert not (visible[:1] and visible[0] in FORMULA), repr(cell)
    assert cell in (text, "'" + text)  # nothing else is changed


def test_the_csv_download_carries_the_neutralised_cells(app):
    with app.test_request_context():
        response = csv_response(["Nimi"], [["\u200b\uff1dHYPERLINK(\"x\")"], ["Kahvila"]],
                                "x.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows == [["Nimi"], ["'\u200b\uff1dHYPERLINK(\"x\")"], ["Kahvila"]]
