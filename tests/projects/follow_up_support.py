"""Helpers of the follow-up tests (officer actions, dashboard, observers, reminders): a
project whose first report (with a claim) is submitted through the real services."""

from __future__ import annotations

from types import SimpleNamespace

from app.extensions import db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.projects import services
from tests.fixtures.projects import after_period, fill_report, officer_of, writer_of

MONTHS = 600  # six months on the first staff line: 6 x 100 % x 4 000 € = 24 000 €


def submit_first(project, started: int = 10, months_centi: int = MONTHS, report_index=0):
    """Write and submit a report of `project` (with its claim) as the lead's owner."""
    report = project.reports[report_index]
    writer = writer_of(project)
    now = after_period(report)
    values = fill_report(report, started=started)
    claim = services.ensure_claim(report)
    values.claim_lines = {claim.lines[0].id: {"months_centi": months_centi}}
    services.save_report(writer, report, values, now=now)
    services.submit_report(writer, report, now=now)
    db.session.commit()
    forget_memberships()
    return report


def submitted_project(make_project, **project_fields):
    """A project whose first report and claim are submitted."""
    project = make_project(**project_fields)
    report = submit_first(project)
    return SimpleNamespace(project=project, report=report, claim=report.claim,
                           writer=writer_of(project), officer=officer_of(project))


def accept(scene) -> None:
    services.accept_report(scene.officer, scene.report, now=after_period(scene.report))
    db.session.commit()
    forget_memberships()


def make_observer(make_user, make_organisation, add_member, name="Tarkkailija Tuula",
                  verified=True):
    """A member of a (verified) national authority granted the observer role."""
    user = make_user(name=name)
    ministry = make_organisation(name=f"Ministeriö {name}", type="national_authority",
                                 verified=verified)
    membership = add_member(ministry, user, Role.member)
    membership.is_observer = True
    db.session.commit()
    forget_memberships()
    return user
