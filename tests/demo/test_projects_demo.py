"""The projects demo (app/demo/projects_data.py): grant projects of NGOs whose report 1 is
accepted with its claim approved, returned with comments, overdue, and ready to file; an
outcome-based project with staged fee lines; the national observer; the fee table of the
upcoming call; placed against the real clock, made through the services, and idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.calls.models import Call, FundingModel, OutcomeFee
from app.core import clock
from app.core.outbox import OutboundMail
from app.demo import authorities_data, data, projects_data
from app.demo.seed import seed_demo
from app.organisations.models import Membership, Organisation
from app.organisations.services import forget_memberships
from app.projects import claims, indicators, services
from app.projects import permissions as perms
from app.projects.models import (
    ClaimLine,
    ClaimLineKind,
    ClaimState,
    PaymentClaim,
    Project,
    Report,
    ReportRevision,
    ReportState,
)

COUNTED = (Project, Report, ReportRevision, PaymentClaim, ClaimLine, OutcomeFee, Call,
           Membership)


@pytest.fixture
def seeded(db):
    summary = seed_demo(db.session)
    db.session.commit()
    forget_memberships()
    return summary


def _user(db, email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _project(db, prefix) -> Project:
    return next(p for p in db.session.scalars(select(Project)) if p.name.startswith(prefix))


def _today():
    return clock.local_date(clock.now())


def test_the_projects_are_placed_against_the_real_clock(seeded, db):
    today = _today()
    names = [spec["project_name"] for spec in projects_data.PROJECTS]
    projects = [_project(db, name) for name in names]
    for project in projects:
        assert project.state(today).value == "running"
        first = project.reports[0]
        assert first.period_end < today, project.name  # report 1's period has ended
        assert len(project.reports) == 4 and project.reports[-1].is_final
        assert project.organisation.type in ("ngo", "staffing_firm")
        assert project.application.decided_at < projects_data._noon(project.starts_on)
    grant = [p for p in projects if p.call.funding_model == FundingModel.grant]
    assert len(grant) == 4 and all(p.organisation.type == "ngo" for p in grant)
    assert all(p.call.advance_percent == 20 for p in grant)
    assert all(p.advance_cents == claims.advance_of(p.granted_cents, 20) > 0 for p in grant)


def test_one_report_accepted_and_its_claim_approved_with_the_advance_deducted(seeded, db):
    project = _project(db, "Työnkuvat kuntoon")
    report = project.reports[0]
    assert report.state == ReportState.accepted and report.accepted_at is not None
    assert indicators.check(report.figures) == []
    claim = report.claim
    assert claim.state == ClaimState.approved
    assert claim.approved_by_name == "Anu Salmela"
    # Six months of both staff lines were claimed; one line was cut with its reason.
    assert [line.claimed_cents for line in claim.lines] == [6 * 3_800_00, 6 * 3_300_00]
    cut = [line for line in claim.lines if line.cut_reason]
    assert len(cut) == 1 and cut[0].approved_cents == cut[0].claimed_cents - 400_00
    totals = services.claim_totals(claim, approved=True)
    assert claim.approved_support_cents == totals.support_cents < claim.claimed_support_cents
    assert claim.advance_deducted_cents == min(project.advance_cents, totals.support_cents) > 0
    assert claim.payable_cents == claim.approved_support_cents - claim.advance_deducted_cents
    money = services.money(project)
    assert money.paid_cents == project.advance_cents + claim.payable_cents <= money.granted_cents
    assert report.revision_count == 1


def test_one_report_returned_with_comments_and_not_overdue(seeded, db):
    report = _project(db, "Mentorista työpaikkaan").reports[0]
    assert report.state == ReportState.returned
    assert set(report.comments) == {"narrative", "claim"}
    assert "työaikaseuranta" in report.comments["claim"]
    assert report.claim.state == ClaimState.draft  # back to the writer with its report
    assert not report.is_overdue(_today())
    writer = _user(db, "laura.nurmela@demo.kohtaamo.example")
    assert perms.can_submit_report(writer, report, _today())


def test_one_report_overdue(seeded, db):
    project = _project(db, "Språkbron")
    report = project.reports[0]
    assert report.state == ReportState.draft and report.is_overdue(_today())
    assert report.due_on < _today() and report.done.startswith("Vi har")
    assert report.revision_count == 0
    writer = _user(db, "mikael.sandvik@demo.kohtaamo.example")
    assert perms.can_submit_report(writer, report, _today())  # it can still be sent late


def test_one_report_ready_to_file_by_hand(seeded, db):
    project = _project(db, "Valmentaen töihin")
    report = project.reports[0]
    today = _today()
    assert report.state == ReportState.draft and report.period_end < today < report.due_on
    assert not report.is_overdue(today) and report.claim is None and not report.done
    writer = _user(db, projects_data.WRITER_TO_FILE)
    assert perms.can_submit_report(writer, report, today)
    # What the demo user does: write it, claim six months of both lines, submit.
    values = services.ReportInput(
        narrative={"done": "Valmennusta kahdeksalle osallistujalle."},
        figures=projects_data.figures(8, 4, (0, 3, 5, 0), (8, 0, 0), 4, 8, (3, 4, 1), 1,
                                      (9, 8, 1, 0), (2, 1, 0, 0, 1, 0)))
    claim = services.ensure_claim(report)
    values.claim_lines = {line.id: {"months_centi": 600} for line in claim.lines}
    services.save_report(writer, report, values, now=clock.now())
    services.submit_report(writer, report, now=clock.now())
    db.session.commit()
    assert report.state == ReportState.submitted and claim.state == ClaimState.submitted
    assert claim.claimed_support_cents > 0


def test_the_outcome_based_project_claims_its_fees_per_stage(seeded, db):
    project = _project(db, "Tulostakuu")
    call = project.call
    assert call.funding_model == FundingModel.outcome_based
    assert [(f.fee_cents, [s["percent"] for s in f.stages]) for f in call.fees] == [
        (3_000_00, [30, 70]), (2_500_00, [])]
    first, second = project.reports[0], project.reports[1]
    assert first.state == ReportState.accepted and first.claim.state == ClaimState.approved
    assert second.state == ReportState.submitted
    claim = second.claim
    assert claim.state == ClaimState.submitted
    lines = {(line.label, line.stage): line for line in claim.lines}
    assert all(line.kind == ClaimLineKind.outcome for line in claim.lines)
    employment, business = call.fees
    start = lines[(employment.label + " – Työsuhde alkaa", 0)]
    lasted = lines[(employment.label + " – Työsuhde on kestänyt 6 kk", 1)]
    once = lines[(business.label, 0)]
    assert (start.count, start.unit_fee_cents) == (11, 900_00)
    assert (lasted.count, lasted.unit_fee_cents) == (7, 2_100_00)
    assert (once.count, once.unit_fee_cents) == (1, 2_500_00)
    assert claim.claimed_support_cents == 11 * 900_00 + 7 * 2_100_00 + 2_500_00
    # Seven of the nine employments that started in report 1 have lasted six months.
    assert first.outcomes[f"{employment.id}:0"] == 9
    for report in (first, second):
        assert indicators.check(report.figures) == []
    assert indicators.check_cumulative(services.cumulative_figures(project)) == []
    assert services.money(project).paid_cents == first.claim.payable_cents  # no advance


def test_the_national_observer(seeded, db):
    observer = _user(db, projects_data.OBSERVER)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == observer.id))
    assert membership.is_observer and not membership.is_call_manager
    organisation = membership.organisation
    assert organisation.type == "national_authority" and organisation.is_verified
    forget_memberships()
    assert perms.is_national_observer(observer)
    project = _project(db, "Tulostakuu")
    assert perms.can_view_project(observer, project)
    assert not perms.is_project_officer(observer, project)
    others = db.session.scalars(select(Membership).where(Membership.is_observer.is_(True))).all()
    assert [m.user_id for m in others] == [observer.id]


def test_the_upcoming_call_has_its_fee_table(seeded, db):
    call = db.session.scalar(select(Call).where(Call.title_fi.like("Osatyökykyisten%")))
    assert call.funding_model == FundingModel.outcome_based
    assert [f.label for f in call.fees] == [row[1] for row in projects_data.FEE_TABLE]


def test_no_mail_is_left_to_send(seeded, db):
    assert db.session.scalar(select(func.count()).select_from(OutboundMail)) == 0


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED}


def test_seeding_again_adds_nothing(seeded, db):
    assert seeded.created["projects"] > 0
    before = _counts(db)
    again = seed_demo(db.session)
    db.session.commit()
    assert again.created["projects"] == 0 and again.total == 0
    assert _counts(db) == before


def test_a_removed_fee_row_is_not_brought_back(seeded, db):
    call = db.session.scalar(select(Call).where(Call.title_fi.like("Osatyökykyisten%")))
    call.fees.remove(call.fees[-1])
    db.session.commit()
    seed_demo(db.session)
    db.session.commit()
    assert len(call.fees) == len(projects_data.FEE_TABLE) - 1


def test_logins_name_the_observer_and_the_report_to_file(app, db, seeded):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    observer_row = next(line for line in result.output.splitlines()
                        if line.startswith(projects_data.OBSERVER))
    assert "Työ- ja elinkeinoministeriö" in observer_row and "national observer" in observer_row
    assert f"file a report       {projects_data.WRITER_TO_FILE}" in result.output
    assert f"national observer   {projects_data.OBSERVER}" in result.output
    # + the partner finder's staffing firm (app/demo/partners_finder_data.py)
    assert len(data.ORGANISATIONS) + len(authorities_data.ORGANISATIONS) + 1 == db.session.scalar(
        select(func.count()).select_from(Organisation))
