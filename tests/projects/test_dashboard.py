"""The follow-up dashboard of a call's projects: figures against targets, money, filters and
sorting, the projects a conflicted officer may not see, a constant number of queries, the
CSV and XLSX exports of the indicators, and the list of calls a person follows."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from app.organisations.models import Role
from app.projects import services
from tests.fixtures.projects import after_period
from tests.projects.follow_up_support import accept, submit_first, submitted_project


@pytest.fixture
def scene(make_project):
    """Two projects of one call: A with its first report submitted (10 started, 2 employed),
    B with nothing submitted."""
    a = submitted_project(make_project, project_name="Hanke Aalto")
    b = make_project(call=a.project.call, project_name="Hanke Beeta")
    a.other = b
    return a


def _row(html: str, project_id: int) -> str:
    match = re.search(rf'<tr id="project-{project_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for project {project_id}"
    return re.sub(r"\s+", " ", match.group(1).replace("\xa0", " "))


def _dashboard(client, call, query: str = "") -> str:
    response = client.get(f"/calls/{call.id}/projects{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_figures_against_targets_and_money(scene, client, login_as):
    login_as(scene.officer)
    html = _dashboard(client, scene.project.call)
    row = _row(html, scene.project.id)
    assert "Hanke Aalto" in row and "Running" in row
    assert "10 / 60" in row  # participants against the application's target
    assert "2 / 20" in row  # employed
    money = services.money(scene.project)
    from app.core.money import format_money

    assert format_money(money.granted_cents).replace("\xa0", " ") in row
    assert format_money(money.claimed_cents).replace("\xa0", " ") in row
    assert money.claimed_cents > 0
    other = _row(html, scene.other.id)
    assert "0 / 60" in other and "10 / 60" not in other
    # the totals row adds both projects' figures and targets
    footer = re.sub(r"\s+", " ", html.split("<tfoot>")[1].replace("\xa0", " "))
    assert "10 / 120" in footer and "2 projects" in footer
    assert format_money(2 * money.granted_cents).replace("\xa0", " ") in footer


def test_filters_and_sorting(scene, client, login_as, monkeypatch):
    # after report 1's due date: B's first report is overdue, A's is to review
    moment = after_period(scene.report, days=70)
    monkeypatch.setattr("app.core.clock.now", lambda: moment)
    login_as(scene.officer)
    review = _dashboard(client, scene.project.call, "?review=1")
    assert f'id="project-{scene.project.id}"' in review
    assert f'id="project-{scene.other.id}"' not in review
    overdue = _dashboard(client, scene.project.call, "?overdue=1")
    assert f'id="project-{scene.other.id}"' in overdue
    assert f'id="project-{scene.project.id}"' not in overdue
    assert 'class="overdue"' in _row(overdue, scene.other.id)
    closed = _dashboard(client, scene.project.call, "?state=closed")
    assert "No project matches the filters." in closed
    by_name_desc = _dashboard(client, scene.project.call, "?sort=name&order=desc")
    assert by_name_desc.index("Hanke Beeta") < by_name_desc.index("Hanke Aalto")
    by_name = _dashboard(client, scene.project.call, "?sort=name&order=asc")
    assert by_name.index("Hanke Aalto") < by_name.index("Hanke Beeta")
    junk = client.get(f"/calls/{scene.project.call.id}/projects?sort=x&state=y&page=z")
    assert junk.status_code == 200


def test_a_conflicted_officer_sees_only_the_name(scene, client, login_as, make_user,
                                                 add_member):
    conflicted = make_user(name="Esteellinen Eero")
    add_member(scene.project.call.organisation, conflicted, Role.member, call_manager=True)
    add_member(scene.project.organisation, conflicted, Role.member)
    login_as(conflicted)
    html = _dashboard(client, scene.project.call)
    assert "Hanke Aalto" in html and "You are conflicted on this project" in html
    assert f'id="project-{scene.project.id}"' not in html  # no figure row
    assert "10 / 60" not in html and "10 / 120" not in html
    footer = re.sub(r"\s+", " ", html.split("<tfoot>")[1])
    assert "1 project" in footer and "0 / 60" in footer  # only B counts
    text = client.get(f"/calls/{scene.project.call.id}/projects.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    mine = [r for r in rows[1:] if r[1] == "Hanke Aalto"]
    assert len(mine) == 1 and "conflicted" in mine[0][-1]
    assert all(cell == "" for cell in mine[0][2:-1])


def test_who_sees_the_dashboard(scene, client, login_as, make_user, make_organisation,
                                add_member, make_call):
    url = f"/calls/{scene.project.call.id}/projects"
    login_as(scene.writer)
    assert client.get(url).status_code == 404
    reviewer = make_user()
    add_member(scene.project.call.organisation, reviewer, Role.member, reviewer=True)
    login_as(reviewer)
    assert client.get(url).status_code == 404
    other_manager = make_user()
    other_call = make_call()
    add_member(other_call.organisation, other_manager, Role.member, call_manager=True)
    login_as(other_manager)
    assert client.get(url).status_code == 404
    assert client.get(url + ".csv").status_code == 404
    assert client.get("/calls/999999/projects").status_code == 404


def test_query_count_does_not_grow_with_projects(make_project, client, login_as,
                                                 count_queries):
    first = submitted_project(make_project, project_name="Hanke 0")
    call = first.project.call
    login_as(first.officer)
    client.get(f"/calls/{call.id}/projects")  # warm up
    with count_queries() as one:
        assert client.get(f"/calls/{call.id}/projects").status_code == 200
    for n in range(1, 5):
        project = make_project(call=call, project_name=f"Hanke {n}")
        submit_first(project)
    accept(first)
    with count_queries() as five:
        html = client.get(f"/calls/{call.id}/projects").get_data(as_text=True)
    assert html.count('<tr id="project-') == 5
    assert five.count == one.count, "\n".join(five.statements)


def test_csv_export_has_a_row_per_report_with_every_figure(scene, client, login_as):
    from app.projects import indicators

    login_as(scene.officer)
    response = client.get(f"/calls/{scene.project.call.id}/projects.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    header = rows[0]
    assert header[:5] == ["Project number", "Project", "Lead applicant", "Project state",
                          "Report"]
    assert "Participants: Participants who started" in header
    assert "Results on leaving: Employed" in header
    assert len(header) == 10 + len(indicators.FIELDS) + 7
    data = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    # B has no submitted report: no row; A's first report with its figures and money
    assert [r["Project"] for r in data] == ["Hanke Aalto"]
    row = data[0]
    assert row["Report"] == "1" and row["Report state"] == "To review"
    assert row["Participants: Participants who started"] == "10"
    assert row["Results on leaving: Employed"] == "2"
    claimed = scene.claim.claimed_support_cents
    assert row["Support claimed (€)"] == f"{claimed // 100},{claimed % 100:02d}"
    assert row["Payable (€)"] == ""


def test_exports_neutralise_formulas(make_project, client, login_as):
    scene = submitted_project(make_project, project_name="=1+1")
    login_as(scene.officer)
    text = client.get(f"/calls/{scene.project.call.id}/projects.csv").get_data(as_text=True)
    assert ";'=1+1;" in text and ";=1+1;" not in text
    response = client.get(f"/calls/{scene.project.call.id}/projects.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    values = [c.value for c in sheet[2]]
    cells = dict(zip(header, values, strict=True))
    assert cells["Project"] == "'=1+1"
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert cells["Participants: Participants who started"] == 10
    assert isinstance(cells["Project number"], int)


def test_follow_up_lists_the_calls_of_my_centre(scene, make_project, client, login_as,
                                                monkeypatch):
    elsewhere = make_project(project_name="Muualla")
    moment = after_period(scene.report, days=70)
    monkeypatch.setattr("app.core.clock.now", lambda: moment)
    login_as(scene.officer)
    response = client.get("/follow-up")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row = re.search(rf'<tr id="call-{scene.project.call.id}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    # 2 projects, 1 overdue report (B's first), 1 to review (A's first)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells] == ["2", "1", "1"]
    assert f'id="call-{elsewhere.call.id}"' not in html
    assert 'href="/follow-up"' in html  # the header link
    login_as(scene.writer)
    page = client.get("/follow-up").get_data(as_text=True)
    assert "No projects have been funded in the calls you follow yet." in page
    assert 'href="/follow-up"' not in client.get("/").get_data(as_text=True)
