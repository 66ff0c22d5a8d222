"""Speed work that must not change results (issue 13 §5): the ranking's threshold algorithm
over the terms' lists gives the same hits and scores as summing every document's scores."""

from __future__ import annotations

import random

import pytest

from app.core.changes import record_change
from app.search.bitmaps import count
from app.search.query import Builder, parse_query
from app.search.ranking import Ranker, top
from app.search.service import _bitmaps, fresh_handle

WORDS = ("valmennus työnhakija palkkatuki työkokeilu nuori kunta yritys ohjaus "
         "työnantaja osaaminen kurssi mentori").split()


@pytest.fixture
def corpus(db, make_practice, make_organisation):
    rng = random.Random(13)
    organisation = make_organisation(name="Valmennus ry")
    made = []
    for i in range(24):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        made.append(make_practice(organisation=organisation, title=f"Malli {i} {text[:40]}",
                                  summary=text, regions=[rng.choice(["MK01", "MK02"])],
                                  published=True))
    db.session.commit()
    for practice in made:
        record_change("practice", practice.id)
    db.session.commit()
    return made


def _reference(ranker: Ranker, concepts, docnum: int) -> float:
    """A concept's score as the sum over whole arrays made it: its terms' weighted scores,
    longest list first, then its groups' flat bonus (and a phrase's mean term score)."""
    total = 0
    for concept in concepts:
        parts = [(ranker.term(f, t), w) for f, t, w in concept.leaves]
        parts = sorted([(s, w) for s, w in parts if len(s)], key=lambda p: -len(p[0]))
        value = 0.0
        for scores, weight in parts:
            value += weight * scores.dense[docnum]
        for field, texts, weight, bits, scored in concept.groups:
            if (bits >> (8 * docnum)) & 1:
                value += weight * sum(ranker._idf(field, t) for t in texts)
                if scored:
                    for t in texts:
                        value += ranker.term(field, t).dense[docnum] / len(texts)
        total += value
    return total


@pytest.mark.parametrize("q", ["valmennus", "palkkatuki nuori", "työnhakija ohjaus kurssi",
                               '"palkkatuki työkokeilu" mentori', "kunta OR yritys osaaminen"])
@pytest.mark.parametrize("want", [1, 5, 40])
def test_top_hits_are_those_of_summing_every_document(app, corpus, q, want):
    handle = fresh_handle()
    with handle.lock:
        bitmaps = _bitmaps(handle)
        builder = Builder(bitmaps)
        concepts = [c for c in (builder.concept(g) for g in parse_query(q).groups) if c.matches]
        assert concepts
        ranker = Ranker(bitmaps)
        matched = 0
        for concept in concepts:
            matched |= concept.bits
        allowed = bitmaps.term("kind", "practice") & matched
        assert count(allowed)
        found = top([ranker.concept(c) for c in concepts], bitmaps.mask(allowed), want)
        expected = sorted((-_reference(ranker, concepts, d), d)
                           for d in bitmaps.docnums(allowed))[:want]
    assert [(d, score) for d, score in found] == [(d, -negated) for negated, d in expected]
    assert len(found) == min(want, count(allowed))
