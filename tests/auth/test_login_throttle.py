"""Sign-in throttling an attacker cannot turn against the owner (issue 12 §1): per account and
source, per account for unknown devices, known devices, the mailed unlock link, one message."""

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.auth import passwords, throttle
from app.auth.models import User
from app.core.audit import AuditLog

PASSWORD = "throttle test password 7"  # not the shared one: hashed cheaply, see below
ATTACKER = "203.0.113.66"
OWNER_ADDRESS = "198.51.100.10"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch, app):
    """Argon2 with the smallest parameters, so that a hundred attempts take a second: the same
    library and code paths, only the cost differs (a hash carries its own parameters)."""
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy password for timing"))
    # The address rate limit (per IP, per minute) is tested elsewhere; here the attacker
    # spreads attempts over time, as a patient one would.
    monkeypatch.setitem(app.config["RATE_LIMITS"], "login", "10000 per minute")


@pytest.fixture
def owner(db):
    user = User(email="omistaja@example.fi", name="Olga Omistaja", language="en",
                password_hash=passwords.hash_password(PASSWORD))
    from app.core.db import utcnow

    user.email_verified_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


def _login(client, email, password, address):
    # One CSRF token per browser session (the client would fetch a page for each POST).
    token = getattr(client, "_throttle_csrf", None) or client.csrf_token()
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})
    client._throttle_csrf = None if response.status_code == 302 else token
    return response


def _error(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True),
                      re.S)
    assert match, "no error summary on the page"
    return match.group(0)


_TOKEN = re.compile(r'(name="csrf[-_]token" (?:content|value)=")[^"]+"')


def _without_token(response) -> str:
    """The page without its CSRF tokens, which carry the second they were signed in (two
    answers a second apart differ there and nowhere else)."""
    return _TOKEN.sub(r'\1X"', response.get_data(as_text=True))


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _actions(db, action):
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def _pause_account(app, db, owner):
    """Fifty wrong passwords from five addresses: the account-wide limit."""
    attacker = app.test_client()
    for n in range(5):
        for _ in range(10):
            _login(attacker, owner.email, "wrong password 123", f"203.0.113.{n + 1}")
    db.session.refresh(owner)
    assert owner.login_delay_until is not None


