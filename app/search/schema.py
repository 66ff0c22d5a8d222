"""The index schema and the documents made from database objects.

Code-list labels (regions, target groups, ...) are not indexed as text: a query word that is
a word of a label ("Kymenlaakso", "nuoret", "Åland") matches the documents with that code
(see query.py), in all three languages, at no cost to the index.

One document per published service model ("practice:<id>") and per verified organisation
("organisation:<id>"); open calls will be "call:<id>". `kind` tells them apart. A service
model fills the text field of its own language (`text_fi`, `text_sv` or `text_en`) with all
of its text: the title, tags and summary weigh more than the sections because the analyzer
gives their words a boost, which becomes the term's weight in the posting (BM25F: weighted
term frequencies of the parts in one field). One field per language keeps a query to one
term per word and language.

Word positions (for "quoted phrases") are in a second field per language, `phrase_<lang>`:
reading a posting list with positions costs four times as much, and scoring needs only the
weights, so only phrase queries pay for positions. The phrase field stores them as packed
integers (`CompactPositions`) rather than Whoosh's pickles, which are slower to write.
"""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from datetime import UTC, date, datetime
from itertools import accumulate

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions, tokens

from app.core.codelists import (
    EVIDENCE_LEVELS,
    LANGUAGES,
    ORGANISATION_TYPES,
    REGIONS,
    STAGES,
    TARGET_GROUPS,
    WORK_FORMS,
)
from app.search.analysis import (
    LANGUAGES as CONTENT_LANGUAGES,
)
from app.search.analysis import (
    SEGMENT,
    NeutralAnalyzer,
    RawAnalyzer,
    clean_text,
    fold_analyzer,
    language_analyzer,
)

META_ID = "meta:state"
# Raise when documents or their analysis change: an index built with another version is
# reported as needing `flask search rebuild` (store.py), never searched or written.
SCHEMA_VERSION = 2
EXCERPT_CHARS = 1500
# Weights of a document's parts in its text field (see LanguageAnalyzer).
TITLE, TAGS, SUMMARY, BODY, NAME = "4", "2", "2", "1", "4"

# Facet (also the index field) -> (code list, several values per document?)
FACETS = {
    "target_groups": (TARGET_GROUPS, True),
    "work_forms": (WORK_FORMS, True),
    "regions": (REGIONS, True),
    "stage": (STAGES, False),
    "evidence": (EVIDENCE_LEVELS, False),
    "org_type": (ORGANISATION_TYPES, False),
    "language": (LANGUAGES, False),
    "validated": (None, False),
}


def text_field(lang: str) -> str:
    return f"text_{lang}"


def phrase_field(lang: str) -> str:
    return f"phrase_{lang}"


def fold_field(lang: str) -> str:
    """Folded lemmas and stems of the words with diacritics (see analysis.FoldAnalyzer)."""
    return f"fold_{lang}"


# Bumped when the fields or their analysis change: an index built before needs
# `flask search rebuild`. 2: fold_<lang> fields, Voikko's Finnish readings.
SCHEMA_VERSION = 2


class CompactPositions(Positions):
    """Positions as an array of 16- or 32-bit deltas (a type code byte, then the array)."""

    def word_values(self, value, analyzer, **kwargs):
        positions: dict[str, list[int]] = defaultdict(list)
        kwargs["positions"] = True
        for token in tokens(value, analyzer, kwargs):
            positions[token.text].append(token.pos)
        for word, found in positions.items():
            yield word, len(found), float(len(found)) * self.field_boost, self.encode(found)

    def encode(self, poslist):
        deltas = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
        code = "H" if max(deltas) < 65536 else "I"
        return code.encode() + array(code, deltas).tobytes()

    def decode_positions(self, valuestring):
        deltas = array(chr(valuestring[0]))
        deltas.frombytes(valuestring[1:])
        return list(accumulate(deltas))

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]

    def combine(self, vs):
        found = set()
        for v in vs:
            found.update(self.decode_positions(v))
        return self.encode(sorted(found))


def _phrase_text_field(lang: str):
    field = TEXT(analyzer=language_analyzer(lang, parts=False), phrase=True)
    field.format = CompactPositions()
    field.scorable = False  # no lengths: it is never scored
    return field


