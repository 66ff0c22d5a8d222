"""Authorization-matrix rows for the read-only JSON API under /api/v1: public GETs, the same
answer for everyone (signed in or not, htmx or not).

The detail rows need URL arguments that the world of tests/security/test_authorization_matrix.py
builds for other blueprints: `api_args` collects them. The published service model and the
open call of the world answer 200, organisation A (verified) 200, and the world's application,
which is submitted but not approved, is no project: 404 for everyone, its own organisation
and the call manager included.
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import every

MATRIX = {
    "api.practices": {"GET": every(200)},
    "api.practice": {"GET": every(200)},
    "api.organisations": {"GET": every(200)},
    "api.organisation": {"GET": every(200)},
    "api.calls": {"GET": every(200)},
    "api.call": {"GET": every(200)},
    "api.projects": {"GET": every(200)},
    "api.project": {"GET": every(404)},
    "api.openapi_document": {"GET": every(200)},
}


def api_args(args: dict, scoped: dict, organisation_a) -> dict:
    """The URL arguments of the API rows, from the world's objects: in the `world` fixture,
    `scoped["api"] = api_args(args, scoped, a)` once the practices and calls scopes exist."""
    return {
        **args,
        "practice_id": scoped["practices"]["practice_id"],
        "call_id": scoped["calls"]["call_id"],
        "organisation_id": organisation_a.id,
        "project_id": scoped["calls"]["application_id"],
    }
