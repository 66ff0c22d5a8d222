import json

from flask_babel import force_locale
from sqlalchemy import select

from app.auth.models import User, UserSession
from app.core.audit import AuditLog
from app.organisations.models import Membership
from tests.fixtures.auth import PASSWORD

NEW = "uusi salasana kesällä"


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_password_reset_flow_and_single_use(client, make_user, mailbox, db):
    user = make_user(email="liisa@example.fi")
    response = client.post("/password/forgot", data={"email": "liisa@example.fi"})
    assert response.status_code == 200
    link = mailbox.link(mailbox.last("liisa@example.fi"), "/password/reset")
    assert client.get(link).status_code == 200
    token = link.split("token=")[1]
    response = client.post("/password/reset", data={"token": token, "password": NEW,
                                                    "password_again": NEW})
    assert response.status_code == 302
    client.post("/logout", data={})
    assert login(client, "liisa@example.fi", NEW).status_code == 302
    # The link is dead once used.
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    assert user.id


def test_forgot_password_answers_the_same_for_unknown_address(client, mailbox):
    known_html = client.post("/password/forgot", data={"email": "nobody@example.fi"})
    assert known_html.status_code == 200
    assert "If nobody@example.fi has an account" in known_html.get_data(as_text=True)
    assert mailbox.messages() == []


def test_expired_reset_link(client, make_user, mailbox, app, monkeypatch):
    make_user(email="liisa@example.fi")
    client.post("/password/forgot", data={"email": "liisa@example.fi"})
    link = mailbox.link(mailbox.last(), "/password/reset")
    monkeypatch.setitem(app.config, "TOKEN_MAX_AGE_RESET", -1)
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_change_password_needs_the_current_one_and_ends_other_sessions(
    client, app, make_user, login_as, db
):
    user = make_user(email="liisa@example.fi")
    other = app.test_client()
    login_as(user, other)
    assert other.get("/account").status_code == 200
    login(client, "liisa@example.fi")
    wrong = client.post("/account/password", data={"current_password": "not it at all",
                                                   "password": NEW, "password_again": NEW})
    assert wrong.status_code == 422
    assert "current password is not correct" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={"current_password": PASSWORD,
                                                "password": NEW, "password_again": NEW})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays in
    assert other.get("/account").status_code == 302  # the other one is out


def test_change_email_confirms_the_new_address(client, make_user, mailbox, db):
    user = make_user(email="liisa@example.fi")
    login(client, "liisa@example.fi")
    response = client.post("/account/email", data={"email": "liisa.uusi@example.fi",
                                                   "current_password": PASSWORD})
    assert response.status_code == 302
    notice = mailbox.last("liisa@example.fi")
    assert "liisa.uusi@example.fi" in mailbox.body(notice)
    link = mailbox.link(mailbox.last("liisa.uusi@example.fi"), "/account/email/confirm")
    db.session.refresh(user)
    assert user.email == "liisa@example.fi"
    assert client.get(link).status_code == 200
    assert client.post("/account/email/confirm",
                       data={"token": link.split("token=")[1]}).status_code == 302
    db.session.refresh(user)
    assert user.email == "liisa.uusi@example.fi"


def test_change_email_requires_password(client, make_user, mailbox):
    make_user(email="liisa@example.fi")
    login(client, "liisa@example.fi")
    response = client.post("/account/email", data={"email": "x@example.fi",
                                                   "current_password": "wrong one!!"})
    assert response.status_code == 422
    assert mailbox.messages("x@example.fi") == []


def test_profile_update_changes_language(client, make_user, login_as, db):
    user = make_user()
    login_as(user)
    response = client.post("/account/profile", data={"name": "Uusi Nimi", "language": "sv"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.language) == ("Uusi Nimi", "sv")
    assert 'lang="sv"' in client.get("/account").get_data(as_text=True)


def test_logout_kills_a_copied_cookie(client, app, make_user):
    make_user(email="liisa@example.fi")
    login(client, "liisa@example.fi")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    assert thief.get("/account").status_code == 200
    client.post("/logout", data={})
    assert thief.get("/account").status_code == 302


def test_logout_everywhere(client, app, make_user, login_as, db):
    user = make_user(email="liisa@example.fi")
    other = app.test_client()
    login_as(user, other)
    login(client, "liisa@example.fi")
    assert client.post("/account/logout-everywhere", data={}).status_code == 302
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 302
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_download_my_data(client, make_user, login_as, make_organisation):
    user = make_user(email="liisa@example.fi", name="Liisa Laine")
    make_organisation(name="Laineen Apu ry", owner=user)
    login_as(user)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "liisa@example.fi"
    assert data["memberships"][0]["organisation"] == "Laineen Apu ry"
    assert "password_hash" not in json.dumps(data)


def test_delete_account_keeps_organisation_and_shows_removed_user(
    client, make_user, login_as, make_organisation, add_member, db
):
    owner = make_user()
    leaver = make_user(email="lahtija@example.fi", name="Lauri Lähtijä")
    organisation = make_organisation(owner=owner)
    add_member(organisation, leaver, "editor")
    login_as(leaver)
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(leaver)
    assert leaver.deleted_at is not None
    assert leaver.email != "lahtija@example.fi" and leaver.name == ""
    with force_locale("en"):
        assert leaver.display_name == "Removed user"
    assert db.session.scalar(select(Membership).where(Membership.user_id == leaver.id)) is None
    assert client.get("/account").status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.deleted"))
    # The address can register again.
    assert db.session.scalar(select(User).where(User.email == "lahtija@example.fi")) is None


def test_last_owner_cannot_delete_account(client, make_user, login_as, make_organisation, db):
    owner = make_user()
    make_organisation(name="Ainoa Omistaja ry", owner=owner)
    login_as(owner)
    page = client.get("/account/delete")
    assert "Ainoa Omistaja ry" in page.get_data(as_text=True)
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 422
    assert "only owner" in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.deleted_at is None


def test_create_admin_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "boss@example.fi"])
    assert result.exit_code == 0, result.output
    assert "Password (shown once)" in result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.fi"))
    assert user.is_admin and user.is_verified
    again = runner.invoke(args=["users", "create-admin", "boss@example.fi"])
    assert "already an administrator" in again.output
