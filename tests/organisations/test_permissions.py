"""The predicates in app/organisations/permissions.py as plain functions over roles × states."""

import pytest
from flask_login import AnonymousUserMixin

from app.organisations import permissions as p
from app.organisations.models import OrganisationStatus, Role

ACTORS = ("anonymous", "stranger", "unverified_stranger", "member", "editor", "owner", "admin")
STATES = tuple(OrganisationStatus)

# Who may, per predicate: a set of actors, or a function (actor, state) -> bool.
EXPECTED = {
    "can_view_organisation": lambda actor, state: state == OrganisationStatus.verified
    or actor in {"member", "editor", "owner", "admin"},
    "can_view_members": {"member", "editor", "owner", "admin"},
    "can_edit_organisation": {"owner"},
    "can_manage_members": {"owner"},
    "can_write_content": {"editor", "owner"},
    "can_publish": lambda actor, state: state == OrganisationStatus.verified
    and actor in {"editor", "owner"},
    "can_request_to_join": lambda actor, state: state != OrganisationStatus.rejected
    and actor in {"stranger", "admin"},
    "can_leave": {"member", "editor", "owner"},
    "can_resubmit": lambda actor, state: state == OrganisationStatus.rejected and actor == "owner",
}


@pytest.fixture
def world(make_user, make_organisation, add_member, db):
    """An organisation in a given state and one user per actor."""

    def _build(state):
        owner = make_user()
        organisation = make_organisation(owner=owner)
        organisation.status = state
        db.session.commit()
        users = {
            "anonymous": AnonymousUserMixin(),
            "stranger": make_user(),
            "unverified_stranger": make_user(verified=False),
            "member": make_user(),
            "editor": make_user(),
            "owner": owner,
            "admin": make_user(admin=True),
        }
        add_member(organisation, users["member"], Role.member)
        add_member(organisation, users["editor"], Role.editor)
        return organisation, users

    return _build


@pytest.mark.parametrize("state", STATES, ids=str)
@pytest.mark.parametrize("predicate", sorted(EXPECTED))
def test_predicate_table(world, predicate, state):
    organisation, users = world(state)
    rule = EXPECTED[predicate]
    for actor in ACTORS:
        expected = rule(actor, state) if callable(rule) else actor in rule
        got = getattr(p, predicate)(users[actor], organisation)
        assert got == expected, f"{predicate}({actor}, {state}) should be {expected}"


def test_user_level_predicates(make_user):
    anonymous = AnonymousUserMixin()
    verified, unverified, admin = make_user(), make_user(verified=False), make_user(admin=True)
    assert [p.can_create_organisation(u) for u in (anonymous, verified, unverified, admin)] == [
        False, True, False, True]
    assert [p.can_verify_organisations(u) for u in (anonymous, verified, unverified, admin)] == [
        False, False, False, True]
    assert p.can_create_organisation(None) is False


def test_call_roles_only_in_ely_centres(make_organisation):
    assert p.can_hold_call_roles(make_organisation(type="regional_authority"))
    for kind in ("ngo", "staffing_firm", "employment_area", "employer", "education", "other"):
        assert not p.can_hold_call_roles(make_organisation(type=kind))


def test_admin_rights_do_not_include_editing_or_managing(make_user, make_organisation):
    """Being a platform administrator is not membership: it verifies, it does not edit."""
    admin = make_user(admin=True)
    organisation = make_organisation()
    assert not p.can_edit_organisation(admin, organisation)
    assert not p.can_manage_members(admin, organisation)
    assert not p.can_write_content(admin, organisation)
