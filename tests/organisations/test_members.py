"""The members page: roles, removal, ownership, leaving, call roles."""

import re

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.organisations.models import Membership, Role


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def team(make_user, make_organisation, add_member):
    """An NGO with an owner, an editor and a member, and an outsider."""
    owner, editor, member = make_user(name="Olli Omistaja"), make_user(name="Eeva Editori"), \
        make_user(name="Matti Jäsen")
    organisation = make_organisation("Kipinä ry", owner=owner)
    memberships = {
        "owner": _membership(organisation, owner),
        "editor": add_member(organisation, editor, Role.editor),
        "member": add_member(organisation, member, Role.member),
    }
    users = {"owner": owner, "editor": editor, "member": member, "stranger": make_user(),
             "admin": make_user(admin=True)}
    return organisation, users, memberships


def _membership(organisation, user):
    from app.extensions import db

    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user.id))


def _role(db, membership_id):
    return db.session.scalar(select(Membership.role).where(Membership.id == membership_id))


@pytest.mark.parametrize(("actor", "code"), [
    ("owner", 200), ("editor", 200), ("member", 200), ("admin", 200), ("stranger", 404)])
def test_who_sees_the_members_page(client, login_as, team, actor, code):
    organisation, users, _ = team
    login_as(users[actor])
    assert client.get(f"/organisations/{organisation.id}/members").status_code == code


