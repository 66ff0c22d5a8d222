"""Organisations after the reforms: the funding-authority capability (administrators only),
renaming with former names, the lifecycle (valid from / to, predecessor and successor), units
under one Business ID, an employment area's member municipalities, the directory's ceased
marker and filter, and the authority's name kept by calls and decisions."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.applications import services as applications
from app.calls import permissions as call_permissions
from app.calls import services as call_services
from app.calls.permissions import is_call_manager_of
from app.core import clock
from app.core.domain import DomainError, NotAllowed
from app.organisations import lifecycle
from app.organisations.models import Membership, Organisation, Role
from app.organisations.services import forget_memberships
from app.reviews.permissions import is_reviewer_of
from tests.fixtures.calls import during
from tests.fixtures.organisations import organisation_form_data, valid_business_id


def _html(response) -> str:
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def _sign_out(client) -> None:
    with client.session_transaction() as session:
        session.clear()


def _by_name(db, name):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


# --- the funding-authority capability -------------------------------------------------------


def test_admin_grants_and_revokes_the_capability(client, login_as, admin, make_organisation,
                                                 make_user, add_member, db, audit_actions):
    centre = make_organisation("Etelä-Savon elinvoimakeskus", type="regional_authority",
                               funding_authority=False)
    manager = make_user()
    add_member(centre, manager, Role.member, call_manager=True, reviewer=True)
    assert not is_call_manager_of(manager, centre)
    login_as(admin)
    page = _html(client.get(f"/admin/organisations/{centre.id}"))
    assert "is not a funding authority" in page
    assert 'data-confirm="Make Etelä-Savon elinvoimakeskus a funding authority?' in page
    response = client.post(f"/admin/organisations/{centre.id}/funding-authority",
                           data={"enable": "1"}, follow_redirects=True)
    assert "is now a funding authority" in _html(response)
    db.session.refresh(centre)
    forget_memberships()
    assert centre.is_funding_authority and is_call_manager_of(manager, centre)
    assert "organisation.funding_authority_granted" in audit_actions(centre)

    response = client.post(f"/admin/organisations/{centre.id}/funding-authority",
                           data={"enable": "0"}, follow_redirects=True)
    assert "is no longer a funding authority" in _html(response)
    db.session.refresh(centre)
    forget_memberships()
    # Nothing is removed (the call roles stay on the membership) but they stop working.
    membership = db.session.scalar(select(Membership).where(Membership.user_id == manager.id))
    assert membership.is_call_manager and membership.is_reviewer
    assert not centre.is_funding_authority
    assert not is_call_manager_of(manager, centre) and not is_reviewer_of(manager, centre)
    with pytest.raises(DomainError):
        call_services.create_call(manager, centre, {"title_fi": "Haku"})
    assert "organisation.funding_authority_revoked" in audit_actions(centre)


def test_only_admins_grant_the_capability_route_and_service(client, login_as, make_organisation,
                                                            make_user, db):
    owner = make_user()
    organisation = make_organisation("Oma keskus", type="regional_authority", owner=owner,
                                     funding_authority=False)
    login_as(owner)  # the owner of the organisation itself
    assert client.post(f"/admin/organisations/{organisation.id}/funding-authority",
                       data={"enable": "1"}).status_code == 403
    assert client.get(f"/admin/organisations/{organisation.id}").status_code == 403
    with pytest.raises(NotAllowed):  # the service checks its actor too
        lifecycle.set_funding_authority(owner, organisation, True)
    db.session.refresh(organisation)
    assert not organisation.is_funding_authority


def test_an_unverified_organisation_cannot_be_made_a_funding_authority(admin, make_organisation):
    organisation = make_organisation("Vahvistamaton", verified=False)
    with pytest.raises(DomainError, match="verified"):
        lifecycle.set_funding_authority(admin, organisation, True)
    assert not organisation.is_funding_authority


def test_registration_and_edit_never_make_a_funding_authority(client, login_as, make_user, db):
    owner = make_user()
    login_as(owner)
    data = organisation_form_data(type="regional_authority", is_funding_authority="y",
                                  name="Itse julistettu keskus")
    assert client.post("/organisations/new", data=data).status_code == 302
    organisation = _by_name(db, "Itse julistettu keskus")
    assert organisation is not None and not organisation.is_funding_authority
    client.post(f"/organisations/{organisation.id}/edit", data=data)
    db.session.refresh(organisation)
    assert not organisation.is_funding_authority


def test_te_office_is_history_only(client, login_as, make_user, make_organisation, db):
    owner = make_user()
    login_as(owner)
    page = _html(client.get("/organisations/new"))
    assert 'value="te_office"' not in page and 'value="employment_area"' in page
    response = client.post("/organisations/new", data=organisation_form_data(type="te_office"))
    assert response.status_code == 422
    assert _by_name(db, "Työpaja Kipinä ry") is None
    # An existing TE-office keeps its type, is shown with its label and can be edited.
    office = make_organisation("Etelä-Savon TE-toimisto", type="te_office", owner=owner,
                               business_id=valid_business_id(9101))
    assert "TE Office (historical)" in _html(client.get(f"/organisations/{office.id}"))
    edit = _html(client.get(f"/organisations/{office.id}/edit"))
    assert re.search(r'<option selected value="te_office">|<option value="te_office" selected',
                     edit)
    data = organisation_form_data(type="te_office", name="Etelä-Savon TE-toimisto",
                                  business_id=office.business_id, description="Historiaa.")
    assert client.post(f"/organisations/{office.id}/edit", data=data).status_code == 302
    # ...but another organisation cannot become one.
    other = make_organisation("Järjestö", owner=owner, business_id=valid_business_id(9102))
    data = organisation_form_data(type="te_office", name="Järjestö",
                                  business_id=other.business_id)
    assert client.post(f"/organisations/{other.id}/edit", data=data).status_code == 422
    db.session.refresh(other)
    assert other.type == "ngo"


# --- names and lifecycle --------------------------------------------------------------------


def test_an_owner_renames_and_the_old_name_is_public_history(client, login_as, make_user,
                                                            make_organisation, db,
                                                            audit_actions):
    owner = make_user()
    organisation = make_organisation("Vanha Nimi ry", owner=owner)
    login_as(owner)
    data = organisation_form_data(name="Uusi Nimi ry", business_id=organisation.business_id)
    assert client.post(f"/organisations/{organisation.id}/edit", data=data).status_code == 302
    db.session.refresh(organisation)
    today = clock.local_date()
    assert organisation.name == "Uusi Nimi ry"
    assert organisation.former_names == [{"name": "Vanha Nimi ry", "until": today.isoformat()}]
    assert "organisation.renamed" in audit_actions(organisation)
    _sign_out(client)
    page = _html(client.get(f"/organisations/{organisation.id}"))
    assert "Former names" in page and "Vanha Nimi ry" in page
    # Saving again without a new name adds nothing.
    login_as(owner)
    client.post(f"/organisations/{organisation.id}/edit", data=data)
    db.session.refresh(organisation)
    assert len(organisation.former_names) == 1


def test_admin_sets_the_lifecycle_and_the_pages_show_it(client, login_as, admin,
                                                       make_organisation, db, audit_actions):
    old = make_organisation("Etelä-Savon ELY-keskus", type="regional_authority")
    new = make_organisation("Etelä-Savon elinvoimakeskus", type="regional_authority")
    login_as(admin)
    yesterday = clock.local_date() - timedelta(days=1)
    response = client.post(f"/admin/organisations/{old.id}", data={
        "name": old.name, "valid_from": "2015-01-01", "valid_to": yesterday.isoformat(),
        "predecessor": ""})
    assert response.status_code == 302
    response = client.post(f"/admin/organisations/{new.id}", data={
        "name": new.name, "valid_from": clock.local_date().isoformat(), "valid_to": "",
        "predecessor": str(old.id)})
    assert response.status_code == 302
    db.session.refresh(new)
    assert new.predecessor_id == old.id and old.is_ceased()
    assert "organisation.lifecycle_changed" in audit_actions(new)

    _sign_out(client)
    old_page = _html(client.get(f"/organisations/{old.id}"))
    assert "Ceased" in old_page and "Its tasks moved to" in old_page
    assert f'href="/organisations/{new.id}"' in old_page
    new_page = _html(client.get(f"/organisations/{new.id}"))
    assert "Took over the tasks of" in new_page and f'href="/organisations/{old.id}"' in new_page
    assert "Ceased" not in new_page and "Its tasks moved to" not in new_page


def test_lifecycle_rules(client, login_as, admin, make_organisation, db):
    a = make_organisation("A")
    b = make_organisation("B")
    lifecycle.update_lifecycle(admin, b, valid_from=None, valid_to=None, predecessor=a)
    with pytest.raises(DomainError, match="circle"):
        lifecycle.update_lifecycle(admin, a, valid_from=None, valid_to=None, predecessor=b)
    with pytest.raises(DomainError, match="own predecessor"):
        lifecycle.update_lifecycle(admin, a, valid_from=None, valid_to=None, predecessor=a)
    db.session.rollback()
    login_as(admin)
    response = client.post(f"/admin/organisations/{a.id}", data={
        "name": "A", "valid_from": "2026-01-01", "valid_to": "2025-12-31", "predecessor": ""})
    page = _html(response)
    assert response.status_code == 422
    assert 'id="valid_to-error"' in page and "cannot be before the start date" in page
    db.session.refresh(a)
    assert a.valid_to is None


def test_admin_renames_with_the_day_the_old_name_ended(client, login_as, admin,
                                                      make_organisation, db):
    centre = make_organisation("Pirkanmaan ELY-keskus", type="regional_authority")
    login_as(admin)
    client.post(f"/admin/organisations/{centre.id}", data={
        "name": "Pirkanmaan elinvoimakeskus", "renamed_on": "2025-12-31", "predecessor": ""})
    db.session.refresh(centre)
    assert centre.name == "Pirkanmaan elinvoimakeskus"
    assert centre.former_names == [{"name": "Pirkanmaan ELY-keskus", "until": "2025-12-31"}]


def test_a_ceased_organisation_cannot_start_an_application(make_call, make_organisation,
                                                          make_user, db):
    call = make_call()
    owner = make_user()
    organisation = make_organisation("Lakkautettu ry", owner=owner)
    now = during(call)
    organisation.valid_to = clock.local_date(now) - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DomainError, match="ceased"):
        applications.start_application(owner, call, organisation, "Hanke", now=now)
    # ...and the call page does not offer it to apply (the predicate the pages use).
    assert not call_permissions.can_start_application(owner, call, now)
    organisation.valid_to = clock.local_date(now)  # its last day: still working
    db.session.commit()
    assert call_permissions.can_start_application(owner, call, now)
    assert applications.start_application(owner, call, organisation, "Hanke", now=now).id


# --- directory ------------------------------------------------------------------------------


def test_directory_marks_ceased_and_can_hide_them(client, make_organisation, db):
    ceased = make_organisation("Lopettanut Yhdistys ry")
    make_organisation("Toimiva Yhdistys ry")
    ceased.valid_to = clock.local_date() - timedelta(days=1)
    db.session.commit()
    page = _html(client.get("/organisations?q=yhdistys"))
    assert "Lopettanut Yhdistys ry" in page and "Toimiva Yhdistys ry" in page
    card = page[page.index("Lopettanut Yhdistys ry"):]
    card = card[:card.index("</li>")]
    assert "badge-ceased" in card
    assert 'name="active"' in page
    page = _html(client.get("/organisations?q=yhdistys&active=y"))
    assert "Lopettanut Yhdistys ry" not in page and "Toimiva Yhdistys ry" in page


def test_directory_queries_do_not_grow_with_ceased_rows(client, make_organisation, db,
                                                       count_queries):
    def run():
        with count_queries() as counter:
            client.get("/organisations?active=y")
        return counter.count

    make_organisation("Yksi")
    first = run()
    for n in range(5):
        org = make_organisation(f"Lopettanut {n}")
        org.valid_to = date(2020, 1, 1)
    db.session.commit()
    assert run() == first


# --- units and member municipalities --------------------------------------------------------


def test_a_unit_registers_under_a_registered_business_id(client, login_as, make_user,
                                                         make_organisation, db):
    city = make_organisation("Mikkelin kaupunki", type="municipality",
                             business_id=valid_business_id(9201))
    login_as(make_user())
    data = organisation_form_data(name="Mikkelin kaupunki", type="municipality",
                                  business_id=city.business_id)
    response = client.post("/organisations/new", data=data)
    page = _html(response)
    assert response.status_code == 422
    assert 'id="business_id-error"' in page and "give the unit's name" in page
    assert f'href="/organisations/{city.id}"' in page  # ask to join it there
    response = client.post("/organisations/new", data={**data, "unit_name": "Työllisyyspalvelut"})
    assert response.status_code == 302
    unit = db.session.scalar(select(Organisation).where(
        Organisation.unit_name == "Työllisyyspalvelut"))
    assert unit.business_id == city.business_id and unit.display_name == (
        "Mikkelin kaupunki, Työllisyyspalvelut")
    # The same unit name again under the same Business ID is refused.
    response = client.post("/organisations/new", data={**data, "unit_name": "työllisyyspalvelut"})
    assert response.status_code == 422 and 'id="unit_name-error"' in _html(response)
    # Each has its own page, listing the other.
    _sign_out(client)
    city_page = _html(client.get(f"/organisations/{city.id}"))
    # The unit is not verified yet: not shown to the public.
    assert "Other units with the Business ID" not in city_page
    assert f'href="/organisations/{unit.id}"' not in city_page
    unit.status = city.status
    db.session.commit()
    city_page = _html(client.get(f"/organisations/{city.id}"))
    assert "Other units with the Business ID" in city_page
    assert f'href="/organisations/{unit.id}"' in city_page
    unit_page = _html(client.get(f"/organisations/{unit.id}"))
    assert f'href="/organisations/{city.id}"' in unit_page and "Työllisyyspalvelut" in unit_page


def test_a_business_id_names_the_organisation_without_a_unit(make_organisation, db):
    business_id = valid_business_id(9301)
    unit = make_organisation("Kaupunki", unit_name="Nuorisopalvelut", business_id=business_id)
    assert applications.organisation_by_business_id(business_id) is None  # only a unit
    assert lifecycle.organisation_for_business_id(business_id) == unit  # the only one
    city = make_organisation("Kaupunki", business_id=business_id)
    make_organisation("Kaupunki", unit_name="Työllisyyspalvelut", business_id=business_id)
    assert applications.organisation_by_business_id(business_id) == city
    assert lifecycle.organisation_for_business_id(business_id) == city
    assert [o.unit_name for o in lifecycle.other_units(city)] == [
        "Nuorisopalvelut", "Työllisyyspalvelut"]


def test_employment_area_member_municipalities(client, login_as, make_user, db):
    login_as(make_user())
    data = organisation_form_data(
        name="Mikkelin seudun työllisyysalue", type="employment_area",
        member_municipalities="Mikkeli\n\n  Mäntyharju \nPertunmaa\nmikkeli\n")
    assert client.post("/organisations/new", data=data).status_code == 302
    area = _by_name(db, "Mikkelin seudun työllisyysalue")
    assert area.member_municipalities == ["Mikkeli", "Mäntyharju", "Pertunmaa"]
    page = _html(client.get(f"/organisations/{area.id}"))
    assert "Member municipalities" in page and "Mäntyharju" in page
    edit = _html(client.get(f"/organisations/{area.id}/edit"))
    assert "Mikkeli\nMäntyharju\nPertunmaa</textarea>" in edit
    too_many = "\n".join(f"Kunta {n}" for n in range(61))
    response = client.post(f"/organisations/{area.id}/edit",
                           data={**data, "business_id": area.business_id,
                                 "member_municipalities": too_many})
    assert response.status_code == 422
    assert 'id="member_municipalities-error"' in _html(response)
    # Another type keeps no municipalities.
    data = {**data, "type": "ngo", "business_id": area.business_id}
    assert client.post(f"/organisations/{area.id}/edit", data=data).status_code == 302
    db.session.refresh(area)
    assert area.member_municipalities == []
    assert "Member municipalities" not in _html(client.get(f"/organisations/{area.id}"))


# --- the authority's name as it was -----------------------------------------------------------


def test_calls_and_decisions_keep_the_authoritys_name(client, login_as, admin, make_call,
                                                     make_application, db):
    call = make_call()
    centre = call.organisation
    old_name = centre.name
    assert call.authority_name == old_name
    application = make_application(call=call, state="approved")
    assert application.authority_name == old_name
    lifecycle.rename_organisation(admin, centre, "Testin elinvoimakeskus",
                                  on=date(2025, 12, 31))
    db.session.commit()
    page = _html(client.get(f"/calls/{call.id}"))
    assert old_name in page and "Testin elinvoimakeskus" not in page
    owner = db.session.scalar(select(Membership).where(
        Membership.organisation_id == application.organisation_id,
        Membership.role == Role.owner)).user
    login_as(owner)
    response = client.get(f"/calls/applications/{application.id}/decision/document")
    assert response.status_code == 200
    document = _html(response)
    assert old_name in document and "Testin elinvoimakeskus" not in document
    # A call made after the renaming carries the new name.
    new_call = make_call(ely=centre)
    assert new_call.authority_name == "Testin elinvoimakeskus"
    assert "Testin elinvoimakeskus" in _html(client.get(f"/calls/{new_call.id}"))


def test_the_import_attaches_a_model_to_the_organisation_not_its_unit(make_organisation, db,
                                                                    tmp_path):
    import json
    from pathlib import Path

    from app.practices.importer import import_file
    from app.practices.models import Practice

    sample = Path(__file__).parents[1] / "practices" / "data" / "practices_sample.jsonl"
    record = json.loads(sample.read_text(encoding="utf-8").splitlines()[0])
    bid = record["organisation"]["business_id"]
    # The unit first, so that a lookup by Business ID alone would find it first.
    make_organisation("Yksikkö", unit_name="Nuorisopalvelut", business_id=bid)
    main = make_organisation(record["organisation"]["name"], business_id=bid)
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = import_file(path)
    assert (summary.created, summary.failed, summary.organisations_created) == (1, 0, 0)
    practice = db.session.scalar(select(Practice).where(
        Practice.external_id == record["id"]))
    assert practice.organisation_id == main.id
