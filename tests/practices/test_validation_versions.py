"""Validating a service model ("ELY-keskuksen arvioima"): only an ELY-centre's reviewers and
call managers, and the validation belongs to a version. A later version shows "validated
version N" and counts as not validated (page, search facet, API) until it is validated again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.domain import DomainError, NotAllowed
from app.organisations.models import Role
from app.practices import community, services
from app.practices import permissions as p
from app.practices.models import Practice
from app.search import store
from app.search.service import search_practices
from tests.fixtures.practices import owner_of, use_english


@pytest.fixture(autouse=True)
def search_index(app, tmp_path, monkeypatch) -> Path:
    """An index of this test's own (the database is rolled back after each test)."""
    root = tmp_path / "search-index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(root))
    yield root
    store.forget_handles()


@pytest.fixture(autouse=True)
def _english(client):
    use_english(client)


@pytest.fixture
def centre(make_user, make_organisation, add_member):
    """A verified ELY-centre with a plain member, a reviewer and a call manager."""
    ely = make_organisation(name="Etelä-Savon ELY-keskus", type="regional_authority")
    people = {}
    for key, flags in (("member", {}), ("reviewer", {"reviewer": True}),
                       ("call_manager", {"call_manager": True})):
        people[key] = make_user(name=f"ELY {key}", language="en")
        add_member(ely, people[key], Role.member, **flags)
    return ely, people


@pytest.fixture
def model(make_practice, make_organisation):
    return make_practice(organisation=make_organisation(name="Polku ry"), published=True,
                         title="Työhönvalmennus konepajoihin")


def _url(practice) -> str:
    return f"/practices/{practice.id}-{practice.slug}"


def _html(response) -> str:
    return response.get_data(as_text=True)


def _fresh(db, practice) -> Practice:
    db.session.expire_all()
    return db.session.get(Practice, practice.id)


def _publish_again(db, practice) -> None:
    owner = owner_of(db, practice.organisation)
    services.save_practice(owner, practice, {"summary": "Uusi versio, uudet tulokset."}, None)
    services.publish_practice(owner, practice, "Tulokset päivitetty")
    db.session.commit()


def _validated_facet(practice_title: str) -> dict[str, int]:
    result = search_practices("", language="en")
    assert practice_title in {hit.title for hit in result.hits}
    return {v.code: v.count for v in result.facets["validated"] if v.count}


# --- who validates ------------------------------------------------------------------------------


def test_a_plain_member_of_an_ely_centre_cannot_validate(client, login_as, centre, model, db):
    ely, people = centre
    member = people["member"]
    assert p.validating_organisations(member, model) == []
    assert not p.can_validate_practice(member, model)
    with pytest.raises(NotAllowed):
        community.validate_practice(member, ely, model, "Hyvä malli.")
    assert not _fresh(db, model).is_validated

    login_as(member)
    page = _html(client.get(_url(model)))
    assert f'action="/practices/{model.id}/validate"' not in page
    assert "Mark as validated" not in page
    response = client.post(f"/practices/{model.id}/validate",
                           data={"organisation": str(ely.id), "statement": "Hyvä malli."})
    assert response.status_code == 403
    assert not _fresh(db, model).is_validated
    assert not db.session.scalar(select(AuditLog).where(AuditLog.action == "practice.validated"))


def test_the_owner_of_an_ely_centre_without_a_review_role_cannot_validate(client, login_as,
                                                                          centre, model, db):
    ely, _people = centre
    owner = owner_of(db, ely)
    assert not p.can_validate_practice(owner, model)
    login_as(owner)
    assert "Mark as validated" not in _html(client.get(_url(model)))
    response = client.post(f"/practices/{model.id}/validate",
                           data={"organisation": str(ely.id), "statement": "Hyvä."})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "call_manager"])
def test_a_reviewer_or_call_manager_validates_the_current_version(client, login_as, centre,
                                                                  model, db, role):
    ely, people = centre
    person = people[role]
    assert p.validating_organisations(person, model) == [ely]
    assert p.can_validate_practice(person, model)
    login_as(person)
    page = _html(client.get(_url(model)))
    assert f'action="/practices/{model.id}/validate"' in page
    response = client.post(f"/practices/{model.id}/validate",
                           data={"organisation": str(ely.id), "statement": "Toimiva malli."})
    assert response.status_code == 302
    model = _fresh(db, model)
    assert model.validated_version == 1 == model.version_count
    assert model.validated_current_version and not model.validation_outdated
    assert model.validated_by_id == person.id
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "practice.validated"))
    assert entry.details["version"] == 1
    # Validated once: no second validation of the same version.
    assert not p.can_validate_practice(person, model)
    with pytest.raises(DomainError, match="already been validated"):
        community.validate_practice(person, ely, model, "Uudestaan.")


