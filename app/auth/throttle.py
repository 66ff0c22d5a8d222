"""Sign-in throttling that an attacker cannot turn against the owner.

Two counters (SECURITY.md, issue 12):

- per account *and source*: after ACCOUNT_SOURCE_FAILURE_LIMIT failures within
  ACCOUNT_FAILURE_WINDOW, that source is refused for that account until the window moves on.
  A source is the client address (the real one: the app trusts the configured proxy hops), or
  a known device's own id, so that an attacker sharing the owner's address (a NAT) cannot lock
  the owner's own browser. Counted in the rate limiter's storage (Redis in production, shared
  by every worker; the in-memory default counts per worker, which still bounds guessing): the
  number of sources is unbounded, and a database row per address would give an attacker a way
  to fill the database.
- per account from all sources: the User columns. Past ACCOUNT_FAILURE_LIMIT the account is
  paused for ACCOUNT_FAILURE_DELAY, for unknown devices only: a known device (a signed cookie
  set at a successful sign-in, bound to the user and the password) or a browser unlocked by a
  mailed link still signs in with the right password.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from flask import current_app
from limits import RateLimitItemPerSecond
from limits.strategies import MovingWindowRateLimiter

from app.core.tokens import TokenError, make_token, read_token
from app.extensions import limiter

log = logging.getLogger(__name__)

DEVICE_PURPOSE = "device"


def _item() -> RateLimitItemPerSecond:
    config = current_app.config
    return RateLimitItemPerSecond(config["ACCOUNT_SOURCE_FAILURE_LIMIT"],
                                  max(1, int(config["ACCOUNT_FAILURE_WINDOW"].total_seconds())))


def _strategy() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _key(account: str, source: str) -> tuple[str, str]:
    # The account is a hash of the normalised address: unknown addresses are counted the same
    # way as known ones (the same work and the same answer), and no address is stored.
    return "kohtaamo-login-failures", hashlib.sha256(f"{account}|{source}".encode()).hexdigest()


def source_paused(account: str, source: str) -> bool:
    """True when this source has used up its failures for this account."""
    try:
        return not _strategy().test(_item(), *_key(account, source))
    except Exception:  # a storage outage must not stop every sign-in; the account counter holds
        log.warning("login throttle storage unavailable", exc_info=True)
        return False


def count_source_failure(account: str, source: str) -> bool:
    """Count one failure; True when this one used up the source's allowance (a new pause)."""
    try:
        strategy = _strategy()
        strategy.hit(_item(), *_key(account, source))
        return not strategy.test(_item(), *_key(account, source))
    except Exception:
        log.warning("login throttle storage unavailable", exc_info=True)
        return False


def clear_source(account: str, source: str) -> None:
    """Forget a source's failures after it signed in (the owner's typos do not add up)."""
    try:
        _strategy().clear(_item(), *_key(account, source))
    except Exception:
        log.warning("login throttle storage unavailable", exc_info=True)


# --- known devices ---------------------------------------------------------------------------


def password_fingerprint(password_hash: str) -> str:
    """Changes with the password: device cookies and links made before stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def device_cookie_name() -> str:
    secure = current_app.config.get("SESSION_COOKIE_SECURE", True)
    return "__Host-device" if secure else "kohtaamo_device"


def make_device_token(user) -> str:
    """The value of a known-device cookie for `user`."""
    return make_token(DEVICE_PURPOSE, {"uid": user.id,
                                       "pw": password_fingerprint(user.password_hash),
                                       "d": secrets.token_hex(8)})


def known_device(token: str | None, user) -> str | None:
    """The device id when `token` is a valid known-device cookie of `user`, else None."""
    if not token or user is None:
        return None
    try:
        payload = read_token(DEVICE_PURPOSE, token,
                             int(current_app.config["KNOWN_DEVICE_LIFETIME"].total_seconds()))
    except TokenError:
        return None
    if payload.get("uid") != user.id:
        return None
    if payload.get("pw") != password_fingerprint(user.password_hash):
        return None
    device = payload.get("d")
    return device if isinstance(device, str) else None


def set_device_cookie(response, token: str) -> None:
    config = current_app.config
    response.set_cookie(
        device_cookie_name(), token,
        max_age=int(config["KNOWN_DEVICE_LIFETIME"].total_seconds()),
        path="/", secure=config.get("SESSION_COOKIE_SECURE", True), httponly=True,
        samesite="Lax",
    )
