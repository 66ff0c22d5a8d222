"""The domain thesaurus (issue 13 §2): loading the reviewed CSV, and queries in one language
finding the same practice described in another, own-language matches first."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from app.search import expansion, thesaurus
from app.search.query import MAX_EXPANSIONS
from app.search.thesaurus import ConceptInput, SearchConcept

ROWS = [
    ("pay-subsidy", "palkkatuki", "lönesubvention | lönestöd", "pay subsidy | wage subsidy",
     "TE-palvelut / Työmarkkinatori"),
    ("work-trial", "työkokeilu", "arbetsprövning", "work trial",
     "TE-palvelut / Työmarkkinatori"),
    ("ips", "IPS | yksilöllinen sijoittaminen ja tuki", "IPS",
     "IPS | individual placement and support", "THL"),
]


def write_csv(path, rows=ROWS):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(thesaurus.CSV_COLUMNS)
        for slug, fi, sv, en, source in rows:
            writer.writerow([slug, fi, sv, en, source, ""])
    return path


@pytest.fixture
def loaded(db, tmp_path):
    """The test's concept sets in the database, and no map left over from another test."""
    expansion.forget()
    summary = thesaurus.import_csv(write_csv(tmp_path / "thesaurus.csv"))
    db.session.commit()
    yield summary
    expansion.forget()


@pytest.fixture
def subsidy_corpus(make_practice):
    body = {"problem": "Kuvaus.", "method": "Menetelmä.", "employer_cooperation": "-",
            "results": "-", "adoption": "-", "tags": []}
    # The English models mention the term once in a long text; the Finnish and Swedish ones
    # in their titles: by score alone these would come first.
    long_text = {**body, "method": " ".join(["Employers get advice on hiring."] * 40)}
    english = [
        make_practice(title="Help for small employers", language="en",
                      summary="A pay subsidy lowers the cost of the first hire.", **long_text),
        make_practice(title="Employer guide", language="en",
                      summary="How to apply for a pay subsidy, step by step.", **long_text),
    ]
    finnish = make_practice(title="Palkkatuella töihin: palkkatuki", language="fi",
                            summary="Palkkatuki auttaa yhdistyksiä palkkaamaan.", **body)
    swedish = make_practice(title="Lönesubventionen som väg till arbete", language="sv",
                            summary="Lönesubventionen hjälper föreningar att anställa.", **body)
    pay_only = make_practice(title="Equal pay in care work", language="en",
                             summary="Pay audits for care employers.", **body)
    # Both words, apart: English, but not the term.
    scattered = [make_practice(title=f"Subsidy rules and pay scales {i}", language="en",
                               summary="Which subsidy applies, and how pay is set.", **body)
                 for i in range(3)]
    unrelated = [make_practice(title=f"Nuorten työpajat {i}", language="fi",
                               summary="Työpajatoimintaa nuorille.", **body) for i in range(6)]
    for practice in (*english, finnish, swedish, pay_only, *scattered, *unrelated):
        practice_publish(practice)
    return {"english": [p.title for p in english], "fi": finnish.title, "sv": swedish.title,
            "pay_only": pay_only.title, "scattered": [p.title for p in scattered],
            "unrelated": unrelated[0].title}


def practice_publish(practice):
    from app.extensions import db
    from app.practices import services
    from tests.fixtures.practices import owner_of

    services.publish_practice(owner_of(db, practice.organisation), practice, "")
    db.session.commit()


