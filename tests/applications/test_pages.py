"""Pages render for the people who may see them, and hide what others may not."""

import re
from datetime import timedelta

from tests.applications.test_workflow import _lead_owner
from tests.fixtures.calls import call_manager_of


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_public_call_list_tabs_and_detail(client, make_call):
    open_call = make_call(title_fi="Avoin haku")
    upcoming = make_call(phase="upcoming", title_fi="Tuleva haku")
    closed = make_call(phase="closed", title_fi="Päättynyt haku")
    draft = make_call(phase="draft", title_fi="Luonnoshaku")
    page = _html(client.get("/calls"))
    assert "Avoin haku" in page and "Tuleva haku" not in page and "Luonnoshaku" not in page
    assert "Tuleva haku" in _html(client.get("/calls?tab=upcoming"))
    assert "Päättynyt haku" in _html(client.get("/calls?tab=closed"))
    assert "Avoin haku" in _html(client.get("/calls?tab=nonsense&page=x"))
    detail = _html(client.get(f"/calls/{open_call.id}"))
    assert "Toimintamallin toteutettavuus" in detail and "40" in detail
    assert detail.count("<h1") == 1
    assert client.get(f"/calls/{draft.id}").status_code == 404
    assert client.get(f"/calls/{upcoming.id}").status_code == 200
    assert client.get(f"/calls/{closed.id}").status_code == 200
    fragment = client.get("/calls", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_call_pages_for_the_manager(client, login_as, make_call):
    call = make_call(phase="draft")
    manager = call_manager_of(call)
    login_as(manager)
    for url in (f"/calls/{call.id}", f"/calls/{call.id}/edit", f"/calls/{call.id}/criteria",
                "/calls/manage", "/calls/new"):
        _html(client.get(url))
    published = make_call(ely=call.organisation)
    for url in (f"/calls/{published.id}/applications", f"/calls/{published.id}/applications.csv"):
        assert client.get(url).status_code == 200


def test_application_pages_render(client, login_as, make_application, make_user, add_member):
    application = make_application(state="submitted")
    owner = _lead_owner(application)
    login_as(owner)
    page = _html(client.get(f"/calls/applications/{application.id}"))
    assert "Töihin yhdessä" in page
    assert "134\u00a0400,00\u00a0€" in page or "134,400.00\u00a0€" in page
    for suffix in ("print", "revisions", "compare?rev_a=1&rev_b=1", "submitted?revision=1"):
        _html(client.get(f"/calls/applications/{application.id}/{suffix}"))
    _html(client.get("/calls/applications/mine"))
    manager = call_manager_of(application.call)
    login_as(manager)
    page = _html(client.get(f"/calls/applications/{application.id}"))
    assert "Start the review" in page or "Aloita" in page


def test_draft_application_page_has_forms(client, login_as, make_application):
    application = make_application(complete=False)
    login_as(_lead_owner(application))
    page = _html(client.get(f"/calls/applications/{application.id}"))
    assert 'id="section-background"' in page and "hx-post" in page
    assert len(re.findall(r"<h1", page)) == 1
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    _html(client.get(f"/calls/applications/{application.id}/submit"))


def _unique_ids(html):
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert len(re.findall(r"<h1[ >]", html)) == 1
    # every form field has a label or an accessible name
    for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
        attrs = match.group(2)
        if 'type="hidden"' in attrs or 'type="submit"' in attrs:
            continue
        field_id = re.search(r'\sid="([^"]+)"', attrs)
        assert field_id, match.group(0)
        assert f'for="{field_id.group(1)}"' in html or "aria-label" in attrs, match.group(0)


def test_pages_have_unique_ids_labels_and_one_h1(client, login_as, make_application,
                                                 make_organisation):
    from app.applications import services as applications

    application = make_application()
    owner = _lead_owner(application)
    applications.invite_partner(owner, application, make_organisation(name="Kumppani ry"),
                                now=application.call.opens_at + timedelta(hours=1))
    from app.extensions import db

    db.session.commit()
    login_as(owner)
    for url in (f"/calls/applications/{application.id}",
                f"/calls/applications/{application.id}/print",
                f"/calls/applications/{application.id}/submit",
                f"/calls/{application.call_id}", "/calls", "/calls/applications/mine"):
        _unique_ids(_html(client.get(url)))
    login_as(call_manager_of(application.call))
    for url in (f"/calls/{application.call_id}/criteria", f"/calls/{application.call_id}/edit",
                f"/calls/{application.call_id}/applications", "/calls/new", "/calls/manage"):
        _unique_ids(_html(client.get(url)))
