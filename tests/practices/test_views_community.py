"""Partners, validation by an ELY Centre and adoption, through the pages."""

import flask
import pytest
from flask import render_template_string
from sqlalchemy import select

from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.practices.models import Adoption, Practice, PracticePartner
from tests.fixtures.practices import owner_of, use_english


@pytest.fixture(autouse=True)
def _english(client):
    use_english(client)


def _html(response) -> str:
    return response.get_data(as_text=True)


def _url(practice) -> str:
    return f"/practices/{practice.id}-{practice.slug}"


def _fresh(db, practice) -> Practice:
    db.session.expire_all()
    return db.session.get(Practice, practice.id)


@pytest.fixture
def ely(make_user, make_organisation, add_member):
    """A verified ELY Centre and one of its reviewers."""
    centre = make_organisation(name="Etelä-Savon ELY-keskus", type="regional_authority")
    person = make_user(name="Eli Ely", language="en")
    add_member(centre, person, Role.member, reviewer=True)
    return centre, person


# --- validation -----------------------------------------------------------------------------------


def test_ely_centre_member_validates_and_withdraws(client, app, login_as, ely, make_practice, db,
                                                   audit_actions):
    centre, person = ely
    practice = make_practice(published=True)
    login_as(person)
    page = _html(client.get(_url(practice)))
    assert f'action="/practices/{practice.id}/validate"' in page
    assert f'value="{centre.id}">Etelä-Savon ELY-keskus</option>' in page

    response = client.post(f"/practices/{practice.id}/validate",
                           data={"organisation": str(centre.id), "statement": ""})
    assert response.status_code == 422
    assert 'id="statement-error"' in _html(response)

    response = client.post(f"/practices/{practice.id}/validate", data={
        "organisation": str(centre.id), "statement": "Malli on arvioitu ja toimiva."})
    assert response.status_code == 302
    practice = _fresh(db, practice)
    assert practice.validated_by_organisation_id == centre.id
    assert "practice.validated" in audit_actions(centre)

    public = _html(use_english(app.test_client()).get(_url(practice)))
    assert "Assessed by Etelä-Savon ELY-keskus" in public  # the assessing organisation's name
    assert "Etelä-Savon ELY-keskus validated this service model on" in public
    assert "Eli Ely" in public
    assert "Malli on arvioitu ja toimiva." in public

    page = _html(client.get(_url(practice)))
    assert f'action="/practices/{practice.id}/validation/withdraw"' in page
    response = client.post(f"/practices/{practice.id}/validation/withdraw",
                           data={"reason": "Vanhentunut"})
    assert response.status_code == 302
    practice = _fresh(db, practice)
    assert not practice.is_validated
    assert "practice.validation_withdrawn" in audit_actions(centre)
    assert "Assessed by" not in _html(client.get(_url(practice)))


def test_ngo_member_cannot_validate(client, login_as, make_user, make_organisation, add_member,
                                    make_practice, db):
    practice = make_practice(published=True)
    person = make_user(language="en")
    add_member(make_organisation(type="ngo"), person, Role.owner)
    login_as(person)
    page = _html(client.get(_url(practice)))
    assert "/validate" not in page
    response = client.post(f"/practices/{practice.id}/validate", data={"statement": "Hyvä."})
    assert response.status_code == 403
    assert not _fresh(db, practice).is_validated


def test_an_ely_centre_cannot_validate_a_draft_or_its_own_model(client, login_as, ely,
                                                                 make_practice):
    centre, person = ely
    draft = make_practice()
    own = make_practice(organisation=centre, published=True)
    login_as(person)
    response = client.post(f"/practices/{draft.id}/validate", data={"statement": "x"})
    assert response.status_code == 404
    assert client.post(f"/practices/{own.id}/validate",
                       data={"organisation": str(centre.id), "statement": "x"}).status_code == 403


# --- adoption -------------------------------------------------------------------------------------


