"""Facets, sorting, paging, highlighting."""

from __future__ import annotations

from datetime import date

import pytest

from app.practices import community
from app.search.service import search_practices
from tests.fixtures.practices import owner_of


@pytest.fixture
def models(db, make_practice, make_organisation):
    staffing = make_organisation(name="Henkilöstö Oy", type="staffing_firm")
    ngo = make_organisation(name="Järjestö ry", type="ngo")
    made = [
        make_practice(organisation=ngo, title="Valmennus nuorille", regions=["MK01"],
                      target_groups=["youth"], stage="piloting", published=True),
        make_practice(organisation=ngo, title="Valmennus maahanmuuttajille",
                      regions=["MK01", "MK08"], target_groups=["immigrants", "youth"],
                      stage="in_use", published=True),
        make_practice(organisation=staffing, title="Valmennus yli 50-vuotiaille",
                      regions=["MK08"], target_groups=["over_50"], stage="in_use",
                      language="fi", published=True),
        make_practice(organisation=staffing, title="Coaching for young people",
                      language="en", regions=["MK19"], target_groups=["youth"],
                      stage="spreading", summary="Coaching young jobseekers.", published=True),
    ]
    for practice, day in zip(made, (date(2021, 1, 1), date(2024, 5, 1), date(2023, 1, 1),
                                    date(2022, 1, 1)), strict=True):
        practice.first_published_on = day
    db.session.commit()
    from app.core.changes import record_change

    for practice in made:
        record_change("practice", practice.id)
    db.session.commit()
    return made


def counts(result, facet):
    return {v.code: v.count for v in result.facets[facet] if v.count}


def test_facet_counts(models, search):
    result = search("valmennus")
    assert result.total == 3
    assert counts(result, "regions") == {"MK01": 2, "MK08": 2}
    assert counts(result, "target_groups") == {"youth": 2, "immigrants": 1, "over_50": 1}
    assert counts(result, "org_type") == {"ngo": 2, "staffing_firm": 1}
    assert counts(result, "language") == {"fi": 3}
    assert counts(result, "validated") == {"no": 3}
    assert {v.code for v in result.facets["stage"]} == {"idea", "piloting", "in_use", "spreading"}


def test_facets_filter_and_combine(models, search):
    # Values of one facet widen (or), facets narrow (and).
    result = search("valmennus", facets={"regions": ["MK01", "MK08"]})
    assert result.total == 3
    result = search("valmennus", facets={"regions": ["MK08"], "target_groups": ["youth"]})
    assert [hit.title for hit in result.hits] == ["Valmennus maahanmuuttajille"]
    # A facet's own counts ignore its own selection, so other values stay choosable.
    assert counts(result, "regions") == {"MK01": 2, "MK08": 1}
    assert counts(result, "target_groups") == {"youth": 1, "immigrants": 1, "over_50": 1}
    selected = [v.code for v in result.facets["regions"] if v.selected]
    assert selected == ["MK08"]


def test_browsing_without_words_lists_everything_newest_first(models, search):
    result = search("")
    assert result.total == 4
    assert [hit.title for hit in result.hits][:2] == ["Valmennus maahanmuuttajille",
                                                      "Valmennus yli 50-vuotiaille"]
    assert search("", facets={"language": ["en"]}).total == 1


def test_sort_newest_and_most_adopted(db, models, search, make_organisation):
    newest = [hit.title for hit in search("valmennus", sort="newest").hits]
    assert newest == ["Valmennus maahanmuuttajille", "Valmennus yli 50-vuotiaille",
                      "Valmennus nuorille"]
    adopter = make_organisation(name="Ottaja ry")
    community.record_adoption(owner_of(db, adopter), adopter, models[0], regions=["MK01"],
                              since=None, note="")
    db.session.commit()
    adopted = search("valmennus", sort="adopted")
    assert adopted.hits[0].title == "Valmennus nuorille"
    assert adopted.hits[0].adoption_count == 1


def test_paging(models, search):
    first = search("valmennus", per_page=2)
    second = search("valmennus", per_page=2, page=2)
    assert first.pages == 2 and first.has_next and not second.has_next
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert {h.id for h in first.hits}.isdisjoint({h.id for h in second.hits})
    assert search("valmennus", page=9).hits == []


def test_language_of_the_query_does_not_matter(models, titles):
    # First the English text; then models for young people (the target group's label).
    assert titles("young") == ["Coaching for young people", "Valmennus nuorille",
                               "Valmennus maahanmuuttajille"]
    assert "Valmennus maahanmuuttajille" in titles("maahanmuuttajien valmennukseen")


def test_facet_labels_follow_the_interface_language(models):
    finnish = search_practices("valmennus", language="fi")
    assert {v.code: v.label for v in finnish.facets["regions"]}["MK08"] == "Kymenlaakso"
    swedish = search_practices("valmennus", language="sv")
    assert {v.code: v.label for v in swedish.facets["regions"]}["MK01"] == "Nyland"


def test_region_names_match_in_every_language(models, titles):
    assert titles("Kymenlaakso") == titles("Kymmenedalen") != []


def test_highlights_are_escaped(make_practice, search):
    make_practice(title="<script>alert(1)</script> Työkokeilu & <b>valmennus</b>",
                  summary="Työkokeilu <img src=x onerror=alert(1)> työpaikalla.",
                  published=True)
    hit = search("työkokeilu").hits[0]
    title = str(hit.title_html)
    assert "<script>" not in title and "<b>" not in title
    assert title == ("&lt;script&gt;alert(1)&lt;/script&gt; <mark>Työkokeilu</mark> &amp; "
                     "&lt;b&gt;valmennus&lt;/b&gt;")
    excerpt = str(hit.excerpt)
    assert excerpt == "<mark>Työkokeilu</mark> työpaikalla."  # the tag never reaches the index


def test_text_that_looks_like_markup_is_escaped(make_practice, search):
    make_practice(title="Vertailu: 3 < 5 & työkokeilu > 1", published=True)
    hit = search("työkokeilu").hits[0]
    assert str(hit.title_html) == "Vertailu: 3 &lt; 5 &amp; <mark>työkokeilu</mark> &gt; 1"


def test_highlights_mark_inflected_forms_and_compound_parts(make_practice, search):
    make_practice(title="Palkkatukineuvonta", summary="Neuvontaa palkkatuesta yrityksille.",
                  published=True)
    hit = search("palkkatuki").hits[0]
    assert str(hit.title_html) == "<mark>Palkkatukineuvonta</mark>"
    assert "<mark>palkkatuesta</mark>" in str(hit.excerpt)


def test_the_excerpt_shows_where_the_words_are(make_practice, search):
    make_practice(title="Malli", summary="Lyhyt tiivistelmä.",
                  method="Alku. " * 80 + "Tässä kohdassa mainitaan apuvälineet. " + "Loppu. " * 80,
                  published=True)
    excerpt = str(search("apuväline").hits[0].excerpt)
    assert "<mark>apuvälineet</mark>" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
