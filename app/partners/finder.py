"""The partner finder: verified organisations working today, found by what they do.

Built on the organisation directory's idea (app/organisations/directory.py: filters, sorting
and pagination in SQL) and extended for finding partners: free text over the name, the unit's
name, the description and the expertise (every word must match somewhere, lower-cased and
without diacritics on both sides, so "tyovalmennus" typed on a phone finds "Työvalmennus":
app/core/db.py's `folded()`), a language facet, facet
counts, relevance sorting and marked excerpts. Ceased and unverified organisations are never
partners, so they are never listed.

Facet counts say how many organisations match each value *within the other filters* (ticking
a region does not zero the other regions' counts). Each facet is one grouped query, the
language facet one query of conditional sums: a bounded number of queries whatever the data.

Organisation.languages is a JSON list of codes; "contains the code" is written as a LIKE on
its text ('%"fi"%'), which SQLite and PostgreSQL store alike (json.dumps of the list), and a
code never contains a quote, so "fi" cannot match "fse".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Integer, Select, String, case, cast, func, or_, select

from app.core import clock
from app.core.codelists import ORGANISATION_TYPES, REGIONS, SERVICE_LANGUAGES, TARGET_GROUPS
from app.core.db import fold_text, folded
from app.extensions import db
from app.organisations.models import (
    Organisation,
    OrganisationRegion,
    OrganisationStatus,
    OrganisationTargetGroup,
)

MAX_QUERY_CHARS = 100
MAX_WORDS = 8
EXCERPT_CHARS = 220
PICK_LIMIT = 10
PICK_MIN_CHARS = 2

SORTS = {
    "relevance": _l("Best match"),
    "name": _l("Name (A–Ö)"),
    "newest": _l("Newest first"),
}

# facet key (also the query-string parameter) -> its code list
FACETS = {
    "target_group": TARGET_GROUPS,
    "region": REGIONS,
    "type": ORGANISATION_TYPES,
    "language": SERVICE_LANGUAGES,
}


def words_of(text: str) -> list[str]:
    """The query's words, lower-cased, each once, at most MAX_WORDS."""
    found = []
    for word in (text or "")[:MAX_QUERY_CHARS].lower().split():
        word = word.strip(".,;:!?\"'()[]")
        if word and word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def _like(word: str) -> str:
    """The LIKE pattern of a typed word, for the folded() columns."""
    word = fold_text(word)
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class FinderFilter:
    q: str = ""
    target_groups: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    sort: str = "relevance"

    @classmethod
    def from_args(cls, args) -> FinderFilter:
        q = " ".join((args.get("q", "") or "")[:MAX_QUERY_CHARS].split())
        sort = args.get("sort", "")
        if sort not in SORTS:
            sort = "relevance" if q else "name"
        return cls(
            q=q,
            target_groups=TARGET_GROUPS.clean(args.getlist("target_group")),
            regions=REGIONS.clean(args.getlist("region")),
            types=ORGANISATION_TYPES.clean(args.getlist("type")),
            languages=SERVICE_LANGUAGES.clean(args.getlist("language")),
            sort=sort,
        )

    @property
    def words(self) -> list[str]:
        return words_of(self.q)

    def chosen(self, facet: str) -> list[str]:
        return {"target_group": self.target_groups, "region": self.regions,
                "type": self.types, "language": self.languages}[facet]

    @property
    def active(self) -> bool:
        return bool(self.q or self.target_groups or self.regions or self.types or self.languages)

    def removals(self) -> list[tuple[str, str, str]]:
        """(parameter, value, label) of each chosen filter value: the empty state offers to
        remove them one by one."""
        out = [("q", self.q, self.q)] if self.q else []
        for facet, codes in FACETS.items():
            out.extend((facet, code, codes.label(code)) for code in self.chosen(facet))
        return out


# --- the query -----------------------------------------------------------------------------


def partner_base(today: date | None = None) -> Select:
    """Verified organisations that have not ceased: the only ones that can be partners."""
    today = today or clock.local_date()
    return select(Organisation.id).where(
        Organisation.status == OrganisationStatus.verified,
        or_(Organisation.valid_to.is_(None), Organisation.valid_to >= today),
    )


def _text_columns():
    return (folded(Organisation.name), folded(Organisation.unit_name),
            folded(Organisation.description), folded(Organisation.expertise))


