"""Registering for an event: signed in with one click, or with a name, an e-mail address and a
confirmation link; duplicates, closed and cancelled events, cancelling by the mailed link."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import select

from app.events import registration as reg
from app.events.models import EventState
from app.extensions import db
from app.notifications.models import Notification, NotificationKind
from tests.events.test_registration_helpers import (
    by_state,
    make_event,
    register_anonymous,
    registrations,
    token_of,
)


def test_signed_in_people_get_a_place_then_the_waiting_list(client, login_as, make_user,
                                                            make_organisation, mailbox):
    event = make_event(make_organisation(), capacity=1)
    first, second = make_user(email="eka@example.fi"), make_user(email="toka@example.fi")
    login_as(first)
    response = client.post(f"/events/{event.id}/register",
                           data={"organisation_name": "Työpaja Oy", "needs": "Gluteeniton"})
    assert response.status_code == 302
    mail = mailbox.last("eka@example.fi")
    body = mailbox.body(mail)
    assert "You are registered" in mail["Subject"]
    # Helsinki time (10 days ahead, 2 h long), the place, the calendar file and a cancel link
    assert "Hämeenkatu 1, Tampere" in body and f"/events/{event.id}.ics" in body
    assert "/events/registration/cancel?t=" in body
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "You are registered." in page and "Register</button>" not in page

    login_as(second)
    client.post(f"/events/{event.id}/register", data={})
    assert "waiting list, place 1" in mailbox.body(mailbox.last("toka@example.fi"))
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "You are on the waiting list, place 1." in page
    assert by_state(event) == {"confirmed": ["eka@example.fi"], "waiting": ["toka@example.fi"]}
    row = registrations(event)[0]
    assert (row.organisation_name, row.needs, row.user_id) == ("Työpaja Oy", "Gluteeniton",
                                                              first.id)

    # A second attempt says so and changes nothing: no second row, no second mail.
    login_as(first)
    sent = len(mailbox.messages("eka@example.fi"))
    response = client.post(f"/events/{event.id}/register", data={}, follow_redirects=True)
    assert "You are already registered for this event." in response.get_data(as_text=True)
    assert len(registrations(event)) == 2
    assert len(mailbox.messages("eka@example.fi")) == sent


def test_anonymous_registration_holds_no_place_until_the_link_is_followed(
        app, client, make_organisation, mailbox, caplog):
    event = make_event(make_organisation(), capacity=5)
    caplog.set_level(logging.INFO, logger="kohtaamo.request")
    response = register_anonymous(client, event, "Maija Meikäläinen", "Maija@Example.fi")
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert by_state(event) == {"unconfirmed": ["maija@example.fi"]}
    assert reg.counts_for([event.id]) == {event.id: (0, 0)}  # no place yet

    mail = mailbox.last("maija@example.fi")
    token = token_of(mailbox, mail, "/events/registration/confirm")
    row = registrations(event)[0]
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in (
        row.token_hash)

    # Opening the link (a prefetcher, a mail scanner) only shows a page.
    page = client.get(f"/events/registration/confirm?t={token}")
    assert page.status_code == 200 and "Confirm my registration" in page.get_data(as_text=True)
    assert registrations(event)[0].state == "unconfirmed"

    response = client.post(f"/events/registration/confirm?t={token}", data={})
    assert response.status_code == 302
    assert by_state(event) == {"confirmed": ["maija@example.fi"]}
    assert "You are registered" in mailbox.last("maija@example.fi")["Subject"]
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are registered." in status
    # Following it again changes nothing.
    client.post(f"/events/registration/confirm?t={token}", data={})
    assert by_state(event) == {"confirmed": ["maija@example.fi"]}

    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/events/registration/confirm" in logged  # the requests were logged ...
    assert token not in logged  # ... without their token


def test_wrong_and_expired_links_answer_400(client, make_organisation, mailbox):
    event = make_event(make_organisation())
    assert client.get("/events/registration/confirm?t=nonsense").status_code == 400
    assert client.post("/events/registration/cancel?t=nonsense", data={}).status_code == 400
    assert client.get("/events/registration/confirm").status_code == 400
    register_anonymous(client, event, "Matti", "matti@example.fi")
    token = token_of(mailbox, mailbox.last("matti@example.fi"), "/events/registration/confirm")
    row = registrations(event)[0]
    row.created_at = lapsed = row.created_at - timedelta(hours=49)
    db.session.commit()
    response = client.get(f"/events/registration/confirm?t={token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert client.post(f"/events/registration/confirm?t={token}", data={}).status_code == 400
    assert registrations(event)[0].state == "unconfirmed"
    # An expired registration holds nothing: the address registers again (the row reused).
    register_anonymous(client, event, "Matti", "matti@example.fi")
    assert len(registrations(event)) == 1 and registrations(event)[0].created_at > lapsed


def test_an_anonymous_second_attempt_reveals_nothing_and_mails_a_fresh_link(
        client, make_organisation, mailbox):
    event = make_event(make_organisation(), capacity=5)
    first = register_anonymous(client, event, "Liisa", "liisa@example.fi").get_data(as_text=True)
    old = token_of(mailbox, mailbox.last("liisa@example.fi"), "/events/registration/confirm")
    client.post(f"/events/registration/confirm?t={old}", data={})
    again = register_anonymous(client, event, "Someone", "liisa@example.fi")
    # The same answer as a first registration: nothing tells a stranger the address is in.
    assert again.status_code == 200
    assert again.get_data(as_text=True).replace("Someone", "Liisa") == first or (
        "Check your e-mail" in again.get_data(as_text=True)
        and "already" not in again.get_data(as_text=True))
    mail = mailbox.last("liisa@example.fi")
    assert "already registered" in mailbox.body(mail)
    new = token_of(mailbox, mail, "/events/registration")
    assert new != old
    assert client.get(f"/events/registration/cancel?t={old}").status_code == 400
    assert client.get(f"/events/registration?t={new}").status_code == 200
    rows = registrations(event)
    assert len(rows) == 1 and rows[0].name == "Liisa"  # the stranger changed nothing


def test_closed_cancelled_and_draft_events_refuse(client, login_as, make_user,
                                                 make_organisation, mailbox):
    organisation = make_organisation()
    closed = make_event(organisation, deadline_in=timedelta(minutes=-1))
    cancelled = make_event(organisation, state=EventState.cancelled)
    draft = make_event(organisation, state=EventState.draft)
    for event, message in ((closed, "Registration for this event has closed."),
                           (cancelled, "This event has been cancelled.")):
        response = register_anonymous(client, event, "Pekka", "pekka@example.fi")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert registrations(event) == []
    login_as(make_user())
    assert client.post(f"/events/{closed.id}/register", data={}).status_code == 422
    assert client.get(f"/events/{draft.id}/register").status_code == 404
    assert client.post(f"/events/{draft.id}/register", data={}).status_code == 404
    assert registrations(closed) == [] and registrations(draft) == []
    assert mailbox.messages() == []


def test_invalid_input_is_tied_to_its_field_and_kept(client, make_organisation):
    event = make_event(make_organisation())
    response = register_anonymous(client, event, "Anna Virtanen", "not-an-address")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html and "Enter a valid e-mail address" in html
    assert 'value="Anna Virtanen"' in html and 'aria-invalid="true"' in html
    assert registrations(event) == []


def test_cancelling_by_the_mailed_link_asks_first_and_promotes_the_next(
        client, login_as, make_user, make_organisation, mailbox):
    event = make_event(make_organisation(), capacity=1)
    register_anonymous(client, event, "Eka", "eka@example.fi")
    client.post("/events/registration/confirm?t=" + token_of(
        mailbox, mailbox.last("eka@example.fi"), "/events/registration/confirm"), data={})
    waiting = make_user(email="jono@example.fi")
    login_as(waiting)
    client.post(f"/events/{event.id}/register", data={})
    client.post("/logout", data={})
    cancel = mailbox.link(mailbox.last("eka@example.fi"), "/events/registration/cancel")

    page = client.get(cancel)  # a link prefetcher
    assert page.status_code == 200 and "Yes, cancel my registration" in page.get_data(
        as_text=True)
    assert by_state(event) == {"confirmed": ["eka@example.fi"], "waiting": ["jono@example.fi"]}

    assert client.post(cancel, data={}).status_code == 302
    assert by_state(event) == {"cancelled": ["eka@example.fi"], "confirmed": ["jono@example.fi"]}
    assert "Registration cancelled" in mailbox.last("eka@example.fi")["Subject"]
    promoted = mailbox.last("jono@example.fi")
    assert "A place became free" in promoted["Subject"]
    assert "/events/registration/cancel?t=" in mailbox.body(promoted)
    notices = db.session.scalars(select(Notification).where(
        Notification.user_id == waiting.id)).all()
    assert [n.kind for n in notices] == [NotificationKind.event_place_confirmed]
    # Cancelling again changes nothing and mails nobody.
    count = len(mailbox.messages())
    client.post(cancel, data={})
    assert len(mailbox.messages()) == count


def test_signed_in_cancel_and_register_again_reuses_the_row(client, login_as, make_user,
                                                            make_organisation):
    event = make_event(make_organisation(), capacity=3)
    person = make_user()
    login_as(person)
    client.post(f"/events/{event.id}/register", data={})
    assert client.get(f"/events/{event.id}/registration/cancel").status_code == 200
    assert registrations(event)[0].state == "confirmed"
    assert client.post(f"/events/{event.id}/registration/cancel", data={}).status_code == 302
    assert registrations(event)[0].state == "cancelled"
    client.post(f"/events/{event.id}/register", data={})
    rows = registrations(event)
    assert len(rows) == 1 and rows[0].state == "confirmed" and rows[0].cancelled_at is None
    # Someone else cannot cancel it.
    login_as(make_user())
    assert client.post(f"/events/{event.id}/registration/cancel", data={}).status_code == 404
    assert registrations(event)[0].state == "confirmed"


def test_notify_cancelled_mails_the_confirmed_and_the_waiting(make_user, make_organisation,
                                                            mailbox, db):
    event = make_event(make_organisation(), capacity=1)
    people = [make_user(email=f"p{n}@example.fi") for n in range(3)]
    for person in people:
        reg.register(person, event.id)
    reg.cancel(registrations(event)[1], actor=people[1])  # on the waiting list: gone
    db.session.commit()
    from app.core.outbox import OutboundMail

    before = {m.id for m in db.session.scalars(select(OutboundMail))}
    event.state = EventState.cancelled
    assert reg.notify_cancelled(event) == 2
    db.session.commit()
    new = [m for m in db.session.scalars(select(OutboundMail)) if m.id not in before]
    assert sorted(m.recipient for m in new) == ["p0@example.fi", "p2@example.fi"]
    assert all("Event cancelled" in m.subject for m in new)


def test_personal_data_export_and_erasure(make_user, make_organisation, db):
    from app.core import personal_data

    event = make_event(make_organisation(), capacity=1, title="Verkostotapaaminen")
    person, next_one = make_user(email="oma@example.fi"), make_user(email="seur@example.fi")
    reg.register(person, event.id, needs="Pyörätuoli")
    reg.register(next_one, event.id)
    db.session.commit()
    exported = personal_data.export_dict(person)["event_registrations"]
    assert [(r["event"], r["state"], r["needs"]) for r in exported] == [
        ("Verkostotapaaminen", "confirmed", "Pyörätuoli")]
    personal_data.erase(person)
    db.session.commit()
    rows = registrations(event)
    assert rows[0].state == "cancelled" and "oma@example.fi" not in rows[0].email
    assert rows[0].needs == "" and rows[0].user_id is None
    assert rows[1].state == "confirmed"  # the freed place went on
    assert personal_data.export_dict(person)["event_registrations"] == []
