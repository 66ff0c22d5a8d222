"""Questions on a demo service model: Savon Työvalmennus's "Rinnalla työpaikalle".

- Pirkan Polku asked how the workplace coach's first weeks are organised; Savon Työvalmennus
  answered and Pirkan Polku added a follow-up (about summer holidays), which was answered too:
  an answered, public thread.
- Uudenmaan Työpolku asked about using the model in English: waiting for an answer, seen only by
  the two organisations and the administrators (Savon Työvalmennus's dashboard shows it to do).

Rows are made directly (no notices, no mail). Idempotent: nothing is added when the model
already has questions.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import data
from app.questions.models import Question, QuestionMessage

MODEL = "rinnalla-tyopaikalle"
OWNER_WRITER = data._email("mikko.partanen")

THREADS = [
    {
        "organisation": "ngo-pirkan-polku",
        "author": data._email("noora.jokela"),
        "title": "Miten työhönvalmentajan ensimmäiset viikot työpaikalla järjestetään?",
        "days_ago": 12,
        "messages": [
            (False, data._email("noora.jokela"),
             "Hei! Harkitsemme mallin käyttöönottoa Pirkanmaalla.\n\n"
             "Kuinka monta tuntia viikossa työhönvalmentaja on työpaikalla ensimmäisten "
             "viikkojen aikana, ja miten työpaikkaohjaaja perehdytetään?"),
            (True, OWNER_WRITER,
             "Kiitos kysymyksestä! Kahden ensimmäisen viikon aikana valmentaja on työpaikalla "
             "2–3 kertaa viikossa, yhteensä noin 6 tuntia. Työpaikkaohjaaja saa ennen aloitusta "
             "puolen päivän perehdytyksen, jossa käydään läpi tuen tarpeet ja yhteydenpito.\n\n"
             "Kolmannesta viikosta alkaen käynnit harvenevat kerran viikossa."),
            (False, data._email("noora.jokela"),
             "Entä kesälomien aikaan: kuka tukee työntekijää, jos oma valmentaja on lomalla?"),
            (True, OWNER_WRITER,
             "Lomien ajaksi nimetään sijainen samasta tiimistä, ja hän tapaa työntekijän ja "
             "työpaikkaohjaajan ennen loman alkua."),
        ],
    },
    {
        "organisation": "ngo-uudenmaan-tyopolku",
        "author": data._email("ahmed.farah"),
        "title": "Can the model be used with English-speaking jobseekers?",
        "days_ago": 2,
        "messages": [
            (False, data._email("ahmed.farah"),
             "Many of our jobseekers speak English but little Finnish. Do you have experience "
             "of workplace coaching in English, and are the materials available in English?"),
        ],
    },
]


def seed_questions(session: Session, ctx) -> int:
    """The demo threads on the model, unless it has questions already."""
    practice = ctx.practices.get(MODEL)
    if practice is None or session.scalar(
            select(Question.id).where(Question.practice_id == practice.id).limit(1)):
        return 0
    created = 0
    for spec in THREADS:
        organisation = ctx.organisation(spec["organisation"])
        start = ctx.now - timedelta(days=spec["days_ago"])
        question = Question(practice=practice, organisation=organisation,
                            author=ctx.user(spec["author"]), title=spec["title"],
                            created_at=start, last_message_at=start)
        session.add(question)
        for n, (is_answer, author, body) in enumerate(spec["messages"]):
            at = start + timedelta(hours=20 * n)
            session.add(QuestionMessage(
                question=question, author=ctx.user(author), is_answer=is_answer, body=body,
                organisation=practice.organisation if is_answer else organisation,
                created_at=at))
            question.last_message_at = at
            if is_answer and question.answered_at is None:
                question.answered_at = at
        created += 1
    session.flush()
    return created
