"""What follows hold about a person: what they follow, their digest choice and when they last
saw their news, and the digests sent to them. All of it is erased with the account.

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from app.core import personal_data
from app.extensions import db
from app.follows import services
from app.follows.models import DigestSent, Follow, FollowKind, FollowSettings


def export_follows(user) -> dict:
    """What the person follows (with names), their settings and the digests sent."""
    follows = services.follows_of(user)
    names = services.organisation_names(int(f.target) for f in follows
                                        if f.kind == FollowKind.organisation
                                        and f.target.isdigit())
    settings = services.settings_of(user)
    digests = db.session.scalars(select(DigestSent).where(DigestSent.user_id == user.id)
                                 .order_by(DigestSent.id))
    return {
        "follows": [{"kind": str(f.kind), "target": f.target,
                     "name": services.target_label(f.kind, f.target, names),
                     "created_at": f.created_at} for f in follows],
        "follow_settings": {
            "weekly_digest": bool(settings and settings.weekly_digest),
            "news_seen_at": settings.seen_at if settings else None,
        },
        "follow_digests_sent": [{"period": d.period, "items": d.item_count,
                                 "sent_at": d.sent_at} for d in digests],
    }


def erase_follows(user) -> None:
    """Delete the person's follows, settings and digest records."""
    for model in (Follow, DigestSent, FollowSettings):
        db.session.execute(delete(model).where(model.user_id == user.id))


personal_data.register("follows", exporter=export_follows, eraser=erase_follows)
