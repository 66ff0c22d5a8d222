"""Factories for partner calls and their threads."""

from __future__ import annotations

import pytest

from app.extensions import db as _db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.partners import services
from tests.partners.support import call_values


@pytest.fixture
def make_partner_call(db, make_organisation, make_user):
    """make_partner_call(organisation=None, writer=None, **values) -> PartnerCall (committed)."""

    def _make(organisation=None, writer=None, **values):
        if organisation is None:
            writer = writer or make_user()
            organisation = make_organisation(type="staffing_firm", owner=writer)
        if writer is None:
            writer = next(m.user for m in organisation.memberships if m.role == Role.owner)
        partner_call = services.create_partner_call(writer, organisation, call_values(**values))
        _db.session.commit()
        forget_memberships()
        return partner_call

    return _make


@pytest.fixture
def answer(db):
    """answer(partner_call, organisation, writer, body="...") -> PartnerMessage (committed)."""

    def _answer(partner_call, organisation, writer, body="Kiinnostaa, olemme mukana."):
        message = services.answer_partner_call(writer, partner_call, organisation, body)
        _db.session.commit()
        forget_memberships()
        return message

    return _answer