def test_anonymous_is_sent_to_login(client, team):
    organisation, _, _ = team
    response = client.get(f"/organisations/{organisation.id}/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_owner_sees_management_forms(client, login_as, team):
    organisation, users, memberships = team
    login_as(users["owner"])
    page = _html(client.get(f"/organisations/{organisation.id}/members"))
    assert page.count("<h1") == 1
    assert "Olli Omistaja" in page and "Eeva Editori" in page and "Matti Jäsen" in page
    assert '<th scope="col">Role</th>' in page and '<th scope="row">' in page
    member_id = memberships["member"].id
    assert f'action="/organisations/{organisation.id}/members/{member_id}/remove"' in page
    assert re.search(r'<form method="post" action="/organisations/\d+/members/\d+/remove" '
                     r'class="inline-form" data-confirm="[^"]+"', page)
    assert f'/members/{memberships["owner"].id}/remove' not in page  # not for oneself
    assert f'action="/organisations/{organisation.id}/invitations"' in page
    assert f'action="/organisations/{organisation.id}/transfer"' in page
    assert f'<label for="m{member_id}-role">Role of Matti Jäsen</label>' in page
    # No call roles in an NGO.
    assert "Call roles" not in page and "is_call_manager" not in page
    # One id per page for every field.
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_plain_member_sees_no_management_forms(client, login_as, team):
    organisation, users, memberships = team
    login_as(users["member"])
    page = _html(client.get(f"/organisations/{organisation.id}/members"))
    assert "Eeva Editori" in page
    assert "/remove" not in page and "/role" not in page
    assert "/invitations" not in page and "/transfer" not in page
    assert "/join-requests/" not in page
    assert f"/organisations/{organisation.id}/leave" in page


def test_member_cannot_remove_another_member(client, login_as, team, db):
    organisation, users, memberships = team
    for actor in ("member", "editor"):
        login_as(users[actor])
        target = memberships["editor" if actor == "member" else "member"]
        response = client.post(f"/organisations/{organisation.id}/members/{target.id}/remove",
                               data={})
        assert response.status_code == 403
        assert db.session.get(Membership, target.id) is not None
    login_as(users["stranger"])
    response = client.post(
        f"/organisations/{organisation.id}/members/{memberships['member'].id}/remove", data={})
    assert response.status_code == 404
    assert db.session.get(Membership, memberships["member"].id) is not None


def test_owner_removes_a_member(client, login_as, team, db):
    organisation, users, memberships = team
    target_id = memberships["member"].id
    login_as(users["owner"])
    response = client.post(f"/organisations/{organisation.id}/members/{target_id}/remove",
                           data={}, follow_redirects=True)
    assert "Matti Jäsen has been removed" in _html(response)
    assert db.session.get(Membership, target_id) is None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.removed"))
    assert entry.actor_id == users["owner"].id and entry.details["user_id"] == users["member"].id


def test_memberships_of_another_organisation_are_404(client, login_as, team, make_organisation,
                                                     make_user, add_member, db):
    organisation, users, memberships = team
    other = make_organisation()
    outsider = add_member(other, make_user())
    login_as(users["owner"])
    for action in ("remove", "role"):
        response = client.post(f"/organisations/{organisation.id}/members/{outsider.id}/{action}",
                               data={f"m{outsider.id}-role": "owner"})
        assert response.status_code == 404
    assert db.session.get(Membership, outsider.id).role == Role.member


def test_change_role(client, login_as, team, db, audit_actions):
    organisation, users, memberships = team
    login_as(users["owner"])
    mid = memberships["member"].id
    response = client.post(f"/organisations/{organisation.id}/members/{mid}/role",
                           data={f"m{mid}-role": "editor"}, follow_redirects=True)
    assert "The role of Matti Jäsen has been changed." in _html(response)
    assert _role(db, mid) == Role.editor
    assert "membership.role_changed" in audit_actions(organisation)
    # A role that does not exist gets a message, not a change.
    response = client.post(f"/organisations/{organisation.id}/members/{mid}/role",
                           data={f"m{mid}-role": "superuser"})
    assert response.status_code == 422
    assert "Choose one of the options." in _html(response)
    assert _role(db, mid) == Role.editor


def test_member_cannot_change_roles(client, login_as, team, db):
    organisation, users, memberships = team
    login_as(users["editor"])
    eid = memberships["editor"].id
    response = client.post(f"/organisations/{organisation.id}/members/{eid}/role",
                           data={f"m{eid}-role": "owner"})
    assert response.status_code == 403
    assert _role(db, eid) == Role.editor


def test_the_last_owner_cannot_be_demoted(client, login_as, team, db):
    organisation, users, memberships = team
    login_as(users["owner"])
    oid = memberships["owner"].id
    response = client.post(f"/organisations/{organisation.id}/members/{oid}/role",
                           data={f"m{oid}-role": "member"}, follow_redirects=True)
    assert "must keep at least one owner" in _html(response)
    assert _role(db, oid) == Role.owner


def test_last_owner_cannot_leave(client, login_as, team, db):
    organisation, users, memberships = team
    login_as(users["owner"])
    response = client.post(f"/organisations/{organisation.id}/leave", data={},
                           follow_redirects=True)
    assert "You are the last owner" in _html(response)
    assert db.session.get(Membership, memberships["owner"].id) is not None


def test_a_member_leaves(client, login_as, team, db, audit_actions):
    organisation, users, memberships = team
    mid = memberships["member"].id
    login_as(users["member"])
    response = client.post(f"/organisations/{organisation.id}/leave", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert "You have left Kipinä ry." in _html(client.get("/dashboard"))
    assert db.session.get(Membership, mid) is None
    assert "membership.left" in audit_actions(organisation)
    # No longer a member: leaving again is refused.
    assert client.post(f"/organisations/{organisation.id}/leave", data={}).status_code == 404


def test_an_owner_leaves_when_another_owner_remains(client, login_as, team, db):
    organisation, users, memberships = team
    memberships["editor"].role = Role.owner
    db.session.commit()
    oid = memberships["owner"].id
    login_as(users["owner"])
    assert client.post(f"/organisations/{organisation.id}/leave", data={}).status_code == 302
    assert db.session.get(Membership, oid) is None


def test_transfer_ownership(client, login_as, team, db, audit_actions):
    organisation, users, memberships = team
    login_as(users["owner"])
    response = client.post(f"/organisations/{organisation.id}/transfer",
                           data={"member": str(memberships["member"].id)}, follow_redirects=True)
    assert "Matti Jäsen is now an owner" in _html(response)
    assert _role(db, memberships["member"].id) == Role.owner
    assert _role(db, memberships["owner"].id) == Role.editor
    assert "membership.ownership_transferred" in audit_actions(organisation)
    # The former owner is now an editor: no more transfers or member management.
    assert client.post(f"/organisations/{organisation.id}/transfer",
                       data={"member": str(memberships["editor"].id)}).status_code == 403


def test_transfer_needs_a_member_of_this_organisation(client, login_as, team, make_organisation,
                                                      make_user, add_member, db):
    organisation, users, memberships = team
    other = add_member(make_organisation(), make_user())
    login_as(users["owner"])
    for value in ("", str(other.id), str(memberships["owner"].id), "abc"):
        response = client.post(f"/organisations/{organisation.id}/transfer", data={"member": value})
        assert response.status_code == 422, value
    assert _role(db, memberships["owner"].id) == Role.owner
    assert _role(db, other.id) == Role.member


# --- call roles -----------------------------------------------------------------------------


def test_call_roles_in_an_ely_centre(client, login_as, make_user, make_organisation, add_member,
                                     db):
    owner, reviewer = make_user(), make_user(name="Riikka Arvioija")
    ely = make_organisation("Etelä-Savon ELY-keskus", type="regional_authority", owner=owner)
    mid = add_member(ely, reviewer).id
    login_as(owner)
    page = _html(client.get(f"/organisations/{ely.id}/members"))
    assert '<th scope="col">Call roles</th>' in page
    assert f'name="m{mid}-is_reviewer"' in page and f'name="m{mid}-is_call_manager"' in page
    response = client.post(f"/organisations/{ely.id}/members/{mid}/role",
                           data={f"m{mid}-role": "member", f"m{mid}-is_reviewer": "y"})
    assert response.status_code == 302
    membership = db.session.get(Membership, mid)
    assert membership.is_reviewer and not membership.is_call_manager
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.role_changed"))
    assert entry.details["reviewer"] is True
    assert "Reviewer" in _html(client.get(f"/organisations/{ely.id}/members"))


def test_call_roles_are_refused_outside_funding_authorities(client, login_as, team, db):
    organisation, users, memberships = team
    login_as(users["owner"])
    mid = memberships["member"].id
    response = client.post(f"/organisations/{organisation.id}/members/{mid}/role",
                           data={f"m{mid}-role": "member", f"m{mid}-is_call_manager": "y",
                                 f"m{mid}-is_reviewer": "y"}, follow_redirects=True)
    assert "exist only in funding authorities" in _html(response)
    membership = db.session.get(Membership, mid)
    assert not membership.is_call_manager and not membership.is_reviewer


def test_members_page_query_count_does_not_grow_with_members(client, login_as, team, make_user,
                                                             add_member, count_queries):
    organisation, users, _ = team
    login_as(users["owner"])
    with count_queries() as few:
        assert client.get(f"/organisations/{organisation.id}/members").status_code == 200
    for _ in range(20):
        add_member(organisation, make_user())
    with count_queries() as many:
        assert client.get(f"/organisations/{organisation.id}/members").status_code == 200
    assert few.count == many.count, many.statements
