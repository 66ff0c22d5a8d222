"""The official Finnish and Swedish words of ESF+ funding (issue 11, section 5; the "Words" table
of DOMAIN.md), checked in the translation catalogues and in the Finnish and Swedish text
written in code (demo data, the decision document, mails).

When a test here fails after new strings were merged, fix the translation it names in
app/translations/<fi|sv>/LC_MESSAGES/messages.po (or the code text), using the word in the
reason; never loosen the pattern to let an old term through."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "app" / "translations"

# (pattern in a msgstr, reason: the word to use instead)
FORBIDDEN = {
    "fi": [
        (r"\bpäähakij", "lead applicant is päätoteuttaja"),
        (r"\bhakijakumppan|\bkumppanihakij", "co-implementer is osatoteuttaja"),
        (r"\bhyväksyttäv\w* (kokonais)?kustannu",
         "total eligible cost is tukikelpoiset kokonaiskustannukset"),
        (r"\bvalintakriteer", "selection criteria are valintaperusteet"),
        (r"\bhakukohtai",
         "call-specific criteria are täsmentävät valintaperusteet"),
        (r"avustu", "ESF+ support is tuki / hanketuki, never avustus (another legal regime)"),
        (r"\bkokonaisbudjet", "a call's money is haussa jaettava tuki"),
        (r"\bESF\+", "ESF+ is ESR+ in Finnish"),
        (r"\bflat[ -]rate", "the flat rate is prosenttimääräinen korvaus"),
        (r"\bvuosipalk", "the hourly cost is vuosittaiset palkkakustannukset sivukuluineen / "
                         "1 720 h"),
        (r"\bvalidoi|\bvalidoin", "an authority assesses a model: arvioida, "
                                 "ELY-keskuksen arvioima; the centre recommends it"),
        (r"\btakaa\b", "an authority does not guarantee a model: keskus suosittelee mallia"),
        (r"\bmaksupyyn", "payment claim is maksatushakemus"),
        (r"\bvalitusosoitu", "appeal instructions are oikaisuvaatimusohje"),
        (r"Innovatiivinen ja osaava", "the programme is Uudistuva ja osaava Suomi 2021–2027"),
    ],
    "sv": [
        (r"\bhuvudsökand", "lead applicant is huvudgenomförare"),
        (r"\bdelsökand", "co-implementer is delgenomförare"),
        (r"\butlysningsspecifik", "call-specific criteria are preciserande urvalskriterier"),
        (r"\bgodtagbar\w* (total)?kostnad",
         "total eligible cost is stödberättigande totalkostnader"),
        (r"\btotala stödberättigande kostnader",
         "total eligible cost is stödberättigande totalkostnader"),
        (r"\bbidrag", "ESF+ support is stöd / projektstöd, never bidrag"),
        (r"\btotal ?budget", "a call's money is stöd som beviljas i utlysningen"),
        (r"\bESR\+", "ESF+ is ESF+ in Swedish"),
        (r"\bflat[ -]rate", "the flat rate is schablonersättning"),
        (r"\bårslön\b", "the hourly cost is årliga lönekostnader med lönebikostnader / 1 720 h"),
        (r"\bvalider", "an authority assesses a model: bedöma; the centre recommends it"),
        (r"\bgaranter|\bgår i god för", "an authority does not guarantee a model: "
                                        "centralen rekommenderar modellen"),
        (r"\bbetalningsansökan", "payment claim is utbetalningsansökan"),
        (r"\bEtt (förnyande|innovativt) och kompetent|\bInnovativt och kompetent",
         "the programme is Förnyande och kompetent Finland 2021–2027"),
    ],
}

# An English term in a msgid -> the stem its translation must use (case-insensitive).
REQUIRED = [
    (r"\blead applicant", "päätoteuttaj", "huvudgenomför"),
    (r"\bco-implementer", "osatoteuttaj", "delgenomför"),
    (r"\bcooperation partner", "yhteistyökumppan", "samarbetspartner"),
    (r"\btotal eligible cost", "tukikelpoi", "stödberättigande"),
    (r"\bselection criteri", "valintaperust", "urvalskriteri"),
    (r"\bcall-specific", "täsmentäv", "preciser"),
    (r"\bpayment claim", "maksatushakemu", "utbetalningsansök"),
    (r"\bconflict of interest", "esteelli", "jäv"),
    (r"\bflat rate", "prosenttimääräi", "schablonersättning"),
    (r"\bpresenting officer", "esittelij", "föredragande"),
    (r"\bdecision maker", "ratkaisij", "beslutsfatta"),
    (r"\bsupport to be granted in the call", "haussa jaettav", "beviljas i utlysningen"),
    (r"\bservice models?\b", "toimintamall", "verksamhetsmodell"),
    (r"\bESF\+", r"ESR\+", r"ESF\+"),
    (r"Innovation and Skills in Finland", "Uudistuva ja osaava Suomi",
     "Förnyande och kompetent Finland"),
    (r"\bappeal instructions", "oikaisuvaatimusohje", "omprövning"),
]

# English source texts (msgids, code) with the wrong concept.
WRONG_ENGLISH = [
    (r"Innovative and Skilled Finland",
     "the programme is Innovation and Skills in Finland 2021–2027"),
    (r"\bGrant \(project funding\)", "the funding model grant is shown as Project support"),
    (r"\bguarantee[sd]? (the|this|a) (service )?model", "an authority assesses a model"),
]

# Figures of the rules written into a text instead of read from their constants
# (app.calls.budget.HOURS_PER_YEAR, FLAT_RATE_PERCENT, app.calls.models.MAX_ADVANCE_PERCENT,
# app.projects.schedule.REPORT_DUE_DAYS).
LITERAL_FIGURES = [
    (r"\b1[ ,\u00a0]?720\b", "pass HOURS_PER_YEAR as %(hours)s (rule_figures.hours_per_year)"),
    (r"\b40 ?%", "pass FLAT_RATE_PERCENT as %(percent)s (rule_figures.flat_rate_percent)"),
    (r"\b1[.,]40\b", "pass the flat-rate factor (rule_figures.flat_rate_factor)"),
    (r"\bat most 30 ?%", "pass MAX_ADVANCE_PERCENT (rule_figures.max_advance_percent)"),
    (r"\b60 days\b", "pass REPORT_DUE_DAYS (rule_figures.report_due_days)"),
]


def _catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _entries(language: str):
    """(msgid, each msgstr) of the catalogue's live entries."""
    for message in _catalogue(language):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield msgid, [s for s in strings if s]


