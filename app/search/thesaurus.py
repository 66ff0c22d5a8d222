"""The domain thesaurus: concept sets of employment-services terms in Finnish, Swedish and
English (palkkatuki / lönesubvention / pay subsidy), as data, and editing them.

The reviewed sets ship as data (data/thesaurus.csv: `concept,fi,sv,en,source,note`, terms
separated by " | ", the preferred one first) and are loaded into the `search_concept` table
by `flask search thesaurus import` (idempotent by concept slug; `make run` runs it). Platform
administrators add, edit and delete sets in the admin pages (admin_views.py); the table is
what searches use, and `flask search thesaurus export` writes it back to CSV for review. An
import leaves the sets an administrator edited or deleted (deletions are kept as
tombstones) unless told `--force`. The query expansion that uses the sets is expansion.py.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core import audit
from app.core.db import UtcDateTime, utcnow
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.search.analysis import ALL_STOPWORDS, LANGUAGES, analyse_word, words

CSV_PATH = Path(__file__).parent / "data" / "thesaurus.csv"
CSV_COLUMNS = ("concept", "fi", "sv", "en", "source", "note")
SEPARATOR = " | "
RECHECK_SECONDS = 5.0

MAX_TERMS_PER_LANGUAGE = 12
MAX_TERM_CHARS = 120
MAX_TERM_WORDS = 8
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class SearchConcept(db.Model):
    """One concept set: its terms per language (" | "-separated, preferred first)."""

    __tablename__ = "search_concept"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    terms_fi: Mapped[str] = mapped_column(String(2000), default="")
    terms_sv: Mapped[str] = mapped_column(String(2000), default="")
    terms_en: Mapped[str] = mapped_column(String(2000), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    # Set by an administrator's edit (an import then leaves the set alone); None: as imported.
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a tombstone
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    def terms(self, lang: str) -> list[str]:
        return split_terms(getattr(self, f"terms_{lang}"))

    @property
    def title(self) -> str:
        for lang in LANGUAGES:
            if terms := self.terms(lang):
                return terms[0]
        return self.slug


def split_terms(value: str | None) -> list[str]:
    """The terms of a " | "-separated value (a bar alone separates too), whitespace tidied."""
    return [" ".join(t.split()) for t in (value or "").split("|") if t.strip()]


def fold(text: str) -> str:
    """Without diacritics: ä→a, ö→o, å→a, é→e."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def can_edit_thesaurus(user) -> bool:
    """Platform administrators edit the search thesaurus."""
    from app.organisations.permissions import is_admin

    return is_admin(user)


# --- editing -------------------------------------------------------------------------------


@dataclass
class ConceptInput:
    terms: dict[str, list[str]]  # lang -> terms, preferred first
    source: str = ""
    note: str = ""


def _clean_input(values: ConceptInput, concept: SearchConcept | None) -> ConceptInput:
    terms = {}
    for lang in LANGUAGES:
        found = list(dict.fromkeys(" ".join(t.split()) for t in values.terms.get(lang, [])
                                   if t and t.strip()))
        if len(found) > MAX_TERMS_PER_LANGUAGE:
            raise DomainError(_l("At most %(num)d terms per language.",
                                 num=MAX_TERMS_PER_LANGUAGE), field=lang)
        for term in found:
            if len(term) > MAX_TERM_CHARS or len(words(term)) > MAX_TERM_WORDS:
                raise DomainError(_l("“%(term)s” is too long for a term.", term=term[:40]),
                                  field=lang)
            if not words(term) or not [w for w in words(term) if w not in ALL_STOPWORDS]:
                raise DomainError(_l("“%(term)s” has no searchable word.", term=term),
                                  field=lang)
        terms[lang] = found
    if sum(1 for lang in LANGUAGES if terms[lang]) < 2:
        empty = next(lang for lang in LANGUAGES if not terms[lang])
        raise DomainError(_l("Give at least one term in two languages."), field=empty)
    _check_unique(terms, concept)
    return ConceptInput(terms, " ".join((values.source or "").split())[:300],
                        (values.note or "").strip()[:1000])


