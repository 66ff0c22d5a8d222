"""iCalendar (RFC 5545) files of events: one event's file and the feed of all events.

Times are written in UTC (`DTSTART:20260310T080000Z`): every calendar shows them in its own
zone, and no VTIMEZONE is needed. The UID is stable (`event-<id>@<host>`) and SEQUENCE is the
event's lock_version, so a calendar replaces its copy when the event changes or is
cancelled (STATUS:CANCELLED)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

import nh3
from flask import current_app, request, url_for
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from app.core import clock
from app.core.db import ensure_aware
from app.core.email import site_urls
from app.core.markdown import render_markdown
from app.events.models import Event, EventFormat, EventState

PRODID = "-//Kohtaamo//Events//FI"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    """SERVER_NAME, else SERVER_BASE_URL's host name, else the request's: never from a Host
    header where the site's address is configured (a cached feed must not carry a forged
    one), and the same on every server so that calendars update their copy."""
    configured = current_app.config.get("SERVER_NAME") or urlsplit(
        current_app.config.get("SERVER_BASE_URL") or "").hostname
    return configured or request.host.split(":")[0]


def uid(event: Event) -> str:
    return f"event-{event.id}@{_host()}"


def plain_text(markdown_text: str) -> str:
    """The description as plain text: rendered, cleaned of every tag, entities decoded."""
    rendered = str(render_markdown(markdown_text or ""))
    return html.unescape(nh3.clean(rendered, tags=set())).strip()


def _utc(value):
    return ensure_aware(value).astimezone(UTC)


def _vevent(event: Event, stamp) -> VEvent:
    item = VEvent()
    item.add("uid", uid(event))
    item.add("sequence", event.lock_version or 0)
    item.add("dtstamp", stamp)
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("summary", event.title)
    description = plain_text(event.description)
    if event.state == EventState.cancelled and event.cancel_reason:
        description = f"{event.cancel_reason}\n\n{description}".strip()
    if description:
        item.add("description", description)
    location = event.place if event.format != EventFormat.online else ""
    if location:
        item.add("location", location)
    with site_urls():  # on SERVER_BASE_URL, like the links in mail
        item.add("url", url_for("events.detail", event_id=event.id, _external=True))
    item.add("status", "CANCELLED" if event.state == EventState.cancelled else "CONFIRMED")
    item.add("last-modified", _utc(event.updated_at or stamp))
    organizer = vCalAddress("mailto:" + (event.organisation.contact_email
                                         or f"noreply@{_host()}"))
    organizer.params["cn"] = vText(event.organisation.display_name)
    item.add("organizer", organizer)
    return item


def calendar(events: Iterable[Event], name: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per event."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = _utc(clock.now()).replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, stamp))
    return cal.to_ical()
