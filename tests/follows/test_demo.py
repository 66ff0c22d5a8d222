"""The follows demo step: the demo NGO person follows a staffing firm, Osatyökykyiset and
Etelä-Savo with the digest on; a second run adds nothing. (The whole seed runs in tests/demo.)"""

from __future__ import annotations

from sqlalchemy import select

from app.demo import follows_data
from app.demo.seed import STEPS, SeedContext
from app.follows.models import Follow, FollowSettings


def test_the_demo_step(db, make_user, make_organisation):
    assert ("follows", follows_data.seed_follows) in STEPS
    ctx = SeedContext(db.session)
    sanna = make_user(email=follows_data.FOLLOWER)
    firm = make_organisation(name="Työvoima Saimaa Oy", type="staffing_firm")
    ctx.users[follows_data.FOLLOWER] = sanna
    ctx.organisations[follows_data.ORGANISATION] = firm
    assert follows_data.seed_follows(db.session, ctx) == 3
    db.session.commit()
    rows = {(str(f.kind), f.target) for f in db.session.scalars(
        select(Follow).where(Follow.user_id == sanna.id))}
    assert rows == {("organisation", str(firm.id)),
                    ("target_group", "partially_able_to_work"), ("region", "MK10")}
    assert db.session.get(FollowSettings, sanna.id).weekly_digest is True
    assert follows_data.seed_follows(db.session, ctx) == 0
