"""Notices and mail made by real service calls: assigning a reviewer, the mail preference per
kind, a rolled-back unit of work, and the kinds the application workflow sends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from app.applications import services as applications
from app.applications import workflow
from app.core.domain import DomainError
from app.core.outbox import OutboundMail
from app.core.unit_of_work import perform
from app.notifications import messages, services
from app.notifications.models import Notification
from app.notifications.models import NotificationKind as K
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.reviews import services as reviews
from tests.fixtures.calls import decide, during
from tests.notifications.conftest import mails_to, notices_of


def test_assigning_a_reviewer_leaves_a_notice_and_a_mail(db, scene):
    review = reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    db.session.commit()
    [notice] = notices_of(db, scene.reviewer)
    assert notice.kind == K.reviewer_assigned
    assert notice.read_at is None
    assert (notice.subject_type, notice.subject_id) == ("application", scene.application.id)
    assert notice.url == f"/reviews/{review.id}"  # a path, also outside a request
    assert messages.message(notice) == ("You have been assigned to review “Töihin yhdessä” "
                                        "(Jobs together call).")
    [mail] = mails_to(db, scene.reviewer)
    assert mail.subject == "You have been assigned to review Töihin yhdessä"
    assert not notices_of(db, scene.other_reviewer) and not mails_to(db, scene.other_reviewer)


def test_mail_turned_off_for_the_kind_leaves_the_notice_only(db, scene):
    services.set_mail_preferences(scene.reviewer, {K.reviewer_assigned: False})
    db.session.commit()
    reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
    db.session.commit()
    assert [n.kind for n in notices_of(db, scene.reviewer)] == [K.reviewer_assigned]
    assert mails_to(db, scene.reviewer) == []
    # another kind still mails
    assert services.mail_preferences(scene.reviewer)[K.review_due] is True


def test_a_rolled_back_unit_of_work_leaves_no_notice_and_no_mail(db, scene):
    def assign_then_refuse():
        reviews.assign_reviewer(scene.officer, scene.application, scene.reviewer)
        raise DomainError("refused after the notice was made")

    outcome = perform(assign_then_refuse)
    assert not outcome.ok and outcome.status == 422
    assert notices_of(db, scene.reviewer) == []
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == K.reviewer_assigned)) == 0
    assert db.session.scalar(select(func.count(OutboundMail.id)).where(
        OutboundMail.recipient == scene.reviewer.email)) == 0


def test_preferences_save_only_what_differs_from_the_default(db, scene):
    user = scene.reviewer
    services.set_mail_preferences(user, {K.review_due: False, K.decision_made: True})
    services.set_mail_preferences(user, {K.review_due: False})  # again: no change
    prefs = services.mail_preferences(user)
    assert prefs[K.review_due] is False
    assert all(prefs[k] for k in K if k != K.review_due)
    services.set_mail_preferences(user, {K.review_due: True})
    assert services.mail_preferences(user)[K.review_due] is True


# --- the application workflow's kinds ------------------------------------------------------


@pytest.fixture
def cast(make_cast, db):
    def _make(state):
        cast = make_cast(state)
        db.session.commit()
        forget_memberships()
        return cast
    return _make


def _kinds(db, user) -> list:
    return [(n.kind, n.params.get("supplement", False)) for n in notices_of(db, user)]


def test_submit_tells_the_managers_except_one_of_the_lead(db, cast):
    c = cast("draft")
    people, application = c.people, c.application
    applications.respond_to_partnership(people["invited_partner_editor"], c.invited_partner,
                                        False, now=during(c.call))
    db.session.execute(delete(Notification))
    workflow.submit_application(people["lead_editor"], application, now=during(c.call))
    db.session.commit()
    [notice] = notices_of(db, people["call_manager"], K.application_submitted)
    assert notice.url == f"/calls/applications/{application.id}"
    assert messages.message(notice).startswith(f"“{application.project_name}” was submitted")
    # call managers who are members of the lead or of a partner are not told as the centre
    assert notices_of(db, people["conflicted_manager"]) == []
    assert notices_of(db, people["partner_conflicted_manager"]) == []
    # the applicants get their confirmation by mail, no notice of the centre's kind
    assert notices_of(db, people["lead_owner"]) == []
    assert [m.subject for m in mails_to(db, people["lead_owner"])][-1].startswith(
        "Application submitted")
    assert [m.subject for m in mails_to(db, people["call_manager"])][-1].startswith(
        "New application")


def test_request_info_and_supplement(db, cast):
    c = cast("in_review")
    people, application = c.people, c.application
    now = during(c.call)
    db.session.execute(delete(Notification))
    workflow.request_more_info(people["call_manager"], application, "Tarkenna budjettia.",
                               now + timedelta(days=7), now=now)
    db.session.commit()
    for role in ("lead_owner", "lead_member", "partner_editor", "conflicted_manager"):
        assert _kinds(db, people[role]) == [(K.info_requested, False)], role
    assert notices_of(db, people["call_manager"]) == []
    assert notices_of(db, people["invited_partner_editor"]) == []  # declined: not a party

    workflow.supplement_application(people["lead_owner"], application, now=now)
    db.session.commit()
    assert _kinds(db, people["call_manager"]) == [(K.application_submitted, True)]
    [notice] = notices_of(db, people["call_manager"])
    assert "resubmitted" in messages.message(notice)
    assert notices_of(db, people["conflicted_manager"], K.application_submitted) == []


def test_partner_invitation(db, cast, make_organisation, make_user, add_member):
    c = cast("draft")
    owner = make_user()
    editor = make_user()
    member = make_user()
    organisation = make_organisation(name="Uusi kumppani ry", owner=owner)
    add_member(organisation, editor, Role.editor)
    add_member(organisation, member, Role.member)
    applications.invite_partner(c.people["lead_owner"], c.application, organisation,
                                now=during(c.call))
    db.session.commit()
    for user in (owner, editor):
        [notice] = notices_of(db, user)
        assert notice.kind == K.partner_invitation
        assert messages.message(notice) == (
            "Hakija ry invites Uusi kumppani ry to be a partner in “Töihin yhdessä”.")
    assert notices_of(db, member) == []


def test_decision_made_tells_the_applicants(db, cast):
    c = cast("in_review")
    people, application = c.people, c.application
    db.session.execute(delete(Notification))
    decide(application, approve=True, proposer=people["call_manager"])
    db.session.commit()
    for role in ("lead_owner", "partner_editor"):
        [notice] = notices_of(db, people[role], K.decision_made)
        assert messages.message(notice) == "The application “Töihin yhdessä” has been approved."
    assert notices_of(db, people["outsider"]) == []
