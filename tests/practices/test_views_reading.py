"""Reading service models: permalinks, visibility, the model page, lists, query counts."""

import flask
import pytest
from flask import render_template_string

from app.organisations.models import Role
from app.practices import community, services
from tests.fixtures.practices import form_data, owner_of, use_english


@pytest.fixture(autouse=True)
def _english(client):
    use_english(client)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _url(practice) -> str:
    return f"/practices/{practice.id}-{practice.slug}"


# --- permalinks ---------------------------------------------------------------------------------


def test_permalinks_and_slug_redirects(client, login_as, make_practice, db):
    practice = make_practice(published=True, title="Työkokeilu Äänekoskella")
    assert practice.slug == "tyokokeilu-aanekoskella"
    canonical = f"/practices/{practice.id}-tyokokeilu-aanekoskella"
    assert client.get(canonical).status_code == 200
    for old in (f"/practices/{practice.id}", f"/practices/{practice.id}-vanha-nimi"):
        response = client.get(old)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(canonical)
    assert client.get("/practices/999999-x").status_code == 404
    assert client.get("/practices/999999").status_code == 404

    # A new title changes the slug when it is published; the old address still leads there.
    owner = owner_of(db, practice.organisation)
    login_as(owner)
    client.post(f"/practices/{practice.id}/edit",
                data=form_data(practice, title="Työkokeilu Jyväskylässä"))
    assert client.get(canonical).status_code == 200  # not published yet: the slug stays
    client.post(f"/practices/{practice.id}/publish", data={"change_note": "Uusi nimi"})
    response = client.get(canonical)
    assert response.status_code == 301
    new = f"/practices/{practice.id}-tyokokeilu-jyvaskylassa"
    assert response.headers["Location"].endswith(new)
    assert "Työkokeilu Jyväskylässä" in _html(client.get(response.headers["Location"]))


# --- who sees what ------------------------------------------------------------------------------


