"""Flask extensions, created unbound and wired in `create_app`."""

from __future__ import annotations

import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class InlineExpiryMemoryStorage(MemoryStorage):
    """limits' in-process storage (`RATELIMIT_STORAGE_URI=memory://`, the default: each worker
    counts alone) without its expiry thread.

    limits' MemoryStorage starts a threading.Timer on every hit that finds none running, to
    drop expired counters 10 ms later: a new thread for nearly every request, which wakes in
    the middle of the next one and takes the interpreter from it. Under gunicorn that made the
    search page's p95 24-29 ms where Redis storage gave 20-23 (issue 13 §5, bench/RESULTS.md).
    An expired counter is already ignored when read (MemoryStorage.get); here expired ones are
    dropped by a hit at most every EXPIRE_EVERY seconds, in the request. Registered under
    limits' own scheme, so `memory://` means this class (this module is imported before the
    limiter reads its configuration)."""

    STORAGE_SCHEME = ["memory"]
    EXPIRE_EVERY = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one MemoryStorage starts as it is made
        self.timer.join()
        self._expires_at = time.monotonic() + self.EXPIRE_EVERY

    def _MemoryStorage__schedule_expiry(self) -> None:  # MemoryStorage's hook, on every hit
        now = time.monotonic()
        if now >= self._expires_at:
            self._expires_at = now + self.EXPIRE_EVERY
            self._MemoryStorage__expire_events()


limiter = Limiter(key_func=get_remote_address, default_limits=[])
