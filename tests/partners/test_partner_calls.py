"""Partner calls: announcing, editing, closing, the public list and feed, answers, the private
threads and who sees them, notifications, unread counts and query counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.domain import DomainError, NotAllowed
from app.extensions import db as _db
from app.notifications.models import Notification, NotificationKind
from app.organisations.models import Role
from app.partners import services
from app.partners.models import (
    PartnerCall,
    PartnerCallClosure,
    PartnerCallState,
    PartnerMessage,
    PartnerThread,
)
from tests.partners.support import call_values, form_data

ATOM = "{http://www.w3.org/2005/Atom}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _field_error(html: str, field_id: str) -> str:
    """The error text tied to a field (the macro's `<id>-error`), and the input marked."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error tied to {field_id}"
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*'
                     rf'id="{field_id}"', html) or f'<fieldset id="{field_id}"' in html
    return match.group(1).strip()


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def two_sides(make_user, make_organisation, add_member):
    """A staffing firm with an open call, an NGO, and people in every role of both."""
    people = {"caller_writer": make_user(), "caller_member": make_user(),
              "answerer_writer": make_user(), "answerer_member": make_user(),
              "third_member": make_user(), "admin": make_user(admin=True)}
    firm = make_organisation(name="Henkilöstö Oy", type="staffing_firm",
                             owner=people["caller_writer"])
    ngo = make_organisation(name="Polku ry", owner=people["answerer_writer"])
    third = make_organisation(name="Kolmas ry")
    add_member(firm, people["caller_member"], Role.member)
    add_member(ngo, people["answerer_member"], Role.member)
    add_member(third, people["third_member"], Role.editor)
    partner_call = services.create_partner_call(people["caller_writer"], firm, call_values())
    _db.session.commit()
    return people, firm, ngo, third, partner_call


# --- announcing, editing, closing ------------------------------------------------------------


def test_a_writer_announces_a_call_and_an_empty_form_gets_field_messages(
        client, login_as, two_sides, audit_actions):
    people, firm, _ngo, _third, _pc = two_sides
    login_as(people["caller_writer"])
    before = _count(PartnerCall)
    response = client.post("/partner-calls/new", data=form_data(title=""))
    assert response.status_code == 422
    html = _text(response)
    assert _field_error(html, "title") == "Give the partner call a title."
    assert "Haemme järjestöä työhönvalmennukseen." in html  # nothing typed is lost
    assert _count(PartnerCall) == before
    past = (clock.local_date() - timedelta(days=1)).isoformat()
    response = client.post("/partner-calls/new", data=form_data(deadline=past))
    assert response.status_code == 422
    assert _field_error(_text(response), "deadline") == "The deadline cannot be in the past."
    response = client.post("/partner-calls/new", data=form_data(deadline="31.2.2026"))
    assert response.status_code == 422
    assert _field_error(_text(response), "deadline") == "Enter a date, for example 2026-03-01."
    assert _count(PartnerCall) == before

    response = client.post("/partner-calls/new", data=form_data(regions=["MK10", "XX"]))
    assert response.status_code == 422  # an unknown code is refused, not dropped silently
    response = client.post("/partner-calls/new", data=form_data())
    assert response.status_code == 302
    created = _db.session.scalars(select(PartnerCall).order_by(PartnerCall.id.desc())).first()
    assert created.organisation_id == firm.id and created.state == PartnerCallState.open
    assert created.regions == ["MK10"] and created.partner_types == ["ngo"]
    assert "partner_call.created" in audit_actions(firm)


def test_field_messages_are_in_finnish_by_default(client, login_as, two_sides):
    people, *_ = two_sides
    writer = people["caller_writer"]
    writer.language = "fi"  # the platform's default language
    _db.session.commit()
    login_as(writer)
    response = client.post("/partner-calls/new", data=form_data(title="x" * 201),
                           headers={"Accept-Language": "fi"})
    assert response.status_code == 422
    assert _field_error(_text(response), "title") == (
        "Otsikko voi olla enintään 200 merkkiä pitkä.")


