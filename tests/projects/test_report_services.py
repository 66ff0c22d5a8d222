"""Writing and submitting progress reports through the services: who may save and submit in
each state of the report (a table), the breakdown rules, the period, resubmission after a
return, over-spending on a claim line, outcome fees and the service-voucher figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from app.calls import fees
from app.core.domain import DomainError, NotAllowed
from app.extensions import db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.projects import services
from app.projects.models import ClaimLineKind, ClaimState, Project, ReportState
from tests.fixtures.calls import add_partner, advance
from tests.fixtures.projects import (
    add_fee_table,
    after_period,
    fill_report,
    officer_of,
    writer_of,
)

ACTORS = ("lead_owner", "lead_editor", "lead_member", "partner_member", "officer",
          "conflicted_officer", "observer", "outsider", "anonymous")
STATES = ("draft", "submitted", "returned", "accepted")
WRITERS = {"lead_owner", "lead_editor"}
EDITABLE = {"draft", "returned"}
# state -> the actors whose save and submit succeed; everyone else is refused.
ALLOWED = {state: WRITERS if state in EDITABLE else set() for state in STATES}


@pytest.fixture
def world(db, make_call, make_user, make_organisation, add_member, make_application):
    return build_world(db, make_call, make_user, make_organisation, add_member, make_application)


def build_world(db, make_call, make_user, make_organisation, add_member, make_application):
    """A grant project whose lead has an owner, an editor and a member, with an accepted
    partner (one member), the call's ELY officer, a member of the lead who is also a call
    manager of the ELY-centre (conflicted), a national observer and an outsider."""
    call = make_call()
    owner = make_user(name="Liisa Omistaja")
    lead = make_organisation(owner=owner, name="Päätoteuttaja ry")
    application = make_application(call=call, organisation=lead, state="draft")
    partner_owner = make_user(name="Pekka Kumppani")
    partner = make_organisation(owner=partner_owner, name="Osatoteuttaja oy")
    add_partner(owner, application, partner, responder=partner_owner)
    advance(application, "approved", owner)
    db.session.commit()
    forget_memberships()
    project = db.session.get(Project, application.id)
    people = {"lead_owner": owner, "anonymous": AnonymousUserMixin()}
    people["lead_editor"] = make_user(name="Eeva Editori")
    add_member(lead, people["lead_editor"], Role.editor)
    people["lead_member"] = make_user(name="Matti Jäsen")
    add_member(lead, people["lead_member"], Role.member)
    people["partner_member"] = make_user(name="Kaisa Kumppanijäsen")
    add_member(partner, people["partner_member"], Role.member)
    people["officer"] = officer_of(project)
    people["conflicted_officer"] = make_user(name="Jäävi Hakuvastaava")
    add_member(lead, people["conflicted_officer"], Role.member)
    add_member(call.organisation, people["conflicted_officer"], Role.member, call_manager=True)
    authority = make_organisation(type="national_authority", name="Työ- ja elinkeinoministeriö")
    people["observer"] = make_user(name="Olli Tarkkailija")
    add_member(authority, people["observer"], Role.member).is_observer = True
    people["outsider"] = make_user(name="Ulla Ulkopuolinen")
    make_organisation(owner=people["outsider"])
    db.session.commit()
    forget_memberships()
    return project, people


def _complete(report, writer, now):
    services.save_report(writer, report, fill_report(report), now=now)


def _put_in_state(report, state: str, writer, officer, now) -> None:
    """Bring report 1 to `state` the real way."""
    if state == "draft":
        return
    _complete(report, writer, now)
    services.submit_report(writer, report, now=now)
    if state == "returned":
        services.return_report(officer, report, {"narrative": "Kerro tarkemmin."}, now=now)
    elif state == "accepted":
        services.accept_report(officer, report, now=now)
    db.session.commit()
    assert report.state == ReportState(state)


def _outcome(action) -> str:
    nested = db.session.begin_nested()
    try:
        action()
        return "ok"
    except (NotAllowed, DomainError) as error:
        assert not isinstance(error, services.ReportIncomplete), error.problems
        return "refused"
    finally:
        nested.rollback()
        forget_memberships()


@pytest.mark.parametrize("state", STATES)
def test_who_may_save_and_submit_in_each_state(world, state):
    project, people = world
    report = project.reports[0]
    now = after_period(report)
    _put_in_state(report, state, people["lead_owner"], people["officer"], now)
    if state in EDITABLE:
        _complete(report, people["lead_owner"], now)  # a complete report: only the actor counts
        db.session.commit()
    saves, submits = {}, {}
    for actor in ACTORS:
        forget_memberships()
        person = people[actor]
        values = services.ReportInput(narrative={"next_steps": f"Seuraavaksi {actor}."})
        saves[actor] = _outcome(lambda p=person, v=values: services.save_report(
            p, report, v, now=now))
        submits[actor] = _outcome(lambda p=person: services.submit_report(p, report, now=now))
    expected = {actor: "ok" if actor in ALLOWED[state] else "refused" for actor in ACTORS}
    assert saves == expected
    assert submits == expected
    assert report.state == ReportState(state)  # every try was rolled back


def test_a_refused_save_changes_nothing(world):
    project, people = world
    report = project.reports[0]
    with pytest.raises(NotAllowed):
        services.save_report(people["partner_member"], report,
                             services.ReportInput(narrative={"done": "Ei kuulu minulle."}))
    db.session.rollback()
    assert report.done == ""


# --- breakdowns --------------------------------------------------------------------------------


def _problems(report, writer, now) -> list[tuple]:
    with pytest.raises(services.ReportIncomplete) as refused:
        services.submit_report(writer, report, now=now)
    return refused.value.problems


def test_a_breakdown_that_does_not_add_up_names_the_breakdown_and_the_difference(make_project):
    project = make_project()
    report, writer = project.reports[0], writer_of(project)
    now = after_period(report)
    values = fill_report(report, started=10)
    values.figures.update(women=3, men=3, gender_other=0)  # 6 of 10
    values.figures.update(long_term_unemployed=12)  # more than the 10 unemployed
    services.save_report(writer, report, values, now=now)
    problems = _problems(report, writer, now)
    assert ("women", "Gender: Women + Men + Other gender or not stated = 6, which is 4 less "
                     "than Participants who started (10).") in problems
    assert ("long_term_unemployed", "Long-term unemployed: of whom long-term unemployed = 12, "
            "which is 2 more than Unemployed (10).") in problems
    assert len(problems) == 2  # the age, status and education breakdowns add up
    assert report.state == ReportState.draft


def test_a_report_needs_what_was_done(make_project):
    project = make_project()
    report, writer = project.reports[0], writer_of(project)
    values = fill_report(report)
    values.narrative["done"] = "   "
    services.save_report(writer, report, values)
    assert _problems(report, writer, after_period(report)) == [
        ("done", "Describe what was done in the period.")]


def test_submitting_before_the_period_has_ended_is_refused(make_project):
    project = make_project()
    report, writer = project.reports[0], writer_of(project)
    services.save_report(writer, report, fill_report(report))
    last_day = after_period(report, days=0)
    with pytest.raises(DomainError, match="once its period has ended"):
        services.submit_report(writer, report, now=last_day)
    assert report.state == ReportState.draft and report.revision_count == 0
    services.submit_report(writer, report, now=last_day + timedelta(days=1))
    assert report.state == ReportState.submitted


def test_resubmitting_after_a_return_makes_revision_2(make_project):
    project = make_project()
    report, writer, officer = project.reports[0], writer_of(project), officer_of(project)
    now = after_period(report)
    services.save_report(writer, report, fill_report(report), now=now)
    first = services.submit_report(writer, report, now=now)
    services.return_report(officer, report, {"participants": "Tarkista ikäjakauma."}, now=now)
    assert report.state == ReportState.returned
    assert report.comments == {"participants": "Tarkista ikäjakauma."}
    services.save_report(writer, report, services.ReportInput(
        narrative={"done": "Valmennusta, työnantajakäyntejä ja rekrytointitapahtuma."}), now=now)
    second = services.submit_report(writer, report, now=now)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert report.revision_count == 2 and report.state == ReportState.submitted
    assert [r.number for r in report.revisions] == [1, 2]
    assert first.content["narrative"]["done"] == "Valmennusta ja työnantajakäyntejä."
    assert second.content["narrative"]["done"].endswith("rekrytointitapahtuma.")


# --- the payment claim ------------------------------------------------------------------------


def test_overspending_a_staff_line_is_refused_with_the_line_named(make_project):
    project = make_project()
    first, second = project.reports[0], project.reports[1]
    writer, officer = writer_of(project), officer_of(project)
    line = services.ensure_claim(first).lines[0]
    values = fill_report(first)
    values.claim_lines = {line.id: {"months_centi": 2000}}  # 20 x 4 000 € = 80 000 €
    services.save_report(writer, first, values, now=after_period(first))
    services.submit_report(writer, first, now=after_period(first))
    services.accept_report(officer, first, now=after_period(first))
    # the second report claims 6 more months: 104 000 € of the line's 96 000 €
    later = services.ensure_claim(second).lines[0]
    values = fill_report(second, started=0)
    values.claim_lines = {later.id: {"months_centi": 600}}
    services.save_report(writer, second, values, now=after_period(second))
    assert later.claimed_cents == 24_000_00
    assert services.claimed_to_date(project, later.staff_line_id, until=second) == 104_000_00
    problems = _problems(second, writer, after_period(second))
    assert problems == [(f"line-{later.id}", "Staff line Projektipäällikkö: 104,000.00\u00a0€ "
                         "claimed so far, 8,000.00\u00a0€ more than its approved budget of "
                         "96,000.00\u00a0€.")]
    # within the budget it goes
    values.claim_lines = {later.id: {"months_centi": 400}}
    services.save_report(writer, second, values, now=after_period(second))
    services.submit_report(writer, second, now=after_period(second))
    assert second.claim.state == ClaimState.submitted
    assert second.claim.claimed_eligible_cents == 16_000_00 * 140 // 100


def test_a_monthly_line_without_share_or_salary_cannot_be_submitted(make_project):
    project = make_project()
    report, writer = project.reports[0], writer_of(project)
    line = services.ensure_claim(report).lines[0]
    line.monthly_salary_cents = None
    values = fill_report(report)
    values.claim_lines = {line.id: {"months_centi": 300}}
    services.save_report(writer, report, values)
    assert _problems(report, writer, after_period(report)) == [
        (f"line-{line.id}", "Staff line Projektipäällikkö: enter the FTE share and the monthly "
                            "salary.")]


def outcome_project(db, make_call, make_project):
    """A project of an outcome-based call with tests/fixtures/projects.py's fee table."""
    call = make_call(funding_model="outcome_based", outcome_fee_cents=3_000_00,
                     min_employment_months=6)
    add_fee_table(call)
    db.session.commit()
    return make_project(call=call)