def test_another_organisation_records_an_adoption(client, app, login_as, make_user,
                                                  make_organisation, add_member, make_practice,
                                                  mailbox, db):
    practice = make_practice(published=True, title="Työhönvalmennus")
    owner = owner_of(db, practice.organisation)
    adopter_org = make_organisation(name="Käyttäjä ry")
    person = make_user(language="en")
    add_member(adopter_org, person, Role.member)
    login_as(person)

    page = _html(client.get(_url(practice)))
    assert f'href="/practices/{practice.id}/adopt"' in page
    form = _html(client.get(f"/practices/{practice.id}/adopt"))
    assert form.count("<h1") == 1
    assert "<legend>Regions where you use the model" in form

    response = client.post(f"/practices/{practice.id}/adopt", data={
        "organisation": str(adopter_org.id), "regions": ["MK01", "MK10"], "since": "2025-01-15",
        "note": "Käytämme Mikkelissä."})
    assert response.status_code == 302
    adoption = db.session.scalar(select(Adoption).where(Adoption.practice_id == practice.id))
    assert adoption.organisation_id == adopter_org.id and adoption.regions == ["MK01", "MK10"]
    assert _fresh(db, practice).adoption_count == 1

    message = mailbox.last(to=owner.email)
    assert "Käyttäjä ry" in message["Subject"]
    assert f"/practices/{practice.id}-" in mailbox.body(message)

    public = _html(app.test_client().get(_url(practice)))
    assert "1 organisation has recorded that it uses this service model." in public
    assert f'<a href="/organisations/{adopter_org.id}">Käyttäjä ry</a>' in public
    assert "Käytämme Mikkelissä." in public

    # Once recorded, it cannot be recorded again; the adopter can remove it.
    page = _html(client.get(_url(practice)))
    assert f'href="/practices/{practice.id}/adopt"' not in page
    assert client.get(f"/practices/{practice.id}/adopt").status_code == 403
    response = client.post(f"/practices/{practice.id}/adoptions/{adoption.id}/remove", data={})
    assert response.status_code == 302
    assert _fresh(db, practice).adoption_count == 0


def test_adoption_form_refuses_bad_input(client, login_as, make_user, make_organisation, add_member,
                                         make_practice, db):
    practice = make_practice(published=True)
    adopter_org = make_organisation()
    person = make_user(language="en")
    add_member(adopter_org, person, Role.editor)
    login_as(person)
    for data in ({"organisation": str(adopter_org.id), "since": "2999-01-01"},
                 {"organisation": str(adopter_org.id), "since": "yesterday"},
                 {"organisation": str(adopter_org.id), "regions": ["MK99"]},
                 {"organisation": "0"},
                 {"organisation": str(adopter_org.id), "note": "x\x00"}):
        response = client.post(f"/practices/{practice.id}/adopt", data=data)
        assert response.status_code == 422, data
        assert 'class="error"' in _html(response)
    assert _fresh(db, practice).adoption_count == 0


def test_the_owner_organisation_cannot_adopt_its_own_model(client, login_as, make_practice, db):
    practice = make_practice(published=True)
    login_as(owner_of(db, practice.organisation))
    assert f'/practices/{practice.id}/adopt"' not in _html(client.get(_url(practice)))
    assert client.get(f"/practices/{practice.id}/adopt").status_code == 403
    response = client.post(f"/practices/{practice.id}/adopt",
                           data={"organisation": str(practice.organisation_id)})
    assert response.status_code == 403


def test_someone_else_cannot_remove_an_adoption(client, login_as, make_user, make_organisation,
                                                make_practice, db):
    from app.practices import community

    practice = make_practice(published=True)
    adopter = make_organisation()
    adoption = community.record_adoption(owner_of(db, adopter), adopter, practice, regions=[],
                                         since=None, note="")
    db.session.commit()
    login_as(owner_of(db, practice.organisation))
    url = f"/practices/{practice.id}/adoptions/{adoption.id}/remove"
    assert client.post(url, data={}).status_code == 403
    other = make_practice(published=True)
    response = client.post(f"/practices/{other.id}/adoptions/{adoption.id}/remove", data={})
    assert response.status_code == 404
    assert _fresh(db, practice).adoption_count == 1


# --- partners -------------------------------------------------------------------------------------