def _violations(texts, rules) -> list[str]:
    found = []
    for where, text in texts:
        for pattern, reason in rules:
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                found.append(f"{where}: {match.group(0)!r} ({reason}) in {text[:120]!r}")
    return found


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_replaced_term_in_the_catalogue(language):
    texts = [(msgid[:60], s) for msgid, strings in _entries(language) for s in strings]
    assert len(texts) > 1000
    problems = _violations(texts, FORBIDDEN[language])
    assert not problems, f"{language}/messages.po: " + "\n".join(problems)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_official_word_translates_each_term(language):
    index = 1 if language == "fi" else 2
    problems = []
    for msgid, strings in _entries(language):
        for rule in REQUIRED:
            if re.search(rule[0], msgid, re.IGNORECASE):
                problems += [f"{msgid[:70]!r} -> {s[:90]!r}: use {rule[index]!r}"
                             for s in strings if not re.search(rule[index], s, re.IGNORECASE)]
    assert not problems, f"{language}/messages.po:\n" + "\n".join(problems)


def test_the_english_sources_name_the_right_concepts():
    msgids = [(f"msgid {msgid[:60]!r}", msgid) for msgid, _strings in _entries("fi")]
    assert not _violations(msgids, WRONG_ENGLISH)
    code = [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
            for folder, suffixes in (("app", (".py",)), ("templates", (".html", ".txt")))
            for path in sorted((ROOT / folder).rglob("*")) if path.suffix in suffixes]
    assert not _violations(code, WRONG_ENGLISH)


# --- Finnish and Swedish text written in code -------------------------------------------------

