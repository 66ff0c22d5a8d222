"""An Atom 1.0 feed of published calls (newest first), built with app.core.atom (xml.etree,
so every text is escaped by the serializer)."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.calls import bp
from app.calls.models import Call, CallState
from app.core import atom, clock
from app.core.codelists import current_language
from app.core.db import ensure_aware
from app.core.markdown import plain_text
from app.extensions import db

FEED_SIZE = 50


def _summary(call: Call, language: str) -> str:
    from app.core.money import format_money
    from app.core.templating import local_datetime

    parts = [call.theme]
    if call.opens_at and call.closes_at:
        parts.append(f"{local_datetime(call.opens_at)} – {local_datetime(call.closes_at)}")
    parts.append(format_money(call.total_budget_cents))
    parts.append(plain_text(call.description(language), limit=600))
    return "\n".join(part for part in parts if part)


def build_feed(calls: list[Call], language: str, now: datetime):
    """The feed element (serialise with atom.to_bytes or answer with atom.atom_response)."""
    self_url = url_for("calls.feed", _external=True)
    updated = max((ensure_aware(c.updated_at) for c in calls), default=None)
    feed = atom.new_feed(feed_id=self_url, title="Kohtaamo – ESF+", self_url=self_url,
                         alternate_url=url_for("calls.index", _external=True),
                         updated=updated or now, language=language)
    for call in calls:
        url = url_for("calls.detail", call_id=call.id, _external=True)
        atom.add_entry(
            feed, entry_id=url, title=call.title(language), url=url,
            updated=call.updated_at, published=call.published_at or call.created_at,
            author=call.authority_label, summary=_summary(call, language),
            categories=[(call.phase(now).value, None)],
            # a title in another language than the reader's is marked with its own
            language=shown if (shown := call.title_language(language)) != language else None,
        )
    return feed


@bp.get("/feeds/calls.atom")
def feed():
    now = clock.now()
    calls = list(db.session.scalars(
        select(Call).options(joinedload(Call.organisation))
        .where(Call.state == CallState.published)
        .order_by(Call.published_at.desc(), Call.id.desc()).limit(FEED_SIZE)
    ))
    return atom.atom_response(build_feed(calls, current_language(), now))
