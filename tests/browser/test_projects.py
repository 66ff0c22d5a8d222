"""A funded project in a real browser, the whole round of one progress report: the NGO writes
the report and its payment claim (the claim's amounts follow what is typed), submits; the
ELY-centre returns it with a comment on the participants; the NGO sees the comment, corrects
and resubmits; the centre accepts the report and approves the claim with one line cut for a
stated reason; the project's public page then shows the accepted figures, small ones as
"< 5"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    add_member,
    axe_violations,
    create_open_call,
    create_organisation,
    create_user,
    describe_violations,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

WRITER = ("Paula Raportoija", "selain.raportoija@example.fi")
MANAGER = ("Harri Hakuvastaava", "selain.seuranta@example.fi")
DECIDER = ("Rauni Ratkaisija", "selain.ratkaisija@example.fi")
PROJECT = "Polku töihin -hanke"


@dataclass
class World:
    project_id: int
    report_id: int


def _approved_project(server, call_id: int, organisation_id: int, writer_id: int,
                      manager_id: int) -> World:
    """A complete application approved the real way, its eligibility period started eight
    months ago: report 1's period has ended and the report is a draft."""
    from app.applications.models import Application
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from app.projects.models import Project
    from tests.fixtures.calls import advance, fill_application

    def _create():
        forget_memberships()
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=PROJECT, created_by_id=writer_id)
        fill_application(application)
        application.start_date = date.today() - timedelta(days=240)
        application.end_date = application.start_date + timedelta(days=729)
        db.session.add(application)
        db.session.flush()
        advance(application, "approved", db.session.get(User, writer_id),
                db.session.get(User, manager_id))
        db.session.commit()
        forget_memberships()
        project = db.session.get(Project, application.id)
        return World(project.id, project.reports[0].id)

    return server.run(_create)


@pytest.fixture(scope="module")
def world(live_server) -> World:
    owner_id = create_user(live_server, "selain.ely@example.fi", "Eija Elykeskus")
    ely_id = create_organisation(live_server, owner_id, "Seurannan ELY-keskus",
                                 valid_business_id(1101), type="regional_authority")
    manager_id = create_user(live_server, MANAGER[1], MANAGER[0])
    add_member(live_server, ely_id, manager_id, "member", call_manager=True)
    decider_id = create_user(live_server, DECIDER[1], DECIDER[0])
    add_member(live_server, ely_id, decider_id, "member", call_manager=True)
    call_id = create_open_call(live_server, ely_id, title="Seurannan haku")
    writer_id = create_user(live_server, WRITER[1], WRITER[0])
    ngo_id = create_organisation(live_server, writer_id, "Polku ry", valid_business_id(1102))
    return _approved_project(live_server, call_id, ngo_id, writer_id, manager_id)


PARTICIPANTS = {
    "started": 3, "women": 2, "men": 1, "age_18_29": 1, "age_30_54": 2, "unemployed": 3,
    "long_term_unemployed": 2, "disabled": 3, "isced_0_2": 2, "isced_3_4": 1,
    "referred": 4, "referral_started": 3, "referral_no_show": 1, "left": 1, "employed": 1,
}


def _claim_state(server, report_id: int) -> tuple:
    from app.extensions import db
    from app.projects.models import Report

    def _read():
        db.session.expire_all()
        report = db.session.get(Report, report_id)
        claim = report.claim
        return (str(report.state), report.revision_count, str(claim.state),
                [line.approved_cents for line in claim.lines],
                [line.cut_reason for line in claim.lines], claim.payable_cents)

    return server.run(_read)


def _call_of(server, project_id: int) -> int:
    from app.extensions import db
    from app.projects.models import Project

    return server.run(lambda: db.session.get(Project, project_id).call_id)


