"""An Atom 1.0 feed of open partner calls (newest first), built with app.core.atom (xml.etree,
so every text is escaped by the serializer). Closed and expired calls are left out."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import atom, clock
from app.core.codelists import ORGANISATION_TYPES, current_language
from app.core.db import ensure_aware
from app.core.markdown import plain_text
from app.extensions import db
from app.organisations.models import Organisation, OrganisationStatus
from app.partners import bp, services
from app.partners.models import PartnerCall

FEED_SIZE = 50


def _summary(partner_call: PartnerCall) -> str:
    from app.core.templating import local_date

    parts = [partner_call.partner_kind]
    if partner_call.deadline:
        parts.append(f"{local_date(partner_call.deadline)}")
    parts.append(plain_text(partner_call.description, limit=600))
    return "\n".join(part for part in parts if part)


@bp.get("/partner-calls.atom")
def feed():
    now = clock.now()
    calls = list(db.session.scalars(
        select(PartnerCall).join(PartnerCall.organisation)
        .options(joinedload(PartnerCall.organisation))
        .where(Organisation.status == OrganisationStatus.verified, services.open_condition())
        .order_by(PartnerCall.created_at.desc(), PartnerCall.id.desc()).limit(FEED_SIZE)))
    language = current_language()
    self_url = url_for("partners.feed", _external=True)
    updated = max((ensure_aware(c.updated_at) for c in calls), default=None)
    document = atom.new_feed(feed_id=self_url, title="Kohtaamo – " + str(_feed_title()),
                             self_url=self_url,
                             alternate_url=url_for("partners.index", _external=True),
                             updated=updated or now, language=language)
    for partner_call in calls:
        url = url_for("partners.detail", partner_call_id=partner_call.id, _external=True)
        atom.add_entry(
            document, entry_id=url, title=partner_call.title, url=url,
            updated=partner_call.updated_at, published=partner_call.created_at,
            author=partner_call.organisation.display_name, summary=_summary(partner_call),
            categories=[(code, ORGANISATION_TYPES.label(code, language))
                        for code in partner_call.partner_types or []])
    return atom.atom_response(document)


def _feed_title():
    from flask_babel import gettext

    return gettext("Partner calls")
