"""Creating, editing, publishing and cancelling events: the rules, the permissions (in the
services and the views), field-tied messages, Helsinki times across DST, the lock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.domain import DomainError, NotAllowed
from app.events import services
from app.events.models import Event, EventRegistration, EventState, RegistrationState
from app.extensions import db
from app.organisations.models import Role
from tests.events.helpers import add_event, form_data, local


def _events() -> int:
    return db.session.scalar(select(func.count(Event.id)))


def _service_data(**overrides) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    data = {"kind": "networking", "title": "Tapaaminen", "description": "", "starts_at": start,
            "ends_at": start + timedelta(hours=2), "format": "in_person", "place": "Mikkeli",
            "online_url": "", "capacity": None, "languages": ["fi"], "accessibility": "",
            "registration_deadline": None, "call_id": None, "practice_id": None}
    data.update(overrides)
    return data


# --- permissions in the services -------------------------------------------------------------


def test_services_refuse_outsiders_members_and_unverified_organisations(
        make_user, make_organisation, add_member):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    services.create_event(owner, organisation, _service_data())  # a writer may
    outsider = make_user()
    make_organisation(owner=outsider)
    plain_member = add_member(organisation, make_user(), Role.member).user
    unverified_owner = make_user()
    unverified = make_organisation(owner=unverified_owner, verified=False)
    for actor, org in ((outsider, organisation), (plain_member, organisation),
                       (unverified_owner, unverified)):
        with pytest.raises(NotAllowed):
            services.create_event(actor, org, _service_data())
    event = add_event(organisation)
    with pytest.raises(NotAllowed):
        services.update_event(outsider, event, _service_data(), event.lock_version)
    with pytest.raises(NotAllowed):
        services.cancel_event(plain_member, event, "Sairastuminen")
    draft = add_event(organisation, state=EventState.draft)
    with pytest.raises(NotAllowed):
        services.publish_event(outsider, draft)
    assert draft.state == EventState.draft and event.state == EventState.published


@pytest.mark.parametrize("overrides,field", [
    ({"title": "  "}, "title"),
    ({"format": "in_person", "place": ""}, "place"),
    ({"format": "hybrid", "place": "Mikkeli", "online_url": ""}, "online_url"),
    ({"format": "online", "place": "", "online_url": "http://example.fi/x"}, "online_url"),
    ({"format": "online", "online_url": "javascript:alert(1)"}, "online_url"),
    ({"capacity": 0}, "capacity"),
    ({"languages": ["fi", "klingon"]}, "languages"),
    ({"kind": "party"}, "kind"),
])
def test_broken_rules_name_their_field(make_organisation, make_user, overrides, field):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    with pytest.raises(DomainError) as caught:
        services.create_event(owner, organisation, _service_data(**overrides))
    assert caught.value.field == field


def test_times_end_after_start_deadline_before_start_start_in_future(make_organisation,
                                                                      make_user):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    start = datetime.now(UTC) + timedelta(days=3)
    cases = [({"ends_at": start - timedelta(minutes=1), "starts_at": start}, "ends_at"),
             ({"starts_at": start, "ends_at": start}, "ends_at"),
             ({"starts_at": start, "ends_at": start + timedelta(hours=1),
               "registration_deadline": start}, "registration_deadline"),
             ({"starts_at": datetime.now(UTC) - timedelta(hours=1),
               "ends_at": datetime.now(UTC) + timedelta(hours=1)}, "starts_at")]
    for overrides, field in cases:
        with pytest.raises(DomainError) as caught:
            services.create_event(owner, organisation, _service_data(**overrides))
        assert caught.value.field == field, overrides


def test_linked_call_and_model(make_organisation, make_user, make_call, make_practice):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    call = make_call()
    draft_call = make_call(phase="draft")
    voucher = make_call(funding_model="service_voucher")
    # any published call; an information session only of one's own call or a voucher pilot
    services.create_event(owner, organisation, _service_data(call_id=call.id))
    services.create_event(owner, organisation, _service_data(call_id=voucher.id,
                                                             kind="info_session"))
    for overrides in ({"call_id": draft_call.id}, {"call_id": call.id, "kind": "info_session"}):
        with pytest.raises(DomainError) as caught:
            services.create_event(owner, organisation, _service_data(**overrides))
        assert caught.value.field == "call_id"
    own = make_practice(organisation=organisation, published=True)
    foreign = make_practice(published=True)
    unpublished = make_practice(organisation=organisation)
    services.create_event(owner, organisation, _service_data(practice_id=own.id))
    for practice in (foreign, unpublished):
        with pytest.raises(DomainError) as caught:
            services.create_event(owner, organisation, _service_data(practice_id=practice.id))
        assert caught.value.field == "practice_id"


# --- the pages ---------------------------------------------------------------------------------


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def test_create_publish_and_see_it_listed(client, login_as, make_user, make_organisation):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    login_as(owner)
    assert client.get("/events/new").status_code == 200
    response = client.post("/events/new", data=form_data(title="Syysverkosto"))
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title == "Syysverkosto"))
    assert event.state == EventState.draft and event.organisation_id == organisation.id
    assert event.languages == ["fi", "sv"] and event.capacity == 20
    # a draft is neither listed nor shown to others
    client.post("/logout", data={})
    assert "Syysverkosto" not in client.get("/events").get_data(as_text=True)
    assert client.get(f"/events/{event.id}").status_code == 404
    login_as(owner)
    assert client.post(f"/events/{event.id}/publish", data={}).status_code == 302
    client.post("/logout", data={})
    assert "Syysverkosto" in client.get("/events").get_data(as_text=True)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Mikkeli, Maaherrankatu 16" in page and f"/events/{event.id}.ics" in page


def test_refused_input_is_shown_beside_its_field_and_nothing_is_saved(
        client, login_as, make_user, make_organisation):
    owner = make_user()
    make_organisation(owner=owner)
    login_as(owner)
    cases = [
        (form_data(format="in_person", place=""), "place", "Give the place"),
        (form_data(format="online", place="", online_url=""), "online_url", "Give the link"),
        (form_data(format="online", online_url="http://x.fi"), "online_url", "https://"),
        (form_data(ends_at=local(7, "09:00")), "ends_at", "end after it starts"),
        (form_data(registration_deadline=local(8, "09:00")), "registration_deadline",
         "before the event starts"),
        (form_data(capacity="0"), "capacity", "at least"),
        (form_data(starts_at="31.2.2027 10.00"), "starts_at", "does not exist"),
        (form_data(title=""), "title", "Give the event a title"),
    ]
    for data, field, message in cases:
        response = client.post("/events/new", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert message in _error_of(html, field), (field, _error_of(html, field))
        assert data.get("title", "") in html  # what was typed is kept
    assert _events() == 0


def test_helsinki_times_are_stored_in_utc_across_dst(client, login_as, make_user,
                                                     make_organisation):
    owner = make_user()
    make_organisation(owner=owner)
    login_as(owner)
    year = date.today().year + 1
    # the last Sundays of March and October: the clocks change at 03:00/04:00 local time
    march = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    october = max(date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6)
    expected = {march - timedelta(days=1): 8, march + timedelta(days=1): 7,
                october - timedelta(days=1): 7, october + timedelta(days=1): 8}
    for day, utc_hour in expected.items():
        title = f"Tapahtuma {day}"
        response = client.post("/events/new", data=form_data(
            title=title, starts_at=f"{day}T10:00", ends_at=f"{day}T12:00",
            registration_deadline=""))
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        event = db.session.scalar(select(Event).where(Event.title == title))
        starts = event.starts_at.astimezone(UTC)
        assert (starts.date(), starts.hour) == (day, utc_hour), day
        assert (event.ends_at - event.starts_at) == timedelta(hours=2)
        # shown back in Finnish time, with the weekday
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        assert f"{day.day} " in page and ", 10.00" in page


def test_edit_saves_and_a_stale_form_is_a_conflict(client, login_as, make_user,
                                                   make_organisation, add_member):
    owner, other = make_user(), make_user()
    organisation = make_organisation(owner=owner)
    add_member(organisation, other, Role.editor)
    event = add_event(organisation, title="Alkuperäinen")
    version = event.lock_version
    login_as(owner)
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Alkuperäinen"' in page and f'value="{version}"' in page
    response = client.post(f"/events/{event.id}/edit", data=form_data(
        title="Ensimmäinen muutos", lock_version=str(version)))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title == "Ensimmäinen muutos" and event.lock_version == version + 1
    # someone else still has the old version open
    login_as(other)
    response = client.post(f"/events/{event.id}/edit", data=form_data(
        title="Toinen muutos", lock_version=str(version)))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Toinen muutos" in html and "Ensimmäinen muutos" in html  # typed and saved
    assert f'value="{version + 1}"' in html
    db.session.refresh(event)
    assert event.title == "Ensimmäinen muutos"


def test_cancel_needs_a_reason_confirms_and_tells_the_registered(
        client, login_as, make_user, make_organisation, mailbox, audit_actions):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    event = add_event(organisation, title="Peruttava", capacity=5)
    db.session.add(EventRegistration(event=event, name="Osallistuja", email="osa@example.fi",
                                     state=RegistrationState.confirmed, token_hash="a" * 64))
    db.session.commit()
    login_as(owner)
    page = client.get(f"/events/{event.id}/cancel")
    assert page.status_code == 200 and "Registered: 1" in page.get_data(as_text=True)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert "Say why" in _error_of(response.get_data(as_text=True), "reason")
    db.session.refresh(event)
    assert event.state == EventState.published and not mailbox.messages("osa@example.fi")
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Puhuja sairastui."})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.state == EventState.cancelled and event.cancel_reason == "Puhuja sairastui."
    assert mailbox.messages("osa@example.fi")
    assert "event.cancelled" in audit_actions(organisation)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "The event has been cancelled." in page and "Puhuja sairastui." in page
    # nothing more to do with a cancelled event
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "x"}).status_code == 403


def test_a_member_who_does_not_write_sees_no_buttons(client, login_as, make_user,
                                                     make_organisation, add_member):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    member = add_member(organisation, make_user(), Role.member).user
    event = add_event(organisation, state=EventState.draft)
    login_as(member)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/edit" not in page and f"/events/{event.id}/publish" not in page
    assert client.post(f"/events/{event.id}/publish", data={}).status_code == 403
    login_as(owner)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/edit" in page and f"/events/{event.id}/publish" in page
