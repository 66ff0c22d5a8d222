"""Notify people: an in-app notice for each, and mail through the outbox unless the person has
turned mail off for that kind. Services call `notify` inside their unit of work, so a rolled
back change leaves neither a notice nor a mail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, and_, func, or_, select, union, update

from app.core import audit, clock
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


# --- reading ----------------------------------------------------------------------------------


def path_for(endpoint: str, **values) -> str:
    """The path of `endpoint`, also outside a request (a CLI run): where a notice leads."""
    if has_request_context():
        return url_for(endpoint, **values)
    # On the site's own address: with TRUSTED_HOSTS (production) the default "localhost"
    # would be refused and url_for would fail (measured: `flask demo seed` crashed).
    with current_app.test_request_context(
            base_url=current_app.config.get("SERVER_BASE_URL") or None):
        return url_for(endpoint, **values)


def _conflicted_application_ids(user):
    """The ids of the applications `user` is conflicted on, as a subquery: those of the
    organisations they belong to (as lead or as any partner) and those they declared a conflict
    on (the rule of app.applications.permissions.is_conflicted, in SQL)."""
    from app.applications.models import Application, ApplicationPartner
    from app.organisations.models import Membership
    from app.reviews.models import Declaration, Review

    mine = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return union(
        select(Application.id).where(Application.organisation_id.in_(mine)),
        select(ApplicationPartner.application_id).where(
            ApplicationPartner.organisation_id.in_(mine)),
        select(Review.application_id).where(Review.reviewer_id == user.id,
                                            Review.declaration == Declaration.conflict),
    )


def visible_to(user):
    """The condition on Notification rows that `user` may see: their own, without the
    ELY-side notices about an application they are (now) conflicted on."""
    from app.notifications.messages import ELY_SIDE_KINDS

    return and_(
        Notification.user_id == user.id,
        or_(Notification.subject_type.is_(None),
            Notification.subject_type != "application",
            Notification.subject_id.is_(None),
            Notification.kind.not_in([str(k) for k in ELY_SIDE_KINDS]),
            Notification.subject_id.not_in(_conflicted_application_ids(user))),
    )


def notices_query(user) -> Select:
    """The notices `user` may see, newest first (for db.paginate)."""
    return (select(Notification).where(visible_to(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user) -> int:
    """How many notices `user` has not read (those withheld from them not counted): one
    query."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        visible_to(user), Notification.read_at.is_(None))) or 0


def mark_read(user, notice_ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark these of `user`'s notices read (others' ids are ignored); how many changed."""
    ids = [i for i in notice_ids if isinstance(i, int)]
    if not ids:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.user_id == user.id,
               Notification.read_at.is_(None))
        .values(read_at=clock.resolve(now)),
        execution_options={"synchronize_session": False})
    return result.rowcount or 0


def mark_all_read(user, now: datetime | None = None) -> int:
    """Mark every notice of `user` read; how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.resolve(now)),
        execution_options={"synchronize_session": False})
    return result.rowcount or 0


# --- preferences ------------------------------------------------------------------------------


def mail_preferences(user) -> dict[NotificationKind, bool]:
    """For each kind, whether `user` gets mail (in-app notices always appear)."""
    chosen = {p.kind: p.mail for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    return {kind: chosen.get(kind, True) for kind in NotificationKind}


def set_mail_preferences(user, wanted: dict) -> None:
    """Save `user`'s choice of mail for the kinds in `wanted` (kind -> bool); kinds left out
    keep their earlier choice."""
    rows = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed = {}
    for kind in NotificationKind:
        if kind not in wanted:
            continue
        mail = bool(wanted[kind])
        row = rows.get(kind)
        if row is None:
            if mail:
                continue  # no row: mail, the default
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, mail=False))
            changed[str(kind)] = False
        elif row.mail != mail:
            row.mail = mail
            changed[str(kind)] = mail
    db.session.flush()
    if changed:
        audit.record("notifications.preferences_changed", actor=user, obj=user, mail=changed)