def test_import_is_idempotent_and_keeps_what_admins_changed(db, tmp_path, admin):
    expansion.forget()
    path = write_csv(tmp_path / "t.csv")
    first = thesaurus.import_csv(path)
    db.session.commit()
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    again = thesaurus.import_csv(path)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.kept) == (0, 0, 3, [])
    assert db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "ips")).terms(
        "en") == ["IPS", "individual placement and support"]

    trial = db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "work-trial"))
    thesaurus.update_concept(admin, trial, ConceptInput(
        {"fi": ["työkokeilu"], "sv": ["arbetsprövning"], "en": ["work try-out"]}))
    ips = db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "ips"))
    thesaurus.delete_concept(admin, ips)
    db.session.commit()
    changed = [(*row[:3], row[3].replace("wage subsidy", "wage support"), row[4])
               for row in ROWS]
    third = thesaurus.import_csv(write_csv(tmp_path / "t2.csv", changed))
    db.session.commit()
    assert (third.created, third.updated, sorted(third.kept)) == (0, 1, ["ips", "work-trial"])
    assert trial.terms("en") == ["work try-out"]  # the admin's edit stays
    assert ips.deleted_at is not None  # and so does the deletion
    forced = thesaurus.import_csv(path, force=True)
    db.session.commit()
    assert forced.updated == 3 and trial.terms("en") == ["work trial"]
    assert ips.deleted_at is None and trial.updated_by_id is None


def test_commands_import_the_shipped_csv_and_export_it_back(app, db, tmp_path, monkeypatch):
    expansion.forget()
    runner = app.test_cli_runner()
    # A copy, so that an edit of the shipped file during the test run cannot interfere.
    copy = tmp_path / "shipped.csv"
    copy.write_bytes(thesaurus.CSV_PATH.read_bytes())
    monkeypatch.setattr(thesaurus, "CSV_PATH", copy)
    result = runner.invoke(args=["search", "thesaurus", "import"])  # the default file
    assert result.exit_code == 0, result.output
    shipped = thesaurus.read_csv(copy)
    assert len(shipped) >= 10
    assert f"{len(shipped)} created" in result.output
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["search", "thesaurus", "export", str(out)])
    assert result.exit_code == 0, result.output
    exported = thesaurus.read_csv(out)
    assert len(exported) == len(shipped)
    by_slug = {row["concept"]: row for row in exported}
    for row in shipped:
        for lang in ("fi", "sv", "en"):
            assert thesaurus.split_terms(by_slug[row["concept"]][lang]) == \
                thesaurus.split_terms(row[lang])
    again = runner.invoke(args=["search", "thesaurus", "import", str(out)])
    assert "0 created, 0 updated" in again.output
    expansion.forget()


def test_without_the_thesaurus_english_finds_only_english(db, subsidy_corpus, titles):
    expansion.forget()
    found = titles("pay subsidy")
    assert subsidy_corpus["fi"] not in found and subsidy_corpus["sv"] not in found


def test_pay_subsidy_finds_english_first_then_finnish_and_swedish(loaded, subsidy_corpus,
                                                                  titles):
    found = titles("pay subsidy")
    assert sorted(found[:2]) == sorted(subsidy_corpus["english"])
    assert set(found[2:4]) == {subsidy_corpus["fi"], subsidy_corpus["sv"]}
    # then both words but not the term, then one word of the two
    assert sorted(found[4:7]) == sorted(subsidy_corpus["scattered"])
    assert found[7:] == [subsidy_corpus["pay_only"]]


@pytest.mark.parametrize("q,own,others", [
    ("palkkatuella", "fi", ("english", "sv")),  # inflected Finnish
    ("lönesubventionen", "sv", ("english", "fi")),  # inflected Swedish
    ("pay subsidies", "english", ("fi", "sv")),  # English plural
    ("palkkatukea", "fi", ("english", "sv")),
    ("lonesubvention", "sv", ("english", "fi")),  # typed without diacritics
    ("lönestöd", None, ("english", "fi", "sv")),  # a synonym finds the set too
])
def test_inflected_terms_in_any_language_expand(loaded, subsidy_corpus, titles, q, own,
                                                others):
    found = titles(q)
    expected = set()
    for name in others:
        value = subsidy_corpus[name]
        expected.update(value if isinstance(value, list) else [value])
    assert expected <= set(found), found
    if own is not None:
        first = subsidy_corpus[own]
        first = set(first) if isinstance(first, list) else {first}
        assert set(found[:len(first)]) == first  # the query's own language first
    assert subsidy_corpus["unrelated"] not in found


