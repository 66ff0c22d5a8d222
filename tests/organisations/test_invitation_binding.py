"""Invitations belong to their address and are limited (issue 12 §1): only the invited,
verified address accepts; registering from an invitation comes back to it; an unverified
organisation sends few invitations, under a neutral subject."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.core.db import utcnow
from app.organisations.models import Invitation, Membership

NEW_PASSWORD = "vihreä kettu juoksee"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _invite(client, organisation, email, role="editor"):
    return client.post(f"/organisations/{organisation.id}/invitations",
                       data={"email": email, "role": role})


def _invitations(db, organisation=None):
    stmt = select(func.count()).select_from(Invitation)
    if organisation is not None:
        stmt = stmt.where(Invitation.organisation_id == organisation.id)
    return db.session.scalar(stmt)


def _member(db, organisation, user):
    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user.id))


@pytest.fixture
def owner(make_user):
    return make_user(name="Olli Omistaja")


def test_someone_else_holding_the_link_cannot_accept(app, client, login_as, owner, make_user,
                                                     make_organisation, mailbox, db,
                                                     audit_actions):
    organisation = make_organisation("Kipinä ry", owner=owner)
    login_as(owner)
    assert _invite(client, organisation, "kutsuttu@example.fi").status_code == 302
    link = mailbox.link(mailbox.last("kutsuttu@example.fi"), "/invitations/")
    holder = make_user(email="valittaja@example.fi")
    other = app.test_client()
    login_as(holder, other)
    page = _html(other.get(link))
    assert "The invitation was sent to kutsuttu@example.fi" in page
    assert "Accept and join" not in page
    response = other.post(link, data={})
    assert response.status_code == 403
    assert "sent to another e-mail address" in _html(response)
    assert _member(db, organisation, holder) is None
    invitation = db.session.scalar(select(Invitation))
    assert invitation.accepted_at is None
    assert "membership.joined_by_invitation" not in audit_actions(organisation)
    # The invited address accepts the same link afterwards.
    invited = make_user(email="kutsuttu@example.fi")
    mine = app.test_client()
    login_as(invited, mine)
    assert mine.post(link, data={}).status_code == 302
    assert _member(db, organisation, invited) is not None
    assert audit_actions(organisation)[-1] == "membership.joined_by_invitation"


def test_registering_from_the_invitation_comes_back_to_it(app, client, login_as, owner,
                                                         make_organisation, mailbox, db):
    organisation = make_organisation("Kipinä ry", owner=owner)
    login_as(owner)
    _invite(client, organisation, "uusi@example.fi")
    link = mailbox.link(mailbox.last("uusi@example.fi"), "/invitations/")
    visitor = app.test_client()
    page = _html(visitor.get(link))
    assert "The invitation is for uusi@example.fi" in page
    register_page = _html(visitor.get(f"/register?email=uusi%40example.fi&next={link}"))
    assert 'value="uusi@example.fi"' in register_page
    assert f'value="{link}"' in register_page
    response = visitor.post("/register", data={
        "name": "Uusi Jäsen", "email": "uusi@example.fi", "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD, "language": "en", "next": link})
    assert response.status_code == 302
    # Verified in another browser (the mail app's): it signs in there and goes on to accept.
    mail_browser = app.test_client()
    verify = mailbox.link(mailbox.last("uusi@example.fi"), "/verify")
    response = mail_browser.post("/verify", data={"token": verify.split("token=")[1]})
    assert response.status_code == 302
    assert response.headers["Location"] == link
    page = _html(mail_browser.get(link))
    assert "Accept and join Kipinä ry" in page
    assert mail_browser.post(link, data={}).status_code == 302
    from app.auth.models import User

    user = db.session.scalar(select(User).where(User.email == "uusi@example.fi"))
    assert _member(db, organisation, user) is not None


def test_a_foreign_next_path_is_not_followed_after_verifying(app, mailbox):
    visitor = app.test_client()
    visitor.post("/register", data={
        "name": "Uusi", "email": "uusi@example.fi", "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD, "language": "en", "next": "https://evil.example/x"})
    verify = mailbox.link(mailbox.last("uusi@example.fi"), "/verify")
    response = visitor.post("/verify", data={"token": verify.split("token=")[1]})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_an_unverified_organisation_sends_few_invitations(client, login_as, owner,
                                                          make_organisation, mailbox, db):
    organisation = make_organisation("Uusi yhdistys ry", owner=owner, verified=False)
    login_as(owner)
    for n in range(5):
        assert _invite(client, organisation, f"k{n}@example.fi").status_code == 302
    response = _invite(client, organisation, "k5@example.fi")
    assert response.status_code == 422
    page = _html(response)
    assert 'id="email-error"' in page and "as many invitations as you can" in page
    assert 'value="k5@example.fi"' in page  # the input is kept
    assert _invitations(db, organisation) == 5
    assert mailbox.messages("k5@example.fi") == []
    # A day later the allowance is back.
    db.session.execute(update(Invitation).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert _invite(client, organisation, "k5@example.fi").status_code == 302


def test_the_limit_follows_the_inviting_user_across_organisations(client, login_as, owner,
                                                                  make_organisation, db):
    first = make_organisation("Eka ry", owner=owner, verified=False)
    second = make_organisation("Toka ry", owner=owner, verified=False)
    login_as(owner)
    for n in range(5):
        assert _invite(client, first, f"k{n}@example.fi").status_code == 302
    assert _invite(client, second, "toinen@example.fi").status_code == 422
    assert _invitations(db, second) == 0


def test_a_verified_organisation_has_its_own_configurable_limit(app, client, login_as, owner,
                                                                make_organisation, db,
                                                                monkeypatch):
    monkeypatch.setitem(app.config["RATE_LIMITS"], "invite_verified", "7 per day")
    organisation = make_organisation("Vahvistettu ry", owner=owner)
    login_as(owner)
    for n in range(7):
        assert _invite(client, organisation, f"k{n}@example.fi").status_code == 302
    assert _invite(client, organisation, "k7@example.fi").status_code == 422
    assert _invitations(db) == 7


def test_the_subject_names_only_a_verified_organisation(client, login_as, owner,
                                                        make_organisation, mailbox):
    unverified = make_organisation("Pankkisi tietoturva – kirjaudu heti", owner=owner,
                                   verified=False)
    verified = make_organisation("Kipinä ry", owner=owner)
    login_as(owner)
    _invite(client, unverified, "a@example.fi")
    _invite(client, verified, "b@example.fi")
    neutral = mailbox.last("a@example.fi")
    assert "Pankkisi" not in neutral["Subject"]
    assert neutral["Subject"] == "An invitation to an organisation in Kohtaamo"
    body = mailbox.body(neutral)
    assert "have not yet verified this organisation" in body
    assert "for this e-mail address (a@example.fi)" in body
    named = mailbox.last("b@example.fi")
    assert named["Subject"] == "Invitation to join Kipinä ry in Kohtaamo"
    assert "not yet verified" not in mailbox.body(named)


def test_a_line_break_in_an_old_name_never_reaches_the_subject(client, login_as, owner,
                                                               make_organisation, mailbox):
    # Stored before names were checked (or by a path that did not check them).
    organisation = make_organisation("Kipinä ry\r\nBcc: kaikki@example.fi", owner=owner)
    login_as(owner)
    assert _invite(client, organisation, "a@example.fi").status_code == 302
    mail = mailbox.last("a@example.fi")
    assert mail["Subject"] == "Invitation to join Kipinä ry Bcc: kaikki@example.fi in Kohtaamo"
    assert mail["Bcc"] is None
