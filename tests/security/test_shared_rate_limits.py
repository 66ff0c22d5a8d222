"""With RATELIMIT_STORAGE_URI on Redis, every worker counts the same budget (issue 12, §1).

A real redis-server of the test's own listens on 127.0.0.1 and a free port (no persistence).
Two separate processes, each with an application of its own, stand for two gunicorn workers
(in one process the limiter extension would share its storage anyway, proving nothing): the
attempts over the login limit are refused by the second after the first spent the budget.
With the default `memory://` the second would count alone and let them through. When Redis
goes down, sign-in keeps answering (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: each worker counts in
its memory until Redis is back), never a 500.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.servers import redis_server as running_redis
from tests.fixtures.servers import stop

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 3

# One "worker": an app of its own; each line on stdin is a number of sign-in posts to make,
# answered with their status codes as a JSON list.
WORKER = """
import json, sys
from app import create_app
app = create_app("test", {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "INSTANCE_DIR": sys.argv[2],
                          "WTF_CSRF_ENABLED": False})
client = app.test_client()
print("ready", flush=True)
for line in sys.stdin:
    codes = [client.post("/login", data={}, headers={"Accept-Language": "en"}).status_code
             for _ in range(int(line))]
    print(json.dumps(codes), flush=True)
"""


@pytest.fixture
def redis_server(tmp_path):
    with running_redis(tmp_path, "the shared rate-limit test") as found:
        yield found


class _Worker:
    def __init__(self, tmp_path: Path, name: str, storage: str):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("RATELIMIT_") and key != "TEST_DATABASE_URL"}
        env.update({"RATELIMIT_STORAGE_URI": storage, "RATELIMIT_LOGIN": f"{LIMIT} per minute",
                    "PYTHONPATH": str(ROOT)})
        folder = tmp_path / name
        folder.mkdir()
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, f"sqlite:///{folder / 'w.db'}", str(folder)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)

    def _line(self, timeout: float = 90) -> str:
        # One line is awaited at a time, so nothing waits unseen in the pipe's buffer.
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert readable, f"the worker did not answer within {timeout} s"
        line = self.process.stdout.readline()
        assert line, f"the worker exited with {self.process.poll()}"
        return line.strip()

    def wait_ready(self) -> None:
        assert self._line() == "ready"

    def posts(self, count: int) -> list[int]:
        self.process.stdin.write(f"{count}\n")
        self.process.stdin.flush()
        return json.loads(self._line())

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdin.close()
        self.process.stdout.close()


def test_two_workers_share_one_login_budget_in_redis(tmp_path, redis_server):
    import redis

    redis_url, server = redis_server
    first, second = (_Worker(tmp_path, name, redis_url) for name in ("first", "second"))
    try:
        first.wait_ready()
        second.wait_ready()
        spent = first.posts(LIMIT)
        over = second.posts(2)
        # the counter lives in Redis, not in either process
        with redis.Redis.from_url(redis_url) as client:
            keys = client.keys("*")
        # Redis goes down: sign-in still answers, counted in each worker's memory meanwhile
        stop(server)
        during_outage = second.posts(LIMIT + 1)
    finally:
        first.stop()
        second.stop()
    assert 429 not in spent and all(code < 500 for code in spent), spent
    assert over == [429, 429], over
    assert any(b"login" in key for key in keys), keys
    assert all(code < 500 for code in during_outage), during_outage
    assert during_outage[:LIMIT].count(429) == 0 and during_outage[LIMIT] == 429, during_outage
