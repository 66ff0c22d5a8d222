"""Questions on service models: ask, answer, follow up, hide. Services check their actor with
the predicates of permissions.py, flush, notify through the outbox, and never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.domain import DomainError, NotAllowed
from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.organisations.models import Organisation
from app.organisations.partnership import WRITERS, people_of
from app.organisations.permissions import can_act_for
from app.practices.models import Practice, PracticeState
from app.questions.forms import BODY_MAX, REASON_MAX, TITLE_MAX
from app.questions.models import Question, QuestionMessage
from app.questions.permissions import (
    can_answer_question,
    can_follow_up,
    can_hide_message,
    is_owner_side,
)


def _text(value: str | None, *, field: str, limit: int, missing, too_long) -> str:
    """Trimmed text with its line breaks normalised; refused when empty or over `limit`."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > limit:
        raise DomainError(too_long, field=field)
    return text


def _body(value: str | None) -> str:
    return _text(value, field="body", limit=BODY_MAX, missing=_l("Write your message."),
                 too_long=_l("The message can be at most 5,000 characters long."))


def _practice_title(practice: Practice) -> str:
    return practice.current_version.title if practice.current_version else practice.title


def question_path(question: Question) -> str:
    return path_for("questions.detail", practice_id=question.practice_id,
                    question_id=question.id)


def _params(question: Question) -> dict:
    return {"title": _practice_title(question.practice), "question": question.title,
            "organisation": question.organisation.name}


def _tell_owner(question: Question, actor: User, message: QuestionMessage, *,
                followup: bool) -> None:
    """The owner organisation's editors and owners: a notice and (unless turned off) mail."""
    writers = [u for u in people_of([question.practice.organisation_id], roles=WRITERS)
               if u.id != actor.id]
    notify(writers, NotificationKind.question_asked, url=question_path(question),
           subject=question, params={**_params(question), "followup": followup},
           mail_template="question_followup" if followup else "question_asked",
           question=question, practice=question.practice, message=message,
           practice_title=_practice_title(question.practice))


def ask_question(user: User, organisation: Organisation, practice: Practice, title: str,
                 body: str) -> Question:
    """`user` asks, for `organisation` (a verified one they belong to, not the owner), about a
    published model; the owner's editors and owners are told."""
    if not can_act_for(user, organisation):
        raise NotAllowed()
    if practice.state != PracticeState.published or practice.current_version_id is None:
        raise DomainError(_l("Questions can be asked only about a published service model."))
    if organisation.id == practice.organisation_id or is_owner_side(user, practice):
        raise DomainError(_l("The organisation that owns the model answers questions; it "
                             "does not ask them."), field="organisation")
    if not organisation.is_verified:
        raise DomainError(_l("Only members of verified organisations can ask questions."),
                          field="organisation")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_l("Write your question in brief."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("The title can be at most 200 characters long."), field="title")
    text = _body(body)
    now = utcnow()
    question = Question(practice=practice, organisation=organisation, author_id=user.id,
                        title=title, created_at=now, last_message_at=now)
    message = QuestionMessage(question=question, organisation=organisation, author_id=user.id,
                              is_answer=False, body=text, created_at=now)
    db.session.add_all([question, message])
    db.session.flush()
    _tell_owner(question, user, message, followup=False)
    return question


def answer_question(user: User, question: Question, body: str) -> QuestionMessage:
    """The owner organisation answers (the first answer makes the thread public); the person
    who asked is told."""
    if not can_answer_question(user, question):
        raise NotAllowed()
    text = _body(body)
    now = utcnow()
    message = QuestionMessage(question=question, organisation_id=question.practice.organisation_id,
                              author_id=user.id, is_answer=True, body=text, created_at=now)
    db.session.add(message)
    if question.answered_at is None:
        question.answered_at = now
    question.last_message_at = now
    db.session.flush()
    asker = question.author
    if asker is not None and asker.id != user.id and getattr(asker, "is_active", True):
        notify([asker], NotificationKind.question_answered, url=question_path(question),
               subject=question, params=_params(question), mail_template="question_answered",
               question=question, practice=question.practice, message=message,
               practice_title=_practice_title(question.practice))
    return message


def add_follow_up(user: User, question: Question, body: str) -> QuestionMessage:
    """A member of the asker's organisation adds to the thread; the owner's writers are told."""
    if not can_follow_up(user, question):
        raise NotAllowed()
    text = _body(body)
    now = utcnow()
    message = QuestionMessage(question=question, organisation_id=question.organisation_id,
                              author_id=user.id, is_answer=False, body=text, created_at=now)
    db.session.add(message)
    question.last_message_at = now
    db.session.flush()
    _tell_owner(question, user, message, followup=True)
    return message


def hide_message(user: User, message: QuestionMessage, reason: str) -> None:
    """A moderator (the owner's editors and owners, administrators) hides a message with a
    reason shown in its place. The text stays in the database for the audit, never on a page."""
    if message.hidden_at is not None:
        raise DomainError(_l("The message has already been hidden."), field="reason")
    if not can_hide_message(user, message):
        raise NotAllowed()
    reason = _text(reason, field="reason", limit=REASON_MAX,
                   missing=_l("Give the reason for hiding the message."),
                   too_long=_l("The reason can be at most 500 characters long."))
    message.hidden_at = utcnow()
    message.hidden_by_id = user.id
    message.hidden_reason = reason
    question = message.question
    audit.record("question.message_hidden", actor=user, obj=question,
                 organisation=question.practice.organisation, practice_id=question.practice_id,
                 question_id=question.id, message_id=message.id, reason=reason,
                 author_id=message.author_id)