def test_unverified_organisation_and_plain_member_are_refused(
        client, login_as, make_user, make_organisation, add_member, two_sides):
    people, firm, *_ = two_sides
    owner = make_user()
    unverified = make_organisation(verified=False, owner=owner)
    with pytest.raises(NotAllowed):
        services.create_partner_call(owner, unverified, call_values())
    with pytest.raises(NotAllowed):  # a plain member of a verified organisation
        services.create_partner_call(people["caller_member"], firm, call_values())
    login_as(owner)
    assert client.get("/partner-calls/new").status_code == 403
    assert client.post("/partner-calls/new", data=form_data(
        organisation=str(unverified.id))).status_code == 403
    login_as(people["caller_writer"])  # a writer cannot name an organisation not theirs
    response = client.post("/partner-calls/new", data=form_data(organisation=str(unverified.id)))
    assert response.status_code == 422
    assert _field_error(_text(response), "organisation")
    assert _db.session.scalar(select(func.count(PartnerCall.id)).where(
        PartnerCall.organisation_id == unverified.id)) == 0


def test_an_edit_of_an_older_version_is_refused_with_409_and_the_form(
        client, login_as, two_sides):
    people, _firm, _ngo, _third, pc = two_sides
    login_as(people["caller_writer"])
    html = _text(client.get(f"/partner-calls/{pc.id}/edit"))
    seen = re.search(r'name="lock_version" type="hidden" value="(\d+)"', html).group(1)
    services.update_partner_call(people["caller_writer"], pc, call_values(title="Toinen"))
    _db.session.commit()
    response = client.post(f"/partner-calls/{pc.id}/edit", data=form_data(
        title="Minun otsikkoni", lock_version=seen))
    assert response.status_code == 409
    html = _text(response)
    assert "Someone else changed this partner call" in html
    assert 'value="Minun otsikkoni"' in html  # what was typed is kept
    _db.session.expire_all()
    assert _db.session.get(PartnerCall, pc.id).title == "Toinen"
    fresh = re.search(r'name="lock_version" type="hidden" value="(\d+)"', html).group(1)
    assert fresh != seen
    response = client.post(f"/partner-calls/{pc.id}/edit", data=form_data(
        title="Minun otsikkoni", lock_version=fresh))
    assert response.status_code == 302
    assert _db.session.get(PartnerCall, pc.id).title == "Minun otsikkoni"


def test_closing_asks_for_confirmation_and_a_closed_call_takes_no_answers(
        client, login_as, two_sides):
    people, _firm, ngo, _third, pc = two_sides
    login_as(people["caller_writer"])
    page = client.get(f"/partner-calls/{pc.id}/close")
    assert page.status_code == 200 and "Close the call" in _text(page)
    assert _db.session.get(PartnerCall, pc.id).is_open  # the GET changed nothing
    response = client.post(f"/partner-calls/{pc.id}/close", data={})
    assert response.status_code == 422
    assert _field_error(_text(response), "closure")
    response = client.post(f"/partner-calls/{pc.id}/close", data={"closure": "filled"})
    assert response.status_code == 302
    _db.session.expire_all()
    closed = _db.session.get(PartnerCall, pc.id)
    assert closed.state == PartnerCallState.closed
    assert closed.closure == PartnerCallClosure.filled

    with pytest.raises(DomainError, match="no longer takes answers"):
        services.answer_partner_call(people["answerer_writer"], closed, ngo, "Hei")
    login_as(people["answerer_writer"])
    response = client.post(f"/partner-calls/{pc.id}/answer", data={
        "organisation": str(ngo.id), "body": "Olemme kiinnostuneita"})
    assert response.status_code == 422
    assert "no longer takes answers" in _field_error(_text(response), "body")
    assert _count(PartnerThread) == 0


# --- the public list and the feed ------------------------------------------------------------


