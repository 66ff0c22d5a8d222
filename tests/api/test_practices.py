"""/api/v1/practices: the search as JSON, and one published model's detail."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.practices import community, services
from tests.fixtures.practices import assert_markup_harmless, owner_of


@pytest.fixture
def models(db, make_practice, make_organisation):
    organisation = make_organisation(name="Polku Työhön ry")
    young = make_practice(organisation=organisation, title="Työhönvalmennus nuorille",
                          regions=["MK01"], target_groups=["youth"], published=True,
                          summary="Nuoret **töihin** valmentajan tuella.")
    immigrants = make_practice(organisation=organisation,
                               title="Työhönvalmennus maahanmuuttajille", regions=["MK08"],
                               target_groups=["immigrants"], published=True)
    draft = make_practice(title="Luonnos työhönvalmennuksesta", published=False)
    archived = make_practice(title="Arkistoitu työhönvalmennus", published=True)
    services.archive_practice(owner_of(db, archived.organisation), archived)
    db.session.commit()
    return {"young": young, "immigrants": immigrants, "draft": draft, "archived": archived}


def test_results_list_the_public_fields(get_json, models, db):
    young = models["young"]
    young.external_id = "tyopaja-42"
    db.session.commit()
    body = get_json("/api/v1/practices?q=nuorille")
    assert body["total"] == 1
    [item] = body["items"]
    assert item["id"] == young.id
    assert item["external_id"] == "tyopaja-42"
    assert item["title"] == "Työhönvalmennus nuorille"
    assert item["summary"] == "Nuoret **töihin** valmentajan tuella."
    assert item["language"] == "fi"
    assert item["organisation"]["name"] == "Polku Työhön ry"
    assert item["organisation"]["id"] == young.organisation_id
    assert item["regions"] == ["MK01"] and item["target_groups"] == ["youth"]
    assert item["work_forms"] == ["salaried"]
    assert item["stage"] == "in_use" and item["evidence"] == "monitoring_data"
    assert item["validated"] is False and item["adoption_count"] == 0
    assert item["published_at"].endswith("Z")
    assert item["url"] == f"http://localhost/practices/{young.id}-{young.slug}"
    assert "<mark>" in item["excerpt_html"] or item["excerpt_html"] == ""


def test_a_model_without_an_import_id_says_null(get_json, models):
    body = get_json("/api/v1/practices?q=maahanmuuttajille")
    assert body["items"][0]["external_id"] is None


def test_drafts_and_archived_models_never_appear(get_json, models):
    body = get_json("/api/v1/practices?per_page=100")
    titles = {item["title"] for item in body["items"]}
    assert titles == {"Työhönvalmennus nuorille", "Työhönvalmennus maahanmuuttajille"}
    assert body["total"] == 2
    for name in ("draft", "archived"):
        get_json(f"/api/v1/practices/{models[name].id}", status=404)


def test_facets_filter_and_count(get_json, models):
    body = get_json("/api/v1/practices?regions=MK08")
    assert [item["title"] for item in body["items"]] == ["Työhönvalmennus maahanmuuttajille"]
    regions = {v["code"]: v for v in body["facets"]["regions"]}
    # A facet's own counts ignore its own selection (so one can widen it).
    assert regions["MK01"]["count"] == 1 and regions["MK08"]["count"] == 1
    assert regions["MK08"]["selected"] is True and regions["MK01"]["selected"] is False
    groups = {v["code"]: v["count"] for v in body["facets"]["target_groups"]}
    assert groups["immigrants"] == 1 and groups["youth"] == 0
    assert set(body["facets"]) == {"target_groups", "work_forms", "regions", "stage",
                                   "evidence", "org_type", "language", "validated"}
    # Several values of one facet: any of them.
    body = get_json("/api/v1/practices?regions=MK08&regions=MK01")
    assert body["total"] == 2
    body = get_json("/api/v1/practices?validated=yes")
    assert body["total"] == 0


def test_facet_labels_follow_lang(get_json, models):
    body = get_json("/api/v1/practices?lang=sv")
    labels = {v["code"]: v["label"] for v in body["facets"]["validated"]}
    assert labels["yes"] == "Validerad"


def test_pagination_links_keep_the_query(get_json, make_practice, make_organisation):
    organisation = make_organisation()
    for n in range(5):
        make_practice(organisation=organisation, title=f"Valmennusmalli {n}",
                      regions=["MK01"], published=True)
    body = get_json("/api/v1/practices?q=valmennusmalli&regions=MK01&per_page=2&page=2")
    assert body["total"] == 5 and body["pages"] == 3
    assert body["page"] == 2 and body["per_page"] == 2 and len(body["items"]) == 2
    links = body["links"]
    for name in ("self", "first", "last", "prev", "next"):
        assert links[name].startswith("http://localhost/api/v1/practices?")
        query = parse_qs(urlsplit(links[name]).query)
        assert query["q"] == ["valmennusmalli"] and query["regions"] == ["MK01"]
        assert query["per_page"] == ["2"]
    assert parse_qs(urlsplit(links["next"]).query)["page"] == ["3"]
    assert parse_qs(urlsplit(links["prev"]).query)["page"] == ["1"]
    assert parse_qs(urlsplit(links["last"]).query)["page"] == ["3"]
    last = get_json(links["last"])
    assert last["links"]["next"] is None and len(last["items"]) == 1
    first = get_json(links["first"])
    assert first["links"]["prev"] is None
    seen = {i["id"] for page in (first, body, last) for i in page["items"]}
    assert len(seen) == 5


def test_per_page_is_clamped_to_100(get_json, models):
    body = get_json("/api/v1/practices?per_page=1000")
    assert body["per_page"] == 100
    assert "per_page=100" in body["links"]["self"]


@pytest.mark.parametrize("query,parameter", [
    ("page=abc", "page"), ("page=0", "page"), ("page=-1", "page"), ("per_page=x", "per_page"),
    ("per_page=0", "per_page"), ("regions=nowhere", "regions"), ("sort=evil", "sort"),
    ("validated=maybe", "validated"), ("lang=de", "lang"), ("q=" + "x" * 100_000, "q"),
    ("page=%EF%BC%92", "page"),  # a full-width digit
])
def test_bad_parameters_answer_400_json(get_json, models, query, parameter):
    body = get_json("/api/v1/practices?" + query, status=400)
    assert body["error"]["code"] == "invalid_parameter"
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"]


@pytest.mark.parametrize("query", [
    "q=%00", "regions=MK01%00", "q%00=1", "q=<script>alert(1)</script>", "q=%22",
    "q=" + "ä" * 400, "q=AND OR NOT ((", "q=*", "page=99999",
    "unknown=1", "q=%F0%9F%98%80", "sort=newest&sort=adopted",
])
def test_hostile_parameters_never_500(client, models, query):
    response = client.get("/api/v1/practices?" + query)
    assert response.status_code in (200, 400), (query, response.status_code)
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 400:
        assert set(body["error"]) >= {"code", "message"}
    # Echoed text stays inside JSON strings, which browsers never render as a page.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nul_bytes_get_a_json_400(get_json, models):
    body = get_json("/api/v1/practices?q=a%00b", status=400)
    assert body["error"]["code"] == "bad_request"
    assert "NUL" in body["error"]["message"]


def test_detail_of_a_published_model(get_json, models, db, make_organisation, make_user,
                                     add_member):
    practice = models["young"]
    owner = owner_of(db, practice.organisation)
    partner = make_organisation(name="Kumppani ry")
    declined = make_organisation(name="Kieltäytyjä ry")
    accepted = community.invite_partner(owner, practice, partner)
    refused = community.invite_partner(owner, practice, declined)
    community.respond_to_partnership(owner_of(db, partner), accepted, True)
    community.respond_to_partnership(owner_of(db, declined), refused, False)
    adopter = make_organisation(name="Käyttäjä ry")
    community.record_adoption(owner_of(db, adopter), adopter, practice, regions=["MK01"],
                              since=None, note="")
    ely = make_organisation(name="Testin ELY-keskus", type="regional_authority")
    validator = make_user()
    add_member(ely, validator, "member", reviewer=True)
    community.validate_practice(validator, ely, practice, "Toimii hyvin.")
    db.session.commit()

    body = get_json(f"/api/v1/practices/{practice.id}")
    assert body["id"] == practice.id and body["title"] == "Työhönvalmennus nuorille"
    assert body["summary"] == "Nuoret **töihin** valmentajan tuella."
    problem = body["sections"]["problem"]
    assert problem["markdown"] == "Osatyökykyiset jäävät usein **työmarkkinoiden** ulkopuolelle."
    assert "<strong>työmarkkinoiden</strong>" in problem["html"]
    assert set(body["sections"]) == {"problem", "method", "employer_cooperation", "results",
                                     "adoption"}
    assert body["organisation"]["name"] == "Polku Työhön ry"
    assert [p["name"] for p in body["partners"]] == ["Kumppani ry"]
    assert body["adoption_count"] == 1
    [adoption] = body["adoptions"]
    assert adoption["organisation"]["name"] == "Käyttäjä ry"
    assert adoption["regions"] == ["MK01"] and adoption["since"] is None
    assert body["validated"] is True
    validation = body["validation"]
    assert validation["organisation"] == {"id": ely.id, "name": "Testin ELY-keskus"}
    assert validation["validated_at"].endswith("Z")
    assert validation["statement"] == "Toimii hyvin."
    assert validation["version"] == 1
    assert body["version"] == 1 and body["versions_count"] == 1
    assert body["tags"] == ["työhönvalmennus", "IPS"]
    assert body["url"] == f"http://localhost/practices/{practice.id}-{practice.slug}"
    assert body["external_id"] is None
    text = str(body)
    # The validator and the contact person are people: not in the public API.
    for user in (owner, validator):
        assert user.email not in text and user.name not in text


def test_detail_shows_the_published_version_not_the_working_copy(get_json, models, db):
    practice = models["young"]
    practice.title = "Keskeneräinen uusi otsikko"
    practice.summary = "Salainen luonnos."
    practice.has_unpublished_changes = True
    db.session.commit()
    body = get_json(f"/api/v1/practices/{practice.id}")
    assert body["title"] == "Työhönvalmennus nuorille"
    assert "Salainen" not in str(body)


def test_detail_sanitises_html(get_json, make_practice):
    practice = make_practice(published=True, problem="<script>alert(1)</script> "
                             "[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    body = get_json(f"/api/v1/practices/{practice.id}")
    html = body["sections"]["problem"]["html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert_markup_harmless(html)
    assert body["sections"]["problem"]["markdown"].startswith("<script>")  # the source, as written


def test_unknown_ids_answer_404_json(get_json):
    body = get_json("/api/v1/practices/999999", status=404)
    assert body["error"]["code"] == "not_found"
    get_json("/api/v1/practices/99999999999999999999999", status=404)
