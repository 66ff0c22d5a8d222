"""The demo's reforms (app/demo/authorities_data.py): elinvoimakeskukset with their former
ELY-centre names and the names of the time on calls and decisions, a ceased TE-office whose
tasks moved to an employment area with member municipalities, and a municipality's unit
under its Business ID; a second seed changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.applications.models import Application
from app.calls.models import Call
from app.core import clock
from app.demo import authorities_data as reform
from app.demo.seed import seed_demo
from app.organisations import business_id
from app.organisations.models import Organisation
from app.reviews.models import Decision

ELY_LAST_DAY = date(2025, 12, 31)


@pytest.fixture
def seeded(db):
    seed_demo(db.session)
    db.session.commit()


def _org(db, name, unit_name=""):
    return db.session.scalar(select(Organisation).where(Organisation.name == name,
                                                        Organisation.unit_name == unit_name))


def _expected(day: date, new: str, old: str) -> str:
    return old if day <= ELY_LAST_DAY else new


def test_the_authorities_are_elinvoimakeskukset_with_their_former_names(seeded, db, client):
    for new, old in (("Etelä-Savon elinvoimakeskus", "Etelä-Savon ELY-keskus"),
                     ("Pirkanmaan elinvoimakeskus", "Pirkanmaan ELY-keskus")):
        centre = _org(db, new)
        assert centre is not None and centre.type == "regional_authority"
        assert centre.is_funding_authority and centre.is_verified
        assert centre.former_names == [{"name": old, "until": "2025-12-31"}]
        assert _org(db, old) is None  # one organisation, renamed: not two
        page = client.get(f"/organisations/{centre.id}").get_data(as_text=True)
        assert "Former names" in page and old in page


def test_calls_and_decisions_carry_the_name_of_their_day(seeded, db):
    centre = _org(db, "Etelä-Savon elinvoimakeskus")
    calls = db.session.scalars(select(Call).where(Call.organisation_id == centre.id)).all()
    days = {clock.local_date(c.published_at or c.created_at) for c in calls}
    # The demo has calls of both sides of the reform.
    assert min(days) <= ELY_LAST_DAY < max(days)
    for call in calls:
        day = clock.local_date(call.published_at or call.created_at)
        assert call.authority_name == _expected(day, centre.name, "Etelä-Savon ELY-keskus")
    decided = db.session.scalars(select(Application).join(Call).where(
        Call.organisation_id == centre.id, Application.decided_at.is_not(None))).all()
    assert decided
    for application in decided:
        assert application.authority_name == _expected(
            clock.local_date(application.decided_at), centre.name, "Etelä-Savon ELY-keskus")
    for decision in db.session.scalars(select(Decision).where(Decision.decided_at.is_not(None))):
        assert decision.authority_name in {"Etelä-Savon ELY-keskus", "Etelä-Savon elinvoimakeskus",
                                           "Pirkanmaan ELY-keskus", "Pirkanmaan elinvoimakeskus"}
        authority = decision.application.call.organisation
        assert decision.authority_name == reform.name_on(
            authority, clock.local_date(decision.decided_at))


def test_the_te_office_ceased_and_the_employment_area_took_over(seeded, db, client):
    office = _org(db, "Etelä-Savon TE-toimisto")
    area = _org(db, "Mikkelin seudun työllisyysalue")
    assert office.type == "te_office" and office.is_ceased() and not office.is_funding_authority
    assert business_id.is_valid(office.business_id)
    assert area.type == "employment_area" and area.predecessor_id == office.id
    assert area.valid_from == date(2025, 1, 1)
    assert area.member_municipalities == ["Mikkeli", "Kangasniemi", "Mäntyharju", "Pertunmaa"]
    office_page = client.get(f"/organisations/{office.id}").get_data(as_text=True)
    assert "Its tasks moved to" in office_page and f'href="/organisations/{area.id}"' in office_page
    area_page = client.get(f"/organisations/{area.id}").get_data(as_text=True)
    assert "Took over the tasks of" in area_page and "Mäntyharju" in area_page
    directory = client.get("/organisations?q=TE-toimisto").get_data(as_text=True)
    assert "Etelä-Savon TE-toimisto" in directory and "badge-ceased" in directory
    hidden = client.get("/organisations?q=TE-toimisto&active=y").get_data(as_text=True)
    assert "Etelä-Savon TE-toimisto" not in hidden


def test_a_municipality_and_its_unit_share_a_business_id(seeded, db, client):
    city = _org(db, "Mikkelin kaupunki")
    unit = _org(db, "Mikkelin kaupunki", "Ohjaamo Mikkeli")
    assert city.business_id == unit.business_id and business_id.is_valid(city.business_id)
    page = client.get(f"/organisations/{city.id}").get_data(as_text=True)
    assert "Other units with the Business ID" in page and f'href="/organisations/{unit.id}"' in page


def test_a_second_seed_changes_nothing(seeded, db):
    def state():
        return (db.session.scalar(select(func.count()).select_from(Organisation)),
                sorted((c.id, c.authority_name) for c in db.session.scalars(select(Call))),
                sorted((o.id, o.name, str(o.former_names), o.valid_to, o.predecessor_id)
                       for o in db.session.scalars(select(Organisation))))

    before = state()
    summary = seed_demo(db.session)
    db.session.commit()
    assert summary.created["authorities"] == 0
    assert state() == before