def test_list_filters_sort_and_empty_state(client, make_partner_call, make_organisation,
                                           make_user, two_sides):
    _people, firm, *_ = two_sides
    writer = make_user()
    other = make_organisation(name="Työllisyysalue", type="employment_area", owner=writer)
    soon = make_partner_call(other, writer, title="Työnantajakumppani Savoon",
                             partner_types=["employer"], regions=["MK09"],
                             target_groups=["youth"],
                             deadline=clock.local_date() + timedelta(days=3))
    expired = make_partner_call(other, writer, title="Vanha haku")
    expired.deadline = clock.local_date() - timedelta(days=1)
    _db.session.commit()

    def titles(**params):
        response = client.get("/partner-calls", query_string=params)
        assert response.status_code == 200
        return re.findall(r'<h3><a href="/partner-calls/\d+">([^<]+)</a>', _text(response))

    assert titles() == ["Työnantajakumppani Savoon", "Etsimme järjestökumppania ESR+-pilottiin"]
    assert titles(sort="deadline")[0] == "Työnantajakumppani Savoon"
    assert titles(state="closed") == ["Vanha haku"]  # past its deadline: closed
    assert titles(type="employer") == ["Työnantajakumppani Savoon"]
    assert titles(region="MK10") == ["Etsimme järjestökumppania ESR+-pilottiin"]
    assert titles(target_group="youth") == ["Työnantajakumppani Savoon"]
    assert titles(organisation=firm.id) == ["Etsimme järjestökumppania ESR+-pilottiin"]
    assert titles(q="savoon") == ["Työnantajakumppani Savoon"]
    assert titles(q="ESR+-pilottiin JÄRJESTÖKUMPPANIA") == [
        "Etsimme järjestökumppania ESR+-pilottiin"]
    assert titles(q="jarjestokumppania") == [  # typed without diacritics
        "Etsimme järjestökumppania ESR+-pilottiin"]
    assert titles(q="savoon tyonantajakumppani") == ["Työnantajakumppani Savoon"]
    response = client.get("/partner-calls", query_string={"q": "ei-osumaa%_"})
    assert "No partner call matches these filters." in _text(response)
    htmx = client.get("/partner-calls", query_string={"type": "employer"},
                      headers={"HX-Request": "true"})
    assert "<html" not in _text(htmx) and "Työnantajakumppani Savoon" in _text(htmx)
    assert soon.id and expired.id


def test_list_pages_and_runs_a_bounded_number_of_queries(client, count_queries, make_user,
                                                         make_organisation, make_partner_call,
                                                         two_sides):
    def calls_of_new_organisations(numbers):
        for n in numbers:
            writer = make_user()
            make_partner_call(make_organisation(owner=writer), writer, title=f"Haku {n}")

    calls_of_new_organisations(range(2))
    with count_queries() as few:
        assert client.get("/partner-calls").status_code == 200
    calls_of_new_organisations(range(2, 21))
    with count_queries() as many:
        first = client.get("/partner-calls")
    assert many.count == few.count  # each organisation is loaded with its call
    assert len(re.findall(r'<li class="card">', _text(first))) == 20
    second = _text(client.get("/partner-calls", query_string={"page": 2}))
    assert len(re.findall(r'<li class="card">', second)) == 2
    assert "Etsimme järjestökumppania" in second  # the oldest comes last


def test_feed_is_atom_with_open_calls_only(client, make_partner_call, two_sides):
    _people, firm, *_ = two_sides
    writer = next(m.user for m in firm.memberships if m.role == Role.owner)
    closed = make_partner_call(firm, writer, title="Suljettu <haku> & muuta")
    services.close_partner_call(writer, closed, PartnerCallClosure.withdrawn)
    make_partner_call(firm, writer, title="Avoin <haku> & muuta")
    _db.session.commit()
    response = client.get("/partner-calls.atom")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert sorted(titles) == ["Avoin <haku> & muuta", "Etsimme järjestökumppania ESR+-pilottiin"]


def test_page_renders_markdown_safely_and_shows_no_thread_content(
        client, make_partner_call, two_sides, answer):
    people, firm, ngo, *_ = two_sides
    writer = next(m.user for m in firm.memberships if m.role == Role.owner)
    pc = make_partner_call(firm, writer, description="**Vahva** <script>alert(1)</script>")
    answer(pc, ngo, people["answerer_writer"], "Salainen vastaus")
    html = _text(client.get(f"/partner-calls/{pc.id}"))
    assert "<strong>Vahva</strong>" in html and "<script>alert(1)" not in html
    assert "Salainen vastaus" not in html and "/threads/" not in html


def test_organisation_page_lists_its_open_calls(client, two_sides):
    _people, firm, _ngo, _third, pc = two_sides
    html = _text(client.get(f"/organisations/{firm.id}"))
    assert f'href="/partner-calls/{pc.id}"' in html
    assert f"/partner-calls?organisation={firm.id}" in html


# --- answers, threads and who sees them ------------------------------------------------------