def test_attacker_on_one_address_does_not_stop_the_owner_elsewhere(app, client, db, owner):
    for _ in range(60):
        assert _login(client, owner.email, "wrong password 123", ATTACKER).status_code == 200
    # The attacker's address is paused for this account: even the right password is refused.
    assert _login(client, owner.email, PASSWORD, ATTACKER).status_code == 200
    assert not _signed_in(client)
    assert len(_actions(db, "login.source_paused")) == 1
    db.session.refresh(owner)
    assert owner.login_delay_until is None  # 10 counted failures: far from the account limit
    # The owner, from another address and a browser never used before, signs in.
    elsewhere = app.test_client()
    response = _login(elsewhere, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302
    assert _signed_in(elsewhere)


def test_paused_account_lets_a_known_device_in(app, client, db, owner):
    # The owner's browser signed in before: it holds a known-device cookie.
    assert _login(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert client.get_cookie(throttle.device_cookie_name()) is not None
    client.post("/logout", data={})
    _pause_account(app, db, owner)
    assert len(_actions(db, "login.account_paused")) == 1
    # An unknown browser, even with the right password and from a fresh address, waits.
    stranger = app.test_client()
    assert _login(stranger, owner.email, PASSWORD, "192.0.2.200").status_code == 200
    assert not _signed_in(stranger)
    # The known device gets in, and its sign-in does not lift the pause for the others.
    assert _login(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert _signed_in(client)
    db.session.refresh(owner)
    assert owner.login_delay_until is not None
    assert _login(stranger, owner.email, PASSWORD, "192.0.2.200").status_code == 200
    assert not _signed_in(stranger)


def test_a_device_cookie_of_another_user_or_an_old_password_is_not_known(app, db, owner,
                                                                          make_user):
    with app.test_request_context():
        token = throttle.make_device_token(owner)
        assert throttle.known_device(token, owner)
        other = make_user(email="toinen@example.fi")
        assert throttle.known_device(token, other) is None
        owner.password_hash = passwords.hash_password("a new password 2026")
        assert throttle.known_device(token, owner) is None
        assert throttle.known_device("forged.token.value", owner) is None


def test_mailed_unlock_link_lets_an_unknown_browser_in_once(app, db, owner, mailbox):
    _pause_account(app, db, owner)
    browser = app.test_client()
    assert _login(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 200
    assert not _signed_in(browser)
    response = browser.post("/login/unlock", data={"email": owner.email},
                            environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    link = mailbox.link(mailbox.last(owner.email), "/login/unlock/confirm")
    # Opening the link changes nothing (no state change on GET)...
    assert browser.get(link).status_code == 200
    assert browser.get_cookie(throttle.device_cookie_name()) is None
    assert _login(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 200
    # ...the button marks this browser as the owner's, then the password lets it in.
    token = link.split("token=")[1]
    response = browser.post("/login/unlock/confirm", data={"token": token})
    assert response.status_code == 302
    assert browser.get_cookie(throttle.device_cookie_name()) is not None
    assert not _signed_in(browser)  # the link alone does not sign in
    assert _login(browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert _signed_in(browser)
    assert len(_actions(db, "login.unlock_link_used")) == 1
    # The link works once: another browser holding it is refused and stays unknown.
    thief = app.test_client()
    again = thief.post("/login/unlock/confirm", data={"token": token})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert thief.get_cookie(throttle.device_cookie_name()) is None
    assert len(_actions(db, "login.unlock_link_used")) == 1
    # The right password with the wrong link... and a forged one.
    forged = thief.post("/login/unlock/confirm", data={"token": token[:-3] + "abc"})
    assert forged.status_code == 400


def test_one_message_and_the_same_work_for_every_refusal(app, client, db, owner, monkeypatch):
    verifications = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, *args, **kwargs):
        verifications.append(1)
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    answers = {}
    work = {}

    def attempt(name, email, password, address, c=client):
        before = len(verifications)
        response = _login(c, email, password, address)
        answers[name] = (response.status_code, _error(response))
        work[name] = len(verifications) - before
        assert not _signed_in(c)

    attempt("unknown address", "nobody@example.fi", PASSWORD, "192.0.2.1")
    attempt("wrong password", owner.email, "wrong password 123", "192.0.2.2")
    for _ in range(10):
        _login(client, owner.email, "wrong password 123", "192.0.2.3")
    attempt("paused source", owner.email, PASSWORD, "192.0.2.3")
    _pause_account(app, db, owner)
    attempt("paused account", owner.email, PASSWORD, "192.0.2.4", c=app.test_client())
    assert len(set(answers.values())) == 1, answers
    status, message = answers["wrong password"]
    assert status == 200 and "not correct" in message
    assert "Too many" not in message
    assert work == dict.fromkeys(answers, 1), work
    # The page offers the way out.
    assert "/login/unlock" in client.get("/login").get_data(as_text=True)


def test_unlock_request_answers_the_same_and_is_rate_limited(client, db, owner, mailbox):
    known = client.post("/login/unlock", data={"email": owner.email})
    unknown = client.post("/login/unlock", data={"email": "nobody@example.fi"})
    assert known.status_code == unknown.status_code == 200
    assert _without_token(known).replace(owner.email, "X") == \
        _without_token(unknown).replace("nobody@example.fi", "X")
    assert mailbox.messages("nobody@example.fi") == []
    assert len(mailbox.messages(owner.email)) == 1
    statuses = [client.post("/login/unlock", data={"email": owner.email}).status_code
                for _ in range(5)]
    # "5 per 15 minutes" per address: two used above, three more, then refused.
    assert statuses == [200, 200, 200, 429, 429]
    assert len(mailbox.messages(owner.email)) == 4
