"""The public statistics page: service models, adoptions, calls and funded projects per region
and target group, results from accepted reports only, every figure of 1–4 as "< 5", and a
fixed number of queries."""

from __future__ import annotations

import re

from app.applications.models import ApplicationPractice
from app.core.db import utcnow
from app.practices.models import Adoption
from tests.projects.test_public_views import send_report


def row_cells(html: str, chart_id: str, label: str) -> list[str]:
    """The cells of one row of a chart's table."""
    figure = re.search(rf'<figure class="chart[^"]*" id="{chart_id}".*?</figure>', html,
                       re.S).group(0)
    table = re.search(r"<table.*?</table>", figure, re.S).group(0)
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', table, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def bar_text(html: str, chart_id: str, label: str) -> str:
    figure = re.search(rf'<figure class="chart[^"]*" id="{chart_id}".*?</figure>', html,
                       re.S).group(0)
    row = re.search(rf'class="chart-label">{label}</text>(.*?)</g>', figure, re.S).group(1)
    return re.search(r'class="chart-value">([^<]*)</text>', row).group(1)


def key_figure(html: str, key: str) -> str:
    return re.search(rf'<dd id="total-{key}">([^<]*)</dd>', html).group(1)


def test_statistics_per_region_and_target_group(db, client, make_project, make_organisation,
                                                make_practice):
    lapland = make_project(organisation=make_organisation(regions=("MK19",),
                                                          target_groups=("youth",)))
    model = make_practice(published=True, target_groups=["immigrants"], regions=["MK19"])
    db.session.add(ApplicationPractice(application_id=lapland.id, practice_id=model.id))
    db.session.add(Adoption(practice_id=model.id, organisation_id=lapland.organisation_id,
                            regions=["MK19"], created_at=utcnow()))
    db.session.commit()
    send_report(db, lapland, 1, started=20, employed=3, wage_subsidy=1)
    send_report(db, lapland, 2, accept=False, started=50, employed=20)  # not counted
    uusimaa = make_project(organisation=make_organisation(regions=("MK01",),
                                                          target_groups=("over_50",)))
    send_report(db, uusimaa, 1, started=10)  # employed 2

    html = client.get("/statistics").get_data(as_text=True)
    # per region: the lead's region
    assert row_cells(html, "results-region", "Lapland") == ["20", "&lt; 5", "&lt; 5", "0",
                                                            "&lt; 5"]
    assert bar_text(html, "results-region", "Lapland") == "20"
    assert row_cells(html, "results-region", "Uusimaa")[:3] == ["10", "&lt; 5", "&lt; 5"]
    assert row_cells(html, "results-region", "South Savo")[:2] == ["0", "0"]
    # per target group: the linked model's groups, else the lead's
    assert row_cells(html, "results-target-group", "Immigrants")[:3] == ["20", "&lt; 5",
                                                                         "&lt; 5"]
    assert row_cells(html, "results-target-group", "Young people")[:2] == ["0", "0"]
    assert row_cells(html, "results-target-group", "Over 50")[:2] == ["10", "&lt; 5"]
    # totals from accepted reports only: 30 participants, 3 + 2 = 5 employed
    assert key_figure(html, "started") == "30" and key_figure(html, "employed") == "5"
    for leaked in ("80", "70", "25", "23"):
        assert f">{leaked}<" not in html, leaked
    # the employed figure 3 of Lapland appears nowhere: not in its cell, bar or description
    assert "Lapland: 3" not in html and 'class="chart-value">3<' not in html
    # small counts elsewhere are suppressed too (one published model, one adoption)
    assert row_cells(html, "models-target-group", "Immigrants") == ["&lt; 5"]
    assert bar_text(html, "models-region", "Lapland") == "&lt; 5"
    assert row_cells(html, "adoptions-region", "Lapland") == ["&lt; 5"]
    assert "A project&#39;s region is the region of its lead applicant" in html or \
        "A project's region is the region of its lead applicant" in html


def test_statistics_without_any_data(client):
    html = client.get("/statistics").get_data(as_text=True)
    assert key_figure(html, "started") == "0"
    assert row_cells(html, "results-region", "Lapland") == ["0", "0", "0", "0", "0"]
    assert html.count('role="img"') == 5


def test_statistics_run_a_fixed_number_of_queries(db, client, make_project, make_call,
                                                  make_organisation, count_queries):
    call = make_call(total_budget_cents=100_000_000_00)
    first = make_project(call=call)
    send_report(db, first, 1)
    client.get("/statistics")
    with count_queries() as one:
        client.get("/statistics")
    for region in ("MK01", "MK02", "MK04"):
        project = make_project(call=call, organisation=make_organisation(regions=(region,)))
        send_report(db, project, 1)
        send_report(db, project, 2)
    with count_queries() as more:
        html = client.get("/statistics").get_data(as_text=True)
    assert key_figure(html, "started") == "140"  # 20 + 3 projects x 2 reports x 20
    assert more.count == one.count, more.statements
