"""Review-due reminders (`flask reviews remind`): reviewers whose unsubmitted review without a
conflict of interest is due within three days are notified once, in the app and by mail."""

from __future__ import annotations

from datetime import timedelta

from app.core.db import utcnow
from app.notifications import messages
from app.notifications.models import NotificationKind as K
from app.organisations.models import Role
from app.reviews import services as reviews
from app.reviews.reminders import send_review_reminders
from tests.notifications.conftest import mails_to, notices_of

NOW = utcnow().replace(microsecond=0)


def _assign(db, scene, reviewer, due_in: timedelta | None):
    review = reviews.assign_reviewer(scene.officer, scene.application, reviewer,
                                     due_at=NOW + due_in if due_in is not None else None)
    db.session.commit()
    return review


def _due_notices(db, user):
    return notices_of(db, user, K.review_due)


def test_a_review_due_within_three_days_is_reminded_once(db, scene):
    review = _assign(db, scene, scene.reviewer, timedelta(days=2))
    assert send_review_reminders(NOW) == 1
    db.session.commit()
    [notice] = _due_notices(db, scene.reviewer)
    assert notice.url == f"/reviews/{review.id}"
    text = messages.message(notice)
    assert text.startswith("Your review of “Töihin yhdessä” is due on ")
    assert mails_to(db, scene.reviewer)[-1].subject.startswith("Review due on ")
    assert "Töihin yhdessä" in mails_to(db, scene.reviewer)[-1].subject
    db.session.refresh(review)
    assert review.reminded_at is not None
    version = review.lock_version
    # once only: a second run, even a day later, reminds no one
    assert send_review_reminders(NOW + timedelta(days=1)) == 0
    assert len(_due_notices(db, scene.reviewer)) == 1
    # and the reviewer's open form meets no false edit conflict
    db.session.refresh(review)
    assert review.lock_version == version


def test_not_yet_due_past_due_and_without_a_date_are_left_alone(db, scene, make_user,
                                                                 add_member):
    late = make_user()
    add_member(scene.ely, late, Role.member, reviewer=True)
    _assign(db, scene, scene.reviewer, timedelta(days=4))
    _assign(db, scene, scene.other_reviewer, None)
    _assign(db, scene, late, -timedelta(hours=1))
    assert send_review_reminders(NOW) == 0
    # when the first comes within three days, it is reminded
    assert send_review_reminders(NOW + timedelta(days=1, minutes=1)) == 1
    assert len(_due_notices(db, scene.reviewer)) == 1


def test_submitted_reviews_are_not_reminded(db, scene):
    review = _assign(db, scene, scene.reviewer, timedelta(days=1))
    review.submitted_at = NOW - timedelta(hours=1)
    db.session.commit()
    assert send_review_reminders(NOW) == 0
    assert _due_notices(db, scene.reviewer) == []


def test_conflicted_reviews_are_not_reminded(db, scene, add_member):
    declared = _assign(db, scene, scene.reviewer, timedelta(days=1))
    reviews.declare(scene.reviewer, declared, True, "benefit_or_harm", "")
    _assign(db, scene, scene.other_reviewer, timedelta(days=1))
    db.session.commit()
    add_member(scene.lead, scene.other_reviewer)  # joined the lead applicant after assignment
    assert send_review_reminders(NOW) == 0
    assert _due_notices(db, scene.reviewer) == []
    assert _due_notices(db, scene.other_reviewer) == []
    assert mails_to(db, scene.other_reviewer)[-1].subject.startswith("You have been assigned")


def test_mail_turned_off_still_leaves_the_notice(db, scene):
    from app.notifications.services import set_mail_preferences

    set_mail_preferences(scene.reviewer, {K.review_due: False})
    _assign(db, scene, scene.reviewer, timedelta(days=1))
    before = len(mails_to(db, scene.reviewer))
    assert send_review_reminders(NOW) == 1
    assert len(_due_notices(db, scene.reviewer)) == 1
    assert len(mails_to(db, scene.reviewer)) == before


def test_the_command(app, db, scene):
    _assign(db, scene, scene.reviewer, timedelta(days=2, hours=12))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reviews", "remind"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 reviews" in result.output
    again = runner.invoke(args=["reviews", "remind"])
    assert "Reminded 0 reviews" in again.output
    assert len(_due_notices(db, scene.reviewer)) == 1
