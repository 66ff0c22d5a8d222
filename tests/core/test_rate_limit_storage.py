"""The limiter's in-process storage (`memory://`, the default): counts as limits' own does,
but a hit starts no thread (limits' MemoryStorage started a timer thread for nearly every
request, which then woke in the middle of the next one: issue 13 §5), and expired counters are
still dropped."""

from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from app.extensions import InlineExpiryMemoryStorage, limiter


def _timers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.is_alive()]


def test_memory_uri_means_the_storage_without_a_thread(app, client):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limiter.storage, InlineExpiryMemoryStorage)
    before = {t.ident for t in threading.enumerate()}
    for i in range(5):  # each search hits three counters (two limits and the repeat check)
        assert client.get(f"/search?q=sana{i}").status_code == 200
    assert _timers() == []
    assert {t.ident for t in threading.enumerate()} <= before
    assert limiter.storage.storage  # the searches were counted


def test_counters_limit_and_expire_as_limits_own():
    storage = InlineExpiryMemoryStorage("memory://")
    assert _timers() == []
    one_second = RateLimitItemPerSecond(2, 1)
    for strategy in (FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)):
        assert strategy.hit(one_second, "client")
        assert strategy.hit(one_second, "client")
        assert not strategy.hit(one_second, "client")
        assert strategy.hit(one_second, "another client")
    assert storage.storage and storage.events
    storage.EXPIRE_EVERY = 0  # drop expired counters at the next hit
    time.sleep(1.05)
    assert FixedWindowRateLimiter(storage).hit(one_second, "client")  # a new window
    assert set(storage.storage) == {"LIMITER/client/2/1/second"}  # the others were dropped
    assert not any(storage.events.values())  # the moving windows emptied
    assert _timers() == []
