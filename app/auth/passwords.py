"""Password hashing (argon2id) and the password policy of SECURITY.md."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's defaults
# Verified against when the e-mail is unknown, so that both failures take the same time.
_DUMMY_HASH = _hasher.hash("kohtaamo-dummy-password-for-timing")

# Finnish and Swedish additions to the general list.
_LOCAL_COMMON = {
    "salasana123", "salasana1234", "salasana12345", "qwertyuiopå", "kissakissa", "salasanani",
    "lösenord123", "lösenord1234", "hyvääpäivää", "suomi12345", "helsinki123", "tampere123",
    "kohtaamo123", "kohtaamo2025", "kohtaamo2026", "perkele123", "joulupukki", "mansikka12",
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """About 30,000 common passwords (zxcvbn's list) plus local ones, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | _LOCAL_COMMON


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A code for what is wrong with a new password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) < 4:
        return "common"
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and lowered in {local, email.lower()}:
        return "personal"
    return None
