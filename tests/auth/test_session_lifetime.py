"""Sessions end on the server by time (issue 12 §1): idle and absolute lifetimes, a cheap
refresh of the last use, and expired rows deleted."""

from datetime import timedelta

from sqlalchemy import select, update

from app.auth.models import UserSession
from app.core.db import utcnow


def _only_session(db, user):
    return db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))


def _age(db, row, *, created, seen):
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.id == row.id)
                       .values(created_at=now - created, last_seen_at=now - seen))
    db.session.commit()


def test_a_session_older_than_the_absolute_lifetime_ends_although_used(client, make_user,
                                                                      login_as, db):
    user = login_as(make_user())
    row = _only_session(db, user)
    _age(db, row, created=timedelta(days=29, hours=23), seen=timedelta(minutes=1))
    assert client.get("/account").status_code == 200
    _age(db, row, created=timedelta(days=30, minutes=1), seen=timedelta(minutes=1))
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # A write is refused as well (and does not bring the session back to life).
    assert client.post("/account/profile", data={"name": "X", "language": "en"}).status_code \
        in (302, 401)
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at >= timedelta(minutes=1)


def test_an_idle_session_ends(client, make_user, login_as, db, app):
    user = login_as(make_user())
    row = _only_session(db, user)
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    _age(db, row, created=idle + timedelta(hours=1), seen=idle - timedelta(minutes=5))
    assert client.get("/account").status_code == 200
    _age(db, row, created=idle + timedelta(hours=1), seen=idle + timedelta(minutes=1))
    assert client.get("/account").status_code == 302


def test_reading_refreshes_the_last_use_at_most_every_ten_minutes(client, make_user, login_as,
                                                                 db, count_queries):
    user = login_as(make_user())
    row = _only_session(db, user)
    _age(db, row, created=timedelta(days=3), seen=timedelta(days=3))
    with count_queries() as first:
        assert client.get("/account").status_code == 200
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # committed by a GET
    with count_queries() as second:
        assert client.get("/account").status_code == 200
    # The refresh is one UPDATE, once: the next page runs no write at all.
    updates = [s for s in first.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "user_session" in updates[0]
    assert not [s for s in second.statements if s.lstrip().upper().startswith("UPDATE")]
    assert second.count == first.count - 1


def test_prune_deletes_exactly_the_expired_sessions(app, make_user, login_as, db, client):
    user = make_user()
    for _ in range(4):
        login_as(user, app.test_client())
    rows = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)))
    fresh, idle, old, nearly = rows
    fresh_id, idle_id, old_id, nearly_id = (row.id for row in rows)
    idle_life = app.config["PERMANENT_SESSION_LIFETIME"]
    _age(db, idle, created=idle_life + timedelta(days=1), seen=idle_life + timedelta(minutes=1))
    _age(db, old, created=timedelta(days=30, minutes=1), seen=timedelta(minutes=2))
    _age(db, nearly, created=timedelta(days=29), seen=idle_life - timedelta(hours=1))
    other = make_user()
    login_as(other, app.test_client())
    result = app.test_cli_runner().invoke(args=["users", "prune-sessions"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 expired sessions." in result.output
    left = set(db.session.scalars(select(UserSession.id)))
    assert {fresh_id, nearly_id} <= left
    assert idle_id not in left and old_id not in left
    assert len(left) == 3  # the other user's session stays too
    again = app.test_cli_runner().invoke(args=["users", "prune-sessions"])
    assert "Deleted 0 expired sessions." in again.output


def test_signing_in_deletes_that_users_expired_sessions(client, make_user, login_as, db, app):
    user = make_user(email="kalle@example.fi")
    login_as(user, app.test_client())
    old = _only_session(db, user)
    _age(db, old, created=timedelta(days=31), seen=timedelta(days=1))
    response = client.post("/login", data={"email": "kalle@example.fi",
                                           "password": "correct horse battery staple"})
    assert response.status_code == 302
    created = list(db.session.scalars(select(UserSession.created_at)
                                      .where(UserSession.user_id == user.id)))
    assert len(created) == 1 and utcnow() - created[0] < timedelta(minutes=1)


def test_lifetimes_and_sign_in_limits_come_from_the_environment(monkeypatch):
    from app.config import Config

    for name, value in {"SESSION_ABSOLUTE_LIFETIME_DAYS": "7", "SESSION_IDLE_LIFETIME_DAYS": "2",
                        "ACCOUNT_FAILURE_LIMIT": "80", "ACCOUNT_SOURCE_FAILURE_LIMIT": "4",
                        "ACCOUNT_FAILURE_WINDOW_MINUTES": "30", "KNOWN_DEVICE_DAYS": "10",
                        "RATELIMIT_INVITE_UNVERIFIED": "2 per day"}.items():
        monkeypatch.setenv(name, value)
    values = Config.from_environment()
    assert values["SESSION_ABSOLUTE_LIFETIME"] == timedelta(days=7)
    assert values["PERMANENT_SESSION_LIFETIME"] == timedelta(days=2)
    assert values["ACCOUNT_FAILURE_LIMIT"] == 80 and values["ACCOUNT_SOURCE_FAILURE_LIMIT"] == 4
    assert values["ACCOUNT_FAILURE_WINDOW"] == timedelta(minutes=30)
    assert values["KNOWN_DEVICE_LIFETIME"] == timedelta(days=10)
    assert values["RATE_LIMITS"]["invite_unverified"] == "2 per day"
    assert values["RATE_LIMITS"]["invite_verified"] == Config.RATE_LIMITS["invite_verified"]