def test_a_second_answer_of_the_same_organisation_goes_into_its_thread(
        client, login_as, two_sides):
    people, _firm, ngo, _third, pc = two_sides
    login_as(people["answerer_writer"])
    first = client.post(f"/partner-calls/{pc.id}/answer", data={
        "organisation": str(ngo.id), "body": "Ensimmäinen"})
    second = client.post(f"/partner-calls/{pc.id}/answer", data={
        "organisation": str(ngo.id), "body": "Toinen"})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(PartnerThread) == 1 and _count(PartnerMessage) == 2


# role -> (see the thread list, read the thread, post a message): expected status codes
VISIBILITY = {
    "caller_writer": (200, 200, 200),
    "caller_member": (200, 200, 403),
    "answerer_writer": (404, 200, 200),
    "answerer_member": (404, 200, 403),
    "third_member": (404, 404, 404),
    # signed out: pages send to the log-in page; htmx gets 401 (app.js shows the message)
    "anonymous": (302, 302, 401),
    "admin": (404, 404, 404),
}


@pytest.mark.parametrize("role", list(VISIBILITY))
def test_message_visibility_matrix(client, login_as, two_sides, answer, role):
    people, _firm, ngo, _third, pc = two_sides
    first = answer(pc, ngo, people["answerer_writer"], "Yksityinen viesti")
    thread_url = f"/partner-calls/{pc.id}/threads/{first.thread_id}"
    if role != "anonymous":
        login_as(people[role])
    see_list, read, post = VISIBILITY[role]
    listing = client.get(f"/partner-calls/{pc.id}/threads")
    assert listing.status_code == see_list
    assert ("Polku ry" in _text(listing)) == (see_list == 200)
    page = client.get(thread_url)
    assert page.status_code == read
    assert ("Yksityinen viesti" in _text(page)) == (read == 200)
    htmx = client.get(thread_url, headers={"HX-Request": "true"})
    assert ("Yksityinen viesti" in _text(htmx)) == (read == 200)
    before = _count(PartnerMessage)
    response = client.post(f"{thread_url}/messages", data={"body": f"Viesti: {role}"},
                           headers={"HX-Request": "true"})
    assert response.status_code == post
    assert _count(PartnerMessage) == before + (1 if post == 200 else 0)
    if post == 200:  # the fragment with the new message, for htmx to swap in
        assert f"Viesti: {role}" in _text(response) and "<html" not in _text(response)