def _word_matches(word: str) -> ColumnElement:
    pattern = _like(word)
    return or_(*(column.like(pattern, escape="\\") for column in _text_columns()))


def _has_language(code: str) -> ColumnElement:
    return cast(Organisation.languages, String).like(f'%"{code}"%')


def _conditions(flt: FinderFilter, skip: str | None = None) -> list[ColumnElement]:
    """The WHERE conditions of the filter, without those of the facet `skip`."""
    conditions = [_word_matches(word) for word in flt.words]
    if flt.types and skip != "type":
        conditions.append(Organisation.type.in_(flt.types))
    if flt.regions and skip != "region":
        conditions.append(Organisation.id.in_(
            select(OrganisationRegion.organisation_id)
            .where(OrganisationRegion.code.in_(flt.regions))))
    if flt.target_groups and skip != "target_group":
        conditions.append(Organisation.id.in_(
            select(OrganisationTargetGroup.organisation_id)
            .where(OrganisationTargetGroup.code.in_(flt.target_groups))))
    if flt.languages and skip != "language":
        conditions.append(or_(*(_has_language(code) for code in flt.languages)))
    return conditions


def _relevance(words: list[str]) -> ColumnElement:
    """A match in the name weighs most, then the expertise, then the unit and description."""
    name, unit, description, expertise = _text_columns()
    weights = ((name, 8), (expertise, 4), (unit, 2), (description, 1))
    score = None
    for word in words:
        pattern = _like(word)
        for column, weight in weights:
            term = case((column.like(pattern, escape="\\"), weight), else_=0)
            score = term if score is None else score + term
    return cast(score, Integer) if score is not None else None


def finder_query(flt: FinderFilter, today: date | None = None) -> Select:
    """The organisations matching the filter, sorted (a SELECT of Organisation)."""
    ids = partner_base(today).where(*_conditions(flt))
    stmt = select(Organisation).where(Organisation.id.in_(ids))
    order = {
        "name": (func.lower(Organisation.name), func.lower(Organisation.unit_name),
                 Organisation.id),
        "newest": (Organisation.verified_at.desc(), Organisation.id.desc()),
    }.get(flt.sort)
    if order is None:  # relevance; without words it is the name order
        score = _relevance(flt.words)
        order = ((score.desc(),) if score is not None else ()) + (
            func.lower(Organisation.name), Organisation.id)
    return stmt.order_by(*order)


def facet_counts(flt: FinderFilter, today: date | None = None) -> dict[str, dict[str, int]]:
    """For each facet: code -> how many organisations match it within the other filters."""
    counts: dict[str, dict[str, int]] = {}
    for facet, table in (("region", OrganisationRegion), ("target_group",
                                                          OrganisationTargetGroup)):
        ids = partner_base(today).where(*_conditions(flt, skip=facet))
        rows = db.session.execute(
            select(table.code, func.count(table.organisation_id))
            .where(table.organisation_id.in_(ids)).group_by(table.code))
        counts[facet] = {code: n for code, n in rows}
    ids = partner_base(today).where(*_conditions(flt, skip="type"))
    rows = db.session.execute(
        select(Organisation.type, func.count(Organisation.id))
        .where(Organisation.id.in_(ids)).group_by(Organisation.type))
    counts["type"] = {code: n for code, n in rows}
    ids = partner_base(today).where(*_conditions(flt, skip="language"))
    codes = SERVICE_LANGUAGES.codes
    row = db.session.execute(
        select(*(func.coalesce(func.sum(case((_has_language(code), 1), else_=0)), 0)
                 for code in codes)).where(Organisation.id.in_(ids))).one()
    counts["language"] = {code: int(n) for code, n in zip(codes, row, strict=True)}
    return counts


def open_partner_call_counts(organisation_ids: list[int]) -> dict[int, int]:
    """Open partner calls per organisation, for a page of results (one query)."""
    from app.partners.models import PartnerCall, PartnerCallState

    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(PartnerCall.organisation_id, func.count(PartnerCall.id))
        .where(PartnerCall.organisation_id.in_(organisation_ids),
               PartnerCall.state == PartnerCallState.open)
        .group_by(PartnerCall.organisation_id))
    return {org_id: n for org_id, n in rows}


