"""A call's territory: national, or a list of regions. An organisation with none of the call's
regions cannot start or submit an application; the call page and list show the territory."""

from __future__ import annotations

import pytest

from app.applications import services as applications
from app.applications import workflow
from app.applications.sections import checklist
from app.calls.permissions import applying_organisations, region_allows
from app.core.domain import DomainError
from app.extensions import db
from app.organisations.services import forget_memberships
from tests.fixtures.calls import during


@pytest.mark.parametrize("call_regions,organisation_regions,allowed", [
    ([], [], True),  # national: everyone, even without a region
    ([], ["MK01"], True),
    (["MK10"], ["MK10"], True),
    (["MK10", "MK11"], ["MK01", "MK11"], True),  # one shared region is enough
    (["MK10"], ["MK01"], False),
    (["MK10"], [], False),
])
def test_region_allows(make_call, make_organisation, call_regions, organisation_regions,
                       allowed):
    call = make_call(regions=call_regions)
    organisation = make_organisation(regions=tuple(organisation_regions))
    assert region_allows(call, organisation) is allowed


def test_an_organisation_outside_the_territory_cannot_start(client, make_call, make_user,
                                                           make_organisation, login_as):
    call = make_call(regions=["MK01", "MK02"])
    writer = make_user()
    outside = make_organisation(name="Savon Yhdistys ry", owner=writer, regions=("MK10",))
    login_as(writer)
    assert applying_organisations(writer, call) == []
    assert client.get(f"/calls/{call.id}/apply").status_code == 403
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Savon Yhdistys ry cannot apply: the call is only for organisations in Uusimaa, " \
           "Southwest Finland." in html
    assert "Start an application" not in html
    # The service refuses by itself, naming the call's regions.
    with pytest.raises(DomainError) as refused:
        applications.start_application(writer, call, outside, "Hanke")
    assert refused.value.field == "organisation"
    assert "Uusimaa, Southwest Finland" in str(refused.value.message)


def test_an_organisation_inside_the_territory_starts(client, make_call, make_user,
                                                    make_organisation, login_as):
    call = make_call(regions=["MK10"])
    writer = make_user()
    inside = make_organisation(owner=writer, regions=("MK01", "MK10"))
    login_as(writer)
    assert applying_organisations(writer, call) == [inside]
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Start an application" in html and "cannot apply" not in html
    response = client.post(f"/calls/{call.id}/apply", data={
        "organisation_id": str(inside.id), "project_name": "Savon hanke"})
    assert response.status_code == 302


def test_submitting_checks_the_territory_again(make_call, make_application, db):
    """An application started inside the territory whose organisation has since left it (the
    organisation's regions changed) cannot be submitted: the checklist names the regions."""
    call = make_call(regions=["MK10"])
    application = make_application(call=call)
    assert checklist(application, during(call)) == []
    application.organisation.regions = ["MK19"]
    db.session.commit()
    problems = [str(p.message) for p in checklist(application, during(call))]
    assert any("only for organisations in South Savo" in p for p in problems)
    writer = application.created_by
    forget_memberships()
    with pytest.raises(DomainError):
        workflow.submit_application(writer, application, now=during(call))
    db.session.rollback()
    assert application.state.value == "draft"


def test_the_call_list_shows_the_territory_with_constant_queries(client, make_call,
                                                                 count_queries):
    first = make_call(title_fi="Lapin haku", regions=["MK19"])
    with count_queries() as few:
        html = client.get("/calls").get_data(as_text=True)
    assert "Territory: Lapland" in html
    ely = first.organisation
    for n in range(4):
        make_call(ely=ely, title_fi=f"Valtakunnallinen haku {n}")
    with count_queries() as many:
        html = client.get("/calls").get_data(as_text=True)
    assert "Territory: National" in html and "Territory: Lapland" in html
    assert many.count == few.count


def test_the_manage_page_shows_the_territory(client, make_call, login_as):
    from tests.fixtures.calls import call_manager_of

    call = make_call(phase="draft", regions=["MK12"])
    login_as(call_manager_of(call))
    html = client.get("/calls/manage").get_data(as_text=True)
    assert "North Karelia" in html


def test_unknown_regions_never_reach_the_call(make_call):
    call = make_call(regions=["MK10", "XX"])
    assert call.regions == ["MK10"]
    db.session.rollback()
