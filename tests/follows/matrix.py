"""Authorization-matrix rows for the follows blueprint (see
tests/security/test_authorization_matrix.py).

Everything is a signed-in person's own: anonymous people are sent to log in; everyone signed
in follows organisation A (verified, public) and reads their own pages. The follow the world
gets belongs to owner_a: only they may remove it (302), everyone else gets 404. The empty POST
of the add forms is refused input (422); the digest form's empty POST is "digest off" (302)."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in  # noqa: F401


def follow_args(people, args) -> dict:
    """owner_a follows Uusimaa: the row the remove route is asked about."""
    from app.extensions import db
    from app.follows.models import Follow, FollowKind

    row = Follow(user_id=people["owner_a"].id, kind=FollowKind.region, target="MK01")
    db.session.add(row)
    db.session.commit()
    return {**args, "follow_id": row.id}


MATRIX: dict = {
    "follows.following": {"GET": signed_in(200)},
    "follows.whats_new": {"GET": signed_in(200)},
    "follows.add_target_group": {"POST": signed_in(422)},
    "follows.add_region": {"POST": signed_in(422)},
    "follows.remove": {"POST": signed_in(404, owner_a=302)},
    "follows.digest_settings": {"POST": signed_in(302)},
    "follows.organisation_toggle": {"POST": signed_in(302)},
}
