"""The private project page (its organisations, its ELY-centre's officers, national observers:
404 for everyone else, administrators included) with the plan, the schedule, cumulative
figures of submitted and accepted reports against the targets, spending and money; and the
projects of my organisations."""

from __future__ import annotations

import re

import pytest

from app.applications.models import ApplicationPartner
from app.organisations.partnership import PartnerState
from app.organisations.services import forget_memberships
from app.projects import services
from tests.fixtures.projects import after_period, fill_report, officer_of, writer_of
from tests.projects.test_public_views import send_report


def cells(html: str, chart_id: str, label: str) -> list[str]:
    """The cells of one row of the table beside a chart."""
    figure = re.search(rf'<figure class="chart[^"]*" id="{chart_id}".*?</figure>', html,
                       re.S).group(0)
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', figure, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def eur(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}\u00a0€"


@pytest.fixture
def followed(db, make_project, make_organisation, make_user, add_member):
    """A project with an accepted report whose claim is approved, a submitted report, an
    accepted partner with a member, and a national observer."""
    project = make_project(advance_percent=30)
    partner_member = make_user(name="Kumppanin Jäsen")
    partner = make_organisation(name="Kumppani ry")
    add_member(partner, partner_member)
    db.session.add(ApplicationPartner(application_id=project.id, organisation=partner,
                                      state=PartnerState.accepted))
    observer = make_user(name="Valtakunnallinen Tarkkailija")
    ministry = make_organisation(name="Ministeriö", type="national_authority")
    add_member(ministry, observer).is_observer = True
    db.session.commit()
    forget_memberships()

    report = project.reports[0]
    writer, officer = writer_of(project), officer_of(project)
    now = after_period(report)
    values = fill_report(report, started=20)
    claim = services.ensure_claim(report)
    values.claim_lines = {claim.lines[0].id: {"months_centi": 600}}
    services.save_report(writer, report, values, now=now)
    services.submit_report(writer, report, now=now)
    services.accept_report(officer, report, now=now)
    services.approve_claim(officer, claim, {}, now=now)
    db.session.commit()
    send_report(db, project, 2, accept=False, started=10)
    return project, {"writer": writer, "officer": officer, "partner": partner_member,
                     "observer": observer}


def test_outsiders_and_administrators_get_404(client, login_as, make_user, followed):
    project, _people = followed
    url = f"/projects/{project.id}/follow-up"
    assert client.get(url).status_code == 302  # to the login page
    login_as(make_user())
    assert client.get(url).status_code == 404
    login_as(make_user(admin=True))
    assert client.get(url).status_code == 404
    assert client.get("/projects/999999/follow-up").status_code == 404


@pytest.mark.parametrize("who", ["writer", "officer", "partner", "observer"])
def test_the_project_side_and_the_authority_see_the_figures_and_money(
        client, login_as, monkeypatch, followed, who):
    project, people = followed
    moment = after_period(project.reports[2], days=61)  # report 3 is overdue
    monkeypatch.setattr("app.core.clock.now", lambda: moment)
    login_as(people[who])
    response = client.get(f"/projects/{project.id}/follow-up")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the plan
    for fact in (eur(project.granted_cents), eur(project.approved_cost_cents), "Kumppani ry",
                 "1 September 2026", "31 August 2028"):
        assert fact in html, fact
    # the schedule: every report, its link and state; report 3 is overdue, report 4 not yet
    for report in project.reports:
        assert f'href="/reports/{report.id}"' in html
    assert "Submitted, awaiting review" in html and "Accepted" in html
    assert html.count("Overdue</strong>") == 1
    # cumulative figures over the submitted and accepted reports: 20 + 10, unsuppressed
    assert cells(html, "targets", "Participants")[:2] == ["30", "60"]
    assert "1 accepted, 1 submitted and awaiting review" in html
    assert cells(html, "targets", "Employed")[0] == "6"  # 4 + 2: no "< 5" here
    # money: granted, claimed, approved, paid (the advance and the payable part), remaining
    money = services.money(project)
    for key, cents in (("granted", money.granted_cents), ("claimed", money.claimed_cents),
                       ("approved", money.approved_cents), ("paid", money.paid_cents),
                       ("remaining", money.remaining_cents)):
        assert f'<dd id="money-{key}">{eur(cents)}</dd>' in html, key
    # 33,600 € eligible x 80 %, all of it deducted from the 30 % advance: nothing more is paid
    assert money.approved_cents == 26_880_00 and money.paid_cents == money.advance_cents
    # spending per staff line: 24,000 € claimed of the line's 96,000 € budget
    assert cells(html, "staff-lines", "Projektipäällikkö")[:2] == [eur(24_000_00),
                                                                 eur(96_000_00)]
    assert html.count('role="img"') == 4


def test_my_projects(db, client, login_as, make_user, count_queries, followed, make_project,
                     make_call):
    project, people = followed
    login_as(people["writer"])
    html = client.get("/projects/mine").get_data(as_text=True)
    assert f'href="/projects/{project.id}/follow-up"' in html
    assert "Lead: " in html
    # the next report to send: report 3 (1 is accepted, 2 submitted)
    assert f'href="/reports/{project.reports[2].id}"' in html
    assert f'href="/reports/{project.reports[0].id}"' not in html
    login_as(people["partner"])
    html = client.get("/projects/mine").get_data(as_text=True)
    assert "Partner in the project of" in html and f"/projects/{project.id}/follow-up" in html
    login_as(make_user())
    html = client.get("/projects/mine").get_data(as_text=True)
    assert "Your organisations have no funded projects yet." in html
    # the same queries for one project or three
    login_as(people["writer"])
    client.get("/projects/mine")
    with count_queries() as one:
        client.get("/projects/mine")
    call = make_call(total_budget_cents=100_000_000_00)
    for _ in range(2):
        make_project(call=call, organisation=project.organisation)
    forget_memberships()
    with count_queries() as three:
        html = client.get("/projects/mine").get_data(as_text=True)
    assert html.count("/follow-up\"") == 3
    assert three.count == one.count, three.statements


def test_the_dashboard_links_my_projects(client, login_as, followed):
    _project, people = followed
    login_as(people["writer"])
    assert 'href="/projects/mine"' in client.get("/dashboard").get_data(as_text=True)


def test_the_approved_application_leads_to_its_project(make_project, client, login_as):
    project = make_project()
    login_as(writer_of(project))
    html = client.get(f"/calls/applications/{project.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}/follow-up"' in html
    assert f'href="/projects/{project.id}"' in html
    assert client.get(f"/projects/{project.id}/follow-up").status_code == 200