def test_outcome_counts_earn_their_stage_fees(db, make_call, make_project):
    project = outcome_project(db, make_call, make_project)
    report, writer = project.reports[0], writer_of(project)
    claim = services.ensure_claim(report)
    assert all(line.kind == ClaimLineKind.outcome for line in claim.lines)
    employment, business = project.call.fees
    values = fill_report(report)
    values.outcomes = {f"{employment.id}:0": 4, f"{employment.id}:1": 1, f"{business.id}:0": 2}
    services.save_report(writer, report, values)
    fees = {(line.fee_id, line.stage): (line.count, line.unit_fee_cents, line.claimed_cents)
            for line in claim.lines}
    assert fees == {(employment.id, 0): (4, 900_00, 3_600_00),
                    (employment.id, 1): (1, 2_100_00, 2_100_00),
                    (business.id, 0): (2, 2_000_00, 4_000_00)}
    totals = services.claim_totals(claim)
    assert (totals.staff_cents, totals.flat_rate_cents) == (0, 0)
    assert totals.fees_cents == totals.support_cents == 9_700_00
    services.submit_report(writer, report, now=after_period(report))
    assert claim.state == ClaimState.submitted and claim.claimed_support_cents == 9_700_00


def test_a_claims_stage_fees_add_up_to_the_fee_as_in_the_plan(db, make_call, make_project):
    """A fee of 1,01 € in two stages of 50 %: each stage rounded on its own would claim
    0,51 + 0,51 = 1,02 €; the claim uses the plan's stage amounts, which add up to the fee."""
    call = make_call(funding_model="outcome_based", outcome_fee_cents=1_03,
                     min_employment_months=6)
    add_fee_table(call, rows=[("employment", "Työsuhde", 6, 1_01,
                               [{"label": "alku", "percent": 50},
                                {"label": "jatko", "percent": 50}])])
    db.session.commit()
    project = make_project(call=call)
    claim = services.ensure_claim(project.reports[0])
    amounts = [line.unit_fee_cents for line in claim.lines]
    assert amounts == fees.stage_amounts(1_01, call.fees[0].stages) == [51, 50]
    assert sum(amounts) == 1_01


