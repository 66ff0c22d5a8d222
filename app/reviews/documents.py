"""The decision document: its fixed texts in Finnish and Swedish, and what it shows.

The document is the authority's decision to the applicant, written in the decision's language
(fi or sv) whatever the language of the interface. Its headings and the appeal instructions
(oikaisuvaatimusohje / anvisning om begäran om omprövning) are legal boilerplate reviewed per
language, so they are kept here, keyed by language, rather than in the interface's translation
catalogue (where a missing translation would silently show the English source).

The justification templates of the batch proposals (one per outcome and language) are here too:
they become part of the decision's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from app.applications.models import PLAN_FIELDS
from app.core.clock import HELSINKI
from app.core.db import ensure_aware
from app.reviews import scoring
from app.reviews.models import Decision

LANGUAGES = ("fi", "sv")

PROGRAMME = {
    "fi": "Uudistuva ja osaava Suomi 2021–2027",
    "sv": "Förnyande och kompetent Finland 2021–2027",
}

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Päätös",
        "subtitle": "Päätös ESR+-hanketuesta",
        "number": "Diaarinumero",
        "date": "Päivämäärä",
        "authority": "Viranomainen",
        "applicant": "Hakija",
        "business_id": "Y-tunnus",
        "partners": "Osatoteuttajat",
        "no_partners": "Ei osatoteuttajia",
        "cooperation": "Yhteistyökumppanit",
        "project": "Hanke",
        "call": "Haku",
        "programme": "Ohjelma",
        "fund": "Rahasto: Euroopan sosiaalirahasto plus (ESR+)",
        "decision": "Päätös",
        "approved": "Hankkeelle myönnetään hanketukea seuraavasti.",
        "rejected": "Hakemus hylätään. Hankkeelle ei myönnetä hanketukea.",
        "granted": "Myönnetty hanketuki",
        "requested": "Haettu hanketuki",
        "approved_cost": "Hyväksytyt tukikelpoiset kokonaiskustannukset",
        "share": "Hanketuen osuus tukikelpoisista kustannuksista",
        "plan": "Hyväksytty rahoitussuunnitelma",
        "source": "Rahoituslähde",
        "amount": "Euroa",
        "total": "Yhteensä",
        "conditions": "Ehdot",
        "no_conditions": "Päätökseen ei liity erityisiä ehtoja.",
        "period": "Tukikelpoisuusaika",
        "justification": "Perustelut",
        "presenter": "Esittelijä",
        "decider": "Ratkaisija",
        "appeal": "Oikaisuvaatimusohje",
        "support": "Hanketuki (EU ja valtio)",
        "municipal": "Kuntarahoitus",
        "other_public": "Muu julkinen rahoitus",
        "own_public": "Oma julkinen rahoitus",
        "private": "Yksityinen rahoitus",
        "own": "Oma yksityinen rahoitus",
    },
    "sv": {
        "title": "Beslut",
        "subtitle": "Beslut om ESF+-projektstöd",
        "number": "Diarienummer",
        "date": "Datum",
        "authority": "Myndighet",
        "applicant": "Sökande",
        "business_id": "FO-nummer",
        "partners": "Delgenomförare",
        "no_partners": "Inga delgenomförare",
        "cooperation": "Samarbetspartner",
        "project": "Projekt",
        "call": "Utlysning",
        "programme": "Program",
        "fund": "Fond: Europeiska socialfonden plus (ESF+)",
        "decision": "Beslut",
        "approved": "Projektet beviljas projektstöd enligt följande.",
        "rejected": "Ansökan avslås. Projektet beviljas inte projektstöd.",
        "granted": "Beviljat projektstöd",
        "requested": "Sökt projektstöd",
        "approved_cost": "Godkända stödberättigande totalkostnader",
        "share": "Projektstödets andel av de stödberättigande kostnaderna",
        "plan": "Godkänd finansieringsplan",
        "source": "Finansieringskälla",
        "amount": "Euro",
        "total": "Totalt",
        "conditions": "Villkor",
        "no_conditions": "Beslutet är inte förenat med särskilda villkor.",
        "period": "Stödberättigande period",
        "justification": "Motivering",
        "presenter": "Föredragande",
        "decider": "Beslutsfattare",
        "appeal": "Anvisning om begäran om omprövning",
        "support": "Projektstöd (EU och staten)",
        "municipal": "Kommunal finansiering",
        "other_public": "Annan offentlig finansiering",
        "own_public": "Egen offentlig finansiering",
        "private": "Privat finansiering",
        "own": "Egen privat finansiering",
    },
}

# The appeal instructions, paragraph by paragraph; %(authority)s is the deciding authority.
APPEAL: dict[str, tuple[str, ...]] = {
    "fi": (
        "Tähän päätökseen tyytymätön asianosainen voi vaatia siihen oikaisua. Päätökseen ei "
        "voi hakea muutosta valittamalla tuomioistuimeen ennen kuin oikaisuvaatimus on "
        "käsitelty.",
        "Oikaisuvaatimus tehdään kirjallisesti päätöksen tehneelle viranomaiselle "
        "(%(authority)s) 30 päivän kuluessa siitä, kun asianosainen on saanut päätöksestä "
        "tiedon. Tiedoksisaantipäivää ei lasketa mukaan määräaikaan.",
        "Oikaisuvaatimuksessa on mainittava päätös, johon oikaisua vaaditaan, millaista "
        "muutosta päätökseen vaaditaan ja millä perusteilla. Oikaisuvaatimuksessa on "
        "ilmoitettava vaatimuksen tekijän nimi ja yhteystiedot (postiosoite, puhelinnumero ja "
        "sähköpostiosoite), joihin asiaa koskevat ilmoitukset voidaan toimittaa.",
        "Oikaisuvaatimuksen käsittely on maksuton.",
    ),
    "sv": (
        "En part som är missnöjd med detta beslut kan begära omprövning av det. Beslutet får "
        "inte överklagas hos domstol förrän begäran om omprövning har behandlats.",
        "Begäran om omprövning ska göras skriftligen till den myndighet som har fattat "
        "beslutet (%(authority)s) inom 30 dagar från det att parten har fått del av beslutet. "
        "Den dag då parten fick del av beslutet räknas inte in i tidsfristen.",
        "I begäran om omprövning ska anges det beslut som omprövningen gäller, vilka "
        "ändringar som begärs och på vilka grunder. I begäran ska också anges namn och "
        "kontaktuppgifter (postadress, telefonnummer och e-postadress) för den som begär "
        "omprövning, till vilka meddelanden i ärendet kan skickas.",
        "Behandlingen av en begäran om omprövning är avgiftsfri.",
    ),
}

# Default justifications of the batch proposals: %(mean)s etc. are filled in per application
# (see fill_template).
BATCH_TEMPLATES: dict[str, dict[str, str]] = {
    "fi": {
        "approve": "Hakemuksen painotettu keskiarvo valintaperusteista on %(mean)s / 100 "
                   "(%(reviews)s arviota, vaihteluväli %(min)s–%(max)s). Hakemus sijoittui "
                   "%(rank)s. sijalle %(count)s pisteytetyn hakemuksen joukossa, ja haettu "
                   "tuki mahtuu haun talousarvioon.",
        "reject": "Hakemuksen painotettu keskiarvo valintaperusteista on %(mean)s / 100 "
                  "(%(reviews)s arviota), sijoitus %(rank)s / %(count)s. Haun talousarvio ei "
                  "riitä paremmin sijoittuneiden hakemusten jälkeen tämän hakemuksen "
                  "rahoittamiseen, tai hakemus ei täytä yleisiä valintaperusteita.",
    },
    "sv": {
        "approve": "Ansökans viktade medelvärde enligt urvalskriterierna är %(mean)s / 100 "
                   "(%(reviews)s bedömningar, variation %(min)s–%(max)s). Ansökan placerade "
                   "sig som nummer %(rank)s av %(count)s poängsatta ansökningar, och det sökta "
                   "stödet ryms inom utlysningens budget.",
        "reject": "Ansökans viktade medelvärde enligt urvalskriterierna är %(mean)s / 100 "
                  "(%(reviews)s bedömningar), placering %(rank)s av %(count)s. Utlysningens "
                  "budget räcker inte till för att finansiera ansökan efter de ansökningar som "
                  "placerade sig bättre, eller ansökan uppfyller inte de allmänna "
                  "urvalskriterierna.",
    },
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def language_of(language: str | None) -> str:
    return language if language in LANGUAGES else "fi"


def default_language(application) -> str:
    """The applicant's language: the language of the person who started the application
    (Swedish or else Finnish)."""
    creator = application.created_by
    return "sv" if creator is not None and creator.language == "sv" else "fi"


def number(value: Fraction | float | None, language: str) -> str:
    """A score with two decimals and a decimal comma (fi and sv alike); "–" when none."""
    shown = scoring.rounded(value)
    return "–" if shown is None else f"{shown:.2f}".replace(".", ",")


def percent(basis_points: int | None) -> str:
    """Hundredths of a percent as "80,00 %"."""
    if basis_points is None:
        return ""
    return f"{basis_points // 100},{basis_points % 100:02d}\u00a0%"


def day(value: date | datetime | None) -> str:
    """A date as Finnish and Swedish decisions write it: 1.9.2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = ensure_aware(value).astimezone(HELSINKI).date()
    return f"{value.day}.{value.month}.{value.year}"