def build_schema() -> Schema:
    fields: dict = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "object_id": STORED(),
        "raw": TEXT(analyzer=RawAnalyzer(), phrase=False),
        "org": TEXT(analyzer=NeutralAnalyzer(), phrase=False),
        "published_at": NUMERIC(int, bits=64, stored=True, sortable=True, signed=False),
        "adoption_count": NUMERIC(int, stored=True, sortable=True, signed=False),
        # Shown in results without touching the database.
        "title": STORED(),
        "summary": STORED(),
        "excerpt": STORED(),
        "slug": STORED(),
        "org_name": STORED(),
        "org_id": STORED(),
        "tags": STORED(),
        "meta": STORED(),
    }
    for lang in CONTENT_LANGUAGES:
        fields[text_field(lang)] = TEXT(analyzer=language_analyzer(lang), phrase=False)
        fields[phrase_field(lang)] = _phrase_text_field(lang)
        fields[fold_field(lang)] = TEXT(analyzer=fold_analyzer(lang), phrase=False)
    for name, (_codes, multi) in FACETS.items():
        if multi:
            fields[name] = KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
        else:
            fields[name] = ID(stored=True, sortable=True)
    return Schema(**fields)


# --- documents ------------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_TAG = re.compile(r"<[^>]{0,200}>")
# A list or heading mark, emphasis, code, strike-through, a table's bar, a numbered item. Every
# match starts with a character of the lookahead's class: without it, the engine tried the
# three alternatives at every position of the text.
_MD_MARK = re.compile(r"(?=[\s#>*+\-_`~|\d])(?:(^|\s)[#>*+-]+\s|[*_`~|]+|^\s*\d+\.\s)",
                      re.MULTILINE)
_MD_MARK_SYMBOLS = "#>*+-_`~|"
_MD_NUMBERED = re.compile(r"\d\.")


def _has_marks(text: str) -> bool:
    """Whether `text` holds what any match of _MD_MARK contains: one of its symbols (each
    looked for by str's search, far faster than a pattern's class) or a digit and a dot."""
    return (any(symbol in text for symbol in _MD_MARK_SYMBOLS)
            or _MD_NUMBERED.search(text) is not None)


def strip_markdown(text: str | None) -> str:
    """Markdown reduced to words, cheaply (the index needs words, not exact rendering)."""
    if not text:
        return ""
    # Each pattern only where its characters occur: _MD_MARK tries its alternatives at every
    # position, the larger part of making a rebuild's documents (issue 13 §5).
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _MD_TAG.sub(" ", text)
    if _has_marks(text):
        text = _MD_MARK.sub(" ", text)
    return " ".join(clean_text(text).split())


def weighted(*parts: tuple[str, str]) -> str:
    """Text parts with their weights, in the form LanguageAnalyzer reads."""
    return "".join(f"{SEGMENT}{weight}{text}" for weight, text in parts if text)


def _labels(codelist, codes) -> list[str]:
    found = []
    for code in codes or ():
        if code in codelist:
            found.extend(codelist.all_labels(code).values())
    return found


def _timestamp(value: datetime | date | None) -> int:
    if value is None:
        return 0
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _codes(values) -> str:
    return ",".join(str(v) for v in values or () if v)