def test_voucher_figures_must_be_consistent(make_project, make_organisation):
    project = make_project(funding_model="service_voucher")
    report, writer = project.reports[0], writer_of(project)
    lead = str(project.organisation_id)
    now = after_period(report)
    values = fill_report(report)
    values.vouchers = {"issued": 5, "providers": {
        lead: {"redeemed": 6, "completed": 7, "employed": 5, "education": 4},
        "999999": {"redeemed": 50}}}  # not a provider of the project: left out
    services.save_report(writer, report, values, now=now)
    assert set(report.vouchers["providers"]) == {lead}
    problems = _problems(report, writer, now)
    assert problems == [
        ("vouchers", "Vouchers redeemed (6) are 1 more than the vouchers issued (5)."),
        ("vouchers", "Services completed (7) are 1 more than the vouchers redeemed (6)."),
        ("vouchers", "Outcomes (9) are 2 more than the services completed (7)."),
    ]
    values.vouchers = {"issued": 8, "providers": {
        lead: {"redeemed": 6, "completed": 5, "employed": 3, "education": 1}}}
    services.save_report(writer, report, values, now=now)
    services.submit_report(writer, report, now=now)
    assert report.state == ReportState.submitted
    assert report.revisions[0].content["vouchers"]["providers"][lead]["completed"] == 5
