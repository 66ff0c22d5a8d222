"""Questions on models, at the service level: who may ask, answer, follow up and hide; whom
they tell; what the audit log records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.domain import DomainError, NotAllowed
from app.core.outbox import OutboundMail
from app.notifications.models import Notification, NotificationKind, NotificationPreference
from app.questions import services
from app.questions.models import Question, QuestionMessage
from app.questions.permissions import can_ask_question


def _notified(db, kind) -> set[str]:
    from app.auth.models import User

    return set(db.session.scalars(select(User.email).join(
        Notification, Notification.user_id == User.id).where(Notification.kind == kind)))


def _mailed(db) -> list[str]:
    return list(db.session.scalars(select(OutboundMail.recipient).order_by(OutboundMail.id)))


# --- who may ask -----------------------------------------------------------------------------


def test_a_member_of_a_verified_organisation_asks(db, qw, ask):
    question = ask()
    assert question.answered_at is None
    assert question.organisation_id == qw.asking.id
    assert [m.body for m in question.messages] == ["Kuinka pian\nensimmäinen tapaaminen on?"]
    assert question.messages[0].is_answer is False


@pytest.mark.parametrize("who,where,error", [
    ("u_member", "unverified", DomainError),   # an unverified organisation
    ("o_member", "owner_org", DomainError),    # the owner organisation answers instead
    ("o_editor", "owner_org", DomainError),
    ("b_member", "asking", NotAllowed),        # not a member of the organisation named
])
def test_who_may_not_ask(db, qw, who, where, error):
    user = qw.people[who]
    with pytest.raises(error) as refused:
        services.ask_question(user, getattr(qw, where), qw.practice, "Kysymys", "Teksti")
    assert error is NotAllowed or not isinstance(refused.value, NotAllowed)
    db.session.rollback()
    assert db.session.scalar(select(Question.id)) is None
    assert not can_ask_question(user, qw.practice) or who == "b_member"


def test_a_member_of_the_owner_cannot_ask_for_another_organisation(db, qw, add_member):
    from app.auth.models import User

    both = db.session.scalar(select(User).where(User.email == "o_member@example.fi"))
    add_member(qw.asking, both)
    assert not can_ask_question(both, qw.practice)
    with pytest.raises(DomainError):
        services.ask_question(both, qw.asking, qw.practice, "Kysymys", "Teksti")


def test_no_questions_on_a_draft_or_archived_model(db, qw):
    asker = qw.people["asker"]
    assert not can_ask_question(asker, qw.draft)
    with pytest.raises(DomainError):
        services.ask_question(asker, qw.asking, qw.draft, "Kysymys", "Teksti")
    from app.practices import services as practices

    practices.archive_practice(qw.people["o_owner"], qw.practice)
    db.session.commit()
    assert not can_ask_question(asker, qw.practice)
    with pytest.raises(DomainError):
        services.ask_question(asker, qw.asking, qw.practice, "Kysymys", "Teksti")


def test_anonymous_cannot_ask(qw):
    from flask_login import AnonymousUserMixin

    assert not can_ask_question(AnonymousUserMixin(), qw.practice)


@pytest.mark.parametrize("title,body,field", [
    ("", "Teksti", "title"), ("   ", "Teksti", "title"), ("x" * 201, "Teksti", "title"),
    ("Kysymys", " \n ", "body"), ("Kysymys", "x" * 5001, "body"),
])
def test_question_text_limits(db, qw, title, body, field):
    with pytest.raises(DomainError) as refused:
        services.ask_question(qw.people["asker"], qw.asking, qw.practice, title, body)
    assert refused.value.field == field


# --- answers, follow-ups and whom they tell ----------------------------------------------------


def test_asking_tells_the_owners_writers_only(db, qw, ask):
    ask()
    told = _notified(db, NotificationKind.question_asked)
    assert told == {"o_owner@example.fi", "o_editor@example.fi"}
    assert set(_mailed(db)) == told  # not the plain member, not the asker
    notice = db.session.scalar(select(Notification))
    assert notice.url.endswith(f"/questions/{notice.subject_id}")


def test_mail_can_be_turned_off_but_the_notice_stays(db, qw, ask):
    db.session.add(NotificationPreference(user_id=qw.people["o_editor"].id,
                                          kind=NotificationKind.question_asked, mail=False))
    db.session.commit()
    ask()
    assert _notified(db, NotificationKind.question_asked) == {"o_owner@example.fi",
                                                              "o_editor@example.fi"}
    assert _mailed(db) == ["o_owner@example.fi"]


def test_the_first_answer_makes_the_question_answered_and_tells_the_asker(db, qw, ask, answer):
    question = ask()
    db.session.execute(Notification.__table__.delete())
    db.session.execute(OutboundMail.__table__.delete())
    first = answer(question)
    assert first.is_answer and first.organisation_id == qw.owner_org.id
    answered_at = question.answered_at
    assert answered_at is not None
    assert _notified(db, NotificationKind.question_answered) == {"asker@example.fi"}
    assert _mailed(db) == ["asker@example.fi"]  # not the colleague, not the one answering
    answer(question, "Lisätieto.", by=qw.people["o_owner"])
    assert question.answered_at == answered_at  # set by the first answer only
    assert not _notified(db, NotificationKind.question_asked)


def test_follow_up_by_a_colleague_tells_the_owner(db, qw, ask, answer):
    question = ask()
    answer(question)
    db.session.execute(Notification.__table__.delete())
    db.session.execute(OutboundMail.__table__.delete())
    message = services.add_follow_up(qw.people["a_colleague"], question, "Entä kesällä?")
    db.session.commit()
    assert not message.is_answer and message.organisation_id == qw.asking.id
    assert _notified(db, NotificationKind.question_asked) == {"o_owner@example.fi",
                                                              "o_editor@example.fi"}
    notice = db.session.scalar(select(Notification))
    assert notice.params["followup"] is True
    assert not _notified(db, NotificationKind.question_answered)


@pytest.mark.parametrize("who", ["o_member", "admin", "asker", "b_member", "p_member"])
def test_only_the_owners_writers_answer(db, qw, ask, who):
    question = ask()
    with pytest.raises(NotAllowed):
        services.answer_question(qw.people[who], question, "Vastaus")


@pytest.mark.parametrize("who", ["o_editor", "o_member", "b_member", "admin", "p_member"])
def test_only_the_askers_organisation_follows_up(db, qw, ask, who):
    question = ask()
    with pytest.raises(NotAllowed):
        services.add_follow_up(qw.people[who], question, "Lisää")


def test_no_answers_once_the_model_is_archived(db, qw, ask):
    question = ask()
    from app.practices import services as practices

    practices.archive_practice(qw.people["o_owner"], qw.practice)
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.answer_question(qw.people["o_editor"], question, "Vastaus")


# --- hiding ----------------------------------------------------------------------------------


def test_hiding_needs_a_reason_and_is_audit_logged(db, qw, ask, answer):
    question = ask()
    reply = answer(question)
    with pytest.raises(DomainError) as refused:
        services.hide_message(qw.people["o_editor"], reply, "  ")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError):
        services.hide_message(qw.people["o_editor"], reply, "x" * 501)
    db.session.rollback()
    assert db.session.get(QuestionMessage, reply.id).hidden_at is None
    services.hide_message(qw.people["admin"], reply, "Henkilötietoja")
    db.session.commit()
    entry = db.session.scalar(select(AuditLog).where(
        AuditLog.action == "question.message_hidden"))
    assert entry.actor_id == qw.people["admin"].id
    assert (entry.object_type, entry.object_id) == ("practice_question", question.id)
    assert entry.details["message_id"] == reply.id
    assert entry.details["question_id"] == question.id
    assert entry.details["reason"] == "Henkilötietoja"
    with pytest.raises(DomainError):  # once is enough
        services.hide_message(qw.people["o_editor"], reply, "Uudestaan")


@pytest.mark.parametrize("who", ["o_member", "asker", "b_member", "p_member"])
def test_only_moderators_hide(db, qw, ask, who):
    question = ask()
    with pytest.raises(NotAllowed):
        services.hide_message(qw.people[who], question.messages[0], "Syy")
    assert db.session.scalar(select(AuditLog.id).where(
        AuditLog.action == "question.message_hidden")) is None


def test_the_author_is_not_told_of_their_own_answer(db, qw, ask, answer, add_member):
    """Someone who asked and later joined the owner as an editor answers: no notice to self."""
    from app.organisations.models import Role

    question = ask()
    add_member(qw.owner_org, qw.people["asker"], Role.editor)
    answer(question, by=qw.people["asker"])
    assert not _notified(db, NotificationKind.question_answered)


def test_the_personal_data_download_has_the_questions_and_messages(db, qw, ask, answer):
    from app.core import personal_data

    question = ask()
    answer(question)
    services.add_follow_up(qw.people["asker"], question, "Kiitos!")
    db.session.commit()
    sections = {name: list(value) if not isinstance(value, list) else value
                for name, value in personal_data.sections(qw.people["asker"])
                if name.startswith("question")}
    assert [q["title"] for q in sections["questions_asked"]] == ["Miten ohjaus alkaa?"]
    assert [m["body"] for m in sections["question_messages"]] == [
        "Kuinka pian\nensimmäinen tapaaminen on?", "Kiitos!"]  # not the owner's answer
    assert sections["question_messages"][0]["organisation"] == "Kysyjä ry"
