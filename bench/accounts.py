"""Registration timing for a new and an existing address (issue 12 §1): prints the medians.

    .venv/bin/python bench/accounts.py [runs]

Uses a throw-away SQLite database; both medians should be about the same (one argon2 hash).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(runs: int = 7) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    root = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'b.db'}",
                              "INSTANCE_DIR": root, "MAIL_DIR": str(root / "mail"),
                              "UPLOAD_DIR": str(root / "uploads"),
                              "SEARCH_INDEX_DIR": str(root / "index"), "RATELIMIT_ENABLED": False,
                              "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    client = app.test_client()

    def register(email: str) -> float:
        started = time.perf_counter()
        response = client.post("/register", data={
            "name": "Bench", "email": email, "password": "vihreä kettu juoksee",
            "password_again": "vihreä kettu juoksee", "language": "en"})
        assert response.status_code == 302, response.status_code
        return time.perf_counter() - started

    register("existing@example.fi")
    fresh = [register(f"new{n}@example.fi") for n in range(runs)]
    existing = [register("existing@example.fi") for _ in range(runs)]
    print(f"new address:      median {statistics.median(fresh) * 1000:.0f} ms ({runs} runs)")
    print(f"existing address: median {statistics.median(existing) * 1000:.0f} ms ({runs} runs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
