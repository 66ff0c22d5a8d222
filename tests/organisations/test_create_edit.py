"""Registering an organisation and editing its profile."""

import re

import pytest
from sqlalchemy import select

from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
from tests.fixtures.organisations import organisation_form_data


def _html(response) -> str:
    return response.get_data(as_text=True)


def _org_by_business_id(db, value):
    return db.session.scalar(select(Organisation).where(Organisation.business_id == value))


def test_create_form_renders_with_codelist_labels(client, login_as, make_user):
    login_as(make_user())
    page = _html(client.get("/organisations/new"))
    assert "<h1>Register an organisation</h1>" in page
    assert 'name="business_id"' in page
    assert "South Savo" in page  # labels from the code lists in the reader's language
    assert "Partially able to work" in page
    assert '<legend>Regions where you work' in page
    assert page.count("<h1") == 1
    # No checkbox of a group is `required` on its own.
    assert not re.search(r'<input[^>]*required[^>]*type="checkbox"', page)


@pytest.mark.parametrize(("language", "region", "group"), [
    ("fi", "Etelä-Savo", "Osatyökykyiset"),
    ("sv", "Södra Savolax", "Personer med partiell arbetsförmåga"),
])
def test_codelist_labels_follow_the_users_language(client, login_as, make_user, language, region,
                                                   group):
    login_as(make_user(language=language))
    page = _html(client.get("/organisations/new"))
    assert f'lang="{language}"' in page
    assert region in page and group in page


def test_create_organisation(client, login_as, make_user, db, audit_actions):
    user = login_as(make_user())
    response = client.post("/organisations/new", data=organisation_form_data())
    assert response.status_code == 302
    organisation = _org_by_business_id(db, "0737546-2")
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    assert organisation.name == "Työpaja Kipinä ry"
    assert organisation.status == OrganisationStatus.unverified
    assert organisation.regions == ["MK10", "MK11"]
    assert organisation.target_groups == ["partially_able_to_work", "youth"]
    assert organisation.contact_email == "info@kipina.example.fi"
    membership = db.session.scalar(
        select(Membership).where(Membership.organisation_id == organisation.id))
    assert membership.user_id == user.id and membership.role == Role.owner
    assert "organisation.created" in audit_actions(organisation)
    page = _html(client.get(response.headers["Location"]))
    assert "An administrator will verify it" in page
    assert "Awaiting verification" in page


def test_invalid_business_id_is_shown_on_its_field(client, login_as, make_user, db):
    login_as(make_user())
    response = client.post("/organisations/new",
                           data=organisation_form_data(business_id="0737546-3"))
    assert response.status_code == 422
    page = _html(response)
    assert '<p class="error" id="business_id-error">This is not a valid Business ID.' in page
    assert 'aria-describedby="business_id-hint business_id-error"' in page
    assert _org_by_business_id(db, "0737546-3") is None
    # What was typed stays in the form.
    assert 'value="Työpaja Kipinä ry"' in page


def test_duplicate_business_id_is_refused(client, login_as, make_user, make_organisation, db):
    make_organisation(business_id="1572860-0")
    login_as(make_user())
    response = client.post("/organisations/new",
                           data=organisation_form_data(business_id="1572860-0"))
    assert response.status_code == 422
    assert "already registered" in _html(response)
    assert len(list(db.session.scalars(
        select(Organisation).where(Organisation.business_id == "1572860-0")))) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "javascript:alert(1)", "starts with https://"),
        ("website", "ftp://example.fi", "starts with https://"),
        ("contact_email", "not-an-address", "valid e-mail address"),
        ("type", "spaceship", "Choose one of the options"),
        ("name", "", "Enter the name"),
        ("regions", [], "Choose at least one region"),
        ("regions", ["MK99"], "not valid: MK99"),
        ("name", "Nimi\x00", "not allowed"),
        ("description", "x" * 100_000, "too long"),
        ("business_id", "０７３７５４６-２", "not a valid Business ID"),
    ],
)
def test_bad_input_gets_a_message_not_an_error(client, login_as, make_user, db, field, value,
                                               message):
    login_as(make_user())
    response = client.post("/organisations/new", data=organisation_form_data(**{field: value}))
    assert response.status_code == 422
    assert message in _html(response)
    assert db.session.scalar(select(Organisation.id)) is None


