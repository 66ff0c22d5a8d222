"""The call manager's list and CSV, the applicant's list, the Atom feed, calls over HTTP."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from app.applications.list_views import neutralise
from app.calls.models import Call, CallState
from app.extensions import db as _db
from app.organisations.models import Role
from tests.applications.test_workflow import _lead_owner
from tests.fixtures.calls import call_manager_of

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Töihin", "Töihin"),
    (None, ""), (12, "12"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_neutralises_formulas_and_opens_in_excel(client, login_as, make_call,
                                                            make_application):
    call = make_call()
    make_application(call=call, state="submitted", project_name="=cmd|' /C calc'!A0")
    make_application(call=call, state="in_review", project_name="@SUM(1+1)")
    make_application(call=call, state="draft", project_name="Luonnos ei näy")
    login_as(call_manager_of(call))
    response = client.get(f"/calls/{call.id}/applications.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    names = [row[header.index("Project")] for row in body]
    assert names == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)"]
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert row[header.index("Total eligible cost (€)")] == "134400,00"
    filtered = client.get(f"/calls/{call.id}/applications.csv?state=in_review")
    assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True)),
                               delimiter=";"))) == 2


def test_manager_list_filters_and_never_shows_drafts(client, login_as, make_call,
                                                     make_application, make_organisation,
                                                     make_user):
    call = make_call()
    make_application(call=call, state="submitted", project_name="Järjestön hanke")
    owner = make_user()
    school = make_organisation(type="education", owner=owner)
    make_application(call=call, organisation=school, state="in_review", project_name="Koulun hanke")
    make_application(call=call, state="draft", project_name="Luonnos")
    login_as(call_manager_of(call))
    page = client.get(f"/calls/{call.id}/applications").get_data(as_text=True)
    assert "Järjestön hanke" in page and "Koulun hanke" in page and "Luonnos" not in page
    page = client.get(f"/calls/{call.id}/applications?type=education").get_data(as_text=True)
    assert "Koulun hanke" in page and "Järjestön hanke" not in page
    page = client.get(f"/calls/{call.id}/applications?state=submitted&type=bogus"
                      ).get_data(as_text=True)
    assert "Järjestön hanke" in page and "Koulun hanke" not in page
    fragment = client.get(f"/calls/{call.id}/applications", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)


def _bulk(make_call, make_application, make_organisation, make_user, count):
    call = make_call()
    for n in range(count):
        owner = make_user()
        organisation = make_organisation(owner=owner)
        make_application(call=call, organisation=organisation, state="submitted",
                         project_name=f"Hanke {n}")
    return call


def test_manager_list_runs_a_bounded_number_of_queries(client, login_as, make_call,
                                                       make_application, make_organisation,
                                                       make_user, count_queries):
    counts = []
    for size in (5, 100):
        call = _bulk(make_call, make_application, make_organisation, make_user, size)
        login_as(call_manager_of(call))
        client.get(f"/calls/{call.id}/applications")  # warm up the session
        with count_queries() as counter:
            response = client.get(f"/calls/{call.id}/applications")
        assert response.status_code == 200
        counts.append(counter.count)
        with count_queries() as csv_counter:
            assert client.get(f"/calls/{call.id}/applications.csv").status_code == 200
        counts.append(csv_counter.count)
    assert counts[0] == counts[2], counts  # the page
    assert counts[1] == counts[3], counts  # the CSV of every application
    assert max(counts) <= 21, counts  # 21: with the header's What's new (follows)


def test_my_applications_by_state_with_next_actions(client, login_as, make_call,
                                                    make_application, make_user,
                                                    make_organisation, add_member):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    call = make_call()
    make_application(call=call, organisation=organisation, project_name="Luonnos A")
    make_application(call=call, organisation=organisation, state="more_info_requested",
                     project_name="Täydennettävä B")
    other = make_application(project_name="Vieras C")
    login_as(owner)
    page = client.get("/calls/applications/mine").get_data(as_text=True)
    assert page.index("Täydennettävä B") < page.index("Luonnos A")
    assert "Vieras C" not in page
    assert other.id


def test_atom_feed_is_valid_and_lists_only_published_calls(client, make_call):
    make_call(title_fi="Avoin <haku> & testi")
    make_call(phase="closed", title_fi="Suljettu haku")
    make_call(phase="draft", title_fi="Salainen luonnos")
    response = client.get("/feeds/calls.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert "Avoin <haku> & testi" in titles and "Suljettu haku" in titles
    assert "Salainen luonnos" not in titles
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "link", "author"):
            assert entry.find(f"{ATOM}{tag}") is not None
        datetime.strptime(entry.find(f"{ATOM}updated").text, "%Y-%m-%dT%H:%M:%SZ")
    assert b"&lt;haku&gt; &amp; testi" in response.get_data()


def test_call_created_over_http_stores_utc(client, login_as, make_organisation, make_user,
                                           add_member):
    ely = make_organisation(type="regional_authority")
    manager = make_user()
    add_member(ely, manager, Role.member, call_manager=True)
    login_as(manager)
    response = client.post("/calls/new", data={
        "organisation_id": str(ely.id), "title_fi": "Uusi haku", "description_fi": "Kuvaus",
        "theme": "Teema", "opens_at": "2031-03-01T12:00", "closes_at": "2031-06-30T16:15",
        "total_budget_cents": "1 500 000", "max_support_percent": "80",
        "eligible_types": ["ngo", "education"], "funding_model": "grant",
        "report_interval_months": "6", "final_report": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    call = _db.session.query(Call).filter_by(title_fi="Uusi haku").one()
    assert call.opens_at == datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2031, 6, 30, 13, 15, tzinfo=UTC)  # summer time, UTC+3
    assert call.total_budget_cents == 150_000_000
    assert call.state == CallState.draft
    for bad in ({"total_budget_cents": "sNaN"}, {"opens_at": "0001-01-01T00:00"},
                {"max_support_percent": "101"}, {"closes_at": "2031-01-01T00:00"},
                {"eligible_types": ["bogus"]}, {"title_fi": "\x00"}):
        data = {"organisation_id": str(ely.id), "title_fi": "X", "opens_at": "2031-03-01T12:00",
                "closes_at": "2031-06-30T16:15", "max_support_percent": "80",
                "report_interval_months": "6", "funding_model": "grant"}
        data.update(bad)
        assert client.post("/calls/new", data=data).status_code == 422, bad


def test_criteria_over_http(client, login_as, make_call):
    call = make_call(phase="upcoming")
    login_as(call_manager_of(call))
    scored = call.scored_criteria
    weights = {f"weight-{c.id}": "30" for c in scored}
    response = client.post(f"/calls/{call.id}/criteria/weights", data=weights,
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "100" in response.get_data(as_text=True)
    assert call.weight_total == 100
    weights = {f"weight-{c.id}": w for c, w in zip(scored, ("10", "40", "20", "30"), strict=True)}
    assert client.post(f"/calls/{call.id}/criteria/weights", data=weights).status_code == 302
    assert [c.weight for c in call.scored_criteria] == [10, 40, 20, 30]
    response = client.post(f"/calls/{call.id}/criteria", data={
        "new-criterion-kind": "general", "new-criterion-title": "Kelpoisuus 2"},
        headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Kelpoisuus 2" in response.get_data(as_text=True)
    open_call = make_call(ely=call.organisation)
    criterion = open_call.criteria[0]
    for url in (f"/calls/{open_call.id}/criteria",):
        assert client.get(url).status_code == 200
    for url in (f"/calls/{open_call.id}/criteria", f"/calls/{open_call.id}/criteria/weights",
                f"/calls/{open_call.id}/criteria/{criterion.id}",
                f"/calls/{open_call.id}/criteria/{criterion.id}/delete"):
        assert client.post(url, data={"new-criterion-title": "X"}).status_code == 403, url
    assert len(open_call.criteria) == 5


def test_publish_over_http(client, login_as, make_call):
    call = make_call(phase="draft")
    login_as(call_manager_of(call))
    assert client.post(f"/calls/{call.id}/publish", data={}).status_code == 302
    assert call.state == CallState.published
    assert client.post(f"/calls/{call.id}/publish", data={}).status_code == 403
    applicant = _lead_owner  # noqa: F841 - keeps the import used in every module
