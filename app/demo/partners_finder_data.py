"""The partner finder's demo (issue 14 §1): a staffing firm that an NGO finds by what it does,
and the languages some demo organisations serve people in.

- "Valmennuspolku Henkilöstöpalvelut Oy" (henkilöstöpalveluyritys, Etelä-Savo and
  Pohjois-Savo): job coaching (työhönvalmennus) for people partially able to work
  (osatyökykyiset) and the long-term unemployed, with employer contacts. On /partners the
  query "osatyökykyisten työhönvalmennus" (or "työnantajakontaktit") with the type
  "Henkilöstöpalveluyritys" finds it; its owner is the demo person tuomas.rasanen.
- Languages (fi, sv, en, ...) for a few demo organisations, so the language facet has counts.

Idempotent: the firm is looked up by its Business ID; the languages are set only in the run
that creates the firm, and only on organisations that have none (an edited profile stays).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.organisations.models import Membership, Organisation, OrganisationStatus, Role

FIRM = {
    "name": "Valmennuspolku Henkilöstöpalvelut Oy",
    "business_id": data.business_id("9904141"),
    "type": "staffing_firm",
    "regions": ["MK10", "MK11"],
    "target_groups": ["partially_able_to_work", "long_term_unemployed", "disabled"],
    "languages": ["fi", "en", "ru"],
    "website": "https://valmennuspolku.example",
    "contact_email": f"yhteys.valmennuspolku@{data.DOMAIN}",
    "description": (
        "Henkilöstöpalveluyritys, joka on erikoistunut osatyökykyisten ja pitkään työttömänä "
        "olleiden työllistymiseen. Työhönvalmentajamme etsivät työpaikan yhdessä työnhakijan "
        "kanssa, sopivat työtehtävien muokkauksesta työnantajan kanssa ja tukevat työn "
        "alkaessa."
    ),
    "expertise": (
        "Työhönvalmennus, osatyökykyisten rekrytointi, työnantajakontaktit ja "
        "työnantajayhteistyö (yli 300 yritystä Savossa), työkokeilupaikat, palkkatuki"
    ),
}
OWNER_EMAIL = f"tuomas.rasanen@{data.DOMAIN}"

# Demo organisations (by Business ID body in data.py) and the languages they serve in.
LANGUAGES = {
    "9900003": ["fi"],  # Savon Työvalmennus ry
    "9900004": ["fi", "fse"],  # Pirkan Polku ry
    "9900005": ["sv", "fi"],  # Föreningen Arbetsbron i Österbotten rf
    "9900006": ["fi", "en", "ar", "so"],  # Uudenmaan Työpolku ry
    "9900008": ["fi", "et"],  # Työvoima Saimaa Oy
    "9900009": ["fi", "en"],  # Kiito Henkilöstöpalvelut Oy
}


def seed_partner_finder(session: Session, ctx) -> int:
    """Add the staffing firm (with its owner) and the demo languages; 0 on a second run."""
    found = session.scalar(select(Organisation).where(
        Organisation.business_id == FIRM["business_id"], Organisation.unit_name == ""))
    if found is not None:
        return 0
    created = 0
    owner = ctx.user(OWNER_EMAIL)  # a demo person of data.USERS (listed by `flask demo logins`)
    firm = Organisation(
        **{key: FIRM[key] for key in ("name", "business_id", "type", "languages", "website",
                                      "contact_email", "description", "expertise")},
        status=OrganisationStatus.verified, verified_at=ctx.now,
        verified_by_id=ctx.admin.id if ctx.admin else None,
    )
    firm.regions = list(FIRM["regions"])
    firm.target_groups = list(FIRM["target_groups"])
    session.add(firm)
    session.add(Membership(organisation=firm, user=owner, role=Role.owner))
    created += 2
    wanted = {data.business_id(body): codes for body, codes in LANGUAGES.items()}
    for organisation in session.scalars(select(Organisation).where(
            Organisation.business_id.in_(list(wanted)), Organisation.unit_name == "")):
        if not organisation.languages:
            organisation.languages = list(wanted[organisation.business_id])
    session.flush()
    return created
