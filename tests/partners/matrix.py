"""Authorization-matrix rows for the partners blueprint (see
tests/security/test_authorization_matrix.py)."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in  # noqa: F401

MATRIX: dict = {}

# The partner finder is public; the organisation picker of the invitation forms needs a
# sign-in (it answers an empty suggestion list without a query).
MATRIX["partners.finder"] = {"GET": every(200)}
MATRIX["partners.pick"] = {"GET": signed_in(200)}

# Partner calls (issue 14 §1). The world's partner call belongs to organisation A (announced
# by owner_a); organisation B answered it, so B's thread is private to A's and B's members.
# A's writer (owner_a) edits, closes and writes; A's plain members (member_a and the
# conflicted reviewer, who is also in A) and B's member read the thread but do not write;
# everyone else, the platform administrator and the observer included, gets 404 for it.
_THREAD_READERS = {"owner_a": 200, "member_a": 200, "conflicted_reviewer": 200,
                   "member_b": 200, "observer": 404}
MATRIX["partners.index"] = {"GET": every(200)}
MATRIX["partners.feed"] = {"GET": every(200)}
MATRIX["partners.detail"] = {"GET": every(200)}
MATRIX["partners.mine"] = {"GET": signed_in(200)}
# An empty form is refused input (422) for the one who may write; others are refused (403).
MATRIX["partners.create"] = {"GET": signed_in(403, owner_a=200),
                             "POST": signed_in(403, owner_a=422)}
MATRIX["partners.edit"] = {"GET": signed_in(403, owner_a=200),
                           "POST": signed_in(403, owner_a=422)}
MATRIX["partners.close"] = {"GET": signed_in(403, owner_a=200),
                            "POST": signed_in(403, owner_a=422)}
# Nobody of the world writes for another verified organisation than A (member_b is a plain
# member of B), so nobody may answer A's call.
MATRIX["partners.answer"] = {"POST": signed_in(403)}
MATRIX["partners.threads"] = {"GET": signed_in(404, owner_a=200, member_a=200,
                                               conflicted_reviewer=200)}
MATRIX["partners.thread"] = {"GET": signed_in(404, **_THREAD_READERS)}
MATRIX["partners.thread_post"] = {"POST": signed_in(404, owner_a=422, member_a=403,
                                                    conflicted_reviewer=403, member_b=403,
                                                    observer=404)}


def partner_call_args(db, people, a, b, args) -> dict:
    """A's open partner call with B's answer (made through the services)."""
    from app.organisations.models import Role
    from app.organisations.services import forget_memberships
    from app.partners import services
    from tests.partners.support import call_values

    partner_call = services.create_partner_call(people["owner_a"], a, call_values())
    b_owner = next(m.user for m in b.memberships if m.role == Role.owner)
    message = services.answer_partner_call(b_owner, partner_call, b, "Olemme kiinnostuneita.")
    db.session.commit()
    forget_memberships()
    return {**args, "partner_call_id": partner_call.id, "thread_id": message.thread_id}


def answerable_call_args(db, people, b, args) -> dict:
    """B's open partner call, which owner_a (a writer of verified A) may answer: the attack
    tests' way to reach the answer form."""
    from app.organisations.models import Role
    from app.organisations.services import forget_memberships
    from app.partners import services
    from tests.partners.support import call_values

    b_owner = next(m.user for m in b.memberships if m.role == Role.owner)
    partner_call = services.create_partner_call(b_owner, b, call_values(title="B etsii"))
    db.session.commit()
    forget_memberships()
    return {**args, "partner_call_id": partner_call.id}
