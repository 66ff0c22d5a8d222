"""The reviewed data of the domain thesaurus (issue 13 §2), app/search/data/thesaurus.csv.

Data quality only, on the file as shipped (the loader and the expansion are tested in
test_thesaurus.py): the fixed format, at least 300 concept sets, unique ids, every set in
Finnish, Swedish and English with a source, one concept set per term, terms that the
administrators' form would accept as they are, and the equivalences that the issue and
DOMAIN.md name. Cheap: it reads the CSV and tokenises the terms, nothing is analysed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from app.search.analysis import ALL_STOPWORDS, words
from app.search.thesaurus import (
    MAX_TERM_CHARS,
    MAX_TERM_WORDS,
    MAX_TERMS_PER_LANGUAGE,
    SearchConcept,
)

CSV_FILE = Path(__file__).parents[2] / "app" / "search" / "data" / "thesaurus.csv"
HEADER = ["concept", "fi", "sv", "en", "source", "note"]
LANGS = ("fi", "sv", "en")
SEPARATOR = " | "
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# An abbreviation somewhere in the term (ESR+, TE-toimisto, EU:n, S2, CV): capitals allowed.
ABBREVIATION = re.compile(r"[A-ZÅÄÖ][A-ZÅÄÖ0-9]")
# Concept sets whose terms are proper names (institutions, programmes, acts, services, peoples):
# the only ones where a term may start with a capital letter without being an abbreviation.
PROPER_NAMES = {
    "business-id", "charter-of-fundamental-rights", "crpd", "egf", "ely-centre",
    "employment-fund", "employment-services-act", "enterprise-agency", "erdf", "esf-plus",
    "finnish-second-language", "integration-act", "job-market-finland", "jotpa", "jtf",
    "keha-centre", "kela", "nordic-model", "nuotti-coaching", "occupational-barometer",
    "ohjaamo", "okm", "pillar-of-social-rights", "programme", "roma", "sami", "stm",
    "swedish-second-language", "te-office", "te-services", "tem", "tuva",
    "work-ability-programme", "yki",
}

# The equivalences that the issue names, then those of DOMAIN.md's table of words (the source
# of truth for names in this product): each (fi, sv, en) is found in one concept set.
NAMED = [
    ("palkkatuki", "lönesubvention", "pay subsidy"),
    ("työkokeilu", "arbetsprövning", "work trial"),
    ("työhönvalmennus", "jobbcoachning", "job coaching"),
    ("osatyökykyinen", "partiellt arbetsför", "partially able to work"),
    ("yksilöllinen sijoittaminen ja tuki", "IPS", "individual placement and support"),
    ("IPS", "IPS", "IPS"),
]
DOMAIN_WORDS = [
    ("ESR+", "ESF+", "ESF+"),
    ("päätoteuttaja", "huvudgenomförare", "lead applicant"),
    ("osatoteuttaja", "delgenomförare", "co-implementer"),
    ("yhteistyökumppani", "samarbetspartner", "cooperation partner"),
    ("hanketuki", "projektstöd", "project support"),
    ("tukikelpoiset kokonaiskustannukset", "stödberättigande totalkostnader",
     "total eligible cost"),
    ("tukikelpoiset kustannukset", "stödberättigande kostnader", "eligible costs"),
    ("prosenttimääräinen korvaus", "schablonersättning", "flat rate"),
    ("valintaperusteet", "urvalskriterier", "selection criteria"),
    ("haussa jaettava tuki", "stöd som beviljas i utlysningen",
     "support to be granted in the call"),
    ("esittelijä", "föredragande", "presenting officer"),
    ("ratkaisija", "beslutsfattare", "decision maker"),
    ("esteellisyys", "jäv", "conflict of interest"),
    ("maksatushakemus", "utbetalningsansökan", "payment claim"),
    ("oikaisuvaatimusohje", "anvisning om begäran om omprövning", "appeal instructions"),
    ("toimintamalli", "verksamhetsmodell", "service model"),
    ("Uudistuva ja osaava Suomi 2021–2027", "Förnyande och kompetent Finland 2021–2027",
     "Innovation and Skills in Finland 2021–2027"),
    ("työllisyysalue", "sysselsättningsområde", "employment area"),
    ("kevytyrittäjyys", "lätt företagande", "light entrepreneurship"),
]


def terms(value: str) -> list[str]:
    return value.split(SEPARATOR)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def raw() -> bytes:
    return CSV_FILE.read_bytes()


@pytest.fixture(scope="module")
def rows(raw) -> list[dict[str, str]]:
    reader = csv.DictReader(raw.decode("utf-8").splitlines())
    assert reader.fieldnames == HEADER
    return list(reader)


def test_the_file_is_plain_utf8_csv_with_the_fixed_header(raw, rows):
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: the header would break"
    assert b"\r" not in raw
    assert raw.split(b"\n", 1)[0].decode() == ",".join(HEADER)
    for number, row in enumerate(rows, start=2):
        assert None not in row, f"line {number}: more fields than the header"
        assert None not in row.values(), f"line {number}: fewer fields than the header"


def test_at_least_300_concept_sets_with_unique_slug_ids(rows):
    assert len(rows) >= 300
    ids = [row["concept"] for row in rows]
    bad = [slug for slug in ids if not SLUG.fullmatch(slug) or len(slug) > 80]
    assert bad == []
    assert sorted(slug for slug in set(ids) if ids.count(slug) > 1) == []


def test_every_set_has_finnish_swedish_english_terms_and_a_source(rows):
    missing = [(row["concept"], key) for row in rows for key in (*LANGS, "source")
               if not row[key].strip()]
    assert missing == []


def test_fields_and_terms_are_clean(rows):
    problems = []
    for row in rows:
        for key, value in row.items():
            if value != value.strip() or "  " in value:
                problems.append((row["concept"], key, "spaces"))
            if any(unicodedata.category(c).startswith("C") for c in value):
                problems.append((row["concept"], key, "control or format character"))
        for lang in LANGS:
            for term in terms(row[lang]):
                if not term or term != term.strip() or "|" in term:
                    problems.append((row["concept"], lang, f"separator around {term!r}"))
                elif term[0].isupper() and not ABBREVIATION.search(term) \
                        and row["concept"] not in PROPER_NAMES:
                    problems.append((row["concept"], lang, f"capital in {term!r}"))
    assert problems == []


def test_terms_fit_what_the_administrators_form_accepts(rows):
    """An administrator can open any shipped set and save it unchanged, and the import
    stores every field whole (it cuts a source or a note that is too long)."""
    columns = SearchConcept.__table__.c
    problems = []
    for row in rows:
        for key, column in (("fi", columns.terms_fi), ("sv", columns.terms_sv),
                            ("en", columns.terms_en), ("source", columns.source),
                            ("note", columns.note), ("concept", columns.slug)):
            if len(row[key]) > column.type.length:
                problems.append((row["concept"], key, "longer than its column"))
        for lang in LANGS:
            found = terms(row[lang])
            if len(found) > MAX_TERMS_PER_LANGUAGE:
                problems.append((row["concept"], lang, "too many terms"))
            for term in found:
                tokens = words(term)
                if len(term) > MAX_TERM_CHARS or len(tokens) > MAX_TERM_WORDS:
                    problems.append((row["concept"], lang, f"too long: {term}"))
                if not [w for w in tokens if w not in ALL_STOPWORDS]:
                    problems.append((row["concept"], lang, f"no searchable word: {term}"))
    assert problems == []


def test_a_term_belongs_to_one_concept_set_in_its_language(rows):
    """The same term may stand in two languages of one set (IPS), never in two sets."""
    owner: dict[tuple[str, str], str] = {}
    clashes = []
    for row in rows:
        for lang in LANGS:
            for term in terms(row[lang]):
                key = (lang, term.casefold())
                if key in owner:
                    clashes.append((lang, term, owner[key], row["concept"]))
                owner.setdefault(key, row["concept"])
    assert clashes == []


def test_a_word_typed_without_diacritics_leads_to_one_concept_set(rows):
    """The search looks terms up as typed and folded (osatyokykyinen), in any language: no
    two sets may share a folded term, or a query word would expand into both."""
    sets = defaultdict(set)
    for row in rows:
        for lang in LANGS:
            for term in terms(row[lang]):
                sets[tuple(fold(w) for w in words(term) if w not in ALL_STOPWORDS)].add(
                    row["concept"])
    assert {key: found for key, found in sets.items() if len(found) > 1} == {}


@pytest.mark.parametrize("fi, sv, en", NAMED + DOMAIN_WORDS)
def test_named_equivalences_are_one_concept_set(rows, fi, sv, en):
    found = [row["concept"] for row in rows
             if fi.casefold() in {t.casefold() for t in terms(row["fi"])}
             and sv.casefold() in {t.casefold() for t in terms(row["sv"])}
             and en.casefold() in {t.casefold() for t in terms(row["en"])}]
    assert len(found) == 1, (fi, sv, en, found)
