"""Reminders of progress reports: `flask reports remind`, run daily from cron, tells the
lead's editors and owners once that a report is due within REMIND_BEFORE_DAYS days, and once
more when it is still not submitted REMIND_AFTER_DAYS days after its due date.

What was sent is recorded on the report (`Report.reminders`: {"before": "<ISO date>",
"after": ...}), so a second run, or a run on the next day, mails no one again. Not reminded:
submitted and accepted reports, and the reports of closed projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.applications.models import Application
from app.auth.models import User
from app.core import audit, clock
from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.organisations.models import Membership, Role
from app.projects.models import Project, Report, ReportState

REMIND_BEFORE_DAYS = 14
REMIND_AFTER_DAYS = 7
OPEN_STATES = (ReportState.draft, ReportState.returned)


@dataclass
class ReminderSummary:
    checked: int = 0
    before: int = 0
    overdue: int = 0


def reports_to_check(today: date, before_days: int, after_days: int) -> list[Report]:
    """Unsubmitted reports of open projects whose due date is within `before_days` days or
    more than `after_days` days past (whether a reminder was sent is checked per report)."""
    return list(db.session.scalars(
        select(Report).join(Project, Project.id == Report.project_id)
        .where(Report.state.in_([str(s) for s in OPEN_STATES]), Project.closed_at.is_(None),
               Report.due_on <= today + timedelta(days=before_days))
        .options(joinedload(Report.project).joinedload(Project.application)
                 .joinedload(Application.call),
                 joinedload(Report.project).joinedload(Project.organisation))
        .order_by(Report.due_on, Report.id)))


def _due_reminder(report: Report, today: date, before_days: int, after_days: int) -> str | None:
    """"before", "after" or None: which reminder `report` should get today, if any."""
    sent = report.reminders or {}
    if today >= report.due_on + timedelta(days=after_days):
        return None if "after" in sent else "after"
    if report.due_on - timedelta(days=before_days) <= today <= report.due_on:
        return None if "before" in sent or "after" in sent else "before"
    return None


def _record(report: Report, which: str, today: date) -> bool:
    """Record the reminder unless another run already did. A plain UPDATE that leaves the
    report's version alone: a writer's open form meets no false edit conflict."""
    table = Report.__table__
    current = dict(report.reminders or {})
    if which in current:
        return False
    updated = {**current, which: today.isoformat()}
    result = db.session.execute(
        table.update().where(table.c.id == report.id).values(reminders=updated))
    db.session.expire(report, ["reminders"])
    return result.rowcount == 1


def _writers(project: Project) -> list[User]:
    """The lead's editors and owners."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == project.organisation_id,
               Membership.role.in_([Role.editor, Role.owner]))
        .order_by(User.id)))


def send_report_reminders(now: datetime | None = None, before_days: int = REMIND_BEFORE_DAYS,
                          after_days: int = REMIND_AFTER_DAYS) -> ReminderSummary:
    """Notify (kind report_due, mail report_due) the lead's editors and owners of each report
    due soon or overdue, once per report and kind. Flushes; the caller commits."""
    now = clock.resolve(now)
    today = clock.local_date(now)
    summary = ReminderSummary()
    reports = reports_to_check(today, before_days, after_days)
    for report in reports:
        summary.checked += 1
        which = _due_reminder(report, today, before_days, after_days)
        if which is None or not _record(report, which, today):
            continue
        project = report.project
        overdue = which == "after"
        params = {"number": report.number, "title": project.name,
                  "due": report.due_on.isoformat()}
        if overdue:
            params["overdue"] = True
        notify(_writers(project), NotificationKind.report_due,
               url=path_for("projects.report_detail", report_id=report.id), subject=report,
               params=params, mail_template="report_due", report=report, project=project,
               overdue=overdue)
        audit.record("report.reminded", obj=report, organisation=project.organisation,
                     project=project.id, number=report.number, overdue=overdue or None)
        if overdue:
            summary.overdue += 1
        else:
            summary.before += 1
    db.session.flush()
    return summary