def test_drafts_are_visible_only_to_their_organisation(client, app, login_as, make_user,
                                                       make_organisation, add_member,
                                                       make_practice, db):
    practice = make_practice()
    urls = [_url(practice), f"/practices/{practice.id}/versions", f"/practices/{practice.id}/diff",
            f"/practices/{practice.id}/partners"]
    for url in urls[:3]:
        assert client.get(url).status_code == 404, url
    stranger = make_user(language="en")
    add_member(make_organisation(), stranger, Role.owner)
    login_as(stranger)
    for url in [*urls, f"/practices/{practice.id}/edit", f"/practices/{practice.id}/publish"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/practices/{practice.id}/autosave", data={}).status_code == 404

    member = make_user(language="en")
    add_member(practice.organisation, member, Role.member)
    reader = use_english(app.test_client())
    login_as(member, reader)
    page = _html(reader.get(_url(practice)))
    assert "This is a draft. Only members of" in page
    assert f'href="/practices/{practice.id}/edit"' not in page  # a plain member does not edit
    assert reader.get(f"/practices/{practice.id}/edit").status_code == 403

    editor = make_user(language="en")
    add_member(practice.organisation, editor, Role.editor)
    writer = use_english(app.test_client())
    login_as(editor, writer)
    assert f'href="/practices/{practice.id}/edit"' in _html(writer.get(_url(practice)))


def test_archived_models_are_not_public(client, make_practice, db):
    practice = make_practice(published=True, title="Arkistoitava malli")
    assert "Arkistoitava malli" in _html(client.get("/practices"))
    services.archive_practice(owner_of(db, practice.organisation), practice)
    db.session.commit()
    assert client.get(_url(practice)).status_code == 404
    assert client.get(f"/practices/{practice.id}/versions/1").status_code == 404
    assert "Arkistoitava malli" not in _html(client.get("/practices"))


def test_edit_link_is_not_rendered_for_non_editors(client, app, login_as, make_user,
                                                   make_organisation, add_member, make_practice):
    practice = make_practice(published=True)
    edit = f'href="/practices/{practice.id}/edit"'
    assert edit not in _html(client.get(_url(practice)))
    other = make_user(language="en")
    add_member(make_organisation(), other, Role.editor)
    login_as(other)
    page = _html(client.get(_url(practice)))
    assert edit not in page and "Archive" not in page
    assert client.get(f"/practices/{practice.id}/edit").status_code == 403
    admin = make_user(language="en", admin=True)
    reader = use_english(app.test_client())
    login_as(admin, reader)
    assert edit not in _html(reader.get(_url(practice)))


# --- the model page -------------------------------------------------------------------------------


def test_model_page_shows_the_published_version(client, app, login_as, make_user, make_organisation,
                                                add_member, make_practice, db):
    organisation = make_organisation(name="Kipinä ry")
    contact = make_user(name="Kaisa Kontakti", email="kaisa@kipina.example.fi")
    add_member(organisation, contact, Role.editor)
    practice = make_practice(organisation=organisation, author=contact, published=True,
                             language="sv", title="Arbetsträning", method="Steg **ett**.")
    partner = make_organisation(name="Kumppani Oy")
    invited = make_organisation(name="Kutsuttu ry")
    p1 = community.invite_partner(contact, practice, partner)
    community.invite_partner(contact, practice, invited)
    community.respond_to_partnership(owner_of(db, partner), p1, True)
    # A later unpublished edit is not what readers see.
    services.save_practice(contact, practice, {"method": "Luonnos."}, None)
    db.session.commit()

    page = _html(client.get(_url(practice)))
    assert page.count("<h1") == 1
    assert '<article id="practice-content" class="practice-content" lang="sv">' in page
    assert "<h1>Arbetsträning</h1>" in page
    assert "Steg <strong>ett</strong>." in page and "Luonnos." not in page
    assert '<ul class="chips" aria-label="Target groups">' in page
    assert '<li class="chip">Partially able to work</li>' in page
    assert '<li class="chip">South Savo</li>' in page
    assert '<li class="chip">työhönvalmennus</li>' in page
    assert "In use" in page and "Monitoring data" in page
    assert f'<a href="/organisations/{organisation.id}">Kipinä ry</a>' in page
    assert f'<a href="/organisations/{partner.id}">Kumppani Oy</a>' in page
    assert "Kutsuttu ry" not in page  # not accepted
    assert "Kaisa Kontakti" in page
    assert "kaisa@kipina.example.fi" not in page  # e-mail only for signed-in users
    assert "0 organisations" in page
    assert f'href="/practices/{practice.id}/versions"' in page
    assert "The working copy has changes" not in page  # that notice is for members

    login_as(make_user(language="en"))
    page = _html(client.get(_url(practice)))
    assert 'href="mailto:kaisa@kipina.example.fi"' in page


def test_print_stylesheet_is_linked(client, make_practice):
    practice = make_practice(published=True)
    page = _html(client.get(_url(practice)))
    assert 'href="/static/css/print.css" media="print"' in page


# --- the public list ------------------------------------------------------------------------------


def test_list_shows_published_models_with_filters_and_sorting(client, make_organisation,
                                                               make_practice, db):
    assert "No service models have been published yet." in _html(client.get("/practices"))
    organisation = make_organisation()
    make_practice(organisation=organisation, published=True, title="Alfa", target_groups=["youth"],
                  regions=["MK01"], language="fi")
    beta = make_practice(organisation=organisation, published=True, title="Beeta",
                         target_groups=["over_50"], regions=["MK10"], language="sv")
    make_practice(organisation=organisation, title="Luonnos")
    adopter = make_organisation()
    community.record_adoption(owner_of(db, adopter), adopter, beta, regions=[], since=None, note="")
    db.session.commit()

    page = _html(client.get("/practices"))
    assert page.count("<h1") == 1
    assert "Alfa" in page and "Beeta" in page and "Luonnos" not in page
    assert "2 service models" in page
    assert '<legend>Target group' in page

    page = _html(client.get("/practices?target_group=youth"))
    assert "Alfa" in page and "Beeta" not in page
    page = _html(client.get("/practices?region=MK10"))
    assert "Beeta" in page and "Alfa" not in page
    page = _html(client.get("/practices?language=sv"))
    assert "Beeta" in page and "Alfa" not in page
    page = _html(client.get("/practices?target_group=facing_redundancy"))
    assert "No service models match the filters." in page

    page = _html(client.get("/practices?sort=title"))
    assert page.index(">Alfa<") < page.index(">Beeta<")
    page = _html(client.get("/practices?sort=adopted"))
    assert page.index(">Beeta<") < page.index(">Alfa<")
    # Junk in the query string is ignored, never an error.
    assert client.get("/practices?sort=%00").status_code == 400  # NUL bytes are refused
    for junk in ("page=abc", "target_group=<script>", "region=MK01%27--",
                 "organisation=x", "page=99"):
        assert client.get(f"/practices?{junk}").status_code == 200, junk

    fragment = _html(client.get("/practices?sort=title", headers={"HX-Request": "true"}))
    assert "<html" not in fragment and "Alfa" in fragment
    assert 'id="practice-count" hx-swap-oob="innerHTML"' in fragment


def test_list_is_paginated(client, make_organisation, make_practice):
    organisation = make_organisation()
    for n in range(22):
        make_practice(organisation=organisation, published=True, title=f"Malli {n:02d}")
    first = _html(client.get("/practices?sort=title"))
    assert "Malli 19" in first and "Malli 20" not in first
    assert 'rel="next"' in first
    second = _html(client.get("/practices?sort=title&page=2"))
    assert "Malli 20" in second and "Malli 21" in second and "Malli 00" not in second


# --- bounded queries ----------------------------------------------------------------------------


def _count(client, count_queries, url) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_list_runs_the_same_queries_for_3_and_15_models(client, make_organisation, make_practice,
                                                        count_queries):
    few = make_organisation()
    for _ in range(3):
        make_practice(organisation=few, published=True)
    small = _count(client, count_queries, "/practices")
    for _ in range(12):
        make_practice(published=True)  # each in its own organisation
    assert _count(client, count_queries, "/practices") == small


def test_model_page_runs_the_same_queries_for_3_and_15_adoptions(
        client, login_as, make_user, make_organisation, make_practice, count_queries, db):
    practice = make_practice(published=True)

    def adopt(n):
        for _ in range(n):
            adopter = make_organisation()
            community.record_adoption(owner_of(db, adopter), adopter, practice, regions=["MK01"],
                                      since=None, note="Käytössä.")
            partner = make_organisation()
            community.invite_partner(owner_of(db, practice.organisation), practice, partner)
        db.session.commit()

    adopt(3)
    login_as(make_user(language="en"))
    small = _count(client, count_queries, _url(practice))
    adopt(12)
    page = _html(client.get(_url(practice)))
    assert "15 organisations have recorded that they use this service model." in page
    assert _count(client, count_queries, _url(practice)) == small
    assert small < 25


# --- the organisation's list partial -----------------------------------------------------------


def _render_org_list(app, organisation, user=None) -> str:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        if user is not None:
            flask.g._login_user = user
        return render_template_string(
            '{% include "practices/_org_practices.html" %}', organisation=organisation)


def test_organisation_list_partial(app, make_user, make_organisation, add_member, make_practice,
                                   db):
    organisation = make_organisation(name="Kipinä ry")
    published = make_practice(organisation=organisation, published=True, title="Julkaistu malli")
    draft = make_practice(organisation=organisation, title="Keskeneräinen malli")

    public = _render_org_list(app, organisation)
    assert "Julkaistu malli" in public and "Keskeneräinen malli" not in public
    assert f'href="/practices/{published.id}-{published.slug}"' in public
    assert "/edit" not in public and "badge-draft" not in public
    assert "<h2 id=\"org-practices-" in public

    owner = owner_of(db, organisation)
    mine = _render_org_list(app, organisation, owner)
    assert "Keskeneräinen malli" in mine
    assert '<span class="badge badge-draft">Draft</span>' in mine
    assert f'href="/practices/{draft.id}/edit"' in mine
    assert f'href="/practices/new?org={organisation.id}"' in mine

    member = make_user()
    add_member(organisation, member, Role.member)
    seen = _render_org_list(app, organisation, member)
    assert "Keskeneräinen malli" in seen and "/edit" not in seen

    empty = make_organisation()
    assert "No published service models yet." in _render_org_list(app, empty)


def test_organisation_list_partial_is_paginated(app, make_organisation, make_practice):
    organisation = make_organisation()
    for n in range(12):
        make_practice(organisation=organisation, published=True, title=f"Malli {n:02d}")
    html = _render_org_list(app, organisation)
    assert html.count('">Malli ') == 10
    assert f"practices_page_{organisation.id}=2" in html
