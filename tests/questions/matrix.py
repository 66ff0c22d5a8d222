"""Authorization-matrix rows for the questions blueprint (see
tests/security/test_authorization_matrix.py).

The object (question_args): a PUBLISHED model of organisation A with one UNANSWERED question
that member_b asked for organisation B; message_id is that question's first message.

Who is who here: member_a and conflicted_reviewer are plain members of A (the owner side: they
read every question of A's models but do not answer or hide), owner_a owns A (answers, hides),
member_b is the asker (reads the thread, follows up), admin reads and hides but does not answer
and asks nothing (no organisation); reviewer, call_manager and the observer are outsiders in
verified organisations (they may ask, and do not see the unanswered question: 404).
POSTs carry only a CSRF token: a permitted POST answers with its validation (422). The
observer (an outsider) is named in the rows where it differs from member_b, the asker.
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in

OWNER_SIDE = ("member_a", "conflicted_reviewer", "owner_a")
OUTSIDERS = ("reviewer", "call_manager", "observer")

MATRIX: dict = {
    # the list of a published model: public (answered ones; the private ones to their sides)
    "questions.index": {"GET": every(200)},
    # an unanswered question: its two sides and administrators
    "questions.detail": {"GET": every(404, member_b=200, admin=200, observer=404,
                                      **{r: 200 for r in OWNER_SIDE})},
    # asking: members of verified organisations other than the owner
    "questions.ask": {
        "GET": signed_in(403, member_b=200, **{r: 200 for r in OUTSIDERS}),
        "POST": signed_in(403, member_b=422, **{r: 422 for r in OUTSIDERS}),
    },
    # replying: the owner's editors answer, the asker's organisation follows up
    "questions.reply": {"POST": signed_in(404, member_b=422, owner_a=422, member_a=403,
                                          conflicted_reviewer=403, admin=403, observer=404)},
    # hiding: the owner's editors and administrators (a confirmation page, then the POST)
    "questions.hide": {
        "GET": signed_in(404, owner_a=200, admin=200, member_a=403, conflicted_reviewer=403,
                         member_b=403, observer=404),
        "POST": signed_in(404, owner_a=422, admin=422, member_a=403, conflicted_reviewer=403,
                          member_b=403, observer=404),
    },
}


def question_args(db, people, organisation_a, organisation_b) -> dict:
    """Build the matrix's object in its world; returns the URL arguments for MATRIX."""
    from sqlalchemy import select

    from app.organisations.models import Membership, Role
    from app.organisations.services import forget_memberships
    from app.practices import services as practices
    from app.questions import services
    from tests.fixtures.practices import practice_data

    author = db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation_a.id, Membership.role == Role.owner)).user
    practice = practices.create_practice(author, organisation_a,
                                         practice_data(title="Kysymysten malli"))
    practices.publish_practice(author, practice, "Ensimmäinen")
    forget_memberships()
    question = services.ask_question(people["member_b"], organisation_b, practice,
                                     "Matriisin kysymys", "Kysymyksen teksti")
    db.session.commit()
    forget_memberships()
    return {"practice_id": practice.id, "question_id": question.id,
            "message_id": question.messages[0].id}
