"""Accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) on the main pages, in Finnish and Swedish.

A page passes when axe finds nothing of serious or critical impact. axe-core comes from the npm
registry at install time (static/vendor/axe.min.js) and is evaluated through the DevTools
protocol, so the page's Content-Security-Policy stays as it is in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser import TIMEOUT_MS
from tests.browser.support import (
    axe_violations,
    create_open_call,
    create_organisation,
    create_user,
    describe_violations,
    log_in,
    publish_practice,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

OWNER = "a11y.owner@example.fi"
ADMIN = "a11y.admin@example.fi"


@dataclass(frozen=True)
class Check:
    name: str
    path: str
    who: str | None = None  # None: anonymous; else "owner" or "admin"
    submit_empty: str | None = None  # a form's action: submit it empty to show the errors
    status: int = 200


CHECKS = [
    Check("home", "/"),
    Check("register", "/register"),
    Check("register-errors", "/register", submit_empty="/register", status=200),
    Check("login", "/login"),
    Check("directory", "/organisations"),
    Check("organisation", "/organisations/{org}"),
    Check("not-found", "/no-such-page", status=404),
    Check("account", "/account", who="owner"),
    Check("dashboard", "/dashboard", who="owner"),
    Check("organisation-new", "/organisations/new", who="owner"),
    Check("organisation-new-errors", "/organisations/new", who="owner",
          submit_empty="/organisations/new"),
    Check("organisation-as-owner", "/organisations/{org}", who="owner"),
    Check("members", "/organisations/{org}/members", who="owner"),
    Check("admin-queue", "/admin/organisations", who="admin"),
    Check("search", "/search?q=työ"),
    Check("practice", "/practices/{practice}"),
    Check("practices", "/practices"),
    Check("calls", "/calls"),
    Check("call", "/calls/{call}"),
    Check("practice-edit", "/practices/{practice_id}/edit", who="owner"),
    Check("application", "/calls/applications/{application}", who="owner"),
    Check("projects", "/projects"),
    Check("statistics", "/statistics"),
    # The partner network (issue 14).
    Check("partner-finder", "/partners?q=valmennus"),
    Check("partner-calls", "/partner-calls"),
    Check("partner-call", "/partner-calls/{partner_call}"),
    Check("partner-call-as-owner", "/partner-calls/{partner_call}", who="owner"),
    Check("partner-call-new-errors", "/partner-calls/new", who="owner",
          submit_empty="/partner-calls/new", status=200),
    Check("events", "/events"),
    Check("event", "/events/{event}"),
    Check("event-register-errors", "/events/{event}/register",
          submit_empty="/events/{event}/register"),
    Check("event-participants", "/events/{event}/participants", who="owner"),
    Check("announcements", "/announcements"),
    Check("following", "/following", who="owner"),
    Check("whats-new", "/whats-new", who="owner"),
]


@pytest.fixture(scope="module")
def site(live_server):
    """An owner with a verified organisation, another waiting for verification, an admin."""
    owner_id = create_user(live_server, OWNER, "Anna Saavutettava")
    member_id = create_user(live_server, "a11y.member@example.fi", "Matti Jäsen")
    create_user(live_server, ADMIN, "Ylläpitäjä", admin=True)
    org_id = create_organisation(live_server, owner_id, "Saavutettava Polku ry",
                                 valid_business_id(1))
    create_organisation(live_server, member_id, "Odottava Osuuskunta", valid_business_id(2),
                        verified=False, type="other")

    def _add_member():
        from app.extensions import db
        from app.organisations.models import Membership, Role

        db.session.add(Membership(organisation_id=org_id, user_id=member_id, role=Role.editor))
        db.session.commit()

    live_server.run(_add_member)

    # A published service model of the verified organisation (in the search index too).
    practice = publish_practice(live_server, owner_id, org_id,
                                title="Saavutettava työhönvalmennus osatyökykyisille")
    # An ELY-centre with an open call, and the owner's draft application in it.
    ely_owner_id = create_user(live_server, "a11y.ely@example.fi", "Elina Ely")
    ely_id = create_organisation(live_server, ely_owner_id, "Saavutettavuuden ELY-keskus",
                                 valid_business_id(3), type="regional_authority")
    call_id = create_open_call(live_server, ely_id, title="Saavutettavat työpaikat 2026")
    application_id = live_server.run(_start_application, owner_id, call_id, org_id)
    network = live_server.run(_partner_network, owner_id, org_id, ely_id, call_id)
    return {"org": org_id, "practice": practice["path"].removeprefix("/practices/"),
            "practice_id": practice["id"], "call": call_id, "application": application_id,
            **network}


def _partner_network(owner_id: int, org_id: int, ely_id: int, call_id: int) -> dict:
    """The owner's open partner call, a published event with a registration and the
    ELY-centre's announcement of the call."""
    from datetime import timedelta

    from app.announcements.models import Announcement, AnnouncementKind
    from app.auth.models import User
    from app.core.db import utcnow
    from app.events import registration
    from app.events.models import Event, EventFormat, EventKind, EventState
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.partners import services as partners
    from tests.partners.support import call_values

    owner = db.session.get(User, owner_id)
    partner_call = partners.create_partner_call(
        owner, db.session.get(Organisation, org_id), call_values())
    start = utcnow() + timedelta(days=14)
    event = Event(organisation_id=org_id, kind=EventKind.info_session,
                  title="Saavutettava infotilaisuus", description="Tervetuloa **kaikki**.",
                  starts_at=start, ends_at=start + timedelta(hours=2),
                  format=EventFormat.in_person, place="Hämeenkatu 1, Tampere", capacity=20,
                  languages=["fi", "sv"], accessibility="Induktiosilmukka.",
                  state=EventState.published)
    db.session.add(event)
    db.session.add(Announcement(organisation_id=ely_id, call_id=call_id,
                                kind=AnnouncementKind.info_session, language="fi",
                                title="Infotilaisuus hakijoille", body="Tervetuloa.",
                                published_at=utcnow()))
    db.session.flush()
    registration.register(owner, event.id)
    db.session.commit()
    return {"partner_call": partner_call.id, "event": event.id}


