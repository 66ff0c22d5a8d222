"""Demo data of the reforms: the ELY-centres' tasks moved to the elinvoimakeskukset on
1 January 2026, and the TE services to the municipal employment areas on 1 January 2025.

- The demo's two funding authorities are the elinvoimakeskukset of Etelä-Savo and Pirkanmaa
  (data.py); each keeps its ELY-centre name as a former name used until 31.12.2025, and every
  call, decision and decided application carries the name the authority had at the time (the
  calls of 2025 "Etelä-Savon ELY-keskus", those of 2026 "Etelä-Savon elinvoimakeskus").
- Etelä-Savon TE-toimisto (kept for history: ceased 31.12.2024) is the predecessor of
  Mikkelin seudun työllisyysalue (from 1.1.2025), whose member municipalities are data.
- Mikkelin kaupunki and a unit of it under the same Business ID (Ohjaamo, the youth
  services' one-stop guidance centre), each with its own page.

Idempotent: organisations are found by Business ID and unit name; a name, a former name or a
lifecycle date is written only where it is missing, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.calls.models import Call
from app.core import clock
from app.demo.data import business_id
from app.organisations.models import Organisation, OrganisationStatus
from app.reviews.models import Decision

ELY_UNTIL = date(2025, 12, 31)  # the ELY-centres' last day; the elinvoimakeskukset from 1.1.2026

# data key -> the ELY-centre name the authority had until ELY_UNTIL
RENAMED = {
    "ely-etela-savo": "Etelä-Savon ELY-keskus",
    "ely-pirkanmaa": "Pirkanmaan ELY-keskus",
}

TE_OFFICE = {
    "name": "Etelä-Savon TE-toimisto",
    "business_id": business_id("9900201"),
    "type": "te_office",
    "regions": ["MK10"],
    "valid_to": date(2024, 12, 31),
    "description": (
        "Etelä-Savon työ- ja elinkeinotoimisto järjesti alueen julkiset työvoimapalvelut "
        "31.12.2024 asti. Palvelut siirtyivät 1.1.2025 kuntien työllisyysalueille."
    ),
    "expertise": "Julkiset työvoimapalvelut 2013–2024, työllisyyskokeilut 2021–2024",
}

EMPLOYMENT_AREA_KEY = "ea-mikkeli"
MEMBER_MUNICIPALITIES = ["Mikkeli", "Kangasniemi", "Mäntyharju", "Pertunmaa"]
EMPLOYMENT_AREA_FROM = date(2025, 1, 1)

MUNICIPALITY_ID = business_id("9900202")
MUNICIPALITY = {
    "name": "Mikkelin kaupunki",
    "unit_name": "",
    "type": "municipality",
    "description": ("Mikkelin kaupunki on Mikkelin seudun työllisyysalueen vastuukunta ja "
                    "työllistää itse palkkatuella ja työkokeiluin."),
    "expertise": "Palkkatuki, työkokeilu, kuntouttava työtoiminta",
}
MUNICIPAL_UNIT = {
    "name": "Mikkelin kaupunki",
    "unit_name": "Ohjaamo Mikkeli",
    "type": "municipality",
    "description": ("Ohjaamo on alle 30-vuotiaiden matalan kynnyksen palvelupiste: ohjausta "
                    "työhön, koulutukseen ja arjen asioihin samasta paikasta."),
    "expertise": "Nuorten ohjaus, etsivä nuorisotyö, työhönvalmennus",
}

# The organisations this step adds beside data.ORGANISATIONS (without members: the TE-office
# has ceased, and the city's people are not in the demo).
ORGANISATIONS = [TE_OFFICE, MUNICIPALITY, MUNICIPAL_UNIT]


def name_on(organisation: Organisation, day: date) -> str:
    """The name the organisation had on `day`: the earliest former name used until that day
    or later, otherwise its current name."""
    for entry in sorted(organisation.former_names or [], key=lambda e: e.get("until") or ""):
        until = entry.get("until")
        if until and day <= date.fromisoformat(until):
            return entry["name"]
    return organisation.name


def seed_authorities(session: Session, ctx) -> int:
    """The reforms in the demo (module doc). Returns how many rows it created or completed."""
    changed = 0
    for key, old_name in RENAMED.items():
        authority = ctx.organisations.get(key)
        if authority is None:
            continue
        changed += _keep_former_name(authority, old_name)
        changed += _names_of_the_time(session, authority)
    office, created = _organisation(session, ctx, TE_OFFICE["business_id"], "", TE_OFFICE)
    changed += created
    if office.valid_to is None:
        office.valid_to = TE_OFFICE["valid_to"]
        changed += 1
    area = ctx.organisations.get(EMPLOYMENT_AREA_KEY)
    if area is not None:
        if not area.member_municipalities:
            area.member_municipalities = list(MEMBER_MUNICIPALITIES)
            changed += 1
        if area.predecessor_id is None and area.valid_from is None:
            area.predecessor = office
            area.valid_from = EMPLOYMENT_AREA_FROM
            changed += 1
    for spec in (MUNICIPALITY, MUNICIPAL_UNIT):
        changed += _organisation(session, ctx, MUNICIPALITY_ID, spec["unit_name"], spec)[1]
    session.flush()
    return changed


def _keep_former_name(authority: Organisation, old_name: str) -> int:
    if any(entry.get("name") == old_name for entry in authority.former_names or []):
        return 0
    if authority.name == old_name:  # a database seeded before the reform: rename it now
        authority.name = old_name.replace("ELY-keskus", "elinvoimakeskus")
    authority.former_names = [*(authority.former_names or []),
                              {"name": old_name, "until": ELY_UNTIL.isoformat()}]
    return 1


def _names_of_the_time(session: Session, authority: Organisation) -> int:
    """Calls, decisions and decided applications carry the name of their day."""
    changed = 0
    calls = session.scalars(select(Call).where(Call.organisation_id == authority.id)).all()
    for call in calls:
        made = call.published_at or call.created_at
        name = name_on(authority, clock.local_date(made))
        if made is not None and call.authority_name != name:
            call.authority_name = name
            changed += 1
        decided = session.scalars(select(Application).where(
            Application.call_id == call.id, Application.decided_at.is_not(None))).all()
        for application in decided:
            name = name_on(authority, clock.local_date(application.decided_at))
            if application.authority_name != name:
                application.authority_name = name
                changed += 1
        for decision in session.scalars(select(Decision).join(Application).where(
                Application.call_id == call.id, Decision.decided_at.is_not(None))):
            name = name_on(authority, clock.local_date(decision.decided_at))
            if decision.authority_name != name:
                decision.authority_name = name
                changed += 1
    return changed


def _organisation(session: Session, ctx, bid: str, unit_name: str,
                  spec: dict) -> tuple[Organisation, int]:
    """The organisation (unit) with this Business ID and unit name, made if missing; and 1
    if it was made."""
    found = session.scalar(select(Organisation).where(Organisation.business_id == bid,
                                                      Organisation.unit_name == unit_name))
    if found is not None:
        return found, 0
    organisation = Organisation(
        name=spec["name"], business_id=bid, unit_name=unit_name, type=spec["type"],
        description=spec.get("description", ""), expertise=spec.get("expertise", ""),
        status=OrganisationStatus.verified, verified_at=ctx.now,
        verified_by_id=ctx.admin.id if ctx.admin else None,
    )
    organisation.regions = list(spec.get("regions", ["MK10"]))
    session.add(organisation)
    session.flush()
    return organisation, 1
