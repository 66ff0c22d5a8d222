"""An Atom 1.0 feed of published calls (newest first), built with xml.etree so every text is
escaped by the serializer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Response, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.calls import bp, clock
from app.calls.models import Call, CallState
from app.core.codelists import current_language
from app.core.db import ensure_aware
from app.core.markdown import plain_text
from app.extensions import db

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _stamp(value: datetime | None) -> str:
    return (ensure_aware(value) or EPOCH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _summary(call: Call, language: str) -> str:
    from app.calls.money import format_money
    from app.core.templating import local_datetime

    parts = [call.theme]
    if call.opens_at and call.closes_at:
        parts.append(f"{local_datetime(call.opens_at)} – {local_datetime(call.closes_at)}")
    parts.append(format_money(call.total_budget_cents))
    parts.append(plain_text(call.description(language), limit=600))
    return "\n".join(part for part in parts if part)


def build_feed(calls: list[Call], language: str, now: datetime) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    self_url = url_for("calls.feed", _external=True)
    _sub(feed, "id", self_url)
    _sub(feed, "title", "Kohtaamo – ESF+")
    _sub(feed, "link", href=self_url, rel="self", type="application/atom+xml")
    _sub(feed, "link", href=url_for("calls.index", _external=True), rel="alternate",
         type="text/html")
    updated = max((ensure_aware(c.updated_at) for c in calls), default=None)
    _sub(feed, "updated", _stamp(updated or now))
    _sub(_sub(feed, "author"), "name", "Kohtaamo")
    for call in calls:
        url = url_for("calls.detail", call_id=call.id, _external=True)
        entry = _sub(feed, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", call.title(language))
        _sub(entry, "link", href=url, rel="alternate", type="text/html")
        _sub(entry, "published", _stamp(call.published_at or call.created_at))
        _sub(entry, "updated", _stamp(call.updated_at))
        _sub(_sub(entry, "author"), "name", call.organisation.name)
        phase = call.phase(now)
        _sub(entry, "category", term=phase.value)
        _sub(entry, "summary", _summary(call, language), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/feeds/calls.atom")
def feed():
    now = clock.now()
    calls = list(db.session.scalars(
        select(Call).options(joinedload(Call.organisation))
        .where(Call.state == CallState.published)
        .order_by(Call.published_at.desc(), Call.id.desc()).limit(FEED_SIZE)
    ))
    body = build_feed(calls, current_language(), now)
    response = Response(body, content_type="application/atom+xml; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Accept-Language")
    return response

