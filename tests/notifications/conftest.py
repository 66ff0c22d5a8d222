"""A scene for the notification tests: an ELY-centre with a presenting officer (its call
manager) and two reviewers, an open call, and a submitted application by Hakija ry."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.core.outbox import OutboundMail
from app.notifications.models import Notification
from app.organisations.models import Role
from app.organisations.services import forget_memberships


@dataclass
class Scene:
    ely: object
    officer: object
    reviewer: object
    other_reviewer: object
    call: object
    lead: object
    lead_owner: object
    application: object


@pytest.fixture
def scene(db, make_user, make_organisation, add_member, make_call, make_application) -> Scene:
    ely = make_organisation(name="Arvioinnin ELY-keskus", type="regional_authority")
    officer = make_user(name="Esittelijä Eeva")
    add_member(ely, officer, Role.member, call_manager=True)
    reviewer = make_user(name="Arvioija Aino")
    add_member(ely, reviewer, Role.member, reviewer=True)
    other_reviewer = make_user(name="Arvioija Otto")
    add_member(ely, other_reviewer, Role.member, reviewer=True)
    call = make_call(ely=ely, eligible=("ngo",), title_en="Jobs together call")
    lead_owner = make_user(name="Hakija Hanna")
    lead = make_organisation(name="Hakija ry", owner=lead_owner)
    application = make_application(call=call, organisation=lead, writer=lead_owner,
                                   state="submitted", project_name="Töihin yhdessä")
    forget_memberships()
    return Scene(ely, officer, reviewer, other_reviewer, call, lead, lead_owner, application)


def notices_of(db, user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def mails_to(db, user) -> list[OutboundMail]:
    return list(db.session.scalars(
        select(OutboundMail).where(OutboundMail.recipient == user.email)
        .order_by(OutboundMail.id)))
