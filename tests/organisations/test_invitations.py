"""Invitations by e-mail and requests to join."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.organisations.models import Invitation, JoinRequest, JoinRequestState, Membership, Role
from tests.fixtures.auth import PASSWORD


def _html(response) -> str:
    return response.get_data(as_text=True)


def _membership(db, organisation, user):
    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user.id))


@pytest.fixture
def org_and_owner(make_user, make_organisation):
    owner = make_user(name="Olli Omistaja")
    return make_organisation("Kipinä ry", owner=owner), owner


def _invite(client, organisation, email="uusi@example.fi", role="editor"):
    return client.post(f"/organisations/{organisation.id}/invitations",
                       data={"email": email, "role": role})


def test_invite_mail_and_accept(app, client, login_as, org_and_owner, make_user, mailbox, db,
                                audit_actions):
    organisation, owner = org_and_owner
    login_as(owner)
    response = _invite(client, organisation, email="Uusi@Example.fi")
    assert response.status_code == 302
    flashed = _html(client.get(response.headers["Location"]))
    assert "We sent an invitation to uusi@example.fi" in flashed
    members_page = _html(client.get(f"/organisations/{organisation.id}/members"))
    assert "uusi@example.fi" in members_page and "Pending invitations" in members_page
    mail = mailbox.last("uusi@example.fi")
    assert "Kipinä ry" in mail["Subject"]
    link = mailbox.link(mail, "/invitations/")

    invitee = make_user(email="uusi@example.fi", name="Uusi Ihminen")
    other = app.test_client()
    login_as(invitee, other)
    page = _html(other.get(link))
    assert "Kipinä ry" in page and "Olli Omistaja" in page and "Editor" in page
    assert "Accept and join Kipinä ry" in page
    response = other.post(link, data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    assert "You are now a member of Kipinä ry" in _html(other.get(response.headers["Location"]))
    membership = _membership(db, organisation, invitee)
    assert membership.role == Role.editor
    invitation = db.session.scalar(select(Invitation))
    assert invitation.accepted_by_id == invitee.id and invitation.accepted_at is not None
    actions = audit_actions(organisation)
    assert "membership.invited" in actions and "membership.joined_by_invitation" in actions

    # The link works once.
    again = other.post(link, data={})
    assert again.status_code == 400
    assert "already been used" in _html(again)
    assert other.get(link).status_code == 400


def test_invitation_page_for_an_anonymous_visitor(client, login_as, org_and_owner, mailbox):
    organisation, owner = org_and_owner
    login_as(owner)
    _invite(client, organisation, email="anon@example.fi")
    link = mailbox.link(mailbox.last("anon@example.fi"), "/invitations/")
    anonymous = client.application.test_client()
    page = _html(anonymous.get(link))
    assert "Kipinä ry" in page
    assert f'href="/login?next={link}"' in page
    # Issue 12: the page names the invited address, and registering continues back here.
    assert f'href="/register?email=anon@example.fi&amp;next={link}"' in page
    assert "The invitation is for anon@example.fi" in page
    assert "Accept and join" not in page
    # Posting without an account goes to the log-in, and nothing is accepted.
    response = anonymous.post(link, data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_comes_back_to_the_invitation(app, client, login_as, org_and_owner, make_user,
                                            mailbox):
    organisation, owner = org_and_owner
    login_as(owner)
    _invite(client, organisation, email="palaaja@example.fi")
    link = mailbox.link(mailbox.last("palaaja@example.fi"), "/invitations/")
    make_user(email="palaaja@example.fi")
    visitor = app.test_client()
    login_page = _html(visitor.get(f"/login?next={link}"))
    assert f'value="{link}"' in login_page
    response = visitor.post("/login", data={"email": "palaaja@example.fi", "password": PASSWORD,
                                            "next": link})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(link)


def test_expired_invitation_is_refused(app, client, login_as, org_and_owner, make_user, mailbox,
                                       db):
    organisation, owner = org_and_owner
    login_as(owner)
    _invite(client, organisation, email="myohassa@example.fi")
    link = mailbox.link(mailbox.last("myohassa@example.fi"), "/invitations/")
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    invitee = make_user(email="myohassa@example.fi")
    other = app.test_client()
    login_as(invitee, other)
    response = other.get(link)
    assert response.status_code == 400
    assert "This invitation has expired" in _html(response)
    assert other.post(link, data={}).status_code == 400
    assert _membership(db, organisation, invitee) is None
    # No longer listed as pending.
    members_page = _html(client.get(f"/organisations/{organisation.id}/members"))
    assert '<th scope="row">myohassa@example.fi</th>' not in members_page


def test_revoked_and_forged_invitations_are_refused(app, client, login_as, org_and_owner,
                                                    make_user, mailbox, db, audit_actions):
    organisation, owner = org_and_owner
    login_as(owner)
    _invite(client, organisation, email="peruttu@example.fi")
    link = mailbox.link(mailbox.last("peruttu@example.fi"), "/invitations/")
    invitation = db.session.scalar(select(Invitation))
    response = client.post(
        f"/organisations/{organisation.id}/invitations/{invitation.id}/revoke", data={},
        follow_redirects=True)
    assert "has been cancelled" in _html(response)
    assert "membership.invitation_revoked" in audit_actions(organisation)
    invitee = make_user(email="peruttu@example.fi")
    other = app.test_client()
    login_as(invitee, other)
    assert other.get(link).status_code == 400
    assert other.post(link, data={}).status_code == 400
    for forged in ("/invitations/abc", link[:-3] + "xyz", "/invitations/" + "a" * 3000):
        response = other.get(forged)
        assert response.status_code == 400
        assert "not valid" in _html(response)
    assert _membership(db, organisation, invitee) is None


def test_only_owners_invite_and_revoke(client, login_as, org_and_owner, make_user, add_member,
                                       db, mailbox):
    organisation, owner = org_and_owner
    editor = make_user()
    add_member(organisation, editor, Role.editor)
    login_as(editor)
    assert _invite(client, organisation).status_code == 403
    login_as(make_user())
    assert _invite(client, organisation).status_code == 404
    assert db.session.scalar(select(Invitation)) is None
    assert mailbox.messages() == []
    login_as(owner)
    _invite(client, organisation)
    invitation_id = db.session.scalar(select(Invitation.id))
    login_as(editor)
    response = client.post(
        f"/organisations/{organisation.id}/invitations/{invitation_id}/revoke", data={})
    assert response.status_code == 403
    assert db.session.get(Invitation, invitation_id).revoked_at is None


def test_inviting_a_member_again_is_refused_on_the_field(client, login_as, org_and_owner,
                                                         make_user, add_member):
    organisation, owner = org_and_owner
    add_member(organisation, make_user(email="jo@example.fi"))
    login_as(owner)
    response = _invite(client, organisation, email="jo@example.fi")
    assert response.status_code == 422
    assert '<p class="error" id="email-error">This person is already a member.' in _html(response)
    response = _invite(client, organisation, email="not an address")
    assert response.status_code == 422
    assert "valid e-mail address" in _html(response)


def test_unverified_user_cannot_accept(app, client, login_as, org_and_owner, make_user, mailbox,
                                       db):
    organisation, owner = org_and_owner
    login_as(owner)
    _invite(client, organisation, email="vahvistamaton@example.fi")
    link = mailbox.link(mailbox.last("vahvistamaton@example.fi"), "/invitations/")
    invitee = make_user(email="vahvistamaton@example.fi", verified=False)
    other = app.test_client()
    login_as(invitee, other)
    assert "Verify your e-mail address first" in _html(other.get(link))
    other.post(link, data={})
    assert _membership(db, organisation, invitee) is None
    assert db.session.scalar(select(Invitation.accepted_at)) is None


# --- join requests ----------------------------------------------------------------------------


def test_request_to_join_and_approve(app, client, login_as, org_and_owner, make_user, mailbox, db,
                                     audit_actions):
    organisation, owner = org_and_owner
    owner.email  # noqa: B018 - load before the request expires it
    requester = make_user(name="Hanna Hakija", email="hanna@example.fi")
    other = app.test_client()
    login_as(requester, other)
    response = other.post(f"/organisations/{organisation.id}/join",
                          data={"message": "Työskentelen valmentajana."})
    assert response.status_code == 302
    mail = mailbox.last(owner.email)
    assert "Hanna Hakija" in mail["Subject"]
    assert "Työskentelen valmentajana." in mailbox.body(mail)
    assert f"/organisations/{organisation.id}/members" in mailbox.link(mail, "/members")

    login_as(owner)
    page = _html(client.get(f"/organisations/{organisation.id}/members"))
    assert "Hanna Hakija" in page and "Työskentelen valmentajana." in page
    join_request = db.session.scalar(select(JoinRequest))
    response = client.post(f"/organisations/{organisation.id}/join-requests/{join_request.id}",
                           data={"decision": "approve"}, follow_redirects=True)
    assert "Hanna Hakija is now a member." in _html(response)
    assert _membership(db, organisation, requester).role == Role.member
    db.session.refresh(join_request)
    assert join_request.state == JoinRequestState.approved
    assert join_request.decided_by_id == owner.id
    decided = mailbox.last("hanna@example.fi")
    assert "You are now a member of Kipinä ry" in decided["Subject"]
    actions = audit_actions(organisation)
    assert "membership.join_requested" in actions and "membership.join_approved" in actions
    # Answered once only.
    response = client.post(f"/organisations/{organisation.id}/join-requests/{join_request.id}",
                           data={"decision": "reject"}, follow_redirects=True)
    assert "already been answered" in _html(response)


def test_request_to_join_and_decline(app, client, login_as, org_and_owner, make_user, mailbox, db):
    organisation, owner = org_and_owner
    requester = make_user(email="torjuttu@example.fi")
    other = app.test_client()
    login_as(requester, other)
    other.post(f"/organisations/{organisation.id}/join", data={"message": ""})
    join_request_id = db.session.scalar(select(JoinRequest.id))
    login_as(owner)
    client.post(f"/organisations/{organisation.id}/join-requests/{join_request_id}",
                data={"decision": "reject"})
    assert _membership(db, organisation, requester) is None
    assert db.session.get(JoinRequest, join_request_id).state == JoinRequestState.rejected
    assert "declined" in mailbox.last("torjuttu@example.fi")["Subject"]


def test_only_owners_decide_join_requests(app, client, login_as, org_and_owner, make_user,
                                          add_member, db):
    organisation, owner = org_and_owner
    requester, member = make_user(), make_user()
    add_member(organisation, member)
    other = app.test_client()
    login_as(requester, other)
    other.post(f"/organisations/{organisation.id}/join", data={})
    join_request_id = db.session.scalar(select(JoinRequest.id))
    url = f"/organisations/{organisation.id}/join-requests/{join_request_id}"
    login_as(member)
    assert "Requests to join" not in _html(client.get(f"/organisations/{organisation.id}/members"))
    assert client.post(url, data={"decision": "approve"}).status_code == 403
    login_as(requester)
    assert client.post(url, data={"decision": "approve"}).status_code == 404
    login_as(owner)
    assert client.post(url, data={"decision": "maybe"}).status_code == 400
    assert _membership(db, organisation, requester) is None
