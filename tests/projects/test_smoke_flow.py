"""The whole path of one report through the services: write, submit, return, correct,
resubmit, accept, and the claim approved with the advance deducted."""

from __future__ import annotations

from datetime import timedelta

from app.projects import services
from app.projects.models import ClaimState, ReportState
from tests.fixtures.projects import after_period, fill_report, officer_of, writer_of


def test_report_and_claim_round_trip(db, make_project):
    project = make_project(advance_percent=30)
    assert [r.number for r in project.reports] == [1, 2, 3, 4]
    assert project.reports[-1].is_final
    assert project.advance_cents == project.granted_cents * 30 // 100
    report = project.reports[0]
    writer, officer = writer_of(project), officer_of(project)
    now = after_period(report)
    values = fill_report(report)
    claim = services.ensure_claim(report)
    line = claim.lines[0]
    values.claim_lines = {line.id: {"months_centi": 600}}
    services.save_report(writer, report, values, now=now)
    assert line.claimed_cents == 6 * 4_000_00
    services.submit_report(writer, report, now=now)
    db.session.commit()
    assert report.state == ReportState.submitted and claim.state == ClaimState.submitted
    assert claim.claimed_eligible_cents == 24_000_00 * 140 // 100
    services.return_report(officer, report, {"participants": "Tarkista ikäjakauma."}, now=now)
    assert claim.state == ClaimState.draft
    services.submit_report(writer, report, now=now)
    services.accept_report(officer, report, now=now)
    pay = services.approve_claim(officer, claim, {}, now=now)
    assert pay.capped_support_cents == claim.claimed_support_cents
    assert pay.advance_deducted_cents == min(project.advance_cents, pay.capped_support_cents)
    money = services.money(project)
    assert money.paid_cents == project.advance_cents + pay.payable_cents
    assert report.revision_count == 2


def test_the_final_report_closes_the_project_and_no_other_does(db, make_project):
    from app.projects.models import ProjectState

    project = make_project()
    writer, officer = writer_of(project), officer_of(project)
    first, final = project.reports[0], project.reports[-1]
    assert final.is_final and not first.is_final
    for report in (first, final):
        now = after_period(report)
        services.save_report(writer, report, fill_report(report, started=2 if report is first
                                                         else 0), now=now)
        services.submit_report(writer, report, now=now)
        services.accept_report(officer, report, now=now)
        db.session.commit()
        expected = ProjectState.closed if report is final else ProjectState.running
        assert project.state(report.period_end + timedelta(days=1)) == expected
    assert project.closed_at is not None
