"""Registering for a full event in a real browser: a refused e-mail address (the message tied
to its field, the name kept), the waiting list, being moved up when someone cancels, and the
event's calendar file."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import create_organisation, create_user, valid_business_id

pytestmark = pytest.mark.browser

VISITOR = ("Ville Vierailija", "ville.vierailija@example.fi")
HOLDER = "paikka.varattu@example.fi"


def _full_event(server) -> int:
    """A published information session with one place, taken by HOLDER."""
    from app.core.db import utcnow
    from app.events import registration as reg
    from app.events.models import Event, EventFormat, EventKind, EventState
    from app.extensions import db

    owner = create_user(server, "jarjestaja.tapahtuma@example.fi", "Jaana Järjestäjä")
    organisation_id = create_organisation(server, owner, "Tapahtumat ry", valid_business_id(77))
    holder = create_user(server, HOLDER, "Paula Paikka")

    def _create():
        from app.auth.models import User

        start = utcnow() + timedelta(days=14)
        event = Event(organisation_id=organisation_id, kind=EventKind.info_session,
                      title="Palvelusetelin infotilaisuus", description="Tervetuloa!",
                      starts_at=start, ends_at=start + timedelta(hours=2),
                      format=EventFormat.in_person, place="Kauppakatu 1, Kajaani", capacity=1,
                      languages=["fi"], state=EventState.published)
        db.session.add(event)
        db.session.commit()
        from app.core.outbox import flush_outbox

        reg.register(db.session.get(User, holder), event.id)
        db.session.commit()
        flush_outbox()  # as the unit of work does: the holder's mail with its cancel link
        return event.id

    return server.run(_create)


def _token(url: str) -> str:
    return re.search(r"[?&]t=([^&]+)", url).group(1)


def test_a_visitor_waits_is_moved_up_and_gets_the_calendar_file(new_page, live_server):
    from icalendar import Calendar

    event_id = _full_event(live_server)
    page = new_page(locale="en-GB")
    page.goto(f"/events/{event_id}")
    expect(page.locator(".registration-full")).to_contain_text(
        "All places are taken and 0 people are on the waiting list.")
    form = page.locator("form.registration-form")
    form.get_by_label("Your name").fill(VISITOR[0])
    form.get_by_label("E-mail address").fill("ville.vierailija@")
    form.get_by_role("button", name="Join the waiting list").click()
    email = page.locator("#email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_contain_text("Enter a valid e-mail address")
    expect(email).to_have_attribute("aria-describedby", re.compile("email-error"))
    expect(page.locator("#name")).to_have_value(VISITOR[0])  # what was typed is kept

    email.fill(VISITOR[1])
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("#registration-mailed")).to_contain_text(VISITOR[1])
    page.goto(live_server.mail_link(VISITOR[1], "/events/registration/confirm"))
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.locator("#registration-state")).to_have_text(
        "You are on the waiting list, place 1.")
    status_url = page.url

    # The holder cancels from the link in their mail (another browser), after being asked.
    other = new_page(locale="en-GB")
    other.goto(live_server.mail_link(HOLDER, "/events/registration/cancel"))
    expect(other.locator("#registration-state")).to_have_count(0)  # only asked so far
    other.get_by_role("button", name="Yes, cancel my registration").click()
    expect(other.get_by_text("Your registration is cancelled.")).to_be_visible()

    # The visitor is moved up and told by mail; its new link shows the place.
    promoted = live_server.mail_link(VISITOR[1], "/events/registration/cancel")
    assert _token(promoted) != _token(status_url)
    page.goto(f"/events/registration?t={_token(promoted)}")
    expect(page.locator("#registration-state")).to_have_text("You are registered.")
    subjects = [m["Subject"].strip() for m in live_server.mails(VISITOR[1])]
    assert sum(s.startswith("A place became free") for s in subjects) == 1, subjects

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = download.value.path()
    calendar = Calendar.from_ical(Path(path).read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert [str(e["SUMMARY"]) for e in events] == ["Palvelusetelin infotilaisuus"]
    assert urlsplit(download.value.url).path == f"/events/{event_id}.ics"
