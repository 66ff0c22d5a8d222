"""The waiting list: queue order, automatic promotion when a place frees up (cancel, removal by
the organiser, a raised capacity), and the counts for lists of events."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.outbox import OutboundMail
from app.events import registration as reg
from app.extensions import db
from app.organisations.models import Role
from tests.events.test_registration_helpers import by_state, make_event, registrations


def _register_all(event, people, start):
    for n, person in enumerate(people):
        reg.register(person, event.id, now=start + timedelta(seconds=n))
    db.session.commit()


def _mails_to(address) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.recipient == address)))


def test_promotion_takes_the_first_waiting_in_queue_order(make_user, make_organisation, db):
    from app.core.db import utcnow

    event = make_event(make_organisation(), capacity=2)
    people = [make_user(email=f"q{n}@example.fi") for n in range(5)]
    # Registered in the order q0, q1, ... but q3 queued before q2 (an earlier queued_at).
    start = utcnow()
    for n in (0, 1, 3, 2, 4):
        reg.register(people[n], event.id, now=start + timedelta(seconds=n if n != 3 else 1.5))
    db.session.commit()
    assert by_state(event) == {"confirmed": ["q0@example.fi", "q1@example.fi"],
                               "waiting": ["q3@example.fi", "q2@example.fi", "q4@example.fi"]}
    assert reg.waiting_position(registrations(event)[2]) == 1  # q3
    assert "place 1" in _mails_to("q3@example.fi")[0].body
    assert "place 2" in _mails_to("q2@example.fi")[0].body

    promoted = reg.cancel(registrations(event)[0], actor=people[0])
    db.session.commit()
    assert [r.email for r in promoted] == ["q3@example.fi"]
    assert by_state(event)["confirmed"] == ["q1@example.fi", "q3@example.fi"]
    assert by_state(event)["waiting"] == ["q2@example.fi", "q4@example.fi"]
    assert [m.subject for m in _mails_to("q3@example.fi")][-1].startswith("A place became free")
    assert len(_mails_to("q2@example.fi")) == 1  # still waiting: not mailed again

    # Someone waiting leaves: nobody is promoted (no place was freed).
    assert reg.cancel(registrations(event)[4], actor=people[4]) == []
    db.session.commit()
    assert by_state(event)["waiting"] == ["q2@example.fi"]


def test_the_organiser_removing_someone_or_raising_the_capacity_promotes(
        client, login_as, make_user, make_organisation, add_member, mailbox, audit_actions):
    from app.core.db import utcnow

    writer = make_user()
    organisation = make_organisation(owner=writer)
    event = make_event(organisation, capacity=1)
    people = [make_user(email=f"w{n}@example.fi") for n in range(4)]
    _register_all(event, people, utcnow())
    login_as(writer)
    first = registrations(event)[0]

    page = client.get(f"/events/{event.id}/participants/{first.id}/remove")
    assert page.status_code == 200 and "Yes, remove" in page.get_data(as_text=True)
    assert by_state(event)["confirmed"] == ["w0@example.fi"]  # the GET changed nothing
    assert client.post(f"/events/{event.id}/participants/{first.id}/remove",
                       data={}).status_code == 302
    assert by_state(event)["confirmed"] == ["w1@example.fi"]
    assert "cancelled by the organiser" in mailbox.last("w0@example.fi")["Subject"]
    assert "A place became free" in mailbox.last("w1@example.fi")["Subject"]
    assert "event.participant_removed" in audit_actions(organisation)

    response = client.post(f"/events/{event.id}/participants/capacity", data={"capacity": "3"})
    assert response.status_code == 302
    assert by_state(event) == {"cancelled": ["w0@example.fi"],
                               "confirmed": ["w1@example.fi", "w2@example.fi", "w3@example.fi"]}
    assert "A place became free" in mailbox.last("w3@example.fi")["Subject"]

    # Lowering it keeps the places given; 0 is refused with its message.
    response = client.post(f"/events/{event.id}/participants/capacity", data={"capacity": "0"})
    assert response.status_code == 422
    assert "Give at least one place" in response.get_data(as_text=True)
    client.post(f"/events/{event.id}/participants/capacity", data={"capacity": "1"})
    assert len(by_state(event)["confirmed"]) == 3

    # A member who is not a writer, and an outsider, cannot remove or change anything.
    member = make_user()
    add_member(organisation, member, Role.member)
    login_as(member)
    target = registrations(event)[1]
    assert client.post(f"/events/{event.id}/participants/{target.id}/remove",
                       data={}).status_code == 404
    assert client.post(f"/events/{event.id}/participants/capacity",
                       data={"capacity": "9"}).status_code == 404
    assert registrations(event)[1].state == "confirmed" and event.capacity == 1


def test_services_refuse_an_outsider(make_user, make_organisation, db):
    import pytest

    from app.core.domain import NotAllowed

    event = make_event(make_organisation(), capacity=1)
    person, outsider = make_user(), make_user()
    reg.register(person, event.id)
    db.session.commit()
    with pytest.raises(NotAllowed):
        reg.remove_participant(outsider, registrations(event)[0])
    with pytest.raises(NotAllowed):
        reg.set_capacity(outsider, event.id, 5)
    with pytest.raises(NotAllowed):
        reg.mail_participants(outsider, event.id, "both", "Hei", "Viesti")
    with pytest.raises(NotAllowed):
        reg.cancel(registrations(event)[0], actor=outsider)
    db.session.rollback()
    assert registrations(event)[0].state == "confirmed"


def test_no_limit_confirms_everyone_and_counts_come_in_one_query(make_user, make_organisation,
                                                                 db, count_queries):
    from app.core.db import utcnow

    organisation = make_organisation()
    open_event = make_event(organisation, capacity=None)
    small = make_event(organisation, capacity=1)
    empty = make_event(organisation, capacity=1)
    _register_all(open_event, [make_user() for _ in range(3)], utcnow())
    _register_all(small, [make_user() for _ in range(3)], utcnow())
    ids = [open_event.id, small.id, empty.id]
    with count_queries() as counter:
        counts = reg.counts_for(ids)
    assert counter.count == 1, counter.statements
    assert counts == {ids[0]: (3, 0), ids[1]: (1, 2), ids[2]: (0, 0)}


def test_a_person_who_turned_the_mail_off_gets_only_the_notice(make_user, make_organisation,
                                                              db):
    from app.notifications.models import (
        Notification,
        NotificationKind,
        NotificationPreference,
    )

    event = make_event(make_organisation(), capacity=1)
    holder, quiet = make_user(email="h@example.fi"), make_user(email="quiet@example.fi")
    db.session.add(NotificationPreference(user_id=quiet.id,
                                          kind=NotificationKind.event_place_confirmed,
                                          mail=False))
    reg.register(holder, event.id)
    reg.register(quiet, event.id)
    db.session.commit()
    reg.cancel(registrations(event)[0], actor=holder)
    db.session.commit()
    assert by_state(event)["confirmed"] == ["quiet@example.fi"]
    assert [m.subject for m in _mails_to("quiet@example.fi")] == [
        "You are on the waiting list: Infotilaisuus"]  # no "place became free" mail
    notices = db.session.scalars(select(Notification).where(Notification.user_id == quiet.id))
    assert [n.kind for n in notices] == [NotificationKind.event_place_confirmed]


def test_raising_the_capacity_in_the_edit_form_promotes_the_waiting_list(
        make_user, make_organisation, audit_actions):
    from app.core.db import utcnow
    from app.events import services

    writer = make_user()
    organisation = make_organisation(owner=writer)
    event = make_event(organisation, capacity=1)
    _register_all(event, [make_user(email=f"e{n}@example.fi") for n in range(3)], utcnow())
    data = {name: getattr(event, name) for name in (
        "kind", "title", "description", "starts_at", "ends_at", "format", "place", "online_url",
        "languages", "accessibility", "registration_deadline", "call_id", "practice_id")}
    data["online_url"] = data["online_url"] or ""
    data["accessibility"] = data["accessibility"] or ""
    services.update_event(writer, event, {**data, "capacity": 2}, event.lock_version)
    db.session.commit()
    assert by_state(event) == {"confirmed": ["e0@example.fi", "e1@example.fi"],
                               "waiting": ["e2@example.fi"]}
    assert any(m.subject.startswith("A place became free") for m in _mails_to("e1@example.fi"))
    assert "event.capacity_changed" in audit_actions(organisation)
