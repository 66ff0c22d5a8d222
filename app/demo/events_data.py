"""The events demo (issue 14 §3): three upcoming events, dated from today so that they stay
upcoming whenever the demo is seeded.

- The information session of the open demo call of Etelä-Savon elinvoimakeskus: hybrid
  (Mikkeli and online), 12 places, registration open until two days before. The registration
  step (app/demo) finds it by INFO_SESSION_TITLE and fills its list and waiting list.
- A national networking meeting of the pilots for people partially able to work, in Tampere
  (Pirkan Polku ry), 60 places, in Finnish and Swedish.
- A training of Savon Työvalmennus ry, online, no limit.

Idempotent: an event is matched by its organisation and title and never changed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.events.models import Event, EventFormat, EventKind, EventState

HELSINKI = ZoneInfo("Europe/Helsinki")
INFO_SESSION_TITLE = "Hakuinfo: Uusia työmahdollisuuksia työpaikkoja kehittämällä – Etelä-Savo"
NETWORKING_TITLE = "Osatyökykyisten työllistämiskokeilujen valtakunnallinen verkostotapaaminen"
TRAINING_TITLE = "Koulutus: työkykykoordinaattorin keinot työnantajayhteistyöhön"

EVENTS: list[dict] = [
    {
        "organisation": "ely-etela-savo", "call": "open", "kind": EventKind.info_session,
        "title": INFO_SESSION_TITLE, "format": EventFormat.hybrid,
        "days": 12, "start": time(13), "hours": 2, "deadline_days": 10, "capacity": 12,
        "place": "Mikkeli, Maaherrankatu 16, kokoushuone Saimaa",
        "online_url": "https://teams.example.fi/hakuinfo-etela-savo",
        "languages": ["fi"],
        "accessibility": "Esteetön sisäänkäynti Maaherrankadun puolelta. Induktiosilmukka "
                         "kokoushuoneessa. Etäyhteydessä tekstitys.",
        "description": (
            "Kerromme haun tavoitteista, rahoitettavista kokeiluista ja hakemuksen "
            "laatimisesta.\n\n"
            "- haun tavoitteet ja valintaperusteet\n"
            "- kustannusarvio ja rahoitussuunnitelma\n"
            "- kysymyksiä ja vastauksia\n\n"
            "Paikkoja on rajoitetusti: ilmoittaudu ajoissa. Jonoon voi ilmoittautua."),
    },
    {
        "organisation": "ngo-pirkan-polku", "kind": EventKind.networking,
        "title": NETWORKING_TITLE, "format": EventFormat.in_person,
        "days": 30, "start": time(9, 30), "hours": 6, "deadline_days": 23, "capacity": 60,
        "place": "Tampere-talo, Yliopistonkatu 55, Tampere",
        "languages": ["fi", "sv"],
        "accessibility": "Esteetön tila. Kerro ruokavaliosta ja avustajan tarpeesta "
                         "ilmoittautuessasi.",
        "description": (
            "Osatyökykyisten työllistämiskokeilujen toteuttajat eri puolilta Suomea kokoontuvat "
            "jakamaan kokemuksia ja toimintamalleja.\n\n"
            "Aamupäivällä kokeilujen tuloksia, iltapäivällä työpajat työnantajayhteistyöstä "
            "ja työkyvyn tuesta. Työpajoja myös ruotsiksi."),
    },
    {
        "organisation": "ngo-savon-tyovalmennus", "kind": EventKind.training,
        "title": TRAINING_TITLE, "format": EventFormat.online,
        "days": 19, "start": time(9), "hours": 3, "capacity": None,
        "online_url": "https://teams.example.fi/tyokykykoordinaattori-koulutus",
        "languages": ["fi"],
        "description": (
            "Käytännön koulutus työkykykoordinaattoreille ja työvalmentajille: miten "
            "työnantajan kanssa sovitaan työtehtävien muokkaamisesta ja perehdytyksestä."),
    },
]


def _local(now: datetime, days: int, at: time) -> datetime:
    day = (now.astimezone(HELSINKI) + timedelta(days=days)).date()
    return datetime.combine(day, at, tzinfo=HELSINKI).astimezone(UTC)


def seed_events(session: Session, ctx) -> int:
    """The three demo events, published; the number created (0 on a second run)."""
    created = 0
    for spec in EVENTS:
        organisation = ctx.organisation(spec["organisation"])
        found = session.scalar(select(Event.id).where(Event.organisation_id == organisation.id,
                                                      Event.title == spec["title"]))
        if found is not None:
            continue
        starts = _local(ctx.now, spec["days"], spec["start"])
        call = ctx.calls.get(spec["call"]) if spec.get("call") else None
        session.add(Event(
            organisation=organisation, kind=spec["kind"], title=spec["title"],
            description=spec["description"], starts_at=starts,
            ends_at=starts + timedelta(hours=spec["hours"]), format=spec["format"],
            place=spec.get("place", ""), online_url=spec.get("online_url", ""),
            capacity=spec["capacity"], languages=spec["languages"],
            accessibility=spec.get("accessibility", ""),
            registration_deadline=(_local(ctx.now, spec["deadline_days"], time(16))
                                   if spec.get("deadline_days") else None),
            call_id=call.id if call is not None else None, state=EventState.published,
            published_at=ctx.now,
        ))
        created += 1
    session.flush()
    return created
