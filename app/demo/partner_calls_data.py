"""The partner calls demo (issue 14 §1): two open partner calls with answers.

- Työvoima Saimaa Oy (henkilöstöpalveluyritys, hanna.leinonen) looks for an NGO partner for an
  ESR+ pilot of the open Etelä-Savo call; Savon Työvalmennus ry (mikko.partanen) has answered,
  and the two have talked in their private thread (three messages, the last one unread by the
  firm).
- Mikkelin seudun työllisyysalue (janne.karhu) looks for employers for work try-outs of
  partially able-to-work jobseekers; Saimaan Konepaja Oy (kari.lyytikainen) has answered.

Rows are made directly (no notices or mail for the past conversation). Idempotent: a call is
found by its organisation and title, and its thread is made only with a new call.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.data import _email
from app.partners.models import PartnerCall, PartnerCallState, PartnerMessage, PartnerThread

CALLS = [
    {
        "organisation": "staffing-tyovoima-saimaa", "author": "hanna.leinonen",
        "title": "Etsimme järjestökumppania ESR+-pilottiin: työhönvalmennus osatyökykyisille",
        "description": (
            "Työvoima Saimaa Oy valmistelee hakemusta Etelä-Savon avoimeen ESR+-hakuun. "
            "Pilotissa osatyökykyiset työnhakijat pääsevät vuokratyön kautta kokeilemaan "
            "teollisuuden ja logistiikan tehtäviä.\n\n"
            "**Etsimme järjestöä**, jolla on kokemusta työhönvalmennuksesta ja "
            "osatyökykyisten tuesta. Me tuomme työnantajakontaktit ja rekrytoinnin, "
            "kumppani valmennuksen ja tuen työpaikalla.\n\n"
            "- hankkeen kesto 24 kuukautta\n- osatoteuttajan osuus noin 40 % budjetista"
        ),
        "partner_kind": "Järjestö, joka tekee työhönvalmennusta osatyökykyisille",
        "partner_types": ["ngo", "social_enterprise"], "regions": ["MK10"],
        "target_groups": ["partially_able_to_work", "long_term_unemployed"],
        "languages": ["fi"], "call": "open", "days_ago": 6, "deadline_days": 21,
        "answer": {
            "organisation": "ngo-savon-tyovalmennus",
            "messages": [
                ("mikko.partanen", 4, "Hei! Savon Työvalmennus ry on kiinnostunut. Meillä on "
                 "kuusi työhönvalmentajaa ja kokemusta osatyökykyisten polusta Mikkelin "
                 "seudulla. Voisimmeko sopia tapaamisen ensi viikolle?"),
                ("hanna.leinonen", 3, "Kiitos vastauksesta! Tiistai 14–15 sopisi meille. "
                 "Lähetän kutsun ja hankesuunnitelman luonnoksen."),
                ("mikko.partanen", 1, "Tiistai sopii. Kommentoimme luonnoksen "
                 "valmennusosuutta ennen tapaamista."),
            ],
        },
    },
    {
        "organisation": "ea-mikkeli", "author": "janne.karhu",
        "title": "Työnantajia työkokeiluihin osatyökykyisille Mikkelin seudulla",
        "description": (
            "Mikkelin seudun työllisyysalue rakentaa osatyökykyisten työllistymispolkua. "
            "Etsimme työnantajia, jotka tarjoavat työkokeilu- ja palkkatukipaikkoja ja "
            "nimeävät työpaikkaohjaajan. Tarjoamme ohjauksen, työhönvalmennuksen ja "
            "palkkatuen neuvonnan."
        ),
        "partner_kind": "Työnantaja, jolla on työkokeilupaikkoja",
        "partner_types": ["employer", "wellbeing_county"], "regions": ["MK10"],
        "target_groups": ["partially_able_to_work"], "languages": ["fi"], "call": None,
        "days_ago": 3, "deadline_days": 35,
        "answer": {
            "organisation": "employer-saimaan-konepaja",
            "messages": [
                ("kari.lyytikainen", 2, "Saimaan Konepaja voi tarjota kaksi työkokeilupaikkaa "
                 "kokoonpanossa syksystä alkaen. Työpaikkaohjaajana toimisi tuotantopäällikkö."),
            ],
        },
    },
]


def seed_partner_calls(session: Session, ctx) -> int:
    """The two partner calls with their threads; returns the rows made (0 on a second run)."""
    created = 0
    today = ctx.now.date()
    for spec in CALLS:
        organisation = ctx.organisation(spec["organisation"])
        existing = session.scalar(select(PartnerCall).where(
            PartnerCall.organisation_id == organisation.id, PartnerCall.title == spec["title"]))
        if existing is not None:
            continue
        linked = ctx.calls.get(spec["call"]) if spec["call"] else None
        at = ctx.now - timedelta(days=spec["days_ago"])
        partner_call = PartnerCall(
            organisation=organisation, created_by_id=ctx.user(_email(spec["author"])).id,
            title=spec["title"], description=spec["description"],
            partner_kind=spec["partner_kind"], partner_types=spec["partner_types"],
            regions=spec["regions"], target_groups=spec["target_groups"],
            languages=spec["languages"], call_id=linked.id if linked is not None else None,
            deadline=today + timedelta(days=spec["deadline_days"]),
            state=PartnerCallState.open, created_at=at, updated_at=at)
        session.add(partner_call)
        created += 1
        answer = spec["answer"]
        answerer = ctx.organisation(answer["organisation"])
        messages = answer["messages"]
        first_author = ctx.user(_email(messages[0][0]))
        thread = PartnerThread(partner_call=partner_call, organisation=answerer,
                               created_by_id=first_author.id,
                               created_at=ctx.now - timedelta(days=messages[0][1]))
        session.add(thread)
        created += 1
        for author, days_ago, body in messages:
            person = ctx.user(_email(author))
            when = ctx.now - timedelta(days=days_ago)
            own = any(m.user_id == person.id for m in answerer.memberships)
            session.add(PartnerMessage(
                thread=thread, organisation_id=answerer.id if own else organisation.id,
                author_id=person.id, body=body, created_at=when))
            thread.last_message_at = when
            # Each side has read what came before its own message.
            if own:
                thread.answerer_read_at = when
            else:
                thread.caller_read_at = when
            created += 1
    session.flush()
    return created