def _start_application(user_id: int, call_id: int, org_id: int) -> int:
    """A draft application with a staff line, through the app's services."""
    from app.applications import services as applications
    from app.auth.models import User
    from app.calls.budget import LineValues
    from app.calls.models import Call
    from app.extensions import db
    from app.organisations.models import Organisation

    user = db.session.get(User, user_id)
    application = applications.start_application(
        user, db.session.get(Call, call_id), db.session.get(Organisation, org_id),
        "Saavutettava hanke")
    applications.save_section(user, application, "background",
                              {"background": "Tarve on **suuri**."})
    applications.add_line(user, application, LineValues(
        role="Projektipäällikkö", months_centi=1200, fte_centi=5000,
        monthly_salary_cents=300_000))
    db.session.commit()
    return application.id


@pytest.fixture(scope="module")
def signed_in(browser, live_server):
    """signed_in(email, language) -> the storage state of a browser logged in as that user."""
    states: dict[tuple[str, str], dict] = {}

    def _state(email_address: str, language: str) -> dict:
        key = (email_address, language)
        if key not in states:
            context = browser.new_context(base_url=live_server.url, locale="fi-FI")
            context.set_default_timeout(TIMEOUT_MS)
            try:
                page = context.new_page()
                page.goto("/")
                switch_language(page, "en")
                log_in(page, email_address)
                switch_language(page, language)
                states[key] = context.storage_state()
            finally:
                context.close()
        return states[key]

    return _state


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_no_serious_accessibility_violations(check, language, site, signed_in, new_page,
                                             axe_source):
    if check.who:
        email_address = {"owner": OWNER, "admin": ADMIN}[check.who]
        page = new_page(storage_state=signed_in(email_address, language))
    else:
        page = new_page()
        page.goto("/")
        switch_language(page, language)
    path = check.path.format(**site)
    response = page.goto(path)
    assert response is not None and response.status == check.status, (
        f"{path}: {response and response.status}")
    expect(page.locator("html")).to_have_attribute("lang", language)

    if check.submit_empty:
        form = page.locator(f'main form[action$="{check.submit_empty.format(**site)}"]')
        form.evaluate("form => { form.noValidate = true; }")  # let the server do the checking
        form.locator('[type="submit"]').last.click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))

    violations = axe_violations(page, axe_source)
    assert not violations, (
        f"axe found serious problems on {path} ({language}):\n{describe_violations(violations)}")
