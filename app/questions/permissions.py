"""Who may do what with questions on a service model: predicates for views, templates, tests.

Sides of a question: the *owner side* is the organisation that owns the model (its members
read every question, its editors and owners answer and hide); the *asker side* is the
organisation the question was asked for (its members read the thread and add follow-ups).
A model's accepted partner organisations are not owners here: the practice rules give them no
say over the model (can_manage_practice is the owner's editors only), so they read and ask like
anyone else. Platform administrators read everything and hide, but do not answer.
"""

from __future__ import annotations

from app.organisations.models import Role
from app.organisations.permissions import has_role, is_admin, membership_of
from app.practices.models import Practice, PracticeState
from app.practices.permissions import can_view_practice
from app.questions.models import Question, QuestionMessage


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _open(practice: Practice) -> bool:
    """Questions are asked and answered only while the model is published."""
    return practice.state == PracticeState.published and practice.current_version_id is not None


def is_owner_side(user, practice: Practice) -> bool:
    """A member (any role) of the organisation that owns the model."""
    return membership_of(user, practice.organisation) is not None


def is_asker_side(user, question: Question) -> bool:
    """A member (any role) of the organisation the question was asked for."""
    return membership_of(user, question.organisation) is not None


def asking_organisations(user, practice: Practice) -> list:
    """The user's verified organisations that may ask about this published model. A member of
    the owning organisation asks nothing (they answer), whichever organisation they pick."""
    if not _signed_in(user) or not _open(practice) or is_owner_side(user, practice):
        return []
    from app.organisations.services import memberships_by_organisation

    return [m.organisation for m in memberships_by_organisation(user).values()
            if m.organisation.is_verified and m.organisation_id != practice.organisation_id]


def can_ask_question(user, practice: Practice) -> bool:
    """A member of a verified organisation other than the owner, on a published model."""
    return bool(asking_organisations(user, practice))


def can_view_question(user, question: Question) -> bool:
    """Answered threads are public with the model; an unanswered one is for the asker's
    organisation, the owner organisation and administrators."""
    practice = question.practice
    if not can_view_practice(user, practice):
        return False
    return (question.answered_at is not None or is_admin(user)
            or is_owner_side(user, practice) or is_asker_side(user, question))


def can_answer_question(user, question: Question) -> bool:
    """The owner organisation's editors and owners answer, while the model is published."""
    return _open(question.practice) and has_role(user, question.practice.organisation,
                                                 Role.editor)


def can_follow_up(user, question: Question) -> bool:
    """Members of the asker's (verified) organisation add follow-ups; someone who is also on
    the owner side answers instead."""
    return (_open(question.practice) and question.organisation.is_verified
            and is_asker_side(user, question) and not is_owner_side(user, question.practice))


def can_reply(user, question: Question) -> bool:
    return can_answer_question(user, question) or can_follow_up(user, question)


def can_moderate(user, practice: Practice) -> bool:
    """The owner organisation's editors and owners, and platform administrators, hide
    messages (whatever the model's state: a hidden message stays hidden)."""
    return is_admin(user) or has_role(user, practice.organisation, Role.editor)


def can_hide_message(user, message: QuestionMessage) -> bool:
    """A message not hidden yet, by a moderator of its model."""
    return message.hidden_at is None and can_moderate(user, message.question.practice)
