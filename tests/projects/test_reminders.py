"""Progress-report reminders (`flask reports remind`): the lead's editors and owners are told
once before a report's due date and once when it is overdue; never of a submitted or accepted
report; a second run mails no one; the command prints a summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.clock import HELSINKI
from app.core.outbox import OutboundMail
from app.extensions import db
from app.notifications import messages
from app.notifications.models import Notification, NotificationKind
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.projects.reminders import send_report_reminders
from tests.fixtures.projects import writer_of
from tests.projects.follow_up_support import accept, submit_first, submitted_project


def _at(day) -> datetime:
    return datetime.combine(day, time(7), tzinfo=HELSINKI)


def _mails(user) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(
        OutboundMail.recipient == user.email, OutboundMail.subject.contains("Progress report"))
        .order_by(OutboundMail.id)))


def _notices(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.report_due)
        .order_by(Notification.id)))


def _team(make_project, make_user, add_member):
    project = make_project(project_name="Muistutettava hanke")
    owner = writer_of(project)
    editor, member = make_user(name="Editori Eila"), make_user(name="Jäsen Jaana")
    add_member(project.organisation, editor, Role.editor)
    add_member(project.organisation, member, Role.member)
    return project, owner, editor, member


def test_before_and_after_the_due_date_once_each(make_project, make_user, add_member):
    project, owner, editor, member = _team(make_project, make_user, add_member)
    report = project.reports[0]
    due = report.due_on
    # too early: nothing
    assert send_report_reminders(_at(due - timedelta(days=15))).before == 0
    summary = send_report_reminders(_at(due - timedelta(days=14)))
    db.session.commit()
    assert (summary.before, summary.overdue) == (1, 0)
    assert summary.checked >= 1
    for person in (owner, editor):
        [mail] = _mails(person)
        assert mail.subject.startswith("Progress report 1 due on")
        assert "Muistutettava hanke" in mail.subject
        assert f"/reports/{report.id}" in mail.body
        [notice] = _notices(person)
        assert notice.params["due"] == due.isoformat() and "overdue" not in notice.params
        assert messages.message(notice).startswith("Progress report 1 of “Muistutettava hanke” "
                                                   "is due on")
    assert _mails(member) == [] and _notices(member) == []  # not a writer
    # run twice, or the next day: no second mail
    assert send_report_reminders(_at(due - timedelta(days=14))).before == 0
    assert send_report_reminders(_at(due - timedelta(days=3))).before == 0
    assert len(_mails(owner)) == 1
    # on the due date itself nothing new; M days after, the overdue reminder, once
    assert send_report_reminders(_at(due + timedelta(days=6))).overdue == 0
    summary = send_report_reminders(_at(due + timedelta(days=7)))
    db.session.commit()
    assert (summary.before, summary.overdue) == (0, 1)
    overdue = _mails(owner)[-1]
    assert overdue.subject.startswith("Progress report 1 overdue")
    assert _notices(owner)[-1].params["overdue"] is True
    assert "has not been submitted" in messages.message(_notices(owner)[-1])
    assert send_report_reminders(_at(due + timedelta(days=8))).overdue == 0
    assert len(_mails(owner)) == 2 and len(_mails(editor)) == 2
    db.session.refresh(report)
    assert set(report.reminders) == {"before", "after"}


def test_the_reminder_leaves_an_open_form_alone(make_project, make_user, add_member):
    project, *_people = _team(make_project, make_user, add_member)
    report = project.reports[0]
    version = report.lock_version
    send_report_reminders(_at(report.due_on - timedelta(days=1)))
    db.session.commit()
    db.session.refresh(report)
    assert report.reminders == {"before": (report.due_on - timedelta(days=1)).isoformat()}
    assert report.lock_version == version


def test_submitted_and_accepted_reports_are_not_reminded(make_project):
    scene = submitted_project(make_project)
    due = scene.report.due_on
    assert send_report_reminders(_at(due - timedelta(days=1))).before == 0
    assert send_report_reminders(_at(due + timedelta(days=10))).overdue == 0
    accept(scene)
    assert send_report_reminders(_at(due + timedelta(days=11))).overdue == 0
    assert _notices(scene.writer) == []
    assert not [m for m in _mails(scene.writer) if " due on " in m.subject
                or " overdue" in m.subject]
    # the second report is still a draft: it is reminded in its own time
    second = scene.project.reports[1]
    assert send_report_reminders(_at(second.due_on - timedelta(days=2))).before == 1


def test_a_returned_report_is_reminded_when_overdue(make_project):
    scene = submitted_project(make_project)
    from app.projects import services

    services.return_report(scene.officer, scene.report, {"narrative": "Täydennä."})
    db.session.commit()
    forget_memberships()
    summary = send_report_reminders(_at(scene.report.due_on + timedelta(days=7)))
    assert summary.overdue == 1


def test_the_command_prints_a_summary(app, make_project, make_user, add_member):
    project, owner, _editor, _member = _team(make_project, make_user, add_member)
    other = make_project(project_name="Toinen")
    submit_first(other)
    due = project.reports[0].due_on
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "remind", "--now", (due - timedelta(days=5))
                                 .isoformat()])
    assert result.exit_code == 0, result.output
    # the other project's first report is submitted: not checked
    assert result.output.strip() == ("Reports not yet submitted checked: 1; reminders sent "
                                     "before the due date: 1; reminders of overdue reports: 0.")
    again = runner.invoke(args=["reports", "remind", "--now",
                                (due - timedelta(days=5)).isoformat()])
    assert "checked: 1; reminders sent before the due date: 0;" in again.output
    later = runner.invoke(args=["reports", "remind", "--before", "3", "--after", "1",
                                "--now", f"{(due + timedelta(days=1)).isoformat()} 08:00"])
    assert "reminders of overdue reports: 1." in later.output, later.output
    assert runner.invoke(args=["reports", "remind", "--now", "eilen"]).exit_code != 0
    db.session.expire_all()
    assert len(_mails(owner)) == 2
