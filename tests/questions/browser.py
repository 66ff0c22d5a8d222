"""Data for the browser tests of questions (tests/browser/test_htmx_forms.py, page "question"):
made directly in the live server's database."""

from __future__ import annotations

import itertools

_counter = itertools.count(1)


def question_to_answer(server, writer_id: int, organisation_id: int) -> str:
    """A published model of `organisation_id` (written by `writer_id`, who answers) with one
    unanswered question from another verified organisation: the question page's path."""
    n = next(_counter)

    def _create():
        from app.auth.models import User
        from app.core.db import utcnow
        from app.extensions import db
        from app.organisations.models import (
            Membership,
            Organisation,
            OrganisationStatus,
            Role,
        )
        from app.organisations.services import forget_memberships
        from app.practices import services as practices
        from app.questions import services
        from tests.fixtures.organisations import valid_business_id
        from tests.fixtures.practices import practice_data

        forget_memberships()
        writer = db.session.get(User, writer_id)
        owner = db.session.get(Organisation, organisation_id)
        practice = practices.create_practice(writer, owner,
                                             practice_data(title=f"Kysyttävä malli {n}"))
        practices.publish_practice(writer, practice, "")
        asker = User(email=f"kysyja{n}@example.fi", name="Kaisa Kysyjä", password_hash="!",
                     language="en", email_verified_at=utcnow())
        asking = Organisation(name=f"Kysyvä yhdistys {n} ry",
                              business_id=valid_business_id(4710 + n), type="ngo",
                              description="Kysyy.", status=OrganisationStatus.verified,
                              verified_at=utcnow())
        asking.regions, asking.target_groups = ["MK10"], ["partially_able_to_work"]
        db.session.add_all([asker, asking, Membership(organisation=asking, user=asker,
                                                      role=Role.owner)])
        db.session.flush()
        forget_memberships()
        question = services.ask_question(asker, asking, practice, "Milloin ohjaus alkaa?",
                                         "Kuinka pian ensimmäinen tapaaminen on?")
        db.session.commit()
        forget_memberships()
        return f"/practices/{practice.id}/questions/{question.id}"

    return server.run(_create)
