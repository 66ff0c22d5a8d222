"""Reminders of reviews that are due soon: `flask reviews remind`, run daily from cron, tells
each reviewer once (Review.reminded_at) that their review is due within three days.

Not reminded: submitted reviews, conflicted ones (declared, or by membership of the lead or a
partner), reviews without a due date or already past it, applications no longer in review, and
calls whose reviewing has been closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.applications.models import Application
from app.applications.states import UNDECIDED_SUBMITTED
from app.calls.models import Call
from app.core import audit, clock
from app.extensions import db
from app.notifications.messages import call_titles
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.reviews import permissions as perms
from app.reviews.models import Declaration, Review

REMIND_BEFORE = timedelta(days=3)


def reviews_to_remind(now: datetime) -> list[Review]:
    """Unsubmitted, unreminded reviews due within REMIND_BEFORE of `now` (not yet past), in
    applications under review in calls whose reviewing is open (conflicts not yet excluded)."""
    return list(db.session.scalars(
        select(Review)
        .join(Application, Application.id == Review.application_id)
        .join(Call, Call.id == Review.call_id)
        .options(selectinload(Review.reviewer),
                 selectinload(Review.application).selectinload(Application.partners),
                 selectinload(Review.application).selectinload(Application.call)
                 .selectinload(Call.organisation))
        .where(Review.submitted_at.is_(None), Review.reminded_at.is_(None),
               Review.due_at.is_not(None), Review.due_at > now,
               Review.due_at <= now + REMIND_BEFORE,
               Review.declaration != Declaration.conflict,
               Application.state.in_([str(s) for s in UNDECIDED_SUBMITTED]),
               Call.reviewing_closed_at.is_(None))
        .order_by(Review.due_at, Review.id)))


def _claim(review: Review, now: datetime) -> bool:
    """Record the reminder unless another run already did. A plain UPDATE: it leaves the
    review's version alone, so a reviewer's open form does not meet a false edit conflict."""
    table = Review.__table__
    result = db.session.execute(
        table.update().where(table.c.id == review.id, table.c.reminded_at.is_(None))
        .values(reminded_at=now))
    db.session.expire(review, ["reminded_at"])
    return result.rowcount == 1


def send_review_reminders(now: datetime | None = None) -> int:
    """Notify (kind review_due, mail review_due) each reviewer whose review is due within three
    days, once per review; returns how many were reminded. Flushes; the caller commits."""
    now = clock.resolve(now)
    reviews = reviews_to_remind(now)
    memberships = perms.member_organisation_ids({r.reviewer_id for r in reviews})
    reminded = 0
    for review in reviews:
        if perms.review_is_conflicted(review, memberships) or not _claim(review, now):
            continue
        application = review.application
        call = application.call
        notify([review.reviewer], NotificationKind.review_due,
               url=path_for("reviews.review_detail", review_id=review.id), subject=application,
               conflicted_on=application,
               params={"title": application.project_name, "call": call_titles(call),
                       "due": review.due_at.isoformat()},
               mail_template="review_due", review=review, application=application, call=call)
        audit.record("review.reminded", obj=review, organisation=call.organisation,
                     application=application.id, reviewer=review.reviewer_id)
        reminded += 1
    db.session.flush()
    return reminded
