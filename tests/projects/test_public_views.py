"""The public project pages: every funded project with exactly the transparency facts, results
from ACCEPTED reports only with small figures suppressed, filters, sorting and a constant
number of queries; and the links to them from the API, organisation, call, service model and
home pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.applications.models import ApplicationPartner, ApplicationPractice
from app.organisations.partnership import PartnerState
from app.projects import services
from app.projects.models import ReportState
from tests.fixtures.projects import after_period, fill_report, officer_of, writer_of

SVG = "{http://www.w3.org/2000/svg}"


def send_report(db, project, number: int, accept: bool = True, started: int = 20, **figures):
    """Write and submit report `number` (1-based) with consistent figures (`figures` override
    some), and accept it when asked."""
    report = project.reports[number - 1]
    writer, officer = writer_of(project), officer_of(project)
    now = after_period(report)
    values = fill_report(report, started=started)
    values.figures.update(figures)
    services.save_report(writer, report, values, now=now)
    services.submit_report(writer, report, now=now)
    if accept:
        services.accept_report(officer, report, now=now)
    db.session.commit()
    assert report.state == (ReportState.accepted if accept else ReportState.submitted)
    return report


def results_cell(html: str, label: str) -> str:
    """The cells of one row of the results table (after the row's header)."""
    table = re.search(r'<table class="chart-table">.*?</table>', html, re.S).group(0)
    return re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', table, re.S).group(1)


def svg_row_texts(html: str, label: str) -> list[str]:
    svg = ET.fromstring(re.search(r"<svg\b.*?</svg>", html, re.S).group(0))  # noqa: S314
    for group in svg.iter(f"{SVG}g"):
        texts = [t.text for t in group.iter(f"{SVG}text")]
        if group.get("class") == "chart-row" and texts[0] == label:
            return texts
    raise AssertionError(f"no bar {label}")


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_transparency_facts_and_nothing_private(db, client, make_project,
                                                                   make_organisation):
    project = make_project(project_name="Töihin yhdessä")
    partner = make_organisation(name="Kumppani ry")
    invited = make_organisation(name="Vasta kutsuttu ry")
    project.application.partners.append(ApplicationPartner(organisation=partner,
                                                           state=PartnerState.accepted))
    project.application.partners.append(ApplicationPartner(organisation=invited,
                                                           state=PartnerState.invited))
    db.session.commit()
    html = client.get("/projects").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in html and "Töihin yhdessä" in html
    for fact in (project.organisation.name, "Kumppani ry", "Kehitämme työpaikkoja",
                 "1 September 2026", "31 August 2028", "South Savo", project.call.title_fi,
                 "Running",
                 f"{project.approved_cost_cents // 100:,}.00",
                 f"{project.granted_cents // 100:,}.00"):
        assert fact in html, fact
    for private in ("Vasta kutsuttu", "Projektipäällikkö", "4,000.00", "Alueella on paljon",
                    "Hyvä hakemus", "Kymmenen työnantajaa"):
        assert private not in html, private


def test_filters_sorting_and_the_empty_state(db, client, make_project, make_organisation,
                                             make_call):
    north = make_project(project_name="Pohjoinen hanke",
                         organisation=make_organisation(regions=("MK19",)))
    south = make_project(project_name="Eteläinen hanke",
                         organisation=make_organisation(regions=("MK01",)))
    south.granted_cents = north.granted_cents + 1
    db.session.commit()

    def names(query: str) -> list[str]:
        html = client.get("/projects" + query).get_data(as_text=True)
        return re.findall(r'<h3><a href="/projects/\d+">([^<]+)</a></h3>', html)

    assert names("?region=MK19") == ["Pohjoinen hanke"]
    assert names(f"?call={south.call_id}") == ["Eteläinen hanke"]
    assert names("?sort=name") == ["Eteläinen hanke", "Pohjoinen hanke"]
    assert names("?sort=support") == ["Eteläinen hanke", "Pohjoinen hanke"]
    assert names("?state=running") == ["Pohjoinen hanke", "Eteläinen hanke"] or \
        sorted(names("?state=running")) == ["Eteläinen hanke", "Pohjoinen hanke"]
    assert names(f"?organisation={north.organisation_id}") == ["Pohjoinen hanke"]
    html = client.get("/projects?state=closed").get_data(as_text=True)
    assert "No funded project matches these filters." in html and "<h3>" not in html
    # junk in the query string is ignored, not an error
    assert client.get("/projects?region=XX&call=abc&state=nope&sort=evil&page=-3").status_code \
        == 200


def test_no_projects_yet(client):
    html = client.get("/projects").get_data(as_text=True)
    assert "No project has been funded yet." in html


def test_the_list_runs_the_same_queries_for_one_or_ten_projects(db, client, make_project,
                                                                 make_call, make_organisation,
                                                                 count_queries):
    call = make_call(total_budget_cents=100_000_000_00)
    first = make_project(call=call)
    db.session.add(ApplicationPartner(application_id=first.id, organisation=make_organisation(),
                                      state=PartnerState.accepted))
    db.session.commit()
    client.get("/projects")
    with count_queries() as one:
        assert client.get("/projects").status_code == 200
    for _ in range(9):
        project = make_project(call=call)
        db.session.add(ApplicationPartner(application_id=project.id,
                                          organisation=make_organisation(),
                                          state=PartnerState.accepted))
    db.session.commit()
    with count_queries() as ten:
        html = client.get("/projects").get_data(as_text=True)
    assert html.count('<li class="project-item">') == 10
    assert ten.count == one.count, ten.statements


# --- one project's public page ------------------------------------------------------------------


def test_results_come_from_accepted_reports_only_and_small_figures_are_suppressed(
        db, client, make_project):
    project = make_project()
    send_report(db, project, 1, started=20, employed=3, wage_subsidy=1)
    send_report(db, project, 2, accept=False, started=50, employed=17)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    # participants: 20 accepted (never 70 with the submitted report, nor 50)
    participants = results_cell(html, "Participants")
    assert re.findall(r"<td[^>]*>(.*?)</td>", participants)[:3] == ["20", "60", "33\u00a0%"]
    assert svg_row_texts(html, "Participants")[1] == "20 / 60"
    for leaked in ("70", "50", "17", "20\u00a0/\u00a070"):
        assert leaked not in results_cell(html, "Participants") + results_cell(html, "Employed")
    # employed: 3 is under 5: "< 5" in the table, the SVG text and its description
    employed = results_cell(html, "Employed")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", employed)
    assert cells[0] == "&lt; 5" and cells[1] == "20" and cells[2] == "–"
    assert "3" not in cells[0] + cells[2]
    texts = svg_row_texts(html, "Employed")
    assert texts == ["Employed", "&lt; 5 / 20"] or texts == ["Employed", "< 5 / 20"]
    assert "Employed: &lt; 5 of the target 20" in html
    assert "Employed: 3" not in html and ">3<" not in html and "3 / 20" not in html
    assert 'class="chart-suppressed"' in html
    # never the narrative, the reports or the claims
    for private in ("Valmennusta ja työnantajakäyntejä", "Ohjauksia tuli hitaasti",
                    "Lisää ohjauksia", "/reports/", "follow-up", "Projektipäällikkö"):
        assert private not in html, private
    assert "From 1 accepted progress report of 4" in html


def test_a_submitted_report_alone_publishes_nothing(db, client, make_project):
    project = make_project()
    send_report(db, project, 1, accept=False, started=30, employed=9)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "No report has been accepted yet" in html
    assert ">30<" not in html and ">9<" not in html and "30 / 60" not in html
    assert 'class="chart-bar"' not in html


def test_the_public_page_names_its_service_models(db, client, make_project, make_practice):
    project = make_project()
    published = make_practice(organisation=project.organisation, published=True,
                              title="Työhönvalmennus")
    draft = make_practice(organisation=project.organisation, title="Keskeneräinen malli")
    for practice in (published, draft):
        db.session.add(ApplicationPractice(application_id=project.id, practice_id=practice.id))
    db.session.commit()
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'href="/practices/{published.id}-' in html and "Työhönvalmennus" in html
    assert "Keskeneräinen malli" not in html
    assert client.get("/projects/999999").status_code == 404


def test_the_follow_up_link_only_for_those_who_may_follow(client, make_project, login_as,
                                                          make_user):
    project = make_project()
    assert "follow-up" not in client.get(f"/projects/{project.id}").get_data(as_text=True)
    login_as(make_user())
    assert "follow-up" not in client.get(f"/projects/{project.id}").get_data(as_text=True)
    login_as(writer_of(project))
    assert f"/projects/{project.id}/follow-up" in client.get(
        f"/projects/{project.id}").get_data(as_text=True)


# --- links ----------------------------------------------------------------------------------------


def test_the_api_names_the_public_page(client, make_project):
    project = make_project()
    body = client.get(f"/api/v1/projects/{project.id}").get_json()
    assert body["url"] is not None and body["url"].endswith(f"/projects/{project.id}")


def test_the_organisation_page_lists_its_funded_projects(db, client, make_project,
                                                         make_organisation, count_queries):
    project = make_project(project_name="Johtajan hanke")
    partner = make_organisation(name="Kumppani ry")
    project.application.partners.append(ApplicationPartner(organisation=partner,
                                                           state=PartnerState.accepted))
    db.session.commit()
    for organisation in (project.organisation, partner):
        html = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
        assert "Funded projects of" in html
        assert f'href="/projects/{project.id}"' in html and "Johtajan hanke" in html
    other = make_organisation()
    assert "Funded projects of" not in client.get(
        f"/organisations/{other.id}").get_data(as_text=True)


def test_the_closed_call_page_lists_its_funded_projects(db, client, make_call, make_project):
    call = make_call(phase="closed")
    project = make_project(call=call, project_name="Haun hanke")
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Funded projects of the call" in html and f'href="/projects/{project.id}"' in html
    open_call = make_call()
    make_project(call=open_call, project_name="Avoimen haun hanke")
    assert "Funded projects of the call" not in client.get(
        f"/calls/{open_call.id}").get_data(as_text=True)


def test_the_service_model_page_lists_the_projects_that_use_it(db, client, make_project,
                                                                make_practice):
    project = make_project(project_name="Mallin hanke")
    practice = make_practice(published=True)
    db.session.add(ApplicationPractice(application_id=project.id, practice_id=practice.id))
    db.session.commit()
    html = client.get(f"/practices/{practice.id}", follow_redirects=True).get_data(as_text=True)
    assert "Funded projects that use this model" in html
    assert f'href="/projects/{project.id}"' in html and "Mallin hanke" in html
    unused = make_practice(published=True)
    assert "Funded projects that use this model" not in client.get(
        f"/practices/{unused.id}", follow_redirects=True).get_data(as_text=True)


def test_home_and_footer_link_to_projects_and_statistics(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/projects"') >= 2 and html.count('href="/statistics"') >= 2
    assert client.get("/statistics").status_code == 200