def test_work_trial_ranks_tyokokeilu_and_arbetsprovning_in_the_first_five(
        loaded, make_practice, titles):
    # English models that have "work" and "trial" apart, which used to fill the first page.
    for i in range(6):
        practice_publish(make_practice(
            title=f"Clinical trial of work coaching {i}", language="en",
            summary="A randomised trial: participants work with a coach.", tags=[]))
    trial = make_practice(title="Työkokeilu kaupan alalla", language="fi",
                          summary="Työkokeilussa nuori tutustuu kaupan työhön.", tags=[])
    prov = make_practice(title="Arbetsprövning i handeln", language="sv",
                         summary="Under arbetsprövningen lär man känna arbetet.", tags=[])
    practice_publish(trial)
    practice_publish(prov)
    found = titles("work trial")
    assert trial.title in found[:5] and prov.title in found[:5], found
    expansion.forget()
    SearchConcept.__table__  # noqa: B018 - the same query with the map empty:
    from app.extensions import db

    db.session.execute(SearchConcept.__table__.delete())
    db.session.commit()
    without = titles("work trial")
    assert trial.title not in without[:5] and prov.title not in without[:5]


def test_hits_from_another_language_are_marked(loaded, subsidy_corpus, search, client,
                                              make_practice):
    result = search("pay subsidy")
    marks = {hit.title: hit.found_through for hit in result.hits}
    assert marks[subsidy_corpus["fi"]] == ["palkkatuki"]
    assert marks[subsidy_corpus["sv"]] == ["lönesubvention"]
    for title in (*subsidy_corpus["english"], *subsidy_corpus["scattered"],
                  subsidy_corpus["pay_only"]):
        assert marks[title] == []
    finnish = next(hit for hit in result.hits if hit.title == subsidy_corpus["fi"])
    assert "<mark>" in str(finnish.title_html)  # the Finnish term is highlighted

    # A Swedish model that has the Finnish word itself is not found "through Swedish".
    both = make_practice(title="Lönesubvention, palkkatuki på finska", language="sv",
                         summary="Om lönesubventionen.", tags=[])
    practice_publish(both)
    marks = {hit.title: hit.found_through for hit in search("palkkatuki").hits}
    assert marks[both.title] == [] and marks[subsidy_corpus["sv"]] == ["lönesubvention"]
    assert all(marks[title] == ["pay subsidy"] for title in subsidy_corpus["english"])
    assert marks[subsidy_corpus["fi"]] == []
    # a synonym in the same language is no other language
    marks = {hit.title: hit.found_through for hit in search("wage subsidy").hits}
    assert all(marks[title] == [] for title in subsidy_corpus["english"])

    html = client.get("/search?q=pay+subsidy").get_data(as_text=True)
    assert 'Found in Finnish:</span> <span lang="fi">palkkatuki</span>' in html
    assert 'Found in Swedish:</span> <span lang="sv">lönesubvention</span>' in html
    assert html.count("search-hit-language") == 3  # fi, sv and "both"; no English hit
    assert '<h3 lang="sv">' in html and '<p class="excerpt" lang="sv">' in html


def test_an_edit_takes_effect_on_the_next_search_without_a_rebuild(loaded, subsidy_corpus,
                                                                   titles, admin, db,
                                                                   search_index):
    q = "nonprofit staffing grant"
    assert titles(q) == []
    before = sorted(p.name for p in search_index.iterdir())
    concept = db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "pay-subsidy"))
    thesaurus.update_concept(admin, concept, ConceptInput(
        {"fi": ["palkkatuki"], "sv": ["lönesubvention"],
         "en": ["pay subsidy", "nonprofit staffing grant"]}), seen_version=concept.lock_version)
    db.session.commit()
    found = titles(q)
    assert {subsidy_corpus["fi"], subsidy_corpus["sv"], *subsidy_corpus["english"]} == set(found)
    assert sorted(p.name for p in search_index.iterdir()) == before  # no rebuild, no new segment
    thesaurus.update_concept(admin, concept, ConceptInput(
        {"fi": ["palkkatuki"], "sv": ["lönesubvention"], "en": ["pay subsidy"]}))
    db.session.commit()
    assert titles(q) == []