def decision_number(decision: Decision) -> str:
    """The decision's diary-style identifier: KOHTAAMO/<call>-<decision>/<year>."""
    moment = decision.decided_at or decision.proposed_at
    year = ensure_aware(moment).astimezone(HELSINKI).year if moment else ""
    return f"KOHTAAMO/{decision.call_id}-{decision.id}/{year}"


def fill_template(template: str, values: dict[str, str]) -> str:
    """`template` with %(name)s replaced by the figure of that name; any other text (a stray
    %, an unknown name) is left as it was written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def figures_for_template(row, count: int, language: str) -> dict[str, str]:
    """The figures a justification template may use, from a ranking row."""
    dash = "–"
    return {
        "mean": number(row.mean, language),
        "rank": str(row.rank) if row.rank is not None else dash,
        "count": str(count),
        "min": number(row.minimum, language),
        "max": number(row.maximum, language),
        "reviews": str(row.submitted_count),
        "requested": euros(row.requested_cents),
    }


@dataclass
class PlanLine:
    name: str
    label: str
    cents: int


def plan_lines(plan: dict | None, language: str) -> list[PlanLine]:
    """The approved funding plan's sources in their usual order, with the document's
    labels; the sources with nothing in them are left out (the support always shows)."""
    texts = TEXTS[language_of(language)]
    plan = plan or {}
    return [PlanLine(name, texts[name], int(plan.get(name) or 0)) for name in PLAN_FIELDS
            if name == "support" or plan.get(name)]


def document_context(decision: Decision) -> dict:
    """What templates/reviews/_decision_document.html shows."""
    language = language_of(decision.language)
    application = decision.application
    call = application.call
    authority = decision.authority_name or application.authority_name or call.authority_label
    lines = plan_lines(decision.approved_plan, language)
    return {
        "decision": decision,
        "application": application,
        "call": call,
        "language": language,
        "t": TEXTS[language],
        "programme": PROGRAMME[language],
        "appeal": [paragraph % {"authority": authority} for paragraph in APPEAL[language]],
        "authority": authority,
        "number": decision_number(decision),
        "date": day(decision.decided_at),
        "call_title": call.title(language),
        # co-implementers (osatoteuttajat) and cooperation partners (yhteistyökumppanit)
        "partners": [p.organisation for p in application.co_implementers],
        "cooperation_partners": [p.organisation for p in application.accepted_partners
                                 if not p.is_co_implementer],
        "plan": lines,
        "plan_total": sum(line.cents for line in lines),
        "share": percent(decision.support_basis_points),
        "period": (f"{day(decision.eligible_from)}–{day(decision.eligible_until)}"
                   if decision.eligible_from and decision.eligible_until else ""),
    }


def euros(cents: int | None) -> str:
    """An amount as Finnish and Swedish decisions write it: 107 520,00 €."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    whole = f"{cents // 100:,}".replace(",", "\u00a0")
    return f"{sign}{whole},{cents % 100:02d}\u00a0€"
