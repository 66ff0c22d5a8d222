"""Account services: plain functions over model objects. They flush; the view commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth import throttle
from app.auth.models import User
from app.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.auth.sessions import end_all_sessions
from app.core import audit, personal_data
from app.core.db import utcnow
from app.core.domain import DomainError
from app.core.outbox import queue_mail
from app.core.tokens import TokenError, make_token, read_token
from app.extensions import db

PASSWORD_MESSAGES = {
    "too_short": _l("The password must be at least 10 characters long."),
    "too_long": _l("The password can be at most 128 characters long."),
    "common": _l("This password is too common. Choose one that is harder to guess."),
    "personal": _l("The password must not be your e-mail address."),
}


class LoginFailed(Exception):
    """Log-in refused. Whatever the cause (unknown address, wrong password, a paused source or
    account), the person is told the same thing: `paused` is for the audit and tests only."""

    def __init__(self, paused: bool = False):
        super().__init__("login failed")
        self.paused = paused


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


def check_password_policy(password: str, email: str = "") -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise DomainError(PASSWORD_MESSAGES[problem], field="password")


def _password_fingerprint(user: User) -> str:
    # Part of a token: once the password changes, every older reset link stops working.
    return throttle.password_fingerprint(user.password_hash)


def register_user(name: str, email: str, password: str, language: str,
                  next_path: str | None = None) -> User | None:
    """Create an unverified account and mail a verification link.

    For an address that already has an account, nothing is created; its owner gets a mail
    instead, and the caller answers the same way (no account enumeration). Returns the new
    user or None.
    """
    email = normalise_email(email)
    check_password_policy(password, email)
    # Hashed on both paths: skipping it for a known address answered in ~20 ms instead of
    # ~400 ms, which told anyone whether the address has an account.
    password_hash = hash_password(password)
    existing = get_user_by_email(email)
    if existing is not None:
        queue_mail(existing.email, "account_exists", existing.language, user=existing)
        audit.record("account.register_duplicate", actor=existing, obj=existing)
        db.session.flush()
        return None
    user = User(name=name.strip(), email=email, password_hash=password_hash,
                language=language if language in ("fi", "sv", "en") else "fi")
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, obj=user)
    send_verification_mail(user, next_path)
    return user


def send_verification_mail(user: User, next_path: str | None = None) -> None:
    """Mail a verification link; `next_path` (a same-site path, e.g. an invitation) is where
    the person continues after verifying, in whichever browser opens the link."""
    payload = {"uid": user.id, "email": user.email}
    if next_path:
        payload["next"] = next_path[:2000]
    token = make_token("verify", payload)
    queue_mail(user.email, "verify_email", user.language, user=user, token=token)


def verified_next_path(token: str) -> str | None:
    """The path a verification link continues to, if it has one (the link was just used)."""
    try:
        payload = read_token("verify", token, current_app.config["TOKEN_MAX_AGE_VERIFY"])
    except TokenError:
        return None
    next_path = payload.get("next")
    return next_path if isinstance(next_path, str) else None


def verify_email(token: str) -> User:
    """Mark the address in the token verified. TokenError when invalid, expired or used."""
    payload = read_token("verify", token, current_app.config["TOKEN_MAX_AGE_VERIFY"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.deleted_at is not None or user.email != payload.get("email"):
        raise TokenError("invalid")
    if user.email_verified_at is not None:
        raise TokenError("used")
    user.email_verified_at = utcnow()
    audit.record("account.email_verified", actor=user, obj=user)
    return user


def authenticate(email: str, password: str, *, source: str | None = None,
                 device_token: str | None = None) -> User:
    """The user for these credentials, or LoginFailed (the same for every cause).

    `source` is the client's address and `device_token` its known-device cookie, if any (see
    throttle.py): a source that failed too often for this account is refused, and an account
    that failed too often from everywhere is refused to unknown devices, for a while. Every
    attempt spends exactly one argon2 verification."""
    now = utcnow()
    password = password[:256]
    user = get_user_by_email(email) if len(email) <= 254 else None
    account = _email_hash(email)
    device = throttle.known_device(device_token, user)
    source_key = f"device:{device}" if device else f"address:{source or '-'}"
    if throttle.source_paused(account, source_key):
        verify_password(None, password)  # the same work as any other attempt
        audit.record("login.failed", obj=user, email_hash=account, paused="source")
        raise LoginFailed(paused=True)
    if (user is not None and device is None and user.login_delay_until
            and now < user.login_delay_until):
        verify_password(None, password)
        audit.record("login.failed", obj=user, email_hash=account, paused="account")
        raise LoginFailed(paused=True)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        if throttle.count_source_failure(account, source_key):
            audit.record("login.source_paused", obj=user, email_hash=account,
                         known_device=bool(device))
        if user is not None:
            _count_failure(user, now)
        audit.record("login.failed", actor=None, obj=user, email_hash=account)
        raise LoginFailed()
    throttle.clear_source(account, source_key)
    if not (user.login_delay_until and now < user.login_delay_until):
        # A pause lifts only by itself: signing in from a known device during an attack must
        # not give the attacker's unknown devices a fresh allowance.
        user.failed_login_count = 0
        user.failed_login_window_start = None
        user.login_delay_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login.succeeded", actor=user, obj=user)
    return user


def _email_hash(email: str) -> str:
    return hashlib.sha256(normalise_email(email)[:254].encode()).hexdigest()[:16]


def _count_failure(user: User, now: datetime) -> None:
    config = current_app.config
    window = config["ACCOUNT_FAILURE_WINDOW"]
    if user.failed_login_window_start is None or now - user.failed_login_window_start > window:
        user.failed_login_window_start = now
        user.failed_login_count = 0
    user.failed_login_count += 1
    if user.failed_login_count >= config["ACCOUNT_FAILURE_LIMIT"]:
        # A pause for unknown devices, never a lock: known devices and the mailed unlock link
        # still let the owner in with the right password.
        user.login_delay_until = now + config["ACCOUNT_FAILURE_DELAY"]
        user.failed_login_count = 0
        user.failed_login_window_start = None
        audit.record("login.account_paused", obj=user, until=user.login_delay_until.isoformat())


def request_unlock_link(email: str) -> None:
    """Mail the owner a single-use link that lets this browser past an account pause (it
    becomes a known device); silent when the address has no account."""
    user = get_user_by_email(email) if len(email) <= 254 else None
    if user is None or not user.is_active:
        return
    token = make_token("unlock", {"uid": user.id, "pw": _password_fingerprint(user),
                                  "n": secrets.token_hex(8)})
    queue_mail(user.email, "unlock_sign_in", user.language, user=user, token=token)
    audit.record("login.unlock_link_requested", actor=user, obj=user)


def use_unlock_link(token: str) -> User:
    """The user whose browser the link unlocks; TokenError if invalid, expired or used.

    Single use without a table of its own: each use is in the audit log with the link's nonce
    (the user row is locked meanwhile, so two tabs cannot both use it)."""
    from app.core.audit import AuditLog

    max_age = current_app.config["TOKEN_MAX_AGE_UNLOCK"]
    payload = read_token("unlock", token, max_age)
    uid = payload.get("uid")
    user = db.session.get(User, uid, with_for_update=True) if isinstance(uid, int) else None
    if user is None or not user.is_active:
        raise TokenError("invalid")
    if payload.get("pw") != _password_fingerprint(user):
        raise TokenError("used")
    nonce = payload.get("n")
    since = utcnow() - timedelta(seconds=max_age + 60)
    used = db.session.scalars(
        select(AuditLog.details).where(
            AuditLog.action == "login.unlock_link_used", AuditLog.object_type == "user_account",
            AuditLog.object_id == user.id, AuditLog.at >= since)
    ).all()
    if any(isinstance(details, dict) and details.get("nonce") == nonce for details in used):
        raise TokenError("used")
    audit.record("login.unlock_link_used", actor=user, obj=user, nonce=nonce)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address has an account; silent otherwise."""
    user = get_user_by_email(email) if len(email) <= 254 else None
    if user is None or not user.is_active:
        return
    token = make_token("reset", {"uid": user.id, "pw": _password_fingerprint(user)})
    queue_mail(user.email, "reset_password", user.language, user=user, token=token)
    audit.record("account.password_reset_requested", actor=user, obj=user)