def test_other_processes_see_a_change_within_the_recheck_interval(loaded, subsidy_corpus,
                                                                  titles, admin, db, app,
                                                                  monkeypatch):
    assert subsidy_corpus["fi"] in titles("wage subsidy")
    concept = db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "pay-subsidy"))
    thesaurus.delete_concept(admin, concept)
    db.session.commit()
    # As another process would: it did not make the change, so only its recheck finds it.
    expansion._cache["dirty"] = False
    monkeypatch.setitem(app.config, "SEARCH_THESAURUS_RECHECK_SECONDS", 3600)
    assert subsidy_corpus["fi"] in titles("wage subsidy")  # still the map it had
    monkeypatch.setitem(app.config, "SEARCH_THESAURUS_RECHECK_SECONDS", 0)
    assert subsidy_corpus["fi"] not in titles("wage subsidy")


def test_expansions_per_set_are_capped(loaded, db, admin, subsidy_corpus, search):
    many = {"fi": [f"tukimuoto{i}" for i in range(8)], "sv": ["stödform"],
            "en": ["support form"]}
    thesaurus.create_concept(admin, ConceptInput(many))
    db.session.commit()
    from app.search.query import Builder, parse_query
    from app.search.service import _bitmaps, fresh_handle

    search("palkkatuki")  # the index is built
    handle = fresh_handle()
    with handle.lock:
        builder = Builder(_bitmaps(handle))
        parsed = parse_query("tukimuoto3")
        concepts = [builder.concept(group) for group in parsed.groups]
        builder.expand_across_languages(parsed.groups, concepts)
    items = concepts[0].thesaurus.items
    assert len(items) == MAX_EXPANSIONS
    # the own language's synonyms first, but the other languages' preferred terms kept
    assert {item.lang for item in items} == {"fi", "sv", "en"}


def test_the_recheck_interval_comes_from_the_environment(monkeypatch):
    from app.config import Config, ConfigError

    assert Config.SEARCH_THESAURUS_RECHECK_SECONDS == 5
    monkeypatch.setenv("SEARCH_THESAURUS_RECHECK_SECONDS", "30")
    assert Config.from_environment()["SEARCH_THESAURUS_RECHECK_SECONDS"] == 30
    monkeypatch.setenv("SEARCH_THESAURUS_RECHECK_SECONDS", "soon")
    with pytest.raises(ConfigError):
        Config.from_environment()


def test_only_platform_administrators_change_the_thesaurus_in_the_service(
        db, admin, make_user):
    """The service checks its actor itself (a view's check alone is one route away from a
    bypass): someone else can neither add, edit nor delete a set, and nothing changes."""
    from app.core.domain import NotAllowed

    concept = thesaurus.create_concept(admin, ConceptInput(
        {"fi": ["palkkatuki"], "sv": ["lönesubvention"]}))
    db.session.commit()
    version = concept.lock_version
    user = make_user()
    with pytest.raises(NotAllowed):
        thesaurus.create_concept(user, ConceptInput({"fi": ["työkokeilu"], "en": ["work trial"]}))
    with pytest.raises(NotAllowed):
        thesaurus.update_concept(user, concept, ConceptInput(
            {"fi": ["palkkatuki"], "en": ["wage subsidy"]}), seen_version=version)
    with pytest.raises(NotAllowed):
        thesaurus.delete_concept(user, concept, seen_version=version)
    db.session.rollback()
    assert db.session.scalars(select(SearchConcept.id)).all() == [concept.id]
    assert db.session.get(SearchConcept, concept.id).terms("en") == []
