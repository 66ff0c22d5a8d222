"""Health checks for a load balancer.

- `GET /healthz`: the process answers (no database, no index): 200 "ok".
- `GET /readyz`: the database answers `SELECT 1` within a short timeout and the search index
  can be read; JSON with each check and the index's lag (changes not yet applied). 200 when
  ready, 503 naming the check that failed (an unusable index: `problem` says why). An index
  that reads but could not be written lately stays ready with a `warning` (the last error).

Neither is rate-limited, sets a cookie or may be cached.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, jsonify
from sqlalchemy import func, select, text

from app.extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

STATEMENT_TIMEOUT_MS = 2000


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(Response("ok\n", 200, mimetype="text/plain"))


@bp.get("/readyz")
def readyz():
    checks: dict = {}
    ready = True
    started = time.perf_counter()
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True,
                              "ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readyz: database check failed: %s", type(error).__name__)
        db.session.rollback()
        checks["database"] = {"ok": False, "error": type(error).__name__}
        ready = False
    checks["search_index"] = _index_check(database_ok=ready)
    ready = ready and checks["search_index"]["ok"]
    db.session.rollback()  # ends the read transaction
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return _no_store(response)


def _index_check(database_ok: bool) -> dict:
    from app.core.changes import SearchChange
    from app.search import store
    from app.search.indexer import IndexState

    try:
        handle = store.get_handle()
        if handle is None:
            return {"ok": False, "error": "no index"}
        with handle.lock:
            state = IndexState.read(handle.searcher)
        result = {"ok": True, "last_change": state.last_change}
    except store.IndexProblem as problem:  # corrupt, or another schema: `flask search rebuild`
        log.warning("readyz: search index unusable: %s", problem)
        return {"ok": False, "error": "IndexProblem", "problem": str(problem)}
    except Exception as error:  # noqa: BLE001 - an unreadable index means "not ready"
        log.warning("readyz: search index check failed: %s", type(error).__name__)
        return {"ok": False, "error": type(error).__name__}
    # The index reads but could not be written lately (read-only, disk full): still ready.
    last = store.read_status(store.index_root())
    if last["current"]:
        result["warning"] = last["error"].get("message", "")
        result["warning_at"] = last["error"].get("at")
    if database_ok:
        try:
            result["lag"] = db.session.scalar(
                select(func.count(SearchChange.id)).where(SearchChange.id > state.last_change)
            ) or 0
        except Exception as error:  # noqa: BLE001
            db.session.rollback()
            result["lag"] = None
            result["lag_error"] = type(error).__name__
    return result