def test_a_plain_member_cannot_withdraw_but_the_validators_can(centre, model, db):
    ely, people = centre
    community.validate_practice(people["reviewer"], ely, model, "Toimiva malli.")
    db.session.commit()
    assert not p.can_withdraw_validation(people["member"], model)
    with pytest.raises(NotAllowed):
        community.withdraw_validation(people["member"], model, "")
    assert p.can_withdraw_validation(people["call_manager"], model)
    community.withdraw_validation(people["call_manager"], model, "Vanhentunut")
    assert not model.is_validated and model.validated_version is None


# --- a later version ----------------------------------------------------------------------------


def test_a_later_version_shows_the_validated_version_until_validated_again(
        client, app, login_as, centre, model, db, get_json_api):
    ely, people = centre
    community.validate_practice(people["reviewer"], ely, model, "Toimiva malli.")
    db.session.commit()
    title = "Työhönvalmennus konepajoihin"
    assert _validated_facet(title) == {"yes": 1}
    assert get_json_api(f"/api/v1/practices/{model.id}")["validated"] is True
    assert [i["validated"] for i in get_json_api("/api/v1/practices?validated=yes")["items"]] \
        == [True]

    _publish_again(db, model)
    model = _fresh(db, model)
    assert model.version_count == 2 and model.validated_version == 1
    assert model.is_validated and not model.validated_current_version
    assert model.validation_outdated

    # The public page: "validated version 1 by ...", not the badge of a validated model.
    public = _html(use_english(app.test_client()).get(_url(model)))
    assert "Validated version 1 by Etelä-Savon ELY-keskus" in public
    assert "Etelä-Savon ELY-keskus validated version 1 of this service model on" in public
    assert "The current version 2 has not been validated." in public
    assert "Assessed by" not in public
    assert "Toimiva malli." in public  # the statement on version 1 is still shown
    # Search and its facet, and the API, no longer count it as validated.
    assert _validated_facet(title) == {"no": 1}
    assert search_practices("", language="en", facets={"validated": ["yes"]}).total == 0
    assert get_json_api("/api/v1/practices?validated=yes")["total"] == 0
    [item] = get_json_api("/api/v1/practices")["items"]
    assert item["validated"] is False
    detail = get_json_api(f"/api/v1/practices/{model.id}")
    assert detail["validated"] is False and detail["version"] == 2
    assert detail["validation"]["version"] == 1
    # The list of models shows no badge either.
    assert "Assessed by" not in _html(app.test_client().get("/practices"))

    # A reviewer may validate the current version; the form says why.
    assert p.can_validate_practice(people["reviewer"], model)
    assert p.can_validate_practice(people["call_manager"], model)
    assert not p.can_validate_practice(people["member"], model)
    login_as(people["call_manager"])
    page = _html(client.get(_url(model)))
    assert "Validate the current version" in page
    assert f'action="/practices/{model.id}/validate"' in page
    response = client.post(f"/practices/{model.id}/validate",
                           data={"organisation": str(ely.id), "statement": "Versio 2 arvioitu."})
    assert response.status_code == 302

    model = _fresh(db, model)
    assert model.validated_version == 2 and model.validated_current_version
    assert model.validated_by_id == people["call_manager"].id
    public = _html(use_english(app.test_client()).get(_url(model)))
    assert "Assessed by Etelä-Savon ELY-keskus" in public
    assert "Etelä-Savon ELY-keskus validated this service model on" in public
    assert "The validation is of version 2, the current one." in public
    assert "Validated version 1" not in public
    assert "Versio 2 arvioitu." in public
    assert _validated_facet(title) == {"yes": 1}
    assert get_json_api(f"/api/v1/practices/{model.id}")["validated"] is True
    assert get_json_api("/api/v1/practices?validated=yes")["total"] == 1
    details = [e.details for e in db.session.scalars(
        select(AuditLog).where(AuditLog.action == "practice.validated").order_by(AuditLog.id))]
    assert [(d["version"], d.get("previous_version")) for d in details] == [(1, None), (2, 1)]
    assert not p.can_validate_practice(people["reviewer"], model)


def test_an_outdated_validation_can_still_be_withdrawn(centre, model, db):
    ely, people = centre
    community.validate_practice(people["reviewer"], ely, model, "Toimiva malli.")
    _publish_again(db, model)
    assert p.can_withdraw_validation(people["reviewer"], model)
    community.withdraw_validation(people["reviewer"], model, "")
    assert not model.is_validated and not model.validation_outdated


def test_unpublished_changes_do_not_outdate_the_validation(centre, model, db):
    """Only a published version counts: editing the working copy changes nothing readers see."""
    ely, people = centre
    community.validate_practice(people["reviewer"], ely, model, "Toimiva malli.")
    owner = owner_of(db, model.organisation)
    services.save_practice(owner, model, {"summary": "Keskeneräinen muutos."}, None)
    db.session.commit()
    assert model.has_unpublished_changes and model.validated_current_version


@pytest.fixture
def get_json_api(client):
    def _get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_json()

    return _get
