"""The demo questions (app/demo/questions_data.py): an answered public thread with a follow-up
and an unanswered question only its two organisations see; a second run adds nothing. Only the
seed steps the questions need are run (the whole demo is tested in tests/demo)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.demo import data, questions_data
from app.demo.seed import (
    STEPS,
    SeedContext,
    seed_memberships,
    seed_organisations,
    seed_practices,
    seed_users,
)
from app.organisations.services import forget_memberships
from app.questions.models import Question, QuestionMessage


def _seed(db) -> int:
    ctx = SeedContext(db.session)
    for step in (seed_users, seed_organisations, seed_memberships, seed_practices):
        step(db.session, ctx)
    created = questions_data.seed_questions(db.session, ctx)
    db.session.commit()
    forget_memberships()
    return created


def test_demo_threads(db, client, login_as):
    assert ("questions", questions_data.seed_questions) in STEPS
    assert _seed(db) == 2
    answered, waiting = db.session.scalars(select(Question).order_by(Question.id)).all()
    assert answered.answered_at is not None and waiting.answered_at is None
    kinds = [m.is_answer for m in answered.messages]
    assert kinds == [False, True, False, True]  # question, answer, follow-up, answer
    assert answered.messages[2].organisation_id == answered.organisation_id
    assert answered.organisation_id != answered.practice.organisation_id
    base = f"/practices/{answered.practice_id}/questions"
    assert client.get(f"{base}/{answered.id}").status_code == 200
    assert client.get(f"{base}/{waiting.id}").status_code == 404
    owner = db.session.scalar(select(User).where(User.email == questions_data.OWNER_WRITER))
    login_as(owner)
    assert client.get(f"{base}/{waiting.id}").status_code == 200
    assert "1 question to answer" in client.get("/dashboard").get_data(as_text=True)

    before = db.session.scalar(select(func.count(QuestionMessage.id)))
    assert _seed(db) == 0
    assert db.session.scalar(select(func.count(QuestionMessage.id))) == before
    assert data.DOMAIN in questions_data.OWNER_WRITER
