"""The demo announcements (app/demo/announcements_data.py): one per published demo call, one on
a theme, one in Swedish, the newest on the home page; a second seed makes nothing. One test:
seeding the demo takes a while."""

from __future__ import annotations

from sqlalchemy import func, select

from app.announcements import permissions
from app.announcements.models import Announcement
from app.calls.models import Call, CallState
from app.demo.calls_data import THEME
from app.demo.seed import seed_demo
from app.organisations.services import forget_memberships


def test_the_demo_announces_on_every_call_and_a_theme(db, client):
    seed_demo(db.session)
    db.session.commit()
    forget_memberships()
    announcements = list(db.session.scalars(select(Announcement)))
    assert announcements and all(permissions.is_public(a) for a in announcements)
    published_calls = set(db.session.scalars(select(Call.id).where(
        Call.state == CallState.published)))
    assert published_calls <= {a.call_id for a in announcements}
    assert any(a.call_id is None and a.theme == THEME for a in announcements)
    assert {"fi", "sv"} <= {a.language for a in announcements}
    assert {"info_session", "change", "results"} <= {a.kind.value for a in announcements}
    assert all(a.author_id is not None for a in announcements)
    assert "New announcements" in client.get("/").get_data(as_text=True)

    before = db.session.scalar(select(func.count(Announcement.id)))
    again = seed_demo(db.session)
    db.session.commit()
    assert again.created["announcements"] == 0
    assert db.session.scalar(select(func.count(Announcement.id))) == before
