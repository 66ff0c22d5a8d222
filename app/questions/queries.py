"""Reading questions: what a viewer may see of a model's questions, in a bounded number of
queries whatever their number (the model page's section, the list, the dashboard counts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.organisations.permissions import is_admin
from app.practices.models import Practice
from app.questions.models import Question, QuestionMessage
from app.questions.permissions import is_owner_side

PER_PAGE = 20
SECTION_SIZE = 5
SORTS = {
    "activity": (Question.last_message_at.desc(), Question.id.desc()),
    "newest": (Question.created_at.desc(), Question.id.desc()),
    "oldest": (Question.created_at.asc(), Question.id.asc()),
}


def _viewer_organisation_ids(user) -> list[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    from app.organisations.services import memberships_by_organisation

    return list(memberships_by_organisation(user))


def visible_condition(user, practice: Practice):
    """The questions of `practice` that `user` may see (see permissions.can_view_question):
    answered ones, and for the owner side and administrators every one, for the asker side
    their organisation's."""
    if is_admin(user) or is_owner_side(user, practice):
        return true()
    mine = _viewer_organisation_ids(user)
    if mine:
        return or_(Question.answered_at.is_not(None), Question.organisation_id.in_(mine))
    return Question.answered_at.is_not(None)


def _first_message_ids():
    return (select(func.min(QuestionMessage.id).label("id"), QuestionMessage.question_id)
            .group_by(QuestionMessage.question_id).subquery())


def open_condition():
    """Waiting for an answer, and not hidden by a moderator (a hidden question needs none)."""
    first = _first_message_ids()
    hidden = (select(first.c.question_id)
              .join(QuestionMessage, QuestionMessage.id == first.c.id)
              .where(QuestionMessage.hidden_at.is_not(None)))
    return and_(Question.answered_at.is_(None), Question.id.not_in(hidden))


def list_query(user, practice: Practice, show: str = "all", sort: str = "activity"):
    """The questions of the list page (for db.paginate)."""
    query = (select(Question).options(joinedload(Question.organisation))
             .where(Question.practice_id == practice.id, visible_condition(user, practice)))
    if show == "answered":
        query = query.where(Question.answered_at.is_not(None))
    elif show == "open":
        query = query.where(Question.answered_at.is_(None))
    return query.order_by(*SORTS.get(sort, SORTS["activity"]))


@dataclass(frozen=True)
class Summary:
    """What a list row shows of a question besides its own columns."""

    messages: int = 0
    answers: int = 0
    first_hidden: bool = False


def summaries(question_ids: list[int]) -> dict[int, Summary]:
    """Message and answer counts and whether the question itself is hidden: one query."""
    if not question_ids:
        return {}
    first = _first_message_ids()
    rows = db.session.execute(
        select(QuestionMessage.question_id, func.count(QuestionMessage.id),
               func.count(QuestionMessage.id).filter(QuestionMessage.is_answer.is_(True)),
               func.count(QuestionMessage.id).filter(and_(
                   QuestionMessage.id == first.c.id, QuestionMessage.hidden_at.is_not(None))))
        .join(first, first.c.question_id == QuestionMessage.question_id)
        .where(QuestionMessage.question_id.in_(question_ids))
        .group_by(QuestionMessage.question_id))
    return {qid: Summary(total, answers, bool(hidden)) for qid, total, answers, hidden in rows}


@dataclass(frozen=True)
class Section:
    """The model page's "Questions and answers": the public count, the latest questions the
    viewer may see, and the owner's to-do count."""

    answered: int
    latest: list
    summaries: dict
    open_count: int  # unanswered, visible to the viewer (the owner side: its to-do)


def section(user, practice: Practice) -> Section:
    """Four queries at most, however many questions the model has."""
    answered, visible_open = db.session.execute(
        select(func.count(Question.id).filter(Question.answered_at.is_not(None)),
               func.count(Question.id).filter(and_(Question.answered_at.is_(None),
                                                   open_condition())))
        .where(Question.practice_id == practice.id, visible_condition(user, practice))).one()
    latest = []
    if answered or visible_open:
        latest = list(db.session.scalars(
            list_query(user, practice).limit(SECTION_SIZE)).unique())
    return Section(answered or 0, latest, summaries([q.id for q in latest]), visible_open or 0)


def load_question(practice: Practice, question_id: int) -> Question | None:
    """A question of `practice` with its messages and their authors (two queries)."""
    return db.session.scalar(
        select(Question)
        .options(joinedload(Question.organisation), joinedload(Question.author),
                 selectinload(Question.messages).joinedload(QuestionMessage.author),
                 selectinload(Question.messages).joinedload(QuestionMessage.organisation))
        .where(Question.id == question_id, Question.practice_id == practice.id))


def open_counts(practice_ids: list[int]) -> dict[int, int]:
    """Per model, its questions waiting for an answer (the owner's dashboard): one query."""
    if not practice_ids:
        return {}
    rows = db.session.execute(
        select(Question.practice_id, func.count(Question.id))
        .where(Question.practice_id.in_(practice_ids), open_condition())
        .group_by(Question.practice_id))
    return dict(rows.all())
