"""The follows demo: Sanna Hyvärinen (Savon Työvalmennus ry) follows the staffing firm
Työvoima Saimaa Oy, the target group "Osatyökykyiset" and the region Etelä-Savo, with the
weekly digest on, so that her What's new page and the header's count show the demo's models,
partner calls, events and calls.

Made once: a re-run finds her follows and adds nothing (nor brings back one she removed).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.follows.models import Follow, FollowKind, FollowSettings

FOLLOWER = data._email("sanna.hyvarinen")
ORGANISATION = "staffing-tyovoima-saimaa"
TARGET_GROUP = "partially_able_to_work"  # Osatyökykyiset
REGION = "MK10"  # Etelä-Savo


def seed_follows(session: Session, ctx) -> int:
    """Add the demo person's follows and digest choice unless she follows something."""
    user = ctx.user(FOLLOWER)
    if session.scalar(select(Follow.id).where(Follow.user_id == user.id).limit(1)):
        return 0
    organisation = ctx.organisation(ORGANISATION)
    rows = [Follow(user_id=user.id, kind=FollowKind.organisation, target=str(organisation.id)),
            Follow(user_id=user.id, kind=FollowKind.target_group, target=TARGET_GROUP),
            Follow(user_id=user.id, kind=FollowKind.region, target=REGION)]
    session.add_all(rows)
    settings = session.get(FollowSettings, user.id)
    if settings is None:
        session.add(FollowSettings(user_id=user.id, weekly_digest=True))
    else:
        settings.weekly_digest = True
    session.flush()
    return len(rows)