def test_unverified_email_cannot_create(client, login_as, make_user, db):
    login_as(make_user(verified=False))
    response = client.get("/organisations/new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    response = client.post("/organisations/new", data=organisation_form_data(),
                           follow_redirects=True)
    assert "Verify your e-mail address before registering" in _html(response)
    assert _org_by_business_id(db, "0737546-2") is None


def test_anonymous_is_sent_to_login(client):
    response = client.get("/organisations/new")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


# --- editing ------------------------------------------------------------------------------


@pytest.fixture
def org_with_people(make_user, make_organisation, add_member):
    owner, editor, member, stranger = make_user(), make_user(), make_user(), make_user()
    organisation = make_organisation(owner=owner, business_id="2617416-4")
    add_member(organisation, editor, Role.editor)
    add_member(organisation, member, Role.member)
    return organisation, {"owner": owner, "editor": editor, "member": member,
                          "stranger": stranger, "admin": make_user(admin=True)}


@pytest.mark.parametrize(
    ("actor", "status"),
    [("owner", 200), ("editor", 403), ("member", 403), ("stranger", 404), ("admin", 403)],
)
def test_edit_permissions(client, login_as, org_with_people, actor, status):
    organisation, people = org_with_people
    login_as(people[actor])
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == status
    response = client.post(f"/organisations/{organisation.id}/edit",
                           data=organisation_form_data(business_id="2617416-4", name="Hacked"))
    assert response.status_code == (302 if actor == "owner" else status)


def test_edit_of_an_unverified_organisation_is_404_for_strangers(client, login_as, make_user,
                                                                  make_organisation):
    organisation = make_organisation(verified=False)
    login_as(make_user())
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == 404
    assert client.get("/organisations/999999/edit").status_code == 404


def test_owner_edits_the_profile(client, login_as, org_with_people, db, audit_actions):
    organisation, people = org_with_people
    login_as(people["owner"])
    page = _html(client.get(f"/organisations/{organisation.id}/edit"))
    assert 'value="2617416-4"' in page
    checked = r'<input checked id="regions-\d+" name="regions" type="checkbox" value="{}">'
    assert re.search(checked.format("MK10"), page)
    assert not re.search(checked.format("MK01"), page)
    response = client.post(f"/organisations/{organisation.id}/edit", data=organisation_form_data(
        business_id="2617416-4", name="Uusi nimi ry", regions=["MK01"], target_groups=[]))
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "Uusi nimi ry"
    assert organisation.regions == ["MK01"]
    assert organisation.target_groups == []
    assert organisation.status == OrganisationStatus.verified  # identity did not change
    assert "organisation.updated" in audit_actions(organisation)
    assert "The changes have been saved." in _html(client.get(response.headers["Location"]))


def test_changing_the_business_id_sends_a_verified_organisation_back_to_verification(
        client, login_as, org_with_people, db, audit_actions):
    organisation, people = org_with_people
    login_as(people["owner"])
    response = client.post(f"/organisations/{organisation.id}/edit",
                           data=organisation_form_data(business_id="0737546-2"),
                           follow_redirects=True)
    assert "will verify the organisation again" in _html(response)
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.unverified
    assert "organisation.verification_reset" in audit_actions(organisation)


def test_edit_buttons_only_for_owners(client, login_as, org_with_people):
    organisation, people = org_with_people
    edit_url = f"/organisations/{organisation.id}/edit"
    login_as(people["owner"])
    assert edit_url in _html(client.get(f"/organisations/{organisation.id}"))
    for actor in ("editor", "member", "stranger", "admin"):
        login_as(people[actor])
        assert edit_url not in _html(client.get(f"/organisations/{organisation.id}"))