def user_for_reset_token(token: str) -> User:
    """The user a reset link belongs to; TokenError if it is invalid, expired or used."""
    payload = read_token("reset", token, current_app.config["TOKEN_MAX_AGE_RESET"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active:
        raise TokenError("invalid")
    if payload.get("pw") != _password_fingerprint(user):
        raise TokenError("used")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; signs the user out everywhere."""
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    # Following the link proves control of the address.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.record("account.password_reset", actor=user, obj=user)
    return user


def _set_password(user: User, new_password: str) -> None:
    check_password_policy(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.failed_login_count = 0
    user.login_delay_until = None
    end_all_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password after re-authentication; other sessions end."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    check_password_policy(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user, keep_current=True)
    audit.record("account.password_changed", actor=user, obj=user)


def request_email_change(user: User, current_password: str, new_email: str) -> None:
    """Mail a confirmation link to the new address after re-authentication."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(_l("This is already your e-mail address."), field="email")
    token = make_token("email", {"uid": user.id, "old": user.email, "new": new_email})
    if get_user_by_email(new_email) is None:
        queue_mail(new_email, "confirm_email_change", user.language, user=user, token=token,
                   new_email=new_email)
    queue_mail(user.email, "email_change_notice", user.language, user=user, new_email=new_email)
    audit.record("account.email_change_requested", actor=user, obj=user)


def confirm_email_change(token: str) -> User:
    payload = read_token("email", token, current_app.config["TOKEN_MAX_AGE_VERIFY"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active:
        raise TokenError("invalid")
    if user.email != payload.get("old"):
        raise TokenError("used")
    if get_user_by_email(payload["new"]) is not None:
        raise DomainError(_l("That e-mail address already has an account."))
    user.email = payload["new"]
    user.email_verified_at = utcnow()
    audit.record("account.email_changed", actor=user, obj=user, old=payload["old"])
    return user


def update_profile(user: User, name: str, language: str) -> None:
    user.name = name.strip()
    if language in ("fi", "sv", "en"):
        user.language = language


def logout_everywhere(user: User) -> int:
    count = end_all_sessions(user)
    audit.record("account.logout_everywhere", actor=user, obj=user, sessions=count)
    return count


def export_user_data(user: User) -> Iterator[str]:
    """Everything stored about the user, for the GDPR download: JSON text in chunks, from
    every domain registered with app.core.personal_data (large sections are streamed)."""
    return personal_data.export_json(user)


def deletion_blockers(user: User) -> list[str]:
    """Why the account cannot be deleted yet, from every registered domain (empty: it can)."""
    return personal_data.blockers(user)


def delete_account(user: User, current_password: str) -> None:
    """Remove the person; what they wrote stays with the organisation, shown as a removed user.
    Every registered domain first erases what is the person's, in this transaction."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("The current password is not correct."), field="current_password")
    reasons = deletion_blockers(user)
    if reasons:
        raise DomainError(" ".join(reasons))
    personal_data.erase(user)
    end_all_sessions(user)
    audit.record("account.deleted", actor=user, obj=user)
    user.email = f"deleted-{user.id}@removed.invalid"
    user.name = ""
    user.password_hash = "!"  # noqa: S105 - not a password: a hash that matches nothing
    user.deleted_at = utcnow()
    user.is_admin = False


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
