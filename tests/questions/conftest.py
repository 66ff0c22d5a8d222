"""A small world for the question tests: the model's owner organisation (an owner, an editor and
a plain member), the asking organisation (the asker and a colleague), an outsider organisation,
an unverified organisation, an accepted partner of the model and an administrator."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.organisations.services import forget_memberships
from app.practices.models import PracticePartner
from tests.fixtures.practices import use_english


@pytest.fixture(autouse=True)
def _english(client):
    use_english(client)


@pytest.fixture
def qw(db, make_user, make_organisation, add_member, make_practice):
    people = {name: make_user(email=f"{name}@example.fi", name=name.replace("_", " ").title())
              for name in ("o_owner", "o_editor", "o_member", "asker", "a_colleague",
                           "b_member", "u_member", "p_member", "admin")}
    people["admin"].is_admin = True
    owner_org = make_organisation(name="Mallin Omistaja ry", owner=people["o_owner"])
    add_member(owner_org, people["o_editor"], Role.editor)
    add_member(owner_org, people["o_member"], Role.member)
    asking = make_organisation(name="Kysyjä ry", owner=make_user())
    add_member(asking, people["asker"], Role.member)
    add_member(asking, people["a_colleague"], Role.member)
    other = make_organisation(name="Sivullinen ry", owner=people["b_member"])
    unverified = make_organisation(name="Vahvistamaton ry", verified=False,
                                   owner=people["u_member"])
    partner = make_organisation(name="Kumppani ry", owner=people["p_member"])
    practice = make_practice(organisation=owner_org, published=True, title="Kysyttävä malli")
    db.session.add(PracticePartner(practice=practice, organisation=partner,
                                   state=PartnerState.accepted))
    draft = make_practice(organisation=owner_org, title="Luonnosmalli")
    db.session.commit()
    forget_memberships()
    return SimpleNamespace(people=people, owner_org=owner_org, asking=asking, other=other,
                           unverified=unverified, partner=partner, practice=practice,
                           draft=draft)


@pytest.fixture
def ask(db, qw):
    """ask(title=..., body=..., by=asker) -> a question of qw.asking on qw.practice."""
    from app.questions import services

    def _ask(title="Miten ohjaus alkaa?", body="Kuinka pian\nensimmäinen tapaaminen on?",
             by=None):
        question = services.ask_question(by or qw.people["asker"], qw.asking, qw.practice,
                                         title, body)
        db.session.commit()
        forget_memberships()
        return question

    return _ask


@pytest.fixture
def answer(db, qw):
    from app.questions import services

    def _answer(question, body="Ensimmäinen tapaaminen on viikon sisällä.", by=None):
        message = services.answer_question(by or qw.people["o_editor"], question, body)
        db.session.commit()
        forget_memberships()
        return message

    return _answer
