"""Notify people: an in-app notice for each, and mail through the outbox unless the person has
turned mail off for that kind. Services call `notify` inside their unit of work, so a rolled
back change leaves neither a notice nor a mail."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.core.outbox import queue_mail
from app.extensions import db
from app.notifications.models import Notification, NotificationKind, NotificationPreference


def mail_wanted(user_ids: Iterable[int], kind: NotificationKind) -> set[int]:
    """The ids of those who get mail for `kind` (everyone who has not turned it off)."""
    ids = set(user_ids)
    if not ids:
        return ids
    off = set(db.session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind,
        NotificationPreference.mail.is_(False))))
    return ids - off


def notify(users: Iterable, kind: NotificationKind, *, url: str = "", subject=None,
           params: dict | None = None, mail_template: str | None = None,
           conflicted_on=None, **mail_context) -> list[Notification]:
    """A notice of `kind` to each of `users` (once each), leading to `url`; mail with
    `mail_template` to those who want it. With `conflicted_on` (an application), people
    conflicted on it on the ELY-centre's side are left out (no role bypasses the rule)."""
    people = list({u.id: u for u in users if u is not None}.values())
    if conflicted_on is not None:
        from app.applications.permissions import is_conflicted

        people = [u for u in people if not is_conflicted(u, conflicted_on)]
    wanted = mail_wanted((u.id for u in people), kind)
    notices = []
    for user in people:
        notice = Notification(
            user_id=user.id, kind=kind, params=dict(params or {}), url=url,
            subject_type=type(subject).__tablename__ if subject is not None else None,
            subject_id=getattr(subject, "id", None))
        db.session.add(notice)
        notices.append(notice)
        if mail_template and user.id in wanted:
            queue_mail(user.email, mail_template, user.language, user=user, **mail_context)
    return notices
