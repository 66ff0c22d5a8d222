"""The SVG bar charts: valid SVG with a title and a description, a table beside with the same
figures, an empty state without division by zero, bounded size with hundreds of bars and huge
values, and suppressed figures that leak through nothing (text, length, axis, share)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from flask import render_template_string

from app.projects.charts import MARKER, MAX_SVG_BARS, WIDTH, Row, bar_chart, nice_step

SVG = "{http://www.w3.org/2000/svg}"
MACRO = '{% from "projects/_chart.html" import chart as c %}{{ c(chart) }}'


@pytest.fixture
def en(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def render(chart) -> str:
    return render_template_string(MACRO, chart=chart)


def parts(html: str):
    """(svg element, table html) of one rendered chart; the SVG must parse as XML."""
    svg_text = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    svg = ET.fromstring(svg_text)  # noqa: S314 (our own output, parsed to prove it is XML)
    table = re.search(r"<table\b.*?</table>", html, re.S).group(0)
    return svg, table


def check_accessible(svg, chart) -> None:
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == chart.title and desc.text
    assert float(svg.get("width")) == WIDTH  # bounded width, whatever the data
    assert "style" not in ET.tostring(svg, encoding="unicode")  # the CSP forbids inline styles


def test_chart_with_targets_draws_bars_to_scale(en):
    chart = bar_chart("c1", "Results", [Row("Participants", 30, target=60),
                                        Row("Employed", 12, target=20)],
                      label_heading="Figure", value_heading="So far", target_heading="Target")
    html = render(chart)
    svg, table = parts(html)
    check_accessible(svg, chart)
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert [float(b.get("width")) for b in bars] == [b.width for b in chart.bars]
    assert bars[0].get("width") != bars[1].get("width")
    targets = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-target"]
    assert len(targets) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "30 / 60" in texts and "12 / 20" in texts
    assert '<caption>Results</caption>' in table
    assert '<th scope="row">Participants</th>' in table and '<th scope="col"' in table
    assert "50\u00a0%" in table and "60\u00a0%" in table  # share of the target


def test_empty_chart_has_a_message_and_no_division_by_zero(en):
    for rows in ([], [Row("Participants", None, target=None)], [Row("Employed", 0)]):
        chart = bar_chart("empty", "Nothing yet", rows, label_heading="Figure",
                          value_heading="Value", empty_text="No figures yet.")
        svg, table = parts(render(chart))
        check_accessible(svg, chart)
        if rows and rows[0].value == 0:
            assert not chart.empty  # a zero is a figure, drawn as no bar, labelled 0
            assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] \
                == ["0"]
        else:
            assert chart.empty
            assert svg.find(f"{SVG}desc").text == "No figures yet."
            assert "No figures yet." in table or "–" in table
        assert not [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]


def test_hundreds_of_bars_and_huge_values_stay_bounded(en):
    rows = [Row(f"Region number {n} with a rather long name indeed", n * 10**9, target=10**12)
            for n in range(500)]
    chart = bar_chart("big", "Many", rows, label_heading="Region", value_heading="Value",
                      target_heading="Target")
    html = render(chart)
    svg, table = parts(html)
    check_accessible(svg, chart)
    drawn = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-row"]
    assert len(drawn) == MAX_SVG_BARS  # the SVG stays a readable size
    assert table.count('<th scope="row">') == 500  # the table lists every bar
    assert "the table lists them all" in html
    width = float(svg.get("width"))
    for rect in svg.iter(f"{SVG}rect"):
        assert float(rect.get("x")) + float(rect.get("width")) <= width
    for line in svg.iter(f"{SVG}line"):
        assert float(line.get("x1")) <= width
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values[1] == "1B / 1T"  # abbreviated, not 1,000,000,000
    assert all(len(v) <= 20 for v in values)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert all(len(label) <= 28 for label in labels)
    assert "Region number 1 with a rather long name indeed" in table  # the full label


def test_money_chart_shows_euros(en):
    chart = bar_chart("m", "Support", [Row("Paid", 1_234_567_89, target=2_000_000_00)],
                      label_heading="Support", value_heading="Amount", target_heading="Granted",
                      money=True)
    svg, table = parts(render(chart))
    assert "1,234,567.89\u00a0€" in table and "2,000,000.00\u00a0€" in table
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"] == [
        "1.2M\u00a0€ / 2M\u00a0€"]


@pytest.mark.parametrize("hidden", [1, 3, 4])
def test_a_suppressed_figure_leaks_through_nothing(en, hidden):
    chart = bar_chart("pub", "Results", [Row("Participants", 40, target=60),
                                         Row("Employed", hidden, target=20)],
                      label_heading="Figure", value_heading="So far", target_heading="Target",
                      suppress=True)
    html = render(chart)
    svg, table = parts(html)
    check_accessible(svg, chart)
    employed_row = re.search(r'<th scope="row">Employed</th>(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", employed_row)
    assert cells[0] == "&lt; 5" and cells[1] == "20" and cells[2] == "–"  # no share of target
    assert str(hidden) not in cells[0] + cells[2]
    group = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "chart-row"][1]
    texts = [t.text for t in group.iter(f"{SVG}text")]
    assert texts == ["Employed", "< 5 / 20"]
    marker = [r for r in group.iter(f"{SVG}rect")]
    assert len(marker) == 1 and marker[0].get("class") == "chart-suppressed"
    assert float(marker[0].get("width")) == MARKER and marker[0].get("fill") == "url(#pub-hatch)"
    desc = svg.find(f"{SVG}desc").text
    assert "Employed: < 5 of the target 20." in desc
    assert str(hidden) not in desc.replace("20", "").replace("40", "").replace("60", "") \
        .replace("1–4", "")
    assert chart.bars[1].value is None  # nothing to print by mistake


def test_suppressed_figures_give_the_same_drawing_whatever_they_are(en):
    """1 and 4 draw the same SVG: the axis, ticks and marker do not depend on them."""
    def svg_of(value):
        chart = bar_chart("same", "Results", [Row("Employed", value, target=3)],
                          label_heading="Figure", value_heading="So far",
                          target_heading="Target", suppress=True)
        return re.search(r"<svg\b.*?</svg>", render(chart), re.S).group(0)

    assert svg_of(1) == svg_of(2) == svg_of(4)
    assert svg_of(4) != svg_of(5)


def test_nice_steps():
    assert [nice_step(n) for n in (0, 1, 4, 10, 60, 999, 10**9)] == [1, 1, 1, 5, 20, 500,
                                                                       500_000_000]
