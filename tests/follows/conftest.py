"""Factories for the follows tests: partner calls and events made as rows (their services
belong to other packages; news reads only the models and their states)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.events.models import Event, EventFormat, EventKind, EventState
from app.follows.models import Follow, FollowKind, FollowSettings
from app.partners.models import PartnerCall, PartnerCallState


@pytest.fixture
def make_partner_call(db, make_organisation):
    """make_partner_call(organisation=None, state="open", regions=(), target_groups=(),
    created=timedelta(hours=-1)) -> PartnerCall"""

    def _make(organisation=None, state="open", regions=(), target_groups=(),
              created=timedelta(hours=-1), title="Etsimme kumppania"):
        call = PartnerCall(organisation=organisation or make_organisation(), title=title,
                           description="Kuvaus", regions=list(regions),
                           target_groups=list(target_groups), state=PartnerCallState(state),
                           created_at=utcnow() + created)
        db.session.add(call)
        db.session.commit()
        return call

    return _make


@pytest.fixture
def make_event(db, make_organisation):
    """make_event(organisation=None, state="published", created=timedelta(hours=-1))"""

    def _make(organisation=None, state="published", created=timedelta(hours=-1),
              title="Infotilaisuus"):
        starts = utcnow() + timedelta(days=14)
        event = Event(organisation=organisation or make_organisation(), kind=EventKind.networking,
                      title=title, starts_at=starts, ends_at=starts + timedelta(hours=2),
                      format=EventFormat.online, online_url="https://example.fi/meet",
                      state=EventState(state), created_at=utcnow() + created)
        db.session.add(event)
        db.session.commit()
        return event

    return _make


@pytest.fixture
def add_follow(db):
    """add_follow(user, kind, target, digest=None): a follow row (and the digest choice)."""

    def _add(user, kind, target, digest=None):
        row = Follow(user_id=user.id, kind=FollowKind(kind), target=str(target))
        db.session.add(row)
        if digest is not None:
            settings = db.session.get(FollowSettings, user.id)
            if settings is None:
                settings = FollowSettings(user_id=user.id)
                db.session.add(settings)
            settings.weekly_digest = digest
        db.session.commit()
        return row

    return _add