def _key_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in ALL_STOPWORDS]


def term_key(term: str, lang: str) -> tuple[str, ...]:
    """A term as the search reads it: its words' lemmas (palkkatuen = palkkatuki)."""
    return tuple(analyse_word(w, lang)[0] for w in _key_words(term))


def _check_unique(terms: dict[str, list[str]], concept: SearchConcept | None) -> None:
    """No term of a language may belong to another live concept set in that language,
    as written or as the search reads it."""
    others = db.session.scalars(select(SearchConcept).where(SearchConcept.deleted_at.is_(None)))
    taken: dict[tuple, SearchConcept] = {}
    for other in others:
        if concept is not None and other.id == concept.id:
            continue
        for lang in LANGUAGES:
            for term in other.terms(lang):
                taken.setdefault((lang, term.casefold()), other)
                taken.setdefault((lang, term_key(term, lang)), other)
    for lang in LANGUAGES:
        for term in terms[lang]:
            other = taken.get((lang, term.casefold())) or taken.get((lang, term_key(term, lang)))
            if other is not None:
                raise DomainError(
                    _l("“%(term)s” is already a term of the concept set “%(other)s”.",
                       term=term, other=other.title), field=lang)


def _apply(concept: SearchConcept, values: ConceptInput) -> None:
    for lang in LANGUAGES:
        setattr(concept, f"terms_{lang}", SEPARATOR.join(values.terms[lang]))
    concept.source = values.source
    concept.note = values.note


