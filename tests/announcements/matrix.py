"""Authorization-matrix rows for the announcements blueprint (see
tests/security/test_authorization_matrix.py).

The announcement the rows ask about is a DRAFT of the world's ELY-centre on its open matrix
call (announcement_args): only the centre's call managers and administrators see or touch it;
a plain member of the centre (the reviewers) gets 404 like any outsider. The theme is the
matrix call's ("Teema")."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in  # noqa: F401

MANAGERS = {"call_manager": 200, "admin": 200}
ACTED = {"call_manager": 302, "admin": 302}

MATRIX: dict = {
    "announcements.index": {"GET": every(200)},
    "announcements.detail": {"GET": every(404, **MANAGERS)},
    "announcements.feed": {"GET": every(200)},
    "announcements.themes": {"GET": every(200)},
    "announcements.theme": {"GET": every(200)},
    "announcements.manage": {"GET": signed_in(403, **MANAGERS)},
    # An empty POST is refused input: 422 with the form (the matrix accepts it for 200).
    "announcements.announcement_new": {"GET": signed_in(403, **MANAGERS),
                                       "POST": signed_in(403, **MANAGERS)},
    "announcements.announcement_edit": {"GET": signed_in(404, **MANAGERS),
                                        "POST": signed_in(404, **MANAGERS)},
    "announcements.announcement_publish": {"POST": signed_in(404, **ACTED)},
    "announcements.announcement_withdraw": {"GET": signed_in(404, **MANAGERS),
                                            "POST": signed_in(404, **ACTED)},
}


def announcement_args(people, call_args) -> dict:
    """A draft announcement of the matrix call, written by the world's call manager through
    the service; the URL arguments of the announcement rows."""
    from app.announcements import services
    from app.calls.models import Call
    from app.extensions import db
    from app.organisations.services import forget_memberships

    call = db.session.get(Call, call_args["call_id"])
    announcement = services.create_announcement(
        people["call_manager"], call.organisation,
        services.AnnouncementInput(kind="info_session", language="fi",
                                   title="Matriisitiedote", body="Tiedote.", call_id=call.id))
    db.session.commit()
    forget_memberships()
    return {**call_args, "announcement_id": announcement.id, "theme": "Teema"}