# --- marking the matched words ---------------------------------------------------------------


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the words occur in the text (case-insensitive), merged, in order."""
    if not words or not text:
        return []
    words = {fold_text(w) for w in words}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer("".join(map(_fold_char, text))):  # one for one
        a, b = match.span()
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
    return spans


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character folded as fold_text() does, or lower-cased where that would not be one
    character (so that positions in the folded text are those of the text)."""
    folded_char = fold_text(char)
    if len(folded_char) == 1:
        return folded_char
    lower = char.lower()
    return lower if len(lower) == 1 else char


def marked(text: str, words: list[str]) -> Markup:
    """The whole text, escaped, with the matched words in <mark>."""
    out, cursor = [], 0
    for a, b in _spans(text, words):
        out.append(escape(text[cursor:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        cursor = b
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def excerpt(text: str, words: list[str], limit: int = EXCERPT_CHARS) -> Markup:
    """A short piece of `text` around its first match (or its beginning), escaped, with the
    matched words marked."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return marked(text, words)
    spans = _spans(text, words)
    start = 0
    if spans and spans[0][1] > limit - 20:
        start = max(0, spans[0][0] - limit // 4)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + limit // 2 else end
    piece = marked(text[start:end], words)
    return (Markup("…") if start else Markup("")) + piece + (
        Markup("…") if end < len(text) else Markup(""))


# --- the organisation picker -------------------------------------------------------------------


def pick_candidates(q: str, exclude: list[int] = (), limit: int = PICK_LIMIT,
                    today: date | None = None) -> list[Organisation]:
    """Up to `limit` partner organisations whose name, unit name or Business ID matches every
    word of `q` (at least PICK_MIN_CHARS characters); none for a shorter query."""
    q = " ".join((q or "")[:MAX_QUERY_CHARS].split())
    if len(q) < PICK_MIN_CHARS:
        return []
    conditions = []
    for word in words_of(q):
        pattern = _like(word)
        conditions.append(or_(
            folded(Organisation.name).like(pattern, escape="\\"),
            folded(Organisation.unit_name).like(pattern, escape="\\"),
            Organisation.business_id.like(pattern, escape="\\"),
        ))
    ids = partner_base(today).where(*conditions)
    if exclude:
        ids = ids.where(Organisation.id.not_in(list(exclude)))
    stmt = (select(Organisation).where(Organisation.id.in_(ids))
            .order_by(func.lower(Organisation.name), func.lower(Organisation.unit_name),
                      Organisation.id)
            .limit(limit))
    return list(db.session.scalars(stmt))


@dataclass
class Pick:
    """What a partner form's organisation input named: the organisation, or why not and the
    organisations to choose from (a name matching several, a Business ID shared by units)."""

    organisation: Organisation | None = None
    message: object = None
    candidates: list[Organisation] = field(default_factory=list)


def resolve_pick(organisation_id: int | None, text: str, exclude: list[int] = ()) -> Pick:
    """The organisation picked by id (the picker, or a choice from a server-rendered list), or
    else typed as a Business ID, or else looked up by name. The service that invites checks
    the organisation (verified, not itself, not invited twice)."""
    from app.organisations import business_id as bid

    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            return Pick(message=_l("This organisation was not found. Type its name again and "
                                   "choose it from the list."))
        return Pick(organisation)
    text = " ".join((text or "").split())
    if not text:
        return Pick(message=_l("Type the name or the Business ID of the partner organisation."))
    normalised = bid.normalise(text)
    if bid.is_valid(normalised) or re.fullmatch(r"[0-9]{6,8}-?[0-9]", text):
        units = list(db.session.scalars(
            select(Organisation).where(Organisation.business_id == normalised)
            .order_by(Organisation.unit_name, Organisation.id))) if bid.is_valid(
                normalised) else []
        main = next((org for org in units if org.unit_name == ""), None)
        if main is not None:
            return Pick(main)
        if units:
            return Pick(message=_l("Several units share this Business ID: choose the one you "
                                   "invite."),
                        candidates=[org for org in units if org.is_verified
                                    and not org.is_ceased()][:PICK_LIMIT])
        return Pick(message=_l("No registered organisation has this Business ID."))
    candidates = pick_candidates(text, exclude=exclude)
    if not candidates:
        return Pick(message=_l("No verified organisation matches this name. Check the spelling, "
                               "or type its Business ID."))
    return Pick(message=_l("Choose the organisation from the list."), candidates=candidates)
