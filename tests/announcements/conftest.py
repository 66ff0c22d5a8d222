"""Fixtures of the announcement tests: an ELY-centre with an open call and its call manager,
and a factory that writes announcements through the services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.announcements import services
from app.organisations.services import forget_memberships

THEME = "Uusia työmahdollisuuksia työpaikkoja kehittämällä"  # the make_call default theme


@dataclass
class Authority:
    ely: object
    call: object
    manager: object


@pytest.fixture
def authority(make_call):
    """An ELY-centre, its open call (theme THEME) and the call manager who made it."""
    from tests.fixtures.calls import call_manager_of

    call = make_call(title_fi="Tiedotehaku")
    return Authority(ely=call.organisation, call=call, manager=call_manager_of(call))


@pytest.fixture
def announce(db):
    """announce(actor, organisation, title=..., publish=True, now=None, **values) -> a saved
    announcement, made through the service and committed."""

    def _make(actor, organisation, title="Infotilaisuus", publish=True, now=None, **values):
        values.setdefault("kind", "info_session")
        values.setdefault("language", "fi")
        values.setdefault("body", "Tervetuloa infoon.")
        announcement = services.create_announcement(
            actor, organisation, services.AnnouncementInput(title=title, **values),
            publish=publish, now=now)
        db.session.commit()
        forget_memberships()
        return announcement

    return _make