def _string_constants(path: Path) -> list[tuple[str, str]]:
    """Every string literal of a Python file (adjacent literals joined), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = str(path.relative_to(ROOT))
    return [(f"{name}:{node.lineno}", node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


# Patterns that cannot be English: safe over text of unknown language (demo data is mostly
# Finnish, with some Swedish); ESF+ is checked only in Finnish compounds.
CODE_RULES = [rule for rule in FORBIDDEN["fi"] + FORBIDDEN["sv"]
              if rule[0] not in (r"\bESF\+", r"\bESR\+", r"\bflat[ -]rate", r"\btakaa\b",
                                 r"\btotal ?budget")]
CODE_RULES.append((r"\bESF\+-?(rahoitu|hank|hau|haku|tue|tuki|kustannus|ohjelm)",
                   "ESF+ is ESR+ in Finnish"))


def test_no_replaced_term_in_demo_data_and_documents():
    files = sorted((ROOT / "app" / "demo").glob("*.py")) + [ROOT / "app/reviews/documents.py"]
    texts = [item for path in files for item in _string_constants(path)]
    assert len(texts) > 200
    problems = _violations(texts, CODE_RULES)
    assert not problems, "\n".join(problems)


def test_the_decision_document_uses_the_official_words():
    from app.reviews import documents

    finnish = " ".join([*documents.TEXTS["fi"].values(), documents.PROGRAMME["fi"],
                        *documents.APPEAL["fi"], *documents.BATCH_TEMPLATES["fi"].values()])
    swedish = " ".join([*documents.TEXTS["sv"].values(), documents.PROGRAMME["sv"],
                        *documents.APPEAL["sv"], *documents.BATCH_TEMPLATES["sv"].values()])
    assert not _violations([("fi", finnish)], FORBIDDEN["fi"])
    assert not _violations([("sv", swedish)], FORBIDDEN["sv"])
    for word in ("ESR+", "hanketuki", "tukikelpoiset kokonaiskustannukset", "Osatoteuttajat",
                 "Esittelijä", "Ratkaisija", "Oikaisuvaatimusohje", "valintaperusteista",
                 "Uudistuva ja osaava Suomi 2021–2027"):
        assert word.lower() in finnish.lower(), word
    for word in ("ESF+", "projektstöd", "stödberättigande totalkostnader", "Delgenomförare",
                 "Föredragande", "Beslutsfattare", "Anvisning om begäran om omprövning",
                 "urvalskriterierna", "Förnyande och kompetent Finland 2021–2027"):
        assert word.lower() in swedish.lower(), word


def test_no_literal_finnish_or_swedish_term_in_mail_templates():
    texts = [(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "templates" / "mail").glob("*.txt"))]
    assert texts
    problems = _violations(texts, CODE_RULES)
    assert not problems, "\n".join(problems)


# --- figures of the rules come from their constants --------------------------------------------

_TEMPLATE_TEXT = re.compile(r'\b(?:_|gettext|ngettext)\(\s*"((?:[^"\\]|\\.)*)"')
_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def _translatable_texts() -> list[tuple[str, str]]:
    """The English source texts of the templates and of the Python code."""
    texts = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            name = str(path.relative_to(ROOT))
            texts += [(name, m) for m in _TEMPLATE_TEXT.findall(path.read_text("utf-8"))]
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in _CALLS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                texts.append((f"{name}:{node.lineno}", node.args[0].value))
    return texts


def test_texts_read_the_rules_figures_from_their_constants():
    texts = _translatable_texts()
    assert len(texts) > 1000
    problems = _violations(texts, LITERAL_FIGURES)
    assert not problems, "\n".join(problems)


def test_a_changed_constant_changes_the_text(app, monkeypatch):
    from flask import render_template_string
    from flask_babel import force_locale

    from app.calls import budget
    from app.calls import models as call_models
    from app.calls.forms import CallForm

    monkeypatch.setattr(budget, "HOURS_PER_YEAR", 1600)
    monkeypatch.setattr(budget, "FLAT_RATE_PERCENT", 35)
    monkeypatch.setattr(call_models, "MAX_ADVANCE_PERCENT", 25)
    page = ('{{ _("Flat rate %(percent)s %%", percent=rule_figures.flat_rate_percent) }}|'
            '{{ rule_figures.hours_per_year }}|{{ rule_figures.flat_rate_factor }}')
    with app.test_request_context():
        with force_locale("en"):
            assert render_template_string(page) == "Flat rate 35 %|1,600|1.35"
            description = str(CallForm(meta={"csrf": False}).advance_percent.description)
            assert description.endswith("at most 25 %.")
        with force_locale("fi"):
            assert render_template_string(page) == \
                "Prosenttimääräinen korvaus (35 %)|1\u00a0600|1,35"
            description = str(CallForm(meta={"csrf": False}).advance_percent.description)
            assert description.endswith("enintään 25 %.")
        with force_locale("sv"):
            assert render_template_string(page).startswith("Schablonersättning (35 %)|")
