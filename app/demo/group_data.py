"""The group-project demo: one submitted application in the open national grant call whose
budget is the sum of three parts.

Savon Työvalmennus ry is the lead applicant (päätoteuttaja); Mikkelin seudun työllisyysalue and
Järvi-Savon ammattiopisto are co-implementers (osatoteuttajat), each with its own staff lines,
flat rate and balanced funding plan; Saimaan Konepaja Oy is a cooperation partner
(yhteistyökumppani) that offers workplaces and takes no money. Their people sign in as
themselves: mikko.partanen (the lead's editor), janne.karhu (the employment area's editor, who
edits only its part) and tero.savolainen (the education provider's).

The application is made as the calls demo makes its applications (app/demo/calls_data.py),
once: a re-run finds it by its call, lead and name and adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import (
    Application,
    ApplicationPartner,
    PartnerKind,
    StaffCostKind,
    StaffLine,
)
from app.demo import calls_data
from app.organisations.models import Role
from app.organisations.partnership import PartnerState

_person = calls_data._person
_monthly = calls_data._monthly

PROJECT_NAME = "Yhdessä töihin – osatyökykyisten polku kolmen toteuttajan voimin"

# (organisation, role in the project, staff lines, own funding field)
CO_IMPLEMENTERS = [
    ("ea-mikkeli", "Palveluohjaus: ohjaa osallistujat, tekee alkukartoitukset ja seuraa "
     "tuloksia kuusi kuukautta.",
     [_monthly("Palveluohjaaja", 24, 60, 3_500)], "own_public"),
    ("education-jarvi-savo", "Lyhyet ammatilliset koulutusjaksot ja osaamisen tunnistaminen "
     "työpaikoilla.",
     [_monthly("Kouluttaja", 18, 50, 3_700),
      _monthly("Opinto-ohjaaja", 12, 30, 3_600)], "own_public"),
]
COOPERATION = [("employer-saimaan-konepaja", "Tarjoaa työkokeilu- ja työpaikkoja sekä "
                "nimeää työpaikkaohjaajan.")]

SPEC = {
    "call": "open", "lead": "ngo-savon-tyovalmennus", "writer": _person("mikko.partanen"),
    "state": "submitted", "submitted": -2,
    "project_name": PROJECT_NAME,
    "summary": "Järjestö, työllisyysalue ja oppilaitos rakentavat yhden polun: palveluohjaus, "
               "työhönvalmennus ja lyhyt koulutus työpaikalla samassa hankkeessa.",
    **calls_data._texts(
        "Osatyökykyinen työnhakija saa nyt palveluohjauksen, valmennuksen ja koulutuksen eri "
        "paikoista, eikä kukaan vastaa kokonaisuudesta.",
        "Osatyökykyiset työnhakijat Mikkelin seudulla, ohjaus työllisyysalueelta.",
        "1. Alkukartoitus työllisyysalueella\n2. Työhönvalmennus\n3. Koulutusjakso "
        "työpaikalla\n4. Seuranta kuusi kuukautta",
        "Saimaan Konepaja Oy ja viisi muuta työnantajaa tarjoavat työkokeilu- ja työpaikkoja.",
        "70 osallistujaa, joista 28 työllistyy ja 12 aloittaa koulutuksen.",
        "Yhteinen polku kuvataan toimintamalliksi Kohtaamoon.",
        "Saavutettavat tilat ja selkokieliset materiaalit; tulokset seurataan sukupuolen "
        "mukaan."),
    "duration": (50, 780), "targets": (70, 28, 1, 12),
    "lines": [_monthly("Projektipäällikkö", 24, 100, 4_000),
              _monthly("Työhönvalmentaja", 24, 100, 3_300)],
    "own_percent": 20,
}


def _owner_id(organisation) -> int:
    return next(m.user_id for m in organisation.memberships if m.role == Role.owner)


def _fund_part(application: Application, partner: ApplicationPartner, own_field: str) -> None:
    """A co-implementer's balanced plan: the call's largest support share for its type, the
    rest its own funding (rounded so that the support never passes the share)."""
    from app.applications import sections

    total = sections.part_totals(application, partner).total_cents
    share = application.call.support_percent_for(partner.organisation.type)
    partner.support_cents = total * share // 100
    for name in ("municipal", "other_public", "own_public", "private", "own"):
        setattr(partner, f"{name}_cents", 0)
    setattr(partner, f"{own_field}_cents", total - partner.support_cents)


def seed_group_project(session: Session, ctx) -> int:
    """The group project application, once."""
    call = ctx.calls.get(SPEC["call"])
    if call is None:
        return 0
    lead = ctx.organisation(SPEC["lead"])
    exists = session.scalar(select(Application.id).where(
        Application.call_id == call.id, Application.organisation_id == lead.id,
        Application.project_name == PROJECT_NAME))
    if exists is not None:
        return 0
    writer = ctx.user(SPEC["writer"])
    application = calls_data._application(session, ctx, call, {**SPEC, "state": "draft"})
    accepted_at = call.opens_at + timedelta(days=2)
    parts = []
    for key, role, lines, own_field in CO_IMPLEMENTERS:
        organisation = ctx.organisation(key)
        partner = ApplicationPartner(
            organisation=organisation, kind=PartnerKind.co_implementer,
            state=PartnerState.accepted, role_description=role, invited_by_id=writer.id,
            responded_at=accepted_at, responded_by_id=_owner_id(organisation))
        application.partners.append(partner)
        parts.append((partner, lines, own_field))
    for key, role in COOPERATION:
        organisation = ctx.organisation(key)
        application.partners.append(ApplicationPartner(
            organisation=organisation, kind=PartnerKind.cooperation,
            state=PartnerState.accepted, role_description=role, invited_by_id=writer.id,
            responded_at=accepted_at, responded_by_id=_owner_id(organisation)))
    session.flush()
    position = len(application.staff_lines)
    for partner, lines, _own_field in parts:
        for line in lines:
            position += 1
            application.staff_lines.append(StaffLine(
                position=position, partner=partner,
                **{**line, "kind": StaffCostKind(line["kind"])}))
    session.flush()  # the lines get their partner_id: a part's totals read it
    for partner, _lines, own_field in parts:
        _fund_part(application, partner, own_field)
    calls_data._advance(session, ctx, call, application, SPEC, writer)
    application.updated_at = application.submitted_at
    session.flush()
    return 1
