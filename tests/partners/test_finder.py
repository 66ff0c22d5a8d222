"""The partner finder (/partners), the organisation picker (/partners/pick), inviting a partner
by picking it, and the languages of an organisation's profile."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.applications.models import ApplicationPartner
from app.core import clock
from app.core.db import utcnow
from app.organisations.models import Organisation, Role
from app.partners.models import PartnerCall, PartnerCallState
from app.practices.models import PracticePartner
from tests.fixtures.organisations import organisation_form_data, valid_business_id

HX = {"HX-Request": "true"}
COACHING = "Työhönvalmennus, työnantajayhteistyö ja rekrytointi osatyökykyisille."


def _html(response) -> str:
    return response.get_data(as_text=True)


def _names(html: str) -> list[str]:
    """The organisation names listed as results, in order (marks removed)."""
    found = re.findall(r'<li class="card finder-result">\s*<h3><a href="/organisations/\d+">(.*?)'
                       r"</a></h3>", html, re.S)
    return [re.sub(r"</?mark>", "", name) for name in found]


@pytest.fixture
def partners(make_organisation, db):
    """A staffing firm that coaches, an NGO that does workshops, and what is never a partner:
    an unverified firm and a ceased one with the same expertise."""
    firm = make_organisation(name="Duunia Henkilöstöpalvelut Oy", type="staffing_firm",
                             regions=("MK01", "MK10"), target_groups=("partially_able_to_work",),
                             expertise=COACHING, languages=["fi", "en"])
    ngo = make_organisation(name="Työpaja Kipinä ry", type="ngo", regions=("MK10",),
                            target_groups=("youth",), expertise="Työpajat ja työkokeilu.",
                            description="Valmennus nuorille.", languages=["fi", "sv"])
    unverified = make_organisation(name="Vahvistamaton Valmennus Oy", type="staffing_firm",
                                   verified=False, expertise=COACHING)
    ceased = make_organisation(name="Lakannut Valmennus Oy", type="staffing_firm",
                               expertise=COACHING,
                               valid_to=clock.local_date() - timedelta(days=1))
    return firm, ngo, unverified, ceased


def test_free_text_matches_every_word_in_any_field_case_insensitively(client, partners):
    firm, ngo, _unverified, _ceased = partners
    # Upper case with Finnish letters still matches (SQL lower() on SQLite and PostgreSQL).
    assert _names(_html(client.get("/partners?q=TYÖHÖNVALMENNUS"))) == [firm.name]
    # Words are AND-ed: "valmennus" alone matches both (expertise; description) ...
    assert sorted(_names(_html(client.get("/partners?q=valmennus")))) == sorted(
        [firm.name, ngo.name])
    # ... but with "nuorille" only the NGO (its description has both).
    assert _names(_html(client.get("/partners?q=valmennus+nuorille"))) == [ngo.name]
    # The unverified and the ceased organisation are never listed, however well they match.
    page = _html(client.get("/partners?q=valmennus"))
    assert "Vahvistamaton" not in page and "Lakannut" not in page
    assert "Vahvistamaton" not in _html(client.get("/partners"))
    assert "Lakannut" not in _html(client.get("/partners"))


def test_words_typed_without_diacritics_find_and_mark_the_written_ones(client, partners,
                                                                      make_organisation):
    """A phone or a foreign keyboard without ä/ö/å: "tyohonvalmennus" finds the firm whose
    expertise says "Työhönvalmennus" (and marks that word); the written form still finds it,
    and a word with diacritics finds text written without them."""
    firm, ngo, _unverified, _ceased = partners
    page = _html(client.get("/partners?q=tyohonvalmennus+OSATYOKYKYISILLE"))
    assert _names(page) == [firm.name]
    assert "<mark>Työhönvalmennus</mark>" in page and "<mark>osatyökykyisille</mark>" in page
    assert _names(_html(client.get("/partners?q=tyopajat"))) == [ngo.name]
    assert _names(_html(client.get("/partners?q=Henkilostopalvelut"))) == [firm.name]
    plain = make_organisation(name="Abo Coaching Ab", expertise="Arbetsprovning.")
    assert _names(_html(client.get("/partners?q=arbetspr%C3%B6vning"))) == [plain.name]
    # The relevance order is kept: a match in the name weighs more than one in the expertise.
    named = make_organisation(name="Työhönvalmennus Nyt Oy", expertise="Rekrytointi.")
    assert _names(_html(client.get("/partners?q=tyohonvalmennus")))[:2] == [named.name,
                                                                             firm.name]


def test_unit_names_are_searched_and_shown(client, make_organisation, partners):
    firm = partners[0]
    unit = make_organisation(name="Mikkelin kaupunki", type="municipality",
                             business_id=valid_business_id(77), unit_name="Työllisyyspalvelut",
                             expertise="Kuntakokeilu")
    page = _html(client.get("/partners?q=työllisyyspalvelut"))
    assert _names(page) == ["Mikkelin kaupunki, Työllisyyspalvelut"]
    assert firm.name not in _names(page) and unit.id


def test_facets_filter_and_count_within_the_other_filters(client, partners):
    firm, ngo, _unverified, _ceased = partners
    page = _html(client.get("/partners?language=en"))
    assert _names(page) == [firm.name]
    # The language facet's own counts ignore the language filter (both speak Finnish) ...
    assert 'id="fc-language-fi">(2)</span>' in page
    assert 'id="fc-language-en">(1)</span>' in page
    assert 'id="fc-language-sv">(1)</span>' in page
    # ... the other facets count within it (only the firm speaks English).
    assert 'id="fc-type-staffing_firm">(1)</span>' in page
    assert 'id="fc-type-ngo">(0)</span>' in page
    assert 'id="fc-region-MK10">(1)</span>' in page
    # Ticked values are kept ticked; "fi" does not match "fse" (a code prefix).
    assert re.search(r'id="f-language-en" name="language" value="en" checked', page)
    assert 'id="fc-language-fse">(0)</span>' in page
    # Several values of one facet are OR-ed, facets AND-ed.
    assert sorted(_names(_html(client.get("/partners?language=en&language=sv")))) == sorted(
        [firm.name, ngo.name])
    assert _names(_html(client.get("/partners?type=ngo&region=MK01"))) == []
    assert _names(_html(client.get("/partners?target_group=youth&region=MK10"))) == [ngo.name]
    # Unknown codes are ignored, not an error.
    assert client.get("/partners?language=xx&region=<b>").status_code == 200


def test_sorting_by_relevance_name_and_newest(client, make_organisation, db):
    older = make_organisation(name="Aalto Palvelut Oy", expertise="Valmennus ja mentorointi.")
    older.verified_at = utcnow() - timedelta(days=30)
    named = make_organisation(name="Valmennuspolku ry", expertise="Ryhmät.")
    db.session.commit()
    # Relevance: a match in the name outranks one in the expertise; name order is A–Ö.
    assert _names(_html(client.get("/partners?q=valmennus"))) == [named.name, older.name]
    assert _names(_html(client.get("/partners?q=valmennus&sort=name"))) == [older.name,
                                                                            named.name]
    assert _names(_html(client.get("/partners?q=valmennus&sort=newest"))) == [named.name,
                                                                              older.name]
    # An unknown sort falls back without an error.
    assert client.get("/partners?sort=drop+table").status_code == 200


def test_pagination_and_the_query_count_does_not_grow(client, make_organisation, count_queries,
                                                      db):
    for n in range(3):
        make_organisation(name=f"Kumppani {n:02d} Oy", languages=["fi"])
    with count_queries() as few:
        assert client.get("/partners?q=kumppani").status_code == 200
    for n in range(3, 23):
        org = make_organisation(name=f"Kumppani {n:02d} Oy", languages=["fi"],
                                regions=("MK01", "MK02"), target_groups=("youth", "over_50"))
        db.session.add(PartnerCall(organisation=org, title="Etsimme", state=PartnerCallState.open))
    db.session.commit()
    with count_queries() as many:
        page = _html(client.get("/partners?q=kumppani"))
    assert many.count == few.count, (few.count, many.count)
    assert len(_names(page)) == 20 and "Kumppani 00 Oy" in _names(page)
    assert "23 organisations" in page
    second = _html(client.get("/partners?q=kumppani&page=2"))
    assert _names(second) == ["Kumppani 20 Oy", "Kumppani 21 Oy", "Kumppani 22 Oy"]
    assert "/partner-calls?organisation=" in second and "1 open partner call" in second


def test_open_partner_calls_are_counted_and_linked(client, partners, db):
    firm, ngo = partners[0], partners[1]
    db.session.add_all([
        PartnerCall(organisation=firm, title="Etsimme järjestöä", state=PartnerCallState.open),
        PartnerCall(organisation=firm, title="Toinen", state=PartnerCallState.open),
        PartnerCall(organisation=ngo, title="Suljettu", state=PartnerCallState.closed),
    ])
    db.session.commit()
    page = _html(client.get("/partners"))
    assert f'<a href="/partner-calls?organisation={firm.id}">2 open partner calls</a>' in page
    assert f"/partner-calls?organisation={ngo.id}" not in page  # a closed call is not counted


def test_empty_state_suggests_removing_each_filter(client, partners):
    page = _html(client.get("/partners?q=valmennus&region=MK19&type=ngo"))
    assert _names(page) == []
    assert "No organisations match all of your choices." in page
    # Each link removes one choice and keeps the others.
    assert 'href="/partners?q=valmennus&amp;type=ngo">Remove “Lapland”' in page
    assert 'href="/partners?q=valmennus&amp;region=MK19">Remove “Non-profit organisation”' in page
    assert 'href="/partners?region=MK19&amp;type=ngo">Remove “valmennus”' in page


def test_excerpt_is_escaped_and_marks_the_matched_words(client, make_organisation):
    make_organisation(name="<b>Rohkea</b> Oy",
                      expertise="<script>alert(1)</script> Työhönvalmennus & <img src=x "
                                "onerror=alert(2)> rekrytointi.")
    page = _html(client.get("/partners?q=työhönvalmennus"))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<b>Rohkea</b>" not in page
    assert "&lt;b&gt;Rohkea&lt;/b&gt; Oy" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Työhönvalmennus</mark> &amp;" in page
    # A word of the query that is an HTML entity's letters is not marked inside the escape.
    page = _html(client.get("/partners?q=lt"))
    assert "&<mark>lt</mark>;" not in page


def test_htmx_gets_the_results_with_the_counts_out_of_band(client, partners):
    response = client.get("/partners?language=sv", headers=HX)
    html = _html(response)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and "<form" not in html
    assert '<span id="finder-count" hx-swap-oob="innerHTML">1 organisation</span>' in html
    assert 'id="fc-language-fi" hx-swap-oob="true">(2)</span>' in html
    assert _names(html) == [partners[1].name]


def test_languages_are_edited_on_the_profile_and_shown(client, login_as, make_user,
                                                       make_organisation, db):
    owner = make_user()
    organisation = make_organisation(name="Kielitaito ry", owner=owner,
                                     business_id="0737546-2")
    login_as(owner)
    page = _html(client.get(f"/organisations/{organisation.id}/edit"))
    assert '<legend>Languages you serve people in' in page and "Finnish Sign Language" in page
    data = organisation_form_data(name="Kielitaito ry", languages=["sv", "ar"])
    response = client.post(f"/organisations/{organisation.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.languages == ["sv", "ar"]
    detail = _html(client.get(f"/organisations/{organisation.id}"))
    assert "Languages served" in detail and "Arabic" in detail
    # An unknown code is refused with a message on the field; nothing changes.
    response = client.post(f"/organisations/{organisation.id}/edit",
                           data={**data, "languages": ["sv", "klingon"]})
    assert response.status_code == 422
    assert 'id="languages-error"' in _html(response)
    db.session.refresh(organisation)
    assert organisation.languages == ["sv", "ar"]


def test_the_service_refuses_unknown_language_codes(make_user, make_organisation, db):
    from app.core.domain import DomainError
    from app.organisations import services

    owner = make_user()
    organisation = make_organisation(owner=owner, business_id="0737546-2")
    with pytest.raises(DomainError) as refused:
        services.update_organisation(owner, organisation, organisation_form_data(
            languages=["fi", "xx"]))
    assert refused.value.field == "languages"
    db.session.rollback()


# --- the picker ------------------------------------------------------------------------------


def test_picker_suggests_verified_working_organisations_by_name_unit_or_business_id(
        client, login_as, make_user, make_organisation, partners):
    firm, _ngo, _unverified, _ceased = partners
    city = valid_business_id(501)
    unit_a = make_organisation(name="Valmenkylän kaupunki", type="municipality",
                               business_id=city, unit_name="Työllisyyspalvelut")
    unit_b = make_organisation(name="Valmenkylän kaupunki", type="municipality",
                               business_id=city, unit_name="Nuorisopalvelut")
    login_as(make_user())
    html = _html(client.get("/partners/pick?for=application&q=valmen", headers=HX))
    assert "Valmenkylän kaupunki, Työllisyyspalvelut" in html
    assert "Valmenkylän kaupunki, Nuorisopalvelut" in html
    assert "Vahvistamaton" not in html and "Lakannut" not in html
    assert f"id={unit_a.id}" in html and f"id={unit_b.id}" in html
    # The Business ID finds both units; the application form's own field name works too.
    html = _html(client.get(f"/partners/pick?for=application&business_id={city}", headers=HX))
    assert html.count('class="pick-option"') == 2
    assert firm.name in _html(client.get("/partners/pick?q=duunia", headers=HX))
    # typed without diacritics: "valmenkylan" finds "Valmenkylän"
    html = _html(client.get("/partners/pick?q=valmenkylan+tyollisyys", headers=HX))
    assert "Valmenkylän kaupunki, Työllisyyspalvelut" in html
    assert html.count('class="pick-option"') == 1
    # Fewer than two characters: no query, a hint.
    html = _html(client.get("/partners/pick?q=d", headers=HX))
    assert 'class="pick-option"' not in html and "at least two letters" in html


def test_picker_limit_escaping_and_choice(client, login_as, make_user, make_organisation):
    for n in range(12):
        make_organisation(name=f"Rajattu {n:02d} <i>Oy</i>")
    login_as(make_user())
    html = _html(client.get("/partners/pick?for=practice&q=rajattu", headers=HX))
    assert html.count('class="pick-option"') == 10
    assert "<i>Oy</i>" not in html and "&lt;i&gt;Oy&lt;/i&gt;" in html
    org = make_organisation(name="Valittu ry")
    html = _html(client.get(f"/partners/pick?for=practice&id={org.id}", headers=HX))
    assert f'<input type="hidden" name="organisation" value="{org.id}">' in html
    html = _html(client.get(f"/partners/pick?for=application&id={org.id}", headers=HX))
    assert f'<input type="hidden" name="organisation_id" value="{org.id}">' in html
    unverified = make_organisation(name="Vahvistamaton ry", verified=False)
    html = _html(client.get(f"/partners/pick?id={unverified.id}", headers=HX))
    assert 'type="hidden"' not in html and "cannot be chosen" in html


def test_picker_needs_a_sign_in(client):
    response = client.get("/partners/pick?q=valmennus")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- inviting by the pick --------------------------------------------------------------------


def _invite_url(application) -> str:
    return f"/calls/applications/{application.id}/partners"


def test_application_partner_invited_by_picked_unit(client, login_as, make_application,
                                                     make_organisation, db, mailbox):
    application = make_application()
    owner = application.organisation.memberships[0].user
    city = valid_business_id(601)
    make_organisation(name="Valmenkylän kaupunki", type="municipality", business_id=city)
    unit = make_organisation(name="Valmenkylän kaupunki", type="municipality",
                             business_id=city, unit_name="Työllisyyspalvelut")
    login_as(owner)
    response = client.post(_invite_url(application), data={
        "business_id": "Valmenkylän", "organisation_id": str(unit.id), "kind": "cooperation"})
    assert response.status_code == 302
    rows = db.session.scalars(select(ApplicationPartner).where(
        ApplicationPartner.application_id == application.id)).all()
    assert [row.organisation_id for row in rows] == [unit.id]  # the unit, not its city


def test_a_name_without_a_pick_lists_the_choices_then_the_choice_invites(
        client, login_as, make_application, make_organisation, db):
    application = make_application()
    owner = application.organisation.memberships[0].user
    first = make_organisation(name="Kumppanuus Alfa ry")
    second = make_organisation(name="Kumppanuus Beta ry")
    login_as(owner)
    response = client.post(_invite_url(application), headers=HX, data={
        "business_id": "kumppanuus", "kind": "cooperation"})
    html = _html(response)
    assert response.status_code == 422
    assert "Choose the organisation from the list." in html
    assert f'name="organisation_id" value="{first.id}"' in html
    assert f'name="organisation_id" value="{second.id}"' in html
    assert db.session.scalar(select(ApplicationPartner).where(
        ApplicationPartner.application_id == application.id)) is None
    response = client.post(_invite_url(application), data={
        "business_id": "kumppanuus", "organisation_id": str(second.id), "kind": "cooperation"})
    assert response.status_code == 302
    assert [p.organisation_id for p in db.session.scalars(select(ApplicationPartner).where(
        ApplicationPartner.application_id == application.id))] == [second.id]


@pytest.mark.parametrize("case", ["unverified", "unknown", "own", "twice"])
def test_a_bad_pick_is_refused_with_a_field_message(client, login_as, make_application,
                                                     make_organisation, db, case):
    application = make_application()
    owner = application.organisation.memberships[0].user
    if case == "unverified":
        picked = make_organisation(name="Vahvistamaton ry", verified=False).id
        message = "Only verified organisations can be partners."
    elif case == "unknown":
        picked = 987654321
        message = "This organisation was not found."
    elif case == "own":
        picked = application.organisation_id
        message = "The lead organisation cannot be its own partner."
    else:
        picked = make_organisation(name="Kahdesti ry").id
        login_as(owner)
        assert client.post(_invite_url(application), data={
            "business_id": "Kahdesti", "organisation_id": str(picked)}).status_code == 302
        message = "This organisation has already been invited."
    before = db.session.scalars(select(ApplicationPartner.id).where(
        ApplicationPartner.application_id == application.id)).all()
    login_as(owner)
    response = client.post(_invite_url(application), headers=HX, data={
        "business_id": "x" * 5, "organisation_id": str(picked)})
    html = _html(response)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="business_id-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in html
    # the refused pick is not kept as a hidden choice to be sent again
    assert f'name="organisation_id" value="{picked}"' not in html
    assert db.session.scalars(select(ApplicationPartner.id).where(
        ApplicationPartner.application_id == application.id)).all() == before


def test_a_member_of_another_organisation_cannot_invite(client, login_as, make_application,
                                                        make_organisation, make_user,
                                                        add_member, db):
    application = make_application()
    other = make_organisation(name="Toinen ry")
    outsider = make_user()
    add_member(other, outsider, Role.owner)
    partner = make_organisation(name="Kumppani ry")
    login_as(outsider)
    response = client.post(_invite_url(application), data={
        "business_id": "Kumppani", "organisation_id": str(partner.id)})
    assert response.status_code == 404
    assert db.session.scalar(select(ApplicationPartner).where(
        ApplicationPartner.application_id == application.id)) is None


def test_the_business_id_path_still_invites_the_organisation_itself(
        client, login_as, make_application, make_organisation, db):
    application = make_application()
    owner = application.organisation.memberships[0].user
    partner = make_organisation(name="Y-tunnus ry")
    login_as(owner)
    assert client.post(_invite_url(application), data={
        "business_id": partner.business_id, "kind": "cooperation"}).status_code == 302
    assert [p.organisation_id for p in db.session.scalars(select(ApplicationPartner).where(
        ApplicationPartner.application_id == application.id))] == [partner.id]


def test_the_application_form_has_the_picker(client, login_as, make_application):
    application = make_application()
    login_as(application.organisation.memberships[0].user)
    page = _html(client.get(f"/calls/applications/{application.id}"))
    assert 'hx-get="/partners/pick?for=application"' in page
    assert 'id="pick-results-application"' in page and 'id="pick-choice-application"' in page


def test_practice_partner_invited_by_the_picked_unit(client, login_as, make_practice,
                                                     make_organisation, db):
    practice = make_practice(title="Yhteinen malli")
    owner = practice.organisation.memberships[0].user
    city = valid_business_id(701)
    make_organisation(name="Mallikylän kaupunki", type="municipality", business_id=city)
    unit = make_organisation(name="Mallikylän kaupunki", type="municipality", business_id=city,
                             unit_name="Työllisyyspalvelut")
    login_as(owner)
    page = _html(client.get(f"/practices/{practice.id}/partners"))
    assert 'hx-get="/partners/pick?for=practice"' in page and 'id="pick-choice-practice"' in page
    # what the picker's chosen fragment sends
    response = client.post(f"/practices/{practice.id}/partners",
                           data={"organisation": str(unit.id)})
    assert response.status_code == 302
    assert [p.organisation_id for p in db.session.scalars(select(PracticePartner).where(
        PracticePartner.practice_id == practice.id))] == [unit.id]
    assert db.session.get(Organisation, unit.id).unit_name == "Työllisyyspalvelut"


def test_the_demo_ngo_finds_the_staffing_firm_by_what_it_does(client, db):
    from app.demo.seed import seed_demo

    seed_demo(db.session)
    db.session.commit()
    page = _html(client.get("/partners?q=osatyökykyisten+työhönvalmennus&type=staffing_firm"))
    assert _names(page) == ["Valmennuspolku Henkilöstöpalvelut Oy"]
    assert "<mark>työhönvalmennus</mark>" in page.lower()
    # the demo organisations serve in several languages: the facet counts them
    page = _html(client.get("/partners?language=sv"))
    assert "Föreningen Arbetsbron i Österbotten rf" in _names(page)
    assert 'id="fc-language-fi">(0)' not in page
