"""The admin pages of the search thesaurus: list, add, edit, delete, for administrators only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.search import expansion, thesaurus
from app.search.thesaurus import ConceptInput, SearchConcept


@pytest.fixture(autouse=True)
def fresh_map():
    expansion.forget()
    yield
    expansion.forget()


@pytest.fixture
def concept(db, admin):
    made = thesaurus.create_concept(admin, ConceptInput(
        {"fi": ["palkkatuki"], "sv": ["lönesubvention"], "en": ["pay subsidy", "wage subsidy"]},
        source="TE-palvelut"))
    db.session.commit()
    return made


def form(**values):
    data = {"fi": "", "sv": "", "en": "", "source": "", "note": ""}
    data.update(values)
    return data


def error_of(html: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


def test_only_administrators_see_the_pages(client, login_as, make_user, concept):
    urls = ["/admin/thesaurus", "/admin/thesaurus/new", f"/admin/thesaurus/{concept.id}",
            f"/admin/thesaurus/{concept.id}/delete"]
    for url in urls:
        assert client.get(url).status_code == 302  # to the log-in page
    login_as(make_user(email="someone@example.fi"))
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(f"/admin/thesaurus/{concept.id}/delete",
                           data={"lock_version": str(concept.lock_version)})
    assert response.status_code == 403
    assert concept.deleted_at is None


def test_the_list_searches_sorts_pages_and_says_when_empty(client, login_as, admin, db):
    login_as(admin)
    empty = client.get("/admin/thesaurus").get_data(as_text=True)
    assert "The thesaurus is empty" in empty and "<table" not in empty
    for i in range(30):
        thesaurus.create_concept(admin, ConceptInput(
            {"fi": [f"termi{i:02d}"], "en": [f"term{i:02d}"]}, source=f"Lähde {i % 3}"))
    db.session.commit()
    first = client.get("/admin/thesaurus").get_data(as_text=True)
    assert "30 concept sets." in first
    assert first.count('<tr id="concept-') == 25 and "term00" in first and "term29" not in first
    second = client.get("/admin/thesaurus?page=2").get_data(as_text=True)
    assert second.count('<tr id="concept-') == 5 and "term29" in second
    newest = client.get("/admin/thesaurus?sort=updated").get_data(as_text=True)
    assert newest.index("term29") < newest.index("term28")
    found = client.get("/admin/thesaurus?q=TERMI07").get_data(as_text=True)
    assert "1 concept set of 30 matches." in found
    assert found.count('<tr id="concept-') == 1 and "termi07" in found
    nothing = client.get("/admin/thesaurus?q=100%25_").get_data(as_text=True)
    assert "No concept set matches" in nothing and "<table" not in nothing


def test_adding_a_set_is_audited_and_searched_at_once(client, login_as, admin, db):
    login_as(admin)
    assert client.get("/admin/thesaurus/new").status_code == 200
    response = client.post("/admin/thesaurus/new", data=form(
        fi="työhönvalmennus", sv="jobbcoachning", en="job coaching\nsupported employment coaching",
        source="TE-palvelut / Työmarkkinatori"))
    assert response.status_code == 302
    made = db.session.scalar(select(SearchConcept).where(SearchConcept.slug == "job-coaching"))
    assert made.terms("en") == ["job coaching", "supported employment coaching"]
    assert made.updated_by_id == admin.id
    entry = db.session.scalar(select(AuditLog).where(
        AuditLog.action == "thesaurus.concept_created"))
    assert entry.actor_id == admin.id and entry.object_id == made.id
    assert expansion.current().lookup(["jobbcoachningen"])  # in the map without a restart


def test_validation_messages_are_tied_to_their_fields(client, login_as, admin, concept, db):
    login_as(admin)
    one_language = client.post("/admin/thesaurus/new", data=form(fi="työkokeilu"))
    assert one_language.status_code == 422
    html = one_language.get_data(as_text=True)
    assert "Give at least one term in two languages." in error_of(html, "sv")
    assert 'aria-invalid="true"' in html
    taken = client.post("/admin/thesaurus/new", data=form(fi="työkokeilu", sv="Lönesubventionen"))
    assert taken.status_code == 422
    message = error_of(taken.get_data(as_text=True), "sv")
    assert "“Lönesubventionen” is already a term of the concept set “palkkatuki”." in message
    assert error_of(taken.get_data(as_text=True), "fi") == ""
    assert db.session.scalar(select(SearchConcept).where(
        SearchConcept.terms_fi == "työkokeilu")) is None
    assert db.session.scalar(select(AuditLog).where(
        AuditLog.action == "thesaurus.concept_created", AuditLog.object_id != concept.id)) is None


def test_a_stale_edit_is_refused_with_409(client, login_as, admin, concept, db):
    login_as(admin)
    page = client.get(f"/admin/thesaurus/{concept.id}").get_data(as_text=True)
    assert "wage subsidy" in page
    seen = re.search(r'name="lock_version" type="hidden" value="(\d+)"', page) or re.search(
        r'name="lock_version" value="(\d+)"', page)
    version = seen.group(1) if seen else str(concept.lock_version)
    ok = client.post(f"/admin/thesaurus/{concept.id}", data=form(
        fi="palkkatuki", sv="lönesubvention", en="pay subsidy", lock_version=version))
    assert ok.status_code == 302
    assert concept.terms("en") == ["pay subsidy"]
    stale = client.post(f"/admin/thesaurus/{concept.id}", data=form(
        fi="palkkatuki", sv="lönesubvention", en="wage subsidy", lock_version=version))
    assert stale.status_code == 409
    assert "Someone else changed this concept set" in stale.get_data(as_text=True)
    assert concept.terms("en") == ["pay subsidy"]  # the first save stands
    updates = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "thesaurus.concept_updated")).all()
    assert len(updates) == 1


def test_deleting_asks_first_and_is_audited(client, login_as, admin, concept, db):
    login_as(admin)
    page = client.get(f"/admin/thesaurus/{concept.id}/delete")
    assert page.status_code == 200 and concept.deleted_at is None
    assert "Delete the concept set palkkatuki?" in page.get_data(as_text=True)
    assert client.post(f"/admin/thesaurus/{concept.id}/delete", data={}).status_code == 400
    assert concept.deleted_at is None  # no confirmation form, no deletion
    response = client.post(f"/admin/thesaurus/{concept.id}/delete",
                           data={"lock_version": str(concept.lock_version)})
    assert response.status_code == 302
    assert concept.deleted_at is not None
    assert client.get(f"/admin/thesaurus/{concept.id}").status_code == 404
    assert not expansion.current().lookup(["palkkatuki"])
    assert db.session.scalar(select(AuditLog).where(
        AuditLog.action == "thesaurus.concept_deleted")).object_id == concept.id