def practice_document(row, content: dict) -> dict:
    """The document of a published service model from its current version's `content`;
    `row` gives id, slug, language, published_at, first_published_on, adoption_count,
    validated_at, validated_version, version_count, org_id, org_name and org_type. It counts
    as validated only while its current version is the validated one."""
    lang = content.get("language") or row.language or "fi"
    if lang not in CONTENT_LANGUAGES:
        lang = "fi"
    title = clean_text(content.get("title", ""))
    summary = strip_markdown(content.get("summary", ""))
    tags = [clean_text(tag) for tag in content.get("tags") or []]
    from app.practices.models import SECTIONS as SECTION_NAMES
    from app.practices.models import validation_is_current

    sections = [strip_markdown(content.get(name, "")) for name in SECTION_NAMES]
    tags_text = " . ".join(tags)
    text = weighted((TITLE, title), (TAGS, tags_text), (SUMMARY, summary),
                    *((BODY, section) for section in sections))
    target_groups = content.get("target_groups") or []
    work_forms = content.get("work_forms") or []
    regions = content.get("regions") or []
    stage = content.get("stage") or ""
    evidence = content.get("evidence") or ""
    org_name = clean_text(row.org_name or "")
    region_labels = _labels(REGIONS, regions)
    doc = {
        "id": f"practice:{row.id}",
        "kind": "practice",
        "object_id": row.id,
        text_field(lang): text,
        phrase_field(lang): text,
        fold_field(lang): text,
        # Words as written from the short fields (typo correction, exact words); the
        # sections are long and their words reach the index through text_<lang>.
        "raw": " . ".join([title, summary, tags_text, org_name, *region_labels]),
        "org": org_name,
        # "Newest" means first published (an imported model keeps its original date).
        "published_at": _timestamp(row.first_published_on or row.published_at),
        "adoption_count": int(row.adoption_count or 0),
        "title": title,
        "summary": summary,
        "excerpt": " ".join(sections)[:EXCERPT_CHARS],
        "slug": row.slug or "",
        "org_name": org_name,
        "org_id": row.org_id,
        "tags": tags,
        "target_groups": _codes(target_groups),
        "work_forms": _codes(work_forms),
        "regions": _codes(regions),
        "stage": stage,
        "evidence": evidence,
        "org_type": row.org_type or "",
        "language": lang,
        "validated": "yes" if validation_is_current(row.validated_at, row.validated_version,
                                                    row.version_count) else "no",
    }
    return {key: value for key, value in doc.items() if value not in ("", None)}


def organisation_document(organisation) -> dict:
    """The document of a verified organisation's public profile."""
    name = clean_text(organisation.name)
    description = strip_markdown(organisation.description)
    expertise = strip_markdown(organisation.expertise)
    text = weighted((NAME, name), (BODY, description), (BODY, expertise))
    region_labels = _labels(REGIONS, organisation.regions)
    doc = {
        "id": f"organisation:{organisation.id}",
        "kind": "organisation",
        "object_id": organisation.id,
        "raw": " . ".join([name, description, expertise, *region_labels]),
        "org": name,
        "title": name,
        "summary": description[:400],
        "excerpt": expertise[:EXCERPT_CHARS],
        "org_name": name,
        "org_id": organisation.id,
        "regions": _codes(organisation.regions),
        "target_groups": _codes(organisation.target_groups),
        "org_type": organisation.type,
        "published_at": _timestamp(organisation.verified_at),
    }
    # The profile's language is not recorded: every language's analyzer reads it.
    for lang in CONTENT_LANGUAGES:
        doc[text_field(lang)] = text
        doc[phrase_field(lang)] = text
        doc[fold_field(lang)] = text
    return {key: value for key, value in doc.items() if value not in ("", None)}


def call_document(call) -> dict:
    """The document of a published funding call: each language's title, theme and
    description go to that language's text field (a call is written in up to three)."""
    titles = {lang: clean_text(getattr(call, f"title_{lang}", "") or "")
              for lang in CONTENT_LANGUAGES}
    descriptions = {lang: strip_markdown(getattr(call, f"description_{lang}", "") or "")
                    for lang in CONTENT_LANGUAGES}
    theme = clean_text(call.theme or "")
    org_name = clean_text(call.organisation.name if call.organisation else "")
    shown = next((lang for lang in ("fi", "sv", "en") if titles.get(lang)), "fi")
    doc = {
        "id": f"call:{call.id}",
        "kind": "call",
        "object_id": call.id,
        "raw": " . ".join([*titles.values(), theme, org_name]),
        "org": org_name,
        "title": titles.get(shown, ""),
        "summary": descriptions.get(shown, "")[:400],
        "excerpt": descriptions.get(shown, "")[:EXCERPT_CHARS],
        "org_name": org_name,
        "org_id": call.organisation_id,
        "language": shown,
        "published_at": _timestamp(call.opens_at),
    }
    for lang in CONTENT_LANGUAGES:
        text = weighted((TITLE, titles.get(lang, "")), (TAGS, theme),
                        (BODY, descriptions.get(lang, "")))
        if not titles.get(lang) and not descriptions.get(lang):
            # Not written in this language: its words still reach this language's queries.
            text = weighted((TITLE, titles[shown]), (TAGS, theme),
                            (BODY, descriptions.get(shown, "")))
        doc[text_field(lang)] = text
        doc[phrase_field(lang)] = text
        doc[fold_field(lang)] = text
    return {key: value for key, value in doc.items() if value not in ("", None)}