def _no_serious_violations(page: Page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"axe on {page.url}:\n{describe_violations(violations)}"


def test_a_report_and_its_claim_go_round_and_are_accepted(world, new_page, live_server,
                                                          axe_source):
    # The NGO writes the report and the claim.
    page: Page = new_page()
    page.goto("/")
    switch_language(page, "en")
    log_in(page, WRITER[1])
    page.goto(f"/reports/{world.report_id}")
    page.wait_for_load_state("load")
    _no_serious_violations(page, axe_source)
    page.locator("#done").fill("Kymmenen työnantajakäyntiä ja valmennusryhmä.")
    for key, value in PARTICIPANTS.items():
        page.locator(f"#{key}").fill(str(value))
    # A breakdown that does not add up: the age groups say 4 of 3 who started.
    page.locator("#age_30_54").fill("3")
    months = page.locator("input[id$='-months']").first
    months.fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#report-form")).to_be_visible()
    page.get_by_role("button", name="Submit the report").click()
    problems = page.locator(".error-summary, [role=alert]").first
    expect(problems).to_contain_text("Age")
    expect(problems).to_contain_text("1 more than")
    _no_serious_violations(page, axe_source)
    expect(page.locator("#done")).to_have_value("Kymmenen työnantajakäyntiä ja valmennusryhmä.")
    page.locator("#age_30_54").fill("2")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text(re.compile("submitted", re.I)).first).to_be_visible()
    expect(page.locator("#report-form")).to_have_count(0)

    # The ELY-centre returns it with a comment on the participants.
    officer: Page = new_page()
    officer.goto("/")
    switch_language(officer, "en")
    log_in(officer, MANAGER[1])
    officer.goto(f"/reports/{world.report_id}")
    officer.wait_for_load_state("load")
    officer.locator("summary", has_text="Return for corrections").click()
    officer.locator("#comment_participants").fill("Tarkistakaa koulutustaso.")
    officer.get_by_role("button", name="Return for corrections").click()
    expect(officer.get_by_text(re.compile("returned", re.I)).first).to_be_visible()

    # The NGO sees the comment beside the section, corrects and resubmits.
    page.goto(f"/reports/{world.report_id}")
    page.wait_for_load_state("load")
    expect(page.get_by_text("Tarkistakaa koulutustaso.").first).to_be_visible()
    page.locator("#isced_0_2").fill("3")
    page.locator("#isced_3_4").fill("0")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("#report-form")).to_have_count(0)

    # The centre accepts the report and approves the claim with one line cut.
    officer.goto(f"/reports/{world.report_id}")
    officer.wait_for_load_state("load")
    officer.get_by_role("button", name=re.compile("Accept progress report 1")).click()
    expect(officer.get_by_role("link", name="Approve the payment claim")).to_be_visible()
    officer.get_by_role("link", name="Approve the payment claim").click()
    officer.locator("input[id$='approved']").first.fill("20000")
    officer.get_by_role("button", name="Preview the payment").click()
    expect(officer.locator("[id$='reason-error']").first).to_be_visible()
    _no_serious_violations(officer, axe_source)
    officer.locator("textarea[id$='reason']").first.fill("Kuukausi ei kuulu kaudelle.")
    officer.get_by_role("button", name="Preview the payment").click()
    officer.wait_for_load_state("load")
    officer.get_by_role("button", name="Approve the payment claim").click()
    expect(officer.get_by_text(re.compile("approved", re.I)).first).to_be_visible()
    state, revisions, claim_state, approved, reasons, payable = _claim_state(
        live_server, world.report_id)
    assert (state, revisions, claim_state) == ("accepted", 2, "approved")
    assert approved == [20000_00] and reasons == ["Kuukausi ei kuulu kaudelle."]
    assert payable == 20000_00 * 140 // 100 * 80 // 100  # flat rate 40 %, support 80 %

    # The public page shows the accepted figures, those under five as "< 5".
    anonymous: Page = new_page()
    anonymous.goto(f"/projects/{world.project_id}")
    expect(anonymous.get_by_role("heading", name=PROJECT).first).to_be_visible()
    expect(anonymous.get_by_text("< 5").first).to_be_visible()
    _no_serious_violations(anonymous, axe_source)
    officer.goto(f"/projects/{world.project_id}/follow-up")
    _no_serious_violations(officer, axe_source)
    officer.goto(f"/calls/{_call_of(live_server, world.project_id)}/projects")
    _no_serious_violations(officer, axe_source)
    expect(anonymous.get_by_text("Kymmenen työnantajakäyntiä")).to_have_count(0)
