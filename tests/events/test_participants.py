"""The organiser's participants: lists with counts, exports (CSV, XLSX) and mail to them."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.core.outbox import OutboundMail
from app.events import registration as reg
from app.extensions import db
from app.organisations.models import Role
from tests.events.test_registration_helpers import make_event

NAMES = ["Östen", "Bertta", "Aino", "Cecilia"]
ORGANISATIONS = ["=HYPERLINK(\"http://x\")", "-2+3", "Yhdistys", "Yhdistys"]


def _full_event(make_user, make_organisation):
    writer = make_user()
    organisation = make_organisation(owner=writer)
    event = make_event(organisation, capacity=2, title="Infotilaisuus & verkosto")
    start = utcnow()
    for n, name in enumerate(NAMES):
        person = make_user(email=f"o{n}@example.fi", name=name)
        reg.register(person, event.id, organisation_name=ORGANISATIONS[n],
                     now=start + timedelta(seconds=n))
    db.session.commit()
    return writer, organisation, event


def test_participants_lists_counts_sorting_and_access(client, login_as, make_user,
                                                     make_organisation, add_member):
    writer, organisation, event = _full_event(make_user, make_organisation)
    login_as(writer)
    html = client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert '<dd id="count-confirmed">2 / 2</dd>' in html
    assert '<dd id="count-waiting">2</dd>' in html
    assert "Bertta" in html and "Aino" not in html  # the confirmed list: the first two
    waiting = client.get(f"/events/{event.id}/participants?list=waiting").get_data(as_text=True)
    assert waiting.index("Aino") < waiting.index("Cecilia")  # queue order
    by_name = client.get(f"/events/{event.id}/participants?sort=name").get_data(as_text=True)
    assert by_name.index("Bertta") < by_name.index("Östen")
    assert html.index("Östen") < html.index("Bertta")  # by default in registration order
    cancelled = client.get(f"/events/{event.id}/participants?list=cancelled")
    assert 'id="participants-empty"' in cancelled.get_data(as_text=True)

    member, outsider = make_user(), make_user()
    add_member(organisation, member, Role.member)
    for person in (member, outsider):
        login_as(person)
        for path in ("participants", "participants.csv", "participants.xlsx",
                     "participants/mail"):
            assert client.get(f"/events/{event.id}/{path}").status_code == 404


def test_exports_neutralise_formulas(client, login_as, make_user, make_organisation):
    from openpyxl import load_workbook

    writer, _, event = _full_event(make_user, make_organisation)
    login_as(writer)
    response = client.get(f"/events/{event.id}/participants.csv")
    assert response.status_code == 200 and "attachment" in response.headers[
        "Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Name;E-mail;Organisation")
    assert lines[1].startswith("Östen;o0@example.fi;\"'=HYPERLINK")  # formulas neutralised
    assert ";'-2+3;" in lines[2]
    assert [line.split(";")[4] for line in lines[1:]] == ["Confirmed", "Confirmed",
                                                          "Waiting list", "Waiting list"]

    xlsx = client.get(f"/events/{event.id}/participants.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "E-mail", "Organisation")
    assert rows[1][2].startswith("'=HYPERLINK") and rows[2][2] == "'-2+3"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    writer.language = "fi"
    db.session.commit()
    finnish = client.get(f"/events/{event.id}/participants.csv").get_data().decode("utf-8-sig")
    assert finnish.startswith("Nimi;")  # headers in the user's language


def test_mail_participants_previews_the_count_then_sends_one_each(
        client, login_as, make_user, make_organisation, audit_actions):
    writer, organisation, event = _full_event(make_user, make_organisation)
    login_as(writer)
    data = {"audience": "waiting", "subject": "Tärkeää & ajankohtaista", "body": "Hei <kaikki>!"}
    before = set(db.session.scalars(select(OutboundMail.id)))
    preview = client.post(f"/events/{event.id}/participants/mail", data=dict(data, preview="1"))
    assert preview.status_code == 200
    assert "This message goes to 2 people." in preview.get_data(as_text=True)
    assert set(db.session.scalars(select(OutboundMail.id))) == before  # nothing sent yet

    empty = client.post(f"/events/{event.id}/participants/mail",
                        data=dict(data, subject="", send="1"))
    assert empty.status_code == 422 and "Write a subject." in empty.get_data(as_text=True)

    sent = client.post(f"/events/{event.id}/participants/mail", data=dict(data, send="1"))
    assert sent.status_code == 302
    new = [m for m in db.session.scalars(select(OutboundMail)) if m.id not in before]
    assert sorted(m.recipient for m in new) == ["o2@example.fi", "o3@example.fi"]
    assert all(m.subject == "Tärkeää & ajankohtaista" for m in new)
    assert all("Hei <kaikki>!" in m.body and "Infotilaisuus & verkosto" in m.body for m in new)
    assert "event.participants_mailed" in audit_actions(organisation)
