"""What questions on service models hold about a person: the questions they asked and the
messages they wrote (answers, follow-ups), with the hiding of any. The messages stay with the
organisations after an account is deleted (the author shows as a removed user), so there is
nothing to erase here.

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.core import personal_data
from app.organisations.models import Organisation
from app.questions.models import Question, QuestionMessage


def _messages(user: User):
    statement = (select(QuestionMessage.id, QuestionMessage.question_id,
                        Question.title.label("question"), Question.practice_id,
                        Organisation.name.label("organisation"), QuestionMessage.is_answer,
                        QuestionMessage.body, QuestionMessage.created_at,
                        QuestionMessage.hidden_at, QuestionMessage.hidden_reason)
                 .join(Question, Question.id == QuestionMessage.question_id)
                 .join(Organisation, Organisation.id == QuestionMessage.organisation_id)
                 .where(QuestionMessage.author_id == user.id))
    return personal_data.in_chunks(statement, QuestionMessage.id)


def export_questions(user: User) -> dict:
    """The questions the person asked and every message they wrote in a question thread."""
    from app.extensions import db

    asked = db.session.scalars(select(Question).where(Question.author_id == user.id)
                               .order_by(Question.id))
    return {
        "questions_asked": [{"id": q.id, "practice_id": q.practice_id, "title": q.title,
                             "created_at": q.created_at, "answered_at": q.answered_at}
                            for q in asked],
        "question_messages": _messages(user),
    }


personal_data.register("questions", exporter=export_questions)