def test_invite_accept_and_decline_partners(client, app, login_as, make_user, make_organisation,
                                            add_member, make_practice, mailbox, db):
    practice = make_practice(title="Yhteinen malli")  # a draft: partners come before publishing
    owner = owner_of(db, practice.organisation)
    partner_org = make_organisation(name="Kumppani Oy")
    partner_editor = make_user(language="en")
    add_member(partner_org, partner_editor, Role.editor)
    declining_org = make_organisation(name="Kieltäytyjä ry")
    unverified = make_organisation(name="Vahvistamaton ry", verified=False)
    login_as(owner)

    page = _html(client.get(f"/practices/{practice.id}/partners?q=kumppani"))
    assert page.count("<h1") == 1
    assert f'<option value="{partner_org.id}">Kumppani Oy</option>' in page
    assert "Kieltäytyjä ry" not in page  # not matching the search
    assert "Vahvistamaton ry" not in _html(client.get(f"/practices/{practice.id}/partners"))

    partners = f"/practices/{practice.id}/partners"
    for org in (partner_org, declining_org):
        response = client.post(partners, data={"organisation": str(org.id)})
        assert response.status_code == 302
    response = client.post(partners, data={"organisation": str(unverified.id)})
    assert response.status_code == 422
    assert "Only verified organisations can be named as partners." in _html(response)
    response = client.post(partners, data={"organisation": str(partner_org.id)})
    assert response.status_code == 422
    assert "already been invited" in _html(response)

    message = mailbox.last(to=partner_editor.email)
    link = mailbox.link(message, f"/practices/{practice.id}/partners")

    # The partner's editor answers on the page, though the model is still a draft.
    answering = use_english(app.test_client())
    login_as(partner_editor, answering)
    page = _html(answering.get(link))
    assert "Invitation to Kumppani Oy" in page
    assert answering.get(f"/practices/{practice.id}-{practice.slug}").status_code == 404
    partner = db.session.scalar(select(PracticePartner).where(
        PracticePartner.organisation_id == partner_org.id))
    response = answering.post(f"/practices/{practice.id}/partners/{partner.id}/respond",
                              data={"decision": "accept"})
    assert response.status_code == 302
    db.session.expire_all()
    assert partner.state == PartnerState.accepted
    # As an accepted partner they now see the draft.
    assert answering.get(f"/practices/{practice.id}-{practice.slug}").status_code == 200

    declining_owner = owner_of(db, declining_org)
    declining = use_english(app.test_client())
    login_as(declining_owner, declining)
    other = db.session.scalar(select(PracticePartner).where(
        PracticePartner.organisation_id == declining_org.id))
    response = declining.post(f"/practices/{practice.id}/partners/{other.id}/respond",
                              data={"decision": "decline"})
    assert response.headers["Location"].endswith("/dashboard")
    db.session.expire_all()
    assert other.state == PartnerState.declined
    # Answered: the page is no longer theirs to see.
    assert declining.get(f"/practices/{practice.id}/partners").status_code == 404

    page = _html(client.get(f"/practices/{practice.id}/partners"))
    assert "Accepted" in page and "Declined" in page
    response = client.post(f"/practices/{practice.id}/partners/{other.id}/remove", data={})
    assert response.status_code == 302
    page = _html(client.get(f"/practices/{practice.id}/partners"))
    assert "Kieltäytyjä ry is no longer a partner." in page
    assert f'<a href="/organisations/{declining_org.id}">' not in page


def test_partner_answers_are_only_for_the_invited_organisation(client, login_as, make_user,
                                                               make_organisation, add_member,
                                                               make_practice, db):
    from app.practices import community

    practice = make_practice(published=True)
    partner_org = make_organisation()
    partner = community.invite_partner(owner_of(db, practice.organisation), practice, partner_org)
    db.session.commit()
    outsider = make_user(language="en")
    add_member(make_organisation(), outsider, Role.owner)
    login_as(outsider)
    url = f"/practices/{practice.id}/partners/{partner.id}/respond"
    assert client.post(url, data={"decision": "accept"}).status_code == 403
    assert client.get(f"/practices/{practice.id}/partners").status_code == 403
    member = make_user(language="en")
    add_member(partner_org, member, Role.member)  # not an editor
    login_as(member)
    assert client.post(url, data={"decision": "accept"}).status_code == 403
    db.session.expire_all()
    assert partner.state == PartnerState.invited


def test_dashboard_partial_lists_partner_invitations(app, make_user, make_organisation, add_member,
                                                     make_practice, db):
    from app.practices import community

    practice = make_practice(title="Kutsuva malli")
    partner_org = make_organisation(name="Kumppani Oy")
    partner = community.invite_partner(owner_of(db, practice.organisation), practice, partner_org)
    db.session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        flask.g._login_user = owner_of(db, partner_org)
        html = render_template_string('{% include "practices/_partner_invitations.html" %}')
    assert "Kutsuva malli" in html
    assert f'action="/practices/{practice.id}/partners/{partner.id}/respond"' in html
    with app.test_request_context("/"):
        flask.g._login_user = make_user()
        assert "Kutsuva malli" not in render_template_string(
            '{% include "practices/_partner_invitations.html" %}')


def test_a_member_of_the_owning_organisation_cannot_validate(client, login_as, ely, add_member,
                                                             make_practice, db):
    centre, person = ely
    practice = make_practice(published=True)
    add_member(practice.organisation, person, Role.member)  # conflict of interest
    login_as(person)
    assert "/validate" not in _html(client.get(_url(practice)))
    response = client.post(f"/practices/{practice.id}/validate",
                           data={"organisation": str(centre.id), "statement": "Oma malli."})
    assert response.status_code == 403
    assert not _fresh(db, practice).is_validated


def test_validation_service_refuses_a_conflicted_member(make_user, make_organisation, add_member,
                                                        make_practice, db):
    from app.core.domain import DomainError
    from app.practices import community

    centre = make_organisation(type="regional_authority")
    person = make_user()
    add_member(centre, person, Role.member, reviewer=True)
    practice = make_practice(published=True)
    add_member(practice.organisation, person, Role.member)
    with pytest.raises(DomainError, match="member of the organisation that owns"):
        community.validate_practice(person, centre, practice, "Oma.")
