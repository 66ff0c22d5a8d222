"""Every call predicate × every phase × every role, against a table written out here.

The call is run by a verified ELY-centre and reached in each phase through the call services
(tests.fixtures.calls.make_call): a draft, published and upcoming, open, or closed. Eligible
organisation types: NGOs and education.
"""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from app.calls import permissions as p
from app.organisations.models import Role

ROLES = [
    "anonymous", "call_manager", "conflicted_manager", "ely_member", "ely_owner",
    "other_ely_manager", "unverified_ely_manager", "ngo_owner", "ngo_editor", "ngo_member",
    "ineligible_editor", "unverified_owner", "no_organisation", "admin",
]
PHASES = ["draft", "upcoming", "open", "closed"]

# Call managers of the call's ELY-centre; conflicted_manager is also an editor of an NGO.
MANAGERS = {"call_manager", "conflicted_manager"}
ELY_MEMBERS = MANAGERS | {"ely_member", "ely_owner"}
EVERYONE = set(ROLES)
# Editors and owners of a verified organisation of an eligible type.
APPLICANTS = {"ngo_owner", "ngo_editor", "conflicted_manager"}
NOBODY: set[str] = set()


def _by_phase(**expected):
    assert set(expected) == set(PHASES)
    return expected


# expected[predicate][phase] = the roles for which the predicate is true
EXPECTED = {
    "can_view_call": _by_phase(draft=ELY_MEMBERS, upcoming=EVERYONE, open=EVERYONE,
                               closed=EVERYONE),
    "can_manage_call": _by_phase(draft=MANAGERS, upcoming=MANAGERS, open=MANAGERS,
                                 closed=MANAGERS),
    # the texts and the closing time still change while the call is open; nothing once closed
    "can_edit_call": _by_phase(draft=MANAGERS, upcoming=MANAGERS, open=MANAGERS, closed=NOBODY),
    "can_publish_call": _by_phase(draft=MANAGERS, upcoming=NOBODY, open=NOBODY, closed=NOBODY),
    "can_unpublish_call": _by_phase(draft=NOBODY, upcoming=MANAGERS, open=NOBODY,
                                    closed=NOBODY),
    # the criteria freeze when the call opens
    "can_edit_criteria": _by_phase(draft=MANAGERS, upcoming=MANAGERS, open=NOBODY,
                                   closed=NOBODY),
    "can_list_applications": _by_phase(draft=NOBODY, upcoming=MANAGERS, open=MANAGERS,
                                       closed=MANAGERS),
    "can_start_application": _by_phase(draft=NOBODY, upcoming=NOBODY, open=APPLICANTS,
                                       closed=NOBODY),
    # documents and information sessions: the call managers, in every phase
    "can_manage_call_documents": _by_phase(draft=MANAGERS, upcoming=MANAGERS, open=MANAGERS,
                                           closed=MANAGERS),
    # a published call's documents are public; a draft's only for its call managers
    "can_download_call_document": _by_phase(draft=MANAGERS, upcoming=EVERYONE, open=EVERYONE,
                                            closed=EVERYONE),
}
# Not about one call.
CAN_CREATE_CALL = {"call_manager", "conflicted_manager", "other_ely_manager"}


@pytest.fixture
def cast(make_user, make_organisation, add_member):
    """The people around a call of "Testin ELY-keskus"."""
    people = {"anonymous": AnonymousUserMixin()}
    for role in ROLES[1:]:
        people[role] = make_user(admin=role == "admin")
    ely = make_organisation(name="Testin ELY-keskus", type="regional_authority",
                            owner=people["ely_owner"])
    add_member(ely, people["call_manager"], Role.member, call_manager=True)
    add_member(ely, people["conflicted_manager"], Role.member, call_manager=True)
    add_member(ely, people["ely_member"], Role.member, reviewer=True)
    other_ely = make_organisation(name="Toinen ELY-keskus", type="regional_authority")
    add_member(other_ely, people["other_ely_manager"], Role.member, call_manager=True)
    unverified_ely = make_organisation(name="Varmistamaton ELY", type="regional_authority",
                                       verified=False)
    add_member(unverified_ely, people["unverified_ely_manager"], Role.member, call_manager=True)
    ngo = make_organisation(name="Yhdistys ry", owner=people["ngo_owner"])
    add_member(ngo, people["ngo_editor"], Role.editor)
    add_member(ngo, people["ngo_member"], Role.member)
    add_member(ngo, people["conflicted_manager"], Role.editor)
    firm = make_organisation(name="Henkilöstöpalvelu Oy", type="staffing_firm")
    add_member(firm, people["ineligible_editor"], Role.editor)
    make_organisation(name="Varmistamaton ry", verified=False, owner=people["unverified_owner"])
    return people, ely


@pytest.mark.parametrize("phase", PHASES)
def test_predicate_table(cast, make_call, phase):
    people, ely = cast
    call = make_call(ely=ely, phase=phase, eligible=("ngo", "education"))
    assert call.phase() == phase
    wrong = []
    for name, by_phase in EXPECTED.items():
        check = getattr(p, name)
        allowed = {role for role in ROLES if check(people[role], call)}
        expected = by_phase[phase]
        if allowed != expected:
            wrong.append(f"{name} in {phase}: also {sorted(allowed - expected)}, "
                         f"not {sorted(expected - allowed)}")
    assert not wrong, "\n".join(wrong)


def test_who_may_create_a_call(cast):
    people, _ely = cast
    assert {role for role in ROLES if p.can_create_call(people[role])} == CAN_CREATE_CALL


def test_the_table_covers_every_predicate():
    names = {n for n in dir(p) if n.startswith("can_") and callable(getattr(p, n))}
    assert names == set(EXPECTED) | {"can_create_call"}


def test_applying_organisations_are_the_writers_verified_eligible_ones(cast, make_call):
    people, ely = cast
    call = make_call(ely=ely, eligible=("ngo", "education"))
    names = {role: [o.name for o in p.applying_organisations(people[role], call)]
             for role in ROLES}
    assert names["ngo_owner"] == names["ngo_editor"] == ["Yhdistys ry"]
    # a call manager applies for the NGO in which they write, never for the ELY-centre
    assert names["conflicted_manager"] == ["Yhdistys ry"]
    for role in set(ROLES) - APPLICANTS:
        assert names[role] == [], role