def test_a_message_is_posted_with_htmx_and_refused_input_keeps_the_text(
        client, login_as, two_sides, answer):
    people, _firm, ngo, _third, pc = two_sides
    first = answer(pc, ngo, people["answerer_writer"])
    url = f"/partner-calls/{pc.id}/threads/{first.thread_id}/messages"
    login_as(people["caller_writer"])
    empty = client.post(url, data={"body": "   "}, headers={"HX-Request": "true"})
    assert empty.status_code == 422
    assert _field_error(_text(empty), "body") == "Write a message."
    too_long = "ä" * 5001
    response = client.post(url, data={"body": too_long}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "at most 5,000 characters" in _field_error(_text(response), "body")
    assert too_long in _text(response)
    assert _count(PartnerMessage) == 1
    plain = client.post(url, data={"body": "<b>Kiitos</b>, soitellaan"})
    assert plain.status_code == 302  # without JavaScript: back to the thread
    html = _text(client.get(plain.headers["Location"]))
    assert "&lt;b&gt;Kiitos&lt;/b&gt;, soitellaan" in html and "<b>Kiitos" not in html


def test_notices_and_mail_go_to_the_other_side_only(client, login_as, mailbox, two_sides):
    people, firm, ngo, _third, pc = two_sides

    def notices(kind):
        return {n.user_id for n in _db.session.scalars(
            select(Notification).where(Notification.kind == kind))}

    login_as(people["answerer_writer"])
    response = client.post(f"/partner-calls/{pc.id}/answer", data={
        "organisation": str(ngo.id), "body": "Olemme mukana"})
    assert response.status_code == 302
    assert notices(NotificationKind.partner_call_answered) == {people["caller_writer"].id}
    assert mailbox.messages(to=people["caller_writer"].email)
    for role in ("caller_member", "answerer_writer", "answerer_member", "third_member"):
        assert not mailbox.messages(to=people[role].email), role
    thread_url = response.headers["Location"]
    login_as(people["caller_writer"])
    assert client.post(f"{thread_url}/messages", data={"body": "Tervetuloa"}).status_code == 302
    assert notices(NotificationKind.partner_message) == {people["answerer_writer"].id}
    mail = mailbox.last(to=people["answerer_writer"].email)
    assert thread_url in mailbox.body(mail)
    assert "Tervetuloa" not in mailbox.body(mail)  # the private text stays on the site
    assert not mailbox.messages(to=people["answerer_member"].email)
    assert firm and len(mailbox.messages(to=people["caller_writer"].email)) == 1


def test_unread_counts_follow_the_read_markers(client, login_as, two_sides, answer,
                                               count_queries, make_organisation, make_user):
    people, _firm, ngo, _third, pc = two_sides
    first = answer(pc, ngo, people["answerer_writer"], "Yksi")
    answer(pc, ngo, people["answerer_writer"], "Kaksi")
    login_as(people["caller_member"])
    listing = _text(client.get(f"/partner-calls/{pc.id}/threads"))
    assert "2 unread" in listing
    assert "2 unread" in _text(client.get("/partner-calls/mine"))
    thread = _text(client.get(f"/partner-calls/{pc.id}/threads/{first.thread_id}"))
    assert thread.count("badge-new") == 2  # shown as new this once
    assert "unread" not in _text(client.get(f"/partner-calls/{pc.id}/threads"))
    login_as(people["answerer_member"])
    mine = _text(client.get("/partner-calls/mine"))
    assert "Calls we have answered" in mine and "unread" not in mine
    # the lists run the same number of queries however many threads there are: the caller's
    # (one call, many answers) and the answerer's (answers to calls of many organisations)
    def more_answers(count):
        for n in range(count):
            writer = make_user()
            other = make_organisation(owner=writer)
            answer(pc, other, writer, f"Vastaus {n}")
            caller = make_user()
            elsewhere = services.create_partner_call(
                caller, make_organisation(owner=caller, type="employer"), call_values())
            answer(elsewhere, ngo, people["answerer_writer"], f"Vastaus muualle {n}")

    more_answers(1)
    login_as(people["caller_writer"])
    with count_queries() as caller_few:
        client.get("/partner-calls/mine")
    with count_queries() as listing_few:
        client.get(f"/partner-calls/{pc.id}/threads")
    login_as(people["answerer_member"])
    with count_queries() as answerer_few:
        client.get("/partner-calls/mine")
    more_answers(5)
    with count_queries() as answerer_many:
        mine = _text(client.get("/partner-calls/mine"))
    assert mine.count("Vastaus muualle") == 0 and mine.count("answered by Polku ry") == 7
    login_as(people["caller_writer"])
    with count_queries() as caller_many:
        client.get("/partner-calls/mine")
    with count_queries() as listing_many:
        client.get(f"/partner-calls/{pc.id}/threads")
    assert caller_many.count == caller_few.count
    assert listing_many.count == listing_few.count
    assert answerer_many.count == answerer_few.count


def test_services_check_their_actor(two_sides, answer, make_organisation, make_user):
    people, firm, ngo, third, pc = two_sides
    first = answer(pc, ngo, people["answerer_writer"])
    thread = first.thread
    for actor in ("caller_member", "answerer_member", "third_member", "admin"):
        with pytest.raises(NotAllowed):
            services.post_message(people[actor], thread, "Hei")
    with pytest.raises(NotAllowed):  # a plain member answers in the NGO's name
        services.answer_partner_call(people["answerer_member"], pc, ngo, "Hei")
    with pytest.raises(NotAllowed):  # nobody answers for the announcing organisation
        services.answer_partner_call(people["caller_writer"], pc, firm, "Hei")
    owner = make_user()
    unverified = make_organisation(verified=False, owner=owner)
    with pytest.raises(NotAllowed):
        services.answer_partner_call(owner, pc, unverified, "Hei")
    with pytest.raises(NotAllowed):
        services.update_partner_call(people["third_member"], pc, call_values(title="Kaapattu"))
    with pytest.raises(NotAllowed):
        services.close_partner_call(people["caller_member"], pc, PartnerCallClosure.filled)
    assert pc.title != "Kaapattu" and pc.is_open and third.id
    assert _count(PartnerMessage) == 1