def _slug_for(values: ConceptInput) -> str:
    first = next(values.terms[lang][0] for lang in ("en", "fi", "sv") if values.terms[lang])
    base = re.sub(r"[^a-z0-9]+", "-", fold(first).lower()).strip("-")[:60] or "concept"
    taken = set(db.session.scalars(
        select(SearchConcept.slug).where(SearchConcept.slug.like(f"{base}%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require(actor) -> None:
    if not can_edit_thesaurus(actor):
        raise NotAllowed(_l("Only platform administrators may edit the search thesaurus."))


def _check_version(concept: SearchConcept, seen_version) -> None:
    if seen_version is not None and str(seen_version) != str(concept.lock_version):
        raise Conflict(_l("Someone else changed this concept set after you opened it. "
                          "Your changes were not saved: reload it and make them again."))


def create_concept(actor, values: ConceptInput) -> SearchConcept:
    """A new concept set from an administrator; audit-logged."""
    _require(actor)
    values = _clean_input(values, None)
    concept = SearchConcept(slug=_slug_for(values), updated_by_id=actor.id, updated_at=utcnow())
    _apply(concept, values)
    db.session.add(concept)
    db.session.flush()
    audit.record("thesaurus.concept_created", actor=actor, obj=concept, slug=concept.slug)
    changed()
    return concept


def update_concept(actor, concept: SearchConcept, values: ConceptInput,
                   seen_version=None) -> SearchConcept:
    """Change a set's terms, source and note; a form older than the set is refused."""
    _require(actor)
    if concept.deleted_at is not None:
        raise Conflict(_l("This concept set has been deleted."))
    _check_version(concept, seen_version)
    values = _clean_input(values, concept)
    _apply(concept, values)
    concept.updated_by_id = actor.id
    concept.updated_at = utcnow()
    db.session.flush()
    audit.record("thesaurus.concept_updated", actor=actor, obj=concept, slug=concept.slug)
    changed()
    return concept


def delete_concept(actor, concept: SearchConcept, seen_version=None) -> None:
    """Delete a set (a tombstone, so that an import does not bring a shipped set back)."""
    _require(actor)
    _check_version(concept, seen_version)
    concept.deleted_at = concept.updated_at = utcnow()
    concept.updated_by_id = actor.id
    db.session.flush()
    audit.record("thesaurus.concept_deleted", actor=actor, obj=concept, slug=concept.slug)
    changed()


def changed() -> None:
    """This process changed the table: its searches check the version next time."""
    from app.search import expansion

    expansion.changed()


def live_concepts():
    """A select() of the concept sets that are not deleted."""
    return select(SearchConcept).where(SearchConcept.deleted_at.is_(None))


# --- the CSV -------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # edited or deleted by an administrator


def read_csv(path: Path | str = CSV_PATH) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if not _SLUG_RE.match(row.get("concept") or ""):
            raise ValueError(f"{path}:{number}: bad concept id {row.get('concept')!r}")
    return rows


def import_csv(path: Path | str = CSV_PATH, force: bool = False) -> ImportSummary:
    """Create or refresh the sets of a CSV, matched by slug; flushes, never commits."""
    summary = ImportSummary()
    existing = {c.slug: c for c in db.session.scalars(select(SearchConcept))}
    for row in read_csv(path):
        slug = row["concept"]
        values = {f"terms_{lang}": SEPARATOR.join(split_terms(row.get(lang))) for lang in LANGUAGES}
        values["source"] = " ".join((row.get("source") or "").split())[:300]
        values["note"] = (row.get("note") or "").strip()[:1000]
        concept = existing.get(slug)
        if concept is None:
            db.session.add(SearchConcept(slug=slug, updated_at=utcnow(), **values))
            summary.created += 1
            continue
        if not force and (concept.updated_by_id is not None or concept.deleted_at is not None):
            summary.kept.append(slug)
            continue
        if concept.deleted_at is None and all(getattr(concept, k) == v for k, v in values.items()):
            summary.unchanged += 1
            continue
        for key, value in values.items():
            setattr(concept, key, value)
        concept.deleted_at = concept.updated_by_id = None
        concept.updated_at = utcnow()
        summary.updated += 1
    db.session.flush()
    changed()
    return summary


def export_csv() -> str:
    """The live sets as CSV text, in the format of data/thesaurus.csv, sorted by slug."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for concept in db.session.scalars(live_concepts().order_by(SearchConcept.slug)):
        writer.writerow([concept.slug, concept.terms_fi, concept.terms_sv, concept.terms_en,
                         concept.source, concept.note])
    return out.getvalue()


# --- commands ------------------------------------------------------------------------------


def _cli():
    import click
    from flask.cli import AppGroup

    group = AppGroup("thesaurus", help="The search thesaurus: import the reviewed CSV, export.")

    @group.command("import")
    @click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
    @click.option("--force", is_flag=True,
                  help="Also overwrite sets that an administrator edited or deleted.")
    def import_command(path: str | None, force: bool) -> None:
        """Create or refresh the concept sets of PATH (default: the shipped thesaurus.csv)."""
        summary = import_csv(path or CSV_PATH, force=force)
        db.session.commit()
        click.echo(f"Thesaurus: {summary.created} created, {summary.updated} updated, "
                   f"{summary.unchanged} unchanged, {len(summary.kept)} kept as edited in the "
                   f"admin pages" + (f" ({', '.join(summary.kept[:10])}"
                                     f"{', ...' if len(summary.kept) > 10 else ''})"
                                     if summary.kept else "") + ".")

    @group.command("export")
    @click.argument("path", required=False, type=click.Path(dir_okay=False, writable=True))
    def export_command(path: str | None) -> None:
        """Write the live concept sets as CSV to PATH (default: standard output)."""
        text = export_csv()
        if path:
            Path(path).write_text(text, encoding="utf-8")
            click.echo(f"Thesaurus: {text.count(chr(10)) - 1} concept sets written to {path}.",
                       err=True)
        else:
            click.echo(text, nl=False)

    return group


thesaurus_cli = _cli()
